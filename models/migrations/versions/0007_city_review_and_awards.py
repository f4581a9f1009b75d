"""the city review, its score cards, awards and objections

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table('city_review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('deadline', sa.DateTime(timezone=True), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('notice_starts_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('notice_ends_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finalized_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_city_review_round_id_round')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_city_review')),
    sa.UniqueConstraint('round_id', name=op.f('uq_city_review_round_id'))
    )
    op.create_table('award',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=20), nullable=False),
    sa.Column('prize', sa.Integer(), nullable=False),
    sa.Column('score', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('final_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_award_project_id_project')),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_award_round_id_round')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_award')),
    sa.UniqueConstraint('project_id', name=op.f('uq_award_project_id'))
    )
    with op.batch_alter_table('award', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_award_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_award_state'), ['state'], unique=False)

    op.create_table('objection',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('raised_by', sa.String(length=100), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('recorded_by', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=True),
    sa.Column('resolution', sa.Text(), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_objection_project_id_project')),
    sa.ForeignKeyConstraint(['recorded_by'], ['account.id'], name=op.f('fk_objection_recorded_by_account')),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_objection_round_id_round')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_objection'))
    )
    with op.batch_alter_table('objection', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_objection_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_objection_round_id'), ['round_id'], unique=False)

    op.create_table('review_assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('scores', sa.JSON(), nullable=True),
    sa.Column('total', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('scored_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_review_assignment_account_id_account')),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_review_assignment_project_id_project')),
    sa.ForeignKeyConstraint(['review_id'], ['city_review.id'], name=op.f('fk_review_assignment_review_id_city_review')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_assignment')),
    sa.UniqueConstraint('project_id', 'account_id', name=op.f('uq_review_assignment_project_id'))
    )
    with op.batch_alter_table('review_assignment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_assignment_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_assignment_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_assignment_review_id'), ['review_id'], unique=False)



def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('review_assignment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_assignment_review_id'))
        batch_op.drop_index(batch_op.f('ix_review_assignment_project_id'))
        batch_op.drop_index(batch_op.f('ix_review_assignment_account_id'))

    op.drop_table('review_assignment')
    with op.batch_alter_table('objection', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_objection_round_id'))
        batch_op.drop_index(batch_op.f('ix_objection_project_id'))

    op.drop_table('objection')
    with op.batch_alter_table('award', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_award_state'))
        batch_op.drop_index(batch_op.f('ix_award_round_id'))

    op.drop_table('award')
    op.drop_table('city_review')
