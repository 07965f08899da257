"""The pure survey engine: given the questionnaire, stored progress and one input, it says
what to store and what to ask next. No Telegram, no database, no clock.

A run's position is a *step key* "question@block.item", or "review" / "done". The sequence
of steps is derived from the answers themselves: the domain question opens a block, the
item questions repeat while the "another need?" question is answered yes, and the block
repeats while "another domain?" is answered yes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum

from shared.clean import clean_text
from shared.numbers import format_number, parse_number
from shared.survey_data import (
    AgencyList,
    DomainList,
    MessageCatalog,
    ProfileQuestions,
    Question,
    QuestionKind,
    Questionnaire,
    Unit,
    UnitList,
    Wilayah,
    name_key,
)

REVIEW = "review"
DONE = "done"
DEFAULT_FREE_TEXT_MAX = 2000
# Profile steps are keyed "profile_<field>@0.0"; the adapter stores them apart from answers.
PROFILE_PREFIX = "profile_"
# Long place lists are shown a page of buttons at a time; a page button sends "_page.N".
PAGE_SIZE = 8
PAGE_PREFIX = "_page."
_PAGED_KINDS = (QuestionKind.kecamatan, QuestionKind.desa)

AnswerKey = tuple[str, int, int]  # (question id, block, item)

_YES_WORDS = frozenset({"ya", "y", "iya", "yes", "yup", "ok", "oke", "betul", "benar", "ada"})
_NO_WORDS = frozenset(
    {"tidak", "tdk", "gak", "ga", "nggak", "enggak", "no", "n", "bukan", "tidak ada", "nope"}
)
# A bare yes or no typed to an open question; "tidak ada" (none) can answer one.
_NOT_AN_ANSWER = (_YES_WORDS | _NO_WORDS) - {"tidak ada"}


@dataclass(frozen=True)
class StoredAnswer:
    question_id: str
    block: int
    item: int
    domain: str | None
    text: str | None = None
    number: float | None = None
    choice: str | None = None

    @property
    def key(self) -> AnswerKey:
        return (self.question_id, self.block, self.item)


@dataclass(frozen=True)
class Progress:
    """What is stored of one run: the cursor, the edit flag and the answers so far."""

    step: str = ""
    editing: bool = False
    answers: Mapping[AnswerKey, StoredAnswer] = field(default_factory=dict)
    receipt_code: str = ""


@dataclass(frozen=True)
class Context:
    questionnaire: Questionnaire
    domains: DomainList
    messages: MessageCatalog
    language: str = "id"
    plan_years: tuple[int, ...] = (2027, 2028, 2029, 2030, 2031)
    free_text_max: int = DEFAULT_FREE_TEXT_MAX
    # The console numbers its choices, so a typed "2" picks the second; Telegram shows
    # unnumbered buttons, where a typed number is not a choice.
    numbered_choices: bool = True
    # The campaign's agencies (OPD) and the indicator units, for agency and unit questions.
    agencies: AgencyList | None = None
    units: UnitList | None = None
    # The optional respondent profile asked before the first question, and the regions its
    # place questions offer; None when this run does not ask it (see bot.profiles).
    profile: ProfileQuestions | None = None
    wilayah: Wilayah | None = None

    def __post_init__(self) -> None:
        if self.profile is not None and self.wilayah is None:
            raise ValueError("the profile asks for a kecamatan: pass wilayah")
        # Without its list an agency or unit question could never be answered.
        kinds = {question.kind for question in self.questionnaire.questions}
        if QuestionKind.agency in kinds and self.agencies is None:
            raise ValueError("the questionnaire asks for an agency: pass agencies")
        if QuestionKind.unit in kinds and self.units is None:
            raise ValueError("the questionnaire asks for a unit: pass units")

    def t(self, key: str, **values: object) -> str:
        return self.messages.text(key, self.language, **values)


# Inputs ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TextInput:
    text: str


@dataclass(frozen=True)
class ChoiceInput:
    value: str


class Command(StrEnum):
    start = "start"  # show the current question (resume)
    back = "back"
    skip = "skip"
    review = "review"
    submit = "submit"


@dataclass(frozen=True)
class EditInput:
    step: str  # step key of the answer to edit


UserInput = TextInput | ChoiceInput | Command | EditInput


# Outputs --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class ReviewItem:
    step: str
    label: str
    value: str
    domain: str | None


@dataclass(frozen=True)
class Prompt:
    """What to show next. Texts are plain; an adapter escapes and formats them."""

    step: str
    kind: str  # a QuestionKind value, "review" or "done"
    text: str
    progress: str = ""
    hint: str | None = None
    current_answer: str | None = None
    choices: tuple[Choice, ...] = ()
    optional: bool = False
    can_go_back: bool = False
    review_items: tuple[ReviewItem, ...] = ()
    receipt_code: str | None = None
    notice: str | None = None  # what the last answer also changed, shown above the prompt
    page: int = 0  # which page of the choices to show (long place lists, see PAGE_SIZE)
    page_size: int = 0  # 0: all choices at once


@dataclass(frozen=True)
class Outcome:
    """What the adapter must store and show. `writes`/`deletes` are applied in one go."""

    step: str
    editing: bool
    prompt: Prompt
    writes: tuple[StoredAnswer, ...] = ()
    deletes: tuple[AnswerKey, ...] = ()
    error: str | None = None
    submitted: bool = False


# The derived sequence of steps ----------------------------------------------------------


@dataclass(frozen=True)
class Step:
    question: Question
    question_id: str  # differs from question.id for year targets: target_y1 …
    block: int
    item: int
    year_index: int | None = None

    @property
    def key(self) -> str:
        return step_key(self.question_id, self.block, self.item)

    @property
    def answer_key(self) -> AnswerKey:
        return (self.question_id, self.block, self.item)


def step_key(question_id: str, block: int, item: int) -> str:
    return f"{question_id}@{block}.{item}"


def parse_step_key(key: str) -> AnswerKey | None:
    match = re.fullmatch(r"([a-z][a-z0-9_]*)@(\d+)\.(\d+)", key)
    if not match:
        return None
    return (match.group(1), int(match.group(2)), int(match.group(3)))


def _expand(
    question: Question,
    block: int,
    item: int,
    years: int,
    answers: Mapping[AnswerKey, StoredAnswer],
) -> list[Step]:
    if question.asked_if is not None and (question.asked_if, block, item) not in answers:
        return []  # e.g. no baseline given: its year is not asked
    if question.kind is QuestionKind.year_targets:
        return [
            Step(question, f"{question.id}_y{n + 1}", block, item, year_index=n)
            for n in range(years)
        ]
    return [Step(question, question.id, block, item)]


def _repeats(
    answers: Mapping[AnswerKey, StoredAnswer], question_id: str, block: int, item: int
) -> bool | None:
    """The reply to an "another?" question: True for yes, None when not answered yet."""
    answer = answers.get((question_id, block, item))
    return None if answer is None else answer.choice == "yes"


def _block_rows(
    ctx: Context, answers: Mapping[AnswerKey, StoredAnswer], block: int
) -> tuple[list[Step], bool]:
    """The item questions of one block, repeated while "another need?" is answered yes;
    and whether every such reply has been given."""
    years = len(ctx.plan_years)
    steps: list[Step] = []
    complete = True
    item = 0
    while True:
        again: bool | None = False
        for question in ctx.questionnaire.item_questions:
            steps.extend(_expand(question, block, item, years, answers))
            if question.repeat == "item":
                again = _repeats(answers, question.id, block, item)
                complete = complete and again is not None
        if not again:
            return steps, complete
        item += 1


def _block_steps(
    ctx: Context, answers: Mapping[AnswerKey, StoredAnswer], block: int
) -> tuple[list[Step], bool | None, bool]:
    """One domain block: its steps, whether another block follows (None: not answered)
    and whether every repeat question of the block has been answered."""
    domain_question = ctx.questionnaire.domain_question
    steps = [Step(domain_question, domain_question.id, block, 0)]
    rows, complete = _block_rows(ctx, answers, block)
    steps.extend(rows)
    again: bool | None = False
    for question in ctx.questionnaire.block_questions:
        steps.extend(_expand(question, block, 0, len(ctx.plan_years), answers))
        if question.repeat == "block":
            again = _repeats(answers, question.id, block, 0)
            complete = complete and again is not None
    return steps, again, complete


def is_profile_key(key: AnswerKey) -> bool:
    return key[0].startswith(PROFILE_PREFIX)


def profile_key(field_name: str) -> AnswerKey:
    return (PROFILE_PREFIX + field_name, 0, 0)


def _profile_steps(ctx: Context, answers: Mapping[AnswerKey, StoredAnswer]) -> list[Step]:
    """The profile questions, first; desa only once a kecamatan with desa is chosen."""
    if ctx.profile is None:
        return []
    steps = []
    for question in ctx.profile.questions:
        if question.kind is QuestionKind.desa and not _desa_of(ctx, answers):
            continue
        steps.append(Step(question, PROFILE_PREFIX + question.id, 0, 0))
    return steps


def _desa_of(ctx: Context, answers: Mapping[AnswerKey, StoredAnswer]) -> tuple[Choice, ...]:
    """The desa/kelurahan of the kecamatan chosen in the profile, as choices."""
    chosen = answers.get(profile_key("kecamatan"))
    if (
        ctx.wilayah is None
        or chosen is None
        or chosen.choice is None
        or chosen.choice not in ctx.wilayah.by_code
    ):
        return ()
    return tuple(Choice(d.code, d.name) for d in ctx.wilayah.by_code[chosen.choice].desa)


def plan_steps(ctx: Context, answers: Mapping[AnswerKey, StoredAnswer]) -> tuple[list[Step], bool]:
    """The run's steps, taking unanswered repeat questions as "no" (so totals are honest).

    Returns the steps and whether every repeat question on the way has been answered.
    """
    steps: list[Step] = _profile_steps(ctx, answers)
    complete = True
    block = 0
    while True:
        block_steps, again, block_complete = _block_steps(ctx, answers, block)
        steps.extend(block_steps)
        complete = complete and block_complete
        if not again:
            return steps, complete
        block += 1


# Validation -----------------------------------------------------------------------------


class InvalidAnswer(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _choices(
    ctx: Context,
    question: Question,
    step: Step | None = None,
    answers: Mapping[AnswerKey, StoredAnswer] | None = None,
) -> tuple[Choice, ...]:
    """The choices of a question; agencies in the order offered at `step` (see
    _agency_order), so a typed "2" picks the second one shown."""
    if question.kind is QuestionKind.domain:
        return tuple(Choice(d.code, d.short.get(ctx.language)) for d in ctx.domains.domains)
    if question.kind is QuestionKind.agency and ctx.agencies is not None:
        domain, first = _agency_order(ctx, question, step, answers or {})
        return tuple(Choice(a.code, a.short) for a in ctx.agencies.ordered_for(domain, first))
    if question.kind is QuestionKind.unit and ctx.units is not None:
        return tuple(Choice(u.code, u.name.get(ctx.language)) for u in ctx.units.units)
    if question.kind is QuestionKind.choice:
        return tuple(Choice(o.value, o.label.get(ctx.language)) for o in question.options)
    if question.kind is QuestionKind.kecamatan and ctx.wilayah is not None:
        return tuple(Choice(k.code, k.name) for k in ctx.wilayah.kecamatan)
    if question.kind is QuestionKind.desa:
        return _desa_of(ctx, answers or {})
    if question.kind is QuestionKind.yes_no:
        return (Choice("yes", ctx.t("yes")), Choice("no", ctx.t("no")))
    return ()


def _agency_order(
    ctx: Context,
    question: Question,
    step: Step | None,
    answers: Mapping[AnswerKey, StoredAnswer],
) -> tuple[str | None, tuple[str, ...]]:
    """(the block's domain, the agencies this respondent chose in earlier rows, latest
    first): an officer's next row is most often for the same agency."""
    if step is None:
        return None, ()
    domain = _block_domain(answers, ctx, step.block)
    earlier = sorted(
        (a for a in answers.values() if a.question_id == question.id and a.choice),
        key=lambda a: (a.block, a.item),
        reverse=True,
    )
    chosen = tuple(
        a.choice for a in earlier if (a.block, a.item) < (step.block, step.item) and a.choice
    )
    return domain, chosen


