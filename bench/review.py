"""Speed of the city review's building blocks, each beside a baseline measured in the same run.

Run: .venv/bin/python bench/review.py [--runs 15] [--full-font NotoSerifSC_400Regular.ttf]

- certificate: `render_certificate` (the vendored subset, loaded per document) beside
  (a) the same page drawn with fpdf2's built-in Helvetica and ASCII text, the floor of any PDF,
  (b) the rejected design that loads the font once and deep-copies a template document,
  (c) with --full-font, the whole 14.8 MB font from the npm package instead of the subset.
- assignment: `plan_assignments` on a synthetic round of 1,068 projects and 45 reviewers,
  beside the greedy fill alone (no chains of moves).
- awards: `propose_allocation` on 1,068 scored projects with the default levels.

Designs are measured in turn, the order rotated every round; each figure is a median, each
ratio the median of per-round ratios. Inputs are synthetic, written for this benchmark.
Figures and how to read them: bench/review.md.
"""
from __future__ import annotations

import argparse
import copy
import io
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fontTools.ttLib import TTFont  # noqa: E402
from fpdf import FPDF  # noqa: E402

import models.reviewer_assignment as assignment  # noqa: E402
from models.award_allocation import Candidate, propose_allocation  # noqa: E402
from models.review_config import load_review_config  # noqa: E402
from web import certificates  # noqa: E402
from web.certificate_font import FONT_FILE  # noqa: E402

SAMPLE = certificates.Certificate(
    certificates.AwardIdentity("2026 contest", "2026-0042", "first", date(2026, 12, 30)),
    "\u5e26\u5f0f\u8f93\u9001\u673a\u6258\u8f8a\u5feb\u901f\u66f4\u6362\u88c5\u7f6e",
    ("\u5f20\u4e09", "\u674e\u56db"), "\u4e00\u77ff\u8fd0\u8f93\u961f", "\u4e00\u7b49\u5956")


def timed(func: Callable[[], object]) -> float:
    """Seconds one call takes."""
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def compare(designs: dict[str, Callable[[], object]], runs: int) -> dict[str, list[float]]:
    """Time each design once per round, rotating which goes first."""
    names = list(designs)
    times: dict[str, list[float]] = {name: [] for name in names}
    for name in names:  # one unmeasured warm-up each
        designs[name]()
    for round_ in range(runs):
        for name in names[round_ % len(names):] + names[:round_ % len(names)]:
            times[name].append(timed(designs[name]))
    return times


def report(title: str, times: dict[str, list[float]], base: str) -> None:
    """Print medians in milliseconds and each design's median ratio to the baseline."""
    sys.stdout.write(f"\n{title}\n")
    for name, values in times.items():
        ratio = statistics.median(v / b for v, b in zip(values, times[base]))
        sys.stdout.write(f"  {name:<44} median {statistics.median(values) * 1000:8.1f} ms"
                         f"   x{ratio:6.2f} vs {base}\n")


def helvetica_page() -> bytes:
    """The floor: a one-page PDF with fpdf2's core font, frame and ASCII lines, nothing embedded."""
    pdf = FPDF(orientation="landscape", format="A4")
    pdf.add_page()
    pdf.rect(9, 9, 279, 192)
    pdf.set_font("helvetica", size=18)
    for line in range(6):
        pdf.set_xy(36, 66 + line * 11)
        pdf.cell(225, 11, "Certificate line with the project title and members")
    return bytes(pdf.output())


def template_renderer(font_file: Path) -> Callable[[], bytes]:
    """Design (b): parse the font once, deep-copy the document, reopen the font for each copy.

    fpdf2's deepcopy shares the parsed font between copies and subsets it in place at output,
    so every copy needs a fresh fontTools object; this reaches into fpdf2's internals.
    """
    template = FPDF(orientation="landscape", format="A4")
    template.add_font("certificate", fname=str(font_file))
    data = font_file.read_bytes()

    def render() -> bytes:
        pdf = copy.deepcopy(template)
        for font in pdf.fonts.values():
            font.ttfont = TTFont(io.BytesIO(data), lazy=True, recalcTimestamp=False)
        pdf.add_page()
        certificates._frame(pdf)
        certificates._heading(pdf, "title")
        texts = certificates._texts(SAMPLE, certificates.load_wording(), "0000-0000-0000-0000")
        certificates._body(pdf, texts)
        certificates._signature(pdf, texts)
        return bytes(pdf.output())
    return render


