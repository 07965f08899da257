"""The plan as a Word document: an A4 (or F4) government draft with a title page, a table of
contents, page numbers in the footer, evidence under every statement, and the logframe and
work plan in landscape sections whose columns are wide enough that no word is split."""

from __future__ import annotations

import copy
import functools
import io
from collections.abc import Mapping, Sequence
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.text.run import CT_R
from docx.section import Section as DocxSection
from docx.shared import Cm, Pt, RGBColor
from docx.table import _Cell, _Row
from docx.text.paragraph import Paragraph
from PIL.ImageFont import FreeTypeFont

from processor.draft.content import Context, DraftPlan, Evidence, Part, Statement, Table
from processor.draft.narrative import source_text
from shared.clean import display_text

EVIDENCE_STYLE = "Bukti Rembuk"
PAPER_SIZES_CM = {"a4": (21.0, 29.7), "f4": (21.5, 33.0)}  # F4 (folio), common in Indonesia
MARGINS_CM = {"left": 3.0, "right": 2.0, "top": 2.5, "bottom": 2.0}
LANDSCAPE_MARGIN_CM = 1.5
TABLE_FONT_SIZES = (8.5, 8.0, 7.5, 7.0, 6.5)
BODY_FONT = "Arial"  # what Indonesian government documents use; Liberation Sans elsewhere
CELL_PADDING_CM = 0.3  # Word's default cell margins, left and right together, and a hair
PT_PER_CM = 28.3465


QUOTE_LENGTH = 240  # characters of a quote in an evidence line; the xlsx has the whole answer


def _text(value: object) -> str:
    """Every string that reaches the XML: no character XML refuses, no direction override."""
    return display_text(str(value))


def _shortened(quote: str) -> str:
    quote = " ".join(quote.split())
    return quote if len(quote) <= QUOTE_LENGTH else quote[: QUOTE_LENGTH - 1].rstrip() + "…"


def _field(paragraph: Paragraph, instruction: str, shown: str = "") -> None:
    """A Word field (PAGE, TOC …) that Word computes; `shown` until it does."""
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = instruction
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    run._r.append(begin)
    run._r.append(text)
    run._r.append(separate)
    if shown:
        paragraph.add_run(shown).italic = True
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    paragraph.add_run()._r.append(end)


def _page_setup(section: DocxSection, paper: str, *, landscape: bool) -> None:
    width, height = PAPER_SIZES_CM[paper]
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Cm(height), Cm(width)
        section.left_margin = section.right_margin = Cm(LANDSCAPE_MARGIN_CM)
        section.top_margin = section.bottom_margin = Cm(LANDSCAPE_MARGIN_CM)
    else:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Cm(width), Cm(height)
        section.left_margin, section.right_margin = Cm(MARGINS_CM["left"]), Cm(MARGINS_CM["right"])
        section.top_margin, section.bottom_margin = Cm(MARGINS_CM["top"]), Cm(MARGINS_CM["bottom"])


def _footer(section: DocxSection, page_word: str) -> None:
    """ "Halaman N" centred in the footer; later sections inherit it."""
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run(f"{page_word} ")
    _field(paragraph, "PAGE", "1")


@functools.cache
def _measuring_font(bold: bool, size_pt: float) -> FreeTypeFont:
    """DejaVu Sans (shipped with matplotlib): a little wider than Arial, so a word that fits
    measured in it fits in Word and LibreOffice as well."""
    import matplotlib
    from PIL import ImageFont

    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    path = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / name
    return ImageFont.truetype(str(path), size=size_pt * 10)  # tenths of a point: finer widths


@functools.lru_cache(maxsize=65536)  # the same words recur in every column and font size
def _text_width_cm(text: str, size_pt: float, *, bold: bool = False) -> float:
    return _measuring_font(bold, size_pt).getlength(text) / 10 / PT_PER_CM


