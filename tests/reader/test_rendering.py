"""The tamper table of issue 20's rendering half: what is drawn over, around or inside the cells of a
complete, honest 庆城 return differs from the template, and the reader says so at the cell.

One row per kind: (name, the change, the expected (code, sheet, cell)). Changes are made in the XML, as a
hostile editor would, or through openpyxl, as a person would. Each row fails on a reader that does not
look at the rendering (the state before issue 20). Honest re-saves stay clean: tests/reader/test_resaves.py.
"""

import io
import re
import zipfile

import openpyxl
import pytest

from reader.helpers import TABLE_PART, honest_file, layout, set_cached
from workbook_builder.cells import all_cells
from workbook_builder.layout import SHEET_INPUTS, SHEET_META, SHEET_TABLE, cell
from workbook_builder.loader import load_template
from workbook_builder.reader import validate_file

TID = "qingcheng_2024"
T, I = SHEET_TABLE, SHEET_INPUTS
INPUTS = "xl/worksheets/sheet2.xml"
GUIDE = "xl/worksheets/sheet1.xml"
LAY = layout(TID)
TOTAL, GRADE = cell(*LAY.total_cell), cell(*LAY.grade_cell)
SCORE = cell(*LAY.score_cells["basic_exec"])
WEIGHT = cell(LAY.total_cell[0], LAY.col["weight"])  # the 分值 100 beside the total
CRITERIA = cell(*LAY.leaf_rows["basic_exec"].at("criteria"))
LEVEL = cell(*LAY.input_cells["finance_rules.actual"][1:])
SPECS = all_cells(load_template(TID), LAY, "庆城县", 2024)
MIRROR = next(s.ref for s in SPECS if s.sheet == T and s.calc == ("input", "total_executed"))
DERIVED = next(s.ref for s in SPECS if s.sheet == T and s.calc and s.calc[0] == "derived")
RATE = cell(*LAY.leaf_rows["budget_exec_rate"].at("rate"))
D6 = cell(*LAY.input_cells["total_executed"][1:])


@pytest.fixture(scope="module")
def honest(tmp_path_factory):
    return honest_file(tmp_path_factory.mktemp("honest"), TID, name="honest.xlsx")


def tamper(src, out, edits=None, add=None):
    """Rewrite parts with ``edits`` {part: fn(text) -> text} and add ``add`` {part: text}; everything
    else byte for byte. New parts get a content type, as Excel would want."""
    edits, add = dict(edits or {}), dict(add or {})
    z = zipfile.ZipFile(src)
    buf = io.BytesIO()
    types = {".rels": None, "drawings/drawing": "application/vnd.openxmlformats-officedocument.drawing+xml",
             "comments": "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"}
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as d:
        for i in z.infolist():
            data = z.read(i.filename)
            if i.filename in edits:
                data = edits[i.filename](data.decode("utf-8")).encode("utf-8")
            if i.filename == "[Content_Types].xml":
                text = data.decode("utf-8")
                for part in add:
                    kind = next((v for k, v in types.items() if k in part), None)
                    if kind:
                        text = text.replace("</Types>", f'<Override PartName="/{part}" ContentType="{kind}"/></Types>')
                if any(p.endswith(".vml") for p in add) and 'Extension="vml"' not in text:
                    text = text.replace("</Types>", '<Default Extension="vml" ContentType="application/'
                                        'vnd.openxmlformats-officedocument.vmlDrawing"/></Types>')
                data = text.encode("utf-8")
            d.writestr(i.filename, data)
        for part, text in add.items():
            d.writestr(part, text)
    out.write_bytes(buf.getvalue())
    return out


def styled(honest_path, ref, part=TABLE_PART, font=None, fill=None, numfmt=None, styles_fn=None, **xf_attrs):
    """Edits giving cell ``ref`` its own style: its current one with a new font, fill or number format."""
    z = zipfile.ZipFile(honest_path)
    styles = z.read("xl/styles.xml").decode()
    s = int(re.search(rf'<c r="{ref}" s="(\d+)"', z.read(part).decode()).group(1))
    cellxfs = styles[styles.index("<cellXfs"):styles.index("</cellXfs>")]
    xfs = re.findall(r"<xf [^>]*?(?:/>|>.*?</xf>)", cellxfs, re.S)
    xf, n = xfs[s], len(xfs)
    n_fonts = len(re.findall(r"<font>", styles[styles.index("<fonts"):styles.index("</fonts>")]))
    n_fills = len(re.findall(r"<fill>", styles[styles.index("<fills"):styles.index("</fills>")]))
    if font is not None:
        xf_attrs["fontId"] = n_fonts
    if fill is not None:
        xf_attrs["fillId"] = n_fills
    if numfmt is not None:
        xf_attrs["numFmtId"] = 200
    for k, v in xf_attrs.items():
        xf = re.sub(rf'{k}="\d+"', f'{k}="{v}"', xf) if f'{k}="' in xf else xf.replace("<xf ", f'<xf {k}="{v}" ', 1)

    def st(text):
        if font is not None:
            text = text.replace("</fonts>", font + "</fonts>", 1)
        if fill is not None:
            text = text.replace("</fills>", fill + "</fills>", 1)
        if numfmt is not None:
            text = text.replace("</numFmts>", f'<numFmt numFmtId="200" formatCode="{numfmt}"/></numFmts>', 1)
        text = text.replace("</cellXfs>", xf + "</cellXfs>", 1)
        return styles_fn(text) if styles_fn else text

    return {"xl/styles.xml": st, part: lambda x: re.sub(rf'<c r="{ref}" s="\d+"', f'<c r="{ref}" s="{n}"', x, count=1)}


