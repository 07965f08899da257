"""The plan's tables: yearly targets, the logical framework, the work plan by year, and the
indicative budget summed per agency (OPD) and year."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from processor.draft.content import Context, Table
from processor.draft.ikm import goal_indicator, goal_targets
from processor.draft.model import Action, DomainModel, Indicator, Priority, Value
from processor.draft.narrative import action_text, baseline_text, source_text


def _targets(ctx: Context, indicator: Indicator) -> tuple[str, ...]:
    cells = []
    for year in ctx.years:
        value = indicator.targets.get(year)
        cells.append(ctx.value(value, whole=indicator.whole))
    if indicator.from_citizens and cells and indicator.targets:
        cells[-1] += f" {ctx.t('check_proposal')}"  # a proposal from the baseline
    return tuple(cells)


def _unit(ctx: Context, indicator: Indicator) -> str:
    return ctx.names(indicator.unit, "–") if indicator.unit else "–"


def _opd(ctx: Context, names: Mapping[str, str] | None, code: str | None, fallback: str) -> str:
    return ctx.names(names or {}, code or fallback) if (names or code) else fallback


def _indicator_name(ctx: Context, indicator: Indicator) -> str:
    if indicator.from_citizens:
        return ctx.t("lf_citizen_indicator", need=indicator.name)
    if _over_100(indicator):
        return f"{indicator.name} {ctx.t('target_check')}"
    return indicator.name


def _over_100(indicator: Indicator) -> bool:
    """A percentage indicator with a target over 100: the team should check it."""
    percent = (
        "%" in indicator.name
        or "persen" in indicator.name.lower()
        or indicator.unit.get("id") == "%"
    )
    values = [v for t in indicator.targets.values() for v in (t if isinstance(t, tuple) else (t,))]
    return percent and any(v > 100 for v in values)


def results_table(ctx: Context, model: DomainModel) -> Table | None:
    """Section 6: each agency indicator once, with unit, baseline and yearly targets."""
    rows, seen = [], set()
    for indicator in _agency_indicators(model):
        if indicator.row_ids in seen:
            continue
        seen.add(indicator.row_ids)
        rows.append(
            (
                _indicator_name(ctx, indicator),
                _unit(ctx, indicator),
                baseline_text(ctx, indicator),
                *_targets(ctx, indicator),
            )
        )
    if not rows:
        return None
    header = (
        ctx.t("col_indicator"),
        ctx.t("col_unit"),
        ctx.t("col_baseline"),
        *map(str, ctx.years),
    )
    return Table(header=header, rows=tuple(rows))


def results_overview(ctx: Context, models: Sequence[DomainModel]) -> Table | None:
    """The whole plan's results: every priority need with the indicator that shows it,
    its baseline and the last plan year's target."""
    rows = []
    last = ctx.years[-1] if ctx.years else None
    for model in models:
        for priority in model.priorities:
            indicator = priority.indicator
            final = indicator.targets.get(last) if last is not None else None
            target = ctx.value(final, whole=indicator.whole)
            if indicator.from_citizens and final is not None:
                target += f" {ctx.t('check_proposal')}"
            rows.append(
                (
                    ctx.domain(model.code),
                    priority.need.shown_label,
                    _indicator_name(ctx, indicator),
                    _unit(ctx, indicator),
                    baseline_text(ctx, indicator),
                    target,
                )
            )
    if not rows:
        return None
    header = (
        ctx.t("col_domain"),
        ctx.t("wp_need"),
        ctx.t("col_indicator"),
        ctx.t("col_unit"),
        ctx.t("col_baseline"),
        ctx.t("col_target_last", year=last or ""),
    )
    return Table(header=header, rows=tuple(rows))


def _agency_indicators(model: DomainModel) -> Iterable[Indicator]:
    for priority in model.priorities:
        if not priority.indicator.from_citizens:
            yield priority.indicator


def _verification(ctx: Context, indicator: Indicator) -> str:
    """Where the indicator's figure comes from."""
    if indicator.from_citizens:
        return ctx.t("lf_verify_citizens")
    opd = ctx.names(indicator.opd_names, "") if indicator.opd_names else ctx.t("lf_the_agency")
    return ctx.t("lf_verify_indicator", opd=opd)


def _goal_indicator(ctx: Context, name: str, code: str) -> tuple[str, ...]:
    """(indicator, unit, baseline, *yearly targets) of the goal: the IKM of the domain's
    service units, today's value the baseline when they ran the SKM (issue 14), and a
    proposed target path to check."""
    units = [row for row in ctx.summary.latest_ikm() if row.domain == code]
    indicator, baseline = goal_indicator(ctx, name, units)
    return indicator, ctx.t("lf_unit_index"), baseline, *goal_targets(ctx, units)


