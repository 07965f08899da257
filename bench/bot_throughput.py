"""Throughput and latency of the Telegram bot: N citizens take the external FGD at once.

Runs the real Application (long polling, AIORateLimiter, a SQLite file by default) in its
own process against the loopback fake Bot API of the tests, which runs in this process with
the simulated citizens; then a bare python-telegram-bot echo bot in the same harness, under
the same load, with the same transport settings; and compares the two.

    .venv/bin/python bench/bot_throughput.py [--respondents 1000] [--offered-rate 500]
        [--database-url URL] [--only rembuk|echo] [--floor] [--seed 1]

What is measured, for each bot:

1. warm-up (not measured): each of 2 × N citizens joins (/start, then "agree") for Rembuk,
   or sends one message for the echo bot; this also starts the bot and warms connections.
2. saturation (the throughput figure): N citizens answer the eight steps of the external
   FGD (domain, need, why, another need? no, obstacles, strategy, another domain? no,
   submit; four buttons, four typed answers) with zero think time: each sends its next
   answer the moment the reply to the previous one arrives, so N updates are always
   waiting. answer-updates/s = answers / wall time. Latencies here are pure queueing
   (≈ N / throughput) and are reported only for completeness.
3. paced (the latency figure): the other N citizens answer the same eight steps, but each
   waits a think time before every answer: mean N / rate (2 s for 1,000 citizens at
   500/s), uniform between half and one and a half of it (the first answer within the
   first mean think time), so about `--offered-rate` answers/s are offered. p50/p99 run
   from pushing an update to the fake API until the bot's sendMessage for that chat
   reaches it (the next question, or the echo), over the steady part of the phase: from
   one mean think time in until the first 5 % of the citizens are done. Think times come
   from a seeded generator: both bots get the same schedule. A citizen answers only after
   the reply, so a bot that cannot keep up is offered less (`steady_offered_per_s`).

The echo bot gets eight text messages per citizen instead of the FGD and answers each with
sendMessage. With --floor, a third bot goes through the same phases: the echo bot, but each
message is first stored (one INSERT, committed, in Rembuk's database worker) — the least any
bot that keeps every answer must do; its ratios to the echo bot and to Rembuk are printed
too. The overall 30 messages/s limit is off for all (REMBUK_TELEGRAM_RATE_LIMIT=0), as it
would be with a local Bot API server: the benchmark measures the bot, not Telegram.
The CPU used by each process during each phase is printed, so a run shows whether the bot
or the harness was the limit (the machine has two cores: one for the bot, one for this),
and the bot's CPU time per update, the steadier figure on a shared machine.

The last line printed is one JSON object with the figures: `cpu_ms_per_answer`,
`echo_cpu_ms_per_answer` and `floor_cpu_ms_per_answer` (the bot process's CPU time, all
threads, per update of the saturation phase), `floor_updates_per_s`, `rembuk_to_floor`
(Rembuk's saturation throughput over the floor bot's) and `cpu_to_floor`; `p99_ms` and
`steady_offered_per_s` are those of the paced phase's steady part.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from telegram import Update  # noqa: E402
from telegram.ext import AIORateLimiter, Application, ContextTypes, MessageHandler, filters  # noqa: E402

from bot.telegram_app import (  # noqa: E402
    build_application,
    configure_transport,
    running,
    tune_garbage_collector,
)
from shared.settings import load_settings  # noqa: E402
from shared.startup import prepare_database  # noqa: E402
from shared.survey_data import load_survey_data  # noqa: E402
from tests.fake_bot_api import Call, FakeBotAPI, callback_update, text_update  # noqa: E402

TOKEN = "424242:BENCHMARK"
FIRST_USER = 10_000_000
ANSWERS_PER_CITIZEN = 8
REPLY_TIMEOUT = 600.0  # a safeguard only: a starved bot on a shared machine is slow, not stuck


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


@dataclass
class Harness:
    api: FakeBotAPI
    replies: Replies
    # While measuring: (when each update was pushed, its latency), and when citizens finish.
    samples: list[tuple[float, float]] | None = None
    finished: list[float] | None = None
    think: Callable[[bool], float] | None = None  # seconds to wait before an answer

    async def exchange(self, user: int, update: dict[str, Any], *, first: bool = False) -> Call:
        if self.think is not None:
            await asyncio.sleep(self.think(first))
        reply = self.replies.expect(user)
        started = time.perf_counter()
        self.api.push_update(update)
        call = await asyncio.wait_for(reply, REPLY_TIMEOUT)
        if self.samples is not None:
            self.samples.append((started, time.perf_counter() - started))
        return call

    async def citizen(self, answers: Awaitable[None]) -> None:
        await answers
        if self.finished is not None:
            self.finished.append(time.perf_counter())


def _button(call: Call, label: str) -> str:
    rows = call.params["reply_markup"]["inline_keyboard"]
    return next(b["callback_data"] for row in rows for b in row if label in b["text"])


# The two bots' citizens -------------------------------------------------------------------


def _labels(call: Call) -> list[str]:
    markup = call.params.get("reply_markup") or {}
    return [b["text"] for row in markup.get("inline_keyboard", []) for b in row]


async def _rembuk_joins(harness: Harness, user: int) -> Call:
    notice = await harness.exchange(user, text_update(user, "/start"))
    call = await harness.exchange(user, callback_update(user, _button(notice, "Setuju")))
    # The profile questions (issue 14) come before the first survey question; this
    # citizen skips each of them (not measured: the answers phase starts at the domain).
    while not any("Kesehatan" in label for label in _labels(call)):
        call = await harness.exchange(user, callback_update(user, _button(call, "Lewati")))
    return call


async def _rembuk_answers(harness: Harness, user: int, first: Call) -> None:
    def press(call: Call, label: str) -> dict[str, Any]:
        return callback_update(user, _button(call, label))

    exchange = harness.exchange
    call = await exchange(user, press(first, "Kesehatan"), first=True)
    call = await exchange(user, text_update(user, "Puskesmas buka sore"))
    call = await exchange(user, text_update(user, "Warga kerja pagi"))
    call = await exchange(user, press(call, "Tidak"))
    call = await exchange(user, text_update(user, "Antre lama"))
    call = await exchange(user, text_update(user, "Tambah dokter"))
    call = await exchange(user, press(call, "Tidak"))
    call = await exchange(user, press(call, "Kirim"))
    assert "Kode tanda terima" in str(call.params["text"]), call.params["text"]


async def _echo_joins(harness: Harness, user: int) -> Call:
    return await harness.exchange(user, text_update(user, "halo"))


async def _echo_answers(harness: Harness, user: int, first: Call) -> None:
    for step in range(ANSWERS_PER_CITIZEN):
        update = text_update(user, f"jawaban {step}")
        call = await harness.exchange(user, update, first=step == 0)
        assert call.params["text"] == f"jawaban {step}"


# The bots, each in a child process --------------------------------------------------------


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
    tune_garbage_collector()  # as `rembuk run` does (bot.telegram_app.run_polling)
    asyncio.run(_serve_until(application, stop))
    engine.dispose()


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the text back."""
    assert update.message is not None and update.effective_chat is not None
    await context.bot.send_message(update.effective_chat.id, update.message.text or "")


