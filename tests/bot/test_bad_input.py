"""Every bad input of the issue gets a clear message and never loses a stored answer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from telegram import Update
from telegram.ext import CommandHandler, ContextTypes, MessageHandler, filters

from bot import answers, callback_data, deeplinks, invites
from shared import crud
from shared.db import session_scope
from shared.models import Answer, ProcessedUpdate, Role
from shared.settings import Settings
from shared.survey_data import SurveyData
from tests.bot.conftest import FakeClock, Harness, bot_running, make_settings, texts_of
from tests.conftest import NOW
from tests.fake_bot_api import (
    MEDIA_CONTENTS,
    FakeBotAPI,
    callback_update,
    channel_post_update,
    message_update,
    text_update,
)

USER = 3001


def _stored(engine: Engine) -> dict[tuple[str, int, int], str | None]:
    with Session(engine) as session:
        return {
            (a.question_id, a.block, a.item): a.value_text or a.value_choice
            for a in session.exec(select(Answer))
        }


async def _at_need_question(bot: Harness) -> None:
    await bot.join(USER)
    await bot.tap(USER, "Kesehatan")
    await bot.say(USER, "Puskesmas 24 jam")  # need answered; now at "why"


@pytest.mark.parametrize("kind", sorted(MEDIA_CONTENTS))
async def test_media_is_answered_with_a_request_for_text(
    bot: Harness, engine: Engine, kind: str
) -> None:
    await _at_need_question(bot)
    before = _stored(engine)
    calls = await bot.send(message_update(USER, MEDIA_CONTENTS[kind], message_id=900))
    assert texts_of(calls) == [
        "Maaf, saya hanya bisa membaca jawaban berupa teks. Mohon ketik jawaban Anda, "
        "atau tekan salah satu tombol."
    ]
    assert _stored(engine) == before
    # And the survey carries on where it was.
    calls = await bot.say(USER, "Karena kerja sampai sore")
    assert "kebutuhan lain" in texts_of(calls)[-1]


async def test_edited_message_is_not_read_again(bot: Harness, engine: Engine) -> None:
    await _at_need_question(bot)
    calls = await bot.send(
        message_update(USER, {"text": "Puskesmas 12 jam"}, message_id=102, edited=True)
    )
    assert "/ubah" in texts_of(calls)[-1]
    assert _stored(engine)[("need", 0, 0)] == "Puskesmas 24 jam"


async def test_text_over_the_limit_and_empty_text(bot: Harness, engine: Engine) -> None:
    await _at_need_question(bot)
    calls = await bot.say(USER, "a" * 2001)
    reply = texts_of(calls)[-1]
    assert "terlalu panjang (2001 karakter)" in reply and "Mengapa" in reply
    calls = await bot.say(USER, "   \n ")
    assert "tidak boleh kosong" in texts_of(calls)[-1]
    assert ("reason", 0, 0) not in _stored(engine)
    # Exactly the limit is fine, and stored whole.
    await bot.say(USER, "b" * 2000)
    assert _stored(engine)[("reason", 0, 0)] == "b" * 2000


async def test_typed_numbers_and_stories_are_no_choice_on_telegram(
    bot: Harness, engine: Engine
) -> None:
    await bot.join(USER)
    # The buttons carry no numbers, so "3" picks nothing; a story is asked for later.
    for typed in ("3", "jalan rusak parah di desa kami"):
        calls = await bot.say(USER, typed)
        assert "Silakan pilih bidang dengan menekan salah satu tombol" in texts_of(calls)[-1]
    assert _stored(engine) == {}
    await bot.say(USER, "kesehatan")  # a domain's name is still understood
    await bot.say(USER, "Puskesmas 24 jam")
    await bot.say(USER, "Warga kerja siang")
    calls = await bot.say(USER, "2")  # "another need?" asks for Ya or Tidak
    assert "Mohon tekan tombol Ya atau Tidak" in texts_of(calls)[-1]
    assert ("more_needs", 0, 0) not in _stored(engine)
    assert _stored(engine)[("domain", 0, 0)] == "kesehatan"


async def test_old_button_is_out_of_date(bot: Harness, engine: Engine) -> None:
    await bot.join(USER)
    domain_buttons = bot.keyboard(USER)
    await bot.tap(USER, "Kesehatan")
    old = next(b for b in domain_buttons if b["text"] == "Pendidikan")["callback_data"]
    calls = await bot.press(USER, old)
    note = next(c for c in calls if c.method == "answerCallbackQuery").params["text"]
    assert note == "Tombol ini sudah tidak berlaku. Silakan lanjut dari pertanyaan terbaru."
    assert "Pertanyaan 2 dari 7 · Kesehatan" in texts_of(calls)[-1]
    assert _stored(engine)[("domain", 0, 0)] == "kesehatan"
    # The stale keyboard is taken off the old message.
    assert [c.method for c in calls if c.method.startswith("edit")] == ["editMessageReplyMarkup"]


async def test_unparseable_and_older_version_callback_data(bot: Harness, engine: Engine) -> None:
    await _at_need_question(bot)
    for data, expected in (
        ("garbage", "Tombol ini tidak dikenali."),
        ("v1|a|notanumber|00000000|x", "Tombol ini tidak dikenali."),
        ("v1|k|1|00000000|drop_tables", "Tombol ini tidak dikenali."),
        ("v0|a|1|00000000|kesehatan", "Tombol ini sudah tidak berlaku."),
    ):
        calls = await bot.press(USER, data)
        answers = [c for c in calls if c.method == "answerCallbackQuery"]
        assert len(answers) == 1 and answers[0].params["text"].startswith(expected)
    assert _stored(engine)[("need", 0, 0)] == "Puskesmas 24 jam"


async def test_a_button_of_the_other_instrument(bot: Harness, engine: Engine) -> None:
    """A citizen who is then invited as staff presses a button of their citizen run."""
    await bot.join(USER)
    citizen_button = next(b for b in bot.keyboard(USER) if b["text"] == "Energi")
    with session_scope(engine) as session:
        campaign = crud.resolve_campaign(session=session, now=NOW)
        _, token = invites.create_invite(
            session=session,
            role=Role.staff,
            campaign=campaign,
            now=NOW,
            valid_for=timedelta(days=1),
        )
    calls = await bot.say(USER, f"/start {deeplinks.invite_payload(token)}")
    assert "FGD Internal" in texts_of(calls)[-1]
    calls = await bot.press(USER, citizen_button["callback_data"])
    note = next(c for c in calls if c.method == "answerCallbackQuery").params["text"]
    assert note == "Tombol ini milik kuesioner lain yang tidak sedang Anda isi."
    assert "FGD" not in texts_of(calls)[-1] and "Pertanyaan 1 dari" in texts_of(calls)[-1]
    assert _stored(engine) == {}


async def test_groups_and_channels_are_told_private_only_once(bot: Harness) -> None:
    group = -100777
    calls = await bot.send(text_update(USER, "/start", chat_type="supergroup", chat_id=group))
    assert texts_of(calls) == [
        "Rembuk hanya melayani obrolan pribadi. Silakan kirim pesan langsung ke bot ini."
    ]
    assert calls[0].chat_id == group
    calls = await bot.send(text_update(USER, "halo semua", chat_type="supergroup", chat_id=group))
    assert calls == []
    calls = await bot.send(channel_post_update(-100888, "Info"))
    assert [c.chat_id for c in calls if c.method == "sendMessage"] == [-100888]
    # Nobody became a respondent through a group.
    calls = await bot.say(USER, "/status")
    assert "belum mulai" in texts_of(calls)[-1]


async def test_an_update_delivered_twice_is_handled_once(bot: Harness, engine: Engine) -> None:
    await _at_need_question(bot)
    update = text_update(USER, "Supaya bisa berobat sepulang kerja", message_id=555)
    first = await bot.send(update, update_id=7000)
    again = await bot.redeliver(update, update_id=7000)
    assert len(texts_of(first)) == 1 and again == []
    with Session(engine) as session:
        assert session.get(ProcessedUpdate, 7000) is not None
    assert _stored(engine)[("reason", 0, 0)] == "Supaya bisa berobat sepulang kerja"
    # The next question is more_needs, not a second "why": the answer was applied once.
    assert "kebutuhan lain" in bot.last_text(USER)


async def test_an_update_that_failed_is_handled_when_delivered_again(
    bot: Harness, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The claim of an update id commits with its answer: when storing the answer fails
    (a crash, a lost database), the update is not marked handled, so Telegram's redelivery
    is answered instead of being skipped as a duplicate."""
    await _at_need_question(bot)
    store = answers.store

    def crash(*args: object, **kwargs: object) -> None:
        monkeypatch.setattr(answers, "store", store)  # only this once
        raise RuntimeError("the process died here")

    monkeypatch.setattr(answers, "store", crash)
    update = text_update(USER, "Supaya bisa berobat sepulang kerja", message_id=556)
    failed = await bot.send(update, update_id=7001)
    assert "terjadi gangguan" in texts_of(failed)[-1]
    with Session(engine) as session:
        assert session.get(ProcessedUpdate, 7001) is None
    assert ("reason", 0, 0) not in _stored(engine)

    again = await bot.redeliver(update, update_id=7001)
    assert "kebutuhan lain" in texts_of(again)[-1]
    with Session(engine) as session:
        assert session.get(ProcessedUpdate, 7001) is not None
    assert _stored(engine)[("reason", 0, 0)] == "Supaya bisa berobat sepulang kerja"
    assert await bot.redeliver(update, update_id=7001) == []  # and now it is a duplicate