def sheet(fn, part=TABLE_PART):
    return {part: fn}


def before_end(xml):
    return lambda x: x.replace("</worksheet>", xml + "</worksheet>", 1)


def in_tag(tag, xml):
    """Insert ``xml`` as the first child of the sheet's <tag …> element."""
    return lambda x: re.sub(rf"(<{tag}\b[^>]*>)", lambda m: m.group(1) + xml, x, count=1)


SHEET_RELS = "xl/worksheets/_rels/sheet3.xml.rels"
RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        '2006/relationships">{}</Relationships>')
REL = '<Relationship Id="{}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/{}" Target="{}"/>'


def drawing(what, row=33, col=9):
    body = {"textbox": '<xdr:sp><xdr:nvSpPr><xdr:cNvPr id="2" name="TextBox 1"/><xdr:cNvSpPr txBox="1"/></xdr:nvSpPr>'
                       '<xdr:spPr/><xdr:txBody><a:bodyPr/><a:p><a:r><a:t>100.00</a:t></a:r></a:p></xdr:txBody></xdr:sp>',
            "picture": '<xdr:pic><xdr:nvPicPr><xdr:cNvPr id="3" name="Picture 1"/><xdr:cNvPicPr/></xdr:nvPicPr>'
                       '<xdr:blipFill/><xdr:spPr/></xdr:pic>'}[what]
    xml = ('<?xml version="1.0" encoding="UTF-8"?><xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/'
           'spreadsheetDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
           f'<xdr:twoCellAnchor><xdr:from><xdr:col>{col}</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>{row}</xdr:row>'
           f'<xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:to><xdr:col>{col + 1}</xdr:col><xdr:colOff>0</xdr:colOff>'
           f'<xdr:row>{row + 1}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:to>{body}<xdr:clientData/></xdr:twoCellAnchor>'
           '</xdr:wsDr>')
    return dict(edits=sheet(before_end('<drawing r:id="rIdD1"/>')),
                add={SHEET_RELS: RELS.format(REL.format("rIdD1", "drawing", "../drawings/drawing1.xml")),
                     "xl/drawings/drawing1.xml": xml})


def vml(shape):
    return ('<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
            f'xmlns:x="urn:schemas-microsoft-com:office:excel">{shape}</xml>')


NOTE = ('<v:shape id="_x0000_s1025" type="#_x0000_t202"><v:textbox/><x:ClientData ObjectType="Note">{}'
        '<x:Row>33</x:Row><x:Column>9</x:Column></x:ClientData></v:shape>')


def comment(text, visible=False):
    comments = ('<?xml version="1.0" encoding="UTF-8"?><comments xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
                f'2006/main"><authors><author>a</author></authors><commentList><comment ref="{TOTAL}" authorId="0">'
                f'<text><r><t>{text}</t></r></text></comment></commentList></comments>')
    return dict(edits=sheet(before_end('<legacyDrawing r:id="rIdV1"/>')),
                add={SHEET_RELS: RELS.format(REL.format("rIdV1", "vmlDrawing", "../drawings/vmlDrawing1.vml") +
                                             REL.format("rIdC1", "comments", "../comments1.xml")),
                     "xl/drawings/vmlDrawing1.vml": vml(NOTE.format("<x:Visible/>" if visible else "")),
                     "xl/comments1.xml": comments})


def label_box(kind="Label"):
    shape = ('<v:shape id="_x0000_s2049" type="#_x0000_t202"><v:textbox><div>100.00</div></v:textbox>'
             f'<x:ClientData ObjectType="{kind}"><x:Anchor>9, 0, 33, 0, 10, 0, 34, 0</x:Anchor></x:ClientData></v:shape>')
    return dict(edits=sheet(before_end('<legacyDrawing r:id="rIdV1"/>')),
                add={SHEET_RELS: RELS.format(REL.format("rIdV1", "vmlDrawing", "../drawings/vmlDrawing1.vml")),
                     "xl/drawings/vmlDrawing1.vml": vml(shape)})


