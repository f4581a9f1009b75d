"""Errors raised by domain operations; handlers turn them into replies."""


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
