"""The router: opens the worker's dialog and hands the message to the step for that state.

Commands that make sense anywhere (help, query, cancel, back, edits, coordinator commands) are
handled first; everything else is the answer to whatever the current state asked.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

import nlp
from handlers import bind, query, review, steps, submit, texts
from handlers.photos import attach_photo
from handlers.similar import SimilarProjects
from handlers.messages import Event, Incoming, Kind, Reply
from handlers.turn import FORM_STATES, YES_NO_ANSWERS, State, Turn
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
                text=nlp.normalize(text) or text.strip(), intent=meaning.intent, slots_in=dict(meaning.slots),
                raw=text.strip(), similar=ctx.similar, unit_names=ctx.unit_names)
    dialog.state = _route(turn, stale, ctx.late)
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
    if late and state in ACTING_QUESTIONS and t.intent in YES_NO_ANSWERS:  # never submit or delete on a stale yes
        t.say(texts.LATE_ANSWER, ACTING_QUESTIONS[state](t))
        return state
    if state in YES_NO_QUESTIONS and t.intent not in YES_NO_ANSWERS:  # a new command: as if nothing had been asked
        t.dialog.state = state = YES_NO_QUESTIONS[state](t)
    if state in FORM_STATES and stale and t.intent not in ("continue", "cancel", "confirm"):
        return _welcome_back(t)
    handled = _global(t)
    if handled is not None:
        return handled
    if t.dialog.unit_id is None and (state not in BIND_STATES or t.intent in ("submit", "describe")):
        return _unbound(t)
    return STEPS.get(state, steps.idle)(t)


def _welcome_back(t: Turn) -> State:
    """Someone back after a long time mid-form: mention the draft instead of taking this as an answer."""
    draft = submit.current_draft(t)
    if draft is None:
        return steps.idle(t)
    t.say(texts.WELCOME_BACK_DRAFT.format(title=draft.title or texts.DRAFT_NO_TITLE))
    return State.idle


def _global(t: Turn) -> State | None:
    """Commands understood in any state; None when the message belongs to the current step."""
    state, intent = t.state, t.intent
    if intent == "help":
        t.say(texts.HELP_IN_FORM if state in FORM_STATES else _help(t.dialog.role))
        if state in FORM_STATES:
            t.say(submit.question(t, state))
        return state
    if intent == "cancel":
        return _cancel(t)
    if intent == "query" and not t.text.strip().isdigit():
        query.respond(t)
        return _resume(t, state)
    if intent == "withdraw" and state not in FORM_STATES:
        return query.withdraw(t)
    if intent == "unbind":
        return bind.ask_to_leave(t)
    if intent == "revise" and t.dialog.unit_id is not None and (t.slots_in.get("number") or state not in FORM_STATES):
        return submit.revise(t, t.slots_in.get("number"))
    if intent == "edit" and state not in FORM_STATES and t.slots_in.get("field") == "system" \
            and (t.slots_in.get("number") or review.is_coordinator(t)):
        return review.refile(t)
    if intent in ("pending", "stats", "approve", "return"):  # the review flow refuses non-coordinators
        next_state = _coordinator(t)
        return next_state if next_state == State.ask_return_reason else _resume(t, state)
    if intent == "back" and state in FORM_STATES:
        draft = submit.current_draft(t)
        return submit.go_back(t, draft) if draft else steps.idle(t)
    if intent == "edit" and state in FORM_STATES and t.slots_in.get("field"):
        return steps.edit(t)
    return None


def _help(role: str) -> str:
    """Help text for a worker's role."""
    return texts.HELP + (texts.HELP_COORDINATOR if role in (Role.coordinator, Role.admin) else "")


def _resume(t: Turn, state: State) -> State:
    """After a side question, repeat the question the form was waiting on."""
    if state in FORM_STATES:
        t.say(texts.RESUMING.format(question=submit.question(t, state)))
    return state


def _coordinator(t: Turn) -> State:
    """Coordinator commands."""
    number, reason = t.slots_in.get("number"), t.slots_in.get("reason")
    if t.intent == "pending":
        return review.pending(t)
    if t.intent == "stats":
        return review.stats(t)
    target = ProjectStatus.unit_approved if t.intent == "approve" else ProjectStatus.returned
    return review.decide(t, target, number, reason)


def _cancel(t: Turn) -> State:
    """Cancel: ask once to confirm when a draft would be thrown away."""
    state = t.state
    if state in FORM_STATES and submit.current_draft(t) is not None:
        t.remember(cancel_from=str(state))
        t.say(texts.CANCEL_ASK)
        return State.confirm_cancel
    if state == State.confirm_cancel:
        return submit.cancel(t)
    if state == State.confirm_unbind:
        return bind.stay(t)
    t.remember(after_bind=None, pending_text=None, returning=None, unit_options=None)
    t.say(texts.CANCEL_NOTHING)
    return State.idle


def _unbound(t: Turn) -> State:
    """An unbound worker: bind first, then go straight on to what they wanted."""
    if t.intent == "bind":
        return bind.take_code_or_unit(t)
    if t.intent in ("submit", "describe"):
        t.remember(pending_text=t.raw if t.intent == "describe" else None)
        return bind.ask(t, after="submit")
    first_time = t.dialog.turns <= 1
    return bind.ask(t, first_time=first_time)


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
        if answer and dialog.state in submit.QUESTIONS:
            return answer + texts.RESUMING.format(question=submit.QUESTIONS[State(dialog.state)])
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

