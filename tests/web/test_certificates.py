"""The electronic certificate: a PDF a winner can open and read, with a number anyone can check."""
from __future__ import annotations

import io
import json
import logging
import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from models.review_config import load_review_config
from web.certificate_font import FONT_FILE, covered_characters, gb2312_characters, subset_font
from web.certificates import (
    NO_LINE_END, NO_LINE_START, AwardIdentity, Certificate, check_verification_number, load_wording,
    render_certificate, verification_number,
)

SECRET = "a-long-random-secret-key"
AWARD = AwardIdentity("2026年度五小竞赛", "2026-0042", "first", date(2026, 12, 30))
CERTIFICATE = Certificate(AWARD, "带式输送机托辊快速更换装置", ("张三", "李四", "阿依古丽·买买提"),
                          "某某煤业集团一矿运输队", "一等奖", issuer="某某市总工会",
                          verify_url="https://5xiao.example.cn/verify")
RARE = "\u4dae"  # 䶮, CJK Extension A: in some given names, in neither GB2312 nor the subset


def read(pdf: bytes) -> PdfReader:
    """Open the PDF as a viewer would."""
    return PdfReader(io.BytesIO(pdf))


def text_of(pdf: bytes) -> str:
    """The text a reader can copy out of the certificate, without the title's letter spacing."""
    return read(pdf).pages[0].extract_text()


def embedded_fonts(pdf: bytes) -> list[tuple[str, TTFont]]:
    """Each font embedded in the page, by its PDF name, opened with fontTools."""
    fonts = []
    for ref in read(pdf).pages[0]["/Resources"]["/Font"].values():
        font = ref.get_object()
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        fonts.append((str(font["/BaseFont"]), TTFont(io.BytesIO(descriptor["/FontFile2"].get_object().get_data()))))
    return fonts


@pytest.fixture(scope="module")
def rendered():
    """The sample certificate, rendered once for the module."""
    return render_certificate(CERTIFICATE, SECRET)


def test_the_pdf_opens_as_one_a4_landscape_page(rendered):
    reader = read(rendered.pdf)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (297, 210)
    assert reader.metadata.title == "2026年度五小竞赛一等奖证书 2026-0042"


def test_the_text_can_be_read_with_every_part_of_the_award(rendered):
    text = text_of(rendered.pdf)
    flat = re.sub(r"\s", "", text)
    assert "荣誉证书" in flat
    for part in ["张三", "李四", "阿依古丽·买买提", "带式输送机托辊快速更换装置", "一等奖", "2026年度五小竞赛",
                 "2026-0042", "某某煤业集团一矿运输队", "某某市总工会", "2026年12月30日", "你们的项目"]:
        assert part in flat, part
    assert rendered.verification_number in text
    assert rendered.missing_characters == ""


def test_a_single_member_is_addressed_in_the_singular():
    alone = render_certificate(replace(CERTIFICATE, members=("王五",)), SECRET)
    flat = re.sub(r"\s", "", text_of(alone.pdf))
    assert "王五同志" in flat and "你的项目" in flat and "你们" not in flat


def test_the_font_is_embedded_as_a_small_subset(rendered):
    fonts = embedded_fonts(rendered.pdf)
    assert len(fonts) == 1
    name, font = fonts[0]
    assert re.fullmatch(r"/[A-Z]{6}\+NotoSerifSC", name)
    with TTFont(FONT_FILE, lazy=True) as vendored:
        assert len(vendored.getGlyphOrder()) > 7000
    assert len(font.getGlyphOrder()) < 150  # only what this certificate uses
    assert "glyf" in font and len(rendered.pdf) < 60_000


def test_the_verification_number_checks_out_and_a_changed_one_does_not(rendered):
    number = rendered.verification_number
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}", number)
    assert number == verification_number(SECRET, AWARD)
    assert check_verification_number(SECRET, AWARD, number)
    typed = number.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert check_verification_number(SECRET, AWARD, typed)
    assert check_verification_number(SECRET, AWARD, "\uff0d".join(number.split("-")))  # full-width dashes
    changed = number[:-1] + ("0" if number[-1] != "0" else "1")
    assert not check_verification_number(SECRET, AWARD, changed)
    assert not check_verification_number(SECRET, replace(AWARD, level="second"), number)
    assert not check_verification_number(SECRET, replace(AWARD, project_number="2026-0043"), number)
    assert not check_verification_number("another-key", AWARD, number)
    assert not check_verification_number(SECRET, AWARD, "")


def test_no_certificate_without_a_secret_key_or_without_members():
    with pytest.raises(ValueError):
        verification_number("", AWARD)
    with pytest.raises(ValueError):
        render_certificate(replace(CERTIFICATE, members=()), SECRET)


