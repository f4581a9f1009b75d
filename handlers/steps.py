"""The steps of the dialog: what a message means while nothing is open, and in each state of the form.

The router picks the step for the dialog's state (see `STEPS` in handlers/router.py); each step
takes one message and returns the next state.
"""
from __future__ import annotations

import unicodedata

import nlp
from handlers import bind, form, submit, texts
from handlers.intents import Intent
from handlers.reading import fill_from_description, take_benefit
from handlers.turn import State, Turn
from models.drafts import trimmed
from models.project import BenefitKind, Project


def edit(t: Turn) -> State:
    """A correction of one field, given at any step ("标题改成…", "效益是5万")."""
    draft = submit.current_draft(t)
    if draft is None:
        return idle(t)
    field, value = form.BY_NAME[t.slots_in["field"]], t.slots_in.get("value")
    if not value:
        return _ask_again(t, field)
    value = own_words(t.raw, value)
    if field.name == "members" and nlp.change_of_members(t.raw):
        return _change_members(t, draft, value)
    # a benefit is read from the whole message when it says one: "没有经济效益，主要是安全" is not "安全"
    whole = nlp.extract_benefit(t.raw, answer=True) if field.name == "benefit" else None
    if whole is None or whole.kind == BenefitKind.unknown:
        t.text = t.raw = value
    t.slots_in = dict(nlp.understand(value).slots)
    had_value, asked = field.present(draft, t.mem), form.BY_STATE.get(t.state) is field
    if form.answer(t, draft, field.name):
        # "没啥效益，就是方便大家" answering the benefit question (or another one) changed nothing said before
        t.say(texts.EDITED if had_value else "" if asked else texts.ANSWER_KEPT)
    return submit.ask_next(t, draft)


def _change_members(t: Turn, draft: Project, value: str) -> State:
    """"成员加上李强" / "去掉王刚": add or remove people, keeping the others."""
    names = nlp.read_members(value)
    if not names:
        t.say(texts.INVALID_MEMBERS)
        return submit.ask_next(t, draft)
    others = [n for n in draft.members or [] if n != t.worker.name]
    if nlp.change_of_members(t.raw) == "remove":
        kept = [n for n in others if n not in names]
    else:
        kept = others + [n for n in names if n not in others]
    form.set_members(t, draft, kept)
    form.mark(t.mem, "members")
    t.say(texts.EDITED)
    return submit.ask_next(t, draft)


def _ask_again(t: Turn, field: form.Field) -> State:
    """Ask for a new value of one field."""
    t.mem.editing = field.name
    t.say(field.ask_again())
    return State.edit_field


def own_words(raw: str, value: str) -> str:
    """The worker's own words for a value read from compacted text: punctuation and case kept.

    A member list read as one run of names needs its separators back; a title keeps its capitals.
    """
    for start in range(len(raw)):
        tail = raw[start:]
        if "".join(ch for ch in nlp.normalize(tail) if unicodedata.category(ch)[0] in "LN").lower() == value:
            return trimmed(tail)
    return value


def idle(t: Turn) -> State:
    """No form open: start what the message asks for."""
    intent = t.intent
    if intent in (Intent.submit, Intent.resume):
        if intent == Intent.resume and submit.current_draft(t) is None:
            t.say(texts.NOTHING_TO_CONTINUE)
            return State.idle
        return submit.start(t, said=t.raw)
    if intent == Intent.describe:
        return submit.start(t, prefill=t.raw)
    # "项目名称：X", "名称是X": a name given while no form is open starts one (there is nothing to edit yet)
    if intent in (Intent.chitchat, Intent.edit) and nlp.named_title(t.raw, bare=False):
        return submit.start(t, said=t.raw)
    if intent == Intent.bind:
        return bind.take_code_or_unit(t) if (t.slots_in.get("code") or t.slots_in.get("unit_text")) else bind.ask(t)
    t.say(texts.GREETING if intent == Intent.greeting else texts.CHITCHAT)
    mention_draft(t)
    return State.idle


def mention_draft(t: Turn) -> None:
    """Remind the worker of a draft left alone (once per draft change)."""
    draft = submit.current_draft(t)
    if draft is None:
        return
    mark = f"{draft.id}:{draft.updated_at.isoformat()}"
    if t.mem.draft_mentioned != mark:
        t.say(texts.DRAFT_WAITING.format(title=draft.title or texts.DRAFT_NO_TITLE))
        t.mem.draft_mentioned = mark


def form_step(t: Turn) -> State:
    """Take the message as the answer to the field being asked."""
    draft = submit.current_draft(t)
    if draft is None:
        return idle(t)
    if t.intent in (Intent.submit, Intent.resume):
        return submit.ask_next(t, draft)
    if not form.answer(t, draft, form.BY_STATE[t.state].name):
        return t.state
    return submit.ask_next(t, draft)


def confirm_step(t: Turn) -> State:
    """At the summary: confirm, or pick a field to correct by its number."""
    draft = submit.current_draft(t)
    if draft is None:
        return idle(t)
    if t.intent == Intent.confirm:
        return submit.confirm(t, draft)
    picked = form.numbered(t.slots_in.get("number")) if t.intent in (Intent.choice, Intent.query) else None
    if picked is not None:
        return _ask_again(t, picked)
    members = nlp.members_in(t.raw)
    if members is not None:  # "就我和王刚两个": who did it, said at the summary
        form.set_members(t, draft, members)
        t.say(texts.EDITED)
        return submit.ask_next(t, draft)
    if form.takes_a_new_name(t, draft):  # "名字叫X": a new name without naming the field's number
        return submit.ask_next(t, draft)
    if t.intent != Intent.describe and take_benefit(t, draft, t.raw, none_counts=False):
        t.say(texts.EDITED)  # "一年其实能省八千": the benefit said again, without naming the field
        return submit.ask_next(t, draft)
    if t.intent == Intent.describe:
        fill_from_description(t, draft, t.text)
        return submit.ask_next(t, draft)
    t.say(submit.question(t, State.confirm_submission))
    return State.confirm_submission


def edit_field_step(t: Turn) -> State:
    """The new value of the field picked from the summary."""
    draft = submit.current_draft(t)
    if draft is None:
        return idle(t)
    if not form.answer(t, draft, t.mem.editing or "title"):
        return State.edit_field
    t.mem.editing = None
    return submit.ask_next(t, draft)


def duplicate_step(t: Turn) -> State:
    """Same title already submitted: submit anyway, rename, or drop."""
    draft = submit.current_draft(t)
    choice = t.slots_in.get("number")
    if draft is None:
        return idle(t)
    if choice == "1" or t.intent == Intent.confirm:
        return submit.confirm(t, draft, force=True)
    if choice == "2":
        return _ask_again(t, form.BY_NAME["title"])
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
    back_to, t.mem.cancel_from = State.of(t.mem.cancel_from), None
    return back_to
