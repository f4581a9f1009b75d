"""What went wrong when the demo was tried as new followers would (branch newuser), each as a chat.

The phrasings were written by the engineer who tried the demo, the way miners type or speak on a
phone; none is a real user's message. Each test failed before its fix.
"""

from decimal import Decimal

import pytest

from handlers import texts
from tests.chat import bind_worker, projects

TYPOS = "我门班改了个刮版机链条涨紧器，以前链条老松，现在自动涨紧"
PUMP = "排水系统水泵老是空转烧电机，我们装了个液位开关，水干了自动停泵"


# --- a description that mentions a field's word is not an edit of that field ---------------------

@pytest.mark.parametrize("said", [
    PUMP + "，一年省电费两万",  # 系统 in the first words
    "人员进出风门时经常忘关，我们加装了电磁闭锁，现在两道门不会同时打开了",  # 人员
    "我想申报一个，名称是锚杆钻机快速接头，原来换钻杆要拧半天，现在一插一转就行，一年大概省两三万",
])
def test_a_first_message_that_mentions_a_field_word_starts_a_draft(chat, demo, db, said):
    bind_worker(chat, demo)
    reply = chat.send_text(said)
    assert texts.CHITCHAT not in reply
    [draft] = projects(db)
    assert draft.description == said


def test_a_description_that_mentions_the_system_is_kept_whole(chat, demo, db):
    bind_worker(chat, demo)
    chat.send_text("申报")
    chat.send_text("题目：水泵防空转保护器")
    reply = chat.send_text(PUMP)
    assert texts.EDITED not in reply
    assert projects(db)[0].description == PUMP


def test_a_name_with_a_frame_while_no_form_is_open_starts_one(chat, demo, db):
    bind_worker(chat, demo)
    assert texts.ASK_DESCRIPTION in chat.send_text("名称是水泵防空转保护")
    assert projects(db)[0].title == "水泵防空转保护"


def test_a_name_given_with_a_description_is_not_taken_as_a_new_name(chat, demo, db):
    bind_worker(chat, demo)
    chat.send_text("申报")
    chat.send_text("名称是风门闭锁装置，原来两道风门老是同时打开，现在装了电磁闭锁")
    [draft] = projects(db)
    assert draft.title == "风门闭锁装置"
    assert draft.description == "名称是风门闭锁装置，原来两道风门老是同时打开，现在装了电磁闭锁"


# --- co-authors named with who they are, or after what they did ----------------------------------

def described(chat, demo, title, description, category):
    """张三 started a project with "申报", named and described it, and answered the category if asked; the reply."""
    bind_worker(chat, demo)
    chat.send_text("申报")
    chat.send_text(title)
    reply = chat.send_text(description)
    if "属于哪一类" in reply or "对就回" in reply:
        reply = chat.send_text(category)
    return reply


def at_members_question(chat, demo):
    """张三 described a project without naming anyone and is asked who did it with him."""
    reply = described(chat, demo, "水泵自动排水控制",
                      "原来水仓水位高了要人盯着开泵，现在装了液位传感器，水位到了自动启泵，一年省一万八左右", "3")
    assert texts.ASK_MEMBERS in reply


@pytest.mark.parametrize(("said", "members"), [
    ("还有我们班的李强", ["张三", "李强"]),
    ("我和班长付国强两个人搞的", ["张三", "付国强"]),
    ("王刚，还有队里的李强", ["张三", "王刚", "李强"]),
])
def test_a_co_author_named_with_his_team_or_post_is_stored_by_name(chat, demo, db, said, members):
    at_members_question(chat, demo)
    assert "请核对" in chat.send_text(said)
    assert projects(db)[0].members == members


@pytest.mark.parametrize(("said", "members"), [
    ("我发明了个液压支柱快速卸载阀，以前卸载得两个人，现在一个人一扳就行，大约五万块一年，同班的吕志刚也参加了",
     ["张三", "吕志刚"]),
    ("我们班组三个人：张三、孙涛、何建军，做了一个采煤机截齿快速更换工具，原来换一个截齿要十分钟，一年省五万",
     ["张三", "孙涛", "何建军"]),
    ("嗯那个我们弄了个变频器散热风道，以前夏天变频器老是过热跳闸，现在加了个风道跟排风扇，一年差不多省三四万吧，"
     "参与的还有我们班长蒋海和电工小苏", ["张三", "蒋海", "小苏"]),
    ("我们队改了个端头支架防干涉装置，推移的时候老跟转载机干涉，加了个限位块，一年省了差不多十来万，是我和同班的韦小宝一起弄的",
     ["张三", "韦小宝"]),
])
def test_co_authors_a_description_names_are_not_asked_for(chat, demo, db, said, members):
    bind_worker(chat, demo)
    reply = chat.send_text(said)
    if "对就回" in reply or "属于哪一类" in reply:
        reply = chat.send_text("3")
    assert texts.ASK_MEMBERS not in reply and "请核对" in reply
    assert projects(db)[0].members == members


