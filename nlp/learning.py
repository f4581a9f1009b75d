"""Learning from corrections: retrain on the corpus plus the systems people chose, figures before and after.

The corrections are the complete current set (the latest system of each corrected project, as
`python -m bot export corrections` writes them), not a delta: the new model is trained on the
corpus plus exactly these, and they are stored with it so that a later retraining for a new
corpus or new code keeps them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from nlp import classifier, corpus, evaluation, store
from nlp.corpus import Row
from nlp.runtime import RUNTIME


@dataclass(frozen=True)
class Figures:
    """How one model does on the corrections and, by grouped cross-validation, on the corpus."""

    corrections_accuracy: float | None  # share of corrections whose top system is the corrected one
    cv_accuracy: float | None  # None when cross-validation was skipped (folds=0)
    cv_sure_accuracy: float | None
    cv_unsure_rate: float | None


@dataclass(frozen=True)
class RetrainReport:
    """Before/after figures of one retraining and where the new model went."""

    before: Figures
    after: Figures
    corrections: int  # used for training
    ignored: int  # empty text or a system code the classifier does not know
    previous_corrections: int  # the ones the model before was trained with
    folds: int
    saved_to: Path | None  # None when the cache directory could not be written (or save=False)

    def lines(self) -> list[str]:
        """The report as text lines for the command line."""
        def cell(value: float | None) -> str:
            return "    -" if value is None else f"{value:.3f}"

        rows = [("corrections filed as corrected", "corrections_accuracy"),
                (f"corpus CV top-1 ({self.folds}-fold)", "cv_accuracy"),
                ("corpus CV accuracy among sure", "cv_sure_accuracy"),
                ("corpus CV unsure", "cv_unsure_rate")]
        out = [(f"corrections: {self.corrections} used, {self.ignored} ignored (empty text or unknown "
                f"system); the model before had {self.previous_corrections}"),
               f"{'':<34}before  after"]
        out += [f"{label:<34}{cell(getattr(self.before, name))}  {cell(getattr(self.after, name))}"
                for label, name in rows]
        out.append("(after is trained on the corrections: their figure shows it follows them, not "
                   "how it generalises; the CV rows do)")
        return out


def _figures(model: classifier.SystemModel, corrections: list[Row], folds: int,
             trained_with: list[Row]) -> Figures:
    """Accuracy on the corrections, and grouped CV on the corpus with trained_with always in training."""
    fixed = None
    if corrections:
        guess, _ = evaluation.predict(model, corrections)
        fixed = sum(g == r.system for g, r in zip(guess, corrections)) / len(corrections)
    if folds < 2:
        return Figures(fixed, None, None, None)
    rows = corpus.load()
    real = corpus.load_real() + corpus.load_real(corpus.REAL_DEV)
    guess, sure = evaluation.cross_validate(rows, folds=folds, extra=[*trained_with, *real])
    scores = evaluation.score(rows, guess, sure)
    return Figures(fixed, scores.accuracy, scores.sure_accuracy, scores.unsure_rate)


def retrain(corrections: Iterable[tuple[str, str]], *, directory: Path | None = None,
            folds: int = 5, save: bool = True) -> RetrainReport:
    """Train on corpus + corrections, report before/after, store the model and use it in this process.

    `corrections` are (text, system code) pairs, e.g. ("皮带机头喷雾降尘装置", "ventilation").
    `directory` defaults to the process's (``nlp.configure``); with none the model is not stored.
    `folds` < 2 skips the cross-validation (seconds instead of half a minute).
    """
    directory = RUNTIME.model_dir if directory is None else directory
    rows, ignored = corpus.correction_rows(corrections)
    current = store.load_or_train(directory)
    training = corpus.training_rows() + rows
    after = store.Stored(classifier.fit(training), store.model_key(training), rows)
    saved = directory if save and directory is not None and store.keep(after, directory) else None
    RUNTIME.set_model(after.model)
    return RetrainReport(
        before=_figures(current.model, rows, folds, current.corrections),
        after=_figures(after.model, rows, folds, rows),
        corrections=len(rows), ignored=ignored, previous_corrections=len(current.corrections),
        folds=folds, saved_to=saved,
    )