def _match_choice(
    ctx: Context,
    question: Question,
    user_input: UserInput,
    choices: tuple[Choice, ...] | None = None,
) -> str:
    choices = _choices(ctx, question) if choices is None else choices
    if isinstance(user_input, ChoiceInput):
        if user_input.value in {choice.value for choice in choices}:
            return user_input.value
        raise InvalidAnswer(ctx.t("error_not_offered"))
    assert isinstance(user_input, TextInput)
    typed = " ".join(user_input.text.split()).lower()
    if not typed:
        raise InvalidAnswer(ctx.t("error_nothing_chosen"))
    for match in (_typed_yes_no, _typed_choice, _typed_name):
        found = match(ctx, question, typed, choices)
        if found is not None:
            return found
    raise InvalidAnswer(_not_a_choice(ctx, question))


def _typed_yes_no(
    ctx: Context, question: Question, typed: str, choices: tuple[Choice, ...]
) -> str | None:
    if question.kind is not QuestionKind.yes_no:
        return None
    if typed in _YES_WORDS or typed == ctx.t("yes").lower():
        return "yes"
    if typed in _NO_WORDS or typed == ctx.t("no").lower():
        return "no"
    return None


def _typed_choice(
    ctx: Context, question: Question, typed: str, choices: tuple[Choice, ...]
) -> str | None:
    """A choice's number (on the console) or its value or label."""
    if ctx.numbered_choices and typed.isdigit() and 1 <= int(typed) <= len(choices):
        return choices[int(typed) - 1].value
    for choice in choices:
        if typed in (choice.value, choice.label.lower()):
            return choice.value
    return None


