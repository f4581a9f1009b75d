"""Every figure, from one place: the chat's 统计, the reminders, the /stats page, its Excel and the API.

Each public function takes `(session, round_id, unit_id)` and counts the unit's whole subtree (a
unit's numbers include everything below it), so a page, an Excel sheet, the API and the chat ask
the same question the same way; `round_stats` gives all of them at once for a page. A unit
without its own target takes the sum of its children's targets, so a mine's target can be given
once and split down to its teams. What counts as submitted, approved, reviewed or awarded is
defined once, on `ProjectStatus`.

Speed: the figures aggregate in SQL, grouped by unit and status, and roll up the tree in Python,
so a page costs the same few statements at 20 projects or 20,000 (bench/stats.md has the figures).
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import ColumnElement, and_, distinct, func, select
from sqlalchemy.orm import Session, selectinload

from models.errors import NotFound
from models.local_day import as_date, shanghai_date
from models.project import Project, ProjectEvent, ProjectStatus
from models.unit import Target, units_under
from models.unit_tree import UnitTree, unit_tree
from models.worker import Worker

CENT = Decimal("0.01")


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

    `approximate_yuan` / `approximate_projects` say how much of it is an estimate (“about”, a range, per
    shift …). That flag is not stored yet (the submission form's work adds it): until then both
    are None and only what exists is counted: the sum, and how many projects state a figure.
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


@dataclass
class _Own:
    """One unit's own projects (not its children's) in a round: counts by status, benefit of the live ones."""

    statuses: Counter[str] = field(default_factory=Counter)
    benefit: Decimal = Decimal(0)
    with_figure: int = 0


def _own_counts(session: Session, round_id: int) -> dict[int, _Own]:
    """Count each unit's own projects by status, with the benefit of the submitted ones (one statement)."""
    query = (select(Project.unit_id, Project.status, func.count(), func.sum(Project.annual_benefit_yuan),
                    func.count(Project.annual_benefit_yuan))
             .where(Project.round_id == round_id, Project.unit_id.is_not(None))
             .group_by(Project.unit_id, Project.status))
    live = ProjectStatus.live()
    own: dict[int, _Own] = defaultdict(_Own)
    for unit_id, status, count, benefit, with_figure in session.execute(query):
        own[unit_id].statuses[status] += count
        if status in live:
            own[unit_id].benefit += Decimal(benefit or 0)
            own[unit_id].with_figure += with_figure
    return own


def _roll_up(tree: UnitTree, targets: dict[int, int], own: dict[int, _Own]) -> dict[int, Progress]:
    """Add every unit's children into it, from the leaves up; a unit without a target takes its children's."""
    live, approved, reviewed = ProjectStatus.live(), ProjectStatus.approved(), ProjectStatus.reviewed()
    result: dict[int, Progress] = {}
    for root in tree.kids(None):
        for _, unit_id in reversed(tree.depth_first(root)):  # children before their parent
            node, kids = tree.nodes[unit_id], [result[k] for k in tree.kids(unit_id)]
            mine = own.get(unit_id, _Own())
            s = mine.statuses
            kid_targets = [k.target for k in kids if k.target is not None]
            result[unit_id] = Progress(
                unit_id, node.name, targets.get(unit_id, sum(kid_targets) if kid_targets else None),
                sum(s[x] for x in live) + sum(k.submitted for k in kids),
                sum(s[x] for x in approved) + sum(k.approved for k in kids),
                s[ProjectStatus.submitted] + sum(k.pending for k in kids),
                sum(s[x] for x in reviewed) + sum(k.reviewed for k in kids),
                s[ProjectStatus.awarded] + sum(k.awarded for k in kids),
                (mine.benefit + sum((k.benefit_yuan for k in kids), Decimal(0))).quantize(CENT),
                node.kind, tuple(tree.kids(unit_id)))
    return result


def _targets(session: Session, round_id: int) -> dict[int, int]:
    """Each unit's own target in the round."""
    return {u: c for u, c in session.execute(select(Target.unit_id, Target.count).where(Target.round_id == round_id))}


def progress_tree(session: Session, round_id: int) -> dict[int, Progress]:
    """Return the progress of every unit of the tree in a round, children added into parents (3 statements)."""
    return _roll_up(unit_tree(session), _targets(session, round_id), _own_counts(session, round_id))


def children_ids(session: Session, unit_id: int) -> list[int]:
    """The ids of a unit's direct children, in order."""
    return unit_tree(session).kids(unit_id)


def unit_progress(session: Session, round_id: int, unit_id: int) -> list[Progress]:
    """Return the unit's own progress first, then each direct child's (the chat's 统计, a drill-down)."""
    tree = progress_tree(session, round_id)
    if unit_id not in tree:
        raise NotFound("no such unit")
    return [tree[unit_id], *(tree[kid] for kid in tree[unit_id].children)]


