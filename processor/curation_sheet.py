"""The Kurasi sheet of analysis.xlsx: where a planner curates the analysis.

One row per theme, per link and a few empty rows for single answers. Only the yellow
columns marked ✎ are edited (drop-downs where the choice is a list); a hidden column
`kunci` holds each row's ThemeKey or LinkKey (processor.curation) so that `rembuk curate`
knows which theme or link a row meant even after new answers changed the theme ids.
Below the table, the stored curations with their status on this run.

`write_kurasi_sheet` adds the sheet to an xlsxwriter workbook; `read_kurasi_sheet` reads
a saved workbook back, and `edits_from_rows` turns its rows into curations, with one line
per problem (nothing is stored while any row has one).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import xlsxwriter

from processor.curation import (
    ACTION_NAMES,
    CONFIRM_LINK,
    MERGE,
    MOVE_ANSWER,
    MOVE_THEME,
    REJECT_LINK,
    RENAME,
    STATUS_NAMES,
    Curation,
    CurationDataError,
    LinkKey,
    ThemeKey,
)
from processor.xlsx_cells import text_fixes
from shared.clean import clean_text

SHEET = "Kurasi"
THEME, LINK, ANSWER = "tema", "tautan", "jawaban"
NEW_LABEL, MERGE_INTO, NEW_DOMAIN, DECISION = (
    "✎ label baru",
    "✎ gabung ke tema",
    "✎ pindah ke domain",
    "✎ tautan",
)
KEY = "kunci"
COLUMNS = (
    "objek",
    "id",
    "domain",
    "jenis",
    "label",
    "keterangan",
    "jawaban",
    "status kurasi",
    NEW_LABEL,
    MERGE_INTO,
    NEW_DOMAIN,
    DECISION,
    KEY,
)
EDITABLE = (NEW_LABEL, MERGE_INTO, NEW_DOMAIN, DECISION)
EMPTY_EDITS = ("",) * len(EDITABLE)  # a new row's editable cells
DECISIONS = {"konfirmasi": CONFIRM_LINK, "tolak": REJECT_LINK}
ANSWER_ROWS = 20  # empty rows for moving single answers
LABEL_MAX = 200
STORED_TITLE = "Kurasi tersimpan"
STORED_COLUMNS = (
    "no",
    "tindakan",
    "sasaran",
    "sebelum",
    "sesudah",
    "oleh",
    "waktu (setempat)",
    "status",
    "catatan",
)
INSTRUCTIONS = (
    "Isi hanya kolom kuning bertanda ✎; kolom lain hanya untuk dibaca. "
    "Biarkan kosong sel yang tidak diubah.",
    "Tema: tulis label baru, pilih id tema tujuan untuk menggabungkan (jenis harus sama), "
    "atau pilih domain baru. Tautan: pilih konfirmasi atau tolak. Jawaban: tulis id jawaban "
    "(lembar Jawaban, mis. a123) dan pilih domain baru.",
    "Simpan berkas, lalu jalankan: rembuk curate analysis.xlsx --campaign {code} "
    "(kemudian rembuk analyse). Kurasi tersimpan dan statusnya ada di bawah tabel.",
)
HEADER_ROW = len(INSTRUCTIONS) + 2  # title, instructions, a blank row, then the header
STRENGTH = {"strong": "kuat", "weak": "lemah (periksa)"}


class KurasiSheetError(Exception):
    """The workbook has no usable Kurasi sheet; the message says what to do."""


# --- writing ------------------------------------------------------------------------------
def _theme_rows(summary: Mapping[str, Any]) -> list[tuple[str, str, Mapping[str, Any]]]:
    return [
        (code, kind, theme)
        for code, domain in summary["domains"].items()
        for kind, themes in domain["themes"].items()
        for theme in themes
        if not theme["is_other"]
    ]


def _status_by_theme(summary: Mapping[str, Any]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for outcome in summary.get("curations", ()):
        if outcome["status"] == "applied" and outcome.get("theme_id"):
            name = ACTION_NAMES.get(outcome["action"], outcome["action"])
            found.setdefault(outcome["theme_id"], []).append(f"#{outcome['id']} {name}")
    return found


def _key_cell(value: Mapping[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


CHECK = "check"  # the digest that makes a kunci cell tamper-evident
KEY_CHANGED = (
    f"the hidden {KEY} column was changed; copy the sheet again from the latest analysis.xlsx"
)


def _digest(body: Mapping[str, Any]) -> str:
    return hashlib.sha256(_key_cell(body).encode("utf-8")).hexdigest()[:20]


def _sealed_key(name: str, payload: Mapping[str, Any]) -> str:
    """A kunci cell: the key as the sheet will hold it (clean_text) and its digest, so an
    edited, pasted or filled-down key is noticed on reading."""
    return _sealed(_key_cell({name: payload}))


def _sealed(key_text: str) -> str:
    """The kunci cell of `key_text` (_key_cell of {"theme" or "link": payload}).

    The same as `_key_cell({**body, CHECK: _digest(body)})` with `body` the cleaned text
    read back, built without reading it back: _key_cell of the read-back body is the
    cleaned text itself (its keys are strings, already sorted; clean_text only puts
    spaces for characters JSON writes as they are), and CHECK sorts before "link" and
    "theme", so it comes first."""
    body = clean_text(key_text)
    digest = hashlib.sha256(body.encode("utf-8")).hexdigest()[:20]
    return f'{{"{CHECK}":"{digest}",{body[1:]}'


# Stand for a link's theme keys while the link key is written (see _link_key_text).
_SLOTS = {"source": "\x00source key\x00", "target": "\x00target key\x00"}


def _link_key_text(key: LinkKey, ends: Mapping[str, str]) -> str:
    """`_key_cell({"link": key.to_json()})`, with the JSON of its theme keys given in
    `ends` ("source", "target" -> _key_cell of that theme key's to_json) instead of
    written again: a theme key holds up to 200 answer ids, and a theme is in many links.
    Written the plain way if a slot's text is not found exactly once."""
    payload = {**key.to_json(), **{end: _SLOTS[end] for end in ends}}
    filled = {json.dumps(_SLOTS[end]): text for end, text in ends.items()}
    text = _key_cell({"link": payload})
    if any(text.count(slot) != 1 for slot in filled):
        return _key_cell({"link": key.to_json()})
    pattern = "|".join(re.escape(slot) for slot in filled)
    return re.sub(pattern, lambda match: filled[match.group()], text) if filled else text


def _staff_needs(summary: Mapping[str, Any]) -> dict[str, str]:
    """Staff row id -> "baris staf: <its need>" for the rows summary.json shows."""
    rows = [
        row
        for domain in summary["domains"].values()
        for row in [
            *(r for gap in domain["gaps"] for r in gap["staff_rows"]),
            *domain.get("staff_rows_without_need", ()),
        ]
    ]
    return {row["row_id"]: f"baris staf: {row.get('need') or row['row_id']}" for row in rows}


def kurasi_rows(summary: Mapping[str, Any]) -> list[list[Any]]:
    """The table's rows (COLUMNS), editable cells empty."""
    keys = {
        theme["id"]: ThemeKey.of_theme(theme, domain=code, kind=kind)
        for code, domain in summary["domains"].items()
        for kind, themes in domain["themes"].items()
        for theme in themes
    }
    status = _status_by_theme(summary)
    rows: list[list[Any]] = []
    for code, kind, theme in _theme_rows(summary):
        rows.append(
            [
                THEME,
                theme["id"],
                code,
                kind,
                theme["label"],
                ", ".join(theme["keywords"]),
                theme["answer_count"],
                "; ".join(status.get(theme["id"], ())),
                *EMPTY_EDITS,
                _sealed_key("theme", keys[theme["id"]].to_json()),
            ]
        )
    rows += _link_rows(summary, keys)
    rows += [[ANSWER, "", "", "", "", "", "", "", *EMPTY_EDITS, ""] for _ in range(ANSWER_ROWS)]
    return rows


def _link_rows(summary: Mapping[str, Any], keys: Mapping[str, ThemeKey]) -> list[list[Any]]:
    """A row per link whose ends are in `keys` (or a staff row's)."""
    staff = _staff_needs(summary)
    theme_texts = {theme_id: _key_cell(key.to_json()) for theme_id, key in keys.items()}
    rows: list[list[Any]] = []
    for code, domain in summary["domains"].items():
        for link in domain["links"]:
            target = keys.get(link["target"])
            if target is None:
                continue
            row_link = link["relation"].startswith("row-")
            source = link["source"] if row_link else keys.get(link["source"])
            if source is None:
                continue
            key = LinkKey(
                relation=link["relation"],
                source=source,
                target=target,
                similarity=float(link["similarity"]),
                blocks=int(link["blocks"]),
                lift=link["lift"],
                p_value=link["p_value"],
            )
            ends = {"target": theme_texts[link["target"]]}
            if not row_link:
                ends["source"] = theme_texts[link["source"]]
            source_label = (
                staff.get(link["source"], link["source"])
                if row_link
                else link.get("source_label") or ""
            )
            strength = STRENGTH.get(link["strength"], link["strength"])
            rows.append(
                [
                    LINK,
                    f"{link['source']} → {link['target']}",
                    code,
                    link["relation"],
                    f"{source_label} → {link.get('target_label') or ''}",
                    f"{strength}, kemiripan {link['similarity']}, blok {link['blocks']}",
                    "",
                    "dikonfirmasi" if link.get("curated") == "confirmed" else "",
                    *EMPTY_EDITS,
                    _sealed(_link_key_text(key, ends)),
                ]
            )
    return rows


def _local_time(at: Any, timezone: str) -> str:
    """A stored ISO time as the campaign's local time (the clock the planner reads)."""
    try:
        moment = datetime.fromisoformat(str(at))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M")
    except (ValueError, KeyError):
        return str(at or "")


def _stored_rows(summary: Mapping[str, Any]) -> list[list[Any]]:
    zone = summary["campaign"].get("timezone") or "Asia/Jakarta"
    return [
        [
            outcome["id"],
            ACTION_NAMES.get(outcome["action"], outcome["action"]),
            outcome["subject"],
            outcome["before"],
            outcome["after"],
            outcome["by"],
            _local_time(outcome["at"], zone),
            STATUS_NAMES.get(outcome["status"], outcome["status"]),
            outcome["note"],
        ]
        for outcome in summary.get("curations", ())
    ]


@dataclass(frozen=True)
class _Formats:
    title: Any
    note: Any
    header: Any
    editable_header: Any
    editable: Any
    text: Any


def _formats(book: xlsxwriter.Workbook) -> _Formats:
    add = book.add_format
    return _Formats(
        title=add({"bold": True, "font_size": 13}),
        note=add({"italic": True, "text_wrap": True, "valign": "top"}),
        header=add({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True}),
        editable_header=add({"bold": True, "bg_color": "#FFD966", "border": 1, "text_wrap": True}),
        editable=add({"bg_color": "#FFF2CC", "border": 1, "border_color": "#BFBFBF"}),
        text=add({"text_wrap": True, "valign": "top"}),
    )


def _write_cell(sheet: Any, row: int, column: int, value: Any, cell_format: Any = None) -> None:
    if value == "" or value is None:
        sheet.write_blank(row, column, None, cell_format)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        sheet.write_number(row, column, value, cell_format)
    else:
        sheet.write_string(row, column, clean_text(str(value)), cell_format)


def _write_rows(sheet: Any, rows: list[list[Any]], first: int, editable: Any) -> None:
    """The table's cells: editable ones (and an answer row's id) in `editable`, blank or
    not; the others only where they hold something. Texts are cleaned once, up front:
    the kunci cells alone are megabytes."""
    editable_columns = frozenset(COLUMNS.index(name) for name in EDITABLE)
    id_column = COLUMNS.index("id")
    fixes = text_fixes(value for values in rows for value in values)
    for row, values in enumerate(rows, start=first):
        answer = values[0] == ANSWER
        for column, value in enumerate(values):
            yellow = column in editable_columns or (answer and column == id_column)
            cell_format = editable if yellow else None
            if value.__class__ is str and value:
                sheet.write_string(row, column, fixes.get(value, value), cell_format)
            elif yellow or value != "":
                _write_cell(sheet, row, column, value, cell_format)


WIDTHS = {"objek": 9, "id": 30, "domain": 16, "jenis": 16, "label": 50, "keterangan": 34}


def write_kurasi_sheet(
    book: xlsxwriter.Workbook, summary: Mapping[str, Any], *, domains: Sequence[str] = ()
) -> None:
    """Add the Kurasi sheet; `domains` are the codes offered by the domain drop-down
    (default: the summary's domains)."""
    sheet = book.add_worksheet(SHEET)
    formats = _formats(book)
    code = summary["campaign"]["code"]
    rows = kurasi_rows(summary)
    key_column = COLUMNS.index(KEY)
    meta = {"campaign": code, "generated_at": summary.get("generated_at")}
    title = clean_text(f"Kurasi perencana: {summary['campaign']['name']} ({code})")
    sheet.write_string(0, 0, title, formats.title)
    sheet.write_string(0, key_column, _key_cell(meta))
    for number, line in enumerate(INSTRUCTIONS, start=1):
        text = clean_text(line.format(code=code))
        sheet.merge_range(number, 0, number, key_column - 1, text, formats.note)
        sheet.set_row(number, 30)
    for column, name in enumerate(COLUMNS):
        header = formats.editable_header if name in EDITABLE else formats.header
        sheet.write_string(HEADER_ROW, column, name, header)
    first = HEADER_ROW + 1
    _write_rows(sheet, rows, first, formats.editable)
    last = first + len(rows) - 1
    _validations(sheet, rows, first, summary, domains, key_column)
    for column, name in enumerate(COLUMNS):
        width = WIDTHS.get(name, 18 if name in EDITABLE else 14)
        sheet.set_column(column, column, width, formats.text if width >= 30 else None)
    sheet.set_column(key_column, key_column + 2, None, None, {"hidden": True})
    sheet.freeze_panes(first, 2)
    sheet.autofilter(HEADER_ROW, 0, last, key_column - 1)
    _write_stored(sheet, summary, last + 2, formats)


def _validations(
    sheet: Any,
    rows: list[list[Any]],
    first: int,
    summary: Mapping[str, Any],
    domains: Sequence[str],
    key_column: int,
) -> None:
    """Drop-downs: theme ids (merge), domain codes (move), decisions (links). The lists
    live in two hidden columns after `kunci`."""
    codes = list(domains) or list(summary["domains"])
    theme_ids = [r[1] for r in rows if r[0] == THEME]
    for offset, value in enumerate(codes):
        sheet.write_string(first + offset, key_column + 1, value)
    for offset, value in enumerate(theme_ids):
        sheet.write_string(first + offset, key_column + 2, value)

    def span(kind: str) -> tuple[int, int] | None:
        where = [first + i for i, r in enumerate(rows) if r[0] == kind]
        return (where[0], where[-1]) if where else None

    def column_range(column: int, count: int) -> str:
        letter = xlsxwriter.utility.xl_col_to_name(column)
        return f"=${letter}${first + 1}:${letter}${first + max(count, 1)}"

    themes, links, answers = span(THEME), span(LINK), span(ANSWER)
    domain_list = {"validate": "list", "source": column_range(key_column + 1, len(codes))}
    merge_list = {"validate": "list", "source": column_range(key_column + 2, len(theme_ids))}
    decision_list = {"validate": "list", "source": list(DECISIONS)}
    for rows_span, column, rule in (
        (themes, COLUMNS.index(MERGE_INTO), merge_list),
        (themes, COLUMNS.index(NEW_DOMAIN), domain_list),
        (answers, COLUMNS.index(NEW_DOMAIN), domain_list),
        (links, COLUMNS.index(DECISION), decision_list),
    ):
        if rows_span is not None:
            sheet.data_validation(rows_span[0], column, rows_span[1], column, rule)


def _write_stored(sheet: Any, summary: Mapping[str, Any], row: int, formats: _Formats) -> None:
    sheet.write_string(row, 0, STORED_TITLE, formats.title)
    stored = _stored_rows(summary)
    for column, name in enumerate(STORED_COLUMNS):
        sheet.write_string(row + 1, column, name, formats.header)
    if not stored:
        sheet.write_string(row + 2, 0, "(belum ada kurasi)")
    for offset, values in enumerate(stored, start=row + 2):
        for column, value in enumerate(values):
            _write_cell(sheet, offset, column, value if value is not None else "")


# --- reading ------------------------------------------------------------------------------
@dataclass(frozen=True)
class SheetRow:
    row: int  # as Excel numbers it
    values: dict[str, str]
    formulas: frozenset[str] = frozenset()  # columns holding a formula
    spaces: frozenset[str] = frozenset()  # columns holding only spaces

    def get(self, name: str) -> str:
        return self.values.get(name, "")


@dataclass(frozen=True)
class KurasiSheet:
    campaign: str | None
    rows: tuple[SheetRow, ...]


@dataclass(frozen=True)
class _Formula:
    text: str


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, _Formula):
        value = value.text
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _raw(cell: Any) -> Any:
    """A cell's value; a formula as _Formula (it is refused, never evaluated)."""
    if getattr(cell, "data_type", None) == "f":
        return _Formula(str(cell.value))
    return cell.value