def shared_string_of(honest_path, ref, part=TABLE_PART):
    z = zipfile.ZipFile(honest_path)
    i = int(re.search(rf'<c r="{ref}"[^>]*t="s"[^>]*><v>(\d+)</v>', z.read(part).decode()).group(1))
    items = re.findall(r"<si>.*?</si>", z.read("xl/sharedStrings.xml").decode(), re.S)
    return i, re.sub(r"<[^>]+>", "", items[i])


def runs_inline(honest_path, ref, rpr):
    """Cell ``ref``'s own text as an inline rich string: its first character plain, the rest with ``rpr``."""
    _, text = shared_string_of(honest_path, ref)
    inline = f'<is><r><t>{text[0]}</t></r><r><rPr>{rpr}</rPr><t>{text[1:]}</t></r></is>'
    return sheet(lambda x: re.sub(rf'<c r="{ref}"( s="\d+")? t="s"><v>\d+</v></c>',
                                  lambda m: f'<c r="{ref}"{m.group(1) or ""} t="inlineStr">{inline}</c>', x, count=1))


def runs_shared(honest_path, ref, rpr):
    """The same, in the shared string item itself."""
    i, text = shared_string_of(honest_path, ref)

    def fn(x):
        items = re.findall(r"<si>.*?</si>", x, re.S)
        new = f'<si><r><t>{text[0]}</t></r><r><rPr>{rpr}</rPr><t>{text[1:]}</t></r></si>'
        return x.replace(items[i], new, 1)
    return {"xl/sharedStrings.xml": fn}


def row_height(rows, ht):
    def fn(x):
        for r in rows:
            def one(m, r=r):
                attrs = re.sub(r'\s(ht|customHeight)="[^"]*"', "", m.group(1))
                return f'<row r="{r}"{attrs} ht="{ht}" customHeight="1">'
            x = re.sub(rf'<row r="{r}"([^>]*)>', one, x, count=1)
        return x
    return sheet(fn)


def col_width(col, width):
    """Column ``col`` (1-based) given its own <col> of ``width``, split out of any range holding it."""
    def fn(x):
        def one(m):
            lo, hi, rest = int(m.group(1)), int(m.group(2)), m.group(3)
            if not lo <= col <= hi:
                return m.group(0)
            out = [f'<col min="{a}" max="{b}"{rest}/>' for a, b in ((lo, col - 1), (col + 1, hi)) if a <= b]
            return "".join(out) + f'<col min="{col}" max="{col}" width="{width}" customWidth="1"/>'
        return re.sub(r'<col min="(\d+)" max="(\d+)"([^/]*)/>', one, x)
    return sheet(fn)


def workbook(fn):
    return {"xl/workbook.xml": fn}


def defined_name(xml):
    return workbook(lambda x: x.replace("<definedNames>", "<definedNames>" + xml, 1))


def validation(xml):
    return sheet(in_tag("dataValidations", xml))


def cond(xml):
    return sheet(lambda x: x.replace("<conditionalFormatting", xml + "<conditionalFormatting", 1))


X14_CF = ('<extLst><ext uri="{78C0D931-6437-407d-A8EE-F0AAD7539E65}" xmlns:x14="http://schemas.microsoft.com/office/'
          'spreadsheetml/2009/9/main"><x14:conditionalFormattings><x14:conditionalFormatting xmlns:xm="http://schemas.'
          'microsoft.com/office/excel/2006/main"><x14:cfRule type="expression" priority="1" id="{00000000-0000-0000-0000-'
          '000000000001}"><xm:f>TRUE</xm:f><x14:dxf><font><color rgb="FFDDEBF7"/></font></x14:dxf></x14:cfRule>'
          f'<xm:sqref>{TOTAL}</xm:sqref></x14:conditionalFormatting></x14:conditionalFormattings></ext></extLst>')
THEME = "xl/theme/theme1.xml"
FONT = '<font><sz val="{sz}"/>{extra}<name val="{name}"/></font>'


def _align(attrs, h, ref):
    """The styles edit of ``styled(h, ref)`` with the new cell style given an <alignment attrs/>."""
    base = styled(h, ref)["xl/styles.xml"]

    def fn(x):
        x = base(x)
        i = x.rindex("<xf ", 0, x.index("</cellXfs>"))
        xf = x[i:x.index("</cellXfs>")]
        new = re.sub(r"<alignment [^>]*/>", f"<alignment {attrs}/>", xf) if "<alignment" in xf else \
            (xf[:-2] + f"><alignment {attrs}/></xf>" if xf.endswith("/>") else xf.replace("</xf>", f"<alignment {attrs}/></xf>"))
        return x[:i] + new + x[i + len(xf):]
    return fn


