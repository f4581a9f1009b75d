"""What the outbox sender does with each answer WeChat gives: the fault policy, one rule per error.

| verdict | WeChat's answer | what happens to the message |
|---|---|---|
| `sent` | errcode 0 | `sent` (a template message becomes `delivered` on its TEMPLATESENDJOBFINISH report) |
| `token` | 40001, 40014, 42001 (token invalid or expired) | the shared token is refreshed once (for every process) and the message sent again at once; a second token error pauses the whole batch, the pause doubling each time (with jitter, at most an hour); no attempt is used up |
| `pause` | 45009 (daily quota), 45011 (per-minute quota) | the whole batch pauses as for a token error; no attempt is used up |
| `window` | 45015 (the 48-hour window is closed), 45047 (too many customer-service messages since the follower's last message) | a status notice goes as a template message where one is configured (at 08:00 when in quiet hours), else it is `held` until the worker writes again, then sent; any other message (a reminder, a reply) is `undeliverable`: it would be stale by then |
| `undeliverable` | 43004 (unfollowed: the worker is marked so), 43101 (the follower refused the message), 40003 (no such openid) | `undeliverable` at once |
| `failed` | 40008, 40037, 44002, 45002, 47001, 48001, 40164 (our message, template or account is wrong) | `failed` at once, with WeChat's errmsg; fix the configuration, then `python -m bot outbox --requeue ID` |
| `retry` | -1 (system busy), HTTP 5xx, a connection refused or timed out before the request was sent, any errcode not listed here | tried again after a back-off doubling per attempt from OUTBOX_RETRY_BASE_SECONDS (with jitter, at most an hour); `failed` after 20 attempts; -1, 5xx and network errors also pause the rest of the batch |
| `unknown` | the request was sent and no answer came (read timeout, connection lost while waiting) | `unknown`: it may have arrived, so it is never resent by itself; `python -m bot outbox --status unknown` lists them, `--requeue ID` sends one again after a look |

Jitter: every back-off is drawn between half and all of its length, so senders that failed together
do not come back together.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import requests
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError, NameResolutionError, NewConnectionError

from bot.wechat_api import TOKEN_ERRORS


class Verdict(StrEnum):
    """What to do with a message after one send (see the table above)."""

    sent = "sent"
    token = "token"
    pause = "pause"
    window = "window"
    undeliverable = "undeliverable"
    failed = "failed"
    retry = "retry"
    unknown = "unknown"


QUOTA = frozenset({45009, 45011})
WINDOW = frozenset({45015, 45047})
UNREACHABLE = frozenset({43004, 43101, 40003})
OUR_MISTAKE = frozenset({40008, 40037, 44002, 45002, 47001, 48001, 40164})
#: Answers after which the API as a whole is unavailable for a while: the rest of the batch waits too.
API_UNAVAILABLE = frozenset({-1, None})


def verdict_for(errcode: int | None) -> Verdict:
    """The verdict for an errcode WeChat answered with (None: an HTTP error status without errcode)."""
    if errcode == 0:
        return Verdict.sent
    if errcode in TOKEN_ERRORS:
        return Verdict.token
    if errcode in QUOTA:
        return Verdict.pause
    if errcode in WINDOW:
        return Verdict.window
    if errcode in UNREACHABLE:
        return Verdict.undeliverable
    if errcode in OUR_MISTAKE:
        return Verdict.failed
    return Verdict.retry


def never_sent(exc: requests.RequestException) -> bool:
    """Whether a network error happened before the request left (no connection was made)."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    if not isinstance(exc, requests.ConnectionError):
        return False
    reason = exc.args[0] if exc.args else None
    if isinstance(reason, MaxRetryError):
        reason = reason.reason
    return isinstance(reason, (NewConnectionError, ConnectTimeoutError, NameResolutionError))


def verdict_for_network(exc: requests.RequestException) -> Verdict:
    """The verdict for a call that got no WeChat answer: tried again if it never left or got an HTTP
    error status, else unknown."""
    return Verdict.retry if isinstance(exc, requests.HTTPError) or never_sent(exc) else Verdict.unknown


#: DrainReport's count for each verdict.
COUNTED_AS = {Verdict.sent: "sent", Verdict.retry: "retried", Verdict.token: "retried", Verdict.pause: "retried",
              Verdict.window: "held", Verdict.undeliverable: "undeliverable", Verdict.failed: "failed",
              Verdict.unknown: "unknown"}


@dataclass
class DrainReport:
    """What one drain did."""

    sent: int = 0
    retried: int = 0
    undeliverable: int = 0
    deferred: int = 0
    held: int = 0
    failed: int = 0
    unknown: int = 0
    stopped_by: str | None = None

    def count(self, verdict: Verdict) -> None:
        """Count one send's verdict."""
        name = COUNTED_AS[verdict]
        setattr(self, name, getattr(self, name) + 1)

    @property
    def settled(self) -> int:
        """How many messages this drain did something with."""
        return (self.sent + self.retried + self.undeliverable + self.deferred + self.held + self.failed
                + self.unknown)

    def add(self, other: DrainReport) -> None:
        """Add another report's counts to this one."""
        for name in ("sent", "retried", "undeliverable", "deferred", "held", "failed", "unknown"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.stopped_by = other.stopped_by or self.stopped_by
