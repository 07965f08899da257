"""Evidence links: which needs, obstacles, suggestions and agency rows belong together.

The FGD asks its questions in blocks: a citizen names a need, why, the obstacles met and
a suggested strategy for one domain, and an officer fills in one row of need, obstacle,
realisation, strategy and indicator. Two citizen themes are linked when they meet in the
same blocks more often than chance (count and lift), or when they say the same thing
(cosine of their centroids over subject words). An agency row is linked to a theme it
says the same thing as; and it addresses a need when it answers the need directly, or
answers the need's main obstacle or main suggestion. Every link carries its numbers and a
strength: "weak" links are for the planner to confirm.

Lexical similarity counts only subject words: single words that a dictionary, the data
files or the campaign's own vocabulary know. A place name ("Sukamaju") shared by a need
and a row is no evidence that one answers the other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse, stats

from processor.pipeline import Members, as_categorical, distinct_answer_pairs, members_of_answers
from processor.themes import KeyVectors, Themes, l2

NEED, OBSTACLE, SUGGESTION = "citizen_need", "citizen_obstacle", "citizen_strategy"
# (relation, source kind, target kind) of the citizen theme pairs.
THEME_PAIRS = (
    ("need-obstacle", NEED, OBSTACLE),
    ("need-suggestion", NEED, SUGGESTION),
    ("obstacle-suggestion", OBSTACLE, SUGGESTION),
)
ROW_RELATIONS = ((NEED, "row-need"), (OBSTACLE, "row-obstacle"), (SUGGESTION, "row-suggestion"))
# The staff row fields each theme kind is compared with.
ROW_FIELDS = {
    NEED: ("need", "strategy", "realisation"),
    OBSTACLE: ("obstacle", "need"),
    SUGGESTION: ("strategy", "realisation"),
}
LINK_COLUMNS = (
    "domain",
    "relation",  # THEME_PAIRS' relations, or row-need, row-obstacle, row-suggestion
    "source",  # theme id, or staff row id for row-* relations
    "target",  # theme id
    "blocks",  # blocks (citizens' domain blocks) holding both themes; 0 for rows
    "lift",  # blocks / what chance gives; NaN for rows
    "p_value",  # chance of this many shared blocks or more (hypergeometric); NaN for rows
    "similarity",  # cosine over subject words
    "strength",  # "strong" or "weak" (to be confirmed)
    "via",  # row-need only: "" (direct), or the obstacle / suggestion theme the row answers
)


@dataclass(frozen=True)
class LinkParameters:
    min_blocks: int = 3  # co-occurrence needs this many shared blocks ...
    min_lift: float = 1.2  # ... this much more than chance ...
    max_p: float = 0.05  # ... and to be this unlikely by chance (hypergeometric tail),
    # or, where every block names both so chance cannot be told apart, this share of the
    # source's blocks (a domain whose few blocks all say the same).
    min_confidence: float = 0.8
    strong_blocks: int = 5
    strong_p: float = 0.01
    theme_similarity: float = 0.3  # two themes say the same thing from here
    strong_similarity: float = 0.5
    row_similarity: float = 0.25  # a row says the same as a theme from here
    row_best_share: float = 0.75  # a row answers only the needs nearly as close as its best


def empty_links() -> pd.DataFrame:
    return pd.DataFrame({column: pd.Series(dtype=object) for column in LINK_COLUMNS}).astype(
        {"blocks": int, "lift": float, "p_value": float, "similarity": float}
    )


def subject_features(vectors: KeyVectors, is_word: Callable[[str], bool]) -> np.ndarray:
    """Which features of the vectoriser count for lexical links: known single words."""
    return np.array([" " not in f and bool(f) and is_word(f) for f in vectors.features])


def _masked(matrix: sparse.csr_matrix, mask: np.ndarray) -> sparse.csr_matrix:
    return l2(matrix @ sparse.diags(mask.astype(np.float32)))


def _theme_frame(themes: Themes, kind: str) -> pd.DataFrame:
    table = themes.table
    return table.loc[(table["kind"] == kind) & ~table["is_other"]]


def _codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes (-1: missing) and the values they stand for."""
    categorical = as_categorical(values)
    return np.asarray(categorical.codes), np.asarray(categorical.categories, dtype=object)