def _typed_name(
    ctx: Context, question: Question, typed: str, choices: tuple[Choice, ...]
) -> str | None:
    """Any name of a domain, an agency or a unit: "Adminduk", "dinkes", "persen"."""
    if question.kind is QuestionKind.domain:
        return ctx.domains.by_name.get(name_key(typed))
    named = {QuestionKind.agency: ctx.agencies, QuestionKind.unit: ctx.units}.get(question.kind)
    if named is not None:
        found = named.find(typed)
        if found is not None:
            return found.code
    return None


def _not_a_choice(ctx: Context, question: Question) -> str:
    """What to say when typed text is none of the choices: on Telegram, press a button."""
    if ctx.numbered_choices:
        return ctx.t("error_not_offered")
    if question.kind is QuestionKind.domain:
        return ctx.t("error_press_domain")
    if question.kind is QuestionKind.yes_no:
        return ctx.t("error_press_yes_no")
    return ctx.t("error_press_button")


_CHOSEN_KINDS = (
    QuestionKind.kecamatan,
    QuestionKind.desa,
    QuestionKind.domain,
    QuestionKind.choice,
    QuestionKind.yes_no,
    QuestionKind.agency,
    QuestionKind.unit,
)


def _validate(
    ctx: Context,
    step: Step,
    user_input: UserInput,
    domain: str | None,
    answers: Mapping[AnswerKey, StoredAnswer],
) -> StoredAnswer:
    question = step.question
    make = StoredAnswer(
        question_id=step.question_id, block=step.block, item=step.item, domain=domain
    )
    if question.kind in _CHOSEN_KINDS:
        value = _match_choice(ctx, question, user_input, _choices(ctx, question, step, answers))
        if question.kind is QuestionKind.domain:
            make = replace(make, domain=value)
        if question.kind is QuestionKind.unit:
            _check_whole_row(ctx, step, answers, value)
        return replace(make, choice=value)
    if not isinstance(user_input, TextInput):
        raise InvalidAnswer(ctx.t("error_not_offered"))
    # The one place typed text becomes an answer (bot and console alike): characters no
    # database or document can store become spaces here, so they never reach a report.
    text = clean_text(user_input.text).strip()
    if not text:
        raise InvalidAnswer(ctx.t("error_empty"))
    if question.kind is QuestionKind.text:
        return replace(make, text=_free_text(ctx, question, text))
    if question.kind is QuestionKind.year:
        return replace(make, number=_year(ctx, question, text))
    return replace(make, number=_number(ctx, step, text, answers))


