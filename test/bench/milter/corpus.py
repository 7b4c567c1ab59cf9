"""corpus.py - the mails of the milter benchmark.

  text      a short Japanese text mail (mails.text_mail)
  small     the same with two small attachments: a 4 KiB CSV and a 1 KiB .docx
  office    a 2 MB PDF (scanned A4 pages, one JPEG each) and a 1 MB .docx
            (Japanese paragraphs and three photos)
  pdf1      a 1 MB scanned PDF (3 pages)
  pdf10     a 10 MB scanned PDF (30 pages: ten times pdf1, for the cost by size)

The JPEGs are drawn once per run by Ghostscript (test/gen/fidelity_pdf.py);
every message then gets its own bytes (its id in a JPEG comment, in the CSV
and in the document text), so that no scanner's cache of clean files
answers for a file it has seen before, as in real traffic.

Run as a program, it writes mails for the in-process benchmarks:
  python3 test/bench/milter/corpus.py DIR [COUNT] [KIND]
COUNT mails of KIND (default 20, small) as DIR/mNN.eml, and the parts of the
first one as DIR/parts/ (body.txt, data.csv, memo.docx for small).
"""

import base64
import email
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "../../gen"))
sys.path.insert(0, os.path.join(HERE, "../../integration/postfix"))
import fidelity_pdf  # noqa: E402
import office  # noqa: E402
import mails  # noqa: E402

SCAN = (2480, 3508)   # A4 at 300 dpi, as an office scanner writes a colour page
_JPEGS = []


def _jpegs():
    if not _JPEGS:
        _JPEGS.extend(fidelity_pdf.jpeg(SCAN[0], SCAN[1], seed=s, quality=95) for s in (1, 2, 3))
    return _JPEGS


def _tagged(jpeg, ident):
    """JPEG with IDENT in a comment segment (COM) after the SOI marker."""
    text = ("mugai-bench " + ident).encode()
    return jpeg[:2] + b"\xff\xfe" + (len(text) + 2).to_bytes(2, "big") + text + jpeg[2:]


def scan_pdf(ident, pages):
    imgs = [_tagged(_jpegs()[i % 3], "%s p%d" % (ident, i)) for i in range(pages)]
    xobjs = [fidelity_pdf.jpeg_xobject(j, SCAN[0], SCAN[1]) for j in imgs]
    first = 3 + 2 * pages
    names = b" ".join(b"/Im%d %d 0 R" % (i, first + i) for i in range(pages))
    contents = [b"q 595 0 0 842 0 0 cm /Im%d Do Q" % i for i in range(pages)]
    return fidelity_pdf.pages_doc(contents, b"<< /XObject << " + names + b" >> >>", xobjs)


PARA = "令和8年度の事業計画について、別添のとおりご報告いたします。ご確認のほどよろしくお願いいたします。"


def _picture(n):
    emu = 5000000
    return ('<w:p><w:r><w:drawing><wp:inline xmlns:wp="%s"><wp:extent cx="%d" cy="%d"/>'
            '<wp:docPr id="%d" name="Picture %d"/><a:graphic xmlns:a="%s">'
            '<a:graphicData uri="%s"><pic:pic xmlns:pic="%s"><pic:nvPicPr>'
            '<pic:cNvPr id="%d" name="photo%d.jpeg"/><pic:cNvPicPr/></pic:nvPicPr>'
            '<pic:blipFill><a:blip r:embed="rIdImg%d"/><a:stretch><a:fillRect/></a:stretch>'
            '</pic:blipFill><pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="%d" cy="%d"/>'
            '</a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic>'
            '</a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>'
            % (office.WP, emu, emu * 1414 // 1000, n, n, office.A, office.PIC, office.PIC, n, n,
               n, emu, emu * 1414 // 1000))


def docx(ident, paragraphs, photos):
    body = office.para("SENTINEL-" + ident) + "".join(office.para(PARA) for _ in range(paragraphs))
    body += "".join(_picture(n) for n in range(1, photos + 1))
    return office.docx(
        body, doc_rels=[("rIdImg%d" % n, office.RT + "image", "media/image%d.jpeg" % n)
                        for n in range(1, photos + 1)],
        defaults=[("jpeg", "image/jpeg")],
        parts=[("word/media/image%d.jpeg" % n, _tagged(_jpegs()[n % 3], "%s i%d" % (ident, n)))
               for n in range(1, photos + 1)])


def csv(ident):
    return ("id,name,amount\n# %s\n" % ident + "".join(
        "%d,item %d,%d\n" % (i, i, i * 100) for i in range(200))).encode()


DOCX_TYPE = office.OXD + "wordprocessingml.document"


def multipart(ident, text, parts):
    """A mail with a Japanese text part and PARTS [(file name, type, bytes)]."""
    out = [mails._head(ident, "test " + ident,
                       'Content-Type: multipart/mixed; boundary="b-%s"\n\n' % ident),
           "--b-%s\nContent-Type: text/plain; charset=utf-8\n\nSENTINEL-%s\n%s\n"
           % (ident, ident, text)]
    for name, ctype, payload in parts:
        out.append("--b-%s\nContent-Type: %s; name=\"%s\"\n"
                   "Content-Disposition: attachment; filename=\"%s\"\n"
                   "Content-Transfer-Encoding: base64\n\n%s"
                   % (ident, ctype, name, name, base64.encodebytes(payload).decode()))
    out.append("--b-%s--\n" % ident)
    return "".join(out).encode()


def small_mail(ident):
    return multipart(ident, "添付ファイルを2点お送りします。",
                     [("data.csv", "text/csv", csv(ident)),
                      ("memo.docx", DOCX_TYPE, docx(ident, 12, 0))])


def office_mail(ident):
    return multipart(ident, "資料(PDFとWord)をお送りします。",
                     [("scan.pdf", "application/pdf", scan_pdf(ident, 6)),
                      ("report.docx", DOCX_TYPE, docx(ident, 300, 4))])


def pdf_mail(pages):
    return lambda ident: multipart(ident, "スキャンした資料をお送りします。",
                                   [("scan.pdf", "application/pdf", scan_pdf(ident, pages))])


# key -> (label, builder, mails per burst as a share of --count (at least 3),
#         large: sent in only --repeat-large of the rounds)
CORPORA = {
    "text": ("short Japanese text", mails.text_mail, 1.0, False),
    "small": ("2 small attachments (4 KiB CSV, 1 KiB .docx)", small_mail, 1.0, False),
    "office": ("2 MB PDF + 1 MB .docx", office_mail, 0.02, True),
    "pdf1": ("1 MB PDF (3 scanned pages)", pdf_mail(3), 0.02, True),
    "pdf10": ("10 MB PDF (30 scanned pages)", pdf_mail(30), 0.01, True),
}


def _write(directory, count, kind):
    os.makedirs(os.path.join(directory, "parts"), exist_ok=True)
    build = CORPORA[kind][1]
    for n in range(count):
        with open(os.path.join(directory, "m%02d.eml" % n), "wb") as f:
            f.write(build("%s-%02d" % (kind, n)))
    with open(os.path.join(directory, "m00.eml"), "rb") as f:
        first = email.message_from_binary_file(f)
    for part in first.walk():
        if part.is_multipart():
            continue
        name = part.get_filename() or "body.txt"
        with open(os.path.join(directory, "parts", os.path.basename(name)), "wb") as f:
            f.write(part.get_payload(decode=True))


if __name__ == "__main__":
    _write(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 20,
           sys.argv[3] if len(sys.argv) > 3 else "small")
