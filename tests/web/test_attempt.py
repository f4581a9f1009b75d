"""web/attempt.py: what a staff page flashes, commits or aborts after an operation, as each view maps its errors."""
from __future__ import annotations

from decimal import Decimal

import pytest
from flask import get_flashed_messages
from sqlalchemy import select
from werkzeug.exceptions import NotFound as NotFoundPage

from models.award_allocation import AllocationProblem, InvalidAllocation, ProblemCode
from models.errors import DomainError, InvalidField, InvalidTransition, NotAllowed, NotFound, Problem
from models.unit import Unit
from web.attempt import attempt
from web.awards import ALLOCATION, FIELD
from web.state import db_session

OVER_BUDGET = InvalidAllocation([AllocationProblem(ProblemCode.over_budget, None, "first", Decimal(9), Decimal(8))])


def add_unit(name: str) -> None:
    """A change the operation makes in the request's session (kept only if it is committed)."""
    db_session().add(Unit(name=name))


def failing(error: DomainError):
    """An operation that changes something, then is refused."""
    def operation() -> None:
        add_unit("refused-change")
        raise error
    return operation


def unit_names(db) -> list[str]:
    with db.sessions() as session:
        return list(session.scalars(select(Unit.name)))


def test_success_commits_and_flashes_what_was_done(app, db):
    with app.test_request_context():
        assert attempt(lambda: add_unit("kept"), "review.opened")
        assert attempt(lambda: 0, lambda added: "review.assigned" if added else "review.nothing_to_assign")
        assert get_flashed_messages(with_categories=True) == [("success", "review.opened"),
                                                              ("success", "review.nothing_to_assign")]
    assert unit_names(db) == ["kept"]


@pytest.mark.parametrize(("error", "flashes", "label"), [
    (InvalidTransition("closed"), (), "refused.InvalidTransition"),
    (NotAllowed("not office"), (ALLOCATION, FIELD), "refused.NotAllowed"),
    (DomainError("other"), (), "refused.DomainError"),
    (NotFound("project"), (FIELD,), "refused.NotFound"),  # a refusal where the missing thing is not the page's own
    (InvalidField("reason", Problem.empty), (FIELD,), "reason.empty"),  # objections
    (InvalidField("reason", Problem.empty), (ALLOCATION,), "refused.DomainError"),  # a view without FIELD
    (OVER_BUDGET, (ALLOCATION, FIELD), "award.over_budget"),  # the award steps
])
def test_a_refusal_commits_nothing_and_says_why_in_the_views_words(app, db, error, flashes, label):
    with app.test_request_context():
        assert not attempt(failing(error), "done", flashes)
        assert get_flashed_messages(with_categories=True) == [("danger", label)]
    assert unit_names(db) == []


def test_where_the_missing_thing_is_the_pages_subject_it_is_a_404(app, db):
    with app.test_request_context():
        with pytest.raises(NotFoundPage):
            attempt(failing(NotFound("round")), "review.opened", (ALLOCATION, FIELD), missing_is_404=True)
        assert get_flashed_messages() == []
    with app.test_request_context():  # a request reads its flashed messages once
        assert not attempt(failing(OVER_BUDGET), "award.propose", (ALLOCATION, FIELD), missing_is_404=True)
        assert get_flashed_messages() == ["award.over_budget"]
    assert unit_names(db) == []
