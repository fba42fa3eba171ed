"""creators: authority records reconciled from the creator names the sources send (issue 19)

Revision ID: 0019
Revises: 0018

`creators` holds one row a creating body or person (ISAAR(CPF)); `creator_names` ties each spelling of a
name, in one current province, to its creator (filled by `flask creators reconcile` after each harvest);
`creators_kept_apart` remembers the doubtful pairs an admin decided to keep apart. Nothing is seeded: the
first reconcile derives them from the index.
"""
from alembic import op
import sqlalchemy as sa


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'creators',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('entity_type', sa.String(length=16), nullable=False, server_default='corporateBody'),
        sa.Column('name', sa.String(length=512), nullable=False),
        sa.Column('province', sa.String(length=2), nullable=False),
        sa.Column('dates_of_existence', sa.String(length=100), nullable=False, server_default=''),
        sa.Column('merged_into', sa.Integer(), sa.ForeignKey('creators.id'), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        'creator_names',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('creator_id', sa.Integer(), sa.ForeignKey('creators.id'), nullable=False),
        sa.Column('name', sa.String(length=512), nullable=False),
        sa.Column('name_key', sa.String(length=512), nullable=False),
        sa.Column('province', sa.String(length=2), nullable=False),
        sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint('name', 'province', name='uq_creator_names_name_province'),
    )
    op.create_index('ix_creator_names_creator_id', 'creator_names', ['creator_id'])
    op.create_index('ix_creator_names_name_key', 'creator_names', ['name_key'])
    op.create_table(
        'creators_kept_apart',
        sa.Column('first_id', sa.Integer(), sa.ForeignKey('creators.id'), primary_key=True),
        sa.Column('second_id', sa.Integer(), sa.ForeignKey('creators.id'), primary_key=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('decided_by', sa.String(length=320), nullable=False),
    )


def downgrade() -> None:
    op.drop_table('creators_kept_apart')
    op.drop_index('ix_creator_names_name_key', table_name='creator_names')
    op.drop_index('ix_creator_names_creator_id', table_name='creator_names')
    op.drop_table('creator_names')
    op.drop_table('creators')
