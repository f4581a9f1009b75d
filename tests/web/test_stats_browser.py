"""/stats in Chromium: the charts are drawn, the drill-down walks the tree, the Excel matches the page and the API."""
from __future__ import annotations

from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import select

from handlers import texts
from models.api_token import create_token
from models.audit import COMMAND_LINE
from models.base import utcnow
from models.round import Round
from models.unit import Unit, UnitKind
from simulator.bulk_city import seed_bulk
from tests.web.stats_data import seed_stats_city
from tests.web.test_browser import log_in, watch

CHARTS = ("chart-units", "chart-funnel", "chart-weeks", "chart-categories", "chart-systems")


@pytest.fixture
def city(db, demo):
    """The demo tree with the statistics projects; units by full name."""
    with db.transaction() as session:
        seed_stats_city(session, utcnow())
    return demo


def pixels(png: bytes) -> list[tuple[int, int, int]]:
    """The (r, g, b) pixels of a screenshot."""
    raw = Image.open(BytesIO(png)).convert("RGB").tobytes()
    return [(raw[i], raw[i + 1], raw[i + 2]) for i in range(0, len(raw), 3)]


def drawn_share(png: bytes) -> float:
    """The share of a chart's pixels that are neither white nor near-white: ink the chart put there."""
    found = pixels(png)
    return sum(1 for r, g, b in found if min(r, g, b) < 230) / len(found)


def colours(png: bytes) -> int:
    """How many clearly coloured (not grey) pixels the picture has: bars, slices, lines."""
    return sum(1 for r, g, b in pixels(png) if max(r, g, b) - min(r, g, b) > 60)



def page_figures(page) -> tuple[int, Decimal, int]:  # noqa: ANN001 - a Playwright page
    """The page's headline figures as a reader sees them: projects submitted, benefit (yuan), workers."""
    submitted = int(page.get_by_test_id("figure-submitted").inner_text().split("/")[0])
    benefit = Decimal(page.get_by_test_id("figure-benefit").inner_text().replace(",", ""))
    workers = int(page.get_by_test_id("figure-workers").inner_text())
    return submitted, benefit, workers

def test_the_charts_are_drawn_with_the_page_figures(page, accounts, city):
    accounts.add("wang", "staff")
    problems = watch(page)
    page.goto("/login?next=/stats")
    log_in(page, "wang")
    page.wait_for_url("**/stats")
    for chart in CHARTS:
        page.locator(f"#{chart}[data-drawn='1']").wait_for()
        png = page.get_by_test_id(chart).screenshot()
        assert drawn_share(png) > 0.01, chart
        assert colours(png) > 300, chart
    empty = page.evaluate("""() => { const d = document.createElement('div');
        d.style.cssText = 'width:400px;height:300px'; document.body.appendChild(d); d.id = 'probe'; return 1; }""")
    assert empty == 1 and colours(page.locator("#probe").screenshot()) == 0  # the measure sees no ink where none is
    assert page.get_by_test_id("figure-submitted").inner_text().startswith("7")
    assert problems == []  # ECharts loads from static/ and runs under the page's security policy


def test_drill_down_from_the_city_to_a_group_and_back(page, accounts, city):
    accounts.add("wang", "staff")
    page.goto("/login?next=/stats")
    log_in(page, "wang")
    for name in ("晋源能源集团", "一矿", "综采一队"):
        page.get_by_test_id("units-table").get_by_role("link", name=name, exact=True).click()
        page.wait_for_url("**unit=*")
        assert page.get_by_test_id("stats-unit").inner_text() == f"数据统计 · {name}"
    assert page.get_by_test_id("figure-submitted").inner_text().startswith("3")
    rows = page.get_by_test_id("unit-row")
    assert rows.count() == 2 and [r.get_by_test_id("cell-submitted").inner_text() for r in rows.all()] == ["2", "1"]
    page.get_by_test_id("breadcrumb").get_by_role("link", name="一矿").click()
    page.wait_for_url("**unit=*")
    assert page.get_by_test_id("stats-unit").inner_text() == "数据统计 · 一矿"


def test_the_downloaded_excel_has_the_page_totals(page, accounts, city, tmp_path):
    accounts.add("wang", "staff")
    page.goto("/login?next=/stats")
    log_in(page, "wang")
    page.get_by_test_id("units-table").get_by_role("link", name="晋源能源集团", exact=True).click()
    page.wait_for_url("**unit=*")
    submitted, benefit, workers = page_figures(page)
    with page.expect_download() as download:
        page.get_by_test_id("export").click()
    assert download.value.suggested_filename == "统计-2026年度五小竞赛-晋源能源集团.xlsx"
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    workbook = load_workbook(saved, read_only=True)
    overview = {row[0]: row[1] for row in workbook["概况"].iter_rows(values_only=True)}
    projects = list(workbook["项目清单"].iter_rows(values_only=True))
    assert (overview["已申报（项）"], overview["参与职工（人）"]) == (submitted, workers) == (7, 7)
    assert Decimal(str(overview["年经济效益（元）"])) == benefit == Decimal("51650.50")
    assert projects[-1][1] == len(projects) - 2 == submitted
    assert Decimal(str(projects[-1][6])) == benefit


