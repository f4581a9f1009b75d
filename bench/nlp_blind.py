"""The dev-file figures without the domain terms written after reading the dev file's misses.

Run: .venv/bin/python bench/nlp_blind.py
The 29 terms are listed under "_after_reading_dev" in nlp/data/system_terms.json. This
script drops them from the term features of this process only and prints the same real-title
figures as `python -m nlp eval`, so the optimism of the dev figure can be read off. See
bench/nlp.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nlp import evaluation, features
from nlp.resources import read_json


def main() -> None:
    """Prune the terms, then measure."""
    seen = set(read_json("system_terms.json")["_after_reading_dev"])
    pruned = {ch: tuple(p for p in pairs if p[0] not in seen) for ch, pairs in features._terms().items()}
    features._terms = lambda: pruned  # type: ignore[assignment]  # this process only: a measurement
    for name, scores in evaluation.real_figures().items():
        sys.stdout.write(evaluation.format_scores(f"{name} (terms written blind)", scores) + "\n")


if __name__ == "__main__":
    main()
