"""The `rembuk` command line. Settings, engines and data are built here, never at import."""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from cli import analysis_commands, bot_commands, digest_commands
from cli.common import (
    DEBUG_OPTION,
    RembukGroup,
    console,
    fail,
    ready,
    settings_or_exit,
    survey_data_or_exit,
)
from shared import crud
from shared.db import session_scope
from shared.redact import MaskCredentials, display_url
from shared.survey_data import SurveyDataError

app = typer.Typer(
    cls=RembukGroup,
    help="Rembuk: FGD input for a public-service master plan, over Telegram.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)
db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)
campaign_app = typer.Typer(
    help="Open, list, update and close consultation campaigns.", no_args_is_help=True
)
app.add_typer(db_app, name="db")
app.add_typer(campaign_app, name="campaign")
analysis_commands.register(app)  # analyse, import, export (processor part 1)
digest_commands.register(app)  # draft, digest, processor, run, demo (processor part 2)
bot_commands.register(app)  # bot, run, invite, link, erase


@app.callback()
def root(
    debug: Annotated[
        bool,
        typer.Option(
            DEBUG_OPTION, help="Show the traceback when a command fails (or REMBUK_DEBUG=1)."
        ),
    ] = False,
) -> None:
    """Rembuk: FGD input for a public-service master plan, over Telegram."""
    # RembukGroup reads the flag itself: it is needed where a failure is caught, after
    # the command's context is gone.


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Migrate the database to the newest schema (and add the default campaign if empty)."""
    settings = settings_or_exit()
    ready(settings, survey_data_or_exit()).dispose()
    console.print(f"Database at head: {display_url(settings.database_url)}")


def _parse_years(value: str) -> tuple[int, int]:
    try:
        first, last = (int(part) for part in value.split("-", 1))
    except ValueError:
        raise typer.BadParameter("use FIRST-LAST, e.g. 2027-2031") from None
    return first, last


@campaign_app.command("create")
def campaign_create(
    code: Annotated[str, typer.Argument(help="Short code used in deep links, e.g. tjb2027.")],
    name: Annotated[str, typer.Option(help="Campaign name shown to planners.")],
    plan_years: Annotated[str, typer.Option(help="Plan period, e.g. 2027-2031.")],
    timezone: Annotated[
        str | None, typer.Option(help="Time zone (default: REMBUK_TIMEZONE).")
    ] = None,
) -> None:
    """Create an open campaign."""
    settings = settings_or_exit()
    survey_data = survey_data_or_exit()
    first, last = _parse_years(plan_years)
    engine = ready(settings, survey_data)
    try:
        with session_scope(engine) as session:
            campaign = crud.create_campaign(
                session=session,
                code=code,
                name=name,
                plan_first_year=first,
                plan_last_year=last,
                survey_data=survey_data,
                timezone=settings.timezone if timezone is None else timezone,
                now=datetime.now(UTC),
            )
            console.print(f"Created campaign {campaign.code} ({first}-{last}).")
    except crud.CampaignError as exc:
        raise fail(str(exc)) from None
    finally:
        engine.dispose()


@campaign_app.command("update")
def campaign_update(
    code: Annotated[str, typer.Argument(help="Campaign code.")],
    name: Annotated[str | None, typer.Option(help="New campaign name.")] = None,
    timezone: Annotated[str | None, typer.Option(help="New time zone, e.g. Asia/Makassar.")] = None,
) -> None:
    """Rename a campaign or change its time zone (its digests follow the new zone)."""
    if name is None and timezone is None:
        raise fail("Nothing to change: give --name and/or --timezone.")
    settings = settings_or_exit()
    engine = ready(settings, survey_data_or_exit())
    try:
        with session_scope(engine) as session:
            campaign = crud.update_campaign(
                session=session, code=code, name=name, timezone=timezone
            )
            console.print(
                f"Updated campaign {campaign.code}: {campaign.name} ({campaign.timezone})."
            )
    except crud.CampaignError as exc:
        raise fail(str(exc)) from None
    finally:
        engine.dispose()


@campaign_app.command("list")
def campaign_list() -> None:
    """List campaigns."""
    settings = settings_or_exit()
    engine = ready(settings, survey_data_or_exit())
    table = Table("code", "name", "status", "plan years", "opens", "closes", "time zone")
    with session_scope(engine) as session:
        for c in crud.list_campaigns(session=session):
            table.add_row(
                c.code,
                c.name,
                c.status,
                f"{c.plan_first_year}-{c.plan_last_year}",
                f"{c.opens_at:%Y-%m-%d}",
                f"{c.closes_at:%Y-%m-%d}" if c.closes_at else "",
                c.timezone,
            )
    engine.dispose()
    Console().print(table)


@campaign_app.command("close")
def campaign_close(code: Annotated[str, typer.Argument(help="Campaign code.")]) -> None:
    """Close a campaign: no new answers are taken."""
    settings = settings_or_exit()
    engine = ready(settings, survey_data_or_exit())
    try:
        with session_scope(engine) as session:
            crud.close_campaign(session=session, code=code, now=datetime.now(UTC))
        console.print(f"Closed campaign {code}.")
    except crud.CampaignError as exc:
        raise fail(str(exc)) from None
    finally:
        engine.dispose()


@campaign_app.command("agencies")
def campaign_agencies_command(
    code: Annotated[str, typer.Argument(help="Campaign code.")],
    file: Annotated[
        Path | None,
        typer.Option(
            "--file",
            help="YAML shaped like agencies.yaml, or CSV with columns code, name_id, "
            "name_en, short, domains, aliases (';' between domains and aliases).",
        ),
    ] = None,
    reset: Annotated[
        bool, typer.Option("--reset", help="Go back to the default list (agencies.yaml).")
    ] = False,
) -> None:
    """Show a campaign's agencies (OPD) offered by the internal FGD, or load its own list."""
    from shared import agencies as campaign_lists

    if file is not None and reset:
        raise fail("use either --file or --reset")
    settings = settings_or_exit()
    survey_data = survey_data_or_exit()
    try:
        loaded = None if file is None else campaign_lists.read_agency_file(file, survey_data)
    except SurveyDataError as exc:
        raise fail(f"Agency list not loaded: {exc}") from None
    engine = ready(settings, survey_data)
    try:
        with session_scope(engine) as session:
            campaign = crud.get_campaign(session=session, code=code)
            if campaign is None:
                raise fail(f"No campaign {code!r} (see `rembuk campaign list`).")
            if loaded is not None:
                campaign_lists.set_campaign_agencies(
                    session=session,
                    campaign=campaign,
                    agencies=loaded,
                    source_file=file.name if file else "",
                    now=datetime.now(UTC),
                )
                console.print(
                    f"Loaded {len(loaded.agencies)} agencies for {campaign.code}. A running "
                    "bot offers them after a restart; answers already given keep their codes."
                )
            elif reset:
                removed = campaign_lists.reset_campaign_agencies(session=session, campaign=campaign)
                console.print(
                    f"{campaign.code} uses the default list again."
                    if removed
                    else f"{campaign.code} already uses the default list."
                )
            assert campaign.id is not None
            own = campaign_lists.has_own_agencies(session=session, campaign_id=campaign.id)
            current = campaign_lists.campaign_agencies(
                session=session, campaign_id=campaign.id, default=survey_data.agencies
            )
    finally:
        engine.dispose()
    table = Table(
        "code",
        "short",
        "name",
        "domains",
        title=f"{code}: {'own list' if own else 'default list (agencies.yaml)'}",
    )
    for agency in current.agencies:
        table.add_row(agency.code, agency.short, agency.name.id, ", ".join(agency.domains))
    Console().print(table)


