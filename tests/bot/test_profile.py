"""The optional respondent profile (issue 14): engine steps, the bot over the fake Bot API,
storage apart from the answers, and erasure."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from typer.testing import CliRunner

from bot.engine import (
    PAGE_PREFIX,
    PAGE_SIZE,
    ChoiceInput,
    Command,
    Context,
    EditInput,
    Outcome,
    Progress,
    TextInput,
    UserInput,
    advance,
    profile_key,
)
from cli.main import app
from shared.models import Answer, Respondent, RespondentProfile
from shared.survey_data import SurveyData
from tests.bot.conftest import Harness, texts_of

CITIZEN = 7001
OTHER = 7002


def profile_ctx(survey_data: SurveyData, language: str = "id") -> Context:
    return Context(
        questionnaire=survey_data.questionnaire("external"),
        domains=survey_data.domains,
        messages=survey_data.messages,
        language=language,
        plan_years=(2027, 2028, 2029, 2030, 2031),
        agencies=survey_data.agencies,
        units=survey_data.units,
        profile=survey_data.profile,
        wilayah=survey_data.wilayah,
    )


class Run:
    """Applies outcomes in memory, as the store does (a delete of nothing is no error)."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.progress = Progress(receipt_code="ABCD2345")
        self.last: Outcome = self.send(Command.start)

    def send(self, user_input: UserInput) -> Outcome:
        outcome = advance(self.ctx, self.progress, user_input)
        answers = dict(self.progress.answers)
        for key in outcome.deletes:
            answers.pop(key, None)
        for write in outcome.writes:
            answers[write.key] = write
        self.progress = Progress(outcome.step, outcome.editing, answers, "ABCD2345")
        self.last = outcome
        return outcome

    def profile(self) -> dict[str, str | None]:
        return {
            key[0].removeprefix("profile_"): answer.choice
            for key, answer in self.progress.answers.items()
            if key[0].startswith("profile_")
        }


# The engine ------------------------------------------------------------------------------


def test_profile_comes_first_and_counts_apart(survey_data: SurveyData) -> None:
    run = Run(profile_ctx(survey_data))
    prompt = run.last.prompt
    assert run.last.step == "profile_kecamatan@0.0"
    assert prompt.kind == "kecamatan" and prompt.optional
    assert prompt.progress == "Tentang Anda · 1 dari 4"  # desa only after a kecamatan
    assert "Boleh dilewati" in (prompt.hint or "")
    assert len(prompt.choices) == 13 and prompt.page_size == PAGE_SIZE


def test_answering_every_profile_question_then_the_survey(survey_data: SurveyData) -> None:
    run = Run(profile_ctx(survey_data))
    run.send(ChoiceInput("bram_itam"))
    assert run.last.step == "profile_desa@0.0"
    assert run.last.prompt.progress == "Tentang Anda · 2 dari 5"
    assert [c.label for c in run.last.prompt.choices][:2] == ["Bram Itam Kanan", "Bram Itam Kiri"]
    run.send(TextInput("pembengis"))  # a typed name is taken too
    run.send(ChoiceInput("25_39"))
    run.send(ChoiceInput("female"))
    out = run.send(ChoiceInput("prefer_not"))
    assert out.step == "domain@0.0" and out.prompt.progress == "Pertanyaan 1 dari 7"
    assert run.profile() == {
        "kecamatan": "bram_itam",
        "desa": "pembengis",
        "age_band": "25_39",
        "sex": "female",
        "disability": "prefer_not",
    }
    # Back from the first survey question reaches the last profile question.
    assert run.send(Command.back).step == "profile_disability@0.0"


def test_each_profile_question_can_be_skipped(survey_data: SurveyData) -> None:
    run = Run(profile_ctx(survey_data))
    out = run.send(Command.skip)
    # A skip is recorded as "asked, not given": the adapter writes an empty field.
    assert out.deletes == (profile_key("kecamatan"), profile_key("desa"))
    assert out.step == "profile_age_band@0.0"  # no desa without a kecamatan
    run.send(Command.skip)
    run.send(ChoiceInput("male"))
    out = run.send(Command.skip)
    assert out.step == "domain@0.0"
    assert run.profile() == {"sex": "male"}


def test_another_kecamatan_clears_the_desa_and_skip_withdraws(survey_data: SurveyData) -> None:
    run = Run(profile_ctx(survey_data))
    run.send(ChoiceInput("merlung"))
    run.send(ChoiceInput("penyabungan"))
    run.send(Command.back)
    run.send(Command.back)
    out = run.send(ChoiceInput("betara"))
    assert profile_key("desa") in out.deletes and out.step == "profile_desa@0.0"
    assert "desa" not in run.profile()
    # From the review, skipping an answered profile question withdraws it.
    run.send(Command.review)
    edit = next(i.step for i in run.last.prompt.review_items if i.label == "Kecamatan")
    assert next(i.domain for i in run.last.prompt.review_items if i.step == edit) is None
    run.send(EditInput(edit))
    out = run.send(Command.skip)
    assert out.step == "review" and profile_key("kecamatan") in out.deletes
    assert "kecamatan" not in run.profile()