def font(sz=10, name="宋体", extra=""):
    return FONT.format(sz=sz, name=name, extra=extra)


def cases(h):
    """Every kind: (name, tamper kwargs, expected (code, sheet, cell)); ``h`` is the honest file."""
    return [
        # 1. merges
        ("merge over the total shows the 分值", dict(edits=sheet(in_tag("mergeCells", f'<mergeCell ref="{WEIGHT}:{TOTAL}"/>'))),
         ("merge-changed", T, TOTAL)),
        ("merge over the total, at its corner", dict(edits=sheet(in_tag("mergeCells", f'<mergeCell ref="{WEIGHT}:{TOTAL}"/>'))),
         ("merge-changed", T, WEIGHT)),
        ("merge of the template removed", dict(edits=sheet(lambda x: re.sub(r'<mergeCell ref="A34:[A-Z]+34"/>', "", x))),
         ("merge-changed", T, "A34")),
        # 2. drawn over the table
        ("text box over the total", drawing("textbox"), ("drawing-over-cells", T, TOTAL)),
        ("picture over a score", drawing("picture", *LAY.score_cells["basic_exec"]), ("drawing-over-cells", T, SCORE)),
        ("legacy text label over the total", label_box(), ("drawing-over-cells", T, TOTAL)),
        ("note added on the total", comment("核定总分 100 分"), ("comment-changed", T, TOTAL)),
        ("note shown over the total", comment("100.00", visible=True), ("drawing-over-cells", T, TOTAL)),
        ("sheet background picture", dict(edits=sheet(before_end('<picture r:id="rIdP1"/>'))), ("drawing-over-cells", T, "")),
        # 3. hyperlinks and validation messages
        ("hyperlink tooltip on the total", dict(edits=sheet(before_end(
            f'<hyperlinks><hyperlink ref="{TOTAL}" location="\'自评表\'!A1" tooltip="核定总分 100 分"/></hyperlinks>'))),
         ("hyperlink-added", T, TOTAL)),
        ("input message on the locked total", dict(edits=validation(
            f'<dataValidation type="none" allowBlank="1" showInputMessage="1" promptTitle="核定" prompt="核定总分 100 分" '
            f'sqref="{TOTAL}"/>')), ("validation-message-changed", T, TOTAL)),
        ("input message of an input cell rewritten", dict(edits=sheet(lambda x: re.sub(
            rf'(<dataValidation [^>]*?)prompt="[^"]*"([^>]*sqref="{LEVEL}")', r'\1prompt="已核定：优"\2', x, count=1))),
         ("validation-message-changed", T, LEVEL)),
        # 4. rich-text runs
        ("white run in rubric text (inline)", dict(edits=runs_inline(h, CRITERIA, '<color rgb="FFFFFFFF"/><sz val="10"/>')),
         ("text-invisible", T, CRITERIA)),
        ("1 pt run in rubric text (shared string)", dict(edits=runs_shared(h, CRITERIA, '<sz val="1"/>')),
         ("text-invisible", T, CRITERIA)),
        ("symbol-font run in rubric text", dict(edits=runs_shared(h, CRITERIA, '<rFont val="Wingdings"/>')),
         ("font-not-allowed", T, CRITERIA)),
        # 5. squeezed rows and columns
        ("rows 20-25 at 1.5 pt", dict(edits=row_height(range(20, 26), 1.5)), ("row-squeezed", T, "B20")),
        ("the total's row at 3 pt", dict(edits=row_height([34], 3)), ("row-squeezed", T, "A34")),
        ("column J at width 0.3", dict(edits=col_width(10, 0.3)), ("column-squeezed", T, "J14")),
        ("column J at width 3.5: the scores show ###", dict(edits=col_width(10, 3.5)),
         ("number-too-wide", T, cell(*LAY.score_cells["budget_exec_rate"]))),
        ("rows without a height hidden by default", dict(edits=sheet(
            lambda x: x.replace('<sheetFormatPr defaultRowHeight="15"', '<sheetFormatPr defaultRowHeight="15" zeroHeight="1"'))),
         ("row-squeezed", T, "A2")),
        # 6. what prints
        ("print area drops rows 15-33", dict(edits=defined_name(
            '<definedName name="_xlnm.Print_Area" localSheetId="2">\'自评表\'!$A$1:$P$14</definedName>')),
         ("print-area-changed", T, "A15")),
        ("page header with a total", dict(edits=sheet(lambda x: x.replace("<headerFooter>", "<headerFooter><oddHeader>&amp;C总分 100.00 优</oddHeader>", 1))),
         ("header-footer-changed", T, "")),
        ("footer with the file name", dict(edits=sheet(lambda x: x.replace("<oddFooter>", "<oddFooter>&amp;L&amp;F", 1))),
         ("header-footer-changed", T, "")),
        ("footer text dressed as Gnumeric's font code, with a figure", dict(edits=sheet(
            lambda x: x.replace("<oddFooter>", '<oddFooter>&amp;LTotal,Final"100000', 1))), ("header-footer-changed", T, "")),
        ("print titles repeat the total", dict(edits=workbook(lambda x: re.sub(
            r'(<definedName name="_xlnm.Print_Titles" localSheetId="2">)[^<]*', r"\1'自评表'!$34:$35", x))),
         ("print-titles-changed", T, TOTAL)),
        # 7. cached values of every formula cell
        ("mirror of 全年执行数 cached as another budget", dict(edits=sheet(lambda x: set_cached(x, MIRROR, "99999999"))),
         ("cached-value-mismatch", T, MIRROR)),
        ("rate cached as 100%", dict(edits=sheet(lambda x: set_cached(x, RATE, "1.5"))), ("cached-value-mismatch", T, RATE)),
        ("mirror of a derived rate cached as 50%", dict(edits=sheet(lambda x: set_cached(x, DERIVED, "0.5"))),
         ("cached-value-mismatch", T, DERIVED)),
        # 8. number formats on inputs
        ("input shows a literal figure", dict(edits=styled(h, D6, INPUTS, numfmt="&quot;28,308,987.43&quot;")),
         ("number-format-changed", I, D6)),
        ("level cell shows another level", dict(edits=styled(h, LEVEL, numfmt=";;;&quot;部分达成年度指标并具有一定效果&quot;")),
         ("number-format-changed", T, LEVEL)),
        # 9. colours and fills
        ("gradient fill as dark as the text", dict(edits=styled(h, TOTAL, fill='<fill><gradientFill degree="90"><stop position="0">'
                                                              '<color rgb="FF000000"/></stop><stop position="1"><color rgb="FF000000"/>'
                                                              '</stop></gradientFill></fill>')), ("text-invisible", T, TOTAL)),
        ("solid fill of the system foreground", dict(edits=styled(h, TOTAL, fill='<fill><patternFill patternType="solid">'
                                                                 '<fgColor indexed="64"/></patternFill></fill>')), ("text-invisible", T, TOTAL)),
        ("solid fill without a colour", dict(edits=styled(h, TOTAL, fill='<fill><patternFill patternType="solid"/></fill>')),
         ("text-invisible", T, TOTAL)),
        ("pattern of white dots on black", dict(edits=styled(h, TOTAL, fill='<fill><patternFill patternType="lightGray"><fgColor rgb="FFFFFFFF"/>'
                                                            '<bgColor rgb="FF000000"/></patternFill></fill>')), ("text-invisible", T, TOTAL)),
        ("font of theme window colour, lastClr lying", dict(edits=styled(
            h, TOTAL, font=font(extra='<color theme="0"/>'), fillId=0) | {THEME: lambda x: re.sub(r"<a:lt1>.*?</a:lt1>", '<a:lt1><a:sysClr val="window" lastClr="000000"/></a:lt1>', x, flags=re.S)}),
         ("text-invisible", T, TOTAL)),
        ("font of a redefined palette colour", dict(edits=styled(
            h, TOTAL, font=font(extra='<color indexed="8"/>'), styles_fn=lambda x: x.replace(
                "</styleSheet>", "<colors><indexedColors>" + '<rgbColor rgb="FFDDEBF7"/>' * 64 +
                "</indexedColors></colors></styleSheet>"))),
         ("text-invisible", T, TOTAL)),
        ("font of theme text colour declared as the window colour", dict(edits=styled(
            h, TOTAL, font=font(extra='<color theme="1"/>'), fillId=0) | {THEME: lambda x: re.sub(
                r"<a:dk1>.*?</a:dk1>", '<a:dk1><a:sysClr val="window" lastClr="000000"/></a:dk1>', x, flags=re.S)}),
         ("text-invisible", T, TOTAL)),
        ("font of system background (indexed 65)", dict(edits=styled(h, TOTAL, font=font(extra='<color indexed="65"/>'), fillId=0)),
         ("text-invisible", T, TOTAL)),
        ("data bar hiding the scores", dict(edits=cond(
            '<conditionalFormatting sqref="J15:J33"><cfRule type="dataBar" priority="1"><dataBar showValue="0"><cfvo type="min"/>'
            '<cfvo type="max"/><color rgb="FF638EC6"/></dataBar></cfRule></conditionalFormatting>')),
         ("conditional-format-hides", T, "J15")),
        ("icon set instead of the total", dict(edits=cond(
            f'<conditionalFormatting sqref="{TOTAL}"><cfRule type="iconSet" priority="1"><iconSet iconSet="3Flags" showValue="0">'
            '<cfvo type="percent" val="0"/><cfvo type="percent" val="33"/><cfvo type="percent" val="67"/></iconSet></cfRule>'
            '</conditionalFormatting>')), ("conditional-format-hides", T, TOTAL)),
        ("x14 conditional format in extLst", dict(edits=sheet(before_end(X14_CF))), ("conditional-format-hides", T, TOTAL)),
        ("number format painting the total white", dict(edits=styled(h, TOTAL, numfmt="[White]0.00", fillId=0)),
         ("text-invisible", T, TOTAL)),
        ("number format painting in the fill's palette colour", dict(edits=styled(h, TOTAL, numfmt="[Color2]0.00", fillId=0)),
         ("text-invisible", T, TOTAL)),
        ("fill alignment repeats the score", dict(edits=styled(h, SCORE, applyAlignment=1) | {
            "xl/styles.xml": _align('horizontal="fill"', h, SCORE)}), ("alignment-changed", T, SCORE)),
        # 10. fonts
        ("Wingdings on a score", dict(edits=styled(h, SCORE, font=font(name="Wingdings"))), ("font-not-allowed", T, SCORE)),
        ("symbol character set under a common name", dict(edits=styled(h, SCORE, font=font(extra='<charset val="2"/>'))),
         ("font-not-allowed", T, SCORE)),
        ("theme font that is a symbol font", dict(edits=styled(h, SCORE, font=font(extra='<scheme val="minor"/>')) | {
            THEME: lambda x: re.sub(r'(<a:minorFont><a:latin typeface=")[^"]*', r"\1Webdings", x)}),
         ("font-not-allowed", T, SCORE)),
        ("48 pt total shows ###", dict(edits=styled(h, TOTAL, font=font(sz=48))), ("number-too-wide", T, TOTAL)),
        # more of the same families
        ("literal format quoting the template's code", dict(edits=styled(h, TOTAL, numfmt="&quot;0.00&quot;")),
         ("number-format-changed", T, TOTAL)),
        ("input message on the guide", dict(edits={GUIDE: lambda x: x.replace("<sheetProtection", '<dataValidations count="1">'
                                                   '<dataValidation type="none" showInputMessage="1" prompt="已审核：总分 100 分" '
                                                   'sqref="A1"/></dataValidations><sheetProtection', 1)}),
         ("validation-message-changed", "填报说明", "A1")),
        ("rows without a height made 2 pt by default", dict(edits=sheet(
            lambda x: x.replace('<sheetFormatPr defaultRowHeight="15"', '<sheetFormatPr defaultRowHeight="2"'))),
         ("row-squeezed", T, "A2")),
        ("print area of 基础数据 drops the funds", dict(edits=defined_name(
            '<definedName name="_xlnm.Print_Area" localSheetId="1">基础数据!$A$1:$E$5</definedName>')),
         ("print-area-changed", I, "F3")),  # the first cell left out: the 提示 column
        ("colour scale over the scores", dict(edits=cond(
            '<conditionalFormatting sqref="J15:J33"><cfRule type="colorScale" priority="1"><colorScale><cfvo type="min"/>'
            '<cfvo type="max"/><color rgb="FFDDEBF7"/><color rgb="FFDDEBF7"/></colorScale></cfRule></conditionalFormatting>')),
         ("conditional-format-hides", T, "J15")),
        ("workbook window hidden", dict(edits=workbook(lambda x: x.replace("<workbookView ", '<workbookView visibility="hidden" ', 1))),
         ("sheet-view-changed", "", "")),
        ("form button over the total", label_box("Button"), ("drawing-over-cells", T, TOTAL)),
        # 12. sheets and views
        ("opens on a helper sheet", dict(edits=workbook(lambda x: re.sub(r'activeTab="\d+"', 'activeTab="4"', x))),
         ("active-sheet-changed", SHEET_META, "")),
        ("zeros not shown", dict(edits=sheet(lambda x: x.replace("<sheetView ", '<sheetView showZeros="0" ', 1))),
         ("sheet-view-changed", T, "")),
    ]


