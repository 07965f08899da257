"""Database models (SQLModel). The schema only changes through Alembic migrations."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Column, Index, String, Text, UniqueConstraint, text
from sqlmodel import JSON, Field, SQLModel


def stored_id(row: SQLModel) -> int:
    """The primary key of a row that has been flushed: typed `int`, not `int | None`."""
    row_id = getattr(row, "id", None)
    if not isinstance(row_id, int):
        raise ValueError(f"{type(row).__name__} has not been stored yet")
    return row_id


# Enums are stored as plain strings (sa_type=String): portable, and no database enum types
# to migrate when a value is added.


class Role(StrEnum):
    citizen = "citizen"
    staff = "staff"
    planner = "planner"


class Instrument(StrEnum):
    external = "external"
    internal = "internal"
    skm = "skm"  # Survei Kepuasan Masyarakat of one service unit (issue 14)


class RunStatus(StrEnum):
    in_progress = "in_progress"
    submitted = "submitted"
    expired = "expired"
    abandoned = "abandoned"


class CampaignStatus(StrEnum):
    open = "open"
    closed = "closed"


class DeliveryStatus(StrEnum):
    pending = "pending"
    sent = "sent"
    blocked = "blocked"
    failed = "failed"
    skipped = "skipped"  # broadcasts: erased, blocked or turned off before their turn


class Campaign(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True, index=True)  # used in deep links
    name: str = Field(max_length=200)
    status: CampaignStatus = Field(default=CampaignStatus.open, sa_type=String(16))
    external_questionnaire_id: str = Field(max_length=64)
    external_questionnaire_version: int
    internal_questionnaire_id: str = Field(max_length=64)
    internal_questionnaire_version: int
    plan_first_year: int
    plan_last_year: int
    opens_at: datetime
    closes_at: datetime | None = None
    timezone: str = Field(default="Asia/Jakarta", max_length=64)
    created_at: datetime


class Respondent(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    # Kept only to message the person; cleared on erasure.
    telegram_user_id: int | None = Field(
        default=None, sa_column=Column(BigInteger, unique=True, nullable=True)
    )
    # Console pilots and imported paper forms have no Telegram id; this names them.
    local_name: str | None = Field(default=None, max_length=200, unique=True)
    # Keyed hash: the only identity used outside the bot (exports, reports).
    pseudonym: str = Field(max_length=64, unique=True, index=True)
    role: Role = Field(default=Role.citizen, sa_type=String(16))
    campaign_id: int | None = Field(default=None, foreign_key="campaign.id")  # staff/planner
    language: str = Field(default="id", max_length=8)
    consent_at: datetime | None = None
    consent_version: str | None = Field(default=None, max_length=32)
    consent_declined_at: datetime | None = None
    opted_out: bool = False  # blocked the bot: never message again
    broadcasts_off: bool = False  # turned "what we heard" messages (broadcasts) off
    erased: bool = False
    erased_at: datetime | None = None
    created_at: datetime


class SurveyRun(SQLModel, table=True):
    __tablename__ = "survey_run"
    __table_args__ = (
        # One open run per respondent, campaign and instrument, even with several bot workers.
        Index(
            "uq_survey_run_open",
            "respondent_id",
            "campaign_id",
            "instrument",
            unique=True,
            sqlite_where=text("status = 'in_progress'"),
            postgresql_where=text("status = 'in_progress'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    respondent_id: int = Field(foreign_key="respondent.id", index=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    instrument: Instrument = Field(sa_type=String(16))
    questionnaire_id: str = Field(max_length=64)
    questionnaire_version: int
    status: RunStatus = Field(default=RunStatus.in_progress, sa_type=String(16), index=True)
    # Survey engine cursor, e.g. "need@0.1", "review" or "done" (see bot.engine).
    current_step: str = Field(default="", max_length=128)
    editing: bool = False  # answering an edit from the review: return to the review after
    source: str | None = Field(default=None, max_length=64)  # venue from the deep link
    # An SKM run's service unit (service_units.yaml code); None for other instruments.
    service_unit: str | None = Field(default=None, max_length=32)
    receipt_code: str | None = Field(default=None, max_length=16, unique=True)
    started_at: datetime
    updated_at: datetime
    submitted_at: datetime | None = None
    reminded_at: datetime | None = None
    cancelled_at: datetime | None = None  # used /batal: never remind
    ended_at: datetime | None = None  # expired or abandoned


class Answer(SQLModel, table=True):
    """One row per (run, question, block, item); updated in place, history in AnswerRevision."""

    __table_args__ = (
        UniqueConstraint("run_id", "question_id", "block", "item", name="uq_answer_slot"),
    )

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="survey_run.id", index=True)
    question_id: str = Field(max_length=64)
    block: int = 0  # which domain block of the run (several domains)
    item: int = 0  # which repetition inside the block (several needs)
    domain: str | None = Field(default=None, max_length=32, index=True)
    value_text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    value_number: float | None = None
    value_choice: str | None = Field(default=None, max_length=64)
    questionnaire_version: int
    created_at: datetime
    updated_at: datetime


class AnswerRevision(SQLModel, table=True):
    """The previous value of an answer, written before each edit or deletion."""

    __tablename__ = "answer_revision"

    id: int | None = Field(default=None, primary_key=True)
    answer_id: int = Field(index=True)
    run_id: int = Field(index=True)
    question_id: str = Field(max_length=64)
    block: int
    item: int
    domain: str | None = Field(default=None, max_length=32)
    value_text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    value_number: float | None = None
    value_choice: str | None = Field(default=None, max_length=64)
    change: str = Field(max_length=16)  # "edit" or "delete"
    changed_at: datetime


class Invite(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    role: Role = Field(sa_type=String(16))
    campaign_id: int = Field(foreign_key="campaign.id")
    token_hash: str = Field(max_length=64, unique=True)  # sha256 of the token, never the token
    created_by: str | None = Field(default=None, max_length=64)
    created_at: datetime
    expires_at: datetime
    used_by_respondent_id: int | None = Field(default=None, foreign_key="respondent.id")
    used_at: datetime | None = None


class ImportedAnswer(SQLModel, table=True):
    """Answers from paper forms and other channels, kept apart from the bot's runs."""

    __tablename__ = "imported_answer"

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    instrument: Instrument = Field(sa_type=String(16))
    source_file: str = Field(max_length=255)
    source_row: int
    respondent_label: str | None = Field(default=None, max_length=64)
    question_id: str = Field(max_length=64)
    domain: str | None = Field(default=None, max_length=32)
    value_text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    value_number: float | None = None
    imported_at: datetime


