"""Erasure reaches what was already made (issue 14 item 5).

When a respondent is erased, their words and answer ids leave every stored digest (the
summary and the message parts of the Digest rows) and every file the digests and analyses
wrote under the output directory. Counts stay as they were: they are history, not personal
data.

- `scrub_summary` (pure): the summary without the respondent's quotes, answer ids, verbatim
  "other" inputs and staff rows; a theme whose label or representative answer was theirs is
  relabelled from the next remaining quote (or its keywords).
- `scrub_directory`: one output directory, judged by the summary.json it holds. summary.json
  is rewritten scrubbed; the draft (.docx) is re-rendered from the scrubbed summary (same
  language, paper and date); ringkasan-*.html get the new labels and lose any line with the
  respondent's words; analysis.xlsx (which needs the whole analysis to be made again) is
  edited in place: rows naming an erased answer id or the respondent's pseudonym are
  deleted, and their words are taken out of every other cell.
- `scrub_exports`: answer exports (`rembuk export`, CSV or XLSX) anywhere under the output
  directory, next to a summary.json or not: rows naming an erased answer id or the
  pseudonym are deleted (by id: another citizen may have typed the same words).
- `scrub_stored` (database): every Digest row of the database, then its directory.
"""

from __future__ import annotations

import copy
import html
import json
import logging
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from processor.digest import escape_text
from processor.summary import listed_answer_ids
from shared.clean import clean_text
from shared.files import replace_atomically
from shared.models import Answer, AnswerRevision, Curation, Digest, SurveyRun
from shared.pii import scrub_pii

logger = logging.getLogger(__name__)
LABEL_LENGTH = 120  # processor.pipeline.Parameters.label_length
ELLIPSIS = "…"


def _norm(text: object) -> str:
    return " ".join(clean_text(str(text)).split()).casefold()


@dataclass(frozen=True)
class Traces:
    """What identifies one respondent's contributions in outputs made before the erasure."""

    answer_ids: frozenset[str]  # "a<answer id>", as summary.json and analysis.xlsx write them
    texts: frozenset[str]  # their answers (and earlier versions), raw and PII-scrubbed, normalised
    pseudonym: str | None = None

    @classmethod
    def of(
        cls, *, answer_ids: Iterable[object], texts: Iterable[str], pseudonym: str | None
    ) -> Traces:
        normalised = {_norm(t) for raw in texts if raw for t in (raw, scrub_pii(raw))}
        return cls(
            answer_ids=frozenset(str(i) for i in answer_ids),
            texts=frozenset(t for t in normalised if t),
            pseudonym=pseudonym,
        )

    def said(self, text: object) -> bool:
        """Whether `text` is one of their answers as a whole."""
        return isinstance(text, str) and _norm(text) in self.texts

    def labelled(self, label: object) -> bool:
        """Whether a theme label is (a shortening of) one of their answers."""
        if not isinstance(label, str) or not label.strip():
            return False
        value = _norm(label)
        if value.endswith(ELLIPSIS):
            head = value[: -len(ELLIPSIS)].rstrip()
            return any(t.startswith(head) for t in self.texts)
        return value in self.texts

    def names(self, value: object) -> bool:
        """A cell that identifies them: an erased answer id or their pseudonym."""
        if not isinstance(value, str):
            return False
        return value in self.answer_ids or (self.pseudonym is not None and value == self.pseudonym)


def collect_traces(*, session: Session, respondent_id: int, pseudonym: str | None) -> Traces:
    """The respondent's answer ids and texts, read before their answers are deleted."""
    run_ids = select(SurveyRun.id).where(SurveyRun.respondent_id == respondent_id)
    answers = session.exec(
        select(Answer.id, Answer.value_text).where(col(Answer.run_id).in_(run_ids))
    ).all()
    revisions = session.exec(
        select(AnswerRevision.answer_id, AnswerRevision.value_text).where(
            col(AnswerRevision.run_id).in_(run_ids)
        )
    ).all()
    rows = [*answers, *revisions]
    return Traces.of(
        answer_ids=(f"a{answer_id}" for answer_id, _ in rows),
        texts=(text for _, text in rows if text),
        pseudonym=pseudonym,
    )


