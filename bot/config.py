"""Settings: the only place that reads the environment (and `.env`, loaded explicitly)."""
from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from dotenv import dotenv_values

PROJECT_ROOT = Path(__file__).resolve().parent.parent
REAL_WECHAT_API = "https://api.weixin.qq.com"
REAL_WECHAT_OAUTH = "https://open.weixin.qq.com"
REQUIRED = ("WECHAT_TOKEN", "WECHAT_APP_ID", "WECHAT_APP_SECRET", "SECRET_KEY")


class ConfigError(Exception):
    """A required setting is missing or invalid; the message is one line for the operator."""


@dataclass(frozen=True)
class Settings:
    """Everything the application needs to know about its environment."""

    wechat_token: str
    wechat_app_id: str
    wechat_app_secret: str
    secret_key: str
    database_url: str
    instance_path: Path
    wechat_aes_key: str | None = None
    wechat_api_base: str = REAL_WECHAT_API
    wechat_oauth_base: str = REAL_WECHAT_OAUTH  # WECHAT_OAUTH_BASE: WeChat's authorize page (the sandbox in the demo)
    redis_url: str | None = None
    public_base_url: str = ""  # PUBLIC_BASE_URL: where the web pages are reached from phones (menu link)
    web_proxy_hops: int = 0  # WEB_PROXY_HOPS: reverse proxies in front that set X-Forwarded-For/-Proto/-Host
    web_secure_cookies: bool = False  # WEB_SECURE_COOKIES: cookies only over HTTPS (default: PUBLIC_BASE_URL is https)
    max_body_bytes: int = 64 * 1024
    max_clock_skew_seconds: int = 300
    wechat_templates: Mapping[str, object] | None = None  # WECHAT_TEMPLATES: {"name": "id" | {"id", "fields"}}
    wechat_stable_token: bool = False  # WECHAT_STABLE_TOKEN: use /cgi-bin/stable_token
    wechat_http_timeout: float = 10.0  # WECHAT_HTTP_TIMEOUT: seconds before a stalled API call is retried later
    outbox_rate_per_second: float = 20.0  # OUTBOX_RATE_PER_SECOND: sends per second, all senders together
    outbox_retry_base_seconds: float = 30.0  # OUTBOX_RETRY_BASE_SECONDS: first back-off, doubled per attempt
    scheduler_lease_seconds: float = 30.0  # SCHEDULER_LEASE_SECONDS: a standby takes over after this
    reminder_submission_days: tuple[int, ...] = (7, 3, 1)  # REMINDER_SUBMISSION_DAYS, e.g. "7,3,1"
    reminder_review_days: tuple[int, ...] = (3, 1)  # REMINDER_REVIEW_DAYS
    reminder_draft_days: tuple[int, ...] = (3, 1)  # REMINDER_DRAFT_DAYS
    database_timeout: float = 3.0  # DATABASE_TIMEOUT_SECONDS: a message waits this long for the database, then spools
    stale_message_seconds: float = 180.0  # STALE_MESSAGE_SECONDS: older than this, a message confirms nothing itself
    spool_path: Path | None = None  # SPOOL_PATH: the local spool (default instance/spool.sqlite3; unused with Redis)
    nlp_model_dir: Path | None = None  # NLP_MODEL_DIR: the classifier retrained with corrections (instance/nlp-model)

    @property
    def safe_mode(self) -> bool:
        """Whether messages are encrypted (安全模式 / 兼容模式)."""
        return bool(self.wechat_aes_key)

    @property
    def media_dir(self) -> Path:
        """Where photos downloaded from WeChat are kept (and where the pages serve them from)."""
        return self.instance_path / "media"


def _merged(overrides: Mapping[str, object] | None, environ: Mapping[str, str],
            dotenv_path: Path | None) -> dict[str, object]:
    """Merge `.env`, the environment and explicit overrides, later ones winning."""
    values: dict[str, object] = {}
    path = dotenv_path if dotenv_path is not None else PROJECT_ROOT / ".env"
    if path.is_file():
        values.update({k: v for k, v in dotenv_values(path).items() if v is not None})
    values.update(environ)
    values.update(overrides or {})
    return values


def load_settings(overrides: Mapping[str, object] | None = None,
                  environ: Mapping[str, str] | None = None,
                  dotenv_path: Path | None = None) -> Settings:
    """Build Settings from `.env`, the environment and overrides; raise ConfigError if incomplete."""
    values = _merged(overrides, os.environ if environ is None else environ, dotenv_path)
    missing = [name for name in REQUIRED if not values.get(name)]
    if missing:
        raise ConfigError(f"missing required setting {', '.join(missing)}: set it in the environment or in .env")
    instance_path = Path(str(values.get("INSTANCE_PATH") or PROJECT_ROOT / "instance"))
    aes_key = str(values.get("WECHAT_AES_KEY") or "") or None
    if aes_key is not None and len(aes_key) != 43:
        raise ConfigError("WECHAT_AES_KEY must be the 43-character EncodingAESKey from the WeChat console")
    return Settings(
        wechat_token=str(values["WECHAT_TOKEN"]),
        wechat_app_id=str(values["WECHAT_APP_ID"]),
        wechat_app_secret=str(values["WECHAT_APP_SECRET"]),
        secret_key=str(values["SECRET_KEY"]),
        database_url=str(values.get("DATABASE_URL") or f"sqlite:///{instance_path / 'bot.sqlite3'}"),
        instance_path=instance_path,
        wechat_aes_key=aes_key,
        wechat_api_base=str(values.get("WECHAT_API_BASE") or REAL_WECHAT_API).rstrip("/"),
        wechat_oauth_base=str(values.get("WECHAT_OAUTH_BASE") or REAL_WECHAT_OAUTH).rstrip("/"),
        redis_url=str(values.get("REDIS_URL") or "") or None,
        public_base_url=str(values.get("PUBLIC_BASE_URL") or "").rstrip("/"),
        spool_path=Path(str(values.get("SPOOL_PATH") or instance_path / "spool.sqlite3")),
        nlp_model_dir=Path(str(values.get("NLP_MODEL_DIR") or instance_path / "nlp-model")),
        **_web_settings(values),
        **_push_settings(values), **_outage_settings(values),
    )


