"""Assigning reviewers to projects by professional group (专业组), away from their own enterprise.

Pure planning over frozen values, no database: the caller passes the round's projects (with
their system and enterprise), its reviewers (with the systems they judge and their enterprise)
and the assignments already made; `plan_assignments` says which to add and which projects
cannot get enough reviewers, and why.

The rules, in order of strength:

1. A reviewer is eligible for a project when the project's system is one of theirs and they do
   not belong to the project's enterprise (conflict of interest). A reviewer with no enterprise
   (an outside expert) is never in conflict.
2. Existing assignments are kept as long as they are still eligible, so re-running after adding
   projects or reviewers never moves work a reviewer may already have started. Ones that are no
   longer eligible (reviewer gone, system changed, conflict) are reported as `stale`, not
   counted, and left for staff to remove.
3. Each project gets up to `reviewers_per_project` (default 3); projects with fewer eligible
   reviewers than that are filled as far as possible and reported as shortfalls with the reason.
4. Load is spread evenly: each new place goes to the eligible reviewer with the fewest
   assignments in the round. The most constrained projects (fewest eligible reviewers) are filled
   first, so flexible ones can even out the load after them. Ties are broken by a hash of the
   project and reviewer keys, so the same reviewers are not always grouped together, and the
   plan is the same for the same inputs whatever their order.
"""
from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Any


@dataclass(frozen=True)
class AssignmentRules:
    """How many reviewers each project needs (from configuration)."""

    reviewers_per_project: int = 3

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AssignmentRules:
        """Build the rules from their configuration section; ValueError when the count is below 1."""
        count = int(data.get("reviewers_per_project", 3))
        if count < 1:
            raise ValueError("reviewers_per_project must be at least 1")
        return cls(reviewers_per_project=count)


@dataclass(frozen=True)
class ProjectToReview:
    """A project as assignment sees it: its key, system and enterprise (None when unknown)."""

    key: str
    system: str | None
    enterprise: str | None


@dataclass(frozen=True)
class Reviewer:
    """A reviewer: key, the systems of their professional group(s), their enterprise if any."""

    key: str
    systems: frozenset[str]
    enterprise: str | None = None


@dataclass(frozen=True, order=True)
class Assignment:
    """One project given to one reviewer."""

    project: str
    reviewer: str


class ShortfallReason(StrEnum):
    """Why a project got fewer reviewers than it needs."""

    no_system = "no_system"
    no_group = "no_group"
    conflict = "conflict"
    group_too_small = "group_too_small"


class StaleReason(StrEnum):
    """Why an existing assignment no longer counts."""

    unknown_project = "unknown_project"
    unknown_reviewer = "unknown_reviewer"
    not_in_group = "not_in_group"
    conflict = "conflict"


@dataclass(frozen=True)
class Shortfall:
    """A project that could not get enough eligible reviewers, with the figures staff need."""

    project: str
    needed: int
    assigned: int
    reason: ShortfallReason
    group_size: int
    in_conflict: int


@dataclass(frozen=True)
class StaleAssignment:
    """An existing assignment that is no longer eligible, and why."""

    assignment: Assignment
    reason: StaleReason


@dataclass(frozen=True)
class AssignmentPlan:
    """The outcome: every counted assignment, the ones to add, shortfalls, stale ones and load."""

    assignments: tuple[Assignment, ...]
    new: tuple[Assignment, ...]
    shortfalls: tuple[Shortfall, ...]
    stale: tuple[StaleAssignment, ...]
    load: Mapping[str, int]


def in_group(reviewer: Reviewer, project: ProjectToReview) -> bool:
    """Tell whether the project's system is one the reviewer judges."""
    return project.system is not None and project.system in reviewer.systems


def in_conflict(reviewer: Reviewer, project: ProjectToReview) -> bool:
    """Tell whether reviewer and project belong to the same enterprise."""
    return reviewer.enterprise is not None and reviewer.enterprise == project.enterprise


def is_eligible(reviewer: Reviewer, project: ProjectToReview) -> bool:
    """Tell whether the reviewer may review the project: in its group and not in conflict."""
    return in_group(reviewer, project) and not in_conflict(reviewer, project)


def _stale_reason(assignment: Assignment, projects: Mapping[str, ProjectToReview],
                  reviewers: Mapping[str, Reviewer]) -> StaleReason | None:
    """Say why an existing assignment no longer counts, or None when it still does."""
    project, reviewer = projects.get(assignment.project), reviewers.get(assignment.reviewer)
    if project is None:
        return StaleReason.unknown_project
    if reviewer is None:
        return StaleReason.unknown_reviewer
    if not in_group(reviewer, project):
        return StaleReason.not_in_group
    return StaleReason.conflict if in_conflict(reviewer, project) else None


def _tie_break(project: str, reviewer: str) -> bytes:
    """A stable pseudo-random order of reviewers per project, the same on every run."""
    return hashlib.sha256(f"{project}\x1f{reviewer}".encode()).digest()