def _text_bot(base_url: str, handler: Callable[..., Awaitable[None]]) -> Application:
    """A bare bot answering text with `handler`, with the same transport settings as Rembuk's."""
    builder = (
        Application.builder()
        .token(TOKEN)
        .base_url(base_url + "/bot")
        .base_file_url(base_url + "/file/bot")
        .rate_limiter(AIORateLimiter(overall_max_rate=0, max_retries=3))
        .concurrent_updates(256)
    )
    application = configure_transport(builder).build()
    application.add_handler(MessageHandler(filters.TEXT, handler))
    return application


def _serve_echo(base_url: str, database_url: str, stop: Any) -> None:
    """Child process: a bare echo bot."""
    application = _text_bot(base_url, _echo)
    tune_garbage_collector()  # the same collector settings as Rembuk's, for a fair ratio
    asyncio.run(_serve_until(application, stop))


def _serve_floor(base_url: str, database_url: str, stop: Any) -> None:
    """Child process: the echo bot, but each message is first stored (one INSERT, committed,
    in Rembuk's database worker thread, bot.dbwork): the least any bot that keeps every
    answer must do."""
    from sqlalchemy import Column, DateTime, Integer, MetaData, Table, Text, insert

    from bot.dbwork import DatabaseWorker
    from shared.db import make_engine

    metadata = MetaData()
    messages = Table(
        "floor_message",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("user_id", Integer, nullable=False),
        Column("text", Text, nullable=False),
        Column("received_at", DateTime, nullable=False),
    )
    engine = make_engine(database_url)
    metadata.create_all(engine)
    worker = DatabaseWorker(database_url)

    def store(user_id: int, text: str) -> None:
        with engine.begin() as connection:
            connection.execute(
                insert(messages), {"user_id": user_id, "text": text, "received_at": datetime.now()}
            )

    async def store_and_echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Store the text, then send it back."""
        assert update.message is not None and update.effective_chat is not None
        text = update.message.text or ""
        await worker.run(store, user_id=update.effective_chat.id, text=text)
        await context.bot.send_message(update.effective_chat.id, text)

    application = _text_bot(base_url, store_and_echo)
    tune_garbage_collector()  # the same collector settings as Rembuk's, for a fair ratio
    asyncio.run(_serve_until(application, stop))
    worker.shutdown()
    engine.dispose()


async def _serve_until(application: Application, stop: Any) -> None:
    async with running(application, poll_timeout=1):
        await asyncio.to_thread(stop.wait)


# Measuring --------------------------------------------------------------------------------


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads), from /proc."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _percentile(values: list[float], fraction: float) -> float:
    """In milliseconds, of values in seconds."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] * 1000


