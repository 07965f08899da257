"""summary.json, read once into typed, frozen objects for every reader of the analysis.

The draft, the digest and the planner commands read the analysis through `Summary`, so
"is this the leftovers theme", the order of themes and domains and a name in a language
are decided here once. `parse_summary` validates the file (pydantic dataclasses) and
ignores keys it does not know, so an older reader survives a newer writer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Annotated, Any

from pydantic import BeforeValidator, ConfigDict, Field, TypeAdapter
from pydantic.dataclasses import dataclass

_CONFIG = ConfigDict(extra="ignore")
OTHER_SUFFIX = ".0"  # theme number 0 of a (domain, kind): its leftovers ("lainnya")


def listed_answer_ids(value: object) -> list[str]:
    """A theme's or staff row's `answer_ids` as a list: schema 4 writes them as one
    space-separated string (10M answers as 10M list items would take ~650 MB in memory),
    earlier schemas as a list."""
    if value is None:
        return []
    if isinstance(value, str):
        return value.split()
    if isinstance(value, Iterable):
        return [str(i) for i in value]
    raise ValueError("answer_ids is neither a string nor a list")


AnswerIds = Annotated[tuple[str, ...], BeforeValidator(listed_answer_ids)]


@dataclass(frozen=True, config=_CONFIG)
class Names:
    id: str
    en: str = ""

    def get(self, language: str) -> str:
        return (self.en if language == "en" else self.id) or self.id


@dataclass(frozen=True, config=_CONFIG)
class Theme:
    id: str
    label: str
    answer_count: int
    respondent_count: int
    is_other: bool = False
    representative: str = ""
    label_formal: str | None = None
    keywords: tuple[str, ...] = ()
    quotes: tuple[str, ...] = ()
    answer_ids: AnswerIds = ()
    dimensions: dict[str, int] = Field(default_factory=dict)  # obstacle themes only

    @property
    def leftovers(self) -> bool:
        """The "lainnya" of a (domain, kind): never a top theme."""
        return self.is_other or self.id.endswith(OTHER_SUFFIX)

    @property
    def shown_label(self) -> str:
        return self.label_formal or self.label


@dataclass(frozen=True, config=_CONFIG)
class Agency:
    code: str
    name: Names
    short: str = ""


@dataclass(frozen=True, config=_CONFIG)
class Unit:
    code: str
    name: Names
    whole: bool = False


@dataclass(frozen=True, config=_CONFIG)
class Baseline:
    value: float
    year: int | None = None


@dataclass(frozen=True, config=_CONFIG)
class StaffRow:
    row_id: str
    need: str = ""
    obstacle: str = ""
    realisation: str = ""
    strategy: str = ""
    indicator: str = ""
    respondent: str | None = None
    # A figure, or (lowest, highest) once rows of officers who disagree are merged.
    targets: dict[int, float | tuple[float, float]] = Field(default_factory=dict)
    answer_ids: AnswerIds = ()
    opd: Agency | None = None
    unit: Unit | None = None
    baseline: Baseline | None = None
    budget: dict[int, float | tuple[float, float]] = Field(default_factory=dict)
    officers: int = 1  # officers behind the row: several once identical rows are merged


@dataclass(frozen=True, config=_CONFIG)
class GapRow(StaffRow):
    """A staff row as it addresses one need: how it was matched."""

    similarity: float = 0.0
    matched_field: str | None = None
    via: str | None = None  # the obstacle or suggestion theme it answers, if not the need
    strength: str = "strong"


@dataclass(frozen=True, config=_CONFIG)
class Gap:
    need_theme_id: str
    need_label: str
    answer_count: int
    respondent_count: int
    status: str
    staff_rows: tuple[GapRow, ...] = ()

    @property
    def addressed(self) -> bool:
        return bool(self.staff_rows)


@dataclass(frozen=True, config=_CONFIG)
class Link:
    relation: str
    source: str
    target: str
    similarity: float
    strength: str
    source_label: str | None = None
    target_label: str | None = None
    blocks: int = 0
    lift: float | None = None
    p_value: float | None = None
    via: str | None = None


@dataclass(frozen=True, config=_CONFIG)
class OtherInput:
    text: str
    answers: int


@dataclass(frozen=True, config=_CONFIG)
class Domain:
    name: Names
    respondents: int
    answers: int
    themes: dict[str, tuple[Theme, ...]] = Field(default_factory=dict)
    dimensions: dict[str, int] = Field(default_factory=dict)
    gaps: tuple[Gap, ...] = ()
    links: tuple[Link, ...] = ()
    staff_rows_without_need: tuple[StaffRow, ...] = ()
    other_inputs: dict[str, tuple[OtherInput, ...]] = Field(default_factory=dict)
    other_inputs_more: dict[str, int] = Field(default_factory=dict)
    lead_agency: Agency | None = None  # the agency that usually serves the domain

    def top(self, kind: str, limit: int | None = None) -> list[Theme]:
        """A kind's themes without the leftovers, most respondents first."""
        themes = sorted(
            (t for t in self.themes.get(kind, ()) if not t.leftovers),
            key=lambda t: (-t.respondent_count, -t.answer_count, t.id),
        )
        return themes[:limit] if limit is not None else themes

    def theme(self, theme_id: str) -> Theme | None:
        for themes in self.themes.values():
            for theme in themes:
                if theme.id == theme_id:
                    return theme
        return None

    def ranked_gaps(self) -> list[Gap]:
        return sorted(
            self.gaps, key=lambda g: (-g.respondent_count, -g.answer_count, g.need_theme_id)
        )

    def links_of(self, relation: str, source: str | None = None) -> list[Link]:
        return [
            link
            for link in self.links
            if link.relation == relation and (source is None or link.source == source)
        ]


