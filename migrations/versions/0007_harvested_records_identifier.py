"""harvested records are looked up by the source's identifier on every page of a harvest: index it

Revision ID: 0007
Revises: 0006
"""
from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_harvested_records_identifier', 'harvested_records', ['source_id', 'identifier'])


def downgrade() -> None:
    op.drop_index('ix_harvested_records_identifier', table_name='harvested_records')
