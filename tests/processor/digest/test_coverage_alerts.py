"""The digest opens with coverage alerts (issue 14): where to send the QR posters next."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from processor.coverage import coverage_summary
from processor.digest import compose_digest
from processor.pipeline import CITIZEN_KINDS
from shared.survey_data import SurveyData, Wilayah

END = datetime(2026, 11, 30, 0, 0, tzinfo=UTC)
WILAYAH = Wilayah.model_validate(
    {
        "regency": "Kabupaten Contoh",
        "kecamatan": [
            {"code": "kota", "name": "Kota", "population": 50000},
            {"code": "hulu", "name": "Hulu <Atas>", "population": 30000},
            {"code": "hilir", "name": "Hilir", "population": 20000},
        ],
        "population_shares": {"sex": {"female": 0.5, "male": 0.5}},
    }
)


def _coverage(survey_data: SurveyData) -> dict:
    people = [f"c{i}" for i in range(40)]
    texts = pd.DataFrame(
        [{"respondent": p, "kind": "citizen_need", "domain": "kesehatan"} for p in people]
    )
    place = ["kota"] * 37 + ["hulu"] * 3
    sex = ["female"] * 34 + ["male"] * 6
    profiles = pd.DataFrame(
        {
            "respondent": people,
            "kecamatan": place,
            "desa": None,
            "age_band": None,
            "sex": sex,
            "disability": None,
        }
    )
    return coverage_summary(
        texts, profiles, kinds=CITIZEN_KINDS, wilayah=WILAYAH, profile=survey_data.profile
    )


def _message(summary: dict, survey_data: SurveyData, language: str = "id") -> str:
    return "\n".join(
        compose_digest(
            summary,
            None,
            language=language,
            messages=survey_data.messages,
            period_start=None,
            period_end=END,
        )
    )


def test_digest_opens_with_empty_and_thin_kecamatan_and_groups_below_their_share(
    summary: dict[str, Any], survey_data: SurveyData
) -> None:
    with_coverage = copy.deepcopy(summary)
    with_coverage["coverage"] = _coverage(survey_data)
    message = _message(with_coverage, survey_data)
    alerts = message.split("📍 <b>Cakupan</b>\n")[1].split("\n\n")[0]
    assert alerts.splitlines() == [
        "Belum ada responden dari: Hilir.",
        "Sangat sedikit (&lt; 5) dari: Hulu &lt;Atas&gt;.",
        "Laki-laki: 15% responden, jauh di bawah porsinya di penduduk (50%).",
        "Sebarkan poster QR di sana berikutnya.",
    ]
    # First: before what needs a decision and the domains.
    assert message.index("Cakupan") < message.index("belum ditangani OPD")
    english = _message(with_coverage, survey_data, "en")
    assert "No respondents yet from: Hilir." in english
    assert "Male: 15% of respondents, far below their share of residents (50%)." in english


def test_no_alert_block_without_coverage_or_alerts(
    summary: dict[str, Any], survey_data: SurveyData
) -> None:
    assert "Cakupan" not in _message(summary, survey_data)
    quiet = copy.deepcopy(summary)
    quiet["coverage"] = {**_coverage(survey_data), "alerts": []}
    assert "Cakupan" not in _message(quiet, survey_data)
