"""Reading a project out of what a worker says: description, name, benefit, the category guess and the system."""
from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import nlp
from handlers import texts
from handlers.turn import Turn
from models import drafts
from models.errors import InvalidField
from models.project import BenefitKind, Project


def fill_from_description(t: Turn, draft: Project, text: str) -> None:
    """Fill every field the text gives: description, title, benefit, members, category, system."""
    text = text.strip()
    answered = set(t.mem.answered)
    if not draft.description:
        # keep the worker's own punctuation when this is the message just received
        drafts.set_description(draft, t.worker, t.raw if t.raw and nlp.normalize(t.raw) == text else text,
                               check=False)
        answered.add("description")
    answered |= take_named(t, draft, text)
    if "benefit" not in answered and take_benefit(t, draft, text, none_counts=True):
        answered.add("benefit")
    t.mem.answered = sorted(answered)
    classify(t, draft)


def take_benefit(t: Turn, draft: Project, text: str, none_counts: bool) -> bool:
    """Store the yearly benefit the text states (an amount; "none" too with `none_counts`); say whether it did."""
    benefit = nlp.extract_benefit(text)
    if benefit is None or not (benefit.kind == BenefitKind.amount and benefit.low is not None
                               or none_counts and benefit.kind == BenefitKind.none):
        return False
    set_benefit(t, draft, benefit)
    return True


def take_named(t: Turn, draft: Project, text: str, title_of: Callable[[str], str | None] = nlp.extract_title
               ) -> set[str]:
    """Fill what a message names outright (a name, a category, the co-authors); return the fields filled.

    `title_of` reads the name: from a description any title it gives, from a short command
    (I want to submit: X) only a name given with a frame.
    """
    filled = set()
    if not draft.title:
        title = title_of(text)
        if title:
            try:
                drafts.set_title(draft, t.worker, title, shorten=True)
                filled.add("title")
            except InvalidField:
                pass  # no usable name in the message: it is asked for
    category = nlp.named_category(text)
    if category and draft.category is None:
        drafts.set_category(draft, t.worker, category)
        filled.add("category")
    system = named_system(text)
    if system and (draft.system is None or t.mem.system_auto):
        drafts.set_system(draft, t.worker, system)
        t.mem.system_auto = False  # a person's choice: the classifier no longer refiles it
        filled.add("system")
    members = nlp.members_in(text) if "members" not in t.mem.answered else None
    if members is not None:
        try:
            drafts.set_members(draft, t.worker, members or [t.worker.name or ""])
            filled.add("members")
        except InvalidField:
            pass  # asked for instead
    return filled


def classify(t: Turn, draft: Project) -> None:
    """Suggest a category and file the project under a system unless the classifier is unsure."""
    text = f"{draft.title} {draft.description}".strip()
    if not text:
        return
    named = nlp.named_category(text) if draft.category is None else None
    if named:
        drafts.set_category(draft, t.worker, named)
        t.mem.answered = sorted({*t.mem.answered, "category"})
    elif draft.category is None:
        guess = nlp.infer_category(text)
        t.mem.category_suggestion = guess.category if guess.confidence >= 0.5 else None
    if draft.system is None or t.mem.system_auto:
        result = nlp.classify(text)
        if result.system and not result.unsure:
            drafts.set_system(draft, t.worker, result.system, result.confidence)
            t.mem.system_auto = True
        else:
            drafts.set_system(draft, t.worker, None)
            t.mem.system_auto = False
            t.mem.system_options = [s for s, _ in result.alternatives][:3] or None


def named_system(text: str) -> str | None:
    """The professional system a message names outright ("机电专业的"), not one its words only suggest."""
    core = nlp.normalize(text).replace(" ", "").replace(":", "")
    return next((code for code, name in texts.SYSTEM_NAMES.items()
                 if any(form.format(name=name) in core for form in texts.SYSTEM_SAID)), None)


def set_benefit(t: Turn, draft: Project, benefit: nlp.Benefit) -> None:
    """Store a benefit as read (nlp gives yuan a year): a figure or a range, approximate or not, or a stated none."""
    if benefit.kind != BenefitKind.amount or benefit.low is None:
        drafts.set_benefit(draft, t.worker, None, kind=benefit.kind)
        return
    high = benefit.high if benefit.high is not None else benefit.low
    drafts.set_benefit(draft, t.worker, Decimal(str(benefit.low)), Decimal(str(high)), benefit.approximate)
