"""The stored classifier: what warm() loads, when it trains again, and where it may not write."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp import classifier, corpus, runtime, store

TEXTS = ["皮带机防跑偏装置", "改进锚杆安装工艺", "班组材料定额管理办法", "今天天气不错", "井下照明灯具改进"]


def test_stored_model_classifies_exactly_like_the_fitted_one(model: classifier.SystemModel, tmp_path: Path) -> None:
    """Arrays and vocabulary survive the round trip through .npz and JSON."""
    store.save(model, tmp_path, "k1", [corpus.correction_row("风门闭锁装置", "ventilation")])
    stored = store.read(tmp_path)
    assert stored is not None and stored.key == "k1"
    assert [(r.text, r.system) for r in stored.corrections] == [("风门闭锁装置", "ventilation")]
    assert [stored.model.classify(t) for t in TEXTS] == [model.classify(t) for t in TEXTS]


def test_key_follows_corpus_corrections_and_code(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Another correction, or an edited feature file, gives another key."""
    rows = corpus.load()
    base = store.model_key(rows)
    assert store.model_key(rows) == base
    assert store.model_key(rows + [corpus.correction_row("风门闭锁装置", "transport")]) != base
    package = tmp_path / "nlp"
    (package / "data").mkdir(parents=True)
    for name in store._INPUTS:
        (package / name).write_bytes((store.PACKAGE / name).read_bytes())
    monkeypatch.setattr(store, "PACKAGE", package)
    assert store.model_key(rows) == base
    (package / "features.py").write_text("# changed\n", encoding="utf-8")
    assert store.model_key(rows) != base


def test_half_written_or_foreign_files_are_ignored(model: classifier.SystemModel, tmp_path: Path) -> None:
    """Arrays and metadata from different saves, or a corrupt file, read as no model."""
    store.save(model, tmp_path / "a", "ka")
    store.save(model, tmp_path / "b", "kb")
    (tmp_path / "a" / store.ARRAYS).write_bytes((tmp_path / "b" / store.ARRAYS).read_bytes())
    assert store.read(tmp_path / "a") is None
    (tmp_path / "b" / store.META).write_text("{", encoding="utf-8")
    assert store.read(tmp_path / "b") is None
    assert store.read(tmp_path / "missing") is None


def test_a_stale_cache_is_retrained_with_its_corrections(model: classifier.SystemModel, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A cache whose key no longer matches is replaced by a model trained on corpus + its corrections."""
    fix = [corpus.correction_row("皮带机头除尘喷雾装置", "transport")]
    store.save(model, tmp_path, "an old key", fix)
    fits: list[int] = []
    monkeypatch.setattr(classifier, "fit", lambda rows: fits.append(len(rows)) or model)  # the rows, not the fit
    loaded = store.load_or_train(tmp_path)
    assert fits == [len(corpus.training_rows()) + 1]
    assert loaded.key == store.model_key(corpus.training_rows() + fix) == store.read(tmp_path).key  # type: ignore[union-attr]
    assert store.load_or_train(tmp_path).key == loaded.key and len(fits) == 1  # now current: loaded, not fitted


def test_unwritable_directory_trains_in_memory(model: classifier.SystemModel, monkeypatch: pytest.MonkeyPatch,
                                               tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A cache path that cannot be created still gives a classifier, with a warning."""
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setattr(store, "SHIPPED_DIR", tmp_path / "nothing-shipped")  # force training
    monkeypatch.setattr(classifier, "fit", lambda rows: model)
    assert runtime.Runtime(blocker / "nlp-model").model is model
    assert "kept in memory only" in caplog.text


def test_without_a_directory_the_shipped_model_is_used_and_nothing_written(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A process not told where its cache is (a script, a test) loads nlp/data and writes nowhere."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(classifier, "fit", lambda rows: pytest.fail("trained instead of loading"))
    assert runtime.Runtime().model.classify("皮带机防跑偏装置").system == "transport"
    assert list(tmp_path.iterdir()) == []


def test_configure_switches_the_directory(model: classifier.SystemModel, tmp_path: Path) -> None:
    """Naming another directory drops the model loaded from the old one; naming the same keeps it."""
    other = runtime.Runtime(tmp_path / "a")
    other.set_model(model)
    other.configure(tmp_path / "a")
    assert other.model is model
    other.configure(tmp_path / "b")
    assert other.model_dir == tmp_path / "b" and other.model is not model


def test_shipped_model_is_current_and_small() -> None:
    """nlp/data holds the model for today's corpus and code; run `python -m nlp build-model` if not."""
    shipped = store.read(store.SHIPPED_DIR)
    assert shipped is not None, "no model in nlp/data: run `python -m nlp build-model`"
    assert shipped.key == store.model_key(corpus.training_rows()), "stale: run `python -m nlp build-model`"
    assert shipped.corrections == []
    size = sum((store.SHIPPED_DIR / n).stat().st_size for n in (store.ARRAYS, store.META))
    assert size < 2_000_000
