"""The draft's plan, built from the evidence (processor.draft): the hand-made campaign of
tests/processor/handmade.py through the real analysis, and the digest fixture summary."""

from __future__ import annotations

import copy
import json
import re
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from processor.analysis import analyse, build_summary
from processor.draft import load_draft_texts, plan_from_summary
from processor.draft.content import DraftPlan, Part, Statement
from shared.survey_data import SurveyData
from tests.processor.handmade import handmade_answers

NOW = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)
FIXTURE = Path(__file__).parent / "digest" / "fixtures" / "summary.json"
CAMPAIGN = {"code": "hm", "name": "Uji", "plan_years": [2027, 2028, 2029, 2030, 2031]}
FILL = "[isi"


@pytest.fixture(scope="module")
def texts():  # type: ignore[no-untyped-def]
    return load_draft_texts()


@pytest.fixture(scope="module")
def handmade(tools, survey_data: SurveyData) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    runs = pd.DataFrame(columns=["run_id", "respondent", "status", "source", "instrument"])
    analysis = analyse(
        campaign=CAMPAIGN,
        runs=runs,
        answers=handmade_answers(),
        survey_data=survey_data,
        tools=tools,
    )
    return json.loads(json.dumps(build_summary(analysis, survey_data=survey_data, now=NOW)))


@pytest.fixture
def fixture_summary() -> dict[str, Any]:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def _part(plan: DraftPlan, heading: str) -> Part:
    return next(p for p in plan.parts if p.heading == heading)


def _section(part: Part, number: int) -> list[Statement]:
    return list(next(s for s in part.sections if s.title.startswith(f"{number}.")).statements)


def _plan(summary, texts, innovations=(), language="id") -> DraftPlan:  # type: ignore[no-untyped-def]
    return plan_from_summary(
        summary, language=language, now=NOW, texts=texts, innovations=innovations
    )


def test_a_need_answered_only_through_its_suggestion_gets_that_agency_action(
    handmade, texts, survey_data
) -> None:  # type: ignore[no-untyped-def]
    plan = _plan(handmade, texts, survey_data.innovations.innovations)
    health = _part(plan, "Bidang Kesehatan")
    actions = _section(health, 5)
    start = next(i for i, s in enumerate(actions) if s.text.startswith("Untuk «Persalinan aman"))
    following = actions[start + 1 :]
    end = next((i for i, s in enumerate(following) if s.evidence is None), len(following))
    birth_actions = following[:end]
    agency = [s for s in birth_actions if "Bangun rumah tunggu kelahiran" in s.text]
    assert agency, [s.text for s in birth_actions]
    sources = agency[0].evidence.sources
    assert [s.kind for s in sources] == ["agency"] and sources[0].ref == "901.0.0"
    # every action names at least one source
    assert all(s.evidence.sources for s in birth_actions)


def test_a_shared_place_name_brings_no_agency_action(handmade, texts) -> None:  # type: ignore[no-untyped-def]
    plan = _plan(handmade, texts)
    works = _part(plan, "Bidang Pekerjaan Umum dan Penataan Ruang")
    water_objective = _section(works, 2)[0].text
    assert "Air bersih di sukamaju" in water_objective
    # no agency indicator: the citizens' share, with a proposed target to check, no blank
    assert "83,3 %" in water_objective and "[periksa: usulan" in water_objective
    assert FILL not in water_objective
    actions = _section(works, 5)
    other = next(i for i, a in enumerate(actions) if a.text == "Rencana OPD lain:")
    water_sources = [src for a in actions[:other] if a.evidence for src in a.evidence.sources]
    assert water_sources and all(src.ref != "902.0.0" for src in water_sources)
    road = actions[other + 1]
    assert "Aspal jalan poros sukamaju" in road.text and road.evidence.row_ids == ("902.0.0",)


def test_citizen_suggestions_become_actions_with_their_counts(handmade, texts) -> None:  # type: ignore[no-untyped-def]
    plan = _plan(handmade, texts)
    works = _part(plan, "Bidang Pekerjaan Umum dan Penataan Ruang")
    actions = [s for s in _section(works, 5) if s.evidence and s.evidence.sources]
    pipe = next(s for s in actions if "Perbaiki pipa pdam" in s.text)
    citizen = pipe.evidence.sources[0]
    assert citizen.kind == "citizen" and citizen.answers == 5