def _in_subtree(tree: UnitTree, unit_id: int) -> ColumnElement[bool]:
    """A condition on `Project.unit_id` for the subtree; no list at all when it is the whole tree."""
    ids = tree.subtree(unit_id)
    return Project.unit_id.is_not(None) if len(ids) == len(tree.nodes) else Project.unit_id.in_(ids)


def _live_in(round_id: int, where: ColumnElement[bool]) -> ColumnElement[bool]:
    """Submitted projects of the round that meet `where`."""
    return and_(Project.round_id == round_id, Project.status.in_(ProjectStatus.live()), where)


def _participation(session: Session, round_id: int, tree: UnitTree, unit_id: int,
                   own: dict[int, _Own]) -> Participation:
    """Authors and bound workers in the subtree (two statements), units with a submitted project."""
    ids, live = tree.subtree(unit_id), ProjectStatus.live()
    authors = session.scalar(select(func.count(distinct(Project.worker_id)))
                             .where(_live_in(round_id, _in_subtree(tree, unit_id)))) or 0
    everyone = len(ids) == len(tree.nodes)
    bound = session.scalar(select(func.count()).select_from(Worker).where(
        Worker.unit_id.is_not(None) if everyone else Worker.unit_id.in_(ids))) or 0
    taking_part = sum(1 for i in ids if i in own and any(own[i].statuses[s] for s in live))
    return Participation(authors, bound, taking_part, len(ids))


@dataclass(frozen=True)
class _Groups:
    """The submitted projects of a subtree by system, by category and by day of submission."""

    systems: list[Share]
    categories: list[Share]
    days: dict[date, int]


def _ordered(groups: dict[str | None, list[Decimal]]) -> list[Share]:
    """Shares with the most projects first; the unset group last."""
    keys = sorted(groups, key=lambda k: (k is None, -groups[k][0], k or ""))
    return [Share(k, int(groups[k][0]), groups[k][1].quantize(CENT)) for k in keys]


