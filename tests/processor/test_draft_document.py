"""The draft as a Word document: A4 (or F4), title page, page numbers, table of contents,
landscape logframe and work plan with repeated headers and no split word, charts, evidence
under every statement, and no character that XML refuses."""

from __future__ import annotations

import copy
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.shared import Cm, Emu

from processor.draft import EVIDENCE_STYLE, write_draft
from processor.draft.charts import bar_chart
from processor.draft.docx_writer import CELL_PADDING_CM, _text_width_cm

NOW = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)
FIXTURE = Path(__file__).parent / "digest" / "fixtures" / "summary.json"


def _summary() -> dict[str, Any]:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    path = write_draft(_summary(), out_dir=tmp_path_factory.mktemp("draft"), language="id", now=NOW)
    assert path.name == "draf-master-plan-tjb2027-id.docx"
    return Document(str(path))


def test_a4_with_page_numbers_and_a_title_page(document) -> None:  # type: ignore[no-untyped-def]
    first = document.sections[0]
    assert abs(first.page_width - Cm(21.0)) < Cm(0.05) and abs(first.page_height - Cm(29.7)) < Cm(
        0.05
    )
    footer = first.footer.paragraphs[0]
    assert footer.text.startswith("Halaman")
    assert any("PAGE" in (i.text or "") for i in footer._p.iter() if i.tag.endswith("}instrText"))
    texts = [p.text for p in document.paragraphs[:20]]
    assert "Draf Master Plan Pelayanan Publik Inovatif" in texts
    assert any(
        "Tanjung Jabung Barat" in t or "tjb2027" in t or "periode rencana 2027–2031" in t
        for t in texts
    )
    assert any(t.startswith("Draf untuk dibahas · 23 November 2026") for t in texts)


def test_f4_is_a_setting(tmp_path: Path) -> None:
    path = write_draft(_summary(), out_dir=tmp_path, language="id", now=NOW, paper="f4")
    section = Document(str(path)).sections[0]
    assert abs(section.page_height - Cm(33.0)) < Cm(0.05)


def test_logframe_and_workplan_are_landscape_with_repeated_headers(document) -> None:  # type: ignore[no-untyped-def]
    landscape = [s for s in document.sections if s.orientation == WD_ORIENT.LANDSCAPE]
    assert len(landscape) == 3  # each domain's logframe and work plan (no budget given here)
    assert all(s.page_width > s.page_height for s in landscape)
    headers = [[c.text for c in t.rows[0].cells] for t in document.tables]
    assert sum(h[0] == "Tingkat" for h in headers) == 3
    assert sum(h[0] == "Kegiatan" for h in headers) == 3
    for table in document.tables:
        assert table.rows[0]._tr.xpath("./w:trPr/w:tblHeader")
        assert all(row._tr.xpath("./w:trPr/w:cantSplit") for row in table.rows)


def test_no_word_is_wider_than_its_column(document) -> None:  # type: ignore[no-untyped-def]
    for table in document.tables:
        grid = table._tbl.tblGrid.findall(
            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}gridCol"
        )
        widths = [
            Emu(
                int(col.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}w"))
                * 635
            ).cm
            for col in grid
        ]
        for row_index, row in enumerate(table.rows):
            for cell, width in zip(row.cells, widths, strict=True):
                run = cell.paragraphs[0].runs[0] if cell.paragraphs[0].runs else None
                if run is None:
                    continue
                size = run.font.size.pt
                for word in cell.text.split():
                    needed = _text_width_cm(word, size, bold=row_index == 0) + CELL_PADDING_CM
                    assert needed <= width + 1e-6, (word, width)


def test_toc_field_and_update_on_open(document) -> None:  # type: ignore[no-untyped-def]
    instructions = [i.text for i in document.element.body.iter() if i.tag.endswith("}instrText")]
    assert any(i.strip().startswith("TOC") and '\\o "1-3"' in i for i in instructions)
    assert document.settings.element.xpath("./w:updateFields")


def test_evidence_paragraphs_follow_statements(document) -> None:  # type: ignore[no-untyped-def]
    paragraphs = document.paragraphs
    bullets = [i for i, p in enumerate(paragraphs) if p.style.name == "List Bullet"]
    assert len(bullets) > 30
    assert all(paragraphs[i + 1].style.name == EVIDENCE_STYLE for i in bullets)


def test_charts_are_embedded_and_an_empty_chart_is_never_drawn(document) -> None:  # type: ignore[no-untyped-def]
    captions = [p.text for p in document.paragraphs if p.style.name == "Caption"]
    assert captions[0] == "Gambar 1. Jawaban per bidang"
    assert len(document.inline_shapes) == len(captions)
    assert bar_chart(["a", "b"], [("jawaban", [0, 0], "#000000")], "kosong", "jawaban") is None
    assert bar_chart([], [], "kosong", "jawaban") is None
    image = bar_chart(
        ["satu label yang sangat panjang sekali untuk dipotong"], [("n", [3], "#000")], "t", "x"
    )
    assert image is not None and image[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_character_xml_refuses_never_stops_the_draft(tmp_path: Path) -> None:
    summary = _summary()
    theme = summary["domains"]["kesehatan"]["themes"]["citizen_need"][0]
    theme["label"] = "obat di puskesmas\x0b sering habis\x00"
    theme["quotes"] = ["obat\x1f habis\ufffe"]
    path = write_draft(summary, out_dir=tmp_path, language="id", now=NOW)
    text = "\n".join(p.text for p in Document(str(path)).paragraphs)
    assert "obat di puskesmas  sering habis" in text


def test_english_draft(tmp_path: Path) -> None:
    summary = copy.deepcopy(_summary())
    path = write_draft(summary, out_dir=tmp_path, language="en", now=NOW)
    document = Document(str(path))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings[:3] == ["Contents", "Introduction", "Overall master plan"]
    assert document.sections[0].footer.paragraphs[0].text.startswith("Page")
    headers = [[c.text for c in t.rows[0].cells] for t in document.tables]
    assert next(h for h in headers if h[0] == "Level")[:5] == [
        "Level",
        "Narrative",
        "Indicator",
        "Unit",
        "Baseline (year)",
    ]


def test_long_answers_emoji_and_direction_overrides_stay_readable(tmp_path: Path) -> None:
    import warnings

    summary = _summary()
    theme = summary["domains"]["kesehatan"]["themes"]["citizen_need"][0]
    theme["label"] = "obat habis 😡 ＰＵＳＫＥＳＭＡＳ"
    theme["quotes"] = ["sangat panjang " * 400, "\u202ekebalik\u202c obat"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no glyph warnings on the operator's screen
        path = write_draft(summary, out_dir=tmp_path, language="id", now=NOW)
    text = "\n".join(p.text for p in Document(str(path)).paragraphs)
    assert "\u202e" not in text and "kebalik obat" in text
    longest = max(len(p.text) for p in Document(str(path)).paragraphs)
    assert longest < 1000  # a 6,000-character answer is quoted shortened, not in full


def test_evidence_never_counts_zero_answers_or_respondents(document) -> None:  # type: ignore[no-untyped-def]
    evidence = [p.text for p in document.paragraphs if p.style.name == EVIDENCE_STYLE]
    zero = re.compile(r"(?<![\d.,])0 (jawaban|responden)")
    assert evidence and not [t for t in evidence if zero.search(t)]
    assert not [t for t in evidence if t.strip() in ("Bukti: .", "Bukti:")]