def test_objectives_are_measurable_and_results_name_their_indicator(handmade, texts) -> None:  # type: ignore[no-untyped-def]
    plan = _plan(handmade, texts)
    health = _part(plan, "Bidang Kesehatan")
    queue = next(s for s in _section(health, 2) if "Antrean puskesmas" in s.text)
    assert "Puskesmas dengan antrean daring" in queue.text and "menjadi 9 pada 2031" in queue.text
    result = next(s for s in _section(health, 6) if "Antrean puskesmas" in s.text)
    assert "Puskesmas dengan antrean daring" in result.text and "2027: 3" in result.text
    # the realisation answer's lone figure is offered as the baseline, to be checked
    assert "nilai awal" in result.text


def test_policies_are_domain_specific_name_an_instrument_and_never_repeat(handmade, texts) -> None:  # type: ignore[no-untyped-def]
    plan = _plan(handmade, texts)
    sentences = [
        s.text
        for part in plan.parts
        for section in part.sections
        if section.title.startswith("3.")
        for s in section.statements
        if s.evidence is not None
    ]
    assert sentences
    instruments = {
        "Peraturan Bupati",
        "SOP",
        "Standar Pelayanan dan Maklumat Pelayanan",
        "Maklumat Pelayanan",
        "Penerapan SPM",
        "Perjanjian kerja sama",
        "Keputusan Bupati",
    }
    assert {s.split(":")[0] for s in sentences} <= instruments
    assert all("kesehatan" in s for s in sentences)  # the domain's own service
    assert not [s for s, n in Counter(sentences).items() if n > 1]


def test_staff_fields_flow_into_logframe_and_workplan(handmade, texts) -> None:  # type: ignore[no-untyped-def]
    summary = copy.deepcopy(handmade)
    gap = next(
        g
        for g in summary["domains"]["kesehatan"]["gaps"]
        if g["staff_rows"] and g["staff_rows"][0]["row_id"] == "900.0.0"
    )
    gap["staff_rows"][0].update(
        opd={
            "code": "dinkes",
            "name": {"id": "Dinas Kesehatan", "en": "Health Office"},
            "short": "Dinkes",
        },
        unit={"code": "unit", "name": {"id": "unit", "en": "units"}, "whole": True},
        baseline={"value": 2, "year": 2025},
        budget={"2027": 150_000_000, "2028": 250_000_000},
        targets={"2027": 3.4, "2028": 5, "2029": 7, "2030": 8, "2031": 9},
    )
    plan = _plan(summary, texts)
    health = _part(plan, "Bidang Kesehatan")
    logframe, workplan = health.tables
    header = list(logframe.header)
    assert header == [
        "Tingkat",
        "Uraian",
        "Indikator",
        "Satuan",
        "Nilai awal (tahun)",
        "2027",
        "2028",
        "2029",
        "2030",
        "2031",
        "OPD penanggung jawab",
        "Cara verifikasi",
        "Asumsi",
    ]
    output = next(
        r for r in logframe.rows if r[0] == "Keluaran" and "Puskesmas dengan antrean daring" in r[2]
    )
    assert output[3] == "unit" and output[4] == "2 (2025)"
    assert output[5] == "3"  # whole units never show decimals
    assert output[10] == "Dinas Kesehatan"
    assert "Dinas Kesehatan" in output[11]  # verified from the agency's own data
    row = next(r for r in workplan.rows if "Pendaftaran daring" in r[0])
    assert row[3] == "Dinas Kesehatan" and row[4:6] == ("150", "250")
    overall = _part(plan, "Rencana induk keseluruhan")
    budget = overall.tables[0]
    assert budget.rows[0][:3] == ("Dinas Kesehatan", "150", "250") and budget.rows[-1][-1] == "400"
    # the same row answering a second need is one activity, budgeted once
    other = next(g for g in summary["domains"]["kesehatan"]["gaps"] if g is not gap)
    other["staff_rows"] = [gap["staff_rows"][0]]
    again = _part(_plan(summary, texts), "Rencana induk keseluruhan").tables[0]
    assert again.rows[-1][-1] == "400"
    workplan = _part(_plan(summary, texts), "Bidang Kesehatan").tables[1]
    queue = [r for r in workplan.rows if "Pendaftaran daring" in r[0]]
    assert len(queue) == 1 and ";" in queue[0][1]  # both needs it answers


