"""The review configuration file: the defaults load, and a deployment's own file replaces them."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from models.review_config import REVIEW_FILE, load_review_config


def test_the_shipped_defaults_load_with_their_sources():
    config = load_review_config()
    assert config.assignment.reviewers_per_project == 3
    assert [c.key for c in config.score_sheet.criteria] == ["innovation", "practicality", "benefit", "promotion"]
    assert [l.key for l in config.awards.levels] == ["special", "first", "second", "third"]
    provenance = json.loads(REVIEW_FILE.read_text(encoding="utf-8"))["_provenance"]
    assert "http" in provenance["score_sheet"]


def test_a_deployments_file_replaces_the_defaults(tmp_path: Path):
    data = json.loads(REVIEW_FILE.read_text(encoding="utf-8"))
    data["assignment"]["reviewers_per_project"] = 5
    data["awards"]["budget"] = 500000
    path = tmp_path / "review.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    config = load_review_config(path)
    assert (config.assignment.reviewers_per_project, config.awards.budget) == (5, 500000)


def test_a_file_without_a_section_is_refused(tmp_path: Path):
    path = tmp_path / "review.json"
    path.write_text(json.dumps({"score_sheet": {"criteria": [{"key": "a", "name": "a", "weight": 1}]}}), encoding="utf-8")
    with pytest.raises(KeyError, match="awards"):
        load_review_config(path)
