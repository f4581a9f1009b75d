"""The use cases as a page would call them: fields checked with a named reason, access in one place, notices queued."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.database import Database
from handlers.notices import compose
from models import drafts
from models.access import chat_actor, may_see, web_actor
from models.account import Account
from models.accounts import create_account, link_worker
from models.audit import COMMAND_LINE, AuditEntry
from models.errors import InvalidField, NotAllowed, Problem
from models.outbox import OutboundMessage
from models.project import Project, ProjectStatus
from models.round import Round
from models.seed import seed_demo
from models.worker import Role, Worker
from models.workflow import approve, return_for_changes, start_draft, submit, withdraw
from tests.models.test_targets import NOW, unit


def people(session: Session) -> dict[str, Worker]:
    """An author in 一矿's 运输队, 一矿's coordinator, 二矿's coordinator and a colleague of the author."""
    found = {"author": Worker(openid="o_author", name="张三", unit_id=unit(session, "运输队", "一矿").id),
             "coordinator": Worker(openid="o_mine1", name="李主任", role=Role.coordinator,
                                   unit_id=unit(session, "一矿").id),
             "other_mine": Worker(openid="o_mine2", name="王主任", role=Role.coordinator,
                                  unit_id=unit(session, "二矿").id),
             "colleague": Worker(openid="o_colleague", name="王五", unit_id=unit(session, "运输队", "一矿").id)}
    session.add_all(found.values())
    session.flush()
    return found


def submitted_project(session: Session, author: Worker) -> Project:
    """A filled-in project submitted by the author."""
    round_ = session.scalars(select(Round)).one()
    draft = start_draft(session, author, round_, NOW)
    drafts.set_title(draft, author, "皮带机清扫器。")
    drafts.set_description(draft, author, "清扫器刮不干净，换成聚氨酯刮板")
    submit(session, draft, chat_actor(session, author), NOW)
    return draft


@pytest.fixture
def session(db: Database):  # noqa: ANN201 - fixture
    """A session on the seeded demo tree, rolled back at the end."""
    with db.sessions() as session:
        seed_demo(session, NOW)
        yield session
        session.rollback()


def test_each_field_is_checked_and_a_refusal_names_the_field_and_why(session: Session) -> None:
    author = people(session)["author"]
    draft = start_draft(session, author, session.scalars(select(Round)).one(), NOW)
    drafts.set_title(draft, author, "“皮带机防跑偏装置”。")
    assert draft.title == "皮带机防跑偏装置"
    refusals = []
    for change in (lambda: drafts.set_title(draft, author, "皮"), lambda: drafts.set_title(draft, author, "0042"),
                   lambda: drafts.set_title(draft, author, "很" * 31), lambda: drafts.set_description(draft, author, "好"),
                   lambda: drafts.set_category(draft, author, "gadget"),
                   lambda: drafts.set_members(draft, author, ["李四", "3号"])):
        with pytest.raises(InvalidField) as refused:
            change()
        refusals.append((refused.value.field, refused.value.problem))
    assert refusals == [("title", Problem.too_short), ("title", Problem.only_digits), ("title", Problem.too_long),
                        ("description", Problem.too_short), ("category", Problem.unknown),
                        ("members", Problem.not_a_name)]
    assert draft.title == "皮带机防跑偏装置"  # a refused value changes nothing
    drafts.set_members(draft, author, ["李四", "王五"])
    drafts.set_benefit(draft, author, Decimal("30000"))
    assert draft.members == ["张三", "李四", "王五"] and draft.annual_benefit_yuan == Decimal("30000.00")


def test_only_the_author_changes_a_draft_and_only_while_it_is_theirs_to_change(session: Session) -> None:
    who = people(session)
    project = submitted_project(session, who["author"])
    with pytest.raises(NotAllowed):
        drafts.set_title(project, who["author"], "改个名字")  # submitted: no longer editable
    draft = start_draft(session, who["author"], project.round, NOW)
    with pytest.raises(NotAllowed):
        drafts.set_title(draft, who["colleague"], "别人的草稿")


