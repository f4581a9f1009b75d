"""The similar-projects index grown one add at a time scores exactly as one whole build of the same texts."""

from __future__ import annotations

import random
import threading

import pytest

from nlp import SimilarIndex, corpus, similar
from tests.nlp.similar_reference import whole_build_scores

TOLERANCE = 1e-9


@pytest.fixture(scope="module")
def pool(similar_pairs: list[dict[str, str]], similar_pairs_fresh: list[dict[str, str]]) -> list[str]:
    """Real and corpus texts: titles, real description sentences, titles with descriptions, and model codes."""
    rng = random.Random(7)
    titles = rng.sample([r.text for r in corpus.load()], 150)
    sentences = sorted({p["b"] for p in similar_pairs + similar_pairs_fresh if p["source"] != "written"})
    longer = [f"{rng.choice(titles)} {rng.choice(sentences)}" for _ in range(40)]
    odd = ["ZDY-4000型支架 护帮板", "鼷鼱防护网", "皮带", "", "1234", "KBZ-630馈电开关远程复位"]  # grams and words no text had
    return titles + sentences + longer + odd


def _live_scores(index: SimilarIndex, query: str) -> dict[str, float]:
    """The index's score of each current text (a key's last row), checking that replaced texts' rows score 0."""
    keys, scores = index.scores(query)
    latest = {key: row for row, key in enumerate(keys)}
    assert all(scores[row] == 0 for row, key in enumerate(keys) if latest[key] != row)
    return {key: float(scores[row]) for key, row in latest.items()}


def _assert_same(index: SimilarIndex, items: dict[str, str], query: str) -> None:
    """Every score of the index equals the whole build's to 1e-9, and search lists the whole build's best."""
    expected = {key: min(score, 1.0) for key, score in whole_build_scores(items, query).items()}  # as scores() clips
    got = _live_scores(index, query) if expected else {}
    assert got.keys() == expected.keys()
    worst = max((abs(got[k] - expected[k]) for k in expected), default=0.0)
    assert worst <= TOLERANCE, (query, worst)
    best = sorted((round(s, 4) for s in expected.values() if s > 0), reverse=True)[:5]
    assert [score for _, score in index.search(query)] == best


def test_interleaved_adds_replacements_and_searches_score_as_a_whole_build(pool: list[str], monkeypatch) -> None:
    """New keys, re-added keys, batches and searches in a seeded random order; after each search every score is compared."""
    monkeypatch.setattr(similar, "_CHUNK", 7)  # a batch goes in several bulk steps, a key replaced across them
    rng, index, items = random.Random(11), SimilarIndex(), {}
    searches = 0
    for step in range(600):
        roll = rng.random()
        if roll < 0.55 or not items:
            key = f"p{step}"
            items[key] = rng.choice(pool)
            index.add(key, items[key])
        elif roll < 0.85:
            key = rng.choice(sorted(items))
            items[key] = rng.choice(pool)  # sometimes the same text again: still a replacement
            index.add(key, items[key])
        elif roll < 0.97 or step < 100:
            _assert_same(index, items, rng.choice(pool))
            searches += 1
        else:  # a batch of 80 (new keys, earlier ones, some twice): the words' recent block is merged
            keys = [rng.choice([f"b{step}-{i % 3}", f"b{step}-{i % 60}", rng.choice(sorted(items))]) for i in range(80)]
            batch = [(key, rng.choice(pool)) for key in keys]
            items.update(batch)
            index.add_all(batch)
    assert len(index) == len(items) and searches >= 50
    for query in rng.sample(pool, 10):
        _assert_same(index, items, query)


def test_many_replacements_of_few_projects_drop_dead_rows_and_keep_scores(pool: list[str]) -> None:
    """Twelve projects edited 300 times: the replaced rows are dropped at some point, scores never change meaning."""
    rng, index = random.Random(3), SimilarIndex()
    items = {f"k{i}": rng.choice(pool) for i in range(12)}
    for key, text in items.items():
        index.add(key, text)
    most_rows = 0
    for step in range(300):
        key = rng.choice(sorted(items))
        items[key] = rng.choice(pool)
        index.add(key, items[key])
        most_rows = max(most_rows, len(index.scores("皮带")[0]))
        if step % 37 == 0:
            _assert_same(index, items, rng.choice(pool))
    assert len(index) == 12 and most_rows < 100  # without dropping them the index would hold 312 rows
    _assert_same(index, items, "液压支架护帮板快速更换工具")


def test_searches_while_another_thread_adds(pool: list[str]) -> None:
    """A search during adds answers from a consistent index; afterwards every score is the whole build's."""
    index, items = SimilarIndex([("first", pool[0])]), {"first": pool[0]}
    texts = {f"t{i}": pool[(i * 7) % len(pool)] for i in range(300)}
    errors: list[BaseException] = []

    def add_all() -> None:
        """Add every text, some twice."""
        try:
            for i, (key, text) in enumerate(texts.items()):
                index.add(key, text)
                if i % 5 == 0:
                    index.add(key, text)
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    adder = threading.Thread(target=add_all)
    adder.start()
    seen = 0
    while adder.is_alive() or seen == 0:
        hits = index.search(pool[1], limit=3)
        assert all(key == "first" or key in texts for key, _ in hits) and all(0 < s <= 1 for _, s in hits)
        seen += 1
    adder.join()
    items.update(texts)
    assert errors == [] and seen > 1
    _assert_same(index, items, pool[1])


def test_an_index_of_texts_without_words_or_grams() -> None:
    """Texts with nothing to compare score 0 against everything; a text added later is still found."""
    index = SimilarIndex([("empty", ""), ("digits", "1234")])
    assert index.search("皮带机清扫器") == []
    index.add("belt", "皮带机清扫器改进")
    assert [key for key, _ in index.search("皮带机清扫器")] == ["belt"]
    _assert_same(index, {"empty": "", "digits": "1234", "belt": "皮带机清扫器改进"}, "皮带机清扫器")
