"""Import the "Laporan Ringkas" export of SP4N-LAPOR! (issue 11 item 6).

Each report is one respondent's citizen complaint: an imported answer of kind
`citizen_complaint` (question `complaint`, or `complaint_confidential` for a report typed
Rahasia: counted, never quoted), with a `complaint_report` row that keeps its tracking id
(unique per campaign, so a newer export adds only the new reports), type, category,
agency, status and place. Headings are matched loosely through lapor.yaml; checking
(`parse_reports`) is pure, `import_reports` writes in the caller's transaction.

The text is the title, then the body: "Isi Laporan Akhir" when the export has it (the
report as the operator verified it, often tidied), else "Isi Laporan Awal".
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from processor.importer import ImportFileError, RowError
from processor.load import PROFILE_PREFIX
from shared import crud
from shared.lapor_data import LaporMapping, loose_key
from shared.models import (
    Campaign,
    ComplaintReport,
    ImportedAnswer,
    ImportedFile,
    Instrument,
    stored_id,
)
from shared.wilayah import code_of

COMPLAINT_QUESTION = "complaint"
CONFIDENTIAL_QUESTION = "complaint_confidential"
MAX_REPORT_LENGTH = 20_000  # LAPOR's reports are at most a few thousand characters
_PLACE_PREFIXES = ("kecamatan ", "kec ", "kelurahan ", "kel ", "desa ")


@dataclass(frozen=True)
class Report:
    row: int  # as the spreadsheet shows it: the header is row 1
    tracking_id: str
    text: str
    domain: str | None
    confidential: bool
    anonymous: bool
    category: str | None = None
    agency: str | None = None
    status: str | None = None
    reported_on: str | None = None
    kecamatan: str | None = None
    kelurahan: str | None = None
    unknown_type: str | None = None  # a type or flag value lapor.yaml does not know


@dataclass(frozen=True)
class LaporImport:
    new: int  # reports added
    known: int  # reports of the file already in the campaign (an earlier export)
    confidential: int  # of the new ones, typed Rahasia
    anonymous: int  # of the new ones, typed Anonim


def lapor_columns(columns: Sequence[str], mapping: LaporMapping) -> dict[str, str]:
    """File column -> field; columns that name no field are left out. A file without a
    tracking id or any text column is refused."""
    plan: dict[str, str] = {}
    for column in columns:
        field = mapping.field_of_heading.get(loose_key(column))
        if field is None:
            continue
        if field in plan.values():
            raise ImportFileError(f"two columns hold the {field} field (one is {column})")
        plan[column] = field
    if "tracking_id" not in plan.values():
        raise ImportFileError(
            "no Tracking ID column: this does not look like a LAPOR! Laporan Ringkas export"
        )
    if not {"title", "body_initial", "body_final"} & set(plan.values()):
        raise ImportFileError("no Judul Laporan or Isi Laporan column: the reports have no text")
    return plan


TYPE_FIELDS = ("report_type", "confidential_flag", "anonymous_flag")


def looks_like_lapor(columns: Sequence[str], mapping: LaporMapping) -> bool:
    """Whether the headings are those of a LAPOR! export: a tracking id and a text."""
    fields = {mapping.field_of_heading.get(loose_key(column)) for column in columns}
    return "tracking_id" in fields and bool({"title", "body_initial", "body_final"} & fields)


def import_warnings(
    columns: Sequence[str], reports: Sequence[Report], mapping: LaporMapping
) -> list[str]:
    """One-line warnings about how the reports' types were read."""
    fields = {mapping.field_of_heading.get(loose_key(column)) for column in columns}
    if not fields & set(TYPE_FIELDS):
        return [
            "no report type column (Tipe Laporan, Rahasia, Anonim): all reports are "
            "treated as public"
        ]
    unknown = [r for r in reports if r.unknown_type is not None]
    if not unknown:
        return []
    values = sorted({r.unknown_type for r in unknown if r.unknown_type})
    return [
        f"{len(unknown)} reports have a type lapor.yaml does not know "
        f"({', '.join(repr(v) for v in values[:3])}): they are treated as Rahasia"
    ]


