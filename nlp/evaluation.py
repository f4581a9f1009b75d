"""Measurement of the system classifier: real titles (dev half, CV by source page), grouped corpus CV, baseline."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from nlp import corpus
from nlp.baseline import keyword_system
from nlp.classifier import SystemModel, fit
from nlp.corpus import SYSTEMS, Row


@dataclass
class Scores:
    """Figures for one set of predictions ("right" = the label or, for real titles, the stated runner-up)."""

    accuracy: float
    strict: float  # the label itself
    macro_f1: float
    sure_accuracy: float
    unsure_rate: float
    per_system: dict[str, tuple[int, int]]  # system -> (right, rows)
    confusion: list[list[int]]

    @property
    def weakest(self) -> tuple[str, float]:
        """The system with the lowest share right."""
        rates = {s: r / n for s, (r, n) in self.per_system.items() if n}
        worst = min(rates, key=lambda s: rates[s])
        return worst, rates[worst]


def score(rows: Sequence[Row], guess: Sequence[str | None], sure: Sequence[bool] | None = None) -> Scores:
    """Accuracy (label or runner-up), strict accuracy, macro-F1, accuracy among sure answers, unsure rate."""
    from sklearn.metrics import confusion_matrix, f1_score

    labels = list(SYSTEMS)
    truth = [r.system for r in rows]
    filled = [g or "none" for g in guess]
    sure = list(sure) if sure is not None else [g is not None for g in guess]
    right = [g in (r.system, r.alt or r.system) for r, g in zip(rows, filled)]
    n_sure = sum(sure)
    per_system = {s: (sum(ok for r, ok in zip(rows, right) if r.system == s), truth.count(s)) for s in labels}
    return Scores(
        accuracy=sum(right) / len(rows),
        strict=sum(t == g for t, g in zip(truth, filled)) / len(rows),
        macro_f1=float(f1_score(truth, filled, labels=labels, average="macro", zero_division=0)),
        sure_accuracy=sum(r for r, s in zip(right, sure) if s) / n_sure if n_sure else 0.0,
        unsure_rate=1 - n_sure / len(rows),
        per_system=per_system,
        confusion=confusion_matrix(truth, filled, labels=labels).tolist(),
    )


def predict(model: SystemModel, rows: Sequence[Row]) -> tuple[list[str], list[bool]]:
    """Top-1 system (even when unsure) and whether the model was sure, per row."""
    results = [model.classify(r.text) for r in rows]
    guess = [c.alternatives[0][0] if c.alternatives else "none" for c in results]
    return guess, [not c.unsure for c in results]


Fitter = Callable[[list[Row]], SystemModel]


def cross_validate(rows: list[Row], folds: int = 5, c: float | None = None,
                   extra: Sequence[Row] = (), fitter: Fitter | None = None) -> tuple[list[str], list[bool]]:
    """Out-of-fold predictions; folds split by group (a corpus term, a real title's source page).

    `extra` rows (the written corpus, reviewers' corrections) are in every training fold and never tested.
    """
    from sklearn.model_selection import StratifiedGroupKFold

    train_fn = fitter or (lambda training: fit(training, c=c))
    guess: list[str] = [""] * len(rows)
    sure: list[bool] = [False] * len(rows)
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=4)
    for train, test in splitter.split(rows, [r.system for r in rows], [r.group for r in rows]):
        model = train_fn([rows[i] for i in train] + list(extra))
        g, s = predict(model, [rows[i] for i in test])
        for i, gi, si in zip(test, g, s):
            guess[i], sure[i] = gi, si
    return guess, sure


def format_scores(name: str, s: Scores) -> str:
    """One line of figures."""
    worst, rate = s.weakest
    return (f"{name:<34} right {s.accuracy:.3f} (strict {s.strict:.3f})  sure-right {s.sure_accuracy:.3f}  "
            f"unsure {s.unsure_rate:.3f}  macro-F1 {s.macro_f1:.3f}  weakest {worst} {rate:.2f}")


def format_systems(s: Scores) -> str:
    """Right / rows per system."""
    return "  ".join(f"{name[:5]} {r}/{n}" for name, (r, n) in s.per_system.items())


def format_confusion(s: Scores) -> str:
    """The confusion matrix as text, rows = truth, columns = prediction."""
    short = [x[:5] for x in SYSTEMS]
    lines = ["truth\\pred " + " ".join(f"{x:>5}" for x in short)]
    for name, row in zip(short, s.confusion):
        lines.append(f"{name:<10} " + " ".join(f"{v:>5}" for v in row))
    return "\n".join(lines)


def real_figures(fitter: Fitter | None = None) -> dict[str, Scores]:
    """The dev half scored by a model never trained on it, and CV by source page over all real titles."""
    train_fn = fitter or fit
    written, gathered, dev = corpus.load(), corpus.load_real(), corpus.load_real(corpus.REAL_DEV)
    guess, sure = predict(train_fn(written + gathered), dev)
    real = gathered + dev
    cv_guess, cv_sure = cross_validate(real, extra=written, fitter=train_fn)
    n = len(gathered)
    return {
        "dev": score(dev, guess, sure),
        "dev, keywords": score(dev, [keyword_system(r.text) for r in dev]),
        "real, CV by page": score(real, cv_guess, cv_sure),
        "dev rows of that CV": score(dev, cv_guess[n:], cv_sure[n:]),
        "gathered rows of that CV": score(gathered, cv_guess[:n], cv_sure[:n]),
    }


def report(threshold: float, corpus_cv: bool = True) -> str:
    """The full evaluation text printed by `python -m nlp eval`."""
    figures = real_figures()
    dev = figures["dev"]
    out = [(f"real titles: {len(corpus.load_real(corpus.REAL_DEV))} dev (the team's half), "
            f"{len(corpus.load_real())} gathered; unsure below {threshold}"),
           "dev: trained on the written corpus + the gathered titles, never on the dev file",
           format_scores("model, dev file", dev), "  " + format_systems(dev),
           format_scores("keywords, dev file", figures["dev, keywords"]),
           "CV by source page over all real titles (the written corpus in every training fold):",
           format_scores("model, real titles", figures["real, CV by page"]),
           format_scores("  of which dev rows", figures["dev rows of that CV"]),
           "  " + format_systems(figures["dev rows of that CV"]),
           format_scores("  of which gathered rows", figures["gathered rows of that CV"]),
           "", "confusion (dev file):", format_confusion(dev)]
    if corpus_cv:
        rows = corpus.load()
        guess, sure = cross_validate(rows)
        out += ["", f"written corpus: {len(rows)} rows, 5-fold CV grouped by term (real titles not used)",
                format_scores("model, corpus CV", score(rows, guess, sure)),
                format_scores("keywords, corpus", score(rows, [keyword_system(r.text) for r in rows]))]
    return "\n".join(out)