def _shortfall(project: ProjectToReview, reviewers: Iterable[Reviewer], needed: int, assigned: int) -> Shortfall:
    """Explain why a project has fewer than `needed` reviewers."""
    group = [reviewer for reviewer in reviewers if in_group(reviewer, project)]
    conflicts = sum(1 for reviewer in group if in_conflict(reviewer, project))
    if project.system is None:
        reason = ShortfallReason.no_system
    elif not group:
        reason = ShortfallReason.no_group
    elif conflicts and len(group) >= needed:
        reason = ShortfallReason.conflict
    else:
        reason = ShortfallReason.group_too_small
    return Shortfall(project.key, needed, assigned, reason, len(group), conflicts)


def _shift_path(source: str, panels: Mapping[str, set[str]], new_by_reviewer: Mapping[str, set[str]],
                eligible: Mapping[str, list[str]], load: Counter[str]) -> list[tuple[str, str, str]] | None:
    """Find a chain of moves from `source` to a reviewer with at least 2 fewer assignments.

    Each step (project, from, to) hands a new assignment to another eligible reviewer; along a
    chain only the two ends change load. Breadth first, in key order, so the result is stable.
    """
    parent: dict[str, tuple[str, str]] = {}
    queue, seen = [source], {source}
    while queue:
        reviewer = queue.pop(0)
        for project in sorted(new_by_reviewer[reviewer]):
            for other in eligible[project]:
                if other in seen or other in panels[project]:
                    continue
                seen.add(other)
                parent[other] = (reviewer, project)
                if load[other] <= load[source] - 2:
                    path, node = [], other
                    while node != source:
                        previous, via = parent[node]
                        path.append((via, previous, node))
                        node = previous
                    return path
                queue.append(other)
    return None


def _rebalance(new: set[Assignment], kept: set[Assignment], eligible: Mapping[str, list[str]],
               load: Counter[str]) -> set[Assignment]:
    """Move new assignments along chains until no reviewer has 2 more than one who could take work."""
    panels: dict[str, set[str]] = {project: set() for project in eligible}
    new_by_reviewer: dict[str, set[str]] = {reviewer: set() for reviewer in load}
    for assignment in kept | new:
        panels[assignment.project].add(assignment.reviewer)
    for assignment in new:
        new_by_reviewer[assignment.reviewer].add(assignment.project)
    moved = True
    while moved:
        moved = False
        for source in sorted(load, key=lambda reviewer: (-load[reviewer], reviewer)):
            if load[source] - min(load.values()) < 2:
                break  # nobody is 2 below this one or anyone after it
            path = _shift_path(source, panels, new_by_reviewer, eligible, load) if new_by_reviewer[source] else None
            if path is None:
                continue
            for project, before, after in path:
                panels[project] ^= {before, after}
                new_by_reviewer[before].discard(project)
                new_by_reviewer[after].add(project)
            load[source] -= 1
            load[path[0][2]] += 1
            moved = True
    return {Assignment(project, reviewer) for reviewer, projects in new_by_reviewer.items() for project in projects}


def plan_assignments(projects: Iterable[ProjectToReview], reviewers: Iterable[Reviewer],
                     existing: Iterable[Assignment] = (),
                     rules: AssignmentRules = AssignmentRules()) -> AssignmentPlan:
    """Plan who reviews what: keep what still holds, fill each project up to N, spread the load."""
    project_by_key = {project.key: project for project in projects}
    reviewer_by_key = {reviewer.key: reviewer for reviewer in reviewers}
    kept: set[Assignment] = set()
    stale: list[StaleAssignment] = []
    for assignment in sorted(set(existing)):
        reason = _stale_reason(assignment, project_by_key, reviewer_by_key)
        if reason is None:
            kept.add(assignment)
        else:
            stale.append(StaleAssignment(assignment, reason))
    load = Counter({key: 0 for key in reviewer_by_key})
    load.update(assignment.reviewer for assignment in kept)
    eligible = {key: sorted(r.key for r in reviewer_by_key.values() if is_eligible(r, project))
                for key, project in project_by_key.items()}
    panels: dict[str, set[str]] = {key: set() for key in project_by_key}
    for assignment in kept:
        panels[assignment.project].add(assignment.reviewer)
    new: set[Assignment] = set()
    shortfalls: list[Shortfall] = []
    needed = rules.reviewers_per_project
    for key in sorted(project_by_key, key=lambda k: (len(eligible[k]), k)):
        have = panels[key]
        candidates = [reviewer for reviewer in eligible[key] if reviewer not in have]
        while len(have) < needed and candidates:
            chosen = min(candidates, key=lambda reviewer: (load[reviewer], _tie_break(key, reviewer), reviewer))
            candidates.remove(chosen)
            have.add(chosen)
            load[chosen] += 1
            new.add(Assignment(key, chosen))
        if len(have) < needed:
            shortfalls.append(_shortfall(project_by_key[key], reviewer_by_key.values(), needed, len(have)))
    new = _rebalance(new, kept, eligible, load)
    return AssignmentPlan(assignments=tuple(sorted(kept | new)), new=tuple(sorted(new)),
                          shortfalls=tuple(sorted(shortfalls, key=lambda s: s.project)), stale=tuple(stale),
                          load=MappingProxyType(dict(sorted(load.items()))))