# --- what is said at the summary or at another question is kept, and said so --------------------

def test_an_amount_said_again_at_the_summary_corrects_the_benefit(chat, demo, db):
    bind_worker(chat, demo)
    chat.send_text("我和朱小兵弄了个电缆挂钩，原来电缆乱挂容易被砸，现在统一挂起来，一年省五千来块")
    reply = chat.send_text("2")  # 小创造
    assert "年效益：约5000元" in reply
    reply = chat.send_text("一年其实能省八千")
    assert texts.EDITED in reply and "年效益：8000元" in reply
    assert projects(db)[0].annual_benefit_yuan == Decimal("8000")


def test_no_benefit_said_in_words_at_the_category_question_is_kept_and_not_asked(chat, demo, db):
    bind_worker(chat, demo)
    chat.send_text("申报")
    chat.send_text("高压开关柜防误操作锁")
    assert "属于哪一类" in chat.send_text("开关柜以前老有人误操作，我加了个机械连锁，不按顺序打不开柜门")
    reply = chat.send_text("没啥效益")
    assert texts.ANSWER_KEPT in reply and "属于哪一类" in reply
    reply = chat.send_text("3")
    assert texts.ASK_BENEFIT not in reply and texts.ASK_MEMBERS in reply
    assert projects(db)[0].benefit_kind == "none"


def test_no_benefit_answering_the_benefit_question_is_not_called_a_correction(chat, demo, db):
    bind_worker(chat, demo)
    chat.send_text("宿舍的热水每天就开两个钟头，夜班下来根本洗不上，能不能改成下夜班以后也供应")
    assert texts.ASK_BENEFIT in chat.send_text("对")
    reply = chat.send_text("效益是没有的，就是方便大家")
    assert texts.EDITED not in reply and texts.ASK_MEMBERS in reply
    assert projects(db)[0].benefit_kind == "none"


# --- the benefit as miners say it ------------------------------------------------------------------

@pytest.mark.parametrize(("said", "low", "high", "approximate", "shown"), [
    ("一年十来万", 100000, 100000, True, "约10万元"),
    ("省个万把块", 10000, 10000, True, "约1万元"),
    ("一万五", 15000, 15000, False, "1.5万元"),
    ("一年一万五左右", 15000, 15000, True, "约1.5万元"),
    ("七八千", 7000, 8000, True, "约7000–8000元"),  # the figure alone: it answers "how much a year"
    ("15000", 15000, 15000, False, "1.5万元"),
    ("一年大概五六万吧，不对，是三四万", 30000, 40000, True, "约3–4万元"),  # corrected in one breath, not summed
])
def test_the_benefit_as_a_miner_says_it_is_read_at_once(chat, demo, db, said, low, high, approximate, shown):
    reply = described(chat, demo, "电缆挂钩", "原来电缆乱挂容易被砸，现在做了挂钩统一挂起来", "2")
    assert texts.ASK_BENEFIT in reply
    assert texts.ASK_MEMBERS in chat.send_text(said)  # neither the error nor the question again
    assert f"年效益：{shown}" in chat.send_text("就我一个")
    p = projects(db)[0]
    assert (p.annual_benefit_yuan, p.annual_benefit_high_yuan, p.benefit_approximate) == (
        Decimal(low), Decimal(high), approximate)


def test_a_voice_message_without_commas_gives_a_short_name(chat, demo, db):
    bind_worker(chat, demo)
    chat.send_voice("我做了一个采煤机截齿快速更换工具原来换一个截齿要十分钟现在两分钟就够了一年能节约材料和工时费约五万元")
    [draft] = projects(db)
    assert draft.title == "采煤机截齿快速更换工具"
    assert draft.annual_benefit_yuan == Decimal("50000")


def test_an_amount_said_at_another_question_is_the_benefit_not_more_description(chat, demo, db):
    bind_worker(chat, demo)
    reply = chat.send_text(TYPOS)
    assert "对就回" in reply or "属于哪一类" in reply  # the category is asked
    reply = chat.send_text("一年能省个两三万块钱吧")  # long enough to pass for more of the description
    assert texts.ANSWER_KEPT in reply and texts.ADDED_TO_DESCRIPTION not in reply
    assert "对就回" in reply or "属于哪一类" in reply
    [draft] = projects(db)
    assert draft.description == TYPOS
    assert (draft.annual_benefit_yuan, draft.annual_benefit_high_yuan) == (Decimal(20000), Decimal(30000))


