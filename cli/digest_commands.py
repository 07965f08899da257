"""`rembuk draft`, `digest`, `processor` and `demo` (processor part 2), and the digest
schedule that `rembuk run` starts beside the bot."""

from __future__ import annotations

import asyncio
import logging
import shutil
import signal
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from sqlalchemy.engine import Engine

from cli.common import (
    console,
    fail,
    output_dir,
    ready,
    settings_or_exit,
    survey_data_or_exit,
)
from shared.settings import Settings
from shared.survey_data import SurveyData

if TYPE_CHECKING:
    from telegram import Bot
    from telegram.ext import Application

    from processor.broadcast_send import BroadcastRun, Preview
    from processor.schedule import DigestRuntime, DigestScheduler

logger = logging.getLogger("rembuk")


def register(app: typer.Typer) -> None:
    app.command("draft")(draft)
    app.command("digest")(digest)
    app.command("processor")(processor)
    app.command("demo")(demo)
    app.command("broadcast")(broadcast)


def _out_dir(out: Path | None, settings: Settings) -> Path:
    if out is not None:
        return output_dir(out)
    return output_dir(Path(settings.output_dir), option="REMBUK_OUTPUT_DIR")


def _campaign_code(engine: Engine, code: str | None) -> str:
    from shared import crud
    from shared.db import session_scope

    with session_scope(engine) as session:
        if code:
            found = crud.get_campaign(session=session, code=code)
            if found is None:
                raise fail(f"No campaign {code!r}; see rembuk campaign list")
            return found.code
        chosen = crud.resolve_campaign(session=session, now=datetime.now(UTC))
        if chosen is None:
            raise fail("Several (or no) campaigns are open: name one with --campaign CODE")
        return chosen.code


def draft(
    campaign: Annotated[
        str | None, typer.Option(help="Campaign code (default: the open one).")
    ] = None,
    lang: Annotated[str | None, typer.Option("--lang", help="id or en.")] = None,
    out: Annotated[
        Path | None, typer.Option(help="Output directory (default: REMBUK_OUTPUT_DIR).")
    ] = None,
) -> None:
    """Analyse the answers and write the draft master plan (.docx) with its evidence."""
    from processor.digest_job import default_analyse
    from processor.draft import write_draft

    if lang not in (None, "id", "en"):
        raise fail("--lang must be id or en")
    settings = settings_or_exit()
    survey_data = survey_data_or_exit()
    out_dir = _out_dir(out, settings)
    engine = ready(settings, survey_data)
    try:
        code = _campaign_code(engine, campaign)
        now = datetime.now(UTC)
        analysis = default_analyse(
            engine=engine, campaign_code=code, out_dir=out_dir, now=now, survey_data=survey_data
        )
        analysis.finish()
        path = write_draft(
            analysis.summary,
            out_dir=out_dir,
            language=lang or settings.language,
            now=now,
            paper=settings.paper,
        )
    finally:
        engine.dispose()
    console.print(f"Draft master plan of {code}: {path}")
    typer.echo(str(path))


