"""Chinese and Arabic numerals in workers' text, read with cn2an, as a low and a high value.

Only the character classes of numerals live here; the words around them (units,
periods) are in nlp/data/benefit.json. "两三万" is a range (20,000–30,000), "十几万" too
(110,000–190,000), "几万"/"数万" a vague one (10,000–90,000); a plain figure has low == high.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass

DIGITS = "0-9零〇一二两三四五六七八九十百千万亿点几数.壹贰叁肆伍陆柒捌玖拾佰仟"
NUMERAL = re.compile(f"[{DIGITS}]+")
_HAS_DIGIT = re.compile("[0-9零〇一二两三四五六七八九十几数壹贰叁肆伍陆柒捌玖拾]")
MAGNITUDE = {"万": 10_000, "亿": 100_000_000, "千": 1_000}
# "二三十" and "三四万": two adjacent digits name a range.
_RANGE = re.compile("([一二两三四五六七八九])([一二两三四五六七八九])(?=[十百千万])")
_VAGUE = re.compile("[几数]")
_LEADING = "十百千万亿"


@dataclass(frozen=True)
class Numeral:
    """A parsed number: its low and high value, and whether it was vague (几, ranges)."""

    value: float
    vague: bool
    high: float | None = None  # None: the same as value

    @property
    def top(self) -> float:
        """The high end of the range (the value itself for a plain figure)."""
        return self.value if self.high is None else self.high


def _cn2an(text: str) -> float:
    """cn2an in smart mode (accepts mixtures like 1万5千), quietly."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import cn2an

        return float(cn2an.cn2an(text, "smart"))


def _value(span: str) -> float | None:
    """The value of a numeral without ranges or vague digits, or None."""
    if span and span[0] in _LEADING and span[0] != "十":
        span = "一" + span  # "万元以上", "百万": one of it
    try:
        return _cn2an(span)
    except (ValueError, KeyError, IndexError):
        pass
    head, unit = span[:-1], span[-1:]
    if unit in MAGNITUDE and head:
        inner = _value(head)
        if inner is not None:
            return inner * MAGNITUDE[unit]
    return None


def _vague_bounds(span: str) -> tuple[str, str]:
    """Low and high spans for 几/数: "十几万" -> 十一万..十九万, "几十万" -> 一十万..九十万, "几万" -> 一万..九万."""
    low, high = span, span
    for match in reversed(list(_VAGUE.finditer(span))):
        at = match.start()
        after_ten = at > 0 and span[at - 1] == "十"
        low = low[:at] + "一" + low[at + 1:]
        high = high[:at] + "九" + high[at + 1:]
        if not after_ten and at + 1 < len(span) and span[at + 1] not in "十百千万亿":
            low, high = low[:at] + low[at + 1:], high[:at] + high[at + 1:]
    return low, high


def parse(span: str) -> Numeral | None:
    """Value of a numeral span ("3.2万", "一万二", "十几万", "二三十万", "数十万"), or None."""
    span = span.strip(".点")
    magnitudes_only = len(span) > 1 and set(span) <= set(_LEADING)  # "百万", "十万": one of it
    if not span or not (_HAS_DIGIT.search(span) or magnitudes_only):
        return None
    ranged = _RANGE.search(span)
    if ranged:
        low_span, high_span = _RANGE.sub(r"\1", span, count=1), _RANGE.sub(r"\2", span, count=1)
    elif _VAGUE.search(span):
        low_span, high_span = _vague_bounds(span)
    else:
        value = _value(span)
        return None if value is None else Numeral(value, False)
    low, high = _value(low_span), _value(high_span)
    if low is None or high is None:
        return None
    return Numeral(low, True, high)
