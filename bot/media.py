"""Fetching photos sent during a submission from WeChat, outside the 5-second reply path."""
from __future__ import annotations

import logging
from pathlib import Path

import requests
from sqlalchemy import select
from wechatpy.exceptions import WeChatClientException

from bot.database import Database
from models.project import Attachment

log = logging.getLogger(__name__)
_EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "image/webp": ".webp"}
#: WeChat errcodes that mean the media will never be fetchable (invalid or expired media_id).
_GONE = {40007}


def _store(media_dir: Path, attachment: Attachment, response: requests.Response) -> None:
    """Write the downloaded bytes under media_dir/<project>/<attachment><ext> and note where."""
    content_type = response.headers.get("Content-Type", "").split(";")[0].strip()
    folder = media_dir / str(attachment.project_id)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{attachment.id}{_EXTENSIONS.get(content_type, '.bin')}"
    path.write_bytes(response.content)
    attachment.stored_path = str(path)
    attachment.content_type = content_type or None
    attachment.size = len(response.content)
    attachment.status = "fetched"


def _download(client: object, media_id: str) -> requests.Response | str:
    """Download one media file; return the response, or "gone" / "later" when it cannot be had now."""
    try:
        response = client.media.download(media_id)  # type: ignore[attr-defined]
    except WeChatClientException as exc:
        log.warning("could not fetch media %s: %s", media_id, exc)
        return "gone" if exc.errcode in _GONE else "later"
    except requests.RequestException as exc:
        log.warning("WeChat unreachable fetching media %s: %s", media_id, exc)
        return "later"
    if isinstance(response, dict):  # wechatpy decoded a JSON error body
        return "gone" if response.get("errcode") in _GONE else "later"
    return response


def fetch_pending_attachments(db: Database, client: object, media_dir: Path, limit: int = 20) -> int:
    """Download pending photos, never holding a transaction over the network; return how many were stored."""
    with db.transaction() as session:
        pending = list(session.execute(select(Attachment.id, Attachment.media_id)
                                       .where(Attachment.status == "pending").order_by(Attachment.id).limit(limit)))
    stored = 0
    for attachment_id, media_id in pending:
        result = _download(client, media_id)
        if result == "later":
            break  # the API is down or refusing: try again next round
        with db.transaction() as session:
            attachment = session.get(Attachment, attachment_id)
            if attachment is None or attachment.status != "pending":
                continue
            if isinstance(result, str):  # "gone": it will never be fetchable
                attachment.status = "failed"
                continue
            _store(media_dir, attachment, result)
            stored += 1
    return stored