def test_long_place_lists_are_paged(survey_data: SurveyData) -> None:
    run = Run(profile_ctx(survey_data))
    out = run.send(ChoiceInput(f"{PAGE_PREFIX}1"))
    assert out.step == "profile_kecamatan@0.0" and out.prompt.page == 1 and not out.writes
    out = run.send(ChoiceInput("muara_papalik"))  # on the second page
    assert run.profile() == {"kecamatan": "muara_papalik"}
    assert run.send(ChoiceInput("no_such_place")).error  # refused, politely


def test_without_a_profile_the_survey_starts_at_once(survey_data: SurveyData) -> None:
    run = Run(replace(profile_ctx(survey_data), profile=None))
    assert run.last.step == "domain@0.0"


# The bot over the fake Bot API ------------------------------------------------------------


def _profile_row(engine: Engine) -> RespondentProfile | None:
    with Session(engine) as session:
        return session.exec(select(RespondentProfile)).first()


async def test_a_citizen_answers_part_of_the_profile_with_buttons(
    bot: Harness, engine: Engine
) -> None:
    await bot.join(CITIZEN, skip_profile=False)
    assert "Anda tinggal di kecamatan mana" in bot.last_text(CITIZEN)
    labels = [b["text"] for b in bot.keyboard(CITIZEN)]
    assert len([label for label in labels if "Lewati" in label]) == 1
    assert "Muara Papalik" not in labels  # on the second page
    await bot.tap(CITIZEN, "Lainnya")
    await bot.tap(CITIZEN, "Muara Papalik")
    assert "Desa atau kelurahan" in bot.last_text(CITIZEN)
    await bot.tap(CITIZEN, "Lewati")  # no desa
    await bot.tap(CITIZEN, "60 tahun ke atas")
    await bot.tap(CITIZEN, "Lewati")  # no sex
    calls = await bot.tap(CITIZEN, "Tidak ingin menjawab")
    assert "Pertanyaan 1 dari 7" in texts_of(calls)[-1]
    await bot.tap(CITIZEN, "Kesehatan")
    await bot.say(CITIZEN, "Puskesmas buka sampai sore")

    row = _profile_row(engine)
    assert row is not None
    assert (row.kecamatan, row.desa, row.age_band, row.sex, row.disability) == (
        "muara_papalik",
        None,
        "60_plus",
        None,
        "prefer_not",
    )
    with Session(engine) as session:  # kept apart: no profile value among the answers
        stored = {a.question_id for a in session.exec(select(Answer))}
    assert stored and not any(q.startswith("profile") for q in stored)

    # The review shows the citizen's own profile; a new response does not ask it again.
    calls = await bot.say(CITIZEN, "/ubah")
    assert "Muara Papalik" in texts_of(calls)[-1]


async def test_a_citizen_who_skips_everything_is_not_asked_again(
    bot: Harness, engine: Engine
) -> None:
    await bot.join(CITIZEN)  # skips every profile question
    row = _profile_row(engine)
    assert row is not None and row.kecamatan is None and row.sex is None
    await bot.tap(CITIZEN, "Energi")
    await bot.say(CITIZEN, "/start")
    calls = await bot.tap(CITIZEN, "Mulai dari awal")
    assert "Pertanyaan 1 dari 7" in texts_of(calls)[-1]  # the profile was asked once


async def test_erasure_removes_the_profile(bot: Harness, engine: Engine) -> None:
    await bot.join(CITIZEN, skip_profile=False)
    await bot.tap(CITIZEN, "Betara")
    await bot.join(OTHER)
    await bot.say(CITIZEN, "/hapus_data")
    await bot.tap(CITIZEN, "Ya, hapus")
    with Session(engine) as session:
        rows = session.exec(select(RespondentProfile)).all()
        other = session.exec(select(Respondent).where(Respondent.telegram_user_id == OTHER)).one()
    assert [r.respondent_id for r in rows] == [other.id]


def test_the_erase_command_removes_the_profile(
    database_url: str, engine: Engine, monkeypatch, survey_data: SurveyData
) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("REMBUK_PSEUDONYM_KEY", "test-key")
    now = datetime.now(UTC)
    with Session(engine) as session:
        person = Respondent(telegram_user_id=55, pseudonym="p55", created_at=now, consent_at=now)
        session.add(person)
        session.flush()
        session.add(RespondentProfile(respondent_id=person.id, sex="female", updated_at=now))
        session.commit()
    result = CliRunner().invoke(app, ["erase", "--telegram-id", "55", "--yes"])
    assert result.exit_code == 0, result.output
    assert _profile_row(engine) is None