# The summary ---------------------------------------------------------------------------


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= LABEL_LENGTH else text[: LABEL_LENGTH - 1].rstrip() + ELLIPSIS


def _scrub_theme(theme: dict, traces: Traces, relabels: dict[str, str]) -> None:
    if "answer_ids" in theme:  # written back as it was: a string (schema 4) or a list
        stored = theme["answer_ids"]
        kept = [i for i in listed_answer_ids(stored) if i not in traces.answer_ids]
        theme["answer_ids"] = " ".join(kept) if isinstance(stored, str) else kept
    theme["quotes"] = [q for q in theme.get("quotes", []) if not traces.said(q)]
    own_label = not theme.get("is_other") and (
        traces.labelled(theme.get("label")) or traces.labelled(theme.get("label_formal"))
    )
    if not (own_label or traces.said(theme.get("representative"))):
        return
    quotes = theme["quotes"]
    theme["representative"] = quotes[0] if quotes else ""
    if not own_label:
        return
    keywords = ", ".join(str(k) for k in theme.get("keywords", [])[:3])
    label = _shorten(quotes[0]) if quotes else keywords or str(theme.get("id", ""))
    for key in ("label", "label_formal"):
        old = theme.get(key)
        if isinstance(old, str) and old and old != label:
            relabels[old] = label
        theme[key] = label


def _theirs(row: Mapping[str, Any], traces: Traces) -> bool:
    ids = set(listed_answer_ids(row.get("answer_ids")))
    return bool(ids & traces.answer_ids) or traces.names(row.get("respondent"))


def _scrub_domain(domain: dict, traces: Traces, relabels: dict[str, str]) -> None:
    for themes in domain.get("themes", {}).values():
        for theme in themes:
            _scrub_theme(theme, traces, relabels)
    for kind, inputs in domain.get("other_inputs", {}).items():
        domain["other_inputs"][kind] = [i for i in inputs if not traces.said(i.get("text"))]
    for gap in domain.get("gaps", []):
        gap["staff_rows"] = [r for r in gap.get("staff_rows", []) if not _theirs(r, traces)]
    if "staff_rows_without_need" in domain:
        domain["staff_rows_without_need"] = [
            r for r in domain["staff_rows_without_need"] if not _theirs(r, traces)
        ]


def _relabel_references(domain: dict, relabels: Mapping[str, str]) -> None:
    for gap in domain.get("gaps", []):
        gap["need_label"] = relabels.get(gap.get("need_label"), gap.get("need_label"))
    for link in domain.get("links", []):
        for key in ("source_label", "target_label"):
            if link.get(key) in relabels:
                link[key] = relabels[link[key]]


def scrub_summary(summary: Mapping[str, Any], traces: Traces) -> tuple[dict, dict[str, str]]:
    """The summary without the respondent's words and answer ids, and {old label: new}
    for every theme label that was theirs. Counts are left as they were. Pure."""
    scrubbed = copy.deepcopy(dict(summary))
    relabels: dict[str, str] = {}
    domains = scrubbed.get("domains") or {}
    for domain in domains.values():
        _scrub_domain(domain, traces, relabels)
    for domain in domains.values():
        _relabel_references(domain, relabels)
    for curation in scrubbed.get("curations") or []:
        for name in ("subject", "before", "after"):
            if isinstance(curation.get(name), str):
                curation[name] = _relabel_text(curation[name], relabels)
    return scrubbed, relabels


def scrub_html(text: str, traces: Traces, relabels: Mapping[str, str]) -> str:
    """A digest message (Telegram HTML): labels replaced, lines with their words dropped."""
    for old, new in relabels.items():
        text = text.replace(escape_text(old), escape_text(new))
    lines = text.split("\n")
    kept = [line for line in lines if not _line_quotes(line, traces)]
    return "\n".join(kept)


def _line_quotes(line: str, traces: Traces) -> bool:
    plain = _norm(html.unescape(line))
    return any(len(t) >= 12 and t in plain for t in traces.texts)


# Files ---------------------------------------------------------------------------------


