"""Speed of nlp/: warm() trained vs stored, classify beside the keyword baseline, similar search beside brute force.

Run: taskset -c 0 .venv/bin/python bench/nlp_classify.py [--runs 5] [--compare DIR] [--similar-only]
[--changes 20] [--memory]
Every figure is the median of --runs runs (similar search: median over queries; --changes adds and
replacements, each followed by the search it makes first; --memory what the index holds). With
--compare DIR (another checkout, e.g. `git archive 809933d nlp | tar -x -C /tmp/old`), the
command's speed and a new process's warm() are measured for that tree and this one in turns,
in the same run, and given as a ratio. Figures and how to read them: bench/nlp.md.
"""

from __future__ import annotations

import argparse
import io
import math
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from contextlib import redirect_stdout
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nlp import corpus
from nlp.baseline import keyword_system
from nlp.runtime import RUNTIME, warm
from nlp.project_index import ProjectIndex
from nlp.similar import SimilarIndex, bigrams


def titles(n: int, seed: int = 1) -> list[str]:
    """n titles drawn from the corpus and the held-out set."""
    pool = [r.text for r in corpus.load() + corpus.load(corpus.HELDOUT) + corpus.training_rows()[-200:]]
    rng = random.Random(seed)
    return [rng.choice(pool) for _ in range(n)]


def out(label: str, value: str) -> None:
    """One line of results."""
    sys.stdout.write(f"{label:<54} {value}\n")


def rate(func: Callable[[str], object], texts: list[str], runs: int) -> float:
    """Median calls per second of func over texts."""
    speeds = []
    for _ in range(runs):
        start = time.perf_counter()
        for text in texts:
            func(text)
        speeds.append(len(texts) / (time.perf_counter() - start))
    return statistics.median(speeds)


def command_rate(texts: list[str], runs: int) -> float:
    """`python -m nlp classify` in-process: stdin lines -> JSON lines, load excluded."""
    from nlp.cli import main

    data = "".join(t + "\n" for t in texts)
    speeds = []
    for _ in range(runs):
        stdin, sys.stdin = sys.stdin, io.StringIO(data)
        try:
            start = time.perf_counter()
            with redirect_stdout(io.StringIO()):
                main(["classify"])
            speeds.append(len(texts) / (time.perf_counter() - start))
        finally:
            sys.stdin = stdin
    return statistics.median(speeds)


def subprocess_rate(texts: list[str], runs: int, tree: Path = ROOT) -> tuple[float, float]:
    """The real command as a process run in tree: (seconds for one title, titles/s beyond that)."""
    def seconds(lines: list[str]) -> float:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "nlp", "classify"], input="".join(t + "\n" for t in lines),
                       capture_output=True, text=True, check=True, cwd=tree)
        return time.perf_counter() - start

    one = statistics.median(seconds(texts[:1]) for _ in range(runs))
    many = statistics.median(seconds(texts) for _ in range(runs))
    return one, (len(texts) - 1) / (many - one)


WARM = """
import sys, time
from pathlib import Path
from nlp import store
if sys.argv[1] == "train":
    store.SHIPPED_DIR = Path("/nonexistent")
start = time.perf_counter()
import nlp
nlp.warm(Path(sys.argv[2]))
print(time.perf_counter() - start)
"""


def warm_times(runs: int) -> None:
    """warm() in a new process: training (nothing stored), then loading that cache, then nlp/data."""
    def seconds(how: str, directory: str) -> float:
        done = subprocess.run([sys.executable, "-c", WARM, how, directory], capture_output=True, text=True,
                              check=True, cwd=ROOT)
        return float(done.stdout.split()[-1])

    with tempfile.TemporaryDirectory() as scratch:
        trained = [seconds("train", tempfile.mkdtemp(dir=scratch)) for _ in range(runs)]
        cache = tempfile.mkdtemp(dir=scratch)
        seconds("train", cache)  # fills this cache
        for label, times in (("training, cache written", trained),
                             ("loading the cache", [seconds("cache", cache) for _ in range(runs)]),
                             ("loading nlp/data (empty cache)",
                              [seconds("shipped", tempfile.mkdtemp(dir=scratch)) for _ in range(runs)])):
            out(f"warm() in a new process: {label}", f"median {statistics.median(times):.2f} s "
                f"(min {min(times):.2f}, max {max(times):.2f})")


_WARM_ONE = "import time; t = time.perf_counter(); import nlp; nlp.warm(); print(time.perf_counter() - t)"


