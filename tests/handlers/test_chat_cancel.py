"""Whole chats about cancelling a draft: only the very next message answers "确定不报了吗", so a draft is never lost."""
from handlers import texts
from tests.chat import LONG_MESSAGE, bind_worker, projects, state_of


def at_the_summary(chat, demo) -> None:
    """A bound worker whose draft is complete and shown for confirmation."""
    bind_worker(chat, demo)
    chat.send_text(LONG_MESSAGE)
    assert "确认" in chat.send_text("对")


def test_a_side_question_drops_the_cancel_and_a_later_yes_submits_the_draft(chat, demo, db):
    at_the_summary(chat, demo)
    assert chat.send_text("取消") == texts.CANCEL_ASK
    side = chat.send_text("查询")
    assert "接着填" in side and "皮带机清扫器" in side  # the summary again, waiting for its yes
    assert state_of(db, chat.follower.openid) == "confirm_submission"
    done = chat.send_text("确认")
    assert "2026-0001" in done and texts.CANCELLED not in done
    [project] = projects(db)
    assert (project.status, project.number) == ("submitted", "2026-0001")


def test_help_or_a_query_by_number_mid_form_drops_the_cancel_and_the_form_goes_on(chat, demo, db):
    bind_worker(chat, demo)
    chat.send_text("申报")
    chat.send_text("皮带机防跑偏装置")
    for side_question in ("帮助", "查询 0042"):
        chat.send_text("取消")
        assert texts.ASK_DESCRIPTION in chat.send_text(side_question)
        assert state_of(db, chat.follower.openid) == "ask_description"
    assert texts.CANCELLED not in chat.send_text("确认")
    assert len(projects(db)) == 1
    chat.send_text("皮带老是跑偏，加了两组立辊，现在不跑偏了")  # the form takes the answer it asked for
    [draft] = projects(db)
    assert (draft.status, draft.title, draft.description) == (
        "draft", "皮带机防跑偏装置", "皮带老是跑偏，加了两组立辊，现在不跑偏了")


def test_a_new_description_instead_of_an_answer_fills_the_draft(chat, demo, db):
    bind_worker(chat, demo)
    chat.send_text("申报")
    chat.send_text("取消")
    reply = chat.send_text(LONG_MESSAGE)
    assert texts.CANCELLED not in reply and "小革新" in reply
    [draft] = projects(db)
    assert draft.status == "draft" and draft.description == LONG_MESSAGE


def test_a_yes_right_after_the_question_still_cancels(chat, demo, db):
    at_the_summary(chat, demo)
    chat.send_text("取消")
    assert chat.send_text("确定") == texts.CANCELLED
    assert projects(db) == []
    assert state_of(db, chat.follower.openid) == "idle"


def test_a_hum_is_not_a_yes_to_throwing_the_draft_away(chat, demo, db):
    at_the_summary(chat, demo)
    chat.send_text("取消")
    kept = chat.send_text("嗯")
    assert texts.CANCELLED not in kept and "接着填" in kept
    assert state_of(db, chat.follower.openid) == "confirm_submission"
    assert projects(db)[0].status == "draft"


def test_an_unclear_answer_keeps_the_draft_without_taking_it_as_an_answer(chat, demo, db):
    bind_worker(chat, demo)
    chat.send_text("申报")
    chat.send_text("取消")
    kept = chat.send_text("不删")
    assert texts.RESUMING.format(question=texts.ASK_TITLE) in kept
    assert not projects(db)[0].title  # "don't delete" is not the project's name
