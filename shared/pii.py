"""PII scrubbing for everything a report shows: quotes, labels, answer texts, file names.

Stored answers are never changed; `scrub_pii` makes the text a report shows. It finds
personal data the way people write it, not only the tidy forms: a text is read after NFKC
(full-width "０８１２" and "＠" are plain digits and "@") with invisible characters taken
out, and digits in groups ("0812 3456 7890", "32 01 01 …", "+62 (0)812-…", "0812/3456/…")
are read as one number before it is judged. Times, dates and amounts of money ("08.00",
"01/01/2024", "Rp 1.500.000") are never part of such a number. A text in which nothing
was found comes back exactly as written.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from shared.survey_data import DATA_DIR, load_phrase_list, load_word_list

PII_PLACEHOLDERS = {
    "name": "[NAMA]",
    "email": "[EMAIL]",
    "nik": "[NIK]",
    "phone": "[TELEPON]",
    "username": "[USERNAME]",
}

# Soft hyphen, zero-width spaces and joiners, direction marks, word joiner, BOM: they
# would split "0812\u200b3456…" or "bu\u00addi@…" for the patterns and are invisible.
# Soft hyphens, joiners, direction marks and overrides, word joiners, BOMs: they hide a
# name from the patterns ("Pak \u202eSuwondo"). A zero-width space separates like a space.
_INVISIBLE = re.compile("[\u00ad\u200c-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]")
_ZERO_WIDTH_SPACE = "\u200b"

# --- e-mails, handles and links -----------------------------------------------------------
_SPACE = r"[^\S\n]"  # a space that is not a line break
# The local part starts where a word starts: tried from every letter of a long word, the
# pattern would take quadratic time.
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# Written to escape a harvester: "x @ y.com", "x [at] y [dot] com", "x(at)y.id",
# "x at y dot com", "x at y titik com". The domain must end in a common top-level
# domain, so "ketemu @ balai.desa" stays.
_AT = (
    rf"(?:{_SPACE}*@{_SPACE}*"
    rf"|{_SPACE}*[\[({{]{_SPACE}*at{_SPACE}*[\])}}]{_SPACE}*|{_SPACE}+at{_SPACE}+)"
)
_DOT = (
    rf"(?:\.|{_SPACE}*[\[({{]{_SPACE}*(?:dot|titik){_SPACE}*[\])}}]{_SPACE}*"
    rf"|{_SPACE}+(?:dot|titik){_SPACE}+)"
)
_TLD = r"(?:com|net|org|info|biz|io|me|id|co|go|ac|sch|or|my|edu|gov|web)"
_SPELLED_EMAIL = re.compile(
    rf"(?<![\w.+-])[\w.+-]+{_AT}[a-z0-9-]+(?:{_DOT}[a-z0-9-]+)*{_DOT}{_TLD}(?![\w-])", re.IGNORECASE
)
# A profile or chat link names its person: t.me/…, t.me/+invite, t.me/joinchat/…,
# telegram.me/…, tg://resolve?domain=…, instagram.com/…, facebook, tiktok, x, wa.me/<phone>.
_SITES = (
    r"(?:t|telegram)\.(?:me|dog)|instagram\.com|instagr\.am|(?:m\.)?facebook\.com|fb\.com"
    r"|fb\.me|tiktok\.com|twitter\.com|x\.com|wa\.me|threads\.net"
)
_LINK = re.compile(
    rf"(?<![\w.])(?:https?://)?(?:www\.)?(?:{_SITES}){_SPACE}*/{_SPACE}*"
    rf"(?:joinchat{_SPACE}*/{_SPACE}*)?[+@]?[\w-]+(?:\.[\w-]+)*/?"
    r"|(?<![\w.])tg://\S+",
    re.IGNORECASE,
)
# A handle has a letter: "beli 3 @5000" is a price.
_HANDLE = re.compile(r"(?<![\w.@])@(?=[0-9_.]*[A-Za-z])[A-Za-z0-9_][A-Za-z0-9_.]{1,30}(?<!\.)")
# "at" as a word, for an e-mail written without "@"; the literal comes first, so the
# search skips ahead quickly.
_AT_WORD = re.compile(r"at(?<!\wat)(?!\w)")

# --- numbers ------------------------------------------------------------------------------
# A run of digit groups: "0812 3456 7890", "+62 (0)812-3456-7890", "(021)5550000",
# "3201/0123/4567/8901", "0 8 1 2 …". Groups are split by one of . / - – — (spaces
# around it allowed), by one or two spaces, or by nothing next to a bracket.
_GROUP = r"\(\+?[0-9]+\)|\+?[0-9]+"
_SEPARATOR = rf"(?:{_SPACE}*[./\-–—]{_SPACE}*|{_SPACE}{{1,2}}|(?<=\))|(?=\())"
_DIGIT_RUN = re.compile(rf"(?<![0-9])(?:{_GROUP})(?:{_SEPARATOR}(?:{_GROUP}))*")
_DIGIT_GROUP = re.compile(_GROUP)
# Never part of a number: a time (08.00, 16:30; not inside a longer dotted chain), a date
# (01/01/2024, 31-12-2024, also "15/12/2020-21/05/2031") and an amount with thousands dots
# (50.000, 1.500.000.000), unless "+62 " is before it.
_ORDINARY_NUMBER = re.compile(
    r"(?<![0-9.:])(?:[01]?[0-9]|2[0-4])[.:][0-5][0-9](?![0-9]|[.:][0-9])"
    r"|(?<![0-9])(?:0?[1-9]|[12][0-9]|3[01])([./-])(?:0?[1-9]|1[0-2])\1(?:19|20)[0-9]{2}"
    r"(?![0-9])"
    r"|(?<![0-9.+])(?<!\+62 )[1-9][0-9]{0,2}(?:\.[0-9]{3})+(?![0-9])"
)
# Mobile numbers 08xx have 10 to 13 digits written nationally; landlines 0 + an area code
# (21, 274, 741 …) + the subscriber's number, 9 to 12 digits.
_MOBILE = re.compile(r"08[1-9][0-9]{7,10}")
_LANDLINE = re.compile(r"0[2-79][0-9]{7,10}")
# A NIK (and a KK number) has 16 digits and begins with a province code.
_PROVINCES = frozenset(
    "11 12 13 14 15 16 17 18 19 21 31 32 33 34 35 36 51 52 53 61 62 63 64 65 71 72 73 74 75"
    " 76 81 82 91 92 93 94 95 96 97".split()
)
_YEAR = re.compile(r"(?:19|20)[0-9]{2}")
_DIGIT = re.compile(r"[0-9]")
_LONGEST_RUN = 16  # groups in one number: "+62 (0)8 1 2 …" written digit by digit
_FEWEST_DIGITS = 9  # the shortest number replaced (a landline with a 5-digit number)


@dataclass(frozen=True)
class _Group:
    start: int
    end: int
    digits: str
    plus: bool  # "+62", "(+62)": a country code
    ordinary: bool  # inside a time, date or amount of money
    separator: str  # before the group, spaces around it taken off: " ", "-", "/", "" …


def _groups(run: re.Match[str]) -> list[_Group]:
    ordinary = [m.span() for m in _ORDINARY_NUMBER.finditer(run.group())]
    groups: list[_Group] = []
    for group in _DIGIT_GROUP.finditer(run.group()):
        start, end = group.span()
        raw = group.group()
        between = run.group()[groups[-1].end - run.start() : start] if groups else ""
        groups.append(
            _Group(
                start=run.start() + start,
                end=run.start() + end,
                digits=raw.strip("()+"),
                plus="+" in raw,
                ordinary=any(a < end and start < b for a, b in ordinary),
                separator=between.strip() or between[:1],
            )
        )
    return groups


def _is_nik(groups: list[_Group], digits: str) -> bool:
    """Sixteen digits, unbroken or grouped as people write a NIK: groups of two or more
    digits split the same way throughout ("3201 0123 4567 8901", "32010123-45678901",
    "32 01 01 …"), starting with a province code, and not four years in a row."""
    if len(groups) == 1:
        return True
    return (
        digits[:2] in _PROVINCES
        and len({g.separator for g in groups[1:]}) == 1
        and all(len(g.digits) >= 2 for g in groups)
        and not all(_YEAR.fullmatch(g.digits) for g in groups)
    )


def _national(groups: list[_Group], digits: str) -> tuple[str, str | None, int] | None:
    """The number as dialled at home (0…), its area-code group's digits (None for one
    unbroken group) and the index of the group after the area code; None for a foreign
    number."""
    first = groups[0]
    if first.plus or (digits.startswith("628") and (first.digits == "62" or len(groups) == 1)):
        if not digits.startswith("62"):
            return None
        rest = digits[2:]
        national = rest if rest.startswith("0") else "0" + rest
        after = 1 + (len(groups) > 1 and groups[1].digits == "0")  # "+62 (0)812"
        if first.digits != "62" or after >= len(groups):
            return national, None, len(groups)
        area = groups[after].digits
        return national, area if area.startswith("0") else "0" + area, after + 1
    if len(groups) == 1:
        return digits, None, 1
    if first.digits == "0" and groups[1].digits.startswith("8"):  # "0 812 3456 7890"
        return digits, "0" + groups[1].digits, 2
    return digits, first.digits, 1


def _number_kind(groups: list[_Group], digits: str) -> str | None:
    """ "nik", "phone" or None for consecutive digit groups (`digits`) read as one number."""
    if any(g.ordinary for g in groups):
        return None
    if len(digits) == 16 and not groups[0].plus and _is_nik(groups, digits):
        return "nik"
    national = _national(groups, digits)
    if national is None:
        return None
    number, area, after = national
    # "0812 …", "+62 812 …", or digit by digit; not "RW 08 2017 …" nor "08.30.222".
    prefix_written = (
        area is None or len(area) >= 3 or all(len(g.digits) == 1 for g in groups[after - 1 :])
    )
    if _MOBILE.fullmatch(number) and prefix_written:
        return "phone"
    if (
        _LANDLINE.fullmatch(number)
        and (area is None or 3 <= len(area) <= 4)  # "021 …", "(0274) …": not "02 03 04 …"
        and all(len(g.digits) >= 2 for g in groups[after:])
    ):
        return "phone"
    return None


def _numbers(groups: list[_Group]) -> Iterator[tuple[int, int, str]]:
    """(first group, group after the last, kind) of each number in a run of groups, the
    longest from each group on ("0812 3456 7890 / 0813 …" is two numbers)."""
    digits = "".join(group.digits for group in groups)
    counts = [0]
    for group in groups:
        counts.append(counts[-1] + len(group.digits))
    i = 0
    while i < len(groups):
        # Only a phone number starts with 0, 62 or +; a NIK has exactly 16 digits.
        phone = groups[i].plus or groups[i].digits[0] in "06"
        for j in range(min(len(groups), i + _LONGEST_RUN), i, -1):
            size = counts[j] - counts[i]
            if size > 16 or size < _FEWEST_DIGITS or (size < 16 and not phone):
                continue
            kind = _number_kind(groups[i:j], digits[counts[i] : counts[j]])
            if kind:
                yield i, j, kind
                i = j
                break
        else:
            i += 1


def _scrub_numbers(text: str, placeholders: Mapping[str, str]) -> str:
    pieces: list[str] = []
    done = 0
    for run in _DIGIT_RUN.finditer(text):
        if len(_DIGIT.findall(run.group())) < _FEWEST_DIGITS:
            continue
        groups = _groups(run)
        for i, j, kind in _numbers(groups):
            pieces += [text[done : groups[i].start], placeholders[kind]]
            done = groups[j - 1].end
    return "".join(pieces) + text[done:] if pieces else text


def _may_hold_pii(text: str) -> bool:
    """False when no pattern of _scrub_pii can match: an e-mail, link or handle needs an
    "@", a site's domain or "at"; a number at least 9 digits. Most answers have neither,
    and these checks cost a fifth of the patterns."""
    if "@" in text or len(_DIGIT.findall(text)) >= _FEWEST_DIGITS:
        return True
    lowered = text.lower()
    # A link's site (_SITES: t.me, telegram.me/.dog, instagram.com, instagr.am, …) or tg:
    return (
        ".me" in lowered
        or ".com" in lowered
        or ".am" in lowered
        or ".net" in lowered
        or ".dog" in lowered
        or "tg:" in lowered
        or bool(_AT_WORD.search(lowered))
    )


def _scrub_pii(text: str, placeholders: Mapping[str, str]) -> str:
    """E-mails, links and handles, then numbers (a link may hold a phone number)."""
    text = _EMAIL.sub(placeholders["email"], text)
    text = _SPELLED_EMAIL.sub(placeholders["email"], text)
    text = _LINK.sub(placeholders["username"], text)
    text = _HANDLE.sub(placeholders["username"], text)
    return _scrub_numbers(text, placeholders)


def fold(text: str) -> str:
    """The text as the patterns read it: NFKC, without invisible characters."""
    if text.isascii():  # NFKC leaves ASCII as it is
        return text
    text = unicodedata.normalize("NFKC", text).replace(_ZERO_WIDTH_SPACE, " ")
    return _INVISIBLE.sub("", text)


def scrub_pii(text: str, *, placeholders: Mapping[str, str] = PII_PLACEHOLDERS) -> str:
    """Replace e-mails, NIKs, phone numbers, handles and links, and personal names after a
    form of address or a role (names.yaml), with placeholders. A text where nothing is
    found is returned as written (not NFKC-normalised)."""
    folded = fold(text)
    scrubbed = folded
    if _may_hold_pii(folded):
        scrubbed = _scrub_pii(folded, placeholders)
    if not scrubbed[1:].islower() and _MAY_HOLD_NAME.search(scrubbed):  # most: lowercase
        scrubbed = _scrub_names(scrubbed, placeholders["name"])
    return text if scrubbed == folded else scrubbed


# --- names --------------------------------------------------------------------------------
# Capitals and small letters beyond ASCII (Latin-1, Latin Extended A/B and Additional,
# Greek, Cyrillic): "Ñame", "Éka", "Ḱarmila".
_BEYOND_ASCII = [*range(0xC0, 0x250), *range(0x370, 0x530), *range(0x1E00, 0x1F00)]
_UPPER = "A-Z" + "".join(chr(c) for c in _BEYOND_ASCII if chr(c).isupper())
_LOWER = "a-z" + "".join(chr(c) for c in _BEYOND_ASCII if chr(c).islower())
# A name is capitalised, or all capitals, or an initial or short abbreviation with a dot
# ("H.", "Hj."), with an apostrophe allowed ("Ma'ruf"); the words of one name are on one
# line.
_NAME_WORD = (
    rf"[{_UPPER}](?:[{_LOWER}]+(?:'[{_LOWER}]+)*|[{_UPPER}]+(?:'[{_UPPER}]+)*|[{_LOWER}]{{0,2}}\.)"
)
# Words after a title: roles, other titles and the name ("Pak Kepala Desa H. Budi
# Santoso"). A bound keeps a long Title Case text from being re-read at every title.
_LONGEST_NAME = 8
_MAY_HOLD_NAME = re.compile(rf"[^\W\d_][.,\s]+[{_UPPER}]")  # a word, then a capital one


@dataclass(frozen=True)
class _NameRules:
    pattern: re.Pattern[str]
    skip: frozenset[str]  # may stand between the title and the name: roles, other titles
    not_names: frozenset[str]  # end a name: not_names, roles, titles and stop words


@functools.cache
def _name_rules() -> _NameRules:
    """Built once from the package's names.yaml and stopwords.txt."""
    path = DATA_DIR / "names.yaml"
    titles = load_phrase_list(path, key="titles")
    abbreviations = load_phrase_list(path, key="abbreviations")
    roles = load_phrase_list(path, key="roles")
    person_roles = load_phrase_list(path, key="person_roles")
    stopwords = load_word_list(DATA_DIR / "stopwords.txt")

    def alternatives(words: Iterable[str]) -> str:
        return "|".join(sorted(map(re.escape, words), key=len, reverse=True))

    # A title and a space ("Pak. Jalan rusak" ends a sentence: no name there), a dot right
    # before a capital ("Pak.Budi") or a comma before a capitalised word ("pak, Budi"; not
    # "PAK, BANK SAMPAH …"); an abbreviation with a dot or
    # a space ("Bpk. Budi", "dr.Andi"); or a role that names a person ("Kades Budi"). Then
    # capitalised words.
    pattern = re.compile(
        rf"(?<![\w-])(?:(?i:{alternatives(titles)})(?:{_SPACE}+|\.(?=[{_UPPER}])|,{_SPACE}*(?=[{_UPPER}][{_LOWER}]))"
        rf"|(?i:{alternatives(abbreviations)})(?:\.{_SPACE}*|{_SPACE}+)"
        rf"|(?P<role>(?i:{alternatives(person_roles)})){_SPACE}+)"
        rf"(?P<name>(?:{_NAME_WORD}{_SPACE}+){{0,{_LONGEST_NAME - 1}}}{_NAME_WORD})(?!\w)"
    )
    not_names = load_phrase_list(path, key="not_names")
    return _NameRules(
        pattern=pattern,
        skip=roles | person_roles | titles | abbreviations,
        not_names=not_names | roles | person_roles | titles | stopwords,
    )


