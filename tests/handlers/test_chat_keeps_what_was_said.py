"""Issue 14's failures found by a new worker, each as the worker's words → what is stored and what is asked next."""
from decimal import Decimal

import pytest

import nlp
from handlers import texts
from tests.chat import LONG_MESSAGE, bind_worker, projects, state_of

BELT = "皮带老是跑偏撒煤，我们加了两组立辊和跑偏开关，现在不跑偏了，一年省两万"


def at_members_question(chat, demo, name="张三"):
    """A worker who described a project without naming anyone, now asked who did it with them."""
    bind_worker(chat, demo, name=name)
    chat.send_text("申报")
    chat.send_text("皮带机防跑偏装置")
    reply = chat.send_text(BELT)
    if "对就回" in reply:
        reply = chat.send_text("对")
    assert texts.ASK_MEMBERS in reply
    return reply


def at_category_question(chat, demo):
    """A worker who named and described a project that states no benefit, now asked its category."""
    bind_worker(chat, demo, name="张三")
    chat.send_text("申报")
    chat.send_text("皮带机清扫器")
    reply = chat.send_text("皮带头老是粘煤，我们加了一道聚氨酯刮板，现在干净了")
    assert "对就回" in reply or "属于哪一类" in reply  # the category is asked

# --- co-authors ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("answer", "members"), [
    ("我和王刚、李强", ["张三", "王刚", "李强"]),
    ("就我一个", ["张三"]),
    ("班组三个人：张三、王刚、李强", ["张三", "王刚", "李强"]),
    ("就我和王刚两个", ["张三", "王刚"]),
    ("王刚'李强", ["张三", "王刚", "李强"]),  # a pinyin keyboard's apostrophe is no person
    ("没有", ["张三"]),
])
def test_co_authors_are_asked_once_and_read_from_natural_phrasing(chat, demo, db, answer, members):
    at_members_question(chat, demo)
    summary = chat.send_text(answer)
    assert "请核对" in summary and f"成员：{' '.join(members)}" in summary
    assert projects(db)[0].members == members


def test_a_message_that_names_the_co_authors_is_not_asked_for_them(chat, demo, db):
    bind_worker(chat, demo)
    chat.send_text(LONG_MESSAGE)  # "我和王刚改了个皮带机清扫器…"
    summary = chat.send_text("对")
    assert "请核对" in summary and "成员：张三 王刚" in summary


def test_filler_words_at_the_members_question_are_refused_not_stored(chat, demo, db):
    at_members_question(chat, demo)
    assert chat.send_text("好的谢谢") == texts.INVALID_MEMBERS
    assert projects(db)[0].members == ["张三"]


def test_co_authors_said_at_the_summary_replace_the_members(chat, demo, db):
    at_members_question(chat, demo)
    chat.send_text("就我一个")
    reply = chat.send_text("就我和王刚两个")
    assert texts.EDITED in reply and "成员：张三 王刚" in reply
    assert projects(db)[0].members == ["张三", "王刚"]


# --- what the message gives is filled and never asked again --------------------------------------

def test_a_category_the_worker_named_is_not_asked_again(chat, demo, db):
    bind_worker(chat, demo)
    assert texts.ASK_TITLE in chat.send_text("我想报个小革新")
    chat.send_text("皮带机防跑偏装置")
    reply = chat.send_text(BELT)
    assert "对就回" not in reply and texts.ASK_CATEGORY not in reply
    assert projects(db)[0].category == "innovation"


def test_after_photos_the_category_guess_stays_and_done_is_not_a_choice(chat, demo, db):
    bind_worker(chat, demo)
    chat.send_text("申报")
    chat.send_text("皮带机防跑偏装置")
    assert "我看像是" in chat.send_text("皮带老是跑偏撒煤，我们改造了托辊支架，现在不跑偏了")
    assert "我看像是" in chat.send_image("media-1")  # the guess is still offered after a photo
    reply = chat.send_text("好了")
    assert "照片都收好了" in reply and "我看像是" in reply
    assert projects(db)[0].category is None and state_of(db, chat.follower.openid) == "ask_category"
    chat.send_text("对")
    assert projects(db)[0].category == "innovation"


@pytest.mark.parametrize(("named", "title"), [
    ("就叫皮带防跑偏装置", "皮带防跑偏装置"),
    ("名字就叫皮带防跑偏装置吧", "皮带防跑偏装置"),
    ("名称是皮带防跑偏装置", "皮带防跑偏装置"),
    ("题目：皮带防跑偏装置", "皮带防跑偏装置"),
])
def test_a_name_given_with_a_frame_is_stored_without_it(chat, demo, db, named, title):
    bind_worker(chat, demo)
    chat.send_text("申报")
    assert texts.ASK_DESCRIPTION in chat.send_text(named)
    assert projects(db)[0].title == title


def test_a_name_given_with_the_submit_words_is_stored_and_not_asked(chat, demo, db):
    bind_worker(chat, demo)
    assert texts.ASK_DESCRIPTION in chat.send_text("我要申报：皮带机防跑偏装置。")
    assert projects(db)[0].title == "皮带机防跑偏装置" and projects(db)[0].description == ""


def test_an_idea_without_a_trigger_word_starts_a_suggestion(chat, demo, db):
    bind_worker(chat, demo)
    reply = chat.send_text("宿舍热水供应时间太短，建议延长到夜班下班后")
    assert texts.CHITCHAT not in reply and "小建议" in reply
    [draft] = projects(db)
    assert (draft.description, draft.title) == ("宿舍热水供应时间太短，建议延长到夜班下班后", "关于宿舍热水供应时间太短的建议")
    chat.send_text("对")
    assert projects(db)[0].category == "suggestion"


