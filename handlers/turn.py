"""One turn of the dialog: the message, who sent it, their dialog state and memory, and the replies collected."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

import nlp.answers
from handlers.intents import Intent
from handlers.memory import Memory
from handlers.messages import Incoming
from models.access import Actor, chat_actor, coordinator_unit_id
from models.people import Dialog
from models.worker import Worker

if TYPE_CHECKING:
    from models.similar import SimilarProjects
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
    ask_members = "ask_members"
    confirm_submission = "confirm_submission"
    edit_field = "edit_field"
    confirm_duplicate = "confirm_duplicate"
    confirm_cancel = "confirm_cancel"
    confirm_unbind = "confirm_unbind"
    ask_return_reason = "ask_return_reason"

    @classmethod
    def of(cls, name: str | None) -> State:
        """The state named `name`; an unknown or missing one is idle."""
        try:
            return cls(name or cls.idle)
        except ValueError:
            return cls.idle


#: States in which a submission form is open.
FORM_STATES = frozenset({State.ask_title, State.ask_description, State.ask_category, State.ask_system,
                         State.ask_benefit, State.ask_members, State.confirm_submission, State.edit_field,
                         State.confirm_duplicate})


@dataclass
class Turn:
    """Everything a step needs, and the lines it wants to say back."""

    session: Session
    dialog: Dialog
    incoming: Incoming
    now: datetime
    text: str
    intent: Intent
    slots_in: dict[str, str]
    raw: str = ""
    lines: list[str] = field(default_factory=list)
    similar: SimilarProjects | None = None
    unit_names: UnitNames | None = None
    mem: Memory = field(default_factory=Memory)
    _worker: Worker | None = field(default=None, repr=False)
    _actor: Actor | None = field(default=None, repr=False)

    @property
    def worker(self) -> Worker:
        """The worker who wrote, loaded from the database the first time a step asks for them."""
        if self._worker is None:
            self._worker = self.session.get_one(Worker, self.dialog.worker_id)
        return self._worker

    @property
    def actor(self) -> Actor:
        """The worker as the one who acts (models/access.py), with the web account linked to them, if any."""
        if self._actor is None:
            self._actor = chat_actor(self.session, self.worker)
        return self._actor

    @property
    def unit_in_charge(self) -> int | None:
        """The unit whose numbers and waiting projects the chat shows them: their account's, else their own."""
        return coordinator_unit_id(self.actor) or self.worker.unit_id

    @property
    def state(self) -> State:
        """The state the dialog was in when this message arrived."""
        return State.of(self.dialog.state)

    def say(self, *lines: str) -> None:
        """Add lines to the reply."""
        self.lines.extend(line for line in lines if line)

    def firm_yes(self) -> bool:
        """A yes that may throw something away: a bare hum reads as yes but is as often hesitation or noise."""
        return self.intent == Intent.confirm and any(ch.isalnum() and not nlp.answers.is_hum(ch) for ch in self.text)
