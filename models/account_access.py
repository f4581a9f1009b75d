"""Who may see what on the web: the one place every page asks.

Staff and admins see the whole city. A coordinator sees their unit and everything below it. A
reviewer sees only the projects assigned to them, and no unit pages. Whatever an account may not
see does not exist for it: the lookups raise NotFound, and the pages answer 404.
"""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, false, true
from sqlalchemy.orm import Session

from models.account import Account, AccountRole
from models.city_review import assigned_ids
from models.errors import NotFound
from models.project import Project
from models.unit import Unit
from models.unit import units_under
from models.workflow import find_any_round

#: Roles that see every unit and every project.
CITY_WIDE = frozenset({AccountRole.admin, AccountRole.staff})


def assigned_project_ids(session: Session, account: Account) -> frozenset[int]:
    """The projects assigned to a reviewer for the city review (`models.city_review`), in any round.

    Every rule below (and every page) follows from it; other roles are assigned nothing.
    """
    if account.role != AccountRole.reviewer:
        return frozenset()
    return assigned_ids(session, account.id)


def visible_unit_ids(session: Session, account: Account) -> frozenset[int] | None:
    """The units whose pages and projects the account may see; None means every unit."""
    if not account.active:
        return frozenset()
    if account.role in CITY_WIDE:
        return None
    if account.role == AccountRole.coordinator and account.unit_id is not None:
        return frozenset(units_under(session, account.unit_id))
    return frozenset()


def may_see_unit(session: Session, account: Account, unit_id: int) -> bool:
    """Whether the account may see this unit (and its figures)."""
    units = visible_unit_ids(session, account)
    return units is None or unit_id in units


def may_see_path(account: Account, path: Sequence[int]) -> bool:
    """Whether the account may see the unit whose ids from the top of the tree down to it are `path`.

    The same rule as `visible_unit_ids`, for a caller that already read the tree (the statistics):
    a coordinator sees a unit when their own unit lies on its path; no statement is needed.
    """
    if not account.active:
        return False
    if account.role in CITY_WIDE:
        return True
    return account.role == AccountRole.coordinator and account.unit_id is not None and account.unit_id in path


def may_see_project(session: Session, account: Account, project: Project) -> bool:
    """Whether the account may see this project: by unit for coordinators, by assignment for reviewers."""
    if not account.active:
        return False
    if account.role == AccountRole.reviewer:
        return project.id in assigned_project_ids(session, account)
    return project.unit_id is not None and may_see_unit(session, account, project.unit_id)


def project_scope(session: Session, account: Account) -> ColumnElement[bool]:
    """A condition on `Project` that keeps exactly the projects the account may see, for list queries."""
    if not account.active:
        return false()
    if account.role == AccountRole.reviewer:
        return Project.id.in_(assigned_project_ids(session, account))
    units = visible_unit_ids(session, account)
    return true() if units is None else Project.unit_id.in_(units)


def visible_project(session: Session, account: Account, number: str) -> Project:
    """The project with this number if the account may see it; NotFound otherwise (also when it exists)."""
    project = find_any_round(session, number)
    if project is None or project.number is None or not may_see_project(session, account, project):
        raise NotFound(number)
    return project


def visible_unit(session: Session, account: Account, unit_id: int) -> Unit:
    """The unit with this id if the account may see it; NotFound otherwise (also when it exists)."""
    unit = session.get(Unit, unit_id)
    if unit is None or not may_see_unit(session, account, unit.id):
        raise NotFound(str(unit_id))
    return unit
