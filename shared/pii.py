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
    "address": "[ALAMAT]",
    "birth_date": "[TGL_LAHIR]",
    "account": "[REKENING]",
    "card": "[NO_KARTU]",
    "plate": "[NOPOL]",
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
    # "+62 812 …", "62 812 …", "6281234567890", and "62812-3456-7890" (the country code
    # run into the operator's).
    if first.plus or (
        digits.startswith("628")
        and (first.digits == "62" or len(groups) == 1 or first.digits.startswith("628"))
    ):
        if not digits.startswith("62"):
            return None
        rest = digits[2:]
        national = rest if rest.startswith("0") else "0" + rest
        after = 1 + (len(groups) > 1 and groups[1].digits == "0")  # "+62 (0)812"
        if first.digits.startswith("628") and len(first.digits) > 3 and len(groups) > 1:
            return national, "0" + first.digits[2:], 1
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


def _repair_letter_o(text: str, placeholders: Mapping[str, str]) -> str:
    """A phone number typed with the letter o for a zero ("08123450oo16")."""

    def repair(match: re.Match[str]) -> str:
        digits = match.group().replace("o", "0").replace("O", "0")
        group = _Group(0, len(digits), digits, plus=False, ordinary=False, separator="")
        return placeholders["phone"] if _number_kind([group], digits) == "phone" else match.group()

    return _LETTER_O_NUMBER.sub(repair, text)


# Twelve or so digits with an o among them, starting as a phone number does.
_LETTER_O_NUMBER = re.compile(
    r"(?<![\w+])(?=[0-9oO]*[oO])(?=(?:[oO]*[0-9]){7})(?:0|62)[0-9oO]{8,12}(?!\w)"
)


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
    text = _scrub_numbers(text, placeholders)
    return _repair_letter_o(text, placeholders) if "o" in text.lower() else text


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
    words = frozenset(_LETTER_RUN.findall(folded.lower()))
    if not words.isdisjoint(
        _CARD_WORDS
    ):  # a card number before numbers: "kartu ATM 5221 …" is no NIK
        scrubbed = _CARD.sub(lambda m: _replace_number(m, placeholders["card"]), scrubbed)
    if not words.isdisjoint(_ACCOUNT_WORDS):  # "no rek bni 0298…" is no landline
        scrubbed = _ACCOUNT.sub(lambda m: _replace_number(m, placeholders["account"]), scrubbed)
    if _may_hold_pii(scrubbed):
        scrubbed = _scrub_pii(scrubbed, placeholders)
    scrubbed = _scrub_details(scrubbed, words, placeholders)
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


# --- personal details in long texts (issue 11 item 7) ----------------------------------------
# Complaints quote who wrote them and where they live: a self-introduction ("saya Budi
# Santoso", "Nama: …", "a.n. …"), a date of birth after TTL, a street address, an account,
# card or plate number. Each rule needs a word that announces the detail, so "jalan rusak",
# "jalan di desa kami berlubang", "RT 03 RW 05 belum dapat air" and "Dusun Krajan" alone
# stay: they are what a complaint is about.
_S = _SPACE
# Each rule runs only on a text that holds one of its words (the runs of letters of the
# text in small letters): most answers hold none, and the patterns cost far more than this.
_CARD_WORDS = frozenset("kartu kis kip kks kps kjp atm bpjs peserta nopes".split())
_ACCOUNT_WORDS = frozenset(
    "rek rekening norek account bank bri bni bca mandiri bsi btn cimb danamon permata muamalat"
    " c".split()  # "a/c"
)
_BIRTH_WORDS = frozenset("lahir ttl l".split())  # "t.t.l"
_PLATE_WORDS = frozenset("plat pelat nopol pol polisi tnkb".split())
_INTRO_WORDS = frozenset("saya nama an n".split())  # "a.n.", "an."
_ADDRESS_WORDS = frozenset("alamat beralamat domisili berdomisili tinggal rumah gg blok".split())
_STREET_WORDS = frozenset("jl jln jalan gang".split())
_HAMLET_WORDS = frozenset("dusun dsn kampung kp kmp lingkungan lingk perum perumahan".split())
_LETTER_RUN = re.compile(r"[a-z]+")
_PLATE_SHAPE = re.compile(r"[A-Z][^\S\n]?[1-9]")  # a capital, then a digit: "B 1234", "BH1"


