"""The draft master plan: a python-docx document built from the analysis summary.

Two pure steps and one I/O step:
- `plan_from_summary` turns summary.json (the analysis contract) into a `DraftPlan`: for the
  whole campaign and for each domain, the guide's seven sections, a logical framework and a
  work plan, where every statement carries its evidence (counts, quotes, theme or row ids);
- `render_document` lays a `DraftPlan` and its chart images out as a Word document with
  built-in heading styles and a table-of-contents field, so Word's navigation pane works;
- `write_draft` renders the charts (matplotlib, Agg canvas) and saves the file.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from babel.dates import format_date
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from shared.numbers import format_number
from shared.survey_data import DATA_DIR, MessageCatalog, load_messages

SECTION_KEYS = ("s1", "s2", "s3", "s4", "s5", "s6", "s7")
TOP_NEEDS = 5
TOP_OBSTACLES = 5
TOP_DIMENSIONS = 4
_ONE_PLURAL = re.compile(r"(?<![\d.,])(1 (?:[a-z]+ )?(?:answer|respondent|need))s\b")
MIN_POLICY_ANSWERS = 3  # obstacle answers of a dimension before a policy is drafted for it
QUOTES_PER_STATEMENT = 2
LOW_DATA_RESPONDENTS = 10
EVIDENCE_STYLE = "Bukti Rembuk"
DRAFT_TEXTS = "draft.yaml"


def load_draft_texts(data_dir: Path = DATA_DIR) -> MessageCatalog:
    """The document's texts, in every language (shared/questionnaires/draft.yaml)."""
    return load_messages(data_dir / DRAFT_TEXTS)


# The plan model ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    answers: int
    respondents: int
    theme_ids: tuple[str, ...] = ()
    row_ids: tuple[str, ...] = ()
    quotes: tuple[str, ...] = ()
    note: str | None = None  # evidence that is not a theme or row (e.g. dimension counts)


@dataclass(frozen=True)
class Statement:
    text: str
    evidence: Evidence | None = None  # None only for headings of a list and [fill in] prompts


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Section:
    key: str  # s1..s7
    title: str
    statements: tuple[Statement, ...]
    table: Table | None = None  # the yearly targets in "Hasil"


@dataclass(frozen=True)
class PartPlan:
    """The plan for the whole campaign (code None) or for one domain."""

    code: str | None
    heading: str
    sections: tuple[Section, ...]
    logframe: Table
    workplan: Table
    chart: str | None = None  # key of the chart image shown with this part


@dataclass(frozen=True)
class DraftPlan:
    language: str
    title: str
    subtitle: str
    generated: str
    notice: str
    data_heading: str
    data_statements: tuple[Statement, ...]
    overall: PartPlan
    domains: tuple[PartPlan, ...]
    appendix_heading: str
    appendix: tuple[str, ...]
    charts: tuple[tuple[str, str], ...] = field(default=())  # (key, caption) in document order


def _number(value: float, language: str) -> str:
    # Exactly as stored (a staff target of 12,34567 stays so), grouped as the language writes.
    return format_number(float(value), language)


def _name(localized: Mapping[str, str] | None, language: str, fallback: str) -> str:
    if not localized:
        return fallback
    return localized.get(language) or localized.get("id") or fallback


def is_other(theme: Mapping[str, Any]) -> bool:
    """The leftovers of a (domain, kind) ("lainnya", theme number 0): never a top theme."""
    return bool(theme.get("is_other")) or str(theme.get("id", "")).endswith(".0")


def _themes(domain: Mapping[str, Any], kind: str) -> list[Mapping[str, Any]]:
    themes = [t for t in (domain.get("themes") or {}).get(kind) or [] if not is_other(t)]
    return sorted(
        themes,
        key=lambda t: (-int(t.get("respondent_count", 0)), -int(t.get("answer_count", 0)), t["id"]),
    )


def _theme_evidence(theme: Mapping[str, Any]) -> Evidence:
    return Evidence(
        answers=int(theme.get("answer_count", 0)),
        respondents=int(theme.get("respondent_count", 0)),
        theme_ids=(str(theme["id"]),),
        quotes=tuple(str(q) for q in (theme.get("quotes") or [])[:QUOTES_PER_STATEMENT]),
    )


def _theme_statement(ctx, line_key: str, theme: Mapping[str, Any], **extra: str) -> Statement:  # type: ignore[no-untyped-def]
    """A theme's line (label, answers, respondents) with its evidence."""
    return Statement(
        ctx.t(
            line_key,
            label=theme["label"],
            answers=ctx.n(theme["answer_count"]),
            respondents=ctx.n(theme["respondent_count"]),
            **extra,
        ),
        _theme_evidence(theme),
    )


def _data_overview(ctx, counts: Mapping[str, Any]) -> Statement:  # type: ignore[no-untyped-def]
    """How many took part and answered, from the summary's counts."""
    return Statement(
        ctx.t(
            "data_overview",
            respondents=ctx.n(counts.get("respondents", 0)),
            answers=ctx.n(counts.get("answers", 0)),
            submitted=ctx.n(counts.get("submitted_runs", 0)),
            in_progress=ctx.n(counts.get("in_progress_runs", 0)),
            imported=ctx.n(counts.get("imported_answers", 0)),
        ),
        Evidence(
            answers=int(counts.get("answers", 0)),
            respondents=int(counts.get("respondents", 0)),
            note=ctx.t("evidence_summary"),
        ),
    )


def _gap_evidence(gap: Mapping[str, Any], rows: Sequence[Mapping[str, Any]]) -> Evidence:
    return Evidence(
        answers=int(gap.get("answer_count", 0)),
        respondents=int(gap.get("respondent_count", 0)),
        theme_ids=(str(gap["need_theme_id"]),),
        row_ids=tuple(str(r.get("row_id")) for r in rows),
    )


