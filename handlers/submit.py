"""The submission flow (申报): a form that fills itself from what the worker says.

One message may fill several fields; only what is still missing is asked, in this order:
name, description, category, system (only when the classifier is unsure), yearly benefit.
"""
from __future__ import annotations

import re
from decimal import Decimal

import nlp
from handlers import texts
from handlers.draft_view import (FIELD_ORDER, benefit_words, category_from, local_date, missing_fields, short_number,
                                 summary, system_from)
from handlers.similar import similar_lines
from handlers.turn import State, Turn
from models import drafts
from models.drafts import MAX_TITLE, open_draft, trimmed
from models.errors import DeadlinePassed, InvalidField, Problem
from models.listing import returned_projects, same_title, visible_project
from models.project import Project, ProjectStatus
from models.round import Round, next_round, round_for
from models.workflow import discard_draft, start_draft, submit

QUESTIONS = {
    State.ask_title: texts.ASK_TITLE, State.ask_description: texts.ASK_DESCRIPTION,
    State.ask_category: texts.ASK_CATEGORY, State.ask_system: texts.ASK_SYSTEM,
    State.ask_benefit: texts.ASK_BENEFIT,
}
FIELD_STATE = {"title": State.ask_title, "description": State.ask_description, "category": State.ask_category,
               "system": State.ask_system, "benefit": State.ask_benefit}


def current_draft(t: Turn) -> Project | None:
    """The draft this dialog is filling (the remembered one, else the worker's latest)."""
    draft_id = t.memory("draft_id")
    draft = open_draft(t.session, t.worker, draft_id)
    if (draft.id if draft else None) != draft_id:
        t.remember(draft_id=draft.id if draft else None)
    return draft


def start(t: Turn, prefill: str | None = None) -> State:
    """Open the form (resuming a draft if there is one), prefilled from a describing message."""
    round_ = round_for(t.session, t.now)
    if round_ is None:
        t.say(texts.NO_ROUND)
        return State.idle
    if not round_.accepts_submissions(t.now):
        return _closed(t, round_)
    draft = current_draft(t)
    if draft is None or draft.round_id != round_.id:
        draft = start_draft(t.session, t.worker, round_, t.now)
        t.remember(draft_id=draft.id, answered=[], asked=[])
    if prefill:
        fill_from_description(t, draft, prefill)
    return ask_next(t, draft)


def _closed(t: Turn, round_: Round) -> State:
    """Tell the worker submissions are closed, and when the next round opens if known."""
    t.say(texts.SUBMISSION_CLOSED.format(round=round_.name, deadline=local_date(round_.submission_deadline)))
    upcoming = next_round(t.session, t.now)
    if upcoming is not None:
        t.say(texts.SUBMISSION_CLOSED_NEXT.format(round=upcoming.name, opens=local_date(upcoming.opens_at)))
    return State.idle


def fill_from_description(t: Turn, draft: Project, text: str) -> None:
    """Fill every field the text gives: description, title, benefit, category, system."""
    text = text.strip()
    answered = set(t.memory("answered", []))
    if not draft.description:
        # keep the worker's own punctuation when this is the message just received
        drafts.set_description(draft, t.worker, t.raw if t.raw and nlp.normalize(t.raw) == text else text,
                               check=False)
        answered.add("description")
    if not draft.title:
        title = nlp.extract_title(text)
        if title:
            try:
                drafts.set_title(draft, t.worker, title, shorten=True)
                answered.add("title")
            except InvalidField:
                pass  # no usable name in the message: it is asked for
    if "benefit" not in answered:
        benefit = nlp.extract_benefit(text)
        if benefit is not None and benefit.yuan is not None:
            set_benefit(t, draft, benefit)
            answered.add("benefit")
    t.remember(answered=sorted(answered))
    classify(t, draft)


def classify(t: Turn, draft: Project) -> None:
    """Suggest a category and file the project under a system unless the classifier is unsure."""
    text = f"{draft.title} {draft.description}".strip()
    if not text:
        return
    if draft.category is None:
        guess = nlp.infer_category(text)
        t.remember(category_suggestion=guess.category if guess.confidence >= 0.5 else None)
    if draft.system is None or t.memory("system_auto"):
        result = nlp.classify(text)
        if result.system and not result.unsure:
            drafts.set_system(draft, t.worker, result.system, result.confidence)
            t.remember(system_auto=True)
        else:
            drafts.set_system(draft, t.worker, None)
            t.remember(system_auto=None, system_options=[s for s, _ in result.alternatives][:3] or None)


