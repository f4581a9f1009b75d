"""What a chat message asks for: an intent and its slots, tolerant of voice input.

Rules, not a model: the messages are short and the chat must be predictable. The
phrasings live in nlp/data/intents.json; this module only orders the checks.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from nlp.benefit import extract_benefit
from nlp.resources import read_json
from nlp.text import compact, normalize

# Invite codes: 6 of A-Z0-9 without the confusable 0, O, 1, I.
CODE = re.compile(r"(?<![A-Z0-9])[A-HJ-NP-Z2-9]{6}(?![A-Z0-9])")
NUMBER = re.compile(r"(?<![0-9])(\d{4}-\d{3,5}|\d{3,5})(?![0-9])")
CJK = "\u4e00-\u9fff"


@dataclass(frozen=True)
class Understanding:
    """The intent of a chat message and the slots read from it."""

    intent: str
    slots: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Make the slots read-only: one Understanding is handed to everyone who sends the same text."""
        object.__setattr__(self, "slots", MappingProxyType(dict(self.slots)))


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    """Phrasings from nlp/data/intents.json."""
    return read_json("intents.json")


def _core(text: str, particles: bool = True, fillers: bool = True) -> str:
    """Lower-case compact text without leading fillers and trailing particles."""
    data = _data()
    core = compact(text).lower()
    changed = True
    while changed:
        changed = False
        for word in data["fillers"] if fillers else ():
            if core.startswith(word) and len(core) > len(word):
                core, changed = core[len(word):], True
        for word in data["particles"] if particles else ():
            if core.endswith(word) and len(core) > len(word):
                core, changed = core[:-len(word)], True
    return core


def _find_code(text: str, core: str) -> str | None:
    """An invite code when the message is one, or names one next to a bind word."""
    upper = normalize(text).upper()
    found = CODE.search(upper)
    if not found:
        return None
    code = found.group()
    mixed = any(c.isdigit() for c in code) and any(c.isalpha() for c in code)
    bind_words = dict(_data()["contains"])["bind"]
    if core.upper() == code or mixed or any(w in core for w in bind_words):
        return code
    return None


def _choice(core: str) -> str | None:
    """The number of a bare choice ("1", "第二个", "二")."""
    data = _data()
    pre, post = "|".join(data["choice_prefixes"]), "|".join(data["choice_suffixes"])
    found = re.match(f"^(?:{pre})?(\\d{{1,2}})(?:{post})?$", core)
    if found:
        return str(int(found.group(1)))
    words = data["choice_words"]
    prefixed = core[1:] if core[:1] in data["choice_prefixes"] else None
    return words.get(core) or (words.get(prefixed) if prefixed else None)


def _composed_of(core: str, phrases: list[str]) -> bool:
    """Whether the text is only a run of these phrases ("对对对", "是没错")."""
    reachable = [True] + [False] * len(core)
    for end in range(1, len(core) + 1):
        reachable[end] = any(
            reachable[end - len(p)] for p in phrases if p and core.endswith(p, 0, end)
        )
    return reachable[-1]


def _names_field(core: str, word: str) -> bool:
    """Whether a field word is the subject of an edit: an edit verb right after it ("名称是", "专业改成",
    "效益写错了") or before it ("改一下类别"), and nothing but a number or "把" in front of it.

    A description that only mentions the word ("排水系统水泵老是空转", "人员进出风门时…",
    "我想申报一个，名称是…") is not an edit.
    """
    data = _data()
    at = core.index(word)
    lead = re.sub(r"[0-9\-]", "", core[:at])
    verbs = data["edit_verbs"]
    if lead and not _composed_of(lead, [*verbs, *data["edit_lead"]]):
        return False
    rest = core[at + len(word):]
    gap = next((g for g in sorted(data["edit_gap"], key=len, reverse=True) if rest.startswith(g)), "")
    return any(rest[len(gap):].startswith(v) for v in verbs) or any(v in lead for v in verbs)


def _edit(core: str) -> Understanding | None:
    """An edit of one field ("标题改成…", "效益是5万", "改一下类别")."""
    data = _data()
    head = core[:8]
    for name, words in data["edit_fields"].items():
        word = next((w for w in sorted(words, key=len, reverse=True) if w in head), None)
        if word is None or not _names_field(core, word):
            continue
        rest = core[core.index(word) + len(word):]
        if name == "title" and (len(rest) > data["title_edit_max"] or any(cue in rest for cue in data["not_in_title"])):
            return None  # "名称是X，原来…现在…": a project given with its name, not a new name
        slots = {"field": name}
        for marker in data["edit_value_after"]:
            if marker in rest:
                value = rest.split(marker, 1)[1].strip()
                if value:
                    slots["value"] = value
                break
        return Understanding("edit", slots)
    return None


def _number_slots(text: str, core: str) -> dict[str, str]:
    """The project number named in the message, if any."""
    found = NUMBER.search(normalize(text))
    return {"number": found.group(1)} if found else {}


