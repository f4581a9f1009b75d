"""Chinese word vectors for the similar-project search: which words mean nearly the same.

The vectors are 75-dimensional word embeddings shipped inside the PyPI wheel ``cnsyn==1.2.0``
(Apache-2.0, github.com/shangfr/Chinese-Synonyms; a ball tree over 129,691 words). Nothing is
fetched at run time: ``python -m nlp build-vectors --wheel cnsyn-1.2.0-py3-none-any.whl`` reads
the wheel (``pip download cnsyn==1.2.0 --no-deps``) and writes ``nlp/data/word_vectors.npz``:
the Chinese words of one to four characters among jieba's 40,000 most frequent dictionary words,
plus every such word found in the classifier corpus and the gathered real titles, each vector
unit length and stored as int8. A text is cut into those words by forward maximum matching
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
_HAN_WORD = re.compile("[\u4e00-\u9fff]{1,%d}" % MAX_WORD)
_lock = threading.Lock()


class WordVectors:
    """Unit word vectors by word, and the cutting of a text into those words."""

    def __init__(self, words: list[str], vectors: Any) -> None:
        self.words = words
        self.index = {w: i for i, w in enumerate(words)}
        self.vectors = vectors  # float32, len(words) × dims, each row of unit length

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
        vectors = data["vectors"].astype(np.float32) / 127.0
    return WordVectors(words, vectors)


def _read_wheel(wheel: Path) -> tuple[list[str], Any]:
    """All words and vectors of the cnsyn wheel's ball tree (its pickle names a class sklearn has renamed)."""
    import tempfile

    import joblib
    import numpy as np
    import sklearn.metrics._dist_metrics as metrics

    if not hasattr(metrics, "EuclideanDistance"):  # pickled by an older scikit-learn
        metrics.EuclideanDistance = metrics.EuclideanDistance64  # type: ignore[attr-defined]
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
    everything = WordVectors(list(han), None)
    for row in corpus.load() + corpus.load_real() + corpus.load_real(corpus.REAL_DEV):
        keep.update(everything.words[i] for i in everything.cut(row.text))
    words = sorted(keep)
    vectors = all_vectors[[han[w] for w in words]]
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    path = out or data_path(VECTORS_FILE)
    np.savez_compressed(path, words=np.frombuffer("\n".join(words).encode("utf-8"), dtype=np.uint8),
                        vectors=np.round(vectors * 127).astype(np.int8))
    return path, len(words)
