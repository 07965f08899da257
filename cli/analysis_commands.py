"""`rembuk analyse`, `rembuk import` and `rembuk export`: the processor's first part."""

from __future__ import annotations

import gc
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
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
from shared.models import stored_id

if TYPE_CHECKING:
    from collections.abc import Sequence

    import pandas as pd
    from sqlmodel import Session

    from processor.curation import Curation
    from shared.models import Campaign
    from shared.settings import Settings
    from shared.survey_data import SurveyData

STAGES = ("load", "normalise", "domains", "themes", "dimensions", "gaps", "links", "write")


def _pick_campaign(session: Session, code: str | None) -> Campaign:
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
    _report_curations(result.summary.get("curations") or [])
    typer.echo(str(result.summary_path))
    typer.echo(str(result.xlsx_path))


def _report_curations(outcomes: list[dict]) -> None:
    """One line for the curations applied, and one for each that no longer applies."""
    if not outcomes:
        return
    stale = [o for o in outcomes if o["status"] != "applied"]
    console.print(
        f"Curations: {len(outcomes) - len(stale)} applied, {len(stale)} no longer apply "
        "(tidak berlaku lagi)."
    )
    for outcome in stale:
        line = (
            f"curation #{outcome['id']} ({outcome['action']}, {outcome['subject']}) no longer "
            f"applies: {outcome['note']}; undo it with `rembuk curate --undo {outcome['id']}` "
            "or keep it for a later analysis"
        )
        console.print(f"[yellow]{escape(line)}[/yellow]", highlight=False)


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
        same_content,
    )
    from shared import crud
    from shared.agencies import campaign_agencies
    from shared.db import session_scope

    if not file.is_file():
        raise fail(f"No file {file}")
    settings = settings_or_exit()
    if instrument is None:
        raise fail(_missing_instrument(file, settings))
    if instrument not in ("external", "internal"):
        raise fail("--instrument must be external or internal")
    survey_data = survey_data_or_exit()
    engine = ready(settings, survey_data)
    # A file's cells and rows are many small objects that live until the command ends:
    # the cycle collector would walk them again and again (~10% of a 100k-row import).
    gc.disable()
    try:
        with session_scope(engine) as session:
            chosen = _pick_campaign(session, campaign)
            years = list(range(chosen.plan_first_year, chosen.plan_last_year + 1))
            table = _read_table(file, settings)
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
                        session=session, campaign_id=stored_id(chosen), default=survey_data.agencies
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


def _read_table(file: Path, settings: Settings) -> pd.DataFrame:
    """A form's or an export's cells; a file that cannot be read is named in the error."""
    from processor.importer import ImportFileError, read_table

    try:
        return read_table(
            file, max_bytes=settings.import_max_bytes, max_rows=settings.import_max_rows
        )
    except ImportFileError as exc:
        raise fail(f"{file.name}: {exc}") from None
    except Exception as exc:  # a reader's own error (csv, zip, xml): name the file
        raise fail(
            f"{file.name}: cannot read it ({type(exc).__name__}: {first_line(str(exc))})"
        ) from exc


def _missing_instrument(file: Path, settings: Settings) -> str:
    """Why a form import without --instrument is refused: a LAPOR! export wants --format."""
    from processor.importer import read_table
    from processor.lapor import looks_like_lapor
    from shared.lapor_data import load_lapor_mapping

    try:
        columns = read_table(
            file, max_bytes=settings.import_max_bytes, max_rows=settings.import_max_rows
        ).columns
        mapping = load_lapor_mapping(domains=survey_data_or_exit().domains)
    except Exception:  # unreadable: the usual message will do
        columns, mapping = [], None
    if mapping is not None and looks_like_lapor([str(c) for c in columns], mapping):
        return f"{file.name}: this looks like an SP4N-LAPOR! export: add --format lapor"
    return "--instrument is required (external or internal)"


def _import_other_format(format: str, file: Path, *, campaign: str | None) -> None:
    if format != "lapor":
        raise fail("--format must be form or lapor")
    import_lapor(file, campaign=campaign)


