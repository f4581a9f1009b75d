"""The values the statistics give (models/stats.py computes them): a unit's progress, participation, benefit, …

Frozen dataclasses, so a page, the Excel workbook and the API serialise the same figures.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class Progress:
    """One unit's numbers in a round (its whole subtree): target, submitted, approved, awaiting review, …"""

    unit_id: int
    name: str
    target: int | None
    submitted: int
    approved: int
    pending: int = 0
    reviewed: int = 0
    awarded: int = 0
    benefit_yuan: Decimal = Decimal(0)
    kind: str = ""
    children: tuple[int, ...] = ()

    @property
    def lagging(self) -> bool:
        """Whether the unit has a target and has not reached it."""
        return self.target is not None and self.submitted < self.target

    @property
    def completion(self) -> float | None:
        """Submitted as a share of the target (1.0 = met), or None without a (non-zero) target."""
        return self.submitted / self.target if self.target else None


@dataclass(frozen=True)
class Participation:
    """Who takes part: authors of submitted projects among the bound workers, units with a project."""

    workers: int
    bound_workers: int
    units: int
    all_units: int

    @property
    def worker_share(self) -> float | None:
        """Authors as a share of the workers bound to the subtree's units (None when nobody is bound)."""
        return self.workers / self.bound_workers if self.bound_workers else None


@dataclass(frozen=True)
class Benefit:
    """Annual economic benefit of the submitted projects, in yuan.

    `approximate_yuan` / `approximate_projects` say how much of it is an estimate ("about", "over
    thirty thousand", a range counted at its low end as the total is). None only where a caller
    builds a Benefit without them.
    """

    total_yuan: Decimal
    projects_with_figure: int
    projects: int
    approximate_yuan: Decimal | None = None
    approximate_projects: int | None = None


@dataclass(frozen=True)
class Share:
    """Projects and their benefit for one value of a grouping (a system, a category); None = not set."""

    key: str | None
    projects: int
    benefit_yuan: Decimal


@dataclass(frozen=True)
class Week:
    """One week (Monday to Sunday, Shanghai): projects submitted and approved by the unit, and the running total."""

    start: date
    submitted: int
    approved: int
    cumulative: int


@dataclass(frozen=True)
class Funnel:
    """The round's funnel: submitted → approved by the unit → sent to the city review → awarded."""

    submitted: int
    unit_approved: int
    reviewed: int
    awarded: int


@dataclass(frozen=True)
class RoundStats:
    """Everything the statistics page, its Excel and the API show for one unit's subtree in a round."""

    round_id: int
    unit: Progress
    children: list[Progress]
    subtree: list[tuple[int, Progress]]
    participation: Participation
    by_status: dict[str, int]
    funnel: Funnel
    benefit: Benefit
    by_system: list[Share]
    by_category: list[Share]
    weeks: list[Week]
    path: list[Progress] = field(default_factory=list)
