"""Similar earlier projects: the index the chat warns from before confirming, and coordinators review beside.

Projects are compared as projects (`nlp.ProjectIndex`): each one's title against the other's title
and description, so the index keeps the two apart.

One index per process, kept with the application and refreshed from the database as projects
are submitted or changed. Each web worker warms it in a background thread as it starts
(`warm_in_background`): reading every live project and indexing it takes seconds at 20,000
projects (measured 2026-12-01: 1 s of CPU to read 20,000 texts; indexing them in bulk, bench/nlp.md,
1.8 s of CPU for 20,000 titles, 8.7 s for title + two description sentences, per index of the two),
too long for a 5-second reply. Replies then pay only for what changed since: each new or edited
project is added alone (under 1.5 ms of CPU per index) and the search after it costs a plain search
and a few milliseconds more (per index at 20,000: 4.7 ms for titles, 29 ms for long texts; the
whole rebuild it replaced cost 0.7 s and 5.2 s).
A search during the warm-up is still right (it waits for it, or loads what is
missing itself), and if the warm-up failed the first search loads the index, as before.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Row
from sqlalchemy.orm import Session

import nlp
from models.listing import live_project, live_texts
from models.project import Project

#: Opens a session in its own transaction, as `Database.transaction` does.
Transaction = Callable[[], AbstractContextManager[Session]]

log = logging.getLogger(__name__)


@dataclass
class SimilarProjects:
    """The application's index of project texts, searchable for the same idea in other words."""

    threshold: float = nlp.SIMILAR_THRESHOLD
    _index: nlp.ProjectIndex = field(default_factory=nlp.ProjectIndex)
    _seen_until: datetime | None = None
    _texts: dict[int, tuple[str, str]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _apply(self, rows: Sequence[Row[tuple[int, str, str, datetime]]]) -> None:
        """Add the changed texts to the index and remember how far the database was read."""
        changed = []
        for project_id, title, description, updated_at in rows:
            texts = (title, description)
            if self._texts.get(project_id) != texts:  # an unchanged text would only add a dead row
                self._texts[project_id] = texts
                changed.append((str(project_id), title, description))
            if self._seen_until is None or updated_at > self._seen_until:
                self._seen_until = updated_at
        self._index.add_all(changed)  # in bulk: the warm-up's 20,000 cost a few array steps, not 20,000 each

    def _refresh(self, session: Session) -> None:
        """Add the projects submitted or changed since the last look."""
        self._apply(live_texts(session, self._seen_until))

    def warm(self, transaction: Transaction) -> int:
        """Load every live project and build the index now, off the reply path; return how many are indexed."""
        since = self._seen_until
        # Read without the lock: a reply holds its transaction (on SQLite, the write gate) while it waits for
        # the lock, so holding the lock while waiting for a transaction could deadlock with it.
        with transaction() as session:
            rows = live_texts(session, since)
        with self._lock:  # a search meanwhile waits here, then finds nothing left to load
            if self._seen_until == since:  # else a search has loaded them meanwhile, from a newer read
                self._apply(rows)
        self._index.warm()  # the first search after additions computes the IDF and totals
        return len(self._index)

    def warm_in_background(self, transaction: Transaction) -> threading.Thread:
        """Run `warm` in a daemon thread, so a starting worker serves at once; a failure is only logged."""
        thread = threading.Thread(target=self._warm_logged, args=(transaction,), name="similar-warm", daemon=True)
        thread.start()
        return thread

    def _warm_logged(self, transaction: Transaction) -> None:
        """Warm the index, logging how long it took, or why it failed (the first search then loads it)."""
        started = time.perf_counter()
        try:
            count = self.warm(transaction)
        except Exception:  # database down, schema missing: never fatal, the lazy path remains
            log.exception("similar-projects warm-up failed; the first search will build the index")
            return
        log.info("similar-projects index warmed: %d projects in %.2f s", count, time.perf_counter() - started)

    def find(self, session: Session, project: Project, limit: int = 3) -> list[tuple[Project, float]]:
        """Other live projects saying the same as `project`, most similar first, above the threshold."""
        if not (project.title or project.description).strip():
            return []
        with self._lock:
            self._refresh(session)
        found = []
        for key, score in self._index.search(project.title, project.description, limit + 1):
            other = live_project(session, int(key)) if score >= self.threshold and key != str(project.id) else None
            if other is not None:
                found.append((other, score))
        return found[:limit]
