"""merge the three heads (audit log, harvest objects, access requests); sources carry a run
asked for on the admin pages, which the next `flask harvest --due` starts

Revision ID: 0006
Revises: 0003, 0004, 0005
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = ('0003', '0004', '0005')
branch_labels = None
depends_on = None

_REQUEST_COLUMNS = [
    sa.Column('run_requested_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('run_requested_full', sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.Column('run_requested_by', sa.String(length=320), nullable=True),
]


def upgrade() -> None:
    with op.batch_alter_table('sources', schema=None) as batch_op:
        for column in _REQUEST_COLUMNS:
            batch_op.add_column(column)


def downgrade() -> None:
    with op.batch_alter_table('sources', schema=None) as batch_op:
        for column in reversed(_REQUEST_COLUMNS):
            batch_op.drop_column(column.name)
