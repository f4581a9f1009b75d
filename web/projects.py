"""One project's staff page (`/projects/<number>`): its fields, members, benefit, photos, history and similar projects.

Open to the union office, the coordinators of its unit's subtree and the reviewers it is assigned
to (models/access.py); for anyone else it does not exist (404). While the project waits for the
unit's first review, whoever may make it sees the pass and return forms here too.
"""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, render_template, send_file
from flask.typing import ResponseReturnValue

from models.access import may_review
from models.account import AccountRole
from models.project import ProjectStatus
from models.unit_review import stored_photos
from web.access import current_actor, project_or_404, roles_required
from web.review import DecisionForm, similar_to
from web.state import db_session, web_state

blueprint = Blueprint("projects", __name__, url_prefix="/projects")
#: Every signed-in role may open a project page; which projects is for models/access.py to say.
STAFF_ROLES = (AccountRole.admin, AccountRole.staff, AccountRole.coordinator, AccountRole.reviewer)


@blueprint.get("/<number>")
@roles_required(*STAFF_ROLES)
def detail(number: str) -> ResponseReturnValue:
    """The project's page, or 404 when the account may not see it."""
    project = project_or_404(number)
    actor = current_actor()
    reviewable = project.status == ProjectStatus.submitted and may_review(db_session(), actor, project)
    return render_template("projects/detail.html", project=project, photos=stored_photos(project),
                           similar=similar_to(actor, project), reviewable=reviewable,
                           decision=DecisionForm(formdata=None))


@blueprint.get("/<number>/photos/<int:attachment_id>")
@roles_required(*STAFF_ROLES)
def photo(number: str, attachment_id: int) -> ResponseReturnValue:
    """One stored photo of a project the account may see (404 for anything else)."""
    project = project_or_404(number)
    media_dir = web_state().media_dir
    found = next((a for a in stored_photos(project) if a.id == attachment_id), None)
    if found is None or found.stored_path is None or media_dir is None:
        abort(404)
    path = Path(found.stored_path).resolve()
    if not path.is_relative_to(media_dir.resolve()) or not path.is_file():
        abort(404)  # only files the photo job wrote under the media folder are ever served
    return send_file(path, mimetype=found.content_type or "application/octet-stream", max_age=3600)
