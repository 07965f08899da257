"""The bot's command-line entry points."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from typer.testing import CliRunner

from bot import invites
from bot.console import run_console
from cli.main import app
from shared import crud
from shared.models import Answer, Invite, Respondent, Role, SurveyRun
from shared.settings import load_settings


@pytest.fixture
def env(database_url: str, monkeypatch: pytest.MonkeyPatch, engine: Engine) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("REMBUK_PSEUDONYM_KEY", "test-key")
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)


def test_bot_without_a_token_stops_with_a_clear_message(env: None) -> None:
    result = CliRunner().invoke(app, ["bot"])
    assert result.exit_code == 1
    assert "TELEGRAM_BOT_TOKEN is not set" in result.output


def test_webhook_needs_its_url(env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "1:x")
    result = CliRunner().invoke(app, ["run", "--webhook"])
    assert result.exit_code == 1 and "REMBUK_WEBHOOK_URL" in result.output


def test_invite_prints_a_single_use_link_and_writes_its_qr(
    env: None, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REMBUK_BOT_USERNAME", "rembuk_tjb_bot")
    qr = tmp_path / "staf.png"
    result = CliRunner().invoke(app, ["invite", "staff", "--campaign", "umum", "--qr", str(qr)])
    assert result.exit_code == 0, result.output
    link = result.stdout.strip().splitlines()[-1]
    assert link.startswith("https://t.me/rembuk_tjb_bot?start=inv--")
    assert qr.read_bytes().startswith(b"\x89PNG")
    token = link.split("inv--")[1]
    with Session(engine) as session:
        invite = session.exec(select(Invite)).one()
        assert invite.role == Role.staff and invite.token_hash == invites.hash_token(token)
        assert token not in invite.token_hash


def test_invite_and_link_need_the_bot_username(env: None, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["invite", "planner", "--campaign", "umum"])
    assert result.exit_code == 1 and "REMBUK_BOT_USERNAME" in result.output


def test_link_for_a_venue(env: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REMBUK_BOT_USERNAME", "rembuk_tjb_bot")
    qr = tmp_path / "poster.png"
    result = CliRunner().invoke(
        app, ["link", "umum", "--venue", "puskesmas-kuala", "--qr", str(qr)]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().endswith("?start=umum--puskesmas-kuala")
    assert qr.exists()
    bad = CliRunner().invoke(app, ["link", "umum", "--venue", "pasar baru"])
    assert bad.exit_code == 1


def test_an_admin_erases_a_respondent_by_receipt_code(
    env: None, engine: Engine, survey_data
) -> None:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        crud.ensure_default_campaign(
            session=session,
            survey_data=survey_data,
            timezone="Asia/Jakarta",
            now=datetime.now(UTC),
        )
        session.commit()
    lines = ["1", "Guru honorer", "Kelas penuh", "2", "Atap bocor", "/lewati", "2", "/kirim"]
    run_console(
        engine=engine,
        settings=load_settings(database_url=str(engine.url), pseudonym_key="test-key"),
        survey_data=survey_data,
        instrument="external",
        language="id",
        name="warga",
        stdin=io.StringIO("\n".join(lines) + "\n"),
        write=lambda text: None,
    )
    with Session(engine) as session:
        receipt = session.exec(select(SurveyRun)).one().receipt_code
    spoken = f"{receipt[:4].lower()}-{receipt[4:]}"  # as read back over the phone
    runner = CliRunner()
    kept = runner.invoke(app, ["erase", "--receipt", spoken], input="n\n")
    assert kept.exit_code == 1 and "1 survey run(s), 6 answer(s)" in kept.output
    with Session(engine) as session:
        assert len(session.exec(select(Answer)).all()) == 6
    erased = runner.invoke(app, ["erase", "--receipt", spoken], input="y\n")
    assert erased.exit_code == 0, erased.output
    with Session(engine) as session:
        assert session.exec(select(Answer)).all() == []
        assert session.exec(select(SurveyRun)).all() == []
        person = session.exec(select(Respondent)).one()
        assert person.erased and person.local_name is None
    again = runner.invoke(app, ["erase", "--receipt", receipt, "--yes"])
    assert again.exit_code == 1 and "No respondent" in again.output
    both = runner.invoke(app, ["erase", "--receipt", receipt, "--telegram-id", "5"])
    assert both.exit_code == 1 and "exactly one" in both.output
