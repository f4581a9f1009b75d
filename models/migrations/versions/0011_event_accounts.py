"""a status change made on the web keeps the account that made it

Revision ID: 0011
Revises: 0006
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table('project_event') as batch:
        batch.add_column(sa.Column('account_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(batch.f('fk_project_event_account_id_account'), 'account', ['account_id'], ['id'])


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('project_event') as batch:
        batch.drop_constraint(batch.f('fk_project_event_account_id_account'), type_='foreignkey')
        batch.drop_column('account_id')
