"""The economic benefit in a worker's sentence, as an amount in yuan.

Decisions (the chat stores the annual figure):
* ``period`` says how the text stated it, and ``yuan`` is the amount for that period:
  "year"; "month" (``yuan`` per month as stated: the caller multiplies by 12, as
  handlers/submit.py does); "total" (a one-off or cumulative sum); None (no period stated).
  Per day (×330 working days), per shift (×990) and per half-year (×2) are annualised and
  reported as "year" (day and shift with ``approximate``); parts stated per month and per
  year are annualised and summed as "year".
* 多/余/几/ranges give the stated lower bound with ``approximate``; 约/近/左右 give the
  stated figure with ``approximate``.
* Several savings are summed (each annualised); a stated total (合计, 共计) wins.
* Investment (投资, 花了) and numbers that are not money are ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from nlp.numbers import MAGNITUDE, NUMERAL, Numeral, parse
from nlp.resources import read_json
from nlp.text import normalize

_CLAUSE_END = re.compile(r"[,，。;；!?！？\n]")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")


@dataclass(frozen=True)
class Benefit:
    """An economic benefit: yuan for the stated period (year, month, total or None)."""

    yuan: float | None
    period: str | None
    approximate: bool


@dataclass(frozen=True)
class _Amount:
    """One money mention found in the text."""

    yuan: float
    period: str | None
    approximate: bool
    is_sum: bool


@lru_cache(maxsize=1)
def _words() -> dict:
    """Word lists from nlp/data/benefit.json (longest words first)."""
    data = dict(read_json("benefit.json"))
    for key in ("money_units", "non_money_after", "approx_after", "approx_before"):
        if isinstance(data[key], list):
            data[key] = sorted(data[key], key=len, reverse=True)
    data["unit_order"] = sorted(data["money_units"], key=len, reverse=True)
    return data


def _startswith_any(text: str, words: list[str]) -> str | None:
    """The first of words (longest first) that text starts with."""
    return next((w for w in words if text.startswith(w)), None)


def _find_period(context: str, from_end: bool) -> str | None:
    """The period word nearest the amount in a piece of context."""
    data = _words()
    best, best_pos = None, -1
    for period, words in data["periods"].items():
        for word in words:
            for m in re.finditer(re.escape(word), context):
                before = context[m.start() - 1:m.start()]
                # "2023年", "今年", "半年": a date or another period, not "per year".
                if word[0] in data["period_single_chars"] and before and (
                        NUMERAL.match(before) or before in data["period_blockers"]):
                    continue
                pos = m.end() if from_end else len(context) - m.start()
                if pos > best_pos or (pos == best_pos and len(word) > 1):
                    best, best_pos = period, pos
    return best


def _money_unit(post: str) -> tuple[float, str, bool] | None:
    """(multiplier, rest, approximate) when post starts with a money unit."""
    words = _words()
    approx = _startswith_any(post, words["approx_after"])
    rest = post[len(approx):] if approx else post
    unit = _startswith_any(rest, words["unit_order"])
    if unit is None:
        return None
    rest = rest[len(unit):]
    after = _startswith_any(rest, words["approx_after"])
    return words["money_units"][unit], rest, bool(approx or after)


def _approx_before(before: str) -> bool:
    """Whether a hedge word (约, 近, 大概) stands right before the amount."""
    words = _words()
    if any(h in before for h in words["approx_hedges"]):
        return True
    for word in words["approx_before"]:
        if before.endswith(word):
            prior = before[-len(word) - 1:-len(word)]
            return not (prior and prior in words["approx_before_not_after"].get(word, ""))
    return False


def _amount_at(text: str, match: re.Match, clause_start: int, clause_end: int) -> _Amount | None:
    """Interpret one numeral as money (or not) using its neighbours."""
    words = _words()
    number = parse(match.group())
    # A lone magnitude before a money unit ("万元以上") means one of it, vaguely.
    prior = text[match.start() - 1:match.start()]
    bare = match.group() in MAGNITUDE and not (prior and prior in words["approx_after"])
    if number is None and bare and _money_unit(text[match.end():clause_end]):
        number = Numeral(float(MAGNITUDE[match.group()]), True)
    if number is None or (match.start() and re.match(r"[a-z/\-_]", text[match.start() - 1])):
        return None
    before, post = text[clause_start:match.start()], text[match.end():clause_end]
    unit = _money_unit(post)
    if unit is None:
        approx_tail = _startswith_any(post, words["approx_after"])
        bare_post = post[len(approx_tail):] if approx_tail else post
        if _startswith_any(bare_post, words["non_money_after"]):
            return None
        magnitude = match.group()[-1] in MAGNITUDE and MAGNITUDE[match.group()[-1]] >= 10_000
        if not magnitude and not any(c in before for c in words["money_cues"]):
            return None
        unit = (1.0, bare_post, bool(approx_tail))
    if any(c in before[-6:] for c in words["cost_cues"]):
        return None
    period = _find_period(before, True) or _find_period(unit[1][:6], False)
    if period is None:
        period = _find_period(text[:clause_start], True)
    approximate = number.vague or unit[2] or _approx_before(before)
    factor = words["period_factor"].get(period or "", 1)
    is_sum = any(w in before for w in words["sum_words"])
    return _Amount(number.value * unit[0] * factor, period, approximate or period in ("day", "shift"), is_sum)


def _amounts(text: str) -> list[_Amount]:
    """Every money mention in the text, in order."""
    ends = [m.start() for m in _CLAUSE_END.finditer(text)] + [len(text)]
    found = []
    for match in NUMERAL.finditer(text):
        start = max([e + 1 for e in ends if e < match.start()], default=0)
        end = min(e for e in ends if e >= match.end())
        amount = _amount_at(text, match, start, end)
        if amount:
            found.append(amount)
    return found


def _combined_period(periods: list[str | None]) -> str | None:
    """One period for several parts: as stated when all agree, else year."""
    stated = {p for p in periods if p}
    if not stated:
        return None
    if len(stated) == 1:
        only = stated.pop()
        return "year" if only in ("day", "shift", "halfyear") else only
    return "total" if stated == {"total"} else "year"


def extract_benefit(text: str) -> Benefit | None:
    """The economic benefit stated in a text, or None when it names no money."""
    clean = _THOUSANDS.sub("", normalize(text).lower()).replace(" ", "")
    amounts = _amounts(clean)
    if not amounts:
        return None
    sums = [a for a in amounts if a.is_sum]
    chosen = [sums[-1]] if sums and len(amounts) > 1 else amounts
    period = _combined_period([a.period for a in chosen])
    annual = sum(a.yuan for a in chosen)
    yuan = round(annual / 12 if period == "month" else annual, 2)
    return Benefit(yuan, period, any(a.approximate for a in chosen))
