"""The plan's charts (matplotlib's Agg canvas, no pyplot state, so safe in worker threads):
answers per domain, problem dimensions, and each domain's top needs and obstacles. Axes
count whole answers; long labels wrap instead of being cut; an empty chart is never drawn."""

from __future__ import annotations

import io
import re
import textwrap
import unicodedata
import warnings
from collections.abc import Sequence

from processor.draft.content import Context, DraftPlan
from processor.draft.ikm import CHART_KEY as IKM_CHART
from processor.draft.ikm import ikm_chart
from shared.clean import display_text

_NO_GLYPH = re.compile("[\U00010000-\U0010ffff\u2600-\u27bf\ufe0f\u200d]")
LABEL_WIDTH = 34  # characters per line of a wrapped bar label
MAX_HEIGHT_INCHES = 5.5
NEEDS_COLOUR, OBSTACLES_COLOUR, DOMAIN_COLOUR, DIMENSION_COLOUR = (
    "#2f6f9f",
    "#b5543c",
    "#2f6f9f",
    "#b5543c",
)


def _wrap(label: str) -> str:
    # Control characters and emoji would be drawn as missing glyphs (DejaVu has none).
    label = unicodedata.normalize("NFKC", display_text(label))  # full-width letters too
    label = _NO_GLYPH.sub("", label).strip() or "…"
    return "\n".join(textwrap.wrap(label, LABEL_WIDTH, break_long_words=False)) or label


def bar_chart(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[int], str]],
    title: str,
    xlabel: str,
    *,
    stacked: bool = False,
) -> bytes | None:
    """Horizontal bars as PNG bytes, or None when there is nothing to show."""
    if not labels or not any(v for _, values, _ in series for v in values):
        return None
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.layout_engine import TightLayoutEngine
    from matplotlib.ticker import MaxNLocator

    wrapped = [_wrap(label) for label in labels]
    lines = sum(label.count("\n") + 1 for label in wrapped)
    # Tall enough for every wrapped line, never taller than half an A4 page.
    height = min(MAX_HEIGHT_INCHES, max(2.2, 0.2 * lines + 0.12 * len(labels) + 1.0))
    figure = Figure(figsize=(6.4, height), dpi=150)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot(1, 1, 1)
    positions = list(range(len(labels)))
    left = [0] * len(labels)
    width = 0.8 if stacked else 0.8 / max(1, len(series))
    for index, (name, values, colour) in enumerate(series):
        offsets = (
            positions
            if stacked
            else [p + (index - (len(series) - 1) / 2) * width for p in positions]
        )
        bars = axes.barh(
            offsets, values, height=width, left=left if stacked else None, color=colour, label=name
        )
        axes.bar_label(bars, labels=[str(v) if v else "" for v in values], padding=2, fontsize=7)
        if stacked:
            left = [a + b for a, b in zip(left, values, strict=True)]
    axes.set_yticks(positions, wrapped, fontsize=7.5)
    axes.invert_yaxis()
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))  # answers are whole
    axes.set_xlim(left=0)
    axes.set_title(title, fontsize=10)
    axes.set_xlabel(xlabel, fontsize=8)
    axes.tick_params(axis="x", labelsize=7)
    axes.spines[["top", "right"]].set_visible(False)
    if len(series) > 1:
        axes.legend(fontsize=7, frameon=False, loc="lower right")
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        # A script DejaVu lacks (CJK, say) is drawn as boxes; one warning per glyph and
        # chart would bury the operator's one line of output.
        warnings.filterwarnings(
            "ignore", message="Glyph .* missing from font", category=UserWarning
        )
        # What figure.tight_layout() does, without leaving a placeholder layout engine on
        # the figure: with one, savefig lays the whole figure out once more before drawing.
        TightLayoutEngine().execute(figure)
        figure.savefig(buffer, format="png")
    return buffer.getvalue()


def render_charts(plan: DraftPlan, ctx: Context) -> dict[str, bytes]:
    """PNG bytes of every chart the plan names that has something to show."""
    summary = ctx.summary
    answers = ctx.t("chart_answers")
    images: dict[str, bytes | None] = {}
    for key, caption in plan.charts:
        if key == "domains":
            codes = summary.domains_with_answers()
            images[key] = bar_chart(
                [ctx.domain(c) for c in codes],
                [(answers, [summary.domains[c].answers for c in codes], DOMAIN_COLOUR)],
                caption,
                answers,
            )
        elif key == "dimensions":
            dims = sorted(
                ((c, d.count) for c, d in summary.dimensions.items() if d.count),
                key=lambda x: (-x[1], x[0]),
            )
            images[key] = bar_chart(
                [ctx.additions(c) for c, _ in dims],
                [(answers, [n for _, n in dims], DIMENSION_COLOUR)],
                caption,
                answers,
            )
        elif key.startswith("themes:"):
            domain = summary.domains[key.split(":", 1)[1]]
            needs, obstacles = domain.top("citizen_need", 5), domain.top("citizen_obstacle", 5)
            labels = [t.shown_label for t in needs] + [t.shown_label for t in obstacles]
            need_values = [t.answer_count for t in needs] + [0] * len(obstacles)
            obstacle_values = [0] * len(needs) + [t.answer_count for t in obstacles]
            images[key] = bar_chart(
                labels,
                [
                    (ctx.t("chart_needs"), need_values, NEEDS_COLOUR),
                    (ctx.t("chart_obstacles"), obstacle_values, OBSTACLES_COLOUR),
                ],
                caption,
                answers,
                stacked=True,
            )
        elif key == IKM_CHART:
            images[key] = ikm_chart(ctx, caption)
    return {key: image for key, image in images.items() if image is not None}
