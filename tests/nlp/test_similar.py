"""Similar projects: precision and recall at the chat's threshold over labelled pairs, real and written."""

from __future__ import annotations

import csv

import pytest

from nlp import SIMILAR_THRESHOLD, ProjectIndex, SimilarIndex
from tests.nlp.conftest import HERE, made_negatives


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
    assert real_precision >= 0.9 and real_recall >= 0.9  # 0.955 with the meaning score (0.682 by characters alone)


def test_fresh_real_pairs_precision(similar_pairs_fresh: list[dict[str, str]]) -> None:
    """Real pairs gathered after the threshold was chosen (issue 14), never used to choose a setting.

    30 "same" pairs are a real title and the sentence describing the same project on its page,
    12 "different" pairs are two real titles sharing words. The figures are what the settings
    chosen on similar_pairs.tsv give here (bench/nlp.md): precision 0.923, recall 0.400 — the
    target recall 0.7 is not met; many descriptions name the problem, not the device.
    """
    assert len(similar_pairs_fresh) >= 40
    assert all(p["source"].startswith(("http", "nlp/data/real_titles.tsv")) for p in similar_pairs_fresh)
    precision, recall = _precision_recall(similar_pairs_fresh)
    print(f"fresh {len(similar_pairs_fresh)}: precision {precision:.3f} recall {recall:.3f}")
    assert precision >= 0.9
    assert recall >= 0.35  # 0.267 by characters alone: 煤仓疏通清堵机 and 拐弯皮带装置, now also 修复组装矿灯, 风水混合喷雾


def test_descriptions_of_other_projects_rarely_warn(similar_pairs: list[dict[str, str]],
                                                      similar_pairs_fresh: list[dict[str, str]]) -> None:
    """Long real texts of different projects (a title against its page-mates' descriptions, description
    against description) seldom reach the threshold: a meaning score finds something near in any long text."""
    pairs = made_negatives(similar_pairs) + made_negatives(similar_pairs_fresh)
    assert len(pairs) >= 140
    alarms = [(a, b[:20]) for a, b in pairs if (SimilarIndex([("b", b)]).search(a) or [("", 0.0)])[0][1] >= SIMILAR_THRESHOLD]
    print(f"made negatives: {len(alarms)} alarms of {len(pairs)}", alarms)
    assert len(alarms) <= 2  # 1 of 145 (a fresh title against another description of its page)


def test_each_real_title_finds_its_own_description_among_all() -> None:
    """In one index of the 22 real descriptions of similar_pairs.tsv, each real title's own comes first,
    and nearly all above the threshold although most share only a few characters with it."""
    with (HERE / "similar_pairs.tsv").open(encoding="utf-8") as handle:
        same = [r for r in csv.DictReader(handle, delimiter="\t") if r["same"] == "1" and r["source"].startswith("http")]
    index = SimilarIndex([(str(i), r["b"]) for i, r in enumerate(same)])
    hits = [index.search(r["a"], limit=1)[0] for r in same]
    assert [key for key, _ in hits] == [str(i) for i in range(len(same))]
    assert sum(score >= SIMILAR_THRESHOLD for _, score in hits) >= len(same) - 2  # 21 of 22


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


def test_shipped_word_vectors_are_small_and_match_their_settings() -> None:
    """nlp/data/word_vectors.npz (python -m nlp build-vectors) holds NEIGHBOURS words per word, nearest first."""
    from nlp import vectors
    from nlp.resources import data_path

    words = vectors.load()
    assert data_path(vectors.VECTORS_FILE).stat().st_size < 4_000_000
    assert words.neighbours.shape == (len(words.words), vectors.NEIGHBOURS) and len(words.words) > 30_000
    assert (words.cosines[:, :-1] >= words.cosines[:, 1:]).all()  # nearest first
    assert ((words.cosines >= vectors.MIN_COSINE) | (words.neighbours < 0)).all()
    near = words.near(vectors.NEIGHBOURS, vectors.MIN_COSINE)
    assert abs(near - near.T).max() == 0 and (near.diagonal() == 1.0).all()


def test_a_text_is_cut_into_known_words() -> None:
    """Forward maximum matching: the longest known word first; characters no word covers are skipped."""
    from nlp import vectors

    words = vectors.load()
    cut = [words.words[i] for i in words.cut("胶带输送机 ZDY-4000")]
    assert cut and "".join(cut) in "胶带输送机" and max(len(w) for w in cut) >= 2
    assert words.cut("") == [] and words.cut("ABC 123") == []



