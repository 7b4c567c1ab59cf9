#!/usr/bin/env python3
"""Write the legacy Office samples of this folder (legacy.doc, legacy.xls,
legacy.odt) by converting OOXML made by test/gen/office.py with
LibreOffice. Run by hand when they need to change (they are committed, so
the tests do not spend a LibreOffice start on making them):
    python3 test/data/office/make-legacy.py
"""
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', 'gen'))
import office as O  # noqa: E402

DOC_TEXT = '旧形式の文書 legacy-doc-sentinel ' + O.JA
XLS_TEXT = '旧形式の表 legacy-xls-sentinel'


def main():
    tmp = tempfile.mkdtemp(prefix='mugai-make-legacy-')
    try:
        src = {
            'legacy.docx': O.docx(O.para(DOC_TEXT)),
            'legacy.xlsx': O.xlsx([('Sheet1', '<row r="1">' + O.cell_inline('A1', XLS_TEXT) +
                                    '<c r="B1"><v>12345</v></c></row>')]),
        }
        for name, data in src.items():
            with open(os.path.join(tmp, name), 'wb') as f:
                f.write(data)
        profile = 'file://' + os.path.join(tmp, 'profile')
        for target, name in [('doc', 'legacy.docx'), ('odt', 'legacy.docx'),
                             ('xls', 'legacy.xlsx')]:
            subprocess.run(['soffice', '--headless', '--norestore', '-env:UserInstallation=' + profile,
                            '--convert-to', target, '--outdir', HERE, os.path.join(tmp, name)],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    main()
