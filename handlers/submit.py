"""The submission flow (申报): a form that fills itself from what the worker says.

One message may fill several fields; only what is still missing is asked, in the order of the
form's table (handlers/form.py): name, description, category, system (only when the classifier
is unsure), yearly benefit.
"""
from __future__ import annotations

import nlp
from handlers import form, texts
from handlers.draft_view import local_date, short_number
from handlers.query import lookup
from handlers.reading import fill_from_description, take_named
from handlers.similar import similar_lines
from handlers.turn import State, Turn
from models import drafts
from models.drafts import open_draft
from models.errors import DeadlinePassed
from models.listing import returned_projects, same_title
from models.project import Project, ProjectStatus
from models.round import Round, next_round, round_for
from models.workflow import discard_draft, start_draft, submit


def current_draft(t: Turn) -> Project | None:
    """The draft this dialog is filling (the remembered one, else the worker's latest)."""
    draft = open_draft(t.session, t.worker, t.mem.draft_id)
    t.mem.draft_id = draft.id if draft else None
    return draft


def start(t: Turn, prefill: str | None = None, said: str | None = None) -> State:
    """Open the form (resuming a draft if there is one), prefilled from a describing message.

    `said`: the command that opened it (with a framed name or a named category), for what it names.
    """
    round_ = round_for(t.session, t.now)
    if round_ is None:
        t.say(texts.NO_ROUND)
        return State.idle
    if not round_.accepts_submissions(t.now):
        return _closed(t, round_)
    draft = current_draft(t)
    if draft is None or draft.round_id != round_.id:
        draft = start_draft(t.session, t.worker, round_, t.now)
        t.mem.draft_id, t.mem.answered, t.mem.asked = draft.id, [], []
    if prefill:
        fill_from_description(t, draft, prefill)
    elif said:
        t.mem.answered = sorted({*t.mem.answered, *take_named(t, draft, said, title_of=nlp.named_title)})
    return ask_next(t, draft)


def _closed(t: Turn, round_: Round) -> State:
    """Tell the worker submissions are closed, and when the next round opens if known."""
    t.say(texts.SUBMISSION_CLOSED.format(round=round_.name, deadline=local_date(round_.submission_deadline)))
    upcoming = next_round(t.session, t.now)
    if upcoming is not None:
        t.say(texts.SUBMISSION_CLOSED_NEXT.format(round=upcoming.name, opens=local_date(upcoming.opens_at)))
    return State.idle


def ask_next(t: Turn, draft: Project) -> State:
    """Ask for the first missing field, or show the summary when nothing is missing."""
    missing = form.missing(draft, t.mem)
    if not missing:
        t.say(form.summary(draft, t.mem))
        return State.confirm_submission
    field = missing[0]
    if not t.mem.asked or t.mem.asked[-1] != field.name:
        t.mem.asked = [*t.mem.asked, field.name]
    t.say(form.question(field, t.mem))
    assert field.state is not None
    return field.state


def question(t: Turn, state: State) -> str:
    """What the form asks in a state: a field's question, or the summary."""
    if state in form.BY_STATE:
        return form.question(form.BY_STATE[state], t.mem)
    if state == State.confirm_submission:
        draft = current_draft(t)
        return form.summary(draft, t.mem) if draft else texts.HELP
    return texts.HELP


def go_back(t: Turn, draft: Project) -> State:
    """Return to the previous question, showing what was answered there."""
    asked, current = list(t.mem.asked), t.state
    if current in form.BY_STATE and asked and asked[-1] == form.BY_STATE[current].name:
        asked.pop()
    if not asked:
        t.say(texts.BACK_AT_START)
        t.say(question(t, current))
        return current
    field = form.BY_NAME[asked[-1]]
    t.mem.asked, t.mem.answered = asked, sorted(set(t.mem.answered) - {field.name})
    if field.name in ("category", "system"):
        drafts.clear_choice(draft, t.worker, field.name)
    t.say(form.question(field, t.mem))
    assert field.state is not None
    return field.state


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
        submit(t.session, draft, t.actor, t.now)
    except DeadlinePassed:
        return _closed(t, draft.round)
    unit = draft.unit.name if draft.unit else ""
    template = texts.RESUBMITTED if resubmitted else texts.SUBMITTED
    t.say(template.format(number=draft.number, unit=unit, short=short_number(draft.number)))
    t.mem.forget_form()
    return State.idle


def revise(t: Turn, number: str | None) -> State:
    """Open one of the worker's returned projects in the form, to fix it and submit it again."""
    returned = returned_projects(t.session, t.worker)
    if not number and len(returned) != 1:
        t.say(texts.ASK_WHICH_NUMBER.format(verb=texts.VERB_REVISE))
        return State.idle
    project = returned[0] if not number else lookup(t, number)
    if project is None or project.worker_id != t.worker.id:
        t.say(texts.PROJECT_NOT_FOUND.format(number=number))
        return State.idle
    if project.status != ProjectStatus.returned:
        t.say(texts.CANNOT_REVISE.format(number=project.number,
                                         status=texts.STATUS_WORDS.get(project.status, project.status)))
        return State.idle
    reason = next((e.reason for e in reversed(project.events) if e.to_status == ProjectStatus.returned), None)
    mem = t.mem
    mem.draft_id, mem.answered, mem.asked, mem.editing = project.id, list(form.ASKED), [], None
    mem.category_suggestion, mem.system_options = None, None
    mem.system_auto = mem.after_photos = False
    t.say(texts.REVISING.format(number=project.number, reason=reason or texts.SUMMARY_UNKNOWN))
    return ask_next(t, project)


def _warned_of_similar(t: Turn, draft: Project) -> bool:
    """Before the first confirm, point out similar earlier projects; True when a warning was said."""
    if t.mem.similar_warned:
        return False
    lines = similar_lines(t.similar, t.session, draft)
    if not lines:
        return False
    t.mem.similar_warned = True
    t.say(texts.SIMILAR_FOUND.format(lines=lines))
    return True


def cancel(t: Turn) -> State:
    """Throw the draft away after the worker confirmed (a returned project is only closed, not lost)."""
    draft = current_draft(t)
    if draft is not None and draft.status == ProjectStatus.returned:
        t.mem.forget_form()
        t.say(texts.REVISE_CANCELLED.format(number=draft.number, short=short_number(draft.number)))
        return State.idle
    if draft is not None:
        discard_draft(t.session, draft)
    t.mem.forget_form()
    t.say(texts.CANCELLED)
    return State.idle
