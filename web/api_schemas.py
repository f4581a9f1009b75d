"""The JSON API's schemas (marshmallow): what clients may ask and what they get, and so the OpenAPI document.

flask-smorest generates `/api/openapi.json` from these; nothing of the document is written by
hand. Answers hold no openid, phone, reviewer or score: no schema here has such a field, and
marshmallow writes only the fields a schema declares; a phone or ID number a worker wrote into a
project's title or description is hidden (`models.contact_numbers`, as on the public pages).
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from models.contact_numbers import hide_contact_numbers
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
    title = fields.Function(lambda p: hide_contact_numbers(p.title), required=True, metadata={"type": "string"})
    description = fields.Function(lambda p: hide_contact_numbers(p.description), required=True,
                                  metadata={"type": "string", "description": "Phone and ID numbers hidden (***)."})
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


def yuan(attribute: str, nullable: bool = False) -> fields.Function:
    """A sum of money in yuan as a decimal string ("12000.00"), never a float."""
    def text(value: Any) -> str | None:
        amount = getattr(value, attribute)
        return None if amount is None else f"{amount:.2f}"
    return fields.Function(text, required=True, allow_none=nullable,
                           metadata={"type": "string", "format": "decimal", **({"nullable": True} if nullable else {})})


class ProgressSchema(ma.Schema):
    """A unit's figures in a round, its whole subtree counted."""

    unit_id = fields.Integer(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True)
    target = fields.Integer(required=True, allow_none=True)
    submitted = fields.Integer(required=True)
    approved = fields.Integer(required=True)
    pending = fields.Integer(required=True)
    reviewed = fields.Integer(required=True)
    awarded = fields.Integer(required=True)
    completion = fields.Float(required=True, allow_none=True,
                              metadata={"description": "submitted / target (1.0 = met); null without a target"})
    benefit_yuan = yuan("benefit_yuan")


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


class ParticipationSchema(ma.Schema):
    """Authors among the bound workers, and units with a project."""

    workers = fields.Integer(required=True)
    bound_workers = fields.Integer(required=True)
    worker_share = fields.Float(required=True, allow_none=True)
    units = fields.Integer(required=True)
    all_units = fields.Integer(required=True)


class FunnelSchema(ma.Schema):
    """Submitted → approved by the unit → sent to the city review → awarded."""

    submitted = fields.Integer(required=True)
    unit_approved = fields.Integer(required=True)
    reviewed = fields.Integer(required=True)
    awarded = fields.Integer(required=True)


class BenefitSchema(ma.Schema):
    """Yearly economic benefit of the submitted projects, and how much of it is an estimate (null: not known)."""

    total_yuan = yuan("total_yuan")
    projects_with_figure = fields.Integer(required=True)
    projects = fields.Integer(required=True)
    approximate_yuan = yuan("approximate_yuan", nullable=True)
    approximate_projects = fields.Integer(required=True, allow_none=True)


class ShareSchema(ma.Schema):
    """Projects and benefit for one system or category (key null: not set)."""

    key = fields.String(required=True, allow_none=True)
    projects = fields.Integer(required=True)
    benefit_yuan = yuan("benefit_yuan")


class WeekSchema(ma.Schema):
    """One week (Monday, Shanghai time): submitted, approved, and the running total."""

    start = fields.Date(required=True)
    submitted = fields.Integer(required=True)
    approved = fields.Integer(required=True)
    cumulative = fields.Integer(required=True)


class StatisticsSchema(ma.Schema):
    """Every figure of a unit's subtree in a round, from the same query layer as /stats and its Excel."""

    round_id = fields.Integer(required=True)
    unit = fields.Nested(ProgressSchema, required=True)
    children = fields.List(fields.Nested(ProgressSchema), required=True)
    participation = fields.Nested(ParticipationSchema, required=True)
    by_status = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    funnel = fields.Nested(FunnelSchema, required=True)
    benefit = fields.Nested(BenefitSchema, required=True)
    by_system = fields.List(fields.Nested(ShareSchema), required=True)
    by_category = fields.List(fields.Nested(ShareSchema), required=True)
    weeks = fields.List(fields.Nested(WeekSchema), required=True)