def _free_text(ctx: Context, question: Question, text: str) -> str:
    limit = question.max_length or ctx.free_text_max
    if len(text) > limit:
        raise InvalidAnswer(ctx.t("error_too_long", length=len(text), max=limit))
    if " ".join(text.lower().split()).strip(".!") in _NOT_AN_ANSWER:
        # "ya" typed to "Apa yang kita butuhkan …?" is a slip, not a need.
        raise InvalidAnswer(ctx.t("error_not_an_answer"))
    if question.min_length and len(text) < question.min_length:
        raise InvalidAnswer(ctx.t("error_too_short", min=question.min_length))
    return text


def _number(
    ctx: Context, step: Step, text: str, answers: Mapping[AnswerKey, StoredAnswer]
) -> float:
    question = step.question
    number = parse_number(text, ctx.language)
    if number is None:
        raise InvalidAnswer(ctx.t("error_not_number"))
    low, high = question.min_value, question.max_value
    if (low is not None and number < low) or (high is not None and number > high):
        raise InvalidAnswer(
            ctx.t(
                "error_number_range",
                min=format_number(low, ctx.language) if low is not None else "-∞",
                max=format_number(high, ctx.language) if high is not None else "∞",
            )
        )
    unit = _row_unit(ctx, answers, step) if question.in_row_unit else None
    if unit is not None and unit.whole and not number.is_integer():
        raise InvalidAnswer(
            ctx.t(
                "error_whole_number",
                unit=unit.name.get(ctx.language),
                example=format_number(float(round(number)), ctx.language),
            )
        )
    return number


def _check_whole_row(
    ctx: Context, step: Step, answers: Mapping[AnswerKey, StoredAnswer], code: str
) -> None:
    """A unit counting whole things, chosen (again, from the review) for a row that already
    holds a decimal baseline or target, is refused: the row would hold 146,2 desa."""
    unit = ctx.units.by_code.get(code) if ctx.units is not None else None
    if unit is None or not unit.whole:
        return
    steps, _ = plan_steps(ctx, answers)
    for other in steps:
        answer = answers.get(other.answer_key)
        if (
            other.question.in_row_unit
            and (other.block, other.item) == (step.block, step.item)
            and answer is not None
            and answer.number is not None
            and not answer.number.is_integer()
        ):
            raise InvalidAnswer(
                ctx.t(
                    "error_whole_unit_conflict",
                    unit=unit.name.get(ctx.language),
                    question=_step_label(ctx, other, steps),
                    value=format_number(answer.number, ctx.language),
                )
            )


def _year(ctx: Context, question: Question, text: str) -> float:
    """A year from min_value up to the year before the plan's first (a baseline's year is
    a year with data, so before the plan begins)."""
    low = int(question.min_value) if question.min_value is not None else 1900
    high = ctx.plan_years[0] - 1 if ctx.plan_years else 9999
    if question.max_value is not None:
        high = min(high, int(question.max_value))
    typed = text.strip().rstrip(".")
    if not (typed.isdigit() and len(typed) == 4 and low <= int(typed) <= high):
        raise InvalidAnswer(ctx.t("error_not_year", min=low, max=high))
    return float(typed)


