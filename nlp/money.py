"""Money mentions in a worker's sentence: each figure with its unit, period, hedges and role.

A mention is a figure read as yuan (or not: tons, percentages, unit prices, head counts,
investments and rewards are skipped). nlp/benefit.py decides which mentions make the
benefit. The words live in nlp/data/benefit.json.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from nlp.numbers import DIGITS, MAGNITUDE, NUMERAL, Numeral, parse
from nlp.resources import read_json

_CLAUSE_END = re.compile(r"[,，。;；!?！？\n]")
# Arabic ranges "3-5万元", "3~5万", "3至5万": the low end takes the unit of the high end.
_RANGE_LOW = re.compile(r"(\d+(?:\.\d+)?|[一二两三四五六七八九十]+)(?:-|~|～|—|至|到)$")
_RANGE_HIGH = re.compile(r"(?:-|~|～|—|至|到)[0-9一二两三四五六七八九十]")
_LEADING_FIGURE = re.compile(r"\d+(?:\.\d+)?|[一二两三四五六七八九十]+")
_LIST_WORDS = ("non_money_after", "approx_after", "approx_before")


@dataclass(frozen=True)
class Mention:
    """One figure read as money: low/high yuan for the stated period, and what surrounds it."""

    low: float
    high: float
    period: str | None  # as stated: year, month, day, shift, halfyear, total, or None
    approximate: bool
    is_sum: bool  # introduced by a total word (合计, 共计)
    saving: bool  # a saving verb (节约, 省, 创效…) stands before it in its clause
    role: str | None  # "before" / "after" when it is a figure before or after a change


@lru_cache(maxsize=1)
def words() -> dict[str, Any]:
    """Word lists from nlp/data/benefit.json (longest words first)."""
    data = dict(read_json("benefit.json"))
    for key in _LIST_WORDS:
        data[key] = sorted(data[key], key=len, reverse=True)
    data["unit_order"] = sorted(data["money_units"], key=len, reverse=True)
    return data


def _startswith_any(text: str, options: list[str]) -> str | None:
    """The first of options (longest first) that text starts with."""
    return next((w for w in options if text.startswith(w)), None)


def _find_period(context: str, from_end: bool) -> str | None:
    """The period word nearest the amount in a piece of context."""
    data = words()
    best, best_pos = None, -1
    for period, options in data["periods"].items():
        for word in options:
            for m in re.finditer(re.escape(word), context):
                before = context[m.start() - 1:m.start()]
                # "2023年", "今年", "十个月": a date or a duration, not "per year".
                if word[0] in data["period_single_chars"] and before and (
                        NUMERAL.match(before) or before in data["period_blockers"]):
                    continue
                pos = m.end() if from_end else len(context) - m.start()
                if pos > best_pos or (pos == best_pos and len(word) > 1):
                    best, best_pos = period, pos
    return best


def _money_unit(post: str) -> tuple[float, str, bool] | None:
    """(multiplier, rest, approximate) when post starts with a money unit."""
    data = words()
    approx = _startswith_any(post, data["approx_after"])
    rest = post[len(approx):] if approx else post
    unit = _startswith_any(rest, data["unit_order"])
    if unit is None:
        return None
    rest = rest[len(unit):]
    after = _startswith_any(rest, data["approx_after"])
    return data["money_units"][unit], rest, bool(approx or after)


def _approx_before(before: str) -> bool:
    """Whether a hedge word (约, 近, 大概) stands right before the amount."""
    data = words()
    if any(h in before for h in data["approx_hedges"]):
        return True
    for word in data["approx_before"]:
        if before.endswith(word):
            prior = before[-len(word) - 1:-len(word)]
            return not (prior and prior in data["approx_before_not_after"].get(word, ""))
    return False


def _not_a_benefit(before: str, clause: str) -> bool:
    """An investment, a reward or a unit price: money, but not what the project saves."""
    data = words()
    cost = next((c for c in data["cost_cues"] if c in before), None)
    if cost and not any(v in before[:before.rfind(cost)] for v in data["reduction_verbs"]):
        return True  # "投入400万元" is a cost; "减少…成本投入近30万元" is a saving
    if any(w in clause for w in data["reward_words"]) and not any(v in before for v in data["saving_verbs"]):
        return True
    for options in data["periods"].values():  # "每个月" is a period, not "每个" (a unit price)
        for word in options:
            before = before.replace(word, "|") if len(word) > 1 else before
    return any(w in before for w in data["unit_price_cues"])


def _role(context: str) -> str | None:
    """"before" or "after" when the text since the last figure announces one side of a change."""
    data = words()
    last: tuple[int, str | None] = (-1, None)
    for role in ("before", "after"):
        for cue in data[f"{role}_cues"]:
            at = context.rfind(cue)
            if at > last[0]:
                last = (at, role)
    return last[1]


def _number(text: str, match: re.Match[str], clause_end: int) -> Numeral | None:
    """The numeral at match; a lone magnitude before a money unit ("万元以上") is one of it, vaguely."""
    number = parse(match.group())
    prior = text[match.start() - 1:match.start()]
    bare = match.group() in MAGNITUDE and not (prior and prior in words()["approx_after"])
    if number is None and bare and _money_unit(text[match.end():clause_end]):
        return Numeral(float(MAGNITUDE[match.group()]), True)
    model_number = match.start() and re.match(r"[a-z/\-_]", text[match.start() - 1])
    if number is None or (model_number and not _RANGE_LOW.search(text[:match.start()])):
        return None  # "ZDY-4000L", "3/4": a model or a ratio, not money
    return number


def _arabic_range(text: str, match: re.Match[str], number: Numeral) -> Numeral:
    """"3-5万" read at "5万": the range 30,000–50,000 (the number itself when no range precedes)."""
    low = _RANGE_LOW.search(text[:match.start()])
    figure = _LEADING_FIGURE.match(match.group())
    low_value = parse(low.group(1)) if low else None
    high_value = parse(figure.group()) if figure else None
    if low_value is None or high_value is None or high_value.value == 0:
        return number
    scale = number.value / high_value.value
    return Numeral(min(low_value.value * scale, number.value), True, number.value)


def _mention_at(text: str, match: re.Match[str], clause: tuple[int, int], since: int,
                bare_is_money: bool = False) -> Mention | None:
    """Interpret one numeral as money (or not) using its neighbours (`bare_is_money`: a figure alone is yuan)."""
    data = words()
    start, end = clause
    number = _number(text, match, end)
    if number is None or _RANGE_HIGH.match(text, match.end()):
        return None  # not money, or the low end of "3-5万" (read with the high end)
    number = _arabic_range(text, match, number)
    before, post = text[start:match.start()], text[match.end():end]
    unit = _money_unit(post)
    if unit is None:
        approx_tail = _startswith_any(post, data["approx_after"])
        bare_post = post[len(approx_tail):] if approx_tail else post
        if _startswith_any(bare_post, data["non_money_after"]):
            return None
        magnitude = any(MAGNITUDE.get(ch, 0) >= 10_000 for ch in match.group())  # "两万", "一万五"
        if not (magnitude or bare_is_money) and not any(c in before[-4:] for c in data["money_cues"]):
            return None  # a bare figure is money only right after a money word ("一年省五千")
        unit = (1.0, bare_post, bool(approx_tail))
    if _not_a_benefit(before, text[start:end]) or unit[1][:1] == "/" or unit[1].startswith("每"):
        return None
    if number.value * unit[0] < 1:
        return None  # "0.22元": a price per ton or per kWh, never what a project saves
    period = _find_period(before, True) or _find_period(unit[1][:6], False) or _find_period(text[:start], True)
    approximate = number.vague or unit[2] or _approx_before(before) or period in ("day", "shift")
    return Mention(number.value * unit[0], number.top * unit[0], period, approximate,
                   any(w in before for w in data["sum_words"]), any(v in before for v in data["saving_verbs"]),
                   _role(text[since:match.start()]))


def _continues(previous: Mention | None, between: str) -> bool:
    """Whether a figure continues the saving before it ("节约材料费2万元，电费1万元")."""
    return bool(previous and previous.saving and len(between) <= 12
                and not any(c in between for c in words()["before_cues"] + words()["after_cues"]))


def _approx_infix(text: str) -> str:
    """"十来万" → "十万左右", "万把块" → "万块左右": a hedge inside the figure moved behind it."""
    data = words()
    units = "|".join(sorted({*data["money_units"], "万", "千"}, key=len, reverse=True))
    infixes = "".join(data["approx_infixes"])
    return re.sub(f"([{DIGITS}]*[十百千万])[{infixes}]({units})", r"\1\2左右", text)


def mentions(text: str, bare_is_money: bool = False) -> list[Mention]:
    """Every money mention in a normalised, lower-cased text without spaces, in order.

    `bare_is_money`: the text answers "how much a year", so a figure without a unit ("七八千", "15000") is yuan.
    """
    text = _approx_infix(text)
    ends = [m.start() for m in _CLAUSE_END.finditer(text)] + [len(text)]
    found: list[Mention] = []
    since = 0
    for match in NUMERAL.finditer(text):
        start = max([e + 1 for e in ends if e < match.start()], default=0)
        end = min(e for e in ends if e >= match.end())
        mention = _mention_at(text, match, (start, end), since, bare_is_money)
        if mention is None:
            continue
        previous = found[-1] if found else None
        if not mention.saving and _continues(previous, text[since:match.start()]):
            mention = replace(mention, saving=True)
        if previous and _restated(previous, mention):
            continue  # "每月节约220元，一年2640元": one saving said twice
        found.append(mention)
        since = match.end()
    return found


def _restated(first: Mention, second: Mention) -> bool:
    """Whether the second figure is the first one per another period."""
    if first.period == second.period or None in (first.period, second.period):
        return False
    factors = words()["period_factor"]
    return bool(abs(first.low * factors.get(first.period, 1) - second.low * factors.get(second.period, 1)) < 1)
