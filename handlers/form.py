"""The submission form, declared: its fields in order, each with its question, check, summary label and value.

This table drives the questions (the first missing field is asked), going back (to the field asked
before), the numbered summary (one line per field, numbered in this order) and corrections (by
number at the summary, or by naming the field anywhere; the words for that are in nlp/data/intents.json).
Adding a field is one row here and its texts in handlers/texts.py.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import nlp
import nlp.answers
import nlp.benefit
import nlp.text
from handlers import texts
from handlers.draft_view import benefit_said_otherwise, category_from, project_benefit, system_from
from handlers.intents import Intent
from handlers.memory import Memory
from handlers.reading import classify, fill_from_description, set_benefit, take_benefit, take_named
from handlers.turn import State, Turn
from models import drafts
from models.drafts import MAX_TITLE, trimmed
from models.errors import InvalidField, Problem
from models.project import Project

#: What a validator gets: the turn, the draft, and the answer's text; it stores the value or raises InvalidField.
Validator = Callable[[Turn, Project, str], None]
_DESCRIPTION_PREVIEW = 60


def validate_title(t: Turn, draft: Project, text: str) -> None:
    """A name; a whole description given instead fills the form and takes its name from it."""
    if len(trimmed(text)) > MAX_TITLE:
        fill_from_description(t, draft, text)
        if not draft.title:
            raise InvalidField("title", Problem.too_long)
        return
    if t.intent in (Intent.confirm, Intent.deny):
        raise InvalidField("title", Problem.unknown)
    drafts.set_title(draft, t.worker, nlp.named_title(t.raw or text) or text)


def validate_description(t: Turn, draft: Project, text: str) -> None:
    """The description in the worker's own words; whatever else it says fills the form too."""
    drafts.set_description(draft, t.worker, t.raw or text)
    mark(t.mem, "description")
    fill_from_description(t, draft, text)


def validate_category(t: Turn, draft: Project, text: str) -> None:
    """A number, a name, or "yes" to the suggested category."""
    drafts.set_category(draft, t.worker, category_from(text, t.intent, t.slots_in, t.mem.category_suggestion) or "")


def validate_system(t: Turn, draft: Project, text: str) -> None:
    """A number or a name of a professional system (a person's choice: the classifier no longer refiles it)."""
    drafts.set_system(draft, t.worker, system_from(text, t.slots_in) or "")
    t.mem.system_auto = False


def validate_benefit(t: Turn, draft: Project, text: str) -> None:
    """A yearly amount or range, "没有" (none), or "说不清" (unknown)."""
    benefit = nlp.extract_benefit(t.raw or text, answer=True)  # the answer to "how much": "七八千" is yuan
    if benefit is None and nlp.answers.says_benefit_unknown(text):
        benefit = nlp.Benefit(nlp.benefit.UNKNOWN)
    if benefit is None or (benefit.kind == nlp.benefit.AMOUNT and benefit.low is None):
        raise InvalidField("benefit", Problem.unknown)
    set_benefit(t, draft, benefit)


def validate_members(t: Turn, draft: Project, text: str) -> None:
    """Who did it with the worker, in natural phrasing ("我和王刚、李强", "就我一个"); the worker stays first."""
    names = None if t.intent in (Intent.confirm, Intent.deny, Intent.choice) else nlp.read_members(t.raw or text)
    if names is None:
        raise InvalidField("members", Problem.not_a_name)
    set_members(t, draft, names)


def set_members(t: Turn, draft: Project, names: list[str]) -> None:
    """Store the co-authors named (none: the worker alone)."""
    drafts.set_members(draft, t.worker, names or [t.worker.name or ""])


