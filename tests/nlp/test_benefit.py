"""Benefit amounts: a table of real-style phrasings, at least 95% exact."""

from __future__ import annotations

import dataclasses

import pytest

from nlp import Benefit, extract_benefit


def expected(row: dict[str, str]) -> Benefit | None:
    """The Benefit a table row expects."""
    if row["yuan"] == "none":
        return None
    return Benefit(float(row["yuan"]), row["period"] or None, row["approximate"] == "true")


def test_table_is_large_enough(benefit_cases: list[dict[str, str]]) -> None:
    """The issue asks for at least 80 phrasings."""
    assert len(benefit_cases) >= 80


def test_table_at_least_95_percent_exact(benefit_cases: list[dict[str, str]]) -> None:
    """Value, period and approximation all match on at least 95% of the rows."""
    failures = [(r["text"], expected(r), extract_benefit(r["text"])) for r in benefit_cases]
    failures = [f for f in failures if f[1] != f[2]]
    for text, want, got in failures:
        print(f"{text!r}: expected {want}, got {got}")
    assert 1 - len(failures) / len(benefit_cases) >= 0.95


def test_month_is_reported_per_month() -> None:
    """Per-month savings keep the monthly figure; the chat multiplies by twelve."""
    assert extract_benefit("每月节约2000元") == Benefit(2000.0, "month", False)


def test_mixed_periods_are_annualised() -> None:
    """A monthly part and a yearly part add up as a yearly figure."""
    assert extract_benefit("每月省电费2000元，一年省材料费1万元") == Benefit(34000.0, "year", False)


def test_benefit_is_frozen() -> None:
    """Results are values the chat can keep."""
    with pytest.raises(dataclasses.FrozenInstanceError):
        extract_benefit("年节约5万元").yuan = 1  # type: ignore[misc, union-attr]
