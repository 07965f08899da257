"""`rembuk bot`, `rembuk run`, `rembuk invite staff|planner`, `rembuk link` and `rembuk erase`."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer

from cli.common import (
    console,
    fail,
    output_dir,
    output_file,
    ready,
    settings_or_exit,
    survey_data_or_exit,
)
from shared import crud
from shared.db import session_scope
from shared.models import Role
from shared.settings import INVITE_MAX_DAYS, Settings

# Telegram user ids have at most 52 significant bits (Bot API docs); the column is 64-bit.
TELEGRAM_ID_MAX = 2**53

WebhookOption = Annotated[
    bool,
    typer.Option(
        "--webhook",
        help="Serve Telegram's webhook (REMBUK_WEBHOOK_URL, _LISTEN, _PORT, _SECRET) "
        "instead of long polling.",
    ),
]


def _configure_logging() -> None:
    logging.getLogger().setLevel(logging.INFO)
    # httpx logs every Bot API request at INFO, which would drown the bot's own log lines.
    logging.getLogger("httpx").setLevel(logging.WARNING)


def _check_bot_settings(settings: Settings, webhook: bool) -> None:
    if not settings.telegram_bot_token:
        raise fail(
            "TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather and put its token "
            "in the environment or in .env."
        )
    if webhook and not settings.webhook_url:
        raise fail("--webhook needs REMBUK_WEBHOOK_URL, the public HTTPS URL of the webhook.")


def _serve(*, webhook: bool, with_scheduler: bool) -> None:
    from bot.planner import planner_handlers
    from bot.telegram_app import build_application, run_polling, run_webhook

    settings = settings_or_exit()
    _check_bot_settings(settings, webhook)
    survey_data = survey_data_or_exit()
    _configure_logging()
    engine = ready(settings, survey_data)
    schedule = None
    if with_scheduler:
        from cli.digest_commands import DigestSchedulerHook

        schedule = DigestSchedulerHook(settings=settings, survey_data=survey_data, engine=engine)
    application = build_application(
        settings=settings,
        survey_data=survey_data,
        engine=engine,
        extra_handlers=planner_handlers(
            engine=engine, survey_data=survey_data, default_language=settings.language
        ),
        post_init_hooks=[schedule] if schedule else [],
    )
    try:
        if webhook:
            run_webhook(application, settings)
        else:
            run_polling(application)
    finally:
        if schedule is not None:
            schedule.stop()
        engine.dispose()


def bot(webhook: WebhookOption = False) -> None:
    """Run the Telegram bot (long polling, or a webhook behind a reverse proxy)."""
    _serve(webhook=webhook, with_scheduler=False)


def run(webhook: WebhookOption = False) -> None:
    """Run the bot and, in the same process, the processor's scheduler."""
    _serve(webhook=webhook, with_scheduler=True)


def _bot_username(settings: Settings) -> str:
    if not settings.bot_username:
        raise fail("REMBUK_BOT_USERNAME is not set: the bot's @username (without @) for links.")
    return settings.bot_username


def _qr_target(qr: Path | None) -> None:
    """Refuse an unusable --qr (or, without one, an unwritable current directory) before
    anything is stored."""
    if qr is not None:
        output_file(qr, option="--qr")
    else:
        output_dir(Path.cwd(), option="the current directory")


def _invite(role: Role, campaign: str, valid_days: float | None, qr: Path | None) -> None:
    from bot import deeplinks, invites

    settings = settings_or_exit()
    days = settings.invite_valid_days if valid_days is None else valid_days
    if not 0 < days <= INVITE_MAX_DAYS:  # also refuses nan
        raise fail(f"--valid-days must be more than 0 and at most {INVITE_MAX_DAYS}")
    _qr_target(qr)
    username = _bot_username(settings)
    engine = ready(settings, survey_data_or_exit())
    now = datetime.now(UTC)
    try:
        with session_scope(engine) as session:
            found = crud.resolve_campaign(session=session, now=now, code=campaign)
            if found is None:
                raise fail(f"No open campaign {campaign!r} (see `rembuk campaign list`).")
            invite, token = invites.create_invite(
                session=session,
                role=role,
                campaign=found,
                now=now,
                valid_for=timedelta(days=days),
                created_by="cli",
            )
            expires = invite.expires_at
    finally:
        engine.dispose()
    link = deeplinks.link(username, deeplinks.invite_payload(token))
    path = qr or Path(f"invite-{role}-{campaign}-{invite.id}.png")
    path.write_bytes(invites.qr_png(link))
    console.print(
        f"Single-use {role} invitation for {campaign}, valid until {expires:%Y-%m-%d %H:%M} UTC."
    )
    console.print(f"QR code: {path}")
    typer.echo(link)


CampaignOption = Annotated[str, typer.Option("--campaign", help="Campaign code.")]
ValidDaysOption = Annotated[
    float | None, typer.Option(help="Days the invitation stays valid (REMBUK_INVITE_VALID_DAYS).")
]
QrOption = Annotated[Path | None, typer.Option(help="Where to write the QR code PNG.")]

invite_app = typer.Typer(
    help="Make a single-use, expiring invitation link (and QR code) for staff or planners.",
    no_args_is_help=True,
)


@invite_app.command("staff")
def invite_staff(
    campaign: CampaignOption, valid_days: ValidDaysOption = None, qr: QrOption = None
) -> None:
    """Invite a staff member (ASN/OPD) to the internal FGD of a campaign."""
    _invite(Role.staff, campaign, valid_days, qr)