async def test_extra_handlers_are_deduplicated_too(
    settings: Settings,
    survey_data: SurveyData,
    engine: Engine,
    api: FakeBotAPI,
    clock: FakeClock,
    default_campaign: str,
) -> None:
    """A handler plugged in by another module (no database work of its own) still handles
    an update id once: its update is claimed before it runs."""

    async def ping(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat is not None
        await context.bot.send_message(update.effective_chat.id, "pong")

    async with bot_running(
        settings=settings,
        survey_data=survey_data,
        engine=engine,
        api=api,
        clock=clock,
        extra_handlers=[CommandHandler("ping", ping)],
    ) as bot:
        first = await bot.send(text_update(USER, "/ping"), update_id=7100)
        again = await bot.redeliver(text_update(USER, "/ping"), update_id=7100)
        assert texts_of(first) == ["pong"] and again == []
        with Session(engine) as session:
            assert session.get(ProcessedUpdate, 7100) is not None


async def test_a_flood_is_throttled_with_one_note(
    settings: Settings,
    survey_data: SurveyData,
    engine: Engine,
    api: FakeBotAPI,
    clock: FakeClock,
    default_campaign: str,
) -> None:
    tight = settings.model_copy(update={"throttle_max_updates": 5})
    async with bot_running(
        settings=tight, survey_data=survey_data, engine=engine, api=api, clock=clock
    ) as bot:
        ids = [bot.api.push_update(text_update(USER, f"spam {n}", message_id=n)) for n in range(12)]
        for update_id in ids:
            await bot.processor.wait_for(update_id)
        texts = bot.api.sent_texts(USER)
        assert (
            texts.count(
                "Pesan Anda datang terlalu cepat. Mohon tunggu sebentar; pesan yang terlewat belum "
                "tersimpan, silakan kirim lagi nanti."
            )
            == 1
        )
        assert len(texts) == 5 + 1  # five answered (privacy notice), one note, the rest dropped


async def test_one_error_handler_logs_and_keeps_the_place(
    settings: Settings,
    survey_data: SurveyData,
    engine: Engine,
    api: FakeBotAPI,
    clock: FakeClock,
    default_campaign: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def explode(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A handler that fails, standing in for any unexpected bug."""
        raise RuntimeError("boom")

    async with bot_running(
        settings=settings,
        survey_data=survey_data,
        engine=engine,
        api=api,
        clock=clock,
        extra_handlers=[MessageHandler(filters.Regex("^meledak$"), explode)],
    ) as bot:
        await _at_need_question(bot)
        with caplog.at_level("ERROR", logger="bot.telegram_app"):
            calls = await bot.say(USER, "meledak")
        assert "terjadi gangguan" in texts_of(calls)[-1]
        record = next(r for r in caplog.records if "error while handling update" in r.message)
        assert "message" in record.message and record.exc_info[1].args == ("boom",)
        calls = await bot.say(USER, "Jam kerja warga")
        assert "kebutuhan lain" in texts_of(calls)[-1]
        assert _stored(engine)[("reason", 0, 0)] == "Jam kerja warga"


async def test_callback_data_fits_and_roundtrips() -> None:
    data = callback_data.make(
        callback_data.Kind.answer, 9_999_999_999, callback_data.step_hash("x" * 48), "a" * 32
    )
    assert len(data.encode()) <= 64
    parsed = callback_data.parse(data)
    assert parsed.kind is callback_data.Kind.answer and parsed.fields[2] == "a" * 32
    with pytest.raises(ValueError):
        callback_data.make(callback_data.Kind.answer, 1, "ab", "x" * 60)


def test_deep_link_payloads() -> None:
    assert deeplinks.parse_payload("tjb2027") == deeplinks.CampaignLink("tjb2027")
    assert deeplinks.parse_payload("TJB2027--pasar-baru") == deeplinks.CampaignLink(
        "tjb2027", "pasar-baru"
    )
    assert isinstance(deeplinks.parse_payload("tjb--"), deeplinks.BadLink)
    assert isinstance(deeplinks.parse_payload("a b"), deeplinks.BadLink)
    assert isinstance(deeplinks.parse_payload("x" * 65), deeplinks.BadLink)
    assert deeplinks.parse_payload("inv--" + "A" * 24) == deeplinks.InviteLink("A" * 24)
    with pytest.raises(ValueError):
        deeplinks.campaign_payload("tjb2027", "v" * 41)


def test_settings_for_the_bot_have_defaults_and_names(database_url: str) -> None:
    api = FakeBotAPI()
    settings = make_settings(database_url, api)
    assert settings.reminder_after_hours == 24 and settings.expiry_after_days == 7
    with pytest.raises(Exception, match="REMBUK_WEBHOOK_PORT"):
        make_settings(database_url, api, webhook_port=0)


async def test_callback_from_unknown_user_gets_the_privacy_notice(bot: Harness) -> None:
    calls = await bot.send(callback_update(USER, "v1|a|1|00000000|kesehatan"))
    assert "Privasi" in texts_of(calls)[-1]