def _may_hold_address(words: frozenset[str], text: str) -> bool:
    """An address word, a gang or block, or a street with a number or a dusun."""
    return not words.isdisjoint(_ADDRESS_WORDS) or (
        not words.isdisjoint(_STREET_WORDS)
        and (not words.isdisjoint(_HAMLET_WORDS) or bool(_DIGIT.search(text)))
    )


# Dates of birth: after "TTL" (place and date: both go), "tempat/tanggal lahir", "tgl
# lahir" or "lahir (di …) (pada) (tanggal)".
_MONTHS = (
    r"(?:jan(?:uari)?|feb(?:ruari)?|mar(?:et)?|apr(?:il)?|mei|jun(?:i)?|jul(?:i)?"
    r"|agu(?:stus)?|agt|ags|sep(?:t(?:ember)?)?|okt(?:ober)?|nov(?:ember)?|des(?:ember)?)"
)
_DATE = (
    rf"(?:[0-9]{{1,2}}{_S}*[-/.]{_S}*[0-9]{{1,2}}{_S}*[-/.]{_S}*(?:19|20)?[0-9]{{2}}"
    rf"|[0-9]{{1,2}}{_S}*[-/]?{_S}*{_MONTHS}\.?{_S}*[-/]?{_S}*(?:19|20)[0-9]{{2}}"
    rf"|(?:19|20)[0-9]{{2}}-[0-9]{{2}}-[0-9]{{2}})(?![0-9])"
)
_PLACE = rf"(?:[^\W\d_][\w'-]*\.?(?:{_S}+[^\W\d_][\w'-]*\.?){{0,3}}{_S}*[,/]?{_S}*)?"
_BIRTH = re.compile(
    rf"(?<!\w)(?:(?:ttl|t\.t\.l\.?|tempat{_S}*[,/&]?{_S}*(?:dan{_S}+)?(?:tgl|tanggal)\.?{_S}*lahir)"
    rf"(?!\w)\.?{_S}*[:=]?{_S}*(?P<place>{_PLACE}{_DATE})"
    rf"|(?:tgl|tanggal)\.?{_S}*lahir(?!\w){_S}*[:=]?{_S}*(?P<date>{_DATE})"
    rf"|lahir(?:{_S}+di{_S}+[^\W\d_][\w'-]*(?:{_S}+[^\W\d_][\w'-]*){{0,2}},?)?"
    rf"(?:{_S}+pada)?(?:{_S}+(?:tanggal|tgl\.?))?"
    rf"{_S}*[:=]?{_S}*(?P<bare>{_DATE}))",
    re.IGNORECASE,
)

