"""Unit review on the web over HTTP: the coordinator's list, pass and return (alone or in bulk), and who sees what."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from models import access
from models.audit import AuditEntry
from models.outbox import OutboundMessage
from models.project import Attachment, Project, ProjectEvent
from models.round import Round
from models.worker import Worker
from tests.chat import MINE_ONE, TRANSPORT, notice_text, outbox, submit_project
from tests.web.conftest import csrf_token

OTHER_MINE = "晋源能源集团二矿机电队"
NASTY = "<script>alert(\"x\")</script>皮带'清扫器\""


def add_project(db, demo, number: str, unit: str = TRANSPORT, title: str = "皮带机清扫器改进", **fields) -> None:
    """A submitted project of a new worker in `unit`, straight in the database."""
    with db.transaction() as session:
        worker = Worker(openid=f"o_{number}", name=f"工人{number[-2:]}", unit_id=demo[unit]["id"])
        session.add(worker)
        session.flush()
        session.add(Project(round_id=session.scalars(select(Round.id)).one(), number=number, title=title,
                            description=fields.pop("description", "原来刮不干净，换了刮板"), status="submitted",
                            unit_id=demo[unit]["id"], worker_id=worker.id, **fields))


def status_of(db, number: str) -> str:
    """A project's status now."""
    with db.transaction() as session:
        return session.scalars(select(Project.status).where(Project.number == number)).one()


def decide(client, data: dict, page: str = "/review", **headers):
    """Post the decision form with the token of the page that shows it."""
    token = csrf_token(client.get(page))
    return client.post("/review/decide", data={**data, "csrf_token": token}, headers=headers)


@pytest.fixture
def coordinator(client, auth, accounts, demo):
    """一矿's coordinator, signed in."""
    accounts.add("li", "coordinator", name="李主任", unit_id=demo[MINE_ONE]["id"])
    auth.login("li")
    return client


def test_the_coordinator_lists_only_their_subtrees_waiting_projects(db, demo, coordinator):
    add_project(db, demo, "2026-0001")
    add_project(db, demo, "2026-0002", unit=OTHER_MINE, title="变频器散热风道", description="夏天变频器过热跳闸")
    add_project(db, demo, "2026-0003", title="食堂排队叫号", description="打饭排队太长，做了叫号")
    with db.transaction() as session:
        session.scalars(select(Project).where(Project.number == "2026-0003")).one().status = "unit_approved"
    page = coordinator.get("/review").get_data(as_text=True)
    assert "2026-0001" in page and "皮带机清扫器改进" in page
    assert "2026-0002" not in page and "变频器散热风道" not in page and "食堂排队叫号" not in page
    assert coordinator.get("/projects/2026-0002").status_code == 404  # another unit's project
    assert coordinator.get("/projects/2026-0001").status_code == 200


def test_filters_by_unit_system_category_and_words(db, demo, coordinator):
    add_project(db, demo, "2026-0001", system="transport", category="innovation")
    add_project(db, demo, "2026-0002", unit="晋源能源集团一矿综采一队", title="液压支架快速接头",
                description="支架管路漏液", system="mining", category="invention")
    numbers = lambda query: {n for n in ("2026-0001", "2026-0002")  # noqa: E731
                             if n in coordinator.get(f"/review?{query}").get_data(as_text=True)}
    assert numbers("") == {"2026-0001", "2026-0002"}
    assert numbers(f"unit={demo['晋源能源集团一矿综采一队']['id']}") == {"2026-0002"}
    assert numbers("system=transport") == {"2026-0001"}
    assert numbers("category=invention") == {"2026-0002"}
    assert numbers("q=漏液") == {"2026-0002"}
    assert numbers("q=刮板 清扫器") == {"2026-0001"}
    assert coordinator.get("/review?system=nonsense").status_code == 400


def test_approving_on_the_web_tells_the_worker_once_and_is_logged(chat, db, demo, coordinator):
    submit_project(chat, demo)  # 张三 submits 2026-0001 in the chat
    before = len(outbox(db))
    response = decide(coordinator, {"numbers": "2026-0001", "decision": "approve"})
    assert response.status_code == 302 and status_of(db, "2026-0001") == "unit_approved"
    assert "已通过 1 个项目" in coordinator.get(response.location).get_data(as_text=True)
    [notice] = outbox(db)[before:]
    assert notice.openid == chat.follower.openid and "通过了单位初审" in notice_text(notice)
    with db.transaction() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "project.unit_approved")).one()
        assert (entry.channel, entry.actor_name, entry.subject_id, entry.before) == (
            "web", "li", "2026-0001", {"status": "submitted"})
    assert decide(coordinator, {"numbers": "2026-0001", "decision": "approve"}).status_code == 302
    assert len(outbox(db)) == before + 1  # deciding again changes nothing and tells nobody twice
    assert "状态：初审通过" in chat.send_text("查询 0001")  # the chat sees the web's decision


