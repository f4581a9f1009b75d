"""The city review in the database: open, assign by group away from one's own enterprise, score, close, award."""
from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from models.access import may_see, web_actor
from models.accounts import create_account
from models.audit import COMMAND_LINE, AuditEntry
from models.award_allocation import AwardLevel, AwardPlan, InvalidAllocation
from models.awards import (AwardState, Outcome, allocation, awards_state, confirm_awards, finalize_awards,
                           propose_awards, public_awards, public_notices, publish_awards, record_objection,
                           resolve_objection, round_awards, set_level)
from models.base import utcnow
from models.city_review import assign_reviewers, close_review, open_review
from models.errors import InvalidTransition, NotAllowed, NotFound
from models.outbox import OutboundMessage
from models.project import Project, ProjectStatus
from models.review_config import load_review_config
from models.round import Round
from models.score_sheet import InvalidScores
from models.scoring import correct_label, own_assignment, review_results, save_scores, worklist
from models.worker import Worker

CONFIG = load_review_config()
SHEET = CONFIG.score_sheet


def add_project(session, unit_id, number, system="transport", status="unit_approved", benefit=None):
    worker = Worker(openid=f"o_{number}", name="张三", unit_id=unit_id)
    session.add(worker)
    session.flush()
    project = Project(round_id=session.scalars(select(Round.id)).first(), number=number, title=f"项目{number}",
                      status=status, unit_id=unit_id, worker_id=worker.id, system=system, members=["张三"],
                      category="innovation", annual_benefit_yuan=benefit)
    session.add(project)
    session.flush()
    return project


def account(session, username, role, **fields):
    return create_account(session, COMMAND_LINE, username=username, password="long-enough", role=role,
                          now=utcnow(), **fields)


def scores(total):
    """A card whose every criterion is `total` (the benefit one within its bands)."""
    return {"innovation": total, "practicality": total, "benefit": total, "promotion": total}


@pytest.fixture
def city(db, demo):
    """Staff, three transport reviewers (one from the projects' own enterprise) and two approved projects."""
    team, enterprise = demo["晋源能源集团一矿运输队"]["id"], demo["晋源能源集团"]["id"]
    with db.transaction() as session:
        account(session, "office", "staff")
        for name in ("r1", "r2"):
            account(session, name, "reviewer", systems=["transport"])
        account(session, "insider", "reviewer", systems=["transport"], unit_id=enterprise)
        add_project(session, team, "2026-0001", benefit=Decimal("30000"))
        add_project(session, team, "2026-0002")
        add_project(session, team, "2026-0003", status="submitted")
    return demo


def get(session, model, **where):
    return session.scalars(select(model).filter_by(**where)).one()


def open_and_assign(session, now):
    from models.account import Account
    office = get(session, Account, username="office")
    review = open_review(session, office, session.scalars(select(Round)).first(), now)
    outcome = assign_reviewers(session, office, review, CONFIG.assignment, now)
    return office, review, outcome


def test_assignment_keeps_reviewers_from_their_own_enterprise(db, city):
    from models.account import Account
    now = utcnow()
    with db.transaction() as session:
        _office, _review, outcome = open_and_assign(session, now)
        assigned = {(a.project.number, a.account.username) for a in outcome.added}
        assert assigned == {("2026-0001", "r1"), ("2026-0001", "r2"), ("2026-0002", "r1"), ("2026-0002", "r2")}
        assert [(s.assigned, s.reason) for s in outcome.plan.shortfalls] == [(2, "conflict"), (2, "conflict")]
        assert get(session, Project, number="2026-0001").status == ProjectStatus.under_review
        assert get(session, Project, number="2026-0003").status == ProjectStatus.submitted
        r1, insider = get(session, Account, username="r1"), get(session, Account, username="insider")
        assert may_see(session, web_actor(r1), get(session, Project, number="2026-0001"))
        assert not may_see(session, web_actor(insider), get(session, Project, number="2026-0001"))
        entries = session.scalars(select(AuditEntry).where(AuditEntry.action == "review.assign")
                                  .order_by(AuditEntry.subject_id)).all()
        assert [(e.subject_id, sorted(e.after["reviewers"])) for e in entries] == \
            [("2026-0001", ["r1", "r2"]), ("2026-0002", ["r1", "r2"])]
        again = assign_reviewers(session, _office, _review, CONFIG.assignment, now)
        assert again.added == ()


