"""The audit log page (`/audit`): staff and admins filter who changed what; nothing here changes it."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from wtforms import DateField, SelectChoice, SelectField, StringField
from wtforms.validators import Length, Optional

from models.audit import PAGE_SIZE, AuditFilter, audit_actions, audit_entries
from models.clock import SHANGHAI
from web.access import OFFICE, roles_required
from web.state import db_session

blueprint = Blueprint("audit", __name__)


class AuditFilterForm(FlaskForm):
    """The filter, sent as query parameters (a GET that changes nothing needs no CSRF token)."""

    class Meta:
        """Read from the query string; no CSRF token."""

        csrf = False

    actor = StringField(validators=[Optional(), Length(max=50, message="too_long")])
    action = SelectField(choices=[SelectChoice("")], validate_choice=False)
    subject = StringField(validators=[Optional(), Length(max=50, message="too_long")])
    since = DateField(validators=[Optional()])
    until = DateField(validators=[Optional()])


def _start_of(day: date | None, offset_days: int = 0) -> datetime | None:
    """Midnight in Shanghai at the start of `day` (plus some days), or None."""
    if day is None:
        return None
    return datetime.combine(day + timedelta(days=offset_days), time(), SHANGHAI)


@blueprint.get("/audit")
@roles_required(*OFFICE)
def index() -> ResponseReturnValue:
    """List the newest entries that match the filter, PAGE_SIZE at a time."""
    session = db_session()
    form = AuditFilterForm(request.args, meta={"csrf": False})
    actions = audit_actions(session)
    form.action.choices = [SelectChoice(""), *(SelectChoice(a) for a in actions)]
    valid = form.validate()
    wanted = AuditFilter(actor=(form.actor.data or "").strip() or None, action=form.action.data or None,
                         subject=(form.subject.data or "").strip() or None,
                         since=_start_of(form.since.data), until=_start_of(form.until.data, 1)) \
        if valid else AuditFilter()
    before = request.args.get("before", type=int)
    entries = audit_entries(session, wanted, before_id=before)
    older = entries[-1].id if len(entries) == PAGE_SIZE else None
    args = {k: v for k, v in request.args.items() if k != "before" and v}
    return render_template("audit/index.html", form=form, entries=entries, older=older, args=args,
                           filtered=any(args.values()), valid=valid), 200 if valid else 400