def digest(
    campaign: Annotated[
        str | None, typer.Option(help="Campaign code (default: the open one).")
    ] = None,
    deliver: Annotated[
        bool, typer.Option("--deliver/--no-deliver", help="Send it to the planners now.")
    ] = True,
    out: Annotated[
        Path | None, typer.Option(help="Output directory (default: REMBUK_OUTPUT_DIR).")
    ] = None,
) -> None:
    """Run analysis and draft, compose the digest, and send it to every planner (message,
    then the XLSX and the DOCX). --no-deliver only writes the files."""
    from processor.digest_job import produce_digest

    settings = settings_or_exit()
    if deliver and not settings.telegram_bot_token:
        raise fail("TELEGRAM_BOT_TOKEN is not set: use --no-deliver, or set the token")
    survey_data = survey_data_or_exit()
    out_dir = _out_dir(out, settings)
    engine = ready(settings, survey_data)
    now = datetime.now(UTC)
    try:
        code = _campaign_code(engine, campaign)
        produced = produce_digest(
            engine=engine,
            survey_data=survey_data,
            campaign_code=code,
            slot=f"manual:{now:%Y-%m-%dT%H:%M:%SZ}",
            out_dir=out_dir,
            now=now,
            language=settings.language,
            paper=settings.paper,
            record=deliver,
        )
        console.print(f"Digest files: {produced.out_dir}")
        if deliver:
            # Imported here: python-telegram-bot is ~0.4 s of start-up --no-deliver never uses.
            from processor.delivery import deliver_pending, make_bot

            async def send() -> None:
                bot = make_bot(
                    token=settings.telegram_bot_token or "",
                    base_url=settings.telegram_api_base_url,
                    base_file_url=settings.telegram_api_base_file_url,
                )
                async with bot:
                    report = await deliver_pending(
                        engine=engine, bot=bot, clock=lambda: datetime.now(UTC)
                    )
                console.print(
                    f"Sent to {len(report.sent)} planner(s); blocked {len(report.blocked)}, "
                    f"failed {len(report.failed)}, to retry {len(report.retry_later)}."
                )

            asyncio.run(send())
    finally:
        engine.dispose()


def _runtime(
    settings: Settings,
    survey_data: SurveyData,
    engine: Engine,
    loop: asyncio.AbstractEventLoop,
    bot: Bot | None,
) -> DigestRuntime:
    from processor.schedule import DigestRuntime

    return DigestRuntime(
        engine=engine,
        survey_data=survey_data,
        out_dir=Path(settings.output_dir).resolve(),
        cron=settings.digest_cron,
        language=settings.language,
        paper=settings.paper,
        loop=loop,
        bot=bot,
    )


def processor() -> None:
    """Run the digest schedule (REMBUK_DIGEST_CRON, default Monday 07:00 in each campaign's
    time zone) until Ctrl-C; jobs are kept in the database."""
    from processor.delivery import make_bot
    from processor.schedule import DigestScheduler

    settings = settings_or_exit()
    _out_dir(None, settings)
    survey_data = survey_data_or_exit()
    engine = ready(settings, survey_data)

    async def serve() -> None:
        loop = asyncio.get_running_loop()
        bot = None
        if settings.telegram_bot_token:
            bot = make_bot(
                token=settings.telegram_bot_token,
                base_url=settings.telegram_api_base_url,
                base_file_url=settings.telegram_api_base_file_url,
            )
            await bot.initialize()
        else:
            console.print("[yellow]TELEGRAM_BOT_TOKEN is not set: digests are written, not sent[/]")
        scheduler = DigestScheduler(_runtime(settings, survey_data, engine, loop, bot))
        codes = await asyncio.to_thread(scheduler.start)
        for code, when in scheduler.next_runs().items():
            console.print(f"Digest of {code}: next run {when}")
        if not codes:
            console.print("[yellow]No open campaign to schedule[/]")
        stop = asyncio.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        try:
            await stop.wait()
        finally:
            await asyncio.to_thread(scheduler.shutdown, False)
            if bot is not None:
                await bot.shutdown()

    try:
        asyncio.run(serve())
    finally:
        engine.dispose()


class DigestSchedulerHook:
    """Starts the digest schedule once the bot is up (`rembuk run`); `stop()` on the way out."""

    def __init__(self, *, settings: Settings, survey_data: SurveyData, engine: Engine) -> None:
        self.settings, self.survey_data, self.engine = settings, survey_data, engine
        self.scheduler: DigestScheduler | None = None

    async def __call__(self, application: Application) -> None:
        from processor.delivery import make_bot
        from processor.schedule import DigestScheduler

        settings = self.settings
        # A plain Bot for digests: the Application's bot retries flood errors on its own,
        # which would blur the delivery's exactly-once bookkeeping.
        bot = make_bot(
            token=settings.telegram_bot_token or "",
            base_url=settings.telegram_api_base_url,
            base_file_url=settings.telegram_api_base_file_url,
        )
        await bot.initialize()
        scheduler = DigestScheduler(
            _runtime(settings, self.survey_data, self.engine, asyncio.get_running_loop(), bot)
        )
        await asyncio.to_thread(scheduler.start)
        self.scheduler = scheduler
        for code, when in scheduler.next_runs().items():
            logger.warning("Digest of %s: next run %s", code, when)

    def stop(self) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)


