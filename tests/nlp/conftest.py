"""Fixtures for the nlp tests: one trained classifier per test session."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def _read(name: str) -> list[dict[str, str]]:
    """Rows of a TSV table stored next to the tests."""
    with (HERE / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


@pytest.fixture(scope="session")
def benefit_cases() -> list[dict[str, str]]:
    """tests/nlp/benefit_cases.tsv (written for this project): text, low, high, period, approximate, kind."""
    return _read("benefit_cases.tsv")


@pytest.fixture(scope="session")
def benefit_real() -> list[dict[str, str]]:
    """tests/nlp/benefit_real.tsv: sentences from public pages, with the expected benefit and the source."""
    return _read("benefit_real.tsv")


@pytest.fixture(scope="session")
def intent_cases() -> list[dict[str, str]]:
    """tests/nlp/intent_cases.tsv: text, intent, slots (a=1;b=2)."""
    return _read("intent_cases.tsv")


@pytest.fixture(scope="session")
def similar_pairs() -> list[dict[str, str]]:
    """tests/nlp/similar_pairs.tsv: a, b, same (1 or 0), source ("written", or the public pages of a real pair)."""
    return _read("similar_pairs.tsv")


@pytest.fixture(scope="session")
def similar_pairs_fresh() -> list[dict[str, str]]:
    """tests/nlp/similar_pairs_fresh.tsv: 42 real pairs gathered after the threshold was set, scored untouched."""
    return _read("similar_pairs_fresh.tsv")


@pytest.fixture(scope="session")
def similar_pairs_whole() -> list[dict[str, str]]:
    """tests/nlp/similar_pairs_whole.tsv: blind real pairs of whole projects (a_title, a_text, b_title, b_text, same,
    source_a, source_b, note), fixed before any score was measured; never used to choose a setting."""
    return _read("similar_pairs_whole.tsv")


@pytest.fixture(scope="session")
def similar_pairs_whole_dev() -> list[dict[str, str]]:
    """tests/nlp/similar_pairs_whole_dev.tsv: 111 real pairs of whole projects (40 same, 71 different), the blind
    file's columns, from other pages; the set to choose settings on, so that similar_pairs_whole.tsv stays blind."""
    return _read("similar_pairs_whole_dev.tsv")


def made_negatives(pairs: list[dict[str, str]]) -> list[tuple[str, str]]:
    """Different projects made from the real "same" pairs: each title against the descriptions of the other
    projects of its page, and each description against two descriptions from other pages (seeded)."""
    import random
    from collections import defaultdict

    same = [p for p in pairs if p["same"] == "1" and p["source"].startswith("http")]
    by_page: dict[str, list[dict[str, str]]] = defaultdict(list)
    for p in same:
        by_page[p["source"]].append(p)
    rng, out = random.Random(0), []
    for p in same:
        out += [(p["a"], q["b"]) for q in by_page[p["source"]] if q is not p and q["a"] != p["a"]]
        out += [(p["b"], q["b"]) for q in rng.sample(same, 2) if q["source"] != p["source"]]
    return out


@pytest.fixture(scope="session")
def model(tmp_path_factory: pytest.TempPathFactory):
    """The classifier for the shipped corpus, without any corrections a developer retrained in.

    An empty cache directory makes it the model shipped in nlp/data (or one trained now when
    that is stale), whatever instance/nlp-model holds.
    """
    from nlp import store
    from nlp.runtime import RUNTIME

    RUNTIME.set_model(store.load_or_train(tmp_path_factory.mktemp("nlp-model")).model)
    return RUNTIME.model


@pytest.fixture()
def model_dir(tmp_path: Path, model) -> Iterator[Path]:
    """An empty cache directory made the process's for this test; the classifier is put back afterwards."""
    from nlp.runtime import RUNTIME

    directory, before = tmp_path / "nlp-model", RUNTIME.model_dir
    RUNTIME.configure(directory)
    yield directory
    RUNTIME.configure(before)
    RUNTIME.set_model(model)
