"""Keeping the fitted system classifier between processes, so warm() loads it instead of training.

A stored model is two files in one directory: ``classifier.npz`` (the arrays: IDF, coefficients,
intercepts, the specific-feature mask) and ``classifier.json`` (key, labels, vocabulary,
threshold, and the reviewers' corrections it was trained with). No pickle: both files are
data, safe to load from anywhere. The key is a hash of everything the fit depends on (the
training rows, the feature and fitting code, the hyper-parameters, jieba's version), so a
changed corpus, code or set of corrections never loads a stale model; it is trained again.

Where ``load_or_train`` looks, in order: the cache directory it is given (the application
passes its own, read by bot/config.py; none means no cache); the model shipped in ``nlp/data``
(trained on the corpus alone, rebuilt by ``python -m nlp build-model``); else it trains and
writes the cache, or keeps the model in memory when there is none or it cannot be written.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from nlp import classifier, corpus
from nlp.classifier import SystemModel
from nlp.corpus import Row, correction_row
from nlp.resources import DATA_DIR

SHIPPED_DIR = DATA_DIR
PACKAGE = Path(__file__).resolve().parent
ARRAYS, META = "classifier.npz", "classifier.json"
FORMAT = 1  # bump when the layout of the two files changes
# The code and data a fitted model depends on; editing any of them makes a new key.
_INPUTS = ("classifier.py", "features.py", "words.py", "text.py", "data/model.json", "data/userdict.txt",
           "data/system_terms.json")
_ARRAY_NAMES = ("idf", "coef", "intercept", "specific")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Stored:
    """A model read from disk with the key and the corrections it was trained with."""

    model: SystemModel
    key: str
    corrections: list[Row]


def model_key(rows: Iterable[Row]) -> str:
    """A hash of the training rows, the code and data that shape the fit, and jieba's version."""
    digest = hashlib.sha256(f"format {FORMAT}\njieba {metadata.version('jieba')}\n".encode())
    for name in _INPUTS:
        digest.update(name.encode() + b"\0" + (PACKAGE / name).read_bytes() + b"\0")
    for row in rows:
        digest.update(f"{row.text}\t{row.system}\n".encode())
    return digest.hexdigest()


def _write_atomically(path: Path, write: Callable[[Path], object]) -> None:
    """Write through a temporary file and rename, so readers never see half a file."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write(temporary)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _write_arrays(path: Path, arrays: dict[str, object]) -> None:
    """An .npz with fixed timestamps, so building twice gives the same bytes."""
    import numpy as np

    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, array in arrays.items():
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(info, "w") as handle:
                np.lib.format.write_array(handle, np.asarray(array), allow_pickle=False)


def save(model: SystemModel, directory: Path, key: str, corrections: Iterable[Row] = ()) -> None:
    """Write the model's arrays and metadata (raises OSError when the directory is not writable)."""
    import numpy as np

    directory.mkdir(parents=True, exist_ok=True)
    arrays = {name: getattr(model, name) for name in _ARRAY_NAMES}
    arrays["key"] = np.array(key)
    meta = {
        "format": FORMAT, "key": key, "labels": model.labels, "unsure_below": model.unsure_below,
        "corrections": [[r.text, r.system] for r in corrections],
        "versions": {p: metadata.version(p) for p in ("jieba", "scikit-learn", "numpy")},
        "vocabulary": dict(sorted(model.vocabulary.items(), key=lambda kv: kv[1])),
    }
    text = json.dumps(meta, ensure_ascii=False, indent=0, sort_keys=False) + "\n"
    # Arrays first, metadata last: a reader checks that both carry the same key.
    _write_atomically(directory / ARRAYS, lambda p: _write_arrays(p, arrays))
    _write_atomically(directory / META, lambda p: p.write_text(text, encoding="utf-8"))


def read(directory: Path) -> Stored | None:
    """The model stored in a directory, or None when absent, unreadable or half-written."""
    import numpy as np

    try:
        meta = json.loads((directory / META).read_text(encoding="utf-8"))
        with np.load(directory / ARRAYS, allow_pickle=False) as data:
            arrays = {name: data[name] for name in (*_ARRAY_NAMES, "key")}
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        if (directory / META).exists():
            log.warning("ignoring the stored classifier in %s: %s", directory, exc)
        return None
    if meta.get("format") != FORMAT or str(arrays.pop("key")) != meta.get("key"):
        return None
    model = SystemModel(labels=meta["labels"], vocabulary=meta["vocabulary"],
                        unsure_below=meta["unsure_below"], **arrays)
    return Stored(model, meta["key"], [correction_row(t, s) for t, s in meta["corrections"]])


def load_or_train(directory: Path | None) -> Stored:
    """The classifier for the corpus plus the corrections stored in directory: loaded when current, else trained.

    `directory` None means no cache: the shipped model, or one trained now and kept in memory.
    """
    cached = read(directory) if directory is not None else None
    corrections = cached.corrections if cached else []
    rows = corpus.training_rows() + corrections
    key = model_key(rows)
    if cached and cached.key == key:
        log.info("system classifier loaded from %s", directory)
        return cached
    if not corrections:
        shipped = read(SHIPPED_DIR)
        if shipped and shipped.key == key:
            log.info("system classifier loaded from %s", SHIPPED_DIR)
            return shipped
    log.info("training the system classifier (%d corrections)", len(corrections))
    fresh = Stored(classifier.fit(rows), key, corrections)
    if directory is not None:
        keep(fresh, directory)
    return fresh


def keep(stored: Stored, directory: Path) -> bool:
    """Save to the cache if the directory can be written; otherwise the model stays in memory."""
    try:
        save(stored.model, directory, stored.key, stored.corrections)
    except OSError as exc:
        log.warning("cannot write the classifier cache in %s (%s); kept in memory only", directory, exc)
        return False
    return True
