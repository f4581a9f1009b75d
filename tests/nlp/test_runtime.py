"""Loading: cheap import, one load under concurrency, no imports of the app layers."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from nlp import runtime

NLP_DIR = Path(runtime.__file__).resolve().parent


def test_import_is_light() -> None:
    """import nlp loads neither jieba nor scikit-learn nor numpy, even with -W error."""
    code = ("import sys, nlp; heavy = [m for m in ('jieba', 'sklearn', 'numpy', 'scipy') "
            "if m in sys.modules]; assert not heavy, heavy")
    subprocess.run([sys.executable, "-W", "error", "-c", code], check=True,
                   cwd=NLP_DIR.parent, timeout=60)


def test_jieba_works_under_warnings_as_errors() -> None:
    """Segmenting with the user dictionary raises no warning."""
    code = "import nlp.words as w; print('|'.join(w.cut('液压支架护帮板')))"
    out = subprocess.run([sys.executable, "-W", "error", "-c", code], check=True,
                         cwd=NLP_DIR.parent, capture_output=True, text=True, timeout=60)
    assert "液压支架" in out.stdout.split("|")


def test_two_threads_load_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Concurrent first use loads the tokenizer and model exactly once."""
    calls = {"tokenizer": 0, "model": 0}
    started = threading.Event()

    def slow(name: str) -> object:
        calls[name] += 1
        started.wait(0.2)
        return object()

    monkeypatch.setattr(runtime, "_load_tokenizer", lambda: slow("tokenizer"))
    monkeypatch.setattr(runtime, "_load_model", lambda: slow("model"))
    fresh = runtime.Runtime()
    threads = [threading.Thread(target=fresh.warm) for _ in range(4)]
    for t in threads:
        t.start()
    started.set()
    for t in threads:
        t.join()
    assert calls == {"tokenizer": 1, "model": 1}


def test_no_imports_from_app_layers() -> None:
    """nlp stays independent of bot, handlers, models and web."""
    for source in NLP_DIR.glob("*.py"):
        for line in source.read_text(encoding="utf-8").splitlines():
            stripped = line.strip()
            for layer in ("bot", "handlers", "models", "web"):
                assert not stripped.startswith((f"import {layer}", f"from {layer}")), source
