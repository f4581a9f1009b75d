"""The JSON API's schemas (marshmallow): what clients may ask and what they get, and so the OpenAPI document.

flask-smorest generates `/api/openapi.json` from these; nothing of the document is written by
hand. Answers hold no openid, phone, reviewer or score: no schema here has such a field, and
marshmallow writes only the fields a schema declares.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from models.project import Category, ProjectStatus, System

#: Ids are PostgreSQL integers; a larger number is refused here instead of failing in the database.
ID = validate.Range(min=1, max=2**31 - 1)
EARLIEST, LATEST = datetime(2000, 1, 1, tzinfo=timezone.utc), datetime(2100, 1, 1, tzinfo=timezone.utc)


def _in_range(value: datetime) -> None:
    """Refuse times outside 2000-2100 (no project is older, and far values overflow time zones)."""
    if not EARLIEST <= value <= LATEST:
        raise ma.ValidationError("must be between 2000 and 2100")


class ProjectQuery(ma.Schema):
    """Filters of the project list and where to go on from."""

    round = fields.Integer(validate=ID, metadata={"description": "Only this round's projects."})
    unit = fields.Integer(validate=ID, metadata={"description": "Only this unit's subtree."})
    system = fields.String(validate=validate.OneOf([s.value for s in System]))
    category = fields.String(validate=validate.OneOf([c.value for c in Category]))
    status = fields.String(validate=validate.OneOf([s.value for s in ProjectStatus if s != ProjectStatus.draft]))
    updated_since = fields.AwareDateTime(default_timezone=timezone.utc, validate=_in_range,
                                         metadata={"description": "Changed at or after this time (ISO 8601; UTC if "
                                                                  "no offset)."})
    cursor = fields.String(validate=validate.Length(max=200),
                           metadata={"description": "`next_cursor` of the previous page."})
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class RoundQuery(ma.Schema):
    """Which round (default: the current one)."""

    round = fields.Integer(validate=ID, metadata={"description": "A round's id; default the current round."})


class StatisticsQuery(RoundQuery):
    """Which round and which unit's subtree (default: the token's unit, or the whole city)."""

    unit = fields.Integer(validate=ID)


def _benefit(project: Any) -> str | None:
    """The yearly benefit in yuan as a decimal string (no float rounding)."""
    value = project.annual_benefit_yuan
    return None if value is None else f"{value:.2f}"


class ProjectSchema(ma.Schema):
    """One project as other systems see it."""

    id = fields.Integer(required=True)
    number = fields.String(required=True, allow_none=True)
    round_id = fields.Integer(required=True)
    year = fields.Function(lambda p: p.round.year, required=True, metadata={"type": "integer"})
    title = fields.String(required=True)
    description = fields.String(required=True)
    category = fields.String(required=True, allow_none=True)
    system = fields.String(required=True, allow_none=True)
    status = fields.String(required=True)
    unit_id = fields.Integer(required=True, allow_none=True)
    members = fields.List(fields.String(), required=True)
    annual_benefit_yuan = fields.Function(_benefit, required=True, allow_none=True,
                                          metadata={"type": "string", "format": "decimal", "nullable": True})
    submitted_at = fields.DateTime(required=True, allow_none=True)
    updated_at = fields.DateTime(required=True)


class ProjectPageSchema(ma.Schema):
    """A page of projects and the cursor of the next one (null on the last page)."""

    items = fields.List(fields.Nested(ProjectSchema), required=True)
    next_cursor = fields.String(required=True, allow_none=True)


class RoundSchema(ma.Schema):
    """A contest round and its deadlines."""

    id = fields.Integer(required=True)
    name = fields.String(required=True)
    year = fields.Integer(required=True)
    opens_at = fields.DateTime(required=True)
    submission_deadline = fields.DateTime(required=True)
    unit_review_deadline = fields.DateTime(required=True)
    city_review_deadline = fields.DateTime(required=True)


class ProgressSchema(ma.Schema):
    """A unit's figures in a round, its whole subtree counted."""

    unit_id = fields.Integer(required=True)
    name = fields.String(required=True)
    target = fields.Integer(required=True, allow_none=True)
    submitted = fields.Integer(required=True)
    approved = fields.Integer(required=True)
    pending = fields.Integer(required=True)


class UnitSchema(ma.Schema):
    """A unit of the tree with its target and progress in the round."""

    id = fields.Integer(required=True)
    parent_id = fields.Integer(required=True, allow_none=True)
    name = fields.String(required=True)
    full_name = fields.String(required=True)
    kind = fields.String(required=True)
    progress = fields.Nested(ProgressSchema, required=True)


class UnitListSchema(ma.Schema):
    """The units a token may read, in one round."""

    round_id = fields.Integer(required=True)
    items = fields.List(fields.Nested(UnitSchema), required=True)


class StatisticsSchema(ma.Schema):
    """A unit's figures and its direct children's, in one round."""

    round_id = fields.Integer(required=True)
    unit = fields.Nested(ProgressSchema, required=True)
    children = fields.List(fields.Nested(ProgressSchema), required=True)
