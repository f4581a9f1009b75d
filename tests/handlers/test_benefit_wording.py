"""One wording of the yearly benefit for the chat, the export and the pages (handlers/draft_view.benefit_text)."""
from decimal import Decimal

import pytest

from handlers import texts
from handlers.draft_view import benefit_said_otherwise, benefit_text, project_benefit
from models.project import Project


def as_decimal(value):
    return None if value is None else Decimal(value)


@pytest.mark.parametrize(("kind", "low", "high", "approximate", "shown"), [
    ("amount", "20000", "30000", True, "约2–3万元"),
    ("amount", "30000", "30000", True, "约3万元"),
    ("amount", "32000", "32000", False, "3.2万元"),
    ("amount", "800", "800", False, "800元"),
    ("amount", "5000", None, True, "约5000元"),
    ("none", None, None, False, texts.BENEFIT_NO),
    ("unknown", None, None, False, texts.BENEFIT_NONE),
    (None, None, None, False, texts.SUMMARY_UNKNOWN),
])
def test_each_kind_of_benefit_reads_one_way(kind, low, high, approximate, shown):
    assert benefit_text(kind, as_decimal(low), as_decimal(high), approximate) == shown
    project = Project(benefit_kind=kind, annual_benefit_yuan=as_decimal(low),
                      annual_benefit_high_yuan=as_decimal(high), benefit_approximate=approximate)
    assert project_benefit(project) == shown


def test_the_description_s_other_figure_is_named_and_an_agreeing_one_is_not():
    said = Project(description="一年省三万多", benefit_kind="amount", annual_benefit_yuan=Decimal("21000.00"),
                   annual_benefit_high_yuan=Decimal("21000.00"))
    assert benefit_said_otherwise(said) == "约3万元"
    agreeing = Project(description="一年省三万多", benefit_kind="amount", annual_benefit_yuan=Decimal("30000.00"),
                       annual_benefit_high_yuan=Decimal("30000.00"), benefit_approximate=True)
    assert benefit_said_otherwise(agreeing) is None
    assert benefit_said_otherwise(Project(description="皮带老跑偏，加了挡辊", benefit_kind="none")) is None


def test_pages_word_the_benefit_with_the_same_function(app):
    assert app.jinja_env.filters["benefit"] is project_benefit
