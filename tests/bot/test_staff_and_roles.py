"""Invitations, the internal FGD for staff, planners, admins, and who may do what."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot import deeplinks, invites
from shared import crud
from shared.db import session_scope
from shared.models import Answer, Instrument, Invite, Respondent, Role, RunStatus, SurveyRun
from shared.settings import Settings
from tests.bot.conftest import (
    ADMIN_ID,
    Harness,
    make_settings,
    texts_of,
)
from tests.conftest import NOW
from tests.fake_bot_api import FakeBotAPI

STAFF = 2001
CITIZEN = 2002
PLANNER = 2003


@pytest.fixture
def settings(database_url: str, api: FakeBotAPI) -> Settings:
    # A staff row is some 20 answers, which a test sends faster than the flood throttle
    # lets a person (20 in 10 s); a person typing them takes minutes.
    return make_settings(database_url, api, throttle_max_updates=100)


def _invite_token(engine: Engine, role: Role, *, valid: timedelta = timedelta(days=7)) -> str:
    with session_scope(engine) as session:
        campaign = crud.resolve_campaign(session=session, now=NOW)
        assert campaign is not None
        _, token = invites.create_invite(
            session=session, role=role, campaign=campaign, now=NOW, valid_for=valid
        )
    return token


async def test_staff_invite_then_full_internal_fgd_with_yearly_targets(
    bot: Harness, engine: Engine
) -> None:
    token = _invite_token(engine, Role.staff)
    await bot.say(STAFF, f"/start {deeplinks.invite_payload(token)}")
    calls = await bot.tap(STAFF, "Setuju")
    texts = texts_of(calls)
    assert "terdaftar sebagai ASN/OPD" in texts[0]
    assert "FGD Internal" in texts[-1]
    await bot.tap(STAFF, "Jalan, Air & Tata Ruang")
    await bot.say(STAFF, "Air minum perpipaan desa")
    await bot.say(STAFF, "Anggaran terbatas")
    await bot.say(STAFF, "40% desa terlayani")
    calls = await bot.say(STAFF, "SPAM regional bertahap")
    assert "OPD penanggung jawab" in texts_of(calls)[-1]
    rows = calls[-1].params["reply_markup"]["inline_keyboard"]
    # Three agencies a row, the domain's usual ones first; back (no skip: required) last.
    assert [b["text"] for b in rows[0]] == ["Dinas PUPR", "Disperkim", "Dinkes"]
    assert all(len(row) == 3 for row in rows[:-2]) and len(rows) <= 12
    await bot.tap(STAFF, "Dinas PUPR")
    await bot.say(STAFF, "Persentase desa dengan air minum (%)")
    await bot.tap(STAFF, "%")
    await bot.say(STAFF, "40")  # baseline
    calls = await bot.say(STAFF, "2025")  # its year
    first_year = texts_of(calls)[-1]
    assert "Target tahun 2027 untuk «Persentase desa dengan air minum (%)» (1 dari 5)" in first_year
    assert "Tulis angka saja" in first_year  # the format is said before any mistake
    calls = await bot.say(STAFF, "empat puluh lima")
    assert "Mohon tulis angka" in texts_of(calls)[-1]
    for value in ("45", "50,5", "60", "70"):
        await bot.say(STAFF, value)
    calls = await bot.say(STAFF, "80")
    assert "Pagu tahun 2027" in texts_of(calls)[-1]
    calls = await bot.tap(STAFF, "Lewati")  # no budget yet: all five years skipped
    assert "kebutuhan lain di bidang ini" in texts_of(calls)[-1]
    await bot.tap(STAFF, "Tidak")
    calls = await bot.tap(STAFF, "Tidak")
    review = texts_of(calls)[-1]
    assert "<b>Target 2031</b>: 80" in review and "<b>Target 2028</b>: 50,5" in review
    assert "<b>OPD</b>: Dinas PUPR" in review and "<b>Satuan</b>: %" in review
    assert "<b>Nilai awal</b>: 40" in review and "<b>Tahun nilai awal</b>: 2025" in review
    assert "Pagu" not in review
    calls = await bot.tap(STAFF, "Kirim jawaban")
    assert "Kode tanda terima" in texts_of(calls)[-1]

    with Session(engine) as session:
        staff = session.exec(select(Respondent).where(Respondent.telegram_user_id == STAFF)).one()
        assert staff.role == Role.staff and staff.campaign_id is not None
        run = session.exec(select(SurveyRun)).one()
        assert run.instrument == Instrument.internal and run.status == RunStatus.submitted
        targets = {
            a.question_id: a.value_number
            for a in session.exec(select(Answer).where(Answer.question_id.startswith("target_y")))
        }
        opd = session.exec(select(Answer).where(Answer.question_id == "opd")).one()
        assert opd.value_choice == "dpupr" and opd.questionnaire_version == 2
        assert targets == {
            "target_y1": 45,
            "target_y2": 50.5,
            "target_y3": 60,
            "target_y4": 70,
            "target_y5": 80,
        }


async def test_used_and_expired_invites_are_refused(bot: Harness, engine: Engine) -> None:
    token = _invite_token(engine, Role.staff)
    await bot.join(STAFF, deeplinks.invite_payload(token))
    # The same link again, by someone else: single use.
    calls = await bot.say(CITIZEN, f"/start {deeplinks.invite_payload(token)}")
    assert "tidak berlaku" in texts_of(calls)[-1]
    expired = _invite_token(engine, Role.planner, valid=timedelta(hours=1))
    bot.clock.advance(hours=2)
    calls = await bot.say(CITIZEN, f"/start {deeplinks.invite_payload(expired)}")
    assert "tidak berlaku" in texts_of(calls)[-1]
    # A consented citizen with a made-up token gets the same answer and stays a citizen.
    await bot.join(CITIZEN)
    calls = await bot.say(CITIZEN, "/start inv--AAAAAAAAAAAAAAAAAAAAAAAA")
    assert "tidak berlaku" in texts_of(calls)[-1]
    with Session(engine) as session:
        citizen = session.exec(
            select(Respondent).where(Respondent.telegram_user_id == CITIZEN)
        ).one()
        assert citizen.role == Role.citizen
        used = session.exec(select(Invite).where(Invite.used_at.is_not(None))).all()
        assert len(used) == 1 and used[0].used_by_respondent_id is not None


async def test_admin_invites_in_the_bot_and_citizens_cannot(bot: Harness, engine: Engine) -> None:
    calls = await bot.say(CITIZEN, "/undang_staf")
    assert "tidak tersedia untuk Anda" in texts_of(calls)[-1]
    calls = await bot.say(CITIZEN, "/invite_planner umum")
    assert "tidak tersedia untuk Anda" in texts_of(calls)[-1]
    with Session(engine) as session:
        assert session.exec(select(Invite)).all() == []

    calls = await bot.say(ADMIN_ID, "/undang_perencana")
    photo = [c for c in calls if c.method == "sendPhoto"]
    assert photo and photo[0].files["photo"].startswith(b"\x89PNG")
    caption = str(photo[0].params["caption"])
    link = caption.split("\n")[-1]
    assert link.startswith("https://t.me/rembuk_test_bot?start=inv--")
    payload = link.split("start=")[1]
    assert len(payload) <= 64
    await bot.say(PLANNER, f"/start {payload}")
    calls = await bot.tap(PLANNER, "Setuju")
    assert "terdaftar sebagai perencana" in texts_of(calls)[-1]
    # A planner has no questionnaire; typing gets the planner note, not a stored answer.
    calls = await bot.say(PLANNER, "halo")
    assert "perencana" in texts_of(calls)[-1]
    with Session(engine) as session:
        planner = session.exec(
            select(Respondent).where(Respondent.telegram_user_id == PLANNER)
        ).one()
        assert planner.role == Role.planner
        assert session.exec(select(SurveyRun)).all() == []


async def test_a_citizen_cannot_press_a_staff_button(bot: Harness, engine: Engine) -> None:
    """A button of the internal FGD's run (e.g. forwarded from a staff chat) is refused."""
    token = _invite_token(engine, Role.staff)
    await bot.join(STAFF, deeplinks.invite_payload(token))
    staff_domain_button = bot.keyboard(STAFF)[0]["callback_data"]
    await bot.join(CITIZEN)
    calls = await bot.press(CITIZEN, staff_domain_button)
    answer = [c for c in calls if c.method == "answerCallbackQuery"][0]
    assert "tidak berlaku" in answer.params["text"]
    with Session(engine) as session:
        assert session.exec(select(Answer)).all() == []
