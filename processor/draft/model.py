"""The plan as a planner reads it, built from the analysis: priorities, actions, indicators.

Pure: `build_domain_model` turns one domain of the summary (and the innovation library)
into priorities, each with its evidence-sourced actions, its indicator and its policy
needs. Nothing here knows a language: the narrative and the tables put words to it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from processor.summary import Domain, Gap, GapRow, StaffRow, Theme

TOP_NEEDS = 5
MIN_POLICY_ANSWERS = 3  # obstacle answers of a dimension before a policy is drafted for it
INNOVATIONS_PER_NEED = 2
SUGGESTIONS_PER_NEED = 2
WEAK_LINK_SIMILARITY = 0.3  # a weak link the draft still uses: the two say alike things
_NUMBER = re.compile(r"(?<![\w.,])(\d+(?:[.,]\d+)?)\s*(%|persen)?")


class Localized(Protocol):
    def get(self, language: str) -> str: ...


class Innovation(Protocol):
    """What the draft reads of an innovation pattern (shared.survey_data.Innovation); read-only,
    as that model is frozen."""

    @property
    def code(self) -> str: ...

    @property
    def name(self) -> Localized: ...

    @property
    def description(self) -> Localized: ...

    @property
    def basis(self) -> Localized: ...

    @property
    def domains(self) -> Sequence[str]: ...

    @property
    def dimensions(self) -> Sequence[str]: ...

    @property
    def keywords(self) -> Sequence[str]: ...

    @property
    def instrument(self) -> str: ...

    @property
    def quick_win(self) -> bool: ...


Value = float | tuple[float, float]  # a figure, or (lowest, highest) when officers disagree


@dataclass(frozen=True)
class Source:
    kind: str  # "citizen", "agency" or "innovation"
    ref: str  # theme id, row id(s), or innovation code
    label: str
    answers: int = 0
    weak: bool = False  # a link the planner should confirm


@dataclass(frozen=True)
class Action:
    text: str
    sources: tuple[Source, ...]
    quick_win: bool  # year 1: an existing agency row or a pattern that needs no new budget
    years: tuple[int, ...]
    opd: str | None = None  # agency code
    opd_names: Mapping[str, str] = field(default_factory=dict)  # language -> name
    budget: Mapping[int, Value] = field(default_factory=dict)
    innovation: str | None = None

    @property
    def key(self) -> tuple:
        """The same action answering two needs is one activity (and one budget)."""
        return self.text, tuple((s.kind, s.ref) for s in self.sources)


@dataclass(frozen=True)
class Indicator:
    """What shows a result: an agency row's indicator, or the share of citizens who still
    name the need (measured again at the next consultation)."""

    name: str
    unit: Mapping[str, str]  # language -> unit label ("%", "km"); empty when unknown
    whole: bool
    baseline: Value | None
    baseline_year: int | None
    baseline_to_check: bool  # read from the realisation answer, not given as a baseline
    targets: Mapping[int, Value]
    from_citizens: bool = False
    opd: str | None = None
    opd_names: Mapping[str, str] = field(default_factory=dict)
    row_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Priority:
    need: Theme
    gap: Gap | None
    rows: tuple[GapRow, ...]  # merged agency rows that address it
    obstacle: Theme | None  # its main obstacle
    suggestions: tuple[Theme, ...]
    actions: tuple[Action, ...]
    indicator: Indicator
    share: float  # of the domain's respondents who named the need


@dataclass(frozen=True)
class Policy:
    dimension: str
    answers: int
    instrument: str
    obstacle: Theme | None  # the domain's obstacle theme most tagged with it
    implements: str | None = None  # the cross-agency instrument this domain's SOP carries out


def implement_shared(model: DomainModel, shared: Mapping[str, str]) -> DomainModel:
    """A dimension several domains share gets one cross-agency instrument (`shared`:
    dimension -> instrument); each domain then carries it out in its own SOP, rather
    than each drafting its own regulation on the same subject."""
    policies = tuple(
        replace(p, instrument="sop", implements=shared[p.dimension]) if p.dimension in shared else p
        for p in model.policies
    )
    return replace(model, policies=policies)


@dataclass(frozen=True)
class DomainModel:
    code: str
    domain: Domain
    priorities: tuple[Priority, ...]
    other_rows: tuple[StaffRow, ...]  # agency plans answering no priority need
    other_actions: tuple[Action, ...]
    policies: tuple[Policy, ...]
    dimensions_below_minimum: bool  # dimensions were named, none often enough for a policy


def merge_rows(rows: Iterable[GapRow]) -> list[GapRow]:
    """Rows that say the same thing (several officers of one agency filling in the same
    row) merged: row ids and answers joined, a figure kept when they agree and given as
    (lowest, highest) when they do not."""
    groups: dict[tuple[str, str], list[GapRow]] = {}
    for row in rows:
        strategy, indicator = (" ".join(t.lower().split()) for t in (row.strategy, row.indicator))
        groups.setdefault((strategy, indicator), []).append(row)
    return [_merge(group) for group in groups.values()]


def _agree(values: Sequence[Value]) -> Value | None:
    figures = [f for value in values for f in (value if isinstance(value, tuple) else (value,))]
    if not figures:
        return None
    low, high = min(figures), max(figures)
    return low if low == high else (low, high)


def _merge(rows: list[GapRow]) -> GapRow:
    if len(rows) == 1:
        return rows[0]
    first = rows[0]
    years = sorted({y for r in rows for y in r.targets})
    budget_years = sorted({y for r in rows for y in r.budget})
    baselines = [r.baseline.value for r in rows if r.baseline is not None]
    merged = {
        **{name: getattr(first, name) for name in first.__dataclass_fields__},
        "row_id": ", ".join(r.row_id for r in rows),
        "answer_ids": tuple(i for r in rows for i in r.answer_ids),
        "targets": {y: _agree([r.targets[y] for r in rows if y in r.targets]) for y in years},
        "budget": {y: _agree([r.budget[y] for r in rows if y in r.budget]) for y in budget_years},
    }
    if baselines and first.baseline is not None:
        merged["baseline"] = type(first.baseline)(value=min(baselines), year=first.baseline.year)
    merged["officers"] = len({r.respondent or r.row_id for r in rows})
    return type(first)(**merged)


def realised_figure(realisation: str) -> tuple[float, bool] | None:
    """A current figure in a realisation answer ("Sampah terangkut 45%" -> 45, percent),
    offered as a baseline for the planner to check. Only a lone figure counts: "2 dari 9
    puskesmas" says two things."""
    found = _NUMBER.findall(realisation)
    if len(found) != 1:
        return None
    number, percent = found[0]
    return float(number.replace(",", ".")), bool(percent)