@dataclass
class Phase:
    name: str
    samples: list[tuple[float, float]]  # (when the update was pushed, its latency)
    started: float
    elapsed: float
    finished: list[float]  # when each citizen had the reply to their last answer
    bot_cpu: float  # cores used on average
    harness_cpu: float

    @property
    def cpu_ms_per_answer(self) -> float:
        """The bot process's CPU time (all threads) per update of the phase."""
        return self.bot_cpu * self.elapsed / self.updates * 1000

    @property
    def updates(self) -> int:
        return len(self.samples)

    @property
    def rate(self) -> float:
        return self.updates / self.elapsed

    @property
    def latencies(self) -> list[float]:
        return [latency for _, latency in self.samples]

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies) * 1000

    @property
    def p99(self) -> float:
        return _percentile(self.latencies, 0.99)

    def report(self, label: str) -> None:
        print(
            f"{label} {self.name}: {self.updates} updates in {self.elapsed:.2f} s = "
            f"{self.rate:.0f} updates/s, p50 {self.p50:.1f} ms, p99 {self.p99:.1f} ms, "
            f"max {max(self.latencies) * 1000:.1f} ms; CPU: bot {self.bot_cpu:.2f} cores "
            f"({self.cpu_ms_per_answer:.2f} ms per update), harness {self.harness_cpu:.2f} cores",
            flush=True,
        )


