"""Electronic award certificates: a one-page PDF and a verification number anyone can check.

A renderer only (no route, no database): the page that serves `/certificates/<number>.pdf`
passes a `Certificate` built from the award, the app's secret key, and sends the bytes.

- **Verification number.** An HMAC-SHA256, under the app's secret key, of the award's identity
  (round, project number, level key, date), cut to 80 bits and written as 16 Crockford base-32
  characters in groups of four (`7K3Q-…`). Changing any part of the identity (a level taken
  away or changed after an objection) makes the old number fail. `check_verification_number`
  accepts what people type: lower case, spaces, missing dashes, O for 0 and I or L for 1.
  Rotating the secret key invalidates every number printed before, so keep it stable.
- **Font.** Noto Serif SC, vendored as a GB2312 subset (see `web/certificate_font.py`); fpdf2
  embeds a second subset holding only the glyphs this certificate uses (about 15 KB).
- **A character outside the subset** (a rare name character): the certificate still renders, with
  a white square (U+25A1) in its place, so the gap is visible and copied text shows it too (left
  alone, fpdf2 would silently drop it, and a two-character name would print as one).
  `RenderedCertificate.missing_characters` lists such characters so the page can warn staff, and
  a warning is logged. The fix is to add the character to `extra_characters` in
  `web/data/certificate.json` and remake the subset; `fallback_font_files` lets a deployment
  name a fuller TrueType font that fills such gaps at once.
- **Wording** (Chinese) lives in `web/data/certificate.json`; layout is here. The body shrinks
  from 18 pt to 10 pt until a long title and many members fit on the one A4 landscape page.
- **Speed.** About 0.2 s per certificate here, mostly fpdf2 reading the 3 MB font (measured by
  `bench/certificates.py`).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from types import MappingProxyType

from fpdf import FPDF
from fpdf.enums import TextMode

from web.certificate_font import CERTIFICATE_DATA, FONT_FILE

log = logging.getLogger(__name__)

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base 32: no I, L, O, U
LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
SHANGHAI = timezone(timedelta(hours=8))
FAMILY = "certificate"
RED, GOLD, INK = (160, 28, 28), (190, 150, 50), (25, 25, 25)
BODY_SIZES = (18, 16, 14, 12, 10)
BODY_TOP, BODY_BOTTOM, BODY_LEFT, BODY_WIDTH = 66.0, 146.0, 36.0, 225.0
INDENT = "\u3000\u3000"  # two ideographic spaces open a Chinese paragraph
PLACEHOLDER = "\u25a1"  # white square, in GB2312: stands in for a character no font can draw
UNBREAKABLE = re.compile(r"[A-Za-z0-9@#&%+=_./:~-]+|.")
# Chinese line breaking (a simple kinsoku): punctuation that may not start or end a line.
NO_LINE_START = frozenset("\uff0c\u3002\u3001\uff1b\uff1a\uff1f\uff01\uff09\u300b\u300d\u300f\u3011"
                          "\u3015\u2019\u201d\u2026\u00b7,.;:?!)]%")
NO_LINE_END = frozenset("\uff08\u300a\u300c\u300e\u3010\u3014\u2018\u201c([")


@dataclass(frozen=True)
class AwardIdentity:
    """What the verification number vouches for: which round, project, level and day."""

    round_name: str
    project_number: str
    level: str
    awarded_on: date


@dataclass(frozen=True)
class Certificate:
    """Everything printed on one certificate; names and texts as they should appear."""

    award: AwardIdentity
    title: str
    members: tuple[str, ...]
    unit: str
    level_name: str
    issuer: str = ""
    verify_url: str = ""


@dataclass(frozen=True)
class RenderedCertificate:
    """The PDF bytes, the number printed on them, and any characters the font could not draw."""

    pdf: bytes
    verification_number: str
    missing_characters: str


def load_wording(path: Path = CERTIFICATE_DATA) -> Mapping[str, str]:
    """Read the certificate's wording (Chinese texts with {placeholders})."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return MappingProxyType({key: value for key, value in data.items() if not key.startswith("_")})


