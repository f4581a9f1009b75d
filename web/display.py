"""The public showcase (网上展示) at /display: awarded projects with photos, for everyone, on a phone.

No sign-in. The pages get `PublicProject` values from `models.showcase` only, which hold no
openid, phone, reviewer or score, so nothing private can reach them.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue

from handlers import texts
from models import showcase
from models.base import utcnow
from models.showcase import DisplayQuery
from web.city_review import review_config
from web.state import db_session

blueprint = Blueprint("display", __name__, url_prefix="/display")
#: Longest search text kept (longer input is cut, not refused).
MAX_WORDS_LENGTH = 50


@blueprint.app_context_processor
def award_level_names() -> dict[str, Any]:
    """Every page may name an award level by its key, in the words of the review configuration."""
    return {"level_names": {level.key: level.name for level in review_config().awards.levels}}


def _int_arg(name: str) -> int | None:
    """A whole-number query argument, or None when missing or not a number (a bad link shows everything)."""
    value = request.args.get(name, "").strip()
    return int(value) if value.isdigit() and len(value) < 10 else None


def display_query() -> DisplayQuery:
    """The visitor's search from the query string; unknown values are ignored, not errors."""
    system = request.args.get("system", "")
    return DisplayQuery(year=_int_arg("year"), system=system if system in texts.SYSTEM_NAMES else None,
                        unit_id=_int_arg("unit"), words=request.args.get("q", "")[:MAX_WORDS_LENGTH].strip())


@blueprint.get("")
def index() -> ResponseReturnValue:
    """Search the awarded projects by year, system, unit and words; newest first, a page at a time."""
    session = db_session()
    wanted = display_query()
    now = utcnow()
    projects = showcase.search_public(session, wanted, now, before_id=_int_arg("before"), limit=showcase.PAGE_SIZE + 1)
    more = len(projects) > showcase.PAGE_SIZE
    projects = projects[:showcase.PAGE_SIZE]
    next_url = None
    if more:
        args: dict[str, Any] = {key: value for key, value in request.args.items() if key != "before"}
        next_url = url_for("display.index", **args, before=projects[-1].id)
    return render_template("display/index.html", projects=projects, wanted=wanted, next_url=next_url,
                           total=showcase.count_public(session, wanted, now), years=showcase.public_years(session, now),
                           units=showcase.searchable_units(session), notices=showcase.notice_list(session, now))


@blueprint.get("/<int:project_id>")
def project(project_id: int) -> ResponseReturnValue:
    """One public project's page with its photos; 404 for anything not public."""
    found = showcase.public_project(db_session(), project_id, utcnow())
    if found is None:
        abort(404)
    return render_template("display/project.html", project=found)


@blueprint.get("/photos/<int:attachment_id>")
def photo(attachment_id: int) -> ResponseReturnValue:
    """A stored photo of a public project (cached a day: it never changes)."""
    attachment = showcase.public_photo(db_session(), attachment_id, utcnow())
    if attachment is None or attachment.stored_path is None:
        abort(404)
    return send_file(attachment.stored_path, mimetype=attachment.content_type or "application/octet-stream",
                     max_age=86400)


@blueprint.get("/notices")
def notices() -> ResponseReturnValue:
    """The 公示 list: projects proposed for awards, until when, and how to object."""
    return render_template("display/notices.html", notices=showcase.notice_list(db_session(), utcnow()))
