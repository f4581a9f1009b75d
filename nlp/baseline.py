"""A keyword baseline for the system classifier, kept to show what the model adds."""

from __future__ import annotations

from functools import lru_cache

from nlp.resources import read_json
from nlp.text import compact


@lru_cache(maxsize=1)
def keywords() -> dict[str, list[str]]:
    """System -> keywords, from nlp/data/keywords.json."""
    data = read_json("keywords.json")
    return {k: v for k, v in data.items() if not k.startswith("_")}


def keyword_system(text: str) -> str | None:
    """The system whose keywords cover most characters of the text, or None."""
    clean = compact(text)
    best, best_score = None, 0
    for system, words in keywords().items():
        score = sum(len(w) for w in words if w in clean)
        if score > best_score:
            best, best_score = system, score
    return best
