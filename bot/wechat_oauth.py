"""WeChat web sign-in (网页授权, snsapi_base): the authorize address and the code → openid exchange.

wechatpy's WeChatOAuth, pointed at the configured bases like the API client (the sandbox in
tests and the demo), with the API's timeout on every call. A code works once: WeChat answers
40029 for a code it never gave and 40163 for one already used, and both are refused here.
"""
from __future__ import annotations

import logging
from typing import Any

import requests
from wechatpy.exceptions import WeChatOAuthException
from wechatpy.oauth import WeChatOAuth

from bot.config import Settings

log = logging.getLogger(__name__)


class SignInRefused(Exception):
    """WeChat did not vouch for the follower (a forged, used or expired code), or could not be reached."""

    def __init__(self, reason: str, reachable: bool = True) -> None:
        """Say why, and whether WeChat answered at all."""
        super().__init__(reason)
        self.reachable = reachable


class FollowerOAuth(WeChatOAuth):
    """WeChatOAuth on the configured bases, with a timeout."""

    def __init__(self, settings: Settings, redirect_uri: str, state: str = "") -> None:
        """Build the client for the account; `redirect_uri` is where WeChat sends the follower back."""
        super().__init__(settings.wechat_app_id, settings.wechat_app_secret, redirect_uri, scope="snsapi_base",
                         state=state)
        self.API_BASE_URL = f"{settings.wechat_api_base}/"
        self.OAUTH_BASE_URL = f"{settings.wechat_oauth_base}/connect/"
        self.timeout = settings.wechat_http_timeout

    def _request(self, method: str, url_or_endpoint: str, **kwargs: Any) -> Any:
        """Call WeChat, never waiting longer than the configured timeout."""
        kwargs.setdefault("timeout", self.timeout)
        return super()._request(method, url_or_endpoint, **kwargs)


def authorize_url(settings: Settings, redirect_uri: str, state: str) -> str:
    """Where to send the browser so that WeChat sends it back to `redirect_uri` with a code."""
    return str(FollowerOAuth(settings, redirect_uri, state).authorize_url)


def openid_for_code(settings: Settings, code: str) -> str:
    """The openid WeChat vouches for with this code; SignInRefused when it does not."""
    try:
        answer = FollowerOAuth(settings, redirect_uri="").fetch_access_token(code)
    except WeChatOAuthException as exc:
        log.info("OAuth code refused: %s %s", exc.errcode, exc.errmsg)
        raise SignInRefused(f"errcode {exc.errcode}", reachable=exc.errcode is not None) from None
    except requests.RequestException as exc:
        log.warning("WeChat OAuth unreachable: %s", exc)
        raise SignInRefused("unreachable", reachable=False) from None
    openid = answer.get("openid") if isinstance(answer, dict) else None
    if not isinstance(openid, str) or not openid:
        raise SignInRefused("no openid in the answer")
    return openid
