"""The unit's first review on the web (`/review`): what waits in the coordinator's subtree, passed or returned.

The list shows each waiting project with its photos and the similar earlier projects, filtered
by unit, system, category and words. A project is passed or returned from its row (htmx: only
the row is redrawn) or several at once with the check boxes; both post to `/review/decide`,
which calls `models.unit_review.decide` — the chat's own approve and return, with the same
single notice to the worker.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectChoice, SelectField, SelectMultipleField, StringField, \
    TextAreaField
from wtforms.validators import Length, NumberRange, Optional

from models.access import Actor, may_see
from models.account import AccountRole
from models.base import utcnow
from models.errors import InvalidField
from models.project import Category, Project, System
from models.unit_review import MAX_REASON, PAGE_SIZE, Decision, Outcome, ReviewFilter, count_pending_for_review, \
    decide, pending_for_review, stored_photos, units_with_pending
from web.access import current_actor, project_or_404, roles_required
from web.state import commit, db_session, web_state

blueprint = Blueprint("review", __name__)

#: Who reviews a unit's projects on the web: its coordinators, and the union office for any unit.
REVIEWERS = (AccountRole.coordinator, AccountRole.staff, AccountRole.admin)
#: The list's filter fields, kept when a decision sends the coordinator back to the list.
FILTER_KEYS = ("unit", "system", "category", "q", "page")


def _optional_int(value: Any) -> int | None:
    """An id from a form ("" means none)."""
    return int(value) if value not in (None, "") else None


class ReviewFilterForm(FlaskForm):
    """The list's filter, sent as query parameters (a GET that changes nothing needs no CSRF token)."""

    class Meta:
        """Read from the query string; no CSRF token."""

        csrf = False

    unit = SelectField(coerce=_optional_int, validate_choice=False)
    system = SelectField(choices=[SelectChoice(""), *(SelectChoice(s.value) for s in System)], default="")
    category = SelectField(choices=[SelectChoice(""), *(SelectChoice(c.value) for c in Category)], default="")
    q = StringField(validators=[Optional(), Length(max=50, message="too_long")])
    page = IntegerField(validators=[Optional(), NumberRange(min=1, max=10_000)])


class DecisionForm(FlaskForm):
    """Pass or return the checked projects (one, from its row; several, from the list)."""

    numbers = SelectMultipleField(validate_choice=False)
    decision = SelectField(choices=[SelectChoice(d.value) for d in Decision])
    reason = TextAreaField(validators=[Length(max=MAX_REASON, message="too_long")])
    back = HiddenField()  # "project": go back to the project's page; else the list with this query


@dataclass(frozen=True)
class Similar:
    """A similar earlier project as a row shows it: linked when the viewer may open it."""

    project: Project
    score: float
    linked: bool


def similar_to(actor: Actor, project: Project) -> list[Similar]:
    """The similar earlier projects the shared index finds for this one (none when the index is off)."""
    index = web_state().similar
    if index is None:
        return []
    session = db_session()
    return [Similar(other, score, may_see(session, actor, other)) for other, score in index.find(session, project)]


def _filter_from(form: ReviewFilterForm) -> ReviewFilter:
    """The model's filter from a valid form."""
    return ReviewFilter(unit_id=form.unit.data, system=form.system.data or None,
                        category=form.category.data or None, words=(form.q.data or "").strip() or None)


def _list_page(form: ReviewFilterForm, decision: DecisionForm, status: int = 200) -> ResponseReturnValue:
    """Render the list for the filter in `form`, with the decision form as it was posted."""
    session, actor = db_session(), current_actor()
    units = units_with_pending(session, actor)
    form.unit.choices = [SelectChoice(""), *(SelectChoice(u.id, u.full_name() or u.name) for u in units)]
    valid = form.validate()
    wanted = _filter_from(form) if valid else ReviewFilter()
    page = (form.page.data or 1) if valid else 1
    projects = pending_for_review(session, actor, wanted, page)
    total = count_pending_for_review(session, actor, wanted)
    args = {k: v for k, v in request.args.items() if k in FILTER_KEYS and k != "page" and v}
    return render_template("review/index.html", form=form, decision=decision, projects=projects, total=total,
                           page=page, page_size=PAGE_SIZE, args=args, filtered=bool(args), units=units,
                           photos=stored_photos, similar=lambda p: similar_to(actor, p),
                           checked=set(decision.numbers.data or [])), status if valid else 400


@blueprint.get("/review")
@roles_required(*REVIEWERS)
def index() -> ResponseReturnValue:
    """The projects waiting for this account's first review, with the filter and the decision forms."""
    return _list_page(ReviewFilterForm(request.args, meta={"csrf": False}), DecisionForm(formdata=None))


def _back_url(back: str, numbers: list[str]) -> str:
    """Where a decision goes back to: the project's page, or the list with the filter it was posted from."""
    if back == "project" and len(numbers) == 1:
        return url_for("projects.detail", number=numbers[0])
    args = {k: v for k, v in request.args.items() if k in FILTER_KEYS and v}
    return url_for("review.index") + (f"?{urlencode(args)}" if args else "")


@blueprint.post("/review/decide")
@roles_required(*REVIEWERS)
def decide_page() -> ResponseReturnValue:
    """Pass or return the posted projects; a row asking through htmx gets only its own row back."""
    form = DecisionForm()
    numbers = [n for n in (form.numbers.data or []) if n]
    row = request.headers.get("HX-Request") == "true" and len(numbers) == 1
    if not form.validate() or not numbers:
        return _refused(form, numbers, row, "form.invalid" if numbers else "review.none_checked")
    try:
        outcomes = decide(db_session(), current_actor(), numbers, Decision(form.decision.data),
                          form.reason.data, utcnow())
    except InvalidField as refused:
        form.reason.errors = [*form.reason.errors, refused.problem]
        return _refused(form, numbers, row, "review.reason_required")
    commit()
    if row:
        return _row(numbers[0], form, outcomes[0])
    _flash_outcomes(outcomes, Decision(form.decision.data))
    return redirect(_back_url(form.back.data or "", numbers))


def _refused(form: DecisionForm, numbers: list[str], row: bool, code: str) -> ResponseReturnValue:
    """Answer a decision that was not made: the row with its error, or the list as posted with why (400)."""
    if row:
        return _row(numbers[0], form, None)
    if form.back.data == "project" and len(numbers) == 1:
        flash(code, "danger")
        return redirect(_back_url("project", numbers))
    flash(code, "danger")
    return _list_page(ReviewFilterForm(request.args, meta={"csrf": False}), form, 400)


def _row(number: str, form: DecisionForm, outcome: Outcome | None) -> ResponseReturnValue:
    """One row of the list after a decision (or with its form's error), for htmx to swap in."""
    project = project_or_404(number)
    actor = current_actor()
    return render_template("review/_row.html", project=project, outcome=outcome, decision=form,
                           photos=stored_photos, similar=lambda p: similar_to(actor, p), checked=set())


def _flash_outcomes(outcomes: list[Outcome], decision: Decision) -> None:
    """Say how many were decided, and each one that could not be, with why."""
    done = [o for o in outcomes if o.done]
    if done:
        flash(f"review.{decision.value}.done:{len(done)}", "success")
    for outcome in outcomes:
        if outcome.problem in ("not_found", "not_yours"):
            flash(f"review.failed.{outcome.problem}:{outcome.number}", "warning")
        elif not outcome.done:
            flash(f"review.failed.status:{outcome.number}:{outcome.problem}", "warning")
