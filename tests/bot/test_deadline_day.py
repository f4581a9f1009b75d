"""Deadline day against the production server: gunicorn (2 workers × 4 threads) on a real database.

Fifty workers confirm their projects at the same moment, five times over on PostgreSQL (twice on
SQLite, whose write gate runs one writer at a time anyway): every project is submitted once,
with a distinct number and no gap.
"""
from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import make_url, select

from bot.database import Database
from simulator.follower import SimulatedFollower
from simulator.sandbox import SandboxHandle, start_sandbox_thread
from handlers import texts
from models.base import utcnow
from models.project import Project
from models.seed import seed_demo, unit_listing
from models.worker import Worker
from tests.bot.live_server import HttpWeChat, LiveServer
from tests.bot.tcp_proxy import StallingProxy
from tests.chat import TRANSPORT
from tests.conftest import APP_ID, TOKEN, _backends, _truncate

pytestmark = pytest.mark.slow

WORKERS = 50
#: Bursts per backend: SQLite queues every writer, so two show it; PostgreSQL is where they race.
BURSTS = {"sqlite": 2, "postgresql": 5}
NUMBER = re.compile(r"\d{4}-\d{4}")
EQUIPMENT = ("皮带机清扫器", "液压支架立柱", "刮板输送机链轮", "乳化液泵站", "局部通风机", "瓦斯抽采管路", "掘进机截割头",
             "锚杆钻机", "单轨吊", "绞车制动器")
SURNAMES, GIVEN = "张王李赵刘陈杨黄周吴", "一二三四五六七八九十"


@dataclass
class DeadlineDay:
    """A live server on a database seeded with the demo units, and what a test needs around it."""

    server: LiveServer
    db: Database
    sandbox: SandboxHandle
    proxy: StallingProxy | None
    unit_id: int
    backend: str

    def follower(self, openid: str) -> HttpWeChat:
        """A follower posting to the live server."""
        return HttpWeChat(self.server.url, SimulatedFollower(token=TOKEN, openid=openid, app_id=APP_ID))


def _database(request: pytest.FixtureRequest, folder: Path) -> tuple[str, str, StallingProxy | None]:
    """The test's database URL, and the URL the server uses (through a stalling proxy on PostgreSQL)."""
    if request.param == "sqlite":
        path = folder / "bot.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}", f"sqlite:///{path}", None
    url = request.getfixturevalue("postgres_url")
    _truncate(url)
    parsed = make_url(url)
    proxy = StallingProxy((parsed.host or "127.0.0.1", parsed.port or 5432)).start()
    return url, parsed.set(port=proxy.port).render_as_string(hide_password=False), proxy


@pytest.fixture(scope="module", params=_backends())
def deadline_day(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DeadlineDay]:
    """gunicorn with the production settings on a fresh database, the WeChat sandbox behind it."""
    folder = tmp_path_factory.mktemp(f"deadline-{request.param}")
    url, server_url, proxy = _database(request, folder)
    sandbox = start_sandbox_thread("127.0.0.1", 0, APP_ID, "test-secret")
    db = Database(url)
    with db.transaction() as session:
        seed_demo(session, utcnow())
        unit_id = next(u["id"] for u in unit_listing(session) if u["name"] == TRANSPORT)
    env = {"WECHAT_TOKEN": TOKEN, "WECHAT_APP_ID": APP_ID, "WECHAT_APP_SECRET": "test-secret",
           "SECRET_KEY": "test-secret-key", "DATABASE_URL": server_url, "INSTANCE_PATH": str(folder / "instance"),
           "WECHAT_API_BASE": sandbox.url, "WECHAT_AES_KEY": ""}
    server = LiveServer(env, folder / "gunicorn.log").start()
    try:
        yield DeadlineDay(server, db, sandbox, proxy, unit_id, request.param)
    finally:
        server.stop()
        sandbox.stop()
        if proxy is not None:
            proxy.close()
        db.dispose()


