"""corrections of a project's system, kept for retraining the classifier

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""
from alembic import op
import sqlalchemy as sa



revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table('system_correction',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('from_system', sa.String(length=30), nullable=True),
    sa.Column('to_system', sa.String(length=30), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['worker.id'], name=op.f('fk_system_correction_actor_id_worker')),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_system_correction_project_id_project')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_system_correction'))
    )
    op.create_index(op.f('ix_system_correction_project_id'), 'system_correction', ['project_id'], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index(op.f('ix_system_correction_project_id'), table_name='system_correction')
    op.drop_table('system_correction')
