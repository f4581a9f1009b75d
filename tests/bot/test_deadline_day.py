"""Deadline day against the production server: gunicorn (2 workers × 4 threads) on a real database.

Fifty workers confirm their projects at the same moment, five times over on PostgreSQL (twice on
SQLite, whose write gate runs one writer at a time anyway): every project is submitted once,
with a distinct number and no gap. Then the database path stops for ten seconds in the middle of
ten chats (PostgreSQL: a TCP proxy the test stalls; SQLite: its write lock held elsewhere).
"""
from __future__ import annotations

import re
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pytest
import requests
from sqlalchemy import make_url, select

from bot.database import Database, WriteGate
from simulator.follower import SimulatedFollower
from simulator.sandbox import SandboxHandle, start_sandbox_thread
from handlers import texts
from models.base import utcnow
from models.project import Project
from models.seed import seed_demo, unit_listing
from models.worker import Worker
from tests.bot.live_server import HttpWeChat, LiveServer
from tests.bot.tcp_proxy import StallingProxy
from tests.bot.test_scheduler import wait_for
from tests.chat import TRANSPORT
from tests.conftest import APP_ID, TOKEN, _backends, _truncate

pytestmark = pytest.mark.slow

WORKERS = 50
#: Bursts per backend: SQLite queues every writer, so two show it; PostgreSQL is where they race.
BURSTS = {"sqlite": 2, "postgresql": 5}
NUMBER = re.compile(r"\d{4}-\d{4}")
SIMILAR_WARNING = texts.SIMILAR_FOUND.split("{", 1)[0]
EQUIPMENT = ("皮带机清扫器", "液压支架立柱", "刮板输送机链轮", "乳化液泵站", "局部通风机", "瓦斯抽采管路", "掘进机截割头",
             "锚杆钻机", "单轨吊", "绞车制动器")
SURNAMES, GIVEN = "张王李赵刘陈杨黄周吴", "一二三四五六七八九十"
TITLES = ("刮板机链条张紧器", "皮带机防跑偏装置", "液压支架护帮板", "局扇自动切换装置", "绞车防跑车装置")
#: Five projects unlike each other and unlike the bursts' (so no similar-projects warning comes first).
DISTINCT = ("掘进队的风镐钎杆老是断，我们给钎杆尾部加了缓冲套，一年省八万元",
            "主井提升机的制动闸瓦磨损快，换成了新型复合材料闸瓦，一年省五万元",
            "通风队把井下两道风门改成联锁，再不会同时打开漏风，一年节约六万元",
            "选煤厂压滤机的滤布改成高压水自动冲洗，不用人工刷了，一年节约四万元",
            "食堂蒸饭车加装了定时控制器，蒸好自动断电不再空烧，一年省电两万元")


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


def at_summary(day: DeadlineDay, wechat: HttpWeChat, index: int, description: str | None = None) -> str:
    """Describe the project and answer what the form asks until it shows the summary; return the summary."""
    reply, _ = say(day, wechat, description or describe(index))
    answers = {texts.ASK_TITLE: f"{index + 1}号{EQUIPMENT[index % len(EQUIPMENT)]}改进",
               texts.ASK_SYSTEM: "4", texts.ASK_BENEFIT: "每年节约3万元", texts.ASK_CATEGORY: "3",
               texts.ASK_MEMBERS: "就我一个"}
    for _ in range(6):
        if "请核对" in reply:
            return reply
        answer = next((a for q, a in answers.items() if q in reply), "对")
        reply, _ = say(day, wechat, answer)
    raise AssertionError(f"worker {index} never reached the summary: {reply}")


def say(day: DeadlineDay, wechat: HttpWeChat, text: str) -> tuple[str, int]:
    """Send as the worker would and return what the worker is told, and how many deliveries it took.

    Under a burst the server may keep a message for later (it could not reach its database within its
    timeout) and answer "收到，稍后回复您"; the real answer then arrives as a customer-service text,
    which is what the worker reads next.
    """
    before = len(customer_service_texts(day, wechat.follower.openid))
    answer = wechat.send_text(text)
    if answer.text != texts.SPOOLED:
        return answer.text, answer.deliveries
    assert wait_for(lambda: len(customer_service_texts(day, wechat.follower.openid)) > before, 60), day.server.log()
    return customer_service_texts(day, wechat.follower.openid)[before], answer.deliveries


def confirm(day: DeadlineDay, wechat: HttpWeChat) -> tuple[str, int]:
    """Confirm as the worker would: again after a similar-projects warning, "1" after a same-title one."""
    reply, deliveries = "", 0
    for text in ("确认", "确认", "1"):
        reply, delivered = say(day, wechat, text)
        deliveries = max(deliveries, delivered)
        if NUMBER.search(reply) and "已有相似" not in reply and "已经报过" not in reply:
            break
    return reply, deliveries


