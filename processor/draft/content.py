"""What the document holds (statements with evidence, sections, tables, parts) and the
context every builder shares: the language, the texts, number formatting."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from babel.dates import format_date

from processor.draft.model import Innovation, Source, Value
from processor.summary import Summary
from shared.numbers import format_number
from shared.survey_data import DATA_DIR, MessageCatalog, load_messages

DRAFT_TEXTS = "draft.yaml"
PLACEHOLDER_KEY = "fill"  # the "[isi]" marker, counted by bench/draft_quality.py
_ONE_PLURAL = re.compile(r"(?<![\d.,])(1 (?:[a-z]+ )?(?:answer|respondent|need|officer))s\b")


def load_draft_texts(data_dir: Path = DATA_DIR) -> MessageCatalog:
    """The document's texts, in every language (shared/questionnaires/draft.yaml)."""
    return load_messages(data_dir / DRAFT_TEXTS)


@dataclass(frozen=True)
class Evidence:
    answers: int = 0
    respondents: int = 0
    theme_ids: tuple[str, ...] = ()
    row_ids: tuple[str, ...] = ()
    quotes: tuple[str, ...] = ()
    note: str | None = None  # evidence that is not a theme or row (e.g. dimension counts)
    sources: tuple[Source, ...] = ()  # an action's sources


@dataclass(frozen=True)
class Statement:
    text: str
    evidence: Evidence | None = None  # None only for headings of a list and plain prose
    numbered: bool = False  # an item of a numbered list without evidence (the legal basis)


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    landscape: bool = False
    title: str | None = None


@dataclass(frozen=True)
class Section:
    title: str
    statements: tuple[Statement, ...]
    tables: tuple[Table, ...] = ()


@dataclass(frozen=True)
class Part:
    """A chapter: the introduction, the whole plan, a domain, or an annex."""

    heading: str
    sections: tuple[Section, ...]
    chart: str | None = None  # key of the chart shown under the heading
    tables: tuple[Table, ...] = ()  # landscape tables after the sections (logframe, work plan)
    page_break: bool = True


@dataclass(frozen=True)
class DraftPlan:
    language: str
    title: str
    subtitle: str
    date_line: str
    generated: str
    notice: str
    parts: tuple[Part, ...]
    charts: tuple[tuple[str, str], ...] = field(default=())  # (key, caption) in document order


class Context:
    """What every builder needs: the summary, the language, the texts, number formats."""

    def __init__(
        self,
        summary: Summary,
        language: str,
        texts: MessageCatalog,
        innovations: Mapping[str, Innovation] | None = None,
    ) -> None:
        self.summary = summary
        self.language = language
        self.texts = texts
        self.years = list(summary.years)
        self.innovations = dict(innovations or {})

    def innovation(self, code: str) -> Innovation:
        return self.innovations[code]

    def t(self, key: str, **values: object) -> str:
        text = self.texts.text(key, self.language, **values)
        if self.language == "en":
            # "1 respondents gave 1 answers": English counts of one take the singular.
            text = _ONE_PLURAL.sub(r"\1", text)
        return text

    def has(self, key: str) -> bool:
        return key in self.texts.messages

    def n(self, value: float) -> str:
        # Exactly as stored (a staff target of 12,34567 stays so), grouped as the language writes.
        return format_number(float(value), self.language)

    def fill(self, what: str = "") -> str:
        """The marker of what the planning team must complete."""
        return self.t(PLACEHOLDER_KEY, what=f": {what}" if what else "")

    def value(self, value: Value | None, *, whole: bool = False) -> str:
        """A figure as stored, a range when merged officers disagree ("50–58,8"), "–" when
        none was given; whole units (unit, orang, desa) never show decimals."""
        if value is None:
            return "–"
        if isinstance(value, tuple):
            low, high = (self.value(v, whole=whole) for v in value)
            return low if low == high else f"{low}–{high}"
        return self.n(round(value)) if whole else self.n(value)

    def share(self, part: int, whole: int) -> str:
        """A share in whole percent; "< 1 %" rather than a "0 %" that hides someone."""
        percent = 100 * part / whole if whole else 0
        return "< 1 %" if 0 < percent < 0.5 else f"{self.n(round(percent))} %"

    def date(self, moment: datetime) -> str:
        locale = "id_ID" if self.language == "id" else "en_GB"
        return format_date(moment.date(), format="long", locale=locale)

    def money(self, value: Value | None) -> str:
        """Rupiah in millions ("1.500" = Rp 1,5 miliar), as work plans write them."""
        if value is None:
            return "–"
        if isinstance(value, tuple):
            return f"{self.money(value[0])}–{self.money(value[1])}"
        return self.n(round(value / 1_000_000, 1))

    def domain(self, code: str) -> str:
        return self.summary.domain_name(code, self.language)

    def dimension(self, code: str) -> str:
        return self.summary.dimension_name(code, self.language)

    def additions(self, code: str) -> str:
        """A dimension's name, marked when it is not one of the guide's seven."""
        dimension = self.summary.dimensions.get(code)
        name = self.dimension(code)
        if dimension is not None and dimension.group != "seed":
            return f"{name}{self.t('dimension_added_mark')}"
        return name

    def names(self, localized: Mapping[str, str], fallback: str) -> str:
        return localized.get(self.language) or localized.get("id") or fallback