def _indicator_of(rows: Sequence[GapRow]) -> Indicator | None:
    """The first of the rows that names an indicator with targets."""
    for row in rows:
        if not row.indicator or not row.targets:
            continue
        baseline: Value | None = row.baseline.value if row.baseline else None
        year = row.baseline.year if row.baseline else None
        to_check = False
        if baseline is None and (figure := realised_figure(row.realisation)) is not None:
            baseline, to_check = figure[0], True
        return Indicator(
            name=row.indicator,
            unit={"id": row.unit.name.id, "en": row.unit.name.get("en")} if row.unit else {},
            whole=bool(row.unit and row.unit.whole),
            baseline=baseline,
            baseline_year=year,
            baseline_to_check=to_check,
            targets=dict(row.targets),
            opd=row.opd.code if row.opd else None,
            opd_names=_opd_names(row),
            row_ids=(row.row_id,),
        )
    return None


def _opd_names(row: StaffRow) -> dict[str, str]:
    if row.opd is None:
        return {}
    return {"id": row.opd.name.id, "en": row.opd.name.get("en")}


CITIZEN_TARGET_SHARE = 0.5  # the proposed last-year target: half the citizens still asking


def _citizen_indicator(
    need: Theme, share: float, year: int | None, years: Sequence[int]
) -> Indicator:
    """The share of the domain's respondents who name the need: today's figure, and a
    proposed target for the plan's last year (halved) for the team to confirm."""
    baseline = round(share * 100, 1)
    return Indicator(
        name=need.shown_label,
        unit={"id": "%", "en": "%"},
        whole=False,
        baseline=baseline,
        baseline_year=year,
        baseline_to_check=False,
        targets={years[-1]: round(baseline * CITIZEN_TARGET_SHARE, 1)} if years else {},
        from_citizens=True,
    )