def test_a_return_needs_its_reason_and_the_worker_reads_it(chat, db, demo, coordinator):
    submit_project(chat, demo)
    refused = decide(coordinator, {"numbers": "2026-0001", "decision": "return", "reason": "  "})
    assert refused.status_code == 400 and "退回必须写明原因" in refused.get_data(as_text=True)
    assert status_of(db, "2026-0001") == "submitted" and all(not n.key.startswith("status:") or "通过" not in
                                                                 notice_text(n) for n in outbox(db))
    decide(coordinator, {"numbers": "2026-0001", "decision": "return", "reason": "照片不清楚，请补拍"})
    assert status_of(db, "2026-0001") == "returned"
    [notice] = [n for n in outbox(db) if "退回" in notice_text(n)]
    assert "照片不清楚，请补拍" in notice_text(notice)
    assert "照片不清楚" in coordinator.get("/projects/2026-0001").get_data(as_text=True)  # the history says why


def test_bulk_approve_and_return_decide_each_and_report_what_could_not_be(db, demo, coordinator):
    for n in (1, 2, 3):
        add_project(db, demo, f"2026-000{n}")
    add_project(db, demo, "2026-0009", unit=OTHER_MINE)
    response = decide(coordinator, {"numbers": ["2026-0001", "2026-0002", "2026-0009"], "decision": "approve"})
    assert [status_of(db, f"2026-000{n}") for n in (1, 2, 3, 9)] == ["unit_approved", "unit_approved", "submitted",
                                                                     "submitted"]
    page = coordinator.get(response.location).get_data(as_text=True)
    assert "已通过 2 个项目" in page and "没找到项目 2026-0009" in page
    response = decide(coordinator, {"numbers": ["2026-0001", "2026-0003"], "decision": "return", "reason": "缺效益数据"})
    assert status_of(db, "2026-0003") == "returned" and status_of(db, "2026-0001") == "unit_approved"
    assert "项目 2026-0001 现在是“初审通过”" in coordinator.get(response.location).get_data(as_text=True)
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(OutboundMessage)) == 3  # one per decision made
        assert session.scalars(select(ProjectEvent.reason).where(ProjectEvent.to_status == "returned")).all() == [
            "缺效益数据"]


