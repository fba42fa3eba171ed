"""users: local reader accounts and officials signed in through OpenID Connect

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'users',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('email', sa.String(length=320), nullable=True),
        sa.Column('phone', sa.String(length=32), nullable=True),
        sa.Column('full_name', sa.String(length=255), nullable=False),
        sa.Column('id_number', sa.String(length=32), nullable=True),
        sa.Column('workplace', sa.String(length=255), nullable=True),
        sa.Column('password_hash', sa.String(length=255), nullable=True),
        sa.Column('email_verified_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('roles', sa.Text(), nullable=False),
        sa.Column('province', sa.String(length=2), nullable=True),
        sa.Column('oidc_issuer', sa.String(length=512), nullable=True),
        sa.Column('oidc_subject', sa.String(length=255), nullable=True),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('failed_logins', sa.Integer(), nullable=False),
        sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('email'),
        sa.UniqueConstraint('oidc_issuer', 'oidc_subject', name='uq_users_oidc_subject'),
    )


def downgrade() -> None:
    op.drop_table('users')
