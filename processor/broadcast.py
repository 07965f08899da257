"""Closing the loop (issue 14 item 4): a short "what we heard" message to the respondents
of a campaign, from the latest digest's summary. Pure functions: no database, no clock.

A respondent who answered about a domain gets that domain's part: its top needs and
obstacles in the plan's formal wording (`label_formal`) with how many respondents named
them, and what happens next (the agency that usually serves the domain, when known). Only
themes shared by several people reach a digest's top list, so no single person's words are
repeated to everyone. Every value from respondents or configuration is HTML-escaped; parts
stay under Telegram's 4,096 characters (processor.digest.pack_blocks).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from processor.digest import TELEGRAM_LIMIT, _n, escape_text, pack_blocks
from processor.summary import Summary, parse_summary
from shared.survey_data import MessageCatalog

TOP_ITEMS = 3
LANGUAGES = ("id", "en")


@dataclass(frozen=True)
class Recipient:
    respondent_id: int
    language: str
    domains: tuple[str, ...]  # the domains of the digest they answered about, digest order
    label: str = ""  # how a dry run names them (a pseudonym prefix), never a Telegram id


def recipients(
    answered: Iterable[tuple[int, str, Iterable[str], str]],
    summary: Mapping[str, Any] | Summary,
) -> list[Recipient]:
    """Who gets which part: (respondent id, language, domains answered, label) rows, each
    kept with the domains that the digest reports; people with none are left out."""
    parsed = parse_summary(summary)
    order = parsed.domains_with_answers()
    result = []
    for respondent_id, language, domains, label in answered:
        wanted = set(domains)
        kept = tuple(code for code in order if code in wanted)
        if kept:
            chosen = language if language in LANGUAGES else "id"
            result.append(Recipient(respondent_id, chosen, kept, label))
    return sorted(result, key=lambda r: r.respondent_id)


def plan_counts(planned: Sequence[Recipient]) -> dict[str, Any]:
    """The dry run's and the audit's counts: recipients, per domain and per language."""
    by_domain = Counter(code for r in planned for code in r.domains)
    by_language = Counter(r.language for r in planned)
    return {
        "recipients": len(planned),
        "by_domain": dict(sorted(by_domain.items())),
        "by_language": dict(sorted(by_language.items())),
    }


class _Writer:
    def __init__(self, summary: Summary, language: str, messages: MessageCatalog) -> None:
        self.summary, self.language, self.messages = summary, language, messages

    def t(self, key: str, **values: object) -> str:
        return self.messages.text(key, self.language, **values)

    def counted(self, key: str, n: int) -> str:
        one = f"{key}_one"
        chosen = one if n == 1 and one in self.messages.messages else key
        return self.t(chosen, n=_n(n, self.language))

    def years(self) -> str:
        years = self.summary.years
        return f"{years[0]}–{years[-1]}" if years else ""

    def domain_block(self, code: str) -> str:
        domain = self.summary.domains[code]
        name = escape_text(self.summary.domain_name(code, self.language))
        lines = [
            self.t(
                "broadcast_domain",
                domain=name,
                respondents=self.counted("count_respondents", domain.respondents),
            )
        ]
        for kind, title in (
            ("citizen_need", "broadcast_needs"),
            ("citizen_obstacle", "broadcast_obstacles"),
        ):
            themes = domain.top(kind, TOP_ITEMS)
            if themes:
                lines.append(self.t(title))
                lines += [
                    self.t(
                        "broadcast_item",
                        label=escape_text(theme.shown_label),
                        count=self.counted("count_respondents", theme.respondent_count),
                    )
                    for theme in themes
                ]
        if len(lines) == 1:
            lines.append(self.t("broadcast_few"))
        lines.append(self.next_step(code))
        return "\n".join(lines)

    def next_step(self, code: str) -> str:
        agency = self.summary.domains[code].lead_agency
        if agency is None:
            return self.t("broadcast_next", years=self.years())
        name = agency.name.get(self.language)
        shown = f"{name} ({agency.short})" if agency.short and agency.short != name else name
        return self.t("broadcast_next_agency", agency=escape_text(shown), years=self.years())


def compose_broadcast(
    summary: Mapping[str, Any] | Summary,
    domains: Sequence[str],
    *,
    language: str,
    messages: MessageCatalog,
    limit: int = TELEGRAM_LIMIT,
) -> list[str]:
    """One respondent's message (HTML parts): a thank-you, the part of each of their
    domains, and the footer that points at the opt-out button (sent under the last part)."""
    parsed = parse_summary(summary)
    writer = _Writer(parsed, language, messages)
    campaign = escape_text(parsed.campaign.name or parsed.campaign.code)
    blocks = [writer.t("broadcast_title", campaign=campaign)]
    blocks += [writer.domain_block(code) for code in domains if code in parsed.domains]
    blocks.append(writer.t("broadcast_footer"))
    return pack_blocks(blocks, limit)