_WORD = re.compile(r"\S+")


def _key(word: re.Match[str]) -> str:
    """A word of a name match as the names.yaml lists look it up ("Hj." -> "hj")."""
    return word.group().lower().rstrip(".")


def _name_words(
    words: list[re.Match[str]], *, role: str | None, shouting: bool, rules: _NameRules
) -> tuple[int, int]:
    """Which of the capitalised words after a title or `role` are the name: [start, end)."""
    # "lapor ke PAK KADES SUTRISNO …", "…, KADES SUTRISNO MINTA UANG": capitals after a
    # title, or after a role in capitals, are a shouted name; after a role in small
    # letters, an acronym ("guru PPPK", "Kader PKK").
    by_role = role is not None
    loud = shouting or (
        (role is None or role.isupper()) and all(word.group().isupper() for word in words)
    )

    def acronym(i: int) -> bool:
        """ "Pak Ketua BPD Ahmad": an acronym before another word of the match."""
        return not loud and words[i].group().isupper() and (by_role or 0 < i < len(words) - 1)

    start = 0
    # "Pak Kepala Desa Budi", "Ibu Hj. Siti", "Pak Ketua BPD Ahmad"
    while start < len(words) and (_key(words[start]) in rules.skip or acronym(start)):
        start += 1
    end = start
    while end < len(words) and _key(words[end]) not in rules.not_names:
        end += 1
        if loud:
            break  # in capitals, one word: "PAK BUDI TIDAK DATANG" keeps the rest
    return start, end


def _scrub_names(text: str, placeholder: str) -> str:
    rules = _name_rules()
    shouting = text.isupper()
    pieces: list[str] = []
    done = position = 0
    while match := rules.pattern.search(text, position):
        words = list(_WORD.finditer(text, match.start("name"), match.end("name")))
        start, end = _name_words(words, role=match.group("role"), shouting=shouting, rules=rules)
        if end == start:  # "Pak Tolong Bu Siti": no name here; a later title may start one
            position = words[start].end() if start < len(words) else match.end("name")
            continue
        pieces += [text[done : words[start].start()], placeholder]
        done = position = words[end - 1].end()
    return "".join(pieces) + text[done:]