@dataclass(frozen=True, config=_CONFIG)
class Dimension:
    name: Names
    group: str
    count: int = 0


@dataclass(frozen=True, config=_CONFIG)
class Campaign:
    code: str
    name: str = ""
    plan_years: tuple[int, ...] = ()
    timezone: str = "Asia/Jakarta"


@dataclass(frozen=True, config=_CONFIG)
class Period:
    first: datetime | None = None
    last: datetime | None = None


@dataclass(frozen=True, config=_CONFIG)
class Counts:
    respondents: int = 0
    answers: int = 0
    submitted_runs: int = 0
    in_progress_runs: int = 0
    imported_answers: int = 0
    by_kind: dict[str, int] = Field(default_factory=dict)
    by_source: dict[str, int] = Field(default_factory=dict)
    by_instrument: dict[str, int] = Field(default_factory=dict)


@dataclass(frozen=True, config=_CONFIG)
class CoverageRow:
    """One kecamatan or group: respondents (or "< 5" when suppressed) and shares."""

    code: str
    name: Names
    respondents: int | str = 0
    share: float | None = None
    population: int | None = None
    per_1000: float | None = None
    population_share: float | None = None
    by_domain: dict[str, int | str] = Field(default_factory=dict)


@dataclass(frozen=True, config=_CONFIG)
class CoverageAlert:
    kind: str  # no_respondents | few_respondents | below_population_share
    field: str
    code: str
    name: Names
    respondents: int | str = 0
    share: float | None = None
    population_share: float | None = None


@dataclass(frozen=True, config=_CONFIG)
class Coverage:
    """Who took part (processor.coverage); every count of 1 to 4 people is "< 5"."""

    respondents: int = 0
    with_profile: int = 0
    suppressed_below: int = 5
    regency: str | None = None
    by_kecamatan: tuple[CoverageRow, ...] = ()
    by_age_band: tuple[CoverageRow, ...] = ()
    by_sex: tuple[CoverageRow, ...] = ()
    by_disability: tuple[CoverageRow, ...] = ()
    alerts: tuple[CoverageAlert, ...] = ()


@dataclass(frozen=True, config=_CONFIG)
class UnitIkm:
    """One service unit's IKM in one period (summary.json `ikm`, issue 14)."""

    name: str
    period: str
    respondents: int
    nrr: dict[str, float]  # the nine SKM elements -> NRR (1-4)
    ikm: float  # converted, 25-100
    grade: str  # mutu pelayanan A-D
    code: str = ""
    domain: str | None = None  # the unit's domain code
    grade_label: Names | None = None
    population: int | None = None
    minimum_sample: int | None = None
    below_minimum_sample: bool = False


@dataclass(frozen=True, config=_CONFIG)
class CurationStatus:
    """How a planner's curation fared in this analysis (processor.curation.Outcome)."""

    id: int
    action: str
    status: str  # "applied" or "stale" (tidak berlaku lagi)
    subject: str = ""
    before: str = ""
    after: str = ""
    by: str = ""
    note: str = ""
    theme_id: str | None = None

    @property
    def stale(self) -> bool:
        return self.status != "applied"


@dataclass(frozen=True, config=_CONFIG)
class Summary:
    schema_version: int
    campaign: Campaign
    generated_at: datetime
    counts: Counts
    domains: dict[str, Domain]
    dimensions: dict[str, Dimension] = Field(default_factory=dict)
    unmapped: dict[str, int] = Field(default_factory=dict)
    period: Period = Field(default_factory=Period)
    coverage: Coverage | None = None  # schema_version 3
    ikm: tuple[UnitIkm, ...] = ()
    curations: tuple[CurationStatus, ...] = ()  # schema 3

    def latest_ikm(self) -> list[UnitIkm]:
        """Each unit's IKM of its latest period, in the summary's order."""
        latest: dict[str, UnitIkm] = {}
        for row in self.ikm:
            if row.code not in latest or row.period > latest[row.code].period:
                latest[row.code] = row
        return list(latest.values())

    def domain_name(self, code: str, language: str) -> str:
        domain = self.domains.get(code)
        return domain.name.get(language) if domain else code

    def dimension_name(self, code: str, language: str) -> str:
        dimension = self.dimensions.get(code)
        return dimension.name.get(language) if dimension else code.replace("_", " ")

    def domains_with_answers(self) -> list[str]:
        """Codes of the domains anybody answered about, most respondents first."""
        return sorted(
            (c for c, d in self.domains.items() if d.answers > 0),
            key=lambda c: (-self.domains[c].respondents, -self.domains[c].answers, c),
        )

    @property
    def years(self) -> tuple[int, ...]:
        return self.campaign.plan_years


_ADAPTER = TypeAdapter(Summary)


def parse_summary(data: Mapping[str, Any] | Summary) -> Summary:
    """summary.json (as loaded) as a Summary; a Summary is returned as it is."""
    if isinstance(data, Summary):
        return data
    return _ADAPTER.validate_python(dict(data))
