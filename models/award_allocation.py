"""Awards within a budget: a proposal by rank, staff adjustments, and why each project missed out.

Pure functions over frozen values, no database. Levels, prizes, counts, optional minimum scores
and the budget come from configuration (section "awards" of `models/data/review.json`).

Default counts: special 10, first 40, second 100, third 400, that is 10×8,000 + 40×5,000 + 100×3,000 +
400×1,000 = 980,000 yuan of the 1,000,000-yuan budget. About half of the seed city's 1,068
city-level declarations get a prize, in a pyramid of roughly 1:4:10:40, and 20,000 yuan are left
so staff can lift a tie or a project after an objection without first taking a prize away.
The default minimum is 60 points (a pass) for every level.

How the proposal decides, by rank (highest score first):

- Equal scores are one tie group and get the same level: a tie is never split. A group that does
  not fit in the places left at a level goes down a level as a whole; the places it could not use
  stay empty rather than go to a lower-ranked project.
- A level's effective minimum is the highest minimum of that level and every level below it, so
  a project never needs less for a higher prize.
- A group goes down a level when it is below the minimum, when the level's places are taken, or
  when the budget left cannot pay the prize for the whole group; below the lowest level it misses
  out, and every project ranked after it misses out too (`behind_tie` when only the rank order
  kept it out), so a lower score never gets more than a higher one.

Staff adjustments (move a project to another level, or out) are checked against the same counts,
budget and minimums; they may break the rank order on purpose, which `passed_over` reports.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum
from itertools import groupby
from types import MappingProxyType
from typing import Any

from models.errors import DomainError


@dataclass(frozen=True)
class AwardLevel:
    """One level (奖项等级): key, shown name, prize in yuan, how many, and an optional minimum."""

    key: str
    name: str
    prize: int
    count: int
    min_score: Decimal | None = None


@dataclass(frozen=True)
class AwardPlan:
    """The levels from highest to lowest and the budget in yuan."""

    levels: tuple[AwardLevel, ...]
    budget: int

    def level(self, key: str) -> AwardLevel:
        """Return the level with this key; KeyError when there is none."""
        for level in self.levels:
            if level.key == key:
                return level
        raise KeyError(key)

    def minimum(self, key: str) -> Decimal | None:
        """Return the score a project needs for this level: the highest minimum here and below."""
        index = [level.key for level in self.levels].index(key)
        mins = [level.min_score for level in self.levels[index:] if level.min_score is not None]
        return max(mins, default=None)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AwardPlan:
        """Build the plan from its configuration section; ValueError names what is wrong."""
        levels = tuple(AwardLevel(
            key=str(item["key"]), name=str(item["name"]), prize=int(item["prize"]), count=int(item["count"]),
            min_score=None if item.get("min_score") is None else Decimal(str(item["min_score"])))
            for item in data["levels"])
        keys = [level.key for level in levels]
        if len(set(keys)) != len(keys):
            raise ValueError(f"award levels need distinct keys, got {keys}")
        for level in levels:
            if level.prize < 0 or level.count < 0:
                raise ValueError(f"award level {level.key}: prize and count must not be negative")
        if int(data["budget"]) < 0:
            raise ValueError("award budget must not be negative")
        return cls(levels=levels, budget=int(data["budget"]))


@dataclass(frozen=True)
class Candidate:
    """A scored project that may get an award."""

    project: str
    score: Decimal


class MissReason(StrEnum):
    """Why a project got no award."""

    below_minimum = "below_minimum"
    count_filled = "count_filled"
    budget_exhausted = "budget_exhausted"
    behind_tie = "behind_tie"
    moved_out = "moved_out"


@dataclass(frozen=True)
class Placement:
    """A project given a level, with its score, rank and prize."""

    project: str
    score: Decimal
    rank: int
    level: str
    prize: int


@dataclass(frozen=True)
class Miss:
    """A project without an award: why, at which level it was last tried, and the figures."""

    project: str
    score: Decimal
    rank: int
    reason: MissReason
    level: str | None
    tie_size: int
    places_left: int
    budget_left: int


@dataclass(frozen=True)
class Allocation:
    """Who gets what: placements and misses in rank order, money spent and left, counts per level."""

    placements: tuple[Placement, ...]
    misses: tuple[Miss, ...]
    spent: int
    budget_left: int
    counts: Mapping[str, int]
    passed_over: tuple[str, ...]

    def level_of(self, project: str) -> str | None:
        """Return the level a project has, or None when it has none."""
        return next((p.level for p in self.placements if p.project == project), None)


def ranked(candidates: Iterable[Candidate]) -> list[tuple[int, tuple[Candidate, ...]]]:
    """Group candidates by equal score, best first, each group with its rank (1, 2, 2, 4 …)."""
    ordered = sorted(candidates, key=lambda c: (-c.score, c.project))
    projects = [c.project for c in ordered]
    if len(set(projects)) != len(projects):
        raise ValueError("each project may be a candidate only once")
    if any(not c.score.is_finite() for c in ordered):
        raise ValueError("candidate scores must be finite numbers")
    groups, seen = [], 0
    for _, members in groupby(ordered, key=lambda c: c.score):
        group = tuple(members)
        groups.append((seen + 1, group))
        seen += len(group)
    return groups


def _why_not(plan: AwardPlan, level: AwardLevel, group: Sequence[Candidate], places: int,
             budget: int) -> MissReason | None:
    """Say why a tie group cannot take this level now, or None when it can."""
    minimum = plan.minimum(level.key)
    if minimum is not None and group[0].score < minimum:
        return MissReason.below_minimum
    if len(group) > places:
        return MissReason.count_filled
    return MissReason.budget_exhausted if len(group) * level.prize > budget else None


def propose_allocation(plan: AwardPlan, candidates: Iterable[Candidate]) -> Allocation:
    """Propose levels by rank within every count and the budget; see the module text for ties."""
    placements: list[Placement] = []
    misses: list[Miss] = []
    budget, index = plan.budget, 0
    places = plan.levels[0].count if plan.levels else 0
    closed = not plan.levels  # once a group misses out, every group after it does too
    for rank, group in ranked(candidates):
        reason = _why_not(plan, plan.levels[index], group, places, budget) if plan.levels else MissReason.count_filled
        while not closed and reason is not None and index + 1 < len(plan.levels):
            index += 1
            places = plan.levels[index].count
            reason = _why_not(plan, plan.levels[index], group, places, budget)
        if not closed and reason is None:
            level = plan.levels[index]
            placements += [Placement(c.project, c.score, rank, level.key, level.prize) for c in group]
            places, budget = places - len(group), budget - len(group) * level.prize
            continue
        closed = True
        level_key = plan.levels[index].key if plan.levels else None
        misses += [Miss(c.project, c.score, rank, reason or MissReason.behind_tie, level_key, len(group), places,
                        budget) for c in group]
    return _allocation(plan, placements, misses)


def _allocation(plan: AwardPlan, placements: list[Placement], misses: list[Miss]) -> Allocation:
    """Assemble an allocation with its totals and the projects passed over by a lower score."""
    spent = sum(p.prize for p in placements)
    counts = Counter(p.level for p in placements)
    order = {level.key: i for i, level in enumerate(plan.levels)}
    standing = [(p.score, order[p.level], p.project) for p in placements]
    standing += [(m.score, len(order), m.project) for m in misses]
    passed_over, best_below = [], len(order)
    for _score, group in groupby(sorted(standing), key=lambda item: item[0]):
        members = list(group)
        passed_over += [project for _, level, project in members if level > best_below]
        best_below = min(best_below, *(level for _, level, _ in members))
    return Allocation(placements=tuple(sorted(placements, key=lambda p: (p.rank, p.project))),
                      misses=tuple(sorted(misses, key=lambda m: (m.rank, m.project))), spent=spent,
                      budget_left=plan.budget - spent,
                      counts=MappingProxyType({level.key: counts[level.key] for level in plan.levels}),
                      passed_over=tuple(sorted(passed_over)))


@dataclass(frozen=True)
class Move:
    """A staff decision: give a project another level, or take its award away (level None)."""

    project: str
    level: str | None


class ProblemCode(StrEnum):
    """What makes a set of levels impossible; handlers turn each into a sentence."""

    unknown_project = "unknown_project"
    unknown_level = "unknown_level"
    over_count = "over_count"
    over_budget = "over_budget"
    below_minimum = "below_minimum"


@dataclass(frozen=True)
class AllocationProblem:
    """One broken limit: which project or level, the value it reached and the limit."""

    code: ProblemCode
    project: str | None
    level: str | None
    value: Decimal
    limit: Decimal


class InvalidAllocation(DomainError):
    """Staff adjustments were refused; `problems` lists every limit they would break."""

    def __init__(self, problems: Sequence[AllocationProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(f"{p.code} {p.project or p.level}: {p.value} > {p.limit}" for p in self.problems))


def check_levels(plan: AwardPlan, candidates: Iterable[Candidate],
                 levels: Mapping[str, str]) -> tuple[AllocationProblem, ...]:
    """List every limit that giving these levels (project → level key) would break."""
    scores = {c.project: c.score for c in candidates}
    known = {level.key for level in plan.levels}
    problems = [AllocationProblem(ProblemCode.unknown_project, project, None, Decimal(0), Decimal(0))
                for project in sorted(levels) if project not in scores]
    problems += [AllocationProblem(ProblemCode.unknown_level, project, level, Decimal(0), Decimal(0))
                 for project, level in sorted(levels.items()) if level not in known]
    valid = {project: level for project, level in levels.items() if project in scores and level in known}
    counts = Counter(valid.values())
    problems += [AllocationProblem(ProblemCode.over_count, None, level.key, Decimal(counts[level.key]),
                                   Decimal(level.count))
                 for level in plan.levels if counts[level.key] > level.count]
    spent = sum(plan.level(level).prize for level in valid.values())
    if spent > plan.budget:
        problems.append(AllocationProblem(ProblemCode.over_budget, None, None, Decimal(spent), Decimal(plan.budget)))
    for project, level in sorted(valid.items()):
        minimum = plan.minimum(level)
        if minimum is not None and scores[project] < minimum:
            problems.append(AllocationProblem(ProblemCode.below_minimum, project, level, scores[project], minimum))
    return tuple(problems)


def adjust_allocation(plan: AwardPlan, candidates: Iterable[Candidate], proposal: Allocation,
                      moves: Sequence[Move]) -> Allocation:
    """Apply staff moves to an allocation, or raise InvalidAllocation naming every broken limit."""
    pool = list(candidates)
    before = {p.project: p.level for p in proposal.placements}
    levels = dict(before)
    for move in moves:
        if move.level is None:
            levels.pop(move.project, None)
        else:
            levels[move.project] = move.level
    problems = check_levels(plan, pool, levels)
    if problems:
        raise InvalidAllocation(problems)
    earlier = {m.project: m for m in proposal.misses}
    used = Counter(levels.values())
    left = plan.budget - sum(plan.level(level).prize for level in levels.values())
    placements: list[Placement] = []
    misses: list[Miss] = []
    for rank, group in ranked(pool):
        for c in group:
            if c.project in levels:
                level = plan.level(levels[c.project])
                placements.append(Placement(c.project, c.score, rank, level.key, level.prize))
            elif c.project in earlier:
                misses.append(replace(earlier[c.project], score=c.score, rank=rank))
            else:
                was = before.get(c.project)
                free = plan.level(was).count - used[was] if was is not None else 0
                misses.append(Miss(c.project, c.score, rank, MissReason.moved_out, was, len(group), free, left))
    return _allocation(plan, placements, misses)
