"""harvest objects, harvested records, resumable runs (checkpoint, lease, counts)

Revision ID: 0004
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0002'
branch_labels = None
depends_on = None

_RUN_COLUMNS = [
    sa.Column('unchanged', sa.Integer(), nullable=False, server_default='0'),
    sa.Column('processed', sa.Integer(), nullable=False, server_default='0'),
    sa.Column('complete_list_size', sa.Integer(), nullable=True),
    sa.Column('metadata_prefix', sa.String(length=64), nullable=True),
    sa.Column('set_spec', sa.String(length=255), nullable=True),
    sa.Column('from_datestamp', sa.String(length=32), nullable=True),
    sa.Column('until_datestamp', sa.String(length=32), nullable=True),
    sa.Column('checkpoint_token', sa.Text(), nullable=True),
    sa.Column('checkpoint_datestamp', sa.String(length=32), nullable=True),
    sa.Column('newest_datestamp', sa.String(length=32), nullable=True),
    sa.Column('target_index', sa.String(length=255), nullable=True),
    sa.Column('resumable', sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.Column('resumed', sa.Integer(), nullable=False, server_default='0'),
    sa.Column('lease_owner', sa.String(length=255), nullable=True),
    sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True),
]


def upgrade() -> None:
    with op.batch_alter_table('harvest_runs', schema=None) as batch_op:
        for column in _RUN_COLUMNS:
            batch_op.add_column(column)
    op.create_table(
        'harvest_objects',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('run_id', sa.Integer(), nullable=False),
        sa.Column('identifier', sa.String(length=512), nullable=False),
        sa.Column('record_id', sa.String(length=600), nullable=True),
        sa.Column('datestamp', sa.String(length=32), nullable=True),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('error_kind', sa.String(length=32), nullable=True),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['run_id'], ['harvest_runs.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('run_id', 'identifier', name='uq_harvest_objects_run_identifier'),
    )
    op.create_index('ix_harvest_objects_run_id', 'harvest_objects', ['run_id'])
    op.create_table(
        'harvested_records',
        sa.Column('source_id', sa.String(length=64), nullable=False),
        sa.Column('record_id', sa.String(length=600), nullable=False),
        sa.Column('identifier', sa.String(length=512), nullable=False),
        sa.Column('datestamp', sa.String(length=32), nullable=True),
        sa.Column('content_hash', sa.String(length=64), nullable=False),
        sa.Column('needs_extraction', sa.Boolean(), nullable=False),
        sa.Column('last_run_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['source_id'], ['sources.id']),
        sa.PrimaryKeyConstraint('source_id', 'record_id'),
    )
    op.create_index('ix_harvested_records_pending', 'harvested_records', ['source_id', 'needs_extraction'])


def downgrade() -> None:
    op.drop_index('ix_harvested_records_pending', table_name='harvested_records')
    op.drop_table('harvested_records')
    op.drop_index('ix_harvest_objects_run_id', table_name='harvest_objects')
    op.drop_table('harvest_objects')
    with op.batch_alter_table('harvest_runs', schema=None) as batch_op:
        for column in reversed(_RUN_COLUMNS):
            batch_op.drop_column(column.name)
