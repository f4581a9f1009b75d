"""The migrations build exactly the schema the models describe, and upgrading twice changes nothing."""
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine

from models import Base
from models.migrate import current_revision, upgrade


def test_migrated_database_matches_the_models(database_url):
    engine = create_engine(database_url)
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    engine.dispose()


def test_upgrade_is_idempotent(database_url):
    engine = create_engine(database_url)
    before = current_revision(engine)
    upgrade(engine)
    assert current_revision(engine) == before is not None
    engine.dispose()