def _row_unit(ctx: Context, answers: Mapping[AnswerKey, StoredAnswer], step: Step) -> Unit | None:
    """The unit chosen for the step's row, or None."""
    question = ctx.questionnaire.unit_question
    if question is None or ctx.units is None:
        return None
    answer = answers.get((question.id, step.block, step.item))
    return ctx.units.by_code.get(answer.choice) if answer and answer.choice else None


# Rendering ------------------------------------------------------------------------------


def display_value(ctx: Context, answer: StoredAnswer) -> str:
    """An answer as the respondent should read it back."""
    if answer.text is not None:
        return answer.text
    if answer.number is not None:
        question = ctx.questionnaire.by_id.get(answer.question_id)
        if question is not None and question.kind is QuestionKind.year:
            return str(int(answer.number))  # 2025, not 2.025
        return format_number(answer.number, ctx.language)
    if answer.choice is not None:
        if answer.choice in ctx.domains.by_code and answer.question_id == (
            ctx.questionnaire.domain_question.id
        ):
            return ctx.domains.by_code[answer.choice].short.get(ctx.language)  # as on its button
        if is_profile_key(answer.key):
            return _profile_label(ctx, answer)
        question = ctx.questionnaire.by_id.get(answer.question_id)
        if question is not None:
            for choice in _choices(ctx, question):
                if choice.value == answer.choice:
                    return choice.label
        return answer.choice
    return ""


def _profile_label(ctx: Context, answer: StoredAnswer) -> str:
    """A profile answer's label: a kecamatan's or desa's name, or the option's label."""
    code = answer.choice or ""
    wilayah = ctx.wilayah
    if answer.question_id == PROFILE_PREFIX + "kecamatan" and wilayah and code in wilayah.by_code:
        return wilayah.by_code[code].name
    if answer.question_id == PROFILE_PREFIX + "desa" and wilayah and code in wilayah.desa_names:
        return wilayah.desa_names[code]
    questions = ctx.profile.questions if ctx.profile is not None else ()
    for question in questions:
        if PROFILE_PREFIX + question.id == answer.question_id:
            labels = {o.value: o.label.get(ctx.language) for o in question.options}
            return labels.get(code, code)
    return code


def _block_domain(
    answers: Mapping[AnswerKey, StoredAnswer], ctx: Context, block: int
) -> str | None:
    answer = answers.get((ctx.questionnaire.domain_question.id, block, 0))
    return answer.choice if answer else None


def _step_label(ctx: Context, step: Step, steps: list[Step]) -> str:
    """The question's short label; with the year of a target, and with the number of its
    need once its domain has several ("Alasan 2": the reason of the second need)."""
    label = step.question.label(ctx.language)
    if step.year_index is not None:
        return f"{label} {ctx.plan_years[step.year_index]}"
    if _has_several_items(step, steps):
        return f"{label} {step.item + 1}"
    return label


def _has_several_items(step: Step, steps: list[Step]) -> bool:
    """An item question (a need's) in a domain block that has more than one need."""
    return step.question.scope == "item" and any(s.block == step.block and s.item for s in steps)


def _measured(ctx: Context, answers: Mapping[AnswerKey, StoredAnswer], step: Step) -> str:
    """What a yearly target measures: the answer of the nearest text question before it in
    the same row (the indicator; unit and baseline sit in between), or the question's own
    short label."""
    questions = ctx.questionnaire.questions
    position = questions.index(step.question)
    for question in reversed(questions[:position]):
        if question.kind is QuestionKind.text and question.scope == step.question.scope:
            before = answers.get((question.id, step.block, step.item))
            if before is not None and before.text:
                return before.text
            break
    return step.question.label(ctx.language)


def _progress_label(ctx: Context, steps: list[Step], index: int, domain: str | None) -> str:
    """ "Question 3 of 7 · Health"; the profile questions count apart ("About you 1/4")."""
    profile = sum(1 for s in steps if s.question_id.startswith(PROFILE_PREFIX))
    if index < profile:
        return ctx.t("profile_progress", number=index + 1, total=profile)
    number, total = index + 1 - profile, len(steps) - profile
    if domain and domain in ctx.domains.by_code:
        label = ctx.t(
            "progress_domain",
            number=number,
            total=total,
            domain=ctx.domains.by_code[domain].short.get(ctx.language),
        )
    else:
        label = ctx.t("progress", number=number, total=total)
    if _has_several_items(steps[index], steps):  # the need questions again: say which need
        label += " · " + ctx.t("progress_item", number=steps[index].item + 1)
    return label