@invite_app.command("planner")
def invite_planner(
    campaign: CampaignOption, valid_days: ValidDaysOption = None, qr: QrOption = None
) -> None:
    """Invite a planner, who receives the campaign's digests."""
    _invite(Role.planner, campaign, valid_days, qr)


def link(
    campaign: Annotated[str, typer.Argument(help="Campaign code.")],
    venue: Annotated[
        str | None, typer.Option(help="Where the link or QR code is shown, e.g. puskesmas-kuala.")
    ] = None,
    qr: QrOption = None,
    unit: Annotated[
        str | None,
        typer.Option(help="A service unit (service_units.yaml) whose SKM the link opens."),
    ] = None,
    instrument: Annotated[
        str, typer.Option(help="external (the consultation) or skm (a unit's SKM, with --unit).")
    ] = "external",
) -> None:
    """Print the citizens' deep link of a campaign (optionally for a venue, or a service
    unit's SKM) and write its QR code."""
    from bot import deeplinks, invites

    settings = settings_or_exit()
    username = _bot_username(settings)
    payload = _link_payload(campaign.lower(), venue, unit, instrument.lower())
    _refuse_closed_campaign(settings, campaign.lower())
    _qr_target(qr)
    url = deeplinks.link(username, payload)
    path = qr or Path(f"link-{payload}.png")
    path.write_bytes(invites.qr_png(url))
    console.print(f"QR code: {path}")
    typer.echo(url)


def _refuse_closed_campaign(settings: Settings, code: str) -> None:
    """A closed campaign takes no more answers: no link is printed for it."""
    from shared.models import CampaignStatus

    engine = ready(settings, survey_data_or_exit())
    try:
        with session_scope(engine) as session:
            found = crud.get_campaign(session=session, code=code)
            closed = found is not None and found.status == CampaignStatus.closed
    finally:
        engine.dispose()
    if closed:
        raise fail(f"campaign {code} is closed")


def _link_payload(campaign: str, venue: str | None, unit: str | None, instrument: str) -> str:
    """The deep link's payload; a clear message for options that do not go together."""
    from bot import deeplinks

    if instrument not in ("external", "skm"):
        raise fail("--instrument must be external or skm.")
    if (instrument == "skm") != (unit is not None):
        raise fail("An SKM link names its service unit: use --unit UNIT with --instrument skm.")
    try:
        if unit is None:
            return deeplinks.campaign_payload(campaign, venue)
        if venue is not None:
            raise fail("An SKM link records its unit, not a venue: leave out --venue.")
        found = survey_data_or_exit().service_units
        known = found.find(unit, campaign) if found is not None else None
        if known is None:
            raise fail(f"No service unit {unit!r} for campaign {campaign!r} in service_units.yaml.")
        return deeplinks.skm_payload(campaign, known.code)
    except ValueError as error:
        raise fail(str(error)) from None


def erase(
    receipt: Annotated[
        str | None, typer.Option("--receipt", help="A receipt code the respondent was given.")
    ] = None,
    telegram_id: Annotated[
        int | None,
        typer.Option(
            "--telegram-id",
            help="The respondent's Telegram user id.",
            min=1,
            max=TELEGRAM_ID_MAX,
        ),
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", help="Erase without asking to confirm.")] = False,
) -> None:
    """Erase a respondent's answers and identity on their request (as /hapus_data does)."""
    from bot.respondents import erase_respondent, find_by_receipt, find_respondent, stored_counts
    from processor.erasure import scrub_files

    if (receipt is None) == (telegram_id is None):
        raise fail("Name the respondent with exactly one of --receipt or --telegram-id.")
    settings = settings_or_exit()
    engine = ready(settings, survey_data_or_exit())
    try:
        with session_scope(engine) as session:
            if receipt is not None:
                respondent = find_by_receipt(session=session, receipt_code=receipt)
                named = f"receipt code {receipt}"
            else:
                assert telegram_id is not None
                respondent = find_respondent(session=session, telegram_user_id=telegram_id)
                named = f"Telegram id {telegram_id}"
            if respondent is None or respondent.erased:
                raise fail(f"No respondent with {named} (already erased, or never stored).")
            runs, answers = stored_counts(session=session, respondent=respondent)
            console.print(
                f"Respondent {respondent.pseudonym[:12]}… ({named}): {runs} survey run(s), "
                f"{answers} answer(s)."
            )
            if not yes and not typer.confirm("Erase them and the respondent's identity?"):
                console.print("Nothing was erased.")
                raise typer.Exit(1)
            report = erase_respondent(session=session, respondent=respondent, now=datetime.now(UTC))
        scrub_files(report, output_dir=Path(settings.output_dir))
        console.print(
            f"Erased. Their quotes and answer ids left {report.digests} stored digest(s) and "
            f"{len(report.files.rewritten)} file(s) (rewritten or made again); counts already "
            "sent stay as they were."
        )
        for path, error in report.files.failed:
            console.print(f"[red]Could not scrub {path}: {error}[/red]")
        if report.files.failed:
            raise typer.Exit(1)
    finally:
        engine.dispose()


def register(app: typer.Typer) -> None:
    """Add the bot's commands to the `rembuk` app."""
    app.command("bot")(bot)
    app.command("run")(run)
    app.add_typer(invite_app, name="invite")
    app.command("link")(link)
    app.command("erase")(erase)
