"""The /wechat endpoint over signed HTTP: authenticity, limits, modes, and exactly-once handling."""
import threading
import time

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import func, select

from bot import create_app
from simulator.follower import SimulatedFollower, signature
from handlers import texts
from models import Conversation, InboundMessage, Worker
from tests.bot.samples import SAMPLES
from tests.conftest import AES_KEY, APP_ID, TOKEN
from tests.wechat_driver import WeChatDriver
from bot.extensions import database_of, gateway_of


def count(db, model) -> int:
    with db.transaction() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_handshake_echoes_echostr(client):
    ts, nonce = str(int(time.time())), "n1"
    resp = client.get(f"/wechat?signature={signature(TOKEN, ts, nonce)}&timestamp={ts}&nonce={nonce}&echostr=hello42")
    assert resp.status_code == 200 and resp.get_data(as_text=True) == "hello42"


@pytest.mark.parametrize("query", [
    "signature=deadbeef&timestamp={ts}&nonce=n1&echostr=x",
    "timestamp={ts}&nonce=n1&echostr=x",
    "signature={sig_old}&timestamp={old}&nonce=n1&echostr=x",
    "signature={sig_bad_ts}&timestamp=abc&nonce=n1&echostr=x",
])
def test_handshake_refuses_bad_signature_or_stale_timestamp(client, query):
    ts, old = str(int(time.time())), str(int(time.time()) - 301)
    query = query.format(ts=ts, old=old, sig_old=signature(TOKEN, old, "n1"), sig_bad_ts=signature(TOKEN, "abc", "n1"))
    assert client.get(f"/wechat?{query}").status_code == 403


def test_post_with_forged_signature_is_refused_and_nothing_stored(wechat, client, db):
    signed = wechat.follower.sign(wechat.follower.text("你好"))
    signed.params["signature"] = "0" * 40
    resp = client.post(f"/wechat?{signed.query_string()}", data=signed.body, content_type="text/xml")
    assert resp.status_code == 403
    assert count(db, InboundMessage) == 0


def test_post_from_the_future_is_refused(wechat):
    assert wechat.post(wechat.follower.text("你好"), timestamp=int(time.time()) + 400).status == 403


def test_oversized_body_gets_413(wechat):
    assert wechat.post(wechat.follower.text("矿" * 30000)).status == 413


def test_xml_bomb_gets_400_quickly(wechat, db):
    bomb = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i else "&lol;" * 10}">' for i in range(1, 9))
            + ']><xml><FromUserName>u</FromUserName><Content>&lol8;</Content></xml>')
    started = time.perf_counter()
    assert wechat.post(bomb).status == 400
    assert time.perf_counter() - started < 1
    assert count(db, InboundMessage) == 0


def test_malformed_xml_gets_400(wechat):
    assert wechat.post("<xml><FromUserName>u</From").status == 400


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_every_official_sample_is_answered(wechat, name):
    answer = wechat.post(SAMPLES[name])
    assert answer.status == 200
    assert answer.body == "success" or answer.body.startswith("<xml>")


def test_unknown_message_type_gets_a_polite_reply(wechat):
    answer = wechat.post("<xml><ToUserName>gh</ToUserName><FromUserName>u1</FromUserName><CreateTime>1</CreateTime>"
                         "<MsgType>miniprogrampage</MsgType><MsgId>77</MsgId></xml>")
    assert answer.text == texts.UNSUPPORTED


def test_voice_without_recognition_asks_to_type(wechat):
    assert wechat.send_voice(None) == texts.VOICE_NOT_RECOGNIZED


def test_subscribe_and_unsubscribe_are_recorded(wechat, db):
    assert wechat.send_event("subscribe") == texts.WELCOME
    with db.transaction() as s:
        assert s.scalars(select(Worker.subscribed)).one() is True
    assert wechat.post(wechat.follower.event("unsubscribe", create_time=int(time.time()) + 1)).body == "success"
    with db.transaction() as s:
        worker = s.scalars(select(Worker)).one()
        assert worker.subscribed is False and worker.unsubscribed_at is not None


def test_three_retries_of_one_message_have_one_effect_and_the_same_reply(wechat, db):
    message = wechat.follower.text("你好")
    replies = [wechat.post(message).text for _ in range(4)]
    assert len(set(replies)) == 1 and replies[0]
    assert count(db, InboundMessage) == 1
    with db.transaction() as s:
        assert s.scalars(select(Conversation.turns)).one() == 1


