"""The score sheet: what a reviewer may enter, what totals staff see, and which projects get flagged."""
from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.review_config import REVIEW_FILE, load_review_config
from models.score_sheet import (
    InvalidScores, ProblemCode, ScoreCard, ScoreSheet, project_score, read_scores, suggest_band,
    validate_scores, weighted_total,
)

SHEET = load_review_config().score_sheet


def card(innovation: int, practicality: int, benefit: int, promotion: int) -> ScoreCard:
    """A checked card in the default sheet's order."""
    return read_scores(SHEET, {"innovation": innovation, "practicality": practicality,
                               "benefit": benefit, "promotion": promotion})


def test_default_sheet_is_the_issues_weights_with_chinese_names_from_the_data_file():
    assert [(c.name, c.weight) for c in SHEET.criteria] == [
        ("创新性", 30), ("实用性", 30), ("经济效益", 25), ("推广价值", 15)]
    assert SHEET.max_score == 100
    assert [b.name for b in SHEET.criterion("benefit").bands][-1] == "年效益50万元以上"


def test_weighted_total_is_the_weighted_mean_to_a_hundredth():
    assert weighted_total(SHEET, card(90, 80, 70, 60)) == Decimal("77.50")  # (2700+2400+1750+900)/100
    assert weighted_total(SHEET, card(100, 100, 100, 100)) == Decimal("100.00")
    assert weighted_total(SHEET, card(0, 0, 0, 0)) == Decimal("0.00")


def test_form_strings_are_read_including_full_width_digits_and_spaces():
    scored = read_scores(SHEET, {"innovation": " 85 ", "practicality": "８０", "benefit": "60", "promotion": 70})
    assert dict(scored.scores) == {"innovation": 85, "practicality": 80, "benefit": 60, "promotion": 70}


def test_every_problem_is_reported_at_once_naming_its_criterion():
    raw = {"innovation": "", "practicality": "abc", "benefit": "48", "promotion": "101", "novelty": "5"}
    with pytest.raises(InvalidScores) as error:
        read_scores(SHEET, raw)
    assert [(p.criterion, p.name, p.code) for p in error.value.problems] == [
        ("innovation", "创新性", ProblemCode.missing),
        ("practicality", "实用性", ProblemCode.not_a_number),
        ("benefit", "经济效益", ProblemCode.outside_bands),
        ("promotion", "推广价值", ProblemCode.out_of_range),
        ("novelty", "novelty", ProblemCode.unknown),
    ]
    assert "promotion: out_of_range (0-100)" in str(error.value)


def test_banded_criterion_refuses_a_score_between_bands_and_says_the_bands_span():
    problems = validate_scores(SHEET, {"innovation": 80, "practicality": 80, "benefit": 48, "promotion": 80})
    assert [(p.criterion, p.code, p.low, p.high) for p in problems] == [
        ("benefit", ProblemCode.outside_bands, 0, 100)]
    assert SHEET.criterion("benefit").band_for(48) is None
    assert SHEET.criterion("benefit").band_for(50).key == "notable"


@pytest.mark.parametrize("value", [85.5, "85.5", True, "inf", "nan", "八十", [85]])
def test_only_whole_numbers_are_scores(value):
    problems = validate_scores(SHEET, {"innovation": value, "practicality": 80, "benefit": 60, "promotion": 80})
    assert [(p.criterion, p.code) for p in problems] == [("innovation", ProblemCode.not_a_number)]


@pytest.mark.parametrize("amount, band", [
    (None, None), (Decimal("-5"), None), (0, "none"), (Decimal("0.50"), "none"), (1, "some"),
    (Decimal("99999.99"), "some"), (100000, "notable"), (Decimal("499999"), "notable"),
    (500000, "major"), (12000000, "major"),
])
def test_benefit_band_is_suggested_from_the_stated_yearly_amount(amount, band):
    suggestion = suggest_band(SHEET, amount)
    assert (suggestion.band.key if suggestion else None) == band
    if suggestion:
        assert suggestion.criterion == "benefit"


def test_project_score_is_the_mean_of_reviewer_totals_with_criterion_means():
    score = project_score(SHEET, [card(90, 80, 70, 60), card(80, 80, 60, 60), card(70, 80, 66, 60)])
    assert score.reviewers == 3
    # totals 77.50, 72.00 and 70.50: mean 220/3
    assert score.total == Decimal("73.33")
    assert dict(score.criteria) == {"innovation": Decimal("80.00"), "practicality": Decimal("80.00"),
                                    "benefit": Decimal("65.33"), "promotion": Decimal("60.00")}
    assert score.spread == Decimal("7.00") and not score.flagged
    assert project_score(SHEET, []) is None


