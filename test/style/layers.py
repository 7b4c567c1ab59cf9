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
listed in LAYERS fails too, so a new folder must be placed. Prints each
offending line as file:line and exits 1 if there is any.
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


def check(root):
    bad = []
    for dirpath, _, files in os.walk(os.path.join(root, "src")):
        for f in sorted(files):
            if not f.endswith((".c", ".h")):
                continue
            path = os.path.relpath(os.path.join(dirpath, f), root)
            here = folder_of(path)
            with open(os.path.join(root, path), encoding="utf-8") as fh:
                for n, line in enumerate(fh, 1):
                    m = INCLUDE.match(line)
                    if m is None or m.group(1) == "mg_build.h":
                        continue
                    there = included_folder(m.group(1), here)
                    why = verdict(here, there)
                    if why:
                        bad.append(f"{path}:{n}: {line.strip()}: {why}")
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


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..")
    bad = check(os.path.abspath(root))
    for b in bad:
        print(b)
    print(f"layers: {len(bad)} include(s) against the layers")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