class ImportedFile(SQLModel, table=True):
    """One row per file imported into a campaign. Written in the transaction that loads the
    file's answers, its unique (campaign, file name) key makes a second import of the same
    file wait for the first and then be refused, even when both start at once."""

    __tablename__ = "imported_file"
    __table_args__ = (UniqueConstraint("campaign_id", "file_name", name="uq_imported_file"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id")
    instrument: Instrument = Field(sa_type=String(16))
    file_name: str = Field(max_length=255)
    # SHA-256 of the file's bytes, to warn when the same content comes under another name;
    # None for files imported before it was recorded.
    content_hash: str | None = Field(default=None, max_length=64)
    rows: int = 0
    answers: int = 0
    imported_at: datetime


class Digest(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    # One digest per campaign and schedule slot, so two processors never make two.
    slot: str = Field(max_length=64)
    period_start: datetime | None = None
    period_end: datetime
    answer_count: int = 0
    new_answer_count: int = 0
    summary: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    message_parts: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    xlsx_path: str | None = Field(default=None, max_length=500)
    docx_path: str | None = Field(default=None, max_length=500)
    created_at: datetime

    __table_args__ = (UniqueConstraint("campaign_id", "slot", name="uq_digest_slot"),)


class DigestDelivery(SQLModel, table=True):
    """Progress of one digest to one planner; `parts_sent` lets a crash resume mid-way."""

    __tablename__ = "digest_delivery"
    __table_args__ = (UniqueConstraint("digest_id", "respondent_id", name="uq_digest_delivery"),)

    id: int | None = Field(default=None, primary_key=True)
    digest_id: int = Field(foreign_key="digest.id", index=True)
    respondent_id: int = Field(foreign_key="respondent.id")
    status: DeliveryStatus = Field(default=DeliveryStatus.pending, sa_type=String(16))
    parts_sent: int = 0
    attempts: int = 0
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    updated_at: datetime
    sent_at: datetime | None = None


class ProcessedUpdate(SQLModel, table=True):
    """Telegram update ids already handled, so a redelivered update is handled once."""

    __tablename__ = "processed_update"

    update_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    processed_at: datetime


class AppSecret(SQLModel, table=True):
    """Secrets generated on first use (e.g. the pseudonym key when none is configured)."""

    __tablename__ = "app_secret"

    name: str = Field(primary_key=True, max_length=64)
    value: str = Field(max_length=256)


class CampaignAgencies(SQLModel, table=True):
    """A campaign's own list of agencies (OPD), loaded with `rembuk campaign agencies`.

    Without a row the campaign uses shared/questionnaires/agencies.yaml. The list is kept
    whole, as validated (shared.survey_data.AgencyList), so it is read back in one piece.
    """

    __tablename__ = "campaign_agencies"

    campaign_id: int = Field(foreign_key="campaign.id", primary_key=True)
    agencies: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    source_file: str = Field(max_length=255)
    loaded_at: datetime


class RespondentProfile(SQLModel, table=True):
    """Optional profile (issue 14): kept apart from the answers, never shown per person.

    Every field is a code from a data list, or None when skipped or never asked. The row goes
    with the respondent on erasure.
    """

    __tablename__ = "respondent_profile"

    respondent_id: int = Field(foreign_key="respondent.id", primary_key=True)
    kecamatan: str | None = Field(default=None, max_length=64)
    desa: str | None = Field(default=None, max_length=64)
    age_band: str | None = Field(default=None, max_length=16)
    sex: str | None = Field(default=None, max_length=16)
    disability: str | None = Field(default=None, max_length=16)
    updated_at: datetime
    # The survey run that asked the profile (later runs do not ask again); None for a
    # profile from another channel.
    run_id: int | None = None


class CampaignWilayah(SQLModel, table=True):
    """A campaign's own kecamatan and desa list, loaded with `rembuk wilayah load`.

    Without a row the campaign uses shared/questionnaires/wilayah.yaml. The list is kept
    whole, as validated (shared.survey_data.Wilayah).
    """

    __tablename__ = "campaign_wilayah"

    campaign_id: int = Field(foreign_key="campaign.id", primary_key=True)
    wilayah: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    source_file: str = Field(max_length=255)
    loaded_at: datetime


class Curation(SQLModel, table=True):
    """A planner's edit of a campaign's analysis (issue 11), loaded from the Kurasi sheet of
    analysis.xlsx with `rembuk curate`: rename, merge or move a theme, move one answer,
    confirm or reject a link. `target` and `value` are JSON (see processor.curation);
    `before` and `after` say what changed, in words, for the audit. Undoing keeps the row
    and records who undid it and when."""

    __tablename__ = "curation"

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    action: str = Field(max_length=16)
    target: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    value: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    before: str = Field(default="", sa_column=Column(Text, nullable=False))
    after: str = Field(default="", sa_column=Column(Text, nullable=False))
    created_by: str = Field(max_length=64)
    created_at: datetime
    undone_by: str | None = Field(default=None, max_length=64)
    undone_at: datetime | None = None


class Broadcast(SQLModel, table=True):
    """A "what we heard" message of one digest to a campaign's respondents (issue 14).

    One per digest: starting it again resumes the same broadcast, so nobody gets it twice.
    The row is the audit record: who started it, when, and the counts (per domain and
    language when started; sent/blocked/... when the last run ended)."""

    __tablename__ = "broadcast"

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    digest_id: int = Field(foreign_key="digest.id", unique=True)
    started_by: str = Field(max_length=200)  # "cli:<os user>" or "planner:<pseudonym>"
    started_at: datetime
    finished_at: datetime | None = None
    counts: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class BroadcastDelivery(SQLModel, table=True):
    """One respondent's copy of a broadcast: pending -> sent (or blocked/failed/skipped);
    the same claim/lease columns as DigestDelivery, so the same delivery code sends it."""

    __tablename__ = "broadcast_delivery"
    __table_args__ = (
        UniqueConstraint("broadcast_id", "respondent_id", name="uq_broadcast_delivery"),
    )

    id: int | None = Field(default=None, primary_key=True)
    broadcast_id: int = Field(foreign_key="broadcast.id", index=True)
    respondent_id: int = Field(foreign_key="respondent.id", index=True)
    domains: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    language: str = Field(default="id", max_length=8)
    status: DeliveryStatus = Field(default=DeliveryStatus.pending, sa_type=String(16))
    parts_sent: int = 0
    attempts: int = 0
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    updated_at: datetime
    sent_at: datetime | None = None


class ComplaintReport(SQLModel, table=True):
    """One report of a complaint channel (SP4N-LAPOR!, issue 11 item 6) imported into a
    campaign. Its text is an imported_answer (question `complaint`, or
    `complaint_confidential` for a Rahasia report, which is counted but never quoted);
    this row keeps what the answer does not: the tracking id, unique per campaign, so a
    newer export adds only new reports, and the report's type, category, agency and place.
    `kecamatan` is a normalised name ("tungkal ilir"), not yet a code of a kecamatan list.
    """

    __tablename__ = "complaint_report"
    __table_args__ = (
        UniqueConstraint("campaign_id", "tracking_id", name="uq_complaint_report_tracking"),
    )

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id")
    tracking_id: str = Field(max_length=64)
    source_file: str = Field(max_length=255)
    confidential: bool = False  # Rahasia: counted, never quoted
    anonymous: bool = False  # Anonim: no respondent identity at all
    category: str | None = Field(default=None, max_length=200)
    agency: str | None = Field(default=None, max_length=200)
    status: str | None = Field(default=None, max_length=64)
    reported_on: str | None = Field(default=None, max_length=32)  # as the export writes it
    kecamatan: str | None = Field(default=None, max_length=64)
    kelurahan: str | None = Field(default=None, max_length=64)
    imported_at: datetime
