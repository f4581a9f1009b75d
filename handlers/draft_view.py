"""How a project reads on a phone (amounts, dates, numbers) and how numbered answers are read."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import nlp
from handlers import texts
from handlers.intents import Intent
from models.clock import local
from models.project import BenefitKind, Category, Project, System

CATEGORY_ORDER = tuple(Category)
SYSTEM_ORDER = tuple(System)


def local_date(moment: datetime) -> str:
    """A date like 2026年12月04日."""
    return local(moment).strftime(texts.DATE_LONG)


def short_date(moment: datetime) -> str:
    """A short date and time like 11月24日 14:05."""
    return local(moment).strftime(texts.DATE_SHORT)


def benefit_text(kind: str | None, low: Decimal | None, high: Decimal | None = None,
                 approximate: bool = False) -> str:
    """A yearly benefit for people: 约2–3万元, 3.2万元, 800元, 没有, 说不清 (the one wording of chat, pages, export)."""
    if kind == BenefitKind.none:
        return texts.BENEFIT_NO
    if low is None:
        return texts.BENEFIT_NONE if kind == BenefitKind.unknown else texts.SUMMARY_UNKNOWN
    return nlp.format_yuan(float(low), None if high is None else float(high), approximate)


def project_benefit(project: Project) -> str:
    """A project's yearly benefit as `benefit_text` words it."""
    return benefit_text(project.benefit_kind, project.annual_benefit_yuan, project.annual_benefit_high_yuan,
                        project.benefit_approximate)


def benefit_said_otherwise(project: Project) -> str | None:
    """What the description says the benefit is, when it is an amount other than the one stored (else None).

    A worker who corrects "over 30,000 a year" to 21,000 at the summary is believed, but the
    reviewer should see both: the summary and the review show this beside the stored figure.
    """
    said = nlp.extract_benefit(project.description) if project.description else None
    if said is None or said.kind != BenefitKind.amount or said.low is None:
        return None
    low, high = (Decimal(str(v)).quantize(Decimal("0.01")) for v in (said.low, said.high or said.low))
    if project.benefit_kind == BenefitKind.amount and (low, high) == (
            project.annual_benefit_yuan, project.annual_benefit_high_yuan):
        return None
    return benefit_text(BenefitKind.amount, low, high, said.approximate)


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
    named = nlp.named_category(text)  # "不是小发明，是小革新": the one not denied
    if named:
        return named
    compact = nlp.normalize(text).replace(" ", "")
    return next((code for code, name in texts.CATEGORY_NAMES.items() if len(compact) <= 4 and name[1:] in compact),
                None)


def system_from(text: str, slots: dict[str, str]) -> str | None:
    """The system an answer names: a number or a name."""
    number = _numbered(slots, len(SYSTEM_ORDER))
    if number:
        return SYSTEM_ORDER[number - 1]
    compact = nlp.normalize(text).replace(" ", "")
    return next((code for code, name in texts.SYSTEM_NAMES.items() if name in compact), None)
