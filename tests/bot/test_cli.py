"""The bot's command-line entry points."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from typer.testing import CliRunner

from bot import invites
from cli.main import app
from shared.models import Invite, Role


@pytest.fixture
def env(database_url: str, monkeypatch: pytest.MonkeyPatch, engine: Engine) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("REMBUK_PSEUDONYM_KEY", "test-key")
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)


def test_bot_without_a_token_stops_with_a_clear_message(env: None) -> None:
    result = CliRunner().invoke(app, ["bot"])
    assert result.exit_code == 2
    assert "TELEGRAM_BOT_TOKEN is not set" in result.output


def test_webhook_needs_its_url(env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "1:x")
    result = CliRunner().invoke(app, ["run", "--webhook"])
    assert result.exit_code == 2 and "REMBUK_WEBHOOK_URL" in result.output


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
    assert result.exit_code == 2 and "REMBUK_BOT_USERNAME" in result.output


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
    assert bad.exit_code == 2
