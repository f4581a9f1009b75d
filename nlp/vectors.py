"""Words of like meaning for the similar-project search, from Chinese word vectors shipped in a wheel.

The vectors are 75-dimensional word embeddings shipped inside the PyPI wheel ``cnsyn==1.2.0``
(Apache-2.0, github.com/shangfr/Chinese-Synonyms; a ball tree over 129,691 words). Nothing is
fetched at run time: ``python -m nlp build-vectors --wheel cnsyn-1.2.0-py3-none-any.whl`` reads
the wheel (``pip download cnsyn==1.2.0 --no-deps``) and writes ``nlp/data/word_vectors.npz``:
the Chinese words of one to four characters among jieba's 40,000 most frequent dictionary words,
plus every such word found in the classifier corpus and the gathered real titles, and for each
word its ``NEIGHBOURS`` nearest words by cosine (at least ``MIN_COSINE``), cosines stored as
int8. The vectors themselves are not shipped: only who is near whom, which does not depend on
what else a search index holds. A text is cut into those words by forward maximum matching
(characters no word covers are skipped), so jieba is not needed.
"""

from __future__ import annotations

import re
import threading
import zipfile
from functools import lru_cache
from pathlib import Path
from typing import Any

from nlp.resources import data_path, read_json
from nlp.text import compact

VECTORS_FILE = "word_vectors.npz"
WHEEL_MEMBER = "cnsyn/query/words_tree_mini.m"
MAX_WORD = 4  # longest word kept and matched, in characters
FREQUENT_WORDS = 40_000  # jieba's most frequent dictionary words kept beside the corpus's
NEIGHBOURS = 32  # nearest words kept per word (the search may use fewer: similar.NEAREST)
MIN_COSINE = 0.5  # nearer words under this cosine are not kept
_HAN_WORD = re.compile(f"[\u4e00-\u9fff]{{1,{MAX_WORD}}}")
_lock = threading.Lock()


def identity_matrix(n: int) -> Any:
    """The n × n sparse identity (every word at cosine 1.0 from itself)."""
    from scipy.sparse import identity

    return identity(n, format="csr")


class WordVectors:
    """The words, each word's nearest words with their cosines, and the cutting of a text into those words."""

    def __init__(self, words: list[str], neighbours: Any = None, cosines: Any = None) -> None:
        self.words = words
        self.index = {w: i for i, w in enumerate(words)}
        self.neighbours = neighbours  # int32, len(words) × NEIGHBOURS word ids, nearest first (-1: none)
        self.cosines = cosines  # float32, the same shape: their cosines

    def near(self, nearest: int, floor: float, min_chars: int = 1) -> Any:
        """Words × words sparse matrix of cosines: x and y are near when either is among the other's
        ``nearest`` closest words at cosine ``floor`` or more and both have ``min_chars`` characters or
        more; every word is at 1.0 from itself."""
        import numpy as np
        from scipy.sparse import csr_matrix

        ids, cos = self.neighbours[:, :nearest], self.cosines[:, :nearest]
        lengths = np.array([len(w) for w in self.words])
        keep = (ids >= 0) & (cos >= floor) & (lengths[:, None] >= min_chars) & (lengths[np.maximum(ids, 0)] >= min_chars)
        rows = np.repeat(np.arange(len(self.words)), keep.sum(axis=1))
        shape = (len(self.words), len(self.words))
        directed = csr_matrix((cos[keep], (rows, ids[keep])), shape=shape)
        both = directed.maximum(directed.T) + identity_matrix(len(self.words))
        return csr_matrix(both)

    def cut(self, text: str) -> list[int]:
        """The ids of the words of a text, longest match first, left to right (unknown characters skipped)."""
        clean = compact(text).lower()
        out: list[int] = []
        i, n = 0, len(clean)
        while i < n:
            for size in range(min(MAX_WORD, n - i), 0, -1):
                found = self.index.get(clean[i:i + size])
                if found is not None:
                    out.append(found)
                    i += size
                    break
            else:
                i += 1
        return out