def _groups(session: Session, round_id: int, tree: UnitTree, unit_id: int) -> _Groups:
    """Submitted projects and benefit by system, category and Shanghai day, from one grouped statement."""
    day = shanghai_date(Project.submitted_at)
    query = (select(Project.system, Project.category, day, func.count(), func.sum(Project.annual_benefit_yuan))
             .where(_live_in(round_id, _in_subtree(tree, unit_id))).group_by(Project.system, Project.category, day))
    systems: dict[str | None, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    categories: dict[str | None, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    days: Counter[date] = Counter()
    for system, category, submitted_on, count, benefit in session.execute(query):
        for bucket in (systems[system], categories[category]):
            bucket[0] += count
            bucket[1] += Decimal(benefit or 0)
        if submitted_on is not None:
            days[as_date(submitted_on)] += count
    return _Groups(_ordered(systems), _ordered(categories), dict(days))


def _approved_days(session: Session, round_id: int, tree: UnitTree, unit_id: int) -> dict[date, int]:
    """How many of the subtree's projects the unit approved on each Shanghai day (from their events)."""
    event_day = shanghai_date(ProjectEvent.at)
    query = (select(event_day, func.count()).join(Project, Project.id == ProjectEvent.project_id)
             .where(Project.round_id == round_id, _in_subtree(tree, unit_id),
                    ProjectEvent.to_status == ProjectStatus.unit_approved).group_by(event_day))
    return {as_date(value): count for value, count in session.execute(query)}


def _weeks(submitted: dict[date, int], approved: dict[date, int]) -> list[Week]:
    """Days added into Shanghai weeks (Monday first), every week from the first to the last with any."""
    counts: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    for column, days in ((0, submitted), (1, approved)):
        for day_, count in days.items():
            counts[day_ - timedelta(days=day_.weekday())][column] += count
    if not counts:
        return []
    weeks, total, start = [], 0, min(counts)
    while start <= max(counts):
        sub, app = counts.get(start, [0, 0])
        total += sub
        weeks.append(Week(start, sub, app, total))
        start += timedelta(days=7)
    return weeks


def _statuses(tree: UnitTree, unit_id: int, own: dict[int, _Own]) -> dict[str, int]:
    """Projects of the subtree by status, every status but drafts, in life-cycle order."""
    total: Counter[str] = Counter()
    for i in tree.subtree(unit_id):
        if i in own:
            total.update(own[i].statuses)
    return {s.value: total[s] for s in ProjectStatus if s != ProjectStatus.draft}


def _benefit(tree: UnitTree, unit_id: int, own: dict[int, _Own], progress: Progress) -> Benefit:
    """The subtree's benefit from the per-unit sums (no statement of its own)."""
    with_figure = sum(own[i].with_figure for i in tree.subtree(unit_id) if i in own)
    return Benefit(progress.benefit_yuan, with_figure, progress.submitted)


def round_stats(session: Session, round_id: int, unit_id: int) -> RoundStats:
    """Every figure of the unit's subtree in the round, in seven statements whatever the size."""
    tree = unit_tree(session)
    tree.node(unit_id)
    own = _own_counts(session, round_id)
    progress = _roll_up(tree, _targets(session, round_id), own)
    me = progress[unit_id]
    groups = _groups(session, round_id, tree, unit_id)
    return RoundStats(
        round_id=round_id, unit=me, children=[progress[k] for k in me.children],
        subtree=[(depth, progress[i]) for depth, i in tree.depth_first(unit_id)],
        participation=_participation(session, round_id, tree, unit_id, own),
        by_status=_statuses(tree, unit_id, own),
        funnel=Funnel(me.submitted, me.approved, me.reviewed, me.awarded),
        benefit=_benefit(tree, unit_id, own, me), by_system=groups.systems, by_category=groups.categories,
        weeks=_weeks(groups.days, _approved_days(session, round_id, tree, unit_id)),
        path=[progress[i] for i in tree.path(unit_id)])


def participation(session: Session, round_id: int, unit_id: int) -> Participation:
    """Workers and units taking part in the round, and the share of the bound workers."""
    tree = unit_tree(session)
    return _participation(session, round_id, tree, unit_id, _own_counts(session, round_id))


def projects_by_status(session: Session, round_id: int, unit_id: int) -> dict[str, int]:
    """Projects of the subtree by status (drafts left out)."""
    return _statuses(unit_tree(session), unit_id, _own_counts(session, round_id))


def projects_by_system(session: Session, round_id: int, unit_id: int) -> list[Share]:
    """Submitted projects and their benefit by professional system, most first."""
    return _groups(session, round_id, unit_tree(session), unit_id).systems


def projects_by_category(session: Session, round_id: int, unit_id: int) -> list[Share]:
    """Submitted projects and their benefit by category (the five smalls), most first."""
    return _groups(session, round_id, unit_tree(session), unit_id).categories


def economic_benefit(session: Session, round_id: int, unit_id: int) -> Benefit:
    """The annual benefit the subtree's submitted projects state, and how much of it is approximate."""
    tree, own = unit_tree(session), _own_counts(session, round_id)
    return _benefit(tree, unit_id, own, _roll_up(tree, _targets(session, round_id), own)[unit_id])


def weekly_trend(session: Session, round_id: int, unit_id: int) -> list[Week]:
    """Projects submitted and approved per week, with the running total, first to last week with any."""
    tree = unit_tree(session)
    return _weeks(_groups(session, round_id, tree, unit_id).days, _approved_days(session, round_id, tree, unit_id))


def funnel(session: Session, round_id: int, unit_id: int) -> Funnel:
    """Submitted → approved by the unit → sent to the city review → awarded, for the subtree."""
    me = progress_tree(session, round_id).get(unit_id)
    if me is None:
        raise NotFound("no such unit")
    return Funnel(me.submitted, me.approved, me.reviewed, me.awarded)


def pending_projects(session: Session, round_id: int, unit_id: int, limit: int | None = None) -> list[Project]:
    """Projects of the unit's subtree waiting for the unit's first review, oldest first."""
    query = (select(Project).options(selectinload(Project.worker), selectinload(Project.unit))
             .where(Project.unit_id.in_(units_under(session, unit_id)), Project.round_id == round_id,
                    Project.status == ProjectStatus.submitted)
             .order_by(Project.submitted_at, Project.id).limit(limit))
    return list(session.scalars(query))


def count_pending(session: Session, round_id: int, unit_id: int) -> int:
    """How many projects of the unit's subtree wait for the unit's first review."""
    return session.scalar(select(func.count()).select_from(Project).where(
        Project.unit_id.in_(units_under(session, unit_id)), Project.round_id == round_id,
        Project.status == ProjectStatus.submitted)) or 0


def status_changes(session: Session, round_id: int, unit_id: int, since: datetime, until: datetime) -> dict[str, int]:
    """How many projects of the unit's subtree moved to each status in the window (since, until]."""
    query = (select(ProjectEvent.to_status).join(Project)
             .where(Project.round_id == round_id, Project.unit_id.in_(units_under(session, unit_id)),
                    ProjectEvent.at > since, ProjectEvent.at <= until))
    return dict(Counter(session.scalars(query)))
