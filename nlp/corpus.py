"""The labelled corpus of project titles by system, and how its composed part is made.

``corpus.tsv`` columns: text, system, style, group, provenance. ``group`` names the
term a composed row was built from, so cross-validation never sees the same device
in training and test folds. ``python -m nlp compose`` rebuilds the file from
``corpus_terms.json`` (hand-written rows plus term × pattern rows).
"""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nlp.resources import DATA_DIR

CORPUS = DATA_DIR / "corpus.tsv"
HELDOUT = DATA_DIR / "heldout.tsv"
REAL = DATA_DIR / "real_titles.tsv"  # real published titles gathered for this project, each with its page
REAL_DEV = DATA_DIR / "real_titles_dev.tsv"  # the team's dev half of real titles (shared/data/real-titles-dev.tsv)
TERMS = DATA_DIR / "corpus_terms.json"
SYSTEMS = (
    "mining", "tunneling", "electromechanical", "transport",
    "ventilation", "preparation", "management", "logistics",
)
WRITTEN = "written for this project"
REAL_STYLE = "real"


@dataclass(frozen=True)
class Row:
    """One labelled text."""

    text: str
    system: str
    style: str = "handwritten"
    group: str = ""
    provenance: str = WRITTEN
    alt: str = ""  # a real title's runner-up system, where it plausibly straddles two

    @property
    def real(self) -> bool:
        """Whether the text is a real published title (not written for this project)."""
        return self.style == REAL_STYLE


def load(path: Path = CORPUS) -> list[Row]:
    """Read a TSV of labelled rows (text and system columns required)."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [
            Row(r["text"], r["system"], r.get("style") or "handwritten",
                r.get("group") or r["text"], r.get("provenance") or WRITTEN)
            for r in reader
        ]


def load_real(path: Path = REAL) -> list[Row]:
    """Real titles (text, system, alt, source): grouped by their source page, so a page never spans folds."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [Row(r["text"], r["system"], REAL_STYLE, r["source"], r["source"], r.get("alt") or "")
                for r in reader]


def training_rows(dev: bool = True) -> list[Row]:
    """What the shipped classifier learns from: the written corpus, the gathered real titles and (dev) the dev half."""
    return load() + load_real() + (load_real(REAL_DEV) if dev else [])


def correction_row(text: str, system: str) -> Row:
    """A reviewer's correction as a training row (its own group: never split across folds)."""
    return Row(text, system, "correction", text, "correction from a coordinator or reviewer")


def correction_rows(pairs: Iterable[tuple[str, str]]) -> tuple[list[Row], int]:
    """Corrections as rows, and how many pairs were ignored (empty text or unknown system code)."""
    rows, ignored = [], 0
    for text, system in pairs:
        text, system = " ".join(str(text).split()), str(system).strip()
        if text and system in SYSTEMS:
            rows.append(correction_row(text, system))
        else:
            ignored += 1
    return rows, ignored


def read_corrections(path: Path) -> list[tuple[str, str]]:
    """(text, system) pairs from a `text<TAB>system` file, one per line, no header needed."""
    pairs = []
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        text, tab, system = line.rpartition("\t")
        if tab and (text.strip(), system.strip()) != ("text", "system"):
            pairs.append((text, system))
        elif line.strip():
            pairs.append((line, ""))  # no tab: counted as ignored by correction_rows
    return pairs


def _fill(pattern: str, obj: str, topic: str, terms: dict[str, Any], rng: random.Random) -> str:
    """Fill one title pattern with an object/topic and random research context."""
    return pattern.format(
        o=obj, t=topic, m=obj, s=obj,
        c=rng.choice(terms["research_conditions"]), x=rng.choice(terms["research_basis"]),
    )


def _compose_system(system: str, spec: dict[str, Any], terms: dict[str, Any], rng: random.Random) -> list[Row]:
    """Rows for one system: hand-written titles plus term × pattern titles."""
    pats = terms["patterns"]
    rows = [Row(t, system, "handwritten", t) for t in spec["handwritten"]]
    objects, topics = spec["objects"], spec.get("topics") or spec["objects"]
    if system in ("management", "logistics"):
        plan = [("management" if system == "management" else "service", objects, 6)]
    else:
        plan = [("device", objects, 4), ("topic", topics, 4), ("research", topics, 2)]
    plan.append(("describe", objects, 1))
    for style, pool, per_term in plan:
        for term in pool:
            for pattern in rng.sample(pats[style], per_term):
                obj = term if style != "research" else rng.choice(objects)
                text = _fill(pattern, obj, term, terms, rng)
                rows.append(Row(text, system, style, term, WRITTEN + " (composed)"))
    return rows


def compose(seed: int = 4) -> list[Row]:
    """Build the whole corpus deterministically from corpus_terms.json."""
    terms = json.loads(TERMS.read_text(encoding="utf-8"))
    rng = random.Random(seed)
    rows: list[Row] = []
    for system, spec in terms["systems"].items():
        rows.extend(_compose_system(system, spec, terms, rng))
    first: dict[str, Row] = {}
    for row in rows:
        first.setdefault(row.text, row)
    return list(first.values())


def write(rows: list[Row], path: Path = CORPUS) -> None:
    """Write rows as TSV with the provenance of each."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle, delimiter="\t", quoting=csv.QUOTE_NONE, lineterminator="\n")
        out.writerow(["text", "system", "style", "group", "provenance"])
        for r in rows:
            out.writerow([r.text, r.system, r.style, r.group, r.provenance])
