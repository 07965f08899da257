"""Corpus-driven spelling normalisation: a rare unknown token that is a small edit away from
a much more frequent token (or from a keyword of the data files) is read as that token.

"pskesmas" in one answer beside "puskesmas" in hundreds, "amblns" beside the kesehatan
keyword "ambulans": without this, a typo makes its own theme. The rules guard against
merging real words ("jala"/"jalan", "sawah"/"sampah", "guru"/"gula"):

- only a token that is *unknown* can be corrected: not in the stemmer's dictionary, the
  slang map, the stop words or the keywords, and not an inflected form of a known root
  ("pelayaran" stems to "layar", so it is a word, not a typo of "pelayanan");
- it has at least `min_length` letters, and one shorter than `same_length_below` may
  only have two neighbouring letters swapped ("deas" -> "desa", never "jala" -> "jalan");
- the same first letter, and a Damerau-Levenshtein distance of at most 1, or at most 2
  when the correction has `long_word` letters or more ("kecelkan" -> "kecelakaan");
- the correction occurs in at least `ratio` times as many distinct texts, or it is a
  keyword token of the domain or dimension data and the typo occurs in at most
  `rare_texts` distinct texts;
- or the token is the word without its vowels, as chat abbreviates ("amblns" ->
  "ambulans"), and the word is a keyword or at least as frequent: such an abbreviation
  can be how most people write the word, so it need not be rare.

Among several corrections the nearest wins, then the most frequent, then the first
alphabetically, so the result does not depend on the order of the input. The work is done
on distinct tokens only, bucketed by first letter, with rapidfuzz's C++ edit distance.
Fixed corrections a planner knows of belong in slang.yaml, which is applied first.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from rapidfuzz.distance import DamerauLevenshtein
from rapidfuzz.process import cdist


@dataclass(frozen=True)
class SpellingRules:
    """When a rare token is read as another one (see the module docstring)."""

    min_length: int = 4  # shorter tokens are never corrected
    same_length_below: int = 5  # tokens shorter than this may not gain or lose letters
    long_word: int = 7  # a correction this long may be 2 edits away, a shorter one 1
    ratio: float = 10.0  # the correction is in >= ratio x as many distinct texts
    rare_texts: int = 3  # ... or a keyword, and the typo in at most this many texts


_VOWELS = re.compile(r"[aeiou]")


def _skeleton(word: str) -> str:
    """The word as chat writes it without vowels: "ambulans" -> "amblns"."""
    return word[0] + _VOWELS.sub("", word[1:])


def _allowed(typo: str, word: str, rules: SpellingRules) -> int:
    """The largest distance allowed between this typo and this word (-1: none)."""
    if typo[0] != word[0] or typo == word:
        return -1
    if len(typo) < rules.same_length_below:
        # A short token: only two neighbouring letters swapped ("deas" -> "desa"); a
        # letter more, less or different is too often another word ("jala", "kali").
        return 1 if sorted(typo) == sorted(word) else -1
    limit = 2 if len(word) >= rules.long_word else 1
    return limit if abs(len(word) - len(typo)) <= limit else -1


@dataclass(frozen=True)
class _Buckets:
    """Distinct tokens by first letter: those that may be typos (`sources`), those that may
    be corrections (`targets`), and the words by their vowel-less skeleton."""

    words: Mapping[str, int]
    anchors: frozenset[str]
    sources: dict[str, list[str]]
    targets: dict[str, list[str]]
    skeletons: dict[str, list[str]]

    @classmethod
    def build(
        cls,
        counts: Mapping[str, int],
        anchors: Iterable[str],
        rules: SpellingRules,
        is_known: Callable[[str], bool],
    ) -> _Buckets:
        anchor_set = frozenset(a for a in anchors if a.isalpha() and counts.get(a, 0) > 0)
        words = {t: n for t, n in counts.items() if t.isalpha() and n > 0}
        fewest = min(words.values(), default=1)
        buckets = cls(words, anchor_set, {}, {}, {})
        for token, n in words.items():
            # Could be a correction: a keyword, or frequent enough to correct the rarest typo.
            if token in anchor_set or n >= fewest * rules.ratio:
                buckets.targets.setdefault(token[0], []).append(token)
            if len(token) >= rules.min_length and token not in anchor_set and not is_known(token):
                buckets.sources.setdefault(token[0], []).append(token)
            if len(token) > rules.min_length and _VOWELS.search(token, 1):
                buckets.skeletons.setdefault(_skeleton(token), []).append(token)
        return buckets

    def qualifies(self, typo: str, word: str, rules: SpellingRules) -> bool:
        typo_n, word_n = self.words[typo], self.words[word]
        return word_n >= typo_n * rules.ratio or (
            word in self.anchors and typo_n <= rules.rare_texts
        )


def _keep_best(
    found: dict[str, tuple[int, int, str]], typo: str, rank: tuple[int, int, str]
) -> None:
    if typo not in found or rank < found[typo]:
        found[typo] = rank


def _skeleton_matches(
    buckets: _Buckets, typos: list[str], found: dict[str, tuple[int, int, str]]
) -> None:
    """Vowels dropped, as chat abbreviates: "amblns", "kshtn". Any frequency will do when
    the word is a keyword or at least as frequent."""
    words = buckets.words
    for typo in typos:
        if typo != _skeleton(typo):
            continue
        for word in buckets.skeletons.get(typo, ()):
            if word in buckets.anchors or words[word] >= words[typo]:
                _keep_best(found, typo, (0, -words[word], word))


def _edit_matches(
    buckets: _Buckets,
    typos: list[str],
    letter: str,
    rules: SpellingRules,
    found: dict[str, tuple[int, int, str]],
) -> None:
    """Typos a small edit away from a correction of the same first letter."""
    candidates = sorted(buckets.targets.get(letter, ()))
    if not candidates:
        return
    distances = cdist(
        typos,
        candidates,
        scorer=DamerauLevenshtein.distance,
        score_cutoff=2,
        dtype=np.int8,
        workers=1,
    )
    rows, columns = np.nonzero(distances <= 2)
    for row, column in zip(rows.tolist(), columns.tolist(), strict=True):
        typo, word = typos[row], candidates[column]
        distance = int(distances[row, column])
        if distance <= _allowed(typo, word, rules) and buckets.qualifies(typo, word, rules):
            _keep_best(found, typo, (distance, -buckets.words[word], word))


def _resolved(corrections: Mapping[str, str]) -> dict[str, str]:
    """A correction that is itself corrected ("puskemsa" -> "puskemas" -> "puskesmas")."""
    resolved: dict[str, str] = {}
    for typo, word in corrections.items():
        seen = {typo}
        while word in corrections and word not in seen:
            seen.add(word)
            word = corrections[word]
        resolved[typo] = word
    return resolved


def spelling_corrections(
    counts: Mapping[str, int],
    *,
    rules: SpellingRules = SpellingRules(),  # noqa: B008 - frozen
    anchors: Iterable[str] = (),
    is_known: Callable[[str], bool] = lambda token: False,
    is_inflected: Callable[[str], bool] = lambda token: False,
) -> dict[str, str]:
    """{typo: correction} for the tokens of a corpus.

    counts: in how many distinct texts each token occurs. anchors: keyword tokens of the
    data files. is_known: a word of the language (never corrected). is_inflected: asked
    only of a token that has a candidate correction (it may be slow, e.g. a stemmer):
    true when it is a form of a known word.
    """
    buckets = _Buckets.build(counts, anchors, rules, is_known)
    found: dict[str, tuple[int, int, str]] = {}
    for letter in sorted(buckets.sources):
        typos = sorted(buckets.sources[letter])
        _skeleton_matches(buckets, typos, found)
        _edit_matches(buckets, typos, letter, rules, found)
    corrections = {
        typo: word for typo, (_, _, word) in sorted(found.items()) if not is_inflected(typo)
    }
    return _resolved(corrections)
