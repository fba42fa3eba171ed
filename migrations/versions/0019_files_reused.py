"""harvest runs count the files whose text was reused from an earlier extraction of the same bytes

Revision ID: 0019_files_reused
Revises: 0018

Branch textreuse: another branch may add its own 0019; at the merge one of them is chained after the other.
"""
from alembic import op
import sqlalchemy as sa


revision = '0019_files_reused'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('harvest_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('files_reused', sa.Integer(), nullable=False, server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('harvest_runs', schema=None) as batch_op:
        batch_op.drop_column('files_reused')