# Account and card numbers: six or more digits (grouped as people write them) after a word
# that names an account, a bank or a card. Amounts ("Rp 1.500.000") are not numbers here.
_ACCOUNT_NUMBER = rf"(?P<number>[0-9]{{2,}}(?:(?:{_S}?[-.]{_S}?|{_S})[0-9]+){{0,6}})(?![0-9])"
_BANKS = r"bri|bni|bca|mandiri|bsi|btn|cimb(?:\s+niaga)?|danamon|permata|muamalat|bank\s+jambi"
_ACCOUNT = re.compile(
    rf"(?<!\w)(?:(?:no(?:mor|mer)?\.?{_S}*)?(?:rek(?:ening)?|norek|a/c|virtual{_S}+account)"
    rf"|bank{_S}+[^\W\d_]+|{_BANKS})(?!\w)\.?"
    rf"(?:{_S}*[:=.]?{_S}*[^\s0-9][^\s]*?){{0,5}}?{_S}*[:=.]?{_S}*{_ACCOUNT_NUMBER}",
    re.IGNORECASE,
)
_CARDS = (
    r"kartu(?:\s+(?:atm|kredit|debit|bpjs|kis|kip|kks|pkh|tani|prakerja|peserta"
    r"|indonesia\s+(?:sehat|pintar)))?|kis|kip|kks|kps|kjp|atm|bpjs(?:\s+(?:kesehatan"
    r"|ketenagakerjaan|tk|kes))?|no(?:mor)?\.?\s*peserta|nopes"
)
_CARD = re.compile(
    rf"(?<!\w)(?:no(?:mor)?\.?{_S}*)?(?:{_CARDS})(?!\w)\.?(?:{_S}*(?:no|nomor|nomer)(?!\w)\.?)?"
    rf"(?:{_S}*(?:saya|kami|nya|anak{_S}+saya))?"
    rf"{_S}*[:=.]?{_S}*{_ACCOUNT_NUMBER}",
    re.IGNORECASE,
)

# Plates: a region code, 1–4 digits and 1–3 letters ("B 1234 KJA", "BH 1234 AB"). In
# capitals anywhere; in any case after "plat", "nopol", "no pol", "nomor polisi".
_REGIONS = (
    "A B D E F G H K L M N P R S T W Z AA AB AD AE AG BA BB BD BE BG BH BK BL BM BN BP DA DB"
    " DC DD DE DG DH DK DL DM DN DR DS DT DW EA EB ED KB KH KT KU PA PB"
).split()
_PLATE_BODY = rf"[1-9][0-9]{{0,3}}{_S}?"
_PLATE = re.compile(
    rf"(?<![\w/.-])(?:{'|'.join(_REGIONS)}){_S}?{_PLATE_BODY}[A-Z]{{1,3}}(?![\w/-])"
)
_PLATE_WORD = re.compile(
    rf"(?i:(?<!\w)(?:plat|pelat|plat{_S}+nomor|nopol|no\.?{_S}*pol(?:isi)?|nomor{_S}+polisi|tnkb))"
    rf"{_S}*[:.]?{_S}*(?P<plate>(?i:[a-z]{{1,2}}){_S}?{_PLATE_BODY}(?i:[a-z]{{1,3}}))(?![\w/-])"
)