def _flags(pairs: list[dict[str, str]], a: str, b: str, threshold: float) -> tuple[int, int, float]:
    """Warnings, false alarms and recall of "warn at threshold", side a indexed as the format `a`, side b as `b`."""
    flagged, wrong, found = 0, 0, 0
    for pair in pairs:
        hits = SimilarIndex([("b", b.format(**pair))]).search(a.format(**pair))
        if (hits[0][1] if hits else 0.0) >= threshold:
            flagged += 1
            wrong += pair["same"] != "1"
            found += pair["same"] == "1"
    return flagged, wrong, found / max(sum(p["same"] == "1" for p in pairs), 1)


def _report(label: str, flags: tuple[int, int, float]) -> str:
    """One printed line: precision (n/a when nothing warns) and recall."""
    flagged, wrong, recall = flags
    precision = f"{(flagged - wrong) / flagged:.3f}" if flagged else "n/a (no warning)"
    return f"{label}: {flagged} warnings, precision {precision}, recall {recall:.3f}"


WHOLE = "{a_title} {a_text}", "{b_title} {b_text}"  # what the chat indexes: f"{title} {text}" on both sides


def _project_flags(pairs: list[dict[str, str]], threshold: float) -> tuple[int, int, float]:
    """Warnings, false alarms and recall of the chat's comparison (nlp.ProjectIndex: title and description on each side)."""
    flagged, wrong, found = 0, 0, 0
    for pair in pairs:
        index = ProjectIndex()
        index.add("b", pair["b_title"], pair["b_text"])
        hits = index.search(pair["a_title"], pair["a_text"], 1)
        if (hits[0][1] if hits else 0.0) >= threshold:
            flagged += 1
            wrong += pair["same"] != "1"
            found += pair["same"] == "1"
    return flagged, wrong, found / max(sum(p["same"] == "1" for p in pairs), 1)


def test_whole_project_dev_pairs_as_the_chat_compares(similar_pairs_whole_dev: list[dict[str, str]]) -> None:
    """The tuning pairs of whole projects (111 real, 40 the same idea), compared as the chat compares two projects.

    The comparison (each title found in the other's whole text) was chosen on this file with the two files of
    title-against-description pairs; the threshold 0.65 stays the best recall at precision >= 0.9 over all three
    (278 pairs: 0.931 / 0.648). Here alone it gives precision 0.842, recall 0.400: many of this file's different
    pairs are the same machine with another improvement. Comparing the two whole texts, as before, gave 1 warning (recall 0.025).
    """
    for threshold in (0.60, SIMILAR_THRESHOLD, 0.70):
        print(_report(f"dev whole projects {threshold:.2f}", _project_flags(similar_pairs_whole_dev, threshold)))
    flagged, wrong, recall = _project_flags(similar_pairs_whole_dev, SIMILAR_THRESHOLD)
    assert wrong <= 0.2 * flagged and recall >= 0.37  # measured 0.842 / 0.400 (19 warnings, 3 false)
    whole_texts = _flags(similar_pairs_whole_dev, *WHOLE, SIMILAR_THRESHOLD)
    assert whole_texts[2] < recall  # the whole texts against each other miss what the titles find


def test_whole_project_pairs_as_the_chat_compares(similar_pairs_whole: list[dict[str, str]]) -> None:
    """Blind real pairs of whole projects, title + description on both sides as the chat indexes them (issue 14).

    Gathered and labelled by reading (bench/nlp.md), committed before any score was measured, never used to
    choose a setting. The brief asked for >= 80 pairs, >= 50 of them the same idea; the file holds 63 (26 / 37).
    Measured once, after the comparison and threshold were chosen on the tuning files: precision 0.923, recall
    0.462 at 0.65 (the whole texts against each other, as the chat compared before: no warning at all).
    """
    pairs = similar_pairs_whole
    assert len(pairs) >= 60
    assert sum(p["same"] == "1" for p in pairs) >= 25 and sum(p["same"] == "0" for p in pairs) >= 30
    assert all(p["source_a"].startswith("http") and p["source_b"].startswith("http") for p in pairs)
    assert all(p["a_title"] and p["a_text"] and p["b_title"] and p["b_text"] for p in pairs)
    for threshold in (0.55, 0.60, SIMILAR_THRESHOLD, 0.70):  # printed for the team, chosen on nothing
        print(_report(f"blind whole projects {threshold:.2f}", _project_flags(pairs, threshold)))
    print(_report("whole text vs whole text", _flags(pairs, *WHOLE, SIMILAR_THRESHOLD)))
    print(_report("title vs title", _flags(pairs, "{a_title}", "{b_title}", SIMILAR_THRESHOLD)))
    flagged, wrong, recall = _project_flags(pairs, SIMILAR_THRESHOLD)
    assert wrong <= 0.1 * flagged and recall >= 0.43  # measured 0.923 / 0.462 (13 warnings, 1 false)