def test_small_domains_and_leftovers_go_to_the_annex(handmade, texts) -> None:  # type: ignore[no-untyped-def]
    summary = copy.deepcopy(handmade)
    summary["domains"]["energi"] = {
        "name": {"id": "Energi", "en": "Energy"},
        "respondents": 1,
        "answers": 2,
        "themes": {},
        "other_inputs": {"citizen_need": [{"text": "lampu penerangan di dermaga", "answers": 1}]},
    }
    plan = _plan(summary, texts)
    headings = [p.heading for p in plan.parts]
    assert "Bidang Energi" not in headings
    annex = _part(plan, "Lampiran: masukan lain")
    energy = next(s for s in annex.sections if s.title == "Energi")
    assert any("lampu penerangan di dermaga" in s.text for s in energy.statements)
    assert "dermaga" not in str([s for s in plan.charts])


def test_every_statement_with_a_figure_carries_evidence(fixture_summary, texts) -> None:  # type: ignore[no-untyped-def]
    plan = _plan(fixture_summary, texts)
    for part in plan.parts:
        for section in part.sections:
            for statement in section.statements:
                has_count = re.search(r"\d (jawaban|responden)", statement.text)
                if has_count and not statement.text.endswith(":"):
                    assert statement.evidence is not None, statement.text


def test_plan_is_pure_and_deterministic(fixture_summary, texts) -> None:  # type: ignore[no-untyped-def]
    before = copy.deepcopy(fixture_summary)
    assert _plan(fixture_summary, texts) == _plan(fixture_summary, texts)
    assert fixture_summary == before


def test_officers_who_disagree_are_a_range_and_agreeing_figures_stay_exact(
    fixture_summary, texts
) -> None:  # type: ignore[no-untyped-def]
    gap = fixture_summary["domains"]["kesehatan"]["gaps"][0]
    row = gap["staff_rows"][0]
    row["targets"] = {"2027": 12.34567, "2028": 30.0}
    twin = copy.deepcopy(row)
    twin.update(row_id="r-8.0.0", respondent="staf-2", targets={"2027": 12.34567, "2028": 45.0})
    gap["staff_rows"].append(twin)
    plan = _plan(fixture_summary, texts)
    health = _part(plan, "Bidang Kesehatan")
    table = next(t for s in health.sections for t in s.tables)
    cells = next(r for r in table.rows if r[0].startswith(row["indicator"]))
    assert cells[3:5] == ("12,34567", "30–45")
    agency = next(s for s in _section(health, 5) if "Rekrut" in s.text)
    assert agency.evidence.row_ids == ("r-7.0.0, r-8.0.0",)


def test_a_percentage_target_over_100_is_marked(fixture_summary, texts) -> None:  # type: ignore[no-untyped-def]
    row = fixture_summary["domains"]["kesehatan"]["gaps"][0]["staff_rows"][0]
    row["targets"]["2031"] = 140.0
    health = _part(_plan(fixture_summary, texts), "Bidang Kesehatan")
    table = next(t for s in health.sections for t in s.tables)
    assert any("[periksa: persentase di atas 100]" in r[0] for r in table.rows)


def test_english_is_the_same_document(fixture_summary, texts) -> None:  # type: ignore[no-untyped-def]
    indonesian, english = (
        _plan(fixture_summary, texts),
        _plan(fixture_summary, texts, language="en"),
    )
    assert len(indonesian.parts) == len(english.parts)
    for id_part, en_part in zip(indonesian.parts, english.parts, strict=True):
        assert len(id_part.sections) == len(en_part.sections)
        assert [len(s.statements) for s in id_part.sections] == [
            len(s.statements) for s in en_part.sections
        ]
        assert [t.header[0] for t in en_part.tables] == [
            ("Level" if t.header[0] == "Tingkat" else t.header[0]) for t in en_part.tables
        ]
    assert english.parts[0].heading == "Introduction"


def test_the_introduction_states_basis_method_participation_and_limits(
    fixture_summary, texts
) -> None:  # type: ignore[no-untyped-def]
    intro = _plan(fixture_summary, texts).parts[0]
    assert [s.title for s in intro.sections] == [
        "Dasar hukum",
        "Metode",
        "Siapa yang berpartisipasi",
        "Keterbatasan",
    ]
    basis = " ".join(s.text for s in intro.sections[0].statements)
    for law in ("Nomor 25 Tahun 2009", "Nomor 2 Tahun 2018", "Nomor 91 Tahun 2021"):
        assert law in basis
    limits = " ".join(s.text for s in intro.sections[3].statements)
    assert "Profil responden" in limits


