"""What every `rembuk` command shares: the error console, settings, the database, output
paths, and the one place (RembukGroup) where any failure becomes one line on stderr and
exit code 1. The command modules import from here, and cli.main only assembles them."""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from typer.core import TyperGroup

from shared.redact import display_url, mask_credentials
from shared.settings import Settings, SettingsError, load_settings
from shared.startup import prepare_database
from shared.survey_data import SurveyData, SurveyDataError, load_survey_data

# soft_wrap: a message stays one line, however narrow the terminal (a pipe counts as 80).
console = Console(stderr=True, soft_wrap=True)

DEBUG_OPTION = "--debug"
DEBUG_HINT = f"run again as `rembuk {DEBUG_OPTION} …` to see the traceback"


class CliError(Exception):
    """A failure the user can act on; its message is the one line they see."""


def fail(message: str) -> CliError:
    """The error to raise (`raise fail(...)`); RembukGroup prints it and exits with 1."""
    return CliError(message)


def settings_or_exit() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        raise fail(str(exc)) from None


def survey_data_or_exit() -> SurveyData:
    try:
        return load_survey_data()
    except SurveyDataError as exc:
        raise fail(f"Broken survey data file: {exc}") from None


def ready(settings: Settings, survey_data: SurveyData) -> Engine:
    """Migrate and bootstrap the database; return its engine. A database that cannot be
    opened or migrated is named (password masked) with the reason the server gave."""
    _check_sqlite_directory(settings.database_url)
    try:
        return prepare_database(settings=settings, survey_data=survey_data)
    except DBAPIError as exc:
        raise fail(
            f"Cannot use the database {display_url(settings.database_url)}: {database_reason(exc)}"
        ) from exc


def _check_sqlite_directory(database_url: str) -> None:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return
    directory = Path(url.database).expanduser().parent
    if not directory.is_dir():
        raise fail(
            f"DATABASE_URL: the directory {directory} of the SQLite database does not exist; "
            "create it or choose another path"
        )


def database_reason(exc: DBAPIError) -> str:
    """The driver's own first line: never SQLAlchemy's text, which quotes the statement and
    its parameters (an answer's words)."""
    return first_line(str(exc.orig) if exc.orig is not None else type(exc).__name__)


def first_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[0][:300] if lines else ""


def output_dir(path: Path, option: str = "--out") -> Path:
    """A directory to write into, made if missing; checked before any work is done."""
    if path.exists() and not path.is_dir():
        raise fail(f"{option} {path} is a file; give a directory")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise fail(f"{option} {path}: cannot make the directory ({exc.strerror})") from exc
    if not os.access(path, os.W_OK | os.X_OK):
        raise fail(f"{option} {path}: the directory is not writable")
    return path


def output_file(path: Path, option: str = "--out") -> Path:
    """A file to write (replaced if it exists); checked before any work is done."""
    if path.is_dir():
        raise fail(f"{option} {path} is a directory; give a file name")
    if path.is_symlink() or (path.exists() and not path.is_file()):
        # The file is replaced by renaming a new one over it: a link, a device or a pipe
        # would be replaced, not written through.
        raise fail(f"{option} {path} is not a regular file; give a new file name")
    parent = path.parent
    if not parent.is_dir():
        raise fail(f"{option} {path}: the directory {parent} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise fail(f"{option} {path}: not writable")
    return path


def describe(exc: BaseException) -> str:
    """One line for any failure, with no credentials and no stored values in it."""
    if isinstance(exc, CliError):
        message = str(exc)
    elif isinstance(exc, DBAPIError):
        message = f"The database refused the request: {database_reason(exc)}"
    elif isinstance(exc, SQLAlchemyError):
        message = f"Database problem: {first_line(str(exc))}"
    elif isinstance(exc, OSError) and exc.strerror:
        where = f"{exc.filename}: " if exc.filename else ""
        message = f"{where}{exc.strerror}"
    elif type(exc).__module__.startswith("alembic"):
        message = f"Database migration failed: {first_line(str(exc))}"
    else:
        message = f"Unexpected error ({type(exc).__name__}: {first_line(str(exc))}); {DEBUG_HINT}"
    return first_line(mask_credentials(message)) or type(exc).__name__


def _not_utf8(args: list[str]) -> str | None:
    """The first argument that was not UTF-8 (Python kept its bytes as surrogates)."""
    for arg in args:
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            return arg.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return None


class RembukGroup(TyperGroup):
    """The root command. Every failure ends here: one line on stderr, exit code 1, no
    traceback (`rembuk --debug …` or REMBUK_DEBUG=1 adds it). `rembuk` alone shows help."""

    def main(  # type: ignore[override]
        self,
        args: list[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        args = list(sys.argv[1:] if args is None else args)
        code = self._run(args, prog_name, complete_var, **extra)
        if standalone_mode:
            sys.exit(code)
        return code

    def _run(
        self, args: list[str], prog_name: str | None, complete_var: str | None, **extra: Any
    ) -> int:
        try:
            bad = _not_utf8(args)
            if bad is not None:
                raise fail(f"An argument is not UTF-8 text: {bad!r}; use UTF-8 names and values")
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
            return result if isinstance(result, int) else 0
        except typer.TyperException as exc:  # usage errors: bad option, missing argument, …
            if type(exc).__name__ == "NoArgsIsHelpError":  # the help is already shown
                return exc.exit_code
            ctx = getattr(exc, "ctx", None)
            hint = f" (see `{ctx.command_path} --help`)" if ctx is not None else ""
            _print_error(first_line(exc.format_message()) + hint)
        except typer.Abort:
            _print_error("Aborted.")
        except Exception as exc:
            if _debug(args):
                traceback.print_exception(exc)
            _print_error(describe(exc))
        return 1


def _debug(args: list[str]) -> bool:
    leading = []
    for arg in args:
        if not arg.startswith("-"):
            break
        leading.append(arg)
    return DEBUG_OPTION in leading or os.environ.get("REMBUK_DEBUG", "") not in ("", "0")


def _print_error(message: str) -> None:
    console.print(f"[red]{escape(mask_credentials(message))}[/red]", highlight=False)
