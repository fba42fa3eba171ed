"""access requests, their comments, access grants, notifications (issue 7)

Revision ID: 0005
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'access_requests',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('requester_id', sa.Integer(), sa.ForeignKey('users.id'), nullable=False),
        sa.Column('record_id', sa.String(length=512), nullable=False),
        sa.Column('record_level', sa.String(length=16), nullable=False),
        sa.Column('record_title', sa.Text(), nullable=False),
        sa.Column('record_reference_code', sa.String(length=255), nullable=True),
        sa.Column('record_path', sa.JSON(), nullable=False),
        sa.Column('holding_province', sa.String(length=2), nullable=False),
        sa.Column('purpose', sa.String(length=24), nullable=False),
        sa.Column('use_description', sa.Text(), nullable=False),
        sa.Column('research_topic', sa.String(length=500), nullable=False),
        sa.Column('period_wanted', sa.String(length=255), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), sa.ForeignKey('users.id'), nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('decision_reason', sa.Text(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_access_requests_requester_id', 'access_requests', ['requester_id'])
    op.create_index('ix_access_requests_queue', 'access_requests', ['holding_province', 'state', 'due_on'])
    op.create_index('uq_access_requests_open', 'access_requests', ['requester_id', 'record_id'], unique=True,
                    sqlite_where=sa.text("state = 'submitted'"), postgresql_where=sa.text("state = 'submitted'"))

    op.create_table(
        'request_comments',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('request_id', sa.Integer(), sa.ForeignKey('access_requests.id'), nullable=False),
        sa.Column('author_id', sa.Integer(), sa.ForeignKey('users.id'), nullable=False),
        sa.Column('by_staff', sa.Boolean(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_request_comments_request_id', 'request_comments', ['request_id'])

    op.create_table(
        'access_grants',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('user_id', sa.Integer(), sa.ForeignKey('users.id'), nullable=False),
        sa.Column('request_id', sa.Integer(), sa.ForeignKey('access_requests.id'), nullable=True),
        sa.Column('scope', sa.String(length=16), nullable=False),
        sa.Column('scope_record_id', sa.String(length=512), nullable=False),
        sa.Column('scope_level', sa.String(length=16), nullable=False),
        sa.Column('scope_title', sa.Text(), nullable=False),
        sa.Column('holding_province', sa.String(length=2), nullable=False),
        sa.Column('granted_by_id', sa.Integer(), sa.ForeignKey('users.id'), nullable=False),
        sa.Column('granted_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('revoked_by_id', sa.Integer(), sa.ForeignKey('users.id'), nullable=True),
        sa.Column('revoke_reason', sa.Text(), nullable=True),
        sa.Column('expiry_notice_sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_access_grants_user_active', 'access_grants', ['user_id', 'state', 'expires_at'])
    op.create_index('ix_access_grants_request_id', 'access_grants', ['request_id'])
    op.create_index('ix_access_grants_holding_province', 'access_grants', ['holding_province'])

    op.create_table(
        'notifications',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('user_id', sa.Integer(), sa.ForeignKey('users.id'), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('params', sa.JSON(), nullable=False),
        sa.Column('request_id', sa.Integer(), sa.ForeignKey('access_requests.id'), nullable=True),
        sa.Column('grant_id', sa.Integer(), sa.ForeignKey('access_grants.id'), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('mail_state', sa.String(length=16), nullable=False),
        sa.Column('mail_error', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_notifications_user_unread', 'notifications', ['user_id', 'read_at'])


def downgrade() -> None:
    op.drop_table('notifications')
    op.drop_table('access_grants')
    op.drop_table('request_comments')
    op.drop_table('access_requests')
