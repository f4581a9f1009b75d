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

The index keeps each project as one row appended to growing buffers (``nlp/sparse_rows.py``): its
grams' raw counts (1 + log count) and its words' IDF weights. Adding or replacing a project is work
for that text alone: new grams get new columns, its grams' document frequencies are counted up, a
replaced text's counted down and its row marked dead (dropped once dead rows outnumber live ones).
Document frequencies include the classifier corpus as background, so scores do not swing with the
size of the index; as they change with every add, the containment IDF is applied at search time as
a vector, ``(tf ⊙ idf) @ present == tf @ (idf ⊙ present)`` with each project's total ``tf @ idf``,
which the first search after a change recomputes (one sparse product, bench/nlp.md). The meaning
part's IDF comes from the background alone, so its rows never change; who uses each word is a CSC
of the rows up to the last merge plus a small one of the rows since. Scores equal one whole build's
to 1e-9 (tests/nlp/test_similar_incremental.py).
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from itertools import chain, islice
from typing import Any

from nlp import vectors
from nlp.resources import read_json
from nlp.sparse_rows import ColumnIndex, GrowingRows, with_room
from nlp.text import compact

THRESHOLD = 0.65  # the chat's and the coordinator's view's one value; chosen on tests/nlp/similar_pairs.tsv
SIMILAR_WORDS = 0.5  # word vectors' cosine under which two words count as unrelated (chosen on the same pairs)
MIN_WORD = 1  # words shorter than this match only themselves (2, single characters, measured worse on the same pairs)
NEAREST = 32  # how many of its closest words (nlp/vectors.py) a word may match; chosen on the same pairs
_MIN_CHARS = 4  # a shorter text scores less: containment alone would call "皮带" similar to every belt
_CHUNK = 1024  # texts added in one bulk step: their grams are held meanwhile, so not all 20,000 at once
_MERGE_AT = 64  # rows of replaced texts, or of words added since the last merge, kept apart at least this many


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


@lru_cache(maxsize=1)
def _background_columns() -> tuple[dict[str, int], Any, int]:
    """The background's bigrams as every index's first columns: gram → column, document frequencies, documents."""
    import numpy as np

    df, n_docs = _background()
    return {g: i for i, g in enumerate(df)}, np.array(list(df.values()), dtype=float), n_docs


@lru_cache(maxsize=1)
def _word_weights() -> tuple[Any, Any]:
    """Each word's IDF (over the background only, so it never changes with the index) and its length."""
    import numpy as np

    df, n_docs = _word_background()
    lengths = np.array([len(w) for w in vectors.load().words], dtype=float)
    return np.log((1 + n_docs) / (1 + df)) + 1.0, lengths


def warm() -> None:
    """Load the word neighbours and their background frequencies now (part of ``nlp.warm``)."""
    _word_weights()
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
    """The words of the indexed projects at one moment: IDF weights by project, and who uses each word."""

    def __init__(self, rows: GrowingRows, blocks: list[tuple[Any, int]], used: Any) -> None:
        self.idf, self.lengths = _word_weights()
        self.weights = rows.matrix(len(self.idf))  # projects × all words: IDF where a project has the word
        self.presence = blocks  # (projects × all words as CSC, first project's row): who uses each word
        sides = rows.sides()
        self.totals, self.chars = sides[:, 0], sides[:, 1]
        self.used = used  # by word: True if some project has it

    def _near(self, ids: Any) -> Any:
        """Query words × all words: the cosines of their near words that some project uses.

        The words no project uses would add nothing but work; filtering them per search, rather than
        slicing the neighbour matrix to the used words, means a new word never forces a rebuild."""
        import numpy as np
        from scipy.sparse import csr_matrix

        rows = _near()[ids]
        keep = self.used[rows.indices]
        indptr = np.concatenate(([0], np.cumsum(keep)))[rows.indptr]
        return csr_matrix((rows.data[keep], rows.indices[keep], indptr), shape=rows.shape)

    def scores(self, ids: Any) -> Any:
        """Each project's meaning score against a query's word ids (0 where either has no word)."""
        import numpy as np

        n = self.weights.shape[0]
        if not len(ids):
            return np.zeros(n)
        sims = self._near(ids)  # query words × project words, sparse: only words of like meaning
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
        best = np.zeros(sims.shape[0] * n)
        for presence, first in self.presence:
            starts = presence.indptr[col]
            counts = presence.indptr[col + 1] - starts
            offsets = np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(counts.sum())
            np.maximum.at(best, np.repeat(word * n + first, counts) + presence.indices[offsets], np.repeat(value, counts))
        return best.reshape(sims.shape[0], n).T


