"""The words of every notice: the one composer that turns a queued notice (kind and fields) into text.

The outbox holds notices as data (models/notices.py); the sender calls `compose` right before
sending, so a status change reads the same whoever queued it, and a reminder's numbers are the
ones counted when it was planned. Rows queued with their text already (older rows, plain texts)
pass through unchanged.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from handlers import texts
from handlers.draft_view import short_number

#: Pending projects listed in one message; the rest are on the web page.
MAX_LISTED = 10
#: Template name by rule family (the part of the rule name before "_").
TEMPLATES = {"submission": "deadline_reminder", "review": "review_reminder", "digest": "digest",
             "draft": "draft_reminder", "status": "status_change", "scoring": "scoring_reminder"}


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
    """The worker's notice of a status change of their project, with the reason when there is one."""
    number = data.get("number") or texts.NO_NUMBER
    template = texts.STATUS_NOTICE.get(str(data["status"]), texts.STATUS_NOTICE_OTHER)
    lines = [template.format(title=data.get("title") or texts.UNTITLED, number=number, short=short_number(number),
                             reason=data.get("reason") or texts.NO_REASON,
                             status=texts.STATUS_WORDS.get(str(data["status"]), str(data["status"])))]
    if data.get("prize"):
        lines.append(texts.AWARD_PRIZE.format(prize=data["prize"]))
    if data.get("certificate"):
        lines.append(texts.AWARD_CERTIFICATE.format(url=data["certificate"]))
    return "\n".join(lines)


def scoring_text(data: dict[str, Any]) -> str:
    """The reviewer's reminder of projects still to score before the city-review deadline."""
    return texts.SCORING_REMINDER.format(**data)


COMPOSERS: dict[str, Callable[[dict[str, Any]], str]] = {
    "submission": submission_text, "review": review_text, "digest": digest_text, "draft": draft_text,
    "status": status_text, "scoring": scoring_text}


def text_of(kind: str, fields: dict[str, Any]) -> str:
    """The text of one notice."""
    return COMPOSERS[kind](fields)


def compose(payload: Mapping[str, Any]) -> dict[str, Any]:
    """An outbox payload ready to send: template name and fields, and the text (for customer-service messages)."""
    if "notice" not in payload:
        return dict(payload)
    kind, data = str(payload["notice"]), dict(payload.get("fields") or {})
    text = text_of(kind, data)
    template = TEMPLATES[kind]
    fields = {"title": texts.TEMPLATE_TITLES[template], "detail": text, "round": data.get("round_name", ""),
              "deadline": data.get("deadline", ""),
              "project": " ".join(str(v) for v in (data.get("number"), data.get("title")) if v),
              "status": texts.STATUS_WORDS.get(str(data.get("status", "")), "")}
    return {"template": template, "data": fields, "text": text}
