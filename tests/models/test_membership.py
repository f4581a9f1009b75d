"""Finding the unit a worker names in words, from unit names shared by the messages of a process."""
from sqlalchemy import select

from models.membership import UnitNames, match_units
from models.unit import Unit, UnitKind


def _tree(db) -> int:
    """An enterprise with a mine and two teams; returns the mine's id."""
    with db.transaction() as session:
        enterprise = Unit(name="能源集团", kind=UnitKind.enterprise)
        mine = Unit(name="二矿", kind=UnitKind.mine, parent=enterprise)
        session.add_all([enterprise, mine, Unit(name="机电队", kind=UnitKind.team, parent=mine),
                         Unit(name="运输队", kind=UnitKind.team, parent=mine)])
        session.flush()
        return mine.id


def test_a_named_team_is_found_with_its_mine(db):
    _tree(db)
    names = UnitNames()
    with db.transaction() as session:
        found = match_units(session, "二矿机电队", names=names)
        assert [u.full_name() for u in found][:1] == ["能源集团二矿机电队"]
        assert match_units(session, "食堂", names=names) == []


def test_a_unit_added_later_is_found_once_the_names_are_read_again(db):
    mine_id = _tree(db)
    names = UnitNames(max_age=3600)
    with db.transaction() as session:
        assert match_units(session, "通风队", names=names) == []
        session.add(Unit(name="通风队", kind=UnitKind.team, parent_id=mine_id))
    with db.transaction() as session:
        assert match_units(session, "通风队", names=names) == []  # still the names read a moment ago
        assert [u.name for u in match_units(session, "通风队", names=UnitNames(max_age=0))] == ["通风队"]


def test_a_unit_deleted_since_the_names_were_read_is_not_offered(db):
    _tree(db)
    names = UnitNames(max_age=3600)
    with db.transaction() as session:
        assert [u.name for u in match_units(session, "运输队", names=names)] == ["运输队"]
    with db.transaction() as session:
        session.delete(session.scalars(select(Unit).where(Unit.name == "运输队")).one())
    with db.transaction() as session:
        assert match_units(session, "运输队", names=names) == []
