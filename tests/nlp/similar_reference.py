"""The similar-projects scores as the index computed them before it grew incrementally: one whole build.

Kept from commit a484a7b's ``nlp/similar.py`` (``SimilarIndex._build``, ``_query``, ``search`` and
``_Words``), rewritten as one function over the texts indexed now, so the incremental index can be
compared against it score by score. It reuses only the text features (grams, word ids, the
background frequencies, the word neighbours); every matrix, IDF and total is built here from scratch.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix

from nlp import similar, vectors


def _containment(texts: list[str], query: str) -> tuple[Any, Any, Any, float, float] | None:
    """Each text's containment score against the query and what decides which is shorter (None: empty query)."""
    grams_of = [similar.bigrams(t) for t in texts]
    background, n_docs = similar._background()
    df = background.copy()
    for grams in grams_of:
        df.update(set(grams))
    n_docs += len(grams_of)
    vocab = {g: i for i, g in enumerate(df)}
    idf = np.array([math.log((1 + n_docs) / (1 + df[g])) + 1.0 for g in vocab])
    rows, cols, vals = [], [], []
    for r, grams in enumerate(grams_of):
        for g, c in grams.items():
            rows.append(r)
            cols.append(vocab[g])
            vals.append(1.0 + math.log(c))
    shape = (len(grams_of), len(vocab))
    matrix = csr_matrix(csr_matrix((vals, (rows, cols)), shape=shape).multiply(idf))
    presence = csr_matrix((np.ones(len(vals)), (rows, cols)), shape=shape)
    totals = np.asarray(matrix.sum(axis=1)).ravel()
    chars = np.array([similar._chars(grams) for grams in grams_of], dtype=float)
    grams = similar.bigrams(query)
    if not grams:
        return None
    weights, present, total = np.zeros(len(vocab)), np.zeros(len(vocab)), 0.0
    for g, c in grams.items():
        i = vocab.get(g)
        weight = (1.0 + math.log(c)) * (idf[i] if i is not None else math.log(1 + n_docs) + 1.0)
        total += weight
        if i is not None:
            weights[i], present[i] = weight, 1.0
    shorter_is_query = total <= totals
    scores = np.where(shorter_is_query, (presence @ weights) / total, (matrix @ present) / np.maximum(totals, 1e-9))
    return scores, shorter_is_query, chars, total, similar._chars(grams)


def _meaning(texts: list[str], query: str) -> Any:
    """Each text's meaning score against the query, over the words any text uses."""
    projects = [similar._word_ids(t) for t in texts]
    df, n_docs = similar._word_background()
    idf = np.log((1 + n_docs) / (1 + df)) + 1.0
    lengths = np.array([len(w) for w in vectors.load().words], dtype=float)
    used = np.unique(np.concatenate(projects))
    column = np.full(len(df), -1, dtype=np.int64)
    column[used] = np.arange(len(used))
    rows = np.repeat(np.arange(len(projects)), [len(p) for p in projects])
    ids_all = np.concatenate(projects)
    shape = (len(projects), len(used))
    weights_of = csr_matrix((idf[ids_all], (rows, column[ids_all])), shape=shape)
    presence = csr_matrix((np.ones(len(ids_all)), (rows, column[ids_all])), shape=shape).tocsc()
    totals = np.asarray(weights_of.sum(axis=1)).ravel()
    chars = np.bincount(rows, weights=lengths[ids_all], minlength=len(projects))
    near = similar._near()[:, used].tocsr()
    ids, n = similar._word_ids(query), len(projects)
    if not len(ids) or not near.shape[1]:
        return np.zeros(n)
    sims = near[ids]
    weights = idf[ids]
    best_of_query = np.asarray(sims.max(axis=0).todense()).ravel()
    doc_in_query = (weights_of @ best_of_query) / np.maximum(totals, 1e-9)
    best = np.zeros((sims.shape[0], n))
    coo = sims.tocoo()
    for word, col, value in zip(coo.row, coo.col, coo.data, strict=True):  # slow and plain, on purpose
        members = presence.indices[presence.indptr[col]:presence.indptr[col + 1]]
        best[word, members] = np.maximum(best[word, members], value)
    query_in_doc = best.T @ weights / weights.sum()
    return np.where(lengths[ids].sum() <= chars, query_in_doc, doc_in_query)


def whole_build_scores(items: dict[str, str], query: str) -> dict[str, float]:
    """Every indexed key's score against the query (unrounded, unclipped), as one whole build computes it."""
    keys, texts = list(items), list(items.values())
    containment = _containment(texts, query)
    if containment is None:
        return {}
    scores, shorter_is_query, chars, _, length = containment
    scores = np.maximum(scores, _meaning(texts, query))
    scores = scores * np.minimum(1.0, np.where(shorter_is_query, length, chars) / similar._MIN_CHARS)
    return dict(zip(keys, scores.tolist(), strict=True))
