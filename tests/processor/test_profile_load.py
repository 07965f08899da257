"""Profiles reach the analysis apart from the answers: from the bot's profile rows (never an
erased respondent's) and from the profile columns of imported forms (issue 14)."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
from sqlalchemy.engine import Engine
from sqlmodel import Session

from processor.importer import parse_rows
from processor.load import load_campaign_frames
from shared import crud
from shared.models import ImportedAnswer, Respondent, RespondentProfile, SurveyRun
from shared.survey_data import SurveyData

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def test_form_profile_columns_become_codes(survey_data: SurveyData) -> None:
    frame = pd.DataFrame(
        {
            "kebutuhan": ["jalan diaspal", "air bersih", "lampu jalan"],
            "kecamatan": ["Tungkal Ilir", "Bram Itam", ""],
            "usia": ["34", "60 ke atas", "seratus"],
            "jenis_kelamin": ["P", "laki-laki", ""],
            "disabilitas": ["tidak", "", ""],
        }
    )
    good, errors = parse_rows(
        frame,
        instrument="external",
        domains=survey_data.domains,
        plan_years=[2027, 2028, 2029, 2030, 2031],
        max_length=200,
    )
    assert [g.texts for g in good] == [
        {
            "profile_kecamatan": "tungkal_ilir",
            "profile_age_band": "25_39",
            "profile_sex": "female",
            "profile_disability": "no",
            "need": "jalan diaspal",
        },
        {
            "profile_kecamatan": "bram_itam",
            "profile_age_band": "60_plus",
            "profile_sex": "male",
            "need": "air bersih",
        },
    ]
    assert [(e.row, e.reason) for e in errors] == [(4, "age_band: unknown value 'seratus'")]


def _respondent(session: Session, campaign_id: int, name: str, *, erased: bool = False) -> int:
    person = Respondent(pseudonym=f"r-{name}", local_name=name, created_at=NOW, erased=erased)
    session.add(person)
    session.flush()
    run = SurveyRun(
        respondent_id=person.id,
        campaign_id=campaign_id,
        instrument="external",
        questionnaire_id="fgd-external",
        questionnaire_version=3,
        status="submitted",
        started_at=NOW,
        updated_at=NOW,
    )
    session.add(run)
    session.add(
        RespondentProfile(respondent_id=person.id, kecamatan="betara", sex="male", updated_at=NOW)
    )
    return person.id


def test_profiles_load_apart_from_the_answers(engine: Engine, survey_data: SurveyData) -> None:
    with Session(engine) as session:
        campaign = crud.ensure_default_campaign(
            session=session, survey_data=survey_data, timezone="Asia/Jakarta", now=NOW
        )
        _respondent(session, campaign.id, "ani")
        _respondent(session, campaign.id, "gone", erased=True)
        for question, text in (("need", "jalan diaspal"), ("profile_kecamatan", "merlung")):
            session.add(
                ImportedAnswer(
                    campaign_id=campaign.id,
                    instrument="external",
                    source_file="forms.csv",
                    source_row=2,
                    question_id=question,
                    value_text=text,
                    imported_at=NOW,
                )
            )
        session.commit()
        frames = load_campaign_frames(connection=session.connection(), campaign=campaign)
    assert frames.answers["question_id"].tolist() == ["need"]
    profiles = frames.profiles.set_index("respondent")
    assert profiles.loc["r-ani", "kecamatan"] == "betara"
    assert "r-gone" not in profiles.index
    form = frames.answers["respondent"].iloc[0]
    assert profiles.loc[form, "kecamatan"] == "merlung" and profiles.loc[form, "sex"] is None
