"""The dialog as data: typed memory that survives old rows, intents as one enum, the form as one table."""
from __future__ import annotations

import json
from pathlib import Path

import nlp
from handlers import form, texts
from handlers.intents import Intent
from handlers.memory import Memory
from handlers.turn import State

INTENTS = Path(nlp.__file__).parent / "data" / "intents.json"


def test_memory_reads_an_old_row_losing_only_what_it_does_not_know():
    old = {"draft_id": 7, "answered": ["title", "description"], "asked": ["title"], "system_auto": True,
           "benefit_approximate": None, "retired_key": "x", "unit_options": ["not", "ids"], "editing": 3}
    memory = Memory.from_slots(old)
    assert (memory.draft_id, memory.answered, memory.asked, memory.system_auto) == (7, ["title", "description"],
                                                                                  ["title"], True)
    assert memory.unit_options is None and memory.editing is None  # wrong types are dropped, not guessed
    assert Memory.from_slots(memory.to_slots()) == memory
    assert Memory.from_slots(None) == Memory() and Memory().to_slots() == {}


def test_every_intent_nlp_names_is_one_the_conversation_knows():
    data = json.loads(INTENTS.read_text(encoding="utf-8"))
    named = set(data["exact"]) | {name for name, _ in data["contains"]} | {"edit", "describe", "choice", "chitchat"}
    assert {Intent.of(name).value for name in named} == named
    assert Intent.of("something new") == Intent.chitchat


def test_the_form_table_drives_questions_summary_and_corrections():
    assert [f.name for f in form.FIELDS] == list(texts.FIELD_NAMES)  # every field has its label, in order
    assert form.ASKED == ("title", "description", "category", "system", "benefit", "members")
    assert {f.state for f in form.FIELDS if f.state} == {State.ask_title, State.ask_description, State.ask_category,
                                                        State.ask_system, State.ask_benefit, State.ask_members}
    assert form.numbered("6").name == "members" and form.numbered("7") is None and form.numbered("x") is None
    edit_words = json.loads(INTENTS.read_text(encoding="utf-8"))["edit_fields"]
    assert set(edit_words) == set(form.BY_NAME)  # each field can be corrected by name
