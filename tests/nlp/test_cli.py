"""The command line: JSON lines in and out, retraining with corrections."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from nlp.cli import main


def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], argv: list[str], stdin: str) -> list[str]:
    """Run the CLI with the given stdin and return stdout lines."""
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    assert main(argv) == 0
    return capsys.readouterr().out.splitlines()


def test_benefit_lines(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """One JSON object per input line, nulls when no money is named."""
    lines = run(monkeypatch, capsys, ["benefit"], "一年省三万多\n\n提高效率30%\n")
    assert [json.loads(x) for x in lines] == [
        {"yuan": 30000.0, "period": "year", "approximate": True},
        {"yuan": None, "period": None, "approximate": False},
    ]


def test_classify_lines(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], model) -> None:
    """The documented keys, alternatives as [system, probability] pairs."""
    lines = run(monkeypatch, capsys, ["classify"], "皮带机防跑偏装置\n你好\n")
    first, second = (json.loads(x) for x in lines)
    assert set(first) == {"system", "confidence", "unsure", "alternatives"}
    assert first["system"] == "transport" and first["alternatives"][0][0] == "transport"
    assert second["system"] is None and second["unsure"] is True


def test_retrain_saves_and_reports(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                   tmp_path: Path, model) -> None:
    """retrain prints before/after figures and writes the model where asked."""
    corrections = tmp_path / "corrections.jsonl"
    corrections.write_text(json.dumps({"text": "巷道水沟盖板改进", "system": "tunneling"},
                                      ensure_ascii=False) + "\n", encoding="utf-8")
    target = tmp_path / "model.pkl"
    out = run(monkeypatch, capsys, ["retrain", "--corrections", str(corrections),
                                    "--model", str(target)], "")
    assert target.is_file()
    assert any(x.startswith("before") for x in out) and any(x.startswith("after") for x in out)
