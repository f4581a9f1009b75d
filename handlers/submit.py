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
from models.errors import DeadlinePassed
from models.listing import same_title, worker_projects
from models.project import Project, ProjectStatus
from models.round import next_round, round_for
from models.workflow import discard_draft, editable_by, find_by_number, latest_draft, start_draft, submit

MAX_TITLE = 30
MIN_DESCRIPTION = 6
EDGE_PUNCT = " \t\n,.;:!?\"'()[]~\u3001\u3002\uff0c\uff1b\uff1a\uff01\uff1f\u2026\uff5e\u201c\u201d\u2018\u2019\uff08\uff09\u3010\u3011"

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
    draft = t.session.get(Project, draft_id) if draft_id else None
    if not editable_by(draft, t.worker):
        draft = latest_draft(t.session, t.worker)
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


def _closed(t: Turn, round_) -> State:  # noqa: ANN001 - models.round.Round
    """Tell the worker submissions are closed, and when the next round opens if known."""
    t.say(texts.SUBMISSION_CLOSED.format(round=round_.name, deadline=local_date(round_.submission_deadline)))
    upcoming = next_round(t.session, t.now)
    if upcoming is not None:
        t.say(texts.SUBMISSION_CLOSED_NEXT.format(round=upcoming.name, opens=local_date(upcoming.opens_at)))
    return State.idle


def clean_title(text: str) -> str:
    """A title without voice-recognition punctuation at its ends."""
    return text.strip(EDGE_PUNCT)


def fill_from_description(t: Turn, draft: Project, text: str) -> None:
    """Fill every field the text gives: description, title, benefit, category, system."""
    text = text.strip()
    answered = set(t.memory("answered", []))
    if not draft.description:
        # keep the worker's own punctuation when this is the message just received
        draft.description = t.raw if t.raw and nlp.normalize(t.raw) == text else text
        answered.add("description")
    if not draft.title:
        title = nlp.extract_title(text)
        if title:
            draft.title = clean_title(title)[:MAX_TITLE]
            answered.add("title")
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
            draft.system, draft.system_confidence = result.system, result.confidence
            t.remember(system_auto=True)
        else:
            draft.system, draft.system_confidence = None, None
            t.remember(system_auto=None, system_options=[s for s, _ in result.alternatives][:3] or None)


def set_benefit(t: Turn, draft: Project, benefit: nlp.Benefit) -> None:
    """Store a benefit as yuan per year (monthly figures times twelve)."""
    yuan = Decimal(str(benefit.yuan)) * (12 if benefit.period == "month" else 1)
    draft.annual_benefit_yuan = yuan.quantize(Decimal("0.01"))
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


def answer(t: Turn, draft: Project, field: str) -> bool:
    """Take the message as the answer for one field; say how to answer and return False if invalid."""
    text = t.text
    if field == "title":
        if len(clean_title(text)) > MAX_TITLE:  # a whole description: take the title from it
            fill_from_description(t, draft, text)
            return bool(draft.title) or _invalid(t, texts.INVALID_TITLE)
        title = clean_title(text)
        if len(title) < 2 or title.isdigit() or len(title) > MAX_TITLE or t.intent in ("confirm", "deny"):
            return _invalid(t, texts.INVALID_TITLE)
        draft.title = title
    elif field == "description":
        if len(clean_title(text)) < MIN_DESCRIPTION:
            return _invalid(t, texts.INVALID_DESCRIPTION)
        draft.description = t.raw or text.strip()
        _mark(t, "description")
        fill_from_description(t, draft, text)
    elif field == "category":
        value = category_from(text, t.intent, t.slots_in, t.memory("category_suggestion"))
        if value is None:
            return _invalid(t, texts.INVALID_CATEGORY)
        draft.category = value
    elif field == "system":
        value = system_from(text, t.slots_in)
        if value is None:
            return _invalid(t, texts.INVALID_SYSTEM)
        draft.system, draft.system_confidence = value, None
        t.remember(system_auto=None)
    elif field == "benefit":
        return _answer_benefit(t, draft, text)
    elif field == "members":
        return _answer_members(t, draft, text)
    _mark(t, field)
    classify(t, draft)
    return True


def _invalid(t: Turn, hint: str) -> bool:
    """Say how to answer, once, and report the answer invalid."""
    t.say(hint)
    return False


def _answer_benefit(t: Turn, draft: Project, text: str) -> bool:
    """Read the yearly benefit, accepting "说不清" as an answer."""
    benefit = nlp.extract_benefit(text)
    if benefit is not None and benefit.yuan is not None:
        set_benefit(t, draft, benefit)
    elif benefit_words(text):
        draft.annual_benefit_yuan = None
        t.remember(benefit_approximate=None)
    else:
        return _invalid(t, texts.INVALID_BENEFIT)
    _mark(t, "benefit")
    return True


def _answer_members(t: Turn, draft: Project, text: str) -> bool:
    """Replace the member list with the names given (the worker stays first)."""
    names = [n for n in re.split(f"[\\s{re.escape(texts.NAME_SEPARATORS)}]+", clean_title(text)) if n]
    if not names or any(len(n) > 10 or any(ch.isdigit() for ch in n) for n in names):
        return _invalid(t, texts.INVALID_MEMBERS)
    own = t.worker.name
    draft.members = ([own] if own and own not in names else []) + names
    _mark(t, "members")
    return True


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
    if field == "category":
        draft.category = None
    if field == "system":
        draft.system = None
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
    returned = [p for p in worker_projects(t.session, t.worker) if p.status == ProjectStatus.returned]
    if not number and len(returned) != 1:
        t.say(texts.ASK_WHICH_NUMBER.format(verb=texts.VERB_REVISE))
        return State.idle
    round_ = round_for(t.session, t.now)
    project = returned[0] if not number else find_by_number(t.session, round_, number) if round_ else None
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
    lines = similar_lines(t, draft)
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
