"""/stats over HTTP: who sees which figures, the Excel workbook's totals, and the units template."""
from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook

from models.base import utcnow
from models.unit_import import import_units
from tests.web.stats_data import seed_stats_city

MINE_1, MINE_2, GROUP = "晋源能源集团一矿", "晋源能源集团二矿", "晋源能源集团"


@pytest.fixture
def city(db, demo):
    """The demo tree with the statistics projects; units by full name."""
    with db.transaction() as session:
        seed_stats_city(session, utcnow())
    return demo


def sheets(response):
    """The workbook a response sent, as {sheet title: rows of values}."""
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = load_workbook(BytesIO(response.data), read_only=True)
    return {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in workbook.worksheets}


def test_staff_see_the_city(client, auth, accounts, city):
    accounts.add("wang", "staff")
    auth.login("wang")
    page = client.get("/stats").get_data(as_text=True)
    assert "数据统计 · 市总工会" in page
    assert 'data-testid="figure-submitted">7<' in page  # 8 projects, one withdrawn


def test_a_coordinator_sees_their_subtree_and_nothing_else(client, auth, accounts, city):
    accounts.add("li", "coordinator", unit_id=city[MINE_1]["id"])
    auth.login("li")
    own = client.get("/stats")
    assert own.status_code == 200 and "数据统计 · 一矿" in own.get_data(as_text=True)
    assert 'data-testid="figure-submitted">4<' in own.get_data(as_text=True)
    assert "二矿" not in own.get_data(as_text=True)  # not even in the breadcrumb
    team = client.get(f"/stats?unit={city[MINE_1 + '综采一队']['id']}")
    assert team.status_code == 200 and 'data-testid="figure-submitted">3<' in team.get_data(as_text=True)
    for other in (MINE_2, GROUP, "市总工会", MINE_2 + "机电队"):
        assert client.get(f"/stats?unit={city[other]['id']}").status_code == 404
        assert client.get(f"/stats/export.xlsx?unit={city[other]['id']}").status_code == 404
    assert client.get("/stats?unit=99999").status_code == 404
    assert client.get("/stats/units-template.xlsx").status_code == 404


def test_other_roles_and_strangers_are_kept_out(client, auth, accounts, city):
    assert client.get("/stats").status_code == 302
    assert client.get("/stats/export.xlsx").status_code == 302
    accounts.add("zhou", "reviewer", systems=["mining"])
    auth.login("zhou")
    assert client.get("/stats").status_code == 404
    assert client.get("/stats/export.xlsx").status_code == 404


def test_a_coordinators_workbook_holds_only_their_subtree(client, auth, accounts, city):
    accounts.add("li", "coordinator", unit_id=city[MINE_1]["id"])
    auth.login("li")
    book = sheets(client.get("/stats/export.xlsx"))
    projects = book["项目清单"]
    assert [row[0] for row in projects[1:-1]] == ["2026-0001", "2026-0002", "2026-0003", "2026-0004"]
    assert projects[-1][:2] == ["合计", 4] and projects[-1][6] == pytest.approx(39200.50)
    assert all("二矿" not in str(cell) for sheet in book.values() for row in sheet for cell in row)
    assert book["按单位"][1][1:5] == ["一矿", "矿", 36, 4]


def test_the_workbooks_totals_equal_the_page(client, auth, accounts, city):
    accounts.add("wang", "staff")
    auth.login("wang")
    group = city[GROUP]["id"]
    page = client.get(f"/stats?unit={group}").get_data(as_text=True)
    book = sheets(client.get(f"/stats/export.xlsx?unit={group}"))
    overview = {row[0]: row[1] for row in book["概况"]}
    assert overview["已申报（项）"] == 7 and 'data-testid="figure-submitted">7<' in page
    assert overview["年经济效益（元）"] == pytest.approx(51650.50) and "51,650.50" in page
    assert overview["其中估算的效益（元）"] == "尚未记录"
    units = book["按单位"]
    mines = [row for row in units[1:] if row[0] == 1]
    assert [m[1].strip() for m in mines] == ["一矿", "二矿"] and sum(m[4] for m in mines) == units[1][4] == 7
    for title in ("按专业系统", "按类别", "项目清单"):
        assert book[title][-1][1] == 7, title
    assert book["每周趋势"][-1][1] == 7 and book["每周趋势"][-1][2] == 4
    assert {row[0]: row[1] for row in book["按专业系统"][1:-1]} == {"运输": 2, "机电": 2, "采煤": 2, "选煤": 1}


def test_the_units_template_imports_as_it_is(client, auth, accounts, city, db, tmp_path):
    accounts.add("wang", "staff")
    auth.login("wang")
    response = client.get("/stats/units-template.xlsx")
    assert response.status_code == 200
    assert sheets(response)["单位"][0] == ["单位", "上级单位", "类型", "目标"]
    path = tmp_path / "template.xlsx"
    path.write_bytes(response.data)
    with db.sessions() as session:
        report = import_units(session, path, round_id=1)
        session.rollback()
    assert report.errors == [] and report.created + report.updated == 5 and report.targets == 4
