"""Themes: similar answers grouped per (domain, kind), and the gap matrix built on them.

Answers with the same stems (normalised, stop words dropped, stemmed) are merged first:
they are one "distinct text" with a count. The `theme_cap` most frequent distinct texts
of a (domain, kind) are clustered exactly (TF-IDF on stems, cosine, average linkage cut
at a distance threshold); the long tail joins its nearest theme by a sparse dot product
or stays in "lainnya". Everything is ordered by (count, text), so the same input always
gives the same themes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.cluster import AgglomerativeClustering
from sklearn.feature_extraction.text import TfidfVectorizer

from processor.pipeline import (
    STAFF_KINDS,
    Members,
    Parameters,
    distinct_answer_pairs,
    members_of_answers,
    weights,
)
from shared.text import scrub_pii


def scrub_texts(texts: pd.Series) -> pd.Series:
    """PII-scrub a column of texts, once per distinct text; missing texts become ""."""
    codes, uniques = pd.factorize(texts.astype(object).where(texts.notna(), ""))
    scrubbed = np.array([scrub_pii(text) for text in uniques], dtype=object)
    return pd.Series(scrubbed[codes], index=texts.index, dtype=object)


LABEL_VARIANTS = 20  # raw texts per distinct text considered for a label
OTHER_THEME_NUMBER = 0
OTHER_THEME_LABEL = "Lainnya"


@dataclass(frozen=True)
class KeyVectors:
    """TF-IDF vectors (L2-normalised) of every distinct stemmed text, in sorted order."""

    keys: np.ndarray
    matrix: sparse.csr_matrix
    vectorizer: TfidfVectorizer | None
    features: np.ndarray

    def transform(self, stemmed: list[str]) -> sparse.csr_matrix:
        if self.vectorizer is None:
            return sparse.csr_matrix((len(stemmed), 1), dtype=np.float32)
        return sparse.csr_matrix(self.vectorizer.transform(stemmed))


def vectorise_texts(texts: pd.DataFrame) -> tuple[pd.DataFrame, KeyVectors]:
    """Adds key_index (position of the text's stems among the distinct ones) and vectors."""
    codes, keys = pd.factorize(texts["stems"], sort=True)
    keys = np.asarray(keys, dtype=object)
    fitting = TfidfVectorizer(
        token_pattern=r"\S+",
        lowercase=False,
        ngram_range=(1, 2),
        sublinear_tf=True,
        dtype=np.float32,
    )
    vectorizer: TfidfVectorizer | None = fitting
    try:
        matrix = sparse.csr_matrix(fitting.fit_transform(keys))
        features = np.array(list(fitting.get_feature_names_out()), dtype=object)
    except ValueError:  # no words at all (empty input, or only stop words)
        vectorizer = None
        matrix = sparse.csr_matrix((len(keys), 1), dtype=np.float32)
        features = np.array([""], dtype=object)
    vectors = KeyVectors(keys=keys, matrix=matrix, vectorizer=vectorizer, features=features)
    return texts.assign(key_index=codes), vectors


@dataclass(frozen=True)
class Themes:
    """theme_id per text (aligned with the texts), one row per theme, and centroids."""

    theme_ids: pd.Series
    table: pd.DataFrame
    centroids: sparse.csr_matrix  # one row per table row; "lainnya" themes included


def _keywords(
    centroids: sparse.csr_matrix,
    row: int,
    vectors: KeyVectors,
    surface: Mapping[str, str],
    count: int,
) -> list[str]:
    start, end = centroids.indptr[row], centroids.indptr[row + 1]
    if start == end:
        return []
    names = vectors.features[centroids.indices[start:end]]
    order = np.lexsort((names, -centroids.data[start:end]))
    chosen: list[str] = []
    covered: set[str] = set()
    for feature in names[order]:
        stems = feature.split()
        if set(stems) <= covered:
            continue
        chosen.append(" ".join(surface.get(stem, stem) for stem in stems))
        covered.update(stems)
        if len(chosen) == count:
            break
    return chosen


def _shorten(text: str, length: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def l2(matrix: sparse.spmatrix) -> sparse.csr_matrix:
    """Rows scaled to unit length (zero rows stay zero); fine with no rows at all.

    The same arithmetic as sklearn's normalize(norm="l2") (squares in the data's
    precision, summed in double in row order, each value divided by the root in double),
    so the same bits, without its parameter and array validation (~1 ms a call, and it is
    called a few times per (domain, kind)). A new matrix: the input is left alone."""
    matrix = sparse.csr_matrix(matrix)
    if not matrix.shape[0]:
        return matrix
    if matrix.dtype not in (np.float32, np.float64):
        matrix = matrix.astype(np.float64)
    data = matrix.data
    rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    sums = np.bincount(rows, weights=(data * data).astype(np.float64), minlength=matrix.shape[0])
    norms = np.sqrt(sums)
    norms[sums == 0.0] = 1.0
    scaled = (data / norms[rows]).astype(data.dtype, copy=False)
    return sparse.csr_matrix(
        (scaled, matrix.indices.copy(), matrix.indptr.copy()), shape=matrix.shape
    )


def _centroids(labels: np.ndarray, weights: np.ndarray, matrix: sparse.csr_matrix, n: int):
    """Weighted mean vector of each cluster (rows labelled -1 are left out), L2-normalised."""
    member = labels >= 0
    indicator = sparse.csr_matrix(
        (weights[member].astype(np.float32), (labels[member], np.flatnonzero(member))),
        shape=(n, matrix.shape[0]),
    )
    return l2(indicator @ matrix)


def _variants(
    groups: np.ndarray, keys: np.ndarray, texts: pd.Series, limit: int, answers: np.ndarray
) -> dict[tuple[int, int], list[tuple[str, int]]]:
    """{(group, key): [(raw text, count), …]}: most often written first, then alphabetical
    (`answers`: the weight of each text)."""
    text_codes, text_values = pd.factorize(texts, sort=True)
    triples = pd.DataFrame({"group": groups, "key": keys, "text": text_codes, "n": answers})
    counted = triples.groupby(["group", "key", "text"], sort=False)["n"].sum().reset_index()
    ranked = counted.sort_values(
        ["group", "key", "n", "text"], ascending=[True, True, False, True], kind="stable"
    )
    ranked = ranked.loc[ranked.groupby(["group", "key"], sort=False).cumcount() < limit]
    values = np.asarray(text_values, dtype=object)[ranked["text"].to_numpy()]
    found: dict[tuple[int, int], list[tuple[str, int]]] = {}
    for group, key, text, n in zip(
        ranked["group"].tolist(),
        ranked["key"].tolist(),
        values.tolist(),
        ranked["n"].tolist(),
        strict=True,
    ):
        found.setdefault((group, key), []).append((text, n))
    return found


def text_variants(
    texts: pd.DataFrame, *, limit: int = LABEL_VARIANTS
) -> dict[int, list[tuple[str, int]]]:
    """For each key_index of these texts, up to `limit` raw texts written for it, with how
    often: the most often written first (ties: alphabetical).

    Call it per (domain, kind): one normalised key can stand for a citizen's need and a
    staff member's realisation, and a theme must only quote its own answers.
    """
    found = _variants(
        np.zeros(len(texts), dtype=int),
        texts["key_index"].to_numpy(),
        texts["text"],
        limit,
        weights(texts),
    )
    return {key: variants for (_, key), variants in found.items()}


def most_frequent_text(texts: pd.DataFrame) -> dict[int, str]:
    """For each key_index of these texts, the raw text most often written (ties:
    alphabetical); see text_variants."""
    return {key: found[0][0] for key, found in text_variants(texts, limit=1).items()}


def choose_label(
    candidates: list[list[tuple[str, int]]],
    noise: Callable[[str], int],
    typos: Mapping[str, int] | None = None,
) -> str:
    """The label among the raw texts of a theme's most representative keys (most
    representative first, each key's texts most frequent first): the tidiest one (least
    `noise`, plus its corrected `typos`), then the most representative, then the most
    often written, then alphabetical. A label is always an answer as written.

    `noise` is never negative, so a text that could not win even with no noise at all
    is not scored (most themes have a tidy text among their first candidates)."""
    typos = typos or {}
    best: tuple[int, int, int, str] | None = None
    for rank, variants in enumerate(candidates):
        for text, count in variants:
            least = (typos.get(text, 0), rank, -count, text)
            if best is not None and best <= least:
                continue
            score = (noise(text) + least[0], *least[1:])
            if best is None or score < best:
                best = score
    return "" if best is None else best[3]


def _typos_by_text(texts: pd.DataFrame) -> dict[str, int]:
    """Corrected typos of each raw text that has any (see shared.spelling)."""
    if "typos" not in texts.columns:
        return {}
    with_typos = texts.loc[texts["typos"].to_numpy() > 0]
    return dict(zip(with_typos["text"], with_typos["typos"].astype(int), strict=True))


def surface_forms(texts: pd.DataFrame, fallback: Mapping[str, str] = {}) -> dict[str, str]:  # noqa: B006 - read only
    """The word shown for each stem: the normalised form the answers use most often for it
    ("penanganan" for "tangan" when that is how people wrote it), ties to the shorter, then
    alphabetical; stems the answers never use keep their `fallback` form."""
    pairs = texts.assign(_n=weights(texts)).groupby(["norm", "stems"], sort=False)["_n"].sum()
    return {**fallback, **_commonest_forms(pairs.items())}


def _commonest_forms(pairs: Iterable[tuple[Any, Any]]) -> dict[str, str]:
    """{stem: its commonest word} from ((norm, stems), count) pairs (see surface_forms)."""
    best: dict[str, tuple[int, int, str]] = {}
    counts: dict[tuple[str, str], int] = {}
    for (norm, stems), n in pairs:
        words, roots = str(norm).split(), str(stems).split()
        if len(words) != len(roots):
            continue
        for word, root in zip(words, roots, strict=True):
            counts[(root, word)] = counts.get((root, word), 0) + int(n)
    for (root, word), n in counts.items():
        rank = (-n, len(word), word)
        if root not in best or rank < best[root]:
            best[root] = rank
    return {root: rank[2] for root, rank in best.items()}


# Long texts (letters) share fewer of their words than short answers saying the same: two
# letters about one problem have a cosine of ~0.1 where two short answers have ~0.4. So a
# pair with a text of more than SHORT_TEXT_WORDS content words is compared on single
# words only, and its similarity scaled up by sqrt(words / SHORT_TEXT_WORDS) for each long
# text: as if each letter were cut to SHORT_TEXT_WORDS words of its point. Pairs of short
# answers are compared exactly as before.
SHORT_TEXT_WORDS = 8


def _length_scale(keys: np.ndarray) -> np.ndarray:
    words = np.array([len(str(key).split()) for key in keys], dtype=float)
    return np.sqrt(np.maximum(1.0, words / SHORT_TEXT_WORDS))


def _similarity(rows: np.ndarray, vectors: KeyVectors, unigram: np.ndarray) -> np.ndarray:
    """Cosine similarities of these distinct texts (length-aware, see SHORT_TEXT_WORDS)."""
    matrix = vectors.matrix[rows]
    similarity = (matrix @ matrix.T).toarray()
    scale = _length_scale(vectors.keys[rows])
    long = scale > 1.0
    if long.any():
        single = l2(matrix @ sparse.diags(unigram.astype(np.float32)))
        scaled = (single @ single.T).toarray() * np.outer(scale, scale)
        either = long[:, None] | long[None, :]
        similarity = np.where(either, np.minimum(scaled, 1.0), similarity)
    return similarity


def _cluster(similarity: np.ndarray, distance: float) -> np.ndarray:
    if similarity.shape[0] < 2:
        return np.zeros(similarity.shape[0], dtype=int)
    distances = np.clip(1.0 - similarity, 0.0, 2.0)
    distances = (distances + distances.T) / 2  # float rounding can break symmetry
    np.fill_diagonal(distances, 0.0)
    model = AgglomerativeClustering(
        n_clusters=None,
        metric="precomputed",
        linkage="average",
        distance_threshold=distance,
    )
    return model.fit_predict(distances)


@dataclass(frozen=True)
class _Group:
    """The distinct texts of one (domain, kind), ranked: most frequent first, then by text."""

    domain: str
    kind: str
    keys: np.ndarray  # distinct key_index values, sorted
    inverse: np.ndarray  # position in keys of each text of the group
    answers: np.ndarray  # weight of each text of the group
    order: np.ndarray  # keys ranked
    has_words: np.ndarray  # per ranked key
    candidates: np.ndarray  # ranked keys with words
    candidate_counts: np.ndarray
    head: np.ndarray  # the candidates clustered exactly

    @classmethod
    def build(
        cls,
        name: tuple[str, str],
        keys_of_texts: np.ndarray,
        row_nnz: np.ndarray,
        cap: int,
        answers: np.ndarray,
    ) -> _Group:
        keys, inverse = np.unique(keys_of_texts, return_inverse=True)
        counts = np.bincount(inverse, weights=answers, minlength=len(keys)).astype(np.int64)
        order = np.lexsort((keys, -counts))
        has_words = row_nnz[keys[order]] > 0
        candidates = keys[order][has_words]
        return cls(
            domain=name[0],
            kind=name[1],
            keys=keys,
            inverse=inverse,
            answers=answers,
            order=order,
            has_words=has_words,
            candidates=candidates,
            candidate_counts=counts[order][has_words],
            head=candidates[:cap],
        )

    @property
    def counts(self) -> np.ndarray:
        return np.bincount(self.inverse, weights=self.answers, minlength=len(self.keys)).astype(
            np.int64
        )


def _cluster_group(
    group: _Group, vectors: KeyVectors, params: Parameters, unigram: np.ndarray
) -> tuple[np.ndarray, np.ndarray, int]:
    """(labels of the head, labels of all candidates (-1: none), number of clusters)."""
    labels = _cluster(_similarity(group.head, vectors, unigram), params.theme_distance)
    n_clusters = int(labels.max()) + 1 if len(labels) else 0
    tail = group.candidates[params.theme_cap :]
    tail_labels = np.empty(0, dtype=int)
    if len(tail) and n_clusters:
        centroids = _centroids(
            labels,
            group.candidate_counts[: len(group.head)],
            vectors.matrix[group.head],
            n_clusters,
        )
        similarity = sparse.csr_matrix(vectors.matrix[tail] @ centroids.T)
        best = np.asarray(similarity.argmax(axis=1)).ravel()
        best_value = np.asarray(similarity.max(axis=1).todense()).ravel()
        tail_labels = np.where(best_value >= params.tail_similarity, best, -1)
    all_labels = np.concatenate([labels, tail_labels]).astype(int)
    all_labels = merge_near_duplicates(all_labels, [vectors.keys[k] for k in group.candidates])
    return labels, all_labels, n_clusters


def _number_clusters(
    group: _Group, labels: np.ndarray, all_labels: np.ndarray, n_clusters: int, minimum: int
) -> np.ndarray:
    """Theme numbers of the candidates (0: "lainnya"): the kept clusters by size, ties by
    their most frequent text's position (labels come from the head, ranked by frequency)."""
    assigned = all_labels >= 0
    sizes = np.bincount(
        all_labels[assigned], weights=group.candidate_counts[assigned], minlength=n_clusters
    )
    first_position = np.full(n_clusters, len(all_labels))
    np.minimum.at(first_position, labels, np.arange(len(labels)))
    kept = [c for c in range(n_clusters) if sizes[c] >= minimum]
    kept.sort(key=lambda c: (-sizes[c], first_position[c]))
    number_of = np.zeros(n_clusters + 1, dtype=int)  # index -1 (unassigned) -> 0
    number_of[np.array(kept, dtype=int)] = np.arange(1, len(kept) + 1)
    return number_of[all_labels]


def _chosen_keys(
    group: _Group,
    final_labels: np.ndarray,
    centroids: sparse.csr_matrix,
    vectors: KeyVectors,
    params: Parameters,
) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    """({number: keys quoted}, {number: keys a label is chosen from}): closest to their
    theme's centroid, then most frequent. "lainnya" quotes its most frequent texts."""
    head = group.head
    head_labels = final_labels[: len(head)]
    own = np.zeros(len(head))
    themed = head_labels > 0
    if themed.any():
        own[themed] = np.asarray(
            vectors.matrix[head[themed]].multiply(centroids[head_labels[themed] - 1]).sum(axis=1)
        ).ravel()
    wanted: dict[int, list[int]] = {}
    label_keys: dict[int, list[int]] = {}
    for number in range(1, centroids.shape[0] + 1):
        members = np.flatnonzero(head_labels == number)
        members = members[np.lexsort((members, -own[members]))]
        wanted[number] = head[members[: params.quotes]].tolist()
        label_keys[number] = head[members[: params.label_candidates]].tolist()
    return wanted, label_keys


@dataclass(frozen=True)
class _Labelling:
    """What turns a group's clusters into theme rows."""

    surface: Mapping[str, str]
    params: Parameters
    noise: Callable[[str], int]
    tidy: Callable[[str], str]
    typos: Mapping[str, int]


def _theme_rows(
    group: _Group,
    numbers: list[int],
    wanted: dict[int, list[int]],
    label_keys: dict[int, list[int]],
    variants: dict[int, list[tuple[str, int]]],
    centroids: sparse.csr_matrix,
    vectors: KeyVectors,
    how: _Labelling,
) -> list[dict]:
    prefix = f"{group.domain}.{group.kind}."
    rows = []
    for row_in_group, number in enumerate(numbers):
        quotes = [scrub_pii(variants[k][0][0]) for k in wanted[number]]
        other = number == OTHER_THEME_NUMBER
        representative = quotes[0] if quotes else ""
        if not other:
            representative = scrub_pii(
                choose_label([variants[k] for k in label_keys[number]], how.noise, how.typos)
            )
        label = (
            OTHER_THEME_LABEL
            if other
            else _shorten(how.tidy(representative), how.params.label_length)
        )
        rows.append(
            {
                "theme_id": f"{prefix}{number}",
                "domain": group.domain,
                "kind": group.kind,
                "number": number,
                "is_other": other,
                "label": label,
                "representative": representative,
                "keywords": _keywords(
                    centroids, row_in_group, vectors, how.surface, how.params.keywords
                ),
                "quotes": quotes,
            }
        )
    return rows


def _group_themes(
    group: _Group,
    vectors: KeyVectors,
    variants: dict[int, list[tuple[str, int]]],
    how: _Labelling,
    unigram: np.ndarray,
) -> tuple[np.ndarray, list[dict], sparse.csr_matrix]:
    """(theme id of each text of the group, theme rows, centroids) of one (domain, kind)."""
    params = how.params
    labels, all_labels, n_clusters = _cluster_group(group, vectors, params, unigram)
    minimum = (
        params.min_staff_theme_answers
        if group.kind in STAFF_KINDS
        else params.min_citizen_theme_answers
    )
    final_labels = _number_clusters(group, labels, all_labels, n_clusters, minimum)
    n_kept = int(final_labels.max(initial=0))
    # theme number of every distinct key of the group (keys without words: "lainnya")
    key_numbers = np.zeros(len(group.keys), dtype=int)
    key_numbers[group.order[group.has_words]] = final_labels
    prefix = f"{group.domain}.{group.kind}."
    names = np.array([f"{prefix}{n}" for n in range(n_kept + 1)], dtype=object)
    number_centroids = _centroids(
        final_labels - 1, group.candidate_counts, vectors.matrix[group.candidates], n_kept
    )
    wanted, label_keys = _chosen_keys(group, final_labels, number_centroids, vectors, params)
    is_other = key_numbers[group.order] == 0
    wanted[OTHER_THEME_NUMBER] = group.keys[group.order][is_other][: params.quotes].tolist()
    numbers = list(range(1, n_kept + 1))
    blocks = [number_centroids]
    if is_other.any():
        numbers.append(OTHER_THEME_NUMBER)
        blocks.append(
            _centroids(
                np.where(key_numbers == 0, 0, -1),
                group.counts.astype(float),
                vectors.matrix[group.keys],
                1,
            )
        )
    centroids = sparse.vstack(blocks, format="csr")
    rows = _theme_rows(group, numbers, wanted, label_keys, variants, centroids, vectors, how)
    return names[key_numbers[group.inverse]], rows, centroids


THEME_COLUMNS = [
    "theme_id",
    "domain",
    "kind",
    "number",
    "is_other",
    "label",
    "representative",
    "keywords",
    "quotes",
]


def group_themes(
    texts: pd.DataFrame,
    vectors: KeyVectors,
    *,
    surface: Mapping[str, str],
    params: Parameters,
    noise: Callable[[str], int] = lambda text: 0,
    tidy: Callable[[str], str] = lambda text: text,
    members: Members | None = None,
) -> Themes:
    """Group the texts of each (domain, kind) into themes; see the module docstring.
    Keywords show each stem as the word the texts use most for it (surface_forms; the
    given `surface` for the others). `texts` may be aggregated (a weight `answers` per row,
    its answers in `members`); without members each row is one answer (answer_id,
    respondent)."""
    if members is None:
        members = members_of_answers(texts)
    answers = weights(texts)
    theme_ids = np.empty(len(texts), dtype=object)
    rows: list[dict] = []
    centroid_blocks: list[sparse.csr_matrix] = []
    row_nnz = np.diff(vectors.matrix.indptr)
    key_index = texts["key_index"].to_numpy()
    grouped = texts.groupby(["domain", "kind"], sort=True)
    groups = grouped.indices
    # Per (domain, kind): a theme quotes only answers of its own kind and domain.
    all_variants = _variants(
        grouped.ngroup().to_numpy(), key_index, texts["text"], LABEL_VARIANTS, answers
    )
    how = _Labelling(
        surface={},  # keywords as stems here; shown as words below (_readable_keywords)
        params=params,
        noise=noise,
        tidy=tidy,
        typos=_typos_by_text(texts),
    )
    unigram = np.array([" " not in feature for feature in vectors.features])
    for number_of_group, (name, positions) in enumerate(sorted(groups.items())):
        group = _Group.build(
            name, key_index[positions], row_nnz, params.theme_cap, answers[positions]
        )
        variants = {key: all_variants[(number_of_group, key)] for key in group.keys}
        ids, group_rows, centroids = _group_themes(group, vectors, variants, how, unigram)
        theme_ids[positions] = ids
        rows.extend(group_rows)
        centroid_blocks.append(centroids)
    themes = _themes(texts, theme_ids, rows, centroid_blocks, vectors, members)
    if "norm" not in texts.columns:
        return replace(themes, table=themes.table.assign(keywords=_as_words(themes.table, surface)))
    keywords = _readable_keywords(themes.table, texts.assign(theme_id=themes.theme_ids), surface)
    return replace(themes, table=themes.table.assign(keywords=keywords))


def _words_of(keywords: list[str], surface: Mapping[str, str]) -> list[str]:
    return [" ".join(surface.get(stem, stem) for stem in keyword.split()) for keyword in keywords]


def _as_words(table: pd.DataFrame, surface: Mapping[str, str]) -> list[list[str]]:
    return [_words_of(keywords, surface) for keywords in table["keywords"]]


def _readable_keywords(
    table: pd.DataFrame, texts: pd.DataFrame, fallback: Mapping[str, str]
) -> list[list[str]]:
    """Each theme's keywords with every stem shown as the word its own answers use most for
    it ("pengadaan obat" in a theme where people wrote "pengadaan", though "ada" is the
    commonest form of "ada" overall); then the campaign's commonest form (surface_forms)."""
    overall = surface_forms(texts, fallback)
    pairs = (
        texts.assign(_n=weights(texts))
        .groupby(["theme_id", "norm", "stems"], sort=False)["_n"]
        .sum()
    )
    by_theme: dict[str, list] = {}
    for (theme_id, norm, stems), n in pairs.items():
        by_theme.setdefault(theme_id, []).append(((norm, stems), n))
    per_theme = {theme_id: _commonest_forms(found) for theme_id, found in by_theme.items()}
    return [
        _words_of(keywords, {**overall, **per_theme.get(theme_id, {})})
        for theme_id, keywords in zip(table["theme_id"], table["keywords"], strict=True)
    ]


def theme_counts(theme_ids: pd.Series, answers: np.ndarray, members: Members) -> pd.DataFrame:
    """Per theme id (index): answer_count, respondent_count and answer_ids (in answer
    order) of the rows `theme_ids` labels (missing: no theme), counted over `members`.
    answer_ids are answer numbers (pipeline.answer_number: an int64 array per theme, ~8
    bytes an answer where "a123" strings take ~60); summary.json writes them as ids."""
    codes, names = pd.factorize(theme_ids.astype(object))
    n = len(names)
    themed = codes >= 0
    answer_count = np.bincount(codes[themed], weights=answers[themed], minlength=n)
    row_codes = codes.astype(np.int32)
    pairs = distinct_answer_pairs(members.respondent, members, row_codes, n)
    respondent_count = np.bincount(pairs % max(n, 1), minlength=n)
    del pairs
    of_answer = row_codes[members.row]
    has_theme = of_answer >= 0
    of_answer = of_answer[has_theme]
    order = np.argsort(of_answer, kind="stable")
    numbers = members.answer[has_theme][order]
    ends = np.cumsum(np.bincount(of_answer, minlength=n))
    starts = ends - np.bincount(of_answer, minlength=n)
    return pd.DataFrame(
        {
            "answer_count": answer_count.astype(np.int64),
            "respondent_count": respondent_count.astype(np.int64),
            "answer_ids": [numbers[a:b] for a, b in zip(starts, ends, strict=True)],
        },
        index=pd.Index(names, name="theme_id"),
    )


def _themes(
    texts: pd.DataFrame,
    theme_ids: np.ndarray,
    rows: list[dict],
    centroid_blocks: list[sparse.csr_matrix],
    vectors: KeyVectors,
    members: Members,
) -> Themes:
    assigned = pd.Series(theme_ids, index=texts.index, dtype=object)
    table = pd.DataFrame(rows, columns=THEME_COLUMNS)
    stats = theme_counts(assigned, weights(texts), members)
    # Rows are already ordered: groups sorted, themes by number, "lainnya" last.
    table = table.join(stats, on="theme_id")
    centroid_matrix = (
        sparse.vstack(centroid_blocks, format="csr")
        if centroid_blocks
        else sparse.csr_matrix((0, vectors.matrix.shape[1]), dtype=np.float32)
    )
    return Themes(theme_ids=assigned, table=table, centroids=centroid_matrix)


# --- the gap matrix ---------------------------------------------------------------------
STAFF_ROW_FIELDS = {
    "staff_need": "need",
    "staff_obstacle": "obstacle",
    "staff_realisation": "realisation",
    "staff_strategy": "strategy",
    "staff_target": "indicator",
}
# A staff row's structured fields (see pipeline.staff_fields), as summary.json shows them.
STAFF_FIELD_COLUMNS = ("opd", "unit", "baseline", "budget")
# The fields of a staff row that say what it does for citizens; each is matched on its
# own (joined, a row's five fields dilute each other).
GAP_FIELDS = ("need", "strategy", "realisation")
# Fields whose stems a staff row carries: the gap fields and the obstacle (see links.py).
STEM_FIELDS = ("need", "obstacle", "strategy", "realisation")


def staff_rows(
    texts: pd.DataFrame, targets: pd.DataFrame, fields: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One row per staff row (run, block, item) with its respondent's pseudonym, its texts
    (PII-scrubbed), targets, its agency, unit, baseline and budget (`fields`, from
    pipeline.staff_fields: None and {} where not given), and the stems of the fields matched
    against citizen needs (`<field>_stems`)."""
    staff = texts.loc[texts["kind"].isin(STAFF_ROW_FIELDS)]
    stem_columns = [f"{field}_stems" for field in STEM_FIELDS]
    columns = [
        "row_id",
        "domain",
        "respondent",
        *STAFF_ROW_FIELDS.values(),
        "answer_ids",
        "targets",
        *STAFF_FIELD_COLUMNS,
    ]
    columns += stem_columns
    if staff.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    staff = staff.assign(field=staff["kind"].map(STAFF_ROW_FIELDS))
    # One answer per field of a row (the slot is unique), so "first" takes it.
    firsts = staff.drop_duplicates(["row_id", "field"])  # pivot_table's "first", 10x faster
    both = firsts.pivot(index="row_id", columns="field", values=["text", "stems"]).sort_index()
    wide = both["text"].reindex(columns=list(STAFF_ROW_FIELDS.values()))
    for column in wide.columns:
        wide[column] = scrub_texts(wide[column])
    field_stems = both["stems"].reindex(columns=list(STEM_FIELDS)).astype(object)
    field_stems = field_stems.where(field_stems.notna(), "")
    grouped = staff.sort_values("answer_id", kind="stable").groupby("row_id", sort=True)
    domain = grouped["domain"].first()
    respondent = grouped["respondent"].first()
    ids = _listed_by(staff["row_id"], staff["answer_id"])
    relevant = targets.loc[targets["row_id"].isin(wide.index)].sort_values(["row_id", "year"])
    target_ids = _listed_by(relevant["row_id"], relevant["answer_id"])
    per_row: dict[str, dict[str, float]] = {}
    # One string per year, not one per target (10M answers: 50 MB).
    year_keys = {year: str(year) for year in relevant["year"].unique()}
    for row_id, year, value in zip(
        relevant["row_id"], relevant["year"], relevant["value"], strict=True
    ):
        per_row.setdefault(row_id, {})[year_keys[year]] = float(value)
    given = (fields if fields is not None else pd.DataFrame()).reindex(
        index=wide.index, columns=list(STAFF_FIELD_COLUMNS)
    )
    result = wide.assign(
        domain=domain,
        respondent=respondent,
        answer_ids=[ids.get(r, []) + target_ids.get(r, []) for r in wide.index],
        targets=[per_row.get(r, {}) for r in wide.index],
        opd=_given(given["opd"]),
        unit=_given(given["unit"]),
        baseline=_given(given["baseline"]),
        budget=[budget if isinstance(budget, dict) else {} for budget in given["budget"]],
        **{f"{f}_stems": field_stems[f].astype(object) for f in STEM_FIELDS},
    )
    return result.rename_axis("row_id").reset_index()[columns]


def _listed_by(keys: pd.Series, values: pd.Series) -> dict[object, list]:
    """Each key's values, in their order. groupby(...).agg(list) calls Python once a
    group: 10 s for the 176,000 staff rows of 10M answers."""
    codes, uniques = pd.factorize(keys)
    order = np.argsort(codes, kind="stable")
    listed = values.to_numpy(dtype=object)[order].tolist()
    ends = np.cumsum(np.bincount(codes[codes >= 0], minlength=len(uniques)))
    first = len(codes) - int(ends[-1]) if len(ends) else 0  # keys missing sort first
    bounds = (first + np.concatenate([[0], ends])).tolist()
    return {key: listed[bounds[i] : bounds[i + 1]] for i, key in enumerate(uniques)}


def _given(values: pd.Series) -> list[object]:
    """A staff row's field objects (dicts), None where not given."""
    return [value if isinstance(value, dict) else None for value in values]


def _domain_weights(
    vectors: KeyVectors,
    keys: np.ndarray,
    need_centroids: sparse.csr_matrix,
    unigram: np.ndarray,
) -> sparse.dia_matrix:
    """Re-weights TF-IDF vectors for matching staff rows to the need themes of one domain:
    unigrams only, each by its IDF among the domain's distinct texts (not the whole
    campaign's), divided by the number of the domain's need themes that use it. A word
    that several needs share ("puskesmas" in kesehatan) cannot tell which need a row
    addresses; the word that tells the themes apart ("obat") can."""
    assert vectors.vectorizer is not None
    matrix = vectors.matrix[keys]
    document_frequency = np.bincount(matrix.indices, minlength=matrix.shape[1])
    domain_idf = np.log((1 + len(keys)) / (1 + document_frequency)) + 1
    themes_using = np.bincount(need_centroids.indices, minlength=matrix.shape[1])
    scale = np.where(
        unigram, domain_idf / vectors.vectorizer.idf_ / np.maximum(themes_using, 1), 0.0
    )
    return sparse.diags(scale.astype(np.float32))


def _empty_links() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "theme_id": pd.Series(dtype=object),
            "row_id": pd.Series(dtype=object),
            "similarity": pd.Series(dtype=float),
            "field": pd.Series(dtype=object),
        }
    )


def gap_links(
    rows: pd.DataFrame,
    themes: Themes,
    vectors: KeyVectors,
    texts: pd.DataFrame,
    *,
    params: Parameters,
    subject: np.ndarray | None = None,
) -> pd.DataFrame:
    """(theme_id, row_id, similarity, field) for each citizen need theme a staff row
    addresses: the best cosine between the theme's centroid and one of the row's
    GAP_FIELDS, with domain weights (see _domain_weights), from params.gap_similarity.
    `subject` (processor.links.subject_features) leaves out words that are no subject,
    such as place names; by default every single word counts."""
    is_need = (themes.table["kind"] == "citizen_need") & ~themes.table["is_other"]
    if rows.empty or not is_need.any() or vectors.vectorizer is None:
        return _empty_links()
    need_table = themes.table.loc[is_need]
    field_vectors = [vectors.transform(rows[f"{f}_stems"].tolist()) for f in GAP_FIELDS]
    text_domains = texts["domain"].to_numpy()
    key_index = texts["key_index"].to_numpy()
    row_domains = rows["domain"].to_numpy()
    unigram = np.array([" " not in feature for feature in vectors.features])
    if subject is not None:
        unigram = unigram & subject
    links: list[pd.DataFrame] = []
    for domain, theme_positions in sorted(need_table.groupby("domain").indices.items()):
        theme_index = need_table.index[theme_positions]
        row_positions = np.flatnonzero(row_domains == domain)
        if len(row_positions) == 0:
            continue
        weights = _domain_weights(
            vectors,
            np.unique(key_index[text_domains == domain]),
            themes.centroids[theme_index],
            unigram,
        )
        centroids = l2(themes.centroids[theme_index] @ weights)
        per_field = np.stack(
            [
                (l2(matrix[row_positions] @ weights) @ centroids.T).toarray()
                for matrix in field_vectors
            ]
        )  # fields x rows x themes
        best_field = per_field.argmax(axis=0)  # ties: the first of GAP_FIELDS
        similarity = per_field.max(axis=0)
        row_at, theme_at = np.nonzero(similarity >= params.gap_similarity)
        links.append(
            pd.DataFrame(
                {
                    "theme_id": need_table.loc[theme_index[theme_at], "theme_id"].to_numpy(),
                    "row_id": rows["row_id"].to_numpy()[row_positions[row_at]],
                    "similarity": similarity[row_at, theme_at].round(3),
                    "field": np.array(GAP_FIELDS, dtype=object)[best_field[row_at, theme_at]],
                }
            )
        )
    if not links:
        return _empty_links()
    return (
        pd.concat(links, ignore_index=True)
        .sort_values(
            ["theme_id", "similarity", "row_id"], ascending=[True, False, True], kind="stable"
        )
        .reset_index(drop=True)
    )


# --- near-duplicate themes ------------------------------------------------------------------
NEAR_DUPLICATE = 92  # rapidfuzz token_sort_ratio of two texts' stems that still say the same


def merge_near_duplicates(
    labels: np.ndarray, stems: list[str], *, cutoff: float = NEAR_DUPLICATE
) -> np.ndarray:
    """Cluster labels (one per ranked distinct text; -1 unassigned) with themes that differ
    only by typos or word order merged: two clusters whose most frequent texts' stems score
    at least `cutoff` (token_sort_ratio) become one, and an unassigned text that close to a
    cluster's most frequent text joins it. "puskesmas keliing ke dusun" joins "puskesmas
    keliling ke dusun"; the counts add up when the themes are counted. Returns new labels."""
    from rapidfuzz import fuzz, process

    labels = labels.copy()
    clusters = [c for c in dict.fromkeys(labels.tolist()) if c >= 0]  # by frequency
    if not clusters:
        return labels
    first = {c: int(np.flatnonzero(labels == c)[0]) for c in clusters}
    heads = [stems[first[c]] for c in clusters]
    scores = process.cdist(heads, heads, scorer=fuzz.token_sort_ratio, score_cutoff=cutoff)
    target = {c: c for c in clusters}
    for i, c in enumerate(clusters):  # the larger (earlier) cluster absorbs the later one
        for j in np.flatnonzero(scores[i, :i]):
            target[c] = target[clusters[int(j)]]
            break
    mapped = np.array([target.get(int(label), int(label)) for label in labels], dtype=int)
    loose = np.flatnonzero(mapped < 0)
    if len(loose):
        near = process.cdist(
            [stems[i] for i in loose], heads, scorer=fuzz.token_sort_ratio, score_cutoff=cutoff
        )
        best = near.argmax(axis=1)
        found = near.max(axis=1) > 0
        mapped[loose[found]] = [target[clusters[int(b)]] for b in best[found]]
    return mapped


# --- formal labels ------------------------------------------------------------------------
_RAW_WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*")
UNITS = frozenset({"km", "m", "cm", "kg", "ha", "rp", "jt", "kwh"})  # slang.yaml: km = kamu
INFORMAL_AT_END = frozenset({"banget", "bgt", "dong", "deh", "sih", "nih", "ya", "yah", "kok"})


def formal_label(label: str, representative: str, words: str | None) -> str:
    """The label as the plan writes it: the representative answer's slang expansions and
    typo corrections (its normalised `words`, see shared.text.TextStreams) applied to the
    label's own words where the two line up one to one, closing chat particles and
    intensifiers dropped, sentence case. Capitalised words (acronyms, brands), a unit after
    a number ("35 km") and the punctuation stay as written. The label and the quotes
    themselves stay verbatim."""
    raw = _RAW_WORD.findall(representative)
    normal = (words or "").split()
    fixes: dict[str, str] = {}
    if len(raw) == len(normal):
        for before, (token, after) in zip(["", *raw], zip(raw, normal, strict=True), strict=False):
            keep = (
                token[1:] != token[1:].lower()
                or token.isupper()
                or before.isdigit()
                or token.lower() in UNITS
            )
            if not keep and token.lower() != after:
                fixes[token.lower()] = after

    def fix(match: re.Match[str]) -> str:
        token = match.group()
        after = fixes.get(token.lower())
        if after is None:
            return token
        return after.capitalize() if token[:1].isupper() else after

    kept = _RAW_WORD.sub(fix, label).split()
    while len(kept) > 1 and kept[-1].lower().strip("!?.,") in INFORMAL_AT_END:
        kept.pop()
    text = " ".join(kept).rstrip(",;:")
    return text[:1].upper() + text[1:] if text else label


def formal_labels(table: pd.DataFrame, texts: pd.DataFrame) -> list[str]:
    """label_formal of every theme: from the normalised words of its representative answer."""
    words = texts.drop_duplicates("text").set_index("text")["words"]
    return [
        label if is_other else formal_label(label, representative, words.get(representative))
        for label, representative, is_other in zip(
            table["label"], table["representative"], table["is_other"], strict=True
        )
    ]
