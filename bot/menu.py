"""The official account's custom menu: 申报 / 查询 / 帮助, and a link to the web pages when configured."""
from __future__ import annotations

from typing import Any

from handlers import texts
from handlers.router import MENU_KEYS


def menu_definition(public_base_url: str = "") -> dict[str, Any]:
    """The menu as WeChat's menu/create expects it; clicks come back as CLICK events with these keys."""
    buttons: list[dict[str, Any]] = [{"type": "click", "name": label, "key": key} for key, label in MENU_KEYS.items()]
    if public_base_url:
        buttons.append({"type": "view", "name": texts.MENU_MY_PAGE, "url": f"{public_base_url}/my"})
    return {"button": buttons}
