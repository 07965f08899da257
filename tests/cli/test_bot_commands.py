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
def env(database_url: str, monkeypatch: pytest.MonkeyPatch, engine: Engine, tmp_path: Path) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    # Never the working copy's out/: an erasure scrubs the files under it.
    monkeypatch.setenv("REMBUK_OUTPUT_DIR", str(tmp_path / "out"))
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


def test_link_for_a_service_units_skm(
    env: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot import deeplinks

    monkeypatch.setenv("REMBUK_BOT_USERNAME", "rembuk_tjb_bot")
    qr = tmp_path / "loket.png"
    result = CliRunner().invoke(
        app, ["link", "umum", "--unit", "dukcapil", "--instrument", "skm", "--qr", str(qr)]
    )
    assert result.exit_code == 0, result.output
    link = result.stdout.strip().splitlines()[-1]
    assert link.endswith("?start=umum--skm--dukcapil")
    assert qr.read_bytes().startswith(b"\x89PNG")
    payload = link.split("start=")[1]
    assert deeplinks.parse_payload(payload) == deeplinks.CampaignLink("umum", unit="dukcapil")
    # The longest campaign code and unit code still fit Telegram's 64 characters.
    longest = deeplinks.skm_payload("c" * 32, "u" * 24)
    assert len(longest) <= 64 and deeplinks.parse_payload(longest).unit == "u" * 24
    for args, message in [
        (["--unit", "nowhere", "--instrument", "skm"], "No service unit 'nowhere'"),
        (["--instrument", "skm"], "use --unit UNIT with --instrument skm"),
        (["--unit", "dukcapil"], "use --unit UNIT with --instrument skm"),
        (["--unit", "dukcapil", "--instrument", "skm", "--venue", "x"], "leave out --venue"),
        (["--instrument", "paper"], "--instrument must be external or skm"),
    ]:
        bad = CliRunner().invoke(app, ["link", "umum", *args])
        assert bad.exit_code == 1 and message in bad.output, (args, bad.output)


def test_link_takes_the_instrument_in_any_case_and_refuses_a_closed_campaign(
    env: None, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REMBUK_BOT_USERNAME", "rembuk_tjb_bot")
    args = ["link", "umum", "--unit", "dukcapil", "--instrument", "SKM"]
    result = CliRunner().invoke(app, [*args, "--qr", str(tmp_path / "a.png")])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().endswith("?start=umum--skm--dukcapil")
    with Session(engine) as session:
        crud.close_campaign(session=session, code="umum", now=datetime.now(UTC))
        session.commit()
    qr = tmp_path / "b.png"
    closed = CliRunner().invoke(app, ["link", "UMUM", "--qr", str(qr)])
    assert closed.exit_code == 1
    assert closed.output.strip() == "campaign umum is closed"
    assert "t.me" not in closed.output and not qr.exists()


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


def test_a_campaign_loads_its_own_agency_list_which_the_survey_offers(
    env: None,
    engine: Engine,
    survey_data,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    own = tmp_path / "opd.csv"
    own.write_text(
        "code,name_id,name_en,short,domains,aliases\n"
        "dinkes_p2kb,Dinas Kesehatan dan KB,Health and Family Planning Office,Dinkes P2KB,"
        "kesehatan,Dinkes\n"
        "rsud_sehat,RSUD Sehat Sentosa,Sehat Sentosa Hospital,RSUD Sehat,kesehatan;sosial,\n"
        "setda,Sekretariat Daerah,Regional Secretariat,Setda,,\n",
        encoding="utf-8",
    )
    runner = CliRunner()
    loaded = runner.invoke(app, ["campaign", "agencies", "umum", "--file", str(own)])
    assert loaded.exit_code == 0, loaded.output
    assert "Loaded 3 agencies for umum" in loaded.output and "own list" in loaded.stdout
    out: list[str] = []
    run_console(
        engine=engine,
        settings=load_settings(database_url=str(engine.url), pseudonym_key="test-key"),
        survey_data=survey_data,
        instrument="internal",
        language="id",
        name="staf",
        stdin=io.StringIO("kesehatan\nPuskesmas 24 jam\nKurang dokter\nDua\nRekrut\n2\n"),
        write=out.append,
    )
    assert "  1. Dinkes P2KB\n  2. RSUD Sehat\n  3. Setda" in "\n".join(out)
    with Session(engine) as session:
        opd = session.exec(select(Answer).where(Answer.question_id == "opd")).one()
    assert opd.value_choice == "rsud_sehat"
    reset = runner.invoke(app, ["campaign", "agencies", "umum", "--reset"])
    assert "umum uses the default list again" in reset.output and "Dinkes" in reset.stdout


def test_an_agency_list_with_an_unknown_domain_is_refused(env: None, tmp_path: Path) -> None:
    bad = tmp_path / "opd.csv"
    bad.write_text(
        "code,name_id,name_en,short,domains\n"
        "dinkes,Dinas Kesehatan,Health Office,Dinkes,kesehatan\n"
        "dishut,Dinas Kehutanan,Forestry Office,Dishut,kehutanan\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["campaign", "agencies", "umum", "--file", str(bad)])
    assert result.exit_code == 1
    assert "agency dishut: unknown domain 'kehutanan'" in " ".join(result.output.split())
