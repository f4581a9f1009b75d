"""Access on the pages: who is signed in, which roles a page is for, and 404 for what is not theirs.

The rules themselves live in `models.access`, the chat's too; this module only turns them into HTTP: the
anonymous visitor is sent to the login page, everyone else who may not see a thing gets 404,
as if it did not exist.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import abort
from flask_login import current_user, login_required

from models import access
from models.account import Account, AccountRole
from models.errors import NotFound
from models.project import Project
from models.unit import Unit
from web.state import db_session

P = ParamSpec("P")
R = TypeVar("R")

#: Roles of the union office, who see the whole city.
OFFICE = (AccountRole.admin, AccountRole.staff)


def current_account() -> Account:
    """The signed-in account (call only on pages behind `login_required` or `roles_required`)."""
    account = current_user._get_current_object()  # the real object, not Flask-Login's proxy
    if not isinstance(account, Account):
        abort(404)
    return account


def current_actor() -> access.Actor:
    """The signed-in account as the one who acts (with its linked WeChat follower, if any)."""
    return access.web_actor(current_account())


def roles_required(*roles: AccountRole) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Make a page require a signed-in account with one of `roles`; any other account gets 404."""

    def decorate(view: Callable[P, R]) -> Callable[P, R]:
        """Wrap the view."""

        @wraps(view)
        def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
            """Refuse other roles as if the page did not exist."""
            if not current_account().has_role(*roles):
                abort(404)
            return view(*args, **kwargs)

        return login_required(guarded)

    return decorate


def project_or_404(number: str) -> Project:
    """The project with this number if the signed-in account may see it, else 404."""
    try:
        return access.visible_project(db_session(), current_actor(), number)
    except NotFound:
        abort(404)


def unit_or_404(unit_id: int) -> Unit:
    """The unit with this id if the signed-in account may see it, else 404."""
    try:
        return access.visible_unit(db_session(), current_actor(), unit_id)
    except NotFound:
        abort(404)
