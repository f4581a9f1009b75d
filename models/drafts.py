"""Filling in a project: one operation per field, each checking the value and who changes it.

The chat reads values out of what a worker says, a page out of its form; both hand them here.
A refused value raises `InvalidField` naming the field and the problem, which the chat turns into
one line of help and a page into a form error. Only the author changes their own draft, or their
own project returned to them.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.access import check_edit, may_edit
from models.errors import InvalidField, Problem
from models.project import Attachment, BenefitKind, Category, Project, System
from models.worker import Worker
from models.workflow import latest_draft

MIN_TITLE, MAX_TITLE = 2, 30
MIN_DESCRIPTION = 6
MAX_NAME = 10
#: A draft takes at most this many photos.
MAX_PHOTOS = 9
#: Punctuation voice recognition and phone keyboards leave at the ends of an answer.
EDGE_PUNCT = (" \t\n,.;:!?\"'()[]~\u3001\u3002\uff0c\uff1b\uff1a\uff01\uff1f\u2026\uff5e\u201c\u201d\u2018\u2019"
              "\uff08\uff09\u3010\u3011")


def trimmed(text: str) -> str:
    """A value without the punctuation at its ends."""
    return text.strip(EDGE_PUNCT)


def open_draft(session: Session, worker: Worker, draft_id: int | None) -> Project | None:
    """The project the worker is filling: the one remembered if they may still change it, else their latest draft."""
    draft = session.get(Project, draft_id) if draft_id else None
    return draft if may_edit(draft, worker) else latest_draft(session, worker)


def set_title(project: Project, actor: Worker, text: str, shorten: bool = False) -> None:
    """Name the project (2 to 30 characters, not just a number); `shorten` cuts a title read from a description."""
    check_edit(project, actor)
    title = trimmed(text)
    if shorten:
        title = trimmed(title[:MAX_TITLE])
    if len(title) < MIN_TITLE:
        raise InvalidField("title", Problem.too_short)
    if len(title) > MAX_TITLE:
        raise InvalidField("title", Problem.too_long)
    if title.isdigit():
        raise InvalidField("title", Problem.only_digits)
    project.title = title


def set_description(project: Project, actor: Worker, text: str, check: bool = True) -> None:
    """Describe the project in the author's words (a few words at least, unless `check` is off)."""
    check_edit(project, actor)
    if check and len(trimmed(text)) < MIN_DESCRIPTION:
        raise InvalidField("description", Problem.too_short)
    project.description = text.strip()


def set_category(project: Project, actor: Worker, category: str) -> None:
    """File the project under one of the five smalls."""
    check_edit(project, actor)
    if category not in set(Category):
        raise InvalidField("category", Problem.unknown)
    project.category = str(category)


def set_system(project: Project, actor: Worker, system: str | None, confidence: float | None = None) -> None:
    """File the project under a professional system (the classifier's confidence, None when a person chose)."""
    check_edit(project, actor)
    if system is not None and system not in set(System):
        raise InvalidField("system", Problem.unknown)
    project.system = None if system is None else str(system)
    project.system_confidence = None if system is None else confidence


def set_benefit(project: Project, actor: Worker, yuan: Decimal | None, high: Decimal | None = None,
                approximate: bool = False, kind: str | None = None) -> None:
    """State the yearly benefit: yuan (to `high` for a range, `approximate` for "三万多"), or a `kind` without amount.

    A figure is an amount; without one the benefit is `unknown` (cannot say) unless `kind` says `none`
    (no economic benefit). A high end below the low end is refused.
    """
    check_edit(project, actor)
    kind = kind or (BenefitKind.amount if yuan is not None else BenefitKind.unknown)
    if kind not in set(BenefitKind) or (kind == BenefitKind.amount) != (yuan is not None):
        raise InvalidField("benefit", Problem.unknown)
    if yuan is None:
        project.annual_benefit_yuan = project.annual_benefit_high_yuan = None
        project.benefit_approximate, project.benefit_kind = False, str(kind)
        return
    low = Decimal(yuan).quantize(Decimal("0.01"))
    top = low if high is None else Decimal(high).quantize(Decimal("0.01"))
    if low < 0 or top < low:
        raise InvalidField("benefit", Problem.unknown)
    project.annual_benefit_yuan, project.annual_benefit_high_yuan = low, top
    project.benefit_approximate, project.benefit_kind = bool(approximate or top > low), str(kind)


def set_members(project: Project, actor: Worker, names: Sequence[str]) -> None:
    """Replace the members with these names, the author first."""
    check_edit(project, actor)
    names = [name for name in names if name]
    if not names:
        raise InvalidField("members", Problem.empty)
    if any(len(name) > MAX_NAME or any(ch.isdigit() for ch in name) for name in names):
        raise InvalidField("members", Problem.not_a_name)
    own = actor.name
    project.members = ([own] if own and own not in names else []) + list(names)


def clear_choice(project: Project, actor: Worker, field: str) -> None:
    """Forget a chosen category or system, to ask for it again."""
    check_edit(project, actor)
    if field == "category":
        project.category = None
    elif field == "system":
        project.system, project.system_confidence = None, None


def add_photo(session: Session, project: Project, actor: Worker, media_id: str, pic_url: str | None,
              now: datetime) -> int:
    """Attach a photo (fetched from WeChat later), up to MAX_PHOTOS; return how many the project has."""
    check_edit(project, actor)
    count = session.scalar(select(func.count()).select_from(Attachment).where(Attachment.project_id == project.id)) or 0
    if count < MAX_PHOTOS:
        session.add(Attachment(project_id=project.id, media_id=media_id, pic_url=pic_url, kind="image",
                               status="pending", created_at=now))
        count += 1
    project.updated_at = now
    return count
