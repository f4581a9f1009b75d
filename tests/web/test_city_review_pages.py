"""The city review and awards pages over HTTP: who may see what, blind scoring, the steps to a certificate."""
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from models.outbox import OutboundMessage
from models.project import Project
from tests.models.test_city_review import add_project, scores
from tests.web.conftest import csrf_token


@pytest.fixture
def city(db, demo, accounts):
    """Staff, two transport reviewers and one mining reviewer; two approved transport projects, one mining."""
    team = demo["晋源能源集团一矿运输队"]["id"]
    accounts.add("office", "staff")
    accounts.add("r1", "reviewer", name="王专家", systems=["transport"])
    accounts.add("r2", "reviewer", name="李专家", systems=["transport"])
    accounts.add("r3", "reviewer", name="赵专家", systems=["mining"])
    with db.transaction() as session:
        add_project(session, team, "2026-0001", benefit=300000).title = '清扫器<script>alert("x")</script>'
        add_project(session, team, "2026-0002")
        add_project(session, team, "2026-0003", system="mining")
    return demo


def as_user(app, username):
    """A fresh client signed in as this account."""
    from tests.web.conftest import AuthActions

    client = app.test_client()
    assert AuthActions(client).login(username).status_code == 302
    return client


def post(client, path, form_page, **data):
    """Post a form with the token of the page that shows it; return the response."""
    return client.post(path, data={**data, "csrf_token": csrf_token(client.get(form_page))})


def open_and_assign(app, round_id=1):
    office = as_user(app, "office")
    page = f"/city-review/{round_id}"
    assert post(office, f"{page}/open", page).status_code == 302
    assert post(office, f"{page}/assign", page).status_code == 302
    return office


def test_staff_open_assign_and_see_shortfalls(app, city):
    office = open_and_assign(app)
    page = office.get("/city-review/1").get_data(as_text=True)
    assert "以下项目的专家不足 3 位" in page and "这个专业组的专家不够" in page
    assert "&lt;script&gt;" in page and "<script>alert" not in page
    assert office.post("/city-review/1/close", data={}).status_code == 400  # no token


def test_reviewer_sees_only_what_is_assigned_and_never_others_scores(app, city):
    open_and_assign(app)
    r1, r2, r3 = as_user(app, "r1"), as_user(app, "r2"), as_user(app, "r3")
    listing = r1.get("/scoring").get_data(as_text=True)
    assert "2026-0001" in listing and "2026-0002" in listing and "2026-0003" not in listing
    assert "还有 2 个待评分" in listing
    for path in ("/scoring/2026-0003", "/scoring/2026-9999", "/city-review/1", "/awards/1"):
        assert r1.get(path).status_code == 404, path
    assert r3.get("/scoring/2026-0001").status_code == 404
    sheet = r1.get("/scoring/2026-0001").get_data(as_text=True)
    assert "建议档次：年效益10万至50万元" in sheet
    saved = post(r1, "/scoring/2026-0001", "/scoring/2026-0001", comment="独家评语甲", **scores(77))
    assert saved.status_code == 302
    theirs = r2.get("/scoring/2026-0001").get_data(as_text=True)
    assert "独家评语甲" not in theirs and 'value="77"' not in theirs and "77.00" not in theirs
    mine = r1.get("/scoring/2026-0001").get_data(as_text=True)
    assert "独家评语甲" in mine and "77.00" in mine
    refused = post(r1, "/scoring/2026-0002", "/scoring/2026-0002", comment="留着", **{**scores(80), "benefit": "49"})
    assert refused.status_code == 400
    body = refused.get_data(as_text=True)
    assert "留着" in body and 'value="80"' in body and "不在任何档次内" in body


def test_from_scores_to_certificate(app, city, db):
    office = open_and_assign(app)
    r1, r2 = as_user(app, "r1"), as_user(app, "r2")
    post(r1, "/scoring/2026-0001", "/scoring/2026-0001", **scores(95))
    post(r2, "/scoring/2026-0001", "/scoring/2026-0001", **scores(60))
    post(r1, "/scoring/2026-0002", "/scoring/2026-0002", **scores(50))
    assert post(r1, "/scoring/2026-0002/system", "/scoring/2026-0002", system="electromechanical").status_code == 302
    assert post(office, "/city-review/1/close", "/city-review/1").status_code == 302
    results = office.get("/city-review/1").get_data(as_text=True)
    assert "需合议" in results and "77.50" in results
    assert post(r1, "/scoring/2026-0001", "/scoring/2026-0001", **scores(10)).status_code == 302  # refused, kept
    awards = "/awards/1"
    post(office, f"{awards}/propose", awards)
    page = office.get(awards).get_data(as_text=True)
    assert "特等奖" in page and "分数低于最低获奖分" in page
    assert office.get("/certificates/2026-0001.pdf").status_code == 404  # not final yet
    post(office, f"{awards}/confirm", awards)
    post(office, f"{awards}/publish", awards, days="0")
    assert post(office, f"{awards}/finalize", awards).status_code == 302
    assert "已生效" in office.get(awards).get_data(as_text=True)
    sheet = load_workbook(BytesIO(office.get(f"{awards}/awards.xlsx").data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("项目编号", "项目名称", "单位") and "创新性均分" in rows[0]
    assert rows[1][0] == "2026-0001" and rows[1][-2:] == ("特等奖", 8000) and len(rows) == 2
    results_sheet = load_workbook(BytesIO(office.get("/city-review/1/results.xlsx").data)).active
    assert [r[0] for r in results_sheet.iter_rows(min_row=2, values_only=True)] == ["2026-0001", "2026-0002", "2026-0003"]
    anonymous = app.test_client()
    pdf = anonymous.get("/certificates/2026-0001.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF") and pdf.mimetype == "application/pdf"
    assert anonymous.get("/certificates/2026-0002.pdf").status_code == 404
    with db.transaction() as session:
        told = {m.openid: m.payload["fields"] for m in session.scalars(select(OutboundMessage))}
        assert told["o_2026-0001"]["certificate"].endswith("/certificates/2026-0001.pdf")
        assert told["o_2026-0002"]["status"] == "not_awarded"
        assert session.scalars(select(Project.system).where(Project.number == "2026-0002")).one() == \
            "electromechanical"


def test_titles_are_escaped_and_forms_need_their_token_on_the_review_pages(app, city):
    office = open_and_assign(app)
    r1 = as_user(app, "r1")
    for client, path in ((r1, "/scoring"), (r1, "/scoring/2026-0001")):
        body = client.get(path).get_data(as_text=True)
        assert '清扫器&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;' in body and "<script>alert" not in body, path
    assert r1.post("/scoring/2026-0001", data=scores(80)).status_code == 400
    assert r1.post("/scoring/2026-0001/system", data={"system": "mining"}).status_code == 400
    post(r1, "/scoring/2026-0001", "/scoring/2026-0001", **scores(80))
    post(office, "/city-review/1/close", "/city-review/1")
    assert office.post("/awards/1/propose", data={}).status_code == 400
    post(office, "/awards/1/propose", "/awards/1")
    body = office.get("/awards/1").get_data(as_text=True)
    assert "&lt;script&gt;" in body and "<script>alert" not in body
    assert office.get("/awards/99").status_code == 404 and office.get("/city-review/99").status_code == 404
