"""round counters for project numbers

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision (a round's counter is created at its first submission from its highest number)."""
    op.create_table('round_counter',
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=30), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_round_counter_round_id_round')),
    sa.PrimaryKeyConstraint('round_id', 'name', name=op.f('pk_round_counter'))
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table('round_counter')
