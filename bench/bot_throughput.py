"""Throughput of the Telegram bot: N citizens take the external FGD at the same time.

Runs the real Application (long polling, AIORateLimiter, a SQLite file by default) against
the loopback fake Bot API of the tests, then a bare python-telegram-bot echo bot on the same
fake API with the same builder settings, and compares the two.

    .venv/bin/python bench/bot_throughput.py [--respondents 1000] [--database-url URL]

Each simulated citizen joins (/start, agree) and then answers the FGD's eight steps (domain,
need, why, another need? no, obstacles, strategy, another domain? no, submit), sending the
next update only after the bot's reply arrived, like a person. Latency runs from pushing an
update to the fake API until the bot's sendMessage for that chat reaches it. Only the answer
phase is measured. The echo bot gets eight text messages per citizen and answers each with
sendMessage. The overall 30 messages/s limit is off for both (REMBUK_TELEGRAM_RATE_LIMIT=0),
as it would be with a local Bot API server: the benchmark measures the bot, not Telegram.

The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import multiprocessing
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from telegram import Update  # noqa: E402
from telegram.ext import AIORateLimiter, Application, ContextTypes, MessageHandler, filters  # noqa: E402

from bot.telegram_app import CONNECTION_POOL_SIZE, build_application, running  # noqa: E402
from shared.settings import load_settings  # noqa: E402
from shared.startup import prepare_database  # noqa: E402
from shared.survey_data import load_survey_data  # noqa: E402
from tests.fake_bot_api import Call, FakeBotAPI, callback_update, text_update  # noqa: E402

TOKEN = "424242:BENCHMARK"
FIRST_USER = 10_000_000


class Replies:
    """Resolves a waiting citizen when the bot sends a message to their chat."""

    def __init__(self) -> None:
        self.waiting: dict[int, asyncio.Future[Call]] = {}

    def listen(self, call: Call) -> None:
        if call.method != "sendMessage":
            return
        future = self.waiting.pop(call.chat_id or 0, None)
        if future is not None and not future.done():
            future.set_result(call)

    def expect(self, chat_id: int) -> asyncio.Future[Call]:
        future: asyncio.Future[Call] = asyncio.get_running_loop().create_future()
        self.waiting[chat_id] = future
        return future


async def _exchange(
    api: FakeBotAPI, replies: Replies, user: int, update: dict[str, Any], latencies: list[float]
) -> Call:
    reply = replies.expect(user)
    started = time.perf_counter()
    api.push_update(update)
    call = await asyncio.wait_for(reply, 60)
    latencies.append(time.perf_counter() - started)
    return call


def _button(call: Call, label: str) -> str:
    rows = call.params["reply_markup"]["inline_keyboard"]
    return next(b["callback_data"] for row in rows for b in row if label in b["text"])


async def _citizen_joins(api: FakeBotAPI, replies: Replies, user: int) -> Call:
    ignored: list[float] = []
    notice = await _exchange(api, replies, user, text_update(user, "/start"), ignored)
    return await _exchange(
        api, replies, user, callback_update(user, _button(notice, "Setuju")), ignored
    )


async def _citizen_answers(
    api: FakeBotAPI, replies: Replies, user: int, first: Call | None, latencies: list[float]
) -> None:
    assert first is not None

    def press(call: Call, label: str) -> dict[str, Any]:
        return callback_update(user, _button(call, label))

    call = await _exchange(api, replies, user, press(first, "Kesehatan"), latencies)
    call = await _exchange(api, replies, user, text_update(user, "Puskesmas buka sore"), latencies)
    call = await _exchange(api, replies, user, text_update(user, "Warga kerja pagi"), latencies)
    call = await _exchange(api, replies, user, press(call, "Tidak"), latencies)
    call = await _exchange(api, replies, user, text_update(user, "Antre lama"), latencies)
    call = await _exchange(api, replies, user, text_update(user, "Tambah dokter"), latencies)
    call = await _exchange(api, replies, user, press(call, "Tidak"), latencies)
    call = await _exchange(api, replies, user, press(call, "Kirim"), latencies)
    assert "Kode tanda terima" in str(call.params["text"]), call.params["text"]


async def _echo_citizen(
    api: FakeBotAPI, replies: Replies, user: int, latencies: list[float]
) -> None:
    for step in range(8):
        await _exchange(api, replies, user, text_update(user, f"jawaban {step}"), latencies)


def _figures(count: int, elapsed: float, latencies: list[float]) -> tuple[float, float, float]:
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return count / elapsed, statistics.median(ordered) * 1000, p99 * 1000


async def _measure(
    label: str, users: list[int], run_one: Callable[[int], Awaitable[None]], latencies: list[float]
) -> tuple[float, float, float]:
    started = time.perf_counter()
    await asyncio.gather(*(run_one(user) for user in users))
    elapsed = time.perf_counter() - started
    rate, p50, p99 = _figures(len(latencies), elapsed, latencies)
    print(
        f"{label}: {len(latencies)} updates in {elapsed:.2f} s = {rate:.0f} updates/s, "
        f"p50 {p50:.1f} ms, p99 {p99:.1f} ms",
        flush=True,
    )
    return rate, p50, p99


def _serve_rembuk(base_url: str, database_url: str, stop: Any) -> None:
    """Child process: the real Rembuk Application, until `stop` is set."""
    settings = load_settings(
        database_url=database_url,
        telegram_bot_token=TOKEN,
        telegram_api_base_url=base_url + "/bot",
        telegram_api_base_file_url=base_url + "/file/bot",
        telegram_rate_limit=0,
        throttle_max_updates=1000,
        pseudonym_key="benchmark",
    )
    survey_data = load_survey_data()
    engine = prepare_database(settings=settings, survey_data=survey_data)
    application = build_application(
        settings=settings, survey_data=survey_data, engine=engine, housekeeping=False
    )
    asyncio.run(_serve_until(application, stop))
    engine.dispose()


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the text back."""
    assert update.message is not None and update.effective_chat is not None
    await context.bot.send_message(update.effective_chat.id, update.message.text or "")


