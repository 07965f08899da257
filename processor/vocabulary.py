"""Keyword vocabularies from the data files: domain assignment and obstacle dimensions.

Keywords are run through the same normalisation and stemming as the answers, so
"jalan berlubang" in domains.yaml matches "jalannya bolong" in an answer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.preprocessing import normalize

from shared.survey_data import DimensionList, DomainList
from shared.text import TextTools

UNMAPPED = "belum_terpetakan"
OTHER_DOMAIN = "lainnya"
_TOKENS = r"\S+"


STREAMS = ("words", "word_stems", "stems")


def _phrase_stream(phrase: str, tools: TextTools) -> tuple[str, str] | None:
    """Where a keyword phrase is looked for, and its form there.

    - One word whose stem differs from it ("perumahan" -> "rumah") is matched as written,
      or the stem would match far too much.
    - A phrase with a stop word inside ("kematian ibu") is matched with its stop words,
      or it would shrink to a vague word ("mati").
    - Any other phrase is matched on the stems of its content words, so
      "jalannya yang berlubang" finds "jalan berlubang".
    """
    streams = tools.streams(phrase)
    if not streams.words:
        return None
    if len(streams.words.split()) == 1:
        if streams.stems == streams.words:
            return "stems", streams.stems
        return "words", streams.words
    if streams.norm != streams.words:
        return "word_stems", streams.word_stems
    return "stems", streams.stems


# Between the answers of one unit when they are classified together (pipeline.assign_domains):
# no phrase, gapped or not, runs across it.
ANSWER_BREAK = "."


class _PhraseCandidates:
    """Only the n-grams that could be a keyword phrase: those starting with a phrase's first
    word, in that phrase's lengths. Generating every 1-5-gram costs ~10x more.

    With `gap`, a two-word phrase also matches with up to `gap` words between its two
    words, within one answer: "jalan depan masjid rusak" has "jalan rusak". The texts are
    stems of content words, so stop words in between do not count."""

    def __init__(self, vocabulary: Sequence[str], gap: int = 0) -> None:
        lengths: dict[str, set[int]] = {}
        for term in vocabulary:
            words = term.split()
            lengths.setdefault(words[0], set()).add(len(words))
        self.lengths = {first: sorted(n) for first, n in lengths.items()}
        self.gap = gap

    def __call__(self, text: str) -> list[str]:
        tokens = text.split()
        found = []
        for i, token in enumerate(tokens):
            for n in self.lengths.get(token, ()):
                if i + n <= len(tokens):
                    found.append(token if n == 1 else " ".join(tokens[i : i + n]))
                if n == 2:
                    for j in range(i + 2, min(len(tokens), i + 2 + self.gap)):
                        if tokens[j - 1] == ANSWER_BREAK:
                            break
                        if tokens[j] != token:  # not "ajar … ajar"
                            found.append(f"{token} {tokens[j]}")
        return found


@dataclass(frozen=True)
class PhraseMatcher:
    """Counts keyword phrases in texts and turns them into points per label.

    A phrase weighs as many points as it has words ("jalan rusak" says more than
    "jalan"); a phrase several labels share after normalisation splits its weight.
    """

    labels: tuple[str, ...]
    vectorizers: Mapping[str, CountVectorizer]
    weights: Mapping[str, sparse.csr_matrix]  # stream -> terms x labels

    @classmethod
    def build(
        cls, phrases_by_label: Mapping[str, Sequence[str]], tools: TextTools, *, gap: int = 0
    ) -> PhraseMatcher:
        """`gap`: words allowed between the two words of a two-word phrase of content
        words (the stems stream; see _PhraseCandidates)."""
        labels = tuple(phrases_by_label)
        owners: dict[tuple[str, str], set[int]] = {}
        for column, label in enumerate(labels):
            for phrase in phrases_by_label[label]:
                found = _phrase_stream(phrase, tools)
                if found:
                    owners.setdefault(found, set()).add(column)
        vectorizers: dict[str, CountVectorizer] = {}
        weights: dict[str, sparse.csr_matrix] = {}
        for stream in STREAMS:
            vocabulary = sorted(term for (where, term) in owners if where == stream)
            if not vocabulary:
                continue
            matrix = sparse.lil_matrix((len(vocabulary), len(labels)))
            for row, term in enumerate(vocabulary):
                sharing = owners[(stream, term)]
                for column in sharing:
                    matrix[row, column] = len(term.split()) / len(sharing)
            vectorizers[stream] = CountVectorizer(
                vocabulary=vocabulary,
                analyzer=_PhraseCandidates(vocabulary, gap if stream == "stems" else 0),
                binary=True,
            )
            weights[stream] = matrix.tocsr()
        return cls(labels=labels, vectorizers=vectorizers, weights=weights)

    def points(self, texts: pd.DataFrame) -> sparse.csr_matrix:
        """texts (a frame with the stream columns) x labels."""
        total = sparse.csr_matrix((len(texts), len(self.labels)))
        for stream, vectorizer in self.vectorizers.items():
            total = total + vectorizer.transform(texts[stream].tolist()) @ self.weights[stream]
        return sparse.csr_matrix(total)


@dataclass(frozen=True)
class DomainClassifier:
    """Assigns a service domain to free text: keyword phrases plus TF-IDF similarity.

    score(domain) = keyword points + SIMILARITY_WEIGHT x cosine(text, domain document);
    confidence = (1 - exp(-best)) x best / (best + runner-up): high when the evidence is
    both strong and one-sided, low for a tie or a faint match.
    """

    codes: tuple[str, ...]
    phrases: PhraseMatcher
    document_vectorizer: TfidfVectorizer
    document_vectors: sparse.csr_matrix
    tools: TextTools | None = None

    SIMILARITY_WEIGHT = 3.0
    # A long text's subject (its title or first sentence, TextTools.headline) outweighs what
    # it mentions in passing: the domains its keywords point to share a bonus of
    # SUBJECT_WEIGHT x the best score of the whole text, in proportion to their points.
    # An aid complaint that quotes a NIK and tells of a trip to the civil registry stays an
    # aid complaint.
    SUBJECT_WEIGHT = 1.0
    # Citizens put places and objects inside a phrase: "jalan (di depan masjid) rusak".
    PHRASE_GAP = 2

    @classmethod
    def build(cls, *, domains: DomainList, tools: TextTools) -> DomainClassifier:
        usable = [d for d in domains.domains if d.code != OTHER_DOMAIN and d.keywords]
        phrases = PhraseMatcher.build(
            {d.code: d.keywords for d in usable}, tools, gap=cls.PHRASE_GAP
        )
        documents = [
            " ".join(
                [tools.stem_text(k) for k in d.keywords]
                + [tools.stem_text(d.description.id), tools.stem_text(d.name.id)]
            )
            for d in usable
        ]
        document_vectorizer = TfidfVectorizer(
            token_pattern=_TOKENS, lowercase=False, ngram_range=(1, 2), sublinear_tf=True
        )
        document_vectors = document_vectorizer.fit_transform(documents)
        return cls(
            codes=phrases.labels,
            phrases=phrases,
            document_vectorizer=document_vectorizer,
            document_vectors=document_vectors,
            tools=tools,
        )

    def subject(self, text: str) -> str:
        """The subject of a long text (its headline); "" for a short one."""
        if self.tools is None:
            return ""
        headline = self.tools.headline(text)
        return "" if headline == text else headline

    def subject_points(self, subjects: Sequence[str]) -> np.ndarray:
        """Keyword points of each text's subject (zeros where there is none)."""
        points = np.zeros((len(subjects), len(self.codes)))
        present = [i for i, subject in enumerate(subjects) if subject]
        if self.tools is None or not present:
            return points
        streams = pd.DataFrame([self.tools.streams(subjects[i]) for i in present])
        points[present] = np.asarray(self.phrases.points(streams).todense())
        return points

    def scores(self, texts: pd.DataFrame, subjects: Sequence[str] | None = None) -> np.ndarray:
        """texts (a frame of text streams) x domains evidence scores; `subjects`: each
        text's subject (see subject), weighed SUBJECT_WEIGHT more."""
        keyword_points = np.asarray(self.phrases.points(texts).todense())
        similarity = self.document_vectorizer.transform(texts["stems"].tolist()) @ (
            self.document_vectors.T
        )
        scores = keyword_points + self.SIMILARITY_WEIGHT * np.asarray(similarity.todense())
        if subjects is None:
            return scores
        subject = self.subject_points(subjects)
        total = subject.sum(axis=1, keepdims=True)
        share = np.divide(subject, total, out=np.zeros_like(subject), where=total > 0)
        return scores + self.SUBJECT_WEIGHT * share * scores.max(axis=1, keepdims=True)

    def classify(
        self, texts: pd.DataFrame, *, threshold: float, subjects: Sequence[str] | None = None
    ) -> pd.DataFrame:
        """One row per text: domain (or UNMAPPED below the threshold) and confidence."""
        if len(texts) == 0:
            return pd.DataFrame({"domain": pd.Series(dtype=object), "confidence": []})
        scores = self.scores(texts, subjects)
        order = np.argsort(-scores, axis=1, kind="stable")
        best = np.take_along_axis(scores, order[:, :1], axis=1)[:, 0]
        second = (
            np.take_along_axis(scores, order[:, 1:2], axis=1)[:, 0]
            if scores.shape[1] > 1
            else np.zeros_like(best)
        )
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(best > 0, best / (best + second), 0.0)
        confidence = (1.0 - np.exp(-best)) * share
        codes = np.array(self.codes, dtype=object)[order[:, 0]]
        domain = np.where(confidence >= threshold, codes, UNMAPPED)
        return pd.DataFrame(
            {"domain": domain, "confidence": confidence.round(3)}, index=texts.index
        )


@dataclass(frozen=True)
class DimensionTagger:
    """Tags obstacle texts with every problem dimension whose keyword phrase they contain."""

    codes: tuple[str, ...]
    phrases: PhraseMatcher

    @classmethod
    def build(cls, *, dimensions: DimensionList, tools: TextTools) -> DimensionTagger:
        phrases = PhraseMatcher.build({d.code: d.keywords for d in dimensions.dimensions}, tools)
        return cls(codes=phrases.labels, phrases=phrases)

    def tag(self, texts: pd.DataFrame) -> pd.DataFrame:
        """Long frame (text_index: position in texts, dimension) of every dimension found."""
        if len(texts) == 0:
            return pd.DataFrame({"text_index": pd.Series(dtype=int), "dimension": []})
        hits = self.phrases.points(texts).tocoo()
        frame = pd.DataFrame(
            {
                "text_index": hits.row.astype(int),
                "dimension": np.array(self.codes, dtype=object)[hits.col],
            }
        )
        return frame.sort_values(["text_index", "dimension"], ignore_index=True)


def l2_rows(matrix: sparse.spmatrix) -> sparse.csr_matrix:
    return normalize(sparse.csr_matrix(matrix), norm="l2", axis=1)
