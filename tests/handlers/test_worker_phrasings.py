"""Worker phrasings, table-driven: where the form stands, what the worker says → what is stored and what comes next.

Source column: "issue" rows are the phrasings issue 14 quotes from a new worker's chats; "written" rows
were written for this test by the engineer, the way miners type or speak on a phone. None is a real
user's message, so passing them says the form handles these phrasings, not how often real workers
are understood.
"""
from decimal import Decimal

import pytest

from handlers import texts
from tests.chat import LONG_MESSAGE, bind_worker, projects

#: Where the form stands before the phrasing: the messages that lead there.
FRESH: tuple[str, ...] = ()
AT_TITLE = ("申报",)
AT_BENEFIT = ("申报", "皮带机防跑偏装置", "皮带老是跑偏撒煤，我们改造了托辊支架，现在不跑偏了", "对")
AT_MEMBERS = (*AT_BENEFIT, "一年省两万")
AT_SUMMARY = (LONG_MESSAGE, "对")  # 我和王刚改了个皮带机清扫器…一年省三万多
SUMMARY = "请核对"
W = Decimal

ROWS = [
    # source, before, said, stored (attribute → value), what comes next
    ("issue", AT_MEMBERS, "我和王刚、李强", {"members": ["张三", "王刚", "李强"]}, SUMMARY),
    ("issue", AT_MEMBERS, "就我一个", {"members": ["张三"]}, SUMMARY),
    ("issue", AT_MEMBERS, "班组三个人：张三、王刚、李强", {"members": ["张三", "王刚", "李强"]}, SUMMARY),
    ("issue", AT_MEMBERS, "就我和王刚两个", {"members": ["张三", "王刚"]}, SUMMARY),
    ("issue", AT_SUMMARY, "就我和王刚两个", {"members": ["张三", "王刚"]}, SUMMARY),
    ("issue", FRESH, "我想报个小革新", {"category": "innovation"}, texts.ASK_TITLE),
    ("issue", AT_TITLE, "名字就叫皮带防跑偏装置吧", {"title": "皮带防跑偏装置"}, texts.ASK_DESCRIPTION),
    ("issue", AT_TITLE, "题目：皮带防跑偏装置", {"title": "皮带防跑偏装置"}, texts.ASK_DESCRIPTION),
    ("issue", AT_TITLE, "就叫皮带防跑偏装置", {"title": "皮带防跑偏装置"}, texts.ASK_DESCRIPTION),
    ("issue", AT_TITLE, "名称是皮带防跑偏装置", {"title": "皮带防跑偏装置"}, texts.ASK_DESCRIPTION),
    ("issue", FRESH, "我要申报：皮带机防跑偏装置。", {"title": "皮带机防跑偏装置", "description": ""},
     texts.ASK_DESCRIPTION),
    ("issue", FRESH, "宿舍热水供应时间太短，建议延长到夜班下班后",
     {"title": "关于宿舍热水供应时间太短的建议", "system": "logistics"}, "小建议"),
    ("issue", AT_BENEFIT, "两三万", {"annual_benefit_yuan": W(20000), "annual_benefit_high_yuan": W(30000),
                                    "benefit_approximate": True}, texts.ASK_MEMBERS),
    ("issue", AT_BENEFIT, "五六万", {"annual_benefit_yuan": W(50000), "annual_benefit_high_yuan": W(60000)},
     texts.ASK_MEMBERS),
    ("issue", AT_BENEFIT, "这个没有经济效益", {"benefit_kind": "none", "annual_benefit_yuan": None}, texts.ASK_MEMBERS),
    ("issue", AT_BENEFIT, "没有", {"benefit_kind": "none"}, texts.ASK_MEMBERS),
    ("issue", AT_SUMMARY, "效益写错了，是2.1万", {"annual_benefit_yuan": W(21000), "benefit_approximate": False},
     "简介里写的是约3万元"),
    ("issue", AT_SUMMARY, "成员加上李强", {"members": ["张三", "王刚", "李强"]}, SUMMARY),
    ("written", AT_MEMBERS, "俺和老李、小王一起弄的", {"members": ["张三", "老李", "小王"]}, SUMMARY),
    ("written", AT_MEMBERS, "还有王刚和李强", {"members": ["张三", "王刚", "李强"]}, SUMMARY),
    ("written", AT_MEMBERS, "王刚 李强", {"members": ["张三", "王刚", "李强"]}, SUMMARY),
    ("written", AT_MEMBERS, "王刚李强", {"members": ["张三", "王刚", "李强"]}, SUMMARY),  # voice, no pause
    ("written", AT_MEMBERS, "欧阳明和王刚", {"members": ["张三", "欧阳明", "王刚"]}, SUMMARY),
    ("written", AT_MEMBERS, "就我自己", {"members": ["张三"]}, SUMMARY),
    ("written", AT_MEMBERS, "一个人做的", {"members": ["张三"]}, SUMMARY),
    ("written", AT_MEMBERS, "确认", {"members": ["张三"]}, texts.INVALID_MEMBERS),
    ("written", AT_BENEFIT, "一年能省个十几万", {"annual_benefit_yuan": W(110000), "annual_benefit_high_yuan": W(190000)},
     texts.ASK_MEMBERS),
    ("written", AT_BENEFIT, "每月省2000块", {"annual_benefit_yuan": W(24000), "benefit_approximate": False},
     texts.ASK_MEMBERS),
    ("written", AT_BENEFIT, "大概5000元", {"annual_benefit_yuan": W(5000), "benefit_approximate": True},
     texts.ASK_MEMBERS),
    ("written", AT_BENEFIT, "3-5万", {"annual_benefit_yuan": W(30000), "annual_benefit_high_yuan": W(50000)},
     texts.ASK_MEMBERS),
    ("written", AT_BENEFIT, "说不好", {"benefit_kind": "unknown"}, texts.ASK_MEMBERS),
    ("written", AT_BENEFIT, "无", {"benefit_kind": "none"}, texts.ASK_MEMBERS),
    ("written", AT_BENEFIT, "没有经济效益，主要是安全", {"benefit_kind": "none"}, texts.ASK_MEMBERS),
    ("written", AT_BENEFIT, "随便", {"benefit_kind": None}, texts.INVALID_BENEFIT),
    ("written", AT_TITLE, "叫风门闭锁装置", {"title": "风门闭锁装置"}, texts.ASK_DESCRIPTION),
    ("written", FRESH, "项目名称：溜煤眼下缩口施工方案优化", {"title": "溜煤眼下缩口施工方案优化"}, texts.ASK_DESCRIPTION),
    ("written", FRESH, "我和王刚改了个风门闭锁装置，原来两道风门老是同时打开，现在加了电磁闭锁，一年省五六万",
     {"title": "风门闭锁装置改进", "members": ["张三", "王刚"], "annual_benefit_yuan": W(50000),
      "annual_benefit_high_yuan": W(60000), "system": "ventilation"}, "小革新"),
    ("written", FRESH, "我自己做了个清煤扒子，原来清理溜槽积煤要用锹，现在省力多了，没有经济效益",
     {"title": "清煤扒子", "members": ["张三"], "benefit_kind": "none"}, "小创造"),
    ("written", FRESH, "建议食堂夜班加一顿热饭，工人下井前吃不上饭",
     {"title": "食堂夜班加一顿热饭的建议", "system": "logistics"}, "小建议"),
    ("written", FRESH, "井口候车室没有暖气，冬天太冷，希望能装个暖气片",
     {"title": "关于井口候车室没有暖气的建议", "system": "logistics"}, "小建议"),
    ("written", FRESH, "小发明，我发明了一种锚杆托盘快速安装器，就我一个人弄的",
     {"category": "invention", "title": "锚杆托盘快速安装器", "members": ["张三"]}, texts.ASK_BENEFIT),
    ("written", FRESH, "我和王刚做了个皮带张紧小车，机电专业的，一年省一万多",
     {"system": "electromechanical", "members": ["张三", "王刚"], "annual_benefit_yuan": W(10000)}, "小创造"),
    ("written", AT_SUMMARY, "名称改成风门电磁闭锁", {"title": "风门电磁闭锁"}, SUMMARY),
    ("written", AT_SUMMARY, "类别改成小发明", {"category": "invention"}, SUMMARY),
    ("written", AT_SUMMARY, "成员改成李强、赵四", {"members": ["张三", "李强", "赵四"]}, SUMMARY),
    ("written", AT_SUMMARY, "成员去掉王刚", {"members": ["张三"]}, SUMMARY),
    ("written", AT_SUMMARY, "效益应该是8000元", {"annual_benefit_yuan": W(8000)}, "8000元（简介里写的是约3万元）"),
    ("written", AT_SUMMARY, "效益改成没有", {"benefit_kind": "none"}, "没有（简介里写的是约3万元）"),
]


@pytest.mark.parametrize(("source", "before", "said", "stored", "next_text"), ROWS,
                         ids=[f"{row[0]}-{i:02d}-{row[2][:12]}" for i, row in enumerate(ROWS)])
def test_a_worker_phrasing_is_stored_as_meant(chat, demo, db, source, before, said, stored, next_text):
    bind_worker(chat, demo)
    for line in before:
        chat.send_text(line)
    reply = chat.send_text(said)
    assert next_text in reply
    [project] = projects(db)
    assert {name: getattr(project, name) for name in stored} == stored


def test_the_table_is_varied_enough():
    assert len(ROWS) >= 30 + sum(row[0] == "issue" for row in ROWS)  # at least 30 written besides the issue's
    assert len({row[2] for row in ROWS}) == len(ROWS) - 1  # one phrasing is tried in two places on purpose
