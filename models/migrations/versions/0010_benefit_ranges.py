"""the yearly benefit as said: a range's high end, approximateness, and none/unknown/amount

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the columns; a stored figure becomes an exact amount, a missing one stays unsaid."""
    with op.batch_alter_table('project') as batch:
        batch.add_column(sa.Column('annual_benefit_high_yuan', sa.Numeric(precision=14, scale=2), nullable=True))
        batch.add_column(sa.Column('benefit_approximate', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column('benefit_kind', sa.String(length=10), nullable=True))
    op.execute("UPDATE project SET annual_benefit_high_yuan = annual_benefit_yuan, benefit_kind = 'amount' "
               "WHERE annual_benefit_yuan IS NOT NULL")
    with op.batch_alter_table('project') as batch:
        batch.alter_column('benefit_approximate', server_default=None)


def downgrade() -> None:
    """Revert this revision (ranges keep their low end)."""
    with op.batch_alter_table('project') as batch:
        batch.drop_column('benefit_kind')
        batch.drop_column('benefit_approximate')
        batch.drop_column('annual_benefit_high_yuan')