# Street addresses: a chain of parts, each after the last with at most a comma between.
# A chain is an address when an address word starts it ("alamat", "tinggal di",
# "domisili") or it holds a house number ("Jl. Merdeka No. 5"), a gang ("Gg. Mawar") or a
# block ("Blok C2"); a street with RT/RW or a dusun is one too. The address word stays;
# desa, kelurahan and kecamatan names stay (they are the place a complaint is about).
_CAP = (
    r"(?!(?i:blok|no|nomor|rt|rw|gg|jl|jln|jalan|dusun|desa|kel|kelurahan|kec|kecamatan|kab"
    rf"|kabupaten|kota)(?!\w))[{_UPPER}][\w'’-]*"
)
# A gang's name in small letters ("gg. mawar 3"): only with a number after it.
_SMALL = r"(?!(?:blok|no|nomor|rt|rw|dusun|desa|kel|kec)(?!\w))[a-z][\w'’-]*"
_ADDRESS_PART = re.compile(
    rf"(?P<anchor>(?i:alamat(?:nya)?(?:{_S}+(?:saya|kami|rumah|lengkap|tinggal|pelapor))*"
    rf"|beralamat(?:{_S}+di)?|(?:ber)?domisili(?:{_S}+di)?|(?:bertempat{_S}+)?tinggal{_S}+di"
    rf"|rumah{_S}+(?:saya|kami){_S}+di)(?!\w){_S}*[:=]?)"
    rf"|(?P<numbered>(?i:jalan|jln|jl)\.?{_S}*(?:[^\W_][\w'’-]*\.?{_S}+){{0,4}}?"
    rf"(?i:no|nomor|nomer)\.?{_S}*[0-9]+[A-Za-z]?(?!\w))"
    rf"|(?P<gang>(?i:gg)\.?{_S}*(?:{_CAP}|[0-9]+)(?:{_S}+(?:{_CAP}|[0-9]+[A-Za-z]?)){{0,3}}"
    rf"|(?i:gg)\.?{_S}*(?:{_SMALL}{_S}+){{1,2}}[0-9]+[A-Za-z]?(?!\w))"
    rf"|(?P<block>(?i:blok){_S}*(?:[A-Za-z]{{1,2}}[0-9]+|[A-Z]{{1,2}}|[0-9]+)"
    rf"(?:{_S}*[-/]{_S}*[0-9]+)?(?!\w))"
    rf"|(?P<street>(?i:jalan|jln|jl|gang)\.?{_S}*{_CAP}(?:{_S}+(?:{_CAP}|[0-9]+)){{0,3}})"
    rf"|(?P<rtrw>(?i:rt|rw)\.?{_S}*[0-9]{{1,3}}(?:{_S}*[/.,]?{_S}*(?i:rw\.?){_S}*[0-9]{{1,3}}"
    rf"|{_S}*/{_S}*[0-9]{{1,3}})?(?!\w))"
    rf"|(?P<hamlet>(?i:dusun|dsn|kampung|kp|kmp|lingkungan|lingk|perum|perumahan)\.?{_S}*"
    rf"(?:{_CAP}(?:{_S}+{_CAP}){{0,2}}|[0-9]+|[IVX]+(?!\w)))"
    rf"|(?P<house>(?i:no|nomor|nomer)\.?{_S}*[0-9]+[A-Za-z]?(?!\w))"
)
_ADDRESS_GAP = re.compile(rf"{_S}*[,;]?{_S}*")
_STRONG_PARTS = frozenset({"anchor", "numbered", "block"})


# Where a chain may start: an address word, a street, gang, block or hamlet word.
_ADDRESS_SEED = re.compile(
    r"(?<![^\W\d_])(?i:alamat|beralamat|domisili|berdomisili|bertempat|tinggal|rumah|jalan"
    r"|jln|jl|gg|gang|blok|dusun|dsn|kampung|kp|kmp|lingkungan|lingk|perumahan|perum)"
    r"(?![^\W\d_])"
)


def _address_chains(text: str) -> Iterator[list[re.Match[str]]]:
    """Runs of address parts from each seed word on, each part right after the last (a
    comma or space between); an address word ends the run before it."""
    done = 0
    for seed in _ADDRESS_SEED.finditer(text):
        if seed.start() < done:
            continue
        chain: list[re.Match[str]] = []
        position = seed.start()
        while (part := _ADDRESS_PART.match(text, position)) and not (
            chain and part.lastgroup == "anchor"
        ):
            chain.append(part)
            position = _ADDRESS_GAP.match(text, part.end()).end()  # type: ignore[union-attr]
        if chain:
            done = chain[-1].end()
            yield chain


def _is_address(chain: list[re.Match[str]]) -> bool:
    """An address word and more; a house number or block; a numbered gang ("Gg. Mawar 3":
    "Gg. Buntu" alone is a place, as "Jl. Sudirman" is); a street or gang with RT/RW, a
    dusun or a house number."""
    kinds = [str(part.lastgroup) for part in chain]
    if kinds[0] == "anchor":
        return len(kinds) > 1
    if any(k == "gang" and _DIGIT.search(p.group()) for k, p in zip(kinds, chain, strict=True)):
        return True
    return bool(_STRONG_PARTS & set(kinds)) or (
        bool({"street", "gang"} & set(kinds)) and bool({"rtrw", "hamlet", "house"} & set(kinds))
    )


