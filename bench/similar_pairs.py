"""Similar projects over the labelled pairs: precision and recall per threshold, and the pairs made from them.

    .venv/bin/python bench/similar_pairs.py [--floors 0.4,0.5,0.6]

Settings (``SIMILAR_WORDS``, ``THRESHOLD``) are chosen on ``tests/nlp/similar_pairs.tsv`` and on
"made" negatives built from its real pairs only: each real title against the descriptions of the
*other* projects of its page, and each description against two descriptions from other pages
(different projects by construction). ``tests/nlp/similar_pairs_fresh.tsv`` is printed beside,
never used to choose. Each pair is scored in its own index, as the tests do.
"""
from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from nlp import similar  # noqa: E402
from tests.nlp.conftest import made_negatives  # noqa: E402  (the tests' own made pairs)

TESTS = Path(__file__).resolve().parent.parent / "tests" / "nlp"


def pairs(name: str) -> list[dict[str, str]]:
    """The rows of one pairs file."""
    with open(TESTS / name, encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def score(a: str, b: str) -> float:
    """The index's score of a against b alone."""
    hits = similar.SimilarIndex([("b", b)]).search(a)
    return hits[0][1] if hits else 0.0


def precision_recall(scores: np.ndarray, same: np.ndarray, threshold: float) -> str:
    """"precision / recall" of warning at threshold."""
    flagged = scores >= threshold
    right = int((flagged & same).sum())
    return f"{right / max(int(flagged.sum()), 1):.3f} / {right / max(int(same.sum()), 1):.3f}"


def main() -> None:
    """Print one table per word-vector floor."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--floors", default=str(similar.SIMILAR_WORDS))
    parser.add_argument("--min-word", type=int, default=similar.MIN_WORD)
    parser.add_argument("--nearest", type=int, default=similar.NEAREST)
    parser.add_argument("--thresholds", default="0.55,0.6,0.65,0.7,0.75,0.8")
    args = parser.parse_args()
    tune, fresh = pairs("similar_pairs.tsv"), pairs("similar_pairs_fresh.tsv")
    negatives = made_negatives(tune)
    fresh_negatives = made_negatives(fresh)
    similar.MIN_WORD, similar.NEAREST = args.min_word, args.nearest
    for floor in [float(x) for x in args.floors.split(",")]:
        similar.SIMILAR_WORDS = floor
        similar._near.cache_clear()
        t = np.array([score(p["a"], p["b"]) for p in tune])
        ts = np.array([p["same"] == "1" for p in tune])
        real = np.array([p["source"] != "written" for p in tune])
        f = np.array([score(p["a"], p["b"]) for p in fresh])
        fs = np.array([p["same"] == "1" for p in fresh])
        n = np.array([score(a, b) for a, b in negatives])
        fn = np.array([score(a, b) for a, b in fresh_negatives])
        print(f"\nword floor {floor}, words of {similar.MIN_WORD}+ characters match others, nearest {similar.NEAREST}: made negatives {len(n)} (tune) max {n.max():.2f}, {len(fn)} (fresh) max {fn.max():.2f}")
        print("| threshold | all 125 | real 58 | written 67 | made negatives: alarms | **fresh 42 (blind)** | all 100 real | fresh made negatives |")
        print("|---|---|---|---|---|---|---|---|")
        for th in [float(x) for x in args.thresholds.split(",")]:
            all_real = np.r_[t[real], f], np.r_[ts[real], fs]
            print(f"| {th:.2f} | {precision_recall(t, ts, th)} | {precision_recall(t[real], ts[real], th)} | "
                  f"{precision_recall(t[~real], ts[~real], th)} | {int((n >= th).sum())} of {len(n)} | "
                  f"{precision_recall(f, fs, th)} | {precision_recall(*all_real, th)} | {int((fn >= th).sum())} of {len(fn)} |")


if __name__ == "__main__":
    main()
