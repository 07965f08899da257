"""The draft's IKM: a chapter with the units' table and chart, and the goal indicator."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from docx import Document

from processor.draft import plan_from_summary, write_draft
from processor.draft.content import load_draft_texts
from tests.processor.test_ikm import HAND_NRR

NOW = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)
FIXTURE = Path(__file__).parent / "digest" / "fixtures" / "summary.json"


def _entry(code: str, name: str, domain: str, ikm: float, grade: str, period: str) -> dict:
    return {
        "code": code,
        "name": name,
        "domain": domain,
        "period": period,
        "respondents": 4,
        "nrr": HAND_NRR,
        "ikm": ikm,
        "grade": grade,
        "grade_label": {"id": "Baik", "en": "Good"},
        "population": 6000,
        "minimum_sample": 361,
        "below_minimum_sample": True,
    }


def _summary(ikm: list[dict]) -> dict[str, Any]:
    summary = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return {**summary, "schema_version": 3, "ikm": ikm}


UNITS = [
    _entry("dukcapil", "Dukcapil", "adminduk_perizinan", 70.0, "C", "2026-S1"),
    _entry("dukcapil", "Dukcapil", "adminduk_perizinan", 77.78, "B", "2026-S2"),
    _entry("rsud", "RSUD", "kesehatan", 80.5, "B", "2026-S2"),
    _entry("puskesmas", "Puskesmas Kota", "kesehatan", 90.0, "A", "2026-S2"),
]


def _goal_rows(plan) -> dict[str, tuple[str, ...]]:  # type: ignore[no-untyped-def]
    goals = {}
    for part in plan.parts:
        for table in part.tables:
            for row in table.rows:
                if row and row[0] == "Tujuan umum":
                    goals[part.heading] = row
    return goals


def test_goal_indicator_is_the_units_ikm_with_todays_value() -> None:
    plan = plan_from_summary(_summary(UNITS), language="id", now=NOW, texts=load_draft_texts())
    goals = {heading: row for heading, row in _goal_rows(plan).items()}
    adminduk = next(row for heading, row in goals.items() if "Administrasi" in heading)
    # One unit in the domain: "IKM <unit>", its latest period's value the baseline.
    assert adminduk[2] == "Indeks Kepuasan Masyarakat (IKM) Dukcapil"
    assert adminduk[4].startswith("77,78 (mutu B, Baik; periode 2026-S2, 4 responden)")
    health = next(row for heading, row in goals.items() if "Kesehatan" in heading)
    below = "[periksa: di bawah sampel minimum 361]"
    assert health[4] == f"RSUD 80,50 (B) {below}; Puskesmas Kota 90,00 (A) {below}"
    roads = next(row for heading, row in goals.items() if "Pekerjaan" in heading)
    assert roads[4] == "[isi: IKM terakhir]"  # no unit of that domain ran the SKM

    [chapter] = [part for part in plan.parts if part.heading == "Indeks Kepuasan Masyarakat (IKM)"]
    assert chapter.chart == "ikm" and ("ikm", "Nilai rata-rata unsur SKM per unit layanan") in (
        plan.charts
    )
    [table] = chapter.sections[0].tables
    assert table.header == ("Unsur pelayanan", "Dukcapil", "RSUD", "Puskesmas Kota")
    assert table.rows[6] == ("Perilaku pelaksana", "3,75", "3,75", "3,75")
    assert table.rows[-2:] == (
        ("IKM (25–100)", "77,78", "80,50", "90,00"),
        ("Mutu pelayanan", "B", "B", "A"),
    )
    assert "di bawah sampel minimum" in chapter.sections[0].statements[1].text


def test_no_skm_keeps_the_placeholder_and_adds_no_chapter() -> None:
    plan = plan_from_summary(_summary([]), language="id", now=NOW, texts=load_draft_texts())
    assert all(row[4] == "[isi: IKM terakhir]" for row in _goal_rows(plan).values())
    assert all(key != "ikm" for key, _ in plan.charts)


def test_the_document_carries_the_ikm_chart(tmp_path: Path) -> None:
    without = Document(
        str(write_draft(_summary([]), out_dir=tmp_path / "a", language="en", now=NOW))
    )
    with_ikm = Document(
        str(write_draft(_summary(UNITS), out_dir=tmp_path / "b", language="en", now=NOW))
    )
    assert len(with_ikm.inline_shapes) == len(without.inline_shapes) + 1
    texts = "\n".join(p.text for p in with_ikm.paragraphs)
    assert "Community Satisfaction Index (IKM)" in texts
    assert "IKM = Σ(NRR × 1/9) × 25" in texts


def test_goal_targets_rise_to_the_next_grade_marked_for_checking() -> None:
    plan = plan_from_summary(_summary(UNITS), language="id", now=NOW, texts=load_draft_texts())
    goals = _goal_rows(plan)
    adminduk = next(row for heading, row in goals.items() if "Administrasi" in heading)
    # Under the minimum sample (4 of 361): the baseline says so.
    assert adminduk[4].endswith("[periksa: di bawah sampel minimum 361]")
    # B 77,78 -> A's lower bound 88,31 by the last of the five plan years, linearly.
    assert adminduk[5:10] == (
        "≥ 79,89 [periksa]",
        "≥ 81,99 [periksa]",
        "≥ 84,10 [periksa]",
        "≥ 86,20 [periksa]",
        "≥ 88,31 [periksa]",
    )
    health = next(row for heading, row in goals.items() if "Kesehatan" in heading)
    assert health[4].count("[periksa: di bawah sampel minimum 361]") == 2
    # An A unit keeps A's lower bound; a B unit climbs to it.
    assert health[9] == "RSUD ≥ 88,31; Puskesmas Kota ≥ 88,31 [periksa]"
    assert health[5] == "RSUD ≥ 82,06; Puskesmas Kota ≥ 88,31 [periksa]"
    roads = next(row for heading, row in goals.items() if "Pekerjaan" in heading)
    assert roads[5:10] == ("[isi: target]",) * 5  # no SKM: no baseline, no proposal


def test_under_sample_wording_names_the_source_and_a_provisional_baseline() -> None:
    plan = plan_from_summary(_summary(UNITS), language="id", now=NOW, texts=load_draft_texts())
    [chapter] = [part for part in plan.parts if part.heading == "Indeks Kepuasan Masyarakat (IKM)"]
    text = chapter.sections[0].statements[1].text
    assert "populasi penerima layanan 6.000 per periode" in text
    assert "Krejcie–Morgan PermenPANRB 14/2017" in text
    assert "nilai awal sementara" in text


def test_nrr_of_three_shows_two_decimals() -> None:
    whole = _entry("rsud", "RSUD", "kesehatan", 75.0, "C", "2026-S2")
    whole = {**whole, "nrr": dict.fromkeys(HAND_NRR, 3.0), "below_minimum_sample": False}
    plan = plan_from_summary(_summary([whole]), language="id", now=NOW, texts=load_draft_texts())
    [chapter] = [part for part in plan.parts if part.heading == "Indeks Kepuasan Masyarakat (IKM)"]
    assert chapter.sections[0].tables[0].rows[0][1] == "3,00"
    goal = next(row for row in _goal_rows(plan).values() if row[4].startswith("75,00"))
    assert "[periksa: di bawah sampel minimum" not in goal[4]
    assert goal[9] == "≥ 76,61 [periksa]"  # C -> B's lower bound
