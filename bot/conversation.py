"""What the bot does with each input: one database transaction in, a Reply (what to show) out.

Everything here is synchronous and runs on the bot's database thread (see bot.dbwork); the
Telegram handlers only translate updates into these calls and the Reply into API calls.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session
from telegram import InlineKeyboardMarkup

from bot import (
    answers,
    callback_data,
    claims,
    dbwork,
    deeplinks,
    invites,
    keyboards,
    profiles,
    runs,
    store,
)
from bot.engine import (
    PAGE_PREFIX,
    ChoiceInput,
    Command,
    Context,
    EditInput,
    Outcome,
    Progress,
    Prompt,
    UserInput,
    advance,
    current_prompt,
    review_prompt,
)
from bot.render import Texts, answered_html, esc, prompt_chunks
from bot.respondents import (
    erase_respondent,
    find_respondent,
    has_consented,
    mark_opted_out,
    record_consent,
    record_decline,
)
from processor import erasure
from shared import crud
from shared.agencies import campaign_agencies
from shared.models import Campaign, Instrument, Respondent, Role, SurveyRun, stored_id
from shared.settings import Settings
from shared.survey_data import AgencyList, ServiceUnit, SurveyData, Wilayah
from shared.wilayah import campaign_wilayah


@dataclass(frozen=True)
class Show:
    """One message to send: HTML text, optional buttons, optional PNG (sent as a photo)."""

    text: str
    keyboard: InlineKeyboardMarkup | None = None
    photo: bytes | None = None


@dataclass(frozen=True)
class Reply:
    messages: tuple[Show, ...] = ()
    # For a button press: the pressed message's new text (its keyboard is removed), or None
    # to only remove its keyboard.
    pressed: str | None = None
    note: str | None = None  # the short answer shown for the button press
    language: str = "id"


@dataclass(frozen=True)
class Button:
    """Where a survey button was drawn: the run and a hash of the step (see callback_data)."""

    run_id: int
    at: str


@dataclass(frozen=True)
class CampaignEntry:
    campaign_id: int
    venue: str | None
    unit: str | None = None  # a service unit: the entry opens its SKM


@dataclass(frozen=True)
class InviteEntry:
    token: str


Entry = CampaignEntry | InviteEntry | None


def encode_entry(entry: Entry) -> str:
    """What a deep link asked for, short enough to ride on the consent buttons."""
    if isinstance(entry, CampaignEntry) and entry.unit:
        return f"u{entry.campaign_id}.{entry.unit}"
    if isinstance(entry, CampaignEntry):
        return f"c{entry.campaign_id}.{entry.venue or ''}"
    if isinstance(entry, InviteEntry):
        return f"t{entry.token}"
    return ""


def decode_entry(carry: str) -> Entry:
    if carry.startswith("c") and "." in carry:
        campaign_id, _, venue = carry[1:].partition(".")
        if campaign_id.isdigit():
            return CampaignEntry(int(campaign_id), venue or None)
    if carry.startswith("u") and "." in carry:
        campaign_id, _, unit = carry[1:].partition(".")
        if campaign_id.isdigit() and unit:
            return CampaignEntry(int(campaign_id), None, unit)
    if carry.startswith("t") and len(carry) > 1:
        return InviteEntry(carry[1:])
    return None


def instrument_for(role: Role | str) -> Instrument | None:
    """Staff answer the internal FGD, citizens (and admins) the external; planners neither."""
    if role == Role.staff:
        return Instrument.internal
    if role == Role.planner:
        return None
    return Instrument.external


@dataclass
class _Turn:
    """Collects what one input produces."""

    language: str
    messages: list[Show] = field(default_factory=list)
    pressed: str | None = None
    note: str | None = None

    def say(self, text: str, keyboard: InlineKeyboardMarkup | None = None) -> None:
        self.messages.append(Show(text, keyboard))

    def reply(self) -> Reply:
        return Reply(tuple(self.messages), self.pressed, self.note, self.language)


class Conversation:
    """The bot's decisions. Each public method is one transaction and returns a Reply."""

    def __init__(
        self,
        *,
        settings: Settings,
        survey_data: SurveyData,
        engine: Engine,
        clock: Callable[[], datetime],
    ) -> None:
        self.settings = settings
        self.survey_data = survey_data
        self.engine = engine
        self.clock = clock
        self.messages = survey_data.messages
        self.texts = Texts(survey_data.messages)
        # The consent covers the privacy notice in messages.yaml: its version is the file's.
        self.consent_version = f"{survey_data.messages.id}-v{survey_data.messages.version}"
        self._contexts: dict[tuple[str, str, int], Context] = {}
        self._pseudonym_key: str | None = None
        # Per campaign: its plan years and its agencies (OPD), read once per process.
        self._setups: dict[int, tuple[tuple[int, ...], AgencyList]] = {}
        self._regions: dict[int, Wilayah | None] = {}

    # Plumbing --------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One transaction; the first one of an update's handler also claims the update id
        (see bot.claims), so a duplicate stops here and a failure leaves it unclaimed."""
        claim = claims.pending()
        claimed = None if claim is None else partial(setattr, claim, "state", claims.CLAIMED)
        # Usually a transaction of its own; for a grouped answer, a part of the worker's group
        # transaction (bot.dbwork), and the claim is claimed once that one has committed.
        with dbwork.transaction(self.engine, on_commit=claimed) as session:
            if claim is not None and not claims.insert(
                session.connection(), claim.update_id, self.clock()
            ):
                raise claims.AlreadyHandled(claim.update_id)
            yield session

    def _context(
        self, session: Session, campaign: Campaign, instrument: Instrument, language: str
    ) -> Context:
        assert campaign.id is not None
        return self._context_for(session, campaign.id, instrument, language)

    def _context_for(
        self, session: Session, campaign_id: int, instrument: Instrument, language: str
    ) -> Context:
        key = (instrument.value, language, campaign_id)
        if key not in self._contexts:
            years, agencies = self._setup(session, campaign_id)
            questionnaire = self.survey_data.questionnaire(instrument.value)
            asks_profile = questionnaire.profile and self.survey_data.profile is not None
            self._contexts[key] = Context(
                questionnaire=questionnaire,
                domains=self.survey_data.domains,
                messages=self.messages,
                language=language,
                plan_years=years,
                free_text_max=self.settings.free_text_max_length,
                numbered_choices=False,  # Telegram shows buttons, not numbers
                agencies=agencies,
                units=self.survey_data.units,
                profile=self.survey_data.profile if asks_profile else None,
                wilayah=self._wilayah(session, campaign_id) if asks_profile else None,
            )
        return self._contexts[key]

    def run_context(self, session: Session, run: SurveyRun, language: str) -> Context:
        # Enums come back from the database as plain strings.
        ctx = self._context_for(session, run.campaign_id, Instrument(run.instrument), language)
        if ctx.profile is None:
            return ctx
        session.flush()
        state, _ = profiles.read(session.connection(), run.respondent_id)
        return profiles.context_for_run(ctx, state, stored_id(run))

    def _wilayah(self, session: Session, campaign_id: int) -> Wilayah | None:
        """The campaign's regions for the profile (read once per process, like agencies)."""
        if campaign_id not in self._regions:
            self._regions[campaign_id] = campaign_wilayah(
                session=session, campaign_id=campaign_id, default=self.survey_data.wilayah
            )
        return self._regions[campaign_id]

    def _setup(self, session: Session, campaign_id: int) -> tuple[tuple[int, ...], AgencyList]:
        # A campaign's plan years never change, and its agency list is loaded before it
        # opens (README: a list loaded later reaches a running bot when it restarts), so
        # one lookup per campaign is enough.
        setup = self._setups.get(campaign_id)
        if setup is None:
            campaign = session.get(Campaign, campaign_id)
            assert campaign is not None
            agencies = campaign_agencies(
                session=session, campaign_id=campaign_id, default=self.survey_data.agencies
            )
            setup = self._setups[campaign_id] = (store.plan_years(campaign), agencies)
        return setup

    def _language(self, respondent: Respondent | None) -> str:
        return respondent.language if respondent is not None else self.settings.language

    def _key(self, session: Session) -> str:
        if self._pseudonym_key is None:
            self._pseudonym_key = crud.get_secret(
                session=session,
                name=crud.PSEUDONYM_SECRET,
                configured=self.settings.pseudonym_key,
            )
        return self._pseudonym_key

    def _prompt_messages(
        self, turn: _Turn, prompt: Prompt, run_id: int, *, error: str | None = None, lead: str = ""
    ) -> None:
        chunks = prompt_chunks(prompt, self.texts, turn.language, error=error)
        if lead:
            chunks[0] = f"{lead}\n\n{chunks[0]}"
        keyboard = keyboards.prompt_keyboard(
            prompt, run_id=run_id, messages=self.messages, language=turn.language
        )
        for chunk in chunks[:-1]:
            turn.say(chunk)
        turn.say(chunks[-1], keyboard)

    def _consent_prompt(self, turn: _Turn, entry: Entry) -> None:
        turn.say(
            self.texts("privacy_notice", turn.language)
            + "\n\n"
            + self.texts("consent_question", turn.language),
            keyboards.consent_keyboard(
                messages=self.messages, language=turn.language, carry=encode_entry(entry)
            ),
        )

    def _step(
        self,
        session: Session,
        run: SurveyRun,
        ctx: Context,
        user_input: UserInput,
        progress: Progress | None = None,
    ) -> Outcome:
        """Apply one input to a locked run: the engine decides, the store persists."""
        now = self.clock()
        if progress is None:
            progress = store.load_progress(session=session, run=run)
        outcome = advance(ctx, progress, user_input)
        store.apply_outcome(session=session, run=run, outcome=outcome, now=now)
        runs.mark_active(run=run, now=now)
        session.add(run)
        return outcome

    # Starting ----------------------------------------------------------------------------

    def start(self, *, user_id: int, payload: str | None) -> Reply:
        """/start, with or without a deep-link payload."""
        now = self.clock()
        with self.transaction() as session:
            respondent = find_respondent(session=session, telegram_user_id=user_id)
            turn = _Turn(self._language(respondent))
            entry: Entry = None
            link = deeplinks.parse_payload(payload) if payload else None
            if isinstance(link, deeplinks.BadLink):
                turn.say(self.texts("link_unknown", turn.language))
            elif isinstance(link, deeplinks.InviteLink):
                if invites.find_usable_invite(session=session, token=link.token, now=now) is None:
                    turn.say(self.texts("invite_invalid", turn.language))
                    return turn.reply()
                entry = InviteEntry(link.token)
            elif isinstance(link, deeplinks.CampaignLink):
                campaign = crud.resolve_campaign(session=session, now=now, code=link.campaign_code)
                known = link.unit is None or self._service_unit(campaign, link.unit) is not None
                if campaign is None or not known:
                    turn.say(self.texts("link_unknown", turn.language))
                else:
                    entry = CampaignEntry(stored_id(campaign), link.venue, link.unit)
            if not has_consented(respondent):
                self._consent_prompt(turn, entry)
                return turn.reply()
            assert respondent is not None
            respondent.opted_out = False
            session.add(respondent)
            self._arrive(session, turn, respondent, entry)
            return turn.reply()

    def consent(self, *, user_id: int, agree: bool, language: str, carry: str) -> Reply:
        """The agree/decline buttons under the privacy notice."""
        now = self.clock()
        language = language if language in ("id", "en") else self.settings.language
        with self.transaction() as session:
            respondent = find_respondent(session=session, telegram_user_id=user_id)
            if has_consented(respondent):
                turn = _Turn(self._language(respondent))
                turn.note = self.texts.plain("consent_already", turn.language)
                return turn.reply()
            turn = _Turn(language)
            notice = self.texts("privacy_notice", language)
            if not agree:
                record_decline(session=session, language=language, now=now)
                turn.pressed = notice + "\n\n" + self.texts("consent_declined", language)
                return turn.reply()
            respondent = record_consent(
                session=session,
                telegram_user_id=user_id,
                language=language,
                pseudonym_key=self._key(session),
                consent_version=self.consent_version,
                now=now,
            )
            turn.pressed = notice + "\n\n" + self.texts("consent_given", language)
            self._arrive(session, turn, respondent, decode_entry(carry))
            return turn.reply()

    def _arrive(self, session: Session, turn: _Turn, respondent: Respondent, entry: Entry) -> None:
        """A consented respondent arrives: a service unit's link opens its SKM (for citizens;
        staff and planners go on as usual), anything else enters the campaign."""
        wants_skm = isinstance(entry, CampaignEntry) and entry.unit is not None
        if wants_skm and instrument_for(respondent.role) == Instrument.external:
            assert isinstance(entry, CampaignEntry)
            self._enter_skm(session, turn, respondent, entry)
        else:
            self._enter(session, turn, respondent, entry, offer_resume=True)

    def _enter(
        self,
        session: Session,
        turn: _Turn,
        respondent: Respondent,
        entry: Entry,
        *,
        offer_resume: bool,
    ) -> None:
        """A consented respondent arrives: redeem an invite, find the campaign, show the run."""
        now = self.clock()
        if isinstance(entry, InviteEntry) and self._redeem(session, turn, respondent, entry, now):
            return
        instrument = instrument_for(respondent.role)
        if instrument is None:
            campaign = (
                session.get(Campaign, respondent.campaign_id) if respondent.campaign_id else None
            )
            turn.say(
                self.texts(
                    "status_planner", turn.language, campaign=campaign.name if campaign else "-"
                )
            )
            return
        run = runs.active_run(
            session=session, respondent_id=stored_id(respondent), instrument=instrument
        )
        campaign, venue = self._entry_campaign(session, respondent, entry, instrument, run, now)
        if campaign is None:
            turn.say(self.texts("no_open_campaign", turn.language))
            return
        run = store.open_run(
            session=session, respondent=respondent, campaign=campaign, instrument=instrument
        )
        if self._offered(session, turn, respondent, campaign, instrument, run, offer_resume):
            return
        self._begin(session, turn, respondent, campaign, instrument, venue, run)

    def _redeem(
        self,
        session: Session,
        turn: _Turn,
        respondent: Respondent,
        entry: InviteEntry,
        now: datetime,
    ) -> bool:
        """Redeem an invite; True when that is all (a planner's invite)."""
        invite = invites.redeem_invite(
            session=session, token=entry.token, respondent=respondent, now=now
        )
        if invite is None:
            turn.say(self.texts("invite_invalid", turn.language))
            return False
        campaign = session.get(Campaign, invite.campaign_id)
        assert campaign is not None
        turn.say(
            self.texts(f"invite_accepted_{invite.role}", turn.language, campaign=campaign.name)
        )
        return invite.role == Role.planner

    def _entry_campaign(
        self,
        session: Session,
        respondent: Respondent,
        entry: Entry,
        instrument: Instrument,
        run: SurveyRun | None,
        now: datetime,
    ) -> tuple[Campaign | None, str | None]:
        """The campaign (and venue) the respondent arrives in."""
        if instrument == Instrument.internal and respondent.campaign_id is not None:
            return session.get(Campaign, respondent.campaign_id), None
        if isinstance(entry, CampaignEntry):
            return session.get(Campaign, entry.campaign_id), entry.venue
        if run is not None:
            return session.get(Campaign, run.campaign_id), None
        return crud.resolve_campaign(session=session, now=now), None

    def _offered(
        self,
        session: Session,
        turn: _Turn,
        respondent: Respondent,
        campaign: Campaign,
        instrument: Instrument,
        run: SurveyRun | None,
        offer_resume: bool,
    ) -> bool:
        """Say "already submitted" or offer to resume instead of showing the run: True if so."""
        if run is None:
            submitted = runs.last_submitted_run(
                session=session,
                respondent_id=stored_id(respondent),
                instrument=instrument,
            )
            if submitted is not None and submitted.campaign_id == campaign.id:
                turn.say(
                    self.texts("already_submitted", turn.language, receipt=submitted.receipt_code),
                    keyboards.resume_keyboard(
                        run_id=stored_id(submitted),
                        messages=self.messages,
                        language=turn.language,
                        can_continue=False,
                    ),
                )
                return True
            return False
        run_id = stored_id(run)
        if offer_resume and runs.answer_count(session=session, run_id=run_id) > 0:
            answered = runs.answer_count(session=session, run_id=run_id)
            turn.say(
                self.texts("resume_offer", turn.language, answered=answered),
                keyboards.resume_keyboard(
                    run_id=run_id,
                    messages=self.messages,
                    language=turn.language,
                ),
            )
            return True
        return False

    def _begin(
        self,
        session: Session,
        turn: _Turn,
        respondent: Respondent,
        campaign: Campaign,
        instrument: Instrument,
        venue: str | None,
        run: SurveyRun | None,
        lead: str = "",
    ) -> None:
        """Open (or reopen) the run and show its current question, with the intro if new.

        Input goes to the run whose prompt was shown last: showing the consultation sets an
        unfinished SKM aside (runs.set_aside_unfinished_skm)."""
        now = self.clock()
        if instrument == Instrument.external:
            runs.set_aside_unfinished_skm(
                session=session, respondent_id=stored_id(respondent), now=now
            )
        if run is None:
            run, _ = store.start_or_resume_run(
                session=session,
                respondent=respondent,
                campaign=campaign,
                instrument=instrument,
                now=now,
                source=venue or "telegram",
                served_version=self.survey_data.questionnaire(instrument.value).version,
            )
        run = store.lock_run(session=session, run_id=stored_id(run))
        ctx = self.run_context(session, run, turn.language)
        fresh = not run.current_step
        outcome = self._step(session, run, ctx, Command.start)
        if fresh:
            questionnaire = ctx.questionnaire
            intro = (
                f"<b>{esc(questionnaire.title.get(turn.language))}</b>\n"
                f"{esc(questionnaire.intro.get(turn.language))}"
            )
            lead = f"{lead}\n\n{intro}" if lead else intro
        self._prompt_messages(turn, outcome.prompt, stored_id(run), lead=lead)

    def _service_unit(self, campaign: Campaign | None, code: str) -> ServiceUnit | None:
        units = self.survey_data.service_units
        if campaign is None or units is None:
            return None
        return units.find(code, campaign.code)

    def _enter_skm(
        self, session: Session, turn: _Turn, respondent: Respondent, entry: CampaignEntry
    ) -> None:
        """A citizen scanned a service unit's SKM QR code: open (or go on with) that unit's
        SKM. The bot answers its domain question from the unit's domain, so the citizen
        only taps the nine elements (and may add a suggestion)."""
        now = self.clock()
        campaign = session.get(Campaign, entry.campaign_id)
        unit = self._service_unit(campaign, entry.unit or "")
        if campaign is None or unit is None:
            turn.say(self.texts("link_unknown", turn.language))
            return
        run = store.open_run(
            session=session, respondent=respondent, campaign=campaign, instrument=Instrument.skm
        )
        if run is not None and run.service_unit != unit.code:  # left at another counter
            runs.abandon(session=session, run=run, now=now)
            run = None
        ctx = self._context(session, campaign, Instrument.skm, turn.language)
        if run is None:
            run, _ = store.start_or_resume_run(
                session=session,
                respondent=respondent,
                campaign=campaign,
                instrument=Instrument.skm,
                now=now,
                source="skm",
                served_version=ctx.questionnaire.version,
            )
            run.service_unit = unit.code
            session.add(run)
            run = store.lock_run(session=session, run_id=stored_id(run))
            self._step(session, run, ctx, ChoiceInput(unit.domain))
        questionnaire = ctx.questionnaire
        lead = (
            f"<b>{esc(questionnaire.title.get(turn.language))}</b>\n"
            + self.texts("skm_unit", turn.language, unit=unit.name.get(turn.language))
            + f"\n{esc(questionnaire.intro.get(turn.language))}"
        )
        self._begin(session, turn, respondent, campaign, Instrument.skm, None, run, lead=lead)

    def resume(self, *, user_id: int, run_id: int, action: str) -> Reply:
        """The continue / start over / new response buttons."""
        now = self.clock()
        with self.transaction() as session:
            respondent = find_respondent(session=session, telegram_user_id=user_id)
            turn = _Turn(self._language(respondent))
            if not has_consented(respondent):
                self._consent_prompt(turn, None)
                return turn.reply()
            assert respondent is not None
            run = session.get(SurveyRun, run_id)
            instrument = instrument_for(respondent.role)
            if (
                run is None
                or run.respondent_id != respondent.id
                or run.instrument not in runs.instruments_of(instrument)
            ):
                return self._outdated(session, turn, respondent)
            campaign = session.get(Campaign, run.campaign_id)
            assert campaign is not None
            open_run = store.open_run(
                session=session,
                respondent=respondent,
                campaign=campaign,
                instrument=Instrument(run.instrument),
            )
            if action == "new":
                if open_run is not None:  # a new response was already started meanwhile
                    return self._outdated(session, turn, respondent)
                self._begin(
                    session,
                    turn,
                    respondent,
                    campaign,
                    Instrument(run.instrument),
                    run.source,
                    None,
                )
                return turn.reply()
            if open_run is None or open_run.id != run.id:
                return self._outdated(session, turn, respondent)
            if action == "restart":
                runs.abandon(session=session, run=run, now=now)
                self._begin(
                    session,
                    turn,
                    respondent,
                    campaign,
                    Instrument(run.instrument),
                    run.source,
                    None,
                    lead=self.texts("started_over", turn.language),
                )
                return turn.reply()
            self._begin(session, turn, respondent, campaign, Instrument(run.instrument), None, run)
            return turn.reply()

    # Answering ---------------------------------------------------------------------------

    @dbwork.grouped
    def answer(
        self,
        *,
        user_id: int,
        user_input: UserInput,
        button: Button | None = None,
        edit_hash: str | None = None,
    ) -> Reply:
        """A typed answer, a choice or navigation button, or /ubah (Command.review)."""
        with self.transaction() as session:
            # The common case in SQL Core (bot.answers); anything unusual below, in the ORM.
            loaded = answers.load(session.connection(), user_id)
            if loaded is not None and (button is None or button.run_id == loaded.run_id):
                reply = self._answer_loaded(session, loaded, user_input, button, edit_hash)
                if reply is not None:
                    return reply
            respondent = find_respondent(session=session, telegram_user_id=user_id)
            turn = _Turn(self._language(respondent))
            if not has_consented(respondent):
                if button is not None:
                    turn.note = self.texts.plain("button_outdated", turn.language)
                self._consent_prompt(turn, None)
                return turn.reply()
            assert respondent is not None
            respondent.opted_out = False
            session.add(respondent)
            instrument = instrument_for(respondent.role)
            if instrument is None:
                return self._planner_note(session, turn, respondent, button)
            # Locked (PostgreSQL) so that two workers apply this respondent's inputs in turn.
            run = runs.active_run(
                session=session,
                respondent_id=stored_id(respondent),
                instrument=instrument,
                lock=True,
            )
            if button is not None and (run is None or run.id != button.run_id):
                return self._outdated(session, turn, respondent, button=button)
            if run is None:
                return self._no_run(session, turn, respondent, instrument)
            if runs.is_paused(run) and button is None and user_input is not Command.review:
                turn.say(self.texts("paused_note", turn.language))
                return turn.reply()
            ctx = self.run_context(session, run, turn.language)
            progress = store.load_progress(session=session, run=run)
            if button is not None and callback_data.step_hash(progress.step) != button.at:
                return self._outdated(session, turn, respondent, button=button)
            user_input = self._edit_target(ctx, progress, user_input, edit_hash)
            before = self._pressed_question(ctx, progress, user_input)
            outcome = self._step(session, run, ctx, user_input, progress)
            return self._answered(turn, ctx, stored_id(run), user_input, button, before, outcome)

    def _answer_loaded(
        self,
        session: Session,
        loaded: answers.Loaded,
        user_input: UserInput,
        button: Button | None,
        edit_hash: str | None,
    ) -> Reply | None:
        """`answer` for a consented respondent with a run in progress; None when the button
        is out of date (the ORM path says so)."""
        progress = loaded.progress
        if button is not None and callback_data.step_hash(progress.step) != button.at:
            return None
        turn = _Turn(loaded.language)
        ctx = self._context_for(
            session, loaded.campaign_id, Instrument(loaded.instrument), turn.language
        )
        ctx = profiles.context_for_run(ctx, loaded.profile, loaded.run_id)
        user_input = self._edit_target(ctx, progress, user_input, edit_hash)
        before = self._pressed_question(ctx, progress, user_input)
        outcome = advance(ctx, progress, user_input)
        answers.store(session.connection(), loaded, outcome, self.clock())
        return self._answered(turn, ctx, loaded.run_id, user_input, button, before, outcome)

    def _edit_target(
        self, ctx: Context, progress: Progress, user_input: UserInput, edit_hash: str | None
    ) -> UserInput:
        """An edit button of the review names its answer by a hash of the step."""
        if edit_hash is None:
            return user_input
        target = next(
            (
                item.step
                for item in review_prompt(ctx, progress).review_items
                if callback_data.step_hash(item.step) == edit_hash
            ),
            None,
        )
        return EditInput(target or "?")

    def _answered(
        self,
        turn: _Turn,
        ctx: Context,
        run_id: int,
        user_input: UserInput,
        button: Button | None,
        before: Prompt | None,
        outcome: Outcome,
    ) -> Reply:
        if button is not None and before is not None:
            turn.pressed = self._pressed_text(ctx, before, user_input, outcome, turn.language)
        self._prompt_messages(turn, outcome.prompt, run_id, error=outcome.error)
        return turn.reply()

    def _pressed_question(
        self, ctx: Context, progress: Progress, user_input: UserInput
    ) -> Prompt | None:
        """The question as it was, to leave it in the chat with the answer chosen (or
        skipped) under it."""
        if isinstance(user_input, ChoiceInput) or user_input is Command.skip:
            return current_prompt(ctx, progress)
        return None

    def _pressed_text(
        self, ctx: Context, before: Prompt, user_input: UserInput, outcome: Outcome, language: str
    ) -> str | None:
        """How a pressed question stays in the chat: with the chosen answer, if one was taken."""
        if outcome.error or before.kind in ("review", "done"):
            return None
        if user_input is Command.skip:  # the question stays in the chat, marked as skipped
            # (an optional question skipped again keeps its stored answer: show that one)
            return answered_html(before, self.texts, language, before.current_answer)
        value = getattr(user_input, "value", None)
        if isinstance(value, str) and value.startswith(PAGE_PREFIX):
            return None  # another page of the list: the question is asked again below
        label = next((c.label for c in before.choices if c.value == value), None)
        if label is None:
            return None
        return answered_html(before, self.texts, language, label)

    def _outdated(
        self,
        session: Session,
        turn: _Turn,
        respondent: Respondent,
        *,
        button: Button | None = None,
    ) -> Reply:
        """A button of an old message: say so, and show where the respondent really is."""
        turn.note = self.texts.plain("button_outdated", turn.language)
        if button is not None:
            pressed_run = session.get(SurveyRun, button.run_id)
            if (
                pressed_run is not None
                and pressed_run.respondent_id == respondent.id
                and pressed_run.instrument
                not in runs.instruments_of(instrument_for(respondent.role))
            ):
                turn.note = self.texts.plain("button_other_survey", turn.language)
        instrument = instrument_for(respondent.role)
        run = (
            runs.active_run(
                session=session, respondent_id=stored_id(respondent), instrument=instrument
            )
            if instrument is not None
            else None
        )
        if run is not None:
            ctx = self.run_context(session, run, turn.language)
            prompt = current_prompt(ctx, store.load_progress(session=session, run=run))
            self._prompt_messages(turn, prompt, stored_id(run), error=turn.note)
        else:
            turn.say(self.texts("button_outdated", turn.language))
        return turn.reply()

    def _no_run(
        self, session: Session, turn: _Turn, respondent: Respondent, instrument: Instrument
    ) -> Reply:
        submitted = runs.last_submitted_run(
            session=session,
            respondent_id=stored_id(respondent),
            instrument=instrument,
        )
        if submitted is not None:
            turn.say(self.texts("already_submitted", turn.language, receipt=submitted.receipt_code))
        else:
            turn.say(self.texts("no_active_survey", turn.language))
        return turn.reply()

    def _planner_note(
        self, session: Session, turn: _Turn, respondent: Respondent, button: Button | None
    ) -> Reply:
        if button is not None:
            turn.note = self.texts.plain("button_outdated", turn.language)
        campaign = session.get(Campaign, respondent.campaign_id) if respondent.campaign_id else None
        turn.say(
            self.texts("status_planner", turn.language, campaign=campaign.name if campaign else "-")
        )
        return turn.reply()

    # Commands ----------------------------------------------------------------------------

    def cancel(self, *, user_id: int) -> Reply:
        """/batal: stop for now; answers stay, no reminder will come."""
        with self.transaction() as session:
            respondent = find_respondent(session=session, telegram_user_id=user_id)
            turn = _Turn(self._language(respondent))
            run = None
            if respondent is not None and has_consented(respondent):
                instrument = instrument_for(respondent.role)
                if instrument is not None:
                    run = runs.active_run(
                        session=session, respondent_id=stored_id(respondent), instrument=instrument
                    )
            if run is None:
                turn.say(self.texts("cancel_nothing", turn.language))
                return turn.reply()
            runs.pause(run=run, now=self.clock())
            session.add(run)
            turn.say(self.texts("cancel_done", turn.language))
            return turn.reply()

    def status(self, *, user_id: int) -> Reply:
        """/status: how far the respondent is."""
        with self.transaction() as session:
            respondent = find_respondent(session=session, telegram_user_id=user_id)
            turn = _Turn(self._language(respondent))
            if not has_consented(respondent):
                turn.say(self.texts("status_none", turn.language))
                return turn.reply()
            assert respondent is not None
            instrument = instrument_for(respondent.role)
            if instrument is None:
                return self._planner_note(session, turn, respondent, None)
            run = runs.active_run(
                session=session, respondent_id=stored_id(respondent), instrument=instrument
            )
            if run is None:
                submitted = runs.last_submitted_run(
                    session=session,
                    respondent_id=stored_id(respondent),
                    instrument=instrument,
                )
                if submitted is not None:
                    turn.say(
                        self.texts(
                            "status_submitted", turn.language, receipt=submitted.receipt_code
                        )
                    )
                else:
                    turn.say(self.texts("status_none", turn.language))
                return turn.reply()
            ctx = self.run_context(session, run, turn.language)
            progress = store.load_progress(session=session, run=run)
            prompt = current_prompt(ctx, progress)
            # Counted as the review lists them (not the "another?" taps).
            review = review_prompt(ctx, progress)
            answered = len(review.review_items)
            if prompt.kind == "review" and review.choices:  # everything answered
                key = "status_reviewing"
            elif prompt.kind == "review":  # the review, reached early with /ubah
                key = "status_review_early"
            else:
                key = "status_paused" if runs.is_paused(run) else "status_in_progress"
            turn.say(self.texts(key, turn.language, progress=prompt.progress, answered=answered))
            return turn.reply()

    def language_menu(self, *, user_id: int) -> Reply:
        """/bahasa: offer the languages."""
        with self.transaction() as session:
            respondent = find_respondent(session=session, telegram_user_id=user_id)
            turn = _Turn(self._language(respondent))
            turn.say(
                self.texts("language_choose", turn.language),
                keyboards.language_keyboard(messages=self.messages),
            )
            return turn.reply()

    def set_language(self, *, user_id: int, language: str) -> Reply:
        """A language button: remember it, and show where the respondent is in that language."""
        with self.transaction() as session:
            respondent = find_respondent(session=session, telegram_user_id=user_id)
            turn = _Turn(language)
            turn.pressed = self.texts("language_set", language)
            if not has_consented(respondent):
                self._consent_prompt(turn, None)
                return turn.reply()
            assert respondent is not None
            respondent.language = language
            session.add(respondent)
            instrument = instrument_for(respondent.role)
            run = (
                runs.active_run(
                    session=session, respondent_id=stored_id(respondent), instrument=instrument
                )
                if instrument is not None
                else None
            )
            if run is not None and not runs.is_paused(run):
                ctx = self.run_context(session, run, language)
                prompt = current_prompt(ctx, store.load_progress(session=session, run=run))
                self._prompt_messages(turn, prompt, stored_id(run))
            return turn.reply()

    def privacy(self, *, user_id: int) -> Reply:
        """/privasi: the privacy notice; with the consent buttons for someone not yet in."""
        with self.transaction() as session:
            respondent = find_respondent(session=session, telegram_user_id=user_id)
            turn = _Turn(self._language(respondent))
            if has_consented(respondent):
                turn.say(
                    self.texts("privacy_notice", turn.language)
                    + "\n\n"
                    + self.texts("consent_already", turn.language)
                )
            else:
                self._consent_prompt(turn, None)
            return turn.reply()

    def text(self, *, user_id: int, key: str) -> Reply:
        """A fixed message (help, only text, edited message, unknown command …)."""
        with self.transaction() as session:
            respondent = find_respondent(session=session, telegram_user_id=user_id)
            turn = _Turn(self._language(respondent))
            turn.say(self.texts(key, turn.language))
            return turn.reply()

    def claim(self) -> None:
        """Only claim the update being handled (see bot.claims)."""
        with self.transaction():
            pass

    def language_of(self, *, user_id: int) -> str:
        with self.transaction() as session:
            return self._language(find_respondent(session=session, telegram_user_id=user_id))

    # Erasure -----------------------------------------------------------------------------

    def erase_request(self, *, user_id: int) -> Reply:
        """/hapus_data: ask to confirm."""
        with self.transaction() as session:
            respondent = find_respondent(session=session, telegram_user_id=user_id)
            turn = _Turn(self._language(respondent))
            if respondent is None:
                turn.say(self.texts("erase_nothing", turn.language))
            else:
                turn.say(
                    self.texts("erase_confirm", turn.language),
                    keyboards.erase_keyboard(messages=self.messages, language=turn.language),
                )
            return turn.reply()

    def erase(self, *, user_id: int, confirmed: bool) -> Reply:
        """The confirm/keep buttons of /hapus_data."""
        report = None
        with self.transaction() as session:
            respondent = find_respondent(session=session, telegram_user_id=user_id)
            turn = _Turn(self._language(respondent))
            if respondent is None:
                turn.pressed = self.texts("erase_nothing", turn.language)
            elif not confirmed:
                turn.pressed = self.texts("erase_kept", turn.language)
            else:
                report = erase_respondent(session=session, respondent=respondent, now=self.clock())
                turn.pressed = self.texts("erase_done", turn.language)
            reply = turn.reply()
        if report is not None:  # committed: their words leave the files made before
            erasure.scrub_files_later(report, output_dir=Path(self.settings.output_dir))
        return reply

    def opted_out(self, *, user_id: int) -> None:
        """Sending failed with 403: the user blocked the bot."""
        with self.transaction() as session:
            mark_opted_out(session=session, telegram_user_id=user_id)

    # Admin -------------------------------------------------------------------------------

    def invite(
        self, *, user_id: int, role: Role, campaign_code: str | None, bot_username: str
    ) -> Reply:
        """/undang_staf, /undang_perencana (admins only; the caller checks)."""
        now = self.clock()
        with self.transaction() as session:
            respondent = find_respondent(session=session, telegram_user_id=user_id)
            turn = _Turn(self._language(respondent))
            campaign = crud.resolve_campaign(session=session, now=now, code=campaign_code)
            if campaign is None:
                example = next(
                    (c.code for c in crud.open_campaigns(session=session, now=now)), "umum"
                )
                turn.say(self.texts("invite_which_campaign", turn.language, example=example))
                return turn.reply()
            invite, token = invites.create_invite(
                session=session,
                role=role,
                campaign=campaign,
                now=now,
                valid_for=timedelta(days=self.settings.invite_valid_days),
                created_by=f"tg:{user_id}",
            )
            link = deeplinks.link(bot_username, deeplinks.invite_payload(token))
            text = self.texts(
                "invite_created",
                turn.language,
                role=self.texts.plain(f"role_{role}", turn.language),
                campaign=campaign.code,
                expires=f"{invite.expires_at:%Y-%m-%d %H:%M} UTC",
                link=link,
            )
            turn.messages.append(Show(text, photo=invites.qr_png(link)))
            return turn.reply()
