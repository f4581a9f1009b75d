"""Command line: classify, benefit, eval, retrain, compose (``python -m nlp --help``)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TextIO

from nlp.runtime import MODEL_ENV

DEFAULT_MODEL = Path("instance") / "nlp_model.pkl"


def _lines(stream: TextIO) -> list[str]:
    """Non-empty lines of a stream."""
    return [line.rstrip("\n") for line in stream if line.strip()]


def cmd_classify(args: argparse.Namespace) -> int:
    """One JSON classification per input line."""
    from nlp.classifier import classify

    for line in _lines(sys.stdin):
        result = asdict(classify(line))
        result["alternatives"] = [list(a) for a in result["alternatives"]]
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
    return 0


def cmd_benefit(args: argparse.Namespace) -> int:
    """One JSON benefit per input line (nulls when no money is named)."""
    from nlp.benefit import extract_benefit

    for line in _lines(sys.stdin):
        found = extract_benefit(line)
        result = asdict(found) if found else {"yuan": None, "period": None, "approximate": False}
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    """Cross-validated and held-out figures beside the keyword baseline."""
    from nlp import evaluation
    from nlp.classifier import SETTINGS

    sys.stdout.write(evaluation.report(SETTINGS["unsure_below"]) + "\n")
    return 0


def cmd_retrain(args: argparse.Namespace) -> int:
    """Retrain on corpus + corrections, save the model, print before/after figures."""
    from nlp import classifier, corpus, evaluation
    from nlp.runtime import RUNTIME

    model_path = Path(args.model or os.environ.get(MODEL_ENV) or DEFAULT_MODEL)
    corrections = corpus.load_corrections(Path(args.corrections)) if args.corrections else []
    held = corpus.load(corpus.HELDOUT)
    before = RUNTIME.model
    after = classifier.fit(corpus.load() + corrections)
    for name, model in (("before", before), ("after", after)):
        seen = " (in training)" if name == "after" else ""
        for label, rows in ((f"corrections{seen}", corrections), ("held-out", held)):
            if rows:
                guess, _ = evaluation.predict(model, rows)
                right = sum(g == r.system for g, r in zip(guess, rows))
                sys.stdout.write(f"{name:<7} {label:<26} {right}/{len(rows)} = {right / len(rows):.3f}\n")
    classifier.save(after, model_path)
    sys.stdout.write(f"saved {model_path} ({len(corrections)} corrections); "
                     f"set {MODEL_ENV}={model_path} for the bot to use it\n")
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
    retrain = sub.add_parser("retrain", help="retrain with reviewers' corrections")
    retrain.add_argument("--corrections", help="JSON lines {\"text\": ..., \"system\": ...}")
    retrain.add_argument("--model", help=f"output path (default ${MODEL_ENV} or {DEFAULT_MODEL})")
    retrain.set_defaults(run=cmd_retrain)
    sub.add_parser("compose", help="rebuild the corpus from its term lists").set_defaults(run=cmd_compose)
    return top


def main(argv: list[str] | None = None) -> int:
    """Run one sub-command."""
    args = parser().parse_args(argv)
    return int(args.run(args))
