"""`rembuk analyse`, `rembuk import` and `rembuk export`: the processor's first part."""

from __future__ import annotations

import gc
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from cli.common import (
    console,
    fail,
    first_line,
    output_dir,
    output_file,
    ready,
    settings_or_exit,
    survey_data_or_exit,
)

STAGES = ("load", "normalise", "domains", "themes", "dimensions", "gaps", "links", "write")


def _pick_campaign(session, code: str | None):  # type: ignore[no-untyped-def]
    """The named campaign; else the only open one; else the only one there is."""
    from shared import crud

    if code:
        campaign = crud.get_campaign(session=session, code=code)
        if campaign is None:
            raise fail(f"No campaign {code!r}; see `rembuk campaign list`.")
        return campaign
    candidates = crud.open_campaigns(session=session, now=datetime.now(UTC))
    if len(candidates) != 1:
        candidates = crud.list_campaigns(session=session)
    if len(candidates) != 1:
        raise fail("Several campaigns: choose one with --campaign CODE.")
    return candidates[0]


def analyse(
    campaign: Annotated[
        str | None, typer.Option(help="Campaign code (default: the open one).")
    ] = None,
    out: Annotated[Path, typer.Option(help="Directory for summary.json and analysis.xlsx.")] = Path(
        "out"
    ),
) -> None:
    """Group the answers into themes per domain; write summary.json and analysis.xlsx."""
    from processor.analysis import run_analysis
    from shared.db import session_scope

    output_dir(out)
    settings = settings_or_exit()
    survey_data = survey_data_or_exit()
    engine = ready(settings, survey_data)
    try:
        with session_scope(engine) as session:
            code = _pick_campaign(session, campaign).code
        with Progress(
            TextColumn("{task.description:<12}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as bar:
            task = bar.add_task("start", total=len(STAGES))

            def progress(stage: str) -> None:
                bar.update(task, description=stage, completed=STAGES.index(stage))

            result = run_analysis(
                engine=engine,
                campaign_code=code,
                out_dir=out,
                now=datetime.now(UTC),
                survey_data=survey_data,
                progress=progress,
            )
            bar.update(task, completed=len(STAGES), description="done")
    finally:
        engine.dispose()
    counts = result.summary["counts"]
    console.print(
        f"Analysed {counts['answers']} answers from {counts['respondents']} respondents "
        f"({counts['in_progress_runs']} surveys still in progress, "
        f"{result.summary['unmapped']['answers']} answers unmapped)."
    )
    typer.echo(str(result.summary_path))
    typer.echo(str(result.xlsx_path))


def import_answers(
    file: Annotated[Path, typer.Argument(help="A .csv or .xlsx file; columns in the README.")],
    instrument: Annotated[
        str | None,
        typer.Option(help="external (citizens) or internal (staff); for --format form."),
    ] = None,
    campaign: Annotated[
        str | None, typer.Option(help="Campaign code (default: the open one).")
    ] = None,
    replace: Annotated[
        bool, typer.Option(help="Replace the answers of an earlier import of this file.")
    ] = False,
    format: Annotated[
        str,
        typer.Option(
            "--format", help="form (paper FGD forms) or lapor (SP4N-LAPOR! Laporan Ringkas)."
        ),
    ] = "form",
) -> None:
    """Load answers from paper forms; bad rows are listed, good rows loaded in one go."""
    if format != "form":
        return _import_other_format(format, file, campaign=campaign)
    from processor.importer import (
        ImportFileError,
        file_digest,
        import_rows,
        parse_rows,
        read_table,
        same_content,
    )
    from shared import crud
    from shared.agencies import campaign_agencies
    from shared.db import session_scope

    if instrument not in ("external", "internal"):
        raise fail("--instrument must be external or internal")
    if not file.is_file():
        raise fail(f"No file {file}")
    settings = settings_or_exit()
    survey_data = survey_data_or_exit()
    engine = ready(settings, survey_data)
    # A file's cells and rows are many small objects that live until the command ends:
    # the cycle collector would walk them again and again (~10% of a 100k-row import).
    gc.disable()
    try:
        with session_scope(engine) as session:
            chosen = _pick_campaign(session, campaign)
            years = list(range(chosen.plan_first_year, chosen.plan_last_year + 1))
            try:
                table = read_table(
                    file,
                    max_bytes=settings.import_max_bytes,
                    max_rows=settings.import_max_rows,
                )
            except ImportFileError as exc:
                raise fail(f"{file.name}: {exc}") from None
            except Exception as exc:  # a reader's own error (csv, zip, xml): name the file
                raise fail(
                    f"{file.name}: cannot read it ({type(exc).__name__}: {first_line(str(exc))})"
                ) from exc
            try:
                rows, errors = parse_rows(
                    table,
                    instrument=instrument,
                    domains=survey_data.domains,
                    plan_years=years,
                    max_length=settings.free_text_max_length,
                    target_range=survey_data.questionnaire(instrument).target_range,
                    budget_range=survey_data.questionnaire(instrument).year_range("budget"),
                    agencies=campaign_agencies(
                        session=session, campaign_id=chosen.id, default=survey_data.agencies
                    ),
                    units=survey_data.units,
                )
                del table  # the rows are parsed: let the cells go before loading
                for error in errors:
                    console.print(f"[yellow]row {error.row}: {error.reason}[/yellow]")
                digest = file_digest(file)
                for other in same_content(
                    session=session, campaign=chosen, file=file.name, content_hash=digest
                ):
                    console.print(
                        f"[yellow]warning: {file.name} has the same content as {other}, "
                        f"already imported into {chosen.code}[/yellow]"
                    )
                key = crud.get_secret(
                    session=session,
                    name=crud.PSEUDONYM_SECRET,
                    configured=settings.pseudonym_key,
                )
                answers, replaced = import_rows(
                    session=session,
                    campaign=chosen,
                    instrument=instrument,
                    file=file.name,
                    rows=rows,
                    pseudonym_key=key,
                    now=datetime.now(UTC),
                    replace=replace,
                    content_hash=digest,
                )
            except ImportFileError as exc:
                raise fail(f"{file.name}: {exc}") from None
    finally:
        gc.enable()
        engine.dispose()
    note = f" (replacing {replaced} earlier answers)" if replaced else ""
    console.print(
        f"Imported {len(rows)} rows ({answers} answers) into {chosen.code}{note}; "
        f"{len(errors)} rows skipped."
    )
    if errors:
        raise typer.Exit(1)


def _import_other_format(format: str, file: Path, *, campaign: str | None) -> None:
    if format != "lapor":
        raise fail("--format must be form or lapor")
    import_lapor(file, campaign=campaign)


def import_lapor(file: Path, *, campaign: str | None) -> None:
    """Load the reports of a SP4N-LAPOR! export that the campaign does not have yet."""
    from processor.importer import ImportFileError, file_digest, read_table
    from processor.lapor import import_reports, parse_reports
    from shared import crud
    from shared.db import session_scope
    from shared.lapor_data import load_lapor_mapping

    if not file.is_file():
        raise fail(f"No file {file}")
    settings = settings_or_exit()
    survey_data = survey_data_or_exit()
    mapping = load_lapor_mapping(domains=survey_data.domains)
    engine = ready(settings, survey_data)
    try:
        with session_scope(engine) as session:
            chosen = _pick_campaign(session, campaign)
            try:
                table = read_table(
                    file, max_bytes=settings.import_max_bytes, max_rows=settings.import_max_rows
                )
                reports, errors = parse_reports(table, mapping=mapping)
            except ImportFileError as exc:
                raise fail(f"{file.name}: {exc}") from None
            except Exception as exc:  # a reader's own error (csv, zip, xml): name the file
                raise fail(
                    f"{file.name}: cannot read it ({type(exc).__name__}: {first_line(str(exc))})"
                ) from exc
            for error in errors:
                console.print(f"[yellow]row {error.row}: {error.reason}[/yellow]")
            key = crud.get_secret(
                session=session, name=crud.PSEUDONYM_SECRET, configured=settings.pseudonym_key
            )
            try:
                result = import_reports(
                    session=session,
                    campaign=chosen,
                    file=file.name,
                    reports=reports,
                    pseudonym_key=key,
                    now=datetime.now(UTC),
                    content_hash=file_digest(file),
                )
            except ImportFileError as exc:
                raise fail(f"{file.name}: {exc}") from None
    finally:
        engine.dispose()
    console.print(
        f"Imported {result.new} new reports into {chosen.code} ({result.confidential} "
        f"Rahasia, {result.anonymous} Anonim); {result.known} already imported, "
        f"{len(errors)} rows skipped."
    )
    if errors:
        raise typer.Exit(1)


def export(
    out: Annotated[Path, typer.Option(help="File to write.")],
    format: Annotated[str, typer.Option("--format", help="xlsx or csv.")] = "xlsx",
    campaign: Annotated[
        str | None, typer.Option(help="Campaign code (default: the open one).")
    ] = None,
) -> None:
    """Write the pseudonymised answers (submitted surveys and imports) to a file."""
    from processor.load import load_campaign_frames
    from processor.render import write_answers_export
    from shared.db import session_scope

    if format not in ("xlsx", "csv"):
        raise fail("--format must be xlsx or csv")
    output_file(out)
    settings = settings_or_exit()
    engine = ready(settings, survey_data_or_exit())
    try:
        with session_scope(engine) as session:
            chosen = _pick_campaign(session, campaign)
            frames = load_campaign_frames(connection=session.connection(), campaign=chosen)
    finally:
        engine.dispose()
    write_answers_export(frames.answers, out, file_format=format)
    console.print(f"Wrote {len(frames.answers)} answers of {chosen.code} to {out}")


def register(app: typer.Typer) -> None:
    app.command("analyse")(analyse)
    app.command("import")(import_answers)
    app.command("export")(export)
