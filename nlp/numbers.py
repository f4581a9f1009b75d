"""Chinese and Arabic numerals in workers' text, read with cn2an.

Only the character classes of numerals live here; the words around them (units,
periods) are in nlp/data/benefit.json.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass

DIGITS = "0-9零〇一二两三四五六七八九十百千万亿点几.壹贰叁肆伍陆柒捌玖拾佰仟"
NUMERAL = re.compile(f"[{DIGITS}]+")
_HAS_DIGIT = re.compile("[0-9零〇一二两三四五六七八九十几壹贰叁肆伍陆柒捌玖拾]")
MAGNITUDE = {"万": 10_000, "亿": 100_000_000, "千": 1_000}
# "二三十" and "三四万": two adjacent digits name a range; keep the lower.
_RANGE = re.compile("([一二两三四五六七八九])[一二两三四五六七八九](?=[十百千万])")


@dataclass(frozen=True)
class Numeral:
    """A parsed number and whether it was vague (几, ranges)."""

    value: float
    vague: bool


def _cn2an(text: str) -> float:
    """cn2an in smart mode (accepts mixtures like 1万5千), quietly."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import cn2an

        return float(cn2an.cn2an(text, "smart"))


def parse(span: str) -> Numeral | None:
    """Value of a numeral span ("3.2万", "一万二", "十几万", "二三十万"), or None."""
    span = span.strip(".点")
    if not span or not _HAS_DIGIT.search(span):
        return None
    vague = "几" in span or bool(_RANGE.search(span))
    span = _RANGE.sub(r"\1", span)
    span = span.replace("几十", "十").replace("几百", "百").replace("几千", "千")
    span = span.replace("几", "")
    if span and span[0] in MAGNITUDE:
        span = "一" + span
    try:
        return Numeral(_cn2an(span), vague)
    except (ValueError, KeyError, IndexError):
        pass
    head, unit = span[:-1], span[-1:]
    if unit in MAGNITUDE and head:
        inner = parse(head)
        if inner:
            return Numeral(inner.value * MAGNITUDE[unit], vague or inner.vague)
    return None
