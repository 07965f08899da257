"""Planner curation: renames, merges and moves of themes, moves of single answers, and
confirmed or rejected links, applied to every analysis as a pure function.

Themes are re-clustered on every run, so their ids ("kesehatan.citizen_need.3") are not
stable. A curation names its theme by a `ThemeKey`: the kind, domain, label and keywords
the planner saw, and (a sample of) the answers it held. On the next run the theme is found
again, among the themes of the same kind (never a "lainnya"):

1. by its answers: the theme holding the most of the key's answers that still exist, if it
   holds at least half of them (MIN_CONTAINMENT). Answer ids never change, so this finds a
   theme that grew with new answers or lost a few to a neighbour;
2. else, when none of its answers is left (erased respondents), in the key's domain, by
   its label (rapidfuzz token_sort_ratio from MIN_LABEL_SCORE) or its keywords (word
   overlap from MIN_KEYWORD_OVERLAP).

A theme found neither way has dissolved: its curation is reported as "tidak berlaku lagi"
(stale) with the reason, in summary.json `curations`, the Kurasi sheet and the CLI, and
applies again when a later run finds the theme. Curations apply in the order they were
made; a theme merged or moved by an earlier one is followed to where it went.

`apply_curations` never changes its inputs and reads no clock: it returns a new Analysis
whose texts, themes, links and gap links carry the planner's decisions, so summary.json,
the xlsx, the draft and the digest all show them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import sparse

from processor.pipeline import WEIGHT, Members
from processor.summary import listed_answer_ids
from processor.themes import OTHER_THEME_LABEL, Themes
from shared.text import scrub_pii

if TYPE_CHECKING:
    from processor.analysis import Analysis

RENAME, MERGE, MOVE_THEME, MOVE_ANSWER = "rename", "merge", "move_theme", "move_answer"
CONFIRM_LINK, REJECT_LINK = "confirm_link", "reject_link"
ACTIONS = (RENAME, MERGE, MOVE_THEME, MOVE_ANSWER, CONFIRM_LINK, REJECT_LINK)
ACTION_NAMES = {
    RENAME: "ganti nama",
    MERGE: "gabung tema",
    MOVE_THEME: "pindah domain (tema)",
    MOVE_ANSWER: "pindah domain (jawaban)",
    CONFIRM_LINK: "konfirmasi tautan",
    REJECT_LINK: "tolak tautan",
}
APPLIED, STALE = "applied", "stale"
STATUS_NAMES = {APPLIED: "berlaku", STALE: "tidak berlaku lagi"}
CURATED_SOURCE = "curated"  # domain_source of answers a curation moved

KEY_ANSWERS = 200  # answers of a theme kept in its key (a sorted sample)
MIN_CONTAINMENT = 0.5
MIN_LABEL_SCORE = 85.0
MIN_KEYWORD_OVERLAP = 0.6


class CurationDataError(ValueError):
    """A stored or written curation that cannot be read (a damaged key)."""


def _text(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value:
        raise CurationDataError(f"missing {name}")
    return value


@dataclass(frozen=True)
class ThemeKey:
    """What identifies a theme across runs (see the module docstring)."""

    domain: str
    kind: str
    label: str
    keywords: tuple[str, ...] = ()
    answer_ids: tuple[str, ...] = ()
    theme_id: str = ""  # its id when the planner saw it (for messages only)

    @classmethod
    def of_theme(cls, theme: Mapping[str, Any], *, domain: str, kind: str) -> ThemeKey:
        """The key of a summary.json theme."""
        answers = sorted(listed_answer_ids(theme.get("answer_ids")))
        return cls(
            domain=domain,
            kind=kind,
            label=str(theme.get("label", "")),
            keywords=tuple(str(k) for k in theme.get("keywords", ())),
            answer_ids=tuple(answers[:KEY_ANSWERS]),
            theme_id=str(theme.get("id", "")),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "domain": self.domain,
            "kind": self.kind,
            "label": self.label,
            "keywords": list(self.keywords),
            "answer_ids": list(self.answer_ids),
            "theme_id": self.theme_id,
        }

    @classmethod
    def from_json(cls, data: Any) -> ThemeKey:
        if not isinstance(data, Mapping):
            raise CurationDataError("a theme key is not an object")
        keywords, answers = data.get("keywords", []), data.get("answer_ids", [])
        if not isinstance(keywords, list) or not isinstance(answers, list):
            raise CurationDataError("a theme key's keywords or answers are not lists")
        return cls(
            domain=_text(data, "domain"),
            kind=_text(data, "kind"),
            label=str(data.get("label", "")),
            keywords=tuple(str(k) for k in keywords),
            answer_ids=tuple(str(a) for a in answers),
            theme_id=str(data.get("theme_id", "")),
        )


End = ThemeKey | str  # a theme, or a staff row id (row-* relations)


def _end_json(end: End) -> dict[str, Any]:
    return {"row_id": end} if isinstance(end, str) else end.to_json()


def _end_from_json(data: Any) -> End:
    if isinstance(data, Mapping) and "row_id" in data:
        return _text(data, "row_id")
    return ThemeKey.from_json(data)


def _end_name(end: End) -> str:
    return f"baris staf {end}" if isinstance(end, str) else f"“{end.label}”"


@dataclass(frozen=True)
class LinkKey:
    """A link as the planner saw it: its relation, its two ends, and its numbers (kept so a
    confirmed link the analysis no longer proposes can be shown as it was)."""

    relation: str
    source: End
    target: ThemeKey
    similarity: float = 0.0
    blocks: int = 0
    lift: float | None = None
    p_value: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "relation": self.relation,
            "source": _end_json(self.source),
            "target": self.target.to_json(),
            "similarity": self.similarity,
            "blocks": self.blocks,
            "lift": self.lift,
            "p_value": self.p_value,
        }

    @classmethod
    def from_json(cls, data: Any) -> LinkKey:
        if not isinstance(data, Mapping):
            raise CurationDataError("a link key is not an object")
        try:
            return cls(
                relation=_text(data, "relation"),
                source=_end_from_json(data.get("source")),
                target=ThemeKey.from_json(data.get("target")),
                similarity=float(data.get("similarity") or 0.0),
                blocks=int(data.get("blocks") or 0),
                lift=None if data.get("lift") is None else float(data["lift"]),
                p_value=None if data.get("p_value") is None else float(data["p_value"]),
            )
        except (TypeError, ValueError) as exc:
            raise CurationDataError(f"a link key is damaged ({exc})") from None

    def describe(self) -> str:
        return f"{self.relation}: {_end_name(self.source)} → {_end_name(self.target)}"


@dataclass(frozen=True)
class Curation:
    """One planner decision (stored as shared.models.Curation)."""

    action: str
    theme: ThemeKey | None = None  # rename, merge (the theme merged away), move_theme
    into: ThemeKey | None = None  # merge
    label: str | None = None  # rename
    domain: str | None = None  # move_theme, move_answer
    answer_id: str | None = None  # move_answer
    link: LinkKey | None = None  # confirm_link, reject_link
    id: int = 0
    before: str = ""
    after: str = ""
    by: str = ""
    at: str = ""  # ISO time it was made
    problem: str = ""  # a stored curation that cannot be read: reported, never applied

    def record(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """(target, value) as stored."""
        if self.action == MOVE_ANSWER:
            return {"answer_id": self.answer_id}, {"domain": self.domain}
        if self.action in (CONFIRM_LINK, REJECT_LINK):
            assert self.link is not None
            return {"link": self.link.to_json()}, {}
        assert self.theme is not None
        target = {"theme": self.theme.to_json()}
        if self.action == RENAME:
            return target, {"label": self.label}
        if self.action == MERGE:
            assert self.into is not None
            return target, {"into": self.into.to_json()}
        return target, {"domain": self.domain}

    @classmethod
    def from_record(
        cls, *, action: str, target: Mapping[str, Any], value: Mapping[str, Any], **audit: Any
    ) -> Curation:
        """A stored curation; CurationDataError if it cannot be read."""
        if action not in ACTIONS:
            raise CurationDataError(f"unknown action {action!r}")
        if action == MOVE_ANSWER:
            return cls(
                action=action,
                answer_id=_text(target, "answer_id"),
                domain=_text(value, "domain"),
                **audit,
            )
        if action in (CONFIRM_LINK, REJECT_LINK):
            return cls(action=action, link=LinkKey.from_json(target.get("link")), **audit)
        theme = ThemeKey.from_json(target.get("theme"))
        if action == RENAME:
            return cls(action=action, theme=theme, label=_text(value, "label"), **audit)
        if action == MERGE:
            return cls(
                action=action, theme=theme, into=ThemeKey.from_json(value.get("into")), **audit
            )
        return cls(action=action, theme=theme, domain=_text(value, "domain"), **audit)

    def describe(self) -> str:
        """What it concerns, in a few words (for lists and the Kurasi sheet)."""
        if self.problem:
            return f"kurasi #{self.id}"
        if self.action == MOVE_ANSWER:
            return f"jawaban {self.answer_id}"
        if self.link is not None:
            return self.link.describe()
        assert self.theme is not None
        return f"tema “{self.theme.label}” ({self.theme.kind}, {self.theme.domain})"


@dataclass(frozen=True)
class Outcome:
    """How one curation fared on this run (summary.json `curations`)."""

    curation: Curation
    status: str  # APPLIED or STALE
    theme_id: str | None = None  # the theme it concerns now, if any
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        c = self.curation
        return {
            "id": c.id,
            "action": c.action,
            "subject": c.describe(),
            "before": c.before,
            "after": c.after,
            "by": c.by,
            "at": c.at,
            "status": self.status,
            "theme_id": self.theme_id,
            "note": self.note,
        }


# --- finding a theme again ----------------------------------------------------------------
def _words(text: str) -> set[str]:
    return set(" ".join(text.lower().split()).replace(",", " ").split())


def _containment(key: ThemeKey, candidates: pd.DataFrame, theme_of: pd.Series) -> str | None:
    known = [a for a in dict.fromkeys(key.answer_ids) if a in theme_of.index]
    if not known:
        return None
    held = theme_of.loc[known].value_counts()
    best: tuple[float, int, int, str] | None = None
    for theme_id, domain, count in zip(
        candidates["theme_id"], candidates["domain"], candidates["answer_count"], strict=True
    ):
        share = float(held.get(theme_id, 0)) / len(known)
        score = (share, int(domain == key.domain), int(count), theme_id)
        if share > 0 and (best is None or score > best):
            best = score
    return best[3] if best is not None and best[0] >= MIN_CONTAINMENT else None


def _by_text(key: ThemeKey, candidates: pd.DataFrame) -> str | None:
    from rapidfuzz import fuzz

    label = " ".join(key.label.lower().split())
    keywords = _words(" ".join(key.keywords))
    best: tuple[float, str] | None = None
    same_domain = candidates.loc[candidates["domain"] == key.domain]
    for theme_id, other_label, other_keywords in zip(
        same_domain["theme_id"], same_domain["label"], same_domain["keywords"], strict=True
    ):
        by_label = fuzz.token_sort_ratio(label, " ".join(str(other_label).lower().split()))
        theirs = _words(" ".join(other_keywords))
        overlap = len(keywords & theirs) / len(keywords | theirs) if keywords | theirs else 0.0
        if by_label < MIN_LABEL_SCORE and overlap < MIN_KEYWORD_OVERLAP:
            continue
        score = (max(by_label / 100, overlap), theme_id)
        if best is None or score > best:
            best = score
    return best[1] if best is not None else None


def answer_themes(texts: pd.DataFrame) -> pd.Series:
    """theme_id indexed by answer_id (as text): what match_theme looks answers up in."""
    return pd.Series(
        texts["theme_id"].to_numpy(dtype=object),
        index=pd.Index(texts["answer_id"].astype(str), name="answer_id"),
    )


def match_theme(key: ThemeKey, table: pd.DataFrame, theme_of: pd.Series) -> str | None:
    """The id of the theme of this run that `key` names, or None (see the module
    docstring). `table` is the themes table; `theme_of` is answer_themes() of this run."""
    candidates = table.loc[(table["kind"] == key.kind) & ~table["is_other"].astype(bool)]
    if candidates.empty:
        return None
    if any(a in theme_of.index for a in key.answer_ids):
        return _containment(key, candidates, theme_of)
    return _by_text(key, candidates)


# --- applying -----------------------------------------------------------------------------
_THEME_PAIR_RELATIONS = ("need-obstacle", "need-suggestion", "obstacle-suggestion")


@dataclass
class _Work:
    """The analysis being curated: copies, changed in place, then frozen again."""

    texts: pd.DataFrame
    themes: dict[str, dict[str, Any]]  # theme_id -> table row (with "_row": centroid row)
    links: pd.DataFrame
    gaps: pd.DataFrame
    tags: pd.DataFrame
    original: pd.DataFrame
    theme_of: pd.Series  # answer_id -> theme_id before any curation
    staff_row_ids: set[str]
    quotes: int
    alias: dict[str, str] = field(default_factory=dict)
    matched: dict[ThemeKey, str | None] = field(default_factory=dict)

    def resolve(self, key: ThemeKey) -> str | None:
        """The theme's id now: found among this run's themes, then followed through the
        merges and moves applied so far."""
        if key not in self.matched:
            self.matched[key] = match_theme(key, self.original, self.theme_of)
        theme_id = self.matched[key]
        seen: set[str] = set()
        while theme_id is not None and theme_id in self.alias and theme_id not in seen:
            seen.add(theme_id)
            theme_id = self.alias[theme_id]
        return theme_id if theme_id in self.themes else None

    def members(self, theme_id: str) -> pd.Series:
        return self.texts["theme_id"] == theme_id

    def recount(self, theme_id: str) -> None:
        row = self.themes[theme_id]
        mask = self.members(theme_id)
        row["answer_count"] = int(mask.sum())
        row["respondent_count"] = int(self.texts.loc[mask, "respondent"].nunique())
        row["answer_ids"] = self.texts.loc[mask, "answer_id"].tolist()

    def move_answers(self, mask: pd.Series, theme_id: str) -> None:
        domain = self.themes[theme_id]["domain"]
        moved = mask & (self.texts["domain"] != domain)
        self.texts.loc[mask, "theme_id"] = theme_id
        self.texts.loc[moved, "domain"] = domain
        self.texts.loc[moved, "domain_source"] = CURATED_SOURCE
        ids = set(self.texts.loc[moved, "answer_id"])
        if ids and len(self.tags):
            self.tags.loc[self.tags["answer_id"].isin(ids), "domain"] = domain

    def relink(self, old: str, new: str | None) -> None:
        """Links and gap links of `old` now concern `new` (None: they go)."""
        links = self.links
        touches = (links["source"] == old) | (links["target"] == old)
        if new is None:
            self.links = links.loc[~touches].copy()
            self.gaps = self.gaps.loc[self.gaps["theme_id"] != old].copy()
            return
        for column in ("source", "target", "via"):
            links.loc[links[column] == old, column] = new
        self.gaps.loc[self.gaps["theme_id"] == old, "theme_id"] = new
        self.tidy_links()

    def tidy_links(self) -> None:
        links = self.links
        domain_of = {t: row["domain"] for t, row in self.themes.items()}
        source_domain = links["source"].map(domain_of)
        target_domain = links["target"].map(domain_of)
        pair = links["relation"].isin(_THEME_PAIR_RELATIONS)
        # A link between two themes joins themes of one domain, never a theme to itself.
        keep = ~pair | ((source_domain == target_domain) & (links["source"] != links["target"]))
        links = links.loc[keep].copy()
        links.loc[:, "domain"] = links["target"].map(domain_of).fillna(links["domain"])
        links = links.sort_values(
            ["curated", "strength", "blocks", "similarity"],
            ascending=[False, True, False, False],
            kind="stable",
        )
        self.links = links.drop_duplicates(["relation", "source", "target"])

    def new_number(self, domain: str, kind: str) -> int:
        numbers = [
            int(row["number"])
            for row in self.themes.values()
            if row["domain"] == domain and row["kind"] == kind
        ]
        return max(numbers, default=0) + 1

    def other_theme(self, domain: str, kind: str, text: str) -> str:
        theme_id = f"{domain}.{kind}.0"
        if theme_id not in self.themes:
            self.themes[theme_id] = {
                "theme_id": theme_id,
                "domain": domain,
                "kind": kind,
                "number": 0,
                "is_other": True,
                "label": OTHER_THEME_LABEL,
                "label_formal": OTHER_THEME_LABEL,
                "representative": scrub_pii(text),
                "keywords": [],
                "quotes": [],
                "answer_count": 0,
                "respondent_count": 0,
                "answer_ids": [],
                "_row": -1,
            }
        return theme_id


def _rename(work: _Work, curation: Curation) -> Outcome:
    assert curation.theme is not None and curation.label is not None
    theme_id = work.resolve(curation.theme)
    if theme_id is None:
        return Outcome(curation, STALE, note="tema tidak ditemukan lagi")
    row = work.themes[theme_id]
    row["label"] = row["label_formal"] = curation.label
    return Outcome(curation, APPLIED, theme_id)


def _merge(work: _Work, curation: Curation) -> Outcome:
    assert curation.theme is not None and curation.into is not None
    source, target = work.resolve(curation.theme), work.resolve(curation.into)
    if source is None:
        return Outcome(curation, STALE, target, note="tema yang digabung tidak ditemukan lagi")
    if target is None:
        return Outcome(curation, STALE, source, note="tema tujuan tidak ditemukan lagi")
    if source == target:
        return Outcome(curation, APPLIED, target, note="sudah satu tema")
    if work.themes[source]["kind"] != work.themes[target]["kind"]:
        return Outcome(curation, STALE, source, note="jenis kedua tema berbeda")
    quotes = list(work.themes[target]["quotes"])
    limit = max(len(quotes), work.quotes)
    quotes += [q for q in work.themes[source]["quotes"] if q not in quotes]
    work.move_answers(work.members(source), target)
    work.themes[target]["quotes"] = quotes[:limit]
    work.recount(target)
    del work.themes[source]
    work.alias[source] = target
    work.relink(source, target)
    return Outcome(curation, APPLIED, target)


def _move_theme(work: _Work, curation: Curation) -> Outcome:
    assert curation.theme is not None and curation.domain is not None
    theme_id = work.resolve(curation.theme)
    if theme_id is None:
        return Outcome(curation, STALE, note="tema tidak ditemukan lagi")
    row = work.themes[theme_id]
    if row["domain"] == curation.domain:
        return Outcome(curation, APPLIED, theme_id, note="sudah di domain ini")
    number = work.new_number(curation.domain, row["kind"])
    new_id = f"{curation.domain}.{row['kind']}.{number}"
    work.themes[new_id] = {**row, "theme_id": new_id, "domain": curation.domain, "number": number}
    work.move_answers(work.members(theme_id), new_id)
    del work.themes[theme_id]
    work.alias[theme_id] = new_id
    work.relink(theme_id, new_id)
    return Outcome(curation, APPLIED, new_id)


def _move_answer(work: _Work, curation: Curation) -> Outcome:
    assert curation.answer_id is not None and curation.domain is not None
    mask = work.texts["answer_id"].astype(str) == curation.answer_id
    if not mask.any():
        return Outcome(curation, STALE, note="jawaban tidak ada lagi (dihapus atau bukan isian)")
    row = work.texts.loc[mask].iloc[0]
    old = str(row["theme_id"])
    if row["domain"] == curation.domain:
        return Outcome(curation, APPLIED, old, note="sudah di domain ini")
    target = work.other_theme(curation.domain, str(row["kind"]), str(row["text"]))
    work.move_answers(mask, target)
    quote = scrub_pii(str(row["text"]))
    if (
        quote not in work.themes[target]["quotes"]
        and len(work.themes[target]["quotes"]) < work.quotes
    ):
        work.themes[target]["quotes"] = [*work.themes[target]["quotes"], quote]
    work.recount(target)
    if old in work.themes:
        work.recount(old)
        if not work.texts.loc[work.members(old), "text"].astype(str).eq(row["text"]).any():
            work.themes[old]["quotes"] = [q for q in work.themes[old]["quotes"] if q != quote]
        if work.themes[old]["answer_count"] == 0:
            del work.themes[old]
            work.relink(old, None)
    return Outcome(curation, APPLIED, target)


def _link_ends(work: _Work, link: LinkKey) -> tuple[str | None, str | None]:
    if isinstance(link.source, str):
        source = link.source if link.source in work.staff_row_ids else None
    else:
        source = work.resolve(link.source)
    return source, work.resolve(link.target)


def _decide_link(work: _Work, curation: Curation) -> Outcome:
    link = curation.link
    assert link is not None
    source, target = _link_ends(work, link)
    if source is None or target is None:
        return Outcome(curation, STALE, target, note="ujung tautan tidak ditemukan lagi")
    links = work.links
    same = (
        (links["relation"] == link.relation)
        & (links["source"] == source)
        & (links["target"] == target)
    )
    if curation.action == REJECT_LINK:
        work.links = links.loc[~same].copy()
        note = "" if same.any() else "tautan tidak diusulkan lagi"
        return Outcome(curation, APPLIED, target, note=note)
    if same.any():
        links.loc[same, "strength"] = "strong"
        links.loc[same, "curated"] = "confirmed"
        return Outcome(curation, APPLIED, target)
    added = {
        "domain": work.themes[target]["domain"],
        "relation": link.relation,
        "source": source,
        "target": target,
        "blocks": link.blocks,
        "lift": np.nan if link.lift is None else link.lift,
        "p_value": np.nan if link.p_value is None else link.p_value,
        "similarity": link.similarity,
        "strength": "strong",
        "via": "",
        "curated": "confirmed",
    }
    work.links = pd.concat([links, pd.DataFrame([added])], ignore_index=True)
    work.tidy_links()
    return Outcome(curation, APPLIED, target, note="tautan dipulihkan dari kurasi")


_APPLY = {
    RENAME: _rename,
    MERGE: _merge,
    MOVE_THEME: _move_theme,
    MOVE_ANSWER: _move_answer,
    CONFIRM_LINK: _decide_link,
    REJECT_LINK: _decide_link,
}


def _start(analysis: Analysis) -> _Work:
    table = analysis.themes.table
    if "label_formal" not in table.columns:
        table = table.assign(label_formal=table["label"])
    rows = table.assign(_row=np.arange(len(table))).to_dict("records")
    links = analysis.links.copy()
    if "curated" not in links.columns:
        links = links.assign(curated="")
    # Curations move single answers: the work is on one row per answer (its row of
    # analysis.texts in `_row`), aggregated again at the end (_regrouped).
    texts = analysis.answers().assign(_row=analysis.members.row)
    return _Work(
        texts=texts,
        themes={row["theme_id"]: row for row in rows},
        links=links,
        gaps=analysis.gap_links.copy(),
        tags=analysis.answer_dimensions(),
        original=table,
        theme_of=answer_themes(texts),
        staff_row_ids=set(analysis.staff_rows["row_id"].astype(str)),
        quotes=analysis.params.quotes,
    )


def _themes(work: _Work, before: Themes) -> Themes:
    table = pd.DataFrame(list(work.themes.values()), columns=[*work.original.columns, "_row"])
    table = table.sort_values(["domain", "kind", "is_other", "number"], kind="stable")
    table = table.reset_index(drop=True)
    positions = table["_row"].to_numpy(dtype=int)
    kept = np.flatnonzero(positions >= 0)
    pick = sparse.csr_matrix(
        (np.ones(len(kept), dtype=np.float32), (kept, positions[kept])),
        shape=(len(table), before.centroids.shape[0]),
    )
    centroids = sparse.csr_matrix(pick @ before.centroids)
    theme_ids = work.texts["theme_id"].astype(object)
    return Themes(theme_ids=theme_ids, table=table.drop(columns="_row"), centroids=centroids)


def apply_curations(analysis: Analysis, curations: Sequence[Curation]) -> Analysis:
    """The analysis with the curations applied in order (see the module docstring); its
    `curations` field tells how each one fared. Links get a `curated` column ("confirmed"
    or "")."""
    if not curations:
        return analysis
    work = _start(analysis)
    outcomes = [
        Outcome(c, STALE, note=f"rusak: {c.problem}") if c.problem else _APPLY[c.action](work, c)
        for c in sorted(curations, key=lambda c: c.id)
    ]
    links = work.links.sort_values(
        ["domain", "relation", "source", "blocks", "similarity", "target"],
        ascending=[True, True, True, False, False, True],
        kind="stable",
    ).reset_index(drop=True)
    texts, members, tags = _regrouped(work, analysis.members)
    themes = _themes(work, analysis.themes)
    return replace(
        analysis,
        texts=texts,
        members=members,
        themes=replace(themes, theme_ids=texts["theme_id"]),
        links=links,
        gap_links=work.gaps.reset_index(drop=True),
        dimension_tags=tags,
        curations=tuple(o.to_json() for o in outcomes),
    )


def _regrouped(work: _Work, members: Members) -> tuple[pd.DataFrame, Members, pd.DataFrame]:
    """The curated answers aggregated again: one row per row of the analysis and theme,
    domain and domain_source it has now; its members; the dimension tags per row."""
    answers = work.texts.assign(theme_id=work.texts["theme_id"].astype(object))
    keys = ["_row", "theme_id", "domain", "domain_source"]
    group = answers.groupby(keys, sort=False, dropna=False).ngroup().to_numpy()
    _, first = np.unique(group, return_index=True)
    texts = (
        answers.iloc[first]
        .drop(columns=["_row", "answer_id", "respondent"])
        .assign(**{WEIGHT: np.bincount(group)})
        .reset_index(drop=True)
    )
    row_of = pd.Series(group, index=answers["answer_id"].to_numpy())
    tags = work.tags.assign(row=row_of.loc[work.tags["answer_id"].to_numpy()].to_numpy())
    tags = (
        tags.groupby(["row", "domain", "kind", "dimension"], sort=False)
        .size()
        .rename(WEIGHT)
        .reset_index()
        .sort_values(["row", "dimension"], kind="stable")
    )
    tags = tags[["row", WEIGHT, "domain", "kind", "dimension"]].reset_index(drop=True)
    return texts, members.regrouped(group), tags
