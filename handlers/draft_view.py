"""How a project reads on a phone (amounts, dates, numbers) and how numbered answers are read."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import nlp
from handlers import texts
from handlers.intents import Intent
from models.clock import local
from models.project import Category, System

CATEGORY_ORDER = tuple(Category)
SYSTEM_ORDER = tuple(System)


def local_date(moment: datetime) -> str:
    """A date like 2026年12月04日."""
    return local(moment).strftime(texts.DATE_LONG)


def short_date(moment: datetime) -> str:
    """A short date and time like 11月24日 14:05."""
    return local(moment).strftime(texts.DATE_SHORT)


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


def _numbered(slots: dict[str, str], count: int) -> int | None:
    """A numbered choice 1..count from the understood slots."""
    try:
        number = int(slots.get("number", ""))
    except ValueError:
        return None
    return number if 1 <= number <= count else None


def category_from(text: str, intent: str, slots: dict[str, str], suggestion: str | None) -> str | None:
    """The category an answer names: a number, a name, or "yes" to the suggestion."""
    if intent == Intent.confirm and suggestion:
        return suggestion
    number = _numbered(slots, len(CATEGORY_ORDER)) if intent in (Intent.choice, Intent.query) else None
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
