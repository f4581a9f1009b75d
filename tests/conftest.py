"""Fixtures: an application on a fresh database (SQLite, and PostgreSQL when TEST_DATABASE_URL is set)."""
from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from sqlalchemy import Connection, create_engine, make_url, text

from bot import create_app
from bot.database import make_engine
from simulator.follower import SimulatedFollower
from models import Base, accounts
from models.base import utcnow
from models.migrate import upgrade
from models.seed import seed_demo, unit_listing
from tests.conversation import Clock, Conversation, Follower
from tests.wechat_driver import WeChatDriver
from bot.config import Settings
from bot.extensions import database_of, settings_of, similar_projects_of
from simulator.sandbox import SandboxHandle, start_sandbox_thread

TOKEN = "test-token"
APP_ID = "wx5xiaotest000001"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"


def _backends() -> list[str]:
    """The databases the suite runs on."""
    return ["sqlite", "postgresql"] if os.environ.get("TEST_DATABASE_URL") else ["sqlite"]


@pytest.fixture(scope="session", autouse=True)
def nlp_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """An empty classifier cache, so a developer's own `python -m nlp retrain` cannot change the tests."""
    path = tmp_path_factory.mktemp("nlp-model")
    before = os.environ.get("NLP_MODEL_DIR")
    os.environ["NLP_MODEL_DIR"] = str(path)
    yield path
    if before is None:
        os.environ.pop("NLP_MODEL_DIR", None)
    else:
        os.environ["NLP_MODEL_DIR"] = before


class CompiledTemplates(BytecodeCache):
    """Jinja's compiled templates kept for the run, so each test's new application does not compile them again.

    Keyed by template and checked against its source (an edited template compiles anew): the same pages,
    10 ms less per application and less per page it renders.
    """

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        """Fill the bucket with the code compiled earlier in the run, if any."""
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        """Keep a freshly compiled template's code."""
        self._code[bucket.key] = bucket.bytecode_to_string()


@pytest.fixture(scope="session", autouse=True)
def compiled_templates() -> Iterator[CompiledTemplates]:
    """Every application the tests create shares one cache of compiled templates (Flask's jinja_options)."""
    cache = CompiledTemplates()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Flask, "jinja_options", {**Flask.jinja_options, "bytecode_cache": cache})
        yield cache


#: The password hashing of production, which the tests replace by a cheaper scrypt (see below).
FULL_COST_PASSWORDS = accounts.PASSWORD_METHOD


@pytest.fixture(autouse=True)
def cheap_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hash test passwords with scrypt at 1/32 of the cost: the same code path, a second less per account."""
    monkeypatch.setattr(accounts, "PASSWORD_METHOD", "scrypt:1024:8:1")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (migrating once is much faster)."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    engine = make_engine(f"sqlite:///{path}")  # as init-db does: the file is in WAL mode from the start
    upgrade(engine)
    engine.dispose()
    return path


#: Modules whose tests run one after another in one pytest-xdist worker (`-n 2 --dist loadgroup`), by group: the
#: live gunicorn servers (each module's own, timed against WeChat's 5 s) never two at once; the tests on Redis
#: database 1, which test_outage.py empties; and the other modules with a module-wide fixture, set up once.
SERIAL_GROUPS = {"tests/bot/test_deadline_day.py": "gunicorn", "tests/bot/test_exactly_once_live.py": "gunicorn",
                 "tests/bot/test_outage.py": "redis-1", "tests/bot/test_spool.py": "redis-1",
                 "tests/web/test_certificates.py": "certificates", "tests/simulator/test_sandbox.py": "sandbox",
                 "tests/simulator/test_chat_client.py": "chat-client"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under pytest-xdist, keep each module of SERIAL_GROUPS in its group (the others spread over the workers)."""
    if not config.pluginmanager.hasplugin("xdist"):
        return
    for item in items:
        group = SERIAL_GROUPS.get(item.nodeid.split("::", 1)[0])
        if group:
            item.add_marker(pytest.mark.xdist_group(group))


