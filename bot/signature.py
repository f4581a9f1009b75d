"""WeChat's request signatures and the freshness of their timestamps."""
from __future__ import annotations

import hashlib
import hmac


def wechat_signature(token: str, *parts: str) -> str:
    """Return WeChat's SHA1 signature: the token and the parts, sorted and concatenated."""
    return hashlib.sha1("".join(sorted([token, *parts])).encode("utf-8")).hexdigest()


def valid_signature(token: str, signature: str, *parts: str) -> bool:
    """Check a signature in constant time."""
    return hmac.compare_digest(wechat_signature(token, *parts), signature or "")


def fresh_timestamp(timestamp: str, now: float, max_skew: int) -> bool:
    """Whether a request's timestamp is a number within max_skew seconds of now (replay guard)."""
    try:
        value = int(timestamp)
    except (TypeError, ValueError):
        return False
    return abs(now - value) <= max_skew