def demo(
    out: Annotated[Path, typer.Option(help="Where to write everything.")] = Path("out"),
    citizens: Annotated[int, typer.Option(help="Sample citizens.", min=10, max=5000)] = 320,
) -> None:
    """Generate a sample consultation on a fresh SQLite database (no token, no network),
    run analysis, draft and digest without delivering, and write everything to OUT."""
    from processor.demo import (
        paper_forms_csv,
        sample_consultation,
        store_consultation,
        store_skm,
    )
    from processor.demo_lapor import import_lapor_export, lapor_export_csv
    from processor.digest_job import produce_digest
    from processor.draft import write_draft
    from processor.importer import import_rows, parse_rows, read_table
    from processor.summary import parse_summary
    from shared import crud
    from shared.db import session_scope
    from shared.settings import SettingsError, load_settings
    from shared.startup import prepare_database

    started = time.monotonic()
    out = output_dir(out).resolve()
    database = out / "demo.db"
    for leftover in (database, out / "demo.db-wal", out / "demo.db-shm"):
        leftover.unlink(missing_ok=True)
    shutil.rmtree(out / "riwayat", ignore_errors=True)
    try:
        settings = load_settings(database_url=f"sqlite:///{database}", output_dir=str(out))
    except SettingsError as exc:
        raise fail(str(exc)) from None
    survey_data = survey_data_or_exit()
    now = datetime.now(UTC).replace(microsecond=0)
    engine = prepare_database(settings=settings, survey_data=survey_data, now=now)
    try:
        with session_scope(engine) as session:
            campaign = crud.create_campaign(
                session=session,
                code="demo",
                name="Master Plan Pelayanan Publik Kabupaten Contoh (demo)",
                plan_first_year=now.year + 1,
                plan_last_year=now.year + 5,
                survey_data=survey_data,
                timezone=settings.timezone,
                now=now - timedelta(days=30),
            )
            crud.close_campaign(session=session, code=crud.DEFAULT_CAMPAIGN_CODE, now=now)
            key = crud.get_secret(
                session=session, name=crud.PSEUDONYM_SECRET, configured=settings.pseudonym_key
            )
        years = list(range(campaign.plan_first_year, campaign.plan_last_year + 1))
        console.print(f"Generating a sample consultation ({citizens} citizens, staff rows)…")
        sample = sample_consultation(citizens=citizens, years=years)
        store_consultation(
            engine=engine, campaign=campaign, sample=sample, pseudonym_key=key, now=now, min_day=8
        )
        console.print("Last week's digest (so this week's shows what is new)…")
        produce_digest(
            engine=engine,
            survey_data=survey_data,
            campaign_code="demo",
            slot="demo:minggu-lalu",
            out_dir=out / "riwayat",
            now=now - timedelta(days=7),
            language=settings.language,
            paper=settings.paper,
        )
        store_consultation(
            engine=engine, campaign=campaign, sample=sample, pseudonym_key=key, now=now, max_day=7
        )
        store_skm(
            engine=engine, campaign=campaign, survey_data=survey_data, pseudonym_key=key, now=now
        )
        forms = out / "formulir-kertas.csv"
        forms.write_text(paper_forms_csv(), encoding="utf-8")
        with session_scope(engine) as session:
            rows, errors = parse_rows(
                read_table(forms),
                instrument="external",
                domains=survey_data.domains,
                plan_years=years,
                max_length=settings.free_text_max_length,
            )
            import_rows(
                session=session,
                campaign=campaign,
                instrument="external",
                file=forms.name,
                rows=rows,
                pseudonym_key=key,
                now=now,
            )
        for error in errors:
            console.print(f"  paper form row {error.row} skipped: {error.reason}")
        lapor = out / "lapor-ekspor.csv"
        lapor.write_text(lapor_export_csv(now=now), encoding="utf-8")
        complaints, lapor_errors = import_lapor_export(
            engine=engine,
            campaign=campaign,
            survey_data=survey_data,
            path=lapor,
            pseudonym_key=key,
            now=now,
        )
        for error in lapor_errors:
            console.print(f"  LAPOR! row {error.row} skipped: {error.reason}")
        console.print("Analysis, draft and digest…")
        produced = produce_digest(
            engine=engine,
            survey_data=survey_data,
            campaign_code="demo",
            slot="demo",
            out_dir=out,
            now=now,
            language="id",
            record=False,
            paper=settings.paper,
        )
        english = write_draft(
            produced.summary, out_dir=out, language="en", now=now, paper=settings.paper
        )
    finally:
        engine.dispose()

    summary = parse_summary(produced.summary)
    counts = summary.counts
    elapsed = time.monotonic() - started
    console.print(
        f"\n[bold]Demo consultation[/bold]: {counts.respondents} respondents, "
        f"{counts.answers} answers ({counts.imported_answers} of them imported from "
        f"{len(rows)} paper forms and {complaints.new} LAPOR! reports), "
        f"{counts.in_progress_runs} questionnaires in progress, "
        f"{summary.unmapped.get('answers', 0)} answers unmapped."
    )
    console.print(
        f"  SP4N-LAPOR!: {complaints.new} complaints imported from {lapor.name} "
        f"({complaints.confidential} Rahasia, {complaints.anonymous} Anonim)."
    )
    for code in summary.domains_with_answers():
        domain = summary.domains[code]
        needs = domain.top("citizen_need", 1)
        if not needs:
            continue
        open_gaps = sum(1 for g in domain.gaps if not g.addressed)
        console.print(
            f"  {domain.name.id}: {domain.respondents} respondents; top need "
            f"“{needs[0].shown_label}” ({needs[0].answer_count}); "
            f"{open_gaps} need(s) not addressed by staff"
        )
    for row in summary.latest_ikm():
        console.print(
            f"  IKM {row.name} ({row.period}): {row.ikm:.2f}, grade {row.grade}, "
            f"{row.respondents} respondents"
            + (
                f" (fewer than the minimum {row.minimum_sample})"
                if row.below_minimum_sample
                else ""
            )
        )
    files = [
        ("Draft master plan (id)", out / "draf-master-plan-demo-id.docx"),
        ("Draft master plan (en)", english),
        ("Analysis workbook", out / "analysis.xlsx"),
        ("Analysis summary", out / "summary.json"),
        ("Digest message (id)", out / "ringkasan-id.html"),
        ("Digest message (en)", out / "ringkasan-en.html"),
        ("Paper forms imported", forms),
        ("LAPOR! export imported", lapor),
        ("Demo database (SQLite)", database),
    ]
    console.print("\n[bold]Files[/bold]")
    for label, path in files:
        console.print(f"  {label:<24} {path}")
    console.print(f"\nDone in {elapsed:.0f} s. Open the .docx in Word or LibreOffice.")


