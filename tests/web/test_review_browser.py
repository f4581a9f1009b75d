"""Unit review in a real browser: a coordinator passes one project from its row and returns another with a reason."""
from __future__ import annotations

from tests.chat import MINE_ONE, notice_text, outbox
from tests.web.test_browser import log_in, watch
from tests.web.test_review_pages import add_project, status_of


def test_a_coordinator_passes_one_project_and_returns_another_with_a_reason(page, accounts, db, demo):
    add_project(db, demo, "2026-0001", title="皮带机清扫器改进")
    add_project(db, demo, "2026-0002", title="液压支架快速接头", description="支架管路漏液，做了快速接头")
    accounts.add("li", "coordinator", name="李主任", unit_id=demo[MINE_ONE]["id"])
    problems = watch(page)
    page.goto("/review")
    log_in(page, "li")
    page.wait_for_url("**/review")
    assert page.get_by_test_id("total").inner_text() == "2"

    first = page.locator("#row-2026-0001")
    first.get_by_test_id("approve").click()  # htmx: only this row is redrawn
    page.locator("#row-2026-0001 [data-testid=review-done]").wait_for()
    assert "初审通过" in page.locator("#row-2026-0001").inner_text()

    second = page.locator("#row-2026-0002")
    second.get_by_test_id("return").click()  # no reason yet: refused, said next to the field
    page.locator("#row-2026-0002 .invalid-feedback").wait_for()
    assert "退回必须写明原因" in page.locator("#row-2026-0002").inner_text()
    page.locator("#row-2026-0002").get_by_test_id("reason").fill("请补充漏液前后的对比数据")
    page.locator("#row-2026-0002").get_by_test_id("return").click()
    page.locator("#row-2026-0002 [data-testid=review-done]").wait_for()
    assert "请补充漏液前后的对比数据" in page.locator("#row-2026-0002").inner_text()

    assert (status_of(db, "2026-0001"), status_of(db, "2026-0002")) == ("unit_approved", "returned")
    told = sorted(notice_text(n) for n in outbox(db))
    assert len(told) == 2 and any("请补充漏液前后的对比数据" in t for t in told)
    page.reload()
    assert page.get_by_test_id("empty").inner_text() == "没有等待初审的项目。"
    page.goto("/projects/2026-0002")
    assert "请补充漏液前后的对比数据" in page.get_by_test_id("history").inner_text()
    assert problems == []  # htmx and the CSRF header work under the page's security policy
