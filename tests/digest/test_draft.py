"""The draft master plan document: every section per domain and overall, the tables, the
charts, the table of contents, evidence under every statement, both languages."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from processor.draft import (
    EVIDENCE_STYLE,
    load_draft_texts,
    plan_from_summary,
    write_draft,
)

NOW = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)
FIXTURES = Path(__file__).parent / "fixtures"
SECTIONS_ID = [
    "1. Pendahuluan: kondisi saat ini",
    "2. Tujuan",
    "3. Kebijakan pendukung",
    "4. Strategi implementasi",
    "5. Aksi",
    "6. Hasil yang diharapkan",
    "7. Rekomendasi",
    "Kerangka kerja logis (logical framework)",
    "Rencana aksi (work plan)",
]


@pytest.fixture(scope="module")
def texts():  # type: ignore[no-untyped-def]
    return load_draft_texts()


@pytest.fixture(scope="module")
def document_id(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    summary = json.loads((FIXTURES / "summary.json").read_text(encoding="utf-8"))
    path = write_draft(summary, out_dir=tmp_path_factory.mktemp("draft"), language="id", now=NOW)
    assert path.name == "draf-master-plan-tjb2027-id.docx"
    return Document(str(path))


def _headings(document) -> list[tuple[int, str]]:  # type: ignore[no-untyped-def]
    result = []
    for paragraph in document.paragraphs:
        name = paragraph.style.name
        if name.startswith("Heading "):
            result.append((int(name.split()[1]), paragraph.text))
    return result


def _parts(document) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """Heading 1 text -> its Heading 2 texts, in order."""
    parts: dict[str, list[str]] = {}
    current = None
    for level, text in _headings(document):
        if level == 1:
            current = text
            parts[current] = []
        elif level == 2 and current is not None:
            parts[current].append(text)
    return parts


def test_every_part_has_the_seven_sections_logframe_and_workplan(document_id) -> None:  # type: ignore[no-untyped-def]
    parts = _parts(document_id)
    for heading in (
        "Rencana induk keseluruhan",
        "Bidang Kesehatan",
        "Bidang Pekerjaan Umum & Penataan Ruang",
        "Bidang Administrasi Kependudukan & Perizinan",
    ):
        assert parts[heading] == SECTIONS_ID, heading
    assert list(parts)[:3] == [
        "Daftar Isi",
        "Gambaran data konsultasi",
        "Rencana induk keseluruhan",
    ]
    # domains ordered by respondents
    assert list(parts)[3:6] == [
        "Bidang Kesehatan",
        "Bidang Pekerjaan Umum & Penataan Ruang",
        "Bidang Administrasi Kependudukan & Perizinan",
    ]
    assert document_id.paragraphs[0].style.name == "Title"


def test_tables_logframe_workplan_and_targets(document_id) -> None:  # type: ignore[no-untyped-def]
    tables = document_id.tables
    headers = [[cell.text for cell in table.rows[0].cells] for table in tables]
    logframes = [t for t, h in zip(tables, headers, strict=True) if h[0] == "Tingkat"]
    workplans = [t for t, h in zip(tables, headers, strict=True) if h[0] == "Kegiatan"]
    targets = [t for t, h in zip(tables, headers, strict=True) if "Indikator" in h[:2]]
    assert len(logframes) == 4 and len(workplans) == 4  # overall + 3 domains
    assert headers[headers.index(["Tingkat", "Uraian", "Indikator", "Cara verifikasi", "Asumsi"])]
    # the whole plan's goal is about every domain, not a domain named after the campaign
    overall_goal = logframes[0].rows[1].cells
    assert overall_goal[1].text.endswith("sesuai kebutuhan warga di semua bidang")
    assert "Kesehatan" in logframes[1].rows[1].cells[1].text
    levels = [row.cells[0].text for row in logframes[1].rows[1:]]  # Kesehatan
    assert levels[:2] == ["Tujuan umum (goal)", "Tujuan khusus (purpose)"]
    assert "Keluaran (output)" in levels and "Kegiatan (activity)" in levels
    assert [c.text for c in workplans[0].rows[0].cells] == [
        "Kegiatan",
        "Keluaran",
        "Tahun",
        "Penanggung jawab",
        "Sumber daya",
    ]
    # the staff's five yearly targets, one column per plan year
    kesehatan_targets = next(t for t in targets if t.rows[0].cells[0].text == "Indikator")
    assert [c.text for c in kesehatan_targets.rows[0].cells] == [
        "Indikator",
        "2027",
        "2028",
        "2029",
        "2030",
        "2031",
    ]
    assert [c.text for c in kesehatan_targets.rows[1].cells] == [
        "Persentase puskesmas dengan layanan sore (%)",
        "30",
        "45",
        "60",
        "80",
        "100",
    ]
    # header rows repeat on every page
    assert all(t.rows[0]._tr.xpath("./w:trPr/w:tblHeader") for t in tables)


def test_charts_are_embedded(document_id) -> None:  # type: ignore[no-untyped-def]
    # answers per domain, problem dimensions, and one top-themes chart per domain
    assert len(document_id.inline_shapes) == 2 + 3
    captions = [p.text for p in document_id.paragraphs if p.style.name == "Caption"]
    assert captions[0] == "Gambar 1. Jawaban per bidang"
    assert any("Dimensi masalah layanan" in c for c in captions)
    assert "Gambar 5. Tema teratas: Administrasi Kependudukan & Perizinan" in captions
    images = [r for r in document_id.part.rels.values() if "image" in r.reltype]
    assert all(r.target_part.blob[:8] == b"\x89PNG\r\n\x1a\n" for r in images)


def test_toc_field_and_update_on_open(document_id) -> None:  # type: ignore[no-untyped-def]
    body = document_id.element.body
    instructions = [i.text for i in body.iter() if i.tag.endswith("}instrText")]
    assert any(i.strip().startswith("TOC") and '\\o "1-3"' in i for i in instructions)
    assert document_id.settings.element.xpath("./w:updateFields")


def test_every_statement_carries_evidence(summary: dict[str, Any], texts) -> None:  # type: ignore[no-untyped-def]
    plan = plan_from_summary(summary, language="id", now=NOW, texts=texts)
    with_evidence = 0
    for part in (plan.overall, *plan.domains):
        for section in part.sections:
            for statement in section.statements:
                if statement.evidence is None:
                    # only list headings and [isi]/monitoring prompts may stand without evidence
                    assert (
                        statement.text.endswith(":")
                        or "[isi]" in statement.text
                        or ("Pantau" in statement.text)
                    ), statement.text
                else:
                    with_evidence += 1
    assert with_evidence > 40
    kesehatan = plan.domains[0]
    intro = kesehatan.sections[0].statements
    need = next(s for s in intro if s.text.startswith("puskesmas buka sampai sore"))
    assert need.text == "puskesmas buka sampai sore — 22 jawaban, 18 responden."
    assert need.evidence.theme_ids == ("kesehatan.citizen_need.1",)
    assert need.evidence.quotes[0].startswith("puskesmas buka sampe sore")
    strategy = kesehatan.sections[3].statements[0]
    assert "Rekrut tenaga kontrak" in strategy.text and strategy.evidence.row_ids == ("r-7.0.0",)
    unaddressed = [s.text for s in kesehatan.sections[6].statements]
    assert any("belum ditangani" in t and "dokter di pustu desa" in t for t in unaddressed)
    assert any('"obat lengkap"' in t for t in unaddressed)


def test_evidence_paragraphs_follow_statements(document_id) -> None:  # type: ignore[no-untyped-def]
    paragraphs = document_id.paragraphs
    bullets = [i for i, p in enumerate(paragraphs) if p.style.name == "List Bullet"]
    assert bullets
    for i in bullets:
        assert paragraphs[i + 1].style.name == EVIDENCE_STYLE
        assert paragraphs[i + 1].text.startswith("Bukti")
    texts = "\n".join(p.text for p in paragraphs)
    assert "tema kesehatan.citizen_need.1" in texts
    assert "«puskesmas buka sampe sore dong, kerja pagi gak sempet»" in texts
    assert "23 November 2026" in texts  # babel, Indonesian


def test_english_draft(summary: dict[str, Any], tmp_path: Path) -> None:
    path = write_draft(summary, out_dir=tmp_path, language="en", now=NOW)
    document = Document(str(path))
    parts = _parts(document)
    assert parts["Domain: Health"][:7] == [
        "1. Introduction: today's condition",
        "2. Objectives",
        "3. Supporting policies",
        "4. Implementation strategy",
        "5. Actions",
        "6. Expected results",
        "7. Recommendations",
    ]
    assert "Logical framework" in parts["Overall master plan"]
    assert "23 November 2026" in "\n".join(p.text for p in document.paragraphs)


def test_plan_is_pure_and_deterministic(summary: dict[str, Any], texts) -> None:  # type: ignore[no-untyped-def]
    before = copy.deepcopy(summary)
    first = plan_from_summary(summary, language="id", now=NOW, texts=texts)
    second = plan_from_summary(summary, language="id", now=NOW, texts=texts)
    assert first == second
    assert summary == before


def test_empty_campaign_still_gives_a_complete_skeleton(
    summary: dict[str, Any], tmp_path: Path
) -> None:
    empty = copy.deepcopy(summary)
    empty["domains"] = {}
    empty["counts"].update(answers=0, respondents=0, by_domain={}, by_source={})
    document = Document(str(write_draft(empty, out_dir=tmp_path, language="id", now=NOW)))
    assert _parts(document)["Rencana induk keseluruhan"] == SECTIONS_ID


def test_identical_staff_rows_are_merged_with_their_evidence(
    summary: dict[str, Any], texts
) -> None:  # type: ignore[no-untyped-def]
    doubled = copy.deepcopy(summary)
    gap = doubled["domains"]["kesehatan"]["gaps"][0]
    twin = copy.deepcopy(gap["staff_rows"][0])
    twin.update(
        row_id="r-8.0.0",
        answer_ids=[120, 121],
        targets={"2027": 40.0, "2028": 45.0, "2029": 60.0, "2030": 80.0, "2031": 100.0},
    )
    gap["staff_rows"].append(twin)
    plan = plan_from_summary(doubled, language="id", now=NOW, texts=texts)
    strategies = [s for s in plan.domains[0].sections[3].statements if "Rekrut" in s.text]
    assert len(strategies) == 1
    assert strategies[0].evidence.row_ids == ("r-7.0.0, r-8.0.0",)
    assert strategies[0].evidence.respondents == 2  # two officers' rows, not "1 responden"
    # one officer who filled in the same row twice is one respondent
    for row in gap["staff_rows"][-2:]:
        row["respondent"] = "staf-1"
    again = plan_from_summary(doubled, language="id", now=NOW, texts=texts)
    merged = [s for s in again.domains[0].sections[3].statements if "Rekrut" in s.text]
    assert merged[0].evidence.respondents == 1
    # officers who disagree: their range, not a mean none of them gave
    assert plan.domains[0].sections[5].table.rows[0][1] == "30–40"


@pytest.mark.parametrize(
    ("language", "shown"),
    [("id", ["12,34567", "1.250.000,5"]), ("en", ["12.34567", "1,250,000.5"])],
)
def test_targets_are_shown_exactly_as_stored(
    summary: dict[str, Any], texts, language: str, shown: list[str]
) -> None:  # type: ignore[no-untyped-def]
    precise = copy.deepcopy(summary)
    gap = precise["domains"]["kesehatan"]["gaps"][0]
    row = gap["staff_rows"][0]
    row["targets"] = {"2027": 12.34567, "2028": 1250000.5}
    row["indicator"] = "Kunjungan pasien sore (orang)"
    twin = copy.deepcopy(row)  # a second officer with the same row: the figures agree
    twin["row_id"] = "r-8.0.0"
    gap["staff_rows"].append(twin)
    plan = plan_from_summary(precise, language=language, now=NOW, texts=texts)
    row_cells = next(r for r in plan.domains[0].sections[5].table.rows if r[0] == row["indicator"])
    assert list(row_cells[1:3]) == shown
    statements = [s.text for s in plan.domains[0].sections[5].statements]
    assert any(f"2027: {shown[0]}; 2028: {shown[1]};" in text for text in statements)


def test_targets_of_officers_who_disagree_are_shown_as_their_range(
    summary: dict[str, Any], texts
) -> None:  # type: ignore[no-untyped-def]
    varied = copy.deepcopy(summary)
    gap = varied["domains"]["kesehatan"]["gaps"][0]
    row = gap["staff_rows"][0]
    row["targets"] = {"2027": 0.05, "2028": 30.0}
    twin = copy.deepcopy(row)
    twin.update(row_id="r-8.0.0", targets={"2027": 0.07, "2028": 45.0})
    gap["staff_rows"].append(twin)
    plan = plan_from_summary(varied, language="id", now=NOW, texts=texts)
    cells = next(r for r in plan.domains[0].sections[5].table.rows if r[0] == row["indicator"])
    assert list(cells[1:3]) == ["0,05–0,07", "30–45"]


def test_a_staff_row_answering_two_needs_lists_its_targets_once(
    summary: dict[str, Any], texts
) -> None:  # type: ignore[no-untyped-def]
    shared_row = copy.deepcopy(summary)
    gaps = shared_row["domains"]["kesehatan"]["gaps"]
    row = gaps[0]["staff_rows"][0]
    gaps[1]["staff_rows"] = [copy.deepcopy(row)]
    gaps[1]["status"] = "ditangani"
    plan = plan_from_summary(shared_row, language="id", now=NOW, texts=texts)
    for part, first_cell in ((plan.domains[0], row["indicator"]), (plan.overall, "Kesehatan")):
        results = part.sections[5]
        listed = [s for s in results.statements if row["indicator"] in s.text]
        assert len(listed) == 1
        assert (
            sum(1 for r in results.table.rows if first_cell in r[:2] and row["indicator"] in r[:2])
            == 1
        )
    # both needs still show the action that answers them
    actions = [s.text for s in plan.domains[0].sections[4].statements if row["strategy"] in s.text]
    assert len(actions) == 2


def test_venues_and_channels_are_named_in_words(summary: dict[str, Any], texts) -> None:  # type: ignore[no-untyped-def]
    sourced = copy.deepcopy(summary)
    sourced["counts"]["by_source"] = {"kantor_desa": 25, "-": 12, "impor:forms.csv": 4}
    for language, expected in (
        ("id", "kantor desa (25), tanpa keterangan tempat (12), formulir kertas forms.csv (4)"),
        ("en", "kantor desa (25), no venue given (12), paper forms forms.csv (4)"),
    ):
        plan = plan_from_summary(sourced, language=language, now=NOW, texts=texts)
        assert any(expected in s.text for s in plan.data_statements), language


def test_a_percentage_target_over_100_is_marked_for_checking(
    summary: dict[str, Any], texts
) -> None:  # type: ignore[no-untyped-def]
    odd = copy.deepcopy(summary)
    row = odd["domains"]["kesehatan"]["gaps"][0]["staff_rows"][0]
    assert "(%)" in row["indicator"]
    row["targets"] = {"2027": 90.0, "2031": 105.5}
    plan = plan_from_summary(odd, language="id", now=NOW, texts=texts)
    marked = f"{row['indicator']} [periksa: persentase di atas 100]"
    results = plan.domains[0].sections[5]
    assert any(r[0] == marked for r in results.table.rows)
    assert any(marked in s.text and "2031: 105,5" in s.text for s in results.statements)
    row["targets"] = {"2027": 90.0, "2031": 100.0}
    plan = plan_from_summary(odd, language="id", now=NOW, texts=texts)
    assert not any("[periksa" in r[0] for r in plan.domains[0].sections[5].table.rows)


def test_agency_plans_tied_to_no_top_need_still_appear(summary: dict[str, Any], texts) -> None:  # type: ignore[no-untyped-def]
    extra = copy.deepcopy(summary)
    health = extra["domains"]["kesehatan"]
    row = copy.deepcopy(health["gaps"][0]["staff_rows"][0])
    row.update(
        row_id="r-9.0.0",
        strategy="Antrean online lewat WhatsApp",
        realisation="Belum ada",
        indicator="Puskesmas dengan antrean online (unit)",
        targets={"2027": 2.0, "2028": 5.0},
    )
    health["staff_rows_without_need"] = [row]
    plan = plan_from_summary(extra, language="id", now=NOW, texts=texts)
    strategy, action, results = (plan.domains[0].sections[i] for i in (3, 4, 5))
    planned = [s for s in strategy.statements if "Antrean online lewat WhatsApp" in s.text]
    assert planned and planned[0].text.startswith("Rencana OPD yang tidak terkait kebutuhan")
    assert planned[0].evidence.row_ids == ("r-9.0.0",) and planned[0].evidence.theme_ids == ()
    assert any(
        "Antrean online lewat WhatsApp — rencana OPD sendiri" in s.text for s in action.statements
    )
    assert any(r[0] == "Puskesmas dengan antrean online (unit)" for r in results.table.rows)


def test_the_introduction_says_why_citizens_need_it(summary: dict[str, Any], texts) -> None:  # type: ignore[no-untyped-def]
    plan = plan_from_summary(summary, language="id", now=NOW, texts=texts)
    intro = [s.text for s in plan.domains[0].sections[0].statements]
    heading = intro.index("Mengapa warga membutuhkannya (alasan yang paling sering disebut):")
    assert intro[heading + 1].startswith("kerja sampai sore — ")
    assert heading < next(i for i, t in enumerate(intro) if t.startswith("Hambatan"))


def test_no_policy_is_drafted_from_one_or_two_answers(summary: dict[str, Any], texts) -> None:  # type: ignore[no-untyped-def]
    thin = copy.deepcopy(summary)
    health = thin["domains"]["kesehatan"]
    health["dimensions"] = {code: 0 for code in health["dimensions"]} | {
        "inefisiensi": 1,
        "anggaran": 2,
    }
    plan = plan_from_summary(thin, language="id", now=NOW, texts=texts)
    [only] = plan.domains[0].sections[2].statements
    assert only.text.startswith("Tiap dimensi masalah baru disebut kurang dari 3 jawaban")
    health["dimensions"]["anggaran"] = 3
    plan = plan_from_summary(thin, language="id", now=NOW, texts=texts)
    policies = plan.domains[0].sections[2].statements[1:]
    assert len(policies) == 1 and "Anggaran" in policies[0].text


def test_english_counts_of_one_are_singular_and_thin_dimensions_are_not_prioritised(
    summary: dict[str, Any], texts
) -> None:  # type: ignore[no-untyped-def]
    small = copy.deepcopy(summary)
    health = small["domains"]["kesehatan"]
    health.update(respondents=1, answers=11)
    health["dimensions"] = {code: 0 for code in health["dimensions"]} | {"inefisiensi": 1}
    plan = plan_from_summary(small, language="en", now=NOW, texts=texts)
    part = next(d for d in plan.domains if d.code == "kesehatan")
    assert "1 respondent gave 11 answers" in part.sections[0].statements[0].text
    recommendations = " ".join(s.text for s in part.sections[6].statements)
    assert "Inefficiency" not in recommendations  # one answer is no priority


def test_agency_rows_answering_only_lower_needs_appear_once(summary: dict[str, Any], texts) -> None:  # type: ignore[no-untyped-def]
    deep = copy.deepcopy(summary)
    gaps = deep["domains"]["kesehatan"]["gaps"]
    row = copy.deepcopy(gaps[0]["staff_rows"][0])
    row.update(
        row_id="r-9.0.0", strategy="Posyandu lansia keliling", indicator="Posyandu lansia (unit)"
    )
    template = copy.deepcopy(gaps[-1])
    while len(gaps) < 7:  # needs 4 and 5 fill the top 5; 6 and 7 share one agency row
        extra = copy.deepcopy(template)
        lower = len(gaps) >= 5
        extra.update(
            need_theme_id=f"kesehatan.citizen_need.{len(gaps) + 1}",
            respondent_count=1 if lower else 50,
            answer_count=1 if lower else 50,
            staff_rows=[copy.deepcopy(row)] if lower else [],
            status="ditangani" if lower else "belum_ditangani",
        )
        gaps.append(extra)
    also_top = copy.deepcopy(gaps[0]["staff_rows"][0])  # a top need's row, also on need 7
    gaps[-1]["staff_rows"].append(also_top)
    plan = plan_from_summary(deep, language="id", now=NOW, texts=texts)
    strategy = [s.text for s in plan.domains[0].sections[3].statements]
    assert sum("Posyandu lansia keliling" in t for t in strategy) == 1
    assert not any(
        t.startswith("Rencana OPD yang tidak terkait") and also_top["strategy"] in t
        for t in strategy
    )
