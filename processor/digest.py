"""The planners' digest message: pure functions from the analysis summary (and the previous
digest's summary) to Telegram HTML message parts, each under Telegram's 4,096 characters.

Every value that comes from respondents (theme labels, quotes) or from configuration (campaign
and domain names) is HTML-escaped; only the message templates (messages.yaml) carry markup.
Parts are split at clean boundaries: between blocks (header, one domain, what's new,
unaddressed needs), else between lines, so no tag is ever cut in two.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.numbers import format_decimal

from processor.summary import Domain, Gap, Summary, Theme, parse_summary
from shared.clean import clean_text
from shared.survey_data import MessageCatalog

TELEGRAM_LIMIT = 4096
TOP_ITEMS = 3
MAX_DOMAINS = 12
MAX_NEW = 6
MAX_UNADDRESSED = 8
LABEL_LIMIT = 120
PART_MARK_RESERVE = 16  # room for the " (2/3)" marker added to split messages


def _locale(language: str) -> str:
    return "id_ID" if language == "id" else "en_GB"


def _n(value: int | float, language: str) -> str:
    return format_decimal(value, locale=_locale(language))


# Indonesia's zones by the names planners use, in either language; babel knows them only
# in Indonesian, and other zones are given as an offset ("GMT+09:00").
_ZONE_NAMES = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}


def _when(moment: datetime, timezone: str, language: str) -> str:
    zone, locale = ZoneInfo(timezone), _locale(language)
    name = _ZONE_NAMES.get(timezone) or format_datetime(moment, "ZZZZ", tzinfo=zone, locale=locale)
    return f"{format_datetime(moment, 'd MMM y HH:mm', tzinfo=zone, locale=locale)} {name}"


def escape_text(text: object, limit: int = LABEL_LIMIT) -> str:
    """Shorten a user text (before escaping, so no entity is ever cut) and escape it."""
    value = " ".join(clean_text(str(text)).split())
    if len(value) > limit:
        value = value[: limit - 1].rstrip() + "…"
    return html.escape(value, quote=False)


def _answer_ids(domain: Domain | None, kinds: Iterable[str]) -> set[str]:
    if domain is None:
        return set()
    return {
        str(i) for kind in kinds for theme in domain.themes.get(kind, ()) for i in theme.answer_ids
    }


def new_themes(summary: Summary, previous: Summary | None) -> list[tuple[str, Theme, int]]:
    """Need and obstacle themes with answers the previous digest did not have, as
    (domain code, theme, new answer count), most new answers first. Themes are matched by
    their answers rather than their ids, because theme numbering can change between runs."""
    kinds = ("citizen_need", "citizen_obstacle")
    result = []
    for code, domain in summary.domains.items():
        before = _answer_ids(previous.domains.get(code) if previous else None, kinds)
        for kind in kinds:
            for theme in domain.top(kind):
                fresh = {str(i) for i in theme.answer_ids} - before
                if fresh:
                    result.append((code, theme, len(fresh)))
    return sorted(result, key=lambda x: (-x[2], x[0], x[1].id))


def _complaint_lines(
    domain: Domain, t: Callable[..., str], counted: Callable[[str, int], str]
) -> list[str]:
    """Complaint-channel reports of the domain (issue 11 item 6): how many, and their
    largest themes, as "N pengaduan" beside the FGD answers."""
    total = sum(theme.answer_count for theme in domain.themes.get("citizen_complaint", ()))
    if not total:
        return []
    lines = [t("digest_complaints", count=counted("count_complaints", total))]
    lines += [
        t(
            "digest_item",
            label=escape_text(theme.shown_label),
            count=counted("count_complaints", theme.answer_count),
        )
        for theme in domain.top("citizen_complaint", TOP_ITEMS)
    ]
    return lines


def _need_label(summary: Summary, code: str, gap: Gap) -> str:
    theme = summary.domains[code].theme(gap.need_theme_id)
    return theme.shown_label if theme is not None else gap.need_label


MAX_ALERT_PLACES = 8


def _domain_blocks(
    summary: Summary,
    codes: Sequence[str],
    t: Callable[..., str],
    counted: Callable[[str, int], str],
    name: Callable[[str], str],
) -> list[str]:
    """One block per domain with answers (the first MAX_DOMAINS): its counts, its largest
    needs and obstacles and complaint themes."""
    domain_blocks: list[str] = []
    if not codes:
        domain_blocks.append(t("digest_no_answers"))
    for code in codes[:MAX_DOMAINS]:
        domain = summary.domains[code]
        lines = [
            t(
                "digest_domain",
                domain=name(code),
                respondents=counted("count_respondents", domain.respondents),
                answers=counted("count_answers", domain.answers),
            )
        ]
        listed = len(lines)
        for kind, title in (
            ("citizen_need", "digest_needs"),
            ("citizen_obstacle", "digest_obstacles"),
        ):
            themes = domain.top(kind, TOP_ITEMS)
            if themes:
                lines.append(t(title))
                lines += [
                    t(
                        "digest_item",
                        label=escape_text(theme.shown_label),
                        count=counted("count_answers", theme.answer_count),
                    )
                    for theme in themes
                ]
        lines += _complaint_lines(domain, t, counted)
        if len(lines) == listed:  # answers, but none shared by two people yet
            lines.append(t("digest_domain_few"))
        domain_blocks.append("\n".join(lines))
    if len(codes) > MAX_DOMAINS:
        domain_blocks.append(t("digest_more_domains", n=len(codes) - MAX_DOMAINS))
    return domain_blocks


def coverage_block(summary: Summary, *, language: str, messages: MessageCatalog) -> str | None:
    """The coverage alerts (processor.coverage): kecamatan with nobody or very few
    respondents, groups far below their population share; None without any."""
    coverage = summary.coverage
    if coverage is None or not coverage.alerts or not coverage.respondents:
        return None

    def t(key: str, **values: object) -> str:
        return messages.text(key, language, **values)

    def places(kind: str) -> str:
        names = [escape_text(a.name.get(language)) for a in coverage.alerts if a.kind == kind]
        shown = ", ".join(names[:MAX_ALERT_PLACES])
        more = len(names) - MAX_ALERT_PLACES
        return shown + (t("digest_coverage_more", n=more) if more > 0 else "")

    lines = [t("digest_coverage_title")]
    if any(a.kind == "no_respondents" for a in coverage.alerts):
        lines.append(t("digest_coverage_none", places=places("no_respondents")))
    if any(a.kind == "few_respondents" for a in coverage.alerts):
        lines.append(t("digest_coverage_few", places=places("few_respondents")))
    for alert in coverage.alerts:
        if alert.kind == "below_population_share":
            lines.append(
                t(
                    "digest_coverage_below",
                    group=escape_text(alert.name.get(language)),
                    share=_n(round(100 * (alert.share or 0)), language),
                    population=_n(round(100 * (alert.population_share or 0)), language),
                )
            )
    lines.append(t("digest_coverage_next"))
    return "\n".join(lines)


def digest_blocks(
    summary: Mapping[str, Any] | Summary,
    previous: Mapping[str, Any] | Summary | None,
    *,
    language: str,
    messages: MessageCatalog,
    period_start: datetime | None,
    period_end: datetime,
) -> list[str]:
    """The digest as HTML blocks, each a balanced fragment that may stand alone."""
    summary = parse_summary(summary)
    previous = parse_summary(previous) if previous is not None else None

    def t(key: str, **values: object) -> str:
        return messages.text(key, language, **values)

    def counted(key: str, n: int) -> str:
        """ "1 respondent", "5 respondents": a `<key>_one` text is used for exactly one."""
        one = f"{key}_one"
        return t(one if n == 1 and one in messages.messages else key, n=_n(n, language))

    def name(code: str) -> str:
        return escape_text(summary.domain_name(code, language))

    timezone = summary.campaign.timezone
    counts = summary.counts
    new = max(0, counts.answers - (previous.counts.answers if previous else 0))
    end = _when(period_end, timezone, language)
    period = (
        t("digest_period", start=_when(period_start, timezone, language), end=end)
        if period_start is not None
        else t("digest_period_first", end=end)
    )
    header = [
        t("digest_title", campaign=escape_text(summary.campaign.name or summary.campaign.code)),
        period,
        t(
            "digest_counts",
            new=_n(new, language),
            total=counted("count_answers", counts.answers),
            respondents=counted("count_respondents", counts.respondents),
        ),
    ]
    if counts.in_progress_runs:
        header.append(t("digest_in_progress", n=_n(counts.in_progress_runs, language)))
    blocks = ["\n".join(header)]
    alerts = coverage_block(summary, language=language, messages=messages)
    if alerts:  # where to send the QR posters next: first, before the content
        blocks.append(alerts)

    codes = summary.domains_with_answers()
    domain_blocks = _domain_blocks(summary, codes, t, counted, name)

    fresh = new_themes(summary, previous)[:MAX_NEW]
    lines = [t("digest_new_title")]
    lines += [
        t(
            "digest_new_theme",
            domain=name(code),
            label=escape_text(theme.shown_label),
            count=counted("count_new_answers", count),
        )
        for code, theme, count in fresh
    ] or [t("digest_new_none")]
    new_block = "\n".join(lines)

    unaddressed = sorted(
        ((code, gap) for code in codes for gap in summary.domains[code].gaps if not gap.addressed),
        key=lambda x: (-x[1].respondent_count, x[0], x[1].need_theme_id),
    )
    lines = [t("digest_unaddressed_title")]
    lines += [
        t(
            "digest_unaddressed_item",
            domain=name(code),
            label=escape_text(_need_label(summary, code, gap)),
            count=counted("count_respondents", gap.respondent_count),
        )
        for code, gap in unaddressed[:MAX_UNADDRESSED]
    ] or [t("digest_unaddressed_none")]
    if len(unaddressed) > MAX_UNADDRESSED:
        lines.append(
            t("digest_unaddressed_more", n=_n(len(unaddressed) - MAX_UNADDRESSED, language))
        )
    # What needs a decision first (needs no agency covers), then what is new, then detail.
    blocks += ["\n".join(lines), new_block, *ikm_blocks(summary, language, t, counted)]
    blocks += [*domain_blocks, *_stale_curations(summary, t), t("digest_files")]
    return blocks


def ikm_blocks(
    summary: Summary,
    language: str,
    t: Callable[..., str],
    counted: Callable[[str, int], str],
) -> list[str]:
    """The IKM of each service unit in its latest period (issue 14); none without SKM
    answers. `t` fills a messages.yaml template (values escaped here), `counted` a count."""
    rows = summary.latest_ikm()
    if not rows:
        return []
    lines = [t("digest_ikm_title")]
    for row in rows:
        label = row.grade_label.get(language) if row.grade_label is not None else ""
        lines.append(
            t(
                "digest_ikm_item",
                unit=escape_text(row.name),
                period=escape_text(row.period),
                ikm=format_decimal(row.ikm, "#,##0.00", locale=_locale(language)),
                grade=escape_text(row.grade),
                label=escape_text(label),
                respondents=counted("count_respondents", row.respondents),
            )
        )
        if row.below_minimum_sample and row.minimum_sample is not None:
            lines.append(t("digest_ikm_below_sample", minimum=_n(row.minimum_sample, language)))
    return ["\n".join(lines)]


def _stale_curations(summary: Summary, t: Callable[..., str]) -> list[str]:
    """A block naming the planners' curations that no longer apply (their theme dissolved),
    so nobody believes an edit is in the draft when it is not; none when all apply."""
    stale = [c for c in summary.curations if c.stale]
    if not stale:
        return []
    lines = [t("digest_curations_stale", n=len(stale))]
    lines += [
        t("digest_curation_item", id=c.id, subject=escape_text(c.subject), note=escape_text(c.note))
        for c in stale[:MAX_NEW]
    ]
    return ["\n".join(lines)]


def _split_long(block: str, limit: int) -> list[str]:
    """Split one oversized block between lines; a single oversized line is cut as plain
    text (tags removed) at whitespace, never inside a tag or an entity."""
    pieces: list[str] = []
    for line in block.split("\n"):
        if len(line) <= limit:
            pieces.append(line)
            continue
        import re

        plain = html.unescape(re.sub(r"<[^>]+>", "", line))
        words, current = plain.split(" "), ""
        for word in words:
            candidate = f"{current} {word}".strip()
            if len(html.escape(candidate, quote=False)) <= limit:
                current = candidate
                continue
            if current:
                pieces.append(html.escape(current, quote=False))
            while len(html.escape(word, quote=False)) > limit:
                cut = limit
                while len(html.escape(word[:cut], quote=False)) > limit:
                    cut -= 1
                pieces.append(html.escape(word[:cut], quote=False))
                word = word[cut:]
            current = word
        if current:
            pieces.append(html.escape(current, quote=False))
    return pieces


def pack_blocks(
    blocks: Sequence[str], limit: int = TELEGRAM_LIMIT, separator: str = "\n\n"
) -> list[str]:
    """Greedily pack blocks into parts of at most `limit` characters, keeping blocks whole
    when they fit and splitting an oversized one between its lines."""
    units: list[tuple[str, str]] = []  # (text, separator before it)
    for block in blocks:
        if len(block) <= limit:
            units.append((block, separator))
        else:
            lines = _split_long(block, limit)
            units.append((lines[0], separator))
            units += [(line, "\n") for line in lines[1:]]
    parts: list[str] = []
    current = ""
    for text, sep in units:
        if not current:
            current = text
        elif len(current) + len(sep) + len(text) <= limit:
            current += sep + text
        else:
            parts.append(current)
            current = text
    if current:
        parts.append(current)
    return parts


def compose_digest(
    summary: Mapping[str, Any] | Summary,
    previous: Mapping[str, Any] | Summary | None,
    *,
    language: str,
    messages: MessageCatalog,
    period_start: datetime | None,
    period_end: datetime,
    limit: int = TELEGRAM_LIMIT,
) -> list[str]:
    """The digest message as HTML parts, each at most `limit` characters including the
    "(n/total)" marker that numbers the parts of a split message."""
    blocks = digest_blocks(
        summary,
        previous,
        language=language,
        messages=messages,
        period_start=period_start,
        period_end=period_end,
    )
    parts = pack_blocks(blocks, limit)
    if len(parts) == 1:
        return parts
    parts = pack_blocks(blocks, limit - PART_MARK_RESERVE)
    return [
        f"{part}\n{messages.text('digest_part', language, number=i, total=len(parts))}"
        for i, part in enumerate(parts, start=1)
    ]
