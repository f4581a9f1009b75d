"""The city review's score sheet (评分表): weighted criteria, benefit bands, totals and spread.

Pure functions over frozen values, no database: a later layer stores one `ScoreCard` per
reviewer and project and calls these to check, total and compare them. The criteria, their
weights and bands come from configuration (section "score_sheet" of `models/data/review.json`,
names in Chinese there), so a deployment can use its own sheet.

- A criterion is scored as a whole number from 0 to `max_score` (100), or, when it has bands,
  within one band's range (e.g. the benefit band for 100,000 to 500,000 yuan a year is 50-83).
- The benefit band is *suggested* from the project's stated yearly amount in yuan; the reviewer
  may score elsewhere (stated amounts are often optimistic).
- A reviewer's total is the weighted mean of their criteria, a project's score the mean of its
  reviewers' totals, both rounded half-up to 0.01 only at the end (so ties are ties as shown).
- A project whose reviewers' totals differ by more than `spread` points is flagged for the panel.

Default benefit bands follow real union score sheets, cited in the data file's "_provenance".
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from fractions import Fraction
from types import MappingProxyType
from typing import Any

from models.errors import DomainError

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Band:
    """A score range of one criterion, optionally suggested from a yearly amount in yuan."""

    key: str
    name: str
    low: int
    high: int
    min_amount: Decimal | None = None

    def contains(self, score: int) -> bool:
        """Tell whether a score lies inside this band (both ends included)."""
        return self.low <= score <= self.high


@dataclass(frozen=True)
class Criterion:
    """One line of the sheet: a key used in code, a name shown to people, a weight, maybe bands."""

    key: str
    name: str
    weight: int
    bands: tuple[Band, ...] = ()

    def band_for(self, score: int) -> Band | None:
        """Return the band a score falls in (the highest when bands overlap), or None."""
        return next((band for band in reversed(self.bands) if band.contains(score)), None)


@dataclass(frozen=True)
class ScoreSheet:
    """The criteria every reviewer fills in, with the score range and the allowed spread."""

    criteria: tuple[Criterion, ...]
    max_score: int = 100
    spread: int = 20

    def criterion(self, key: str) -> Criterion:
        """Return the criterion with this key; KeyError names it when there is none."""
        for criterion in self.criteria:
            if criterion.key == key:
                return criterion
        raise KeyError(key)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ScoreSheet:
        """Build a sheet from its configuration section; ValueError names what is wrong."""
        max_score = int(data.get("max_score", 100))
        criteria = tuple(_criterion_from_dict(item, max_score) for item in data["criteria"])
        keys = [criterion.key for criterion in criteria]
        if not criteria or len(set(keys)) != len(keys):
            raise ValueError(f"score sheet needs criteria with distinct keys, got {keys}")
        if sum(criterion.weight for criterion in criteria) <= 0:
            raise ValueError("score sheet weights must add up to more than 0")
        if sum(1 for criterion in criteria if _amount_bands(criterion)) > 1:
            raise ValueError("only one criterion may have bands suggested from the yearly amount")
        return cls(criteria=criteria, max_score=max_score, spread=int(data.get("spread", 20)))


def _criterion_from_dict(item: Mapping[str, Any], max_score: int) -> Criterion:
    """Build one criterion, checking its weight and that its bands lie inside 0..max_score."""
    bands = tuple(
        Band(key=str(band["key"]), name=str(band["name"]), low=int(band["low"]), high=int(band["high"]),
             min_amount=None if band.get("min_amount") is None else Decimal(str(band["min_amount"])))
        for band in item.get("bands", ()))
    key = str(item["key"])
    if int(item["weight"]) < 0:
        raise ValueError(f"criterion {key}: weight must not be negative")
    for band in bands:
        if not 0 <= band.low <= band.high <= max_score:
            raise ValueError(f"criterion {key}: band {band.key} must lie within 0..{max_score}")
    amounts = [band.min_amount for band in bands if band.min_amount is not None]
    if amounts and (len(amounts) != len(bands) or amounts != sorted(set(amounts))):
        raise ValueError(f"criterion {key}: every band needs a min_amount, strictly increasing")
    return Criterion(key=key, name=str(item["name"]), weight=int(item["weight"]), bands=bands)


def _amount_bands(criterion: Criterion) -> bool:
    """Tell whether this criterion's bands are chosen by a yearly amount."""
    return bool(criterion.bands) and all(band.min_amount is not None for band in criterion.bands)


class ProblemCode(StrEnum):
    """What is wrong with one criterion's score; handlers turn each into a sentence."""

    missing = "missing"
    not_a_number = "not_a_number"
    out_of_range = "out_of_range"
    outside_bands = "outside_bands"
    unknown = "unknown"


@dataclass(frozen=True)
class ScoreProblem:
    """One wrong or missing score, naming the criterion and the range that would be right."""

    criterion: str
    name: str
    code: ProblemCode
    low: int
    high: int