@dataclass(frozen=True)
class Field:
    """One field of the form."""

    name: str
    state: State | None  # the state that asks it when missing; None: only corrected from the summary
    question: str
    invalid: str  # the one line of help for an answer that was refused
    validate: Validator
    show: Callable[[Project, Memory], str]  # its value in the summary
    present: Callable[[Project, Memory], bool]  # whether it needs no asking
    edit_question: str | None = None  # asked when it is corrected (default: "请发新的<label>")
    reclassify: bool = True  # whether an answer changes the category guess and the system

    @property
    def label(self) -> str:
        """Its name in the summary and the prompts."""
        return texts.FIELD_NAMES[self.name]

    def ask_again(self) -> str:
        """The prompt for a new value."""
        return self.edit_question or texts.ASK_EDIT_VALUE.format(field=self.label)


def _description(draft: Project, _: Memory) -> str:
    """The description's beginning."""
    text = draft.description or texts.SUMMARY_UNKNOWN
    return text[:_DESCRIPTION_PREVIEW] + "…" if len(text) > _DESCRIPTION_PREVIEW else text


def _benefit(draft: Project, _: Memory) -> str:
    """The yearly benefit as people read it, and what the description says when that differs."""
    shown, said = project_benefit(draft), benefit_said_otherwise(draft)
    return texts.BENEFIT_SAID_OTHERWISE.format(value=shown, said=said) if said else shown


def _named(names: dict[str, str], value: str | None) -> str:
    """A code's name in the catalogue."""
    return names.get(value or "", texts.SUMMARY_UNKNOWN)


FIELDS: tuple[Field, ...] = (
    Field("title", State.ask_title, texts.ASK_TITLE, texts.INVALID_TITLE, validate_title,
          lambda d, _: d.title or texts.SUMMARY_UNKNOWN, lambda d, _: bool(d.title)),
    Field("description", State.ask_description, texts.ASK_DESCRIPTION, texts.INVALID_DESCRIPTION,
          validate_description, _description, lambda d, _: bool(d.description)),
    Field("category", State.ask_category, texts.ASK_CATEGORY, texts.INVALID_CATEGORY, validate_category,
          lambda d, _: _named(texts.CATEGORY_NAMES, d.category), lambda d, _: d.category is not None,
          edit_question=texts.ASK_CATEGORY),
    Field("system", State.ask_system, texts.ASK_SYSTEM, texts.INVALID_SYSTEM, validate_system,
          lambda d, _: _named(texts.SYSTEM_NAMES, d.system), lambda d, _: d.system is not None,
          edit_question=texts.ASK_SYSTEM),
    Field("benefit", State.ask_benefit, texts.ASK_BENEFIT, texts.INVALID_BENEFIT, validate_benefit, _benefit,
          lambda d, mem: d.benefit_kind is not None or "benefit" in mem.answered, reclassify=False),
    Field("members", State.ask_members, texts.ASK_MEMBERS, texts.INVALID_MEMBERS, validate_members,
          lambda d, _: " ".join(d.members or []) or texts.SUMMARY_UNKNOWN, lambda _, mem: "members" in mem.answered,
          edit_question=texts.ASK_MEMBERS_EDIT, reclassify=False),
)
BY_NAME = {f.name: f for f in FIELDS}
BY_STATE = {f.state: f for f in FIELDS if f.state is not None}
#: The fields asked when missing, in order.
ASKED = tuple(f.name for f in FIELDS if f.state is not None)


def mark(mem: Memory, name: str) -> None:
    """Record that a field was answered."""
    if name not in mem.answered:
        mem.answered = sorted({*mem.answered, name})


#: A refused answer at least this long (letters and digits) to one of these questions is more of the description.
_MORE_DESCRIPTION = 8
_AFTER_DESCRIPTION = frozenset({"category", "system", "benefit"})


def continues_description(t: Turn, name: str) -> bool:
    """Whether a message that does not answer the question goes on describing ("…水位高了才去开，有时候来不及")."""
    if name == "members":
        return t.intent == Intent.describe
    return name in _AFTER_DESCRIPTION and len(nlp.text.compact(t.raw or t.text)) >= _MORE_DESCRIPTION


