"""The similar-projects index beside another tree's, in one process: build, search, and the search after a change.

Run: taskset -c 0 .venv/bin/python bench/similar_update.py --against /tmp/main/nlp/similar.py
(`git archive main nlp | tar -x -C /tmp/main`). Both indexes use this tree's text features (grams,
words, word neighbours: the same files); only the index code differs. For 20,000 projects of titles and
of title + 2 real description sentences (as `bench/nlp_classify.py --similar-only` builds them), it
times in CPU seconds: the whole build (every add, or one `add_all` where the index has it, as the
warm-up calls it; then the first search), a plain search, and the
search right after one add (a new project) and after one replacement (an edited text) — the chat's
summary before "确认" is such a search. Each query runs on both indexes, in alternating order, and
the figures are medians. Last, each index is built once more under tracemalloc to say what it holds.
Figures and how to read them: bench/nlp.md ("Speed" of similar projects).
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nlp_classify import descriptions, held_mib, out, projects, titles  # noqa: E402  (the same projects and queries)

from nlp import similar  # noqa: E402


def load(path: Path) -> ModuleType:
    """Another tree's nlp/similar.py as a module of its own (it imports this tree's nlp for the features)."""
    spec = importlib.util.spec_from_file_location("similar_against", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cpu_ms(call: Callable[[], object]) -> float:
    """CPU milliseconds of one call."""
    start = time.process_time()
    call()
    return (time.process_time() - start) * 1000


def summary(values: list[float]) -> str:
    """Median and p95 of milliseconds."""
    values = sorted(values)
    return f"median {statistics.median(values):8.2f} ms, p95 {values[int(0.95 * (len(values) - 1))]:8.2f} ms"


def side_by_side(label: str, indexes: dict[str, Any], step: Callable[[Any, int], float], count: int) -> None:
    """Run step(index, i) count times on each index, alternating which goes first; one line each and the ratio."""
    times: dict[str, list[float]] = {name: [] for name in indexes}
    names = list(indexes)
    for i in range(count):
        for name in names if i % 2 == 0 else names[::-1]:
            times[name].append(step(indexes[name], i))
    for name in names:
        out(f"{label}: {name}", f"CPU {summary(times[name])} ({count})")
    first, last = (statistics.median(times[name]) for name in names)
    out(f"{label}: ratio {names[-1]} / {names[0]}", f"{last / first:.3f}")


def texts_of(n: int, queries: int, long: bool) -> tuple[list[tuple[str, str]], list[str], str]:
    """The projects, the queries and the name of their kind."""
    items, texts, kind = projects(n), titles(queries, seed=3), "titles"
    if long:
        rng, pool = random.Random(5), descriptions()
        items = [(k, f"{t} {rng.choice(pool)}{rng.choice(pool)}") for k, t in items]
        texts = [f"{t} {rng.choice(pool)}{rng.choice(pool)}" for t in texts]
        kind = "title + 2 descriptions"
    return items, texts, kind


def count(cls: type, n: int, queries: int, changes: int, long: bool) -> None:
    """Build one index, then only the searches (or changes + searches) inside eval(), for callgrind to count.

    valgrind --tool=callgrind --collect-atstart=no --toggle-collect=builtin_eval counts that eval alone."""
    items, texts, _ = texts_of(n, queries, long)
    index = cls(items)
    index.search("预热")
    if changes:
        eval("[(index.add(f'new-{i}', texts[-1 - i]), index.search(texts[i])) for i in range(changes)]",
             {"index": index, "texts": texts, "changes": changes})
    else:
        eval("[index.search(t) for t in texts]", {"index": index, "texts": texts})


def run(against: ModuleType, n: int, queries: int, changes: int, long: bool) -> None:
    """Every figure for one kind of text."""
    items, texts, kind = texts_of(n, queries, long)
    classes = {"main": against.SimilarIndex, "this": similar.SimilarIndex}
    indexes: dict[str, Any] = {}

    def build(index: Any, bulk: bool) -> None:
        """Add every project (in one call, as the warm-up does where the index can), then search once."""
        if bulk:
            index.add_all(items)
        for key, text in [] if bulk else items:
            index.add(key, text)
        index.search("预热")

    for name, cls in classes.items():
        for bulk in (False, True) if hasattr(cls, "add_all") else (False,):
            indexes[name] = cls()
            how = "add_all" if bulk else "one add each"
            out(f"{kind}: whole build of {n:,} ({how} + first search): {name}",
                f"CPU {cpu_ms(lambda: build(indexes[name], bulk)) / 1000:.2f} s")  # noqa: B023
    side_by_side(f"{kind}: plain search", indexes, lambda index, i: cpu_ms(lambda: index.search(texts[i])), queries)
    rng = random.Random(9)
    edited = [rng.choice(items)[0] for _ in range(changes)]
    for label, key in (("new project", lambda i: f"new-{i}"), ("replaced text", lambda i: edited[i])):
        adds: dict[str, list[float]] = {name: [] for name in indexes}

        def change_then_search(index: Any, i: int) -> float:
            """Add one text, then time the search that follows (the add's own time is kept apart)."""
            name = "main" if isinstance(index, classes["main"]) else "this"
            adds[name].append(cpu_ms(lambda: index.add(key(i), texts[-1 - i])))  # noqa: B023
            return cpu_ms(lambda: index.search(texts[i]))

        side_by_side(f"{kind}: first search after one {label}", indexes, change_then_search, changes)
        for name in indexes:
            out(f"{kind}: the add of one {label} itself: {name}", f"CPU {summary(adds[name])}")
    indexes.clear()
    for name, cls in classes.items():
        out(f"{kind}: memory of {n:,}: {name}", held_mib(cls, items))


def main() -> None:
    """Load both, then measure titles and long texts."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--against", type=Path, required=True, help="the other tree's nlp/similar.py")
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--changes", type=int, default=10, help="adds, and replacements, each followed by a search")
    parser.add_argument("--count", choices=["main", "this"],
                        help="only that tree's searches (--changes 0) or adds + searches inside eval(), for callgrind")
    parser.add_argument("--long", action="store_true", help="with --count: title + 2 descriptions")
    args = parser.parse_args()
    against = load(args.against)
    if args.count:
        count((against if args.count == "main" else similar).SimilarIndex, args.n, args.queries, args.changes, args.long)
        return
    for module in (against, similar):  # load the background frequencies and neighbours before timing
        module.SimilarIndex([("x", "皮带机清扫器")]).search("皮带机")
    for long in (False, True):
        run(against, args.n, args.queries, args.changes, long)


if __name__ == "__main__":
    main()
