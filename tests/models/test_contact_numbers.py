"""Phone and ID numbers hidden from public texts: generated numbers in the ways people write them, and what stays."""
from __future__ import annotations

import random

import pytest

from models.contact_numbers import MASK, hide_contact_numbers
from tests.contact_numbers import id_number, id_writings, landline_writings, mobile, mobile_writings

@pytest.fixture
def rng():
    return random.Random(20261201)


SENTENCES = ["有问题请联系我{n}，谢谢。", "联系人：王师傅 {n}", "电话{n}", "({n})", "身份证号{n}，已登记"]


def test_numbers_in_every_writing_are_hidden_and_the_words_around_them_kept(rng):
    numbers = []
    for _ in range(30):
        numbers += mobile_writings(mobile(rng)) + landline_writings(rng) + id_writings(id_number(rng))
    for number in numbers:
        sentence = rng.choice(SENTENCES)
        hidden = hide_contact_numbers(sentence.format(n=number))
        assert hidden == sentence.format(n=MASK), number


def test_two_numbers_in_one_text_are_both_hidden(rng):
    phone, card = mobile(rng), id_number(rng)
    text = f"手机{phone}，身份证{card}，办公室0351-7654321。"
    assert hide_contact_numbers(text) == f"手机{MASK}，身份证{MASK}，办公室{MASK}。"


def test_amounts_dates_and_project_numbers_stay(rng):
    kept = ["年节约12000元", "效益约3.5万元", "2026-00012号项目", "2026年11月16日", "2026-11-16 08:30",
            "皮带机托辊更换周期由30天延长到90天", "节约电费138000元，12345678", "编号20260001234",
            "138001380001（12位，不是手机号）", "型号ZY12000/28/63D", "第2批，共113台"]
    kept += [f"节约{rng.randrange(10**4, 10**8)}元" for _ in range(50)]
    for text in kept:
        assert hide_contact_numbers(text) == text
