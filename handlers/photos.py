"""Photos sent during a submission: attached to the draft at once, fetched from WeChat later.

Downloading the media never happens inside the 5-second reply: the attachment is recorded as
pending (models/drafts.add_photo) and a background job fetches it.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from handlers import texts
from handlers.memory import Memory
from handlers.messages import Incoming
from models.drafts import add_photo, open_draft
from models.people import Dialog
from models.worker import Worker


def attach_photo(session: Session, worker: Worker, dialog: Dialog, incoming: Incoming,
                 now: datetime) -> str | None:
    """Attach an image to the worker's open draft; return the reply, or None when there is no draft."""
    draft = open_draft(session, worker, Memory.from_slots(dialog.slots).draft_id)
    if draft is None:
        return None
    count = add_photo(session, draft, worker, incoming.media_id or "", incoming.pic_url, now)
    dialog.updated_at = now
    return texts.PHOTO_ATTACHED.format(count=count)
