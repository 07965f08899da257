"""The fake Bot API answers python-telegram-bot's real HTTP calls and injects failures."""

from __future__ import annotations

import pytest
from telegram import Bot
from telegram.error import Forbidden, RetryAfter

from tests.fake_bot_api import Failure, FakeBotAPI, text_update


@pytest.fixture
async def api():
    server = FakeBotAPI()
    await server.start()
    yield server
    await server.stop()


async def test_send_and_receive_through_real_bot(api: FakeBotAPI) -> None:
    async with Bot("123:ABC", base_url=api.base_url, base_file_url=api.base_file_url) as bot:
        api.push_update(text_update(42, "/start"))
        updates = await bot.get_updates(timeout=1)
        assert [u.message.text for u in updates] == ["/start"]
        message = await bot.send_message(42, "<b>Halo</b>", parse_mode="HTML")
        assert message.chat_id == 42
    call = api.calls_to("sendMessage")[0]
    assert call.params["text"] == "<b>Halo</b>" and call.params["parse_mode"] == "HTML"


async def test_injected_429_and_blocked_user(api: FakeBotAPI) -> None:
    api.fail_next(
        "sendMessage", Failure(status=429, description="Too Many Requests", retry_after=3)
    )
    api.block(7)
    async with Bot("123:ABC", base_url=api.base_url, base_file_url=api.base_file_url) as bot:
        with pytest.raises(RetryAfter) as retry:
            await bot.send_message(42, "x")
        assert (
            int(
                getattr(retry.value.retry_after, "total_seconds", lambda: retry.value.retry_after)()
            )
            == 3
        )
        await bot.send_message(42, "y")
        with pytest.raises(Forbidden):
            await bot.send_message(7, "z")
    assert [c.params["text"] for c in api.calls_to("sendMessage")] == ["x", "y", "z"]
