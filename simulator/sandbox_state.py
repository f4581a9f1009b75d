"""The WeChat API sandbox's memory: tokens, recorded calls, injected faults, media and users.

All state lives in one `SandboxState` object guarded by one lock, so the threaded sandbox
server can answer many clients at once and tests can inspect it directly.
"""
from __future__ import annotations

import secrets
import struct
import threading
import time
import zlib
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

#: WeChat's errmsg for the error codes the sandbox produces.
ERRMSG: dict[int, str] = {
    -1: "system error",
    40001: "invalid credential, access_token is invalid or not latest",
    40002: "invalid grant_type",
    40003: "invalid openid",
    40007: "invalid media_id",
    40008: "invalid message type",
    40013: "invalid appid",
    40029: "invalid code",
    40037: "invalid template_id",
    40125: "invalid appsecret",
    40163: "code been used",
    41001: "access_token missing",
    42001: "access_token expired",
    40014: "invalid access_token",
    40164: "invalid ip, not in whitelist",
    43004: "require subscribe",
    43101: "user refuse to accept the msg",
    44002: "empty post data",
    45002: "content size out of limit",
    45009: "reach max api daily quota limit",
    45011: "api minute-quota reach limit, must slower, retry next minute",
    45015: "response out of time limit or subscription is canceled",
    45047: "out of response count limit",
    48001: "api unauthorized",
    46003: "menu no exist",
    47001: "data format error",
}

#: Paths whose calls count as message sends in the rate statistics.
SEND_PATHS = ("/cgi-bin/message/custom/send", "/cgi-bin/message/template/send")
#: Token endpoints; fault rules without a path leave them alone.
TOKEN_PATHS = ("/cgi-bin/token", "/cgi-bin/stable_token")
#: A media_id that always exists and downloads as a small PNG (also after a reset).
DEMO_MEDIA_ID = "sandbox-demo-image"


def wechat_error(errcode: int) -> dict[str, Any]:
    """Return WeChat's error body for an errcode, with a request id like the real API."""
    errmsg = ERRMSG.get(errcode, "sandbox injected error")
    return {"errcode": errcode, "errmsg": f"{errmsg} rid: {secrets.token_hex(4)}-{secrets.token_hex(4)}"}