def logframe(ctx: Context, model: DomainModel, responsible: str) -> Table:
    """A domain's logical framework: goal, purpose, one output per priority need with its
    indicator, unit, baseline and yearly targets, and its activities."""
    name = ctx.domain(model.code)
    years = len(ctx.years)
    blank = ("–",) * years
    addressed = sum(1 for p in model.priorities if p.rows)
    total = len(model.priorities)
    rows: list[tuple[str, ...]] = [
        (
            ctx.t("lf_goal"),
            ctx.t("lf_goal_text", domain=name),
            *_goal_indicator(ctx, name, model.code),
            responsible,
            ctx.t("lf_goal_verification"),
            ctx.t("lf_goal_assumption"),
        ),
        (
            ctx.t("lf_purpose"),
            ctx.t("lf_purpose_text", domain=name),
            ctx.t("lf_purpose_indicator"),
            ctx.t("lf_unit_needs"),
            f"{addressed}/{total} ({ctx.summary.generated_at.year})",
            *(blank[:-1] + (f"{total}/{total}",) if years else ()),
            responsible,
            ctx.t("lf_purpose_verification"),
            ctx.t("lf_purpose_assumption"),
        ),
    ]
    listed: set[tuple] = set()
    for priority in model.priorities:
        rows.append(_output_row(ctx, priority, responsible))
        for action in priority.actions:
            if action.key not in listed:  # an activity answering two needs is listed once
                listed.add(action.key)
                rows.append(_activity_row(ctx, action, responsible))
    for action in model.other_actions:
        if action.key not in listed:
            listed.add(action.key)
            rows.append(_activity_row(ctx, action, responsible))
    header = (
        ctx.t("lf_level"),
        ctx.t("lf_narrative"),
        ctx.t("lf_indicator"),
        ctx.t("col_unit"),
        ctx.t("col_baseline"),
        *map(str, ctx.years),
        ctx.t("col_opd"),
        ctx.t("lf_verification"),
        ctx.t("lf_assumption"),
    )
    return Table(header=header, rows=tuple(rows), landscape=True, title=ctx.t("h_logframe"))


def _output_row(ctx: Context, priority: Priority, responsible: str) -> tuple[str, ...]:
    indicator = priority.indicator
    obstacle = next((r.obstacle for r in priority.rows if r.obstacle), None) or (
        priority.obstacle.shown_label if priority.obstacle else None
    )
    return (
        ctx.t("lf_output"),
        ctx.t("lf_output_text", need=priority.need.shown_label),
        _indicator_name(ctx, indicator),
        _unit(ctx, indicator),
        baseline_text(ctx, indicator),
        *_targets(ctx, indicator),
        _opd(ctx, indicator.opd_names, indicator.opd, responsible),
        _verification(ctx, indicator),
        ctx.t("lf_output_assumption", obstacle=obstacle)
        if obstacle
        else ctx.t("lf_output_assumption_none"),
    )


def _activity_row(ctx: Context, action: Action, responsible: str) -> tuple[str, ...]:
    # The year columns hold targets; an activity only says when it runs (budget: work plan).
    schedule = tuple("✓" if y in action.years else "" for y in ctx.years)
    return (
        ctx.t("lf_activity"),
        action_text(ctx, action),
        ctx.t("lf_activity_indicator"),
        "–",
        "–",
        *schedule,
        _opd(ctx, dict(action.opd_names), action.opd, responsible),
        ctx.t("lf_activity_verification"),
        ctx.t("lf_activity_assumption"),
    )


def workplan(ctx: Context, model: DomainModel, responsible: str) -> Table:
    """The work plan by year: each action, its sources, who is responsible, and in each
    year it runs its indicative budget (Rp million) or ✓ when none was given."""
    needs: dict[tuple, list[str]] = {}
    actions: dict[tuple, Action] = {}
    for priority in model.priorities:
        for action in priority.actions:
            actions.setdefault(action.key, action)
            needs.setdefault(action.key, []).append(priority.need.shown_label)
    for action in model.other_actions:
        actions.setdefault(action.key, action)
        needs.setdefault(action.key, [])
    rows = [
        _workplan_row(ctx, action, "; ".join(needs[key]) or "–", responsible)
        for key, action in actions.items()
    ]
    header = (
        ctx.t("wp_activity"),
        ctx.t("wp_need"),
        ctx.t("wp_sources"),
        ctx.t("col_opd"),
        *(f"{y}" for y in ctx.years),
    )
    return Table(header=header, rows=tuple(rows), landscape=True, title=ctx.t("h_workplan"))


def _workplan_row(ctx: Context, action: Action, need: str, responsible: str) -> tuple[str, ...]:
    phase = ctx.t("phase_quick_short") if action.quick_win else ""
    schedule = tuple(
        (ctx.money(action.budget[y]) if y in action.budget else "✓") if y in action.years else ""
        for y in ctx.years
    )
    return (
        f"{phase}{action_text(ctx, action)}",
        need,
        "; ".join(source_text(ctx, s) for s in action.sources),
        _opd(ctx, dict(action.opd_names), action.opd, responsible),
        *schedule,
    )


def budget_table(ctx: Context, models: Sequence[DomainModel]) -> Table | None:
    """The indicative budget (Rp million) summed per agency and year, with totals."""
    sums: dict[str, dict[int, float]] = {}
    ranges = False
    for model in models:
        every = [a for p in model.priorities for a in p.actions] + list(model.other_actions)
        distinct = {a.key: a for a in every}  # a row answering two needs is budgeted once
        for action in distinct.values():
            if not action.budget:
                continue
            opd = ctx.names(dict(action.opd_names), action.opd or ctx.t("lf_the_agency"))
            for year, value in action.budget.items():
                ranges |= isinstance(value, tuple)
                sums.setdefault(opd, {}).setdefault(year, 0.0)
                sums[opd][year] += _low(value)
    if not sums:
        return None
    rows = []
    for opd in sorted(sums):
        cells = [ctx.money(sums[opd].get(y)) if y in sums[opd] else "–" for y in ctx.years]
        rows.append((opd, *cells, ctx.money(sum(sums[opd].values()))))
    totals = [sum(s.get(y, 0.0) for s in sums.values()) for y in ctx.years]
    rows.append((ctx.t("col_total"), *(ctx.money(v) for v in totals), ctx.money(sum(totals))))
    title = ctx.t("h_budget") + (f" {ctx.t('budget_ranges')}" if ranges else "")
    header = (ctx.t("col_opd"), *map(str, ctx.years), ctx.t("col_total"))
    return Table(header=header, rows=tuple(rows), landscape=True, title=title)


def _low(value: Value) -> float:
    """Officers who disagree on a budget: the lowest figure, so no sum claims more."""
    return min(value) if isinstance(value, tuple) else value
