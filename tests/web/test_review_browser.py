"""The city review in a real browser, as a new user checks the demo: a project from the chat to its certificate.

A worker submits in the chat and the coordinator passes it there; the demo's admin opens the review
and assigns the demo's reviewers (the enterprise's own expert is kept away), two reviewers score,
the admin closes, proposes, confirms, runs a 0-day public notice and finalizes; the certificate
opens, and the worker's chat gets the award notice with its link through the outbox and the sandbox.
"""
from __future__ import annotations

import pytest

from bot.background import BackgroundWork
from models.base import utcnow
from models.seed import seed_admin, seed_reviewers
from tests.chat import bind_coordinator, submit_project
from tests.test_end_to_end import next_daytime, pushes_to
from tests.web.test_browser import log_in, watch

ADMIN_PASSWORD, REVIEWER_PASSWORD = "admin-password-1", "reviewer-password-1"


@pytest.fixture
def settings_overrides(settings_overrides, sandbox):
    """The app talks to the sandbox, so the worker's pushes can be read there."""
    return {**settings_overrides, "WECHAT_API_BASE": sandbox.url}


def sign_in(page, username, password):
    """Sign out whoever is signed in, then sign in."""
    page.context.clear_cookies()
    page.goto("/login")
    log_in(page, username, password)
    page.wait_for_url(lambda url: url.endswith("/"))


def score(page, number, values, comment):
    """As a reviewer, open the project from the worklist and save the sheet."""
    page.goto("/scoring")
    page.locator(f'[data-testid=work-item][data-number="{number}"]').click()
    for label, value in values.items():
        page.get_by_label(label).fill(str(value))
    page.get_by_label("评语").fill(comment)
    page.get_by_test_id("save-scores").click()
    page.wait_for_url("**/scoring")
    assert page.get_by_role("alert").inner_text().startswith("评分已保存")


def test_staff_assign_two_reviewers_score_and_the_worker_gets_the_certificate(page, app, db, demo, wechat, sandbox):
    submit_project(wechat, demo)
    bind_coordinator(wechat, demo).send_text("通过 0001")
    with db.transaction() as session:
        seed_admin(session, utcnow(), ADMIN_PASSWORD)
        seed_reviewers(session, utcnow(), REVIEWER_PASSWORD)
    problems = watch(page)

    sign_in(page, "admin", ADMIN_PASSWORD)
    page.get_by_role("link", name="评审与奖项", exact=True).click()
    page.get_by_role("link", name="评审", exact=True).first.click()
    page.get_by_test_id("open-review").click()
    page.get_by_test_id("assign").click()
    assert page.get_by_role("alert").first.inner_text() == "已按专业组分配评审专家。"
    assert "专家与项目同属一个企业（回避）" in page.get_by_test_id("shortfalls").inner_text()
    assert page.locator("[data-testid=result-row]").first.inner_text().count("0/2") == 1

    sign_in(page, "pingshen3", REVIEWER_PASSWORD)  # the enterprise's own expert: nothing assigned
    page.goto("/scoring")
    assert "分配给您 0 个项目" in page.get_by_test_id("open-count").inner_text()
    for reviewer, mark in (("pingshen1", 90), ("pingshen2", 80)):
        sign_in(page, reviewer, REVIEWER_PASSWORD)
        page.goto("/scoring/2026-0001")
        assert "建议档次：年效益10万元以下" in page.get_by_test_id("suggested-band").inner_text()
        score(page, "2026-0001", {"创新性（权重 30）": mark, "实用性（权重 30）": mark, "经济效益（权重 25）": 45,
                                  "推广价值（权重 15）": mark}, f"{reviewer}的评语")
        assert "还有 0 个待评分" in page.get_by_test_id("open-count").inner_text()

    sign_in(page, "admin", ADMIN_PASSWORD)
    page.goto("/city-review/1")
    page.get_by_test_id("close-review").click()
    assert "评审已结束" in page.get_by_test_id("review-state").inner_text()
    row = page.locator("[data-testid=result-row]").first.inner_text()
    assert "2/2" in row and "75.00" in row  # (90·75 + 45·25)/100 = 78.75 and (80·75 + 45·25)/100 = 71.25
    page.get_by_test_id("to-awards").click()
    page.get_by_test_id("propose").click()
    assert page.locator("[data-testid=placement]").first.get_by_test_id("level").inner_text() == "特等奖"
    page.get_by_test_id("confirm").click()
    page.get_by_label("公示").fill("0")
    page.get_by_test_id("publish").click()
    page.get_by_test_id("finalize").click()
    assert page.get_by_test_id("award-state").inner_text().startswith("已生效")
    link = page.get_by_test_id("certificate").get_attribute("href")
    pdf = page.request.get(link)
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
    # a favicon request still loading when a form post navigates away is cancelled: not a fault of the page
    assert [p for p in problems if not p.endswith("/static/favicon.svg")] == []

    work = BackgroundWork(app)
    daytime = next_daytime()
    work.sender.clock = lambda: daytime
    work.run_once()
    texts = [p["body"]["text"]["content"] for p in pushes_to(sandbox, wechat.follower.openid)]
    award = [t for t in texts if "获奖" in t]
    assert len(award) == 1 and "特等奖" in award[0] and "奖金8000元" in award[0]
    assert "/certificates/2026-0001.pdf" in award[0]
