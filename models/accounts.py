"""Operations on web accounts: create, set a password, log in, deactivate, link to a WeChat follower.

Each change is written to the audit log with who made it; none of them commits.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from models.access import web_actor
from models.account import Account, AccountRole
from models.audit import Actor, record
from models.errors import InvalidField, NotFound, Problem
from models.login_throttle import LoginThrottle
from models.project import System
from models.unit import Unit
from models.worker import Worker
from models.unit import units_under

log = logging.getLogger(__name__)

USERNAME = re.compile(r"^[\w.@-]{2,50}$")
MIN_PASSWORD, MAX_PASSWORD = 8, 200
#: werkzeug's scrypt at its default cost: about 0.1 s and 32 MiB per hash here, slow enough to guess with.
PASSWORD_METHOD = "scrypt:32768:8:1"
#: Checked when the username is unknown, so a wrong username takes as long as a wrong password.
_NOBODY_HASH = ("scrypt:32768:8:1$QENPE8kfqEZLGEg7$398c86c5cddd2bb29ac65b26c898694f4cd1a54c47a105fb6ddb8434"
                "5dfff5099190b1a84a3ddb83e9a271c2a7cbe86a475d7b2dd91cfb73e73fc270f1c6cd08")


def normalize_username(text: str) -> str:
    """The username as stored: trimmed and lower-case, so "Wang" and "wang " are one account."""
    return text.strip().lower()


def actor_of(account: Account) -> Actor:
    """The audit log's actor for something done on the web by this account (as models/access.py names it)."""
    return web_actor(account).audit


def snapshot(account: Account) -> dict[str, Any]:
    """What the audit log keeps of an account before and after a change (never the password hash)."""
    unit, worker = account.unit, account.worker
    return {"username": account.username, "name": account.name, "role": account.role, "active": account.active,
            "unit_id": account.unit_id, "unit": unit.full_name() or unit.name if unit else None,
            "systems": list(account.systems or []), "worker_id": account.worker_id,
            "worker": (worker.name or worker.openid) if worker else None}


def find_account(session: Session, username: str) -> Account | None:
    """The account with this username (any case), or None."""
    return session.scalars(select(Account).where(Account.username == normalize_username(username))).first()


def list_accounts(session: Session) -> list[Account]:
    """Every account, by role and then username."""
    return list(session.scalars(select(Account).order_by(Account.role, Account.username)))


def _check_password_rules(password: str) -> None:
    """Raise InvalidField unless the password is long enough (and not absurdly long)."""
    if len(password) < MIN_PASSWORD:
        raise InvalidField("password", Problem.too_short)
    if len(password) > MAX_PASSWORD:
        raise InvalidField("password", Problem.too_long)


def _check_scope(session: Session, role: AccountRole, unit_id: int | None, systems: list[str]) -> None:
    """Raise InvalidField unless the unit and the systems fit the role."""
    if unit_id is not None and session.get(Unit, unit_id) is None:
        raise InvalidField("unit", Problem.unknown)
    if any(s not in System.__members__ for s in systems):
        raise InvalidField("systems", Problem.unknown)
    if role == AccountRole.coordinator and unit_id is None:
        raise InvalidField("unit", Problem.empty)
    if role == AccountRole.reviewer and not systems:
        raise InvalidField("systems", Problem.empty)
    if role in (AccountRole.admin, AccountRole.staff) and unit_id is not None:
        raise InvalidField("unit", Problem.not_for_role)
    if role != AccountRole.reviewer and systems:
        raise InvalidField("systems", Problem.not_for_role)


def create_account(session: Session, actor: Actor, *, username: str, password: str, role: str, now: datetime,
                   name: str | None = None, unit_id: int | None = None, systems: Iterable[str] = ()) -> Account:
    """Create an account (a coordinator needs a unit, a reviewer at least one system) and log who did it."""
    username = normalize_username(username)
    if not USERNAME.match(username):
        raise InvalidField("username", Problem.invalid)
    if find_account(session, username) is not None:
        raise InvalidField("username", Problem.taken)
    if role not in AccountRole.__members__:
        raise InvalidField("role", Problem.unknown)
    chosen = sorted(set(systems))
    _check_scope(session, AccountRole(role), unit_id, chosen)
    _check_password_rules(password)
    account = Account(username=username, name=(name or "").strip()[:50] or username, role=role,
                      password_hash=generate_password_hash(password, method=PASSWORD_METHOD), unit_id=unit_id,
                      systems=chosen,
                      active=True, session_version=1, created_at=now)
    session.add(account)
    session.flush()
    record(session, actor, "account.create", "account", username, at=now, after=snapshot(account))
    return account


