"""covering indexes for the statistics: projects by round and status, approvals by day

Revision ID: 0012
Revises: 0008
Create Date: 2026-12-01
"""
from alembic import op


revision = '0012'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision: the figures read these narrow indexes instead of the wide project rows."""
    op.create_index('ix_project_stats', 'project', ['round_id', 'status', 'unit_id', 'system', 'category',
                                                    'worker_id', 'annual_benefit_yuan', 'submitted_at'])
    op.create_index('ix_project_event_status_at', 'project_event', ['to_status', 'project_id', 'at'])


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index('ix_project_event_status_at', table_name='project_event')
    op.drop_index('ix_project_stats', table_name='project')
