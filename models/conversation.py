"""Conversation state per worker: where the dialog stands and what was said so far."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class Conversation(Base):
    """The dialog state of one worker: a named state and its collected slots."""

    __tablename__ = "conversation"

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("worker.id"), unique=True)
    state: Mapped[str] = mapped_column(String(40), default="idle")
    slots: Mapped[dict[str, Any]] = mapped_column(default=dict)
    turns: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    #: Moved on by every message that writes the dialog: a message read without a lock commits
    #: only if the version is still the one it read (models.people.write_dialog).
    version: Mapped[int] = mapped_column(default=0, server_default="0")