def _question_prompt(
    ctx: Context, progress: Progress, steps: list[Step], index: int, page: int = 0
) -> Prompt:
    step = steps[index]
    question = step.question
    answers = progress.answers
    profiled = step.question_id.startswith(PROFILE_PREFIX)
    domain = None if profiled else _block_domain(answers, ctx, step.block)
    label = _progress_label(ctx, steps, index, domain)
    text = question.text.get(ctx.language)
    if step.year_index is not None:
        years = ctx.plan_years
        values = dict(
            year=years[step.year_index],
            number=step.year_index + 1,
            total=len(years),
            indicator=_measured(ctx, answers, step),
        )
        year_line = (
            question.year_text.get(ctx.language).format(**values)
            if question.year_text is not None
            else ctx.t("year_target", **values)
        )
        # The question once, then only the year: five long repeats read as a loop.
        text = f"{text}\n{year_line}" if step.year_index == 0 else year_line
    hint = question.hint.get(ctx.language) if question.hint else None
    if hint and "{example}" in hint:  # the example of the block's own domain
        example = (
            ctx.domains.by_code[domain].example
            if domain is not None and domain in ctx.domains.by_code
            else None
        )
        hint = hint.replace("{example}", example.get(ctx.language)) if example else None
    if question.kind is QuestionKind.domain:
        hint = ctx.t("choose_domain_hint")
    elif question.kind is QuestionKind.agency and hint is None:
        hint = ctx.t("choose_agency_hint")
    elif question.kind is QuestionKind.unit and hint is None:
        hint = ctx.t("choose_unit_hint")
    elif question.kind in (QuestionKind.number, QuestionKind.year_targets) and hint is None:
        hint = ctx.t("number_hint")
    if profiled and index == 0 and hint is None:
        hint = ctx.t("profile_hint")  # why these are asked, once, at the first of them
    stored = answers.get(step.answer_key)
    paged = question.kind in _PAGED_KINDS
    return Prompt(
        step=step.key,
        kind=question.kind.value,
        text=text,
        progress=label,
        hint=hint,
        current_answer=display_value(ctx, stored) if stored else None,
        choices=_choices(ctx, question, step, answers),
        optional=not question.required,
        can_go_back=index > 0 or progress.editing,
        page=page if paged else 0,
        page_size=PAGE_SIZE if paged else 0,
    )


def review_prompt(ctx: Context, progress: Progress) -> Prompt:
    steps, _ = plan_steps(ctx, progress.answers)
    items = []
    for step in steps:
        answer = progress.answers.get(step.answer_key)
        if answer is None or step.question.repeat is not None:
            continue
        items.append(
            ReviewItem(
                step=step.key,
                label=_step_label(ctx, step, steps),
                value=display_value(ctx, answer),
                domain=None
                if is_profile_key(step.answer_key)
                else _block_domain(progress.answers, ctx, step.block),
            )
        )
    # Reached early (/ubah mid-survey): the answers so far, no submit, and "back" resumes.
    finished = _next_to_answer(progress.answers, steps) is None
    if not items:
        title = ctx.t("review_empty")
    else:
        title = ctx.t("review_title") if finished else ctx.t("review_so_far")
    return Prompt(
        step=REVIEW,
        kind="review",
        text=title,
        hint=ctx.t("review_hint") if finished else ctx.t("review_unfinished_hint"),
        review_items=tuple(items),
        choices=(Choice(Command.submit.value, ctx.t("submit")),) if finished else (),
        can_go_back=True,
    )


def _next_to_answer(answers: Mapping[AnswerKey, StoredAnswer], steps: list[Step]) -> int | None:
    """The first required question not yet answered, else the first unanswered "another?"
    question; None when the run can be submitted."""
    missing = _first_missing(answers, steps)
    if missing is not None:
        return missing
    return next(
        (i for i, s in enumerate(steps) if s.answer_key not in answers and s.question.repeat), None
    )


def _done_prompt(ctx: Context, progress: Progress, key: str = "already_submitted") -> Prompt:
    return Prompt(
        step=DONE,
        kind="done",
        text=ctx.t(key, receipt=progress.receipt_code),
        receipt_code=progress.receipt_code,
    )


def current_prompt(ctx: Context, progress: Progress) -> Prompt:
    """What to show for the stored position (used when a respondent comes back)."""
    return advance(ctx, progress, Command.start).prompt


# Transitions ----------------------------------------------------------------------------


def _apply(
    answers: Mapping[AnswerKey, StoredAnswer],
    writes: tuple[StoredAnswer, ...] | list[StoredAnswer] = (),
    deletes: tuple[AnswerKey, ...] = (),
) -> dict[AnswerKey, StoredAnswer]:
    merged = dict(answers)
    for key in deletes:
        merged.pop(key, None)
    for answer in writes:
        merged[answer.key] = answer
    return merged


def _first_missing(answers: Mapping[AnswerKey, StoredAnswer], steps: list[Step]) -> int | None:
    for index, step in enumerate(steps):
        if step.question.required and step.answer_key not in answers:
            return index
    return None


def _position(steps: list[Step], key: str) -> int | None:
    for index, step in enumerate(steps):
        if step.key == key:
            return index
    return None


