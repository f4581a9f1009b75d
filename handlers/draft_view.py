"""How a project reads on a phone: the summary, amounts, dates, and reading numbered answers."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import nlp
from handlers import texts
from models.clock import local
from models.project import Category, Project, System

#: The fields of the form in the order they are asked (members default to the worker).
FIELD_ORDER = ("title", "description", "category", "system", "benefit")
CATEGORY_ORDER = tuple(Category)
SYSTEM_ORDER = tuple(System)
SUMMARY_FIELDS = ("title", "description", "category", "system", "benefit", "members")
_DESCRIPTION_PREVIEW = 60


def local_date(moment: datetime) -> str:
    """A date like 2026年12月04日."""
    return local(moment).strftime(texts.DATE_LONG)


def short_date(moment: datetime) -> str:
    """A short date and time like 11月24日 14:05."""
    return local(moment).strftime(texts.DATE_SHORT)


def missing_fields(draft: Project, answered: set[str]) -> list[str]:
    """The fields still to ask, in order."""
    present = {
        "title": bool(draft.title), "description": bool(draft.description),
        "category": draft.category is not None, "system": draft.system is not None,
        "benefit": "benefit" in answered,
    }
    return [f for f in FIELD_ORDER if not present[f]]


def benefit_text(yuan: Decimal | None, approximate: bool = False) -> str:
    """A yearly amount for people: 3.2万元, 800元, 说不清."""
    if yuan is None:
        return texts.BENEFIT_NONE
    value = Decimal(yuan)
    if value >= 10000:
        shown = texts.BENEFIT_WAN.format(amount=_trim(value / 10000))
    else:
        shown = texts.BENEFIT_YUAN.format(amount=_trim(value))
    return texts.BENEFIT_APPROX.format(value=shown) if approximate else shown


def _trim(value: Decimal) -> str:
    """A number without trailing zeros (3.20 → 3.2, 5.00 → 5)."""
    text = f"{value.quantize(Decimal('0.01')):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def short_number(number: str | None) -> str:
    """The part of a project number people type: "0042" of "2026-0042"."""
    return (number or "").split("-")[-1]


def summary(draft: Project, approximate: bool) -> str:
    """The numbered summary shown before confirming."""
    description = draft.description or texts.SUMMARY_UNKNOWN
    if len(description) > _DESCRIPTION_PREVIEW:
        description = description[:_DESCRIPTION_PREVIEW] + "…"
    return texts.SUMMARY.format(
        title=draft.title or texts.SUMMARY_UNKNOWN, description=description,
        category=texts.CATEGORY_NAMES.get(draft.category or "", texts.SUMMARY_UNKNOWN),
        system=texts.SYSTEM_NAMES.get(draft.system or "", texts.SUMMARY_UNKNOWN),
        benefit=benefit_text(draft.annual_benefit_yuan, approximate),
        members=" ".join(draft.members or []) or texts.SUMMARY_UNKNOWN, photos=len(draft.attachments),
    )


def _numbered(slots: dict[str, str], count: int) -> int | None:
    """A numbered choice 1..count from the understood slots."""
    try:
        number = int(slots.get("number", ""))
    except ValueError:
        return None
    return number if 1 <= number <= count else None


def category_from(text: str, intent: str, slots: dict[str, str], suggestion: str | None) -> str | None:
    """The category an answer names: a number, a name, or "yes" to the suggestion."""
    if intent == "confirm" and suggestion:
        return suggestion
    number = _numbered(slots, len(CATEGORY_ORDER)) if intent in ("choice", "query") else None
    if number:
        return CATEGORY_ORDER[number - 1]
    compact = nlp.normalize(text).replace(" ", "")
    for code, name in texts.CATEGORY_NAMES.items():
        if name in compact or (len(compact) <= 4 and name[1:] in compact):
            return code
    return None


def system_from(text: str, slots: dict[str, str]) -> str | None:
    """The system an answer names: a number or a name."""
    number = _numbered(slots, len(SYSTEM_ORDER))
    if number:
        return SYSTEM_ORDER[number - 1]
    compact = nlp.normalize(text).replace(" ", "")
    return next((code for code, name in texts.SYSTEM_NAMES.items() if name in compact), None)


def benefit_words(text: str) -> bool:
    """Whether the answer says the benefit cannot be told ("说不清", "没有")."""
    compact = nlp.normalize(text).replace(" ", "")
    return any(word in compact for word in texts.BENEFIT_UNKNOWN_ANSWERS)