def verification_number(secret_key: str | bytes, award: AwardIdentity) -> str:
    """Return the award's verification number, e.g. `7K3Q-M0ZD-19XW-CE4R`."""
    key = secret_key.encode() if isinstance(secret_key, str) else secret_key
    if not key:
        raise ValueError("certificates need the app's secret key to be set")
    message = "\x1f".join(("certificate/v1", award.round_name, award.project_number, award.level,
                           award.awarded_on.isoformat()))
    value = int.from_bytes(hmac.new(key, message.encode(), hashlib.sha256).digest()[:10], "big")
    code = "".join(ALPHABET[(value >> shift) & 31] for shift in range(75, -1, -5))
    return "-".join(code[start:start + 4] for start in range(0, 16, 4))


def check_verification_number(secret_key: str | bytes, award: AwardIdentity, number: str) -> bool:
    """Tell whether a typed number is this award's, forgiving case, spaces, dashes and look-alikes."""
    typed = unicodedata.normalize("NFKC", number).upper().translate(LOOK_ALIKES)
    typed = "".join(char for char in typed if char not in " -\u2010\u2013\u2014\t")
    expected = verification_number(secret_key, award).replace("-", "")
    return hmac.compare_digest(typed.encode(), expected.encode())


def _texts(certificate: Certificate, wording: Mapping[str, str], code: str) -> dict[str, str]:
    """Fill the wording with this certificate's values."""
    award = certificate.award
    members = wording["member_separator"].join(certificate.members)
    body = wording["body_team" if len(certificate.members) > 1 else "body"]
    values = {"round": award.round_name, "title": certificate.title, "number": award.project_number,
              "level": certificate.level_name}
    texts = {
        "title": wording["title"],
        "greeting": wording["greeting"].format(members=members),
        "body": INDENT + body.format(**values),
        "closing": INDENT + wording["closing"],
        "unit": wording["unit"].format(unit=certificate.unit),
        "date": wording["date"].format(year=award.awarded_on.year, month=award.awarded_on.month,
                                       day=award.awarded_on.day),
        "verification": wording["verification"].format(code=code),
        "document_title": wording["document_title"].format(**values),
    }
    if certificate.issuer:
        texts["issuer"] = certificate.issuer
    if certificate.verify_url:
        texts["verify_at"] = wording["verify_at"].format(url=certificate.verify_url)
    return texts