def read_kurasi_sheet(path: Path) -> KurasiSheet:
    """The table of the Kurasi sheet of a saved analysis.xlsx (KurasiSheetError if it
    cannot be read as one)."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # zip, xml or a wrong file type: one line says which file
        raise KurasiSheetError(
            f"{path.name} cannot be read as an .xlsx workbook ({type(exc).__name__})"
        ) from None
    try:
        if SHEET not in book.sheetnames:
            raise KurasiSheetError(
                f"{path.name} has no {SHEET} sheet; use the analysis.xlsx written by "
                "`rembuk analyse`"
            )
        values = [[_raw(c) for c in row] for row in book[SHEET].iter_rows()]
    finally:
        book.close()
    return _table(values, path.name)


def _campaign(values: list[list[Any]], header_at: int, column: int) -> str | None:
    """The campaign of the marker in the hidden kunci cell of the first row (None when
    it is missing or unreadable)."""
    if header_at == 0 or len(values[0]) <= column or not isinstance(values[0][column], str):
        return None
    try:
        campaign = json.loads(values[0][column]).get("campaign")
    except (ValueError, AttributeError):
        return None
    return campaign if isinstance(campaign, str) and campaign else None


def _sheet_row(number: int, row: list[Any], where: Mapping[str, int]) -> SheetRow:
    raw = {c: row[i] if i < len(row) else None for c, i in where.items()}
    values = {c: _cell(v) for c, v in raw.items()}
    key = raw[KEY]
    if isinstance(key, str):
        values[KEY] = key  # verbatim: its digest covers every character
    return SheetRow(
        number,
        values,
        formulas=frozenset(c for c, v in raw.items() if isinstance(v, _Formula)),
        spaces=frozenset(c for c, v in raw.items() if isinstance(v, str) and v and not v.strip()),
    )


def _table(values: list[list[Any]], name: str) -> KurasiSheet:
    header_at = next(
        (i for i, row in enumerate(values[:30]) if [_cell(v) for v in row[:1]] == ["objek"]),
        None,
    )
    if header_at is None:
        raise KurasiSheetError(
            f"{name}: the {SHEET} sheet has no header row starting with “objek”; "
            "take the sheet from a fresh `rembuk analyse`"
        )
    header = [_cell(v) for v in values[header_at]]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise KurasiSheetError(
            f"{name}: the {SHEET} sheet lacks the column(s) {', '.join(missing)}; "
            "do not rename or delete its columns"
        )
    where = {name: header.index(name) for name in COLUMNS}
    rows = []
    for number, row in enumerate(values[header_at + 1 :], start=header_at + 2):
        first = _cell(row[where["objek"]]) if len(row) > where["objek"] else ""
        if not first or first == STORED_TITLE:
            break
        rows.append(_sheet_row(number, row, where))
    return KurasiSheet(campaign=_campaign(values, header_at, where[KEY]), rows=tuple(rows))


# --- rows to curations --------------------------------------------------------------------
ANSWER_ID = re.compile(r"^[ai]\d+$")


@dataclass(frozen=True)
class Edits:
    curations: tuple[tuple[int, Curation], ...]  # (sheet row, curation)
    problems: tuple[str, ...]
    notes: tuple[str, ...]


def _key(row: SheetRow, name: str) -> Any:
    """The `name` ("theme" or "link") payload of the row's kunci cell, if its digest
    matches (CurationDataError otherwise)."""
    try:
        data = json.loads(row.get(KEY))
        check = data.pop(CHECK)
        if set(data) != {name} or check != _digest(data):
            raise KeyError(CHECK)
        return data[name]
    except (ValueError, KeyError, TypeError, AttributeError):
        raise CurationDataError(KEY_CHANGED) from None


def _same(text: str, shown: str) -> bool:
    """A key's text against the cell that shows it (as written and read back)."""
    return _cell(clean_text(text)) == shown


