"""How workers answer the bot's questions: the word lists that read a short answer (nlp/data/answers.json)."""
from __future__ import annotations

import re

from nlp.resources import read_json
from nlp.text import normalize


def _words(name: str) -> tuple[str, ...]:
    """One word list of answers.json."""
    return tuple(read_json("answers.json")[name])


def is_hum(char: str) -> bool:
    """Whether a character is a hum ("嗯"): it reads as yes but is as often hesitation or noise."""
    return char in _words("hums")


def says_photos_done(text: str) -> bool:
    """Whether a message after photos only says they are all sent ("好了", "发完了"): not a yes to a question."""
    return normalize(text).replace(" ", "").lower() in _words("photos_done")


def says_benefit_unknown(text: str) -> bool:
    """Whether an answer says the yearly benefit cannot be told ("说不清", "没有")."""
    compact = normalize(text).replace(" ", "")
    return any(word in compact for word in _words("benefit_unknown"))


def split_names(text: str) -> list[str]:
    """The names in a members answer ("张三、李四和王五" → three names)."""
    separators = re.escape("".join(_words("name_separators")))
    return [name for name in re.split(f"[\\s{separators}]+", text) if name]


def without_name_prefix(text: str) -> str:
    """A name without what people say before it ("我叫张三" → "张三")."""
    name = text.strip()
    for prefix in _words("name_prefixes"):
        name = name.removeprefix(prefix).strip()
    return name
