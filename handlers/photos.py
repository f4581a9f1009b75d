"""Photos sent during a submission: attached to the draft at once, fetched from WeChat later.

Downloading the media never happens inside the 5-second reply: the attachment row is marked
pending and a background job fetches it.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handlers import texts
from handlers.messages import Incoming
from models.people import Dialog
from models.project import Attachment, Project
from models.worker import Worker
from models.workflow import editable_by, latest_draft

#: A draft takes at most this many photos.
MAX_PHOTOS = 9


def attach_photo(session: Session, worker: Worker, dialog: Dialog, incoming: Incoming,
                 now: datetime) -> str | None:
    """Attach an image to the worker's open draft; return the reply, or None when there is no draft."""
    draft_id = (dialog.slots or {}).get("draft_id")
    draft = session.get(Project, draft_id) if draft_id else None
    if not editable_by(draft, worker):
        draft = latest_draft(session, worker)
    if draft is None:
        return None
    count = session.scalar(select(func.count()).select_from(Attachment).where(Attachment.project_id == draft.id))
    if count < MAX_PHOTOS:
        session.add(Attachment(project_id=draft.id, media_id=incoming.media_id or "", pic_url=incoming.pic_url,
                               kind="image", status="pending", created_at=now))
        count += 1
    draft.updated_at = now
    dialog.updated_at = now
    return texts.PHOTO_ATTACHED.format(count=count)
