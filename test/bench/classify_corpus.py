#!/usr/bin/env python3
"""Texts for the reduced magic database's equivalence check (classify_equiv).

  classify_corpus.py OUTDIR                 write the generated texts
  classify_corpus.py --mail OUTDIR FILE...  write the parts of these mails
  classify_corpus.py --magic OUTDIR MGC      write, for every top-level
      string test in the compiled magic database MGC (libmagic 5.44's
      format), a text with its value, and its continuations' values, at
      their offsets
  classify_corpus.py --check CLASSIFY_EQUIV generate into a temporary
      directory and run the check on it (the meson test classify_equiv)

The texts are the kinds libmagic must tell apart from plain text (scripts
with and without "#!", HTML at several offsets, SVG, XML, batch files,
PostScript, JSON, RTF, MHTML...) and plain text in the encodings Japanese
mail uses, each in several framings (CRLF, a byte order mark, leading
blank lines, a tail of CSV rows), so that most of them hold no '<' and
take the reduced database's path.
"""
import email
import email.policy
import os
import subprocess
import sys
import tempfile

CSV = "id,name,amount,date\r\n" + "".join(
    f"{i},item{i},{i * 37 % 1000}.{i % 100:02d},2026-12-{i % 28 + 1:02d}\r\n" for i in range(120))
JA = "会議の議事録を送ります。ご確認ください。\n予算は前年度と同じです。\n"