class InvalidScores(DomainError):
    """A score card was refused; `problems` names every criterion at fault, in sheet order."""

    def __init__(self, problems: Sequence[ScoreProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(f"{p.criterion}: {p.code} ({p.low}-{p.high})" for p in self.problems))


@dataclass(frozen=True)
class ScoreCard:
    """One reviewer's whole-number scores for one project, keyed by criterion key."""

    scores: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Freeze the mapping too, so a card cannot change after it was checked."""
        object.__setattr__(self, "scores", MappingProxyType(dict(self.scores)))


def _whole_number(value: object) -> int | None:
    """Read a form field or a number as a whole number, or None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        number = Decimal(value.strip() if isinstance(value, str) else str(value))
    except (InvalidOperation, ValueError):
        return None
    return int(number) if number.is_finite() and number == number.to_integral_value() else None


def _problem(criterion: Criterion, code: ProblemCode, sheet: ScoreSheet) -> ScoreProblem:
    """Describe one criterion's problem with the range a right answer lies in."""
    low = min((band.low for band in criterion.bands), default=0)
    high = max((band.high for band in criterion.bands), default=sheet.max_score)
    return ScoreProblem(criterion.key, criterion.name, code, low, high)


def validate_scores(sheet: ScoreSheet, raw: Mapping[str, object]) -> tuple[ScoreProblem, ...]:
    """List every problem of a reviewer's raw scores (form strings or numbers), in sheet order."""
    problems: list[ScoreProblem] = []
    for criterion in sheet.criteria:
        value = raw.get(criterion.key)
        if value is None or (isinstance(value, str) and not value.strip()):
            problems.append(_problem(criterion, ProblemCode.missing, sheet))
            continue
        score = _whole_number(value)
        if score is None:
            problems.append(_problem(criterion, ProblemCode.not_a_number, sheet))
        elif not 0 <= score <= sheet.max_score:
            problems.append(_problem(criterion, ProblemCode.out_of_range, sheet))
        elif criterion.bands and criterion.band_for(score) is None:
            problems.append(_problem(criterion, ProblemCode.outside_bands, sheet))
    known = {criterion.key for criterion in sheet.criteria}
    problems += [ScoreProblem(key, key, ProblemCode.unknown, 0, sheet.max_score)
                 for key in raw if key not in known]
    return tuple(problems)


def read_scores(sheet: ScoreSheet, raw: Mapping[str, object]) -> ScoreCard:
    """Turn raw scores into a checked card, or raise InvalidScores naming every bad criterion."""
    problems = validate_scores(sheet, raw)
    if problems:
        raise InvalidScores(problems)
    return ScoreCard({criterion.key: _whole_number(raw[criterion.key]) or 0 for criterion in sheet.criteria})


@dataclass(frozen=True)
class BandSuggestion:
    """The band a stated yearly amount points to, for the criterion that bands by amount."""

    criterion: str
    band: Band


def suggest_band(sheet: ScoreSheet, annual_benefit_yuan: Decimal | int | None) -> BandSuggestion | None:
    """Suggest the benefit band for a stated yearly amount; None when nothing is stated or banded."""
    if annual_benefit_yuan is None:
        return None
    amount = Decimal(annual_benefit_yuan)
    for criterion in sheet.criteria:
        if _amount_bands(criterion):
            fitting = [band for band in criterion.bands if band.min_amount is not None and band.min_amount <= amount]
            return BandSuggestion(criterion.key, fitting[-1]) if fitting else None
    return None


def _exact_total(sheet: ScoreSheet, card: ScoreCard) -> Fraction:
    """The weighted mean of a card's scores as an exact fraction."""
    missing = [criterion.key for criterion in sheet.criteria if criterion.key not in card.scores]
    if missing:
        raise ValueError(f"score card lacks {missing}; read it with read_scores first")
    weights = sum(criterion.weight for criterion in sheet.criteria)
    return Fraction(sum(criterion.weight * card.scores[criterion.key] for criterion in sheet.criteria), weights)


def _rounded(value: Fraction) -> Decimal:
    """Round an exact value half-up to 0.01, the precision scores are shown and ranked in."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(CENT, rounding=ROUND_HALF_UP)


def weighted_total(sheet: ScoreSheet, card: ScoreCard) -> Decimal:
    """Return one reviewer's total for a project: the weighted mean of the criteria, to 0.01."""
    return _rounded(_exact_total(sheet, card))


@dataclass(frozen=True)
class ProjectScore:
    """A project's result over its reviewers: total, each criterion's mean, spread and flag."""

    reviewers: int
    total: Decimal
    criteria: Mapping[str, Decimal]
    spread: Decimal
    flagged: bool


def project_score(sheet: ScoreSheet, cards: Sequence[ScoreCard]) -> ProjectScore | None:
    """Combine the reviewers' cards of one project; None while nobody has scored it."""
    if not cards:
        return None
    totals = [_exact_total(sheet, card) for card in cards]
    criteria = {criterion.key: _rounded(Fraction(sum(card.scores[criterion.key] for card in cards), len(cards)))
                for criterion in sheet.criteria}
    spread = max(totals) - min(totals)
    return ProjectScore(reviewers=len(cards), total=_rounded(Fraction(sum(totals), len(totals))),
                        criteria=MappingProxyType(criteria), spread=_rounded(spread),
                        flagged=spread > sheet.spread)
