"""outbox messages held until the worker writes again, pauses that use no attempt

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision (the statuses `held` and `unknown` need no schema: statuses are strings)."""
    with op.batch_alter_table('outbound_message') as batch:
        batch.add_column(sa.Column('pauses', sa.Integer(), nullable=False, server_default='0'))
        batch.add_column(sa.Column('held_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('outbound_message') as batch:
        batch.alter_column('pauses', server_default=None)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('outbound_message') as batch:
        batch.drop_column('held_at')
        batch.drop_column('pauses')