# --- a change of mind about the name ----------------------------------------------------------------

def test_another_name_given_at_the_description_question_renames_and_the_description_is_asked(chat, demo, db):
    bind_worker(chat, demo)
    chat.send_text("申报")
    chat.send_text("局扇自动切换装置")
    reply = chat.send_text("不对，我想先报另一个，名字叫风筒快速接头")
    assert texts.EDITED in reply and texts.ASK_DESCRIPTION in reply
    [draft] = projects(db)
    assert (draft.title, draft.description) == ("风筒快速接头", "")


def test_a_new_name_with_a_frame_at_the_summary_replaces_the_name(chat, demo, db):
    bind_worker(chat, demo)
    chat.send_text("我和朱小兵弄了个电缆挂钩，原来电缆乱挂容易被砸，现在统一挂起来，一年省五千来块")
    chat.send_text("2")
    reply = chat.send_text("名字就叫矿用电缆防砸挂钩吧")
    assert texts.EDITED in reply and "名称：矿用电缆防砸挂钩" in reply
    assert projects(db)[0].title == "矿用电缆防砸挂钩"


def test_an_idea_after_the_submit_words_is_the_description_not_thrown_away(chat, demo, db):
    bind_worker(chat, demo)
    reply = chat.send_text("我想报个小建议：井口候车室冬天太冷了，希望能装上暖气片")
    assert texts.ASK_TITLE not in reply and texts.ASK_DESCRIPTION not in reply
    [draft] = projects(db)
    assert draft.description == "我想报个小建议：井口候车室冬天太冷了，希望能装上暖气片"
    assert (draft.title, draft.category) == ("关于井口候车室冬天太冷的建议", "suggestion")


def test_a_benefit_corrected_at_the_members_question_is_no_pair_of_names(chat, demo, db):
    bind_worker(chat, demo)
    chat.send_text("我做了个托辊更换小车，皮带托辊坏了换起来费劲，要两个人抬，现在推着走就行，一年省两万")
    assert texts.ASK_MEMBERS in chat.send_text("2")
    reply = chat.send_text("不对，是三万")
    assert texts.ASK_MEMBERS in reply and "不对" not in " ".join(projects(db)[0].members or [])
    assert projects(db)[0].annual_benefit_yuan == Decimal("30000")
    assert "成员：张三\n" in chat.send_text("就我一个")


@pytest.mark.parametrize("said", ["不是小发明，是小革新", "不算小发明吧，算小革新"])
def test_a_category_named_only_to_be_denied_is_not_the_one_stored(chat, demo, db, said):
    bind_worker(chat, demo)
    reply = chat.send_text("我发明了一个电缆接头防水盒，以前井下接头老进水短路，现在套上盒子就没事了")
    assert "我看像是“小发明”" in reply
    chat.send_text(said)
    assert projects(db)[0].category == "innovation"


def test_one_long_breath_without_pauses_is_filed_whole(chat, demo, db):
    """Voice recognition without a single comma: the name, the benefit and co-authors run together."""
    bind_worker(chat, demo)
    reply = chat.send_voice("我们队搞了个皮带机自动纠偏装置就是在皮带两边装了感应开关跑偏了自动把托辊调过来"
                            "不用人去调了一年下来能省个三万多块钱是我跟孙大海刘建国一起弄的")
    if "对就回" in reply:
        reply = chat.send_text("对")
    assert texts.ASK_MEMBERS not in reply and "请核对" in reply
    [draft] = projects(db)
    assert (draft.title, draft.members) == ("皮带机自动纠偏装置", ["张三", "孙大海", "刘建国"])
    assert (draft.annual_benefit_yuan, draft.benefit_approximate) == (Decimal(30000), True)


def test_a_name_typed_after_the_submit_words_and_a_space_is_not_asked_again(chat, demo, db):
    """Tried in the demo (lead): "我要申报 X，…" with a space, not a colon, got the name question."""
    bind_worker(chat, demo)
    said = "我要申报 皮带跑偏自动调整装置，皮带跑偏以后立辊自动把它推回来，不用停机人工调了，一年省两万多，就我一个"
    reply = chat.send_text(said)
    assert texts.ASK_TITLE not in reply
    [draft] = projects(db)
    assert draft.title == "皮带跑偏自动调整装置" and draft.description == said
