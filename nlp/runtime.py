"""The process's system classifier: loaded once, lazily, from the directory the application names.

Nothing is loaded at import time. ``warm()`` (called at worker start) loads the classifier
(and the jieba dictionary when the classifier's features use words); any function that needs them before that loads them itself,
and a lock makes sure two threads never load twice. Where the classifier comes from is
``nlp/store.py``'s business; which cache directory to use is the caller's (bot/config.py
reads it from the environment and passes it to ``configure``). Without one, the model
shipped in ``nlp/data`` is used (or trained and kept in memory when it is stale).
"""

from __future__ import annotations

import threading
from pathlib import Path

from nlp import store
from nlp.classifier import Classification, SystemModel
from nlp.resources import model_settings
from nlp.words import TOKENIZER


class Runtime:
    """The classifier shared by every thread of a process, and the cache directory it comes from."""

    def __init__(self, model_dir: Path | None = None) -> None:
        self._lock = threading.RLock()
        self._model: SystemModel | None = None
        self._model_dir = model_dir

    @property
    def model_dir(self) -> Path | None:
        """The cache directory of the classifier (None: the shipped model, no cache)."""
        return self._model_dir

    @property
    def model(self) -> SystemModel:
        """The trained system classifier (loaded from a stored model or trained now)."""
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = store.load_or_train(self._model_dir).model
        return self._model

    def configure(self, model_dir: Path | None) -> None:
        """Use this cache directory from now on; a model loaded from another one is dropped."""
        with self._lock:
            if model_dir != self._model_dir:
                self._model_dir, self._model = model_dir, None

    def set_model(self, model: SystemModel) -> None:
        """Replace the classifier (used after retraining and by tests)."""
        with self._lock:
            self._model = model


RUNTIME = Runtime()


def configure(model_dir: Path | None) -> None:
    """Name the directory that holds this process's retrained classifier (None: the shipped one)."""
    RUNTIME.configure(model_dir)


def warm(model_dir: Path | None = None) -> None:
    """Load the classifier now (from model_dir when given), jieba when the classifier uses words, and the word vectors."""
    from nlp import similar

    if model_dir is not None:
        configure(model_dir)
    if model_settings().get("words", True):
        TOKENIZER.get()
    _ = RUNTIME.model
    similar.warm()


def classify(text: str) -> Classification:
    """Classify a project text into one of the systems (system None when unsure)."""
    return RUNTIME.model.classify(text)
