#!/usr/bin/env python3
"""layers.py - every #include "..." in src/ points down the layers.

The layers, lowest first (a file may include its own folder and any folder
of a lower layer, never one of its own layer or above):

  util <- common <- {mime, ipc} <- {scan, quarantine, filters, sandbox}
       <- pipeline <- worker <- admin <- {milter, cli}

(ipc, the framing of the worker protocol, needs only util; the sandbox's
pool and supervisor send frames, so ipc sits below them. admin, the web UI,
is started by `mugai admin` and shares the release and PPAP code with
`mugai quarantine`, so src/cli includes it, never the reverse.)

Folders of one layer are peers and do not include each other, with the
exceptions listed in PEERS (each says why). An include of a folder not
listed in LAYERS fails too, so a new folder must be placed.

Inside one folder the files include each other without a circle: x.c and
x.h are one node (the module x, whose functions x.h declares; x_internal.h
or x_private.h, the part of x.h kept inside the folder, is x too), and
x -> y when a file of x includes y.h. Any cycle of that graph fails, printed as
"folder: a -> b -> a". A header that declared the functions of several .c
files would hide their circles; STYLE.md asks for one header per module.

Prints each offending line as file:line, each cycle, and exits 1 if there
is any.

With --views DIR (run by meson at setup), it instead makes the build refuse
what it would refuse: DIR/X/ holds a symbolic link to each folder X may
include (X itself and the layers below), and the library of src/X is
compiled with -I DIR/X instead of -I src, so an upward include is "No such
file or directory" at compile time.
"""
import os
import re
import sys

LAYERS = [
    ["util"],
    ["common"],
    ["mime", "ipc"],
    ["scan", "quarantine", "filters", "sandbox"],
    ["pipeline"],
    ["worker"],
    ["admin"],
    ["milter", "cli"],
]
RANK = {folder: rank for rank, folders in enumerate(LAYERS) for folder in folders}
# Sideways includes between peers that are allowed, and why.
PEERS = {}

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def folder_of(path):
    """The layer folder of a path relative to the root: src/X/..."""
    parts = path.split("/")
    if parts[0] == "src" and len(parts) > 2:
        return parts[1]
    return None


def included_folder(name, here):
    """The folder an include names: "X/file.h" is src/X, a bare "file.h" is
    the including file's own folder."""
    if "/" not in name:
        return here
    return name.split("/")[0]


def sources(root):
    """(path relative to root, [(line number, line, included name)]) of
    every .c and .h under src/."""
    for dirpath, _, files in sorted(os.walk(os.path.join(root, "src"))):
        for f in sorted(files):
            if not f.endswith((".c", ".h")):
                continue
            path = os.path.relpath(os.path.join(dirpath, f), root)
            includes = []
            with open(os.path.join(root, path), encoding="utf-8") as fh:
                for n, line in enumerate(fh, 1):
                    m = INCLUDE.match(line)
                    if m is not None and m.group(1) != "mg_build.h":
                        includes.append((n, line.strip(), m.group(1)))
            yield path, includes


def check(root):
    bad = []
    for path, includes in sources(root):
        here = folder_of(path)
        for n, line, name in includes:
            why = verdict(here, included_folder(name, here))
            if why:
                bad.append(f"{path}:{n}: {line}: {why}")
    return bad


def module_of(path):
    """The module a file belongs to: x for x.c and x.h, and for x_internal.h
    or x_private.h, the half of x's header shared only inside its folder."""
    stem = os.path.splitext(os.path.basename(path))[0]
    return re.sub(r"_(internal|private)$", "", stem)


def module_graph(root):
    """{folder: {module: set of modules of the same folder it includes}}."""
    graphs = {}
    for path, includes in sources(root):
        here = folder_of(path)
        module = module_of(path)
        edges = graphs.setdefault(here, {}).setdefault(module, set())
        for _, _, name in includes:
            if included_folder(name, here) != here or not name.endswith(".h"):
                continue
            other = module_of(name)
            if other != module:
                edges.add(other)
    return graphs


def find_cycle(edges):
    """One cycle of the graph EDGES as a list of nodes (first repeated at
    the end), or None. Depth-first, in sorted order so the output is stable."""
    state = {}          # node -> 1 on the current path, 2 done
    path = []

    def visit(node):
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def cycles(root):
    """Every folder's include cycles, one line per cycle: after one is
    found, its closing edge is dropped and the search runs again."""
    bad = []
    for folder, edges in sorted(module_graph(root).items()):
        edges = {k: set(v) for k, v in edges.items()}
        while (cycle := find_cycle(edges)) is not None:
            bad.append(f"src/{folder}: include cycle " + " -> ".join(cycle))
            edges[cycle[-2]].discard(cycle[-1])
    return bad


def verdict(here, there):
    if here not in RANK:
        return f"folder {here} is in no layer (test/style/layers.py)"
    if there not in RANK:
        return f"folder {there} is in no layer (test/style/layers.py)"
    if there == here or (here, there) in PEERS:
        return None
    if RANK[there] > RANK[here]:
        return f"{here} includes {there}, a higher layer"
    if RANK[there] == RANK[here]:
        return f"{here} includes {there}, a peer of its layer"
    return None


def allowed(here):
    """The folders src/HERE may include: itself, its peers in PEERS, and
    every folder of a lower layer."""
    return sorted(f for f in RANK if f == here or RANK[f] < RANK[here]
                  or (here, f) in PEERS)


def make_views(root, views):
    """DIR/X/Y -> root/src/Y for each folder Y that X may include."""
    for here in RANK:
        room = os.path.join(views, here)
        if os.path.isdir(room):
            for name in os.listdir(room):
                os.unlink(os.path.join(room, name))
        os.makedirs(room, exist_ok=True)
        for there in allowed(here):
            os.symlink(os.path.join(root, "src", there), os.path.join(room, there))
    return 0


def main():
    if len(sys.argv) == 4 and sys.argv[2] == "--views":
        return make_views(os.path.abspath(sys.argv[1]), sys.argv[3])
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..")
    bad = check(os.path.abspath(root))
    circles = cycles(os.path.abspath(root))
    for b in bad + circles:
        print(b)
    print(f"layers: {len(bad)} include(s) against the layers, "
          f"{len(circles)} include cycle(s) inside a folder")
    return 1 if bad or circles else 0


if __name__ == "__main__":
    sys.exit(main())
