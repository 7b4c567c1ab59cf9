#!/usr/bin/env python3
"""Every message `mugai` writes in English has its row in the catalogue.

The CLI writes its formats in English (so the compiler checks them) and
cli_text.c finds their Japanese form by that English in src/common/msg_cli.c;
a format with no row would silently stay English in a Japanese locale. This
reads every literal format passed to mg_cli_error, mg_cli_print, mg_cli_text
and mg_cmd_config_finding under src/cli/ and fails on one with no row.
Formats made of conversions and punctuation only ("%s: %s") need none.
"""
import glob
import os
import re
import sys

LIT = r'"(?:[^"\\]|\\.)*"'
PIECES = r'(?:(?:' + LIT + r'|G_GINT64_FORMAT|G_GSIZE_FORMAT|[A-Z][A-Z_]+)\s*)+'
CALL = re.compile(r'\b(?:mg_cli_error\s*\(\s*' + LIT + r'\s*,|mg_cli_print\s*\(|'
                  r'mg_cli_text\s*\(|mg_cmd_config_finding\s*\(\s*[\w>.-]+\s*,)\s*(' + PIECES + r')')
ROW = re.compile(r'\{\s*(MG_MSG_CLI_\w+),\s*(' + PIECES + r'),')
CONVERSION = re.compile(r'%[-+ #0\']*[0-9*]*(?:\.[0-9*]*)?[hlLqjzt]*[diouxXeEfFgGaAcsp]')
# Formats whose words are not words to translate.
EXEMPT = {
    '%s.lock: %s',  # a file name and the system's error
}


def text(pieces, macros=None):
    """The format as written, adjacent literals joined, the string macros of
    its file (MACROS) expanded, the format macros as markers."""
    out = []
    for tok in re.findall(LIT + r'|[A-Z][A-Z0-9_]+', pieces):
        if tok.startswith('"'):
            out.append(tok[1:-1])
        elif macros and tok in macros:
            out.append(macros[tok])
        else:
            out.append('<' + tok + '>')
    return ''.join(out)


def needs_row(fmt):
    bare = CONVERSION.sub('', fmt.replace('%%', ''))
    return re.search(r'[A-Za-z]{2}', bare) is not None and fmt not in EXEMPT


def main(root):
    rows = {text(m.group(2)) for m in
            ROW.finditer(open(os.path.join(root, 'src/common/msg_cli.c'), encoding='utf-8').read())}
    missing = []
    seen = 0
    for path in sorted(glob.glob(os.path.join(root, 'src/cli/*.c'))):
        src = open(path, encoding='utf-8').read()
        macros = dict((n, v[1:-1]) for n, v in
                      re.findall(r'^#define ([A-Z][A-Z0-9_]+) (' + LIT + r')\s*$', src, re.M))
        for m in CALL.finditer(src):
            fmt = text(m.group(1), macros)
            seen += 1
            if needs_row(fmt) and fmt not in rows:
                line = src.count('\n', 0, m.start()) + 1
                missing.append('%s:%d: "%s" has no row in src/common/msg_cli.c'
                               % (os.path.relpath(path, root), line, fmt))
    if seen < 40:
        print('only %d messages found under src/cli: is the pattern still right?' % seen)
        return 1
    for m in missing:
        print(m)
    print('%d messages read, %d without a row' % (seen, len(missing)))
    return 1 if missing else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else '.'))
