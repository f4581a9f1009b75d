"""The city review's configuration: score sheet, reviewer assignment and award levels, from one file.

`models/data/review.json` holds the defaults (criterion and level names in Chinese, with their
sources under "_provenance"); a deployment passes its own file with the same sections.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from models.award_allocation import AwardPlan
from models.reviewer_assignment import AssignmentRules
from models.score_sheet import ScoreSheet

REVIEW_FILE = Path(__file__).resolve().parent / "data" / "review.json"


@dataclass(frozen=True)
class ReviewConfig:
    """Everything the city review and the awards are configured with."""

    score_sheet: ScoreSheet
    assignment: AssignmentRules
    awards: AwardPlan
    notice_days: int = 7  # the public-notice period staff are offered when they publish the awards


def load_review_config(path: Path = REVIEW_FILE) -> ReviewConfig:
    """Read and check a review configuration file; ValueError or KeyError names what is wrong."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return ReviewConfig(score_sheet=ScoreSheet.from_dict(data["score_sheet"]),
                        assignment=AssignmentRules.from_dict(data.get("assignment", {})),
                        awards=AwardPlan.from_dict(data["awards"]),
                        notice_days=int(data.get("public_notice", {}).get("days", 7)))
