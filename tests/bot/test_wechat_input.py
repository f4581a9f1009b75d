"""Bad input never reaches the database: every field is checked where the XML becomes an Incoming value.

Out-of-range values answer 400 (never 500, never "try again"), and a property test posts
near-valid WeChat XML (real field names, real message types, values just outside what WeChat
sends) through the signed endpoint: no input gives a 5xx or a "try again".
"""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import func, select

from simulator.follower import message_xml
from bot.wechat_xml import FIELD_LIMITS, BadXml, dedup_key, parse_xml, to_incoming
from handlers import texts
from handlers.messages import Kind
from models import InboundMessage
from tests.wechat_driver import WeChatDriver

NOW = 1_764_000_000


def message(**fields: object) -> dict[str, object]:
    """A text message from one follower with some fields replaced (None drops a field)."""
    base: dict[str, object] = {"ToUserName": "gh_5xiao", "FromUserName": "o_input", "CreateTime": NOW,
                               "MsgType": "text", "Content": "你好", "MsgId": 880001}
    base.update(fields)
    return {k: v for k, v in base.items() if v is not None}


@pytest.mark.parametrize("fields", [
    {"CreateTime": "1e20"}, {"CreateTime": "inf"}, {"CreateTime": "nan"}, {"CreateTime": "-5"},
    {"CreateTime": "99999999999999999999"}, {"CreateTime": "4294967296"}, {"CreateTime": "１２３"},
    {"FromUserName": "o" * 65}, {"MsgId": "9" * 65}, {"ToUserName": "g" * 65},
    {"MsgType": "image", "MediaId": "m" * 201, "PicUrl": "http://x"},
    {"MsgType": "image", "MediaId": "m", "PicUrl": "http://x/" + "p" * 500},
    {"MsgType": "event", "Event": "e" * 41}, {"MsgType": "event", "Event": "CLICK", "EventKey": "k" * 129},
    {"MsgType": "location", "Location_X": "91", "Location_Y": "10"},
    {"MsgType": "location", "Location_X": "nan", "Location_Y": "10"},
    {"MsgType": "location", "Location_X": "north", "Location_Y": "10"},
    {"MsgType": "event", "Event": "LOCATION", "Latitude": "1e400", "Longitude": "1"},
    {"Content": "矿" * 10_001}, {"SomeFutureField": "x" * 2_001},
])
def test_out_of_range_fields_answer_400_and_store_nothing(wechat: WeChatDriver, db, fields: dict) -> None:
    answer = wechat.post(message_xml(message(**fields)))
    assert answer.status == 400
    with db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(InboundMessage)) == 0


@pytest.mark.parametrize("fields", [
    {"CreateTime": "0"}, {"CreateTime": str(2**32 - 1)}, {"CreateTime": None},
    {"FromUserName": "o" * 64}, {"MsgId": "9" * 20},
    {"MsgType": "image", "MediaId": "m" * 200, "PicUrl": "http://x/" + "p" * 491},
    {"MsgType": "location", "Location_X": "-90", "Location_Y": "180.0", "Label": "井口"},
    {"Content": "矿" * 10_000},
])
def test_values_at_the_limits_are_answered(wechat: WeChatDriver, fields: dict) -> None:
    answer = wechat.post(message_xml(message(**fields)))
    assert answer.status == 200 and answer.text and answer.text != texts.TRY_AGAIN


def test_a_long_event_key_gets_a_key_of_its_own_not_a_cut_one() -> None:
    def key(event_key: str) -> str:
        return dedup_key(to_incoming(parse_xml(message_xml(message(
            MsgType="event", Event="CLICK", MsgId=None, FromUserName="o" * 64, EventKey=event_key)).encode())))
    first, second = key("k" * 127 + "1"), key("k" * 127 + "2")
    assert first != second and len(first) <= 200 and len(second) <= 200