def _serve_echo(base_url: str, database_url: str, stop: Any) -> None:
    """Child process: a bare echo bot with the same builder settings as Rembuk's."""
    application = (
        Application.builder()
        .token(TOKEN)
        .base_url(base_url + "/bot")
        .base_file_url(base_url + "/file/bot")
        .rate_limiter(AIORateLimiter(overall_max_rate=0, max_retries=3))
        .connection_pool_size(CONNECTION_POOL_SIZE)
        .concurrent_updates(256)
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT, _echo))
    asyncio.run(_serve_until(application, stop))


async def _serve_until(application: Application, stop: Any) -> None:
    async with running(application, poll_timeout=1):
        await asyncio.to_thread(stop.wait)


async def _drive(
    label: str,
    serve: Callable[[str, str, Any], None],
    database_url: str,
    users: list[int],
    join: Callable[[FakeBotAPI, Replies, int], Awaitable[Call | None]],
    answer: Callable[[FakeBotAPI, Replies, int, Call | None, list[float]], Awaitable[None]],
) -> tuple[float, float, float]:
    """Start the fake API here and the bot in another process (as Telegram and a bot are)."""
    api = FakeBotAPI()
    api.record_calls = False
    await api.start()
    replies = Replies()
    api.listeners.append(replies.listen)
    context = multiprocessing.get_context("spawn")
    stop = context.Event()
    base_url = f"http://127.0.0.1:{api.port}"
    process = context.Process(target=serve, args=(base_url, database_url, stop), daemon=True)
    process.start()
    try:
        firsts = await asyncio.gather(*(join(api, replies, u) for u in users))
        first_of = dict(zip(users, firsts, strict=True))
        latencies: list[float] = []
        return await _measure(
            label, users, lambda u: answer(api, replies, u, first_of[u], latencies), latencies
        )
    finally:
        stop.set()
        await asyncio.to_thread(process.join, 30)
        await api.stop()


async def _echo_joins(api: FakeBotAPI, replies: Replies, user: int) -> None:
    return None


async def _echo_answers(
    api: FakeBotAPI, replies: Replies, user: int, first: Call | None, latencies: list[float]
) -> None:
    await _echo_citizen(api, replies, user, latencies)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=1000)
    parser.add_argument(
        "--database-url", help="default: a new SQLite file in a temporary directory"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        database_url = args.database_url or f"sqlite:///{tmp}/bench.db"
        users = [FIRST_USER + n for n in range(args.respondents)]
        rate, p50, p99 = await _drive(
            "rembuk", _serve_rembuk, database_url, users, _citizen_joins, _citizen_answers
        )
        echo_rate, _, _ = await _drive(
            "echo", _serve_echo, database_url, users, _echo_joins, _echo_answers
        )
    ratio = rate / echo_rate
    print(f"ratio rembuk/echo: {ratio:.2f}")
    print(
        json.dumps(
            {
                "answer_updates_per_s": round(rate, 1),
                "p50_ms": round(p50, 1),
                "p99_ms": round(p99, 1),
                "echo_updates_per_s": round(echo_rate, 1),
                "ratio": round(ratio, 2),
                "respondents": args.respondents,
                "database": database_url.split(":", 1)[0].split("+", 1)[0],
            }
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
