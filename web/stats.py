"""Statistics (数据统计, `/stats`): a round's figures for a unit's subtree, charts and tables, drill-down, Excel.

Staff and admins see the whole city and may open any unit; a coordinator sees their own unit and
what lies below it, and any other unit is 404. Every figure comes from `models.stats.round_stats`,
the one query layer the chat's statistics, the Excel file and the API count from.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue

from models.account_access import may_see_path
from models.account import AccountRole
from models.clock import utcnow
from models.errors import NotFound
from models.round import Round, round_for
from models.rounds import list_rounds
from models.stats import RoundStats, round_stats
from models.unit_import import template_workbook
from models.unit_tree import unit_tree
from web.access import OFFICE, current_account, roles_required
from web.state import db_session
from web.stats_export import XLSX, export_name, stats_workbook

blueprint = Blueprint("stats", __name__)
READERS = (*OFFICE, AccountRole.coordinator)


def _round() -> Round | None:
    """The round asked for (404 if unknown), else the running one, else the newest."""
    session = db_session()
    wanted = request.args.get("round", type=int)
    if wanted is not None:
        round_ = session.get(Round, wanted)
        if round_ is None:
            abort(404)
        return round_
    running = round_for(session, utcnow())
    return running or next(iter(list_rounds(session)), None)


def _unit_id() -> int:
    """The unit asked for, else the account's own (a coordinator's) or the top of the tree (staff)."""
    wanted = request.args.get("unit", type=int)
    if wanted is not None:
        return wanted
    account = current_account()
    if account.unit_id is not None:
        return account.unit_id
    tops = unit_tree(db_session()).kids(None)
    if not tops:
        abort(404)
    return tops[0]


def _visible_stats(round_: Round) -> RoundStats:
    """The figures of the unit asked for, if the account may see it; 404 otherwise (also when it exists)."""
    try:
        stats = round_stats(db_session(), round_.id, _unit_id())
    except NotFound:
        abort(404)
    if not may_see_path(current_account(), [p.unit_id for p in stats.path]):
        abort(404)
    return stats


def _breadcrumb(stats: RoundStats) -> list[Any]:
    """The path from the top to the unit, starting at the account's own unit for a coordinator."""
    own = current_account().unit_id
    ids = [p.unit_id for p in stats.path]
    start = ids.index(own) if own is not None and own in ids and not current_account().has_role(*OFFICE) else 0
    return stats.path[start:]


def chart_data(stats: RoundStats, round_id: int) -> dict[str, Any]:
    """What the charts draw, the same figures as the tables (names and keys, no Chinese of its own)."""
    return {
        "units": [{"name": p.name, "target": p.target, "submitted": p.submitted, "approved": p.approved,
                   "url": url_for("stats.index", round=round_id, unit=p.unit_id)} for p in stats.children],
        "systems": [{"key": s.key, "projects": s.projects} for s in stats.by_system],
        "categories": [{"key": s.key, "projects": s.projects} for s in stats.by_category],
        "weeks": [{"start": w.start.isoformat(), "submitted": w.submitted, "approved": w.approved,
                   "cumulative": w.cumulative} for w in stats.weeks],
        "funnel": [stats.funnel.submitted, stats.funnel.unit_approved, stats.funnel.reviewed, stats.funnel.awarded],
    }


@blueprint.get("/stats")
@roles_required(*READERS)
def index() -> ResponseReturnValue:
    """The statistics page of one unit's subtree in one round."""
    round_ = _round()
    if round_ is None:
        return render_template("stats/index.html", round=None, rounds=[])
    stats = _visible_stats(round_)
    return render_template("stats/index.html", round=round_, rounds=list_rounds(db_session()), stats=stats,
                           breadcrumb=_breadcrumb(stats), charts=chart_data(stats, round_.id),
                           office=current_account().has_role(*OFFICE))


@blueprint.get("/stats/export.xlsx")
@roles_required(*READERS)
def export() -> ResponseReturnValue:
    """The page's figures and every submitted project of the subtree as an Excel workbook."""
    round_ = _round()
    if round_ is None:
        abort(404)
    stats = _visible_stats(round_)
    data = stats_workbook(db_session(), round_, stats)
    return send_file(data, mimetype=XLSX, as_attachment=True, download_name=export_name(round_, stats))


@blueprint.get("/stats/units-template.xlsx")
@roles_required(*OFFICE)
def units_template() -> ResponseReturnValue:
    """The sheet `python -m bot import-units` reads, with its headers and example rows."""
    return send_file(template_workbook(), mimetype=XLSX, as_attachment=True, download_name="units-template.xlsx")