def test_the_limits_fit_the_columns() -> None:
    from models.inbound import InboundMessage as Inbound
    from models.project import Attachment
    from models.worker import Worker
    assert FIELD_LIMITS["FromUserName"] <= Worker.__table__.c.openid.type.length
    assert FIELD_LIMITS["MediaId"] <= Attachment.__table__.c.media_id.type.length
    assert FIELD_LIMITS["PicUrl"] <= Attachment.__table__.c.pic_url.type.length
    assert FIELD_LIMITS["Event"] <= Inbound.__table__.c.kind.type.length
    with pytest.raises(BadXml):
        to_incoming(parse_xml(message_xml(message(FromUserName=" ")).encode()))
    assert to_incoming(parse_xml(message_xml(message(MsgType="miniprogrampage")).encode())).kind == Kind.unknown


# --- near-valid WeChat XML ---------------------------------------------------------------------

MSG_TYPES = ("text", "image", "voice", "video", "shortvideo", "location", "link", "file", "event", "miniprogrampage", "")
EVENTS = ("subscribe", "unsubscribe", "SCAN", "LOCATION", "CLICK", "VIEW", "TEMPLATESENDJOBFINISH",
          "subscribe_msg_popup_event", "scancode_push", "")
FIELDS = ("ToUserName", "FromUserName", "CreateTime", "MsgType", "Content", "MsgId", "MsgID", "MediaId", "PicUrl",
          "Format", "Recognition", "ThumbMediaId", "Location_X", "Location_Y", "Scale", "Label", "Title",
          "Description", "Url", "Event", "EventKey", "Ticket", "Latitude", "Longitude", "Precision", "Status")
#: Numbers as WeChat writes them, and just outside: huge, negative, not finite, exponent, full-width digits.
numbers = st.one_of(st.integers(-(2**70), 2**70).map(str), st.floats(allow_nan=True, allow_infinity=True).map(str),
                    st.sampled_from(["1e20", "inf", "-inf", "nan", "0x10", "１７００００００００", "", " 42 ", "1.5"]))
#: Words: any characters (XML forbids some: the parser refuses them), CDATA closers, long runs.
words = st.one_of(st.text(max_size=40), st.sampled_from(["确认", "对", "取消", "查询", "]]>", "&amp;", "<x/>", "\ufeff"]),
                  st.builds(lambda c, n: c * n, st.sampled_from(["矿", "o", "9", " "]), st.integers(0, 12_000)))
values = st.one_of(words, numbers)


@st.composite
def wechat_messages(draw: st.DrawFn) -> str:
    """A WeChat message body: real field names and types, values near and beyond WeChat's ranges, some damage."""
    fields = draw(st.dictionaries(st.sampled_from(FIELDS), values, max_size=8))
    fields["MsgType"] = draw(st.sampled_from(MSG_TYPES) | words)
    fields.setdefault("FromUserName", draw(st.sampled_from(["o_prop_1", "o_prop_2"]) | words))
    if fields["MsgType"] == "event":
        fields["Event"] = draw(st.sampled_from(EVENTS) | words)
    body = message_xml(fields)
    damage = draw(st.sampled_from(["none", "none", "nested", "duplicate", "cut", "raw", "bytes"]))
    if damage == "nested":
        body = body.replace("</xml>", f"<{draw(st.sampled_from(FIELDS))}><a>{draw(words)}</a></{FIELDS[0]}></xml>")
    elif damage == "duplicate":
        body = body.replace("</xml>", f"<MsgType>{draw(st.sampled_from(MSG_TYPES))}</MsgType></xml>")
    elif damage == "cut":
        body = body[:draw(st.integers(0, max(0, len(body) - 1)))]
    elif damage == "raw":
        body = "<xml>" + "".join(f"<{k}>{v}</{k}>" for k, v in fields.items()) + "</xml>"
    elif damage == "bytes":
        body = draw(st.binary(max_size=200)).decode("latin-1") + body
    return body


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow, HealthCheck.data_too_large])
@given(body=wechat_messages())
def test_no_wechat_message_gets_a_5xx_or_try_again(wechat: WeChatDriver, body: str) -> None:
    answer = wechat.post(body)
    assert answer.status in (200, 400, 413)
    assert answer.text != texts.TRY_AGAIN
