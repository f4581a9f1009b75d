"""The system classifier: the styles of real titles, unsure answers, corrections."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from nlp import Classification, classifier, classify, corpus, evaluation, retrain
from nlp.baseline import keyword_system


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


def test_real_titles_dev_file() -> None:
    """Real published titles (the dev half), by a model never trained on them: the issue's targets, measured.

    Right = the label or the stated runner-up. Floors are the figures reached (bench/nlp.md) less a
    margin of noise; the issue's targets (≥ 90% right, ≥ 95% right among sure with ≤ 20% unsure,
    every system ≥ 80%) are judged on the hidden half.
    """
    dev = corpus.load_real(corpus.REAL_DEV)
    model = classifier.fit(corpus.load() + corpus.load_real())
    assert not {r.text for r in dev} & {r.text for r in corpus.load() + corpus.load_real()}
    guess, sure = evaluation.predict(model, dev)
    scores = evaluation.score(dev, guess, sure)
    baseline = evaluation.score(dev, [keyword_system(r.text) for r in dev])
    print(evaluation.format_scores("dev file", scores), evaluation.format_systems(scores))
    assert scores.accuracy >= 0.87 and scores.accuracy > baseline.accuracy + 0.2
    assert scores.sure_accuracy >= 0.94 and scores.unsure_rate <= 0.2
    assert scores.weakest[1] >= 0.7


def test_cross_validation_by_source_page() -> None:
    """Real titles, 5-fold CV grouped by the page they came from, the written corpus in every training fold."""
    real = corpus.load_real() + corpus.load_real(corpus.REAL_DEV)
    guess, sure = evaluation.cross_validate(real, extra=corpus.load())
    scores = evaluation.score(real, guess, sure)
    print(evaluation.format_scores("real, CV by page", scores))
    assert scores.accuracy >= 0.87 and scores.sure_accuracy >= 0.94 and scores.unsure_rate <= 0.2


def test_heldout_targets(model: classifier.SystemModel) -> None:
    """On titles written in another style: ≥90% top-1, ≥95% among sure, ≤20% unsure."""
    rows = corpus.load(corpus.HELDOUT)
    guess, sure = evaluation.predict(model, rows)
    scores = evaluation.score(rows, guess, sure)
    print(evaluation.format_scores("held-out", scores))
    assert scores.accuracy >= 0.9
    assert scores.sure_accuracy >= 0.95 and scores.unsure_rate <= 0.2


def test_corpus_rows_carry_provenance() -> None:
    """Every corpus row says where it came from, and every system has hundreds of rows."""
    rows = corpus.load()
    assert all(r.provenance for r in rows)
    counts = {s: sum(r.system == s for r in rows) for s in corpus.SYSTEMS}
    assert min(counts.values()) >= 200


AMBIGUOUS = "皮带机头除尘水幕装置"  # dust (ventilation) at a belt head (transport): a close call
CORRECTIONS = [
    (AMBIGUOUS, "ventilation"),
    ("皮带机转载点喷雾降尘装置", "ventilation"),
    ("带式输送机机头喷雾降尘改造", "ventilation"),
    ("皮带机头  除尘水幕装置", "ventilation"),  # the same project corrected twice, spaced differently
    ("", "ventilation"),  # ignored: no text
    ("井下照明灯具改进", "lighting"),  # ignored: not a system code
]


def test_retrain_follows_a_handful_of_corrections(model: classifier.SystemModel, model_dir: Path) -> None:
    """An ambiguous title the model files under transport goes to ventilation (一通三防: dust) once people say so."""
    before = classify(AMBIGUOUS)
    assert before.alternatives[0][0] == "transport" and before.confidence < 0.8
    report = retrain(CORRECTIONS, folds=0)
    after = classify(AMBIGUOUS)
    assert after.system == "ventilation" and not after.unsure
    assert classify("皮带机防跑偏装置").system == "transport"  # the rest is not forgotten
    assert (report.corrections, report.ignored, report.previous_corrections) == (4, 2, 0)
    assert report.before.corrections_accuracy < report.after.corrections_accuracy == 1.0
    assert report.after.cv_accuracy is None and report.saved_to == model_dir


def test_retrain_cross_validates_with_the_corrections_in_training(
        model: classifier.SystemModel, model_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Before: CV with the corrections the stored model had; after: with the new ones; never tested on them."""
    calls: list[tuple[int, int, list[str]]] = []

    def fake_cv(rows: list, folds: int = 5, c: float | None = None, extra: list = (),
                fitter: object = None) -> tuple[list, list]:
        calls.append((len(rows), folds, [r.text for r in extra]))
        return [r.system for r in rows][:-1] + ["none"], [True] * (len(rows) - 1) + [False]

    monkeypatch.setattr(evaluation, "cross_validate", fake_cv)
    monkeypatch.setattr(classifier, "fit", lambda rows: model)  # the plumbing, not the fit, is tested here
    retrain(CORRECTIONS[:1], folds=0)
    report = retrain(CORRECTIONS[1:3], folds=3)
    n = len(corpus.load())
    real = len(corpus.load_real()) + len(corpus.load_real(corpus.REAL_DEV))
    assert [(rows, folds, extra[:-real]) for rows, folds, extra in calls] == [
        (n, 3, [AMBIGUOUS]), (n, 3, [t for t, _ in CORRECTIONS[1:3]])]
    assert report.before.cv_accuracy == report.after.cv_accuracy == pytest.approx((n - 1) / n)
    assert report.after.cv_unsure_rate == pytest.approx(1 / n) and report.previous_corrections == 1
    assert any(line.startswith("corpus CV top-1 (3-fold)") for line in report.lines())


def test_retrained_model_is_what_the_next_process_loads(model: classifier.SystemModel, model_dir: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """After retrain, a fresh runtime (the next warm) loads the corrected model instead of training."""
    from nlp import runtime, store

    retrain(CORRECTIONS[:3], folds=0)
    stored = store.read(model_dir)
    assert stored is not None and len(stored.corrections) == 3
    monkeypatch.setattr(classifier, "fit", lambda rows: pytest.fail("trained instead of loading"))
    assert runtime.Runtime(model_dir).model.classify(AMBIGUOUS).system == "ventilation"
    monkeypatch.setattr(classifier, "fit", lambda rows: model)
    retrain([], folds=0)  # no corrections: back to the corpus alone, the same key as the shipped model
    assert store.read(model_dir).key == store.read(store.SHIPPED_DIR).key  # type: ignore[union-attr]


def test_result_type(model: classifier.SystemModel) -> None:
    """classify returns the public Classification type."""
    assert isinstance(classify("托辊"), Classification)
