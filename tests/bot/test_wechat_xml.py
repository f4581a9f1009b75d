"""Parsing WeChat XML into Incoming values and rendering replies that stay valid XML."""
import time
from xml.etree.ElementTree import fromstring

import pytest

from bot.wechat_xml import MAX_REPLY_BYTES, BadXml, dedup_key, parse_xml, render_reply, to_incoming
from handlers.messages import Article, Incoming, Kind, Reply
from tests.bot.samples import SAMPLES


def incoming_of(name: str) -> Incoming:
    return to_incoming(parse_xml(SAMPLES[name].encode("utf-8")))


def test_text_sample():
    msg = incoming_of("text")
    assert (msg.kind, msg.openid, msg.text, msg.msg_id, msg.account) == (
        Kind.text, "fromUser", "this is a test", "1234567890123456", "toUser")
    assert msg.created_at.timestamp() == 1348831860


def test_voice_sample_carries_recognition_as_text():
    msg = incoming_of("voice")
    assert msg.kind == Kind.voice and msg.text == "腾讯微信团队" and msg.media_id == "media_id"


@pytest.mark.parametrize("name,kind,check", [
    ("image", Kind.image, lambda m: m.media_id == "media_id" and m.pic_url == "this is a url"),
    ("video", Kind.video, lambda m: m.media_id == "media_id"),
    ("shortvideo", Kind.shortvideo, lambda m: m.media_id == "media_id"),
    ("location", Kind.location, lambda m: (m.latitude, m.longitude, m.label) == (23.134521, 113.358803, "位置信息")),
    ("link", Kind.link, lambda m: (m.title, m.url) == ("公众平台官网链接", "url")),
    ("file", Kind.file, lambda m: m.title == "report.pdf" and m.fields["FileKey"] == "key"),
])
def test_media_and_other_samples(name, kind, check):
    msg = incoming_of(name)
    assert msg.kind == kind and check(msg)


@pytest.mark.parametrize("name,event,key", [
    ("subscribe", "subscribe", None),
    ("unsubscribe", "unsubscribe", None),
    ("subscribe_qrscene", "subscribe", "qrscene_123123"),
    ("SCAN", "scan", "SCENE_VALUE"),
    ("CLICK", "click", "EVENTKEY"),
    ("VIEW", "view", "www.qq.com"),
    ("TEMPLATESENDJOBFINISH", "templatesendjobfinish", None),
    ("subscribe_msg_popup_event", "subscribe_msg_popup_event", None),
])
def test_event_samples(name, event, key):
    msg = incoming_of(name)
    assert msg.kind == Kind.event and msg.event == event and msg.event_key == key


def test_location_event_and_template_status_and_popup_choices():
    loc = incoming_of("LOCATION")
    assert (loc.latitude, loc.longitude) == (23.137466, 113.352425)
    finished = incoming_of("TEMPLATESENDJOBFINISH")
    assert finished.msg_id == "200163836" and finished.fields["Status"] == "success"
    popup = incoming_of("subscribe_msg_popup_event")
    assert popup.subscriptions == (("VRR0UEO9VJOLs0MHlU0OilqX6MVFDwH3_3gz3Oc0NIc", "accept"),
                                   ("9nLIlbOQZC5Y89AZteFEux3WCXRRRG5Wfzkpssu4bLI", "reject"))


def test_unknown_type_is_kept_as_unknown():
    msg = to_incoming(parse_xml(b"<xml><FromUserName>u</FromUserName><MsgType>miniprogrampage</MsgType>"
                                b"<MsgId>1</MsgId></xml>"))
    assert msg.kind == Kind.unknown


def test_dedup_key_uses_msgid_for_messages_and_sender_time_event_for_events():
    assert dedup_key(incoming_of("text")) == "msg:1234567890123456"
    assert dedup_key(incoming_of("subscribe")) != dedup_key(incoming_of("unsubscribe"))
    assert dedup_key(incoming_of("CLICK")) == dedup_key(incoming_of("CLICK"))


@pytest.mark.parametrize("body", [
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
    b"<xml><FromUserName>&lol2;</FromUserName></xml>",
    b'<!DOCTYPE xml SYSTEM "http://example.invalid/x.dtd"><xml/>',
    b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><Content>&e;</Content></xml>',
    b"<xml><FromUserName>u</FromUserName>",
    b"not xml at all",
    b"<notxml><FromUserName>u</FromUserName></notxml>",
    b"",
])
def test_hostile_or_broken_xml_is_refused(body):
    with pytest.raises(BadXml):
        parse_xml(body)


def test_message_without_sender_is_refused():
    with pytest.raises(BadXml):
        to_incoming(parse_xml(b"<xml><MsgType>text</MsgType></xml>"))


@pytest.mark.parametrize("text", [
    "结束符]]>在这里]]>再来",
    "控制字符\x00\x01\x0b\x1f\ufffe混进来",
    "😀" * 2000,
    "矿" * 3000,
])
def test_rendered_reply_is_valid_xml_within_limit(text):
    xml = render_reply(Reply(text), incoming_of("text"), time.time())
    root = fromstring(xml)
    content = root.findtext("Content")
    assert len(content.encode("utf-8")) <= MAX_REPLY_BYTES
    assert content
    if "]]>" in text:
        assert content == text


def test_news_reply_renders_one_article():
    reply = Reply(articles=(Article("我的项目", "点开看进度", "https://example.org/p"),))
    root = fromstring(render_reply(reply, incoming_of("text"), time.time()))
    assert root.findtext("MsgType") == "news" and root.findtext("Articles/item/Title") == "我的项目"