def test_reviewer_scores_only_their_own_and_only_while_open(db, city):
    from models.account import Account
    now = utcnow()
    with db.transaction() as session:
        office, review, _ = open_and_assign(session, now)
        r1, insider = get(session, Account, username="r1"), get(session, Account, username="insider")
        project = get(session, Project, number="2026-0001")
        with pytest.raises(NotFound):
            save_scores(session, insider, project, SHEET, scores(80), "", now)
        with pytest.raises(InvalidScores) as refused:
            save_scores(session, r1, project, SHEET, {**scores(80), "benefit": 49}, "", now)
        assert [p.criterion for p in refused.value.problems] == ["benefit"]
        card = save_scores(session, r1, project, SHEET, scores(80), " 好 ", now)
        assert (card.total, card.comment) == (Decimal("80.00"), "好")
        assert [item.open for item in worklist(session, r1)] == [True, False]
        assert correct_label(session, r1, project, "electromechanical", now) is True
        assert project.system == "electromechanical"
        with pytest.raises(NotAllowed):
            review_results(session, r1, review, SHEET)
        close_review(session, office, review, now)
        with pytest.raises(InvalidTransition):
            save_scores(session, r1, project, SHEET, scores(90), "", now)
        assert own_assignment(session, r1, project).total == Decimal("80.00")


def test_results_rank_the_weighted_mean_and_flag_spread(db, city):
    from models.account import Account
    now = utcnow()
    with db.transaction() as session:
        office, review, _ = open_and_assign(session, now)
        r1, r2 = get(session, Account, username="r1"), get(session, Account, username="r2")
        one, two = get(session, Project, number="2026-0001"), get(session, Project, number="2026-0002")
        save_scores(session, r1, one, SHEET, scores(90), "", now)
        save_scores(session, r2, one, SHEET, scores(60), "", now)
        save_scores(session, r1, two, SHEET, scores(88), "", now)
        close_review(session, office, review, now)
        rows = review_results(session, office, review, SHEET)
        assert [(r.project.number, r.score.total, r.rank, r.score.flagged) for r in rows if r.score] == \
            [("2026-0002", Decimal("88.00"), 1, False), ("2026-0001", Decimal("75.00"), 2, True)]


def test_awards_from_proposal_to_final_tell_every_author(db, city):
    from models.account import Account
    now = utcnow()
    with db.transaction() as session:
        office, review, _ = open_and_assign(session, now)
        r1 = get(session, Account, username="r1")
        one, two = get(session, Project, number="2026-0001"), get(session, Project, number="2026-0002")
        save_scores(session, r1, one, SHEET, scores(90), "", now)
        save_scores(session, r1, two, SHEET, scores(50), "", now)  # below the 60 points of every level
        with pytest.raises(InvalidTransition):
            propose_awards(session, office, review.round_id, SHEET, CONFIG.awards, now)
        close_review(session, office, review, now)
        proposed = propose_awards(session, office, review.round_id, SHEET, CONFIG.awards, now)
        assert [(p.project, p.level) for p in proposed.placements] == [("2026-0001", "special")]
        assert [(m.project, m.reason) for m in allocation(session, review.round_id, SHEET, CONFIG.awards).misses] \
            == [("2026-0002", "below_minimum")]
        with pytest.raises(InvalidAllocation):
            set_level(session, office, two, "third", SHEET, CONFIG.awards, now)
        set_level(session, office, one, "first", SHEET, CONFIG.awards, now)
        confirm_awards(session, office, review.round_id, now)
        with pytest.raises(InvalidTransition):
            set_level(session, office, one, "second", SHEET, CONFIG.awards, now)
        publish_awards(session, office, review.round_id, 7, now)
        assert [a.project.number for _r, awards in public_notices(session, now) for a in awards] == ["2026-0001"]
        objection = record_objection(session, office, one, "李四", "与去年项目重复", now)
        with pytest.raises(InvalidTransition):
            finalize_awards(session, office, review.round_id, CONFIG.awards, lambda n: f"https://x/{n}.pdf",
                            now + timedelta(days=8))
        resolve_objection(session, office, objection, Outcome.upheld, "降为二等奖", now)
        set_level(session, office, one, "second", SHEET, CONFIG.awards, now)
        with pytest.raises(InvalidTransition):  # the public notice runs its 7 days
            finalize_awards(session, office, review.round_id, CONFIG.awards, lambda n: f"https://x/{n}.pdf", now)
        done = finalize_awards(session, office, review.round_id, CONFIG.awards, lambda n: f"https://x/{n}.pdf",
                               now + timedelta(days=7))
        assert [a.project.number for a in done.awarded] == ["2026-0001"]
        assert (one.status, two.status) == (ProjectStatus.awarded, ProjectStatus.not_awarded)
        assert awards_state(session, review.round_id) == AwardState.final
        assert [(a.project.number, a.level, a.prize) for a in public_awards(session, review.round_id)] == \
            [("2026-0001", "second", 3000)]
        told = {m.openid: m.payload["fields"] for m in session.scalars(select(OutboundMessage))}
        assert told["o_2026-0001"]["certificate"] == "https://x/2026-0001.pdf"
        assert told["o_2026-0001"]["reason"] == "二等奖" and told["o_2026-0002"]["status"] == "not_awarded"


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(totals=st.lists(st.integers(0, 100), min_size=1, max_size=12),
       counts=st.tuples(st.integers(0, 3), st.integers(0, 4)), budget=st.integers(0, 30000))
