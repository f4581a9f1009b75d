"""The router: opens the worker's dialog and hands the message to the step for that state.

Commands that make sense anywhere (help, query, cancel, back, edits, coordinator commands) are
declared in `COMMANDS` and tried first, in order; everything else is the answer to whatever the
current state asked (`STEPS`).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

import nlp
import nlp.answers
from handlers import bind, form, query, review, steps, submit, texts
from handlers.intents import YES_NO_ANSWERS, Intent
from handlers.memory import Memory
from handlers.messages import Event, Incoming, Kind, Reply
from handlers.photos import attach_photo
from models.similar import SimilarProjects
from handlers.turn import FORM_STATES, State, Turn
from models.membership import UnitNames
from models.people import (Dialog, open_dialog, record_activity, record_subscribe, record_unsubscribe,
                           save_dialog)
from models.project import ProjectStatus
from models.sending import quiet_until, record_template_finished, release_held_notices
from models.worker import Role, Worker

#: After this long away, a message in the middle of a form is not taken as the answer.
STALE_FORM = timedelta(hours=12)
BIND_STATES = frozenset({State.bind_code, State.bind_choose, State.bind_name})
#: Menu keys (CLICK events) and the text they stand for.
MENU_KEYS = {"SUBMIT": texts.MENU_SUBMIT, "QUERY": texts.MENU_QUERY, "HELP": texts.MENU_HELP}
#: In a form, these intents answer the welcome-back instead of being taken for a new command.
WELCOME_BACK_ANSWERS = frozenset({Intent.resume, Intent.cancel, Intent.confirm})


@dataclass(frozen=True)
class Context:
    """What a flow may need besides the message: the time, and where the web pages live.

    `late`: the message is handled minutes after the follower sent it (a backlog, or a replay
    after a database outage), so a yes in it must not act by itself.
    """

    now: datetime
    web_base_url: str = ""
    similar: SimilarProjects | None = None
    unit_names: UnitNames | None = None
    late: bool = False


def dispatch(session: Session, incoming: Incoming, ctx: Context) -> Reply:
    """Handle one message inside the caller's transaction and return the passive reply."""
    dialog = open_dialog(session, incoming.openid, ctx.now)  # locked: one message of a worker at a time
    reply = _answer(session, dialog, incoming, ctx)
    save_dialog(session, dialog)
    return reply


def _answer(session: Session, dialog: Dialog, incoming: Incoming, ctx: Context) -> Reply:
    """The reply to one message, changing the dialog as the steps decide."""
    if incoming.kind == Kind.event and incoming.event != Event.click:
        return _on_event(session, dialog, incoming, ctx)
    if record_activity(dialog, ctx.now) and quiet_until(ctx.now) is not None:
        release_held_notices(session, incoming.openid, ctx.now)  # back at night: his held news goes now
    stale = ctx.now - dialog.updated_at > STALE_FORM
    dialog.turns += 1
    text = _text_of(incoming)
    if text is None:
        return Reply(_other_kind(session, dialog, incoming, ctx))
    meaning = nlp.understand(text)
    turn = Turn(session=session, dialog=dialog, incoming=incoming, now=ctx.now,
                text=nlp.normalize(text) or text.strip(), intent=Intent.of(meaning.intent),
                slots_in=dict(meaning.slots), raw=text.strip(), similar=ctx.similar, unit_names=ctx.unit_names,
                mem=Memory.from_slots(dialog.slots))
    dialog.state = _route(turn, stale, ctx.late)
    dialog.slots = turn.mem.to_slots()
    dialog.updated_at = ctx.now
    return Reply("\n".join(turn.lines) or texts.CHITCHAT)


def _text_of(incoming: Incoming) -> str | None:
    """The words of a message: typed, recognised from voice, or a menu click."""
    if incoming.kind == Kind.event:
        return MENU_KEYS.get(incoming.event_key or "", texts.MENU_HELP)
    if incoming.kind in (Kind.text, Kind.voice) and (incoming.text or "").strip():
        return incoming.text
    return None


def _route(t: Turn, stale: bool, late: bool = False) -> State:
    """Choose the step for this message and return the next state."""
    state = t.state
    photos, t.mem.after_photos = t.mem.after_photos, False
    if photos and state in FORM_STATES and nlp.answers.says_photos_done(t.text):  # "好了": sent, not "yes"
        t.say(texts.PHOTOS_DONE.format(question=submit.question(t, state)))
        return state
    if late and state in ACTING_QUESTIONS and t.intent in YES_NO_ANSWERS:  # never submit or delete on a stale yes
        t.say(texts.LATE_ANSWER, ACTING_QUESTIONS[state](t))
        return state
    if state in YES_NO_QUESTIONS and t.intent not in YES_NO_ANSWERS:  # a new command: as if nothing had been asked
        t.dialog.state = state = YES_NO_QUESTIONS[state](t)
    if state in FORM_STATES and stale and t.intent not in WELCOME_BACK_ANSWERS:
        return _welcome_back(t)
    handled = _command(t)
    if handled is not None:
        return handled
    if t.dialog.unit_id is None and (state not in BIND_STATES or t.intent in (Intent.submit, Intent.describe)):
        return _unbound(t)
    return STEPS.get(state, steps.idle)(t)


