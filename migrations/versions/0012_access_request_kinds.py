"""access requests have a kind: the content, a reading-room visit, or a copy (issue 18)

Revision ID: 0012
Revises: 0011

A record with no digital copy (no file, no text) cannot be opened by a grant; its reader asks to consult it
in the reading room or for a copy instead. Requests made before this revision asked for the content.
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('access_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=16), nullable=False, server_default='content'))


def downgrade() -> None:
    with op.batch_alter_table('access_requests', schema=None) as batch_op:
        batch_op.drop_column('kind')
