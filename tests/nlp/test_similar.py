"""Similar projects: precision and recall at the chat's threshold over labelled pairs, real and written."""

from __future__ import annotations

from nlp import SIMILAR_THRESHOLD, SimilarIndex


def _precision_recall(pairs: list[dict[str, str]]) -> tuple[float, float]:
    """Precision and recall of "warn at SIMILAR_THRESHOLD" over labelled pairs (each pair in its own index)."""
    flagged, right, same = 0, 0, 0
    for pair in pairs:
        hits = SimilarIndex([("b", pair["b"])]).search(pair["a"])
        score = hits[0][1] if hits else 0.0
        same += pair["same"] == "1"
        if score >= SIMILAR_THRESHOLD:
            flagged += 1
            right += pair["same"] == "1"
            if pair["same"] != "1":
                print("false alarm:", pair["a"], "|", pair["b"], score)
        elif pair["same"] == "1":
            print("missed:", pair["a"], "|", pair["b"][:30], score)
    return right / max(flagged, 1), right / max(same, 1)


def test_pairs_precision_and_recall_at_threshold(similar_pairs: list[dict[str, str]]) -> None:
    """≥ 100 pairs, real and written; at the chat's threshold precision ≥ 0.9 and recall ≥ 0.7."""
    assert len(similar_pairs) >= 100
    real = [p for p in similar_pairs if p["source"] != "written"]
    assert len(real) >= 50 and {p["same"] for p in real} == {"0", "1"}
    precision, recall = _precision_recall(similar_pairs)
    real_precision, real_recall = _precision_recall(real)
    print(f"all {len(similar_pairs)}: precision {precision:.3f} recall {recall:.3f}; "
          f"real {len(real)}: precision {real_precision:.3f} recall {real_recall:.3f}")
    assert precision >= 0.9 and recall >= 0.7
    assert real_precision >= 0.9 and real_recall >= 0.6


def test_fresh_real_pairs_raise_no_false_alarm(similar_pairs_fresh: list[dict[str, str]]) -> None:
    """Real pairs gathered after the threshold was chosen (issue 14): no false alarm; recall printed, not tuned.

    30 "same" pairs are a real title and the sentence describing the same project on its page,
    12 "different" pairs are two real titles sharing words. Recall on them is measured at first
    try and stays what it is (bench/nlp.md): most descriptions name the problem, not the device.
    """
    assert len(similar_pairs_fresh) >= 40
    assert all(p["source"].startswith(("http", "nlp/data/real_titles.tsv")) for p in similar_pairs_fresh)
    precision, recall = _precision_recall(similar_pairs_fresh)
    print(f"fresh {len(similar_pairs_fresh)}: precision {precision:.3f} recall {recall:.3f}")
    assert precision >= 0.9
    assert recall > 0.2  # the device named in both texts is found (煤仓疏通清堵机, 拐弯皮带装置, 阳光晾晒房)


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