def _welcome_back(t: Turn) -> State:
    """Someone back after a long time mid-form: mention the draft instead of taking this as an answer."""
    draft = submit.current_draft(t)
    if draft is None:
        return steps.idle(t)
    t.say(texts.WELCOME_BACK_DRAFT.format(title=draft.title or texts.DRAFT_NO_TITLE))
    return State.idle


# --- commands understood in any state ----------------------------------------------------------

@dataclass(frozen=True)
class Command:
    """A command understood in any state: its intent, when it applies, and the step that handles it."""

    intent: Intent
    applies: Callable[[Turn], bool]
    run: Callable[[Turn], State]


def _anywhere(_: Turn) -> bool:
    """The command applies in every state."""
    return True


def _in_form(t: Turn) -> bool:
    """A submission form is open."""
    return t.state in FORM_STATES


def _outside_form(t: Turn) -> bool:
    """No submission form is open."""
    return t.state not in FORM_STATES


def _help(t: Turn) -> State:
    """Help for the worker's role, or for the form and its question."""
    if _in_form(t):
        t.say(texts.HELP_IN_FORM, submit.question(t, t.state))
    else:
        t.say(texts.HELP + (texts.HELP_COORDINATOR if t.dialog.role in (Role.coordinator, Role.admin) else ""))
    return t.state


def _cancel(t: Turn) -> State:
    """Cancel: ask once to confirm when a draft would be thrown away."""
    state = t.state
    if state in FORM_STATES and submit.current_draft(t) is not None:
        t.mem.cancel_from = str(state)
        t.say(texts.CANCEL_ASK)
        return State.confirm_cancel
    if state == State.confirm_cancel:
        return submit.cancel(t)
    if state == State.confirm_unbind:
        return bind.stay(t)
    t.mem.after_bind = t.mem.pending_text = None
    t.mem.returning, t.mem.unit_options = None, None
    t.say(texts.CANCEL_NOTHING)
    return State.idle


def _resume(t: Turn, state: State) -> State:
    """After a side question, repeat the question the form was waiting on."""
    if state in FORM_STATES:
        t.say(texts.RESUMING.format(question=submit.question(t, state)))
    return state


def _query(t: Turn) -> State:
    """"查询" in any state; a form goes on where it was."""
    query.respond(t)
    return _resume(t, t.state)


def _coordinator(t: Turn) -> State:
    """Coordinator commands (the review flow refuses others); a form goes on where it was."""
    state = t.state
    number = t.slots_in.get("number")
    if t.intent == Intent.pending:
        next_state = review.pending(t)
    elif t.intent == Intent.stats:
        next_state = review.stats(t)
    else:
        to = ProjectStatus.unit_approved if t.intent == Intent.approve else ProjectStatus.returned
        next_state = review.decide(t, to, number, t.slots_in.get("reason"))
    return next_state if next_state == State.ask_return_reason else _resume(t, state)


def _back(t: Turn) -> State:
    """"上一步" in the form."""
    draft = submit.current_draft(t)
    return submit.go_back(t, draft) if draft else steps.idle(t)


def _revises(t: Turn) -> bool:
    """"修改 0042" by a bound worker: with a number anywhere, without one outside a form."""
    return t.dialog.unit_id is not None and bool(t.slots_in.get("number") or _outside_form(t))


def _refiles(t: Turn) -> bool:
    """"0042 专业改成机电" outside a form: a coordinator's correction of a project's system."""
    return _outside_form(t) and t.slots_in.get("field") == "system" \
        and bool(t.slots_in.get("number") or review.is_coordinator(t))


#: Commands tried in order before the current state's step; the first that applies handles the message.
COMMANDS: tuple[Command, ...] = (
    Command(Intent.help, _anywhere, _help),
    Command(Intent.cancel, _anywhere, _cancel),
    Command(Intent.query, lambda t: not t.text.strip().isdigit(), _query),  # a bare number answers the form
    Command(Intent.withdraw, _outside_form, query.withdraw),
    Command(Intent.unbind, _anywhere, bind.ask_to_leave),
    Command(Intent.revise, _revises, lambda t: submit.revise(t, t.slots_in.get("number"))),
    Command(Intent.edit, _refiles, review.refile),
    *(Command(intent, _anywhere, _coordinator)
      for intent in (Intent.pending, Intent.stats, Intent.approve, Intent.send_back)),
    Command(Intent.back, _in_form, _back),
    Command(Intent.edit, lambda t: _in_form(t) and bool(t.slots_in.get("field")), steps.edit),
)