def test_stored_awards_never_exceed_budget_or_counts(db, city, totals, counts, budget):
    """Whatever the scores, counts and budget, the awards the database holds stay within them."""
    from models.account import Account
    plan = AwardPlan((AwardLevel("a", "一", 8000, counts[0]), AwardLevel("b", "二", 3000, counts[1])), budget)
    now = utcnow()
    with db.transaction() as session:
        team = city["晋源能源集团一矿运输队"]["id"]
        office = get(session, Account, username="office")
        round_ = session.scalars(select(Round)).first()
        review = open_review(session, office, round_, now)
        for index in range(len(totals)):
            add_project(session, team, f"2026-{100 + index:04d}")
        assign_reviewers(session, office, review, CONFIG.assignment, now)
        r1 = get(session, Account, username="r1")
        for index, total in enumerate(totals):
            card = {**scores(total), "benefit": min(30, total)}
            save_scores(session, r1, get(session, Project, number=f"2026-{100 + index:04d}"), SHEET, card, "", now)
        close_review(session, office, review, now)
        propose_awards(session, office, round_.id, SHEET, plan, now)
        stored = round_awards(session, round_.id)
        assert sum(a.prize for a in stored) <= budget
        assert sum(a.level == "a" for a in stored) <= counts[0] and sum(a.level == "b" for a in stored) <= counts[1]
        session.rollback()


def test_reviewers_with_open_assignments_are_reminded_once_outside_quiet_hours(db, city):
    from datetime import datetime

    from models.account import Account
    from models.clock import SHANGHAI
    from models.reminders import remind

    evening = datetime(2026, 12, 1, 22, 0, tzinfo=SHANGHAI)  # a Tuesday, in quiet hours
    with db.transaction() as session:
        office = get(session, Account, username="office")
        review = open_review(session, office, session.scalars(select(Round)).first(), evening,
                             deadline=datetime(2026, 12, 2, 17, 0, tzinfo=SHANGHAI))
        assign_reviewers(session, office, review, CONFIG.assignment, evening)
        for name in ("r1", "r2"):
            follower = Worker(openid=f"o_{name}", name=name, subscribed=True)
            session.add(follower)
            session.flush()
            get(session, Account, username=name).worker_id = follower.id
        r2 = get(session, Account, username="r2")
        for number in ("2026-0001", "2026-0002"):  # r2 is done, r1 is not
            save_scores(session, r2, get(session, Project, number=number), SHEET, scores(70), "", evening)
        first = [p for p in remind(session, evening) if p.rule.startswith("scoring")]
        again = [p for p in remind(session, evening) if p.rule.startswith("scoring")]
        assert [(p.openid, p.new, p.notice.fields["open"]) for p in first] == [("o_r1", True, 2)]
        assert [p.new for p in again] == [False]
        assert first[0].not_before == datetime(2026, 12, 2, 8, 0, tzinfo=SHANGHAI)
        from handlers.notices import compose

        text = compose(session.scalars(select(OutboundMessage).where(OutboundMessage.openid == "o_r1")).one()
                       .payload)["text"]
        assert "还有2个没有评分" in text and "评审截止还有1天" in text


def test_two_staff_assigning_at_once_never_give_a_project_more_than_n_reviewers(db, city):
    """Staff A's assignment is not yet committed when a reviewer is added and staff B assigns too."""
    import threading

    from models.account import Account
    from models.reviewer_assignment import AssignmentRules
    from models.review_records import CityReview, ReviewAssignment

    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite's write gate runs the two transactions one after the other, whole")
    rules = AssignmentRules(reviewers_per_project=2)
    team = city["晋源能源集团一矿运输队"]["id"]
    now = utcnow()
    with db.transaction() as session:
        for n in range(4, 10):
            add_project(session, team, f"2026-000{n}")
        open_review(session, get(session, Account, username="office"), session.scalars(select(Round)).first(), now)
    a_assigned, release, failures = threading.Event(), threading.Event(), []

    def assign(first: bool) -> None:
        try:
            with db.transaction() as session:
                review = session.scalars(select(CityReview)).one()
                assign_reviewers(session, get(session, Account, username="office"), review, rules,
                                 now + timedelta(seconds=1 if first else 2))
                if first:
                    a_assigned.set()
                    release.wait(10)
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(exc)
            a_assigned.set()

    staff_a = threading.Thread(target=assign, args=(True,))
    staff_a.start()
    assert a_assigned.wait(10)
    with db.transaction() as session:  # a third reviewer arrives while A's rows are uncommitted
        account(session, "r3", "reviewer", systems=["transport"])
    staff_b = threading.Thread(target=assign, args=(False,))
    staff_b.start()
    staff_b.join(1)  # B plans now, or waits for A
    release.set()
    staff_a.join(10)
    staff_b.join(10)
    assert not failures
    with db.transaction() as session:
        rows = session.scalars(select(ReviewAssignment)).all()
        per_project: dict[int, int] = {}
        for row in rows:
            per_project[row.project_id] = per_project.get(row.project_id, 0) + 1
    assert len(per_project) == 8
    assert max(per_project.values()) == 2, per_project
