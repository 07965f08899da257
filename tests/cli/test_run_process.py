"""`rembuk run` as a real process: the bot answers over HTTP and the digest schedule starts."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from shared.db import make_engine
from tests.fake_bot_api import FakeBotAPI, text_update

REMBUK = Path(sys.executable).with_name("rembuk")


@pytest.fixture
async def api():
    server = FakeBotAPI()
    await server.start()
    yield server
    await server.stop()


async def test_rembuk_run_serves_the_bot_and_starts_the_schedule(
    api: FakeBotAPI, make_database, tmp_path: Path, survey_data
) -> None:  # type: ignore[no-untyped-def]
    database_url = make_database()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "TELEGRAM_BOT_TOKEN": "123:TEST",
        "TELEGRAM_API_BASE_URL": api.base_url,
        "TELEGRAM_API_BASE_FILE_URL": api.base_file_url,
        "REMBUK_OUTPUT_DIR": str(tmp_path / "out"),
    }
    process = await asyncio.create_subprocess_exec(
        str(REMBUK),
        "run",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        api.push_update(text_update(5001, "/start"))
        await api.wait_for(lambda a: a.calls_to("sendMessage", chat_id=5001), timeout=60)
        welcome = api.calls_to("sendMessage", chat_id=5001)[0].params["text"]
        assert "Rembuk" in welcome or "privasi" in welcome.lower()
        assert api.calls_to("setMyCommands")

        api.push_update(text_update(5001, "/ringkasan", message_id=2))
        refusal = survey_data.messages.text("planner_only", "id")
        await api.wait_for(lambda a: refusal in a.sent_texts(5001), timeout=30)

        engine = make_engine(database_url)
        try:
            for _ in range(100):
                if "apscheduler_jobs" in inspect(engine).get_table_names():
                    break
                await asyncio.sleep(0.1)
            with engine.connect() as connection:
                jobs = connection.execute(text("SELECT id FROM apscheduler_jobs")).all()
            assert jobs, "the digest schedule stored no job"
        finally:
            engine.dispose()
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
        output, _ = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0, output.decode(errors="replace")[-2000:]
