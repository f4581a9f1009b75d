"""The intents the conversation acts on: the names nlp.understand gives a message, as one enum."""
from __future__ import annotations

from enum import StrEnum


class Intent(StrEnum):
    """What a message asks for (members whose value is a Python keyword are renamed, not their values)."""

    confirm = "confirm"
    deny = "deny"
    resume = "continue"
    back = "back"
    cancel = "cancel"
    help = "help"
    greeting = "greeting"
    chitchat = "chitchat"
    choice = "choice"
    bind = "bind"
    unbind = "unbind"
    submit = "submit"
    describe = "describe"
    edit = "edit"
    query = "query"
    withdraw = "withdraw"
    revise = "revise"
    pending = "pending"
    stats = "stats"
    approve = "approve"
    send_back = "return"

    @classmethod
    def of(cls, name: str) -> Intent:
        """The intent named `name`; one this version does not know reads as small talk."""
        try:
            return cls(name)
        except ValueError:
            return cls.chitchat


#: Intents that answer a yes/no question (to cancel a draft, to unbind); any other intent is a new command, and
#: the router drops the question and handles the message as if it had not been asked.
YES_NO_ANSWERS = frozenset({Intent.confirm, Intent.deny, Intent.cancel, Intent.resume, Intent.back, Intent.choice,
                            Intent.greeting, Intent.chitchat})
