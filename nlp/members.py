"""Who did it with the worker: co-authors named in natural phrasing (nlp/data/members.json).

"我和王刚、李强" and "就我和王刚两个" give the others (the author is added by the form); "就我一个"
gives nobody else; "班组三个人：张伟、王刚、李强" gives the names after the count; "同班的吕志刚也参加了"
and "还有班长付国强" give the name without who he is. Fillers, counts
and stray marks (an apostrophe left by a pinyin keyboard) never become a person. A name is two to
four Chinese characters (or a Latin word); four run together ("王刚李强", from voice) are split
when both halves start with a common surname, and after "我跟" a run without pauses ("孙大海刘建国一起")
is split before a surname, the commoner one where two splits are possible ("张建华王刚").
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

from nlp.numbers import NUMERAL
from nlp.resources import read_json
from nlp.text import compact, normalize

_HAN = re.compile(r"[\u4e00-\u9fff]{2,4}|[A-Za-z][A-Za-z.·]{1,19}")
_CLAUSE_END = re.compile(r"[。;!?\n]")
_SEPARATORS = "、,，和跟与及 "


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    """The word lists, longest words first where order matters."""
    data = dict(read_json("members.json"))
    for key in ("prefixes", "qualifiers", "suffixes", "stops", "triggers", "list_triggers"):
        data[key] = sorted(data[key], key=len, reverse=True)
    return data


def _split_run(name: str) -> list[str]:
    """"王刚李强" (voice input without a pause) as two names; any other name as itself."""
    data = _data()
    if len(name) == 4 and name[:2] not in data["compound_surnames"] \
            and name[0] in data["surnames"] and name[2] in data["surnames"]:
        return [name[:2], name[2:]]
    return [name]


def _clean(token: str) -> str:
    """A token without the fillers and counts around a name ("就我" → "我", "王刚两个" → "王刚")."""
    data = _data()
    count = re.compile(f"{data['count']}$")
    changed = True
    while changed and token:
        changed = False
        for word in data["prefixes"]:
            if token.startswith(word) and len(token) > len(word):
                token, changed = token[len(word):], True
                break
        trimmed = count.sub("", token)
        for word in data["suffixes"]:
            if trimmed.endswith(word) and len(trimmed) > len(word):
                trimmed = trimmed[:-len(word)]
        if trimmed != token:
            token, changed = trimmed, True
    return token


def _tokens(text: str) -> list[str]:
    """The pieces between separators: spaces, any punctuation mark, and the words for "and"."""
    joined = "".join(" " if unicodedata.category(ch)[0] in "PSZ" else ch for ch in text)
    conj = "|".join(map(re.escape, _data()["conjunctions"]))
    return [t for t in re.split(f"\\s+|{conj}", joined) if t]


def read_members(text: str) -> list[str] | None:
    """The co-authors an answer names (an empty list: only the author); None when it names nobody readable."""
    data = _data()
    clean = normalize(text)
    if compact(clean) in data["alone"]:
        return []
    if ":" in clean:
        clean = clean.rsplit(":", 1)[1]
    for word in data["qualifiers"]:  # "同班的吕志刚": who he is, not part of his name (and 同 is no "and" here)
        clean = clean.replace(word, " ")
    names: list[str] = []
    alone = False  # the author or a head count was named: no others is an answer, not nothing
    for token in _tokens(clean):
        token = _clean(token)
        if not token or token in data["prefixes"]:
            continue  # "还有" left alone by a qualifier taken out ("还有我们班的李强")
        if token in data["self"] or re.fullmatch(data["count"], token):
            alone = True
            continue
        if not _HAN.fullmatch(token) or NUMERAL.fullmatch(token) or any(word in token for word in data["not_names"]):
            return None  # "不对，是三万": a correction and a figure, not two people
        names += [n for n in _split_run(token) if n not in names]
    return names if names or alone else None


def change_of_members(text: str) -> str | None:
    """"add" or "remove" when a correction adds or removes people ("成员加上李强", "去掉王刚"), else None."""
    data = _data()
    core = compact(text)
    if any(word in core for word in data["remove_words"]):
        return "remove"
    return "add" if any(word in core for word in data["add_words"]) else None


def _counted(rest: str) -> bool:
    """Whether what follows a name is a head count ending the list ("王刚两个", "王刚两个人一起"), not "一个采煤机"."""
    data = _data()
    found = re.match(data["count"], rest)
    if not found:
        return False
    after = rest[found.end():]
    return not after or after[0] in _SEPARATORS or bool(_CLAUSE_END.match(after)) \
        or any(after.startswith(s) for s in data["stops"])


def _name_at(text: str, i: int, run: bool = True) -> str | None:
    """The name of 2 or 3 characters at i when a separator, a count, a stop or (with `run`) another name follows."""
    data = _data()
    runs: list[tuple[int, str]] = []
    for length in (2, 3):
        name, rest = text[i:i + length], text[i + length:]
        if len(name) < length or not re.fullmatch(r"[\u4e00-\u9fff]+", name):
            continue
        if not rest or rest[0] in _SEPARATORS or _counted(rest) or _CLAUSE_END.match(rest) \
                or any(rest.startswith(s) for s in data["stops"]):
            return name
        # voice input without pauses: "孙大海刘建国一起" is two names when the next starts with a surname
        if run and rest[0] in data["surnames"] and _name_at(text, i + length, run=False):
            runs.append((data["surnames"].index(rest[0]), name))
    return min(runs)[1] if runs else None  # "张建华王刚": the split whose next surname is the commoner


def _run_after(text: str, start: int) -> list[str]:
    """The names right after a trigger ("我和|王刚、李强一起…"), each followed by a separator or a stop."""
    names, i = [], start
    while i < len(text) and text[i] == " ":  # where a qualifier was taken out ("我和同班的韦小宝")
        i += 1
    while i < len(text):
        taken = _name_at(text, i)
        if taken is None:
            break
        names.append(taken)
        i += len(taken)
        if i < len(text) and text[i] in _SEPARATORS:
            i += 1
        elif not (i < len(text) and text[i] in _data()["surnames"] and _name_at(text, i)):
            break
    return names


def _leading_names(text: str) -> list[str] | None:
    """The names a list starts with, up to the first piece that is not one ("张伟、王刚,做了…" → 张伟, 王刚)."""
    pieces = text.split(",")
    return next((names for k in range(len(pieces), 0, -1) if (names := read_members(",".join(pieces[:k])))), None)


def _names_before(text: str) -> list[str] | None:
    """The names in the clause before a word that says they took part ("同班的吕志刚也参加了")."""
    for marker in _data()["after_names"]:
        at = text.find(marker)
        if at > 0:
            names = read_members(re.split(r"[,;:。!?\n]", text[:at])[-1])
            if names:
                return names
    return None


def members_in(text: str) -> list[str] | None:
    """Co-authors a longer message names ("我和王刚、李强改了个…"), [] when it says the author worked alone, else None."""
    data = _data()
    clean = normalize(text)
    core = compact(clean)
    if any(phrase in core for phrase in data["alone_in_text"]):
        return []
    for word in data["qualifiers"]:  # "我和同班的韦小宝一起…": who he is, not part of his name
        clean = clean.replace(word, " ")
    for trigger in data["list_triggers"]:
        at = clean.find(trigger)
        if at >= 0:
            names = read_members(_CLAUSE_END.split(clean[at + len(trigger):], 1)[0].lstrip(":"))
            if names:
                return names
    counted = re.search(f"{data['count']}([:,]?)", clean)
    if counted:  # "班组三个人：张伟、王刚、李强，做了…": the names after the count, up to what they did
        listed = _leading_names(_CLAUSE_END.split(clean[counted.end():], 1)[0]) if counted.group(1) else None
        names = listed or _run_after(clean, counted.end())
        if len(names) >= (1 if counted.group(1) == ":" else 2):  # without a colon, a list: not one word
            return names
    named = _names_before(clean)
    if named:
        return named
    for trigger in data["triggers"]:
        at = clean.find(trigger)
        if at >= 0:
            names = [n for n in _run_after(clean, at + len(trigger)) if n not in data["self"]]
            if names:
                return names
    return None