def _row_evidence(gap: Mapping[str, Any] | None, row: Mapping[str, Any]) -> Evidence:
    """A staff row's evidence; with the citizen need theme it answers, if any."""
    return Evidence(
        answers=len(row.get("answer_ids") or []),
        # Officers behind the row: several when identical rows were merged (_staff_rows).
        respondents=len(set(row.get("respondents") or [row.get("respondent") or row["row_id"]])),
        theme_ids=(str(gap["need_theme_id"]),) if gap is not None else (),
        row_ids=(str(row.get("row_id")),),
    )


def _target(value: float | tuple[float, float] | list[float] | None, language: str) -> str:
    """One yearly target as stored ("12,5"), a range when merged officers disagree
    ("50–58,8"), or "–" when none was given."""
    if value is None:
        return "–"
    if isinstance(value, tuple | list):
        return "–".join(_number(float(v), language) for v in value)
    return _number(float(value), language)


def _implausible_targets(indicator: str, targets: Mapping[str, Any]) -> bool:
    """A percentage indicator with a target over 100: the team should check it."""
    if "%" not in indicator and "persen" not in indicator.lower():
        return False
    for target in targets.values():
        values = target if isinstance(target, tuple | list) else (target,)
        if any(v is not None and float(v) > 100 for v in values):
            return True
    return False


def _indicator(ctx: _Context, indicator: str, targets: Mapping[str, Any]) -> str:
    """The indicator as the draft shows it, marked for checking when its targets cannot be."""
    if _implausible_targets(indicator, targets):
        return f"{indicator} {ctx.t('target_check')}"
    return indicator


class _Results:
    """Section 6 as it is built: each staff row's expected result (a statement in `into`,
    a row of the targets table) once, however many needs the row answers."""

    def __init__(self, into: list[Statement]) -> None:
        self.statements = into
        self.table_rows: list[tuple[str, ...]] = []
        self._listed: set[str] = set()

    def add(
        self,
        ctx: _Context,
        row: Mapping[str, Any],
        evidence: Evidence,
        domain_name: str | None = None,
    ) -> None:
        if row["row_id"] in self._listed:
            return
        self._listed.add(row["row_id"])
        targets = row.get("targets") or {}
        indicator = _indicator(ctx, str(row.get("indicator") or ctx.t("lf_none")), targets)
        shown = f"{domain_name}: {indicator}" if domain_name else indicator
        self.statements.append(
            Statement(
                ctx.t(
                    "result_line",
                    indicator=shown,
                    targets=_targets_text(targets, ctx.years, ctx.language),
                ),
                evidence,
            )
        )
        cells = tuple(_target(targets.get(str(y)), ctx.language) for y in ctx.years)
        lead = (domain_name, indicator) if domain_name else (indicator,)
        self.table_rows.append((*lead, *cells))


def _targets_text(targets: Mapping[str, Any], years: Sequence[int], language: str) -> str:
    return "; ".join(f"{year}: {_target(targets.get(str(year)), language)}" for year in years)


def _source_name(ctx: _Context, source: str) -> str:
    """A venue or channel as a planner reads it: "kantor_desa" -> "kantor desa", "-" (a
    link without a venue) and "impor:FILE" (paper forms) in words."""
    if source == "-":
        return ctx.t("source_none")
    if source.startswith("impor:"):
        return ctx.t("source_import", file=source.removeprefix("impor:"))
    return source.replace("_", " ")


def _top_dimensions(
    counts: Mapping[str, int], limit: int = TOP_DIMENSIONS
) -> list[tuple[str, int]]:
    ranked = sorted(
        ((c, int(n)) for c, n in counts.items() if int(n) > 0), key=lambda x: (-x[1], x[0])
    )
    return ranked[:limit]


class _Context:
    """What every builder needs: the language, the texts, the summary's lookups."""

    def __init__(self, summary: Mapping[str, Any], language: str, texts: MessageCatalog) -> None:
        self.summary = summary
        self.language = language
        self.texts = texts
        self.years = [int(y) for y in summary["campaign"].get("plan_years") or []]
        self.dimension_names = {
            code: _name(info.get("name"), language, code)
            for code, info in (summary.get("dimensions") or {}).items()
        }

    def t(self, key: str, **values: object) -> str:
        text = self.texts.text(key, self.language, **values)
        if self.language == "en":
            # "1 respondents gave 1 answers": English counts of one take the singular.
            text = _ONE_PLURAL.sub(r"\1", text)
        return text

    def n(self, value: float) -> str:
        return _number(value, self.language)

    def dimension(self, code: str) -> str:
        return self.dimension_names.get(code, code.replace("_", " "))

    def policy(self, code: str) -> str:
        key = f"policy_{code}"
        return self.t(key) if key in self.texts.messages else self.t("policy_generic")

    def domain_name(self, code: str) -> str:
        domain = (self.summary.get("domains") or {}).get(code) or {}
        return _name(domain.get("name"), self.language, code)