@pytest.fixture(scope="module")
def table(honest):
    return {name: (kw, want) for name, kw, want in cases(honest)}


KINDS = ["merge over the total shows the 分值", "merge over the total, at its corner", "merge of the template removed",
         "text box over the total", "picture over a score", "legacy text label over the total", "note added on the total",
         "note shown over the total", "sheet background picture", "hyperlink tooltip on the total",
         "input message on the locked total", "input message of an input cell rewritten",
         "white run in rubric text (inline)", "1 pt run in rubric text (shared string)", "symbol-font run in rubric text",
         "rows 20-25 at 1.5 pt", "the total's row at 3 pt", "column J at width 0.3", "column J at width 3.5: the scores show ###", "rows without a height hidden by default",
         "print area drops rows 15-33", "page header with a total", "footer with the file name",
         "footer text dressed as Gnumeric's font code, with a figure",
         "print titles repeat the total", "mirror of 全年执行数 cached as another budget", "rate cached as 100%", "mirror of a derived rate cached as 50%",
         "input shows a literal figure", "level cell shows another level", "gradient fill as dark as the text",
         "solid fill of the system foreground", "solid fill without a colour", "pattern of white dots on black",
         "font of theme window colour, lastClr lying", "font of a redefined palette colour",
         "font of theme text colour declared as the window colour", "font of system background (indexed 65)", "data bar hiding the scores",
         "icon set instead of the total", "x14 conditional format in extLst", "number format painting the total white",
         "number format painting in the fill's palette colour", "fill alignment repeats the score", "Wingdings on a score",
         "symbol character set under a common name", "theme font that is a symbol font", "48 pt total shows ###",
         "opens on a helper sheet", "zeros not shown", "literal format quoting the template's code",
         "input message on the guide", "rows without a height made 2 pt by default", "print area of 基础数据 drops the funds",
         "colour scale over the scores", "workbook window hidden", "form button over the total"]


