"""Feature strings for the system classifier: jieba words plus character n-grams."""

from __future__ import annotations

from nlp.resources import model_settings
from nlp.text import compact
from nlp.words import cut


def features(text: str) -> list[str]:
    """Words (prefixed w:) and character n-grams (prefixed c:) of a text."""
    low, high = model_settings()["char_ngrams"]
    clean = compact(text)
    out = ["w:" + w for w in cut(clean) if len(w) > 1]
    for n in range(low, high + 1):
        out.extend("c:" + clean[i:i + n] for i in range(len(clean) - n + 1))
    return out
