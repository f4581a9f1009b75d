"""Feature strings for the system classifier: jieba words plus character n-grams."""

from __future__ import annotations

import json

from nlp.runtime import DATA_DIR
from nlp.text import compact
from nlp.words import cut

_SETTINGS = json.loads((DATA_DIR / "model.json").read_text(encoding="utf-8"))
_LOW, _HIGH = _SETTINGS["char_ngrams"]


def features(text: str) -> list[str]:
    """Words (prefixed w:) and character n-grams (prefixed c:) of a text."""
    clean = compact(text)
    out = ["w:" + w for w in cut(clean) if len(w) > 1]
    for n in range(_LOW, _HIGH + 1):
        out.extend("c:" + clean[i:i + n] for i in range(len(clean) - n + 1))
    return out
