"""peer.py - what the benchmark's own milters (clamav-milter + clamd,
MIMEDefang, the null milter) share: their processes, stopped last-started
first, and their logs, read for a failure report."""

import os

import harness


class Peer:
    LOGS = ("stdout.log",)

    def __init__(self, workdir, name):
        self.dir = os.path.join(workdir, name)
        os.makedirs(self.dir)
        os.chmod(self.dir, 0o755)
        self.procs = []

    def stop(self):
        for proc in reversed(self.procs):
            harness.stop_process(proc, timeout=20)

    def read_log(self):
        out = []
        for name in self.LOGS:
            try:
                with open(os.path.join(self.dir, name)) as f:
                    out.append(f.read())
            except FileNotFoundError:
                pass
        return "\n".join(out)
