"""Category guesses and title extraction from free descriptions."""

from __future__ import annotations

import pytest

from nlp import extract_title, infer_category


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("发明了一种锚杆托盘安装装置", "invention"),
        ("我们队自己做了个风筒吊挂工具", "creation"),
        ("皮带机清扫器改进", "innovation"),
        ("采区供电系统设计方案优化布置", "design"),
        ("建议食堂晚上给夜班留热饭", "suggestion"),
        ("这是一个小建议：班前会缩短到十分钟", "suggestion"),
    ],
)
def test_category(text: str, category: str) -> None:
    """The category the words point to."""
    assert infer_category(text).category == category


def test_category_without_cues_is_low_confidence() -> None:
    """No cue: the default with a confidence the chat should not trust."""
    guess = infer_category("皮带机")
    assert guess.confidence < 0.5


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("我们班改了个皮带机清扫器，一年省三万多", "皮带机清扫器改进"),
        ("发明了一种锚杆托盘安装装置", "锚杆托盘安装装置"),
        ("俺们组研制了一个托辊更换工具，一个人就能换托辊", "托辊更换工具"),
        ("我们车间把压滤机滤布清洗改成自动的了", "压滤机滤布清洗改进"),
        ("做了个风筒吊挂工具", "风筒吊挂工具"),
        ("班组材料定额管理办法", "班组材料定额管理办法"),
    ],
)
def test_title(text: str, title: str) -> None:
    """A short title from a free description."""
    assert extract_title(text) == title


@pytest.mark.parametrize("text", ["我想申报一个项目", "嗯", "", "查询"])
def test_no_title_from_chat(text: str) -> None:
    """Chat commands and noise give no title."""
    assert extract_title(text) is None