def _command(t: Turn) -> State | None:
    """The state after a command understood in any state; None when the message belongs to the current step."""
    command = next((c for c in COMMANDS if c.intent == t.intent and c.applies(t)), None)
    return command.run(t) if command else None


def _unbound(t: Turn) -> State:
    """An unbound worker: bind first, then go straight on to what they wanted."""
    if t.intent == Intent.bind:
        return bind.take_code_or_unit(t)
    if t.intent in (Intent.submit, Intent.describe):
        t.mem.pending_text = t.raw if t.intent == Intent.describe else None
        return bind.ask(t, after="submit")
    return bind.ask(t, first_time=t.dialog.turns <= 1)


#: Yes/no questions that only the next message answers, and how each is dropped (returning the state it
#: interrupted) when that message is something else: a side question, a description, a correction.
YES_NO_QUESTIONS: dict[State, Callable[[Turn], State]] = {
    State.confirm_cancel: steps.drop_cancel,
    State.confirm_unbind: bind.drop_leave,
}

#: Questions whose answer acts by itself (submits, deletes a draft, unbinds), and how each is asked again
#: when the answer comes late.
ACTING_QUESTIONS: dict[State, Callable[[Turn], str]] = {
    State.confirm_submission: lambda t: submit.question(t, State.confirm_submission),
    State.confirm_duplicate: lambda t: texts.LATE_DUPLICATE_CHOICE,
    State.confirm_cancel: lambda t: texts.CANCEL_ASK,
    State.confirm_unbind: lambda t: texts.UNBIND_ASK_AGAIN,
}

STEPS: dict[State, Callable[[Turn], State]] = {
    State.idle: steps.idle,
    State.bind_code: bind.take_code_or_unit,
    State.bind_choose: bind.choose_unit,
    State.bind_name: bind.take_name,
    State.ask_title: steps.form_step,
    State.ask_description: steps.form_step,
    State.ask_category: steps.form_step,
    State.ask_system: steps.form_step,
    State.ask_benefit: steps.form_step,
    State.ask_members: steps.form_step,
    State.confirm_submission: steps.confirm_step,
    State.edit_field: steps.edit_field_step,
    State.confirm_duplicate: steps.duplicate_step,
    State.confirm_cancel: steps.cancel_step,
    State.confirm_unbind: bind.confirm_leave,
    State.ask_return_reason: review.take_return_reason,
}


def _other_kind(session: Session, dialog: Dialog, incoming: Incoming, ctx: Context) -> str:
    """Photos attach to an open draft; voice without text asks to type; the rest is acknowledged."""
    if incoming.is_voice_without_text:
        return texts.VOICE_NOT_RECOGNIZED
    if incoming.kind == Kind.image and incoming.media_id:
        worker = session.get_one(Worker, dialog.worker_id)
        answer = attach_photo(session, worker, dialog, incoming, ctx.now)
        state = State.of(dialog.state)
        if answer and state in FORM_STATES:
            mem = Memory.from_slots(dialog.slots)
            mem.after_photos = True
            dialog.slots = mem.to_slots()
            field = form.BY_STATE.get(state)
            return answer + (texts.RESUMING.format(question=form.question(field, mem)) if field else "")
        if answer:
            return answer
    return _NOTED.get(incoming.kind, texts.UNSUPPORTED)


_NOTED = {
    Kind.image: texts.MEDIA_NOTED, Kind.video: texts.MEDIA_NOTED, Kind.shortvideo: texts.MEDIA_NOTED,
    Kind.location: texts.LOCATION_NOTED, Kind.link: texts.LINK_NOTED, Kind.file: texts.FILE_NOTED,
}


def _on_event(session: Session, dialog: Dialog, incoming: Incoming, ctx: Context) -> Reply:
    """Record subscription changes; a follow gets the welcome (or a welcome back when bound)."""
    if incoming.event == Event.subscribe:
        record_subscribe(session.get_one(Worker, dialog.worker_id), ctx.now)
        record_activity(dialog, ctx.now)
        if dialog.unit_id is None:
            dialog.state = State.bind_code
            return Reply(texts.WELCOME)
        return Reply(texts.GREETING)
    if incoming.event == Event.unsubscribe:
        record_unsubscribe(session.get_one(Worker, dialog.worker_id), ctx.now)
    if incoming.event == Event.template_finished and incoming.msg_id:
        record_template_finished(session, incoming.msg_id, incoming.fields.get("Status", ""))
    return Reply()
