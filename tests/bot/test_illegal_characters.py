"""Issue 12 item 1: a character no document or database can hold, typed into the bot, is
stored as a space, and the campaign's digest still runs."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from processor.digest_job import produce_digest
from shared.models import Answer, RunStatus, SurveyRun
from shared.survey_data import SurveyData
from tests.bot.conftest import Harness, texts_of
from tests.conftest import NOW

NEED = "obat di puskesmas\x0b sering habis"


async def _submit(bot: Harness, user: int, need: str) -> None:
    await bot.join(user)
    await bot.tap(user, "Kesehatan")
    await bot.say(user, need)
    await bot.say(user, "stok\x0c telat datang")
    await bot.tap(user, "Tidak")  # no other need
    await bot.say(user, "anggaran obat kurang")
    await bot.tap(user, "Lewati")  # strategy is optional
    await bot.tap(user, "Tidak")  # no other service
    calls = await bot.tap(user, "Kirim jawaban")
    assert "Kode tanda terima" in texts_of(calls)[-1]


async def test_three_citizens_with_a_vertical_tab_do_not_stop_the_digest(
    bot: Harness, engine: Engine, survey_data: SurveyData, default_campaign: str, tmp_path: Path
) -> None:
    for user in (4001, 4002, 4003):
        await _submit(bot, user, NEED)
    with Session(engine) as session:
        assert (
            len(
                session.exec(select(SurveyRun).where(SurveyRun.status == RunStatus.submitted)).all()
            )
            == 3
        )
        needs = [
            a.value_text for a in session.exec(select(Answer).where(Answer.question_id == "need"))
        ]
    assert needs == ["obat di puskesmas  sering habis"] * 3
    produced = produce_digest(
        engine=engine,
        survey_data=survey_data,
        campaign_code=default_campaign,
        slot="manual:test",
        out_dir=tmp_path,
        now=NOW,
        record=False,
    )
    assert produced.summary["counts"]["submitted_runs"] == 3
    assert any(tmp_path.rglob("*.docx")) and any(tmp_path.rglob("*.xlsx"))


async def test_a_nul_in_a_message_is_stored_as_a_space(bot: Harness, engine: Engine) -> None:
    await bot.join(4010)
    await bot.tap(4010, "Kesehatan")
    calls = await bot.say(4010, "air\x00bersih")
    assert "Mengapa" in texts_of(calls)[-1]  # the next question, not an error
    with Session(engine) as session:
        stored = session.exec(select(Answer).where(Answer.question_id == "need")).one()
    assert stored.value_text == "air bersih"