def test_a_project_whose_reviewers_differ_by_more_than_the_spread_is_flagged():
    at_limit = project_score(SHEET, [card(80, 80, 80, 80), card(60, 60, 60, 60)])
    assert at_limit.spread == Decimal("20.00") and not at_limit.flagged
    beyond = project_score(SHEET, [card(81, 80, 80, 80), card(60, 60, 60, 60)])
    assert beyond.flagged


def test_rounding_happens_once_at_the_end():
    sheet = ScoreSheet.from_dict({"criteria": [{"key": "a", "name": "a", "weight": 1},
                                               {"key": "b", "name": "b", "weight": 7}]})
    cards = [read_scores(sheet, {"a": 1, "b": 0}), read_scores(sheet, {"a": 0, "b": 0})]
    assert weighted_total(sheet, cards[0]) == Decimal("0.13")  # 1/8 shown half-up
    # The exact mean is 1/16 = 0.0625; averaging the rounded totals would give 0.065 -> 0.07.
    assert project_score(sheet, cards).total == Decimal("0.06")


@given(st.lists(st.tuples(*[st.integers(0, 100)] * 4), min_size=1, max_size=7))
def test_project_score_lies_between_its_lowest_and_highest_reviewer(rows):
    cards = [read_scores(SHEET, {"innovation": a, "practicality": b, "benefit": c, "promotion": d})
             for a, b, c, d in rows if SHEET.criterion("benefit").band_for(c)]
    score = project_score(SHEET, cards)
    if not cards:
        assert score is None
        return
    totals = [weighted_total(SHEET, c) for c in cards]
    assert min(totals) - Decimal("0.01") <= score.total <= max(totals) + Decimal("0.01")
    exact = [Fraction(30 * a + 30 * b + 25 * c + 15 * d, 100) for a, b, c, d in rows if SHEET.criterion("benefit").band_for(c)]
    assert score.flagged == (max(exact) - min(exact) > 20)


def test_a_deployment_can_use_its_own_sheet_with_bands_on_any_criterion(tmp_path: Path):
    data = json.loads(REVIEW_FILE.read_text(encoding="utf-8"))
    data["score_sheet"] = {"max_score": 10, "spread": 2, "criteria": [
        {"key": "safety", "name": "安全效益", "weight": 1, "bands": [
            {"key": "low", "name": "一般", "low": 0, "high": 4}, {"key": "high", "name": "显著", "low": 8, "high": 10}]},
        {"key": "cost", "name": "成本", "weight": 1}]}
    path = tmp_path / "review.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    sheet = load_review_config(path).score_sheet
    assert [p.code for p in validate_scores(sheet, {"safety": 6, "cost": 11})] == [
        ProblemCode.outside_bands, ProblemCode.out_of_range]
    assert weighted_total(sheet, read_scores(sheet, {"safety": 9, "cost": 4})) == Decimal("6.50")
    assert suggest_band(sheet, 1000000) is None  # no criterion bands by amount here


@pytest.mark.parametrize("broken, message", [
    ({"criteria": []}, "distinct keys"),
    ({"criteria": [{"key": "a", "name": "a", "weight": 1}, {"key": "a", "name": "b", "weight": 1}]}, "distinct keys"),
    ({"criteria": [{"key": "a", "name": "a", "weight": -1}]}, "weight"),
    ({"criteria": [{"key": "a", "name": "a", "weight": 0}]}, "more than 0"),
    ({"criteria": [{"key": "a", "name": "a", "weight": 1, "bands": [
        {"key": "x", "name": "x", "low": 0, "high": 120}]}]}, "band x"),
    ({"criteria": [{"key": "a", "name": "a", "weight": 1, "bands": [
        {"key": "x", "name": "x", "low": 0, "high": 10, "min_amount": 5},
        {"key": "y", "name": "y", "low": 11, "high": 20, "min_amount": 5}]}]}, "strictly increasing"),
])
def test_a_broken_sheet_is_refused_naming_the_fault(broken, message):
    with pytest.raises(ValueError, match=message):
        ScoreSheet.from_dict(broken)