@dataclass
class FileReport:
    rewritten: list[Path] = field(default_factory=list)
    failed: list[tuple[Path, str]] = field(default_factory=list)


def _draft_paper(path: Path) -> str:
    from docx import Document

    height = Document(str(path)).sections[0].page_height
    return "f4" if height is not None and height.cm > 31.0 else "a4"


def _rerender_draft(path: Path, summary: dict, now: datetime) -> None:
    from processor.draft import load_draft_texts, write_draft

    language = "en" if path.stem.endswith("-en") else "id"
    paper = _draft_paper(path)
    written = write_draft(
        summary,
        out_dir=path.parent,
        language=language,
        now=now,
        texts=load_draft_texts(),
        paper=paper,
    )
    if written != path:  # a file name of another scheme: keep the name the digest points to
        written.replace(path)


def _relabel_text(text: str, relabels: Mapping[str, str]) -> str:
    for old, new in relabels.items():
        text = text.replace(old, new)
    return text


def scrub_key(key: Any, traces: Traces, relabels: Mapping[str, str]) -> Any:
    """A curation key (the Kurasi sheet's hidden column, the curation table's JSON): their
    answer ids dropped, a label that was theirs replaced (by its new label, else by the
    theme's keywords). Pure."""
    if isinstance(key, list):
        return [scrub_key(item, traces, relabels) for item in key if not traces.names(item)]
    if not isinstance(key, dict):
        return key
    scrubbed = {name: scrub_key(item, traces, relabels) for name, item in key.items()}
    label = scrubbed.get("label")
    if traces.labelled(label):
        keywords = scrubbed.get("keywords") or []
        scrubbed["label"] = relabels.get(str(label)) or ", ".join(map(str, keywords))
    return scrubbed


def _scrub_cell(value: object, traces: Traces, relabels: Mapping[str, str]) -> object:
    if not isinstance(value, str) or not value:
        return value
    if value in relabels:
        return relabels[value]
    if traces.said(value):
        return ""
    if value.startswith("{"):
        try:
            key = json.loads(value)
        except ValueError:
            key = None
        if isinstance(key, dict):
            scrubbed = scrub_key(key, traces, relabels)
            return value if scrubbed == key else json.dumps(scrubbed, ensure_ascii=False)
    if "\n" in value:
        value = "\n".join(line for line in value.split("\n") if not traces.said(line))
    relabelled = _relabel_text(value, relabels)
    return value if relabelled == value else relabelled


def scrub_workbook(path: Path, traces: Traces, relabels: Mapping[str, str]) -> None:
    """analysis.xlsx in place: rows naming an erased answer or the pseudonym go, and the
    respondent's words leave every other cell."""
    from openpyxl import load_workbook

    book = load_workbook(path)
    for sheet in book.worksheets:
        doomed = []
        for row in sheet.iter_rows():
            if any(traces.names(cell.value) for cell in row):
                doomed.append(row[0].row)
                continue
            for cell in row:
                scrubbed = _scrub_cell(cell.value, traces, relabels)
                if scrubbed is not cell.value:
                    cell.value = scrubbed
        for index in reversed(doomed):
            sheet.delete_rows(index)
    replace_atomically(path, lambda target: book.save(str(target)))


def _write_json(path: Path, data: dict) -> None:
    from processor.render import write_summary_json

    write_summary_json(data, path)


def _text_writer(text: str, *, newline: str | None = None) -> Callable[[Path], None]:
    """A `replace_atomically` writer putting `text` (UTF-8) in its target."""

    def write(target: Path) -> None:
        target.write_text(text, encoding="utf-8", newline=newline)

    return write


def _scrub_text_file(path: Path, traces: Traces, relabels: Mapping[str, str]) -> None:
    text = scrub_html(path.read_text(encoding="utf-8"), traces, relabels)
    replace_atomically(path, _text_writer(text))


