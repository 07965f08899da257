"""Coverage: who took part, by kecamatan, domain, age band, sex and disability (issue 14).

Pure functions on frames: nothing here reads the clock, a file or the database, and no
input is changed. Counts of people are suppressed below SUPPRESS_BELOW ("< 5"): one to four
people of a kecamatan or a group could be recognised. A zero is shown (it is nobody), and
when one cell of a table is suppressed the next smallest is too, so that it cannot be
worked out from the total.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from processor.pipeline import as_categorical
from shared.survey_data import PROFILE_FIELDS, ProfileQuestions, Wilayah

SUPPRESS_BELOW = 5
SUPPRESSED = "< 5"
NOT_GIVEN = "not_given"  # skipped, or never asked (e.g. before the profile existed)
NOT_GIVEN_NAME = {"id": "Tidak diisi", "en": "Not given"}
PROFILE_COLUMNS = ("respondent", *PROFILE_FIELDS)
# Alerts: a kecamatan with fewer respondents than this is "very few"; a group whose share
# of the respondents who answered is below this fraction of its population share is "far
# below"; groups are compared only once this many respondents gave the field.
FEW_RESPONDENTS = 5
FAR_BELOW = 0.5
MIN_FOR_SHARES = 20

GROUP_FIELDS = ("age_band", "sex", "disability")


def empty_profiles() -> pd.DataFrame:
    return pd.DataFrame({column: pd.Series(dtype=object) for column in PROFILE_COLUMNS})


@dataclass(frozen=True)
class Alert:
    kind: str  # no_respondents | few_respondents | below_population_share
    field: str  # kecamatan, age_band, sex
    code: str
    name: Mapping[str, str]
    respondents: int | str  # suppressed below 5
    share: float | None = None  # of the respondents who gave the field
    population_share: float | None = None

    def as_json(self) -> dict:
        return {
            "kind": self.kind,
            "field": self.field,
            "code": self.code,
            "name": dict(self.name),
            "respondents": self.respondents,
            "share": self.share,
            "population_share": self.population_share,
        }


def _answered(texts: pd.DataFrame, kinds: Sequence[str], columns: list[str]) -> pd.DataFrame:
    """The `columns` of the rows of `kinds` (no copy when every row is one of them)."""
    wanted = texts["kind"].isin(list(kinds)).to_numpy()
    return texts[columns] if wanted.all() else texts.loc[wanted, columns]


def _people(respondents: np.ndarray) -> np.ndarray:
    """The distinct respondents in the order of their first row. Sorted input (what
    processor.analysis gives, by respondent code) is read in one pass: a hash table of
    millions of rows takes ~130 MB."""
    if len(respondents) > 1 and pd.Index(respondents).is_monotonic_increasing:
        return respondents[np.concatenate([[True], respondents[1:] != respondents[:-1]])]
    return pd.unique(respondents)


def _positions(people: np.ndarray, respondents: np.ndarray) -> np.ndarray:
    """The position of each respondent in `people` (-1: not there); by binary search
    when `people` is sorted."""
    if not pd.Index(people).is_monotonic_increasing:
        return pd.Index(people).get_indexer(respondents)
    at = np.minimum(np.searchsorted(people, respondents), max(len(people) - 1, 0))
    return np.where(people[at] == respondents, at, -1) if len(people) else np.full(len(at), -1)


def _sorted_codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes (-1: missing) numbering the values in sorted order, and the values."""
    categorical = as_categorical(values)
    names = np.asarray(categorical.categories, dtype=object)
    order = np.argsort(names.astype(str), kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    codes = np.asarray(categorical.codes)
    return np.where(codes >= 0, rank[np.maximum(codes, 0)], -1), names[order]


def participants(texts: pd.DataFrame, profiles: pd.DataFrame, kinds: Sequence[str]) -> pd.DataFrame:
    """One row per citizen respondent (who gave an answer of `kinds`), in the order of
    their first answer, with their profile; NOT_GIVEN where a field is missing. The fields
    are categories: a million people would take ~60 MB a field as objects."""
    people = _people(_answered(texts, kinds, ["respondent"])["respondent"].to_numpy())
    profile = profiles.loc[:, list(PROFILE_COLUMNS)].drop_duplicates("respondent")
    at = pd.Index(profile["respondent"]).get_indexer(people)
    return pd.DataFrame(
        {
            "respondent": people,
            **{f: _given(profile[f], at) for f in PROFILE_FIELDS},
        }
    )


def _given(values: pd.Series, at: np.ndarray) -> pd.Categorical:
    """The code at each position of `values` (`at`: -1 for none), NOT_GIVEN where there
    is none or it is missing; only the codes taken are categories. Made from codes: an
    object per person would be hashed again (~100 MB for a million people)."""
    field = as_categorical(values)
    categories = list(field.categories)
    if NOT_GIVEN not in categories:
        categories.append(NOT_GIVEN)
    not_given = categories.index(NOT_GIVEN)
    codes = np.full(len(at), not_given, dtype=np.int32)
    found = at >= 0
    codes[found] = field.codes[at[found]]
    codes[codes < 0] = not_given  # a profile without this field
    return pd.Categorical.from_codes(codes, categories=categories).remove_unused_categories()


def counts_by(people: pd.DataFrame, field: str, codes: Sequence[str]) -> pd.Series:
    """Respondents per code of `field`, in the order of `codes`, then NOT_GIVEN and any
    stored code no longer in the list (a list loaded later)."""
    counted = people[field].value_counts()
    order = list(dict.fromkeys([*codes, *sorted(set(counted.index) - {NOT_GIVEN}), NOT_GIVEN]))
    return pd.Series({code: int(counted.get(code, 0)) for code in order}, dtype=int)


def suppressed_cells(counts: pd.Series) -> set[str]:
    """Cells of 1 to 4 people."""
    return {str(code) for code, n in counts.items() if 0 < n < SUPPRESS_BELOW}


def shown(count: int, hidden: bool) -> int | str:
    return SUPPRESSED if hidden else int(count)


def per_thousand(count: int, population: int | None) -> float | None:
    if not population:
        return None
    return round(1000 * count / population, 2)


def _names_of(profile: ProfileQuestions | None, field: str) -> dict[str, dict[str, str]]:
    questions = {q.id: q for q in profile.questions} if profile is not None else {}
    question = questions.get(field)
    if question is None:
        return {}
    return {o.value: {"id": o.label.id, "en": o.label.en} for o in question.options}


def group_table(
    people: pd.DataFrame,
    field: str,
    *,
    profile: ProfileQuestions | None,
    population_shares: Mapping[str, float] | None = None,
) -> list[dict]:
    """Respondents by age band, sex or disability: count and share of all respondents
    (suppressed below 5), with the group's population share where known."""
    names = _names_of(profile, field)
    counts = counts_by(people, field, list(names))
    hidden = suppressed_cells(counts)
    total = int(counts.sum())
    rows = []
    for code, count in counts.items():
        name = NOT_GIVEN_NAME if code == NOT_GIVEN else names.get(code, {"id": code, "en": code})
        rows.append(
            {
                "code": code,
                "name": dict(name),
                "respondents": shown(count, code in hidden),
                "share": None if code in hidden or not total else round(count / total, 4),
                "population_share": (population_shares or {}).get(code),
            }
        )
    return rows


def kecamatan_table(
    people: pd.DataFrame, texts: pd.DataFrame, kinds: Sequence[str], wilayah: Wilayah | None
) -> list[dict]:
    """Respondents by kecamatan (and by domain within it), share, population and the
    rate per 1,000 residents; suppressed below 5."""
    codes = [k.code for k in wilayah.kecamatan] if wilayah is not None else []
    counts = counts_by(people, "kecamatan", codes)
    hidden = suppressed_cells(counts)
    total = int(counts.sum())
    by_domain = kecamatan_by_domain(people, texts, kinds)
    populations = wilayah.populations if wilayah is not None else {}
    rows = []
    for code, count in counts.items():
        place = wilayah.by_code.get(code) if wilayah is not None else None
        name = place.name if place is not None else None
        domains = by_domain.get(code, pd.Series(dtype=int))
        domain_hidden = suppressed_cells(domains)
        rows.append(
            {
                "code": code,
                "name": NOT_GIVEN_NAME
                if code == NOT_GIVEN
                else {"id": name or code, "en": name or code},
                "respondents": shown(count, code in hidden),
                "share": None if code in hidden or not total else round(count / total, 4),
                "population": populations.get(code),
                "per_1000": None if code in hidden else per_thousand(count, populations.get(code)),
                "by_domain": {str(d): shown(n, d in domain_hidden) for d, n in domains.items()},
            }
        )
    return rows


def kecamatan_by_domain(
    people: pd.DataFrame, texts: pd.DataFrame, kinds: Sequence[str]
) -> dict[str, pd.Series]:
    """Respondents per kecamatan and domain (one respondent counts once per domain), each
    kecamatan's domains most respondents first. Counted on integer codes: the pairs of a
    million respondents as a frame of strings take ~150 MB while they are merged."""
    answered = _answered(texts, kinds, ["respondent", "domain"])
    person = _positions(people["respondent"].to_numpy(), answered["respondent"].to_numpy())
    domain, domains = _sorted_codes(answered["domain"])
    known = (person >= 0) & (domain >= 0)
    seen = np.zeros((len(people), len(domains)), dtype=bool)
    seen[person[known], domain[known]] = True
    kecamatan = as_categorical(people["kecamatan"])
    places = np.asarray(kecamatan.categories, dtype=object)
    table = np.zeros((len(places), len(domains)), dtype=np.int64)
    for d in range(len(domains)):
        table[:, d] = np.bincount(kecamatan.codes[seen[:, d]], minlength=len(places))
    result: dict[str, pd.Series] = {}
    for row in np.argsort(places.astype(str), kind="stable"):
        named = table[row] > 0
        if named.any():
            counts = pd.Series(table[row][named], index=domains[named])
            result[str(places[row])] = counts.sort_values(ascending=False, kind="stable").astype(
                int
            )
    return result


def alerts(coverage: Mapping, *, min_for_shares: int = MIN_FOR_SHARES) -> list[Alert]:
    """Where to go next: kecamatan nobody or very few answered from (once anybody named
    one), then groups far below their population share (only once enough respondents gave
    the field)."""
    found: list[Alert] = []
    places = [row for row in coverage["by_kecamatan"] if row["code"] != NOT_GIVEN]
    if not any(row["respondents"] != 0 for row in places):
        places = []  # nobody named a kecamatan (no profiles yet): no place to point at
    for row in places:
        if row["respondents"] == 0:
            found.append(Alert("no_respondents", "kecamatan", row["code"], row["name"], 0))
        elif row["respondents"] == SUPPRESSED:
            found.append(
                Alert("few_respondents", "kecamatan", row["code"], row["name"], SUPPRESSED)
            )
    for field in ("kecamatan", *GROUP_FIELDS):
        found.extend(_below_share(coverage[f"by_{field}"], field, min_for_shares))
    return found


def _below_share(rows: Sequence[Mapping], field: str, min_for_shares: int) -> list[Alert]:
    """Groups whose share among those who gave the field is far below their population's."""
    given = [r for r in rows if r["code"] != NOT_GIVEN]
    known = [r["respondents"] for r in given if isinstance(r["respondents"], int)]
    total = sum(known) + SUPPRESS_BELOW * sum(1 for r in given if r["respondents"] == SUPPRESSED)
    if total < min_for_shares:
        return []
    population = _population_shares(given, field)
    found = []
    for row in given:
        expected = population.get(row["code"])
        count = row["respondents"]
        if not expected or not isinstance(count, int) or count == 0:
            continue  # nobody or very few: already an alert of their own (kecamatan)
        share = count / total
        if share < FAR_BELOW * expected:
            found.append(
                Alert(
                    "below_population_share",
                    field,
                    row["code"],
                    row["name"],
                    count,
                    round(share, 4),
                    round(expected, 4),
                )
            )
    return found


def _population_shares(rows: Sequence[Mapping], field: str) -> dict[str, float]:
    if field != "kecamatan":
        return {r["code"]: r["population_share"] for r in rows if r.get("population_share")}
    populations = {r["code"]: r["population"] for r in rows if r.get("population")}
    total = sum(populations.values())
    return {code: n / total for code, n in populations.items()} if total else {}


def coverage_summary(
    texts: pd.DataFrame,
    profiles: pd.DataFrame,
    *,
    kinds: Sequence[str],
    wilayah: Wilayah | None,
    profile: ProfileQuestions | None,
) -> dict:
    """summary.json's `coverage`: the four tables, small counts suppressed, and alerts."""
    people = participants(texts, profiles, kinds)
    shares = wilayah.population_shares if wilayah is not None else {}
    coverage: dict = {
        "respondents": len(people),
        "with_profile": int((people[list(PROFILE_FIELDS)] != NOT_GIVEN).any(axis=1).sum()),
        "suppressed_below": SUPPRESS_BELOW,
        "regency": wilayah.regency if wilayah is not None else None,
        "by_kecamatan": kecamatan_table(people, texts, kinds, wilayah),
    }
    for field in GROUP_FIELDS:
        coverage[f"by_{field}"] = group_table(
            people, field, profile=profile, population_shares=shares.get(field)
        )
    coverage["alerts"] = [a.as_json() for a in alerts(coverage)]
    return coverage