def _row_action(row: GapRow, years: Sequence[int]) -> Action:
    budget_years = tuple(y for y in years if _positive(row.budget.get(y)))
    target_years = tuple(y for y in years if y in row.targets)
    quick = not _positive(row.budget.get(years[0])) if years else True
    return Action(
        text=row.strategy or row.need,
        sources=(
            Source(
                "agency",
                row.row_id,
                row.opd.short or row.opd.code if row.opd else "",
                answers=row.officers,  # for an agency row: the officers behind it
                weak=row.strength == "weak",
            ),
        ),
        quick_win=quick,
        years=budget_years or target_years or tuple(years),
        opd=row.opd.code if row.opd else None,
        opd_names=_opd_names(row),
        budget={y: v for y, v in row.budget.items() if _positive(v)},
    )


def _positive(value: Value | None) -> bool:
    if value is None:
        return False
    return (max(value) if isinstance(value, tuple) else value) > 0


def _words(themes: Iterable[Theme | None]) -> str:
    parts = []
    for theme in themes:
        if theme is not None:
            parts += [theme.label, theme.representative, *theme.quotes, *theme.keywords]
    return " " + " ".join(" ".join(re.findall(r"[a-z0-9]+", p.lower())) for p in parts) + " "


def _matches(innovation: Innovation, words: str) -> int:
    return sum(
        f" {' '.join(re.findall(r'[a-z0-9]+', k.lower()))} " in words for k in innovation.keywords
    )


def rank_innovations(
    innovations: Sequence[Innovation],
    *,
    domain: str,
    themes: Sequence[Theme | None],
    dimensions: Mapping[str, int],
) -> list[tuple[Innovation, int]]:
    """Patterns of this domain (or of any) that the evidence calls for: their keywords in
    what citizens wrote count twice, a problem dimension of the obstacles once."""
    words = _words(themes)
    ranked = []
    for innovation in innovations:
        if innovation.domains and domain not in innovation.domains:
            continue
        keyword_hits = _matches(innovation, words)
        dimension_hits = sum(1 for d in innovation.dimensions if dimensions.get(d, 0) > 0)
        if keyword_hits:
            ranked.append((innovation, 2 * keyword_hits + dimension_hits))
    return sorted(ranked, key=lambda pair: (-pair[1], pair[0].code))


def _linked_themes(domain: Domain, relation: str, source: str, kind: str) -> list[Theme]:
    """Themes of `kind` linked to `source`, strongest first. A weak link counts only when the
    two also say alike things: met together a little more than chance is too thin to plan on."""
    links = [
        link
        for link in domain.links_of(relation, source)
        if link.strength == "strong" or link.similarity >= WEAK_LINK_SIMILARITY
    ]
    themes = []
    for link in sorted(links, key=lambda k: (k.strength != "strong", -k.blocks, k.target)):
        theme = domain.theme(link.target)
        if theme is not None and not theme.leftovers and theme.id.split(".")[1] == kind:
            themes.append(theme)
    return themes


def _suggestion_actions(
    suggestions: Sequence[Theme],
    covered: set[str],
    innovations: Sequence[Innovation],
    code: str,
    years: Sequence[int],
    weak: set[str],
) -> list[Action]:
    actions = []
    for theme in suggestions:
        if theme.id in covered:
            continue
        pattern = next(
            (
                i
                for i, _ in rank_innovations(
                    innovations, domain=code, themes=[theme], dimensions={}
                )
            ),
            None,
        )
        sources = [
            Source("citizen", theme.id, theme.shown_label, theme.answer_count, theme.id in weak)
        ]
        if pattern is not None:
            sources.append(Source("innovation", pattern.code, pattern.code))
        quick = bool(pattern and pattern.quick_win)
        actions.append(
            Action(
                text=theme.shown_label,
                sources=tuple(sources),
                quick_win=quick,
                years=tuple(years[:1] if quick else years[1:] or years),
                innovation=pattern.code if pattern else None,
            )
        )
    return actions