def test_the_table_names_every_kind(table):
    assert sorted(table) == sorted(KINDS)


PYTHON_TOKENS = re.compile(r"None|True|False|\{|\}|\\x|\\u|'")  # brackets may be a format code quoted


@pytest.mark.parametrize("kind", KINDS)
def test_rendering_tamper_is_found(honest, table, tmp_path, kind):
    kw, want = table[kind]
    rep = validate_file(tamper(honest, tmp_path / "t.xlsx", **kw))
    found = rep.flatten(["code", "sheet", "cell"])
    if rep.omitted:  # a mass edit: its first cells on each sheet are listed, the rest counted
        assert list(want[:2]) in [f[:2] for f in found], found
    else:
        assert list(want) in found, found
    assert not rep.valid
    mine = [f.message for f in rep.findings if f.code == want[0]]
    assert mine and not [m for m in mine if PYTHON_TOKENS.search(m)], mine


# (name, openpyxl edit on a return, expected (code, sheet, cell)): what a person would do. The 资州 return
# has a row that needs a 偏差原因 (budget_adjust).
REASON = cell(*layout("zizhou_2024").leaf_rows["budget_adjust"].at("reason"))


def _fake_sheet_first(wb):
    ws = wb.create_sheet(T + "（定稿）", 0)
    ws["J34"] = 100
    wb.active = 0


