"""Access over HTTP: pages for other roles, other units' projects and unassigned projects are 404."""
import pytest
from flask import Blueprint
from sqlalchemy import select

from models.project import Project
from models.round import Round
from models.worker import Worker
from web.access import project_or_404, roles_required, unit_or_404


@pytest.fixture
def app(app):
    """The application with two probe pages that use the guards later pages use."""
    probe = Blueprint("probe", __name__)

    @probe.get("/_probe/projects/<number>")
    @roles_required("admin", "staff", "coordinator", "reviewer")
    def project(number):
        return project_or_404(number).title

    @probe.get("/_probe/units/<int:unit_id>")
    @roles_required("admin", "staff", "coordinator", "reviewer")
    def unit(unit_id):
        return unit_or_404(unit_id).name

    app.register_blueprint(probe)
    return app


@pytest.fixture
def projects(db, demo):
    """One project in 一矿运输队 (2026-0001) and one in 二矿机电队 (2026-0002)."""
    with db.transaction() as session:
        round_id = session.scalars(select(Round.id)).one()
        for number, unit in (("2026-0001", "晋源能源集团一矿运输队"), ("2026-0002", "晋源能源集团二矿机电队")):
            worker = Worker(openid=f"o_{number}", name="张三", unit_id=demo[unit]["id"])
            session.add(worker)
            session.flush()
            session.add(Project(round_id=round_id, number=number, title=f"清扫器{number}", status="submitted",
                                unit_id=demo[unit]["id"], worker_id=worker.id))


def test_pages_of_other_roles_do_not_exist_for_an_account(client, auth, accounts, demo):
    accounts.add("li", "coordinator", unit_id=demo["晋源能源集团一矿"]["id"])
    accounts.add("office", "staff")
    accounts.add("boss", "admin")
    expected = {"li": {"/audit": 404, "/accounts": 404, "/accounts/new": 404, "/": 200},
                "office": {"/audit": 200, "/accounts": 404, "/accounts/1": 404, "/": 200},
                "boss": {"/audit": 200, "/accounts": 200, "/accounts/new": 200, "/accounts/1": 200}}
    for username, pages in expected.items():
        auth.login(username)
        assert {path: client.get(path).status_code for path in pages} == pages, username
        auth.logout()


def test_a_coordinator_sees_their_subtree_only(client, auth, accounts, demo, projects):
    accounts.add("li", "coordinator", unit_id=demo["晋源能源集团一矿"]["id"])
    auth.login("li")
    assert client.get("/_probe/projects/2026-0001").get_data(as_text=True) == "清扫器2026-0001"
    assert client.get("/_probe/projects/2026-0002").status_code == 404  # another mine's
    assert client.get("/_probe/projects/2026-0404").status_code == 404  # no such project: the same answer
    assert client.get(f"/_probe/units/{demo['晋源能源集团一矿运输队']['id']}").status_code == 200
    assert client.get(f"/_probe/units/{demo['晋源能源集团二矿']['id']}").status_code == 404
    assert client.get(f"/_probe/units/{demo['晋源能源集团']['id']}").status_code == 404  # above their unit


def test_a_reviewer_sees_nothing_unassigned_and_staff_see_everything(client, auth, accounts, demo, projects):
    accounts.add("zhao", "reviewer", systems=["transport"])
    accounts.add("office", "staff")
    auth.login("zhao")
    assert client.get("/_probe/projects/2026-0001").status_code == 404
    assert client.get(f"/_probe/units/{demo['晋源能源集团一矿']['id']}").status_code == 404
    auth.logout()
    auth.login("office")
    assert [client.get(f"/_probe/projects/2026-000{i}").status_code for i in (1, 2)] == [200, 200]


def test_anonymous_visitors_of_a_guarded_page_are_sent_to_log_in(client, projects):
    response = client.get("/_probe/projects/2026-0001")
    assert response.status_code == 302 and response.location.startswith("/login?next=")