def test_the_whole_plan_states_each_domain_s_first_objective_and_every_result(
    fixture_summary, texts
) -> None:  # type: ignore[no-untyped-def]
    overall = _part(_plan(fixture_summary, texts), "Rencana induk keseluruhan")
    objectives = [s.text for s in _section(overall, 2)]
    assert objectives[0].startswith("Kesehatan: Kebutuhan warga «")
    results = next(s for s in overall.sections if s.title.startswith("6.")).tables[0]
    assert results.header[:3] == ("Bidang", "Kebutuhan yang dijawab", "Indikator")
    assert len(results.rows) == sum(
        min(5, len([t for t in d["themes"]["citizen_need"] if not t["id"].endswith(".0")]))
        for d in fixture_summary["domains"].values()
    )


def test_empty_campaign_still_gives_a_complete_skeleton(fixture_summary, texts) -> None:  # type: ignore[no-untyped-def]
    fixture_summary["domains"] = {}
    plan = _plan(fixture_summary, texts)
    overall = _part(plan, "Rencana induk keseluruhan")
    assert [s.title[:2] for s in overall.sections] == ["1.", "2.", "3.", "4.", "5.", "6.", "7."]


def test_a_dimension_several_domains_share_gets_one_cross_agency_policy(
    fixture_summary, texts
) -> None:  # type: ignore[no-untyped-def]
    for code in ("kesehatan", "pekerjaan_umum"):
        fixture_summary["domains"][code]["dimensions"] = {"kurang_responsif": 6}
    fixture_summary["domains"]["adminduk_perizinan"]["dimensions"] = {"birokratis": 4}
    plan = _plan(fixture_summary, texts)
    overall = _section(_part(plan, "Rencana induk keseluruhan"), 3)
    shared = [s.text for s in overall if s.evidence is not None]
    assert len(shared) == 1 and shared[0].startswith("Peraturan Bupati lintas OPD:")
    assert "Kesehatan" in shared[0] and "Pekerjaan Umum" in shared[0]
    health = [s.text for s in _section(_part(plan, "Bidang Kesehatan"), 3) if s.evidence]
    assert health[0].startswith("SOP:") and "melaksanakan Peraturan Bupati lintas OPD" in health[0]
    permits = [
        s.text
        for s in _section(_part(plan, "Bidang Administrasi Kependudukan & Perizinan"), 3)
        if s.evidence
    ]
    assert permits[0].startswith("SOP:") and "lintas OPD" not in permits[0]


def test_the_method_states_coverage_and_its_limits_in_words(
    fixture_summary, texts, survey_data: SurveyData
) -> None:  # type: ignore[no-untyped-def]
    from processor.coverage import coverage_summary
    from processor.pipeline import CITIZEN_KINDS

    people = [f"c{i}" for i in range(30)]
    answers = pd.DataFrame(
        [{"respondent": p, "kind": "citizen_need", "domain": "kesehatan"} for p in people]
    )
    profiles = pd.DataFrame(
        {
            "respondent": people[:25],
            "kecamatan": ["tungkal_ilir"] * 20 + ["betara"] * 5,
            "desa": None,
            "age_band": ["25_39"] * 25,
            "sex": ["female"] * 25,
            "disability": None,
        }
    )
    summary = copy.deepcopy(fixture_summary)
    summary["coverage"] = coverage_summary(
        answers,
        profiles,
        kinds=CITIZEN_KINDS,
        wilayah=survey_data.wilayah,
        profile=survey_data.profile,
    )
    for language, words in (
        ("id", ("25 dari 30 warga mengisi profil", "2 dari 13 kecamatan", "bukan sampel acak")),
        (
            "en",
            (
                "25 of 30 citizens gave a short profile",
                "2 of the 13 kecamatan",
                "not a random sample",
            ),
        ),
    ):
        intro = _plan(summary, texts, language=language).parts[0]
        method = " ".join(s.text for s in intro.sections[1].statements)
        for phrase in words:
            assert phrase in method, (language, phrase)
        limits = " ".join(s.text for s in intro.sections[3].statements)
        assert "Profil responden" not in limits  # no longer "not collected"
    assert "Muara Papalik" in " ".join(
        s.text for s in _plan(summary, texts).parts[0].sections[1].statements
    )