def tiny_png(rgb: tuple[int, int, int] = (200, 120, 40), size: int = 8) -> bytes:
    """Return a valid PNG of one colour, built without an imaging library."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + bytes(rgb) * size for _ in range(size))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


def image_type(data: bytes) -> str:
    """Guess a media content type from its first bytes."""
    if data.startswith(b"\x89PNG"):
        return "image/png"
    if data.startswith(b"\xff\xd8"):
        return "image/jpeg"
    if data.startswith(b"GIF8"):
        return "image/gif"
    return "application/octet-stream"


@dataclass
class Token:
    """One access token: its family (`basic` or `stable`) and when it stops working."""

    value: str
    family: str
    expires_at: float
    revoked_at: float | None = None


@dataclass
class Rule:
    """An injected fault: the next `count` matching calls fail with `errcode` or stall `seconds`."""

    count: int
    path: str | None = None
    errcode: int = 0
    seconds: float = 0.0
    after: bool = False  # a stall after the call was handled: the answer comes late, the effect happened

    def matches(self, path: str) -> bool:
        """Whether a call to `path` is affected (no path: every API call except the token ones)."""
        if self.path is None:
            return path not in TOKEN_PATHS
        return path.startswith(self.path)


@dataclass
class SandboxState:
    """Everything the sandbox remembers; every method takes the lock."""

    app_id: str
    app_secret: str
    token_grace: float = 300.0
    token_ttl: int = 7200
    max_calls: int = 100_000  # oldest calls are forgotten first, so long benchmarks stay bounded
    clock: Callable[[], float] = time.monotonic
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _seq: int = 0

    def __post_init__(self) -> None:
        self._defaults = (self.token_grace, self.token_ttl)
        self.reset()

    def reset(self) -> None:
        """Forget everything but the call sequence number, which keeps growing so pollers miss nothing."""
        with self._lock:
            self.token_grace, self.token_ttl = self._defaults
            self.tokens: dict[str, Token] = {}
            self.current: dict[str, str] = {}
            self.calls: deque[dict[str, Any]] = deque(maxlen=self.max_calls)
            self.path_counts: Counter[str] = Counter()
            self.send_times: deque[float] = deque()
            self.max_sends_per_second = 0
            self.fail_rules: list[Rule] = []
            self.stall_rules: list[Rule] = []
            self.down_until = 0.0
            self.media: dict[str, bytes] = {DEMO_MEDIA_ID: tiny_png()}
            self.oauth_codes: dict[str, dict[str, Any]] = {}
            self.unsubscribed: set[str] = set()
            self.users: dict[str, dict[str, Any]] = {}
            self.menu: dict[str, Any] | None = None
            self.msgid = 1000

    # --- access tokens -------------------------------------------------------------

    def issue_token(self, family: str, force: bool = True) -> tuple[str, int]:
        """Return a token of the family and its remaining seconds; a new one supersedes the old."""
        with self._lock:
            now = self.clock()
            old = self.tokens.get(self.current.get(family, ""))
            if old and not force and old.revoked_at is None and old.expires_at - now > 0:
                return old.value, int(old.expires_at - now)
            if old and old.revoked_at is None:
                # /cgi-bin/token keeps the old token alive for the grace; a forced stable refresh does not.
                old.revoked_at = now + (self.token_grace if family == "basic" else 0.0)
            value = f"sandbox-{family}-{secrets.token_urlsafe(24)}"
            self.tokens[value] = Token(value, family, now + self.token_ttl)
            self.current[family] = value
            return value, self.token_ttl

    def token_error(self, value: str | None) -> int:
        """Return 0 if the token is valid, else WeChat's errcode for it."""
        if not value:
            return 41001
        with self._lock:
            token = self.tokens.get(value)
            now = self.clock()
            if token is None or (token.revoked_at is not None and now >= token.revoked_at):
                return 40001
            return 42001 if now >= token.expires_at else 0

    def expire_tokens(self) -> None:
        """Make every token issued so far expired, as if two hours had passed."""
        with self._lock:
            for token in self.tokens.values():
                token.expires_at = min(token.expires_at, self.clock())

    def set_token_timing(self, grace: float, ttl: int | None = None) -> None:
        """Set how long a superseded token keeps working and, optionally, the token lifetime."""
        with self._lock:
            self.token_grace = grace
            if ttl is not None:
                self.token_ttl = ttl

    # --- faults --------------------------------------------------------------------

    def add_rule(self, kind: str, rule: Rule) -> None:
        """Queue a fault rule of kind `fail` or `stall`."""
        with self._lock:
            (self.fail_rules if kind == "fail" else self.stall_rules).append(rule)

    def take_rule(self, kind: str, path: str) -> Rule | None:
        """Consume one use of the first rule of the kind matching `path`, if any."""
        with self._lock:
            rules = self.fail_rules if kind == "fail" else self.stall_rules
            for rule in rules:
                if rule.matches(path):
                    rule.count -= 1
                    if rule.count <= 0:
                        rules.remove(rule)
                    return rule
            return None

    def set_down(self, seconds: float) -> None:
        """Answer 503 to every API call for the next `seconds` (0 brings the API back)."""
        with self._lock:
            self.down_until = self.clock() + seconds if seconds > 0 else 0.0

    def is_down(self) -> bool:
        """Whether the API currently answers 503."""
        with self._lock:
            return self.clock() < self.down_until

    # --- the call record -----------------------------------------------------------

    def record(self, call: dict[str, Any]) -> int:
        """Store one answered API call, count it, and return its sequence number."""
        with self._lock:
            self._seq += 1
            call["seq"] = self._seq
            self.calls.append(call)
            self.path_counts[call["path"]] += 1
            if call["path"] in SEND_PATHS:
                now = self.clock()
                self.send_times.append(now)
                while now - self.send_times[0] >= 1.0:
                    self.send_times.popleft()
                self.max_sends_per_second = max(self.max_sends_per_second, len(self.send_times))
            return self._seq

    def find_calls(self, path: str | None = None, openid: str | None = None, since: int = 0,
                   limit: int | None = None) -> dict[str, Any]:
        """Return calls after `since` matching a path prefix and openid, the last seq, and where to go on."""
        with self._lock:
            found = [c for c in self.calls if c["seq"] > since
                     and (path is None or c["path"].startswith(path))
                     and (openid is None or c.get("openid") == openid)]
            last_seq = self._seq
        if limit is not None and len(found) > limit:
            found = found[:limit]
            return {"calls": found, "last_seq": last_seq, "next_since": found[-1]["seq"] if found else since}
        return {"calls": found, "last_seq": last_seq, "next_since": last_seq}

    def stats(self) -> dict[str, Any]:
        """Return totals per path and the most message sends seen within one second."""
        with self._lock:
            return {"total": sum(self.path_counts.values()), "paths": dict(self.path_counts),
                    "sends": sum(self.path_counts[p] for p in SEND_PATHS),
                    "max_sends_per_second": self.max_sends_per_second, "last_seq": self._seq}

    # --- media, OAuth codes, followers, menu ---------------------------------------

    def put_media(self, data: bytes) -> str:
        """Store media bytes and return their new media_id."""
        media_id = f"sandbox-media-{secrets.token_urlsafe(12)}"
        with self._lock:
            self.media[media_id] = data
        return media_id

    def get_media(self, media_id: str) -> bytes | None:
        """Return stored media bytes, or None for an unknown media_id."""
        with self._lock:
            return self.media.get(media_id)

    def add_oauth_code(self, code: str, openid: str, scope: str = "snsapi_base") -> None:
        """Register an OAuth code that will be exchanged for the openid once."""
        with self._lock:
            self.oauth_codes[code] = {"openid": openid, "scope": scope, "used": False}

    def redeem_oauth_code(self, code: str) -> dict[str, Any] | int:
        """Return the openid and scope of a fresh code, or WeChat's errcode (unknown or used)."""
        with self._lock:
            entry = self.oauth_codes.get(code)
            if entry is None:
                return 40029
            if entry["used"]:
                return 40163
            entry["used"] = True
            return {"openid": entry["openid"], "scope": entry["scope"]}

    def set_subscribed(self, openid: str, subscribed: bool) -> None:
        """Mark a follower as following or not; messages to non-followers fail with 43004."""
        with self._lock:
            (self.unsubscribed.discard if subscribed else self.unsubscribed.add)(openid)

    def is_subscribed(self, openid: str) -> bool:
        """Whether the follower still follows the account."""
        with self._lock:
            return openid not in self.unsubscribed

    def update_user(self, openid: str, profile: dict[str, Any]) -> None:
        """Override fields of a follower's user-info answer."""
        with self._lock:
            self.users.setdefault(openid, {}).update(profile)

    def user_profile(self, openid: str) -> dict[str, Any]:
        """Return the overrides stored for a follower."""
        with self._lock:
            return dict(self.users.get(openid, {}))

    def set_menu(self, menu: dict[str, Any]) -> None:
        """Store the custom menu."""
        with self._lock:
            self.menu = menu

    def get_menu(self) -> dict[str, Any] | None:
        """Return the custom menu, or None when none was created."""
        with self._lock:
            return self.menu

    def next_msgid(self) -> int:
        """Return a fresh template-message msgid."""
        with self._lock:
            self.msgid += 1
            return self.msgid