def _scrub_addresses(text: str, placeholder: str) -> str:
    pieces: list[str] = []
    done = 0
    for chain in _address_chains(text):
        if not _is_address(chain):
            continue
        start = chain[1].start() if chain[0].lastgroup == "anchor" else chain[0].start()
        pieces += [text[done:start], placeholder]
        done = chain[-1].end()
    return "".join(pieces) + text[done:] if pieces else text


# Self-introductions: the words after "nama saya", "Nama:", "a.n." / "atas nama" or "saya"
# up to a punctuation mark or a word that is never part of a name (intro_stops, stop
# words, not_names, roles, titles). After "nama saya" or "Nama:" they are the name however
# they are written. After "saya", "a.n." or "atas nama" they are a name when capitalised
# in a text written in sentence case; in capitals or Title Case, when at least one of them
# is not an Indonesian word ("SAYA BUDI SANTOSO" but not "SAYA LAPORKAN JALAN RUSAK").
_INTRO = re.compile(
    rf"(?<![\w.])(?=[nNaAsS])(?:(?P<named>(?i:nama(?:{_S}+lengkap)?{_S}+(?:saya|pelapor|pemohon|anak{_S}+saya"
    rf"|suami{_S}+saya|istri{_S}+saya|ibu{_S}+saya|ayah{_S}+saya|bapak{_S}+saya)"
    rf"|nama(?:{_S}+lengkap)?{_S}*:)(?!\w)(?:{_S}*(?i:adalah|ialah|yaitu|:))?)"
    rf"|(?P<on_behalf>(?i:a\.{_S}?n\.?|an\.|atas{_S}+nama)(?!\w))"
    rf"|(?P<me>(?i:saya)(?!\w){_S}*,?))"
    rf"{_S}*:?{_S}*"
)
_INTRO_WORD = re.compile(rf"[^\W\d_][\w'’]*(?:\.(?=[^\W\d_]|{_S}))?")
_LONGEST_INTRO = 4
_INTRO_GAP = re.compile(rf"{_S}+")
_LETTERS = re.compile(r"[^\W\d_]{3,}")


@functools.cache
def _intro_words() -> tuple[frozenset[str], Mapping[str, None]]:
    """(words that end a self-introduced name, Indonesian words: Sastrawi's dictionary,
    slang and the stop lists; keyed like the dictionary `may_have_root` looks words up in)."""
    from importlib import resources

    path = DATA_DIR / "names.yaml"
    stops = load_phrase_list(path, key="intro_stops") | _name_rules().not_names | _name_rules().skip
    dictionary = resources.files("Sastrawi.Stemmer").joinpath("data", "kata-dasar.txt")
    words = frozenset(dictionary.read_text(encoding="utf-8").split())
    slang = _read_slang()
    return stops, dict.fromkeys(words | slang | stops)


def _read_slang() -> frozenset[str]:
    from shared.survey_data import load_word_map

    slang = load_word_map(DATA_DIR / "slang.yaml")
    return frozenset(slang) | frozenset(w for value in slang.values() for w in value.split())


def _is_word(word: str) -> bool:
    """An Indonesian word, a slang word or one with a root and affixes ("laporkan")."""
    from shared.text import may_have_root

    known = _intro_words()[1]
    return word in known or (len(word) >= 6 and may_have_root(word, known))


def _intro_run(text: str, start: int, stops: frozenset[str]) -> list[re.Match[str]]:
    """The words from `start` up to a punctuation mark or a stop word (at most four)."""
    words: list[re.Match[str]] = []
    position = start
    while len(words) < _LONGEST_INTRO:
        word = _INTRO_WORD.match(text, position)
        if not word or word.group().lower().rstrip(".") in stops:
            break
        words.append(word)
        if word.group().endswith(".") and len(word.group()) > 3:
            break  # the end of a sentence, not an initial
        gap = _INTRO_GAP.match(text, word.end())
        if not gap:
            break
        position = gap.end()
    return words