@dataclass
class Steady:
    """The steady part of a paced phase: from one mean think time in (every citizen has
    started) until the first 5 % of the citizens are done. Its latencies are those of the
    updates pushed in it; `offered` is how many were pushed per second."""

    seconds: float
    updates: int
    offered: float
    p50: float
    p99: float

    @classmethod
    def of(cls, phase: Phase, warm: float) -> Steady:
        start = phase.started + warm
        done = sorted(phase.finished)
        end = done[max(0, len(done) // 20 - 1)]
        latencies = [latency for at, latency in phase.samples if start <= at < end]
        if end <= start or not latencies:
            raise SystemExit("the paced phase had no steady part; use more respondents")
        return cls(
            end - start,
            len(latencies),
            len(latencies) / (end - start),
            statistics.median(latencies) * 1000,
            _percentile(latencies, 0.99),
        )

    def report(self, label: str) -> None:
        print(
            f"{label} paced, steady part ({self.seconds:.1f} s, {self.updates} updates): "
            f"offered {self.offered:.0f} updates/s, p50 {self.p50:.1f} ms, "
            f"p99 {self.p99:.1f} ms",
            flush=True,
        )


async def _phase(name: str, harness: Harness, bot_pid: int, jobs: list[Awaitable[None]]) -> Phase:
    samples: list[tuple[float, float]] = []
    finished: list[float] = []
    harness.samples, harness.finished = samples, finished
    print(f"{name} phase starting", flush=True)  # e.g. to attach a profiler to the bot
    bot_before, own_before = _cpu_seconds(bot_pid), time.process_time()
    started = time.perf_counter()
    await asyncio.gather(*(harness.citizen(job) for job in jobs))
    elapsed = time.perf_counter() - started
    bot_cpu = (_cpu_seconds(bot_pid) - bot_before) / elapsed
    harness_cpu = (time.process_time() - own_before) / elapsed
    harness.samples = harness.finished = None
    return Phase(name, samples, started, elapsed, finished, bot_cpu, harness_cpu)


@dataclass
class Results:
    saturation: Phase
    paced: Phase
    steady: Steady


async def _drive(
    label: str,
    serve: Callable[[str, str, Any], None],
    database_url: str,
    respondents: int,
    mean_think: float,
    seed: int,
    join: Callable[[Harness, int], Awaitable[Call]],
    answer: Callable[[Harness, int, Call], Awaitable[None]],
) -> Results:
    """Start the fake API here and the bot in another process (as Telegram and a bot are)."""
    api = FakeBotAPI()
    api.record_calls = False
    await api.start()
    replies = Replies()
    api.listeners.append(replies.listen)
    harness = Harness(api, replies)
    context = multiprocessing.get_context("spawn")
    stop = context.Event()
    base_url = f"http://127.0.0.1:{api.port}"
    process = context.Process(target=serve, args=(base_url, database_url, stop), daemon=True)
    process.start()
    assert process.pid is not None
    try:
        saturated = [FIRST_USER + n for n in range(respondents)]
        paced = [FIRST_USER + respondents + n for n in range(respondents)]
        everyone = saturated + paced
        joined = await asyncio.gather(*(join(harness, user) for user in everyone))
        firsts = dict(zip(everyone, joined, strict=True))
        saturation = await _phase(
            "saturation", harness, process.pid, [answer(harness, u, firsts[u]) for u in saturated]
        )
        saturation.report(label)
        # Each citizen starts within the first mean think time, then thinks between half and
        # one and a half of it before every answer: the offered load is steady at about
        # respondents / mean_think updates/s until citizens begin to finish.
        rng = random.Random(seed)
        harness.think = lambda first: (
            mean_think * (rng.random() if first else rng.uniform(0.5, 1.5))
        )
        paced_phase = await _phase(
            "paced", harness, process.pid, [answer(harness, u, firsts[u]) for u in paced]
        )
        harness.think = None
        paced_phase.report(label)
        steady = Steady.of(paced_phase, mean_think)
        steady.report(label)
        return Results(saturation, paced_phase, steady)
    finally:
        stop.set()
        await asyncio.to_thread(process.join, 30)
        await api.stop()


def _main_figures(rembuk: Results | None, echo: Results | None) -> dict[str, Any]:
    """Rembuk's and the bare echo bot's saturation throughput, latency and CPU."""
    figures: dict[str, Any] = {}
    if rembuk is not None:
        # Throughput at saturation; latency at the paced, realistic load.
        figures.update(
            answer_updates_per_s=round(rembuk.saturation.rate, 1),
            p50_ms=round(rembuk.steady.p50, 1),
            p99_ms=round(rembuk.steady.p99, 1),
            cpu_ms_per_answer=round(rembuk.saturation.cpu_ms_per_answer, 2),
        )
    if echo is not None:
        figures["echo_updates_per_s"] = round(echo.saturation.rate, 1)
        figures["echo_cpu_ms_per_answer"] = round(echo.saturation.cpu_ms_per_answer, 2)
    if rembuk is not None and echo is not None:
        figures["ratio"] = round(rembuk.saturation.rate / echo.saturation.rate, 2)
        print(f"ratio rembuk/echo (saturation throughput): {figures['ratio']:.2f}")
    return figures


def _floor_figures(floor: Results, rembuk: Results | None, echo: Results | None) -> dict[str, Any]:
    """The floor bot's figures, and Rembuk's and the echo bot's ratios to it."""
    figures: dict[str, Any] = {}
    figures["floor_updates_per_s"] = round(floor.saturation.rate, 1)
    figures["floor_p50_ms"] = round(floor.steady.p50, 1)
    figures["floor_p99_ms"] = round(floor.steady.p99, 1)
    figures["floor_cpu_ms_per_answer"] = round(floor.saturation.cpu_ms_per_answer, 2)
    if rembuk is not None:
        # Issue 13's targets: Rembuk's CPU per answer ≤ 2 × the floor's, and its
        # saturation throughput ≥ 0.5 × the floor's, in the same run.
        figures["rembuk_to_floor"] = round(rembuk.saturation.rate / floor.saturation.rate, 2)
        figures["cpu_to_floor"] = round(
            rembuk.saturation.cpu_ms_per_answer / floor.saturation.cpu_ms_per_answer, 2
        )
        print(
            f"rembuk/floor: saturation throughput {figures['rembuk_to_floor']:.2f}, "
            f"CPU per answer {figures['cpu_to_floor']:.2f}"
        )
    if echo is not None:
        figures["floor_ratio"] = round(floor.saturation.rate / echo.saturation.rate, 2)
        print(f"ratio floor/echo (saturation throughput): {figures['floor_ratio']:.2f}")
    return figures


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=1000)
    parser.add_argument(
        "--offered-rate",
        type=float,
        default=500.0,
        help="answers/s offered in the paced phase (sets the mean think time)",
    )
    parser.add_argument("--seed", type=int, default=1, help="of the think times")
    parser.add_argument(
        "--database-url", help="default: a new SQLite file in a temporary directory"
    )
    parser.add_argument("--only", choices=("rembuk", "echo"), help="run one bot only")
    parser.add_argument(
        "--floor",
        action="store_true",
        help="also run the echo bot that first stores each message (the floor of any bot "
        "that keeps every answer), and print its ratio to the bare echo bot",
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    os.environ.setdefault("PTB_TIMEDELTA", "1")  # as `rembuk` runs the bot (cli.main.main)
    mean_think = args.respondents / args.offered_rate
    print(
        f"{args.respondents} citizens per phase; paced: mean think time {mean_think:.2f} s "
        f"(offered ≈ {args.offered_rate:.0f} answers/s)",
        flush=True,
    )
    with tempfile.TemporaryDirectory() as tmp:
        database_url = args.database_url or f"sqlite:///{tmp}/bench.db"
        common = (database_url, args.respondents, mean_think, args.seed)
        rembuk = echo = floor = None
        if args.only != "echo":
            rembuk = await _drive("rembuk", _serve_rembuk, *common, _rembuk_joins, _rembuk_answers)
        if args.only != "rembuk":
            echo = await _drive("echo", _serve_echo, *common, _echo_joins, _echo_answers)
        if args.floor:
            floor = await _drive("floor", _serve_floor, *common, _echo_joins, _echo_answers)
    figures = _main_figures(rembuk, echo)
    if floor is not None:
        figures.update(_floor_figures(floor, rembuk, echo))
    figures.update(
        respondents=args.respondents,
        database=database_url.split(":", 1)[0].split("+", 1)[0],
        offered_per_s=args.offered_rate,
        think_time_s=round(mean_think, 3),
    )
    for prefix, results in (("", rembuk), ("echo_", echo)):
        if results is None:
            continue
        if prefix:
            figures.update(echo_p50_ms=round(results.steady.p50, 1))
            figures.update(echo_p99_ms=round(results.steady.p99, 1))
        figures.update(
            {
                f"{prefix}steady_offered_per_s": round(results.steady.offered, 1),
                f"{prefix}saturation_p50_ms": round(results.saturation.p50, 1),
                f"{prefix}saturation_p99_ms": round(results.saturation.p99, 1),
                f"{prefix}bot_cpu_cores": round(results.saturation.bot_cpu, 2),
                f"{prefix}harness_cpu_cores": round(results.saturation.harness_cpu, 2),
            }
        )
    print(json.dumps(figures))


if __name__ == "__main__":
    asyncio.run(main())