# Broadcasts ("kabar balik", issue 14) ------------------------------------------------------


def _print_plan(preview: Preview, *, per_recipient: bool) -> None:
    counts = preview.counts
    digest = preview.digest
    assert digest is not None  # the caller stops when there is no digest
    console.print(
        f"Latest digest: {digest.slot} (made {digest.created_at:%Y-%m-%d %H:%M} UTC). "
        f"Recipients: {counts['recipients']}."
    )
    for title, key in (("By domain", "by_domain"), ("By language", "by_language")):
        listed = ", ".join(f"{k} {n}" for k, n in counts[key].items()) or "-"
        console.print(f"{title}: {listed}")
    if per_recipient:
        for r in preview.planned:
            typer.echo(f"  {r.label}…  {r.language}  {', '.join(r.domains)}")
    if preview.existing is not None:
        tally = ", ".join(f"{k} {n}" for k, n in preview.tally.items() if n)
        console.print(
            f"Started already by {preview.existing.started_by} on "
            f"{preview.existing.started_at:%Y-%m-%d %H:%M} UTC: {tally or 'no recipients'}."
        )


def broadcast(
    campaign: Annotated[str, typer.Option(help="Campaign code.")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print who would get which part; send nothing.")
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", help="Send without asking to confirm.")] = False,
) -> None:
    """Send respondents "what we heard" from the latest digest: each gets the part of the
    domains they answered about, in their language, once (a second run resumes)."""
    import getpass

    from shared import crud
    from shared.db import session_scope
    from shared.models import stored_id

    settings = settings_or_exit()
    survey_data = survey_data_or_exit()
    engine = ready(settings, survey_data)
    try:
        from processor.broadcast_send import preview_broadcast

        with session_scope(engine) as session:
            found = crud.get_campaign(session=session, code=campaign)
            if found is None:
                raise fail(f"No campaign {campaign!r}; see rembuk campaign list")
            preview = preview_broadcast(
                session=session, campaign_id=stored_id(found), now=datetime.now(UTC)
            )
        if preview.digest is None:
            raise fail(f"No digest of {campaign} yet: run rembuk digest first.")
        _print_plan(preview, per_recipient=dry_run)
        if preview.stale:
            console.print(
                f"Warning: the latest digest is of {preview.digest.created_at:%Y-%m-%d}, older "
                "than 8 days or than the latest answers: run rembuk digest for a fresh one."
            )
        if dry_run:
            console.print("Dry run: nothing was sent.")
            return
        pending = preview.tally.get("pending", 0)
        if preview.existing is not None and not pending:
            console.print("Nothing left to send: every respondent had this digest's message.")
            return
        if preview.existing is None and not preview.planned:
            console.print("Nobody to send to.")
            return
        if not settings.telegram_bot_token:
            raise fail("TELEGRAM_BOT_TOKEN is not set: only --dry-run works without it.")
        if not yes and not typer.confirm("Send it now?"):
            console.print("Nothing was sent.")
            raise typer.Exit(1)
        _send_broadcast(settings, survey_data, engine, preview, f"cli:{getpass.getuser()}")
    finally:
        engine.dispose()


def _send_broadcast(
    settings: Settings, survey_data: SurveyData, engine: Engine, preview: Preview, by: str
) -> None:
    from bot.keyboards import broadcast_off_keyboard
    from processor import digest_store
    from processor.broadcast_send import make_rate_limited_bot, send_broadcast
    from shared.db import session_scope
    from shared.models import stored_id

    assert preview.digest is not None  # the caller stops when there is no digest
    now = datetime.now(UTC)
    with session_scope(engine) as session:
        started, _ = digest_store.start_broadcast(
            session=session, digest=preview.digest, started_by=by, planned=preview.planned, now=now
        )
    broadcast_id = stored_id(started)
    messages = survey_data.messages

    async def send() -> BroadcastRun:
        bot = make_rate_limited_bot(
            token=settings.telegram_bot_token or "",
            base_url=settings.telegram_api_base_url,
            base_file_url=settings.telegram_api_base_file_url,
            rate=settings.telegram_rate_limit,
        )
        async with bot:
            return await send_broadcast(
                engine=engine,
                bot=bot,
                clock=lambda: datetime.now(UTC),
                broadcast_id=broadcast_id,
                messages=messages,
                keyboard=lambda lang: broadcast_off_keyboard(messages=messages, language=lang),
                by=by,
            )

    run = asyncio.run(send())
    tally = ", ".join(f"{k} {n}" for k, n in run.tally.items())
    console.print(f"Broadcast {broadcast_id}: {tally}.")
