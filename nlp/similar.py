"""Similar earlier projects: how much of the shorter text the longer one says, in its characters or in words of like meaning.

Two scores, the higher one counts (both in 0..1; warn at ``THRESHOLD``):

* **containment** — the share of the shorter text's weight (characters and character bigrams,
  synonyms unified, TF-IDF weighted) that the other text contains too. Containment, not cosine:
  a title and a long description of the same idea share most of the title, but a cosine is
  diluted by every word of the description (bench/nlp.md).
* **meaning** — the same share over *words*, IDF-weighted, where a word of the shorter text counts
  as far as the longer text has a word of like meaning: its best cosine among the other text's
  words that are near it (``nlp/vectors.py``: either among the other's ``NEAREST`` closest by
  Chinese word vectors, at cosine ``SIMILAR_WORDS`` or more; a word is at 1.0 from itself).
  "锚杆快捷安装辅助仪" and "通过辅助施工，增加锚索机推进端头与H钢带接触面积…" share few characters
  (containment 0.23) but 锚杆/锚索, 安装/施工, 辅助 carry the idea (0.65). A score depends only on
  the two texts and the background corpus, never on what else is indexed.

The index keeps raw counts and word ids and builds sparse matrices lazily on the first search
after additions, so adding 20,000 projects costs one build and each search is a few sparse
products. Document frequencies include the classifier corpus as background, so scores do not
swing with the size of the index.
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from nlp import vectors
from nlp.resources import read_json
from nlp.text import compact

THRESHOLD = 0.65  # the chat's and the coordinator's view's one value; chosen on tests/nlp/similar_pairs.tsv
SIMILAR_WORDS = 0.5  # word vectors' cosine under which two words count as unrelated (chosen on the same pairs)
MIN_WORD = 1  # words shorter than this match only themselves (2, single characters, measured worse on the same pairs)
NEAREST = 32  # how many of its closest words (nlp/vectors.py) a word may match; chosen on the same pairs
_MIN_CHARS = 4  # a shorter text scores less: containment alone would call "皮带" similar to every belt


@lru_cache(maxsize=1)
def _synonyms() -> tuple[list[tuple[str, str]], frozenset[str]]:
    """Synonym replacements (longest first) and bigrams to ignore."""
    data = read_json("synonyms.json")
    pairs = sorted(data["map"].items(), key=lambda kv: len(kv[0]), reverse=True)
    return pairs, frozenset(data["stop_bigrams"])


def bigrams(text: str) -> Counter[str]:
    """Characters (prefixed "1") and character bigrams of a text after unifying synonyms."""
    clean = compact(text).lower()
    pairs, stop = _synonyms()
    for old, new in pairs:
        if old in clean:
            clean = clean.replace(old, new)
    grams = Counter(g for g in (clean[i:i + 2] for i in range(len(clean) - 1)) if g not in stop)
    grams.update("1" + ch for ch in clean)
    return grams


@lru_cache(maxsize=1)
def _background() -> tuple[Counter[str], int]:
    """Document frequencies of bigrams over the classifier corpus."""
    from nlp import corpus

    rows = corpus.load()
    df: Counter[str] = Counter()
    for row in rows:
        df.update(set(bigrams(row.text)))
    return df, len(rows)


@lru_cache(maxsize=1)
def _word_background() -> tuple[Any, int]:
    """Document frequencies of words (by vector id) over the classifier corpus and the gathered real titles."""
    import numpy as np

    from nlp import corpus

    words = vectors.load()
    rows = corpus.load() + corpus.load_real()
    df = np.zeros(len(words.words))
    for row in rows:
        df[np.unique(np.asarray(words.cut(row.text), dtype=np.int64))] += 1
    return df, len(rows)


def warm() -> None:
    """Load the word neighbours and their background frequencies now (part of ``nlp.warm``)."""
    _word_background()
    _near()


def _word_ids(text: str) -> Any:
    """The distinct vector ids of a text's words."""
    import numpy as np

    return np.unique(np.asarray(vectors.load().cut(text), dtype=np.int64))


