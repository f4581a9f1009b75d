"""Award allocation: within the budget and counts, by rank, ties kept together, every miss explained."""
from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.award_allocation import (
    Allocation, AwardPlan, Candidate, InvalidAllocation, MissReason, Move, ProblemCode, adjust_allocation,
    check_levels, propose_allocation, ranked,
)
from models.review_config import REVIEW_FILE, load_review_config

DEFAULT = load_review_config().awards


def plan(*levels: tuple[str, int, int, str | None], budget: int) -> AwardPlan:
    """A plan from (key, prize, count, min_score) rows."""
    return AwardPlan.from_dict({"budget": budget, "levels": [
        {"key": key, "name": key, "prize": prize, "count": count, "min_score": minimum}
        for key, prize, count, minimum in levels]})


def candidates(*scores: str | int) -> list[Candidate]:
    """Projects p1, p2, … with these scores."""
    return [Candidate(f"p{n}", Decimal(str(score))) for n, score in enumerate(scores, 1)]


def levels(allocation: Allocation) -> dict[str, str | None]:
    """Project → level, None for the ones that missed out."""
    result: dict[str, str | None] = {p.project: p.level for p in allocation.placements}
    result.update({m.project: None for m in allocation.misses})
    return result


SMALL = plan(("first", 5000, 1, None), ("second", 3000, 2, None), ("third", 1000, 3, "60"), budget=100000)


def test_default_levels_prizes_and_counts_fit_the_budget():
    assert [(l.name, l.prize, l.count) for l in DEFAULT.levels] == [
        ("特等奖", 8000, 10), ("一等奖", 5000, 40), ("二等奖", 3000, 100), ("三等奖", 1000, 400)]
    assert DEFAULT.budget == 1_000_000
    assert sum(l.prize * l.count for l in DEFAULT.levels) == 980_000
    assert [DEFAULT.minimum(l.key) for l in DEFAULT.levels] == [Decimal(60)] * 4


def test_levels_go_by_rank():
    allocation = propose_allocation(SMALL, candidates(90, 95, 80, 85, 70, 75, 65))
    assert levels(allocation) == {"p2": "first", "p1": "second", "p4": "second", "p3": "third", "p6": "third",
                                  "p5": "third", "p7": None}
    assert allocation.spent == 5000 + 2 * 3000 + 3 * 1000 and allocation.budget_left == 100000 - 14000
    assert dict(allocation.counts) == {"first": 1, "second": 2, "third": 3}
    assert [(m.project, m.reason, m.level, m.places_left) for m in allocation.misses] == [
        ("p7", MissReason.count_filled, "third", 0)]


def test_a_tie_is_never_split_and_the_places_it_cannot_use_stay_empty():
    allocation = propose_allocation(SMALL, candidates(90, 88, 88, 88, 70))
    # Three share 88: too many for second's two places, so all three take third; p5 would have
    # fitted in second's places but ranks below them, and third is full.
    assert levels(allocation) == {"p1": "first", "p2": "third", "p3": "third", "p4": "third", "p5": None}
    assert dict(allocation.counts) == {"first": 1, "second": 0, "third": 3}
    assert [r for r, _ in ranked(candidates(90, 88, 88, 88, 70))] == [1, 2, 5]


def test_projects_behind_a_tie_that_did_not_fit_miss_out_and_are_told_why():
    allocation = propose_allocation(SMALL, candidates(90, 85, 84, 70, 70, 70, 70, 65))
    assert levels(allocation)["p3"] == "second"
    misses = [(m.project, m.reason, m.tie_size, m.places_left) for m in allocation.misses]
    assert misses == [("p4", MissReason.count_filled, 4, 3), ("p5", MissReason.count_filled, 4, 3),
                      ("p6", MissReason.count_filled, 4, 3), ("p7", MissReason.count_filled, 4, 3),
                      ("p8", MissReason.behind_tie, 1, 3)]


def test_below_the_minimum_means_no_award_even_with_places_left():
    allocation = propose_allocation(SMALL, candidates(90, 59, "59.99", 60))
    assert levels(allocation) == {"p1": "first", "p4": "second", "p2": None, "p3": None}
    assert {m.reason for m in allocation.misses} == {MissReason.below_minimum}


