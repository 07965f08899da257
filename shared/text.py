"""Indonesian-aware text handling shared by the bot and the processor.

Stored answers are never changed: everything here produces derived text for analysis
(normalised tokens, stems) or for reports (PII-scrubbed quotes).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from shared.pii import PII_PLACEHOLDERS, fold, scrub_pii
from shared.spelling import SpellingRules, spelling_corrections
from shared.survey_data import DATA_DIR, load_phrase_list, load_word_list, load_word_map

_TOKEN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_REDUPLICATED = re.compile(r"^([a-z]{2,})2$")  # "bolong2" = "bolong-bolong"
_RUN_OF_THREE = re.compile(r"(.)\1{2,}")
_TRAILING_DOUBLE = re.compile(r"([a-z])\1+$")
_DOUBLE = re.compile(r"([a-z])\1")
_VOWEL = re.compile(r"[aeiou]")
_LABEL_WORD = re.compile(r"[^\W_]+")  # words of a raw label, any script or case
_LABEL_MARK = re.compile(r"[,;:!?.]")
_REPEATED_PUNCTUATION = re.compile(r"[!?.]{2,}|[!?]")  # "!!", "??", "...", or any "!"
# Where a letter's sentences end: a line break, "!" or "?", or a full stop after a word of
# four letters or more (not after "Yth.", "No.", "Kec.", "Jl.", "wr. wb.", "Rp.").
_SEGMENT_END = re.compile(r"\s*\n\s*|(?<=[^\W\d_]{4}[.])\s+|(?<=[!?])\s+")
_LONG_NUMBER = re.compile(r"\d{8,}")  # a NIK, KK, account or phone number
_KEY_VALUE = re.compile(r"^\s*([^\W\d_][^\W\d_ .]*(?: [^\W\d_.]+)?)\.?\s*:\s*\S")
# Sastrawi changes a word only when what is left after taking affixes off is in its
# dictionary (Sastrawi.Stemmer.Context.execute; the rules are its VisitorProvider's), and
# what is left is a piece of the word: after up to three stacked prefixes, the first one
# di-, ke-, se-, be(r)-, me(N)-, pe(N)-/per-, te(r)-, ku- or kau-; before a suffix
# (-i/-kan/-an/-is/-isme/-isasi, then -ku/-mu/-nya, then -lah/-kah/-tah/-pun); with the
# first letters of a root that a prefix absorbed put back ("menulis" -> "tulis"); or without
# an infix -el-, -em-, -er-, -in- after the first consonant ("gerigi" -> "gigi"). A word with
# no such piece in the dictionary comes back as it is, so it need not be asked: Sastrawi
# costs ~0.5 ms for a word it does not know, and most words it does not know are typos.
_SUFFIXES = frozenset(
    derivational + possessive + particle
    for derivational in ("", "i", "kan", "an", "is", "isme", "isasi")
    for possessive in ("", "ku", "mu", "nya")
    for particle in ("", "lah", "kah", "tah", "pun")
)
_LONGEST_SUFFIX = max(map(len, _SUFFIXES))
_FIRST_PREFIXES = frozenset({"di", "ke", "se", "be", "me", "pe", "te", "ku", "ka"})
_LONGEST_PREFIXES = 9  # three stacked: "memper" + "ke", "diper" + "se" ...
_PUT_BACK = ("", "p", "t", "s", "k", "r", "m", "n", "ny", "ng", "pe")
_INFIXES = ("el", "em", "er", "in")


def _without_infix(piece: str) -> list[str]:
    """The piece, and the piece without one or two infixes ("celinus" -> "cinus" -> "cus")."""
    pieces = [piece]
    while len(piece) >= 4 and piece[1:3] in _INFIXES and piece[0] not in "aiueo":
        piece = piece[0] + piece[3:]
        pieces.append(piece)
    return pieces


def may_have_root(token: str, dictionary: Mapping[str, object]) -> bool:
    """False when Sastrawi cannot stem `token` to anything but itself (see above)."""
    length = len(token)
    ends = [
        end
        for end in range(length, max(0, length - _LONGEST_SUFFIX) - 1, -1)
        if token[end:] in _SUFFIXES
    ]
    starts = [0]
    if token[:2] in _FIRST_PREFIXES:
        starts += range(2, min(length, _LONGEST_PREFIXES + 1))
    for start in starts:
        firsts = _PUT_BACK if start else ("",)
        for end in ends:
            if end - start < 2:
                continue
            for piece in _without_infix(token[start:end]):
                if piece != token and any(first + piece in dictionary for first in firsts):
                    return True
    # An infix, then a prefix: "kinesop" -> "kesop" -> "sop".
    infixed = _without_infix(token)
    return len(infixed) > 1 and may_have_root(infixed[1], dictionary)


_NO_PII = {key: " " for key in PII_PLACEHOLDERS}


def _phrases_by_first_word(entries: Iterable[str]) -> dict[str, list[tuple[str, ...]]]:
    """Words and phrases by their first word, longest first."""
    phrases: dict[str, list[tuple[str, ...]]] = {}
    for entry in sorted({e.strip().lower() for e in entries if e.strip()}):
        words = tuple(entry.split())
        phrases.setdefault(words[0], []).append(words)
    for candidates in phrases.values():
        candidates.sort(key=len, reverse=True)
    return phrases


def _phrase_length(tokens: list[str], i: int, phrases: Mapping[str, list[tuple[str, ...]]]) -> int:
    """Words of the longest phrase of `phrases` (by first word) at tokens[i:], 0 if none."""
    for phrase in phrases.get(tokens[i], ()) if i < len(tokens) else ():
        if tuple(tokens[i : i + len(phrase)]) == phrase:
            return len(phrase)
    return 0


def _has_phrase(tokens: list[str], phrases: Mapping[str, list[tuple[str, ...]]]) -> bool:
    return any(_phrase_length(tokens, i, phrases) for i in range(len(tokens)))


def letter_segments(text: str) -> list[str]:
    """A text cut into its lines and sentences (see _SEGMENT_END), empty ones dropped."""
    return [part for part in _SEGMENT_END.split(text.strip()) if part.strip()]


@dataclass(frozen=True)
class LetterFrame:
    """The phrases that make a sentence of a letter part of its frame, not its point
    (filler.yaml `greeting`, `identity_start`, `identity`, `identity_weak`, `closing`)."""

    greeting: Mapping[str, list[tuple[str, ...]]] = field(default_factory=dict)
    identity_start: Mapping[str, list[tuple[str, ...]]] = field(default_factory=dict)
    identity: Mapping[str, list[tuple[str, ...]]] = field(default_factory=dict)
    identity_weak: Mapping[str, list[tuple[str, ...]]] = field(default_factory=dict)
    closing: Mapping[str, list[tuple[str, ...]]] = field(default_factory=dict)

    GREETING_WORDS = 10  # a longer sentence that opens with a greeting has a point
    IDENTITY_WORDS = 40
    WEAK_IDENTITY_WORDS = 10  # an RT/RW or "warga desa" alone: only a short sentence
    CLOSING_WORDS = 16

    @classmethod
    def from_file(cls, path: Path) -> LetterFrame:
        return cls(
            **{
                key: _phrases_by_first_word(load_phrase_list(path, key=key))
                for key in ("greeting", "identity_start", "identity", "identity_weak", "closing")
            }
        )

    def is_identity(self, raw: str, words: list[str]) -> bool:
        """A self-introduction ("Saya …, NIK …, warga RT 03") or a "Nama: …" line."""
        key = _KEY_VALUE.match(raw)
        if key and _has_phrase(
            key.group(1).lower().split(), {**self.identity, **self.identity_start}
        ):
            return True
        if not _phrase_length(words, 0, self.identity_start) or len(words) > self.IDENTITY_WORDS:
            return False
        if _LONG_NUMBER.search(raw) or _has_phrase(words, self.identity):
            return True
        return len(words) <= self.WEAK_IDENTITY_WORDS and _has_phrase(words, self.identity_weak)

    def is_frame(self, raw: str, words: list[str]) -> bool:
        """A greeting, a self-introduction or a closing plea, or nothing but PII."""
        if not words:
            return True
        if _phrase_length(words, 0, self.greeting) and len(words) <= self.GREETING_WORDS:
            return True
        if len(words) <= self.CLOSING_WORDS and _has_phrase(words, self.closing):
            return True
        return self.is_identity(raw, words)


class _LabelWords:
    """The words of a raw label, with where they are, for trimming its ends."""

    def __init__(self, text: str, trim: frozenset[tuple[str, ...]]) -> None:
        self.text = text
        self.spans = [(m.start(), m.end()) for m in _LABEL_WORD.finditer(text)]
        self.lowered = [text[a:b].lower() for a, b in self.spans]
        self.trim = trim
        self.longest = max((len(p) for p in trim), default=0)

    def phrase(self, start: int, stop: int, *, at_start: bool) -> int:
        """Words of the longest trim phrase at the start (or end) of words[start:stop]."""
        for size in range(min(self.longest, stop - start), 0, -1):
            span = (
                self.lowered[start : start + size] if at_start else self.lowered[stop - size : stop]
            )
            if tuple(span) in self.trim:
                return size
        return 0

    def apart(self, left: int, right: int) -> bool:
        """A comma or another mark between two words ("Pak, air …"; not "bapak-bapak")."""
        return bool(_LABEL_MARK.search(self.text, self.spans[left][1], self.spans[right][0]))

    def loose(self, left: int, right: int) -> bool:
        """Only spaces and marks between two words: "ya/tidak" and "harap-harap" are
        single expressions, never trimmed apart."""
        between = self.text[self.spans[left][1] : self.spans[right][0]]
        return not between.strip(" \t\n,;:!?.()[]\"'%“”‘’")

    def cut(self, first: int, last: int) -> str:
        """The text from word `first` to word `last` (excluded), cut at the spaces around
        them so marks attached to them stay: '"bedah rumah"', "(PDAM)", "100%"."""
        text = self.text
        start = self.spans[first][0] if first else 0
        while start > 0 and not text[start - 1].isspace():
            start -= 1
        end = len(text)
        if last < len(self.spans):
            end = self.spans[last - 1][1]
            while end < len(text) and not text[end].isspace() and text[end] not in ",;:":
                end += 1
        return text[start:end].strip().rstrip("!?.~").rstrip() or text.strip()


def _corrected(
    tokenised: dict[str, tuple[list[str], list[str], int]], corrections: Mapping[str, str]
) -> dict[str, int]:
    """Applies spelling corrections to tokenised texts (in place, counting them per text);
    returns in how many distinct texts each token now occurs."""
    seen_in: dict[str, int] = {}
    for text, (words, _, _) in tokenised.items():
        typos = sum(token in corrections for token in words)
        if typos:
            words = [corrections.get(token, token) for token in words]
        tokenised[text] = (words, [], typos)
        for token in set(words):
            seen_in[token] = seen_in.get(token, 0) + 1
    return seen_in


class TextStreams(NamedTuple):
    """One text seen four ways; keyword phrases pick the way that keeps them precise."""

    words: str  # every normalised token
    word_stems: str  # every token, stemmed
    norm: str  # content tokens (no stop words): the text's normalised form
    stems: str  # content tokens, stemmed: what themes are built on
    typos: int = 0  # tokens read as another word by the corpus's spelling corrections


class TextTools:
    """Normalisation, stop words and stemming, built from the data files.

    Work is done per distinct token and kept in dictionaries, because the same words
    come back in almost every answer and Sastrawi's stemmer is slow (~0.1 ms a word).
    """

    def __init__(
        self,
        *,
        slang: Mapping[str, str],
        stopwords: Iterable[str],
        lexicon: Iterable[str] = (),
        filler: Iterable[str] = (),
        label_trim: Iterable[str] = (),
        label_address: Iterable[str] = (),
        label_vocative: Iterable[str] = (),
        letter_frame: LetterFrame | None = None,
    ) -> None:
        from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

        # The uncached stemmer underneath: we keep our own cache of distinct tokens.
        self._stemmer = StemmerFactory().create_stemmer().delegatedStemmer
        self._slang = dict(slang)
        entries = {entry.strip().lower() for entry in stopwords if entry.strip()}
        self.stopwords = frozenset(entry for entry in entries if " " not in entry)
        phrases: dict[str, list[tuple[str, ...]]] = {}
        for entry in sorted(entries):
            words = tuple(entry.split())
            if len(words) > 1:
                phrases.setdefault(words[0], []).append(words)
        for candidates in phrases.values():
            candidates.sort(key=len, reverse=True)  # longest phrase first
        self._stop_phrases = phrases
        self._known = set(lexicon) | set(self._slang) | set(self._slang.values()) | entries
        self._filler = _phrases_by_first_word(filler)
        self._label_trim = frozenset(tuple(e.lower().split()) for e in label_trim if e.strip())
        self._label_address = frozenset(e.strip().lower() for e in label_address)
        self._label_vocative = frozenset(e.strip().lower() for e in label_vocative)
        self._frame = letter_frame or LetterFrame()
        self._token_cache: dict[str, tuple[str, ...]] = {}
        self._stem_cache: dict[str, str] = {}

    @classmethod
    def from_data_dir(cls, data_dir: Path = DATA_DIR, *, lexicon: Iterable[str] = ()) -> TextTools:
        return cls(
            slang=load_word_map(data_dir / "slang.yaml"),
            stopwords=load_word_list(data_dir / "stopwords.txt"),
            lexicon=lexicon,
            filler=load_phrase_list(data_dir / "filler.yaml"),
            label_trim=load_phrase_list(data_dir / "filler.yaml", key="trim"),
            label_address=load_phrase_list(data_dir / "filler.yaml", key="address"),
            label_vocative=load_phrase_list(data_dir / "filler.yaml", key="vocative"),
            letter_frame=LetterFrame.from_file(data_dir / "filler.yaml"),
        )

    # --- tokens -------------------------------------------------------------------------
    def _is_word(self, token: str) -> bool:
        return token in self._known or self._stemmer.dictionary.contains(token)

    def is_word(self, token: str) -> bool:
        """A word the dictionary, the slang list or the data files know (not a name)."""
        return self._is_word(token)

    def _squeeze(self, token: str) -> str:
        """'bangettt' -> 'banget', 'maaaf' -> 'maaf', 'rusakk' -> 'rusak', 'daan' -> 'dan'."""
        if self._is_word(token):
            return token
        if _RUN_OF_THREE.search(token):
            twice = _RUN_OF_THREE.sub(r"\1\1", token)
            if self._is_word(twice):
                return twice
            token = _RUN_OF_THREE.sub(r"\1", token)
        if not _VOWEL.search(token):
            return token  # an acronym ("pbb", "kk", "sppt"): its doubles are letters of it
        if _TRAILING_DOUBLE.search(token):
            once = _TRAILING_DOUBLE.sub(r"\1", token)
            # A short token only when that makes a word ("yaa" -> "ya"; "uu", "oss" are
            # acronyms, "u" and "os" are nothing).
            if self._is_word(once) or (len(token) > 3 and not self._is_word(token)):
                token = once
        if len(token) >= 4 and not self._is_word(token):
            # A letter typed twice inside an unknown word: "daan" is "dan" (not "dana",
            # which the spelling step's letter swap would make of it), "tiidak" "tidak";
            # but not in an inflected form ("cobaan" stems to "coba", "coban" is a word).
            for double in _DOUBLE.finditer(token):
                once = token[: double.start()] + token[double.start() + 1 :]
                if self._is_word(once) and self.stem(token) == token:
                    return once
        return token

    def _map_token(self, raw: str) -> tuple[str, ...]:
        mapped = self._token_cache.get(raw)
        if mapped is None:
            reduplicated = _REDUPLICATED.match(raw)
            base = reduplicated.group(1) if reduplicated else raw
            token = self._slang.get(base) or (base if base.isdigit() else self._squeeze(base))
            token = self._slang.get(token, token)
            mapped = tuple(token.split())
            self._token_cache[raw] = mapped
        return mapped

    def tokens(self, text: str) -> list[str]:
        """Normalised tokens: NFKC, lowercase, PII dropped, letters squeezed, slang mapped."""
        text = scrub_pii(fold(text), placeholders=_NO_PII)
        text = text.lower()
        tokens: list[str] = []
        for raw in _TOKEN.findall(text):
            tokens.extend(self._map_token(raw))
        return tokens

    def content_tokens(self, text: str) -> list[str]:
        """Tokens without stop words and stop phrases ("terima kasih", "kurang lebih")."""
        return self._without_stopwords(self.tokens(text))

    def _without_stopwords(self, tokens: list[str]) -> list[str]:
        kept: list[str] = []
        i = 0
        phrases, stopwords = self._stop_phrases, self.stopwords
        while i < len(tokens):
            token = tokens[i]
            if token in phrases:
                phrase = next(
                    (p for p in phrases[token] if tuple(tokens[i : i + len(p)]) == p), None
                )
                if phrase:
                    i += len(phrase)
                    continue
            # Bare numbers (years, prices, house numbers) say nothing about the theme.
            if token not in stopwords and not token.isdigit():
                kept.append(token)
            i += 1
        return kept

    # --- long texts -----------------------------------------------------------------------
    LONG_TEXT = 160  # characters from which a text with several sentences is a letter
    MAIN_POINT_WORDS = 30  # content words the main point gathers, at least one sentence
    MAIN_POINT_SENTENCES = 3

    def _point_sentences(self, text: str) -> list[str]:
        """The sentences of a long text that are not its frame (greetings, the writer's
        identity, closing pleas), in order; [] for a short text or one sentence."""
        if len(text) < self.LONG_TEXT:
            return []
        segments = letter_segments(text)
        if len(segments) < 2:
            return []
        return [s for s in segments if not self._frame.is_frame(s, self.tokens(s))]

    def main_point(self, text: str) -> str:
        """What a long text is about: its title or first sentence and what follows, up to
        MAIN_POINT_WORDS content words, without the letter's frame. A short text, or one
        that is nothing but its frame, comes back as it is."""
        sentences = self._point_sentences(text)
        if not sentences:
            return text
        picked: list[str] = []
        words = 0
        for sentence in sentences[: self.MAIN_POINT_SENTENCES]:
            picked.append(sentence)
            words += len(self.content_tokens(sentence))
            if words >= self.MAIN_POINT_WORDS:
                break
        return "\n".join(picked)

    def headline(self, text: str) -> str:
        """A long text's title or first sentence that states its point; a short text."""
        sentences = self._point_sentences(text)
        return sentences[0] if sentences else text

    # --- stems --------------------------------------------------------------------------
    def stem(self, token: str) -> str:
        stem = self._stem_cache.get(token)
        if stem is None:
            # Sastrawi drops digits and hyphens it does not understand: keep such tokens.
            if token.isalpha():
                has_root = may_have_root(token, self._stemmer.dictionary.words)
                stem = self._stemmer.stem_word(token) if has_root else token
            else:
                stem = self._stemmer.stem_word(token) if "-" in token else token
            self._stem_cache[token] = stem or token
            stem = stem or token
        return stem

    def normalise(self, text: str) -> str:
        return " ".join(self.content_tokens(text))

    def stem_text(self, text: str) -> str:
        return " ".join(self.stem(token) for token in self.content_tokens(text))

    def streams(self, text: str) -> TextStreams:
        words = self.tokens(text)
        return self._streams(words, self._without_stopwords(words), self.stem)

    def _streams(
        self, words: list[str], content: list[str], stem: Callable[[str], str], typos: int = 0
    ) -> TextStreams:
        return TextStreams(
            words=" ".join(words),
            word_stems=" ".join(map(stem, words)),
            norm=" ".join(content),
            stems=" ".join(map(stem, content)),
            typos=typos,
        )

    def analyse(
        self,
        texts: Iterable[str],
        *,
        hapax_budget: int = 5000,
        spelling: SpellingRules | None = None,
        anchors: Iterable[str] = (),
    ) -> dict[str, TextStreams]:
        """The streams of each distinct text (each text is processed once).

        With `spelling` rules, rare unknown tokens close to a much more frequent token of
        these texts, or to one of the `anchors` (keyword tokens), are read as that token
        (see shared.spelling); `typos` counts them per text.

        Stemming costs ~0.5 ms for a word Sastrawi does not know, and in a large
        campaign most such words are typos seen once. So when more than `hapax_budget`
        words occur in only one distinct text, those words are kept unstemmed.
        """
        tokenised: dict[str, tuple[list[str], list[str], int]] = {}
        seen_in: dict[str, int] = {}
        for text in texts:
            if text in tokenised:
                continue
            words = self.tokens(self.main_point(text))
            tokenised[text] = (words, [], 0)
            for token in set(words):
                seen_in[token] = seen_in.get(token, 0) + 1
        corrections: dict[str, str] = {}
        if spelling is not None:
            corrections = self.spelling_corrections(seen_in, spelling, anchors)
        if corrections:
            seen_in = _corrected(tokenised, corrections)
        for text, (words, _, typos) in tokenised.items():
            tokenised[text] = (words, self._without_stopwords(words), typos)
        rare = {t for t, n in seen_in.items() if n == 1 and t not in self._stem_cache}
        if len(rare) <= hapax_budget:
            rare = set()

        stems = {t: t if t in rare else self.stem(t) for t in seen_in}
        stem = stems.__getitem__
        return {
            text: self._streams(words, content, stem, typos)
            for text, (words, content, typos) in tokenised.items()
        }

    def spelling_corrections(
        self, counts: Mapping[str, int], rules: SpellingRules, anchors: Iterable[str] = ()
    ) -> dict[str, str]:
        """{typo: word} for tokens seen in counts[token] distinct texts (shared.spelling).

        Known words (the stemmer's dictionary, slang, stop words, the lexicon) and
        inflected forms of known roots are never corrected.
        """
        return spelling_corrections(
            counts,
            rules=rules,
            anchors=anchors,
            is_known=self._is_word,
            is_inflected=lambda token: self.stem(token) != token,
        )

    def label_noise(self, text: str, typos: int = 0) -> int:
        """How untidy a text is as a label: filler words and phrases (filler.yaml), tokens
        that normalisation rewrote (slang, squeezed letters) or corrected (`typos`),
        exclamation marks or repeated punctuation, and all capitals count one each."""
        if not text.isascii():
            text = unicodedata.normalize("NFKC", text)
        noise = typos + bool(_REPEATED_PUNCTUATION.search(text))
        letters = [ch for ch in text if ch.isalpha()]
        if len(letters) >= 4 and not any(ch.islower() for ch in letters):
            noise += 1
        raw = _TOKEN.findall(text.lower())
        i = 0
        while i < len(raw):
            phrase = next(
                (p for p in self._filler.get(raw[i], ()) if tuple(raw[i : i + len(p)]) == p),
                None,
            )
            if phrase:
                noise += 1
                i += len(phrase)
                continue
            if not raw[i].isdigit() and self._map_token(raw[i]) != (raw[i],):
                noise += 1
            i += 1
        return noise

    def tidy_label(self, text: str) -> str:
        """A theme label without pleas and chat particles at its start or end, nor forms of
        address set apart there (filler.yaml `trim`, `address`, `vocative`), nor closing
        "!", "?" or "." runs: "pak, bansos tepat sasaran!!" -> "bansos tepat sasaran".
        The middle is never touched, and an answer that is nothing but such words stays.
        A long text (a letter) is labelled by its headline."""
        text = self.headline(text)
        words = _LabelWords(text, self._label_trim)
        first = self._trim_start(words, 0, len(words.lowered))
        last = self._trim_end(words, first, len(words.lowered))
        if all(w in self._label_address for w in words.lowered[first:last]):
            return text.strip()  # nothing but filler: keep the answer as written
        return words.cut(first, last)

    def _trim_start(self, words: _LabelWords, first: int, last: int) -> int:
        """The first word kept: trim phrases, and forms of address set apart, skipped."""
        while first < last:
            size = words.phrase(first, last, at_start=True)
            if size and first + size < last and not words.loose(first + size - 1, first + size):
                size = 0
            if not size and words.lowered[first] in self._label_address and first + 1 < last:
                size = int(words.apart(first, first + 1))
            if not size:
                break
            first += size
        return first

    def _trim_end(self, words: _LabelWords, first: int, last: int) -> int:
        """One past the last word kept (see _trim_start; a vocative needs no mark)."""
        while last > first:
            size = words.phrase(first, last, at_start=False)
            if size and last - size > first and not words.loose(last - size - 1, last - size):
                size = 0
            word = words.lowered[last - 1]
            if not size and word in self._label_address and last - 1 > first:
                size = int(word in self._label_vocative or words.apart(last - 2, last - 1))
            if not size:
                break
            last -= size
        return last

    def surface_forms(self) -> dict[str, str]:
        """The shortest normalised token seen for each stem, to show stems as words."""
        forms: dict[str, str] = {}
        for token, stem in self._stem_cache.items():
            best = forms.get(stem)
            if best is None or (len(token), token) < (len(best), best):
                forms[stem] = token
        return forms
