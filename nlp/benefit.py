"""The economic benefit in a worker's sentence: a yuan range a year, approximate or not, or a stated "none".

Decisions (the chat stores the annual figure):
* ``low``/``high`` are yuan **a year** whenever a period was stated: per month ×12, per
  half-year ×2, per day ×330 working days, per shift ×990 (day and shift are approximate).
  ``period`` is "year" then; "total" for a one-off or cumulative sum (累计, 一次性); None
  when no period was stated (the chat's benefit question asks for a yearly figure, so the
  chat treats it as annual). ``stated`` keeps the period the text used.
* Ranges give both ends ("两三万" 20,000–30,000, "十几万" 110,000–190,000, "3-5万"); 多/余/
  约/近/左右 give the stated figure with ``approximate``, and so does a hedge inside it ("十来万", "万把块").
* A figure alone ("七八千", "15000") is yuan only in an answer to the benefit question (``answer``).
* A figure after a correction ("五六万吧，不对，是三四万", "说错了") replaces those before it.
* Several savings are summed (each annualised); a stated total (合计, 共计) wins; when some
  figures come with a saving verb (节约, 省, 创效) only those count, so a unit cost or a
  monthly production figure beside them is not added in.
* Before/after figures without a saving verb ("年工资约为38万元 … 现在仅为10万元") give the
  difference, with ``before`` and ``after`` kept.
* Investment (投资, 投入), rewards (奖励), unit prices (单价, 每块) and figures that are not
  money (吨, %, 人, 台) are never read as the benefit: no amount is invented.
* A stated "no benefit" ("这个没有经济效益", a bare "没有") is ``kind == "none"``; "说不清" is
  ``kind == "unknown"``; None means the text says nothing about money.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from nlp.money import Mention, mentions, words
from nlp.text import compact, normalize

AMOUNT, NONE, UNKNOWN = "amount", "none", "unknown"
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")


@dataclass(frozen=True)
class Benefit:
    """What a text says about the economic benefit: an amount (yuan a year, or one-off), none, or unknown."""

    kind: str = AMOUNT
    low: float | None = None
    high: float | None = None
    approximate: bool = False
    period: str | None = None  # "year" (annualised), "total" (one-off/cumulative), None (not stated)
    stated: str | None = None  # the period as the text stated it: year, month, halfyear, day, shift, total
    before: float | None = None  # a change stated as before/after: the two figures (same period as low)
    after: float | None = None

    @property
    def yuan(self) -> float | None:
        """The low end: the figure to store when one number is wanted (None unless an amount)."""
        return self.low

    @property
    def is_range(self) -> bool:
        """Whether the text gave a range ("两三万") rather than one figure."""
        return self.low is not None and self.high is not None and self.high > self.low


def _annual(mention: Mention) -> tuple[float, float]:
    """A mention's low and high per year (as stated for one-off sums or no period)."""
    factor = words()["period_factor"].get(mention.period or "", 1)
    return mention.low * factor, mention.high * factor


def _combined_period(periods: list[str | None]) -> tuple[str | None, str | None]:
    """(period, stated) for several parts: annualised "year" unless all are one-off or none is stated."""
    stated = {p for p in periods if p}
    if not stated:
        return None, None
    if stated == {"total"}:
        return "total", "total"
    return "year", stated.pop() if len(stated) == 1 else "year"


def _amount(chosen: list[Mention], before: float | None = None, after: float | None = None) -> Benefit:
    """The benefit of the chosen mentions, summed and annualised."""
    period, stated = _combined_period([m.period for m in chosen])
    low = round(sum(_annual(m)[0] for m in chosen), 2)
    high = round(sum(_annual(m)[1] for m in chosen), 2)
    if low <= 0:
        return Benefit(NONE)
    return Benefit(AMOUNT, low, high, any(m.approximate for m in chosen), period, stated, before, after)


def _difference(found: list[Mention]) -> Benefit | None:
    """The saving when the figures are a cost before and after a change, else None."""
    before = [m for m in found if m.role == "before"]
    after = [m for m in found if m.role == "after"]
    if not before or not after:
        return None
    was, now = sum(_annual(m)[0] for m in before), sum(_annual(m)[0] for m in after)
    if was <= now:
        return None
    period, stated = _combined_period([m.period for m in before + after])
    approximate = any(m.approximate for m in before + after)
    saved = round(was - now, 2)
    return Benefit(AMOUNT, saved, saved, approximate, period, stated, round(was, 2), round(now, 2))


def _statement(text: str) -> Benefit | None:
    """A stated "no benefit" or "can't say", for a text without amounts."""
    data: dict[str, Any] = words()
    core = compact(text)
    if core in data["none_answers"] or any(p in core for p in data["none_phrases"]):
        return Benefit(NONE)
    if any(p in core for p in data["unknown_phrases"]):
        return Benefit(UNKNOWN)
    return None


def _after_correction(text: str) -> str:
    """The text after its last correction ("五六万吧，不对，是三四万" → "是三四万") when a figure follows it."""
    at = max((text.rfind(cue) + len(cue) for cue in words()["correction_cues"] if cue in text), default=-1)
    return text[at:] if at > 0 and mentions(text[at:], bare_is_money=True) else text


def states_no_benefit(text: str) -> bool:
    """Whether a text says in so many words that there is no benefit ("没有经济效益"), not a bare "没有" (a no)."""
    return any(p in compact(text) for p in words()["none_phrases"])


def extract_benefit(text: str, answer: bool = False) -> Benefit | None:
    """The economic benefit stated in a text; None when it says nothing about money.

    `answer`: the text answers the benefit question, so a figure without a unit ("七八千", "15000") is yuan.
    """
    clean = _THOUSANDS.sub("", normalize(text).lower()).replace(" ", "")
    found = mentions(_after_correction(clean), bare_is_money=answer)
    if not found:
        return _statement(text)
    saving = [m for m in found if m.saving]
    if not saving:
        changed = _difference(found)
        if changed is not None:
            return changed
    sums = [m for m in found if m.is_sum]
    if sums and len(found) > 1:
        return _amount([sums[-1]])  # a stated total wins over its parts
    return _amount(saving or found)


def format_yuan(low: float, high: float | None = None, approximate: bool = False) -> str:
    """A benefit for people: "约2–3万元", "3.2万元", "8000元" (the one wording for chat, pages and exports)."""
    shown = words()["display"]
    high = low if high is None else high
    approx = shown["approximate"] if approximate or high > low else ""
    if high >= 10_000:
        ends = [_trim(v / 10_000) for v in (low, high)]
        unit = shown["ten_thousand"]
    else:
        ends, unit = [_trim(v) for v in (low, high)], shown["yuan"]
    figure = ends[0] if ends[0] == ends[1] else f"{ends[0]}{shown['range']}{ends[1]}"
    return f"{approx}{figure}{unit}"


def _trim(value: float) -> str:
    """A figure with at most two decimals and no trailing zeros."""
    return f"{value:.2f}".rstrip("0").rstrip(".")