def _priority(
    domain: Domain,
    code: str,
    need: Theme,
    gap: Gap | None,
    innovations: Sequence[Innovation],
    years: Sequence[int],
    now_year: int | None,
) -> Priority:
    rows = tuple(merge_rows(gap.staff_rows)) if gap else ()
    obstacles = _linked_themes(domain, "need-obstacle", need.id, "citizen_obstacle")
    obstacle = obstacles[0] if obstacles else None
    suggestions = _linked_themes(domain, "need-suggestion", need.id, "citizen_strategy")
    if obstacle is not None:
        suggestions += [
            s
            for s in _linked_themes(domain, "obstacle-suggestion", obstacle.id, "citizen_strategy")
            if s not in suggestions
        ]
    suggestions = suggestions[:SUGGESTIONS_PER_NEED]
    weak = {
        link.target
        for link in domain.links
        if link.strength == "weak" and link.source in (need.id, getattr(obstacle, "id", ""))
    }
    actions = [_row_action(row, years) for row in rows]
    row_ids = {part.strip() for row in rows for part in row.row_id.split(",")}
    covered = {link.target for link in domain.links_of("row-suggestion") if link.source in row_ids}
    actions += _suggestion_actions(suggestions, covered, innovations, code, years, weak)
    used = {a.innovation for a in actions if a.innovation}
    ranked = rank_innovations(
        innovations,
        domain=code,
        themes=[need, obstacle, *suggestions],
        dimensions=obstacle.dimensions if obstacle else {},
    )
    for pattern, _score in ranked:
        if len(used) >= INNOVATIONS_PER_NEED or pattern.code in used:
            continue
        used.add(pattern.code)
        actions.append(
            Action(
                text=pattern.code,
                sources=(Source("innovation", pattern.code, pattern.code),),
                quick_win=pattern.quick_win,
                years=tuple(years[:1] if pattern.quick_win else years[1:] or years),
                innovation=pattern.code,
            )
        )
    # Quick wins first: what can start in year 1 without new budget.
    actions.sort(key=lambda a: (not a.quick_win, a.sources[0].kind != "agency"))
    share = need.respondent_count / domain.respondents if domain.respondents else 0.0
    indicator = _indicator_of(rows) or _citizen_indicator(need, share, now_year, years)
    return Priority(
        need=need,
        gap=gap,
        rows=rows,
        obstacle=obstacle,
        suggestions=tuple(suggestions),
        actions=tuple(actions),
        indicator=indicator,
        share=share,
    )


def _policies(domain: Domain, instruments: Mapping[str, str]) -> tuple[tuple[Policy, ...], bool]:
    ranked = sorted(
        ((c, n) for c, n in domain.dimensions.items() if n > 0), key=lambda x: (-x[1], x[0])
    )[:4]
    policies = []
    for dimension, answers in ranked:
        if answers < MIN_POLICY_ANSWERS:  # one or two answers would claim more than was said
            continue
        obstacles = [t for t in domain.top("citizen_obstacle") if t.dimensions.get(dimension)]
        obstacles.sort(key=lambda t: (-t.dimensions[dimension], t.id))
        policies.append(
            Policy(
                dimension=dimension,
                answers=answers,
                instrument=instruments.get(dimension, "perbup"),
                obstacle=obstacles[0] if obstacles else None,
            )
        )
    return tuple(policies), bool(ranked) and not policies


def build_domain_model(
    code: str,
    domain: Domain,
    *,
    innovations: Sequence[Innovation],
    instruments: Mapping[str, str],
    years: Sequence[int],
    now_year: int | None,
) -> DomainModel:
    """One domain's plan: its top needs as priorities, and what else agencies plan."""
    gaps = {g.need_theme_id: g for g in domain.gaps}
    needs = domain.top("citizen_need", TOP_NEEDS)
    priorities = tuple(
        _priority(domain, code, need, gaps.get(need.id), innovations, years, now_year)
        for need in needs
    )
    shown = {r.row_id for p in priorities for row in p.rows for r in [row]}
    shown_parts = {part.strip() for ids in shown for part in ids.split(",")}
    candidates: dict[str, StaffRow] = {r.row_id: r for r in domain.staff_rows_without_need}
    for gap in domain.gaps:
        if gap.need_theme_id not in {n.id for n in needs}:
            for row in gap.staff_rows:
                candidates.setdefault(row.row_id, row)
    others = [r for r in candidates.values() if r.row_id not in shown_parts]
    other_rows = tuple(merge_rows(_as_gap_rows(others)))
    policies, below = _policies(domain, instruments)
    return DomainModel(
        code=code,
        domain=domain,
        priorities=priorities,
        other_rows=other_rows,
        other_actions=tuple(_row_action(row, years) for row in other_rows),
        policies=policies,
        dimensions_below_minimum=below,
    )


def _as_gap_rows(rows: Iterable[StaffRow]) -> list[GapRow]:
    return [
        row
        if isinstance(row, GapRow)
        else GapRow(**{name: getattr(row, name) for name in row.__dataclass_fields__})
        for row in rows
    ]