def set_benefit(t: Turn, draft: Project, benefit: nlp.Benefit) -> None:
    """Store a benefit as yuan per year (monthly figures times twelve)."""
    yuan = Decimal(str(benefit.yuan)) * (12 if benefit.period == "month" else 1)
    drafts.set_benefit(draft, t.worker, yuan)
    t.remember(benefit_approximate=bool(benefit.approximate) or None)


def ask_next(t: Turn, draft: Project) -> State:
    """Ask for the first missing field, or show the summary when nothing is missing."""
    missing = missing_fields(draft, set(t.memory("answered", [])))
    if not missing:
        t.say(summary(draft, t.memory("benefit_approximate", False)))
        return State.confirm_submission
    state = FIELD_STATE[missing[0]]
    asked = list(t.memory("asked", []))
    if not asked or asked[-1] != missing[0]:
        t.remember(asked=asked + [missing[0]])
    t.say(question(t, state))
    return state


def question(t: Turn, state: State) -> str:
    """The question for a state, with the category suggestion when there is one."""
    suggestion = t.memory("category_suggestion")
    if state == State.ask_category and suggestion:
        return texts.ASK_CATEGORY_SUGGEST.format(suggestion=texts.CATEGORY_NAMES[suggestion])
    if state == State.confirm_submission:
        draft = current_draft(t)
        return summary(draft, t.memory("benefit_approximate", False)) if draft else texts.HELP
    return QUESTIONS.get(state, texts.HELP)


def _mark(t: Turn, field: str) -> None:
    """Record that a field was answered."""
    t.remember(answered=sorted(set(t.memory("answered", [])) | {field}))


#: One line of help for a refused answer, by field.
INVALID = {"title": texts.INVALID_TITLE, "description": texts.INVALID_DESCRIPTION, "category": texts.INVALID_CATEGORY,
           "system": texts.INVALID_SYSTEM, "benefit": texts.INVALID_BENEFIT, "members": texts.INVALID_MEMBERS}


def answer(t: Turn, draft: Project, field: str) -> bool:
    """Take the message as the answer for one field; say how to answer and return False if refused."""
    try:
        _take(t, draft, field, t.text)
    except InvalidField as refused:
        t.say(INVALID[refused.field])
        return False
    return True


def _take(t: Turn, draft: Project, field: str, text: str) -> None:
    """Read one field's value from the answer and store it; InvalidField when there is none."""
    if field == "title":
        if len(trimmed(text)) > MAX_TITLE:  # a whole description: take the title from it
            fill_from_description(t, draft, text)
            if not draft.title:
                raise InvalidField("title", Problem.too_long)
            return
        if t.intent in ("confirm", "deny"):
            raise InvalidField("title", Problem.unknown)
        drafts.set_title(draft, t.worker, text)
    elif field == "description":
        drafts.set_description(draft, t.worker, t.raw or text)
        _mark(t, "description")
        fill_from_description(t, draft, text)
    elif field == "category":
        drafts.set_category(draft, t.worker, category_from(text, t.intent, t.slots_in, t.memory("category_suggestion"))
                            or "")
    elif field == "system":
        drafts.set_system(draft, t.worker, system_from(text, t.slots_in) or "")
        t.remember(system_auto=None)
    elif field == "benefit":
        _take_benefit(t, draft, text)
        return
    elif field == "members":
        names = re.split(f"[\\s{re.escape(texts.NAME_SEPARATORS)}]+", trimmed(text))
        drafts.set_members(draft, t.worker, names)
        _mark(t, "members")
        return
    _mark(t, field)
    classify(t, draft)


def _take_benefit(t: Turn, draft: Project, text: str) -> None:
    """Read the yearly benefit, accepting "说不清" as an answer."""
    benefit = nlp.extract_benefit(text)
    if benefit is not None and benefit.yuan is not None:
        set_benefit(t, draft, benefit)
    elif benefit_words(text):
        drafts.set_benefit(draft, t.worker, None)
        t.remember(benefit_approximate=None)
    else:
        raise InvalidField("benefit", Problem.unknown)
    _mark(t, "benefit")


