"""SKM answers in the database become summary.json's `ikm`, the IKM sheet and the digest."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from processor.analysis import run_analysis
from processor.digest import compose_digest
from shared.models import Instrument
from shared.survey_data import SKM_ELEMENTS
from tests.processor.conftest import NOW
from tests.processor.test_ikm import HAND_NRR, SCORES


def _skm(consultation, name: str, unit: str, domain: str, scores: dict, **extra):  # type: ignore[no-untyped-def]
    run = consultation.run(
        consultation.respondent(name),
        [(domain, [], {**{e: str(v) for e, v in scores.items()}, **extra})],
        instrument=Instrument.skm,
    )
    run.service_unit = unit
    consultation.session.add(run)
    return run


def test_ikm_from_stored_skm_runs(consultation, engine, survey_data, tools, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    c = consultation
    for n in range(4):  # the hand-computed example of test_ikm
        scores = {element: values[n] for element, values in SCORES.items()}
        extra = {"saran": "Tambah kursi di ruang tunggu"} if n == 0 else {}
        _skm(c, f"skm{n}", "dukcapil", "adminduk_perizinan", scores, **extra)
    _skm(c, "hapus", "dukcapil", "adminduk_perizinan", {e: 1 for e in SKM_ELEMENTS})
    c.respondent("hapus", erased=True)
    _skm(c, "rs", "rsud", "kesehatan", {e: 4 for e in SKM_ELEMENTS})
    c.session.commit()

    result = run_analysis(
        engine=engine,
        campaign_code="uji",
        out_dir=tmp_path,
        now=NOW,
        survey_data=survey_data,
        tools=tools,
    )
    summary = result.summary
    dukcapil, rsud = summary["ikm"]
    assert dukcapil["name"] == "Dinas Kependudukan dan Pencatatan Sipil"
    assert (dukcapil["period"], dukcapil["respondents"]) == ("2026-S2", 4)
    assert dukcapil["nrr"] == HAND_NRR
    assert (dukcapil["ikm"], dukcapil["grade"]) == (77.78, "B")
    assert dukcapil["below_minimum_sample"] and dukcapil["minimum_sample"] == 361
    assert (rsud["ikm"], rsud["grade"], rsud["respondents"]) == (100.0, "A", 1)
    # The closing suggestion joins the analysis as a citizen suggestion for the domain.
    strategies = summary["domains"]["adminduk_perizinan"]["themes"]["citizen_strategy"]
    assert any("Tambah kursi di ruang tunggu" in theme["quotes"] for theme in strategies)

    sheet = openpyxl.load_workbook(result.xlsx_path)["IKM"]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    first = dict(zip(header, rows[1], strict=True))
    assert first["unit layanan"] == "Dinas Kependudukan dan Pencatatan Sipil"
    assert first["NRR perilaku"] == 3.75 and first["IKM"] == 77.78 and first["mutu"] == "B"
    assert "sampel minimum" in first["catatan"]

    parts = compose_digest(
        summary,
        None,
        language="id",
        messages=survey_data.messages,
        period_start=None,
        period_end=NOW,
    )
    text = "\n".join(parts)
    assert "Indeks Kepuasan Masyarakat" in text
    assert "IKM <b>77,78</b> · mutu B (Baik) · 4 responden" in text
    assert "di bawah sampel minimum" in text
