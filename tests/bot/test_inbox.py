"""Exactly once, in order, deterministically: a message whose dialog moved while it was handled, a retry,
the activity time; through bot/inbox.py's unlocked path (on PostgreSQL its one-statement write)."""
from datetime import timedelta

from sqlalchemy import func, select, update

from bot.extensions import gateway_of
from bot.inbox import handle_once
from bot.wechat_xml import render_reply
from handlers.messages import Incoming, Kind, Reply
from models.base import utcnow
from models.conversation import Conversation
from models.inbound import InboundMessage
from models.worker import Worker


def _text(openid: str, msg_id: int, words: str) -> Incoming:
    """A text message as the gateway hands it over."""
    return Incoming(openid=openid, kind=Kind.text, created_at=utcnow().replace(microsecond=0), account="gh_test",
                    msg_id=str(msg_id), text=words)


def _render(incoming: Incoming):  # noqa: ANN202 - the gateway's renderer for one message
    return lambda reply: render_reply(reply, incoming, 0)


def _send(app, incoming: Incoming, handler=None) -> str:  # noqa: ANN001
    """Handle one message exactly once, as the gateway does; its reply XML."""
    gateway = gateway_of(app)
    return handle_once(gateway.db, incoming, handler or gateway.handler, _render(incoming))


def _dialog(app, openid: str) -> tuple[int, int]:  # noqa: ANN001
    """(turns, records) of a follower."""
    with gateway_of(app).db.transaction() as s:
        turns = s.scalars(select(Conversation.turns).join(Worker, Worker.id == Conversation.worker_id)
                          .where(Worker.openid == openid)).one()
        return turns, s.scalar(select(func.count()).select_from(InboundMessage).where(InboundMessage.openid == openid))


def test_a_message_whose_dialog_moved_while_it_was_handled_is_handled_again_on_what_moved_it(app):
    _send(app, _text("o_race", 1, "你好"))
    before, _ = _dialog(app, "o_race")
    runs: list[str | None] = []

    def racing(session, incoming, **kwargs) -> Reply:  # noqa: ANN001
        reply = gateway_of(app).handler(session, incoming, **kwargs)  # the dialog is read, the reply made
        runs.append(incoming.msg_id)
        if len(runs) == 1:  # now another message of the same follower is handled and committed
            _send(app, _text("o_race", 3, "帮助"))
        return reply

    reply = _send(app, _text("o_race", 2, "帮助"), racing)
    assert runs == ["2", "2"]  # the first run's write found the dialog moved: handled again
    assert _dialog(app, "o_race") == (before + 2, 3)  # both messages counted, neither lost
    assert "申报" in reply


def test_a_retry_answers_the_recorded_reply_and_changes_nothing(app):
    _send(app, _text("o_retry", 1, "你好"))
    first = _send(app, _text("o_retry", 2, "帮助"))
    after_first = _dialog(app, "o_retry")
    assert _send(app, _text("o_retry", 2, "帮助")) == first
    assert _dialog(app, "o_retry") == after_first


def test_a_follower_back_after_a_while_has_his_activity_time_moved_with_the_message(app):
    _send(app, _text("o_back", 1, "你好"))
    long_ago = utcnow() - timedelta(hours=3)
    with gateway_of(app).db.transaction() as s:
        s.execute(update(Worker).where(Worker.openid == "o_back").values(last_message_at=long_ago))
    _send(app, _text("o_back", 2, "帮助"))
    with gateway_of(app).db.transaction() as s:
        seen = s.scalars(select(Worker.last_message_at).where(Worker.openid == "o_back")).one()
    assert utcnow() - seen < timedelta(minutes=1)  # the 48-hour window for customer-service messages opens again