def bench_certificates(runs: int, full_font: Path | None) -> None:
    """Certificate rendering, the shipped design beside the floor and the alternatives."""
    designs: dict[str, Callable[[], object]] = {
        "render_certificate (subset, per document)": lambda: certificates.render_certificate(SAMPLE, "key"),
        "helvetica page (floor)": helvetica_page,
        "template deep-copy (rejected)": template_renderer(FONT_FILE),
    }
    if full_font is not None:
        designs["whole npm font, per document"] = lambda: certificates.render_certificate(
            SAMPLE, "key", font_file=full_font)
    times = compare(designs, runs)
    report("certificate, one A4 page", times, "render_certificate (subset, per document)")
    size = len(certificates.render_certificate(SAMPLE, "key").pdf)
    sys.stdout.write(f"  PDF size {size:,} bytes\n")


def synthetic_round(seed: int = 1) -> tuple[list[assignment.ProjectToReview], list[assignment.Reviewer]]:
    """1,068 projects over 8 systems and 20 enterprises; 45 reviewers, a third in two groups."""
    rng = random.Random(seed)
    systems = ["mining", "tunneling", "electromechanical", "transport", "ventilation", "preparation",
               "management", "logistics"]
    enterprises = [f"e{n}" for n in range(20)]
    projects = [assignment.ProjectToReview(f"2026-{n:04d}", rng.choices(systems, [20, 15, 25, 18, 10, 5, 5, 2])[0],
                                           rng.choice(enterprises)) for n in range(1068)]
    reviewers = [assignment.Reviewer(f"r{n:02d}", frozenset({systems[n % 8]} | ({rng.choice(systems)} if n % 3 == 0
                                                                                  else set())),
                                     None if n % 5 == 0 else rng.choice(enterprises)) for n in range(45)]
    return projects, reviewers


def bench_assignment(runs: int) -> None:
    """Assignment with and without the load-evening chains, and the resulting spread of load."""
    projects, reviewers = synthetic_round()
    keep = assignment._rebalance

    def greedy() -> assignment.AssignmentPlan:
        assignment._rebalance = lambda new, kept, eligible, load: new
        try:
            return assignment.plan_assignments(projects, reviewers)
        finally:
            assignment._rebalance = keep

    times = compare({"plan_assignments": lambda: assignment.plan_assignments(projects, reviewers),
                     "greedy fill only": greedy}, runs)
    report("assignment, 1,068 projects x 45 reviewers, 3 each", times, "greedy fill only")
    for name, plan in (("plan_assignments", assignment.plan_assignments(projects, reviewers)), ("greedy", greedy())):
        sys.stdout.write(f"  {name:<44} load max {max(plan.load.values())}, min {min(plan.load.values())}\n")
    later = replace(reviewers[0], key="late")
    first = assignment.plan_assignments(projects, reviewers)
    rerun = timed(lambda: assignment.plan_assignments(projects, reviewers + [later], existing=first.assignments))
    sys.stdout.write(f"  re-run with one more reviewer, existing kept         {rerun * 1000:8.1f} ms\n")


def bench_awards(runs: int) -> None:
    """The award proposal for a city's worth of scored projects."""
    rng = random.Random(2)
    plan = load_review_config().awards
    pool = [Candidate(f"2026-{n:04d}", Decimal(rng.randint(4000, 9800)) / 100) for n in range(1068)]
    times = compare({"propose_allocation": lambda: propose_allocation(plan, pool),
                     "sorting the scores (floor)": lambda: sorted(pool, key=lambda c: -c.score)}, runs)
    report("awards, 1,068 candidates, default levels", times, "sorting the scores (floor)")


def main() -> None:
    """Run every section."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--full-font", type=Path, help="NotoSerifSC_400Regular.ttf from the npm package")
    args = parser.parse_args()
    bench_certificates(args.runs, args.full_font)
    bench_assignment(max(3, args.runs // 3))
    bench_awards(args.runs)


if __name__ == "__main__":
    main()
