"""Reminder rules: given a time, which reminders are due, to whom, with which numbers; and queuing them.

Each reminder has a key built from (rule, round, recipient, date), so evaluating the rules
again, or in a second process, finds the same keys and the outbox refuses the duplicates.
Reminders are queued as notices (models/notices.py): the numbers now, the words at send time.
Reminders to coordinators and drafts wait for the end of quiet hours (21:00–08:00 Asia/Shanghai);
status notices are queued for now, and the sender holds them at night unless the worker is chatting.
"Days before a deadline" are calendar days moved back to the previous working day of China's
calendar (public holidays and adjusted working days), so nothing is due on a holiday.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import chinese_calendar
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from models.account import Account
from models.city_review import CityReview, ReviewAssignment, ReviewState
from models.clock import local, local_day
from models.notices import Notice, queue_notice, status_notice
from models.outbox import OutboundMessage, OutboxStatus, is_queued
from models.project import Project, ProjectEvent, ProjectStatus
from models.round import Round
from models.rounds import active_rounds, move_deadline
from models.sending import quiet_until
from models.stats import Progress, children_ids, pending_projects, progress_tree, status_changes
from models.worker import Role, Worker

#: The rules planned from each phase's deadline (by the start of their names).
PHASE_RULES = {"submission": ("submission_", "draft_"), "unit_review": ("review_",)}


@dataclass(frozen=True)
class ReminderRules:
    """Which rules run and when (days before the deadlines)."""

    submission_days: tuple[int, ...] = (7, 3, 1)
    review_days: tuple[int, ...] = (3, 1)
    draft_days: tuple[int, ...] = (3, 1)
    scoring_days: tuple[int, ...] = (3, 1)  # reviewers with unscored assignments, before the city-review deadline
    digest: bool = True
    status_changes: bool = True
    status_lookback: timedelta = timedelta(days=3)


@dataclass(frozen=True)
class Reminder:
    """One reminder that is due: rule, round, recipient (openid), date, and the numbers to tell."""

    rule: str
    round: int
    recipient: str
    date: date
    data: dict[str, Any] = field(default_factory=dict)
    key_override: str | None = None

    @property
    def key(self) -> str:
        """The outbox key: one message per rule, round, recipient and date."""
        return self.key_override or f"{self.rule}:{self.round}:{self.recipient}:{self.date.isoformat()}"

    @property
    def notice(self) -> Notice:
        """The reminder as a notice; its kind is the rule's family ("submission" of "submission_3d")."""
        return Notice(self.key, self.recipient, self.rule.split("_")[0], self.data)


@dataclass(frozen=True)
class PlannedPush:
    """A reminder as it is (or would be) queued: the notice, when it may go, and whether it is new."""

    notice: Notice
    rule: str
    not_before: datetime
    new: bool

    @property
    def key(self) -> str:
        """The outbox key."""
        return self.notice.key

    @property
    def openid(self) -> str:
        """The recipient."""
        return self.notice.recipient


def is_workday(day: date) -> bool:
    """Whether `day` is a working day in China (weekdays outside the calendar's years)."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


def planned_day(deadline: date, days_before: int) -> date:
    """The day a "N days before" reminder goes out: moved back to a working day if needed."""
    day = deadline - timedelta(days=days_before)
    while not is_workday(day):
        day -= timedelta(days=1)
    return day


def due_offset(deadline: datetime, days: tuple[int, ...], at: datetime) -> tuple[int, date] | None:
    """Return the latest "N days before" reminder whose day has come (and the deadline not passed)."""
    if at >= deadline:
        return None
    today, last = local_day(at), local_day(deadline)
    due = [(planned_day(last, n), n) for n in days if planned_day(last, n) <= today]
    if not due:
        return None
    day, n = max(due)
    return n, day


def _coordinators(session: Session) -> list[Worker]:
    """Coordinators still following the account and bound to a unit."""
    query = select(Worker).where(Worker.role == Role.coordinator, Worker.subscribed.is_(True),
                                 Worker.unit_id.is_not(None)).order_by(Worker.id)
    return list(session.scalars(query))


def _unit_numbers(tree: dict[int, Progress], session: Session, unit_id: int) -> dict[str, Any]:
    """The numbers a coordinator is told: own progress and the children that lag behind."""
    me = tree[unit_id]
    lagging = [{"name": tree[k].name, "submitted": tree[k].submitted, "target": tree[k].target}
               for k in children_ids(session, unit_id) if tree[k].lagging]
    return {"unit": me.name, "target": me.target, "submitted": me.submitted, "approved": me.approved,
            "pending": me.pending, "lagging": lagging}


def _pending_list(session: Session, round_id: int, unit_id: int) -> list[dict[str, Any]]:
    """Projects of the unit's subtree that wait for their first review, oldest first."""
    return [{"number": p.number, "title": p.title} for p in pending_projects(session, round_id, unit_id)]


