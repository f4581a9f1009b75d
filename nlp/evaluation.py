"""Measurement of the system classifier: grouped cross-validation and the held-out set."""

from __future__ import annotations

from dataclasses import dataclass

from nlp import corpus
from nlp.baseline import keyword_system
from nlp.classifier import SystemModel, fit
from nlp.corpus import SYSTEMS, Row


@dataclass
class Scores:
    """Figures for one set of predictions."""

    accuracy: float
    macro_f1: float
    sure_accuracy: float
    unsure_rate: float
    confusion: list[list[int]]


def score(truth: list[str], guess: list[str | None], sure: list[bool] | None = None) -> Scores:
    """Accuracy, macro-F1, accuracy among sure answers, unsure rate, confusion matrix."""
    from sklearn.metrics import confusion_matrix, f1_score

    labels = list(SYSTEMS)
    filled = [g or "none" for g in guess]
    sure = sure if sure is not None else [g is not None for g in guess]
    right = [t == g for t, g in zip(truth, filled)]
    n_sure = sum(sure)
    return Scores(
        accuracy=sum(right) / len(truth),
        macro_f1=float(f1_score(truth, filled, labels=labels, average="macro", zero_division=0)),
        sure_accuracy=sum(r for r, s in zip(right, sure) if s) / n_sure if n_sure else 0.0,
        unsure_rate=1 - n_sure / len(truth),
        confusion=confusion_matrix(truth, filled, labels=labels).tolist(),
    )


def predict(model: SystemModel, rows: list[Row]) -> tuple[list[str], list[bool]]:
    """Top-1 system (even when unsure) and whether the model was sure, per row."""
    results = [model.classify(r.text) for r in rows]
    guess = [c.alternatives[0][0] if c.alternatives else "none" for c in results]
    return guess, [not c.unsure for c in results]


def cross_validate(rows: list[Row], folds: int = 5, c: float | None = None,
                   extra: list[Row] | tuple[Row, ...] = ()) -> tuple[list[str], list[bool]]:
    """Out-of-fold predictions; folds split by group so a term never spans train and test.

    `extra` rows (reviewers' corrections) are in every training fold and never tested.
    """
    from sklearn.model_selection import StratifiedGroupKFold

    guess: list[str] = [""] * len(rows)
    sure: list[bool] = [False] * len(rows)
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=4)
    labels = [r.system for r in rows]
    for train, test in splitter.split(rows, labels, [r.group for r in rows]):
        model = fit([rows[i] for i in train] + list(extra), c=c)
        g, s = predict(model, [rows[i] for i in test])
        for i, gi, si in zip(test, g, s):
            guess[i], sure[i] = gi, si
    return guess, sure


def format_scores(name: str, s: Scores) -> str:
    """One line of figures."""
    return (f"{name:<28} accuracy {s.accuracy:.3f}  macro-F1 {s.macro_f1:.3f}  "
            f"sure-accuracy {s.sure_accuracy:.3f}  unsure {s.unsure_rate:.3f}")


def format_confusion(s: Scores) -> str:
    """The confusion matrix as text, rows = truth, columns = prediction."""
    short = [x[:5] for x in SYSTEMS]
    lines = ["truth\\pred " + " ".join(f"{x:>5}" for x in short)]
    for name, row in zip(short, s.confusion):
        lines.append(f"{name:<10} " + " ".join(f"{v:>5}" for v in row))
    return "\n".join(lines)


def report(threshold: float, c: float | None = None) -> str:
    """The full evaluation text printed by `python -m nlp eval`."""
    rows, held = corpus.load(), corpus.load(corpus.HELDOUT)
    guess, sure = cross_validate(rows, c=c)
    truth = [r.system for r in rows]
    cv = score(truth, list(guess), sure)
    base_cv = score(truth, [keyword_system(r.text) for r in rows])
    model = fit(rows, c=c)
    hg, hs = predict(model, held)
    htruth = [r.system for r in held]
    ho = score(htruth, list(hg), hs)
    base_ho = score(htruth, [keyword_system(r.text) for r in held])
    out = [(f"corpus {len(rows)} rows, 5-fold grouped CV; held-out {len(held)} rows; "
            f"unsure below {threshold}"),
           format_scores("model, cross-validation", cv), format_scores("keywords, corpus", base_cv),
           format_scores("model, held-out", ho), format_scores("keywords, held-out", base_ho),
           "", "confusion (cross-validation):", format_confusion(cv),
           "", "confusion (held-out):", format_confusion(ho)]
    by_style: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        by_style.setdefault(r.style, []).append(i)
    out += ["", "cross-validation by style:"]
    for style, index in sorted(by_style.items()):
        part = score([truth[i] for i in index], [guess[i] for i in index], [sure[i] for i in index])
        # No macro-F1 here: most styles hold only some of the systems.
        out.append(f"  {style:<12} n={len(index):<5} accuracy {part.accuracy:.3f}  "
                   f"sure-accuracy {part.sure_accuracy:.3f}  unsure {part.unsure_rate:.3f}")
    return "\n".join(out)
