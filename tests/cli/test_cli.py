"""The `rembuk` command: campaigns, migrations and clear start-up errors."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from cli.main import app

runner = CliRunner()


@pytest.fixture
def env(engine, monkeypatch: pytest.MonkeyPatch, tmp_path) -> dict[str, str]:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    return {"DATABASE_URL": engine.url.render_as_string(hide_password=False)}


def test_every_command_has_help() -> None:
    for args in (
        ["--help"],
        ["db", "--help"],
        ["campaign", "create", "--help"],
        ["campaign", "list", "--help"],
        ["chat", "--help"],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        assert "Usage" in result.output


def test_campaign_lifecycle(env: dict[str, str]) -> None:
    result = runner.invoke(
        app,
        ["campaign", "create", "tjb2027", "--name", "Tanjab Barat", "--plan-years", "2027-2031"],
        env=env,
    )
    assert result.exit_code == 0, result.output
    listing = runner.invoke(app, ["campaign", "list"], env=env)
    assert "tjb2027" in listing.output and "umum" in listing.output
    assert "2027-2031" in listing.output
    duplicate = runner.invoke(
        app,
        ["campaign", "create", "tjb2027", "--name", "x", "--plan-years", "2027-2031"],
        env=env,
    )
    assert duplicate.exit_code == 1 and "already exists" in duplicate.output
    closed = runner.invoke(app, ["campaign", "close", "tjb2027"], env=env)
    assert closed.exit_code == 0
    assert "closed" in runner.invoke(app, ["campaign", "list"], env=env).output


def test_bad_plan_years_are_explained(env: dict[str, str]) -> None:
    result = runner.invoke(
        app, ["campaign", "create", "x", "--name", "x", "--plan-years", "2027"], env=env
    )
    assert result.exit_code != 0 and "2027-2031" in result.output


def test_a_bad_setting_stops_start_up_naming_it(env: dict[str, str]) -> None:
    result = runner.invoke(app, ["db", "upgrade"], env={**env, "REMBUK_TIMEZONE": "Nowhere/X"})
    assert result.exit_code == 1
    assert "REMBUK_TIMEZONE" in result.output
