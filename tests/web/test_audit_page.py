"""The audit page over HTTP: filters by area and dates, pages of 50, a clear word on a bad date; read-only."""
from datetime import datetime, timedelta

from models.audit import PAGE_SIZE, Actor, record
from models.clock import SHANGHAI


def add_entries(db, count, action="project.status", at=None):
    with db.transaction() as session:
        for i in range(count):
            record(session, Actor(channel="chat", name="王主席"), action, "project", f"2026-{i + 1:04d}",
                   at=at or datetime.now(SHANGHAI), before={"status": "submitted"}, after={"status": "returned"},
                   note="照片看不清")


def test_entries_come_fifty_to_a_page_newest_first(client, auth, accounts, db):
    accounts.add("office", "staff")  # one entry of its own: account.create
    add_entries(db, PAGE_SIZE)
    auth.login("office")
    first = client.get("/audit").get_data(as_text=True)
    assert first.count('data-testid="audit-entry"') == PAGE_SIZE and "2026-0050" in first and "2026-0001" in first
    assert 'href="/audit?before=2"' in first  # the link to the next page: older than the last entry shown
    older = client.get("/audit?before=2").get_data(as_text=True)
    assert older.count('data-testid="audit-entry"') == 1 and "2026-00" not in older
    assert "更早的记录" in first and "更早的记录" not in older


def test_filters_by_area_actor_and_days_in_shanghai(client, auth, accounts, db):
    accounts.add("office", "staff")
    yesterday = datetime.now(SHANGHAI) - timedelta(days=1)
    add_entries(db, 2, at=yesterday)
    auth.login("office")
    rows = lambda query: client.get(f"/audit?{query}").get_data(as_text=True).count('data-testid="audit-entry"')  # noqa: E731
    assert rows("action=project") == 2 and rows("action=account") == 1 and rows("action=acc") == 0
    assert rows("actor=主席") == 2 and rows("actor=李") == 0  # part of the name; the CLI entry has none
    day = yesterday.strftime("%Y-%m-%d")
    assert rows(f"since={day}&until={day}") == 2
    assert rows(f"until={day}") == 2 and rows(f"since={datetime.now(SHANGHAI):%Y-%m-%d}") == 1


def test_a_bad_date_says_so_and_nothing_can_be_posted(client, auth, accounts):
    accounts.add("office", "staff")
    auth.login("office")
    response = client.get("/audit?since=yesterday")
    assert response.status_code == 400 and "日期格式不对" in response.get_data(as_text=True)
    assert client.post("/audit").status_code in (400, 405)  # no token; and no such form anyway
    assert auth.post("/audit", {}, "/").status_code == 405
