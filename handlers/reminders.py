"""Reminder messages: turn due reminders (models/reminders.py) into outbox rows with their texts.

Reminders to coordinators and drafts wait for the end of quiet hours (21:00–08:00 Asia/Shanghai).
Status notices are queued for now: the sender holds them at night unless the worker is chatting.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers import texts
from models.outbox import OutboundMessage, enqueue
from models.reminders import Reminder, ReminderRules, due_reminders
from models.sending import quiet_until

#: Pending projects listed in one message; the rest are on the web page.
MAX_LISTED = 10
#: Template name by rule family (the part of the rule name before "_").
TEMPLATES = {"submission": "deadline_reminder", "review": "review_reminder", "digest": "digest",
             "draft": "draft_reminder", "status": "status_change"}


@dataclass(frozen=True)
class PlannedPush:
    """A reminder as it is (or would be) queued: key, recipient, text, and whether it is new."""

    key: str
    openid: str
    rule: str
    text: str
    not_before: datetime
    new: bool


def _target(value: int | None) -> str:
    """A target for people: the number, or "not set"."""
    return texts.NO_TARGET if value is None else str(value)


def submission_text(data: dict[str, Any]) -> str:
    """The coordinator's reminder before the submission deadline."""
    lines = [texts.SUBMISSION_REMINDER.format(**{**data, "target": _target(data["target"])})]
    if data["lagging"]:
        lines.append(texts.LAGGING_HEADER)
        lines += [texts.LAGGING_LINE.format(**{**kid, "target": _target(kid["target"])}) for kid in data["lagging"][:8]]
    lines.append(texts.SUBMISSION_CLOSING)
    return "\n".join(lines)


def review_text(data: dict[str, Any]) -> str:
    """The coordinator's reminder before the unit-review deadline, with the pending list."""
    pending = data["pending_list"]
    lines = [texts.REVIEW_REMINDER.format(**data, count=len(pending))]
    lines += [texts.REMINDER_PENDING_LINE.format(index=i, number=p["number"] or texts.NO_NUMBER, title=p["title"])
              for i, p in enumerate(pending[:MAX_LISTED], 1)]
    if len(pending) > MAX_LISTED:
        lines.append(texts.MORE_PENDING.format(count=len(pending) - MAX_LISTED))
    lines.append(texts.REVIEW_CLOSING)
    return "\n".join(lines)


def digest_text(data: dict[str, Any]) -> str:
    """The coordinator's daily digest of what changed."""
    parts = [texts.DIGEST_CHANGE[s].format(count=n) for s, n in data["changes"].items() if s in texts.DIGEST_CHANGE]
    other = sum(n for s, n in data["changes"].items() if s not in texts.DIGEST_CHANGE)
    parts += [texts.DIGEST_OTHER.format(count=other)] if other else []
    return texts.DIGEST.format(**{**data, "target": _target(data["target"]),
                                  "changes": texts.DIGEST_SEPARATOR.join(parts)})


def draft_text(data: dict[str, Any]) -> str:
    """The worker's reminder about an unfinished draft."""
    return texts.DRAFT_REMINDER.format(**{**data, "title": data["title"] or texts.UNTITLED})


def status_text(data: dict[str, Any]) -> str:
    """The worker's notice of a status change of their project."""
    return texts.STATUS_NOTICE[data["status"]].format(
        title=data["title"] or texts.UNTITLED, number=data["number"] or texts.NO_NUMBER,
        reason=data["reason"] or texts.NO_REASON)


COMPOSERS = {"submission": submission_text, "review": review_text, "digest": digest_text, "draft": draft_text,
             "status": status_text}


def compose(reminder: Reminder) -> dict[str, Any]:
    """Return the outbox payload of a reminder: template name and fields, and the text fallback."""
    family = reminder.rule.split("_")[0]
    text = COMPOSERS[family](reminder.data)
    template = TEMPLATES[family]
    fields = {"title": texts.TEMPLATE_TITLES[template], "detail": text,
              "round": reminder.data.get("round_name", ""), "deadline": reminder.data.get("deadline", "")}
    return {"template": template, "data": fields, "text": text}


def push_time(at: datetime) -> datetime:
    """When a push decided at `at` may go out: at once, or at 08:00 after quiet hours."""
    return quiet_until(at) or at


def remind(session: Session, at: datetime, rules: ReminderRules | None = None,
           dry_run: bool = False) -> list[PlannedPush]:
    """Evaluate the rules as of `at` and queue what is due (or, with dry_run, only say what would be)."""
    planned: list[PlannedPush] = []
    for reminder in due_reminders(session, at, rules):
        payload = compose(reminder)
        not_before = at if reminder.rule == "status" else push_time(at)
        if dry_run:
            exists = session.scalars(select(OutboundMessage.id).where(OutboundMessage.key == reminder.key)).first()
            new = exists is None
        else:
            new = enqueue(session, reminder.key, reminder.recipient, "notice", payload, not_before) is not None
        planned.append(PlannedPush(reminder.key, reminder.recipient, reminder.rule, payload["text"], not_before, new))
    return planned