def column_widths(table: Table, total_cm: float) -> tuple[list[float], float] | None:
    """Widths (cm) and a font size at which every word of every cell fits its column.

    Each column is at least as wide as its longest word (bold in the header); what room is
    left goes to the columns with the most text. None when no size fits."""
    columns = list(zip(table.header, *table.rows, strict=True))
    for size in TABLE_FONT_SIZES:
        minimum = []
        for header, *cells in columns:
            words = [w for cell in cells for w in str(cell).split()]
            longest = max((_text_width_cm(w, size) for w in words), default=0.0)
            header_longest = max(
                (_text_width_cm(w, size, bold=True) for w in str(header).split()), default=0.0
            )
            minimum.append(max(longest, header_longest) + CELL_PADDING_CM)
        spare = total_cm - sum(minimum)
        if spare < 0:
            continue
        weight = [sum(len(str(c)) for c in cells) + 1 for _, *cells in columns]
        # Room goes to long texts, not to year columns holding a figure each.
        return [m + spare * w / sum(weight) for m, w in zip(minimum, weight, strict=True)], size
    return None


def _append_text(run: CT_R, text: str) -> None:
    """`run.text = text` on a run that holds no text yet: the same `w:t` (xml:space="preserve"
    when the text has outer spaces), without python-docx's loop over every character (~500,000
    of them in a draft at 100k answers). Tabs and line breaks, which python-docx turns into
    `w:tab` and `w:br`, still go through it."""
    if "\t" in text or "\r" in text or "\n" in text:
        run.text = text
        return
    element = OxmlElement("w:t")
    element.text = text
    if len(text.strip()) < len(text):
        element.set(qn("xml:space"), "preserve")
    run.append(element)


