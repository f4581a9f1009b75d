"""What went wrong when the demo was tried as new followers would (branch newuser), each as a chat.

The phrasings were written by the engineer who tried the demo, the way miners type or speak on a
phone; none is a real user's message. Each test failed before its fix.
"""

import pytest

from handlers import texts
from tests.chat import bind_worker, projects

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