def test_the_same_award_renders_to_the_same_bytes(rendered):
    assert render_certificate(CERTIFICATE, SECRET).pdf == rendered.pdf


def test_a_long_title_and_many_members_still_fit_on_one_page():
    long = replace(CERTIFICATE, title="井下" + "带式输送机托辊快速更换及自动检测装置的研制与应用" * 8,
                   members=tuple(f"成员{n}号" for n in range(15)))
    rendered = render_certificate(long, SECRET)
    assert len(read(rendered.pdf).pages) == 1
    flat = re.sub(r"\s", "", text_of(rendered.pdf))
    assert long.title in flat and "成员14号" in flat and rendered.verification_number in flat


def test_lines_never_start_with_closing_or_end_with_opening_punctuation():
    title = "，".join(["托辊（快换）装置"] * 12) + "》《测试"
    rendered = render_certificate(replace(CERTIFICATE, title=title), SECRET)
    lines = [line.strip() for line in text_of(rendered.pdf).splitlines() if line.strip()]
    assert len(lines) > 8
    assert [line for line in lines if line[0] in NO_LINE_START or line[-1] in NO_LINE_END] == []


def test_a_rare_character_renders_as_a_visible_square_and_is_reported(caplog):
    with caplog.at_level(logging.WARNING, logger="web.certificates"):
        rendered = render_certificate(replace(CERTIFICATE, members=(f"刘{RARE}", "张三")), SECRET)
    assert rendered.missing_characters == RARE
    assert RARE in caplog.text and "2026-0042" in caplog.text
    flat = re.sub(r"\s", "", text_of(rendered.pdf))
    assert "刘\u25a1、张三同志" in flat and "一等奖" in flat


def one_glyph_font(path: Path, char: str) -> Path:
    """A tiny TrueType font whose only glyph (a square) is mapped to `char`."""
    builder = FontBuilder(1000, isTTF=True)
    names = [".notdef", "rare"]
    builder.setupGlyphOrder(names)
    builder.setupCharacterMap({ord(char): "rare"})
    pen = TTGlyphPen(None)
    for x0, y0, x1, y1 in [(100, -100, 900, 700)]:
        pen.moveTo((x0, y0))
        pen.lineTo((x0, y1))
        pen.lineTo((x1, y1))
        pen.lineTo((x1, y0))
        pen.closePath()
    square = pen.glyph()
    builder.setupGlyf({".notdef": TTGlyphPen(None).glyph(), "rare": square})
    builder.setupHorizontalMetrics({".notdef": (500, 0), "rare": (1000, 100)})
    builder.setupHorizontalHeader(ascent=880, descent=-120)
    builder.setupNameTable({"familyName": "Rare", "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=880, sTypoDescender=-120, usWinAscent=880, usWinDescent=120)
    builder.setupPost()
    builder.save(path)
    return path


def test_a_fallback_font_fills_the_gap(tmp_path: Path):
    fallback = one_glyph_font(tmp_path / "rare.ttf", RARE)
    rendered = render_certificate(replace(CERTIFICATE, members=(f"刘{RARE}",)), SECRET, fallback_font_files=[fallback])
    assert rendered.missing_characters == ""
    assert f"刘{RARE}" in re.sub(r"\s", "", text_of(rendered.pdf))
    assert len(embedded_fonts(rendered.pdf)) == 2


def test_the_vendored_font_covers_gb2312_the_wording_and_the_award_names():
    with TTFont(FONT_FILE, lazy=True) as vendored:
        cmap = vendored.getBestCmap()
    hanzi = [c for c in gb2312_characters() if "\u4e00" <= c <= "\u9fff"]
    assert len(hanzi) == 6763
    wanted = set(covered_characters())
    names = "".join(level.name for level in load_review_config().awards.levels)
    assert [c for c in wanted | set(names) if ord(c) not in cmap] == []
    assert set(load_wording()["extra_characters"]) <= wanted and "\u00b7" in wanted


def test_the_subset_script_keeps_what_is_asked_and_names_what_it_cannot(tmp_path: Path):
    target = tmp_path / "small.ttf"
    lacking = subset_font(FONT_FILE, target, "荣誉证书ABC" + RARE)
    assert lacking == [RARE]
    with TTFont(target) as small:
        assert {chr(code) for code in small.getBestCmap()} == set("荣誉证书ABC")
        assert "Open Font License" in small["name"].getDebugName(13)  # the licence travels with the font


def test_the_wording_file_is_the_one_place_for_certificate_texts():
    data = json.loads((Path(__file__).resolve().parents[2] / "web" / "data" / "certificate.json").read_text("utf-8"))
    assert {"title", "greeting", "body", "body_team", "closing", "unit", "date", "verification"} <= set(data)
