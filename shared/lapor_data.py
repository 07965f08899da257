"""The SP4N-LAPOR! mapping (shared/questionnaires/lapor.yaml, issue 11 item 6): which
export column holds what, and which categories and agencies name a domain clearly."""

from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from shared.survey_data import DATA_DIR, DomainList, SurveyDataError, _read_yaml, validate_data

LAPOR_FIELDS = (
    "tracking_id",
    "reported_on",
    "reported_time",
    "classification",
    "category_id",
    "category",
    "title",
    "body_initial",
    "body_final",
    "report_type",
    "confidential_flag",  # a Ya/Tidak column of its own ("Rahasia", "is_rahasia")
    "anonymous_flag",  # likewise ("Anonim", "is_anonim")
    "channel",
    "parent_agency",
    "agency_id",
    "agency",
    "status",
    "hold_reason",
    "province",
    "regency",
    "kecamatan",
    "kelurahan",
)
_NOT_LETTERS = re.compile(r"[\W_]+")


def loose_key(text: str) -> str:
    """A heading or name as compared: NFKC, lowercase, punctuation and underscores as
    single spaces ("Tipe Laporan (Anonim/Rahasia)" -> "tipe laporan anonim rahasia")."""
    return " ".join(_NOT_LETTERS.sub(" ", unicodedata.normalize("NFKC", text).lower()).split())


class ReportTypes(BaseModel):
    """Values of the report type column, and of the Ya/Tidak flag columns (loose keys)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    confidential: list[str]  # words or phrases of a Rahasia type ("rahasia", "confidential")
    anonymous: list[str]
    public: list[str]  # whole values of a report that is neither ("biasa", "tidak rahasia")
    flag_set: list[str]  # a flag that is set ("ya", "true", "1")
    flag_unset: list[str]

    def kind(self, value: str) -> tuple[bool, bool, bool]:
        """(confidential, anonymous, known) of a type value; an empty value is public."""
        key = loose_key(value)
        if not key or key in {loose_key(v) for v in self.public}:
            return False, False, True
        padded = f" {key} "
        secret = any(f" {loose_key(w)} " in padded for w in self.confidential)
        anonymous = any(f" {loose_key(w)} " in padded for w in self.anonymous)
        return secret, anonymous, secret or anonymous

    def flag(self, value: str) -> tuple[bool, bool]:
        """(set, known) of a flag value; an empty value is not set."""
        key = loose_key(value)
        if not key or key in {loose_key(v) for v in self.flag_unset}:
            return False, True
        return True, key in {loose_key(v) for v in self.flag_set}


class LaporMapping(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^lapor$")
    version: int
    columns: dict[str, list[str]]
    report_types: ReportTypes
    categories: dict[str, list[str]]
    agencies: dict[str, list[str]]

    @field_validator("columns")
    @classmethod
    def _known_fields(cls, columns: dict[str, list[str]]) -> dict[str, list[str]]:
        unknown = sorted(set(columns) - set(LAPOR_FIELDS))
        if unknown:
            raise ValueError(f"unknown field {unknown[0]!r}; fields: {', '.join(LAPOR_FIELDS)}")
        headings = [loose_key(h) for names in columns.values() for h in names]
        repeated = sorted({h for h in headings if headings.count(h) > 1})
        if repeated:
            raise ValueError(f"heading {repeated[0]!r} names two fields")
        return columns

    @functools.cached_property
    def field_of_heading(self) -> dict[str, str]:
        return {loose_key(h): field for field, names in self.columns.items() for h in names}

    @functools.cached_property
    def domain_of_category(self) -> dict[str, str]:
        return {loose_key(n): domain for domain, names in self.categories.items() for n in names}

    def agency_domains(self, agency: str) -> set[str]:
        """The domains whose words the agency's name holds (whole words, loosely)."""
        name = f" {loose_key(agency)} "
        return {
            domain
            for domain, words in self.agencies.items()
            if any(f" {loose_key(word)} " in name for word in words)
        }


def load_lapor_mapping(
    path: Path = DATA_DIR / "lapor.yaml", *, domains: DomainList
) -> LaporMapping:
    """The mapping, checked: every domain it names is in domains.yaml."""
    mapping = validate_data(LaporMapping, _read_yaml(path), str(path))
    for section in (mapping.categories, mapping.agencies):
        for code in section:
            if code not in domains.by_code:
                raise SurveyDataError(f"{path}: unknown domain {code!r} (not in domains.yaml)")
    return mapping