def scrub_directory(
    directory: Path, traces: Traces, *, now: datetime | None = None, report: FileReport
) -> bool:
    """Scrub the outputs in `directory` (see the module docstring); False when its
    summary.json does not hold the respondent (nothing to do). `now` dates a re-rendered
    draft (the digest's creation); without it, the summary's generated_at."""
    summary_path = directory / "summary.json"
    try:
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    scrubbed, relabels = scrub_summary(summary, traces)
    if scrubbed == summary:  # every answer is in some theme: theirs would have changed it
        return False
    when = now or datetime.fromisoformat(str(summary.get("generated_at")))
    steps: list[tuple[Path, Callable[[], None]]] = [
        (summary_path, lambda: _write_json(summary_path, scrubbed))
    ]
    for path in sorted(directory.glob("*.docx")):
        steps.append((path, partial(_rerender_draft, path, scrubbed, when)))
    for path in sorted(directory.glob("*.html")):
        steps.append((path, partial(_scrub_text_file, path, traces, relabels)))
    for path in sorted(directory.glob("*.xlsx")):
        steps.append((path, partial(scrub_workbook, path, traces, relabels)))
    for path, step in steps:
        try:
            step()
            report.rewritten.append(path)
        except Exception as error:  # noqa: BLE001 - one broken file must not stop the rest
            logger.error("Could not scrub %s after an erasure: %s", path, error)
            report.failed.append((path, f"{type(error).__name__}: {error}"))
    return True


# The database --------------------------------------------------------------------------


@dataclass
class ErasureReport:
    """What an erasure changed in the database, and the file work still to do after the
    commit (`scrub_files`, or `scrub_files_later` from the bot)."""

    traces: Traces
    digests: int = 0  # Digest rows that held the respondent
    directories: list[tuple[Path, datetime]] = field(default_factory=list)
    files: FileReport = field(default_factory=FileReport)


def scrub_digests(*, session: Session, traces: Traces) -> list[Digest]:
    """Scrub every stored Digest row in place; returns the rows that changed."""
    changed = []
    for digest in session.exec(select(Digest).order_by(col(Digest.id))):
        summary, relabels = scrub_summary(digest.summary or {}, traces)
        parts = [
            {**part, "text": scrub_html(str(part.get("text", "")), traces, relabels)}
            if isinstance(part, dict)
            else part
            for part in digest.message_parts or []
        ]
        if summary == digest.summary and parts == digest.message_parts:
            continue
        digest.summary = summary
        digest.message_parts = parts
        session.add(digest)
        changed.append(digest)
    session.flush()
    return changed


def scrub_curations(*, session: Session, traces: Traces) -> int:
    """The planners' curations keep a theme's key (label, answer ids) and the label before
    and after: their answer ids and a label that was their words go. Returns rows changed."""
    changed = 0
    for curation in session.exec(select(Curation)):
        target = scrub_key(curation.target, traces, {})
        value = scrub_key(curation.value, traces, {})
        words = {
            name: "" if _quotes(getattr(curation, name), traces) else getattr(curation, name)
            for name in ("before", "after")
        }
        if (target, value) == (curation.target, curation.value) and all(
            words[name] == getattr(curation, name) for name in words
        ):
            continue
        curation.target, curation.value = target, value
        curation.before, curation.after = words["before"], words["after"]
        session.add(curation)
        changed += 1
    session.flush()
    return changed


def _quotes(text: str, traces: Traces) -> bool:
    plain = _norm(text)
    return any(len(t) >= 12 and t in plain for t in traces.texts)


def digest_directories(*, session: Session) -> list[tuple[Path, datetime]]:
    """The directory of every stored digest's files, with the digest's creation time."""
    found: dict[Path, datetime] = {}
    for digest in session.exec(select(Digest).order_by(col(Digest.id))):
        for stored in (digest.docx_path, digest.xlsx_path):
            if stored:
                found.setdefault(Path(stored).parent, digest.created_at)
    return sorted(found.items())


