"""Profile columns of an imported paper form, read as the bot's codes (pure)."""

from __future__ import annotations

import pytest

from processor.profile_columns import profile_codes
from shared.survey_data import load_survey_data


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("34", "25_39"),
        ("Di bawah 25 tahun", "under_25"),
        ("25–39 tahun", "25_39"),
        ("40-59 thn", "40_59"),
        ("60 tahun ke atas", "60_plus"),
        ("60 ke atas", "60_plus"),
        ("under_25", "under_25"),
    ],
)
def test_an_age_band_is_read_as_written_on_the_form(written: str, code: str) -> None:
    problems: list[str] = []
    assert profile_codes({"profile_age_band": written}, problems) == {"profile_age_band": code}
    assert problems == []


def test_every_age_label_the_bot_shows_is_read_back_as_its_code() -> None:
    profile = load_survey_data().profile
    question = next(q for q in profile.questions if q.id == "age_band")
    for option in question.options:
        for label in (option.label.id, option.label.en):
            assert profile_codes({"profile_age_band": label}, []) == {
                "profile_age_band": option.value
            }, label


def test_an_unreadable_age_is_a_problem_not_a_guess() -> None:
    problems: list[str] = []
    assert profile_codes({"profile_age_band": "seratus tahun"}, problems) == {}
    assert problems == ["age_band: unknown value 'seratus tahun'"]