def _staff_rows(gap: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The gap's staff rows, with rows that say the same thing (several officers of one
    agency filling in the same row) merged: their row ids and answers joined, a yearly
    target kept when they agree and given as (lowest, highest) when they do not."""
    groups: dict[tuple[str, ...], list[Mapping[str, Any]]] = {}
    for row in gap.get("staff_rows") or []:
        key = tuple(
            " ".join(str(row.get(k) or "").lower().split()) for k in ("strategy", "indicator")
        )
        groups.setdefault(key, []).append(row)
    merged: list[Mapping[str, Any]] = []
    for rows in groups.values():
        if len(rows) == 1:
            merged.append(rows[0])
            continue
        years = sorted({y for r in rows for y in (r.get("targets") or {})})
        targets = {}
        for year in years:
            values = [
                float(r["targets"][year])
                for r in rows
                if (r.get("targets") or {}).get(year) is not None
            ]
            if len(set(values)) == 1:
                targets[year] = values[0]  # officers who agree keep their exact figure
            elif values:
                # Officers who disagree: their range, not a mean that none of them gave.
                targets[year] = (min(values), max(values))
        merged.append(
            {
                **rows[0],
                "row_id": ", ".join(str(r.get("row_id")) for r in rows),
                "respondents": [r.get("respondent") or r.get("row_id") for r in rows],
                "answer_ids": [i for r in rows for i in r.get("answer_ids") or []],
                "targets": targets,
            }
        )
    return merged


def _gaps(domain: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return sorted(
        domain.get("gaps") or [],
        key=lambda g: (
            -int(g.get("respondent_count", 0)),
            -int(g.get("answer_count", 0)),
            str(g.get("need_theme_id")),
        ),
    )


def _dimension_evidence(ctx: _Context, counts: Mapping[str, int]) -> Evidence:
    total = sum(int(n) for n in counts.values())
    return Evidence(answers=total, respondents=0, note=ctx.t("evidence_dimensions"))


def _section(
    ctx: _Context, key: str, statements: Sequence[Statement], table: Table | None = None
) -> Section:
    return Section(
        key=key,
        title=f"{SECTION_KEYS.index(key) + 1}. {ctx.t(key)}",
        statements=tuple(statements),
        table=table,
    )


def _domain_sections(ctx: _Context, code: str, domain: Mapping[str, Any]) -> tuple[Section, ...]:
    name = ctx.domain_name(code)
    needs = _themes(domain, "citizen_need")[:TOP_NEEDS]
    obstacles = _themes(domain, "citizen_obstacle")[:TOP_OBSTACLES]
    staff_obstacles = _themes(domain, "staff_obstacle")[:TOP_OBSTACLES]
    citizen_strategies = _themes(domain, "citizen_strategy")[:TOP_NEEDS]
    reasons = _themes(domain, "citizen_reason")[:TOP_OBSTACLES]
    dimensions = domain.get("dimensions") or {}
    gaps = _gaps(domain)
    respondents = int(domain.get("respondents", 0))
    answers = int(domain.get("answers", 0))
    count_evidence = Evidence(
        answers=answers, respondents=respondents, note=ctx.t("evidence_summary")
    )

    # 1. Pendahuluan
    s1: list[Statement] = [
        Statement(
            ctx.t(
                "intro_domain", domain=name, respondents=ctx.n(respondents), answers=ctx.n(answers)
            ),
            count_evidence,
        )
    ]
    if needs:
        s1.append(Statement(ctx.t("intro_needs")))
        s1 += [_theme_statement(ctx, "need_line", t) for t in needs]
    else:
        s1.append(Statement(ctx.t("no_needs")))
    if reasons:  # the answers to "Mengapa?": today's condition in the citizens' words
        s1.append(Statement(ctx.t("intro_reasons")))
        s1 += [_theme_statement(ctx, "need_line", t) for t in reasons]
    if obstacles or staff_obstacles:
        s1.append(Statement(ctx.t("intro_obstacles")))
        s1 += [_theme_statement(ctx, "obstacle_line", t) for t in obstacles]
        s1 += [_theme_statement(ctx, "staff_obstacle_line", t) for t in staff_obstacles]
    else:
        s1.append(Statement(ctx.t("no_obstacles")))
    top_dims = _top_dimensions(dimensions)
    if top_dims:
        listing = ", ".join(f"{ctx.dimension(c)} ({ctx.n(n)})" for c, n in top_dims)
        s1.append(
            Statement(ctx.t("dimension_line", list=listing), _dimension_evidence(ctx, dimensions))
        )

    # 2. Tujuan
    s2 = [Statement(ctx.t("objective", label=t["label"]), _theme_evidence(t)) for t in needs]
    if not s2:
        s2 = [Statement(ctx.t("no_needs"))]

    # 3. Kebijakan
    s3 = _policy_statements(ctx, dimensions)

    # 4. Strategi implementasi, 5. Aksi, 6. Hasil: the gap matrix pairs needs with staff rows
    s4: list[Statement] = []
    s5: list[Statement] = []
    s6: list[Statement] = []
    results = _Results(s6)
    for gap in gaps[:TOP_NEEDS] if gaps else []:
        rows = _staff_rows(gap)
        need = str(gap.get("need_label", ""))
        if not rows:
            s4.append(Statement(ctx.t("strategy_unaddressed", need=need), _gap_evidence(gap, rows)))
            s5.append(Statement(ctx.t("action_draft", need=need), _gap_evidence(gap, rows)))
            s6.append(Statement(ctx.t("result_expected", need=need), _gap_evidence(gap, rows)))
            continue
        for row in rows:
            s4.append(
                Statement(
                    ctx.t(
                        "strategy_staff",
                        need=need,
                        strategy=row.get("strategy") or "–",
                        obstacle=row.get("obstacle") or "–",
                    ),
                    _row_evidence(gap, row),
                )
            )
            s5.append(
                Statement(
                    ctx.t(
                        "action_staff",
                        need=need,
                        strategy=row.get("strategy") or "–",
                        realisation=row.get("realisation") or "–",
                    ),
                    _row_evidence(gap, row),
                )
            )
            results.add(ctx, row, _row_evidence(gap, row))
    # Agencies' plans that answer none of the top citizen needs (no need at all, or only
    # needs below the top ones) are plans all the same.
    shown = {r["row_id"] for gap in gaps[:TOP_NEEDS] for r in gap.get("staff_rows") or []}
    candidates = list(domain.get("staff_rows_without_need") or [])
    candidates += [r for gap in gaps[TOP_NEEDS:] for r in gap.get("staff_rows") or []]
    other_rows = list({r["row_id"]: r for r in candidates if r["row_id"] not in shown}.values())
    for row in _staff_rows({"staff_rows": other_rows}):
        strategy, obstacle = row.get("strategy") or "–", row.get("obstacle") or "–"
        evidence = _row_evidence(None, row)
        s4.append(
            Statement(ctx.t("strategy_staff_only", strategy=strategy, obstacle=obstacle), evidence)
        )
        s5.append(
            Statement(
                ctx.t(
                    "action_staff_only",
                    strategy=strategy,
                    realisation=row.get("realisation") or "–",
                ),
                evidence,
            )
        )
        results.add(ctx, row, evidence)
    s4 += [_theme_statement(ctx, "strategy_citizen", t) for t in citizen_strategies]
    if not s4:
        s4 = [Statement(ctx.t("no_needs"))]
    if not s5:
        s5 = [Statement(ctx.t("no_needs"))]
    table = None
    if results.table_rows:
        s6.insert(0, Statement(ctx.t("results_intro")))
        table = Table(
            header=(ctx.t("col_indicator"),) + tuple(str(y) for y in ctx.years),
            rows=tuple(results.table_rows),
        )
    else:
        s6.insert(0, Statement(ctx.t("result_none")))

    # 7. Rekomendasi
    s7 = _recommendations(ctx, gaps, dimensions, respondents)
    return (
        _section(ctx, "s1", s1),
        _section(ctx, "s2", s2),
        _section(ctx, "s3", s3),
        _section(ctx, "s4", s4),
        _section(ctx, "s5", s5),
        _section(ctx, "s6", s6, table),
        _section(ctx, "s7", s7),
    )


def _policy_statements(ctx: _Context, dimensions: Mapping[str, int]) -> list[Statement]:
    ranked = _top_dimensions(dimensions)
    # A policy drafted from one or two answers would claim more than the FGD said.
    top = [(code, count) for code, count in ranked if count >= MIN_POLICY_ANSWERS]
    if not top:
        key = "no_policy_few" if ranked else "no_policy"
        return [Statement(ctx.t(key, n=MIN_POLICY_ANSWERS))]
    statements = [Statement(ctx.t("policy_intro"))]
    for code, count in top:
        statements.append(
            Statement(
                ctx.t(
                    "policy_line",
                    policy=ctx.policy(code),
                    dimension=ctx.dimension(code),
                    count=ctx.n(count),
                ),
                Evidence(answers=count, respondents=0, note=ctx.t("evidence_dimensions")),
            )
        )
    return statements


def _recommendations(
    ctx: _Context,
    gaps: Sequence[Mapping[str, Any]],
    dimensions: Mapping[str, int],
    respondents: int,
    domain_label: str | None = None,
) -> list[Statement]:
    statements = []
    for gap in gaps:
        if gap.get("status") != "belum_ditangani":
            continue
        need = str(gap.get("need_label", ""))
        if domain_label:
            need = f"{need} ({domain_label})"
        statements.append(
            Statement(
                ctx.t(
                    "rec_unaddressed",
                    need=need,
                    answers=ctx.n(gap.get("answer_count", 0)),
                    respondents=ctx.n(gap.get("respondent_count", 0)),
                ),
                _gap_evidence(gap, []),
            )
        )
    for code, count in _top_dimensions(dimensions, 2):
        if count < MIN_POLICY_ANSWERS:  # as for policies: too few answers to prioritise
            continue
        statements.append(
            Statement(
                ctx.t("rec_dimension", dimension=ctx.dimension(code), count=ctx.n(count)),
                Evidence(answers=count, respondents=0, note=ctx.t("evidence_dimensions")),
            )
        )
    if respondents < LOW_DATA_RESPONDENTS:
        statements.append(
            Statement(
                ctx.t("rec_low_data", n=ctx.n(respondents)),
                Evidence(answers=0, respondents=respondents, note=ctx.t("evidence_summary")),
            )
        )
    statements.append(Statement(ctx.t("rec_monitor")))
    return statements


def _logframe(ctx: _Context, name: str | None, gaps: Sequence[Mapping[str, Any]]) -> Table:
    """A domain's logical framework, or the whole plan's (name None)."""
    top = list(gaps[:TOP_NEEDS])
    addressed = sum(1 for g in top if _staff_rows(g))
    refs = lambda ids: " [" + ", ".join(ids) + "]" if ids else ""  # noqa: E731
    needs = "; ".join(str(g.get("need_label")) for g in top) or ctx.t("lf_none")
    rows: list[tuple[str, ...]] = [
        (
            ctx.t("lf_goal"),
            ctx.t("lf_goal_text", domain=name) if name else ctx.t("lf_goal_text_overall"),
            ctx.t("lf_goal_indicator", domain=name) if name else ctx.t("lf_goal_indicator_overall"),
            ctx.t("lf_goal_verification"),
            ctx.t("lf_goal_assumption"),
        ),
        (
            ctx.t("lf_purpose"),
            ctx.t("lf_purpose_text", needs=needs) + refs([str(g["need_theme_id"]) for g in top]),
            ctx.t("lf_purpose_indicator", addressed=addressed, total=len(top)),
            ctx.t("lf_purpose_verification"),
            ctx.t("lf_purpose_assumption"),
        ),
    ]
    for gap in top:
        staff = _staff_rows(gap)
        indicators = [str(r.get("indicator")) for r in staff if r.get("indicator")]
        obstacles = [str(r.get("obstacle")) for r in staff if r.get("obstacle")]
        rows.append(
            (
                ctx.t("lf_output"),
                ctx.t("lf_output_text", need=gap.get("need_label"))
                + refs([str(gap["need_theme_id"])]),
                "; ".join(indicators) or ctx.t("lf_output_indicator_none"),
                ctx.t("lf_output_verification"),
                ctx.t("lf_output_assumption", obstacle="; ".join(obstacles))
                if obstacles
                else ctx.t("lf_output_assumption_none"),
            )
        )
    for gap in top:
        for row in _staff_rows(gap):
            targets = row.get("targets") or {}
            rows.append(
                (
                    ctx.t("lf_activity"),
                    str(row.get("strategy") or ctx.t("lf_none")) + refs([str(row.get("row_id"))]),
                    f"{_indicator(ctx, str(row.get('indicator') or ctx.t('lf_none')), targets)} "
                    f"({_targets_text(targets, ctx.years, ctx.language)})",
                    ctx.t("lf_activity_verification"),
                    ctx.t("lf_activity_assumption"),
                )
            )
    header = tuple(
        ctx.t(k)
        for k in ("lf_level", "lf_narrative", "lf_indicator", "lf_verification", "lf_assumption")
    )
    return Table(header=header, rows=tuple(rows))


def _first_target_year(targets: Mapping[str, Any], years: Sequence[int]) -> str:
    given = [y for y in years if targets.get(str(y)) is not None]
    if not given:
        return f"{years[0]}–{years[-1]}" if years else "–"
    return f"{given[0]}–{given[-1]}" if len(given) > 1 else str(given[0])


def _workplan_rows(ctx: _Context, code: str, domain: Mapping[str, Any]) -> list[tuple[str, ...]]:
    name = ctx.domain_name(code)
    budget_named = int((domain.get("dimensions") or {}).get("anggaran", 0)) > 0
    resources = ctx.t("wp_resources_budget" if budget_named else "wp_resources_text")
    responsible = ctx.t("wp_responsible_text", domain=name)
    rows: list[tuple[str, ...]] = []
    span = f"{ctx.years[0]}–{ctx.years[-1]}" if ctx.years else "–"
    for gap in _gaps(domain)[:TOP_NEEDS]:
        staff = _staff_rows(gap)
        if not staff:
            rows.append(
                (
                    ctx.t("action_draft", need=gap.get("need_label"))
                    + f" [{gap['need_theme_id']}]",
                    ctx.t("lf_output_text", need=gap.get("need_label")),
                    span,
                    responsible,
                    resources,
                )
            )
        for row in staff:
            rows.append(
                (
                    f"{row.get('strategy') or ctx.t('lf_none')} [{row.get('row_id')}]",
                    str(
                        row.get("indicator") or ctx.t("lf_output_text", need=gap.get("need_label"))
                    ),
                    _first_target_year(row.get("targets") or {}, ctx.years),
                    responsible,
                    resources,
                )
            )
    return rows


def _workplan(ctx: _Context, rows: Sequence[tuple[str, ...]]) -> Table:
    header = tuple(
        ctx.t(k) for k in ("wp_activity", "wp_output", "wp_year", "wp_responsible", "wp_resources")
    )
    return Table(header=header, rows=tuple(rows))


def _domain_plan(ctx: _Context, code: str, domain: Mapping[str, Any]) -> PartPlan:
    name = ctx.domain_name(code)
    return PartPlan(
        code=code,
        heading=ctx.t("h_domain", name=name),
        sections=_domain_sections(ctx, code, domain),
        logframe=_logframe(ctx, name, _gaps(domain)),
        workplan=_workplan(ctx, _workplan_rows(ctx, code, domain)),
        chart=f"themes:{code}",
    )


def _overall_plan(ctx: _Context, codes: Sequence[str]) -> PartPlan:
    summary = ctx.summary
    domains = summary.get("domains") or {}
    counts = summary.get("counts") or {}
    all_dims = {
        code: int(info.get("count", 0)) for code, info in (summary.get("dimensions") or {}).items()
    }
    # Top needs across domains, each named with its domain.
    needs = sorted(
        ((code, t) for code in codes for t in _themes(domains[code], "citizen_need")),
        key=lambda ct: (
            -int(ct[1].get("respondent_count", 0)),
            -int(ct[1].get("answer_count", 0)),
            ct[1]["id"],
        ),
    )[: TOP_NEEDS * 2]
    s1 = [
        _data_overview(ctx, counts),
        Statement(ctx.t("intro_overall", domains=len(codes))),
    ]
    s1 += [
        _theme_statement(ctx, "need_line_domain", t, domain=ctx.domain_name(code))
        for code, t in needs
    ]
    top_dims = _top_dimensions(all_dims)
    if top_dims:
        listing = ", ".join(f"{ctx.dimension(c)} ({ctx.n(n)})" for c, n in top_dims)
        s1.append(
            Statement(ctx.t("dimension_line", list=listing), _dimension_evidence(ctx, all_dims))
        )

    s2 = []
    for code in codes:
        top = _themes(domains[code], "citizen_need")[:1]
        if top:
            s2.append(
                Statement(
                    ctx.t("objective_domain", domain=ctx.domain_name(code), label=top[0]["label"]),
                    _theme_evidence(top[0]),
                )
            )
    s2 = s2 or [Statement(ctx.t("no_needs"))]
    s3 = _policy_statements(ctx, all_dims)

    s4, s5, s6, unaddressed = [], [], [], []
    results = _Results(s6)
    for code in codes:
        name = ctx.domain_name(code)
        gaps = _gaps(domains[code])[:TOP_NEEDS]
        if not gaps:
            continue
        addressed = [g for g in gaps if _staff_rows(g)]
        s4.append(
            Statement(
                ctx.t(
                    "strategy_overall",
                    domain=name,
                    addressed=len(addressed),
                    total=len(gaps),
                    unaddressed=len(gaps) - len(addressed),
                ),
                Evidence(
                    answers=sum(int(g.get("answer_count", 0)) for g in gaps),
                    respondents=int(domains[code].get("respondents", 0)),
                    theme_ids=tuple(str(g["need_theme_id"]) for g in gaps),
                ),
            )
        )
        for gap in gaps:
            for row in _staff_rows(gap):
                s5.append(
                    Statement(
                        ctx.t(
                            "action_domain",
                            domain=name,
                            text=ctx.t(
                                "action_staff",
                                need=gap.get("need_label"),
                                strategy=row.get("strategy") or "–",
                                realisation=row.get("realisation") or "–",
                            ),
                        ),
                        _row_evidence(gap, row),
                    )
                )
                results.add(ctx, row, _row_evidence(gap, row), name)
            if not _staff_rows(gap):
                unaddressed.append((code, gap))
    s4 = s4 or [Statement(ctx.t("no_needs"))]
    s5 += [
        Statement(
            ctx.t(
                "action_domain",
                domain=ctx.domain_name(code),
                text=ctx.t("action_draft", need=gap.get("need_label")),
            ),
            _gap_evidence(gap, []),
        )
        for code, gap in unaddressed
    ]
    s5 = s5 or [Statement(ctx.t("no_needs"))]
    table = None
    if results.table_rows:
        s6.insert(0, Statement(ctx.t("results_intro")))
        table = Table(
            header=(ctx.t("col_domain"), ctx.t("col_indicator")) + tuple(str(y) for y in ctx.years),
            rows=tuple(results.table_rows),
        )
    else:
        s6.insert(0, Statement(ctx.t("result_none")))

    s7: list[Statement] = []
    for code, gap in unaddressed:
        s7 += _recommendations(ctx, [gap], {}, LOW_DATA_RESPONDENTS, ctx.domain_name(code))[:-1]
    s7 += _recommendations(ctx, [], all_dims, int(counts.get("respondents", 0)))[:-1]
    unmapped = int((summary.get("unmapped") or {}).get("answers", 0))
    if unmapped:
        s7.append(
            Statement(
                ctx.t("rec_unmapped", n=ctx.n(unmapped)),
                Evidence(answers=unmapped, respondents=0, note=ctx.t("evidence_summary")),
            )
        )
    s7.append(Statement(ctx.t("rec_monitor")))

    sections = (
        _section(ctx, "s1", s1),
        _section(ctx, "s2", s2),
        _section(ctx, "s3", s3),
        _section(ctx, "s4", s4),
        _section(ctx, "s5", s5),
        _section(ctx, "s6", s6, table),
        _section(ctx, "s7", s7),
    )
    all_gaps = sorted(
        (g for code in codes for g in _gaps(domains[code])),
        key=lambda g: (-int(g.get("respondent_count", 0)), str(g.get("need_theme_id"))),
    )
    workplan_rows = [row for code in codes for row in _workplan_rows(ctx, code, domains[code])]
    return PartPlan(
        code=None,
        heading=ctx.t("h_overall"),
        sections=sections,
        logframe=_logframe(ctx, None, all_gaps),
        workplan=_workplan(ctx, workplan_rows),
        chart="dimensions",
    )


def plan_from_summary(
    summary: Mapping[str, Any], *, language: str, now: datetime, texts: MessageCatalog
) -> DraftPlan:
    """The whole draft as data: pure, deterministic for a given summary, language and time."""
    ctx = _Context(summary, language, texts)
    campaign = summary["campaign"]
    counts = summary.get("counts") or {}
    domains = summary.get("domains") or {}
    codes = sorted(
        (c for c, d in domains.items() if int(d.get("answers", 0)) > 0),
        key=lambda c: (
            -int(domains[c].get("respondents", 0)),
            -int(domains[c].get("answers", 0)),
            c,
        ),
    )
    years = ctx.years or [now.year + 1]
    date = format_date(now.date(), format="long", locale="id_ID" if language == "id" else "en_GB")
    data: list[Statement] = [_data_overview(ctx, counts)]
    sources = counts.get("by_source") or {}
    if sources:
        listing = ", ".join(
            f"{_source_name(ctx, src)} ({ctx.n(n)})"
            for src, n in sorted(sources.items(), key=lambda x: (-x[1], x[0]))
        )
        data.append(
            Statement(
                ctx.t("data_sources", sources=listing),
                Evidence(
                    answers=0,
                    respondents=sum(int(v) for v in sources.values()),
                    note=ctx.t("evidence_summary"),
                ),
            )
        )
    unmapped = int((summary.get("unmapped") or {}).get("answers", 0))
    if unmapped:
        data.append(
            Statement(
                ctx.t("data_unmapped", n=ctx.n(unmapped)),
                Evidence(answers=unmapped, respondents=0, note=ctx.t("evidence_summary")),
            )
        )
    charts = [("domains", ctx.t("chart_domains")), ("dimensions", ctx.t("chart_dimensions"))]
    charts += [(f"themes:{c}", ctx.t("chart_themes", domain=ctx.domain_name(c))) for c in codes]
    return DraftPlan(
        language=language,
        title=ctx.t("title"),
        subtitle=ctx.t(
            "subtitle",
            campaign=campaign.get("name") or campaign.get("code"),
            first=years[0],
            last=years[-1],
        ),
        generated=ctx.t(
            "generated",
            date=date,
            respondents=ctx.n(counts.get("respondents", 0)),
            answers=ctx.n(counts.get("answers", 0)),
        ),
        notice=ctx.t("draft_notice"),
        data_heading=ctx.t("h_data"),
        data_statements=tuple(data),
        overall=_overall_plan(ctx, codes),
        domains=tuple(_domain_plan(ctx, c, domains[c]) for c in codes),
        appendix_heading=ctx.t("h_appendix"),
        appendix=(ctx.t("appendix_text"), ctx.t("appendix_kinds")),
        charts=tuple(charts),
    )


# Charts ------------------------------------------------------------------------------------


def _bar_chart(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float], str]],
    title: str,
    xlabel: str,
) -> bytes:
    """A horizontal bar chart as PNG bytes. Uses the Agg canvas directly (no pyplot state),
    so it is safe in worker threads."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    height = max(2.2, 0.42 * len(labels) * max(1, len(series)) ** 0.5 + 1.2)
    figure = Figure(figsize=(6.4, height), dpi=150)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot(1, 1, 1)
    positions = list(range(len(labels)))
    width = 0.8 / max(1, len(series))
    for index, (name, values, color) in enumerate(series):
        offsets = [p + (index - (len(series) - 1) / 2) * width for p in positions]
        bars = axes.barh(offsets, values, height=width, color=color, label=name)
        axes.bar_label(bars, padding=2, fontsize=7)
    axes.set_yticks(positions, [_shorten(label, 42) for label in labels], fontsize=8)
    axes.invert_yaxis()
    axes.set_title(title, fontsize=10)
    axes.set_xlabel(xlabel, fontsize=8)
    axes.tick_params(axis="x", labelsize=7)
    axes.spines[["top", "right"]].set_visible(False)
    if len(series) > 1:
        axes.legend(fontsize=7, frameon=False, loc="lower right")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def render_charts(
    plan: DraftPlan, summary: Mapping[str, Any], texts: MessageCatalog
) -> dict[str, bytes]:
    """PNG bytes of every chart the plan names: answers per domain, problem dimensions, and
    the top need and obstacle themes of each domain."""
    ctx = _Context(summary, plan.language, texts)
    domains = summary.get("domains") or {}
    answers_label = ctx.t("chart_answers")
    images: dict[str, bytes] = {}
    codes = [part.code for part in plan.domains if part.code]
    for key, caption in plan.charts:
        if key == "domains":
            images[key] = _bar_chart(
                [ctx.domain_name(c) for c in codes],
                [(answers_label, [int(domains[c].get("answers", 0)) for c in codes], "#2f6f9f")],
                caption,
                answers_label,
            )
        elif key == "dimensions":
            dims = sorted(
                ((c, int(i.get("count", 0))) for c, i in (summary.get("dimensions") or {}).items()),
                key=lambda x: (-x[1], x[0]),
            )
            images[key] = _bar_chart(
                [ctx.dimension(c) for c, _ in dims],
                [(answers_label, [n for _, n in dims], "#b5543c")],
                caption,
                answers_label,
            )
        elif key.startswith("themes:"):
            code = key.split(":", 1)[1]
            needs = _themes(domains[code], "citizen_need")[:TOP_NEEDS]
            obstacles = _themes(domains[code], "citizen_obstacle")[:TOP_OBSTACLES]
            labels = [t["label"] for t in needs] + [t["label"] for t in obstacles]
            need_values = [t["answer_count"] for t in needs] + [0] * len(obstacles)
            obstacle_values = [0] * len(needs) + [t["answer_count"] for t in obstacles]
            if not labels:
                labels, need_values, obstacle_values = ["–"], [0], [0]
            images[key] = _stacked_themes(labels, need_values, obstacle_values, caption, ctx)
    return images