def _outage_settings(values: Mapping[str, object]) -> dict[str, Any]:
    """Read how long a message waits for the database and when it counts as stale."""
    numbers: dict[str, float] = {}
    for name, key, low, high, why in (
            ("database_timeout", "DATABASE_TIMEOUT_SECONDS", 0.5, 4.5, "WeChat waits 5 s for a reply"),
            ("stale_message_seconds", "STALE_MESSAGE_SECONDS", 30.0, 86400.0, "WeChat retries for 15 s")):
        if values.get(key) in (None, ""):
            continue
        try:
            numbers[name] = float(str(values[key]))
        except ValueError:
            raise ConfigError(f"{key} must be a number of seconds, not {values[key]!r}") from None
        if not low <= numbers[name] <= high:
            raise ConfigError(f"{key} must be between {low:g} and {high:g} seconds ({why})")
    return numbers


def _web_settings(values: Mapping[str, object]) -> dict[str, Any]:
    """Read how the web pages are reached: proxies in front, and whether only over HTTPS."""
    hops = str(values.get("WEB_PROXY_HOPS") or "0")
    if not hops.isdigit():
        raise ConfigError(f"WEB_PROXY_HOPS must be a whole number of proxies, not {hops!r}")
    secure = str(values.get("WEB_SECURE_COOKIES") or "").lower()
    https = str(values.get("PUBLIC_BASE_URL") or "").startswith("https://")
    return {"web_proxy_hops": int(hops),
            "web_secure_cookies": secure in ("1", "true", "yes") if secure else https}


def _days(value: object, default: tuple[int, ...]) -> tuple[int, ...]:
    """Parse "7,3,1" (or a sequence) into a tuple of whole days."""
    if value is None or value == "":
        return default
    items: Iterable[object] = value.split(",") if isinstance(value, str) else cast(Iterable[object], value)
    try:
        return tuple(sorted({int(str(item).strip()) for item in items}, reverse=True))
    except ValueError:
        raise ConfigError(f"reminder days must be whole numbers separated by commas, not {value!r}") from None


def _push_settings(values: Mapping[str, object]) -> dict[str, Any]:
    """Read the settings of pushes: templates, token mode, outbox rate, scheduler lease, reminder days."""
    templates = values.get("WECHAT_TEMPLATES") or None
    try:
        if isinstance(templates, str):
            templates = json.loads(templates)
        numbers = {name: float(str(values[key])) for name, key in (
            ("wechat_http_timeout", "WECHAT_HTTP_TIMEOUT"), ("outbox_rate_per_second", "OUTBOX_RATE_PER_SECOND"),
            ("outbox_retry_base_seconds", "OUTBOX_RETRY_BASE_SECONDS"),
            ("scheduler_lease_seconds", "SCHEDULER_LEASE_SECONDS")) if values.get(key) not in (None, "")}
    except ValueError as exc:
        raise ConfigError(f"invalid push setting: {exc}") from None
    if templates is not None and not isinstance(templates, Mapping):
        raise ConfigError("WECHAT_TEMPLATES must be a JSON object of template name to template id")
    if numbers.get("outbox_rate_per_second", 1.0) <= 0:
        raise ConfigError("OUTBOX_RATE_PER_SECOND must be positive")
    return {**numbers, "wechat_templates": templates,
            "wechat_stable_token": str(values.get("WECHAT_STABLE_TOKEN") or "").lower() in ("1", "true", "yes"),
            "reminder_submission_days": _days(values.get("REMINDER_SUBMISSION_DAYS"), (7, 3, 1)),
            "reminder_review_days": _days(values.get("REMINDER_REVIEW_DAYS"), (3, 1)),
            "reminder_draft_days": _days(values.get("REMINDER_DRAFT_DAYS"), (3, 1))}


@dataclass(frozen=True)
class ServerSettings:
    """How gunicorn serves the app: where it listens, how many workers and threads (BIND, WEB_CONCURRENCY, THREADS)."""

    bind: str = "0.0.0.0:8000"
    workers: int = 2
    threads: int = 4


def load_server_settings(environ: Mapping[str, str] | None = None, dotenv_path: Path | None = None) -> ServerSettings:
    """Read gunicorn's settings from `.env` and the environment (none of them is required)."""
    values = _merged(None, os.environ if environ is None else environ, dotenv_path)
    try:
        return ServerSettings(bind=str(values.get("BIND") or ServerSettings.bind),
                              workers=int(str(values.get("WEB_CONCURRENCY") or ServerSettings.workers)),
                              threads=int(str(values.get("THREADS") or ServerSettings.threads)))
    except ValueError as exc:
        raise ConfigError(f"WEB_CONCURRENCY and THREADS must be whole numbers: {exc}") from None


def environment_values(names: Iterable[str]) -> dict[str, str]:
    """The values of these settings in `.env` and the environment, for a tool that builds its own configuration."""
    values = _merged(None, os.environ, None)
    return {name: str(values[name]) for name in names if values.get(name)}
