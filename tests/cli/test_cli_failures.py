"""Every `rembuk` failure is one clear line on stderr and exit code 1, never a traceback,
and never shows a password or a stored answer. Runs the real root command (RembukGroup,
which `rembuk` itself runs) for each bad input an operator can type."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from cli.main import app

SECRET = "s3cret-Pw"


def _postgres_url() -> str | None:
    """The test server's admin URL when it answers (else the PostgreSQL cases skip)."""
    url = make_url(
        os.environ.get("TEST_DATABASE_URL") or "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    try:
        socket.create_connection((url.host or "127.0.0.1", url.port or 5432), timeout=1).close()
    except OSError:
        return None
    return url.render_as_string(hide_password=False)


def _pg(database: str, user: str = "postgres") -> Callable[[Path], dict[str, str]]:
    def env(_tmp: Path) -> dict[str, str]:
        base = _postgres_url()
        if base is None:
            pytest.skip("no PostgreSQL server answering")
        url = make_url(base).set(username=user, password=SECRET, database=database)
        return {"DATABASE_URL": url.render_as_string(hide_password=False)}

    return env


def _sqlite(name: str) -> Callable[[Path], dict[str, str]]:
    return lambda tmp: {"DATABASE_URL": f"sqlite:///{tmp / name}"}


@dataclass
class Case:
    args: list[str]
    expect: str  # a piece of the one line
    env: Callable[[Path], dict[str, str]] | None = None  # default: the test database
    files: dict[str, bytes] = field(default_factory=dict)


CASES = {
    "postgres unreachable": Case(
        ["db", "upgrade"],
        "Connection refused",
        lambda _tmp: {"DATABASE_URL": f"postgresql+psycopg://postgres:{SECRET}@127.0.0.1:1/rembuk"},
    ),
    "postgres database missing": Case(
        ["db", "upgrade"], 'database "rembuk_no_such_db" does not exist', _pg("rembuk_no_such_db")
    ),
    "postgres role missing": Case(
        ["db", "upgrade"],
        'role "rembuk_no_such_role" does not exist',
        _pg("test", "rembuk_no_such_role"),
    ),
    "postgresql:// without the driver": Case(
        ["db", "upgrade"],
        "postgresql+psycopg://",
        lambda _tmp: {"DATABASE_URL": f"postgresql://postgres:{SECRET}@127.0.0.1/rembuk"},
    ),
    "sqlite in a missing directory": Case(
        ["db", "upgrade"], "does not exist", _sqlite("no-such-dir/rembuk.db")
    ),
    "sqlite file that is not a database": Case(
        ["db", "upgrade"],
        "file is not a database",
        _sqlite("notes.db"),
        {"notes.db": b"these are my meeting notes, not a database\n" * 100},
    ),
    "analyse --out an existing file": Case(
        ["analyse", "--out", "taken"], "is a file", files={"taken": b"x"}
    ),
    "draft --out an existing file": Case(
        ["draft", "--out", "taken"], "is a file", files={"taken": b"x"}
    ),
    "digest --out an existing file": Case(
        ["digest", "--no-deliver", "--out", "taken"], "is a file", files={"taken": b"x"}
    ),
    "export --out a directory": Case(["export", "--out", "."], "is a directory"),
    "export --out unwritable": Case(
        ["export", "--out", "taken/answers.csv"], "does not exist", files={"taken": b"x"}
    ),
    "link --qr a directory": Case(["link", "umum", "--qr", "."], "is a directory"),
    "invite --qr a directory": Case(
        ["invite", "staff", "--campaign", "umum", "--qr", "."], "is a directory"
    ),
    "non-UTF-8 argument": Case(
        ["campaign", "create", "x", "--name", "Dinas \udcff", "--plan-years", "2027-2031"],
        "not UTF-8",
    ),
    "erase a huge telegram id": Case(
        ["erase", "--telegram-id", "99999999999999999999999", "--yes"], "--telegram-id"
    ),
    "invite valid for 99999999 days": Case(
        ["invite", "staff", "--campaign", "umum", "--valid-days", "99999999"], "--valid-days"
    ),
    "invite valid for -1 days": Case(
        ["invite", "staff", "--campaign", "umum", "--valid-days", "-1"], "--valid-days"
    ),
    "invite valid for 0 days": Case(
        ["invite", "staff", "--campaign", "umum", "--valid-days", "0"], "--valid-days"
    ),
    "import an empty csv": Case(
        ["import", "kosong.csv", "--instrument", "external"],
        "kosong.csv",
        files={"kosong.csv": b""},
    ),
    "import an xlsx that is not a zip": Case(
        ["import", "formulir.xlsx", "--instrument", "external"],
        "formulir.xlsx",
        files={"formulir.xlsx": b"responden,kebutuhan\nWarga,obat\n"},
    ),
    "campaign create with an unknown time zone": Case(
        ["campaign", "create", "x", "--name", "x", "--plan-years", "2027-2031"]
        + ["--timezone", "Asia/Jakata"],
        "unknown time zone 'Asia/Jakata'",
    ),
    "campaign update to an unknown time zone": Case(
        ["campaign", "update", "umum", "--timezone", "Asia/Jakata"], "unknown time zone"
    ),
    "an unknown command": Case(["analyze"], "No such command"),
    "a tz database file that is no place": Case(
        ["campaign", "create", "y", "--name", "y", "--plan-years", "2027-2031"]
        + ["--timezone", "posixrules"],
        "unknown time zone 'posixrules'",
    ),
    "an empty time zone": Case(
        ["campaign", "create", "z", "--name", "z", "--plan-years", "2027-2031", "--timezone", ""],
        "unknown time zone ''",
    ),
    "import a csv whose quote never closes": Case(
        ["import", "open.csv", "--instrument", "external"],
        "never closed",
        files={"open.csv": b'responden,kebutuhan\nA,"obat habis\nB,air\n'},
    ),
}


@pytest.fixture
def base_env(engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, str]:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    for name in ("TELEGRAM_BOT_TOKEN", "REMBUK_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    return {
        "DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "REMBUK_BOT_USERNAME": "rembuk_test_bot",
    }


@pytest.mark.parametrize("case", CASES.values(), ids=list(CASES))
def test_a_failure_is_one_line_and_exit_code_1(
    case: Case, base_env: dict[str, str], tmp_path: Path
) -> None:
    for name, content in case.files.items():
        (tmp_path / name).write_bytes(content)
    env = {**base_env, **(case.env(tmp_path) if case.env else {})}
    result = CliRunner().invoke(app, case.args, env=env)
    lines = result.stderr.strip().splitlines()
    assert result.exit_code == 1, result.output
    assert len(lines) == 1, result.stderr
    assert case.expect in lines[0]
    assert "Traceback" not in result.output and SECRET not in result.output


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only directories")
def test_an_unwritable_out_directory_is_one_line(base_env: dict[str, str], tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    for args in (["export", "--out", "locked/answers.csv"], ["analyse", "--out", "locked"]):
        result = CliRunner().invoke(app, args, env=base_env)
        assert result.exit_code == 1 and "not writable" in result.stderr, result.output
        assert len(result.stderr.strip().splitlines()) == 1


def test_debug_shows_the_traceback(base_env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "formulir.xlsx").write_bytes(b"not a zip")
    args = ["--debug", "import", "formulir.xlsx", "--instrument", "external"]
    result = CliRunner().invoke(app, args, env=base_env)
    assert result.exit_code == 1
    assert "Traceback" in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("formulir.xlsx: ")


def test_out_that_is_a_link_or_a_device_is_refused(
    base_env: dict[str, str], tmp_path: Path
) -> None:
    target = tmp_path / "target.txt"
    target.write_text("keep me", encoding="utf-8")
    (tmp_path / "link.csv").symlink_to(target)
    for out in (tmp_path / "link.csv", Path("/dev/null")):
        result = CliRunner().invoke(
            app, ["export", "--format", "csv", "--out", str(out)], env=base_env
        )
        assert result.exit_code == 1 and "not a regular file" in result.stderr, result.stderr
    assert target.read_text(encoding="utf-8") == "keep me" and Path("/dev/null").is_char_device()


def test_a_password_in_the_query_string_is_masked_too() -> None:
    from shared.redact import display_url, mask_credentials

    url = "postgresql+psycopg://postgres@127.0.0.1:5432/db?password=S3cr3tPW&host=127.0.0.1"
    assert "S3cr3tPW" not in display_url(url) and "password=***" in display_url(url)
    assert "S3cr3tPW" not in mask_credentials(f"could not connect to {url}")


def test_db_upgrade_masks_the_password(base_env: dict[str, str]) -> None:
    url = make_url(base_env["DATABASE_URL"])
    if url.get_backend_name() != "postgresql":
        pytest.skip("SQLite URLs have no password")
    with_password = url.set(password=SECRET).render_as_string(hide_password=False)
    result = CliRunner().invoke(
        app, ["db", "upgrade"], env={**base_env, "DATABASE_URL": with_password}
    )
    # trust authentication ignores the password: the upgrade succeeds and names the URL
    assert result.exit_code == 0, result.output
    assert ":***@" in result.stderr and SECRET not in result.output


def test_a_nul_byte_on_postgresql_never_echoes_the_row(
    base_env: dict[str, str], tmp_path: Path
) -> None:
    if make_url(base_env["DATABASE_URL"]).get_backend_name() != "postgresql":
        pytest.skip("PostgreSQL refuses NUL in text; SQLite stores it")
    (tmp_path / "nul.csv").write_bytes(
        b"responden,kebutuhan,alasan\nWarga Rahasia,obat\x00habis,jauh dari kota\n"
    )
    result = CliRunner().invoke(
        app, ["import", "nul.csv", "--instrument", "external"], env=base_env
    )
    assert "Traceback" not in result.output
    assert "Rahasia" not in result.output and "jauh dari kota" not in result.output
    if result.exit_code != 0:  # refused (the importer may instead clean the NUL away)
        assert result.exit_code == 1 and len(result.stderr.strip().splitlines()) == 1


def test_the_rembuk_entry_point_refuses_non_utf8_bytes(tmp_path: Path) -> None:
    """Through the real `main` in a process of its own, with bytes the shell passed."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'r.db'}"}
    done = subprocess.run(
        [sys.executable, "-m", "cli.main", "link", b"umum\xff"],
        capture_output=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
    assert done.returncode == 1 and len(lines) == 1 and "not UTF-8" in lines[0], lines
