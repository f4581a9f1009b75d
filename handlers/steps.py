"""The steps of the dialog: what a message means while nothing is open, and in each state of the form.

The router picks the step for the dialog's state (see `STEPS` in handlers/router.py); each step
takes one message and returns the next state.
"""
from __future__ import annotations

import unicodedata

import nlp
from handlers import bind, submit, texts
from handlers.turn import State, Turn
from models.drafts import trimmed


def edit(t: Turn) -> State:
    """A correction of one field, given at any step ("标题改成…", "效益是5万")."""
    draft = submit.current_draft(t)
    if draft is None:
        return idle(t)
    field, value = t.slots_in["field"], t.slots_in.get("value")
    if not value:
        t.remember(editing=field)
        t.say(edit_prompt(field))
        return State.edit_field
    value = own_words(t.raw, value)
    t.text = value
    t.slots_in = dict(nlp.understand(value).slots)
    if submit.answer(t, draft, field):
        t.say(texts.EDITED)
    return submit.ask_next(t, draft)


def own_words(raw: str, value: str) -> str:
    """The worker's own words for a value read from compacted text: punctuation and case kept.

    A member list read as one run of names needs its separators back; a title keeps its capitals.
    """
    for start in range(len(raw)):
        tail = raw[start:]
        if "".join(ch for ch in nlp.normalize(tail) if unicodedata.category(ch)[0] in "LN").lower() == value:
            return trimmed(tail)
    return value


def edit_prompt(field: str) -> str:
    """Ask for a new value of one field."""
    if field == "category":
        return texts.ASK_CATEGORY
    if field == "system":
        return texts.ASK_SYSTEM
    if field == "members":
        return texts.ASK_MEMBERS
    return texts.ASK_EDIT_VALUE.format(field=texts.FIELD_NAMES.get(field, field))


def idle(t: Turn) -> State:
    """No form open: start what the message asks for."""
    intent = t.intent
    if intent in ("submit", "continue"):
        draft = submit.current_draft(t)
        if intent == "continue" and draft is None:
            t.say(texts.NOTHING_TO_CONTINUE)
            return State.idle
        return submit.start(t)
    if intent == "describe":
        return submit.start(t, prefill=t.raw)
    if intent == "bind":
        return bind.take_code_or_unit(t) if (t.slots_in.get("code") or t.slots_in.get("unit_text")) else bind.ask(t)
    if intent == "greeting":
        t.say(texts.GREETING)
    else:
        t.say(texts.CHITCHAT)
    mention_draft(t)
    return State.idle


def mention_draft(t: Turn) -> None:
    """Remind the worker of a draft left alone (once per draft change)."""
    draft = submit.current_draft(t)
    if draft is None:
        return
    mark = f"{draft.id}:{draft.updated_at.isoformat()}"
    if t.memory("draft_mentioned") != mark:
        t.say(texts.DRAFT_WAITING.format(title=draft.title or texts.DRAFT_NO_TITLE))
        t.remember(draft_mentioned=mark)


def form_step(t: Turn) -> State:
    """Take the message as the answer to the field being asked."""
    draft = submit.current_draft(t)
    if draft is None:
        return idle(t)
    field = FIELD_OF[t.state]
    if t.intent in ("submit", "continue"):
        return submit.ask_next(t, draft)
    if not submit.answer(t, draft, field):
        return t.state
    return submit.ask_next(t, draft)


def confirm_step(t: Turn) -> State:
    """At the summary: confirm, or pick a field to edit by its number."""
    draft = submit.current_draft(t)
    if draft is None:
        return idle(t)
    if t.intent == "confirm":
        return submit.confirm(t, draft)
    if t.intent in ("choice", "query") and t.slots_in.get("number", "").isdigit():
        index = int(t.slots_in["number"]) - 1
        fields = ("title", "description", "category", "system", "benefit", "members")
        if 0 <= index < len(fields):
            t.remember(editing=fields[index])
            t.say(edit_prompt(fields[index]))
            return State.edit_field
    if t.intent == "describe":
        submit.fill_from_description(t, submit.current_draft(t), t.text)
        return submit.ask_next(t, draft)
    t.say(submit.question(t, State.confirm_submission))
    return State.confirm_submission


def edit_field_step(t: Turn) -> State:
    """The new value of the field picked from the summary."""
    draft = submit.current_draft(t)
    if draft is None:
        return idle(t)
    if not submit.answer(t, draft, t.memory("editing", "title")):
        return State.edit_field
    t.remember(editing=None)
    return submit.ask_next(t, draft)


def duplicate_step(t: Turn) -> State:
    """Same title already submitted: submit anyway, rename, or drop."""
    draft = submit.current_draft(t)
    choice = t.slots_in.get("number")
    if draft is None:
        return idle(t)
    if choice == "1" or t.intent == "confirm":
        return submit.confirm(t, draft, force=True)
    if choice == "2":
        t.remember(editing="title")
        t.say(edit_prompt("title"))
        return State.edit_field
    if choice == "3":
        return submit.cancel(t)
    t.say(texts.INVALID_DUPLICATE_CHOICE)
    return State.confirm_duplicate


def cancel_step(t: Turn) -> State:
    """The answer to the cancel question: a firm yes throws the draft away, anything else goes back to the form."""
    if t.firm_yes():
        return submit.cancel(t)
    back_to = drop_cancel(t)
    t.say(texts.RESUMING.format(question=submit.question(t, back_to)))
    return back_to


def drop_cancel(t: Turn) -> State:
    """Forget the cancel question; return the state the form was in when it was asked."""
    return t.drop_question("cancel_from")


FIELD_OF = {State.ask_title: "title", State.ask_description: "description", State.ask_category: "category",
            State.ask_system: "system", State.ask_benefit: "benefit"}
