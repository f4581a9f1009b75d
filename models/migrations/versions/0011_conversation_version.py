"""conversation.version: the compare-and-set that lets a message be handled without holding a lock

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision: every existing dialog starts at version 0."""
    with op.batch_alter_table('conversation') as batch:
        batch.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='0'))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('conversation') as batch:
        batch.drop_column('version')