def test_retried_event_has_one_effect(wechat, db):
    event = wechat.follower.event("subscribe", create_time=1700000000)
    assert wechat.post(event).text == wechat.post(event).text == texts.WELCOME
    assert count(db, InboundMessage) == 1


def test_fault_in_handler_rolls_back_and_says_try_again(app, wechat, db):
    gateway = gateway_of(app)
    original = gateway.handler

    def failing(session, incoming):
        original(session, incoming)
        raise RuntimeError("injected fault")

    gateway.handler = failing
    message = wechat.follower.text("你好")
    assert wechat.post(message).text == texts.TRY_AGAIN
    assert count(db, Worker) == 0 and count(db, InboundMessage) == 0
    gateway.handler = original
    assert "申报" in wechat.post(message).text  # WeChat's retry then succeeds
    assert count(db, InboundMessage) == 1


def test_effects_that_fail_to_write_roll_back_and_say_try_again(app, wechat, db):
    gateway = gateway_of(app)
    original = gateway.handler

    def clashing(session, incoming):
        reply = original(session, incoming)
        session.add(Worker(openid=incoming.openid))  # the same openid again: refused when written
        return reply

    gateway.handler = clashing
    message = wechat.follower.text("你好")
    assert wechat.post(message).text == texts.TRY_AGAIN
    assert count(db, Worker) == 0 and count(db, InboundMessage) == 0
    gateway.handler = original
    assert "申报" in wechat.post(message).text
    assert count(db, InboundMessage) == 1


def test_safe_mode_round_trip(settings_overrides):
    app = create_app({**settings_overrides, "WECHAT_AES_KEY": AES_KEY})
    follower = SimulatedFollower(token=TOKEN, openid="o_safe", app_id=APP_ID, aes_key=AES_KEY, mode="safe")
    driver = WeChatDriver(app.test_client(), follower)
    answer = driver.post(follower.text("你好"))
    assert "<Encrypt>" in answer.body and "申报" in answer.text
    compatible = driver.as_follower("o_compat")
    compatible.follower.mode = "compatible"
    assert "申报" in compatible.send_text("你好")
    database_of(app).dispose()


def test_safe_mode_with_bad_msg_signature_is_refused(settings_overrides):
    app = create_app({**settings_overrides, "WECHAT_AES_KEY": AES_KEY})
    follower = SimulatedFollower(token=TOKEN, openid="o_safe", app_id=APP_ID, aes_key=AES_KEY, mode="safe")
    signed = follower.sign(follower.text("你好"))
    signed.params["msg_signature"] = "f" * 40
    resp = app.test_client().post(f"/wechat?{signed.query_string()}", data=signed.body, content_type="text/xml")
    assert resp.status_code == 403
    database_of(app).dispose()


def test_two_processes_racing_on_one_msgid_cause_one_effect(settings_overrides):
    """Two app instances (separate engines, as two gunicorn workers) get the same message at once."""
    apps = [create_app(settings_overrides) for _ in range(2)]
    barrier = threading.Barrier(2)
    for application in apps:
        gateway = gateway_of(application)
        original = gateway.handler

        def slow(session, incoming, original=original):
            reply = original(session, incoming)
            time.sleep(0.3)  # hold the transaction open so the two really overlap
            return reply

        gateway.handler = slow
    follower = SimulatedFollower(token=TOKEN, openid="o_race", app_id=APP_ID)
    message = follower.text("你好")
    results: list[str] = []

    def post(application):
        barrier.wait()
        results.append(WeChatDriver(application.test_client(), follower).post(message).text)

    threads = [threading.Thread(target=post, args=(a,)) for a in apps]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    db = database_of(apps[0])
    assert len(results) == 2 and results[0] == results[1] and "申报" in results[0]
    assert count(db, InboundMessage) == 1
    with db.transaction() as s:
        assert s.scalars(select(Conversation.turns)).one() == 1
    for application in apps:
        database_of(application).dispose()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.one_of(
    st.binary(max_size=400),
    st.text(max_size=300).map(lambda t: f"<xml><FromUserName>u</FromUserName><MsgType>text</MsgType>"
                                        f"<Content>{t}</Content><MsgId>9</MsgId></xml>"),
    st.text(alphabet="<>/![]CDAT&;xml \"'=?", max_size=200),
))
def test_no_input_ever_produces_a_500(wechat, body):
    answer = wechat.post(body if isinstance(body, str) else body.decode("latin-1"))
    assert answer.status in (200, 400)
