"""Feature strings for the system classifier: jieba words, character n-grams and domain terms.

The domain terms (nlp/data/system_terms.json) are the words that decide a system to a mine's
coordinator (风门, 瓦斯, 局扇 → ventilation; 溜煤眼, 锚网 → tunnelling; 食堂, 澡堂 → logistics).
Each term found adds a feature naming its system ("t:ventilation"), so a title whose exact words
were never in training still lands near the titles that share its terms. The model weighs these
features like any other; they are evidence, not rules.
"""

from __future__ import annotations

from functools import lru_cache

from nlp.resources import model_settings, read_json
from nlp.text import compact
from nlp.words import cut


@lru_cache(maxsize=1)
def _terms() -> dict[str, tuple[tuple[str, str], ...]]:
    """(term, system) pairs by first character, longest terms first."""
    data = read_json("system_terms.json")
    by_first: dict[str, list[tuple[str, str]]] = {}
    for system, terms in data.items():
        if system.startswith("_"):
            continue
        for term in terms:
            by_first.setdefault(term[0], []).append((term, system))
    return {ch: tuple(sorted(pairs, key=lambda p: -len(p[0]))) for ch, pairs in by_first.items()}


def term_features(clean: str) -> list[str]:
    """One "t:<system>" feature per domain term in the text; a term inside a longer one found before is not counted."""
    terms = _terms()
    found: list[str] = []
    covered = 0  # the text up to here lies inside a term already counted
    for i, ch in enumerate(clean):
        candidates = terms.get(ch)
        if candidates is None:
            continue
        longest = next((term for term, _ in candidates if clean.startswith(term, i)), None)
        if longest is None or i + len(longest) <= covered:
            continue
        # a term listed under several systems (滚筒: mining and transport) counts for each
        found.extend("t:" + system for term, system in candidates if term == longest)
        covered = i + len(longest)
    return found


def features(text: str) -> list[str]:
    """Words (w:), character n-grams (c:) and domain-term systems (t:) of a text."""
    settings = model_settings()
    low, high = settings["char_ngrams"]
    clean = compact(text)
    out = ["w:" + w for w in cut(clean) if len(w) > 1] if settings.get("words", True) else []
    for n in range(low, high + 1):
        out.extend("c:" + clean[i:i + n] for i in range(len(clean) - n + 1))
    out.extend(term_features(clean.lower()))
    return out
