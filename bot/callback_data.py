"""Versioned, validated callback data for inline buttons (Telegram allows at most 64 bytes).

Format: ``v1|<kind>|<field>|…``. Survey buttons carry the run id and a short hash of the
step they were drawn for, so a button pressed on an old message is recognised as out of
date instead of answering the wrong question. Bump VERSION when the format changes: buttons
of the old format then say they are out of date.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from enum import StrEnum

VERSION = "v1"
MAX_BYTES = 64
_SEPARATOR = "|"
_TOKEN = re.compile(r"^[A-Za-z0-9_.-]{0,48}$")


class Kind(StrEnum):
    answer = "a"  # a choice of the current question
    command = "k"  # back / skip / review / submit
    edit = "e"  # edit one answer from the review
    consent = "c"  # agree / decline the privacy notice
    resume = "r"  # continue / start over / start a new response
    language = "l"
    erase = "x"  # confirm / keep on /hapus_data
    broadcast = "b"  # a planner's /kabari: send / cancel (issue 14)
    broadcasts_off = "o"  # a respondent's "no more news" under a broadcast (issue 14)


class ParseError(ValueError):
    """Callback data that this bot did not make."""


class Outdated(ValueError):
    """Callback data of an older format version."""


@dataclass(frozen=True)
class Callback:
    kind: Kind
    fields: tuple[str, ...]

    def encode(self) -> str:
        data = _SEPARATOR.join((VERSION, self.kind.value, *self.fields))
        if len(data.encode()) > MAX_BYTES:
            raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
        return data

    def field(self, index: int) -> str:
        return self.fields[index] if index < len(self.fields) else ""


def step_hash(step: str) -> str:
    """A short, stable fingerprint of a step key (question@block.item, review, …)."""
    return hashlib.blake2s(step.encode(), digest_size=4).hexdigest()


def make(kind: Kind, *fields: object) -> str:
    values = tuple(str(field) for field in fields)
    for value in values:
        if _SEPARATOR in value or not _TOKEN.match(value):
            raise ValueError(f"callback field {value!r} is not a short token")
    return Callback(kind, values).encode()


_FIELD_COUNTS = {
    Kind.answer: 3,  # run id, step hash, choice value
    Kind.command: 3,  # run id, step hash, command
    Kind.edit: 3,  # run id, step hash of the review, step hash of the answer to edit
    Kind.consent: 3,  # yes/no, language, what the deep link carried (may be empty)
    Kind.resume: 2,  # run id, continue/restart/new
    Kind.language: 1,
    Kind.erase: 1,
    Kind.broadcast: 2,  # digest id, send/cancel
    Kind.broadcasts_off: 1,
}


def parse(data: str | None) -> Callback:
    """Read callback data; raise Outdated for an older version and ParseError for garbage."""
    if not data or len(data.encode()) > MAX_BYTES:
        raise ParseError("empty or too long")
    parts = data.split(_SEPARATOR)
    version = parts[0]
    if re.fullmatch(r"v\d+", version) and version != VERSION:
        raise Outdated(version)
    if version != VERSION or len(parts) < 2:
        raise ParseError("not our format")
    try:
        kind = Kind(parts[1])
    except ValueError:
        raise ParseError(f"unknown kind {parts[1]!r}") from None
    fields = tuple(parts[2:])
    if len(fields) != _FIELD_COUNTS[kind] or not all(_TOKEN.match(f) for f in fields):
        raise ParseError("wrong fields")
    return Callback(kind, fields)