def _block_numbers(unit: pd.Series, domain: np.ndarray) -> np.ndarray:
    """Each row's block (a unit of one domain) as 0..n-1. block_themes gives its rows in
    (unit, domain) order, so a block is a run of rows and a pass numbers them; other
    frames are numbered by sorting (~200 MB for block_themes' 6M rows at 10M answers)."""
    units = unit.to_numpy() if pd.api.types.is_integer_dtype(unit) else pd.factorize(unit)[0]
    if not len(units):
        return np.empty(0, dtype=np.int32)
    same_unit = units[1:] == units[:-1]
    ordered = (units[1:] > units[:-1]) | (same_unit & (domain[1:] >= domain[:-1]))
    if ordered.all():
        block = np.zeros(len(units), dtype=np.int32)
        np.cumsum(~same_unit | (domain[1:] != domain[:-1]), out=block[1:])
        return block
    key = units.astype(np.int64) * (int(domain.max()) + 2) + domain
    return np.unique(key, return_inverse=True)[1].ravel().astype(np.int32)


def _incidence(
    block: np.ndarray, theme: np.ndarray, domain: np.ndarray, n_blocks: int, n_domains: int
) -> sparse.csr_matrix:
    """A 0/1 blocks-by-columns matrix: 1 where a row of the block names the theme. A column
    per theme and domain (theme * n_domains + domain): a theme is one domain's, and a pair
    of themes is counted in its domain."""
    column = theme.astype(np.int32)
    column *= n_domains
    column += domain
    shape = (n_blocks, (int(theme.max(initial=0)) + 1) * n_domains)
    matrix = sparse.csr_matrix((np.ones(len(block), dtype=np.int32), (block, column)), shape=shape)
    matrix.data[:] = 1  # a theme named twice in a block is met there once
    return matrix