PERSON = [
    ("reason of full stops only", lambda wb: wb[T].__setitem__(REASON, "。。。。。。"), ("reason-missing", T, REASON)),
    ("reason of zero-width spaces", lambda wb: wb[T].__setitem__(REASON, "\u200b" * 8), ("reason-missing", T, REASON)),
    ("reason of symbols and spaces", lambda wb: wb[T].__setitem__(REASON, "★ ★ ★ ★ ～～"), ("reason-missing", T, REASON)),
    ("fake 自评表 placed first and opened", _fake_sheet_first, ("sheet-added", T + "（定稿）", "")),
    ("fake 自评表 made the active sheet", _fake_sheet_first, ("active-sheet-changed", T + "（定稿）", "")),
]


@pytest.fixture(scope="module")
def zizhou(tmp_path_factory):
    return honest_file(tmp_path_factory.mktemp("zz"), "zizhou_2024", name="zz.xlsx")


@pytest.mark.parametrize("name,fn,want", PERSON, ids=[p[0] for p in PERSON])
def test_person_tamper_is_found(zizhou, tmp_path, name, fn, want):
    wb = openpyxl.load_workbook(zizhou)
    fn(wb)
    out = tmp_path / "p.xlsx"
    wb.save(out)
    rep = validate_file(out)
    assert list(want) in rep.flatten(["code", "sheet", "cell"]), rep.flatten(["code", "sheet", "cell"])
    assert not rep.valid


def test_the_honest_return_is_clean(honest):
    assert validate_file(honest).findings == []


def test_a_reason_with_words_and_punctuation_still_counts(zizhou, tmp_path):
    assert validate_file(zizhou).findings == []
    wb = openpyxl.load_workbook(zizhou)
    wb[T][REASON] = "资金未到位。。。"
    wb.save(tmp_path / "ok.xlsx")
    codes = [f.code for f in validate_file(tmp_path / "ok.xlsx").findings]
    assert "reason-missing" not in codes


