#!/usr/bin/env python3
"""Ordinary documents kept, not removed or emptied (issue 13).

Office packages zipped as other tools zip them (test/gen/repack.py): with
`zip -r` (folder entries), docProps/ first, streamed entries (data
descriptors), [Content_Types].xml last. Office and LibreOffice open them all;
mugai must recognise them from the package itself and deliver them
rebuilt with their text, never remove them as "not allowed" nor repack them
as a plain ZIP reported "converted".
"""
import io
import os
import sys
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mugaitest import Suite, check, check_sanitised, check_withheld, run_mail  # noqa: E402
import mime  # noqa: E402  (test/gen)
import office as O  # noqa: E402
import repack  # noqa: E402
import images  # noqa: E402
import bounces  # noqa: E402

S = Suite('fidelity')

DOCS = {
    'docx': (lambda t: O.docx(O.para(t)), 'word/document.xml', 'wordprocessingml.document'),
    'xlsx': (lambda t: O.xlsx([('S1', '<row r="1">' + O.cell_inline('A1', t) + '</row>')]),
             'xl/worksheets/sheet1.xml', 'spreadsheetml.sheet'),
    'pptx': (lambda t: O.pptx(O.slide_shape(t)), 'ppt/slides/slide1.xml', 'presentationml.presentation'),
}


def mail(name, data, filename):
    msg = mime.mixed(name, [mime.text_part('添付をご確認ください。' + name),
                            mime.attachment(data, 'application/octet-stream', filename)])
    return run_mail(msg)


def describe(res):
    return [(p.get('filename'), p.get('action'), p.get('reason'), p.get('detail'))
            for p in res.parts()]


def check_rebuilt(res, filename, ext, text):
    """FILENAME delivered as the Office document it is, its text inside."""
    check_sanitised(res)
    main_part, subtype = DOCS[ext][1], DOCS[ext][2]
    parts = [p for p in res.parts() if p.get('filename') == filename]
    check(parts and parts[0].get('action') == 'converted' and
          parts[0].get('output_filename') == filename,
          '%s not rebuilt as itself: %r' % (filename, describe(res)))
    check(subtype in (parts[0].get('detected_type') or ''),
          '%s detected as %r' % (filename, parts[0].get('detected_type')))
    leaves = [p for p in res.leaves() if p.get_filename() == filename]
    check(len(leaves) == 1, '%s not delivered (got %r)' % (filename, res.output_filenames()))
    with zipfile.ZipFile(io.BytesIO(leaves[0].get_payload(decode=True))) as z:
        names = z.namelist()
        check(names[0] == '[Content_Types].xml', 'first entry is %r' % names[0])
        check(main_part in names, '%s lost: %r' % (main_part, names))
        check(text.encode() in z.read(main_part), 'the text is not in %s' % main_part)


def form_case(form, ext):
    def run(name='%s_%s' % (form, ext)):
        text = '本文テキスト %s' % name
        data = getattr(repack, form)(DOCS[ext][0](text))
        filename = '報告_%s.%s' % (form, ext)
        check_rebuilt(mail(name, data, filename), filename, ext, text)
    return run


for _form in ('zip_r', 'docprops_first', 'streamed', 'content_types_last'):
    for _ext in DOCS:
        S.add('%s_%s' % (_form, _ext), form_case(_form, _ext))


@S.case
def test_overlapping_relations(name='content_types_last_thumbnail'):
    """OverlappingRelations.pptx-like: a thumbnail, then [Content_Types].xml
    last; it was repacked as a ZIP holding only the thumbnail, "converted"."""
    text = '本文 overlapping'
    thumb = images.flat_png(64, 48)
    data = repack.content_types_last(DOCS['docx'][0](text), thumbnail=thumb)
    res = mail(name, data, 'overlap.docx')
    check(not any(f.endswith('.zip') for f in res.output_filenames()),
          'repacked as a ZIP: %r' % describe(res))
    check_rebuilt(res, 'overlap.docx', 'docx', text)


@S.case
def test_unreadable_package_not_converted(name='package_without_main'):
    """A package whose main part is of no type mugai reads is removed with a
    reason, never repacked as a ZIP without its body and called converted."""
    parts = repack.parts_of(DOCS['docx'][0]('本文 unreadable'))
    parts = [(n, d.replace(b'wordprocessingml.document.main+xml', b'visio.drawing.main+xml'))
             for n, d in parts]
    data = repack.content_types_last(O.package(parts), thumbnail=images.flat_png(8, 8))
    res = mail(name, data, 'drawing.docx')
    check_sanitised(res)
    parts = [p for p in res.parts() if p.get('filename') == 'drawing.docx']
    check(parts and parts[0].get('action') == 'removed',
          'an unreadable package was not removed: %r' % describe(res))
    check('drawing.docx' not in res.output_filenames() and
          not any(f.endswith('.zip') for f in res.output_filenames()),
          'something of it delivered: %r' % res.output_filenames())


# --- bounce mails (issue 13, item 9) -----------------------------------------

def bounce_case(gen):
    def run(name):
        data, sentence = gen(name)
        res = run_mail(data)
        check_sanitised(res)
        check(sentence in res.all_text(), 'the report %r is not in the output: %r'
              % (sentence, res.all_text()[:400]))
    return run


for _name, _gen in bounces.FORMS:
    S.add('bounce_' + _name, bounce_case(_gen), 'bounce_' + _name)


@S.case
def test_delivered_message_id_twice_withheld(name='top_message_id_twice'):
    """Two Message-IDs in the header block mugai delivers stay ambiguous."""
    data, _ = bounces.amazon_ses(name)
    head, body = data.split(b'\n\n', 1)
    data = head + b'\nMessage-ID: <other-%s@example.jp>\n\n' % name.encode() + body
    check_withheld(run_mail(data), reason_re=r'ambig|曖昧')


if __name__ == '__main__':
    S.main()
