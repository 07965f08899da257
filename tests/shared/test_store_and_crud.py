"""Campaigns, respondents and the persistence of runs, on the real database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from bot import store
from bot.engine import ChoiceInput, Command, Context, TextInput, advance
from shared import crud
from shared.models import Answer, AnswerRevision, Instrument, RunStatus, SurveyRun
from tests.conftest import NOW


def test_a_fresh_database_gets_one_open_default_campaign(session: Session, survey_data) -> None:  # type: ignore[no-untyped-def]
    created = crud.ensure_default_campaign(
        session=session, survey_data=survey_data, timezone="Asia/Jakarta", now=NOW
    )
    assert created is not None and created.code == "umum"
    assert (created.plan_first_year, created.plan_last_year) == (2027, 2031)
    assert created.external_questionnaire_version == survey_data.questionnaire("external").version
    again = crud.ensure_default_campaign(
        session=session, survey_data=survey_data, timezone="Asia/Jakarta", now=NOW
    )
    assert again is None
    assert crud.resolve_campaign(session=session, now=NOW) == created


def test_resolving_a_campaign(session: Session, survey_data) -> None:  # type: ignore[no-untyped-def]
    def make(code: str):  # type: ignore[no-untyped-def]
        return crud.create_campaign(
            session=session,
            code=code,
            name=code,
            plan_first_year=2027,
            plan_last_year=2031,
            survey_data=survey_data,
            timezone="Asia/Jakarta",
            now=NOW,
        )

    first, second = make("tjb2027"), make("kota-b")
    assert crud.resolve_campaign(session=session, now=NOW) is None  # two open: must name one
    assert crud.resolve_campaign(session=session, now=NOW, code="TJB2027") == first
    crud.close_campaign(session=session, code="tjb2027", now=NOW)
    assert crud.resolve_campaign(session=session, now=NOW, code="tjb2027") is None
    assert crud.resolve_campaign(session=session, now=NOW + timedelta(seconds=1)) == second
    assert [c.code for c in crud.list_campaigns(session=session)] == ["tjb2027", "kota-b"]


@pytest.mark.parametrize(
    ("code", "years", "message"),
    [
        ("bad code!", (2027, 2031), "campaign code must be"),
        ("a--b", (2027, 2031), "must not contain '--'"),
        ("ok", (2031, 2027), "plan years must be a range"),
        ("ok", (2027, 2031), "unknown time zone 'Asia/Jakata'"),
    ],
)
def test_campaign_validation(session: Session, survey_data, code, years, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(crud.CampaignError, match=message):
        crud.create_campaign(
            session=session,
            code=code,
            name="x",
            plan_first_year=years[0],
            plan_last_year=years[1],
            survey_data=survey_data,
            timezone="Asia/Jakata" if "time zone" in message else "Asia/Jakarta",
            now=NOW,
        )


def test_update_checks_the_time_zone_and_keeps_the_campaign(session: Session, survey_data) -> None:  # type: ignore[no-untyped-def]
    crud.ensure_default_campaign(
        session=session, survey_data=survey_data, timezone="Asia/Jakarta", now=NOW
    )
    with pytest.raises(crud.CampaignError, match="unknown time zone"):
        crud.update_campaign(session=session, code="umum", timezone="Asia/Jakata")
    assert crud.get_campaign(session=session, code="umum").timezone == "Asia/Jakarta"
    moved = crud.update_campaign(session=session, code="umum", timezone="Asia/Jayapura")
    assert moved.timezone == "Asia/Jayapura" and moved.name == "Master Plan Pelayanan Publik"
    with pytest.raises(crud.CampaignError, match="no campaign"):
        crud.update_campaign(session=session, code="tidak-ada", name="x")


def test_pseudonyms_are_stable_keyed_and_the_key_is_kept(session: Session) -> None:
    key = crud.get_secret(session=session, name=crud.PSEUDONYM_SECRET)
    assert key == crud.get_secret(session=session, name=crud.PSEUDONYM_SECRET)
    assert crud.get_secret(session=session, name="x", configured="from-env") == "from-env"
    first = crud.make_pseudonym(key=key, identity="tg:42")
    assert first == crud.make_pseudonym(key=key, identity="tg:42")
    assert first != crud.make_pseudonym(key="other", identity="tg:42")
    assert first.startswith("r-") and len(first) == 22  # a hash, not the id
    respondent = crud.get_or_create_respondent(
        session=session, pseudonym_key=key, now=NOW, telegram_user_id=42
    )
    same = crud.get_or_create_respondent(
        session=session, pseudonym_key=key, now=NOW, telegram_user_id=42
    )
    assert respondent.id == same.id and respondent.pseudonym == first


def test_outcomes_are_stored_with_an_audit_of_old_values(session: Session, survey_data) -> None:  # type: ignore[no-untyped-def]
    campaign = crud.ensure_default_campaign(
        session=session, survey_data=survey_data, timezone="Asia/Jakarta", now=NOW
    )
    respondent = crud.get_or_create_respondent(
        session=session, pseudonym_key="k", now=NOW, local_name="ani"
    )
    run, created = store.start_or_resume_run(
        session=session,
        respondent=respondent,
        campaign=campaign,
        instrument=Instrument.external,
        now=NOW,
        source="pos-1",
    )
    assert created and len(run.receipt_code) == 8
    again, created_again = store.start_or_resume_run(
        session=session,
        respondent=respondent,
        campaign=campaign,
        instrument=Instrument.external,
        now=NOW,
    )
    assert again.id == run.id and not created_again
    ctx = Context(
        questionnaire=survey_data.questionnaire("external"),
        domains=survey_data.domains,
        messages=survey_data.messages,
        plan_years=store.plan_years(campaign),
    )

    def send(user_input) -> None:  # type: ignore[no-untyped-def]
        locked = store.lock_run(session=session, run_id=run.id)
        progress = store.load_progress(session=session, run=locked)
        outcome = advance(ctx, progress, user_input)
        store.apply_outcome(session=session, run=locked, outcome=outcome, now=NOW)
        session.commit()

    send(Command.start)
    send(ChoiceInput("kesehatan"))
    send(TextInput("Dokter jaga malam"))
    send(Command.back)
    send(TextInput("Dokter jaga malam"))  # same value: no revision
    send(Command.back)
    send(TextInput("Dokter jaga 24 jam"))
    rows = session.exec(select(Answer).where(Answer.run_id == run.id)).all()
    need = next(r for r in rows if r.question_id == "need")
    assert need.value_text == "Dokter jaga 24 jam" and need.domain == "kesehatan"
    assert need.questionnaire_version == campaign.external_questionnaire_version == 3
    revisions = session.exec(select(AnswerRevision)).all()
    assert [(r.question_id, r.value_text, r.change) for r in revisions] == [
        ("need", "Dokter jaga malam", "edit")
    ]
    stored = session.get(SurveyRun, run.id)
    assert stored.current_step == "reason@0.0" and stored.status == RunStatus.in_progress
    assert stored.source == "pos-1"


def test_a_run_records_the_questionnaire_version_it_is_asked_with(
    session: Session,
    survey_data,  # type: ignore[no-untyped-def]
) -> None:
    campaign = crud.ensure_default_campaign(
        session=session, survey_data=survey_data, timezone="Asia/Jakarta", now=NOW
    )
    campaign.internal_questionnaire_version = 1  # opened before the file became version 2
    people = [
        crud.get_or_create_respondent(session=session, pseudonym_key="k", now=NOW, local_name=n)
        for n in ("old", "new")
    ]
    old, _ = store.start_or_resume_run(
        session=session,
        respondent=people[0],
        campaign=campaign,
        instrument=Instrument.internal,
        now=NOW,
    )
    new, _ = store.start_or_resume_run(
        session=session,
        respondent=people[1],
        campaign=campaign,
        instrument=Instrument.internal,
        now=NOW,
        served_version=survey_data.questionnaire("internal").version,
    )
    assert (old.questionnaire_version, new.questionnaire_version) == (1, 2)