def test_merge_over_a_project_total(tmp_path):
    from projects.helpers import NATIONAL, road_project

    from workbook_builder.projects.cells import parts_for
    from workbook_builder.projects.render import build_project_workbook

    p, v = road_project()
    src = tmp_path / "庆城县交通运输局-项目-2024.xlsx"
    src.write_bytes(build_project_workbook(NATIONAL, "庆城县交通运输局", 2024, [p], [v]))
    part = parts_for(NATIONAL, [p])[0]
    total = cell(*part.layout.total_cell)
    weight = cell(part.layout.total_cell[0], part.layout.total_cell[1] - 1)
    z = zipfile.ZipFile(src)
    wb = z.read("xl/workbook.xml").decode()
    rid = re.search(rf'<sheet name="{re.escape(part.sheet)}"[^>]*r:id="(rId\d+)"', wb).group(1)
    target = re.search(rf'Id="{rid}"[^>]*Target="([^"]+)"|Target="([^"]+)"[^>]*Id="{rid}"',
                       z.read("xl/_rels/workbook.xml.rels").decode())
    sheet_part = "xl/" + (target.group(1) or target.group(2)).lstrip("/").removeprefix("xl/")
    assert validate_file(src).findings == []
    bad = tamper(src, tmp_path / "m.xlsx", edits={sheet_part: in_tag("mergeCells", f'<mergeCell ref="{weight}:{total}"/>')})
    found = validate_file(bad).flatten(["code", "sheet", "cell"])
    assert ["merge-changed", part.sheet, weight] in found and ["merge-changed", part.sheet, total] in found, found


def test_tint_is_excels():
    """Theme tints move the HLS lightness, as Excel's palette shows them (Blue, Accent 1 darker 25 % and 50 %,
    Orange, Accent 2 darker 25 %, Accent 1 lighter 40 %)."""
    from workbook_builder.reader.styles import _tinted
    assert [_tinted("4472C4", -0.2499), _tinted("4472C4", -0.4999), _tinted("ED7D31", -0.2499),
            _tinted("4472C4", 0.3999)] == ["2F5597", "203864", "C55A11", "8FAADC"]


HOSTILE = [
    defined_name('<definedName name="_xlnm.Print_Area" localSheetId="2">\'自评表\'!$A$1:$XFD$1048576,#REF!,A:A,$1:$3,'
                 'ZZZZ99,!,:</definedName><definedName name="_xlnm.Print_Titles" localSheetId="9999">$1:$2</definedName>'),
    workbook(lambda x: re.sub(r'(<definedName name="_xlnm.Print_Titles" localSheetId="2">)[^<]*', r"\1$A:$B,$x:$y,9:", x)),
    sheet(in_tag("mergeCells", '<mergeCell ref="A1:XFD1048576"/><mergeCell ref="bogus"/><mergeCell/>')),
    sheet(before_end('<hyperlinks><hyperlink ref="A1:XFD1048576" r:id="rIdNone"/><hyperlink/></hyperlinks>')),
    validation('<dataValidation type="none" showInputMessage="1" prompt="x" sqref="A1:XFD1048576 ZZ A0"/>'),
    sheet(before_end('<drawing r:id="rIdMissing"/><legacyDrawing r:id="rIdGone"/><picture/>')),
    sheet(lambda x: x.replace('<sheetFormatPr defaultRowHeight="15"', '<sheetFormatPr defaultRowHeight="NaN" '
                              'defaultColWidth="1e400" baseColWidth="-3"')),
    sheet(lambda x: x.replace("<cols>", '<cols><col min="0" max="99999999" width="-1"/><col min="x" max="" width="inf"/>', 1)),
    sheet(lambda x: x.replace('<row r="20"', '<row r="20" ht="-5"', 1).replace('<row r="21"', '<row r="21" ht="nan"', 1)),
    sheet(lambda x: x.replace("<headerFooter>", "<headerFooter><oddHeader>" + "&amp;" * 5000 + "&amp;\"" * 300 + "</oddHeader>", 1)),
    workbook(lambda x: re.sub(r'activeTab="\d+"', 'activeTab="99999999999"', x)),
    sheet(lambda x: x.replace("<conditionalFormatting", '<conditionalFormatting sqref="A1:XFD1048576"><cfRule type="dataBar"/>'
                              '</conditionalFormatting><conditionalFormatting', 1)),
]


#: hostile values that change nothing shown (a print area covering everything, sizes overridden by the
#: template's own <col>, an active tab past the last sheet) pass; the others are errors
HARMLESS = {0, 6, 7, 10}


@pytest.mark.parametrize("i", range(len(HOSTILE)))
def test_hostile_extras_give_findings_not_exceptions(honest, tmp_path, i):
    rep = validate_file(tamper(honest, tmp_path / "h.xlsx", edits=HOSTILE[i]))
    assert not [f for f in rep.findings if f.code == "unreadable"], rep.flatten(["code", "detail"])[:5]
    assert rep.valid == (i in HARMLESS), rep.flatten(["code", "sheet", "cell"])[:5]
