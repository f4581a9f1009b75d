"""Cleaning of chat text: width, emoji, stray voice-recognition punctuation, spaces."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# Runs of the same punctuation ("，，", "。。。") collapse to one mark.
_REPEATED_PUNCT = re.compile(r"([,.!?;:~、。…])\1+")
_EDGE_PUNCT = ",.!?;:~、。…·'\"`-_*#"
_DROP_CATEGORIES = {"So", "Sk", "Cs", "Co", "Cn", "Cf", "Cc"}


def _keep(char: str) -> bool:
    """Whether a character survives normalisation (drops emoji, symbols, controls)."""
    if char in "\n\t ":
        return True
    return unicodedata.category(char) not in _DROP_CATEGORIES


def normalize(text: str) -> str:
    """Full-width to half-width, drop emoji and edge punctuation, collapse spaces."""
    text = unicodedata.normalize("NFKC", text or "")
    text = "".join(ch for ch in text if _keep(ch))
    text = _REPEATED_PUNCT.sub(r"\1", text)
    text = _SPACES.sub(" ", text).strip()
    return text.strip(_EDGE_PUNCT + " ")


def compact(text: str) -> str:
    """Normalised text with every space and punctuation mark removed (for matching)."""
    return "".join(ch for ch in normalize(text) if unicodedata.category(ch)[0] in "LN")
