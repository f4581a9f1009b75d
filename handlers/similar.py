"""Similar earlier projects ("已有相似项目…"): warned about before confirming, shown to coordinators.

One index per process, kept with the application and refreshed from the database as projects
are submitted or changed; the first search after a change rebuilds it (about 0.4 s over
20,000 projects), every other search takes about a millisecond.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

import nlp
from handlers import texts
from handlers.turn import Turn
from models.corrections import training_text
from models.project import Project, ProjectStatus

#: Projects that count as "already submitted" (drafts and withdrawn ones do not).
LIVE = (ProjectStatus.submitted, ProjectStatus.returned, ProjectStatus.unit_approved, ProjectStatus.under_review,
        ProjectStatus.awarded, ProjectStatus.not_awarded)


@dataclass
class SimilarProjects:
    """The application's index of project texts, searchable for the same idea in other words."""

    threshold: float = nlp.SIMILAR_THRESHOLD
    _index: nlp.SimilarIndex = field(default_factory=nlp.SimilarIndex)
    _seen_until: datetime | None = None
    _texts: dict[int, str] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _refresh(self, session: Session) -> None:
        """Add the projects submitted or changed since the last look."""
        query = select(Project.id, Project.title, Project.description, Project.updated_at).where(
            Project.status.in_(LIVE), Project.number.is_not(None))
        if self._seen_until is not None:
            query = query.where(Project.updated_at >= self._seen_until)
        for project_id, title, description, updated_at in session.execute(query):
            text = f"{title} {description}".strip()
            if self._texts.get(project_id) != text:  # an unchanged text would only force a rebuild
                self._texts[project_id] = text
                self._index.add(str(project_id), text)
            if self._seen_until is None or updated_at > self._seen_until:
                self._seen_until = updated_at

    def find(self, session: Session, project: Project, limit: int = 3) -> list[tuple[Project, float]]:
        """Other live projects saying the same as `project`, most similar first, above the threshold."""
        text = training_text(project)
        if not text:
            return []
        with self._lock:
            self._refresh(session)
        found = []
        for key, score in self._index.search(text, limit + 1):
            other = session.get(Project, int(key)) if score >= self.threshold and key != str(project.id) else None
            if other is not None and other.status in LIVE:
                found.append((other, score))
        return found[:limit]


def similar_lines(t: Turn, project: Project) -> str:
    """Earlier projects that say the same as this one, one line each ("" when none or no index)."""
    if t.similar is None:
        return ""
    return "\n".join(texts.SIMILAR_LINE.format(number=p.number, title=p.title, unit=p.unit.name if p.unit else "")
                     for p, _ in t.similar.find(t.session, project))