def _worker_database(url: str, worker: str | None) -> str:
    """The test database of this pytest-xdist worker (`test` → `test_gw0`, created when missing); `url` without one."""
    if worker is None:
        return url
    name = f"{make_url(url).database}_{worker}"
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}).first() is None:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return make_url(url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """The PostgreSQL test database (each pytest-xdist worker has its own), migrated once from scratch."""
    url = _worker_database(os.environ["TEST_DATABASE_URL"], getattr(request.config, "workerinput", {}).get("workerid"))
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    engine.dispose()
    yield url


def _emptying_statements(conn: Connection) -> str:
    """One batch that empties every table of the test database and restarts its ids.

    It does what TRUNCATE … RESTART IDENTITY CASCADE did, in milliseconds: DELETE on tables of a few
    rows is cheap, where TRUNCATE replaces every table's and index's files (0.1-0.6 s per test, a quarter
    of the suite's time on PostgreSQL). Children go before parents, so every foreign key holds at each
    step; then the sequences the tables own are restarted.
    """
    tables = Base.metadata.sorted_tables
    sequences = conn.execute(text(
        "SELECT s.relname FROM pg_class s JOIN pg_depend d ON d.objid = s.oid AND d.classid = 'pg_class'::regclass "
        "AND d.refclassid = 'pg_class'::regclass JOIN pg_class t ON t.oid = d.refobjid "
        "WHERE s.relkind = 'S' AND t.relname = ANY(:tables)"), {"tables": [t.name for t in tables]}).scalars().all()
    return "; ".join([f'DELETE FROM "{t.name}"' for t in reversed(tables)]
                     + [f'ALTER SEQUENCE "{name}" RESTART' for name in sequences])


def _truncate(url: str) -> None:
    """Empty every table of the PostgreSQL test database (see `_emptying_statements`)."""
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(_emptying_statements(conn))
    engine.dispose()


@pytest.fixture(scope="session")
def empty_postgres(postgres_url: str) -> Iterator[Callable[[], None]]:
    """Empties the PostgreSQL test database; one connection pool and one batch of statements for the session."""
    engine = create_engine(postgres_url)
    with engine.connect() as conn:
        statements = _emptying_statements(conn)

    def empty() -> None:
        with engine.begin() as conn:
            conn.exec_driver_sql(statements)

    yield empty
    engine.dispose()


@pytest.fixture(params=_backends())
def database_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[str]:
    """A URL of an empty, migrated database of each backend."""
    if request.param == "sqlite":
        path = tmp_path / "bot.sqlite3"
        shutil.copy(sqlite_template, path)
        yield f"sqlite:///{path}"
        return
    request.getfixturevalue("empty_postgres")()
    yield request.getfixturevalue("postgres_url")


@pytest.fixture
def settings_overrides(database_url: str, tmp_path: Path) -> dict[str, object]:
    """Configuration for a test application (plain mode)."""
    return {
        "WECHAT_TOKEN": TOKEN, "WECHAT_APP_ID": APP_ID, "WECHAT_APP_SECRET": "test-secret",
        "SECRET_KEY": "test-secret-key", "DATABASE_URL": database_url, "INSTANCE_PATH": str(tmp_path / "instance"),
        "WECHAT_API_BASE": "http://127.0.0.1:9", "WECHAT_AES_KEY": "",
    }


@pytest.fixture
def app(settings_overrides: dict[str, object]) -> Iterator:
    """The application on a fresh database."""
    application = create_app(settings_overrides)
    application.config["TESTING"] = True
    yield application
    database_of(application).dispose()


@pytest.fixture
def db(app):  # noqa: ANN001, ANN201 - fixture
    """The application's database handle."""
    return database_of(app)


@pytest.fixture
def client(app):  # noqa: ANN001, ANN201 - fixture
    """A Flask test client."""
    return app.test_client()


@pytest.fixture
def wechat(client) -> WeChatDriver:  # noqa: ANN001
    """A follower talking to the app over signed HTTP: `wechat.send_text("申报")` returns the reply text."""
    return WeChatDriver(client, SimulatedFollower(token=TOKEN, openid="o_worker_zhang", app_id=APP_ID))


@pytest.fixture(scope="session")
def running_sandbox() -> Iterator[SandboxHandle]:
    """One WeChat API sandbox for the whole run, with the test account's credentials."""
    handle = start_sandbox_thread("127.0.0.1", 0, APP_ID, "test-secret")
    yield handle
    handle.stop()


@pytest.fixture
def sandbox(running_sandbox: SandboxHandle) -> SandboxHandle:
    """The sandbox, reset: no calls recorded, no faults, fresh tokens."""
    running_sandbox.state.reset()
    return running_sandbox


@pytest.fixture
def settings(app) -> Settings:  # noqa: ANN001
    """The application's settings."""
    return settings_of(app)


@pytest.fixture
def clock() -> Clock:
    """The time the conversation sees, starting now; tests move it on."""
    return Clock()


@pytest.fixture
def chat(app, db, clock) -> Conversation:  # noqa: ANN001
    """A follower talking to the conversation with Incoming values (no HTTP): `chat.send_text("申报")`."""
    return Conversation(db, clock, Follower("o_worker_zhang"), similar_projects_of(app))


@pytest.fixture
def demo(db) -> dict[str, dict]:  # noqa: ANN001
    """The demo unit tree and a round open for submissions; units by full name."""
    with db.transaction() as session:
        seed_demo(session, utcnow())
        return {u["name"]: u for u in unit_listing(session)}