TEXTS = {
    "csv": CSV,
    "tsv": "\n".join("\t".join(f"c{r}{c}" for c in range(13)) for r in range(40)) + "\n",
    "plain": "Dear all,\n\nThe meeting is moved to Tuesday.\n\nRegards\n",
    "sh": "#!/bin/sh\necho hello\nexit 0\n",
    "sh_noshebang": "# setup\nset -e\nif [ -f /etc/profile ]; then\n  . /etc/profile\nfi\necho done\n",
    "bash": "#!/usr/bin/env bash\nfor f in *; do echo \"$f\"; done\n",
    "sh_export": "export PATH=/usr/bin\nunset FOO\nfunction go() { echo go; }\n",
    "python": "#!/usr/bin/python3\nimport os\nprint(os.getcwd())\n",
    "python_noshebang": "import sys\n\ndef main():\n    print(sys.argv)\n\nif __name__ == '__main__':\n    main()\n",
    "python_class": "class Foo(object):\n    def __init__(self):\n        pass\n",
    "perl": "#!/usr/bin/perl\nuse strict;\nprint \"hi\\n\";\n",
    "perl_noshebang": "use strict;\nuse warnings;\nmy $x = 1;\nprint $x;\n",
    "pod": "\n=pod\n\n=head1 NAME\n\nFoo - bar\n\n=cut\n",
    "php": "<?php\necho 'hi';\n?>\n",
    "php_late": "some text\n" * 20 + "<?php system($_GET['c']); ?>\n",
    "ruby": "#!/usr/bin/env ruby\nputs 'hi'\n",
    "ruby_module": "module Foo\n  class Bar < Baz\n  end\nend\n",
    "awk": "BEGIN { FS = \",\" }\n{ print $1 }\n",
    "tcl": "#!/usr/bin/tclsh\nputs hello\n",
    "node": "#!/usr/bin/env node\nconsole.log(1)\n",
    "js_module": "import { a } from './a.js';\nexport default a;\n",
    "js_typeof": "var x = 1;\nif (typeof x === 'number') { x++; }\n",
    "batch": "@echo off\r\nset X=1\r\nif exist C:\\x del C:\\x\r\n",
    "batch_rem": "REM setup\r\n@echo off\r\ncopy a b\r\n",
    "cmd_goto": "@ECHO OFF\r\n:start\r\ngoto start\r\n",
    "powershell": "Write-Host 'hi'\r\nGet-ChildItem | ForEach-Object { $_ }\r\n",
    "vbs": "Set o = CreateObject(\"WScript.Shell\")\r\no.Run \"calc\"\r\n",
    "html0": "<html><body><p>hi</p></body></html>\n",
    "html_doctype": "<!DOCTYPE html>\n<title>x</title>\n",
    "html_script": "<script>alert(1)</script>\n",
    "svg": "<svg xmlns=\"http://www.w3.org/2000/svg\"><circle r=\"1\"/></svg>\n",
    "svg_xml": "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n",
    "xml": "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<root><a>1</a></root>\n",
    "xhtml": "<?xml version=\"1.0\"?>\n<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\" \"x\">\n<html xmlns=\"http://www.w3.org/1999/xhtml\"></html>\n",
    "sgml": "<!doctype linuxdoc system>\n<article>\n",
    "postscript": "%!PS-Adobe-3.0\n%%Title: x\n/Helvetica findfont 12 scalefont setfont\nshowpage\n",
    "eps": "%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n",
    "pdf_text": "%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
    "json": "{\"a\": [1, 2, 3], \"b\": {\"c\": \"d\"}}\n",
    "json_array": "[{\"id\": 1}, {\"id\": 2}]\n",
    "rtf": "{\\rtf1\\ansi\\deff0 {\\fonttbl {\\f0 Times;}}\\f0 hi\\par}\n",
    "rtf_loose": "\r\n  {\\rt1 hi}\n",
    "mhtml": "MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=\"b\"\r\n\r\n--b\r\n\r\nx\r\n--b--\r\n",
    "mail": "From: a@example.jp\nTo: b@example.jp\nSubject: hi\n\nbody\n",
    "mbox": "From a@example.jp Mon Jan  1 00:00:00 2026\nFrom: a@example.jp\nSubject: x\n\nbody\n",
    "c": "#include <stdio.h>\nint main(void) { return 0; }\n",
    "c_noinclude": "/* x */\nstatic int f(int a)\n{\n  return a;\n}\n",
    "makefile": "all:\n\tcc -o x x.c\n\n.PHONY: all\n",
    "troff": ".TH FOO 1\n.SH NAME\nfoo\n",
    "tex": "\\documentclass{article}\n\\begin{document}\nhi\n\\end{document}\n",
    "diff": "--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n",
    "pem": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
    "pgp": "-----BEGIN PGP MESSAGE-----\n\nhQEM\n-----END PGP MESSAGE-----\n",
    "uuencode": "begin 644 x.txt\nM86)C\n`\nend\n",
    "vcard": "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Taro\r\nEND:VCARD\r\n",
    "ical": "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n",
    "ini": "[section]\nkey=value\n",
    "yaml": "---\nkey: value\nlist:\n  - a\n",
    "sql": "CREATE TABLE t (id INTEGER);\nINSERT INTO t VALUES (1);\n",
    "lisp": "(defun f (x) (* x x))\n",
    "asm": "\t.file \"x.c\"\n\t.text\n\t.globl main\n",
    "fortran": "      PROGRAM HELLO\n      PRINT *, 'HI'\n      END\n",
    "m3u": "#EXTM3U\n#EXTINF:10,x\nhttp://example.jp/a.mp3\n",
    "desktop": "[Desktop Entry]\nType=Application\nExec=sh -c x\n",
    "url": "[InternetShortcut]\r\nURL=http://example.jp/\r\n",
    "reg": "Windows Registry Editor Version 5.00\r\n\r\n[HKEY_CURRENT_USER\\x]\r\n",
    "inf": "[Version]\r\nSignature=\"$CHICAGO$\"\r\n",
    "ja_utf8": JA,
    "ja_long": JA * 200,
}
ENCODED = {
    "ja_sjis": JA.encode("shift_jis"),
    "ja_eucjp": JA.encode("euc_jp"),
    "ja_iso2022": JA.encode("iso2022_jp"),
    "ja_utf8_bom": b"\xef\xbb\xbf" + JA.encode(),
    "ja_utf16le": JA.encode("utf-16"),
    "ja_utf16be_bom": b"\xfe\xff" + JA.encode("utf-16-be"),
    "latin1": "café crème\n".encode("latin-1") * 5,
    "cp1252_quotes": b"\x93quoted\x94 and \x85\r\n" * 5,
    "ebcdic": "HELLO WORLD FROM THE MAINFRAME\n".encode("cp500") * 5,
    "control": b"abc\x01def\x02\n" * 5,
    "nul_tail": b"plain text\n" + b"\0" * 8,
    "overlong_lt": b"text \xc0\xbc html \xc0\xbcscript\n",
}


