"""The JSON API: tokens (401 without one), scopes that hold, cursor pages, and no private field."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from bot.cli import main
from models.api_token import create_token, revoke_token
from models.audit import COMMAND_LINE, AuditEntry
from models.base import utcnow
from models.project import Project, ProjectStatus
from models.seed import seed_demo, unit_listing
from models.unit import units_under
from tests.web.public_data import Generated, generate

ENDPOINTS = ["/api/projects", "/api/units", "/api/statistics", "/api/rounds"]


@pytest.fixture
def units(db) -> dict[str, dict]:
    """The demo tree by full name."""
    with db.transaction() as session:
        seed_demo(session, utcnow())
        return {u["name"]: u for u in unit_listing(session)}


@pytest.fixture
def made(db, settings, units) -> Generated:
    """60 generated projects of every status over the demo tree."""
    with db.transaction() as session:
        made = generate(session, settings.instance_path / "media", count=60)
        session.expunge_all()
    return made


def token(db, name: str, unit_id: int | None = None) -> dict[str, str]:
    """Headers with a new token's secret."""
    with db.transaction() as session:
        _token, secret = create_token(session, COMMAND_LINE, name, unit_id, utcnow())
    return {"Authorization": f"Bearer {secret}"}


def all_projects(client, headers, **query) -> list[dict]:
    """Every project a token sees, following the cursor."""
    items, cursor = [], None
    for _ in range(100):
        args = {**query, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/projects", headers=headers, query_string=args)
        assert page.status_code == 200, page.get_json()
        body = page.get_json()
        items += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("the cursor never ended")


@pytest.mark.parametrize("path", ENDPOINTS)
def test_an_anonymous_caller_gets_401_in_json(client, units, path):
    for headers in ({}, {"Authorization": "Bearer wx5api_not-a-token"}, {"Authorization": "Basic YTpi"}):
        answer = client.get(path, headers=headers)
        assert answer.status_code == 401 and answer.is_json
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")
        assert answer.get_json()["code"] == 401


def test_a_revoked_token_stops_working_at_once(client, db, units):
    headers = token(db, "erp")
    assert client.get("/api/rounds", headers=headers).status_code == 200
    with db.transaction() as session:
        revoke_token(session, COMMAND_LINE, "erp", utcnow())
    assert client.get("/api/rounds", headers=headers).status_code == 401


def test_the_openapi_document_is_generated_and_public(client):
    document = client.get("/api/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    assert {"/api/projects", "/api/units", "/api/statistics", "/api/rounds"} <= set(document["paths"])
    assert document["components"]["securitySchemes"]["bearerAuth"] == {"type": "http", "scheme": "bearer"}
    parameters = {p["name"] for p in document["paths"]["/api/projects"]["get"]["parameters"]}
    assert {"round", "unit", "system", "category", "status", "updated_since", "cursor", "limit"} <= parameters


def test_a_city_token_pages_through_every_project_but_drafts_once(client, db, made):
    seen = all_projects(client, token(db, "city"), limit=7)
    ids = [p["id"] for p in seen]
    assert len(ids) == len(set(ids)) == 60
    assert ProjectStatus.draft not in {p["status"] for p in seen}


def test_a_unit_token_never_sees_another_subtree(client, db, units, made):
    mine_one, mine_two = units["晋源能源集团一矿"]["id"], units["晋源能源集团二矿"]["id"]
    headers = token(db, "mine-one", mine_one)
    with db.transaction() as session:
        own = set(units_under(session, mine_one))
        expected = {p.id for p in session.scalars(select(Project).where(Project.unit_id.in_(own)))}
    seen = all_projects(client, headers, limit=5)
    assert {p["id"] for p in seen} == expected and expected
    assert {p["unit_id"] for p in seen} <= own
    assert {u["id"] for u in client.get("/api/units", headers=headers).get_json()["items"]} == own
    for path in ("/api/projects", "/api/statistics"):
        answer = client.get(path, headers=headers, query_string={"unit": mine_two})
        assert answer.status_code == 404 and answer.is_json
    stats = client.get("/api/statistics", headers=headers).get_json()
    assert stats["unit"]["unit_id"] == mine_one
    assert stats["unit"]["submitted"] == len([p for p in seen if p["status"] in ProjectStatus.live()])


def test_filters_and_updated_since(client, db, made):
    headers = token(db, "city")
    awarded = all_projects(client, headers, status="awarded")
    assert {p["id"] for p in awarded} == {p.id for p in made.of("awarded")}
    system = made.of("submitted")[0].system
    assert all(p["system"] == system for p in all_projects(client, headers, system=system))
    future = all_projects(client, headers, updated_since="2099-01-01T00:00:00+08:00")
    assert future == []


@pytest.mark.parametrize("query", [{"limit": 0}, {"limit": 201}, {"round": 2**40}, {"status": "draft"},
                                   {"cursor": "garbage"}, {"updated_since": "0001-01-01T00:00:00+14:00"},
                                   {"unit": "x"}, {"updatedsince": "2026-01-01"}])
def test_bad_arguments_get_a_clear_4xx(client, db, units, query):
    answer = client.get("/api/projects", headers=token(db, "city"), query_string=query)
    assert 400 <= answer.status_code < 500 and answer.is_json


PRIVATE_KEYS = {"openid", "worker_id", "worker", "phone", "score", "scores", "rank", "reviewer", "reviewers"}


def keys_of(value) -> set[str]:
    """Every key anywhere in a JSON value."""
    if isinstance(value, dict):
        return set(value) | {key for item in value.values() for key in keys_of(item)}
    if isinstance(value, list):
        return {key for item in value for key in keys_of(item)}
    return set()


def test_no_api_answer_contains_an_openid_or_a_private_field(client, db, made, units):
    headers = token(db, "city")
    answers = [all_projects(client, headers)] + [client.get(path, headers=headers).get_json() for path in ENDPOINTS[1:]]
    for answer in answers:
        body = json.dumps(answer, ensure_ascii=False)
        assert not [openid for openid in made.openids if openid in body]
        assert not keys_of(answer) & PRIVATE_KEYS


def test_the_api_token_command_prints_a_working_token_once(settings_overrides, monkeypatch, client, db, units):
    for key, value in settings_overrides.items():
        monkeypatch.setenv(key, str(value))
    mine = units["晋源能源集团一矿"]["id"]
    result = CliRunner().invoke(main, ["--log-level", "WARNING", "api-token", "create", "mes", "--unit", str(mine)],
                                catch_exceptions=False)
    assert result.exit_code == 0
    secret = result.stdout.strip()
    assert secret.startswith("wx5api_") and len(secret) > 40
    answer = client.get("/api/statistics", headers={"Authorization": f"Bearer {secret}"})
    assert answer.get_json()["unit"]["unit_id"] == mine
    again = CliRunner().invoke(main, ["api-token", "create", "mes"])
    assert again.exit_code == 1 and "name: taken" in again.output
    listing = CliRunner().invoke(main, ["api-token", "list"]).output
    assert "mes" in listing and secret not in listing
    with db.transaction() as session:
        assert session.scalars(select(AuditEntry.action)).all() == ["api_token.create"]
    assert CliRunner().invoke(main, ["api-token", "revoke", "mes"]).exit_code == 0
    assert client.get("/api/statistics", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
