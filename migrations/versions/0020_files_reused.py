"""harvest runs count the files whose text was reused from an earlier extraction of the same bytes

Revision ID: 0020
Revises: 0019
"""
from alembic import op
import sqlalchemy as sa


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('harvest_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('files_reused', sa.Integer(), nullable=False, server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('harvest_runs', schema=None) as batch_op:
        batch_op.drop_column('files_reused')