def _theme_matches(key: ThemeKey, row: SheetRow) -> bool:
    """The key is the one of the theme this row shows (not a neighbour's filled down)."""
    return (
        key.theme_id == row.get("id")
        and key.kind == row.get("jenis")
        and key.domain == row.get("domain")
        and _same(key.label, row.get("label"))
    )


def _link_matches(key: LinkKey, row: SheetRow) -> bool:
    source = key.source if isinstance(key.source, str) else key.source.theme_id
    return key.relation == row.get("jenis") and _same(
        f"{source} → {key.target.theme_id}", row.get("id")
    )


class _Reader:
    def __init__(self, rows: Sequence[SheetRow], domains: Iterable[str]) -> None:
        self.rows = rows
        self.domains = set(domains)
        self.themes = {r.get("id"): r for r in rows if r.get("objek") == THEME}
        self.curations: list[tuple[int, Curation]] = []
        self.problems: list[str] = []
        self.notes: list[str] = []
        self.answers: dict[str, int] = {}

    def problem(self, row: SheetRow, text: str) -> None:
        self.problems.append(f"{SHEET} row {row.row}: {text}")

    def add(self, row: SheetRow, curation: Curation) -> None:
        self.curations.append((row.row, curation))

    def theme_key(self, row: SheetRow) -> ThemeKey | None:
        try:
            key = ThemeKey.from_json(_key(row, "theme"))
        except CurationDataError:
            key = None
        if key is None or not _theme_matches(key, row):
            self.problem(row, KEY_CHANGED)
            return None
        return key

    def link_key(self, row: SheetRow) -> LinkKey | None:
        try:
            key = LinkKey.from_json(_key(row, "link"))
        except CurationDataError:
            key = None
        if key is None or not _link_matches(key, row):
            self.problem(row, KEY_CHANGED)
            return None
        return key

    def unreadable(self, row: SheetRow) -> bool:
        """A formula or a cell of only spaces: refused, never guessed at."""
        wanted = [*EDITABLE, "id"]
        formula = next((c for c in COLUMNS if c in row.formulas), None)
        spaces = next((c for c in wanted if c in row.spaces), None)
        if formula is not None:
            self.problem(
                row, f"the “{formula}” cell holds a formula; type the value itself, not a formula"
            )
        elif spaces is not None:
            self.problem(row, f"the “{spaces}” cell holds only spaces; clear it or type a value")
        return formula is not None or spaces is not None

    def stray(self, row: SheetRow, allowed: Sequence[str]) -> bool:
        wrong = [c for c in EDITABLE if row.get(c) and c not in allowed]
        if wrong:
            what = {THEME: "a theme", LINK: "a link", ANSWER: "an answer"}[row.get("objek")]
            self.problem(row, f"{what} row takes no “{wrong[0]}”; clear that cell")
        return bool(wrong)

    def theme(self, row: SheetRow) -> None:
        if self.stray(row, (NEW_LABEL, MERGE_INTO, NEW_DOMAIN)):
            return
        label, into, domain = row.get(NEW_LABEL), row.get(MERGE_INTO), row.get(NEW_DOMAIN)
        if not (label or into or domain):
            return
        if into and domain:
            self.problem(row, "choose either “gabung ke tema” or “pindah ke domain”, not both")
            return
        if into and label:
            self.problem(
                row,
                "choose either “label baru” or “gabung ke tema”, not both: a merged theme "
                "takes the label of the theme it joins; rename that one on its own row",
            )
            return
        key = self.theme_key(row)
        if key is None:
            return
        if label:
            self.rename(row, key, label)
        if into:
            self.merge(row, key, into)
        if domain:
            self.move_theme(row, key, domain)

    def rename(self, row: SheetRow, key: ThemeKey, label: str) -> None:
        if len(label) > LABEL_MAX:
            self.problem(row, f"the new label is {len(label)} characters; at most {LABEL_MAX}")
        elif label == row.get("label"):
            self.notes.append(f"{SHEET} row {row.row}: the new label is the same; skipped")
        else:
            self.add(
                row,
                Curation(
                    action=RENAME, theme=key, label=label, before=row.get("label"), after=label
                ),
            )

    def merge(self, row: SheetRow, key: ThemeKey, into: str) -> None:
        other = self.themes.get(into)
        if other is None:
            self.problem(row, f"“{into}” is not a theme id of this sheet; pick one from the list")
        elif other is row:
            self.problem(row, "a theme cannot be merged into itself")
        elif other.get("jenis") != row.get("jenis"):
            self.problem(
                row,
                f"{into} is a {other.get('jenis')} theme and this one a {row.get('jenis')}; "
                "merge themes of the same kind only",
            )
        elif other.get(MERGE_INTO):
            self.problem(
                row, f"{into} is itself merged into {other.get(MERGE_INTO)}; merge into that one"
            )
        else:
            target = self.theme_key(other)
            if target is not None:
                self.add(
                    row,
                    Curation(
                        action=MERGE,
                        theme=key,
                        into=target,
                        before=f"{row.get('label')} [{row.get('id')}]",
                        after=f"digabung ke {other.get('label')} [{into}]",
                    ),
                )

    def domain_ok(self, row: SheetRow, domain: str) -> bool:
        if domain not in self.domains:
            self.problem(row, f"“{domain}” is not a domain code; pick one from the list")
            return False
        return True

    def move_theme(self, row: SheetRow, key: ThemeKey, domain: str) -> None:
        if not self.domain_ok(row, domain):
            return
        if domain == row.get("domain"):
            self.notes.append(f"{SHEET} row {row.row}: already in {domain}; skipped")
            return
        self.add(
            row,
            Curation(
                action=MOVE_THEME, theme=key, domain=domain, before=row.get("domain"), after=domain
            ),
        )

    def link(self, row: SheetRow) -> None:
        if self.stray(row, (DECISION,)) or not row.get(DECISION):
            return
        action = DECISIONS.get(row.get(DECISION).lower())
        if action is None:
            self.problem(row, f"“{row.get(DECISION)}”: write konfirmasi or tolak")
            return
        key = self.link_key(row)
        if key is None:
            return
        after = "dikonfirmasi" if action == CONFIRM_LINK else "ditolak"
        self.add(row, Curation(action=action, link=key, before=row.get("keterangan"), after=after))

    def answer(self, row: SheetRow) -> None:
        if self.stray(row, (NEW_DOMAIN,)):
            return
        answer_id, domain = row.get("id").lower(), row.get(NEW_DOMAIN)
        if not answer_id and not domain:
            return
        if not answer_id or not domain:
            self.problem(row, "moving an answer needs both its id and the new domain")
        elif not ANSWER_ID.match(answer_id):
            self.problem(row, f"“{answer_id}” is not an answer id (a123 or i45, see Jawaban)")
        elif answer_id in self.answers:
            self.problem(row, f"{answer_id} is already moved on row {self.answers[answer_id]}")
        elif self.domain_ok(row, domain):
            self.answers[answer_id] = row.row
            self.add(
                row, Curation(action=MOVE_ANSWER, answer_id=answer_id, domain=domain, after=domain)
            )

    def read(self) -> Edits:
        for row in self.rows:
            kind = row.get("objek")
            handler = {THEME: self.theme, LINK: self.link, ANSWER: self.answer}.get(kind)
            if handler is None:
                self.problem(row, f"“{kind}” in column objek: use tema, tautan or jawaban")
            elif not self.unreadable(row):
                handler(row)
        problems = tuple(dict.fromkeys(self.problems))  # a merge target's row once
        return Edits(tuple(self.curations), problems, tuple(self.notes))


def edits_from_rows(rows: Sequence[SheetRow], *, domains: Iterable[str]) -> Edits:
    """The curations the planner wrote in the sheet, in sheet order, and a line for each
    problem (an unknown theme id or domain, a damaged key, two edits that exclude each
    other) and each edit skipped because it changes nothing."""
    return _Reader(rows, domains).read()