def framings(name, text):
    """The text as it is, and where libmagic's offset-bound tests look."""
    yield name, text
    yield name + "_crlf", text.replace("\n", "\r\n")
    yield name + "_at100", " " * 60 + "\n" * 40 + text
    yield name + "_at3000", CSV[:3000] + text
    yield name + "_tail_csv", text + CSV


def generate(outdir):
    os.makedirs(outdir, exist_ok=True)
    for name, text in TEXTS.items():
        for fname, body in framings(name, text):
            with open(os.path.join(outdir, fname), "wb") as f:
                f.write(body.encode())
    for name, data in ENCODED.items():
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(data)


def mail_parts(outdir, paths):
    """Every leaf part of every mail under PATHS, decoded."""
    os.makedirs(outdir, exist_ok=True)
    n = 0
    for top in paths:
        for root, _, files in os.walk(top):
            for fname in sorted(files):
                with open(os.path.join(root, fname), "rb") as f:
                    msg = email.message_from_binary_file(f, policy=email.policy.compat32)
                for part in msg.walk():
                    if part.is_multipart():
                        continue
                    data = part.get_payload(decode=True)
                    if data:
                        n += 1
                        with open(os.path.join(outdir, f"part{n:06d}"), "wb") as out:
                            out.write(data)
    print(f"{n} parts", file=sys.stderr)


MGC_ENTRY = 376  # sizeof (struct magic), format 18


def magic_values(outdir, mgc):
    """Texts that start as libmagic's own string tests would have them."""
    os.makedirs(outdir, exist_ok=True)
    with open(mgc, "rb") as f:
        db = f.read()
    n0 = int.from_bytes(db[8:12], sys.byteorder)
    entries = [db[MGC_ENTRY * (1 + i):MGC_ENTRY * (2 + i)] for i in range(n0)]
    n = 0
    for i, e in enumerate(entries):
        if int.from_bytes(e[0:2], sys.byteorder) != 0 or e[6] not in (5, 20):  # string, search
            continue
        offset = int.from_bytes(e[12:16], sys.byteorder, signed=True)
        body = bytearray(b" " * max(0, min(offset, 4096)))
        body += e[32:32 + min(e[5], 128)]
        plain = bytes(body)
        j = i + 1
        while j < n0 and int.from_bytes(entries[j][0:2], sys.byteorder) != 0:
            c = entries[j]
            if c[6] in (5, 20):
                off = int.from_bytes(c[12:16], sys.byteorder, signed=True)
                if 0 <= off < 8192 and len(body) < off:
                    body += b" " * (off - len(body))
                body += c[32:32 + min(c[5], 128)] + b"\n"
            j += 1
        for data in (plain, bytes(body), bytes(body) + CSV.encode()):
            n += 1
            with open(os.path.join(outdir, f"magic{n:06d}"), "wb") as out:
                out.write(data)
    print(f"{n} texts", file=sys.stderr)


def main(argv):
    if len(argv) == 3 and argv[1] == "--check":
        with tempfile.TemporaryDirectory() as tmp:
            generate(tmp)
            return subprocess.run([argv[2], tmp], check=False).returncode
    if len(argv) >= 3 and argv[1] == "--mail":
        mail_parts(argv[2], argv[3:])
        return 0
    if len(argv) == 4 and argv[1] == "--magic":
        magic_values(argv[2], argv[3])
        return 0
    if len(argv) == 2:
        generate(argv[1])
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