def go_back(t: Turn, draft: Project) -> State:
    """Return to the previous question, showing what was answered there."""
    asked = list(t.memory("asked", []))
    current = t.state
    if current in QUESTIONS and asked and FIELD_STATE.get(asked[-1]) == current:
        asked.pop()
    if not asked:
        t.say(texts.BACK_AT_START)
        t.say(question(t, current))
        return current
    field = asked[-1]
    t.remember(asked=asked, answered=sorted(set(t.memory("answered", [])) - {field}))
    if field in ("category", "system"):
        drafts.clear_choice(draft, t.worker, field)
    state = FIELD_STATE[field]
    t.say(question(t, state))
    return state


def confirm(t: Turn, draft: Project, force: bool = False) -> State:
    """Submit the draft after the checks: deadline, same title this round."""
    duplicate = None if force else same_title(t.session, draft)
    if duplicate is not None:
        t.say(texts.DUPLICATE_TITLE.format(title=duplicate.title, number=duplicate.number))
        return State.confirm_duplicate
    if not force and draft.status == ProjectStatus.draft and _warned_of_similar(t, draft):  # not on resubmission
        return State.confirm_submission
    resubmitted = draft.status == ProjectStatus.returned
    try:
        submit(t.session, draft, t.worker, t.now)
    except DeadlinePassed:
        return _closed(t, draft.round)
    unit = draft.unit.name if draft.unit else ""
    template = texts.RESUBMITTED if resubmitted else texts.SUBMITTED
    t.say(template.format(number=draft.number, unit=unit, short=short_number(draft.number)))
    _forget_form(t)
    return State.idle


def revise(t: Turn, number: str | None) -> State:
    """Open one of the worker's returned projects in the form, to fix it and submit it again."""
    returned = returned_projects(t.session, t.worker)
    if not number and len(returned) != 1:
        t.say(texts.ASK_WHICH_NUMBER.format(verb=texts.VERB_REVISE))
        return State.idle
    project = returned[0] if not number else visible_project(t.session, t.worker, number, t.now)
    if project is None or project.worker_id != t.worker.id:
        t.say(texts.PROJECT_NOT_FOUND.format(number=number))
        return State.idle
    if project.status != ProjectStatus.returned:
        t.say(texts.CANNOT_REVISE.format(number=project.number,
                                         status=texts.STATUS_WORDS.get(project.status, project.status)))
        return State.idle
    reason = next((e.reason for e in reversed(project.events) if e.to_status == ProjectStatus.returned), None)
    t.remember(draft_id=project.id, answered=list(FIELD_ORDER), asked=[], category_suggestion=None,
               system_auto=None, system_options=None, benefit_approximate=None, editing=None)
    t.say(texts.REVISING.format(number=project.number, reason=reason or texts.SUMMARY_UNKNOWN))
    return ask_next(t, project)


def _forget_form(t: Turn) -> None:
    """Forget everything the form remembered."""
    t.remember(draft_id=None, answered=None, asked=None, category_suggestion=None, system_auto=None,
               system_options=None, benefit_approximate=None, editing=None, cancel_from=None, similar_warned=None)


def _warned_of_similar(t: Turn, draft: Project) -> bool:
    """Before the first confirm, point out similar earlier projects; True when a warning was said."""
    if t.memory("similar_warned"):
        return False
    lines = similar_lines(t.similar, t.session, draft)
    if not lines:
        return False
    t.remember(similar_warned=True)
    t.say(texts.SIMILAR_FOUND.format(lines=lines))
    return True


def cancel(t: Turn) -> State:
    """Throw the draft away after the worker confirmed (a returned project is only closed, not lost)."""
    draft = current_draft(t)
    if draft is not None and draft.status == ProjectStatus.returned:
        _forget_form(t)
        t.say(texts.REVISE_CANCELLED.format(number=draft.number, short=short_number(draft.number)))
        return State.idle
    if draft is not None:
        discard_draft(t.session, draft)
    _forget_form(t)
    t.say(texts.CANCELLED)
    return State.idle


__all__ = ["FIELD_ORDER", "answer", "ask_next", "cancel", "confirm", "current_draft", "fill_from_description",
           "go_back", "question", "revise", "start"]
