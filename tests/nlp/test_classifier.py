"""The system classifier: the styles of real titles, unsure answers, corrections."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from nlp import Classification, classify
from nlp import classifier, corpus, evaluation
from nlp.baseline import keyword_system
from nlp.corpus import Row


@pytest.mark.parametrize(
    ("text", "system"),
    [
        ("皮带机防跑偏装置", "transport"),
        ("液压支架护帮板快速更换工具", "mining"),
        ("改进锚杆安装工艺", "tunneling"),
        ("班组材料定额管理办法", "management"),
        ("高瓦斯厚煤层综放工作面沿空留巷关键技术研究与应用", "mining"),
        ("我们班改了个皮带机清扫器，一年省三万多", "transport"),
        ("重介旋流器耐磨改造", "preparation"),
        ("局部通风机双风机自动切换", "ventilation"),
        ("防爆开关接线腔快速检查工具", "electromechanical"),
        ("职工食堂刷卡就餐系统", "logistics"),
    ],
)
def test_styles_from_the_issue(model: classifier.SystemModel, text: str, system: str) -> None:
    """Device names, process changes, methods, descriptions and research titles."""
    result = classify(text)
    assert result.system == system and not result.unsure


@pytest.mark.parametrize("text", ["今天天气不错", "你好", "我想申报一个项目", "", "好的没问题"])
def test_chitchat_is_unsure(model: classifier.SystemModel, text: str) -> None:
    """Text without domain words is unsure and names no system."""
    result = classify(text)
    assert result.unsure and result.system is None


def test_alternatives_are_ranked(model: classifier.SystemModel) -> None:
    """Up to three (system, probability) pairs, best first, probabilities in 0..1."""
    result = classify("刮板输送机断链保护装置")
    probs = [p for _, p in result.alternatives]
    assert len(result.alternatives) == 3 and probs == sorted(probs, reverse=True)
    assert all(0 <= p <= 1 for p in probs) and result.confidence == probs[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.system = "mining"  # type: ignore[misc]


def test_cross_validation_targets() -> None:
    """Grouped 5-fold CV over every title style: ≥90% top-1, ≥95% among sure, ≤20% unsure."""
    rows = corpus.load()
    assert {r.style for r in rows} >= {"device", "topic", "management", "describe", "research"}
    guess, sure = evaluation.cross_validate(rows)
    truth = [r.system for r in rows]
    scores = evaluation.score(truth, list(guess), sure)
    baseline = evaluation.score(truth, [keyword_system(r.text) for r in rows])
    print(evaluation.format_scores("cross-validation", scores))
    assert scores.accuracy >= 0.9 and scores.accuracy > baseline.accuracy
    assert scores.sure_accuracy >= 0.95 and scores.unsure_rate <= 0.2


def test_heldout_targets(model: classifier.SystemModel) -> None:
    """On titles written in another style: ≥90% top-1, ≥95% among sure, ≤20% unsure."""
    rows = corpus.load(corpus.HELDOUT)
    guess, sure = evaluation.predict(model, rows)
    scores = evaluation.score([r.system for r in rows], list(guess), sure)
    print(evaluation.format_scores("held-out", scores))
    assert scores.accuracy >= 0.9
    assert scores.sure_accuracy >= 0.95 and scores.unsure_rate <= 0.2


def test_corpus_rows_carry_provenance() -> None:
    """Every corpus row says where it came from, and every system has hundreds of rows."""
    rows = corpus.load()
    assert all(r.provenance for r in rows)
    counts = {s: sum(r.system == s for r in rows) for s in corpus.SYSTEMS}
    assert min(counts.values()) >= 200


def test_corrections_change_the_model(model: classifier.SystemModel, tmp_path: Path) -> None:
    """A reviewer's corrections, retrained in, move a confusable title; save/load keeps it."""
    text = "巷道水沟盖板改进"
    wanted = next(s for s in corpus.SYSTEMS if s != model.classify(text).alternatives[0][0])
    corrections = [Row(text, wanted, "correction")] * 5
    retrained = classifier.fit(corpus.load() + corrections)
    assert retrained.classify(text).alternatives[0][0] == wanted
    path = tmp_path / "model.pkl"
    classifier.save(retrained, path)
    assert classifier.load_model(path).classify(text) == retrained.classify(text)


def test_result_type(model: classifier.SystemModel) -> None:
    """classify returns the public Classification type."""
    assert isinstance(classify("托辊"), Classification)
