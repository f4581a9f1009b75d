"""Loading: cheap import, one load under concurrency, no imports of the app layers."""

from __future__ import annotations

import ast
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from nlp import runtime, store, words

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

    monkeypatch.setattr(words, "_load", lambda: slow("tokenizer"))
    monkeypatch.setattr(store, "load_or_train", lambda directory: type("Stored", (), {"model": slow("model")}))
    tokenizer, fresh = words.Tokenizer(), runtime.Runtime()

    def warm() -> None:
        tokenizer.get()
        _ = fresh.model

    threads = [threading.Thread(target=warm) for _ in range(4)]
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


def _nlp_imports(source: Path) -> set[str]:
    """The nlp modules a source file imports, at any depth (function-level imports count too)."""
    names = set()
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module == "nlp":
            names |= {f"nlp.{a.name}" for a in node.names if (NLP_DIR / f"{a.name}.py").exists()}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("nlp."):
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names |= {a.name for a in node.names if a.name.startswith("nlp.")}
    return names


def test_no_import_cycles() -> None:
    """The modules of nlp import each other in one direction only (the package's __init__ aside)."""
    graph = {f"nlp.{p.stem}": _nlp_imports(p) for p in NLP_DIR.glob("*.py") if p.stem != "__init__"}
    done: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> None:
        assert module not in path, " -> ".join((*path, module))
        if module in done:
            return
        for imported in graph.get(module, ()):
            visit(imported, (*path, module))
        done.add(module)

    for module in graph:
        visit(module, ())