def _round_info(round_: Round, deadline: datetime, at: datetime) -> dict[str, Any]:
    """Round name, the deadline in Shanghai time and whole days left."""
    return {"round_name": round_.name, "deadline": local(deadline).strftime("%Y-%m-%d %H:%M"),
            "days_left": (local_day(deadline) - local_day(at)).days}


def coordinator_reminders(session: Session, round_: Round, at: datetime, rules: ReminderRules) -> list[Reminder]:
    """Deadline reminders (submission, unit review) and the daily digest for every coordinator."""
    tree = progress_tree(session, round_.id)
    submission = due_offset(round_.submission_deadline, rules.submission_days, at)
    review = due_offset(round_.unit_review_deadline, rules.review_days, at)
    today = local_day(at)
    found: list[Reminder] = []
    for coordinator in _coordinators(session):
        unit_id = coordinator.unit_id
        assert unit_id is not None
        numbers = _unit_numbers(tree, session, unit_id)
        told = False
        if submission is not None:
            data = {**numbers, **_round_info(round_, round_.submission_deadline, at), "days_before": submission[0]}
            found.append(Reminder(f"submission_{submission[0]}d", round_.id, coordinator.openid, submission[1], data))
            told = True
        pending = _pending_list(session, round_.id, unit_id) if review is not None else []
        if review is not None and pending:
            data = {**numbers, **_round_info(round_, round_.unit_review_deadline, at), "days_before": review[0],
                    "pending_list": pending}
            found.append(Reminder(f"review_{review[0]}d", round_.id, coordinator.openid, review[1], data))
            told = True
        if rules.digest and not told and at <= round_.unit_review_deadline:
            changes = status_changes(session, round_.id, unit_id, at - timedelta(days=1), at)
            if changes:
                found.append(Reminder("digest", round_.id, coordinator.openid, today,
                                      {**numbers, "round_name": round_.name, "changes": changes}))
    return found


def draft_reminders(session: Session, round_: Round, at: datetime, rules: ReminderRules) -> list[Reminder]:
    """Workers with an unfinished draft, some days before the submission deadline."""
    due = due_offset(round_.submission_deadline, rules.draft_days, at)
    if due is None:
        return []
    query = (select(Worker.openid, Project.title).join(Project, Project.worker_id == Worker.id)
             .where(Project.round_id == round_.id, Project.status == ProjectStatus.draft,
                    Worker.subscribed.is_(True)).order_by(Worker.id, Project.id))
    drafts: dict[str, list[str]] = {}
    for openid, title in session.execute(query):
        drafts.setdefault(openid, []).append(title or "")
    info = _round_info(round_, round_.submission_deadline, at)
    return [Reminder(f"draft_{due[0]}d", round_.id, openid, due[1],
                     {**info, "days_before": due[0], "drafts": len(titles), "title": titles[-1]})
            for openid, titles in drafts.items()]