def compare(other: Path, texts: list[str], runs: int) -> None:
    """This tree against another checkout, measured in turns: the command's titles/s and warm() in a new process."""
    rates: dict[Path, list[float]] = {other: [], ROOT: []}
    starts: dict[Path, list[float]] = {other: [], ROOT: []}
    for _ in range(runs):
        for tree in (other, ROOT):
            rates[tree].append(subprocess_rate(texts, 1, tree)[1])
            done = subprocess.run([sys.executable, "-c", _WARM_ONE], capture_output=True, text=True, check=True,
                                  cwd=tree)
            starts[tree].append(float(done.stdout.split()[-1]))
    for label, values, unit in (("python -m nlp classify (process)", rates, "titles/s"),
                                ("warm() in a new process", starts, "s")):
        mine, theirs = statistics.median(values[ROOT]), statistics.median(values[other])
        out(f"{label}: {other}", f"{theirs:>9,.2f} {unit}")
        out(f"{label}: this tree", f"{mine:>9,.2f} {unit}  (ratio {mine / theirs:.2f})")


def projects(n: int) -> list[tuple[str, str]]:
    """n distinct synthetic projects: a corpus title plus words of another."""
    pool = [r.text for r in corpus.load()]
    rng = random.Random(2)
    return [(f"2026-{i:05d}", rng.choice(pool) + rng.choice(pool)[:6]) for i in range(n)]


def brute_force(items: list[tuple[str, Counter[str]]], text: str, limit: int = 5) -> list[tuple[str, float]]:
    """Baseline search: cosine of raw bigram counts against every project in a Python loop."""
    query = bigrams(text)
    qnorm = math.sqrt(sum(v * v for v in query.values())) or 1.0
    scored = []
    for key, grams in items:
        dot = sum(c * grams[g] for g, c in query.items() if g in grams)
        if dot:
            scored.append((dot / (qnorm * math.sqrt(sum(v * v for v in grams.values()))), key))
    return [(k, s) for s, k in sorted(scored, reverse=True)[:limit]]


def descriptions() -> list[str]:
    """The real description sentences of the similar-pairs files (the "b" side of their "same" pairs)."""
    import csv

    out_: list[str] = []
    for name in ("similar_pairs.tsv", "similar_pairs_fresh.tsv"):
        with open(Path(__file__).resolve().parent.parent / "tests" / "nlp" / name, encoding="utf-8") as f:
            out_ += [r["b"] for r in csv.DictReader(f, delimiter="\t") if r["same"] == "1" and r["source"] != "written"]
    return out_


def _latency(label: str, search: Callable[[str], object], sample: list[str]) -> None:
    """One line: wall and CPU milliseconds per call of search over sample, median and p95."""
    times, cpus = [], []
    for text in sample:
        t0, c0 = time.perf_counter(), time.process_time()
        search(text)
        times.append((time.perf_counter() - t0) * 1000)
        cpus.append((time.process_time() - c0) * 1000)
    times.sort()
    cpus.sort()
    out(label, f"median {statistics.median(times):.2f} ms, p95 {times[int(0.95 * len(times))]:.2f} ms; "
        f"CPU median {statistics.median(cpus):.2f} ms, p95 {cpus[int(0.95 * len(cpus))]:.2f} ms ({len(sample)} queries)")


def _after_changes(index: SimilarIndex, items: list[tuple[str, str]], texts: list[str], changes: int, kind: str) -> None:
    """The search that follows one add (a new project) or one replacement (an edited one), each timed alone."""
    rng, n = random.Random(9), len(items)
    new = iter(f"new-{i}" for i in range(changes))
    for label, change in (("a new project", lambda t: index.add(next(new), t)),
                          ("a replaced text", lambda t: index.add(rng.choice(items)[0], t))):
        sample = texts[:changes]
        adds: list[float] = []

        def changed_then_search(text: str) -> None:
            """Change the index, then search: the first search after a change, as the chat's summary is."""
            c0 = time.process_time()
            change(text)
            adds.append((time.process_time() - c0) * 1000)
            index.search(text, limit=5)

        _latency(f"similar over {n:,} ({kind}): add + search after {label}", changed_then_search, sample)
        out(f"similar over {n:,} ({kind}): the add alone", f"CPU median {statistics.median(adds):.2f} ms")


def held_mib(cls: type, items: list[tuple[str, str]]) -> str:
    """What a whole index of items holds once built and searched, and its peak while building (tracemalloc)."""
    import gc
    import tracemalloc

    gc.collect()
    tracemalloc.start()
    index = cls(items)
    index.search("预热")
    held, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del index
    return f"held {held / 2**20:7.1f} MiB, peak {peak / 2**20:7.1f} MiB"


def _memory(items: list[tuple[str, str]], kind: str) -> None:
    """What a whole SimilarIndex of items holds once built."""
    out(f"similar ({kind}): memory of {len(items):,} projects", held_mib(SimilarIndex, items))


