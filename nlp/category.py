"""Which of the five smalls a project is, guessed from its words, as a default to offer."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from nlp.resources import read_json
from nlp.text import compact

CATEGORIES = ("invention", "creation", "innovation", "design", "suggestion")


@dataclass(frozen=True)
class CategoryGuess:
    """A category (invention, creation, innovation, design, suggestion) and a confidence."""

    category: str
    confidence: float


@lru_cache(maxsize=1)
def _cues() -> dict[str, Any]:
    """Cue words from nlp/data/category.json."""
    return read_json("category.json")


def named_category(text: str) -> str | None:
    """The category a text names outright ("我想报个小革新"): the worker's choice, not a guess.

    One named only to be denied ("不是小发明，是小革新") is not chosen; of several, the last one said counts.
    """
    clean = compact(text)
    data = _cues()
    said = [(at, category) for word, category in data["explicit"].items()
            for at in (m.start() for m in re.finditer(re.escape(word), clean))
            if not any(clean[:at].endswith(no) for no in data["denials"])]
    return max(said)[1] if said else None


def infer_category(text: str) -> CategoryGuess:
    """The most likely category: named outright, else weighted cue words, else a default."""
    data = _cues()
    clean = compact(text)
    named = named_category(text)
    if named:
        return CategoryGuess(named, 0.95)
    scores = {
        category: sum(w for cue, w in cues.items() if cue in clean)
        for category, cues in data["cues"].items()
    }
    best = max(scores, key=lambda c: scores[c])
    if scores[best] == 0:
        return CategoryGuess(data["default"], 0.3)
    # One unit of evidence for "none of these" keeps a single weak cue below 0.5.
    confidence = scores[best] / (sum(scores.values()) + 1.0)
    return CategoryGuess(best, round(confidence, 3))