def test_fifty_workers_confirming_at_once_all_get_distinct_numbers_without_gaps(deadline_day: DeadlineDay) -> None:
    """Bursts of 50 confirms: every project submitted once, numbered 0001… without a gap, each worker told his
    (in the reply, or, when the server kept the message for a moment, in the customer-service text after it)."""
    day = deadline_day
    told: dict[str, str] = {}
    most_deliveries, bursts = 0, BURSTS[day.backend]
    for burst in range(bursts):
        openids = bound_workers(day, f"o_burst{burst}", WORKERS)
        wechats = [day.follower(o) for o in openids]
        with ThreadPoolExecutor(8) as pool:
            summaries = list(pool.map(partial(at_summary, day), wechats, [burst * WORKERS + i for i in range(WORKERS)]))
        assert all("请核对" in s for s in summaries)
        barrier = threading.Barrier(WORKERS)

        def at_once(wechat: HttpWeChat) -> tuple[str, int]:
            barrier.wait()
            return confirm(day, wechat)

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


def stop_database(day: DeadlineDay) -> Callable[[], None]:
    """Make the server's database unreachable (PostgreSQL: stall the TCP path; SQLite: hold its write lock)."""
    if day.proxy is not None:
        day.proxy.stall()
        return day.proxy.resume
    held = WriteGate(Path(make_url(day.db.url).database + ".writelock"), timeout=30).held()
    held.__enter__()
    return lambda: held.__exit__(None, None, None)


def customer_service_texts(day: DeadlineDay, openid: str) -> list[str]:
    """The customer-service texts the sandbox delivered to a follower."""
    calls = requests.get(f"{day.sandbox.url}/_sandbox/calls", params={"path": "/cgi-bin/message/custom/send",
                                                                      "openid": openid}, timeout=5).json()["calls"]
    return [c["body"]["text"]["content"] for c in calls if c["response"].get("errcode") == 0]


def test_a_ten_second_database_stall_mid_chat_loses_nothing(deadline_day: DeadlineDay) -> None:
    """Ten workers mid-chat when the database path stops for 10 s: each is answered within WeChat's wait, the
    service answers again soon after, and each message is handled once, its answer sent as a customer-service text."""
    day = deadline_day
    openids = bound_workers(day, "o_stall", 10)
    wechats = [day.follower(o) for o in openids]
    for i, wechat in enumerate(wechats[:5]):  # five at the summary, about to confirm
        at_summary(day, wechat, 1000 + i, DISTINCT[i])
    for wechat in wechats[5:]:  # five just asked for their project's name
        assert texts.ASK_TITLE in wechat.send_text("我要申报").text
    resume = stop_database(day)
    stopped = time.monotonic()
    try:
        with ThreadPoolExecutor(10) as pool:
            sent = ["确认"] * 5 + list(TITLES)
            during = list(pool.map(HttpWeChat.send_text, wechats, sent))
            health = requests.get(f"{day.server.url}/healthz", timeout=15).status_code
    finally:
        time.sleep(max(0.0, 10 - (time.monotonic() - stopped)))
        resume()
    assert [d.text for d in during] == [texts.SPOOLED] * 10, day.server.log()
    assert all(d.deliveries == 1 and d.seconds < 5 for d in during)  # answered within WeChat's wait
    assert health == (503 if day.proxy is not None else 200)  # SQLite still reads; only its writer is held
    newcomer = day.follower("o_after_the_stall")
    back = time.monotonic()
    assert wait_for(lambda: newcomer.send_text("帮助").text not in ("", texts.SPOOLED, texts.TRY_AGAIN), 30)
    assert time.monotonic() - back < 30 and day.server.healthy(timeout=5)
    assert wait_for(lambda: all(customer_service_texts(day, o) for o in openids), 30), day.server.log()
    with day.db.sessions() as session:
        projects = {o: (status, number, title) for o, status, number, title in session.execute(
            select(Worker.openid, Project.status, Project.number, Project.title)
            .join(Project, Project.worker_id == Worker.id).where(Worker.openid.in_(openids)))}
    for wechat, words in zip(wechats, sent):
        openid = wechat.follower.openid
        (answer,) = customer_service_texts(day, openid)  # one answer each, once
        status, number, title = projects[openid]
        if words != "确认":
            assert status == "draft" and title == words and texts.ASK_DESCRIPTION in answer
        elif answer.startswith(SIMILAR_WARNING):  # the first yes heard what a first yes hears: similar projects
            assert status == "draft"
            assert NUMBER.search(wechat.send_text("确认").text)  # and the second submits, as always
        else:
            assert status == "submitted" and number in answer, answer
    with day.db.sessions() as session:
        assert set(session.scalars(select(Project.status).join(Worker, Project.worker_id == Worker.id)
                                   .where(Worker.openid.in_(openids[:5])))) == {"submitted"}