def similar(n: int = 20_000, queries: int = 300, long: bool = False, changes: int = 20, memory: bool = False) -> None:
    """Build time and per-search latency (wall and CPU) over n projects, index vs brute force.

    long: every project and query is a title with two real description sentences after it
    (about 100 characters, as the application indexes title + description), not a title alone.
    changes: how many adds, and replacements, each followed by a search (the first after a change).
    memory: also build the index once more under tracemalloc and say what it holds.
    """
    items = projects(n)
    texts = titles(queries, seed=3)
    kind = "titles"
    if long:
        rng, pool = random.Random(5), descriptions()
        items = [(k, f"{t} {rng.choice(pool)}{rng.choice(pool)}") for k, t in items]
        texts = [f"{t} {rng.choice(pool)}{rng.choice(pool)}" for t in texts]
        kind = "title + 2 descriptions"
    index = SimilarIndex()
    start, cpu = time.perf_counter(), time.process_time()
    for key, text in items:
        index.add(key, text)
    index.search("预热")
    out(f"similar ({kind}): add + build {n:,} projects",
        f"{time.perf_counter() - start:.2f} s (CPU {time.process_time() - cpu:.2f} s)")
    _latency(f"similar over {n:,} ({kind}): SimilarIndex.search", lambda t: index.search(t, limit=5), texts)
    grams = [(k, bigrams(x)) for k, x in items]
    _latency(f"similar over {n:,} ({kind}): baseline: brute-force loop", lambda t: brute_force(grams, t), texts[:30])
    if changes:
        _after_changes(index, items, texts, changes, kind)
    if memory:
        del index
        _memory(items, kind)


def project_search(n: int = 20_000, queries: int = 300) -> None:
    """The chat's comparison (nlp.ProjectIndex): n projects of a title and two real description sentences each,
    searched with as many; build time and per-search CPU, beside one SimilarIndex over the same whole texts."""
    rng, pool = random.Random(5), descriptions()
    items = [(k, t, f"{rng.choice(pool)}{rng.choice(pool)}") for k, t in projects(n)]
    asked = [(t, f"{rng.choice(pool)}{rng.choice(pool)}") for t in titles(queries, seed=3)]
    index, whole = ProjectIndex(), SimilarIndex()
    start, cpu = time.perf_counter(), time.process_time()
    for key, title, text in items:
        index.add(key, title, text)
    index.warm()
    out(f"projects (title, 2 descriptions): ProjectIndex add + build {n:,}",
        f"{time.perf_counter() - start:.2f} s (CPU {time.process_time() - cpu:.2f} s)")
    for key, title, text in items:
        whole.add(key, f"{title} {text}")
    for label, search in (("ProjectIndex.search (the chat's)", lambda q: index.search(*q, limit=4)),
                          ("SimilarIndex.search of whole texts", lambda q: whole.search(f"{q[0]} {q[1]}", limit=4))):
        cpus = []
        for query in asked:
            c0 = time.process_time()
            search(query)
            cpus.append((time.process_time() - c0) * 1000)
        cpus.sort()
        out(f"projects over {n:,}: {label}",
            f"CPU median {statistics.median(cpus):.2f} ms, p95 {cpus[int(0.95 * len(cpus))]:.2f} ms ({len(asked)} queries)")


def main() -> None:
    """Load once, then measure."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--compare", type=Path, help="another checkout to measure side by side")
    parser.add_argument("--similar-only", action="store_true", help="only the similar-project search")
    parser.add_argument("--changes", type=int, default=20, help="adds (and replacements) each followed by a search")
    parser.add_argument("--memory", action="store_true", help="also what the similar index holds (tracemalloc)")
    args = parser.parse_args()
    if args.similar_only:
        similar(changes=args.changes, memory=args.memory)
        similar(long=True, changes=args.changes, memory=args.memory)
        project_search()
        return
    runs = args.runs
    warm_times(runs)
    start = time.perf_counter()
    warm()
    out("warm in this process", f"{time.perf_counter() - start:.2f} s")
    texts = titles(20_000)
    for text in texts[:2_000]:  # first calls are slower in a new process, whichever code runs first
        RUNTIME.model.classify(text)
    out("python -m nlp classify (in-process, JSON out)", f"{command_rate(texts, runs):>9,.0f} titles/s")
    out("model.classify (one call per title)", f"{rate(RUNTIME.model.classify, texts, runs):>9,.0f} titles/s")
    out("baseline: keyword_system", f"{rate(keyword_system, texts, runs):>9,.0f} titles/s")
    one, speed = subprocess_rate(texts, max(1, runs // 2))
    out("python -m nlp classify (process, 1 title)", f"{one:.2f} s")
    out("python -m nlp classify (process, after load)", f"{speed:>9,.0f} titles/s")
    if args.compare:
        compare(args.compare, texts, runs)
    similar(changes=args.changes, memory=args.memory)
    similar(long=True, changes=args.changes, memory=args.memory)


if __name__ == "__main__":
    main()
