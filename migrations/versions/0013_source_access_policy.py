"""sources have an access policy; runs count the rights statements nobody recognised (issue 15)

Revision ID: 0013
Revises: 0012

`sources.access_rules`: the source's own wordings of access mapped to public / restricted / closed (or
"none": the statement says nothing of access), set by its admins: [{"statement", "level", "set_by",
"set_at"}]. `sources.unstated_access`: the level of its records that state none; closed, as before
this revision, unless an admin sets it. `harvest_runs.access_statements`: {statement: records} of the
statements a run met that neither the source's rules nor the portal's vocabularies know.
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('sources', schema=None) as batch_op:
        batch_op.add_column(sa.Column('access_rules', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('unstated_access', sa.String(length=16), nullable=False,
                                      server_default='closed'))
    with op.batch_alter_table('harvest_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('access_statements', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('harvest_runs', schema=None) as batch_op:
        batch_op.drop_column('access_statements')
    with op.batch_alter_table('sources', schema=None) as batch_op:
        batch_op.drop_column('unstated_access')
        batch_op.drop_column('access_rules')
