"""The aiohttp transport of the Bot API (bot.http) against the fake Bot API."""

from __future__ import annotations

import socket

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import Forbidden, NetworkError, TimedOut

from bot.http import AiohttpRequest, results_unread
from tests.fake_bot_api import Failure, FakeBotAPI

TOKEN = "123456:TEST-TOKEN"


def _bot(api: FakeBotAPI, request: AiohttpRequest) -> Bot:
    return Bot(
        TOKEN,
        base_url=api.base_url,
        base_file_url=api.base_file_url,
        request=request,
        get_updates_request=AiohttpRequest(connection_pool_size=1),
    )


async def test_json_body_and_upload(api: FakeBotAPI) -> None:
    async with _bot(api, AiohttpRequest()) as bot:
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Ya", callback_data="v1|a")]])
        message = await bot.send_message(42, "<b>halo</b> & ✅", reply_markup=keyboard)
        assert message.text == "<b>halo</b> & ✅" and message.chat.id == 42
        await bot.send_photo(42, photo=b"\x89PNG fake", caption="kode")
    sent, photo = api.calls_to("sendMessage")[0], api.calls_to("sendPhoto")[0]
    assert sent.params["reply_markup"] == {
        "inline_keyboard": [[{"text": "Ya", "callback_data": "v1|a"}]]
    }
    assert photo.files["photo"] == b"\x89PNG fake" and photo.params["caption"] == "kode"


async def test_slow_answer_times_out(api: FakeBotAPI) -> None:
    async with _bot(api, AiohttpRequest(read_timeout=0.1)) as bot:
        api.fail_next("sendMessage", Failure(status=200, delay=0.5))
        with pytest.raises(TimedOut):
            await bot.send_message(42, "lambat")
        assert (await bot.send_message(42, "lagi")).text == "lagi"


async def test_no_server_is_a_network_error(api: FakeBotAPI) -> None:
    async with _bot(api, AiohttpRequest()) as bot:
        with socket.socket() as probe:  # a port on which nothing listens
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        bot._base_url = f"http://127.0.0.1:{port}/bot{TOKEN}"
        with pytest.raises(NetworkError):
            await bot.send_message(42, "halo")


async def test_results_nobody_reads_are_not_parsed_but_errors_are(api: FakeBotAPI) -> None:
    async with _bot(api, AiohttpRequest()) as bot:
        with results_unread():
            assert await bot.send_message(42, "halo") is True
            assert await bot.edit_message_text("lagi", chat_id=42, message_id=1) is True
            api.block(43)
            with pytest.raises(Forbidden):
                await bot.send_message(43, "halo")
        message = await bot.send_message(42, "dibaca")  # outside: a Message as always
        assert message.text == "dibaca" and message.chat.id == 42
    assert [c.params["text"] for c in api.calls_to("sendMessage", 42)] == ["halo", "dibaca"]
