"""Similar earlier projects in the chat's words: one line each (the index itself is models/similar.py)."""
from __future__ import annotations

from sqlalchemy.orm import Session

from handlers import texts
from models.project import Project
from models.similar import SimilarProjects


def similar_lines(similar: SimilarProjects | None, session: Session, project: Project) -> str:
    """Earlier projects that say the same as this one, one line each ("" when none or no index)."""
    if similar is None:
        return ""
    return "\n".join(texts.SIMILAR_LINE.format(number=p.number, title=p.title, unit=p.unit.name if p.unit else "")
                     for p, _ in similar.find(session, project))
