"""What a worker's dialog remembers between messages, as typed fields saved to the conversation's JSON slots.

Reading is tolerant: a row saved by an older version (a key no longer known, a value of another
type) loses only that value, never the dialog. Writing leaves out what is empty, so an unchanged
dialog writes nothing.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any, get_type_hints

log = logging.getLogger(__name__)


@dataclass
class Memory:
    """The dialog's memory: the form being filled, the question asked, the binding under way."""

    # the form
    draft_id: int | None = None
    answered: list[str] = field(default_factory=list)  # fields the worker gave (benefit counts even "说不清")
    asked: list[str] = field(default_factory=list)  # fields asked, in order: "上一步" walks back through them
    category_suggestion: str | None = None
    system_auto: bool = False  # the system was the classifier's: a changed text may refile it
    system_options: list[str] | None = None
    after_photos: bool = False  # photos came since the last text: a bare "好了" means "sent", not "yes"
    editing: str | None = None  # the field picked from the summary
    similar_warned: bool = False
    draft_mentioned: str | None = None  # "id:updated_at" of the draft last mentioned while idle
    # a yes/no question that interrupted another state, and that state
    cancel_from: str | None = None
    unbind_from: str | None = None
    # binding
    after_bind: str | None = None  # the flow to go on with once bound ("submit")
    pending_text: str | None = None  # a description sent before binding
    unit_options: list[int] | None = None
    pending_name: str | None = None
    bind_unit: int | None = None
    bind_role: str | None = None
    # reviewing
    returning: int | None = None  # the project a return reason is asked for

    @classmethod
    def from_slots(cls, slots: dict[str, Any] | None) -> Memory:
        """Read the memory from saved slots, dropping keys and values this version does not know."""
        memory = cls()
        for name, value in (slots or {}).items():
            check = _CHECKS.get(name)
            if check is None or value is None:
                continue
            if check(value):
                setattr(memory, name, value)
            else:
                log.info("dialog memory: dropping %s=%r saved by another version", name, value)
        return memory

    def to_slots(self) -> dict[str, Any]:
        """The memory as JSON-ready slots, without empty values (lists copied, so the slots own theirs)."""
        slots: dict[str, Any] = {}
        for name in _CHECKS:
            value = getattr(self, name)
            if value not in (None, False, [], ""):
                slots[name] = list(value) if isinstance(value, list) else value
        return slots

    def forget_form(self) -> None:
        """Forget everything about the form (after submitting, cancelling or closing it)."""
        for name in ("draft_id", "category_suggestion", "system_options", "editing", "cancel_from"):
            setattr(self, name, None)
        self.answered, self.asked = [], []
        self.system_auto = self.after_photos = self.similar_warned = False


def _check(hint: Any) -> Callable[[Any], bool]:
    """How to tell a saved value of a field's type (ints, strings, booleans, lists of them)."""
    text = str(hint)
    if "list[int]" in text:
        return lambda value: isinstance(value, list) and all(isinstance(v, int) for v in value)
    if "list[str]" in text:
        return lambda value: isinstance(value, list) and all(isinstance(v, str) for v in value)
    if hint is bool:
        return lambda value: isinstance(value, bool)
    if "int" in text:
        return lambda value: isinstance(value, int) and not isinstance(value, bool)
    return lambda value: isinstance(value, str)


#: Each field's check of a saved value, worked out once from the annotations.
_CHECKS: dict[str, Callable[[Any], bool]] = {
    item.name: _check(get_type_hints(Memory)[item.name]) for item in fields(Memory)}