def _stacked_themes(
    labels: Sequence[str],
    needs: Sequence[float],
    obstacles: Sequence[float],
    caption: str,
    ctx: _Context,
) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6.4, max(2.2, 0.34 * len(labels) + 1.2)), dpi=150)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot(1, 1, 1)
    positions = list(range(len(labels)))
    bars_n = axes.barh(positions, needs, color="#2f6f9f", label=ctx.t("chart_needs"))
    bars_o = axes.barh(
        positions, obstacles, left=needs, color="#b5543c", label=ctx.t("chart_obstacles")
    )
    for bars in (bars_n, bars_o):
        axes.bar_label(
            bars,
            labels=[str(int(b.get_width())) if b.get_width() else "" for b in bars],
            padding=2,
            fontsize=7,
        )
    axes.set_yticks(positions, [_shorten(label, 42) for label in labels], fontsize=8)
    axes.invert_yaxis()
    axes.set_title(caption, fontsize=10)
    axes.set_xlabel(ctx.t("chart_answers"), fontsize=8)
    axes.tick_params(axis="x", labelsize=7)
    axes.spines[["top", "right"]].set_visible(False)
    axes.legend(fontsize=7, frameon=False, loc="lower right")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


# The Word document -------------------------------------------------------------------------


def _add_toc(document: DocxDocument, placeholder: str) -> None:
    """A TOC field over heading levels 1-3; Word fills it on open (updateFields is set)."""
    paragraph = document.add_paragraph()
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    instruction = OxmlElement("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = 'TOC \\o "1-3" \\h \\z \\u'
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    run._r.append(begin)
    run._r.append(instruction)
    run._r.append(separate)
    shown = paragraph.add_run(placeholder)
    shown.italic = True
    end_run = paragraph.add_run()
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    end_run._r.append(end)
    settings = document.settings.element
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    settings.append(update)


def _ensure_evidence_style(document: DocxDocument) -> None:
    styles = document.styles
    if EVIDENCE_STYLE in [s.name for s in styles]:
        return
    style = styles.add_style(EVIDENCE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = styles["Normal"]
    style.font.size = Pt(8.5)
    style.font.italic = True
    style.font.color.rgb = RGBColor(0x55, 0x5F, 0x6B)
    style.paragraph_format.left_indent = Cm(0.63)
    style.paragraph_format.space_after = Pt(6)


def _evidence_text(evidence: Evidence, texts: MessageCatalog, language: str) -> str:
    refs = []
    if evidence.theme_ids:
        refs.append(texts.text("evidence_refs_themes", language, ids=", ".join(evidence.theme_ids)))
    if evidence.row_ids:
        refs.append(texts.text("evidence_refs_rows", language, ids=", ".join(evidence.row_ids)))
    if evidence.note:
        refs.append(evidence.note)
    joined = "; ".join(refs)
    if not evidence.answers and evidence.respondents:
        text = texts.text(
            "evidence_respondents",
            language,
            respondents=_number(evidence.respondents, language),
            refs=joined,
        )
    elif evidence.respondents or evidence.theme_ids or evidence.row_ids:
        text = texts.text(
            "evidence",
            language,
            answers=_number(evidence.answers, language),
            respondents=_number(evidence.respondents, language),
            refs=joined,
        )
    else:
        text = texts.text("evidence_counts", language, refs=joined)
    quotes = " ".join(f"«{q}»" for q in evidence.quotes)
    return f"{text} {quotes}".strip()


def _add_table(document: DocxDocument, table: Table) -> None:
    docx_table = document.add_table(rows=1, cols=len(table.header))
    docx_table.style = document.styles["Table Grid"]
    header = docx_table.rows[0]
    # Repeat the header row on every page.
    tr_pr = header._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    tr_pr.append(repeat)
    for cell, text in zip(header.cells, table.header, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(text)
        run.bold = True
        run.font.size = Pt(9)
        shading = OxmlElement("w:shd")
        shading.set(qn("w:val"), "clear")
        shading.set(qn("w:fill"), "DCE6F0")
        cell._tc.get_or_add_tcPr().append(shading)
    for values in table.rows:
        cells = docx_table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            cell.text = ""
            run = cell.paragraphs[0].add_run(str(text))
            run.font.size = Pt(9)
    document.add_paragraph()


def _add_statements(
    document: DocxDocument, statements: Sequence[Statement], texts: MessageCatalog, language: str
) -> None:
    for statement in statements:
        if statement.evidence is None:
            document.add_paragraph(statement.text)
            continue
        document.add_paragraph(statement.text, style="List Bullet")
        document.add_paragraph(
            _evidence_text(statement.evidence, texts, language), style=EVIDENCE_STYLE
        )


class _Figures:
    def __init__(
        self,
        document: DocxDocument,
        images: Mapping[str, bytes],
        captions: Mapping[str, str],
        texts: MessageCatalog,
        language: str,
    ) -> None:
        self.document, self.images, self.captions = document, images, captions
        self.texts, self.language, self.count = texts, language, 0

    def add(self, key: str | None) -> None:
        if not key or key not in self.images:
            return
        self.count += 1
        self.document.add_picture(io.BytesIO(self.images[key]), width=Cm(15))
        self.document.add_paragraph(
            self.texts.text("figure", self.language, n=self.count, caption=self.captions[key]),
            style="Caption",
        )


def _add_part(
    document: DocxDocument, part: PartPlan, figures: _Figures, texts: MessageCatalog, language: str
) -> None:
    document.add_heading(part.heading, level=1)
    figures.add(part.chart)
    for section in part.sections:
        document.add_heading(section.title, level=2)
        _add_statements(document, section.statements, texts, language)
        if section.table is not None:
            _add_table(document, section.table)
    document.add_heading(texts.text("h_logframe", language), level=2)
    _add_table(document, part.logframe)
    document.add_heading(texts.text("h_workplan", language), level=2)
    _add_table(document, part.workplan)


def render_document(
    plan: DraftPlan, images: Mapping[str, bytes], texts: MessageCatalog
) -> DocxDocument:
    """The plan as a Word document: Title, a TOC field, Heading 1 per part, Heading 2 per
    section, tables in "Table Grid", evidence paragraphs under every statement."""
    language = plan.language
    document = Document()
    core = document.core_properties
    core.title = plan.title
    core.subject = plan.subtitle
    core.language = "id-ID" if language == "id" else "en-GB"
    core.author = "Rembuk"
    section = document.sections[0]
    section.left_margin = section.right_margin = Cm(2.2)
    _ensure_evidence_style(document)

    document.add_paragraph(plan.title, style="Title")
    document.add_paragraph(plan.subtitle, style="Subtitle")
    document.add_paragraph(plan.generated)
    document.add_paragraph(plan.notice, style="Intense Quote")
    document.add_heading(texts.text("toc_title", language), level=1)
    _add_toc(document, texts.text("toc_placeholder", language))
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    figures = _Figures(document, images, dict(plan.charts), texts, language)
    document.add_heading(plan.data_heading, level=1)
    _add_statements(document, plan.data_statements, texts, language)
    figures.add("domains")
    _add_part(document, plan.overall, figures, texts, language)
    for part in plan.domains:
        document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        _add_part(document, part, figures, texts, language)
    document.add_heading(plan.appendix_heading, level=1)
    for text in plan.appendix:
        document.add_paragraph(text)
    return document


def draft_filename(campaign_code: str, language: str) -> str:
    return f"draf-master-plan-{campaign_code}-{language}.docx"


def write_draft(
    summary: Mapping[str, Any],
    *,
    out_dir: Path,
    language: str,
    now: datetime,
    texts: MessageCatalog | None = None,
) -> Path:
    """Render and save the draft; returns the .docx path. Blocking: call via to_thread."""
    texts = texts or load_draft_texts()
    plan = plan_from_summary(summary, language=language, now=now, texts=texts)
    images = render_charts(plan, summary, texts)
    document = render_document(plan, images, texts)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / draft_filename(str(summary["campaign"]["code"]), language)
    temporary = path.with_suffix(".docx.tmp")
    document.save(str(temporary))
    temporary.replace(path)
    return path