@dataclass(frozen=True)
class _Turn:
    """One input's view of a run: the context, the stored progress and its derived steps."""

    ctx: Context
    progress: Progress
    steps: list[Step]
    complete: bool

    @property
    def answers(self) -> Mapping[AnswerKey, StoredAnswer]:
        return self.progress.answers

    def at(
        self,
        index: int,
        *,
        editing: bool = False,
        error: str | None = None,
        page: int = 0,
        deletes: tuple[AnswerKey, ...] = (),
    ) -> Outcome:
        shown = replace(self.progress, editing=editing)
        return Outcome(
            step=self.steps[index].key,
            editing=editing,
            prompt=_question_prompt(self.ctx, shown, self.steps, index, page),
            error=error,
            deletes=deletes,
        )

    def review(
        self,
        error: str | None = None,
        writes: list[StoredAnswer] | tuple = (),
        deletes: tuple[AnswerKey, ...] = (),
    ) -> Outcome:
        answers = _apply(self.answers, writes, deletes)
        new = Progress(REVIEW, False, answers, self.progress.receipt_code)
        return Outcome(
            step=REVIEW,
            editing=False,
            prompt=review_prompt(self.ctx, new),
            writes=tuple(writes),
            deletes=deletes,
            error=error,
        )


def advance(ctx: Context, progress: Progress, user_input: UserInput) -> Outcome:
    """Handle one input: the single entry point of the engine."""
    turn = _Turn(ctx, progress, *plan_steps(ctx, progress.answers))
    if progress.step == DONE:
        return _when_done(turn, user_input)
    if isinstance(user_input, EditInput):
        return _edit(turn, user_input)
    if user_input is Command.review:
        return turn.review()
    if user_input is Command.submit:
        return _submit(turn)
    if progress.step == REVIEW:
        return _from_review(turn, user_input)
    return _at_question(turn, user_input)


def _when_done(turn: _Turn, user_input: UserInput) -> Outcome:
    progress = turn.progress
    shown_again = user_input is Command.start
    return Outcome(
        step=DONE,
        editing=False,
        prompt=_done_prompt(turn.ctx, progress),
        error=None
        if shown_again
        else turn.ctx.t("already_submitted", receipt=progress.receipt_code),
    )


def _edit(turn: _Turn, user_input: EditInput) -> Outcome:
    index = _position(turn.steps, user_input.step)
    if index is None or turn.steps[index].question.repeat is not None:
        return _stay(turn.ctx, turn.progress, turn.ctx.t("error_nothing_to_edit"))
    return turn.at(index, editing=True)


def _submit(turn: _Turn) -> Outcome:
    ctx, answers, steps = turn.ctx, turn.answers, turn.steps
    missing = _first_missing(answers, steps)
    if missing is not None or not turn.complete:
        if missing is None:  # an unanswered repeat question is required too
            missing = next(i for i, s in enumerate(steps) if s.answer_key not in answers)
        return turn.at(
            missing,
            error=ctx.t(
                "error_required_missing",
                # "…: Bidang lain?. Mohon…" — the template ends the sentence itself.
                question=_step_label(ctx, steps[missing], steps).rstrip("?.!"),
            ),
        )
    wanted = {step.answer_key for step in steps}
    # A profile given in an earlier run is not this run's to drop.
    deletes = tuple(
        key
        for key in answers
        if key not in wanted and not (ctx.profile is None and is_profile_key(key))
    )
    done = Progress(DONE, False, _apply(answers, (), deletes), turn.progress.receipt_code)
    return Outcome(
        step=DONE,
        editing=False,
        prompt=_done_prompt(ctx, done, "submitted"),
        deletes=deletes,
        submitted=True,
    )


def _from_review(turn: _Turn, user_input: UserInput) -> Outcome:
    resume = _next_to_answer(turn.answers, turn.steps)
    if user_input is Command.back:  # to where answering goes on, or the last question
        return turn.at(len(turn.steps) - 1 if resume is None else resume)
    if user_input is Command.start:
        return turn.review()
    early = resume is not None  # no submit button to press yet
    return turn.review(
        error=turn.ctx.t("review_use_buttons_early" if early else "review_use_buttons")
    )


def _at_question(turn: _Turn, user_input: UserInput) -> Outcome:
    index = _position(turn.steps, turn.progress.step)
    if index is None:  # not started, or the stored step no longer exists: resume sensibly
        missing = next(
            (i for i, s in enumerate(turn.steps) if s.answer_key not in turn.answers), None
        )
        if missing is None and turn.complete:
            return turn.review()
        index = missing or 0
        if user_input is Command.start:
            return turn.at(index)
    if user_input is Command.start:
        return turn.at(index, editing=turn.progress.editing)
    if user_input is Command.back:
        return _back(turn, index)
    if user_input is Command.skip:
        return _skip(turn, index)
    page = _page_asked(turn.steps[index], user_input)
    if page is not None:  # another page of a long list: the same question
        return turn.at(index, editing=turn.progress.editing, page=page)
    return _answer(turn, index, user_input)


def _page_asked(step: Step, user_input: UserInput) -> int | None:
    if not isinstance(user_input, ChoiceInput) or step.question.kind not in _PAGED_KINDS:
        return None
    number = user_input.value.removeprefix(PAGE_PREFIX)
    if number == user_input.value or not number.isdigit():
        return None
    return int(number)


