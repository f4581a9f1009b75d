"""Similar projects: precision at the chat's threshold over labelled pairs."""

from __future__ import annotations

from nlp import SIMILAR_THRESHOLD, SimilarIndex


def test_pairs_precision_at_threshold(similar_pairs: list[dict[str, str]]) -> None:
    """At least 60 pairs; of pairs scored at or above THRESHOLD, ≥90% are the same idea."""
    assert len(similar_pairs) >= 60
    flagged, right, same = 0, 0, 0
    for pair in similar_pairs:
        index = SimilarIndex([("b", pair["b"])])
        hits = index.search(pair["a"])
        score = hits[0][1] if hits else 0.0
        same += pair["same"] == "1"
        if score >= SIMILAR_THRESHOLD:
            flagged += 1
            right += pair["same"] == "1"
            if pair["same"] != "1":
                print("false alarm:", pair["a"], "|", pair["b"], score)
    print(f"precision {right / flagged:.3f}, recall {right / same:.3f}")
    assert right / flagged >= 0.9
    assert right / same >= 0.5  # a detector that never warns would pass the first check


def test_search_ranks_the_same_idea_first() -> None:
    """Among many projects the reworded one comes first with a score in 0..1."""
    index = SimilarIndex()
    index.add("2026-0001", "液压支架护帮板快速更换工具")
    index.add("2026-0002", "皮带机清扫器改进")
    index.add("2026-0003", "带式输送机跑偏自动纠正装置")
    index.add("2026-0004", "职工食堂刷卡就餐系统")
    hits = index.search("胶带输送机防跑偏装置", limit=2)
    assert hits[0][0] == "2026-0003" and len(hits) == 2
    assert all(0.0 <= score <= 1.0 for _, score in hits)


def test_re_adding_a_key_replaces_its_text() -> None:
    """A project edited and re-added is not listed twice."""
    index = SimilarIndex([("k", "风门闭锁装置")])
    index.add("k", "托辊快速更换工具")
    assert len(index) == 1
    assert index.search("托辊更换工具")[0][0] == "k"
    assert index.search("风门闭锁") == [] or index.search("风门闭锁")[0][1] < SIMILAR_THRESHOLD


def test_empty_index_and_empty_text() -> None:
    """Nothing to compare gives no hits rather than an error."""
    assert SimilarIndex().search("皮带机") == []
    assert SimilarIndex([("a", "皮带机")]).search("") == []
