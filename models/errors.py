"""Errors raised by domain operations; the chat turns them into replies, a page into form errors."""
from __future__ import annotations

from enum import StrEnum


class DomainError(Exception):
    """Base of every error a domain operation raises on purpose."""


class NotFound(DomainError):
    """The thing asked for does not exist (or is not visible to the asker)."""


class NotAllowed(DomainError):
    """The asker may not do this (wrong role, wrong unit, wrong status)."""


class InvalidTransition(DomainError):
    """A project cannot move from its current status to the one asked for."""


class DeadlinePassed(DomainError):
    """The phase this action belongs to has closed."""


class Problem(StrEnum):
    """Why a value was refused, in words a form can map to its own message."""

    empty = "empty"
    too_short = "too_short"
    too_long = "too_long"
    only_digits = "only_digits"
    unknown = "unknown"
    not_a_name = "not_a_name"
    too_many = "too_many"
    taken = "taken"  # another one already has it (a username, a follower's account)
    invalid = "invalid"  # not made of the characters it may have
    not_for_role = "not_for_role"  # an account of this role has no such thing
    not_yourself = "not_yourself"  # an admin may not do this to their own account


class InvalidField(DomainError):
    """A value for one field was refused: which field, and why."""

    def __init__(self, field: str, problem: Problem) -> None:
        """Name the field (e.g. "title", "username") and the problem (e.g. Problem.too_long)."""
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem
