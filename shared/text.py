"""Indonesian-aware text handling shared by the bot and the processor.

Stored answers are never changed: everything here produces derived text for analysis
(normalised tokens, stems) or for reports (PII-scrubbed quotes).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import NamedTuple

from shared.survey_data import DATA_DIR, load_word_list, load_word_map

# Order matters: an e-mail contains an "@name", a NIK is a long run of digits.
_EMAIL = re.compile(r"[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# NIK (Nomor Induk Kependudukan): 16 digits, sometimes written in groups of four.
_NIK = re.compile(r"(?<!\d)(?:\d{16}|\d{4}(?:[ .-]\d{4}){3}|\d{6}[ .-]\d{6}[ .-]\d{4})(?!\d)")
# Indonesian mobile numbers: +62 8…, 62 8…, 08…; the digit count is checked in _phone.
_MOBILE = re.compile(r"(?<![\d+])(?:\+62|62|0)[ -]?8\d{1,3}(?:[ .-]?\d{2,5}){1,3}(?!\d)")
# Landlines written with an area code: (021) 555-1234, 0741-123456.
_LANDLINE = re.compile(r"\(0\d{1,3}\)[ -]?\d{3,4}[ .-]?\d{2,5}(?!\d)|(?<!\d)0\d{2,3}-\d{5,8}(?!\d)")
_USERNAME = re.compile(r"(?:https?://)?t\.me/[A-Za-z0-9_]{3,32}|(?<![\w.@])@[A-Za-z0-9_]{3,32}")

PII_PLACEHOLDERS = {
    "email": "[EMAIL]",
    "nik": "[NIK]",
    "phone": "[TELEPON]",
    "username": "[USERNAME]",
}

_TOKEN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_REDUPLICATED = re.compile(r"^([a-z]{2,})2$")  # "bolong2" = "bolong-bolong"
_RUN_OF_THREE = re.compile(r"(.)\1{2,}")
_TRAILING_DOUBLE = re.compile(r"([a-z])\1+$")


def _phone(replacement: str):  # type: ignore[no-untyped-def]
    def replace(match: re.Match[str]) -> str:
        digits = sum(ch.isdigit() for ch in match.group(0))
        # 08xx numbers have 10-13 digits; +62 ones 11-14. Shorter runs are counts or prices.
        return replacement if 9 <= digits <= 14 else match.group(0)

    return replace


def scrub_pii(text: str, *, placeholders: Mapping[str, str] = PII_PLACEHOLDERS) -> str:
    """Replace e-mails, NIKs, phone numbers and @usernames with placeholders."""
    text = _EMAIL.sub(placeholders["email"], text)
    text = _NIK.sub(placeholders["nik"], text)
    text = _MOBILE.sub(_phone(placeholders["phone"]), text)
    text = _LANDLINE.sub(placeholders["phone"], text)
    return _USERNAME.sub(placeholders["username"], text)


_NO_PII = {key: " " for key in PII_PLACEHOLDERS}


class TextStreams(NamedTuple):
    """One text seen four ways; keyword phrases pick the way that keeps them precise."""

    words: str  # every normalised token
    word_stems: str  # every token, stemmed
    norm: str  # content tokens (no stop words): the text's normalised form
    stems: str  # content tokens, stemmed: what themes are built on


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
        self._token_cache: dict[str, tuple[str, ...]] = {}
        self._stem_cache: dict[str, str] = {}

    @classmethod
    def from_data_dir(cls, data_dir: Path = DATA_DIR, *, lexicon: Iterable[str] = ()) -> TextTools:
        return cls(
            slang=load_word_map(data_dir / "slang.yaml"),
            stopwords=load_word_list(data_dir / "stopwords.txt"),
            lexicon=lexicon,
        )

    # --- tokens -------------------------------------------------------------------------
    def _is_word(self, token: str) -> bool:
        return token in self._known or self._stemmer.dictionary.contains(token)

    def _squeeze(self, token: str) -> str:
        """'bangettt' -> 'banget', 'maaaf' -> 'maaf', 'rusakk' -> 'rusak'."""
        if self._is_word(token):
            return token
        if _RUN_OF_THREE.search(token):
            twice = _RUN_OF_THREE.sub(r"\1\1", token)
            if self._is_word(twice):
                return twice
            token = _RUN_OF_THREE.sub(r"\1", token)
        if _TRAILING_DOUBLE.search(token):
            once = _TRAILING_DOUBLE.sub(r"\1", token)
            if self._is_word(once) or not self._is_word(token):
                token = once
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
        text = scrub_pii(unicodedata.normalize("NFKC", text), placeholders=_NO_PII).lower()
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
        while i < len(tokens):
            token = tokens[i]
            phrase = next(
                (
                    p
                    for p in self._stop_phrases.get(token, ())
                    if tuple(tokens[i : i + len(p)]) == p
                ),
                None,
            )
            if phrase:
                i += len(phrase)
                continue
            # Bare numbers (years, prices, house numbers) say nothing about the theme.
            if token not in self.stopwords and not token.isdigit():
                kept.append(token)
            i += 1
        return kept

    # --- stems --------------------------------------------------------------------------
    def stem(self, token: str) -> str:
        stem = self._stem_cache.get(token)
        if stem is None:
            # Sastrawi drops digits and hyphens it does not understand: keep such tokens.
            stem = self._stemmer.stem_word(token) if token.isalpha() or "-" in token else token
            self._stem_cache[token] = stem or token
            stem = stem or token
        return stem

    def normalise(self, text: str) -> str:
        return " ".join(self.content_tokens(text))

    def stem_text(self, text: str) -> str:
        return " ".join(self.stem(token) for token in self.content_tokens(text))

    def streams(self, text: str) -> TextStreams:
        words = self.tokens(text)
        content = self._without_stopwords(words)
        return TextStreams(
            words=" ".join(words),
            word_stems=" ".join(self.stem(t) for t in words),
            norm=" ".join(content),
            stems=" ".join(self.stem(t) for t in content),
        )

    def analyse(self, texts: Iterable[str]) -> dict[str, TextStreams]:
        """The streams of each distinct text (each text is processed once)."""
        result: dict[str, TextStreams] = {}
        for text in texts:
            if text not in result:
                result[text] = self.streams(text)
        return result

    def surface_forms(self) -> dict[str, str]:
        """The shortest normalised token seen for each stem, to show stems as words."""
        forms: dict[str, str] = {}
        for token, stem in self._stem_cache.items():
            best = forms.get(stem)
            if best is None or (len(token), token) < (len(best), best):
                forms[stem] = token
        return forms
