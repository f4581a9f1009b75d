"""One turn of the dialog: the message, who sent it, their dialog state, and the replies collected."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from handlers import texts
from handlers.messages import Incoming
from models.people import Dialog
from models.worker import Worker

if TYPE_CHECKING:
    from handlers.similar import SimilarProjects
    from models.membership import UnitNames


class State(StrEnum):
    """Where a worker's dialog stands: what the bot is waiting for."""

    idle = "idle"
    bind_code = "bind_code"
    bind_choose = "bind_choose"
    bind_name = "bind_name"
    ask_title = "ask_title"
    ask_description = "ask_description"
    ask_category = "ask_category"
    ask_system = "ask_system"
    ask_benefit = "ask_benefit"
    confirm_submission = "confirm_submission"
    edit_field = "edit_field"
    confirm_duplicate = "confirm_duplicate"
    confirm_cancel = "confirm_cancel"
    confirm_unbind = "confirm_unbind"
    ask_return_reason = "ask_return_reason"


#: States in which a submission form is open.
FORM_STATES = frozenset({State.ask_title, State.ask_description, State.ask_category, State.ask_system,
                         State.ask_benefit, State.confirm_submission, State.edit_field, State.confirm_duplicate})
#: Intents that answer a yes/no question (to cancel a draft, to unbind); any other intent is a new command, and
#: the router drops the question and handles the message as if it had not been asked.
YES_NO_ANSWERS = frozenset({"confirm", "deny", "cancel", "continue", "back", "choice", "greeting", "chitchat"})


@dataclass
class Turn:
    """Everything a step needs, and the lines it wants to say back."""

    session: Session
    dialog: Dialog
    incoming: Incoming
    now: datetime
    text: str
    intent: str
    slots_in: dict[str, str]
    raw: str = ""
    lines: list[str] = field(default_factory=list)
    similar: SimilarProjects | None = None
    unit_names: UnitNames | None = None
    _worker: Worker | None = field(default=None, repr=False)

    @property
    def worker(self) -> Worker:
        """The worker who wrote, loaded from the database the first time a step asks for them."""
        if self._worker is None:
            self._worker = self.session.get_one(Worker, self.dialog.worker_id)
        return self._worker

    @property
    def state(self) -> State:
        """The state the dialog was in when this message arrived."""
        try:
            return State(self.dialog.state)
        except ValueError:
            return State.idle

    def say(self, *lines: str) -> None:
        """Add lines to the reply."""
        self.lines.extend(line for line in lines if line)

    def firm_yes(self) -> bool:
        """A yes that may throw something away: a bare hum reads as yes but is as often hesitation or noise."""
        return self.intent == "confirm" and any(ch.isalnum() and ch not in texts.HUMS for ch in self.text)

    def drop_question(self, slot: str) -> State:
        """Forget a yes/no question whose slot kept the state it interrupted; return that state."""
        back_to = State(self.memory(slot, State.idle))
        self.remember(**{slot: None})
        return back_to

    def memory(self, key: str, default: Any = None) -> Any:
        """Read a value the dialog remembered."""
        return (self.dialog.slots or {}).get(key, default)

    def remember(self, **values: Any) -> None:
        """Store values in the dialog (None forgets)."""
        slots = dict(self.dialog.slots or {})
        for key, value in values.items():
            if value is None:
                slots.pop(key, None)
            else:
                slots[key] = value
        self.dialog.slots = slots
