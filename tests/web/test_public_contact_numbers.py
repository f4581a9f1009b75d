"""Phone and ID numbers a worker wrote into a project: hidden on /display and in the API, shown to staff."""
from __future__ import annotations

import json
import random
import re

import pytest
from sqlalchemy import select

from models.api_token import create_token
from models.audit import COMMAND_LINE
from models.base import utcnow
from models.contact_numbers import MASK
from models.project import Project
from models.seed import seed_demo
from tests.contact_numbers import id_number, id_writings, landline_writings, mobile, mobile_writings
from tests.web.public_data import generate, put_under_notice


def digits(text: str) -> str:
    """Only the digits of a text (full-width ones as ASCII), so a number is found however it was split."""
    return re.sub(r"\D", "", text.translate(str.maketrans("０１２３４５６７８９", "0123456789")))


@pytest.fixture
def written(db, settings) -> dict[int, list[str]]:
    """Generated projects of every status; numbers written into the titles and descriptions. By project id."""
    rng = random.Random(13)
    found: dict[int, list[str]] = {}
    with db.transaction() as session:
        seed_demo(session, utcnow())
        made = generate(session, settings.instance_path / "media", count=48)
        put_under_notice(session, made.of("unit_approved")[:2], ["first", "second"])
        for project in session.scalars(select(Project)).all():
            numbers = [rng.choice(mobile_writings(mobile(rng))), rng.choice(landline_writings(rng)),
                       rng.choice(id_writings(id_number(rng)))]
            project.description += f"联系我{numbers[0]}，办公室{numbers[1]}，身份证{numbers[2]}。"
            in_title = rng.choice(mobile_writings(mobile(rng)))
            project.title += f" {in_title}"
            found[project.id] = [*numbers, in_title]
    return found


def leaks(body: str, numbers: dict[int, list[str]]) -> list[str]:
    """The numbers that a page or an answer shows, as written or digit for digit."""
    flat = digits(body)
    return [n for ns in numbers.values() for n in ns if n in body or digits(n) in flat]


def test_the_showcase_never_shows_a_written_number(client, written):
    public = re.findall(r'href="/display/(\d+)"', client.get("/display").get_data(as_text=True))
    assert public, "the showcase lists the awarded projects"
    for path in ["/display", "/display/notices", *(f"/display/{i}" for i in public)]:
        html = client.get(path).get_data(as_text=True)
        assert MASK in html and not leaks(html, written), path


def test_a_search_for_a_written_number_finds_nothing(client, db, written):
    with db.sessions() as session:
        awarded = session.scalars(select(Project).where(Project.status == "awarded")).first()
        assert awarded is not None
        number, word = written[awarded.id][0], awarded.title[:2]
    assert f'href="/display/{awarded.id}"' in client.get("/display", query_string={"q": word}).get_data(as_text=True)
    for query in (number, f"{word} {number}", digits(number)):
        page = client.get("/display", query_string={"q": query}).get_data(as_text=True)
        assert re.findall(r'href="/display/\d+"', page) == [], query  # not even the project that holds it


def test_the_api_never_answers_a_written_number(client, db, written):
    with db.transaction() as session:
        _token, secret = create_token(session, COMMAND_LINE, "city", None, utcnow())
    items, cursor = [], None
    while True:
        answer = client.get("/api/projects", headers={"Authorization": f"Bearer {secret}"},
                            query_string={"limit": 50, **({"cursor": cursor} if cursor else {})}).get_json()
        items += answer["items"]
        cursor = answer["next_cursor"]
        if not cursor:
            break
    assert len(items) == len(written)
    body = json.dumps(items, ensure_ascii=False)
    assert all(MASK in item["description"] for item in items) and not leaks(body, written)


def test_staff_read_the_text_as_the_worker_wrote_it(client, auth, accounts, db, written):
    accounts.add("wang", "staff")
    auth.login("wang")
    with db.sessions() as session:
        project = session.scalars(select(Project).where(Project.status == "awarded")).first()
        assert project is not None
        number = project.number
    html = client.get(f"/projects/{number}").get_data(as_text=True)
    assert all(n in html for n in written[project.id][:3]) and MASK not in html