def _keyword_intent(core: str) -> str | None:
    """The first intent whose keywords occur in the message."""
    for intent, words in _data()["contains"]:
        if intent in ("approve", "return"):
            if any(core.startswith(w) for w in words):
                return str(intent)
            continue
        if any(w in core for w in words):
            return str(intent)
    return None


def _describes(text: str, core: str) -> bool:
    """Whether the message plainly describes an improvement."""
    if len(core) < 8:
        return False
    verbs = _data()["describe_verbs"]
    if any(v in core for v in verbs):
        return True
    benefit = extract_benefit(text) if len(core) >= 12 else None
    return benefit is not None and benefit.kind == "amount"


def _reads_like_idea(core: str) -> bool:
    """Whether a longer message proposes a change without a describing verb ("…太短，建议延长到…")."""
    data = _data()
    return len(core) >= data["idea_min_chars"] and any(cue in core for cue in data["idea_cues"])


def _unit_bind(text: str, core: str) -> Understanding | None:
    """A unit named in words, optionally with a person's name ("综采一队 张三")."""
    data = _data()
    suffixes = "|".join(sorted(data["unit_suffixes"], key=len, reverse=True))
    intro = next((w for w in data["self_intro"] if core.startswith(w)), "")
    core = core[len(intro):]
    link = "|".join(data["particles"])
    found = re.match(f"^([{CJK}A-Za-z0-9]{{1,12}}(?:{suffixes}))(?:{link})?([{CJK}]{{2,4}})?$", core)
    if not found or len(core) > 16 or core.startswith(tuple(data["not_units"])):
        return None
    slots = {"unit_text": found.group(1)}
    if found.group(2):
        slots["name"] = found.group(2)
    return Understanding("bind", slots)


#: Texts at most this long are remembered: commands, answers and menu words repeat all day long,
#: while a long description is typed once and would only take memory.
MEMO_TEXT_LENGTH = 64


def understand(text: str) -> Understanding:
    """The intent and slots of one chat message (short texts answered from a memo: this is pure)."""
    if text is not None and len(text) <= MEMO_TEXT_LENGTH:
        return _understand_short(text)
    return _understand(text)


@lru_cache(maxsize=8192)
def _understand_short(text: str) -> Understanding:
    """`_understand`, remembered for the short texts people send again and again."""
    return _understand(text)


def _understand(text: str) -> Understanding:
    """Read the intent and slots of one chat message."""
    raw = unicodedata.normalize("NFKC", text or "").strip()
    core = _core(text)
    if raw in ("?", "??", "？") or not core:
        return Understanding("help" if raw.startswith("?") else "chitchat")
    code = _find_code(text, core)
    if code:
        return Understanding("bind", {"code": code})
    plain = _core(text, particles=False)
    bare = _core(text, fillers=False)
    for intent, phrases in _data()["exact"].items():
        if core in phrases or plain in phrases or bare in phrases:
            return Understanding(intent)
    for intent in ("confirm", "deny"):
        if len(core) <= 8 and _composed_of(core, _data()["exact"][intent]):
            return Understanding(intent)
    choice = _choice(core)
    if choice:
        return Understanding("choice", {"number": choice})
    edit = _edit(core)
    keyword = _keyword_intent(plain) if _number_slots(text, plain) else None
    # "退回0042，效益算得不对": a coordinator's verb at the start wins over words of a field;
    # "修改0042 标题改成…" is an edit of that field.
    if keyword in ("approve", "return") or (keyword in ("withdraw", "revise") and edit is None):
        return _by_keywords(text, plain)
    return _with_number(text, edit) if edit else _by_keywords(text, plain)


def _with_number(text: str, edit: Understanding) -> Understanding:
    """An edit that names a project ("0042 专业改成机电"): the number as a slot, not part of the value."""
    slots = _number_slots(text, "")
    if not slots or edit.slots.get("field") != "system":  # a number in a title is part of the title
        return edit
    value = edit.slots.get("value", "").replace(slots["number"], "").strip(" ,，。")
    return Understanding("edit", {**edit.slots, **slots, **({"value": value} if value else {})})


def _by_keywords(text: str, core: str) -> Understanding:
    """Intents found by keywords, descriptions, units, else chit-chat."""
    slots = _number_slots(text, core)
    if re.fullmatch(r"\d{4}-\d{3,5}|\d{3,5}", normalize(text)):
        return Understanding("query", slots)
    intent = _keyword_intent(core)
    if intent in ("unbind", "withdraw", "revise", "approve", "return", "pending", "stats", "bind"):
        if intent == "return" and slots:
            reason = normalize(text).split(slots["number"], 1)[1].strip(" ,，。:：")
            if reason:
                slots["reason"] = reason
        return Understanding(intent, slots if intent != "bind" else {})
    if _describes(text, core) and intent not in ("query",):
        return Understanding("describe")
    if intent == "submit" and _reads_like_idea(core):  # "我想报个小建议：井口候车室太冷，希望装暖气": the idea itself
        return Understanding("describe")
    if intent:
        return Understanding(intent, slots if intent == "query" else {})
    if _reads_like_idea(core):
        return Understanding("describe")
    return _unit_bind(text, core) or Understanding("chitchat")