def _shade(cell: _Cell, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _row_flags(row: _Row, *, header: bool) -> None:
    properties = row._tr.get_or_add_trPr()
    if header:  # repeated on every page
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        properties.append(repeat)
    keep = OxmlElement("w:cantSplit")  # a row never breaks across pages
    keep.set(qn("w:val"), "true")
    properties.append(keep)


def _fill_row(
    row: _Row, values: Sequence[object], widths: Sequence[float], size: float, *, header: bool
) -> None:
    _row_flags(row, header=header)
    properties = None  # the first cell's run properties, copied into the others (same XML)
    for cell, text, width in zip(row.cells, values, widths, strict=True):
        cell.width = Cm(width)
        run = cell.paragraphs[0].add_run()
        if properties is None:
            run.font.size = Pt(size)
            run.font.name = BODY_FONT
            run.bold = header
            properties = run._r.rPr
        else:
            run._r.insert(0, copy.deepcopy(properties))
        if shown := _text(text):
            _append_text(run._r, shown)
        if header:
            _shade(cell, "DCE6F0")


def add_table(document: DocxDocument, table: Table, width_cm: float) -> None:
    layout = column_widths(table, width_cm)
    widths, size = layout if layout else ([width_cm / len(table.header)] * len(table.header), 6.5)
    docx_table = document.add_table(rows=1, cols=len(table.header))
    docx_table.style = document.styles["Table Grid"]
    docx_table.alignment = WD_TABLE_ALIGNMENT.CENTER
    docx_table.autofit = False
    _fill_row(docx_table.rows[0], table.header, widths, size, header=True)
    if table.rows:
        # Every body row is a copy of one blank row laid out cell by cell through python-docx,
        # its texts filled in: the same XML, without ~10 property look-ups per cell.
        blank = docx_table.add_row()
        _fill_row(blank, [""] * len(table.header), widths, size, header=False)
        prototype = blank._tr
        docx_table._tbl.remove(prototype)
        for values in table.rows:
            row = copy.deepcopy(prototype)
            docx_table._tbl.append(row)
            for run, text in zip(row.iter(qn("w:r")), values, strict=True):
                if shown := _text(text):
                    _append_text(run, shown)
    for column, width in zip(docx_table.columns, widths, strict=True):
        column.width = Cm(width)
    document.add_paragraph()


class _Styles:
    """Paragraph style ids by name, looked up once per document. python-docx resolves a
    style on every paragraph it adds, scanning all the document's styles for the default
    one each time (even when given the style object): ~2 ms a paragraph, ~3,000 of them.
    It also looks for the body's closing `w:sectPr` among all the body's children on every
    paragraph it adds; that element never changes (a new section copies it), so it is
    found once."""

    def __init__(self, document: DocxDocument) -> None:
        self.document = document
        self._ids: dict[str, str | None] = {}
        self._body_end = document.element.body.get_or_add_sectPr()

    def style_id(self, name: str) -> str | None:
        if name not in self._ids:
            style = self.document.styles[name]  # KeyError on an unknown name, as before
            default = self.document.styles.default(WD_STYLE_TYPE.PARAGRAPH)
            self._ids[name] = None if style == default else style.style_id
        return self._ids[name]

    def paragraph(self, text: str = "", style: str | None = None) -> Paragraph:
        """`document.add_paragraph(text, style)`, the same XML, without the scans."""
        p = OxmlElement("w:p")
        self._body_end.addprevious(p)
        paragraph = Paragraph(p, self.document._body)
        if text:
            _append_text(p.add_r(), text)
        style_id = self.style_id(style) if style else None
        if style_id is not None:
            # `paragraph.style = …`: python-docx looks for each of the ~35 elements that may
            # follow the new `w:pPr` and `w:pStyle`; in a new paragraph they go first.
            properties = OxmlElement("w:pPr")
            properties.append(OxmlElement("w:pStyle", attrs={qn("w:val"): style_id}))
            p.insert(0, properties)
        return paragraph

    def heading(self, text: str, level: int) -> Paragraph:
        """`document.add_heading(text, level)`."""
        return self.paragraph(text, "Title" if level == 0 else f"Heading {level}")


def _ensure_evidence_style(document: DocxDocument) -> None:
    style = document.styles.add_style(EVIDENCE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = document.styles["Normal"]
    style.font.size = Pt(8.5)
    style.font.italic = True
    style.font.color.rgb = RGBColor(0x55, 0x5F, 0x6B)
    style.paragraph_format.left_indent = Cm(0.63)
    style.paragraph_format.space_after = Pt(6)


def evidence_text(ctx: Context, evidence: Evidence) -> str:
    refs = []
    if evidence.theme_ids:
        refs.append(ctx.t("evidence_refs_themes", ids=", ".join(evidence.theme_ids)))
    if evidence.row_ids:
        refs.append(ctx.t("evidence_refs_rows", ids=", ".join(evidence.row_ids)))
    if evidence.note:
        refs.append(evidence.note)
    joined = "; ".join(refs)
    if evidence.sources:
        text = ctx.t(
            "evidence_sources", sources="; ".join(source_text(ctx, s) for s in evidence.sources)
        )
    elif evidence.answers and evidence.respondents:
        text = ctx.t(
            "evidence",
            answers=ctx.n(evidence.answers),
            respondents=ctx.n(evidence.respondents),
            refs=joined,
        )
    elif evidence.answers:
        text = ctx.t("evidence_answers", answers=ctx.n(evidence.answers), refs=joined)
    elif evidence.respondents:
        text = ctx.t("evidence_respondents", respondents=ctx.n(evidence.respondents), refs=joined)
    else:
        text = ctx.t("evidence_counts", refs=joined)
    quotes = " ".join(f"«{_shortened(q)}»" for q in evidence.quotes)
    return f"{text} {quotes}".strip()


def _statements(styles: _Styles, statements: Sequence[Statement], ctx: Context) -> None:
    for statement in statements:
        if statement.evidence is None:
            style = "List Number" if statement.numbered else None
            styles.paragraph(_text(statement.text), style)
            continue
        styles.paragraph(_text(statement.text), "List Bullet")
        styles.paragraph(_text(evidence_text(ctx, statement.evidence)), EVIDENCE_STYLE)


class _Writer:
    """Lays the parts out one after the other, switching page orientation for tables."""

    def __init__(
        self,
        document: DocxDocument,
        ctx: Context,
        images: Mapping[str, bytes],
        captions: Mapping[str, str],
        paper: str,
    ) -> None:
        self.document, self.ctx, self.images, self.captions = document, ctx, images, captions
        self.styles = _Styles(document)
        self.paper, self.figures = paper, 0
        self.fresh_page = False  # just after a section break: no page break needed
        width, _ = PAPER_SIZES_CM[paper]
        self.portrait_width = width - MARGINS_CM["left"] - MARGINS_CM["right"]
        self.landscape_width = PAPER_SIZES_CM[paper][1] - 2 * LANDSCAPE_MARGIN_CM

    def figure(self, key: str | None) -> None:
        if not key or key not in self.images:
            return
        self.figures += 1
        picture = self.document.add_paragraph()
        picture.paragraph_format.keep_with_next = True  # with its caption
        picture.add_run().add_picture(
            io.BytesIO(self.images[key]), width=Cm(min(15.0, self.portrait_width))
        )
        caption = self.ctx.t("figure", n=self.figures, caption=self.captions[key])
        self.styles.paragraph(_text(caption), "Caption")

    def part(self, part: Part) -> None:
        if part.page_break and not self.fresh_page:
            self.document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        self.fresh_page = False
        self.styles.heading(_text(part.heading), 1)
        self.figure(part.chart)
        for section in part.sections:
            self.styles.heading(_text(section.title), 2)
            _statements(self.styles, section.statements, self.ctx)
            for table in section.tables:
                add_table(self.document, table, self.portrait_width)
        if part.tables:
            self.landscape(part.tables)

    def landscape(self, tables: Sequence[Table]) -> None:
        section = self.document.add_section(WD_SECTION.NEW_PAGE)
        _page_setup(section, self.paper, landscape=True)
        for table in tables:
            if table.title:
                self.styles.heading(_text(table.title), 2)
            add_table(self.document, table, self.landscape_width)
        _page_setup(self.document.add_section(WD_SECTION.NEW_PAGE), self.paper, landscape=False)
        self.fresh_page = True


def _title_page(document: DocxDocument, plan: DraftPlan, ctx: Context) -> None:
    for _ in range(4):
        document.add_paragraph()
    title = document.add_paragraph(_text(plan.title), style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    subtitle = document.add_paragraph(_text(plan.subtitle), style="Subtitle")
    subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER
    date = document.add_paragraph(_text(plan.date_line))
    date.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for _ in range(6):
        document.add_paragraph()
    document.add_paragraph(_text(plan.generated))
    document.add_paragraph(_text(plan.notice), style="Intense Quote")
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    document.add_heading(_text(ctx.t("toc_title")), level=1)
    _field(document.add_paragraph(), 'TOC \\o "1-3" \\h \\z \\u', ctx.t("toc_placeholder"))
    update = OxmlElement("w:updateFields")  # Word fills the table of contents on opening
    update.set(qn("w:val"), "true")
    document.settings.element.append(update)


def render_document(
    plan: DraftPlan, images: Mapping[str, bytes], ctx: Context, *, paper: str = "a4"
) -> DocxDocument:
    """The plan as a Word document: Heading 1 per part, Heading 2 per section, tables in
    "Table Grid", evidence paragraphs under every statement."""
    document = Document()
    core = document.core_properties
    core.title = _text(plan.title)
    core.subject = _text(plan.subtitle)
    core.language = "id-ID" if plan.language == "id" else "en-GB"
    core.author = "Rembuk"
    normal = document.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = Pt(11)
    first = document.sections[0]
    _page_setup(first, paper, landscape=False)
    _footer(first, ctx.t("page"))
    _ensure_evidence_style(document)
    _title_page(document, plan, ctx)
    writer = _Writer(document, ctx, images, dict(plan.charts), paper)
    for part in plan.parts:
        writer.part(part)
    return document