class SimilarIndex:
    """Projects by key, searchable for texts that say the same idea."""

    THRESHOLD = THRESHOLD

    def __init__(self, items: Iterable[tuple[str, str]] = ()) -> None:
        self._vocab: dict[str, int] = {}  # gram → column, the background's first; grows with new grams
        self._df: Any = None  # each column's document frequency: background + live projects (see `_begin`)
        self._background_docs = 0
        # Made by `_begin` at the first add, as the background's columns are:
        self._counts: GrowingRows  # per project: 1 + log(count) of each gram; side: its characters
        self._words: GrowingRows  # per project: IDF of each word; sides: their total, its characters
        self._word_columns: ColumnIndex  # the projects that use each word
        self._keys: list[str] = []  # by row, rows of replaced texts included
        self._rows: dict[str, int] = {}  # key → the row of its current text
        self._live: Any = None  # by row: False once the text was replaced
        self._lock = threading.Lock()
        self._changes = 0  # adds so far; what `_refresh` derives belongs to `_ready` of them
        self._ready = -1
        self._view: tuple[Any, ...] = ()  # counts, presence, idf, totals, characters, live (see `_refresh`)
        self._meaning: _Words | None = None
        self._max_idf = 1.0
        self.add_all(items)

    def __len__(self) -> int:
        return len(self._rows)

    def add(self, key: str, text: str) -> None:
        """Add (or re-add) one project's text under its key; costs work for this text, not for the index."""
        self.add_all([(key, text)])

    def add_all(self, items: Iterable[tuple[str, str]]) -> None:
        """Add (or re-add) texts under their keys, in order: work for these texts only, in a few bulk steps."""
        pending = iter(items)
        while chunk := list(islice(pending, _CHUNK)):
            self._add_chunk(chunk)

    def _add_chunk(self, items: list[tuple[str, str]]) -> None:
        """Add a few texts at once: their grams and words side by side, then appended in one step."""
        import numpy as np

        features = [(key, bigrams(text), _word_ids(text)) for key, text in items]
        keys, grams, words = zip(*features, strict=True)
        values = np.log(np.fromiter(chain.from_iterable(g.values() for g in grams), dtype=float)) + 1.0
        lengths = np.fromiter(map(len, grams), dtype=np.int64, count=len(grams))
        word_ids = np.concatenate(words)
        with self._lock:
            if self._df is None:
                self._begin()
            first, vocab = self._counts.rows, self._vocab  # a gram no text had gets the next column
            columns = np.fromiter((vocab.setdefault(g, len(vocab)) for row in grams for g in row), dtype=np.int32)
            starts = np.concatenate(([0], np.cumsum(lengths)))
            live = np.ones(len(keys), dtype=bool)
            dead = []  # the columns of rows whose text is replaced: they stop counting in the frequencies
            for i, key in enumerate(keys):
                old = self._rows.get(key)
                if old is not None and old >= first:  # replaced by a later text of these
                    live[old - first] = False
                    dead.append(columns[starts[old - first]:starts[old - first + 1]])
                elif old is not None:
                    self._live[old] = False
                    dead.append(self._counts.columns_of(old))
                self._rows[key] = first + i
            self._df = with_room(self._df, len(vocab))
            np.add.at(self._df, columns, 1)
            np.add.at(self._df, np.concatenate(dead) if dead else columns[:0], -1)
            self._counts.extend(lengths, columns, values, [[_chars(g)] for g in grams])
            idf, characters = _word_weights()
            rows = np.repeat(np.arange(len(keys)), [len(w) for w in words])
            sides = np.column_stack((np.bincount(rows, idf[word_ids], len(keys)),
                                     np.bincount(rows, characters[word_ids], len(keys))))
            self._words.extend([len(w) for w in words], word_ids, idf[word_ids], sides)
            self._word_columns.add(word_ids)
            self._live = with_room(self._live, first + len(keys))
            self._live[first:first + len(keys)] = live
            self._keys.extend(keys)
            self._changes += 1
            if len(self._keys) - len(self._rows) > max(_MERGE_AT, len(self._rows)):
                self._compact()

    def _begin(self) -> None:
        """Take the background's columns, at the first add (an application creates its index as it starts)."""
        import numpy as np

        vocab, df, self._background_docs = _background_columns()
        self._vocab, self._df = dict(vocab), df.copy()
        self._counts, self._words = GrowingRows(sides=1), GrowingRows(sides=2)
        self._word_columns = ColumnIndex(len(_word_weights()[0]), _MERGE_AT)
        self._live = np.zeros(64, dtype=bool)

    def _compact(self) -> None:
        """Drop the rows of replaced texts (only once they outnumber the live ones, so amortised per add)."""
        import numpy as np

        keep = self._live[:len(self._keys)].copy()
        self._counts = self._counts.kept(keep)
        self._words = self._words.kept(keep)
        self._word_columns = ColumnIndex(self._word_columns.width, _MERGE_AT)
        self._word_columns.add(self._words.matrix(self._word_columns.width).indices)
        self._keys = [key for key, alive in zip(self._keys, keep, strict=True) if alive]
        self._rows = {key: row for row, key in enumerate(self._keys)}
        self._live = np.ones(len(self._keys), dtype=bool)

    def _refresh(self) -> None:
        """Bring the IDF and each project's total weight up to the latest add: a few sums over the stored rows."""
        import numpy as np

        n_docs = self._background_docs + len(self._rows)
        idf = np.log((1 + n_docs) / (1 + self._df[:len(self._vocab)])) + 1.0
        counts = self._counts.matrix(len(idf))
        totals = counts @ idf  # each project's total weight, (tf ⊙ idf) summed
        live = self._live[:len(self._keys)].copy() if len(self._keys) > len(self._rows) else None  # None: all live
        self._view = (counts, self._counts.matrix(len(idf), presence=True), idf, totals, self._counts.sides()[:, 0], live)
        self._max_idf = math.log(1 + n_docs) + 1.0
        self._meaning = _Words(self._words, self._word_columns.blocks(self._words), self._word_columns.used.copy())
        self._ready = self._changes

    def _query(self, text: str) -> tuple[Any, Any, float, int] | None:
        """Weights and presence of a query over the vocabulary, its total weight and length (None if empty)."""
        import numpy as np

        grams = bigrams(text)
        if not grams:
            return None
        idf = self._view[2]
        weights, presence = np.zeros(len(idf)), np.zeros(len(idf))
        total = 0.0
        for g, c in grams.items():
            i = self._vocab.get(g)
            weight = (1.0 + math.log(c)) * (idf[i] if i is not None else self._max_idf)
            total += weight  # a gram no project has still counts in the query's own weight
            if i is not None:
                weights[i], presence[i] = weight, 1.0
        return weights, presence, total, _chars(grams)

    def scores(self, text: str) -> tuple[list[str], Any]:
        """Every row's key, in the order added, and its score against `text` (an array; 0 where nothing is
        shared). A replaced text's row scores 0; its key comes again later, with the current text's score."""
        import numpy as np

        with self._lock:
            if not self._rows:
                return [], np.zeros(0)
            if self._ready != self._changes:
                self._refresh()
            (counts, presence, idf, totals, chars, live), keys = self._view, self._keys
            words = self._meaning
            query = self._query(text)
        keys = keys[:len(totals)]  # rows added since this view are not scored
        if query is None or words is None:
            return keys, np.zeros(len(keys))
        weights, present, total, length = query
        query_in_doc = (presence @ weights) / total
        doc_in_query = (counts @ (idf * present)) / np.maximum(totals, 1e-9)  # == (tf ⊙ idf) @ present
        shorter_is_query = total <= totals
        scores = np.maximum(np.where(shorter_is_query, query_in_doc, doc_in_query), words.scores(_word_ids(text)))
        short_chars = np.where(shorter_is_query, length, chars)
        scores = np.minimum(scores * np.minimum(1.0, short_chars / _MIN_CHARS), 1.0)
        return keys, scores if live is None else scores * live  # a replaced text's row scores 0

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
