"""The reviewer's pages (`/scoring`): what is assigned and still open, and the score sheet of one project.

A reviewer reaches a project only through their own assignment (`models.scoring.own_assignment`):
any other number is 404, and the sheet shows only the reviewer's own card, never another's, so
scores stay blind until the review closes (and after: results are the office's pages).
"""
from __future__ import annotations

from collections.abc import Mapping

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from models.account import AccountRole
from models.base import utcnow
from models.errors import DomainError, NotFound
from models.project import Project, System
from models.review_config import ReviewConfig
from models.score_sheet import InvalidScores, ScoreProblem, suggest_band
from models.scoring import correct_label, own_assignment, save_scores, worklist
from web.access import current_account, project_or_404, roles_required
from web.attempt import attempt, refused
from web.city_review import ActionForm, review_config
from web.state import commit, db_session

blueprint = Blueprint("scoring", __name__, url_prefix="/scoring")


@blueprint.get("")
@roles_required(AccountRole.reviewer)
def index() -> ResponseReturnValue:
    """The reviewer's assignments, the ones still to score first."""
    items = worklist(db_session(), current_account())
    return render_template("scoring/index.html", items=items, open_count=sum(item.open for item in items))


def _sheet_page(project: Project, config: ReviewConfig, values: dict[str, str], comment: str,
                problems: Mapping[str, ScoreProblem], status: int = 200) -> ResponseReturnValue:
    """Render the score sheet with the reviewer's own values (or what they just typed)."""
    assignment = own_assignment(db_session(), current_account(), project)
    suggestion = suggest_band(config.score_sheet, project.annual_benefit_yuan)
    return render_template("scoring/sheet.html", project=project, assignment=assignment, sheet=config.score_sheet,
                           values=values, comment=comment, problems=problems, suggestion=suggestion,
                           form=ActionForm(), systems=[s.value for s in System]), status


def _assigned(number: str) -> Project:
    """The project if it is assigned to the signed-in reviewer, else 404."""
    project = project_or_404(number)
    try:
        own_assignment(db_session(), current_account(), project)
    except NotFound:
        abort(404)
    return project


@blueprint.get("/<number>")
@roles_required(AccountRole.reviewer)
def sheet(number: str) -> ResponseReturnValue:
    """The score sheet of one assigned project, filled with the reviewer's own card if any."""
    project = _assigned(number)
    assignment = own_assignment(db_session(), current_account(), project)
    values = {key: str(value) for key, value in (assignment.scores or {}).items()}
    return _sheet_page(project, review_config(), values, assignment.comment, {})


@blueprint.post("/<number>")
@roles_required(AccountRole.reviewer)
def save(number: str) -> ResponseReturnValue:
    """Save the reviewer's card; a refused one comes back with every problem and nothing lost."""
    project, config = _assigned(number), review_config()
    if not ActionForm().validate_on_submit():
        abort(400)
    keys = [c.key for c in config.score_sheet.criteria]
    values = {key: request.form.get(key, "") for key in keys}
    comment = request.form.get("comment", "")[:2000]
    try:
        save_scores(db_session(), current_account(), project, config.score_sheet, values, comment, utcnow())
    except InvalidScores as error:
        problems = {p.criterion: p for p in error.problems}
        return _sheet_page(project, config, values, comment, problems, 400)
    except DomainError as error:
        refused(error)
        return redirect(url_for("scoring.sheet", number=number))
    commit()
    flash("score.saved", "success")
    return redirect(url_for("scoring.index"))


@blueprint.post("/<number>/system")
@roles_required(AccountRole.reviewer)
def system(number: str) -> ResponseReturnValue:
    """File the project under another professional system (kept as a correction for the classifier)."""
    project = _assigned(number)
    if not ActionForm().validate_on_submit():
        abort(400)
    chosen = request.form.get("system", "")
    if chosen not in {s.value for s in System}:
        abort(400)
    attempt(lambda: correct_label(db_session(), current_account(), project, System(chosen), utcnow()),
            lambda changed: "system.corrected" if changed else "system.unchanged")
    return redirect(url_for("scoring.sheet", number=number))
