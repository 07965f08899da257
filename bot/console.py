"""Console adapter: the same survey engine in a terminal, against the real database."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import TextIO

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot import runs, store
from bot.engine import (
    ChoiceInput,
    Command,
    Context,
    EditInput,
    Outcome,
    Prompt,
    TextInput,
    UserInput,
    advance,
)
from shared import crud
from shared.agencies import campaign_agencies
from shared.db import session_scope
from shared.models import Campaign, Instrument, Respondent, Role, stored_id
from shared.settings import Settings
from shared.survey_data import SurveyData

COMMANDS = {
    "/kembali": Command.back,
    "/back": Command.back,
    "/lewati": Command.skip,
    "/skip": Command.skip,
    "/periksa": Command.review,
    "/review": Command.review,
    "/kirim": Command.submit,
    "/submit": Command.submit,
}


class ConsoleAction(StrEnum):
    """Typed lines the console handles itself, without the engine."""

    quit = "quit"
    help = "help"
    edit_which = "edit_which"
    unknown = "unknown"


QUIT = {"/keluar", "/quit", "/exit"}
HELP = {"/bantuan", "/help"}
EDIT = {"/ubah", "/edit"}
NEW = {"/baru", "/new"}


def render(prompt: Prompt, ctx: Context) -> str:
    """A prompt as terminal text: numbered choices, review items numbered for /edit."""
    lines = []
    if prompt.notice:
        lines.append(f"* {prompt.notice}")
    if prompt.progress:
        lines.append(f"[{prompt.progress}]")
    lines.append(prompt.text + (f" {ctx.t('optional')}" if prompt.optional else ""))
    if prompt.hint:
        lines.append(prompt.hint)
    if prompt.current_answer is not None:
        lines.append(ctx.t("current_answer", answer=prompt.current_answer))
    for number, item in enumerate(prompt.review_items, start=1):
        lines.append(f"  {number}. {item.label}: {item.value}")
    if prompt.kind == "review":
        submit = "/kirim" if ctx.language == "id" else "/submit"
        back = "/kembali" if ctx.language == "id" else "/back"
        if prompt.choices:
            lines.append(f"{ctx.t('edit_which')}  {submit} = {ctx.t('submit')}")
        else:
            lines.append(f"{ctx.t('edit_which')}  {back} = {ctx.t('back')}")
    elif prompt.choices:
        lines.extend(f"  {n}. {choice.label}" for n, choice in enumerate(prompt.choices, 1))
    return "\n".join(lines)


def parse_line(line: str, prompt: Prompt) -> UserInput | ConsoleAction:
    """Turn a typed line into an engine input, or an action the console handles itself."""
    stripped = line.strip()
    word, _, rest = stripped.partition(" ")
    command = _parse_command(word.lower(), rest, prompt)
    if command is not None:
        return command
    if stripped.isdigit():
        return _parse_number(line, stripped, prompt)
    return TextInput(line)


def _parse_command(lowered: str, rest: str, prompt: Prompt) -> UserInput | ConsoleAction | None:
    """A slash command (or a bare quit/help/edit word), or None when the line is not one."""
    if lowered in QUIT:
        return ConsoleAction.quit
    if lowered in HELP:
        return ConsoleAction.help
    if lowered in COMMANDS:
        return COMMANDS[lowered]
    if lowered in EDIT:
        return _parse_edit(rest, prompt)
    if lowered.startswith("/"):
        return ConsoleAction.unknown
    return None


def _parse_edit(rest: str, prompt: Prompt) -> UserInput | ConsoleAction:
    if prompt.kind != "review":
        return Command.review  # the numbers to edit by are in the review
    if rest.strip().isdigit() and 1 <= int(rest) <= len(prompt.review_items):
        return EditInput(prompt.review_items[int(rest) - 1].step)
    return ConsoleAction.edit_which


def _parse_number(line: str, digits: str, prompt: Prompt) -> UserInput:
    """A typed number: a review item to edit, or a numbered choice."""
    if prompt.kind == "review":
        number = int(digits)
        if 1 <= number <= len(prompt.review_items):
            return EditInput(prompt.review_items[number - 1].step)
        return TextInput(line)
    if prompt.choices:
        number = int(digits)
        if 1 <= number <= len(prompt.choices):
            return ChoiceInput(prompt.choices[number - 1].value)
        return ChoiceInput(f"#{number}")  # not offered: the engine says so politely
    return TextInput(line)


@dataclass(frozen=True)
class _Start:
    """What the console knows before the run starts."""

    ctx: Context
    respondent_id: int
    campaign_id: int
    submitted: str | None  # the receipt of a run already submitted in this campaign


def run_console(
    *,
    engine: Engine,
    settings: Settings,
    survey_data: SurveyData,
    instrument: str,
    language: str,
    name: str | None,
    campaign_code: str | None = None,
    stdin: TextIO | None = None,
    write: Callable[[str], None] | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> int:
    """Run the survey until submitted, quit, end of input or Ctrl-C. Returns an exit code."""
    stdin = stdin or sys.stdin
    write = write or (lambda text: print(text, flush=True))
    kind = Instrument(instrument)
    local_name = f"console:{name or getpass.getuser()}"
    with session_scope(engine) as session:
        start = _prepare(
            session=session,
            settings=settings,
            survey_data=survey_data,
            kind=kind,
            language=language,
            local_name=local_name,
            campaign_code=campaign_code,
            now=clock(),
        )
    if start is None:
        write(survey_data.messages.text("no_open_campaign", language))
        return 1
    ctx = start.ctx
    if start.submitted is not None:
        code = _ask_new(ctx, start.submitted, stdin, write)
        if code is not None:
            return code
    with session_scope(engine) as session:
        run, _ = store.start_or_resume_run(
            session=session,
            respondent=session.get_one(Respondent, start.respondent_id),
            campaign=session.get_one(Campaign, start.campaign_id),
            instrument=kind,
            now=clock(),
            source="console",
            served_version=survey_data.questionnaire(instrument).version,
        )
        run_id = stored_id(run)

    def step(user_input: UserInput) -> Outcome:
        with session_scope(engine) as session:
            run = store.lock_run(session=session, run_id=run_id)
            progress = store.load_progress(session=session, run=run)
            outcome = advance(ctx, progress, user_input)
            store.apply_outcome(session=session, run=run, outcome=outcome, now=clock())
        return outcome

    write(ctx.questionnaire.title.get(language))
    write(ctx.questionnaire.intro.get(language))
    write(ctx.t("console_help"))
    outcome = step(Command.start)
    write(render(outcome.prompt, ctx))
    return _converse(ctx, outcome, step, stdin, write)


def _prepare(
    *,
    session: Session,
    settings: Settings,
    survey_data: SurveyData,
    kind: Instrument,
    language: str,
    local_name: str,
    campaign_code: str | None,
    now: datetime,
) -> _Start | None:
    """The campaign, the respondent and the survey context; None when no campaign is open."""
    campaign = crud.resolve_campaign(session=session, now=now, code=campaign_code)
    if campaign is None:
        return None
    key = crud.get_secret(
        session=session, name=crud.PSEUDONYM_SECRET, configured=settings.pseudonym_key
    )
    respondent = crud.get_or_create_respondent(
        session=session,
        pseudonym_key=key,
        now=now,
        local_name=local_name,
        language=language,
        role=Role.staff if kind is Instrument.internal else Role.citizen,
    )
    respondent_id, campaign_id = stored_id(respondent), stored_id(campaign)
    open_run = store.open_run(
        session=session, respondent=respondent, campaign=campaign, instrument=kind
    )
    last = runs.last_submitted_run(session=session, respondent_id=respondent_id, instrument=kind)
    submitted = (
        last.receipt_code
        if open_run is None and last is not None and last.campaign_id == campaign_id
        else None
    )
    ctx = Context(
        questionnaire=survey_data.questionnaire(kind.value),
        domains=survey_data.domains,
        messages=survey_data.messages,
        language=language,
        plan_years=store.plan_years(campaign),
        free_text_max=settings.free_text_max_length,
        agencies=campaign_agencies(
            session=session, campaign_id=campaign_id, default=survey_data.agencies
        ),
        units=survey_data.units,
    )
    return _Start(ctx, respondent_id, campaign_id, submitted)


def _ask_new(
    ctx: Context, submitted: str, stdin: TextIO, write: Callable[[str], None]
) -> int | None:
    """As the bot does: the receipt again, and a new survey only when asked for.

    Returns the exit code when no new survey is wanted, None to start one."""
    write(ctx.t("already_submitted", receipt=submitted))
    write(ctx.t("console_start_new"))
    try:
        wanted = stdin.readline()
    except KeyboardInterrupt:
        write("")
        return 130
    if wanted.strip().lower() not in NEW:
        return 0
    return None


def _converse(
    ctx: Context,
    outcome: Outcome,
    step: Callable[[UserInput], Outcome],
    stdin: TextIO,
    write: Callable[[str], None],
) -> int:
    """Read lines until the run is submitted, quit, end of input or Ctrl-C."""
    try:
        while not outcome.submitted and outcome.step != "done":
            line = stdin.readline()
            if line == "":  # end of input: everything given is already stored
                write("\n" + ctx.t("console_saved"))
                return 0
            parsed = parse_line(line.rstrip("\n"), outcome.prompt)
            if parsed is ConsoleAction.quit:
                write(ctx.t("console_saved"))
                return 0
            if isinstance(parsed, ConsoleAction):
                write(_action_message(ctx, parsed, outcome.prompt))
                continue
            outcome = step(parsed)
            if outcome.error:
                write("! " + outcome.error)
            write(render(outcome.prompt, ctx))
    except KeyboardInterrupt:
        write("\n" + ctx.t("console_saved"))
        return 130
    return 0


def _action_message(ctx: Context, action: ConsoleAction, prompt: Prompt) -> str:
    if action is ConsoleAction.help:
        return ctx.t("console_help")
    if action is ConsoleAction.edit_which:
        if prompt.review_items:
            return ctx.t("console_edit_range", count=len(prompt.review_items))
        return ctx.t("review_empty")
    return ctx.t("console_unknown_command", help=ctx.t("console_help"))
