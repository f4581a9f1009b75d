"""The one place that holds loaded state: the jieba tokenizer and the system classifier.

Nothing is loaded at import time. ``warm()`` (called by the gateway at worker start, in a
background thread) loads both once per process; any function that needs them before warm
finishes simply loads them itself, and a lock makes sure two threads never load twice.

Where the classifier comes from is ``nlp/store.py``'s business: the cache directory
(``$NLP_MODEL_DIR`` or ``instance/nlp-model``), the model shipped in ``nlp/data``, or
training from ``nlp/data/corpus.tsv`` when neither matches the current corpus and code.
"""

from __future__ import annotations

import logging
import threading
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nlp.classifier import SystemModel

DATA_DIR = Path(__file__).resolve().parent / "data"
USER_DICT = DATA_DIR / "userdict.txt"

log = logging.getLogger(__name__)


class Runtime:
    """Lazily loaded tokenizer and classifier, shared by every thread of a process."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._tokenizer: Any = None
        self._model: SystemModel | None = None

    @property
    def tokenizer(self) -> Any:
        """The jieba tokenizer with the domain user dictionary loaded."""
        if self._tokenizer is None:
            with self._lock:
                if self._tokenizer is None:
                    self._tokenizer = _load_tokenizer()
        return self._tokenizer

    @property
    def model(self) -> SystemModel:
        """The trained system classifier (loaded from a stored model or trained now)."""
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = _load_model()
        return self._model

    def set_model(self, model: SystemModel) -> None:
        """Replace the classifier (used after retraining and by tests)."""
        with self._lock:
            self._model = model

    def warm(self) -> None:
        """Load the tokenizer and the classifier now."""
        _ = self.tokenizer
        _ = self.model


def _load_tokenizer() -> Any:
    """Import jieba quietly (it warns under some Pythons) and load the user dictionary."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import jieba

        jieba.setLogLevel(logging.WARNING)
        tokenizer = jieba.Tokenizer()
        tokenizer.initialize()
        tokenizer.load_userdict(str(USER_DICT))
    return tokenizer


def _load_model() -> SystemModel:
    """The stored model when it matches the corpus, corrections and code; else one trained now."""
    from nlp import store

    return store.load_or_train().model


RUNTIME = Runtime()


def warm() -> None:
    """Load the jieba dictionary and the classifier once per process."""
    RUNTIME.warm()
