"""Reading a project out of what a worker says: description, name, benefit, the category guess and the system."""
from __future__ import annotations

from decimal import Decimal

import nlp
from handlers.turn import Turn
from models import drafts
from models.errors import InvalidField
from models.project import Project


def fill_from_description(t: Turn, draft: Project, text: str) -> None:
    """Fill every field the text gives: description, title, benefit, category, system."""
    text = text.strip()
    answered = set(t.mem.answered)
    if not draft.description:
        # keep the worker's own punctuation when this is the message just received
        drafts.set_description(draft, t.worker, t.raw if t.raw and nlp.normalize(t.raw) == text else text,
                               check=False)
        answered.add("description")
    if not draft.title:
        title = nlp.extract_title(text)
        if title:
            try:
                drafts.set_title(draft, t.worker, title, shorten=True)
                answered.add("title")
            except InvalidField:
                pass  # no usable name in the message: it is asked for
    if "benefit" not in answered:
        benefit = nlp.extract_benefit(text)
        if benefit is not None and benefit.yuan is not None:
            set_benefit(t, draft, benefit)
            answered.add("benefit")
    t.mem.answered = sorted(answered)
    classify(t, draft)


def classify(t: Turn, draft: Project) -> None:
    """Suggest a category and file the project under a system unless the classifier is unsure."""
    text = f"{draft.title} {draft.description}".strip()
    if not text:
        return
    if draft.category is None:
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


def set_benefit(t: Turn, draft: Project, benefit: nlp.Benefit) -> None:
    """Store a benefit as yuan per year (monthly figures times twelve)."""
    yuan = Decimal(str(benefit.yuan)) * (12 if benefit.period == "month" else 1)
    drafts.set_benefit(draft, t.worker, yuan)
    t.mem.benefit_approximate = bool(benefit.approximate)
