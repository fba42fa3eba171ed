"""saved searches with their e-mail alerts, and readers' recent search history (issue 19)

Revision ID: 0015
Revises: 0013

`saved_searches`: a reader's search kept as the search page's parameters, the language its alerts are
written in, the alert (none, daily, weekly) and how far the alerts have looked (`alert_checked_until`).
`search_history`: the reader's own recent searches, kept 90 days at most (portal.saved_searches.service).
"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'saved_searches',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('user_id', sa.Integer(), sa.ForeignKey('users.id'), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('query', sa.String(length=2000), nullable=False),
        sa.Column('lang', sa.String(length=8), nullable=False),
        sa.Column('alert', sa.String(length=8), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('alert_checked_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_alert_sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_saved_searches_user', 'saved_searches', ['user_id'])
    op.create_index('ix_saved_searches_alert', 'saved_searches', ['alert', 'alert_checked_until'])
    op.create_table(
        'search_history',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('user_id', sa.Integer(), sa.ForeignKey('users.id'), nullable=False),
        sa.Column('query', sa.String(length=2000), nullable=False),
        sa.Column('hits', sa.Integer(), nullable=False),
        sa.Column('searched_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_search_history_user_time', 'search_history', ['user_id', 'searched_at'])


def downgrade() -> None:
    op.drop_table('search_history')
    op.drop_table('saved_searches')
