"""One operation of a staff page tried: success committed and flashed, a refusal flashed in the view's words.

Each view says how its errors read: some errors with a message of their own (`flashes`, tried in order),
a NotFound that means a 404 where the thing asked for is the page's subject (`missing_is_404`), and
every other DomainError as the reason it names (`refused`).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from flask import abort, flash

from models.errors import DomainError, NotFound
from web.state import commit

T = TypeVar("T")
#: Refusals with words of their own in _labels.html (`refused.<name>`); any other reads as `refused.DomainError`.
REFUSALS = frozenset({"InvalidTransition", "NotAllowed", "NotFound"})
#: An error class and the flash label of an error of that class.
Flash = tuple[type[DomainError], Callable[[Any], str]]


def refused(error: DomainError) -> None:
    """Say on the next page why an operation was refused (the error's class names the reason)."""
    name = type(error).__name__
    flash(f"refused.{name if name in REFUSALS else 'DomainError'}", "danger")


def attempt(operation: Callable[[], T], done: str | Callable[[T], str], flashes: Sequence[Flash] = (),
            missing_is_404: bool = False) -> bool:
    """Run the operation; on success commit and flash `done` (or `done(result)`); say whether it succeeded.

    A DomainError commits nothing: the first of `flashes` whose class it is gives its label, else a
    NotFound aborts with 404 when `missing_is_404`, else `refused` says why.
    """
    try:
        result = operation()
    except DomainError as error:
        label = next((message(error) for kind, message in flashes if isinstance(error, kind)), None)
        if label is not None:
            flash(label, "danger")
        elif missing_is_404 and isinstance(error, NotFound):
            abort(404)
        else:
            refused(error)
        return False
    commit()
    flash(done if isinstance(done, str) else done(result), "success")
    return True