def _new_pdf(certificate: Certificate, font_file: Path, fallback_font_files: Sequence[Path]) -> FPDF:
    """An A4 landscape document with the certificate font (and any fallbacks) loaded."""
    pdf = FPDF(orientation="landscape", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.add_font(FAMILY, fname=str(font_file))
    fallbacks = [f"fallback{index}" for index in range(len(fallback_font_files))]
    for family, path in zip(fallbacks, fallback_font_files, strict=True):
        pdf.add_font(family, fname=str(path))
    if fallbacks:
        pdf.set_fallback_fonts(fallbacks, exact_match=False)
    pdf.set_creation_date(datetime.combine(certificate.award.awarded_on, time(), SHANGHAI))  # same input, same bytes
    pdf.set_lang("zh-CN")
    return pdf


def _missing(pdf: FPDF, texts: Mapping[str, str]) -> str:
    """The characters no loaded font can draw, in order of first use."""
    cmaps = [getattr(font, "cmap", {}) for font in pdf.fonts.values()]  # a core (Latin) font has none
    seen = dict.fromkeys(char for text in texts.values() for char in text
                         if not char.isspace() and all(ord(char) not in cmap for cmap in cmaps))
    return "".join(seen)


def _frame(pdf: FPDF) -> None:
    """Draw the double border: a red outer frame and a thin gold one inside it."""
    pdf.set_draw_color(*RED)
    pdf.set_line_width(1.6)
    pdf.rect(9, 9, 279, 192)
    pdf.set_draw_color(*GOLD)
    pdf.set_line_width(0.5)
    pdf.rect(13, 13, 271, 184)


def _heading(pdf: FPDF, title: str) -> None:
    """Centre the title in large red type, stroked as well as filled to look bold."""
    pdf.set_font(FAMILY, size=40)
    pdf.set_text_color(*RED)
    pdf.set_draw_color(*RED)
    pdf.set_line_width(0.35)
    pdf.set_char_spacing(12)
    pdf.text_mode = TextMode.FILL_STROKE
    pdf.set_xy(0, 28)
    pdf.cell(297, 22, title, align="C")
    pdf.text_mode = TextMode.FILL
    pdf.set_char_spacing(0)


def _units(pdf: FPDF, text: str, width: float) -> list[str]:
    """Split text into pieces a line may not break inside: one CJK character, or a Latin word or number."""
    pieces: list[str] = []
    for unit in UNBREAKABLE.findall(text):
        pieces += list(unit) if len(unit) > 1 and pdf.get_string_width(unit) > width else [unit]
    return pieces


def _lines(pdf: FPDF, text: str, width: float) -> list[str]:
    """Break a paragraph into lines in the current font, keeping Chinese line-breaking rules.

    Closing punctuation never starts a line (it hangs past the margin instead) and opening
    brackets never end one (they move down with the next character).
    """
    lines: list[str] = []
    line = ""
    for unit in _units(pdf, text, width):
        if line and unit not in NO_LINE_START and pdf.get_string_width(line + unit) > width:
            carry = ""
            while len(line) > 1 and line[-1] in NO_LINE_END:
                line, carry = line[:-1], line[-1] + carry
            lines.append(line)
            line = carry + unit
        else:
            line += unit
    return lines + [line] if line else lines


def _leading(size: float) -> float:
    """Line height in millimetres for a type size in points (1.7 times the size)."""
    return size * 0.3528 * 1.7


def _body(pdf: FPDF, texts: Mapping[str, str]) -> None:
    """Write greeting, citation, closing and unit, in the largest size at which they fit."""
    paragraphs = [texts["greeting"], texts["body"], texts["closing"], texts["unit"]]
    for size in BODY_SIZES:
        pdf.set_font(FAMILY, size=size)
        lines = [line for text in paragraphs for line in _lines(pdf, text, BODY_WIDTH)]
        if len(lines) * _leading(size) <= BODY_BOTTOM - BODY_TOP:
            break
    pdf.set_text_color(*INK)
    for number, line in enumerate(lines):
        pdf.set_xy(BODY_LEFT, BODY_TOP + number * _leading(size))
        pdf.cell(BODY_WIDTH, _leading(size), line)


def _signature(pdf: FPDF, texts: Mapping[str, str]) -> None:
    """Issuer and date at the bottom right, the verification line at the bottom left."""
    pdf.set_font(FAMILY, size=16)
    pdf.set_text_color(*INK)
    for offset, key in enumerate(key for key in ("issuer", "date") if key in texts):
        pdf.set_xy(150, 154 + offset * 10)
        pdf.cell(110, 9, texts[key], align="R")
    pdf.set_font(FAMILY, size=10)
    pdf.set_text_color(90, 90, 90)
    for offset, key in enumerate(key for key in ("verification", "verify_at") if key in texts):
        pdf.set_xy(BODY_LEFT, 178 + offset * 6)
        pdf.cell(BODY_WIDTH, 5, texts[key])


def render_certificate(certificate: Certificate, secret_key: str | bytes, *,
                       wording: Mapping[str, str] | None = None, font_file: Path = FONT_FILE,
                       fallback_font_files: Sequence[Path] = ()) -> RenderedCertificate:
    """Render one award's certificate as a one-page PDF with its verification number."""
    if not certificate.members:
        raise ValueError("a certificate names at least one member")
    code = verification_number(secret_key, certificate.award)
    texts = _texts(certificate, wording or load_wording(), code)
    pdf = _new_pdf(certificate, font_file, fallback_font_files)
    pdf.set_title(texts["document_title"])
    pdf.set_author(certificate.issuer)
    missing = _missing(pdf, texts)
    if missing:
        log.warning("certificate %s: the font lacks %r; add them to web/data/certificate.json",
                    certificate.award.project_number, missing)
        texts = {key: text.translate({ord(char): PLACEHOLDER for char in missing}) for key, text in texts.items()}
    pdf.add_page()
    _frame(pdf)
    _heading(pdf, texts["title"])
    _body(pdf, texts)
    _signature(pdf, texts)
    return RenderedCertificate(pdf=bytes(pdf.output()), verification_number=code, missing_characters=missing)
