"""Reminders and expiry on a fake clock, respect for Telegram's limits, and erasure."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.telegram_app import runtime_of
from shared.models import Answer, AnswerRevision, Respondent, RunStatus, SurveyRun
from shared.settings import Settings
from shared.survey_data import SurveyData
from tests.bot.conftest import FakeClock, Harness, bot_running, texts_of
from tests.fake_bot_api import Failure, FakeBotAPI

ALICE = 4001
BUDI = 4002
CITRA = 4003


async def _sweep(bot: Harness) -> int:
    return await runtime_of(bot.app).housekeeping.sweep(bot.app.bot)


def _runs(engine: Engine) -> dict[int, SurveyRun]:
    with Session(engine) as session:
        rows = session.exec(select(SurveyRun, Respondent).join(Respondent)).all()
        return {respondent.telegram_user_id: run for run, respondent in rows}


async def test_one_reminder_after_a_day_never_after_cancel_then_expiry(
    bot: Harness, engine: Engine
) -> None:
    for user in (ALICE, BUDI):
        await bot.join(user)
        await bot.tap(user, "Pendidikan")
    await bot.say(BUDI, "/batal")
    bot.clock.advance(hours=23)
    assert await _sweep(bot) == 0
    bot.clock.advance(hours=2)
    before = len(bot.api.calls_to("sendMessage"))
    assert await _sweep(bot) == 1
    reminder = bot.api.calls_to("sendMessage")[before:]
    assert [c.chat_id for c in reminder] == [ALICE]
    assert "Pertanyaan 2 dari 7 · Pendidikan" in reminder[0].params["text"]
    # Once only, however long the run stays idle.
    bot.clock.advance(hours=30)
    assert await _sweep(bot) == 0
    # The reminder's button continues the survey.
    calls = await bot.tap(ALICE, "Lanjutkan")
    assert "Pertanyaan 2 dari 7" in texts_of(calls)[-1]
    bot.clock.advance(days=7, seconds=1)
    await _sweep(bot)
    runs = _runs(engine)
    assert runs[ALICE].status == RunStatus.expired and runs[ALICE].ended_at is not None
    assert runs[BUDI].status == RunStatus.expired and runs[BUDI].reminded_at is None
    # Answers of an expired run are kept, and a new /start begins a fresh run.
    with Session(engine) as session:
        assert len(session.exec(select(Answer)).all()) == 2
    calls = await bot.say(ALICE, "halo")
    assert "Ketik /start" in texts_of(calls)[-1]
    calls = await bot.say(ALICE, "/start")
    assert "Pertanyaan 1 dari 7" in texts_of(calls)[-1]


async def test_housekeeping_runs_by_itself_on_its_interval(
    settings: Settings,
    survey_data: SurveyData,
    engine: Engine,
    api: FakeBotAPI,
    clock: FakeClock,
    default_campaign: str,
) -> None:
    quick = settings.model_copy(update={"housekeeping_interval_seconds": 0.05})
    async with bot_running(
        settings=quick, survey_data=survey_data, engine=engine, api=api, clock=clock
    ) as bot:
        await bot.join(ALICE)
        clock.advance(hours=25)
        await api.wait_for(lambda a: any("Halo!" in t for t in a.sent_texts(ALICE)), timeout=5)


async def test_a_user_who_blocked_the_bot_is_opted_out_and_never_messaged(
    bot: Harness, engine: Engine
) -> None:
    await bot.join(CITRA)
    await bot.join(ALICE)
    bot.api.block(CITRA)
    calls = await bot.say(CITRA, "/status")  # the reply is refused with 403
    assert [c.method for c in calls] == ["sendMessage"]
    with Session(engine) as session:
        citra = session.exec(select(Respondent).where(Respondent.telegram_user_id == CITRA)).one()
        assert citra.opted_out
    bot.clock.advance(hours=25)
    before = len(bot.api.calls)
    assert await _sweep(bot) == 1
    assert [c.chat_id for c in bot.api.calls[before:]] == [ALICE]


async def test_an_opted_out_user_who_answers_again_is_back(bot: Harness, engine: Engine) -> None:
    """A 403 marks the user opted out; their next answer (the fast answer path) undoes it."""
    await bot.join(CITRA)
    bot.api.block(CITRA)
    await bot.say(CITRA, "/status")
    bot.api.unblock(CITRA)

    def citra() -> Respondent:
        with Session(engine) as session:
            query = select(Respondent).where(Respondent.telegram_user_id == CITRA)
            return session.exec(query).one()

    assert citra().opted_out
    await bot.press(CITRA, bot.keyboard(CITRA)[0]["callback_data"])
    assert not citra().opted_out
    with Session(engine) as session:
        assert len(session.exec(select(Answer)).all()) == 1


async def test_a_blocked_reminder_marks_the_user_opted_out(bot: Harness, engine: Engine) -> None:
    await bot.join(CITRA)
    bot.api.block(CITRA)
    bot.clock.advance(hours=25)
    assert await _sweep(bot) == 0
    with Session(engine) as session:
        assert session.exec(select(Respondent)).one().opted_out


async def test_retry_after_is_honoured(bot: Harness) -> None:
    await bot.join(ALICE)
    bot.api.fail_next(
        "sendMessage", Failure(status=429, description="Too Many Requests", retry_after=1)
    )
    calls = await bot.tap(ALICE, "Kesehatan")
    sends = [c for c in calls if c.method == "sendMessage"]
    assert len(sends) == 2  # refused with 429, then sent again after retry_after
    assert sends[1].at - sends[0].at >= 0.9
    assert sends[0].params["text"] == sends[1].params["text"]
    assert "Pertanyaan 2 dari 7" in sends[1].params["text"]


async def test_erasure_deletes_answers_and_identity(bot: Harness, engine: Engine) -> None:
    await bot.join(ALICE)
    await bot.tap(ALICE, "Kesehatan")
    await bot.say(ALICE, "Bidan desa")
    await bot.say(ALICE, "/ubah")
    await bot.tap(ALICE, "✏️ 2")
    await bot.say(ALICE, "Bidan desa tiap hari")  # leaves an audit revision behind
    await bot.join(BUDI)
    await bot.tap(BUDI, "Energi")
    calls = await bot.say(ALICE, "/hapus_data")
    assert "tidak bisa dikembalikan" in texts_of(calls)[-1]
    calls = await bot.tap(ALICE, "Tidak, batalkan")
    assert "tidak dihapus" in texts_of(calls, "editMessageText")[-1]
    await bot.say(ALICE, "/delete_my_data")
    calls = await bot.tap(ALICE, "Ya, hapus")
    assert "sudah dihapus" in texts_of(calls, "editMessageText")[-1]

    with Session(engine) as session:
        respondents = {r.id: r for r in session.exec(select(Respondent))}
        erased = [r for r in respondents.values() if r.erased]
        assert len(erased) == 1
        assert erased[0].telegram_user_id is None and erased[0].consent_at is None
        assert erased[0].pseudonym.startswith("erased-")
        runs = session.exec(select(SurveyRun)).all()
        assert [respondents[r.respondent_id].telegram_user_id for r in runs] == [BUDI]
        assert {a.run_id for a in session.exec(select(Answer))} == {runs[0].id}
        assert session.exec(select(AnswerRevision)).all() == []
    # Coming back later is a fresh start, with the privacy notice again.
    calls = await bot.say(ALICE, "/start")
    assert "Privasi" in texts_of(calls)[-1]
    await bot.tap(ALICE, "Setuju")
    with Session(engine) as session:
        assert len(session.exec(select(Respondent)).all()) == 3
    calls = await bot.say(CITRA, "/hapus_data")
    assert "tidak menyimpan data apa pun" in texts_of(calls)[-1]
