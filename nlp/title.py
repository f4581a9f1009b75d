"""A short project title pulled out of a worker's free description."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from nlp.resources import read_json
from nlp.text import normalize

_CLAUSE = re.compile(r"[,，。;；!?！？\s]")


@lru_cache(maxsize=1)
def _rules() -> dict[str, Any]:
    """Title rules from nlp/data/title.json."""
    return read_json("title.json")


def _cut_run_on(phrase: str) -> str:
    """A phrase up to the next clause's first word: voice input has no commas ("…更换工具原来换一个要十分钟")."""
    cuts = [at for word in _rules()["clause_starts"] if (at := phrase.find(word, 2)) >= 2]
    return phrase[:min(cuts)] if cuts else phrase


def _trim(phrase: str) -> str:
    """Drop pronouns, measure words and filler around a title phrase (and what runs on past it)."""
    rules = _rules()
    phrase = _cut_run_on(phrase)
    changed = True
    while changed:
        changed = False
        for word in rules["drop_prefixes"] + rules["measure_words"]:
            if phrase.startswith(word) and len(phrase) > len(word) + 1:
                phrase, changed = phrase[len(word):], True
        for word in rules["drop_suffixes"]:
            if phrase.endswith(word) and len(phrase) > len(word) + 1:
                phrase, changed = phrase[:-len(word)], True
    return phrase.strip(rules["strip_chars"])[: rules["max_chars"]]


def _after_intro(clause: str) -> str | None:
    """"做了个X" / "改了个X": X with the verb's suffix."""
    for intro in _rules()["intros"]:
        if intro["verb"] in clause:
            rest = _trim(clause.split(intro["verb"], 1)[1])
            if len(rest) >= 2:
                suffix = intro["suffix"]
                return rest if not suffix or rest.endswith(suffix) else rest + suffix
    return None


def _change(clause: str) -> str | None:
    """"把X改成Y": X plus the change suffix."""
    pattern = _rules()["change_pattern"]
    for verb in pattern["verbs"]:
        for before in pattern["before"]:
            found = re.search(f"{before}(.+?){verb}", clause)
            if found and len(_trim(found.group(1))) >= 2:
                return _trim(found.group(1)) + str(pattern["suffix"])
    return None


def named_title(text: str, bare: bool = True) -> str | None:
    """A name the worker gives with a frame, without it: "名字就叫X吧", "题目：X", "我要申报：X。" → X.

    A colon (or a space) is needed after the submit words ("我要申报：X", "我要申报 X"), so "我要申报" alone names nothing;
    `bare` allows the frames without a naming word ("就叫X", "叫X"), for an answer to the name question.
    """
    rules = _rules()
    for clause in (c.strip() for c in re.split(r"[,，。;；!?！？\n]", normalize(text))):
        for frame in sorted(rules["frames"], key=len, reverse=True):
            if not clause.startswith(frame) or (not bare and frame in rules["bare_frames"]):
                continue
            rest = clause[len(frame):]
            marked = rest[:1] in rules["frame_marks"] or (rest[:1] == " " and frame in rules["space_marked_frames"])
            if not marked and frame.startswith(("我", "申报", "名称", "名字", "题目", "标题", "项目名")) \
                    and not frame.endswith(("叫", "是", "为")):
                continue
            name = rest.lstrip(rules["frame_marks"] + " ")
            for tail in sorted(rules["frame_tails"], key=len, reverse=True):
                if name.endswith(tail) and len(name) > len(tail) + 1:
                    name = name[:-len(tail)]
                    break
            name = name.strip("\"'“”《》「」 ")
            if len(name) >= 2:
                return name[: rules["max_chars"]]
    return None


def only_a_name(text: str) -> str | None:
    """The name a message gives with a frame when it says nothing more ("不对，我想先报另一个，名字叫X" → X).

    None when no frame names it (a bare name needs the name question) or when another clause is long
    enough to be a description given with its name ("名称是X，原来两道风门老是同时打开").
    """
    named = named_title(text, bare=False)
    if named is None:
        return None
    clauses = [c.strip() for c in re.split(r"[,，。;；!?！？:\n]", normalize(text))]
    others = [c for c in clauses if named not in c]
    return named if all(len(c) < _rules()["description_clause"] for c in others) else None


def extract_title(text: str) -> str | None:
    """A short title from a free description (a name given with a frame first), or None when none can be found."""
    named = named_title(text)
    if named:
        return named
    rules = _rules()
    text = normalize(text)
    head, colon, tail = text.partition(":")
    if colon and tail and len(head) <= rules["colon_head"]:  # "我想报个小建议：X…": the project is X…
        text = tail
    clauses = [c for c in _CLAUSE.split(text) if c]
    for clause in clauses:
        title = _after_intro(clause) or _change(clause)
        if title:
            return title
    if not clauses:
        return None
    first = clauses[0]
    for word in rules["suggest_words"]:
        if first.startswith(word) and len(first) > len(word) + 3:
            return _trim(first[len(word):])[: rules["max_chars"]] + str(rules["suggest_suffix"])
    if any(w in first for w in rules["not_titles"]):
        return None
    if len(clauses) > 1 and any(c.startswith(tuple(rules["suggest_clause_starts"])) for c in clauses[1:]):
        about, tail = rules["suggest_about"]  # "X太短，建议…": a suggestion about the problem stated first
        if 4 <= len(first) <= rules["max_chars"] - len(about) - len(tail):
            return f"{about}{_trim(first)}{tail}"
    if len(clauses) == 1 and 4 <= len(first) <= rules["max_chars"]:
        return _trim(first)
    return None