def import_lapor(file: Path, *, campaign: str | None) -> None:
    """Load the reports of a SP4N-LAPOR! export that the campaign does not have yet."""
    from processor.importer import ImportFileError, file_digest
    from processor.lapor import import_reports, import_warnings, parse_reports
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
            table = _read_table(file, settings)
            try:
                reports, errors = parse_reports(table, mapping=mapping)
            except ImportFileError as exc:
                raise fail(f"{file.name}: {exc}") from None
            for error in errors:
                console.print(f"[yellow]row {error.row}: {error.reason}[/yellow]")
            for warning in import_warnings([str(c) for c in table.columns], reports, mapping):
                console.print(f"[yellow]warning: {escape(warning)}[/yellow]", highlight=False)
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


def _curator(by: str | None) -> str:
    """Who curates: --by, else the OS user."""
    import getpass

    if by is not None and by.strip():
        return " ".join(by.split())
    try:
        return getpass.getuser()
    except Exception:  # no user name in the environment (some containers)
        return "unknown"


def _last_statuses(out: Path, code: str) -> dict[int, dict]:
    """How each curation fared in OUT/summary.json, if that is the campaign's."""
    import json

    path = out / "summary.json"
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(summary, dict) or (summary.get("campaign") or {}).get("code") != code:
        return {}
    return {int(c["id"]): c for c in summary.get("curations") or () if "id" in c}


def _list_curations(session: Session, chosen: Campaign, out: Path) -> None:
    """One line per stored curation: id, action, subject, before → after, who and when,
    and its status in the last analysis (OUT/summary.json) or who undid it."""
    from processor.curation import ACTION_NAMES, STATUS_NAMES, CurationDataError
    from processor.curation_store import as_curation, stored_curations

    statuses = _last_statuses(out, chosen.code)
    rows = stored_curations(session=session, campaign_id=stored_id(chosen))
    for row in rows:
        try:
            subject = as_curation(row).describe()
        except CurationDataError as exc:
            subject = f"(damaged: {exc})"
        if row.undone_at is not None:
            status = f"undone by {row.undone_by} {row.undone_at:%Y-%m-%d %H:%M} UTC"
        elif row.id in statuses:
            last = statuses[row.id]
            status = STATUS_NAMES.get(last["status"], last["status"])
            status += f" ({last['note']})" if last.get("note") else ""
        else:
            status = "not analysed yet"
        console.print(
            escape(
                f"#{row.id} {ACTION_NAMES.get(row.action, row.action)}: {subject}: "
                f"{row.before} → {row.after}; by {row.created_by} "
                f"{row.created_at:%Y-%m-%d %H:%M} UTC; {status}"
            ),
            highlight=False,
        )
    console.print(
        f"{len(rows)} curation(s) of {chosen.code}; status as of {out / 'summary.json'}.",
        highlight=False,
    )


def _answer_befores(
    session: Session, chosen: Campaign, curations: Sequence[tuple[int, Curation]]
) -> tuple[list[tuple[int, Curation]], list[str]]:
    """Move-answer curations with their answer's stored domain as `before`, and a line for
    each answer that is not a text answer of the campaign."""
    from dataclasses import replace

    from processor.curation import MOVE_ANSWER
    from processor.curation_store import answer_domains

    wanted = [
        c.answer_id for _, c in curations if c.action == MOVE_ANSWER and c.answer_id is not None
    ]
    found = answer_domains(session=session, campaign_id=stored_id(chosen), answer_ids=wanted)
    checked: list[tuple[int, Curation]] = []
    problems: list[str] = []
    for row, curation in curations:
        if curation.action == MOVE_ANSWER:
            if curation.answer_id not in found:
                problems.append(
                    f"Kurasi row {row}: {curation.answer_id} is not a text answer of "
                    f"{chosen.code}; copy the id from the Jawaban sheet"
                )
                continue
            curation = replace(curation, before=found[curation.answer_id] or "(tanpa domain)")
        checked.append((row, curation))
    return checked, problems


