"""Citizens take the external FGD through the real Application over HTTP."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.telegram_app import runtime_of
from shared.models import Answer, AnswerRevision, Respondent, RunStatus, SurveyRun
from shared.settings import Settings
from shared.survey_data import SurveyData
from tests.bot.conftest import FakeClock, Harness, bot_running, texts_of
from tests.fake_bot_api import FakeBotAPI

CITIZEN = 1001


def _answers(engine: Engine) -> dict[tuple[str, int, int], str | None]:
    with Session(engine) as session:
        rows = session.exec(select(Answer)).all()
        return {(a.question_id, a.block, a.item): a.value_text or a.value_choice for a in rows}


async def test_full_external_fgd_two_needs_then_submit(bot: Harness, engine: Engine) -> None:
    calls = await bot.say(CITIZEN, "/start")
    assert "Privasi" in texts_of(calls)[0]
    assert {b["text"] for b in bot.keyboard(CITIZEN)} == {"Setuju, ikut", "Tidak, terima kasih"}
    calls = await bot.tap(CITIZEN, "Setuju")
    assert [c.method for c in calls].count("answerCallbackQuery") == 1
    first_question = texts_of(calls)[-1]
    assert (
        "Rembuk Warga: Pelayanan Dasar" in first_question
        and "Tentang Anda · 1 dari 4" in first_question
    )
    calls = await bot.skip_profile(CITIZEN, calls)  # the optional profile (test_profile.py)
    assert "Pertanyaan 1 dari 7" in texts_of(calls)[-1]

    calls = await bot.tap(CITIZEN, "Kesehatan")
    edited = texts_of(calls, "editMessageText")
    assert edited and "✅ Jawaban: Kesehatan" in edited[0]
    assert "Pertanyaan 2 dari 7 · Kesehatan" in texts_of(calls)[-1]
    await bot.say(CITIZEN, "Puskesmas buka sampai sore")
    calls = await bot.say(CITIZEN, "Banyak warga bekerja sampai siang")
    assert "Ada kebutuhan lain" in texts_of(calls)[-1]
    calls = await bot.tap(CITIZEN, "Ya")
    # Another need makes the run longer, and the total says so.
    assert "dari 10 · Kesehatan" in texts_of(calls)[-1]
    await bot.say(CITIZEN, "Obat <selalu> tersedia & murah")
    await bot.say(CITIZEN, "Sering kehabisan obat")
    await bot.tap(CITIZEN, "Tidak")
    await bot.say(CITIZEN, "Antre lama, dokter jarang datang")
    calls = await bot.tap(CITIZEN, "Lewati")  # the strategy question is optional
    assert "layanan dasar lain" in texts_of(calls)[-1]
    # the skipped question stays in the chat, marked, without its buttons
    assert texts_of(calls, "editMessageText")[-1].endswith("⏭️ Dilewati")
    calls = await bot.tap(CITIZEN, "Tidak")
    review = texts_of(calls)[-1]
    assert "Periksa jawaban Anda" in review
    # What the citizen wrote is escaped in HTML, never interpreted.
    assert "Obat &lt;selalu&gt; tersedia &amp; murah" in review
    calls = await bot.tap(CITIZEN, "Kirim jawaban")
    done = texts_of(calls)[-1]
    assert "Kode tanda terima: <code>" in done

    with Session(engine) as session:
        run = session.exec(select(SurveyRun)).one()
        assert run.status == RunStatus.submitted and run.receipt_code in done
        assert run.source == "telegram"
    answers = _answers(engine)
    assert answers[("need", 0, 1)] == "Obat <selalu> tersedia & murah"
    assert answers[("domain", 0, 0)] == "kesehatan"
    assert ("strategy", 0, 0) not in answers

    # After submitting, /start says so and offers a new response instead of resuming.
    calls = await bot.say(CITIZEN, "/start")
    assert "sudah terkirim" in texts_of(calls)[-1]
    assert [b["text"] for b in bot.keyboard(CITIZEN)] == ["Isi lagi (jawaban baru)"]


async def _answer_until_review(bot: Harness, user: int) -> None:
    await bot.tap(user, "Pendidikan")
    await bot.say(user, "Sekolah dekat rumah")
    await bot.say(user, "Anak-anak jalan jauh")
    await bot.tap(user, "Tidak")
    await bot.say(user, "Tidak ada angkutan")
    await bot.say(user, "Bus sekolah desa")
    await bot.tap(user, "Tidak")


async def test_edit_an_answer_from_the_review_before_submitting(
    bot: Harness, engine: Engine
) -> None:
    await bot.join(CITIZEN)
    await _answer_until_review(bot, CITIZEN)
    review = bot.last_text(CITIZEN)
    assert "2. <b>Kebutuhan</b>: Sekolah dekat rumah" in review
    # /status counts the answers the review lists (not the "another?" taps)
    calls = await bot.say(CITIZEN, "/status")
    assert "sudah dijawab (5 jawaban)" in texts_of(calls)[-1] and "/ubah" in texts_of(calls)[-1]
    calls = await bot.tap(CITIZEN, "✏️ 2")
    question = texts_of(calls)[-1]
    assert "Jawaban Anda sekarang: Sekolah dekat rumah" in question
    calls = await bot.say(CITIZEN, "SMP negeri di kecamatan")
    review = texts_of(calls)[-1]
    assert "2. <b>Kebutuhan</b>: SMP negeri di kecamatan" in review
    await bot.tap(CITIZEN, "Kirim jawaban")
    assert _answers(engine)[("need", 0, 0)] == "SMP negeri di kecamatan"
    with Session(engine) as session:
        revision = session.exec(select(AnswerRevision)).one()
        assert revision.value_text == "Sekolah dekat rumah" and revision.change == "edit"
    # /ubah after submitting does not reopen the answers.
    calls = await bot.say(CITIZEN, "/ubah")
    assert "sudah terkirim" in texts_of(calls)[-1]


async def test_ubah_mid_survey_shows_the_answers_so_far_without_submit(bot: Harness) -> None:
    await bot.join(CITIZEN)
    await bot.tap(CITIZEN, "Pendidikan")
    await bot.say(CITIZEN, "Sekolah dekat rumah")
    calls = await bot.say(CITIZEN, "/ubah")
    assert "Jawaban Anda sejauh ini:" in texts_of(calls)[-1]
    labels = [button["text"] for button in bot.keyboard(CITIZEN)]
    assert "✏️ 2" in labels and not any("Kirim" in label for label in labels)
    calls = await bot.say(CITIZEN, "/status")  # not "everything is answered"
    assert "belum semua pertanyaan dijawab" in texts_of(calls)[-1]
    await bot.say(CITIZEN, "/ubah")
    calls = await bot.tap(CITIZEN, "Kembali")
    assert "Mengapa" in texts_of(calls)[-1]  # back to the first unanswered question


async def test_skipping_an_answered_optional_question_keeps_and_shows_its_answer(
    bot: Harness, engine: Engine
) -> None:
    await bot.join(CITIZEN)
    await bot.tap(CITIZEN, "Kesehatan")
    for text in ("Puskesmas buka sore", "Warga kerja pagi"):
        await bot.say(CITIZEN, text)
    await bot.tap(CITIZEN, "Tidak")
    await bot.say(CITIZEN, "Antre lama")
    await bot.say(CITIZEN, "Tambah dokter")  # the optional strategy, answered
    await bot.tap(CITIZEN, "Kembali")
    calls = await bot.tap(CITIZEN, "Lewati")
    pressed = texts_of(calls, "editMessageText")[-1]
    assert pressed.endswith("✅ Jawaban: Tambah dokter") and "Dilewati" not in pressed
    assert _answers(engine)[("strategy", 0, 0)] == "Tambah dokter"


async def test_changing_the_domain_in_the_review_says_the_answers_moved(
    bot: Harness, engine: Engine
) -> None:
    await bot.join(CITIZEN)
    await _answer_until_review(bot, CITIZEN)
    await bot.tap(CITIZEN, "✏️ 1")
    calls = await bot.tap(CITIZEN, "Kesehatan")
    review = texts_of(calls, "sendMessage")[-1]
    assert review.startswith(
        "ℹ️ Bidang diganti menjadi Kesehatan; 4 jawaban lain di bagian ini ikut dipindahkan."
    )
    assert "2. <b>Kebutuhan</b>: Sekolah dekat rumah" in review
    with Session(engine) as session:
        assert {a.domain for a in session.exec(select(Answer))} == {"kesehatan"}


async def test_resume_after_the_bot_process_restarts(
    settings: Settings,
    survey_data: SurveyData,
    engine: Engine,
    api: FakeBotAPI,
    clock: FakeClock,
    default_campaign: str,
) -> None:
    async with bot_running(
        settings=settings, survey_data=survey_data, engine=engine, api=api, clock=clock
    ) as first:
        await first.join(CITIZEN)
        await first.tap(CITIZEN, "Perhubungan")
        await first.say(CITIZEN, "Angkot sampai desa")
    clock.advance(hours=3)
    async with bot_running(
        settings=settings, survey_data=survey_data, engine=engine, api=api, clock=clock
    ) as second:
        calls = await second.say(CITIZEN, "/start")
        assert "2 jawaban tersimpan" in texts_of(calls)[-1]
        calls = await second.tap(CITIZEN, "Lanjutkan")
        assert "Pertanyaan 3 dari 7 · Perhubungan" in texts_of(calls)[-1]
        assert "Mengapa" in texts_of(calls)[-1]
        # Typing straight away (without /start) also continues where the run stands.
        calls = await second.say(CITIZEN, "Jalan kaki 5 km")
        assert "kebutuhan lain" in texts_of(calls)[-1]
    assert _answers(engine)[("reason", 0, 0)] == "Jalan kaki 5 km"


async def test_start_over_keeps_the_old_run_as_abandoned(bot: Harness, engine: Engine) -> None:
    await bot.join(CITIZEN)
    await bot.tap(CITIZEN, "Energi")
    await bot.say(CITIZEN, "Listrik stabil")
    await bot.say(CITIZEN, "/start")
    calls = await bot.tap(CITIZEN, "Mulai dari awal")
    assert "Kita mulai dari awal" in texts_of(calls)[-1]
    assert "Pertanyaan 1 dari 7" in texts_of(calls)[-1]
    with Session(engine) as session:
        statuses = sorted(r.status for r in session.exec(select(SurveyRun)))
    assert statuses == [RunStatus.abandoned, RunStatus.in_progress]


async def test_deep_link_records_the_venue_and_unknown_links_are_said(
    bot: Harness, engine: Engine, default_campaign: str
) -> None:
    await bot.join(CITIZEN, f"{default_campaign}--puskesmas-kuala")
    with Session(engine) as session:
        assert session.exec(select(SurveyRun)).one().source == "puskesmas-kuala"
    calls = await bot.say(1002, "/start kampanye-tidak-ada")
    assert "tidak dikenali" in texts_of(calls)[0]
    assert "Privasi" in texts_of(calls)[-1]  # and the bot still welcomes them


async def test_declining_consent_stores_only_the_decline(bot: Harness, engine: Engine) -> None:
    await bot.say(CITIZEN, "/start")
    calls = await bot.tap(CITIZEN, "Tidak, terima kasih")
    assert "tidak menyimpan apa pun" in texts_of(calls, "editMessageText")[0]
    with Session(engine) as session:
        respondents = session.exec(select(Respondent)).all()
        assert len(respondents) == 1
        declined = respondents[0]
        assert declined.telegram_user_id is None and declined.consent_at is None
        assert declined.consent_declined_at is not None
        assert session.exec(select(SurveyRun)).all() == []
    # A typed message after declining is not stored either: the notice comes again.
    calls = await bot.say(CITIZEN, "halo")
    assert "Privasi" in texts_of(calls)[-1]
    with Session(engine) as session:
        assert session.exec(select(Answer)).all() == []


async def test_english_on_request(bot: Harness) -> None:
    await bot.join(CITIZEN)
    await bot.say(CITIZEN, "/language")
    calls = await bot.tap(CITIZEN, "English")
    assert "Language changed to English" in texts_of(calls, "editMessageText")[0]
    assert "Question 1 of 7" in texts_of(calls)[-1]
    calls = await bot.tap(CITIZEN, "Health")
    assert "Question 2 of 7 · Health" in texts_of(calls)[-1]
    calls = await bot.say(CITIZEN, "ab")
    assert "too short" in texts_of(calls)[-1]
    calls = await bot.say(CITIZEN, "/status")
    assert "In progress: Question 2 of 7" in texts_of(calls)[-1]


async def test_cancel_keeps_answers_pauses_and_start_resumes(bot: Harness, engine: Engine) -> None:
    await bot.join(CITIZEN)
    await bot.tap(CITIZEN, "Sosial")
    calls = await bot.say(CITIZEN, "/batal")
    assert "tetap tersimpan" in texts_of(calls)[-1]
    calls = await bot.say(CITIZEN, "ok makasih")
    assert "tidak disimpan sebagai jawaban" in texts_of(calls)[-1]
    assert ("need", 0, 0) not in _answers(engine)
    calls = await bot.say(CITIZEN, "/status")
    assert "berhenti mengisi" in texts_of(calls)[-1]
    bot.clock.advance(minutes=5)
    await bot.say(CITIZEN, "/start")
    calls = await bot.tap(CITIZEN, "Lanjutkan")
    assert "Pertanyaan 2 dari 7 · Sosial" in texts_of(calls)[-1]
    await bot.say(CITIZEN, "Bansos tepat sasaran")
    assert _answers(engine)[("need", 0, 0)] == "Bansos tepat sasaran"


async def test_commands_are_registered_in_both_languages(bot: Harness) -> None:
    registered = {
        (c.params.get("language_code"), tuple(cmd["command"] for cmd in c.params["commands"]))
        for c in bot.api.calls_to("setMyCommands")
        if c.params.get("scope", {}).get("type") == "default"
    }
    indonesian = ("start", "bantuan", "ubah", "status", "batal", "bahasa", "privasi", "hapus_data")
    english = ("start", "help", "edit", "status", "cancel", "language", "privacy", "delete_my_data")
    assert registered == {(None, indonesian), ("id", indonesian), ("en", english)}
    for command in ("/help", "/bantuan"):
        calls = await bot.say(CITIZEN, command)
        assert "/hapus_data" in texts_of(calls)[-1]
    calls = await bot.say(CITIZEN, "/privacy")
    assert "pseudonim" in texts_of(calls)[-1]


async def test_every_reply_uses_html_and_the_bot_knows_its_name(bot: Harness) -> None:
    await bot.join(CITIZEN)
    sends = bot.api.calls_to("sendMessage", CITIZEN)
    assert sends and all(c.params.get("parse_mode") == "HTML" for c in sends)
    assert runtime_of(bot.app).settings.telegram_rate_limit == 0
    assert bot.app.bot.username == "rembuk_test_bot"
