"""The public showcase: awarded projects for everyone, searchable, never a private field."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from models.base import utcnow
from models.city_review import CityReview
from models.project import Project
from models.seed import seed_demo
from tests.web.public_data import Generated, finalize, generate, put_under_notice


@pytest.fixture
def made(db, settings) -> Generated:
    """The demo tree with 40 generated projects of every status."""
    with db.transaction() as session:
        seed_demo(session, utcnow())
        made = generate(session, settings.instance_path / "media")
        session.expunge_all()
    return made


def titles(html: str) -> set[str]:
    """The project titles a list page shows."""
    return set(re.findall(r'<h4 class="weui-media-box__title">([^<]+)</h4>', html))


def test_only_awarded_projects_are_listed(client, made):
    page = client.get("/display")
    assert page.status_code == 200
    shown = titles(page.get_data(as_text=True))
    assert shown == {p.title for p in made.of("awarded")}
    assert len(shown) == 6  # 40 projects over the 7 statuses after draft


def test_search_by_words_system_and_unit(client, made, db):
    awarded = made.of("awarded")
    first = awarded[0]
    assert titles(client.get("/display", query_string={"q": first.title}).get_data(as_text=True)) == {first.title}
    by_system = titles(client.get("/display", query_string={"system": first.system}).get_data(as_text=True))
    assert by_system == {p.title for p in awarded if p.system == first.system}
    by_unit = titles(client.get("/display", query_string={"unit": first.unit_id}).get_data(as_text=True))
    assert by_unit == {p.title for p in awarded if p.unit_id == first.unit_id}


def test_a_search_for_a_year_without_awards_finds_nothing_and_says_so(client, made):
    page = client.get("/display", query_string={"year": 1999}).get_data(as_text=True)
    assert titles(page) == set()
    assert "没有找到符合条件的项目" in page


def test_bad_search_values_are_ignored_not_errors(client, made):
    for query in ({"year": "abc"}, {"unit": "-1"}, {"system": "<script>"}, {"before": "x"}, {"q": "%_" * 100}):
        assert client.get("/display", query_string=query).status_code == 200


def test_the_project_page_shows_its_photo_and_no_private_field(client, made):
    project = made.of("awarded")[0]
    page = client.get(f"/display/{project.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and project.title in html and project.number in html
    photo = re.search(r'src="(/display/photos/\d+)"', html)
    assert photo, "the page shows the project's photo"
    with client.get(photo.group(1)) as image:
        assert image.status_code == 200 and image.mimetype == "image/png" and image.data.startswith(b"\x89PNG")


def test_projects_and_photos_that_are_not_public_are_404(client, made):
    for status in ("submitted", "returned", "unit_approved", "under_review", "not_awarded", "withdrawn"):
        for project in made.of(status):
            assert client.get(f"/display/{project.id}").status_code == 404
            for photo_id in made.photos[project.id]:
                assert client.get(f"/display/photos/{photo_id}").status_code == 404


def test_no_public_page_contains_an_openid(client, made):
    pages = ["/display", "/display?q=改进", *(f"/display/{p.id}" for p in made.of("awarded"))]
    for path in pages:
        html = client.get(path).get_data(as_text=True)
        leaked = [openid for openid in made.openids if openid in html]
        assert not leaked, f"{path} shows {leaked}"


def test_pages_of_twenty(client, db, settings):
    with db.transaction() as session:
        seed_demo(session, utcnow())
        made = generate(session, settings.instance_path / "media", count=7 * 30)  # 30 awarded: two pages
    awarded = {p.title for p in made.of("awarded")}
    first = client.get("/display").get_data(as_text=True)
    second_link = re.search(r'href="(/display\?before=\d+)"', first)
    assert second_link
    second = client.get(second_link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert len(titles(first)) == 20 and titles(first) | titles(second) == awarded
    assert not titles(first) & titles(second)


@pytest.fixture
def awarded(db, made) -> dict[str, list]:
    """Final awards for the awarded projects, and two under_review projects under a running 公示."""
    with db.transaction() as session:
        final = [session.get(Project, p.id) for p in made.of("awarded")]
        finalize(session, final, ["first"] + ["third"] * (len(final) - 1))
        noticed = [session.get(Project, p.id) for p in made.of("under_review")[:2]]
        put_under_notice(session, noticed, ["special", "second"])
        return {"final": [p.title for p in final], "noticed": [p.title for p in noticed],
                "noticed_ids": [p.id for p in noticed]}


def test_awards_show_their_level_and_the_notice_list_its_period(client, awarded):
    page = client.get("/display").get_data(as_text=True)
    assert titles(page) == set(awarded["final"]) | set(awarded["noticed"])
    assert "一等奖" in page and "特等奖（公示中）" in page
    notices = client.get("/display/notices").get_data(as_text=True)
    assert titles(notices) == set(awarded["noticed"])
    assert "公示期：" in notices and "如何提出异议" in notices
    project = client.get(f"/display/{awarded['noticed_ids'][1]}").get_data(as_text=True)
    assert "二等奖（公示中）" in project


def test_no_score_or_rank_reaches_a_public_page(client, awarded):
    for path in ("/display", "/display/notices", *(f"/display/{i}" for i in awarded["noticed_ids"])):
        html = client.get(path).get_data(as_text=True)
        assert "91.25" not in html and "97.5" not in html


def test_after_the_notice_ends_its_projects_are_no_longer_public(client, db, awarded):
    with db.transaction() as session:
        review = session.scalars(select(CityReview)).one()
        review.notice_ends_at = utcnow() - timedelta(minutes=1)
    assert client.get(f"/display/{awarded['noticed_ids'][0]}").status_code == 404
    assert "现在没有正在公示的项目" in client.get("/display/notices").get_data(as_text=True)
