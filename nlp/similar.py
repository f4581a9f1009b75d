"""Similar earlier projects: cosine over TF-IDF of character bigrams, synonyms unified.

Scores are in 0..1. The index keeps raw bigram counts and builds a sparse matrix lazily
on the first search after additions, so adding 20,000 projects costs one build (well
under a second) and each search is one sparse product. Document frequencies include the
classifier corpus as background, so scores do not swing with the size of the index.
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from nlp.resources import read_json
from nlp.text import compact

THRESHOLD = 0.55  # chosen on tests/nlp/similar_pairs.tsv, see bench/nlp.md


@lru_cache(maxsize=1)
def _synonyms() -> tuple[list[tuple[str, str]], frozenset[str]]:
    """Synonym replacements (longest first) and bigrams to ignore."""
    data = read_json("synonyms.json")
    pairs = sorted(data["map"].items(), key=lambda kv: len(kv[0]), reverse=True)
    return pairs, frozenset(data["stop_bigrams"])


def bigrams(text: str) -> Counter[str]:
    """Character bigrams of a text after unifying synonyms."""
    clean = compact(text).lower()
    pairs, stop = _synonyms()
    for old, new in pairs:
        if old in clean:
            clean = clean.replace(old, new)
    return Counter(g for g in (clean[i:i + 2] for i in range(len(clean) - 1)) if g not in stop)


@lru_cache(maxsize=1)
def _background() -> tuple[Counter[str], int]:
    """Document frequencies of bigrams over the classifier corpus."""
    from nlp import corpus

    rows = corpus.load()
    df: Counter[str] = Counter()
    for row in rows:
        df.update(set(bigrams(row.text)))
    return df, len(rows)


class SimilarIndex:
    """Projects by key, searchable for texts that say the same idea."""

    THRESHOLD = THRESHOLD

    def __init__(self, items: Iterable[tuple[str, str]] = ()) -> None:
        self._keys: list[str] = []
        self._rows: dict[str, int] = {}
        self._grams: list[Counter[str]] = []
        self._lock = threading.Lock()
        self._matrix: Any = None
        self._vocab: dict[str, int] = {}
        self._idf: Any = None
        for key, text in items:
            self.add(key, text)

    def __len__(self) -> int:
        return len(self._keys)

    def add(self, key: str, text: str) -> None:
        """Add (or re-add) one project's text under its key."""
        grams = bigrams(text)
        with self._lock:
            row = self._rows.get(key)
            if row is None:
                self._rows[key] = len(self._keys)
                self._keys.append(key)
                self._grams.append(grams)
            else:
                self._grams[row] = grams
            self._matrix = None

    def _build(self) -> None:
        """Build the normalised sparse matrix of all projects."""
        import numpy as np
        from scipy.sparse import csr_matrix

        df, n_docs = _background()
        df = df.copy()
        for grams in self._grams:
            df.update(set(grams))
        n_docs += len(self._grams)
        vocab = {g: i for i, g in enumerate(df)}
        idf = np.array([math.log((1 + n_docs) / (1 + df[g])) + 1.0 for g in vocab])
        rows, cols, vals = [], [], []
        for r, grams in enumerate(self._grams):
            for g, c in grams.items():
                rows.append(r)
                cols.append(vocab[g])
                vals.append(1.0 + math.log(c))
        matrix = csr_matrix((vals, (rows, cols)), shape=(len(self._grams), len(vocab)))
        matrix = matrix.multiply(idf).tocsr()
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        self._matrix = csr_matrix(matrix.multiply(1.0 / norms[:, None]))
        self._vocab, self._idf = vocab, idf

    def _vector(self, text: str) -> Any:
        """The normalised dense query vector over the index vocabulary (None if empty)."""
        import numpy as np

        grams = [(self._vocab[g], c) for g, c in bigrams(text).items() if g in self._vocab]
        if not grams:
            return None
        idx = np.array([i for i, _ in grams])
        vals = np.array([1.0 + math.log(c) for _, c in grams]) * self._idf[idx]
        query = np.zeros(len(self._vocab))
        query[idx] = vals / np.linalg.norm(vals)
        return query

    def search(self, text: str, limit: int = 5) -> list[tuple[str, float]]:
        """The most similar projects as (key, score in 0..1), best first."""
        import numpy as np

        with self._lock:
            if not self._keys:
                return []
            if self._matrix is None:
                self._build()
            matrix, keys = self._matrix, list(self._keys)
            query = self._vector(text)
        if query is None:
            return []
        scores = matrix @ query
        limit = min(limit, len(scores))
        top = np.argpartition(-scores, limit - 1)[:limit]
        top = top[np.argsort(-scores[top])]
        return [(keys[i], round(float(min(scores[i], 1.0)), 4)) for i in top if scores[i] > 0]
