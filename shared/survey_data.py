"""Questionnaires, domains and problem dimensions: versioned data files, validated at start-up."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

DATA_DIR = Path(__file__).parent / "questionnaires"
LANGUAGES = ("id", "en")


class SurveyDataError(Exception):
    """A data file is broken; the message names the file, the item and what is wrong."""


class Localized(BaseModel):
    """A text in every supported language."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, language: str) -> str:
        return self.en if language == "en" else self.id


class QuestionKind(StrEnum):
    domain = "domain"  # choose one of the domains: opens a block
    choice = "choice"
    text = "text"
    number = "number"
    yes_no = "yes_no"
    year_targets = "year_targets"  # one number per plan year, asked year by year
    agency = "agency"  # choose one of the campaign's agencies (OPD), see agencies.yaml
    unit = "unit"  # choose the unit of the row's indicator, see units.yaml
    year = "year"  # a calendar year before the plan's first year (e.g. of a baseline)
    kecamatan = "kecamatan"  # profile: one of the campaign's kecamatan (wilayah.yaml)
    desa = "desa"  # profile: a desa/kelurahan of the kecamatan chosen before


class Option(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    value: str = Field(pattern=r"^[a-z0-9_]{1,32}$")
    label: Localized


class Question(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]{0,47}$")
    kind: QuestionKind
    scope: Literal["block", "item"] = "block"
    text: Localized
    hint: Localized | None = None
    short: Localized | None = None  # label in the review and in reports
    required: bool = True
    # Repeat rule of a yes/no question: "item" asks the item group again, "block" a new domain.
    repeat: Literal["item", "block"] | None = None
    options: tuple[Option, ...] = ()
    min_length: int | None = Field(default=None, ge=1)
    max_length: int | None = Field(default=None, ge=1)
    min_value: float | None = None
    max_value: float | None = None
    # Asked only once this earlier question of the same scope has an answer in the row
    # (the baseline's year only after a baseline).
    asked_if: str | None = None
    # The number is in the row's indicator unit: a unit counting whole things refuses
    # decimals (no 146,2 desa).
    in_row_unit: bool = False
    # A year_targets question's line for each year; {year}, {number}, {total} and
    # {indicator} are filled in. Without it, messages.yaml's year_target.
    year_text: Localized | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Question:
        self._check_kind_rules()
        self._check_bounds()
        self._check_extras()
        return self

    def _check_kind_rules(self) -> None:
        if self.kind is QuestionKind.choice and len(self.options) < 2:
            raise ValueError("a choice question needs at least two options")
        if self.kind is not QuestionKind.choice and self.options:
            raise ValueError("only a choice question has options")
        if self.repeat and self.kind is not QuestionKind.yes_no:
            raise ValueError("only a yes_no question can carry a repeat rule")
        if self.repeat and self.scope != self.repeat:
            raise ValueError(f"a repeat: {self.repeat} question must have scope: {self.repeat}")
        if self.kind is QuestionKind.domain and self.scope != "block":
            raise ValueError("the domain question must have scope: block")

    def _check_bounds(self) -> None:
        if (self.min_length or self.max_length) and self.kind is not QuestionKind.text:
            raise ValueError("min_length/max_length only apply to text questions")
        if self.min_length and self.max_length and self.min_length > self.max_length:
            raise ValueError("min_length is greater than max_length")
        numeric = (QuestionKind.number, QuestionKind.year_targets, QuestionKind.year)
        if (self.min_value is not None or self.max_value is not None) and self.kind not in numeric:
            raise ValueError("min_value/max_value only apply to number questions")
        if (
            self.min_value is not None
            and self.max_value is not None
            and self.min_value > self.max_value
        ):
            raise ValueError("min_value is greater than max_value")

    def _check_extras(self) -> None:
        if self.kind is QuestionKind.domain and not self.required:
            raise ValueError("the domain question must be required")
        if self.in_row_unit and self.kind not in (QuestionKind.number, QuestionKind.year_targets):
            raise ValueError("in_row_unit only applies to number and year_targets questions")
        if self.year_text is not None and self.kind is not QuestionKind.year_targets:
            raise ValueError("year_text only applies to year_targets questions")
        if self.asked_if is not None and self.repeat is not None:
            raise ValueError("a repeat question cannot be conditional (asked_if)")

    def label(self, language: str) -> str:
        return (self.short or self.text).get(language)


class Questionnaire(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_-]{0,63}$")
    version: int = Field(ge=1)
    instrument: Literal["external", "internal", "skm"]
    title: Localized
    intro: Localized
    questions: tuple[Question, ...] = Field(min_length=1)
    # Ask the optional respondent profile (profile.yaml) before the first question.
    profile: bool = False

    @model_validator(mode="after")
    def _well_formed(self) -> Questionnaire:
        self._check_ids()
        self._check_order()
        if not self.content_questions:
            raise ValueError("the questionnaire asks nothing but navigation questions")
        self._check_conditions()
        self._check_units()
        return self

    def _check_ids(self) -> None:
        """Unique ids; the first question, and only it, picks the domain."""
        seen: set[str] = set()
        for question in self.questions:
            if question.id in seen:
                raise ValueError(f"question {question.id}: duplicate id")
            seen.add(question.id)
        first = self.questions[0]
        if first.kind is not QuestionKind.domain:
            raise ValueError(f"question {first.id}: the first question must be of kind domain")
        for question in self.questions[1:]:
            if question.kind is QuestionKind.domain:
                raise ValueError(f"question {question.id}: only the first question picks a domain")

    def _check_order(self) -> None:
        # Shape: domain, item questions (ending with an optional repeat: item), block
        # questions (ending with an optional repeat: block).
        scopes = [q.scope for q in self.questions[1:]]
        if scopes != sorted(scopes, key=lambda scope: scope == "block"):
            wrong = next(
                q
                for q, nxt in zip(self.questions[1:], self.questions[2:], strict=False)
                if q.scope == "block" and nxt.scope == "item"
            )
            raise ValueError(
                f"question {wrong.id}: item questions must all come before block questions"
            )
        for group in ("item", "block"):
            members = [q for q in self.questions[1:] if q.scope == group]
            for question in members[:-1]:
                if question.repeat == group:
                    raise ValueError(
                        f"question {question.id}: a repeat: {group} question must be the last "
                        f"{group} question"
                    )

    def _check_conditions(self) -> None:
        for position, question in enumerate(self.questions):
            if question.asked_if is None:
                continue
            earlier = {q.id: q for q in self.questions[1:position]}
            condition = earlier.get(question.asked_if)
            if condition is None or condition.scope != question.scope or condition.repeat:
                raise ValueError(
                    f"question {question.id}: asked_if must name an earlier content question "
                    "of the same scope"
                )
            if condition.kind is QuestionKind.year_targets:
                raise ValueError(f"question {question.id}: asked_if cannot name a year_targets")

    def _check_units(self) -> None:
        units = [q for q in self.questions if q.kind is QuestionKind.unit]
        if len(units) > 1 or any(q.scope != "item" for q in units):
            raise ValueError("at most one unit question, and it is asked per item")
        if any(q.in_row_unit for q in self.questions) and not units:
            raise ValueError("an in_row_unit question needs a unit question in the row")

    @cached_property
    def by_id(self) -> Mapping[str, Question]:
        return {question.id: question for question in self.questions}

    @property
    def domain_question(self) -> Question:
        return self.questions[0]

    @property
    def item_questions(self) -> tuple[Question, ...]:
        return tuple(q for q in self.questions[1:] if q.scope == "item")

    @property
    def block_questions(self) -> tuple[Question, ...]:
        return tuple(q for q in self.questions[1:] if q.scope == "block")

    @property
    def target_range(self) -> tuple[float | None, float | None]:
        """(min, max) of a yearly target; (None, None) without a year_targets question."""
        return self.year_range("target")

    def year_range(self, question_id: str) -> tuple[float | None, float | None]:
        """(min, max) of the year_targets question `question_id`; (None, None) without it."""
        question = self.by_id.get(question_id)
        if question is None or question.kind is not QuestionKind.year_targets:
            return None, None
        return question.min_value, question.max_value

    @property
    def unit_question(self) -> Question | None:
        return next((q for q in self.questions if q.kind is QuestionKind.unit), None)

    @property
    def content_questions(self) -> tuple[Question, ...]:
        """Questions whose answers are content (not the yes/no repeat navigation)."""
        return tuple(q for q in self.questions if q.repeat is None)


def name_key(name: str) -> str:
    """How a domain's name is compared: NFKC, lowercase, single spaces."""
    return " ".join(unicodedata.normalize("NFKC", name).lower().split())


class Domain(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")
    name: Localized
    short: Localized
    description: Localized
    scope: tuple[Literal["uu25", "spm", "other"], ...] = Field(min_length=1)
    keywords: tuple[str, ...] = ()
    # Earlier short names and other names paper forms use; matched by imports and the survey.
    aliases: tuple[str, ...] = ()
    example: Localized | None = None  # what a need in this domain sounds like ({example})

    def names(self) -> tuple[str, ...]:
        """The code, names, short names and aliases: what may name this domain."""
        return (
            self.code,
            *(self.name.get(language) for language in LANGUAGES),
            *(self.short.get(language) for language in LANGUAGES),
            *self.aliases,
        )

    @model_validator(mode="after")
    def _short_fits_button(self) -> Domain:
        for language in LANGUAGES:
            if len(self.short.get(language)) > 24:
                raise ValueError(f"domain {self.code}: short name over 24 characters")
        for alias in self.aliases:
            # A typed number picks the n-th button, and a blank would match an empty cell.
            if not name_key(alias) or name_key(alias).isdigit():
                raise ValueError(f"domain {self.code}: alias {alias!r} is blank or a number")
        return self


class DomainList(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    version: int = Field(ge=1)
    domains: tuple[Domain, ...] = Field(min_length=2)

    @model_validator(mode="after")
    def _unique_codes(self) -> DomainList:
        seen: set[str] = set()
        named: dict[str, str] = {}  # every name a form or a respondent may use -> its domain
        for domain in self.domains:
            if domain.code in seen:
                raise ValueError(f"domain {domain.code}: duplicate code")
            seen.add(domain.code)
            for name in domain.names():
                key = name_key(name)
                if named.setdefault(key, domain.code) != domain.code:
                    raise ValueError(
                        f"domain {domain.code}: name or alias {name!r} is also {named[key]}'s"
                    )
        return self

    @cached_property
    def by_code(self) -> Mapping[str, Domain]:
        return {domain.code: domain for domain in self.domains}

    @cached_property
    def by_name(self) -> Mapping[str, str]:
        """name_key of every code, name, short name and alias -> the domain's code."""
        return {name_key(name): domain.code for domain in self.domains for name in domain.names()}


class Agency(BaseModel):
    """A regency agency (perangkat daerah, OPD) a staff row is the responsibility of."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")
    name: Localized
    short: str = Field(min_length=1, max_length=16)  # the button label: three fit a row
    domains: tuple[str, ...] = ()  # domain codes it usually serves: offered first there
    aliases: tuple[str, ...] = ()

    def names(self) -> tuple[str, ...]:
        return (
            self.code,
            *(self.name.get(language) for language in LANGUAGES),
            self.short,
            *self.aliases,
        )


# Telegram shows at most 100 buttons on a message; leave room for back and skip.
MAX_AGENCIES = 90


def _check_names(
    kind: str, items: Sequence[Any], names_of: Callable[[Any], Iterable[str]]
) -> dict[str, str]:
    """Codes unique, and no name (code, name, short, alias) naming two items; returns
    name_key -> code."""
    named: dict[str, str] = {}
    codes: set[str] = set()
    for item in items:
        if item.code in codes:
            raise ValueError(f"{kind} {item.code}: duplicate code")
        codes.add(item.code)
        for name in names_of(item):
            key = name_key(name)
            if not key or key.isdigit():
                raise ValueError(f"{kind} {item.code}: name {name!r} is blank or a number")
            if named.setdefault(key, item.code) != item.code:
                raise ValueError(f"{kind} {item.code}: name {name!r} is also {named[key]}'s")
    return named


class AgencyList(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = "agencies"
    version: int = Field(default=1, ge=1)
    agencies: tuple[Agency, ...] = Field(min_length=2, max_length=MAX_AGENCIES)

    @model_validator(mode="after")
    def _unique(self) -> AgencyList:
        _check_names("agency", self.agencies, Agency.names)
        return self

    @cached_property
    def by_code(self) -> Mapping[str, Agency]:
        return {agency.code: agency for agency in self.agencies}

    @cached_property
    def by_name(self) -> Mapping[str, str]:
        """name_key of every code, name, short name and alias -> the agency's code."""
        return {name_key(n): a.code for a in self.agencies for n in a.names()}

    def find(self, name: str) -> Agency | None:
        code = self.by_name.get(name_key(name))
        return None if code is None else self.by_code[code]

    def ordered_for(self, domain: str | None, first: tuple[str, ...] = ()) -> tuple[Agency, ...]:
        """The agencies in offering order: `first` (codes), those usually serving `domain`,
        then the rest in list order."""
        usual = tuple(a.code for a in self.agencies if domain is not None and domain in a.domains)
        order = list(dict.fromkeys((*first, *usual, *(a.code for a in self.agencies))))
        return tuple(self.by_code[code] for code in order if code in self.by_code)


class Unit(BaseModel):
    """A unit a staff row's indicator is measured in."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")
    name: Localized
    whole: bool  # counts whole things: no decimals in its targets and baselines
    aliases: tuple[str, ...] = ()

    def names(self) -> tuple[str, ...]:
        return (self.code, *(self.name.get(language) for language in LANGUAGES), *self.aliases)


class UnitList(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    version: int = Field(ge=1)
    units: tuple[Unit, ...] = Field(min_length=2, max_length=MAX_AGENCIES)

    @model_validator(mode="after")
    def _unique(self) -> UnitList:
        _check_names("unit", self.units, Unit.names)
        return self

    @cached_property
    def by_code(self) -> Mapping[str, Unit]:
        return {unit.code: unit for unit in self.units}

    @cached_property
    def by_name(self) -> Mapping[str, str]:
        return {name_key(n): u.code for u in self.units for n in u.names()}

    def find(self, name: str) -> Unit | None:
        code = self.by_name.get(name_key(name))
        return None if code is None else self.by_code[code]


class Dimension(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")
    group: Literal["seed", "addition", "cause"]
    name: Localized
    description: Localized
    keywords: tuple[str, ...] = Field(min_length=1)


class DimensionList(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    version: int = Field(ge=1)
    dimensions: tuple[Dimension, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_codes(self) -> DimensionList:
        codes = [d.code for d in self.dimensions]
        duplicates = {code for code in codes if codes.count(code) > 1}
        if duplicates:
            raise ValueError(f"dimension {sorted(duplicates)[0]}: duplicate code")
        return self


class PolicyInstrument(StrEnum):
    """How a regency sets an innovation pattern up."""

    perbup = "perbup"  # Peraturan Bupati
    sop = "sop"
    standar_pelayanan = "standar_pelayanan"
    maklumat = "maklumat"  # Maklumat Pelayanan
    spm = "spm"  # Standar Pelayanan Minimal
    pks = "pks"  # perjanjian kerja sama
    sk = "sk"  # Keputusan Bupati / Kepala Dinas
    perda = "perda"


class Innovation(BaseModel):
    """A public-service innovation pattern the draft may propose (innovations.yaml)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=r"^[a-z][a-z0-9_]{0,47}$")
    name: Localized
    description: Localized
    domains: tuple[str, ...] = ()  # domain codes; () = any domain
    dimensions: tuple[str, ...] = Field(min_length=1)
    keywords: tuple[str, ...] = Field(min_length=1)
    instrument: PolicyInstrument
    basis: Localized  # the regulation or reference it rests on
    quick_win: bool  # can start in year 1 within the existing budget and staff

    @model_validator(mode="after")
    def _keywords_are_phrases(self) -> Innovation:
        for keyword in self.keywords:
            if not keyword.strip() or keyword != keyword.lower():
                raise ValueError(
                    f"innovation {self.code}: keyword {keyword!r} must be lowercase words"
                )
        return self


class InnovationList(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    version: int = Field(ge=1)
    innovations: tuple[Innovation, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_codes(self) -> InnovationList:
        codes = [i.code for i in self.innovations]
        duplicates = {code for code in codes if codes.count(code) > 1}
        if duplicates:
            raise ValueError(f"innovation {sorted(duplicates)[0]}: duplicate code")
        return self

    @cached_property
    def by_code(self) -> Mapping[str, Innovation]:
        return {innovation.code: innovation for innovation in self.innovations}


class MessageCatalog(BaseModel):
    """User-facing interface texts (not questions), each in every language."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    version: int = Field(ge=1)
    messages: dict[str, Localized]

    def text(self, key: str, language: str, **values: object) -> str:
        template = self.messages[key].get(language)
        return template.format(**values) if values else template


def _read_yaml(path: Path) -> object:
    try:
        with path.open(encoding="utf-8") as handle:
            # libyaml's safe loader when PyYAML has it: the same documents, parsed about ten
            # times faster (every command reads these files at start-up).
            return yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except FileNotFoundError as exc:
        raise SurveyDataError(f"{path}: file not found") from exc
    except yaml.YAMLError as exc:
        raise SurveyDataError(f"{path}: not valid YAML: {exc}") from exc


def _describe(error: Mapping, data: object) -> str:
    """Say where a validation error is, by question/domain id rather than list index."""
    loc = list(error["loc"])
    where: list[str] = []
    node = data
    for part in loc:
        if isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
            if isinstance(node, dict):
                key = next((k for k in ("id", "code") if k in node), None)
                if key:
                    where.append(f"{key} {node[key]}")
                    continue
            where.append(f"#{part + 1}")
        elif isinstance(node, dict) and part in node:
            node = node[part]
            where.append(str(part))
        else:
            where.append(str(part))
    message = error["msg"].removeprefix("Value error, ")
    return f"{' > '.join(where) or 'top level'}: {message}"


ModelT = TypeVar("ModelT", bound=BaseModel)


def _parse(model: type[ModelT], path: Path) -> ModelT:
    return validate_data(model, _read_yaml(path), str(path))


def validate_data(model: type[ModelT], data: object, where: str) -> ModelT:
    """`data` as `model`; SurveyDataError says where (by id or code) and what is wrong."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        details = "; ".join(_describe(error, data) for error in exc.errors())
        raise SurveyDataError(f"{where}: {details}") from exc


def load_questionnaire(path: Path) -> Questionnaire:
    return _parse(Questionnaire, path)


def load_domains(path: Path) -> DomainList:
    return _parse(DomainList, path)


def load_dimensions(path: Path) -> DimensionList:
    return _parse(DimensionList, path)


def load_innovations(path: Path) -> InnovationList:
    return _parse(InnovationList, path)


def _check_innovation_codes(
    innovations: InnovationList, path: Path, *, domains: DomainList, dimensions: DimensionList
) -> None:
    """Every domain and dimension an innovation names must exist in the other files."""
    known_dimensions = {d.code for d in dimensions.dimensions}
    for innovation in innovations.innovations:
        for code in innovation.domains:
            if code not in domains.by_code:
                raise SurveyDataError(
                    f"{path}: innovation {innovation.code}: unknown domain {code!r} "
                    "(not in domains.yaml)"
                )
        for code in innovation.dimensions:
            if code not in known_dimensions:
                raise SurveyDataError(
                    f"{path}: innovation {innovation.code}: unknown dimension {code!r} "
                    "(not in dimensions.yaml)"
                )


def load_messages(path: Path) -> MessageCatalog:
    return _parse(MessageCatalog, path)


def load_agencies(path: Path) -> AgencyList:
    return _parse(AgencyList, path)


def load_units(path: Path) -> UnitList:
    return _parse(UnitList, path)


def check_agency_domains(agencies: AgencyList, domains: DomainList, where: str) -> None:
    """Every domain an agency lists exists; raise SurveyDataError naming the agency."""
    for agency in agencies.agencies:
        unknown = [code for code in agency.domains if code not in domains.by_code]
        if unknown:
            raise SurveyDataError(f"{where}: agency {agency.code}: unknown domain {unknown[0]!r}")


def load_word_map(path: Path) -> dict[str, str]:
    """A slang/abbreviation map: `map: {slang: normal}`."""
    data = _read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("map"), dict):
        raise SurveyDataError(f"{path}: expected a top-level 'map:' of slang to normal words")
    bad = [k for k, v in data["map"].items() if not isinstance(k, str) or not isinstance(v, str)]
    if bad:
        raise SurveyDataError(f"{path}: entry {bad[0]!r}: keys and values must be words")
    return {str(k).lower(): str(v).lower() for k, v in data["map"].items()}


def load_phrase_list(path: Path, key: str = "words") -> frozenset[str]:
    """A YAML list of lowercase words or phrases under `key` (e.g. filler.yaml)."""
    data = _read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        raise SurveyDataError(f"{path}: expected a top-level '{key}:' list")
    bad = [entry for entry in data[key] if not isinstance(entry, str) or not entry.strip()]
    if bad:
        raise SurveyDataError(f"{path}: entry {bad[0]!r}: entries must be words or phrases")
    return frozenset(" ".join(str(entry).lower().split()) for entry in data[key])


def load_word_list(path: Path) -> frozenset[str]:
    """One word per line; blank lines and `#` comments ignored."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError as exc:
        raise SurveyDataError(f"{path}: file not found") from exc
    return frozenset(
        line.strip().lower() for line in lines if line.strip() and not line.startswith("#")
    )


# The nine SKM elements (unsur) of PermenPANRB 14/2017, in the regulation's order: the ids of
# skm.yaml's questions, each a choice scored "1".."4".
SKM_ELEMENTS = (
    "persyaratan",
    "prosedur",
    "waktu",
    "biaya",
    "produk",
    "kompetensi",
    "perilaku",
    "pengaduan",
    "sarana",
)
SKM_SCORES = ("1", "2", "3", "4")
SKM_SUGGESTION = "saran"  # the optional free-text question that ends the SKM


def check_skm(questionnaire: Questionnaire, where: str) -> None:
    """The SKM has the nine elements, each a choice with exactly the scores 1-4 (in order),
    and its suggestion is free text."""
    for code in SKM_ELEMENTS:
        question = questionnaire.by_id.get(code)
        if question is None or question.kind is not QuestionKind.choice:
            raise SurveyDataError(f"{where}: element {code}: missing or not a choice question")
        if tuple(option.value for option in question.options) != SKM_SCORES:
            raise SurveyDataError(f"{where}: element {code}: options must be the scores 1, 2, 3, 4")
    suggestion = questionnaire.by_id.get(SKM_SUGGESTION)
    if suggestion is None or suggestion.kind is not QuestionKind.text:
        raise SurveyDataError(f"{where}: question {SKM_SUGGESTION}: missing or not free text")


# Telegram's start parameter is at most 64 characters: "<campaign ≤32>--skm--<unit ≤24>".
MAX_SERVICE_UNIT_CODE = 24


class ServiceUnit(BaseModel):
    """A service unit (unit layanan) running the SKM, e.g. the Dukcapil counter."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=r"^[a-z][a-z0-9_]{0,23}$")
    name: Localized
    short: str = Field(min_length=1, max_length=24)
    domain: str  # a domains.yaml code: the domain its suggestions count for
    # Service users in a survey period, for the regulation's minimum sample; optional.
    population: int | None = Field(default=None, ge=1)
    campaigns: tuple[str, ...] = ()  # campaign codes it belongs to; () = every campaign

    def in_campaign(self, campaign_code: str) -> bool:
        return not self.campaigns or campaign_code.lower() in (c.lower() for c in self.campaigns)


class ServiceUnitList(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = "service_units"
    version: int = Field(default=1, ge=1)
    units: tuple[ServiceUnit, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> ServiceUnitList:
        codes = [unit.code for unit in self.units]
        duplicates = sorted({code for code in codes if codes.count(code) > 1})
        if duplicates:
            raise ValueError(f"unit {duplicates[0]}: duplicate code")
        return self

    @cached_property
    def by_code(self) -> Mapping[str, ServiceUnit]:
        return {unit.code: unit for unit in self.units}

    def find(self, code: str, campaign_code: str) -> ServiceUnit | None:
        """The unit `code` when it belongs to the campaign, else None."""
        unit = self.by_code.get(code.lower())
        return unit if unit is not None and unit.in_campaign(campaign_code) else None


def load_service_units(path: Path) -> ServiceUnitList:
    return _parse(ServiceUnitList, path)


def check_service_unit_domains(units: ServiceUnitList, domains: DomainList, where: str) -> None:
    for unit in units.units:
        if unit.domain not in domains.by_code:
            raise SurveyDataError(f"{where}: unit {unit.code}: unknown domain {unit.domain!r}")


@dataclass(frozen=True)
class SurveyData:
    """Everything the survey and the processor read from the data directory."""

    questionnaires: Mapping[str, Questionnaire]  # by instrument
    domains: DomainList
    dimensions: DimensionList
    messages: MessageCatalog
    innovations: InnovationList
    agencies: AgencyList  # the default list; a campaign may have its own (shared.agencies)
    units: UnitList
    # The optional respondent profile and the default regions (issue 14).
    profile: ProfileQuestions | None = None
    wilayah: Wilayah | None = None
    # The SKM's service units (issue 14); None only in hand-made SurveyData of tests.
    service_units: ServiceUnitList | None = None

    def questionnaire(self, instrument: str) -> Questionnaire:
        return self.questionnaires[instrument]


REQUIRED_MESSAGES = (
    "progress",
    "progress_domain",
    "progress_item",
    "error_empty",
    "error_too_short",
    "error_too_long",
    "error_not_number",
    "error_whole_number",
    "error_whole_unit_conflict",
    "error_not_year",
    "choose_agency_hint",
    "choose_unit_hint",
    "error_number_range",
    "error_not_offered",
    "error_first_question",
    "error_not_an_answer",
    "error_required_missing",
    "error_required",
    "error_nothing_to_edit",
    "error_cannot_skip",
    "review_title",
    "review_empty",
    "review_hint",
    "submitted",
    "yes",
    "no",
    "skip",
    "back",
    "submit",
    "edit",
    "current_answer",
    "year_target",
    "optional",
    "choose_domain_hint",
    "number_hint",
    "domain_moved",
    "error_nothing_chosen",
    "error_press_domain",
    "error_press_yes_no",
    "error_press_button",
    "review_so_far",
    "review_unfinished_hint",
    "review_use_buttons",
    "review_use_buttons_early",
)


def load_survey_data(data_dir: Path = DATA_DIR) -> SurveyData:
    """Load and cross-check every data file; raise SurveyDataError naming what is wrong."""
    questionnaires: dict[str, Questionnaire] = {}
    for instrument in ("external", "internal", "skm"):
        path = data_dir / f"{instrument}.yaml"
        questionnaire = load_questionnaire(path)
        if questionnaire.instrument != instrument:
            raise SurveyDataError(f"{path}: instrument must be {instrument}")
        questionnaires[instrument] = questionnaire
    check_skm(questionnaires["skm"], str(data_dir / "skm.yaml"))
    messages = load_messages(data_dir / "messages.yaml")
    missing = [key for key in REQUIRED_MESSAGES if key not in messages.messages]
    if missing:
        raise SurveyDataError(f"{data_dir / 'messages.yaml'}: missing message {missing[0]}")
    domains = load_domains(data_dir / "domains.yaml")
    without = [d.code for d in domains.domains if d.example is None]
    for questionnaire in questionnaires.values():
        for question in questionnaire.questions:
            uses = question.hint is not None and "{example}" in question.hint.id + question.hint.en
            if uses and without:
                raise SurveyDataError(
                    f"{data_dir / 'domains.yaml'}: domain {without[0]} has no example, which "
                    f"the hint of {questionnaire.instrument} question {question.id} shows"
                )
    dimensions = load_dimensions(data_dir / "dimensions.yaml")
    innovations_path = data_dir / "innovations.yaml"
    innovations = load_innovations(innovations_path)
    _check_innovation_codes(innovations, innovations_path, domains=domains, dimensions=dimensions)
    agencies = load_agencies(data_dir / "agencies.yaml")
    check_agency_domains(agencies, domains, str(data_dir / "agencies.yaml"))
    service_units = load_service_units(data_dir / "service_units.yaml")
    check_service_unit_domains(service_units, domains, str(data_dir / "service_units.yaml"))
    from shared.lapor_data import load_lapor_mapping  # it imports this module

    load_lapor_mapping(data_dir / "lapor.yaml", domains=domains)  # checked at start-up
    return SurveyData(
        questionnaires=questionnaires,
        domains=domains,
        dimensions=dimensions,
        messages=messages,
        innovations=innovations,
        agencies=agencies,
        units=load_units(data_dir / "units.yaml"),
        profile=load_profile_questions(data_dir / "profile.yaml"),
        wilayah=load_wilayah(data_dir / "wilayah.yaml"),
        service_units=service_units,
    )


# Respondent profile and regions (issue 14) -----------------------------------------------

# The profile fields a respondent may give, as stored in shared.models.RespondentProfile.
PROFILE_FIELDS = ("kecamatan", "desa", "age_band", "sex", "disability")


class Desa(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=r"^[a-z0-9][a-z0-9_]{0,31}$")
    name: str = Field(min_length=1, max_length=40)


class Kecamatan(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=r"^[a-z0-9][a-z0-9_]{0,31}$")
    name: str = Field(min_length=1, max_length=40)
    population: int | None = Field(default=None, ge=0)  # residents, for per-1,000 rates
    desa: tuple[Desa, ...] = ()

    @model_validator(mode="after")
    def _unique_desa(self) -> Kecamatan:
        codes = [d.code for d in self.desa]
        if len(codes) != len(set(codes)):
            raise ValueError(f"kecamatan {self.code}: duplicate desa code")
        return self


class Wilayah(BaseModel):
    """The kecamatan (and some desa/kelurahan) of one regency, offered to the profile's
    place questions; optional populations for coverage rates and alerts."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = "wilayah"
    version: int = Field(default=1, ge=1)
    regency: str = Field(min_length=1, max_length=100)
    source: str | None = None  # where the names and figures come from
    kecamatan: tuple[Kecamatan, ...] = Field(min_length=1, max_length=200)
    # Shares of the population by group, e.g. {"sex": {"female": 0.49, "male": 0.51}},
    # to tell groups far below their share; optional.
    population_shares: dict[str, dict[str, float]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _unique(self) -> Wilayah:
        _check_names("kecamatan", self.kecamatan, lambda k: (k.code, k.name))
        return self

    @cached_property
    def by_code(self) -> Mapping[str, Kecamatan]:
        return {k.code: k for k in self.kecamatan}

    @cached_property
    def desa_names(self) -> Mapping[str, str]:
        """Desa code -> name (a code is the slug of its name, so one code names one name)."""
        return {d.code: d.name for k in self.kecamatan for d in k.desa}

    @property
    def populations(self) -> Mapping[str, int]:
        return {k.code: k.population for k in self.kecamatan if k.population is not None}


class ProfileQuestions(BaseModel):
    """The optional respondent profile: each question may be skipped."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = "profile"
    version: int = Field(default=1, ge=1)
    questions: tuple[Question, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _fields(self) -> ProfileQuestions:
        ids = [q.id for q in self.questions]
        for question in self.questions:
            if question.id not in PROFILE_FIELDS:
                raise ValueError(f"question {question.id}: not a profile field {PROFILE_FIELDS}")
            if question.required:
                raise ValueError(f"question {question.id}: profile questions are optional")
            if question.kind not in (
                QuestionKind.choice,
                QuestionKind.kecamatan,
                QuestionKind.desa,
            ):
                raise ValueError(f"question {question.id}: a profile question is chosen")
        if len(ids) != len(set(ids)):
            raise ValueError("duplicate profile question")
        if "desa" in ids and ("kecamatan" not in ids or ids.index("desa") < ids.index("kecamatan")):
            raise ValueError("question desa: must come after question kecamatan")
        return self


def load_wilayah(path: Path) -> Wilayah:
    return _parse(Wilayah, path)


def load_profile_questions(path: Path) -> ProfileQuestions:
    return _parse(ProfileQuestions, path)
