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
    empty = {"low": None, "high": None, "approximate": False, "period": None, "stated": None, "before": None,
             "after": None}
    assert [json.loads(x) for x in lines] == [
        {**empty, "kind": "amount", "low": 30000.0, "high": 30000.0, "approximate": True, "period": "year",
         "stated": "year"},
        {**empty, "kind": None},
    ]


def test_classify_lines(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], model) -> None:
    """The documented keys, alternatives as [system, probability] pairs."""
    lines = run(monkeypatch, capsys, ["classify"], "皮带机防跑偏装置\n你好\n")
    first, second = (json.loads(x) for x in lines)
    assert set(first) == {"system", "confidence", "unsure", "alternatives"}
    assert first["system"] == "transport" and first["alternatives"][0][0] == "transport"
    assert second["system"] is None and second["unsure"] is True


def test_retrain_reads_the_default_file_and_stores_the_model(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], model_dir: Path) -> None:
    """retrain reads MODEL_DIR/corrections.tsv, prints before/after and stores the model there."""
    from nlp import store

    model_dir.mkdir()
    (model_dir / "corrections.tsv").write_text("皮带机头除尘喷雾装置\ttransport\n", encoding="utf-8")
    out = run(monkeypatch, capsys, ["retrain", "--model-dir", str(model_dir), "--folds", "0"], "")
    assert out[0].startswith("corrections: 1 used, 0 ignored")
    assert any(x.startswith("corrections filed as corrected") and x.endswith("1.000") for x in out)
    stored = store.read(model_dir)
    assert stored is not None and [(r.text, r.system) for r in stored.corrections] == [
        ("皮带机头除尘喷雾装置", "transport")]


def test_retrain_without_a_corrections_file_says_how_to_make_one(
        capsys: pytest.CaptureFixture[str], model_dir: Path) -> None:
    """A missing file is an error that names the export command, and nothing is trained."""
    assert main(["retrain", "--model-dir", str(model_dir)]) == 2
    assert "python -m bot export corrections" in capsys.readouterr().err
    assert not model_dir.exists()