def _cooccurrence(texts: pd.DataFrame, a_kind: str, b_kind: str) -> pd.DataFrame:
    """(domain, source, target, blocks, lift, p_value, confidence) for every pair of
    themes met in one block; p_value is the chance of as many shared blocks or more if the
    two were named independently (hypergeometric: blocks that answered both, and each
    theme's blocks). Counted as a product of sparse block-by-theme matrices: a table of
    every pair met in a block is millions of rows at 10M answers (~350 MB)."""
    columns = ["domain", "source", "target", "blocks", "lift", "p_value", "confidence"]
    domain, domains = _codes(texts["domain"])
    theme, theme_ids = _codes(texts["theme_id"])
    block = _block_numbers(texts["unit"], domain)
    n_domains, n_blocks = max(len(domains), 1), int(block.max(initial=-1)) + 1
    named = (domain >= 0) & (theme >= 0)
    a, b = (
        _incidence(block[chosen], theme[chosen], domain[chosen], n_blocks, n_domains)
        for chosen in (named & (texts["kind"] == kind).to_numpy() for kind in (a_kind, b_kind))
    )
    # Only blocks that answered both questions can show the two together.
    both = (np.diff(a.indptr) > 0) & (np.diff(b.indptr) > 0)
    if not both.any():
        return pd.DataFrame(columns=columns)
    block_domain = np.empty(n_blocks, dtype=domain.dtype)
    block_domain[block] = domain  # a block is one domain's (_block_numbers)
    counts = (a.T @ b).tocoo()
    source, target = counts.row, counts.col
    blocks = counts.data.astype(np.int64)
    pair_domain = source % n_domains
    population = np.bincount(block_domain[both], minlength=n_domains)[pair_domain]
    in_both = both.astype(np.int32)
    # int64: int32 products of two counts overflow past ~46,000 blocks each.
    with_a = (a.T @ in_both)[source].astype(np.int64)
    with_b = (b.T @ in_both)[target].astype(np.int64)
    lift = blocks * population / (with_a * with_b)
    return pd.DataFrame(
        {
            "domain": pd.Series(domains[pair_domain], dtype=object),
            "source": pd.Series(theme_ids[source // n_domains], dtype=object),
            "target": pd.Series(theme_ids[target // n_domains], dtype=object),
            "blocks": blocks,
            "lift": lift.round(3),
            "p_value": stats.hypergeom.sf(blocks - 1, population, with_a, with_b),
            "confidence": blocks / with_a,
        }
    )[columns]


def _theme_similarity(themes: Themes, a_kind: str, b_kind: str, mask: np.ndarray) -> pd.DataFrame:
    """(domain, source, target, similarity) for every pair of themes of one domain."""
    a_table, b_table = _theme_frame(themes, a_kind), _theme_frame(themes, b_kind)
    frames = []
    for domain, a_positions in a_table.groupby("domain").indices.items():
        b_index = b_table.index[b_table["domain"] == domain]
        if len(b_index) == 0:
            continue
        a_index = a_table.index[a_positions]
        a_vectors = _masked(themes.centroids[a_index], mask)
        b_vectors = _masked(themes.centroids[b_index], mask)
        similarity = (a_vectors @ b_vectors.T).toarray()
        at_a, at_b = np.indices(similarity.shape)
        frames.append(
            pd.DataFrame(
                {
                    "domain": domain,
                    "source": a_table.loc[a_index[at_a.ravel()], "theme_id"].to_numpy(),
                    "target": b_table.loc[b_index[at_b.ravel()], "theme_id"].to_numpy(),
                    "similarity": similarity.ravel().round(3),
                }
            )
        )
    if not frames:
        return pd.DataFrame(columns=["domain", "source", "target", "similarity"])
    return pd.concat(frames, ignore_index=True)


def _strength(pairs: pd.DataFrame, p: LinkParameters) -> np.ndarray:
    """Strong: many shared blocks that chance rarely gives, or that nearly all of the
    source's blocks hold; or two themes that say nearly the same."""
    many = pairs["blocks"] >= p.strong_blocks
    rare = pairs["p_value"] <= p.strong_p
    nearly_all = pairs["confidence"] >= p.min_confidence
    strong = (many & (rare | nearly_all)) | (pairs["similarity"] >= p.strong_similarity)
    return np.where(strong, "strong", "weak")


def block_themes(texts: pd.DataFrame, members: Members) -> pd.DataFrame:
    """(domain, unit, kind, theme_id): each theme of a citizen need, obstacle or suggestion
    named in a block (unit), once, "lainnya" left out; from the answers (members) of the
    rows of `texts` (their domain, kind and theme_id). Ordered by unit, then domain (its
    category code), so that a block's rows are together (see _block_numbers)."""
    theme_id = texts["theme_id"].astype(object)
    wanted = (
        theme_id.notna()
        & ~theme_id.fillna("").astype(str).str.endswith(".0")
        & texts["kind"].isin([NEED, OBSTACLE, SUGGESTION])
    ).to_numpy()
    keys = pd.DataFrame(
        {"domain": texts["domain"], "kind": texts["kind"], "theme_id": theme_id}
    ).astype(object)
    # Codes in (domain, kind, theme_id) order, as the categories below sort the domains.
    groups = keys.groupby(list(keys.columns), sort=True, dropna=False)
    codes = groups.ngroup().to_numpy()
    names = groups.size().index.to_frame(index=False)  # in the order of the codes
    codes = np.where(wanted, codes, -1).astype(np.int32)
    width = len(names) + 1
    unit = distinct_answer_pairs(members.unit, members, codes, width)
    code = (unit % width).astype(np.int32)
    unit //= width  # in place: millions of pairs at 10M answers
    # Categories: a row per block and theme is millions of rows at 10M answers, and three
    # object columns would take ~250 MB.
    named = names.astype("category").iloc[code].reset_index(drop=True)
    return named.assign(unit=unit)[["domain", "unit", "kind", "theme_id"]]


def theme_links(
    texts: pd.DataFrame,
    themes: Themes,
    mask: np.ndarray,
    params: LinkParameters,
    members: Members | None = None,
) -> pd.DataFrame:
    """Links between citizen need, obstacle and suggestion themes of one domain. `texts`
    may be aggregated, its answers in `members`; without members each row is one answer
    (with its unit)."""
    texts = block_themes(texts, members if members is not None else members_of_answers(texts))
    frames = []
    for relation, a_kind, b_kind in THEME_PAIRS:
        pairs = _theme_similarity(themes, a_kind, b_kind, mask).merge(
            _cooccurrence(texts, a_kind, b_kind), on=["domain", "source", "target"], how="left"
        )
        pairs = pairs.assign(
            blocks=pairs["blocks"].fillna(0).astype(int),
            lift=pairs["lift"].astype(float),
            p_value=pairs["p_value"].astype(float).fillna(1.0),
            confidence=pairs["confidence"].astype(float).fillna(0.0),
        )
        enough = pairs["blocks"] >= params.min_blocks
        significant = (pairs["lift"] >= params.min_lift) & (pairs["p_value"] <= params.max_p)
        confident = (pairs["confidence"] >= params.min_confidence) & (pairs["lift"] >= 1)
        together = enough & (significant | confident)
        alike = pairs["similarity"] >= params.theme_similarity
        kept = pairs.loc[together | alike]
        frames.append(
            kept.assign(
                relation=relation,
                strength=_strength(kept, params),
                via="",
            )
        )
    return _ordered(frames)


def _row_similarity(
    rows: pd.DataFrame,
    themes: Themes,
    vectors: KeyVectors,
    kind: str,
    mask: np.ndarray,
) -> pd.DataFrame:
    """(domain, source=row, target=theme, similarity): the best of the row's fields."""
    table = _theme_frame(themes, kind)
    if rows.empty or table.empty or vectors.vectorizer is None:
        return pd.DataFrame(columns=["domain", "source", "target", "similarity"])
    fields = [vectors.transform(rows[f"{f}_stems"].tolist()) for f in ROW_FIELDS[kind]]
    frames = []
    for domain, positions in table.groupby("domain").indices.items():
        row_positions = np.flatnonzero(rows["domain"].to_numpy() == domain)
        if len(row_positions) == 0:
            continue
        index = table.index[positions]
        centroids = _masked(themes.centroids[index], mask)
        best = np.max(
            [(_masked(m[row_positions], mask) @ centroids.T).toarray() for m in fields], axis=0
        )
        at_row, at_theme = np.indices(best.shape)
        frames.append(
            pd.DataFrame(
                {
                    "domain": domain,
                    "source": rows["row_id"].to_numpy()[row_positions[at_row.ravel()]],
                    "target": table.loc[index[at_theme.ravel()], "theme_id"].to_numpy(),
                    "similarity": best.ravel().round(3),
                }
            )
        )
    if not frames:
        return pd.DataFrame(columns=["domain", "source", "target", "similarity"])
    return pd.concat(frames, ignore_index=True)


def _main_partner(links: pd.DataFrame, relation: str) -> pd.DataFrame:
    """Each need's main obstacle or suggestion: of its strong links of that relation, the
    one met in most blocks (then the most alike). A weak link names no main partner."""
    chosen = links.loc[(links["relation"] == relation) & (links["strength"] == "strong")]
    chosen = chosen.sort_values(
        ["source", "blocks", "similarity", "target"], ascending=[True, False, False, True]
    )
    return chosen.drop_duplicates("source")[["source", "target"]]


def row_links(
    rows: pd.DataFrame,
    themes: Themes,
    vectors: KeyVectors,
    direct_needs: pd.DataFrame,
    between_themes: pd.DataFrame,
    mask: np.ndarray,
    params: LinkParameters,
) -> pd.DataFrame:
    """Agency rows linked to the need, obstacle and suggestion themes they answer, and to
    the needs whose main obstacle or main suggestion they answer (`via`). `direct_needs`
    is the gap matrix (processor.themes.gap_links: theme_id, row_id, similarity)."""
    direct = {
        NEED: _best_needs_only(
            direct_needs.rename(columns={"row_id": "source", "theme_id": "target"}), params
        )
    }
    domain_of_row = dict(zip(rows["row_id"], rows["domain"], strict=True))
    direct[NEED] = direct[NEED].assign(domain=direct[NEED]["source"].map(domain_of_row))
    for kind in (OBSTACLE, SUGGESTION):
        pairs = _row_similarity(rows, themes, vectors, kind, mask)
        direct[kind] = pairs.loc[pairs["similarity"] >= params.row_similarity]
    frames = [
        direct[kind].assign(relation=relation, via="")
        for kind, relation in (
            (NEED, "row-need"),
            (OBSTACLE, "row-obstacle"),
            (SUGGESTION, "row-suggestion"),
        )
    ]
    for kind, relation in ((OBSTACLE, "need-obstacle"), (SUGGESTION, "need-suggestion")):
        main = _main_partner(between_themes, relation).rename(
            columns={"source": "need", "target": "via"}
        )
        answered = direct[kind].rename(columns={"target": "via"}).merge(main, on="via")
        frames.append(answered.rename(columns={"need": "target"}).assign(relation="row-need"))
    columns = ["domain", "source", "target", "similarity", "relation", "via"]
    frames = [f[columns] for f in frames if len(f)]
    if not frames:
        return empty_links()
    # A direct link wins over the same pair reached through an obstacle or a suggestion.
    links = pd.concat(frames, ignore_index=True).sort_values(
        ["relation", "source", "target", "via"]
    )
    links = links.drop_duplicates(["relation", "source", "target"])
    links = links.assign(blocks=0, lift=np.nan, p_value=np.nan)
    strong = (links["similarity"] >= params.strong_similarity) | (
        (links["via"] == "") & (links["similarity"] >= params.theme_similarity)
    )
    return _ordered([links.assign(strength=np.where(strong, "strong", "weak"))])


def _best_needs_only(pairs: pd.DataFrame, params: LinkParameters) -> pd.DataFrame:
    """A row about paving shares "jalan poros" with street lights on that road: it answers
    the need it is closest to, and other needs only when they are nearly as close."""
    if pairs.empty:
        return pairs.assign(domain=pd.Series(dtype=object))
    best = pairs.groupby("source")["similarity"].transform("max")
    return pairs.loc[pairs["similarity"] >= params.row_best_share * best]


def _ordered(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    if not frames:
        return empty_links()
    links = pd.concat(frames, ignore_index=True)[list(LINK_COLUMNS)]
    links = links.astype({"blocks": int, "lift": float, "p_value": float, "similarity": float})
    return links.sort_values(
        ["domain", "relation", "source", "blocks", "similarity", "target"],
        ascending=[True, True, True, False, False, True],
        kind="stable",
    ).reset_index(drop=True)


def evidence_links(
    texts: pd.DataFrame,
    themes: Themes,
    vectors: KeyVectors,
    rows: pd.DataFrame,
    direct_needs: pd.DataFrame,
    *,
    subject: np.ndarray,
    params: LinkParameters = LinkParameters(),  # noqa: B008 - frozen
    members: Members | None = None,
) -> pd.DataFrame:
    """Every link of the campaign (LINK_COLUMNS), ordered by domain, relation and source.
    `subject` is subject_features(); `direct_needs` the gap matrix."""
    if vectors.vectorizer is None:
        return empty_links()
    between = theme_links(texts, themes, subject, params, members)
    return _ordered(
        [between, row_links(rows, themes, vectors, direct_needs, between, subject, params)]
    )
