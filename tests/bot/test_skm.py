"""A citizen answers a service unit's SKM with buttons, reached by the unit's deep link."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from shared.models import Answer, Instrument, RunStatus, SurveyRun
from shared.settings import Settings
from tests.bot.conftest import Harness, make_settings, texts_of
from tests.fake_bot_api import FakeBotAPI

CITIZEN = 2001


@pytest.fixture
def settings(database_url: str, api: FakeBotAPI) -> Settings:
    # The consultation's profile, an SKM and the consultation again: more updates than the
    # flood throttle lets a person send in 10 s (20); a person taps them in minutes.
    return make_settings(database_url, api, throttle_max_updates=100)


# The button to press for each element, in order (the regulation's wording).
TAPS = (
    "Sangat sesuai",
    "Mudah",
    "Kurang cepat",
    "Gratis",
    "Sesuai",
    "Sangat kompeten",
    "Sopan dan ramah",
    "Berfungsi kurang maksimal",
    "Cukup",
)
SCORES = {
    "persyaratan": "4",
    "prosedur": "3",
    "waktu": "2",
    "biaya": "4",
    "produk": "3",
    "kompetensi": "4",
    "perilaku": "3",
    "pengaduan": "3",
    "sarana": "2",
}


async def _press(bot: Harness, user: int, label: str) -> list:
    """Press the button labelled exactly `label` ("Mudah", not "Tidak mudah")."""
    [button] = [b for b in bot.keyboard(user) if b["text"] == label]
    return await bot.press(user, button["callback_data"])


def _runs(engine: Engine) -> list[SurveyRun]:
    with Session(engine) as session:
        return list(session.exec(select(SurveyRun).order_by(SurveyRun.id)))


def _answers(engine: Engine, run_id: int) -> dict[str, tuple[str | None, str | None]]:
    with Session(engine) as session:
        rows = session.exec(select(Answer).where(Answer.run_id == run_id))
        return {a.question_id: (a.value_choice or a.value_text, a.domain) for a in rows}


async def test_skm_by_buttons_from_a_units_deep_link(
    bot: Harness, engine: Engine, default_campaign: str
) -> None:
    calls = await bot.join(CITIZEN, f"{default_campaign}--skm--dukcapil")
    first = texts_of(calls)[-1]
    assert "Survei Kepuasan Masyarakat" in first
    assert "Dinas Kependudukan dan Pencatatan Sipil" in first
    assert "kesesuaian persyaratan pelayanan" in first  # no domain question: element 1
    assert [b["text"] for b in bot.keyboard(CITIZEN) if b["text"] != "◀️ Kembali"][:4] == [
        "Tidak sesuai",
        "Kurang sesuai",
        "Sesuai",
        "Sangat sesuai",
    ]
    [run] = _runs(engine)
    assert (run.instrument, run.service_unit) == (Instrument.skm, "dukcapil")

    await _press(bot, CITIZEN, TAPS[0])
    # A tap is an answer stored at once, under the unit's domain.
    assert _answers(engine, run.id)["persyaratan"] == ("4", "adminduk_perizinan")
    for label in TAPS[1:]:
        calls = await _press(bot, CITIZEN, label)
    assert "saran" in texts_of(calls)[-1].lower()
    calls = await bot.say(CITIZEN, "Antrean online supaya tidak menunggu lama")
    assert "Periksa jawaban Anda" in texts_of(calls)[-1]
    calls = await bot.tap(CITIZEN, "Kirim jawaban")
    assert "Kode tanda terima" in texts_of(calls)[-1]

    [run] = _runs(engine)
    assert run.status == RunStatus.submitted
    stored = _answers(engine, run.id)
    assert {e: stored[e][0] for e in SCORES} == SCORES
    assert stored["saran"] == ("Antrean online supaya tidak menunggu lama", "adminduk_perizinan")

    # At another counter later, the same citizen rates that unit in a new run.
    calls = await bot.say(CITIZEN, f"/start {default_campaign}--skm--rsud")
    assert "Rumah Sakit Umum Daerah" in texts_of(calls)[-1]
    runs = _runs(engine)
    assert [(r.service_unit, r.status) for r in runs] == [
        ("dukcapil", RunStatus.submitted),
        ("rsud", RunStatus.in_progress),
    ]
    assert _answers(engine, runs[1].id) == {"domain": ("kesehatan", "kesehatan")}


async def test_skm_in_the_middle_of_the_consultation_then_back_to_it(
    bot: Harness, engine: Engine, default_campaign: str
) -> None:
    await bot.join(CITIZEN)
    await bot.tap(CITIZEN, "Pendidikan")
    await bot.say(CITIZEN, "Sekolah dekat rumah")
    await bot.say(CITIZEN, f"/start {default_campaign}--skm--samsat")
    for label in TAPS:
        await _press(bot, CITIZEN, label)
    await bot.tap(CITIZEN, "Lewati")  # the suggestion is optional
    await bot.tap(CITIZEN, "Kirim jawaban")
    external, skm = _runs(engine)
    assert (external.instrument, external.status) == (Instrument.external, RunStatus.in_progress)
    assert (skm.instrument, skm.status) == (Instrument.skm, RunStatus.submitted)
    assert "saran" not in _answers(engine, skm.id)
    # Typing goes on with the consultation where it was left.
    calls = await bot.say(CITIZEN, "Anak-anak jalan jauh")
    assert "kebutuhan lain" in texts_of(calls)[-1]
    assert _answers(engine, external.id)["reason"][0] == "Anak-anak jalan jauh"


async def test_an_unfinished_skm_does_not_take_over_the_consultation(
    bot: Harness, engine: Engine, default_campaign: str
) -> None:
    """Mid-consultation, a citizen scans a counter's QR code, taps 3 of the 9 elements and
    walks away; later /start → continue shows the consultation, and the consultation
    (typing and its buttons) gets their input: the unfinished SKM is set aside."""
    await bot.join(CITIZEN)
    await bot.tap(CITIZEN, "Pendidikan")
    await bot.say(CITIZEN, "Sekolah dekat rumah")
    await bot.say(CITIZEN, f"/start {default_campaign}--skm--samsat")
    for label in TAPS[:3]:
        await _press(bot, CITIZEN, label)
    calls = await bot.say(CITIZEN, "/start")
    assert "Anda sudah mulai mengisi" in texts_of(calls)[-1]
    calls = await bot.tap(CITIZEN, "Lanjut")
    assert "kesesuaian" not in texts_of(calls)[-1]  # the consultation's question, not SKM's
    external, skm = _runs(engine)
    assert (external.instrument, external.status) == (Instrument.external, RunStatus.in_progress)
    assert (skm.instrument, skm.status) == (Instrument.skm, RunStatus.abandoned)
    assert len(_answers(engine, skm.id)) == 4  # kept: the unit's domain and 3 taps
    # The typed answer goes to the consultation whose question was shown.
    calls = await bot.say(CITIZEN, "Anak-anak jalan jauh")
    assert "kebutuhan lain" in texts_of(calls)[-1]
    assert _answers(engine, external.id)["reason"][0] == "Anak-anak jalan jauh"
    # And its buttons are not "outdated": Back returns to the reason just given.
    calls = await bot.tap(CITIZEN, "Kembali")
    assert "tidak berlaku" not in str([c.params for c in calls])
    assert "Anak-anak jalan jauh" in texts_of(calls)[-1]  # the reason question again
    assert _answers(engine, skm.id).keys() == {"domain", "persyaratan", "prosedur", "waktu"}
    # Rescanning the counter's code starts that unit's SKM afresh.
    calls = await bot.say(CITIZEN, f"/start {default_campaign}--skm--samsat")
    assert "kesesuaian persyaratan pelayanan" in texts_of(calls)[-1]


async def test_an_unknown_unit_is_said_and_nothing_is_started(
    bot: Harness, engine: Engine, default_campaign: str
) -> None:
    calls = await bot.say(CITIZEN, f"/start {default_campaign}--skm--tidak_ada")
    assert "tidak dikenali" in texts_of(calls)[0]
    await bot.tap(CITIZEN, "Setuju")
    assert all(r.instrument == Instrument.external for r in _runs(engine))


def test_skm_payloads_and_the_entry_carried_on_the_consent_buttons() -> None:
    from bot import deeplinks
    from bot.conversation import CampaignEntry, decode_entry, encode_entry

    assert deeplinks.parse_payload("TJB2027--skm--Dukcapil") == deeplinks.CampaignLink(
        "tjb2027", unit="dukcapil"
    )
    for bad in ("tjb2027--skm--", "tjb2027--skm--1abc", "tjb2027--skm--" + "u" * 25):
        assert isinstance(deeplinks.parse_payload(bad), deeplinks.BadLink), bad
    entry = CampaignEntry(12, None, "puskesmas_kota")
    assert encode_entry(entry) == "u12.puskesmas_kota"
    assert decode_entry(encode_entry(entry)) == entry
    assert decode_entry("c12.pasar") == CampaignEntry(12, "pasar")
