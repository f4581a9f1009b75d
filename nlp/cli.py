"""Command line: classify, benefit, eval, retrain, build-model, build-vectors, compose (``python -m nlp --help``)."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TextIO

CORRECTIONS = "corrections.tsv"
DEFAULT_MODEL_DIR = Path("instance") / "nlp-model"  # the application's default (bot/config.py), run from the project


def _lines(stream: TextIO) -> list[str]:
    """Non-empty lines of a stream."""
    return [line.rstrip("\n") for line in stream if line.strip()]


def cmd_classify(args: argparse.Namespace) -> int:
    """One JSON classification per input line."""
    from nlp.runtime import classify

    out = []
    for line in _lines(sys.stdin):
        result = classify(line)  # built by hand: dataclasses.asdict costs a third of the time here
        out.append(json.dumps({"system": result.system, "confidence": result.confidence, "unsure": result.unsure,
                               "alternatives": [list(a) for a in result.alternatives]}, ensure_ascii=False))
    sys.stdout.write("".join(line + "\n" for line in out))
    return 0


def cmd_benefit(args: argparse.Namespace) -> int:
    """One JSON benefit per input line (nulls when no money is named)."""
    from nlp.benefit import Benefit, extract_benefit

    nothing = {**asdict(Benefit()), "kind": None}
    for line in _lines(sys.stdin):
        found = extract_benefit(line)
        result = asdict(found) if found else nothing
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    """Cross-validated and held-out figures beside the keyword baseline."""
    from nlp import evaluation
    from nlp.resources import model_settings

    sys.stdout.write(evaluation.report(model_settings()["unsure_below"]) + "\n")
    return 0


def cmd_retrain(args: argparse.Namespace) -> int:
    """Retrain on corpus + corrections, print before/after figures, store the model for warm()."""
    from nlp import corpus
    from nlp.learning import retrain

    directory = Path(args.model_dir)
    path = Path(args.corrections) if args.corrections else directory / CORRECTIONS
    if not path.is_file():
        sys.stderr.write(f"no corrections file at {path}; write one with "
                         f"`python -m bot export corrections --output {path}`\n")
        return 2
    report = retrain(corpus.read_corrections(path), directory=directory, folds=args.folds)
    sys.stdout.write("\n".join(report.lines()) + "\n")
    if report.saved_to is None:
        sys.stderr.write(f"could not write {directory}: the new model was not kept\n")
        return 1
    sys.stdout.write(f"saved in {report.saved_to}; the next warm() loads it\n")
    return 0


def cmd_build_model(args: argparse.Namespace) -> int:
    """Train on the corpus alone and write the model shipped in nlp/data."""
    from nlp import classifier, corpus, store

    rows = corpus.training_rows()
    store.save(classifier.fit(rows), store.SHIPPED_DIR, store.model_key(rows))
    size = sum((store.SHIPPED_DIR / n).stat().st_size for n in (store.ARRAYS, store.META))
    sys.stdout.write(f"wrote {store.SHIPPED_DIR / store.ARRAYS} and {store.META} ({size / 1e6:.2f} MB)\n")
    return 0


def cmd_build_vectors(args: argparse.Namespace) -> int:
    """Write the word vectors shipped in nlp/data from the cnsyn wheel."""
    from nlp import vectors

    wheel = Path(args.wheel)
    if not wheel.is_file():
        sys.stderr.write(f"no wheel at {wheel}; get it with `pip download cnsyn==1.2.0 --no-deps`\n")
        return 2
    path, count = vectors.build(wheel)
    sys.stdout.write(f"wrote {path} ({count} words, {path.stat().st_size / 1e6:.2f} MB)\n")
    return 0


def cmd_compose(args: argparse.Namespace) -> int:
    """Rebuild nlp/data/corpus.tsv from nlp/data/corpus_terms.json."""
    from nlp import corpus

    rows = corpus.compose()
    corpus.write(rows)
    sys.stdout.write(f"wrote {len(rows)} rows to {corpus.CORPUS}\n")
    return 0


def parser() -> argparse.ArgumentParser:
    """The argument parser with one sub-command per job."""
    top = argparse.ArgumentParser(prog="python -m nlp", description=__doc__)
    sub = top.add_subparsers(dest="command", required=True)
    sub.add_parser("classify", help="texts on stdin -> JSON systems").set_defaults(run=cmd_classify)
    sub.add_parser("benefit", help="texts on stdin -> JSON benefits").set_defaults(run=cmd_benefit)
    sub.add_parser("eval", help="cross-validation and held-out figures").set_defaults(run=cmd_eval)
    retrain = sub.add_parser("retrain", help="retrain with coordinators' and reviewers' corrections")
    retrain.add_argument("--model-dir", default=str(DEFAULT_MODEL_DIR),
                         help=f"where the application keeps its classifier (default {DEFAULT_MODEL_DIR}; "
                              "the application's NLP_MODEL_DIR)")
    retrain.add_argument("--corrections", help=f"text<TAB>system lines (default MODEL_DIR/{CORRECTIONS})")
    retrain.add_argument("--folds", type=int, default=5, help="cross-validation folds (0: skip, much faster)")
    retrain.set_defaults(run=cmd_retrain)
    sub.add_parser("build-model", help="rebuild the model shipped in nlp/data").set_defaults(run=cmd_build_model)
    build_vectors = sub.add_parser("build-vectors", help="rebuild the word vectors shipped in nlp/data")
    build_vectors.add_argument("--wheel", required=True, help="cnsyn-1.2.0-py3-none-any.whl (pip download cnsyn==1.2.0 --no-deps)")
    build_vectors.set_defaults(run=cmd_build_vectors)
    sub.add_parser("compose", help="rebuild the corpus from its term lists").set_defaults(run=cmd_compose)
    return top


def main(argv: list[str] | None = None) -> int:
    """Run one sub-command."""
    args = parser().parse_args(argv)
    return int(args.run(args))