def report_kind(values: Mapping[str, str], mapping: LaporMapping) -> tuple[bool, bool, str | None]:
    """(confidential, anonymous, an unknown value or None) of a row: the type column and
    the Ya/Tidak flag columns together. An unknown type is Rahasia (never shown)."""
    types = mapping.report_types
    value = values.get("report_type", "")
    secret, anonymous, known = types.kind(value)
    unknown = None if known else value
    secret = secret or not known
    for field in ("confidential_flag", "anonymous_flag"):
        flag = values.get(field, "")
        is_set, flag_known = types.flag(flag)
        if not flag_known:
            unknown = unknown or flag
        if field == "confidential_flag":
            secret = secret or is_set
        else:
            anonymous = anonymous or is_set
    return secret, anonymous, unknown


def tracking_key(tracking_id: str) -> str:
    """A tracking id as compared: trimmed, case-insensitive (leading zeros count)."""
    return tracking_id.strip().casefold()


def report_text(title: str, initial: str, final: str) -> str:
    """The title, then the final body if there is one, else the initial body."""
    body = final or initial
    if not title or body.lower().startswith(title.lower()):
        return body
    if not body:
        return title
    return f"{title}{'' if title[-1] in '.!?:' else '.'} {body}"


def domain_hint(category: str, agency: str, mapping: LaporMapping) -> str | None:
    """The agency's domain when its name maps to one, else the category's; None when both
    map to different domains or neither maps (the analysis then reads the text)."""
    by_agency = mapping.agency_domains(agency) if agency else set()
    from_agency = next(iter(by_agency)) if len(by_agency) == 1 else None
    from_category = mapping.domain_of_category.get(loose_key(category)) if category else None
    if from_agency and from_category and from_agency != from_category:
        return None
    return from_agency or from_category


def place_name(value: str) -> str | None:
    """A kecamatan or kelurahan as stored: loose key without "Kecamatan", "Kel.", "Desa"."""
    name = loose_key(value)
    for prefix in _PLACE_PREFIXES:
        name = name.removeprefix(prefix)
    return name[:64] or None


_SCIENTIFIC = re.compile(r"[0-9]+(?:[.,][0-9]+)?E\+[0-9]+", re.IGNORECASE)


def _report(row: int, values: Mapping[str, str], mapping: LaporMapping) -> Report | str:
    """The row as a report, or why it cannot be one."""
    tracking = values.get("tracking_id", "")
    text = report_text(
        values.get("title", ""), values.get("body_initial", ""), values.get("body_final", "")
    )
    problems = []
    if not tracking:
        problems.append("no tracking id")
    elif len(tracking) > 64:
        problems.append("tracking id longer than 64 characters")
    elif _SCIENTIFIC.fullmatch(tracking.strip()):
        # "4.52101E+06": a spreadsheet took the number and dropped its last digits, so
        # two reports could share it and the newer one would be taken for the older.
        problems.append(
            f"tracking id {tracking} was cut short by a spreadsheet (scientific notation); "
            "export the file again as .xlsx, or format the column as text"
        )
    if not text:
        problems.append("no title and no text")
    elif len(text) > MAX_REPORT_LENGTH:
        problems.append(f"longer than {MAX_REPORT_LENGTH} characters")
    if problems:
        return "; ".join(problems)
    secret, anonymous, unknown = report_kind(values, mapping)

    def optional(field: str, length: int) -> str | None:
        return values.get(field, "")[:length] or None

    return Report(
        row=row,
        tracking_id=tracking,
        text=text,
        domain=domain_hint(values.get("category", ""), values.get("agency", ""), mapping),
        confidential=secret,
        anonymous=anonymous,
        category=optional("category", 200),
        agency=optional("agency", 200),
        status=optional("status", 64),
        reported_on=optional("reported_on", 32),
        kecamatan=place_name(values.get("kecamatan", "")),
        kelurahan=place_name(values.get("kelurahan", "")),
        unknown_type=unknown,
    )