def test_a_higher_level_never_needs_less_than_a_lower_one():
    strict = plan(("first", 5000, 5, "70"), ("second", 3000, 5, "80"), budget=100000)
    assert strict.minimum("first") == Decimal(80)
    assert levels(propose_allocation(strict, candidates(75, 85))) == {"p1": None, "p2": "first"}


def test_when_the_budget_runs_out_projects_go_down_to_a_prize_that_fits_or_miss_out():
    tight = plan(("first", 5000, 5, None), ("second", 3000, 5, None), ("third", 1000, 5, None), budget=12000)
    allocation = propose_allocation(tight, candidates(95, 90, 85, 80, 75, 70))
    # 2,000 yuan are left after two first prizes: p3 cannot have first or second, but third fits.
    assert levels(allocation) == {"p1": "first", "p2": "first", "p3": "third", "p4": "third", "p5": None, "p6": None}
    assert allocation.spent == 12000 and allocation.budget_left == 0
    assert [(m.project, m.reason, m.level, m.budget_left) for m in allocation.misses] == [
        ("p5", MissReason.budget_exhausted, "third", 0), ("p6", MissReason.budget_exhausted, "third", 0)]


def test_no_levels_or_no_candidates():
    assert propose_allocation(SMALL, []).placements == ()
    empty = propose_allocation(plan(budget=0), candidates(99))
    assert [(m.reason, m.level) for m in empty.misses] == [(MissReason.count_filled, None)]


def test_a_candidate_may_appear_only_once_and_scores_must_be_numbers():
    with pytest.raises(ValueError):
        propose_allocation(SMALL, [Candidate("p1", Decimal(90)), Candidate("p1", Decimal(80))])
    with pytest.raises(ValueError):
        propose_allocation(SMALL, [Candidate("p1", Decimal("NaN"))])


def test_staff_may_move_a_project_within_the_limits_and_are_told_what_breaks():
    pool = candidates(90, 95, 80, 85, 70, 75, 65)
    proposal = propose_allocation(SMALL, pool)
    adjusted = adjust_allocation(SMALL, pool, proposal, [Move("p6", None), Move("p7", "third")])
    assert levels(adjusted)["p7"] == "third" and levels(adjusted)["p6"] is None
    moved_out = next(m for m in adjusted.misses if m.project == "p6")
    assert (moved_out.reason, moved_out.level) == (MissReason.moved_out, "third")
    assert adjusted.passed_over == ("p6",)  # p7 (65) has an award that p6 (75) has not
    with pytest.raises(InvalidAllocation) as error:
        adjust_allocation(SMALL, pool, proposal, [Move("p3", "first"), Move("p9", "third"), Move("p5", "gold")])
    assert {(p.code, p.project, p.level) for p in error.value.problems} == {
        (ProblemCode.over_count, None, "first"), (ProblemCode.unknown_project, "p9", None),
        (ProblemCode.unknown_level, "p5", "gold")}


def test_staff_cannot_award_below_the_minimum_or_beyond_the_budget():
    pool = candidates(90, 50)
    proposal = propose_allocation(SMALL, pool)
    with pytest.raises(InvalidAllocation) as error:
        adjust_allocation(SMALL, pool, proposal, [Move("p2", "third")])
    assert [(p.code, p.value, p.limit) for p in error.value.problems] == [
        (ProblemCode.below_minimum, Decimal(50), Decimal(60))]
    poor = plan(("first", 5000, 2, None), budget=6000)
    with pytest.raises(InvalidAllocation) as error:
        adjust_allocation(poor, candidates(90, 80), propose_allocation(poor, candidates(90, 80)), [Move("p2", "first")])
    assert [(p.code, p.value, p.limit) for p in error.value.problems] == [
        (ProblemCode.over_budget, Decimal(10000), Decimal(6000))]


def test_a_deployment_sets_its_own_levels():
    data = json.loads(REVIEW_FILE.read_text(encoding="utf-8"))["awards"]
    data["levels"][0]["count"] = -1
    with pytest.raises(ValueError, match="special"):
        AwardPlan.from_dict(data)