def add_to_description(t: Turn, draft: Project) -> None:
    """Add a piece sent after the description to it, fill what it gives, and say so (the question follows)."""
    piece = (t.raw or t.text).strip()
    joined = f"{draft.description}{texts.DESCRIPTION_JOINER}{piece}" if draft.description else piece
    drafts.set_description(draft, t.worker, joined, check=False)
    fill_from_description(t, draft, piece)
    t.say(texts.ADDED_TO_DESCRIPTION)


def answers_another_field(t: Turn, draft: Project) -> bool:
    """Whether a message that does not answer the question answers another field outright, which is then kept.

    The co-authors ("alone", "me and Wang Gang" while the category is asked), a category or system
    named, a yearly amount (said again, it replaces the earlier one), or "no economic benefit" said in
    so many words. Never a bare name (any short text would read as one) and never a bare "no" (at a
    yes/no question it means no, not "no benefit").
    Cases: tests/handlers/test_chat_keeps_what_was_said.py, tests/handlers/test_chat_tried_as_new_users.py.
    """
    text = t.raw or t.text
    filled = take_named(t, draft, text, title_of=lambda _: None)
    # an amount said again ("不对，是三万" at the members question) is the latest word on the benefit
    none_said = nlp.benefit.states_no_benefit(text) and "benefit" not in t.mem.answered
    if take_benefit(t, draft, text, none_counts=none_said):
        filled.add("benefit")
    for name in filled:
        mark(t.mem, name)
    return bool(filled)


def missing(draft: Project, mem: Memory) -> list[Field]:
    """The fields still to ask, in order."""
    return [f for f in FIELDS if f.state is not None and not f.present(draft, mem)]


def takes_a_new_name(t: Turn, draft: Project) -> bool:
    """A message that only names the project with a frame ("不对，我想先报另一个，名字叫X") is its (new) name.

    Whatever question was asked: the worker changed their mind, or answers ahead. Say so; True when taken.
    """
    named = nlp.only_a_name(t.raw or t.text) if t.intent != Intent.describe else None
    if named is None or named == draft.title:
        return False
    had_name = bool(draft.title)
    try:
        drafts.set_title(draft, t.worker, named)
    except InvalidField:
        return False
    mark(t.mem, "title")
    t.say(texts.EDITED if had_name else texts.ANSWER_KEPT)
    return True


def answer(t: Turn, draft: Project, name: str) -> bool:
    """Take the message as the answer for one field; say how to answer and return False if it was refused."""
    field = BY_NAME[name]
    if name != "title" and takes_a_new_name(t, draft):
        return True
    try:
        field.validate(t, draft, t.text)
    except InvalidField as refused:
        # "一年省个两三万吧" at the system question is the benefit, not more of the description
        if t.intent != Intent.describe and answers_another_field(t, draft):
            t.say(texts.ANSWER_KEPT)
            return True
        if continues_description(t, name):
            add_to_description(t, draft)
            return True
        t.say(BY_NAME[refused.field].invalid if refused.field in BY_NAME else field.invalid)
        return False
    mark(t.mem, name)
    if field.reclassify:
        classify(t, draft)
    return True


def question(field: Field, mem: Memory) -> str:
    """The question for a field, offering the category guess when there is one."""
    if field.name == "category" and mem.category_suggestion:
        return texts.ASK_CATEGORY_SUGGEST.format(suggestion=texts.CATEGORY_NAMES[mem.category_suggestion])
    return field.question


def summary(draft: Project, mem: Memory) -> str:
    """The numbered summary shown before confirming: one line per field, in the table's order."""
    lines = [texts.SUMMARY_HEAD]
    lines += [texts.SUMMARY_LINE.format(index=i, label=f.label, value=f.show(draft, mem))
              for i, f in enumerate(FIELDS, 1)]
    lines += [texts.SUMMARY_PHOTOS.format(photos=len(draft.attachments)), texts.SUMMARY_TAIL]
    return "\n".join(lines)


def numbered(number: str | None) -> Field | None:
    """The field a number picks at the summary ("1" is the first line)."""
    if not number or not number.isdigit():
        return None
    index = int(number) - 1
    return FIELDS[index] if 0 <= index < len(FIELDS) else None
