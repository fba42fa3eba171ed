"""sources name the hosts their file links may point to; at most one running run per source

Revision ID: 0009
Revises: 0008

`sources.file_hosts`: origins (scheme://host[:port]) a source's file links may point to besides its own
origin; empty by default, so only the source's own origin is fetched. `harvest_runs.links_refused`: how
many file links a run did not fetch for that reason (the report names them).

`uq_harvest_runs_one_running`: a partial unique index on harvest_runs(source_id) WHERE state = 'running'
(SQLite and PostgreSQL both have partial indexes), so two processes that claim a source in the same
instant cannot both hold a running run. Runs already left `running` twice for one source (by processes
that raced before this index) are stopped, the newest kept.
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

RUNNING = sa.text("state = 'running'")


def upgrade() -> None:
    with op.batch_alter_table('sources', schema=None) as batch_op:
        batch_op.add_column(sa.Column('file_hosts', sa.JSON(), nullable=True))
    with op.batch_alter_table('harvest_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('links_refused', sa.Integer(), nullable=False, server_default='0'))
    runs = sa.table('harvest_runs', sa.column('id', sa.Integer), sa.column('source_id', sa.String),
                    sa.column('state', sa.String), sa.column('resumable', sa.Boolean),
                    sa.column('lease_owner', sa.String), sa.column('message', sa.Text))
    connection = op.get_bind()
    newest = sa.select(sa.func.max(runs.c.id)).where(runs.c.state == 'running').group_by(runs.c.source_id)
    connection.execute(runs.update().where(runs.c.state == 'running', runs.c.id.not_in(newest)).values(
        state='stopped', resumable=False, lease_owner=None,
        message='stopped by migration 0009: another run of the source was running at the same time'))
    op.create_index('uq_harvest_runs_one_running', 'harvest_runs', ['source_id'], unique=True,
                    sqlite_where=RUNNING, postgresql_where=RUNNING)


def downgrade() -> None:
    op.drop_index('uq_harvest_runs_one_running', table_name='harvest_runs')
    with op.batch_alter_table('harvest_runs', schema=None) as batch_op:
        batch_op.drop_column('links_refused')
    with op.batch_alter_table('sources', schema=None) as batch_op:
        batch_op.drop_column('file_hosts')