def _looks_like_name(words: list[re.Match[str]], *, kind: str, loud: bool) -> bool:
    if kind == "named":
        return True
    texts = [word.group().rstrip(".") for word in words]
    if loud or all(t.islower() for t in texts):
        if kind == "me" and not loud:
            return False  # "saya budi …" in small letters: too often "saya lapor …"
        return any(not _is_word(t.lower()) for t in texts)
    return texts[0][:1].isupper()


def _capitalised(words: list[re.Match[str]]) -> list[re.Match[str]]:
    """The leading capitalised words of a run ("Budi Santoso" of "Budi Santoso warga")."""
    for i, word in enumerate(words):
        if not word.group()[0].isupper():
            return words[:i]
    return words


def _intro_name(text: str, intro: re.Match[str], *, loud: bool) -> list[re.Match[str]]:
    """The words of the name a self-introduction gives, or none."""
    kind = str(intro.lastgroup)
    words = _intro_run(text, intro.end(), _intro_words()[0])
    if kind != "named" and not loud:
        words = _capitalised(words)  # sentence case: the capitalised words of the run
    if words and _looks_like_name(words, kind=kind, loud=loud):
        return words
    return []


def _scrub_intros(text: str, placeholder: str) -> str:
    pieces: list[str] = []
    done = 0
    loud = None
    for intro in _INTRO.finditer(text):
        if intro.start() < done:
            continue
        if loud is None:  # capitals or Title Case; asked once, when an intro is found
            letters = _LETTERS.findall(text)
            loud = text.isupper() or sum(w[0].isupper() for w in letters) > 0.6 * len(letters)
        words = _intro_name(text, intro, loud=loud)
        if words:
            pieces += [text[done : words[0].start()], placeholder]
            done = words[-1].end()
    return "".join(pieces) + text[done:] if pieces else text


def _scrub_details(text: str, words: frozenset[str], placeholders: Mapping[str, str]) -> str:
    """Dates of birth, accounts, plates, addresses and self-introductions; `words` are the
    text's runs of letters in small letters (they decide which rules run)."""
    if not words.isdisjoint(_BIRTH_WORDS):
        text = _BIRTH.sub(lambda m: _replace_group(m, placeholders["birth_date"]), text)
    if not words.isdisjoint(_ACCOUNT_WORDS):
        text = _ACCOUNT.sub(lambda m: _replace_number(m, placeholders["account"]), text)
    if not words.isdisjoint(_PLATE_WORDS):
        text = _PLATE_WORD.sub(lambda m: _replace_group(m, placeholders["plate"]), text)
    lower = text.islower()  # no capital letter: no plate in capitals, no "saya Budi"
    if not lower and _PLATE_SHAPE.search(text):
        text = _PLATE.sub(placeholders["plate"], text)
    if _may_hold_address(words, text):
        text = _scrub_addresses(text, placeholders["address"])
    intro = words & _INTRO_WORDS
    if intro and not (lower and intro == {"saya"}):
        text = _scrub_intros(text, placeholders["name"])
    return text


def _replace_group(match: re.Match[str], placeholder: str) -> str:
    """The match with its one named group that matched replaced by the placeholder."""
    name = next(key for key, value in match.groupdict().items() if value is not None)
    start, end = match.span(name)
    whole = match.group()
    return whole[: start - match.start()] + placeholder + whole[end - match.start() :]


def _replace_number(match: re.Match[str], placeholder: str) -> str:
    """An account or card number: at least six digits, not an amount or a year."""
    number = match.group("number")
    digits = _DIGIT.findall(number)
    if len(digits) < 6 or _ORDINARY_NUMBER.fullmatch(number):
        return match.group()
    return _replace_group(match, placeholder)
