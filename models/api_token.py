"""Tokens of the JSON API (/api/): who may read which subtree, kept only as a hash.

A token is scoped to a unit's subtree, or to the whole city when it has no unit; either way it
only reads. The secret is shown once, when made (`python -m bot api-token create`); the table
keeps its SHA-256, which is enough for 256 random bits (no password to guess slowly). Making and
revoking a token go through the audit log.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from models.audit import Actor, record
from models.base import Base, utcnow
from models.errors import InvalidField, NotFound, Problem
from models.unit import Unit, units_under

#: Every token starts with this, so a leaked one is easy to recognise in logs and code searches.
PREFIX = "wx5api_"
#: `last_used_at` is written at most this often (a read-only API should not write on each call).
USE_RESOLUTION = timedelta(hours=1)
MAX_NAME = 100


class ApiToken(Base):
    """One API client: a name, the hash of its secret, the subtree it reads, when made and revoked."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(MAX_NAME), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    unit: Mapped[Unit | None] = relationship()


def hash_secret(secret: str) -> str:
    """The stored form of a token's secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(session: Session, actor: Actor, name: str, unit_id: int | None, now: datetime) -> tuple[ApiToken, str]:
    """Make a token for `name` (the whole city when `unit_id` is None); return it and its secret, shown once."""
    name = name.strip()
    if not name:
        raise InvalidField("name", Problem.empty)
    if len(name) > MAX_NAME:
        raise InvalidField("name", Problem.too_long)
    if session.scalars(select(ApiToken).where(ApiToken.name == name)).first() is not None:
        raise InvalidField("name", Problem.taken)
    if unit_id is not None and session.get(Unit, unit_id) is None:
        raise NotFound(f"no unit with id {unit_id}")
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(name=name, token_hash=hash_secret(secret), unit_id=unit_id, created_at=now)
    session.add(token)
    session.flush()
    record(session, actor, "api_token.create", "api_token", name, at=now, after={"unit_id": unit_id})
    return token, secret


def revoke_token(session: Session, actor: Actor, name: str, now: datetime) -> ApiToken:
    """Revoke the token of that name at once; its secret stops working with the next call."""
    token = session.scalars(select(ApiToken).where(ApiToken.name == name)).first()
    if token is None:
        raise NotFound(f"no API token named {name}")
    if token.revoked_at is None:
        token.revoked_at = now
        record(session, actor, "api_token.revoke", "api_token", name, at=now)
    return token


def list_tokens(session: Session) -> list[ApiToken]:
    """Every token, newest first (secrets are not kept, so none is shown)."""
    return list(session.scalars(select(ApiToken).order_by(ApiToken.id.desc())))


def authenticate(session: Session, secret: str, now: datetime) -> ApiToken | None:
    """The live token with this secret, or None; notes when it was used (at most hourly)."""
    if not secret.startswith(PREFIX):
        return None
    wanted = hash_secret(secret)
    token = session.scalars(select(ApiToken).where(ApiToken.token_hash == wanted)).first()
    if token is None or token.revoked_at is not None or not hmac.compare_digest(token.token_hash, wanted):
        return None
    if token.last_used_at is None or now - token.last_used_at >= USE_RESOLUTION:
        token.last_used_at = now
    return token


def token_units(session: Session, token: ApiToken) -> list[int] | None:
    """The ids of the units a token may read (its subtree), or None for the whole city."""
    return None if token.unit_id is None else units_under(session, token.unit_id)