def parse_reports(
    frame: pd.DataFrame, *, mapping: LaporMapping
) -> tuple[list[Report], list[RowError]]:
    """Check every row; return the good reports and the reasons of the bad rows."""
    plan = lapor_columns(list(frame.columns), mapping)
    columns = list(frame.columns)
    reports: list[Report] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for offset, cells in enumerate(frame.itertuples(index=False, name=None)):
        row = offset + 2
        values = {plan[c]: str(v).strip() for c, v in zip(columns, cells, strict=True) if c in plan}
        if not any(values.values()):
            continue  # blank spreadsheet row
        report = _report(row, values, mapping)
        if isinstance(report, str):
            errors.append(RowError(row=row, reason=report))
        elif tracking_key(report.tracking_id) in seen:
            errors.append(
                RowError(
                    row=row,
                    reason=f"tracking id {report.tracking_id} is also in row "
                    f"{seen[tracking_key(report.tracking_id)]}",
                )
            )
        else:
            seen[tracking_key(report.tracking_id)] = row
            reports.append(report)
    return reports, errors


def _file_record(
    *, session: Session, campaign: Campaign, file: str, content_hash: str | None, now: datetime
) -> ImportedFile:
    """The campaign's record of `file`: a newer export under the same name updates it."""
    campaign_id = stored_id(campaign)
    record = session.exec(
        select(ImportedFile).where(
            ImportedFile.campaign_id == campaign_id, ImportedFile.file_name == file
        )
    ).first() or ImportedFile(
        campaign_id=campaign_id, instrument=Instrument.external, file_name=file, imported_at=now
    )
    record.content_hash, record.imported_at = content_hash, now
    return record


def import_reports(
    *,
    session: Session,
    campaign: Campaign,
    file: str,
    reports: Sequence[Report],
    pseudonym_key: str,
    now: datetime,
    content_hash: str | None = None,
) -> LaporImport:
    """Add the reports whose tracking id the campaign does not have yet, in the caller's
    transaction (the caller commits). An Anonim report gets no respondent label; any other
    report is its own respondent (a pseudonym of its tracking id)."""
    assert campaign.id is not None
    code = campaign.code
    known = {
        tracking_key(tracking)
        for tracking in session.exec(
            select(ComplaintReport.tracking_id).where(ComplaintReport.campaign_id == campaign.id)
        ).all()
    }
    new = [report for report in reports if tracking_key(report.tracking_id) not in known]
    record = _file_record(
        session=session, campaign=campaign, file=file, content_hash=content_hash, now=now
    )
    stored = [_stored(report, campaign_id=campaign.id, file=file, now=now) for report in new]
    session.add_all([record, *stored])
    try:
        session.flush()
    except IntegrityError:
        raise ImportFileError(
            f"another import into {code} added some of these reports at the same time; "
            "run the import again to add the rest"
        ) from None
    for report, row in zip(new, stored, strict=True):
        row_id = stored_id(row)
        label = None
        if not report.anonymous:
            label = crud.make_pseudonym(
                key=pseudonym_key, identity=f"lapor:{code}:{row.tracking_id}"
            )
        session.add(
            ImportedAnswer(
                campaign_id=campaign.id,
                instrument=Instrument.external,
                source_file=file,
                source_row=row_id,  # unique in the campaign: one report, one form row
                respondent_label=label,
                question_id=CONFIDENTIAL_QUESTION if report.confidential else COMPLAINT_QUESTION,
                domain=report.domain,
                value_text=report.text,
                imported_at=now,
            )
        )
        if label is not None and report.kecamatan:
            # The report's kecamatan joins the coverage tables like a paper form's profile
            # column (processor.load reads "profile_" rows apart from the answers).
            session.add(
                ImportedAnswer(
                    campaign_id=campaign.id,
                    instrument=Instrument.external,
                    source_file=file,
                    source_row=row_id,
                    respondent_label=label,
                    question_id=f"{PROFILE_PREFIX}kecamatan",
                    value_text=code_of(report.kecamatan),
                    imported_at=now,
                )
            )
    record.rows += len(new)
    record.answers += len(new)
    session.add(record)
    session.flush()
    return LaporImport(
        new=len(new),
        known=len(reports) - len(new),
        confidential=sum(r.confidential for r in new),
        anonymous=sum(r.anonymous for r in new),
    )


def _stored(report: Report, *, campaign_id: int, file: str, now: datetime) -> ComplaintReport:
    return ComplaintReport(
        campaign_id=campaign_id,
        tracking_id=report.tracking_id,
        source_file=file,
        confidential=report.confidential,
        anonymous=report.anonymous,
        category=report.category,
        agency=report.agency,
        status=report.status,
        reported_on=report.reported_on,
        kecamatan=report.kecamatan,
        kelurahan=report.kelurahan,
        imported_at=now,
    )