def test_a_bulk_return_without_reason_keeps_what_was_checked(db, demo, coordinator):
    add_project(db, demo, "2026-0001")
    add_project(db, demo, "2026-0002")
    refused = decide(coordinator, {"numbers": ["2026-0001", "2026-0002"], "decision": "return"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400 and page.count("checked") == 2 and "退回必须写明原因" in page
    assert {status_of(db, "2026-0001"), status_of(db, "2026-0002")} == {"submitted"}


def test_a_row_decided_through_htmx_gets_only_its_row_back(db, demo, coordinator):
    add_project(db, demo, "2026-0001")
    row = decide(coordinator, {"numbers": "2026-0001", "decision": "return"}, **{"HX-Request": "true"})
    assert row.status_code == 200 and row.get_data(as_text=True).lstrip().startswith("<article")
    assert "退回必须写明原因" in row.get_data(as_text=True) and status_of(db, "2026-0001") == "submitted"
    row = decide(coordinator, {"numbers": "2026-0001", "decision": "return", "reason": "缺照片"},
                 **{"HX-Request": "true"})
    assert 'data-testid="review-done"' in row.get_data(as_text=True) and "缺照片" in row.get_data(as_text=True)
    assert status_of(db, "2026-0001") == "returned"


def test_a_decision_without_its_token_is_400_and_changes_nothing(db, demo, coordinator):
    add_project(db, demo, "2026-0001")
    response = coordinator.post("/review/decide", data={"numbers": "2026-0001", "decision": "approve"})
    assert response.status_code == 400 and status_of(db, "2026-0001") == "submitted"
    response = coordinator.post("/review/decide", data={"numbers": "2026-0001", "decision": "approve"},
                                headers={"HX-Request": "true"})
    assert response.status_code == 400 and status_of(db, "2026-0001") == "submitted"


def test_titles_with_markup_and_quotes_are_shown_escaped(db, demo, coordinator):
    add_project(db, demo, "2026-0001", title=NASTY, description=NASTY, members=[NASTY])
    for page in ("/review", "/projects/2026-0001"):
        html = coordinator.get(page).get_data(as_text=True)
        assert "<script>alert" not in html and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;皮带&#39;清扫器&#34;" in html


def test_reviewers_see_only_what_is_assigned_and_no_review_list(client, auth, accounts, db, demo):
    add_project(db, demo, "2026-0001", system="transport")
    accounts.add("zhao", "reviewer", systems=["transport"])
    auth.login("zhao")
    assert client.get("/projects/2026-0001").status_code == 404  # in their system, but not assigned
    assert client.get("/review").status_code == 404
    assert decide_without_list(client).status_code == 404


def decide_without_list(client):
    """A reviewer posting a decision with a valid token from a page they can open."""
    token = csrf_token(client.get("/"))
    return client.post("/review/decide", data={"numbers": "2026-0001", "decision": "approve", "csrf_token": token})


def test_staff_review_any_unit_and_the_project_page_shows_photos_and_history(app, client, auth, accounts, db, demo,
                                                                             settings):
    add_project(db, demo, "2026-0001", unit=OTHER_MINE, members=["王五", "赵六"], annual_benefit_yuan=30000)
    photo = settings.media_dir / "1" / "1.png"
    photo.parent.mkdir(parents=True)
    photo.write_bytes(b"\x89PNG\r\n\x1a\nfake")
    with db.transaction() as session:
        project_id = session.scalars(select(Project.id)).one()
        session.add_all([Attachment(project_id=project_id, media_id="m1", status="fetched", stored_path=str(photo),
                                    content_type="image/png"),
                         Attachment(project_id=project_id, media_id="m2", status="pending"),
                         Attachment(project_id=project_id, media_id="m3", status="fetched",
                                    stored_path=str(Path("/etc/passwd")), content_type="text/plain")])
    accounts.add("office", "staff", name="工会办")
    auth.login("office")
    page = client.get("/projects/2026-0001").get_data(as_text=True)
    assert "王五、赵六" in page and "3万元" in page and page.count("/projects/2026-0001/photos/") == 4  # m1, m3
    with client.get("/projects/2026-0001/photos/1") as shown:  # a file response: closed when read
        assert shown.mimetype == "image/png" and shown.data.startswith(b"\x89PNG")
    assert client.get("/projects/2026-0001/photos/2").status_code == 404  # not downloaded yet
    assert client.get("/projects/2026-0001/photos/3").status_code == 404  # outside the media folder
    decide(client, {"numbers": "2026-0001", "decision": "approve", "back": "project"}, page="/projects/2026-0001")
    history = client.get("/projects/2026-0001").get_data(as_text=True)
    assert "初审通过" in history and "工会办" in history


def test_similar_earlier_projects_are_shown_beside_the_waiting_one(db, demo, coordinator):
    add_project(db, demo, "2026-0001", unit=OTHER_MINE, title="皮带机清扫器聚氨酯刮板",
                description="清扫器老是刮不干净，换成聚氨酯刮板加弹簧压紧")
    add_project(db, demo, "2026-0002", title="皮带机聚氨酯清扫器", description="原来清扫器刮不干净，现在换成聚氨酯刮板加弹簧压紧")
    add_project(db, demo, "2026-0003", title="食堂排队叫号", description="打饭排队太长，做了叫号")
    page = coordinator.get("/review").get_data(as_text=True)
    rows = {n: page.split(f'id="row-{n}"')[1].split("</article>")[0] for n in ("2026-0002", "2026-0003")}
    assert "皮带机清扫器聚氨酯刮板" in rows["2026-0002"] and 'data-testid="similar"' not in rows["2026-0003"]
    assert '<a href="/projects/2026-0001">' not in page  # another mine's: named, but not a link to a 404


def test_a_reviewer_opens_the_project_assigned_to_them_and_no_other(client, auth, accounts, db, demo, monkeypatch):
    add_project(db, demo, "2026-0001", system="transport")
    add_project(db, demo, "2026-0002", system="transport", title="变频器散热风道", description="夏天变频器过热跳闸")
    with db.transaction() as session:
        assigned = session.scalars(select(Project.id).where(Project.number == "2026-0001")).one()
    # the assignment table is the city review's; its hook is what every access rule asks
    monkeypatch.setattr(access, "assigned_project_ids", lambda session, account: frozenset({assigned}))
    accounts.add("zhao", "reviewer", systems=["transport"])
    auth.login("zhao")
    page = client.get("/projects/2026-0001")
    assert page.status_code == 200 and 'data-testid="decide"' not in page.get_data(as_text=True)  # no 初审 for them
    assert client.get("/projects/2026-0002").status_code == 404
