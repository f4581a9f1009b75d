"""The WeChat API client: wechatpy pointed at the configured base, with one access token for all processes.

Refreshing the token in one process invalidates every other process's copy (the 40001 storm of
multi-worker deployments). So the token lives in the database (or Redis), every process reads it
from there, and only one refreshes it, under a lock, and only if nobody refreshed it meanwhile.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException
from wechatpy.session import SessionStorage

from bot.config import Settings
from bot.database import Database
from models.base import utcnow
from models.token import StoredToken, locked_row, token_value

logger = logging.getLogger(__name__)

#: errcodes that mean "this access token is no longer good": refresh once, retry once.
TOKEN_ERRORS = frozenset({40001, 40014, 42001})
#: Refresh this long before the token expires, so no call ever uses a dying token.
REFRESH_MARGIN = timedelta(minutes=5)

Fetch = Callable[[], tuple[str, int]]


class DatabaseStorage(SessionStorage):
    """wechatpy session storage in the `stored_token` table; refresh under a row lock."""

    def __init__(self, db: Database) -> None:
        """Keep the database handle."""
        self.db = db

    def get(self, key: str, default: Any = None) -> Any:
        """Return the value while it is valid for longer than the refresh margin."""
        with self.db.sessions() as session:
            value = token_value(session, key, utcnow(), REFRESH_MARGIN)
        return default if value is None else value

    def set(self, key: str, value: Any, ttl: int | None = None) -> None:
        """Store a value for everyone (ttl in seconds; none means two hours)."""
        with self.db.transaction() as session:
            row = locked_row(session, StoredToken, key)
            assert isinstance(row, StoredToken)
            row.value = str(value)
            row.expires_at = utcnow() + timedelta(seconds=ttl or 7200)

    def delete(self, key: str) -> None:
        """Forget the value."""
        with self.db.transaction() as session:
            row = session.get(StoredToken, key)
            if row is not None:
                row.value = None

    def refresh(self, key: str, fetch: Fetch, stale: str | None) -> str:
        """Fetch a new token unless another process already replaced `stale` with a good one."""
        with self.db.transaction() as session:
            row = locked_row(session, StoredToken, key)
            assert isinstance(row, StoredToken)
            now = utcnow()
            if (row.value and row.value != stale and row.expires_at is not None
                    and row.expires_at - now > REFRESH_MARGIN):
                return row.value
            value, expires_in = fetch()
            row.value, row.expires_at = value, now + timedelta(seconds=expires_in)
            logger.info("access token refreshed (valid %s s)", expires_in)
            return value


class RedisStorage(SessionStorage):
    """wechatpy session storage in Redis; refresh under a Redis lock."""

    def __init__(self, url: str, prefix: str = "wuxiao") -> None:
        """Connect lazily to the Redis at `url`."""
        import redis

        self.redis = redis.Redis.from_url(url)
        self.prefix = prefix

    def _key(self, key: str) -> str:
        return f"{self.prefix}:{key}"

    def get(self, key: str, default: Any = None) -> Any:
        """Return the value while it is valid for longer than the refresh margin."""
        with self.redis.pipeline() as pipe:
            value, ttl = pipe.get(self._key(key)).ttl(self._key(key)).execute()
        if value is None or (ttl is not None and 0 <= ttl <= REFRESH_MARGIN.total_seconds()):
            return default
        return value.decode()

    def set(self, key: str, value: Any, ttl: int | None = None) -> None:
        """Store a value for everyone."""
        self.redis.set(self._key(key), str(value), ex=ttl or 7200)

    def delete(self, key: str) -> None:
        """Forget the value."""
        self.redis.delete(self._key(key))

    def refresh(self, key: str, fetch: Fetch, stale: str | None) -> str:
        """Fetch a new token unless another process already replaced `stale` with a good one."""
        with self.redis.lock(self._key(f"{key}:lock"), timeout=30, blocking_timeout=30):
            current = self.get(key)
            if current and current != stale:
                return current
            value, expires_in = fetch()
            self.set(key, value, expires_in)
            return value


class TokenStoreUnavailable(Exception):
    """The shared token could not be read because its store (the database, or Redis) did not answer: no call left."""


class SharedTokenClient(WeChatClient):
    """wechatpy's client on the configured API base, sharing one access token across processes."""

    def __init__(self, settings: Settings, storage: DatabaseStorage | RedisStorage,
                 retry_token_errors: bool = True) -> None:
        """Build the client; tokens live in `storage`, calls time out after the configured seconds.

        With `retry_token_errors` off, a token error is raised for the caller (the sender) to handle.
        """
        super().__init__(settings.wechat_app_id, settings.wechat_app_secret, session=storage,
                         timeout=settings.wechat_http_timeout, auto_retry=False)
        self.base_url = settings.wechat_api_base
        self.API_BASE_URL = f"{settings.wechat_api_base}/cgi-bin/"
        self.stable_token = settings.wechat_stable_token
        self.storage = storage
        self.retry_token_errors = retry_token_errors

    @property
    def access_token(self) -> str:
        """The shared token, refreshed (by one process) when missing or about to expire."""
        try:
            stored = self.storage.get(self.access_token_key)
        except (SQLAlchemyError, RedisError) as exc:
            raise TokenStoreUnavailable(f"{type(exc).__name__}: {exc}"[:200]) from exc
        return stored or self.refresh_token(stale=None)

    def refresh_token(self, stale: str | None) -> str:
        """Replace the shared token `stale` (None: whatever is stored) and return the good one."""
        return self.storage.refresh(self.access_token_key, self._fetch_from_api, stale)

    def fetch_access_token(self) -> dict[str, Any]:
        """Refresh the shared token (wechatpy's entry point) and return it as the API would."""
        return {"access_token": self.refresh_token(stale=self.storage.get(self.access_token_key)),
                "expires_in": 7200}

    def _fetch_from_api(self) -> tuple[str, int]:
        """Ask the API for a token (`/cgi-bin/token` or `/cgi-bin/stable_token`)."""
        credentials = {"grant_type": "client_credential", "appid": self.appid, "secret": self.secret}
        if self.stable_token:
            res = self._http.post(f"{self.base_url}/cgi-bin/stable_token", json=credentials, timeout=self.timeout)
        else:
            res = self._http.get(f"{self.base_url}/cgi-bin/token", params=credentials, timeout=self.timeout)
        res.raise_for_status()
        result = res.json()
        if result.get("errcode"):
            raise WeChatClientException(result["errcode"], result.get("errmsg"), client=self,
                                        request=res.request, response=res)
        return str(result["access_token"]), int(result.get("expires_in", 7200))

    def _request(self, method: str, url_or_endpoint: str, **kwargs: Any) -> Any:
        """Call the API; on a token error refresh the shared token once and retry once."""
        params = kwargs.pop("params", None)
        explicit = isinstance(params, dict) and "access_token" in params
        for attempt in (1, 2):
            call_params = dict(params) if isinstance(params, dict) else ({} if params is None else params)
            token = call_params.get("access_token") if explicit else self.access_token
            if isinstance(call_params, dict):
                call_params["access_token"] = token
            try:
                return super()._request(method, url_or_endpoint, params=call_params, **kwargs)
            except WeChatClientException as exc:
                if attempt == 2 or explicit or not self.retry_token_errors or exc.errcode not in TOKEN_ERRORS:
                    raise
                logger.info("errcode %s: refreshing the shared access token once", exc.errcode)
                self.refresh_token(stale=token)
        raise AssertionError("unreachable")


def token_storage(settings: Settings, db: Database) -> DatabaseStorage | RedisStorage:
    """Return the shared token storage: Redis when configured, else the database."""
    return RedisStorage(settings.redis_url) if settings.redis_url else DatabaseStorage(db)


def make_wechat_client(settings: Settings, db: Database, retry_token_errors: bool = True) -> SharedTokenClient:
    """Return a WeChat API client for the configured account and base address."""
    return SharedTokenClient(settings, token_storage(settings, db), retry_token_errors)


def token_of(exc: WeChatClientException) -> str | None:
    """Return the access token a failed call used (read back from its URL)."""
    url = getattr(exc.request, "url", None) or ""
    found = parse_qs(urlsplit(url).query).get("access_token")
    return found[0] if found else None


def is_transient(exc: Exception) -> bool:
    """Whether a failed call should simply be tried again later (network, 5xx, -1, quota)."""
    if isinstance(exc, requests.RequestException):
        return True
    if isinstance(exc, WeChatClientException):
        return exc.errcode in (None, -1, 45009, 45011) or exc.errcode in TOKEN_ERRORS
    return False