@lru_cache(maxsize=1)
def load() -> WordVectors:
    """The shipped word vectors (nlp/data/word_vectors.npz), loaded once per process."""
    import numpy as np

    with _lock, np.load(data_path(VECTORS_FILE)) as data:
        words = bytes(data["words"]).decode("utf-8").split("\n")
        neighbours = data["neighbours"].astype(np.int32)
        cosines = data["cosines"].astype(np.float32) / 127.0
    return WordVectors(words, neighbours, cosines)


def _read_wheel(wheel: Path) -> tuple[list[str], Any]:
    """All words and vectors of the cnsyn wheel's ball tree (its pickle names a class sklearn has renamed)."""
    import tempfile

    import joblib
    import numpy as np
    import sklearn.metrics._dist_metrics as metrics

    if not hasattr(metrics, "EuclideanDistance"):  # pickled by an older scikit-learn
        metrics.EuclideanDistance = metrics.EuclideanDistance64
    with zipfile.ZipFile(wheel) as archive, tempfile.TemporaryDirectory() as tmp:
        path = archive.extract(WHEEL_MEMBER, tmp)
        tree = joblib.load(path)
    return [str(w) for w in tree["words"]], np.asarray(tree["model"].get_arrays()[0], dtype=np.float64)


def _jieba_frequencies() -> dict[str, int]:
    """Word frequencies of jieba's own dictionary (the installed, pinned jieba)."""
    import jieba

    freq: dict[str, int] = {}
    with open(Path(jieba.__file__).parent / "dict.txt", encoding="utf-8") as lines:
        for line in lines:
            parts = line.split()
            if len(parts) >= 2:
                freq[parts[0]] = int(parts[1])
    return freq


def build(wheel: Path, out: Path | None = None) -> tuple[Path, int]:
    """Write nlp/data/word_vectors.npz from the cnsyn wheel; return the path and the number of words."""
    import numpy as np

    from nlp import corpus

    all_words, all_vectors = _read_wheel(wheel)
    stop = set(read_json("synonyms.json")["stop_words"])
    han = {w: i for i, w in enumerate(all_words) if _HAN_WORD.fullmatch(w) and w not in stop}
    freq = _jieba_frequencies()
    keep = set(sorted((w for w in han if w in freq), key=lambda w: (-freq[w], w))[:FREQUENT_WORDS])
    everything = WordVectors(list(han))
    for row in corpus.load() + corpus.load_real() + corpus.load_real(corpus.REAL_DEV):
        keep.update(everything.words[i] for i in everything.cut(row.text))
    words = sorted(keep)
    vectors = all_vectors[[han[w] for w in words]]
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    neighbours, cosines = _nearest(vectors)
    path = out or data_path(VECTORS_FILE)
    np.savez_compressed(path, words=np.frombuffer("\n".join(words).encode("utf-8"), dtype=np.uint8),
                        neighbours=neighbours, cosines=np.round(cosines * 127).astype(np.int8))
    return path, len(words)


def _nearest(vectors: Any, chunk: int = 2_000) -> tuple[Any, Any]:
    """Each unit vector's NEIGHBOURS nearest others (ids, cosines; nearest first; -1 and 0 under MIN_COSINE)."""
    import numpy as np

    n = len(vectors)
    ids = np.full((n, NEIGHBOURS), -1, dtype=np.int32)
    cos = np.zeros((n, NEIGHBOURS), dtype=np.float64)
    for start in range(0, n, chunk):
        sims = vectors[start:start + chunk] @ vectors.T
        rows = np.arange(len(sims))
        sims[rows, start + rows] = -1.0  # not its own neighbour
        top = np.argpartition(-sims, NEIGHBOURS, axis=1)[:, :NEIGHBOURS]
        top_sims = np.take_along_axis(sims, top, axis=1)
        order = np.lexsort((top, -top_sims), axis=1)  # nearest first, ties by id: reproducible
        top, top_sims = np.take_along_axis(top, order, axis=1), np.take_along_axis(top_sims, order, axis=1)
        near = top_sims >= MIN_COSINE
        ids[start:start + chunk] = np.where(near, top, -1)
        cos[start:start + chunk] = np.where(near, top_sims, 0.0)
    return ids, cos
