"""cpu.py - CPU time and peak memory of the process groups of one relay.

Read from /proc: a process's own user+system time, plus that of its children
it has already reaped (so workers retired and replaced during a burst, and
Postfix's smtpd processes, still count). Groups: "postfix" (the master and
everything under it), "front" (the milter process itself, all its threads)
and "workers" (everything under the milter: mugai's supervisor and workers;
for clamav-milter, clamd).
"""

import os

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # after the name: state ppid ... utime(14) stime cutime cstime, counted from 1
    return int(fields[1]), [int(x) for x in fields[11:15]]


def _children():
    kids = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                ppid, _ = _stat(int(name))
            except (OSError, ValueError, IndexError):
                continue
            kids.setdefault(ppid, []).append(int(name))
    return kids


def _tree(root, kids):
    out, i = [root], 0
    while i < len(out):
        out.extend(kids.get(out[i], []))
        i += 1
    return out


def _seconds(pid, reaped=True):
    try:
        _, t = _stat(pid)
    except (OSError, ValueError, IndexError):
        return 0.0
    return (sum(t) if reaped else t[0] + t[1]) / TICK


def _hwm_kib(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _postfix_master(relay):
    try:
        with open(os.path.join(relay.workdir, "queue/pid/master.pid")) as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _roots(relay):
    """(front pid, [worker root pids]) of the relay's milter, or (None, [])."""
    milter = relay.milter
    if milter is None:
        return None, []
    procs = getattr(milter, "procs", None)
    if procs:   # clamd first, then clamav-milter
        return procs[-1].pid, [p.pid for p in procs[:-1]]
    return milter.proc.pid, []


def _groups(relay, kids):
    """{group: [pids]} of the relay's processes alive now."""
    out = {"postfix": [], "front": [], "workers": []}
    master = _postfix_master(relay)
    if master:
        out["postfix"] = _tree(master, kids)
    front, others = _roots(relay)
    if front:
        out["front"] = [front]
        out["workers"] = _tree(front, kids)[1:] + [q for r in others for q in _tree(r, kids)]
    return out


def reset_peaks(relay):
    """Start the peak RSS (VmHWM) of every process of the relay afresh
    (Linux: 5 written to /proc/PID/clear_refs; root), so that the next
    snapshot's peaks belong to what ran in between."""
    for pids in _groups(relay, _children()).values():
        for pid in pids:
            try:
                with open("/proc/%d/clear_refs" % pid, "w") as f:
                    f.write("5")
            except OSError:
                pass


def snapshot(relay):
    """CPU seconds per group now, and the peak RSS (KiB) of the largest
    Postfix process, of the front and of the largest worker alive."""
    groups = _groups(relay, _children())
    out = {"postfix": sum(_seconds(p) for p in groups["postfix"]),
           "front": sum(_seconds(p, reaped=False) for p in groups["front"]),
           "workers": sum(_seconds(p) for p in groups["workers"])}
    for group, pids in groups.items():
        out[group + "_kib"] = max([_hwm_kib(p) for p in pids] or [0])
    out["worker_kib"] = out.pop("workers_kib")
    return out


def per_message(before, after, count):
    """CPU ms per message of each group between two snapshots."""
    return {k: (after[k] - before[k]) * 1000.0 / count
            for k in ("postfix", "front", "workers")}
