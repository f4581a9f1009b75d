"""Migration 0009: a benefit stored before it becomes an exact amount; a missing one stays unsaid."""
from alembic import command
from sqlalchemy import create_engine, text

from models.migrate import alembic_config, upgrade


def _insert_project(connection, benefit):
    """A project row with only its required columns filled (SQLite checks no foreign keys here)."""
    columns = connection.execute(text("PRAGMA table_info(project)")).all()
    values = {c.name: (1 if "INT" in c.type.upper() else "x") for c in columns if c.notnull and not c.pk}
    values["annual_benefit_yuan"] = benefit
    names = ", ".join(values)
    connection.execute(text(f"INSERT INTO project ({names}) VALUES ({', '.join(':' + n for n in values)})"), values)


def test_old_benefits_become_exact_amounts_and_missing_ones_stay_unsaid(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    engine = create_engine(url)
    with engine.connect() as connection:
        config = alembic_config(url)
        config.attributes["connection"] = connection
        command.upgrade(config, "0006")
    with engine.begin() as connection:
        _insert_project(connection, 30000)
        _insert_project(connection, None)
    upgrade(engine)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT annual_benefit_yuan, annual_benefit_high_yuan, benefit_approximate, "
                                       "benefit_kind FROM project ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [(30000, 30000, 0, "amount"), (None, None, 0, None)]
    engine.dispose()
