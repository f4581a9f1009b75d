"""Benefit amounts: phrasings written for the chat, real descriptions from public pages, and the API's shape."""

from __future__ import annotations

import dataclasses

import pytest

from nlp import Benefit, extract_benefit, format_yuan


def matches(row: dict[str, str], got: Benefit | None) -> bool:
    """Whether a result is what the row expects (an empty period column on the real set means either)."""
    if not row["kind"]:
        return got is None
    if got is None or got.kind != row["kind"]:
        return False
    if row["kind"] != "amount":
        return True
    period_ok = (got.period or "") == row["period"] or ("source" in row and not row["period"])
    return (got.low, got.high, got.approximate) == (
        float(row["low"]), float(row["high"]), row["approximate"] == "true") and period_ok


def report(rows: list[dict[str, str]]) -> list[str]:
    """The rows read wrongly, printed for the reader of `pytest -s`."""
    wrong = [r["text"] for r in rows if not matches(r, extract_benefit(r["text"]))]
    for text in wrong:
        print(f"{text!r}: got {extract_benefit(text)}")
    return wrong


def test_written_table_at_least_95_percent_exact(benefit_cases: list[dict[str, str]]) -> None:
    """Kind, low, high, period and approximation all match on at least 95% of the written phrasings."""
    assert len(benefit_cases) >= 100
    wrong = report(benefit_cases)
    print(f"written phrasings: {len(benefit_cases) - len(wrong)}/{len(benefit_cases)}")
    assert 1 - len(wrong) / len(benefit_cases) >= 0.95


def test_real_descriptions_at_least_90_percent_and_nothing_invented(benefit_real: list[dict[str, str]]) -> None:
    """Sentences from public pages: ≥ 90% read right, and no amount where the text states no yuan."""
    assert len(benefit_real) >= 40 and all(r["source"].startswith("http") for r in benefit_real)
    wrong = report(benefit_real)
    print(f"real descriptions: {len(benefit_real) - len(wrong)}/{len(benefit_real)}")
    assert 1 - len(wrong) / len(benefit_real) >= 0.9
    invented = [r["text"] for r in benefit_real if not r["kind"] and extract_benefit(r["text"]) is not None]
    assert invented == []


def test_monthly_figures_are_annualised() -> None:
    """Per-month savings come back per year, with the stated period kept."""
    assert extract_benefit("每月节约2000元") == Benefit("amount", 24000.0, 24000.0, False, "year", "month")


def test_mixed_periods_are_annualised() -> None:
    """A monthly part and a yearly part add up as a yearly figure."""
    got = extract_benefit("每月省电费2000元，一年省材料费1万元")
    assert got is not None and (got.low, got.period) == (34000.0, "year")


def test_ranges_carry_both_ends() -> None:
    """"两三万" is 20,000–30,000 and approximate; yuan (the stored figure) is the low end."""
    got = extract_benefit("一年能省两三万")
    assert got is not None and (got.low, got.high, got.approximate, got.is_range) == (20000.0, 30000.0, True, True)
    assert got.yuan == 20000.0


def test_before_and_after_give_the_difference() -> None:
    """Wages before and after a change: the benefit is the difference, both figures kept."""
    got = extract_benefit("原先年工资约为38万元，现在年工资仅为10万元")
    assert got is not None and (got.low, got.before, got.after, got.approximate) == (280000.0, 380000.0, 100000.0, True)


def test_stated_none_is_not_unknown() -> None:
    """"没有经济效益" says none; "说不清" says unknown; a text without money says nothing."""
    assert extract_benefit("这个没有经济效益").kind == "none"  # type: ignore[union-attr]
    assert extract_benefit("说不清").kind == "unknown"  # type: ignore[union-attr]
    assert extract_benefit("皮带机清扫器改进") is None


def test_benefit_is_frozen() -> None:
    """Results are values the chat can keep."""
    with pytest.raises(dataclasses.FrozenInstanceError):
        extract_benefit("年节约5万元").low = 1  # type: ignore[misc, union-attr]


@pytest.mark.parametrize(("low", "high", "approximate", "shown"), [
    (20000, 30000, True, "约2–3万元"), (32000, 32000, False, "3.2万元"), (300000, None, True, "约30万元"),
    (8000, 8000, False, "8000元"), (5000, 8000, True, "约5000–8000元"),
])
def test_one_wording_for_amounts(low: float, high: float | None, approximate: bool, shown: str) -> None:
    """format_yuan is how the chat, the pages and the exports show a benefit."""
    assert format_yuan(low, high, approximate) == shown