def bound_workers(day: DeadlineDay, prefix: str, count: int) -> list[str]:
    """Workers already bound to 运输队 (as after their first chat); their openids."""
    openids = [f"{prefix}_{i:02d}" for i in range(count)]
    with day.db.transaction() as session:
        session.add_all(Worker(openid=o, unit_id=day.unit_id, name=SURNAMES[i % 10] + GIVEN[i // 10 % 10])
                        for i, o in enumerate(openids))
    return openids


def describe(index: int) -> str:
    """A worker's whole project in one message, different for every worker."""
    return (f"我们班改了个{index + 1}号{EQUIPMENT[index % len(EQUIPMENT)]}，原来老出故障要停机，"
            f"现在加了第{index + 1}套保护，一年省{index % 9 + 2}万多")


def at_summary(wechat: HttpWeChat, index: int) -> str:
    """Describe the project and answer what the form asks until it shows the summary; return the summary."""
    reply = wechat.send_text(describe(index)).text
    answers = {texts.ASK_TITLE: f"{index + 1}号{EQUIPMENT[index % len(EQUIPMENT)]}改进",
               texts.ASK_SYSTEM: "4", texts.ASK_BENEFIT: "每年节约3万元", texts.ASK_CATEGORY: "3"}
    for _ in range(6):
        if "请核对" in reply:
            return reply
        answer = next((a for q, a in answers.items() if q in reply), "对")
        reply = wechat.send_text(answer).text
    raise AssertionError(f"worker {index} never reached the summary: {reply}")


def confirm(wechat: HttpWeChat) -> tuple[str, int]:
    """Confirm as the worker would: again after a similar-projects warning, "1" after a same-title one."""
    reply, deliveries = "", 0
    for text in ("确认", "确认", "1"):
        answer = wechat.send_text(text)
        reply, deliveries = answer.text, max(deliveries, answer.deliveries)
        if NUMBER.search(reply) and "已有相似" not in reply and "已经报过" not in reply:
            break
    return reply, deliveries


def test_fifty_workers_confirming_at_once_all_get_distinct_numbers_without_gaps(deadline_day: DeadlineDay) -> None:
    """Bursts of 50 confirms: every project submitted once, numbered 0001… without a gap, each worker told his."""
    day = deadline_day
    told: dict[str, str] = {}
    most_deliveries, bursts = 0, BURSTS[day.backend]
    for burst in range(bursts):
        openids = bound_workers(day, f"o_burst{burst}", WORKERS)
        wechats = [day.follower(o) for o in openids]
        with ThreadPoolExecutor(8) as pool:
            summaries = list(pool.map(at_summary, wechats, [burst * WORKERS + i for i in range(WORKERS)]))
        assert all("请核对" in s for s in summaries)
        barrier = threading.Barrier(WORKERS)

        def at_once(wechat: HttpWeChat) -> tuple[str, int]:
            barrier.wait()
            return confirm(wechat)

        with ThreadPoolExecutor(WORKERS) as pool:
            results = list(pool.map(at_once, wechats))
        for openid, (reply, deliveries) in zip(openids, results):
            told[openid] = reply
            most_deliveries = max(most_deliveries, deliveries)
    assert not [r for r in told.values() if r == texts.TRY_AGAIN or not NUMBER.search(r)], day.server.log()
    with day.db.sessions() as session:
        rows = session.execute(select(Worker.openid, Project.number, Project.status)
                               .join(Project, Project.worker_id == Worker.id)).all()
    assert len(rows) == WORKERS * bursts and {status for _, _, status in rows} == {"submitted"}
    numbers = sorted(number for _, number, _ in rows)
    year = numbers[0].split("-")[0]
    assert numbers == [f"{year}-{i:04d}" for i in range(1, WORKERS * bursts + 1)]  # distinct, no gap
    assert all(NUMBER.search(told[openid]).group() == number for openid, number, _ in rows)  # each told his own
    assert most_deliveries <= 4