def _profile_clears(step: Step) -> tuple[AnswerKey, ...]:
    """Skipping a profile question clears its answer (and a kecamatan's desa): "Lewati"
    means "do not record this"."""
    if not step.question_id.startswith(PROFILE_PREFIX):
        return ()
    cleared = [step.answer_key]
    if step.question.kind is QuestionKind.kecamatan:
        cleared.append(profile_key("desa"))
    return tuple(cleared)


def _back(turn: _Turn, index: int) -> Outcome:
    if turn.progress.editing:
        return turn.review()
    if index == 0:
        return turn.at(index, error=turn.ctx.t("error_first_question"))
    return turn.at(index - 1)


def _skip(turn: _Turn, index: int) -> Outcome:
    steps, step = turn.steps, turn.steps[index]
    if step.question.required and step.answer_key not in turn.answers:
        return turn.at(index, editing=turn.progress.editing, error=turn.ctx.t("error_cannot_skip"))
    clears = _profile_clears(step)
    if turn.progress.editing:
        return turn.review(deletes=clears)
    following = index + 1
    if step.year_index == 0 and not step.question.required:
        # Skipped at its first year, an optional yearly question is skipped whole
        # (no indicative budget yet), not year by year.
        while following < len(steps) and steps[following].question is step.question:
            following += 1
    if clears:  # without the desa the kecamatan opened, the steps after it shift
        steps, _ = plan_steps(turn.ctx, _apply(turn.answers, (), clears))
        turn = replace(turn, steps=steps)
    if following < len(turn.steps):
        return turn.at(following, deletes=clears)
    return turn.review(deletes=clears)


def _answer(turn: _Turn, index: int, user_input: UserInput) -> Outcome:
    ctx, progress, answers, step = turn.ctx, turn.progress, turn.answers, turn.steps[index]
    domain = _block_domain(answers, ctx, step.block)
    try:
        answer = _validate(ctx, step, user_input, domain, answers)
    except InvalidAnswer as invalid:
        return turn.at(index, editing=progress.editing, error=invalid.message)
    writes = [answer]
    notice = None
    if step.question.kind is QuestionKind.domain and domain != answer.choice:
        moved, notice = _move_block(ctx, answers, step, answer)
        writes.extend(moved)
    deletes: tuple[AnswerKey, ...] = ()
    previous = answers.get(step.answer_key)
    if step.question.kind is QuestionKind.kecamatan and previous and previous != answer:
        deletes = (profile_key("desa"),)  # the desa of another kecamatan
    if progress.editing:  # only content answers are editable, so back to the review
        return _with_notice(turn.review(writes=writes, deletes=deletes), notice)
    new_answers = _apply(answers, writes, deletes)
    new_steps, _ = plan_steps(ctx, new_answers)
    if index + 1 < len(new_steps):
        nxt = Progress(new_steps[index + 1].key, False, new_answers, progress.receipt_code)
        return Outcome(
            step=nxt.step,
            editing=False,
            prompt=replace(_question_prompt(ctx, nxt, new_steps, index + 1), notice=notice),
            writes=tuple(writes),
            deletes=deletes,
        )
    return _with_notice(turn.review(writes=writes, deletes=deletes), notice)


def _move_block(
    ctx: Context,
    answers: Mapping[AnswerKey, StoredAnswer],
    step: Step,
    answer: StoredAnswer,
) -> tuple[list[StoredAnswer], str | None]:
    """The block's domain changed: every answer of the block moves with it, and the
    respondent is told so (their needs now count for the other domain)."""
    moved = [
        StoredAnswer(a.question_id, a.block, a.item, answer.choice, a.text, a.number, a.choice)
        for a in answers.values()
        if a.block == step.block and a.key != answer.key and not is_profile_key(a.key)
    ]
    # Counted as the review lists them: answered steps of the block, without the domain
    # and the "another?" replies (and without answers left off the path, e.g. a need
    # withdrawn with "no").
    steps_after, _ = plan_steps(ctx, _apply(answers, [answer, *moved]))
    shown = sum(
        1
        for s in steps_after
        if s.block == step.block
        and not is_profile_key(s.answer_key)
        and s.question.kind is not QuestionKind.domain
        and s.question.repeat is None
        and s.answer_key in answers
    )
    if not shown or answer.choice is None or answer.choice not in ctx.domains.by_code:
        return moved, None
    notice = ctx.t(
        "domain_moved",
        domain=ctx.domains.by_code[answer.choice].short.get(ctx.language),
        count=shown,
    )
    return moved, notice


def _with_notice(outcome: Outcome, notice: str | None) -> Outcome:
    if notice is None:
        return outcome
    return replace(outcome, prompt=replace(outcome.prompt, notice=notice))


def _stay(ctx: Context, progress: Progress, error: str) -> Outcome:
    """Show the current position again, with an error."""
    shown = advance(ctx, progress, Command.start)
    return Outcome(step=shown.step, editing=shown.editing, prompt=shown.prompt, error=error)
