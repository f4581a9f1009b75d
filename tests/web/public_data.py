"""Generated projects for the public pages' tests: every status, random openids, stored photos.

The openids are random (`o` and 27 URL-safe characters, as WeChat's look), so a test that finds
none of them in a public answer has looked for real values, not for a fixed string.
"""
from __future__ import annotations

import io
import random
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.awards import Award, AwardState
from models.base import utcnow
from models.city_review import CityReview, ReviewState
from models.project import Attachment, Category, Project, ProjectEvent, ProjectStatus, System
from models.round import Round
from models.unit import Unit, UnitKind
from models.worker import Worker

WORDS = ("托辊", "液压支架", "皮带机", "风门", "瓦斯抽采", "采煤机", "锚杆", "压滤机", "绞车", "食堂")


def png_bytes(colour: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A small real PNG picture."""
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, format="PNG")
    return buffer.getvalue()


@dataclass
class Generated:
    """What was made: the openids of every worker, and the projects by status."""

    openids: list[str] = field(default_factory=list)
    by_status: dict[str, list[Project]] = field(default_factory=dict)
    photos: dict[int, list[int]] = field(default_factory=dict)  # attachment ids by project id
    owner: dict[int, str] = field(default_factory=dict)  # the author's openid by project id

    def of(self, status: str) -> list[Project]:
        """The projects made with this status."""
        return self.by_status.get(status, [])


def generate(session: Session, media_dir: Path, count: int = 40, seed: int = 7) -> Generated:
    """Make `count` projects in the latest round over the units below the enterprises, all statuses."""
    rng = random.Random(seed)
    round_ = session.scalars(select(Round).order_by(Round.id.desc())).first()
    assert round_ is not None, "seed the demo first"
    units = list(session.scalars(select(Unit).where(Unit.kind.in_((UnitKind.team, UnitKind.group)))))
    made = Generated()
    statuses = [s for s in ProjectStatus if s != ProjectStatus.draft]
    for index in range(count):
        unit = rng.choice(units)
        worker = Worker(openid="o" + secrets.token_urlsafe(20)[:27], unit_id=unit.id, name=f"职工{index:02d}")
        session.add(worker)
        session.flush()
        status = statuses[index % len(statuses)]
        word = rng.choice(WORDS)
        project = Project(round_id=round_.id, unit_id=unit.id, worker_id=worker.id, status=status,
                          number=f"{round_.year}-{index + 1:04d}", title=f"{word}改进{index}",
                          description=f"针对{word}的问题做了改进，编号{index}。", category=rng.choice(list(Category)),
                          system=rng.choice(list(System)), annual_benefit_yuan=Decimal(rng.randrange(0, 90000)),
                          members=[worker.name], submitted_at=utcnow() - timedelta(days=rng.randrange(1, 20)))
        session.add(project)
        session.flush()
        session.add(ProjectEvent(project_id=project.id, actor_id=worker.id, from_status=None,
                                 to_status=status, reason=f"理由{index}"))
        folder = media_dir / str(project.id)
        folder.mkdir(parents=True, exist_ok=True)
        photo = Attachment(project_id=project.id, media_id=f"media-{worker.openid}", status="fetched",
                           pic_url=f"http://mmbiz.example/{worker.openid}.png", content_type="image/png")
        session.add(photo)
        session.flush()
        path = folder / f"{photo.id}.png"
        path.write_bytes(png_bytes())
        photo.stored_path, photo.size = str(path), path.stat().st_size
        made.photos[project.id] = [photo.id]
        made.owner[project.id] = worker.openid
        made.openids.append(worker.openid)
        made.by_status.setdefault(status, []).append(project)
    session.flush()
    return made


def put_under_notice(session: Session, projects: list[Project], levels: list[str], days: int = 7) -> CityReview:
    """Give these projects proposed awards under a 公示 running now (as `models.awards.publish_awards` leaves them)."""
    now = utcnow()
    round_id = projects[0].round_id
    review = CityReview(round_id=round_id, state=ReviewState.closed, deadline=now - timedelta(days=1),
                        closed_at=now - timedelta(days=1), notice_starts_at=now - timedelta(hours=1),
                        notice_ends_at=now + timedelta(days=days))
    session.add(review)
    for rank, (project, level) in enumerate(zip(projects, levels, strict=True), 1):
        project.status = ProjectStatus.under_review
        session.add(Award(round_id=round_id, project_id=project.id, level=level, prize=1000, score=Decimal("91.25"),
                          rank=rank, state=AwardState.public_notice))
    session.flush()
    return review


def finalize(session: Session, awarded: list[Project], levels: list[str]) -> None:
    """Give awarded projects their final awards (as `models.awards.finalize_awards` leaves them)."""
    for rank, (project, level) in enumerate(zip(awarded, levels, strict=True), 1):
        session.add(Award(round_id=project.round_id, project_id=project.id, level=level, prize=5000,
                          score=Decimal("97.50"), rank=rank, state=AwardState.final, final_at=utcnow()))
    session.flush()