# --- benefit: ranges, approximateness, none ------------------------------------------------------

@pytest.mark.parametrize(("said", "stored", "shown"), [
    ("两三万", ("amount", Decimal("20000.00"), Decimal("30000.00"), True), "约2–3万元"),
    ("五六万", ("amount", Decimal("50000.00"), Decimal("60000.00"), True), "约5–6万元"),
    ("一年省三万多", ("amount", Decimal("30000.00"), Decimal("30000.00"), True), "约3万元"),
    ("每年节约3.2万元", ("amount", Decimal("32000.00"), Decimal("32000.00"), False), "3.2万元"),
    ("这个没有经济效益", ("none", None, None, False), "年效益：没有"),
    ("没有", ("none", None, None, False), "年效益：没有"),
    ("说不清", ("unknown", None, None, False), "年效益：说不清"),
])
def test_the_benefit_is_stored_as_said_and_shown_the_same_in_summary_and_query(chat, demo, db, said, stored, shown):
    bind_worker(chat, demo)
    chat.send_text("申报")
    chat.send_text("皮带机防跑偏装置")
    reply = chat.send_text("皮带老是跑偏撒煤，我们加了两组立辊和跑偏开关，现在不跑偏了")
    if "对就回" in reply:
        reply = chat.send_text("对")
    assert texts.ASK_BENEFIT in reply
    assert texts.ASK_MEMBERS in chat.send_text(said)  # understood at once: neither the error nor the question again
    assert shown in chat.send_text("就我一个")
    p = projects(db)[0]
    assert (p.benefit_kind, p.annual_benefit_yuan, p.annual_benefit_high_yuan, p.benefit_approximate) == stored
    chat.send_text("确认")
    assert shown in chat.send_text("查询 0001")


# --- corrections at the summary ------------------------------------------------------------------

def at_summary(chat, demo):
    """LONG_MESSAGE ("…一年省三万多", with 王刚) at its summary."""
    bind_worker(chat, demo)
    chat.send_text(LONG_MESSAGE)
    assert "请核对" in chat.send_text("对")


def test_a_corrected_benefit_is_stored_and_the_description_s_figure_is_shown_beside_it(chat, demo, db):
    at_summary(chat, demo)
    reply = chat.send_text("效益写错了，是2.1万")
    assert texts.EDITED in reply and "年效益：2.1万元（简介里写的是约3万元）" in reply
    assert projects(db)[0].annual_benefit_yuan == Decimal("21000.00")


def test_members_added_and_removed_at_the_summary_keep_the_others(chat, demo, db):
    at_summary(chat, demo)
    assert "成员：张三 王刚 李强" in chat.send_text("成员加上李强")
    assert "成员：张三 李强" in chat.send_text("成员去掉王刚")
    assert projects(db)[0].members == ["张三", "李强"]


def test_a_new_name_at_the_summary_replaces_the_name(chat, demo, db):
    at_summary(chat, demo)
    assert "名称：聚氨酯刮板清扫器" in chat.send_text("名字改成聚氨酯刮板清扫器")
    assert projects(db)[0].title == "聚氨酯刮板清扫器"


# --- nothing lost ---------------------------------------------------------------------------------

def test_a_crash_halfway_loses_neither_the_draft_nor_what_was_answered(chat, demo, db, monkeypatch):
    at_members_question(chat, demo)
    calls = []

    def crash(*args, **kwargs):
        calls.append(args)
        raise RuntimeError("power cut in the middle of a reply")

    with monkeypatch.context() as patched:
        patched.setattr(nlp, "read_members", crash)
        with pytest.raises(RuntimeError):
            chat.send_text("就我和王刚两个")  # the reply dies while reading the answer
    assert len(calls) == 1  # it died halfway through the step; its transaction is rolled back
    assert state_of(db, chat.follower.openid) == "ask_members"
    summary = chat.send_text("就我和王刚两个")  # sent again (WeChat retries): nothing asked twice, nothing lost
    assert "请核对" in summary and "名称：皮带机防跑偏装置" in summary and "成员：张三 王刚" in summary


# --- an answer to another question than the one asked ------------------------------------------------

@pytest.mark.parametrize(("early", "members"), [
    ("就我一个", ["张三"]),
    ("我和王刚、李强", ["张三", "王刚", "李强"]),
])
def test_co_authors_said_while_the_category_is_asked_are_kept_and_not_asked_again(chat, demo, db, early, members):
    """The demo's own flow: the worker answers who did it before the bot asks (found trying the README)."""
    bind_worker(chat, demo, name="张三")
    reply = chat.send_text("我们班改了个皮带机清扫器，一年省三万多")
    assert "对就回" in reply  # the category guess is asked first
    reply = chat.send_text(early)
    assert texts.ANSWER_KEPT in reply and "对就回" in reply  # kept, and the question follows
    assert projects(db)[0].members == members
    summary = chat.send_text("对")
    assert texts.ASK_MEMBERS not in summary and "请核对" in summary
    assert f"成员：{' '.join(members)}" in summary
    assert "确认" in summary


def test_an_amount_said_while_the_category_is_asked_is_kept(chat, demo, db):
    at_category_question(chat, demo)
    reply = chat.send_text("两三万")
    assert texts.ANSWER_KEPT in reply
    assert projects(db)[0].annual_benefit_yuan == Decimal("20000")


def test_no_at_the_category_guess_is_not_taken_as_no_benefit(chat, demo, db):
    at_category_question(chat, demo)
    chat.send_text("没有")
    assert projects(db)[0].benefit_kind != "none"