@pytest.mark.xfail(strict=True, reason="issue 14 item 4 not met on whole projects: recall 0.462 at 0.65")
def test_whole_project_pairs_meet_issue_14(similar_pairs_whole: list[dict[str, str]]) -> None:
    """Issue 14's target on the blind whole-project pairs: precision >= 0.9 and recall >= 0.7 at the chat's threshold.

    Strict: when a change meets it, this test fails as XPASS so the marker is removed and the figures updated.
    """
    flagged, wrong, recall = _project_flags(similar_pairs_whole, SIMILAR_THRESHOLD)
    assert flagged and wrong <= 0.1 * flagged and recall >= 0.7


def test_whole_project_dev_pairs_shape(similar_pairs_whole_dev: list[dict[str, str]],
                                       similar_pairs_whole: list[dict[str, str]]) -> None:
    """The tuning set of whole-project pairs has the size the lead asked for (>= 80 pairs, >= 40 of each kind),
    both sides whole and from a public page, and no page of the blind set, so that a setting chosen on it
    is checked by pages it never saw. Shape only: the lead writes the scoring test."""
    pairs = similar_pairs_whole_dev
    same = sum(p["same"] == "1" for p in pairs)
    assert len(pairs) >= 80 and same >= 40 and len(pairs) - same >= 40
    assert all(p["same"] in ("0", "1") for p in pairs)
    assert all(p["a_title"] and p["a_text"] and p["b_title"] and p["b_text"] for p in pairs)
    assert all(p["source_a"].startswith("http") and p["source_b"].startswith("http") for p in pairs)
    blind = {p[side] for p in similar_pairs_whole for side in ("source_a", "source_b")}
    assert not blind & {p[side] for p in pairs for side in ("source_a", "source_b")}
    assert len({(p["a_text"], p["b_text"]) for p in pairs}) == len(pairs)


def test_two_projects_are_compared_title_against_the_other_whole_text() -> None:
    """An interlock written up at another mine warns; an alarm on the same door, sharing its words, does not
    (texts written for this test, in the way the whole-project pairs read)."""
    index = ProjectIndex()
    index.add("1", "风门闭锁装置", "两道风门同时打开会造成风流短路，加装闭锁后一道风门打开时另一道打不开")
    index.add("2", "皮带机清扫器改进", "皮带回程粘煤多，清扫器改成弹簧压紧的合金刮板")
    same = index.search("自动感应闭锁风门", "行人经过时风门自动开关，两道风门互相闭锁，不会同时打开")
    assert same[0][0] == "1" and same[0][1] >= SIMILAR_THRESHOLD
    other = index.search("风门声光报警装置", "风门没有关好时发出声光报警，提醒行人关门")
    assert other[0][0] == "1" and other[0][1] < SIMILAR_THRESHOLD
    assert index.search("风门闭锁装置")[0] == ("1", 1.0)  # a title alone is its own whole text
    index.add("1", "托辊快速更换工具")  # re-added: replaced in both, not listed twice
    assert len(index) == 2 and index.search("风门闭锁装置")[0][1] < SIMILAR_THRESHOLD
    assert ProjectIndex().search("风门") == [] and index.search("", "") == []


def test_projects_added_while_others_search_stay_one_row_each() -> None:
    """On deadline day replies search while other workers' projects are added: no search sees a project
    in one of the two indexes and not yet in the other (it raised, and the worker's reply failed)."""
    import threading

    index = ProjectIndex()
    index.add("0", "风门闭锁装置", "两道风门互相闭锁")
    errors: list[BaseException] = []

    def add_many() -> None:
        for i in range(1, 300):
            index.add(str(i), f"皮带机清扫器改进{i}", "回程皮带粘煤，改成弹簧压紧的刮板")

    def search_many() -> None:
        try:
            for _ in range(300):
                index.search("风门闭锁装置", "两道风门同时打开")
        except BaseException as error:  # noqa: BLE001 - any failure of a search is what the test looks for
            errors.append(error)

    threads = [threading.Thread(target=add_many), threading.Thread(target=search_many)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(index) == 300
    assert index.search("风门闭锁装置")[0] == ("0", 1.0)