def status_reminders(session: Session, at: datetime, rules: ReminderRules) -> list[Reminder]:
    """Every recent status change a worker should hear about: the safety net under `change_status`'s own notice."""
    query = (select(ProjectEvent, Project, Worker).join(Project, ProjectEvent.project_id == Project.id)
             .join(Worker, Project.worker_id == Worker.id)
             .where(ProjectEvent.to_status.in_(ProjectStatus.notified()), ProjectEvent.at > at - rules.status_lookback,
                    ProjectEvent.at <= at, Worker.subscribed.is_(True)).order_by(ProjectEvent.id))
    found = []
    for event, project, _worker in session.execute(query):
        notice = status_notice(project, event)
        found.append(Reminder("status", project.round_id, notice.recipient, local_day(event.at), notice.fields,
                              key_override=notice.key))
    return found


def scoring_reminders(session: Session, at: datetime, rules: ReminderRules) -> list[Reminder]:
    """Reviewers (with a linked follower) who still have projects to score, some days before the review's deadline."""
    found: list[Reminder] = []
    for review in session.scalars(select(CityReview).where(CityReview.state == ReviewState.open)
                                  .order_by(CityReview.id)):
        due = due_offset(review.deadline, rules.scoring_days, at)
        if due is None:
            continue
        query = (select(Worker.openid, ReviewAssignment.scores).join(Account, Account.worker_id == Worker.id)
                 .join(ReviewAssignment, ReviewAssignment.account_id == Account.id)
                 .where(ReviewAssignment.review_id == review.id, Account.active.is_(True),
                        Worker.subscribed.is_(True)).order_by(Worker.id))
        load: dict[str, list[bool]] = {}
        for openid, scores in session.execute(query):
            load.setdefault(openid, []).append(scores is None)
        info = _round_info(review.round, review.deadline, at)
        found += [Reminder(f"scoring_{due[0]}d", review.round_id, openid, due[1],
                           {**info, "days_before": due[0], "assigned": len(open_), "open": sum(open_)})
                  for openid, open_ in load.items() if any(open_)]
    return found


def due_reminders(session: Session, at: datetime, rules: ReminderRules | None = None) -> list[Reminder]:
    """Evaluate every rule as of `at` and return the reminders due (enqueueing is the caller's)."""
    rules = rules or ReminderRules()
    found: list[Reminder] = []
    for round_ in active_rounds(session, at):
        found += coordinator_reminders(session, round_, at, rules)
        found += draft_reminders(session, round_, at, rules)
    found += scoring_reminders(session, at, rules)
    if rules.status_changes:
        found += status_reminders(session, at, rules)
    return found


def remind(session: Session, at: datetime, rules: ReminderRules | None = None,
           dry_run: bool = False) -> list[PlannedPush]:
    """Evaluate the rules as of `at` and queue what is due (or, with dry_run, only say what would be)."""
    planned: list[PlannedPush] = []
    for reminder in due_reminders(session, at, rules):
        not_before = at if reminder.rule == "status" else quiet_until(at) or at
        if dry_run:
            new = not is_queued(session, reminder.key)
        else:
            new = queue_notice(session, reminder.notice, not_before)
        planned.append(PlannedPush(reminder.notice, reminder.rule, not_before, new))
    return planned


def move_deadline_and_replan(session: Session, round_id: int, phase: str, when: datetime) -> int:
    """Move a phase deadline and drop that phase's queued, unsent reminders; return how many were dropped.

    A reminder waiting in the outbox (say, held overnight) carries the old date and numbers;
    dropped, it is planned again from the new deadline the next time the rules run.
    """
    move_deadline(session, round_id, phase, when)
    prefixes = PHASE_RULES.get(phase, ())
    if not prefixes:
        return 0
    query = select(OutboundMessage).where(OutboundMessage.status == OutboxStatus.pending,
                                          or_(*(OutboundMessage.key.startswith(p, autoescape=True)
                                                for p in prefixes)))
    stale = [row for row in session.scalars(query) if row.key.split(":")[1] == str(round_id)]
    for row in stale:
        session.delete(row)
    session.flush()
    return len(stale)