@lru_cache(maxsize=1)
def _near() -> Any:
    """Words × words cosines of words of like meaning (``nlp/vectors.py``), under this module's settings."""
    return vectors.load().near(NEAREST, SIMILAR_WORDS, MIN_WORD)


class _Words:
    """The words of every indexed project as sparse matrices over the words any project uses."""

    def __init__(self, projects: list[Any]) -> None:
        import numpy as np
        from scipy.sparse import csr_matrix

        df, n_docs = _word_background()
        self.idf = np.log((1 + n_docs) / (1 + df)) + 1.0
        lengths = np.array([len(w) for w in vectors.load().words], dtype=float)
        used = np.unique(np.concatenate(projects)) if projects else np.zeros(0, dtype=np.int64)
        column = np.full(len(df), -1, dtype=np.int64)
        column[used] = np.arange(len(used))
        rows = np.repeat(np.arange(len(projects)), [len(p) for p in projects])
        ids = np.concatenate(projects) if projects else np.zeros(0, dtype=np.int64)
        shape = (len(projects), len(used))
        self.weights = csr_matrix((self.idf[ids], (rows, column[ids])), shape=shape)
        self.presence = csr_matrix((np.ones(len(ids)), (rows, column[ids])), shape=shape).tocsc()
        self.totals = np.asarray(self.weights.sum(axis=1)).ravel()
        self.chars = np.bincount(rows, weights=lengths[ids], minlength=len(projects))
        self.near = _near()[:, used].tocsr()  # all words × the words projects use
        self.lengths = lengths

    def scores(self, ids: Any) -> Any:
        """Each project's meaning score against a query's word ids (0 where either has no word)."""
        import numpy as np

        n = self.weights.shape[0]
        if not len(ids) or not self.near.shape[1]:
            return np.zeros(n)
        sims = self.near[ids]  # query words × project words, sparse: only words of like meaning
        weights = self.idf[ids]
        best_of_query = np.asarray(sims.max(axis=0).todense()).ravel()  # each project word's best match in the query
        doc_in_query = (self.weights @ best_of_query) / np.maximum(self.totals, 1e-9)
        query_in_doc = self._best_matches(sims) @ weights / weights.sum()
        shorter_is_query = self.lengths[ids].sum() <= self.chars
        return np.where(shorter_is_query, query_in_doc, doc_in_query)

    def _best_matches(self, sims: Any) -> Any:
        """projects × query words: each query word's best cosine among each project's words (0 if none is near)."""
        import numpy as np

        n = self.weights.shape[0]
        coo = sims.tocoo()
        word, col, value = coo.row.astype(np.int64), coo.col.astype(np.int64), coo.data
        starts = self.presence.indptr[col]
        counts = self.presence.indptr[col + 1] - starts
        offsets = np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(counts.sum())
        best = np.zeros(sims.shape[0] * n)
        np.maximum.at(best, np.repeat(word * n, counts) + self.presence.indices[offsets], np.repeat(value, counts))
        return best.reshape(sims.shape[0], n).T