def test_the_seed_citys_1068_projects_fit_with_the_defaults():
    pool = [Candidate(f"2026-{n:04d}", Decimal(95) - Decimal(n) / 20) for n in range(1068)]
    allocation = propose_allocation(DEFAULT, pool)
    assert dict(allocation.counts) == {"special": 10, "first": 40, "second": 100, "third": 400}
    assert allocation.spent == 980_000
    assert {m.reason for m in allocation.misses} == {MissReason.count_filled, MissReason.below_minimum}


scores = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)
level_rows = st.lists(st.tuples(st.integers(0, 9000), st.integers(0, 6), st.none() | st.integers(0, 100)),
                      min_size=0, max_size=4)


@st.composite
def cases(draw: st.DrawFn) -> tuple[AwardPlan, list[Candidate]]:
    """A random plan and a pool of candidates, with many ties (scores from a small set)."""
    rows = draw(level_rows)
    award_plan = plan(*[(f"l{i}", prize, count, None if m is None else str(m)) for i, (prize, count, m) in
                        enumerate(sorted(rows, key=lambda r: -r[0]))], budget=draw(st.integers(0, 60000)))
    palette = draw(st.lists(scores, min_size=1, max_size=6))
    pool = [Candidate(f"p{n}", draw(st.sampled_from(palette))) for n in range(draw(st.integers(0, 30)))]
    return award_plan, pool


def assert_within_limits(award_plan: AwardPlan, pool: list[Candidate], allocation: Allocation) -> None:
    """The promise to staff: never above the budget, a count or a minimum; everyone accounted for."""
    assert allocation.spent <= award_plan.budget
    assert allocation.spent == sum(p.prize for p in allocation.placements)
    for level in award_plan.levels:
        assert allocation.counts[level.key] <= level.count
    for placement in allocation.placements:
        minimum = award_plan.minimum(placement.level)
        assert minimum is None or placement.score >= minimum
    assert sorted(levels(allocation)) == sorted(c.project for c in pool)


@settings(max_examples=300, deadline=None)
@given(cases())
def test_the_proposal_keeps_every_limit_and_the_rank_order(case):
    award_plan, pool = case
    allocation = propose_allocation(award_plan, pool)
    assert_within_limits(award_plan, pool, allocation)
    order = {level.key: i for i, level in enumerate(award_plan.levels)}
    standing = {p.project: order[p.level] for p in allocation.placements}
    for a in pool:
        for b in pool:
            if a.score > b.score:
                assert standing.get(a.project, len(order)) <= standing.get(b.project, len(order))
            if a.score == b.score:
                assert standing.get(a.project) == standing.get(b.project)
    assert allocation.passed_over == ()
    for miss in allocation.misses:  # the reason given is true
        if miss.reason is MissReason.count_filled and miss.level is not None:
            assert miss.tie_size > miss.places_left
        if miss.reason is MissReason.budget_exhausted:
            assert miss.tie_size * award_plan.level(miss.level).prize > miss.budget_left
        if miss.reason is MissReason.below_minimum:
            assert miss.score < award_plan.minimum(miss.level)


@settings(max_examples=300, deadline=None)
@given(cases(), st.data())
def test_any_adjustment_that_is_accepted_keeps_every_limit(case, data):
    award_plan, pool = case
    proposal = propose_allocation(award_plan, pool)
    keys = [level.key for level in award_plan.levels] + [None, "nowhere"]
    projects = [c.project for c in pool] + ["stranger"]
    moves = data.draw(st.lists(st.builds(Move, st.sampled_from(projects), st.sampled_from(keys)), max_size=6))
    try:
        adjusted = adjust_allocation(award_plan, pool, proposal, moves)
    except InvalidAllocation as error:
        assert error.problems
        return
    assert_within_limits(award_plan, pool, adjusted)
    target = {p.project: p.level for p in proposal.placements}
    for move in moves:
        target[move.project] = move.level
    assert {p.project: p.level for p in adjusted.placements} == {k: v for k, v in target.items() if v}
    assert check_levels(award_plan, pool, {p.project: p.level for p in adjusted.placements}) == ()
