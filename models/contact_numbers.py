"""Phone and ID numbers that a worker wrote into a project's text, hidden before the text goes public.

A worker types what they like into the title and description ("call me on 138 0013 8000"), so
the public doors (the showcase's `PublicProject` and the API's project texts) pass them through
`hide_contact_numbers`; the staff pages show the text as written. What is hidden:

- mobile numbers: 11 digits from 13x to 19x, straight or in 3-4-4 groups with spaces or hyphens,
  with or without +86 / 86 in front;
- landlines with their area code: 0 and two or three digits, then 7 or 8 digits, the area code
  in brackets or not, an extension after it;
- resident ID numbers: 18 digits (the last may be X) or the old 15, with a plausible date of
  birth inside, straight or grouped 6-8-4.

Full-width digits (１３８…, as Chinese keyboards type them) count as digits. Amounts, years, dates
and project numbers ("2026-00012") are left alone: a number must stand on its own (no digit just
before or after) and have one of the shapes above.
"""
from __future__ import annotations

import re

#: What a hidden number becomes (no words: models/ holds no user-facing text).
MASK = "***"
#: Full-width digits read as ASCII ones, one character for one, so a match's span fits the original text.
_ASCII_DIGITS = str.maketrans("０１２３４５６７８９＋（）－", "0123456789+()-")
_SEP = r"[ \-\u00a0\u3000]?"
_DATE = r"(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
_NUMBERS = re.compile("|".join([
    rf"(?:\+?86{_SEP})?1[3-9][0-9](?:{_SEP}[0-9]{{4}}){{2}}",  # mobile
    rf"(?:\(0[0-9]{{2,3}}\)|0[0-9]{{2,3}}){_SEP}[0-9]{{7,8}}(?:(?:{_SEP}|\u8f6c|-)[0-9]{{1,5}})?",  # landline
    rf"[1-9][0-9]{{5}}{_SEP}(?:18|19|20)[0-9]{{2}}{_DATE}{_SEP}[0-9]{{3}}[0-9Xx]",  # ID card, 18
    rf"[1-9][0-9]{{5}}[0-9]{{2}}{_DATE}[0-9]{{3}}",  # ID card, 15 (before 1999)
]).join([r"(?<![0-9+])(?:", r")(?![0-9])"]))


def hide_contact_numbers(text: str) -> str:
    """The text with every phone and ID number replaced by MASK (see the module's text for what counts)."""
    ascii_text = text.translate(_ASCII_DIGITS)
    spans = [match.span() for match in _NUMBERS.finditer(ascii_text)]
    if not spans:
        return text
    parts, last = [], 0
    for start, end in spans:
        parts.append(text[last:start])
        parts.append(MASK)
        last = end
    parts.append(text[last:])
    return "".join(parts)