def _load_sheet(
    session: Session, chosen: Campaign, file: Path, survey_data: SurveyData, by: str
) -> None:
    from processor.curation_sheet import KurasiSheetError, edits_from_rows, read_kurasi_sheet
    from processor.curation_store import save_curations

    try:
        sheet = read_kurasi_sheet(file)
    except KurasiSheetError as exc:
        raise fail(str(exc)) from None
    if sheet.campaign is None:
        raise fail(
            f"{file.name}: the Kurasi sheet's hidden campaign marker (the kunci cell of its "
            "first row) is missing or changed; copy the sheet again from the latest "
            f"analysis.xlsx of {chosen.code}"
        )
    if sheet.campaign != chosen.code:
        raise fail(
            f"{file.name} is the analysis of campaign {sheet.campaign}, not {chosen.code}; "
            f"use --campaign {sheet.campaign} or that campaign's analysis.xlsx"
        )
    edits = edits_from_rows(sheet.rows, domains=survey_data.domains.by_code)
    curations, problems = _answer_befores(session, chosen, edits.curations)
    problems = [*edits.problems, *problems]
    for note in edits.notes:
        console.print(f"[dim]{escape(note)}[/dim]", highlight=False)
    if problems:
        for problem in problems:
            console.print(f"[yellow]{escape(problem)}[/yellow]", highlight=False)
        raise fail(
            f"{len(problems)} problem(s) in the Kurasi sheet of {file.name}; nothing was "
            "stored. Fix the rows above and run the command again."
        )
    stored, skipped = save_curations(
        session=session,
        campaign_id=stored_id(chosen),
        curations=[c for _, c in curations],
        by=by,
        now=datetime.now(UTC),
    )
    for curation, twin in skipped:
        console.print(
            f"[dim]already stored as #{twin}: {escape(curation.describe())}[/dim]", highlight=False
        )
    for row in stored:
        console.print(
            escape(f"#{row.id} {row.action}: {row.before} → {row.after}"), highlight=False
        )
    console.print(
        f"Stored {len(stored)} curation(s) for {chosen.code} by {by}. They apply from the "
        "next `rembuk analyse`, draft and digest."
    )


def curate(
    file: Annotated[
        Path | None, typer.Argument(help="analysis.xlsx with the Kurasi sheet edited.")
    ] = None,
    campaign: Annotated[
        str | None, typer.Option(help="Campaign code (default: the open one).")
    ] = None,
    by: Annotated[
        str | None, typer.Option("--by", help="Who curates (default: the OS user).")
    ] = None,
    list_: Annotated[
        bool, typer.Option("--list", help="List the campaign's curations and their status.")
    ] = False,
    undo: Annotated[int | None, typer.Option("--undo", help="Undo the curation with this id.")] = (
        None
    ),
    out: Annotated[
        Path, typer.Option(help="Where summary.json is (the status --list shows).")
    ] = Path("out"),
) -> None:
    """Load a planner's edits from the Kurasi sheet (merge, rename, move, confirm links)."""
    from processor.curation_store import CurationStoreError, undo_curation
    from shared.db import session_scope

    if sum((file is not None, list_, undo is not None)) != 1:
        raise fail("Give an analysis.xlsx to load, or --list, or --undo ID (one of them).")
    if file is not None and not file.is_file():
        raise fail(f"No file {file}")
    settings = settings_or_exit()
    survey_data = survey_data_or_exit()
    engine = ready(settings, survey_data)
    try:
        with session_scope(engine) as session:
            chosen = _pick_campaign(session, campaign)
            if list_:
                _list_curations(session, chosen, out)
            elif undo is not None:
                who = _curator(by)
                try:
                    row = undo_curation(
                        session=session,
                        campaign_id=stored_id(chosen),
                        curation_id=undo,
                        by=who,
                        now=datetime.now(UTC),
                    )
                except CurationStoreError as exc:
                    raise fail(f"{exc}; see `rembuk curate --list`.") from None
                console.print(
                    escape(
                        f"Undid #{row.id} ({row.action}: {row.before} → {row.after}) by {who}; "
                        "the next analysis no longer applies it."
                    ),
                    highlight=False,
                )
            else:
                assert file is not None
                _load_sheet(session, chosen, file, survey_data, _curator(by))
    finally:
        engine.dispose()


def register(app: typer.Typer) -> None:
    app.command("analyse")(analyse)
    app.command("import")(import_answers)
    app.command("export")(export)
    app.command("curate")(curate)