def set_password(session: Session, actor: Actor, account: Account, password: str, now: datetime) -> None:
    """Give the account a new password and end its other sessions."""
    _check_password_rules(password)
    account.password_hash = generate_password_hash(password, method=PASSWORD_METHOD)
    account.session_version += 1
    session.flush()
    record(session, actor, "account.password", "account", account.username, at=now)


def check_password(account: Account | None, password: str) -> bool:
    """Whether the password is the account's (as slow for an unknown account as for a known one)."""
    if account is None:
        check_password_hash(_NOBODY_HASH, password)
        return False
    return check_password_hash(account.password_hash, password)


def set_active(session: Session, actor: Actor, account: Account, active: bool, now: datetime) -> None:
    """Deactivate an account (ending its sessions) or reactivate it; nobody deactivates their own."""
    if account.active == active:
        return
    if not active and actor.account_id == account.id:
        raise InvalidField("account", Problem.not_yourself)
    before = snapshot(account)
    account.active = active
    account.session_version += 1
    session.flush()
    record(session, actor, "account.activate" if active else "account.deactivate", "account", account.username,
           at=now, before=before, after=snapshot(account))


def link_worker(session: Session, actor: Actor, account: Account, worker: Worker | None, now: datetime) -> None:
    """Link the account to the person's WeChat follower (None unlinks it); a follower has one account."""
    if worker is not None:
        other = session.scalars(select(Account).where(Account.worker_id == worker.id, Account.id != account.id)).first()
        if other is not None:
            raise InvalidField("worker", Problem.taken)
    if account.worker_id == (worker.id if worker else None):
        return
    before = snapshot(account)
    account.worker = worker  # the relationship, not only the id: the snapshot after and the actor see the follower
    session.flush()
    record(session, actor, "account.link", "account", account.username, at=now, before=before,
           after=snapshot(account))


def linkable_followers(session: Session, account: Account) -> list[Worker]:
    """Followers the account could be linked to: named ones in its unit's subtree (anyone's without a unit)."""
    query = select(Worker).where(Worker.name.is_not(None)).order_by(Worker.name, Worker.id)
    if account.unit_id is not None:
        query = query.where(Worker.unit_id.in_(units_under(session, account.unit_id)))
    return list(session.scalars(query))


def follower_by_openid(session: Session, openid: str) -> Worker | None:
    """The WeChat follower with this openid, or None."""
    return session.scalars(select(Worker).where(Worker.openid == openid.strip())).first()


def account_by_id(session: Session, account_id: int) -> Account:
    """The account with this id; NotFound otherwise."""
    account = session.get(Account, account_id)
    if account is None:
        raise NotFound(f"account {account_id}")
    return account


def signed_in_account(session: Session, reference: str) -> Account | None:
    """The account a session names by `Account.get_id()`, unless deactivated or its sessions were ended since."""
    account_id, _, version = reference.partition(":")
    if not account_id.isdigit() or not version.isdigit():
        return None
    account = session.get(Account, int(account_id))
    if account is None or not account.active or account.session_version != int(version):
        return None
    return account


class LoginResult(StrEnum):
    """How a try to log in ended."""

    ok = "ok"
    wrong = "wrong"  # unknown username or wrong password
    locked = "locked"  # refused without checking: too many wrong passwords lately
    inactive = "inactive"  # right password, but the account was deactivated


@dataclass(frozen=True)
class LoginOutcome:
    """The result of a login, the account when it succeeded, and until when the username is locked."""

    result: LoginResult
    account: Account | None = None
    locked_until: datetime | None = None


def log_in(session: Session, throttle: LoginThrottle, username: str, password: str, now: datetime) -> LoginOutcome:
    """Check a username and password under the wrong-password limit; the caller commits either way."""
    key = normalize_username(username)[:100]
    until = throttle.locked_until(key, now)
    if until is not None:
        return LoginOutcome(LoginResult.locked, locked_until=until)
    account = find_account(session, key)
    if not check_password(account, password):
        until = throttle.record_failure(key, now)
        if until is not None:
            log.warning("login locked for %r until %s after repeated wrong passwords", key, until.isoformat())
        return LoginOutcome(LoginResult.wrong, locked_until=until)
    throttle.clear(key)
    assert account is not None
    if not account.active:
        return LoginOutcome(LoginResult.inactive)
    account.last_login_at = now
    session.flush()
    return LoginOutcome(LoginResult.ok, account=account)
