"""The awards for staff (`/awards/<round>`) and the certificates (`/certificates/<number>.pdf`).

Staff propose the levels (within the budget and the counts; the page says why each other
project missed out), move projects between levels, confirm, start the public notice for some days,
record and settle objections, and finalize; every step is an operation of `models.awards`.
A final award's certificate is public at `/certificates/<number>.pdf`, as its public notice was: the
worker opens it from the award notice in the chat, without an account.
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue

from models.award_allocation import InvalidAllocation
from models.awards import Outcome, allocation, awards_state, confirm_awards, final_award, finalize_awards, \
    find_objection, level_name, objections, propose_awards, publish_awards, record_objection, resolve_objection, \
    round_awards, set_level
from models.base import utcnow
from models.city_review import review_of
from models.clock import local
from models.errors import InvalidField, NotFound
from models.scoring import results
from web.access import OFFICE, current_account, project_or_404, roles_required
from web.certificates import AwardIdentity, Certificate, render_certificate
from web.attempt import Flash, attempt
from web.city_review import XLSX, ActionForm, review_config
from web.review_workbook import results_workbook, xlsx_response
from web.state import db_session

blueprint = Blueprint("awards", __name__)
#: How the award pages word an allocation outside the limits, and a field filled in wrong.
ALLOCATION: Flash = (InvalidAllocation, lambda error: f"award.{error.problems[0].code}")
FIELD: Flash = (InvalidField, lambda error: f"{error.field}.{error.problem}")


def certificate_url(number: str) -> str:
    """Where a phone opens a project's certificate (PUBLIC_BASE_URL, else this request's host)."""
    base = current_app.config.get("PUBLIC_BASE_URL") or request.url_root.rstrip("/")
    return f"{base}{url_for('awards.certificate', number=number)}"


@blueprint.get("/awards/<int:round_id>")
@roles_required(*OFFICE)
def index(round_id: int) -> ResponseReturnValue:
    """The round's awards: levels, money, misses and why, the 公示 and its objections."""
    session, config = db_session(), review_config()
    review = review_of(session, round_id)
    if review is None:
        abort(404)
    current = None if review.is_open else allocation(session, round_id, config.score_sheet, config.awards)
    numbers = {row.project.number: row for row in results(session, review, config.score_sheet)}
    return render_template("awards/index.html", review=review, round=review.round, current=current, rows=numbers,
                           state=awards_state(session, round_id), plan=config.awards,
                           objections=objections(session, round_id), form=ActionForm(),
                           notice_days=config.notice_days, level_name=level_name)


def _step(round_id: int, action: str) -> ResponseReturnValue:
    """Run one award step named by the form's button, then show the page again."""
    session, config, account, now = db_session(), review_config(), current_account(), utcnow()
    if not ActionForm().validate_on_submit():
        abort(400)

    def run() -> None:
        if action == "propose":
            propose_awards(session, account, round_id, config.score_sheet, config.awards, now)
        elif action == "confirm":
            confirm_awards(session, account, round_id, now)
        elif action == "publish":
            publish_awards(session, account, round_id, request.form.get("days", type=int, default=-1), now)
        elif action == "finalize":
            finalize_awards(session, account, round_id, config.awards, certificate_url, now)
        else:
            abort(404)

    attempt(run, f"award.{action}", (ALLOCATION, FIELD), missing_is_404=True)
    return redirect(url_for("awards.index", round_id=round_id))


@blueprint.post("/awards/<int:round_id>/<action>")
@roles_required(*OFFICE)
def step(round_id: int, action: str) -> ResponseReturnValue:
    """Propose, confirm, publish (公示) or finalize the round's awards."""
    return _step(round_id, action)


@blueprint.post("/awards/<int:round_id>/projects/<number>/level")
@roles_required(*OFFICE)
def level(round_id: int, number: str) -> ResponseReturnValue:
    """Give one project another level, or none."""
    project, config = project_or_404(number), review_config()
    if project.round_id != round_id or not ActionForm().validate_on_submit():
        abort(404 if project.round_id != round_id else 400)
    chosen = request.form.get("level") or None
    attempt(lambda: set_level(db_session(), current_account(), project, chosen, config.score_sheet, config.awards,
                              utcnow()), "award.level", (ALLOCATION,))
    return redirect(url_for("awards.index", round_id=round_id))


@blueprint.post("/awards/<int:round_id>/objections")
@roles_required(*OFFICE)
def objection(round_id: int) -> ResponseReturnValue:
    """Record an objection against a project of the 公示."""
    project = project_or_404(request.form.get("number", "").strip())
    if project.round_id != round_id or not ActionForm().validate_on_submit():
        abort(404 if project.round_id != round_id else 400)
    attempt(lambda: record_objection(db_session(), current_account(), project, request.form.get("raised_by", ""),
                                     request.form.get("reason", ""), utcnow()), "objection.recorded", (FIELD,))
    return redirect(url_for("awards.index", round_id=round_id))


@blueprint.post("/awards/<int:round_id>/objections/<int:objection_id>")
@roles_required(*OFFICE)
def resolve(round_id: int, objection_id: int) -> ResponseReturnValue:
    """Settle an objection: upheld or dismissed, with a note."""
    session = db_session()
    try:
        found = find_objection(session, objection_id)
    except NotFound:
        abort(404)
    outcome = request.form.get("outcome", "")
    if found.round_id != round_id or outcome not in {o.value for o in Outcome} or not ActionForm().validate_on_submit():
        abort(404 if found.round_id != round_id else 400)
    attempt(lambda: resolve_objection(session, current_account(), found, Outcome(outcome),
                                      request.form.get("resolution", ""), utcnow()), "objection.resolved", (FIELD,))
    return redirect(url_for("awards.index", round_id=round_id))


@blueprint.get("/awards/<int:round_id>/awards.xlsx")
@roles_required(*OFFICE)
def awards_xlsx(round_id: int) -> ResponseReturnValue:
    """The award list as a workbook, one row per awarded project."""
    session, config = db_session(), review_config()
    review = review_of(session, round_id)
    if review is None:
        abort(404)
    awards = {a.project_id: a for a in round_awards(session, round_id)}
    workbook = results_workbook(results(session, review, config.score_sheet), config, awards, only_awarded=True)
    return send_file(xlsx_response(workbook), mimetype=XLSX, as_attachment=True,
                     download_name=f"awards-{review.round.year}-{round_id}.xlsx")


@blueprint.get("/certificates/<number>.pdf")
def certificate(number: str) -> ResponseReturnValue:
    """A final award's certificate (public, as its 公示 was); 404 for any other number."""
    try:
        award = final_award(db_session(), number)
    except NotFound:
        abort(404)
    project, config = award.project, review_config()
    unit = project.unit.full_name() or project.unit.name if project.unit else ""
    members = tuple(str(m) for m in project.members or []) or ((project.worker.name or "",) if project.worker else ())
    assert award.final_at is not None
    identity = AwardIdentity(project.round.name, project.number or "", award.level, local(award.final_at).date())
    rendered = render_certificate(Certificate(identity, project.title, members or ("",), unit,
                                              level_name(config.awards, award.level)),
                                  current_app.config["SECRET_KEY"])
    return Response(rendered.pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{project.number}.pdf"'})
