"""The admins' account pages: create, refuse with a reason, reset a password, deactivate, link a follower."""
from sqlalchemy import select

from models.accounts import find_account
from models.audit import AuditEntry
from models.worker import Worker
from tests.web.conftest import PASSWORD
from bot.extensions import database_of


def test_an_admin_creates_a_coordinator_who_can_then_sign_in(client, auth, accounts, demo):
    accounts.add("boss", "admin")
    auth.login("boss")
    mine = demo["晋源能源集团一矿"]["id"]
    response = auth.post("/accounts/new", {"username": "Li", "name": "李联络", "role": "coordinator", "unit": mine,
                                           "password": "first-password"}, "/accounts/new")
    assert response.status_code == 302
    listing = client.get("/accounts").get_data(as_text=True)
    assert "李联络" in listing and "单位联络员" in listing and "晋源能源集团一矿" in listing
    auth.logout()
    assert auth.login("li", "first-password").status_code == 302


def test_a_refused_account_says_why_next_to_the_field(client, auth, accounts):
    accounts.add("boss", "admin")
    auth.login("boss")
    response = auth.post("/accounts/new", {"username": "newcomer", "role": "coordinator", "password": "first-password"},
                         "/accounts/new")
    assert response.status_code == 400 and "请填写这一项" in response.get_data(as_text=True)
    response = auth.post("/accounts/new", {"username": "BOSS", "role": "staff", "password": "first-password"},
                         "/accounts/new")
    assert response.status_code == 400 and "已经被占用了" in response.get_data(as_text=True)
    response = auth.post("/accounts/new", {"username": "newcomer", "role": "staff", "password": "short"},
                         "/accounts/new")
    assert response.status_code == 400 and "至少8个字符" in response.get_data(as_text=True)


def test_reset_deactivate_and_link_are_each_in_the_audit_log(app, client, auth, accounts, demo):
    accounts.add("boss", "admin")
    team = demo["晋源能源集团一矿运输队"]["id"]
    li = accounts.add("li", "coordinator", unit_id=team)
    with database_of(app).transaction() as session:
        session.add(Worker(openid="o_li", name="李联络", unit_id=team, role="coordinator"))
    auth.login("boss")
    page = f"/accounts/{li.id}"
    assert auth.post(f"{page}/password", {"password": "second-password"}, page).status_code == 302
    with database_of(app).transaction() as session:
        follower = session.scalars(select(Worker).where(Worker.openid == "o_li")).one()
    assert "李联络" in client.get(page).get_data(as_text=True)  # offered as a follower to link
    auth.post(f"{page}/worker", {"worker": follower.id}, page)
    auth.post(f"{page}/active", {"active": "0"}, page)
    assert "停用" in client.get(page).get_data(as_text=True)
    with database_of(app).transaction() as session:
        account = find_account(session, "li")
        assert (account.active, account.worker_id) == (False, follower.id)
        actions = session.scalars(select(AuditEntry.action).where(AuditEntry.subject_id == "li")
                                  .order_by(AuditEntry.id)).all()
        assert actions == ["account.create", "account.password", "account.link", "account.deactivate"]
        assert session.scalars(select(AuditEntry.actor_name).where(AuditEntry.action != "account.create")).all() \
            == ["boss"] * 3
    auth.logout()
    assert auth.login("li", "second-password").status_code == 401


def test_an_admin_cannot_lock_themself_out(client, auth, accounts):
    boss = accounts.add("boss", "admin")
    auth.login("boss")
    response = auth.post(f"/accounts/{boss.id}/active", {"active": "0"}, f"/accounts/{boss.id}")
    assert "不能停用自己的账号" in client.get(response.location).get_data(as_text=True)
    assert client.get("/accounts").status_code == 200


def test_names_are_shown_escaped(client, auth, accounts):
    accounts.add("boss", "admin", name='<script>alert("x")</script>')
    auth.login("boss")
    for path in ("/", "/accounts", "/accounts/1", "/audit"):
        text = client.get(path).get_data(as_text=True)
        assert '<script>alert("x")' not in text, path
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in client.get("/accounts").get_data(as_text=True)
    assert "&lt;script&gt;" in client.get("/audit").get_data(as_text=True)  # the entry's "after" shows it too


def test_unknown_account_pages_are_404(client, auth, accounts):
    accounts.add("boss", "admin")
    auth.login("boss")
    assert client.get("/accounts/999").status_code == 404
    assert auth.post("/accounts/999/password", {"password": PASSWORD}, "/accounts/1").status_code == 404
