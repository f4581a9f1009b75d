"""The system classifier: TF-IDF over words and character n-grams, logistic regression.

scikit-learn is used only to fit; prediction is a few numpy operations over the fitted
vocabulary, IDF and coefficients, so one call costs tens of microseconds and the model is
stored as plain arrays and JSON (nlp/store.py), without scikit-learn objects.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from nlp import corpus
from nlp.corpus import Row
from nlp.features import features
from nlp.resources import model_settings


@dataclass(frozen=True)
class Classification:
    """Which system a text belongs to; system is None when the model is unsure."""

    system: str | None
    confidence: float
    unsure: bool
    alternatives: list[tuple[str, float]] = field(default_factory=list)


@dataclass
class SystemModel:
    """A fitted linear model reduced to plain arrays for fast prediction."""

    labels: list[str]
    vocabulary: dict[str, int]
    idf: Any
    coef: Any
    intercept: Any
    unsure_below: float
    specific: Any = None

    def evidence(self, feats: list[str]) -> int:
        """How many known multi-character features point mostly at one system."""
        if self.specific is None:
            return 1
        known = {self.vocabulary[f] for f in feats if len(f) > 3 and f in self.vocabulary}
        return int(sum(bool(self.specific[i]) for i in known))

    def probabilities(self, text: str, feats: list[str] | None = None) -> list[tuple[str, float]]:
        """(system, probability) pairs, most likely first."""
        import numpy as np

        feats = features(text) if feats is None else feats
        vocabulary, counts = self.vocabulary, dict[int, int]()
        for feat in feats:
            i = vocabulary.get(feat)
            if i is not None:
                counts[i] = counts.get(i, 0) + 1
        if not counts:
            return []
        idx = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
        vals = (np.log(np.fromiter(counts.values(), dtype=float, count=len(counts))) + 1.0) * self.idf[idx]
        vals /= np.linalg.norm(vals)
        scores = self.coef[:, idx] @ vals + self.intercept
        scores = np.exp(scores - scores.max())
        probs = scores / scores.sum()
        order = np.argsort(-probs)
        return [(self.labels[i], float(probs[i])) for i in order]

    def classify(self, text: str) -> Classification:
        """Classify one text, marking it unsure below the confidence threshold."""
        feats = features(text)
        ranked = self.probabilities(text, feats)
        if not ranked:
            return Classification(None, 0.0, True, [])
        best, confidence = ranked[0]
        # Text with no domain word (chit-chat) is unsure however peaked the softmax is.
        unsure = confidence < self.unsure_below or (confidence < 0.9 and self.evidence(feats) == 0)
        alternatives = [(s, round(p, 4)) for s, p in ranked[:3]]
        return Classification(None if unsure else best, round(confidence, 4), unsure, alternatives)


def fit(rows: Iterable[Row], c: float | None = None, unsure_below: float | None = None) -> SystemModel:
    """Fit TF-IDF and logistic regression on labelled rows."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    rows = list(rows)
    settings = model_settings()
    vectorizer = TfidfVectorizer(analyzer=features, sublinear_tf=True)
    matrix = vectorizer.fit_transform([r.text for r in rows])
    model = LogisticRegression(C=c or settings["C"], max_iter=3000)
    # A real title counts for several composed ones: there are few, and they are what users write.
    weights = [settings["real_weight"] if r.real else 1.0 for r in rows]
    model.fit(matrix, [r.system for r in rows], sample_weight=weights)
    return SystemModel(
        specific=_specific(matrix, [r.system for r in rows], list(model.classes_)),
        labels=[str(x) for x in model.classes_],
        vocabulary={str(k): int(v) for k, v in vectorizer.vocabulary_.items()},
        idf=vectorizer.idf_,
        coef=model.coef_,
        intercept=model.intercept_,
        unsure_below=model_settings()["unsure_below"] if unsure_below is None else unsure_below,
    )


def _specific(matrix: Any, labels: list[str], classes: list[str]) -> Any:
    """Features seen at least twice, three times in five within one system."""
    import numpy as np

    onehot = np.zeros((len(labels), len(classes)))
    onehot[np.arange(len(labels)), [classes.index(x) for x in labels]] = 1.0
    per_class = np.asarray((matrix > 0).astype(float).T @ onehot)
    df = per_class.sum(axis=1)
    return (df >= 2) & (per_class.max(axis=1) >= 0.6 * df)


def train_default() -> SystemModel:
    """Fit on the shipped corpus."""
    return fit(corpus.load())
