"""Normalisation of chat text."""

import pytest

from nlp import normalize


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("查询。", "查询"),
        ("我要申报，", "我要申报"),
        ("ＡＢ３ＣＤ９", "AB3CD9"),
        ("查询　０042", "查询 0042"),
        ("好的👍👍", "好的"),
        ("  皮带机   清扫器  ", "皮带机 清扫器"),
        ("一年省3.2万元！！", "一年省3.2万元"),
        ("嗯，，那个。。我想查一下", "嗯,那个。我想查一下"),
        ("", ""),
    ],
)
def test_normalize(raw: str, clean: str) -> None:
    """Width, emoji, edge punctuation and spaces are cleaned; Chinese is kept."""
    assert normalize(raw) == clean
