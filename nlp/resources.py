"""The data files shipped in nlp/data: where they are and how they are read (each once per process)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"


def data_path(name: str) -> Path:
    """The path of one file in nlp/data."""
    return DATA_DIR / name


@cache
def read_json(name: str) -> dict[str, Any]:
    """A JSON object from nlp/data, parsed once; callers must not change what it returns."""
    data: dict[str, Any] = json.loads(data_path(name).read_text(encoding="utf-8"))
    return data


def model_settings() -> dict[str, Any]:
    """The classifier's hyper-parameters (nlp/data/model.json)."""
    settings: dict[str, Any] = read_json("model.json")
    return settings