wilayah_app = typer.Typer(help="A campaign's kecamatan and desa, offered by the profile.")
app.add_typer(wilayah_app, name="wilayah")


@wilayah_app.command("load")
def wilayah_load_command(
    file: Annotated[
        Path,
        typer.Argument(help="CSV with columns kecamatan,desa and an optional penduduk."),
    ],
    campaign_code: Annotated[str, typer.Option("--campaign", help="Campaign code.")],
    regency: Annotated[
        str | None, typer.Option("--regency", help="The regency's name (default: campaign's).")
    ] = None,
) -> None:
    """Load a campaign's own kecamatan/desa list (default: shared/questionnaires/wilayah.yaml)."""
    from shared.wilayah import read_wilayah_csv, set_campaign_wilayah

    settings = settings_or_exit()
    survey_data = survey_data_or_exit()
    engine = ready(settings, survey_data)
    try:
        with session_scope(engine) as session:
            campaign = crud.get_campaign(session=session, code=campaign_code)
            if campaign is None:
                raise fail(f"No campaign {campaign_code!r} (see `rembuk campaign list`).")
            try:
                loaded = read_wilayah_csv(file, regency or campaign.name)
            except SurveyDataError as exc:
                raise fail(f"Wilayah not loaded: {exc}") from None
            assert campaign.id is not None
            set_campaign_wilayah(
                session=session,
                campaign_id=campaign.id,
                wilayah=loaded,
                source_file=file.name,
                now=datetime.now(UTC),
            )
    finally:
        engine.dispose()
    desa = sum(len(k.desa) for k in loaded.kecamatan)
    console.print(
        f"Loaded {len(loaded.kecamatan)} kecamatan and {desa} desa for {campaign_code}. A "
        "running bot offers them after a restart; profiles already given keep their codes."
    )


@app.command("chat")
def chat(
    instrument: Annotated[
        str, typer.Option(help="external (citizens) or internal (staff).")
    ] = "external",
    lang: Annotated[str | None, typer.Option("--lang", help="id or en.")] = None,
    as_name: Annotated[
        str | None, typer.Option("--as", help="Respondent name to answer as.")
    ] = None,
    campaign: Annotated[
        str | None, typer.Option(help="Campaign code (default: the open one).")
    ] = None,
) -> None:
    """Take the survey in the terminal, against the real database."""
    from bot.console import run_console

    if instrument not in ("external", "internal"):
        raise fail("--instrument must be external or internal")
    if lang not in (None, "id", "en"):
        raise fail("--lang must be id or en")
    settings = settings_or_exit()
    survey_data = survey_data_or_exit()
    engine = ready(settings, survey_data)
    try:
        code = run_console(
            engine=engine,
            settings=settings,
            survey_data=survey_data,
            instrument=instrument,
            language=lang or settings.language,
            name=as_name,
            campaign_code=campaign,
        )
    finally:
        engine.dispose()
    raise typer.Exit(code)


def main() -> None:
    # python-telegram-bot 22 gives durations (RetryAfter.retry_after) as timedelta when
    # asked to, and warns on every 429 otherwise; the code reads either form.
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    for handler in logging.getLogger().handlers:
        handler.addFilter(MaskCredentials())
    app(prog_name="rembuk")


if __name__ == "__main__":
    main()