def scrub_outputs(
    *,
    traces: Traces,
    directories: Iterable[tuple[Path, datetime | None]],
    output_dir: Path | None,
) -> FileReport:
    """Scrub the digests' directories and every directory under `output_dir` that holds a
    summary.json (`rembuk draft`, `rembuk analyse`, digests of another database path), then
    the answer exports under `output_dir` wherever they sit (see scrub_exports)."""
    report = FileReport()
    seen: set[Path] = set()
    scrubbed: set[Path] = set()
    todo = list(directories)
    if output_dir is not None and output_dir.is_dir():
        todo += [(p.parent, None) for p in sorted(output_dir.rglob("summary.json"))]
    for directory, when in todo:
        key = directory.resolve()
        if key in seen:
            continue
        seen.add(key)
        if scrub_directory(directory, traces, now=when, report=report):
            scrubbed.add(key)
    if output_dir is not None and output_dir.is_dir():
        scrub_exports(output_dir, traces, done=scrubbed, report=report)
    return report


# Answer exports (`rembuk export`) ------------------------------------------------------


def scrub_csv(path: Path, traces: Traces) -> bool:
    """An answer export (CSV) without the rows naming an erased answer id or the pseudonym
    (every row of an export has both); False (file untouched) when it holds none. Rows
    are matched by id, not by text: another citizen may have typed the same words. Written
    back with CRLF rows, as processor.render writes it."""
    import csv
    import io

    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    kept = [row for row in rows if not any(traces.names(cell) for cell in row)]
    if len(kept) == len(rows):
        return False
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(kept)
    text = buffer.getvalue()
    replace_atomically(path, _text_writer(text, newline=""))
    return True


def scrub_export_workbook(path: Path, traces: Traces) -> bool:
    """An answer export (XLSX) without the rows naming an erased answer id or the
    pseudonym; False (file untouched) when it holds none."""
    from openpyxl import load_workbook

    book = load_workbook(path)
    changed = False
    for sheet in book.worksheets:
        doomed = [
            row[0].row for row in sheet.iter_rows() if any(traces.names(c.value) for c in row)
        ]
        for index in reversed(doomed):
            sheet.delete_rows(index)
        changed = changed or bool(doomed)
    if changed:
        replace_atomically(path, lambda target: book.save(str(target)))
    return changed


def scrub_exports(output_dir: Path, traces: Traces, *, done: set[Path], report: FileReport) -> None:
    """Every CSV under `output_dir`, and every .xlsx outside the directories scrub_directory
    already rewrote (`done`), loses the rows naming an erased answer id or the pseudonym;
    a file that holds none of them is left untouched."""
    steps = [(path, scrub_csv) for path in sorted(output_dir.rglob("*.csv"))]
    steps += [
        (path, scrub_export_workbook)
        for path in sorted(output_dir.rglob("*.xlsx"))
        if path.parent.resolve() not in done
    ]
    for path, step in steps:
        try:
            if step(path, traces):
                report.rewritten.append(path)
        except Exception as error:  # noqa: BLE001 - one broken file must not stop the rest
            logger.error("Could not scrub %s after an erasure: %s", path, error)
            report.failed.append((path, f"{type(error).__name__}: {error}"))


def scrub_files(report: ErasureReport, *, output_dir: Path | None) -> FileReport:
    """The file part of an erasure, after its transaction committed (slow: re-rendering a
    draft takes about a second, so it never runs inside the transaction)."""
    traces = report.traces
    if traces.answer_ids or traces.texts:
        report.files = scrub_outputs(
            traces=traces, directories=report.directories, output_dir=output_dir
        )
    return report.files


_background: list[ThreadPoolExecutor] = []


def scrub_files_later(report: ErasureReport, *, output_dir: Path | None) -> Future[FileReport]:
    """`scrub_files` on a thread of its own, so the bot's database worker (one thread on
    SQLite) is not held while drafts are re-rendered. Erasures are scrubbed one at a time;
    the interpreter waits for the thread at exit."""
    if not _background:
        _background.append(ThreadPoolExecutor(max_workers=1, thread_name_prefix="rembuk-erasure"))

    def run() -> FileReport:
        try:
            return scrub_files(report, output_dir=output_dir)
        except Exception:
            logger.exception("Scrubbing the outputs after an erasure failed")
            raise

    return _background[0].submit(run)


def wait_for_background(timeout: float | None = None) -> None:
    """Wait until every erasure's file work handed to `scrub_files_later` is done."""
    if _background:
        _background[0].submit(lambda: None).result(timeout=timeout)
