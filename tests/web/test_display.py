"""The public showcase: awarded projects for everyone, searchable, never a private field."""
from __future__ import annotations

import re

import pytest

from models.base import utcnow
from models.seed import seed_demo
from tests.web.public_data import Generated, generate


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
