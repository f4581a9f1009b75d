"""Similar projects as the chat and the review compare them: each project a title and a whole text.

Two projects say the same idea when **each one's title is found in the other's whole text** (title
and description): the score is the lower of the two containments (``nlp/similar.py``), so a title
whose words the other project never uses pulls the pair down. Comparing the two whole texts instead
lets every common word of a description count: on real pairs of whole projects it separated the
same idea from a different one sharing words worst of the ways measured (bench/nlp.md, "Blind pairs
of whole projects" and the tuning set beside it). A project given only a title is its own whole text.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from nlp.similar import SimilarIndex, best_of


def whole_text(title: str, text: str) -> str:
    """A project's whole text: its title followed by its description."""
    return f"{title} {text}".strip()


class ProjectIndex:
    """Projects by key, searchable for a project that says the same idea (title and description)."""

    def __init__(self) -> None:
        self._titles = SimilarIndex()  # each project's title (its whole text when it has none)
        self._wholes = SimilarIndex()  # each project's title and description
        # One row is one project in both indexes only if no search reads them between the two adds
        # (a reply searching while another submits did, on deadline day): adds and searches take turns.
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._wholes)

    def add(self, key: str, title: str, text: str = "") -> None:
        """Add (or re-add) one project's title and description under its key."""
        whole = whole_text(title, text)
        with self._lock:
            self._titles.add(key, title.strip() or whole)
            self._wholes.add(key, whole)

    def add_all(self, projects: Iterable[tuple[str, str, str]]) -> None:
        """Add (or re-add) many projects' (key, title, description) at once, as the warm-up does (bulk steps)."""
        rows = [(key, title, whole_text(title, text)) for key, title, text in projects]
        with self._lock:
            self._titles.add_all([(key, title.strip() or whole) for key, title, whole in rows])
            self._wholes.add_all([(key, whole) for key, _, whole in rows])

    def search(self, title: str, text: str = "", limit: int = 5) -> list[tuple[str, float]]:
        """The projects most like this one as (key, score in 0..1), best first."""
        whole = whole_text(title, text)
        if not whole or not len(self):
            return []
        import numpy as np

        with self._lock:
            keys, ours_in_theirs = self._wholes.scores(title.strip() or whole)
            title_keys, theirs_in_ours = self._titles.scores(whole)
        if title_keys != keys:  # cannot happen while every add goes to both under the lock
            raise RuntimeError("the title and whole-text indexes disagree")
        return best_of(keys, np.minimum(ours_in_theirs, theirs_in_ours), limit)

    def warm(self) -> None:
        """Build both indexes now (the first search after additions would)."""
        with self._lock:
            self._titles.scores("")
            self._wholes.scores("")
