"""The city review for staff (`/city-review`): open a round's review, assign reviewers, close it, results.

Every change is an operation of `models.city_review` (which checks the office role and writes the
audit log); this module turns form posts into those calls and results into pages and a workbook.
The review's configuration (score sheet, reviewers per project, award levels) is
`models/data/review.json`, loaded once per application by `init_app`.
"""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Flask, abort, current_app, redirect, render_template, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField
from wtforms.validators import Optional

from models.base import utcnow
from models.city_review import assign_reviewers, assignments, close_review, current_plan, open_review, \
    remove_assignment, review_of, reviewer_accounts
from models.review_records import CityReview, ReviewAssignment
from models.clock import SHANGHAI
from models.errors import NotFound
from models.review_config import ReviewConfig, load_review_config
from models.rounds import get_round, list_rounds
from models.scoring import review_results
from web.access import OFFICE, current_account, roles_required
from web.attempt import attempt
from web.review_workbook import results_workbook, xlsx_response
from web.state import db_session

blueprint = Blueprint("city_review", __name__, url_prefix="/city-review")
CONFIG_KEY = "review_config"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def init_app(app: Flask) -> None:
    """Load the review configuration once and register the area."""
    app.extensions[CONFIG_KEY] = load_review_config()
    app.register_blueprint(blueprint)


def review_config() -> ReviewConfig:
    """The application's review configuration."""
    config = current_app.extensions[CONFIG_KEY]
    assert isinstance(config, ReviewConfig)
    return config


class ActionForm(FlaskForm):
    """A button that changes something: only its CSRF token."""


class OpenForm(FlaskForm):
    """Open a round's review, with its deadline (Shanghai time; the round's own by default)."""

    deadline = DateTimeLocalField(format="%Y-%m-%dT%H:%M", validators=[Optional()])


def _review(round_id: int) -> CityReview:
    """The round's review, or 404 before it is opened."""
    review = review_of(db_session(), round_id)
    if review is None:
        abort(404)
    return review


@blueprint.get("")
@roles_required(*OFFICE)
def index() -> ResponseReturnValue:
    """Every round with the state of its review."""
    session = db_session()
    rounds = [(r, review_of(session, r.id)) for r in list_rounds(session)]
    return render_template("city_review/index.html", rounds=rounds)


@blueprint.get("/<int:round_id>")
@roles_required(*OFFICE)
def detail(round_id: int) -> ResponseReturnValue:
    """One round's review: open it, or its assignments, shortfalls, progress and results."""
    session = db_session()
    try:
        round_ = get_round(session, round_id)
    except NotFound:
        abort(404)
    review, config = review_of(session, round_id), review_config()
    plan = current_plan(session, review, config.assignment) if review is not None and review.is_open else None
    rows = review_results(session, current_account(), review, config.score_sheet) if review is not None else []
    form = OpenForm(data={"deadline": round_.city_review_deadline.astimezone(SHANGHAI).replace(tzinfo=None)})
    reviewers = {str(a.id): a.name for a in reviewer_accounts(session)}
    given = {(str(a.project_id), str(a.account_id)): a.id for a in assignments(session, review)} if review else {}
    return render_template("city_review/detail.html", round=round_, review=review, plan=plan, rows=rows,
                           reviewers=reviewers, assignment_ids=given,
                           sheet=config.score_sheet, needed=config.assignment.reviewers_per_project,
                           open_form=form, action_form=ActionForm())


def _deadline(value: datetime | None) -> datetime | None:
    """A deadline typed in Shanghai time, made aware."""
    return value.replace(tzinfo=SHANGHAI) if value is not None else None


@blueprint.post("/<int:round_id>/open")
@roles_required(*OFFICE)
def open_(round_id: int) -> ResponseReturnValue:
    """Open the round's review."""
    session, form = db_session(), OpenForm()
    if not form.validate_on_submit():
        abort(400)
    attempt(lambda: open_review(session, current_account(), get_round(session, round_id), utcnow(),
                                _deadline(form.deadline.data)), "review.opened", missing_is_404=True)
    return redirect(url_for("city_review.detail", round_id=round_id))


@blueprint.post("/<int:round_id>/assign")
@roles_required(*OFFICE)
def assign(round_id: int) -> ResponseReturnValue:
    """Assign reviewers by professional group to every project still short of them."""
    if not ActionForm().validate_on_submit():
        abort(400)
    attempt(lambda: assign_reviewers(db_session(), current_account(), _review(round_id), review_config().assignment,
                                     utcnow()),
            lambda outcome: "review.assigned" if outcome.added else "review.nothing_to_assign")
    return redirect(url_for("city_review.detail", round_id=round_id))


@blueprint.post("/<int:round_id>/close")
@roles_required(*OFFICE)
def close(round_id: int) -> ResponseReturnValue:
    """Close the review: cards become final."""
    if not ActionForm().validate_on_submit():
        abort(400)
    attempt(lambda: close_review(db_session(), current_account(), _review(round_id), utcnow()), "review.closed")
    return redirect(url_for("city_review.detail", round_id=round_id))


@blueprint.post("/<int:round_id>/assignments/<int:assignment_id>/remove")
@roles_required(*OFFICE)
def remove(round_id: int, assignment_id: int) -> ResponseReturnValue:
    """Take one project away from one reviewer (a stale assignment)."""
    if not ActionForm().validate_on_submit():
        abort(400)
    assignment = db_session().get(ReviewAssignment, assignment_id)
    if assignment is None or assignment.review.round_id != round_id:
        abort(404)
    attempt(lambda: remove_assignment(db_session(), current_account(), assignment, utcnow()), "review.unassigned")
    return redirect(url_for("city_review.detail", round_id=round_id))


@blueprint.get("/<int:round_id>/results.xlsx")
@roles_required(*OFFICE)
def results_xlsx(round_id: int) -> ResponseReturnValue:
    """The review's results as a workbook, one row per project."""
    session, config = db_session(), review_config()
    review = _review(round_id)
    rows = review_results(session, current_account(), review, config.score_sheet)
    workbook = results_workbook(rows, config, awards={})
    return send_file(xlsx_response(workbook), mimetype=XLSX, as_attachment=True,
                     download_name=f"review-{review.round.year}-{round_id}.xlsx")