def test_who_may_see_a_project(session: Session) -> None:
    who = people(session)
    project = submitted_project(session, who["author"])
    seen = {name: may_see(session, chat_actor(session, worker), project) for name, worker in who.items()}
    assert seen == {"author": True, "coordinator": True, "other_mine": False, "colleague": False}


def test_approving_queues_the_authors_notice_once_whoever_approves(session: Session) -> None:
    who = people(session)
    project = submitted_project(session, who["author"])
    with pytest.raises(NotAllowed):
        approve(session, project, chat_actor(session, who["other_mine"]), NOW)
    approve(session, project, chat_actor(session, who["coordinator"]), NOW)
    [notice] = session.scalars(select(OutboundMessage)).all()
    assert (notice.openid, notice.key, notice.payload["notice"]) == ("o_author", "status:2", "status")
    assert compose(notice.payload)["text"] == "好消息：您的项目 2026-0001“皮带机清扫器”通过了单位初审，接下来进入评审。"


def test_returning_needs_a_reason_which_the_author_reads(session: Session) -> None:
    who = people(session)
    project = submitted_project(session, who["author"])
    with pytest.raises(InvalidField) as refused:
        return_for_changes(session, project, chat_actor(session, who["coordinator"]), NOW, "  ")
    assert refused.value.field == "reason" and project.status == ProjectStatus.submitted
    return_for_changes(session, project, chat_actor(session, who["coordinator"]), NOW, "照片不清楚")
    withdraw(session, project, chat_actor(session, who["author"]), NOW)  # a withdrawal is not told to anyone
    [notice] = session.scalars(select(OutboundMessage)).all()
    assert compose(notice.payload)["text"].startswith("您的项目 2026-0001“皮带机清扫器”被退回：照片不清楚\n发“修改 0001”")


def _linked_account(session: Session, worker: Worker, unit_id: int) -> Account:
    """李主任's web account, linked to his follower."""
    account = create_account(session, COMMAND_LINE, username="li", password="long-enough", role="coordinator",
                             unit_id=unit_id, now=NOW)
    link_worker(session, COMMAND_LINE, account, worker, NOW)
    return account


@pytest.mark.parametrize("door", ["web", "chat"])
def test_the_same_person_approves_the_same_way_from_either_door(session: Session, door: str) -> None:
    who = people(session)
    project = submitted_project(session, who["author"])
    account = _linked_account(session, who["coordinator"], who["coordinator"].unit_id)
    actor = web_actor(account) if door == "web" else chat_actor(session, who["coordinator"])
    event = approve(session, project, actor, NOW)
    assert (event.actor_id, event.account_id) == (who["coordinator"].id, account.id)  # one person, both names
    [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == "project.unit_approved")).all()
    assert (entry.channel, entry.account_id, entry.worker_id, entry.actor_name) == (door, account.id,
                                                                                     who["coordinator"].id, "li")
    assert (entry.action, entry.subject_id, entry.before, entry.after["status"]) == (
        "project.unit_approved", "2026-0001", {"status": "submitted"}, "unit_approved")
    [notice] = session.scalars(select(OutboundMessage)).all()
    assert notice.openid == "o_author"


def test_an_account_without_a_follower_is_named_in_the_history_and_the_log(session: Session) -> None:
    who = people(session)
    project = submitted_project(session, who["author"])
    office = create_account(session, COMMAND_LINE, username="office", password="long-enough", role="staff", now=NOW)
    event = return_for_changes(session, project, web_actor(office), NOW, "缺少照片")
    assert (event.actor_id, event.account_id, event.reason) == (None, office.id, "缺少照片")
    [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == "project.returned")).all()
    assert (entry.actor_name, entry.note, entry.after) == ("office", "缺少照片", {"status": "returned",
                                                                                "reason": "缺少照片"})


def test_a_reviewer_account_cannot_make_the_units_first_review(session: Session) -> None:
    who = people(session)
    project = submitted_project(session, who["author"])
    reviewer = create_account(session, COMMAND_LINE, username="zhao", password="long-enough", role="reviewer",
                              systems=["transport"], now=NOW)
    with pytest.raises(NotAllowed):
        approve(session, project, web_actor(reviewer), NOW)
    assert project.status == ProjectStatus.submitted