class SimilarIndex:
    """Projects by key, searchable for texts that say the same idea."""

    THRESHOLD = THRESHOLD

    def __init__(self, items: Iterable[tuple[str, str]] = ()) -> None:
        self._keys: list[str] = []
        self._rows: dict[str, int] = {}
        self._grams: list[Counter[str]] = []
        self._word_lists: list[Any] = []  # each project's distinct word ids (nlp/vectors.py)
        self._words: _Words | None = None
        self._lock = threading.Lock()
        self._matrix: Any = None  # projects × grams, TF-IDF weights
        self._presence: Any = None  # projects × grams, 1 where present
        self._totals: Any = None  # each project's total weight
        self._chars: Any = None  # each project's length in characters
        self._vocab: dict[str, int] = {}
        self._idf: Any = None
        self._max_idf = 1.0
        for key, text in items:
            self.add(key, text)

    def __len__(self) -> int:
        return len(self._keys)

    def add(self, key: str, text: str) -> None:
        """Add (or re-add) one project's text under its key."""
        grams, words = bigrams(text), _word_ids(text)
        with self._lock:
            row = self._rows.get(key)
            if row is None:
                self._rows[key] = len(self._keys)
                self._keys.append(key)
                self._grams.append(grams)
                self._word_lists.append(words)
            else:
                self._grams[row] = grams
                self._word_lists[row] = words
            self._matrix = None

    def _build(self) -> None:
        """Build the sparse weight and presence matrices of all projects."""
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
        shape = (len(self._grams), len(vocab))
        weights = csr_matrix(csr_matrix((vals, (rows, cols)), shape=shape).multiply(idf))
        self._matrix = weights
        self._presence = csr_matrix((np.ones(len(vals)), (rows, cols)), shape=shape)
        self._totals = np.asarray(weights.sum(axis=1)).ravel()
        self._chars = np.array([_chars(grams) for grams in self._grams], dtype=float)
        self._vocab, self._idf, self._max_idf = vocab, idf, math.log(1 + n_docs) + 1.0
        self._words = _Words(self._word_lists)

    def _query(self, text: str) -> tuple[Any, Any, float, int] | None:
        """Weights and presence of a query over the vocabulary, its total weight and length (None if empty)."""
        import numpy as np

        grams = bigrams(text)
        if not grams:
            return None
        weights, presence = np.zeros(len(self._vocab)), np.zeros(len(self._vocab))
        total = 0.0
        for g, c in grams.items():
            i = self._vocab.get(g)
            weight = (1.0 + math.log(c)) * (self._idf[i] if i is not None else self._max_idf)
            total += weight  # a gram no project has still counts in the query's own weight
            if i is not None:
                weights[i], presence[i] = weight, 1.0
        return weights, presence, total, _chars(grams)

    def scores(self, text: str) -> tuple[list[str], Any]:
        """Every indexed key, in the order first added, and its score against `text` (an array; 0 where nothing is shared)."""
        import numpy as np

        with self._lock:
            if not self._keys:
                return [], np.zeros(0)
            if self._matrix is None:
                self._build()
            matrix, presence, totals, chars, keys = self._matrix, self._presence, self._totals, self._chars, list(self._keys)
            words = self._words
            query = self._query(text)
        if query is None or words is None:
            return keys, np.zeros(len(keys))
        weights, present, total, length = query
        query_in_doc = (presence @ weights) / total
        doc_in_query = (matrix @ present) / np.maximum(totals, 1e-9)
        shorter_is_query = total <= totals
        scores = np.maximum(np.where(shorter_is_query, query_in_doc, doc_in_query), words.scores(_word_ids(text)))
        short_chars = np.where(shorter_is_query, length, chars)
        return keys, np.minimum(scores * np.minimum(1.0, short_chars / _MIN_CHARS), 1.0)

    def search(self, text: str, limit: int = 5) -> list[tuple[str, float]]:
        """The most similar projects as (key, score in 0..1), best first."""

        keys, scores = self.scores(text)
        return best_of(keys, scores, limit)


def best_of(keys: list[str], scores: Any, limit: int) -> list[tuple[str, float]]:
    """The `limit` best (key, score) above 0, best first, from keys and their scores as an array."""
    import numpy as np

    limit = min(limit, len(scores))
    if not limit:
        return []
    top = np.argpartition(-scores, limit - 1)[:limit]
    top = top[np.argsort(-scores[top])]
    return [(keys[i], round(float(scores[i]), 4)) for i in top if scores[i] > 0]


def _chars(grams: Counter[str]) -> int:
    """How many characters a text had (its single-character grams)."""
    return sum(c for g, c in grams.items() if g.startswith("1"))