@pytest.fixture
def generated(db, demo):
    """A generated city (simulator/bulk_city.py: 600 projects, their events and targets) under the demo's
    top; the id of its first enterprise and a city-wide API token's secret."""
    with db.transaction() as session:
        round_ = session.scalars(select(Round)).one()
        top = session.scalars(select(Unit).where(Unit.parent_id.is_(None))).one()
        seed_bulk(session, round_, top, utcnow(), projects=600, units=90, seed=5)
        enterprise = session.scalars(select(Unit.id).where(Unit.kind == UnitKind.enterprise)
                                    .order_by(Unit.id.desc())).first()
        _token, secret = create_token(session, COMMAND_LINE, "excel-check", None, utcnow())
    return enterprise, secret


def named_counts(rows: list[tuple], names: dict[str, str]) -> dict[str | None, int]:
    """A sheet's (name, count) rows without header and total, keyed as the API keys them."""
    keys = {name: key for key, name in names.items()}
    return {keys.get(row[0]): row[1] for row in rows[1:-1]}


def test_the_downloaded_excel_equals_the_api_and_the_page_on_a_generated_city(page, accounts, generated, tmp_path):
    enterprise, secret = generated
    accounts.add("wang", "staff")
    page.goto(f"/login?next=/stats?unit={enterprise}")
    log_in(page, "wang")
    page.wait_for_url("**unit=*")
    submitted, benefit, workers = page_figures(page)
    with page.expect_download() as download:
        page.get_by_test_id("export").click()
    saved = tmp_path / "export.xlsx"
    download.value.save_as(saved)
    answer = page.request.get(f"/api/statistics?unit={enterprise}", headers={"Authorization": f"Bearer {secret}"})
    assert answer.status == 200
    api = answer.json()
    book = {ws.title: list(ws.iter_rows(values_only=True)) for ws in load_workbook(saved, read_only=True).worksheets}
    overview = {row[0]: row[1] for row in book["概况"]}
    projects = book["项目清单"]
    assert submitted > 100 and workers > 50  # a city big enough for the sums to mean something
    assert overview["已申报（项）"] == api["unit"]["submitted"] == submitted == projects[-1][1] == len(projects) - 2
    assert Decimal(str(overview["年经济效益（元）"])) == Decimal(api["benefit"]["total_yuan"]) == benefit
    assert Decimal(str(projects[-1][6])) == benefit
    assert overview["参与职工（人）"] == api["participation"]["workers"] == workers
    assert overview["有申报的单位（个）"] == api["participation"]["units"]
    funnel = [overview[key] for key in ("已申报", "通过单位初审", "进入评审", "获奖")]
    assert funnel == [api["funnel"][key] for key in ("submitted", "unit_approved", "reviewed", "awarded")]
    assert named_counts(book["按专业系统"], texts.SYSTEM_NAMES) == {s["key"]: s["projects"] for s in api["by_system"]}
    assert named_counts(book["按类别"], texts.CATEGORY_NAMES) == {c["key"]: c["projects"] for c in api["by_category"]}
    children = [row for row in book["按单位"][1:] if row[0] == 1]
    assert [(row[1].strip(), row[4], row[6]) for row in children] == [
        (c["name"], c["submitted"], c["approved"]) for c in api["children"]]
    weeks = book["每周趋势"]
    assert weeks[-1][1:3] == (sum(w["submitted"] for w in api["weeks"]), sum(w["approved"] for w in api["weeks"]))


def test_a_coordinators_session_never_sees_another_subtree(page, accounts, city):
    accounts.add("li", "coordinator", unit_id=city["晋源能源集团一矿"]["id"])
    page.goto("/login?next=/stats")
    log_in(page, "li")
    page.wait_for_url("**/stats")
    assert page.get_by_test_id("stats-unit").inner_text() == "数据统计 · 一矿"
    assert "二矿" not in page.content()
    assert page.get_by_test_id("breadcrumb").get_by_role("link").count() == 0  # nothing above their own unit
    for other in ("晋源能源集团二矿", "晋源能源集团", "市总工会"):
        response = page.goto(f"/stats?unit={city[other]['id']}")
        assert response.status == 404 and "找不到页面" in page.content()
