"""The certificate's Chinese font: which characters the vendored subset covers, and how it is made.

The font is Noto Serif SC Regular (SIL Open Font License 1.1) from the npm package
`@expo-google-fonts/noto-serif-sc` 0.4.3 (Google Fonts' static build, font version 2.003). The
whole font is 14.8 MB; the vendored subset in `web/static/vendor/fonts/` keeps ASCII, all of
GB2312 (6,763 hanzi plus its symbols, CJK punctuation and full-width forms), the extra
characters listed in `web/data/certificate.json` and every character of the certificate's
wording, about 3 MB. fpdf2 subsets it again to the few dozen glyphs each certificate uses.
To remake it (at vendoring time, never at run time):

    npm pack @expo-google-fonts/noto-serif-sc@0.4.3
    tar xzf expo-google-fonts-noto-serif-sc-0.4.3.tgz
    python -m web.certificate_font package/400Regular/NotoSerifSC_400Regular.ttf

A character outside the subset (a rare name character): see `web/certificates.py`.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import logging
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

log = logging.getLogger(__name__)

FONT_DIR = Path(__file__).resolve().parent / "static" / "vendor" / "fonts"
FONT_FILE = FONT_DIR / "NotoSerifSC-Regular-subset.ttf"
CERTIFICATE_DATA = Path(__file__).resolve().parent / "data" / "certificate.json"


def gb2312_characters() -> str:
    """Every character of GB2312 (rows 1-9 symbols, rows 16-87 hanzi), in code order."""
    found = []
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                found.append(bytes((high, low)).decode("gb2312"))
            except UnicodeDecodeError:
                continue  # an unassigned cell of the 94x94 table
    return "".join(found)


def covered_characters(data_file: Path = CERTIFICATE_DATA) -> str:
    """The characters the vendored font must cover: ASCII, GB2312, the extras and the wording."""
    data = json.loads(data_file.read_text(encoding="utf-8"))
    wording = "".join(value for key, value in data.items() if isinstance(value, str) and not key.startswith("_"))
    ascii_printable = "".join(chr(code) for code in range(0x20, 0x7F))
    wanted = ascii_printable + gb2312_characters() + wording
    return "".join(sorted(set(wanted)))


def subset_font(source: Path, target: Path, characters: str) -> list[str]:
    """Write the subset of `source` covering `characters`; return those the source lacks."""
    options = subset.Options()
    options.layout_features = []  # no GSUB/GPOS features: Chinese needs none, and fpdf2 uses none
    options.hinting = False
    options.notdef_outline = True  # a character the font lacks shows as a box, not as nothing
    options.name_IDs = ["*"]  # keep the copyright and licence records the OFL asks to keep
    options.drop_tables += ["vhea", "vmtx", "BASE", "STAT", "GSUB", "GPOS", "GDEF"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(char) for char in characters])
    with TTFont(source, lazy=True, recalcTimestamp=False) as font:  # the same input gives the same bytes
        subsetter.subset(font)
        font.save(target)
    with TTFont(target, lazy=True) as result:
        covered = result.getBestCmap()
    return [char for char in characters if ord(char) not in covered]


def main(argv: list[str] | None = None) -> int:
    """Make the vendored subset from the npm package's TTF; exit 1 if a character is missing."""
    parser = argparse.ArgumentParser(description="Subset the certificate font for vendoring.")
    parser.add_argument("source", type=Path, help="NotoSerifSC_400Regular.ttf from the npm package")
    parser.add_argument("--output", type=Path, default=FONT_FILE)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    log.setLevel(logging.INFO)
    characters = covered_characters()
    lacking = subset_font(args.source, args.output, characters)
    digest = hashlib.sha256(args.source.read_bytes()).hexdigest()
    log.info("source %s sha256 %s", args.source, digest)
    log.info("wrote %s: %d characters, %d bytes", args.output, len(characters) - len(lacking),
             args.output.stat().st_size)
    if lacking:
        log.error("the source font lacks %d characters: %s", len(lacking), "".join(lacking))
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
