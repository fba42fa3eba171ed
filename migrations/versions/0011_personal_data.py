"""personal data: readers' ID numbers encrypted, consent to the privacy notice, deleted accounts

Revision ID: 0011
Revises: 0009

`users.id_number` becomes TEXT and holds a Fernet token (portal/personal_data/encryption.py). ID numbers
stored in plain text before this revision are encrypted here, with PERSONAL_DATA_KEY: the key the portal
itself is configured with when run by `flask db upgrade`, else the environment variable. If some are
in plain text and no key is given, the migration stops before changing anything, saying so.
`users.consent_at` and `users.consent_notice_version`: when a reader agreed to the privacy notice, and
to which version. `users.deleted_at`: the person deleted their account (the row stays, anonymised).
"""
import os
import re

from alembic import context, op
import sqlalchemy as sa
from cryptography.fernet import Fernet, MultiFernet


revision = '0011'
down_revision = '0009'
branch_labels = None
depends_on = None

# Every value of the old String(32) column is at most 32 characters; every Fernet token is longer.
LONGEST_PLAINTEXT = 32
users = sa.table('users', sa.column('id', sa.Integer), sa.column('id_number', sa.Text))


def _fernet():
    value = context.config.attributes.get('personal_data_key') or os.environ.get('PERSONAL_DATA_KEY', '')
    keys = [key for key in re.split(r'[\s,]+', value) if key]
    return MultiFernet([Fernet(key) for key in keys]) if keys else None


def upgrade() -> None:
    connection = op.get_bind()
    plain = connection.execute(sa.select(users.c.id, users.c.id_number).where(
        users.c.id_number.is_not(None), sa.func.length(users.c.id_number) <= LONGEST_PLAINTEXT)).all()
    fernet = _fernet()
    if plain and fernet is None:  # checked before any change, so the database stays as it was
        raise RuntimeError(
            f"migration 0011: {len(plain)} reader(s) have an ID number in plain text and PERSONAL_DATA_KEY is not "
            "set; set it (see .env.example) and run `flask db upgrade` again")
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('id_number', existing_type=sa.String(length=32), type_=sa.Text(),
                              existing_nullable=True)
        batch_op.add_column(sa.Column('consent_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('consent_notice_version', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True))
    for user_id, id_number in plain:
        connection.execute(users.update().where(users.c.id == user_id).values(
            id_number=fernet.encrypt(id_number.encode('utf-8')).decode('ascii')))


def downgrade() -> None:
    connection = op.get_bind()
    encrypted = connection.execute(sa.select(users.c.id, users.c.id_number).where(
        users.c.id_number.is_not(None), sa.func.length(users.c.id_number) > LONGEST_PLAINTEXT)).all()
    fernet = _fernet()
    if encrypted and fernet is None:
        raise RuntimeError("migration 0011 down: ID numbers are encrypted and PERSONAL_DATA_KEY is not set")
    for user_id, token in encrypted:
        connection.execute(users.update().where(users.c.id == user_id).values(
            id_number=fernet.decrypt(token.encode('ascii')).decode('utf-8')))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('deleted_at')
        batch_op.drop_column('consent_notice_version')
        batch_op.drop_column('consent_at')
        batch_op.alter_column('id_number', existing_type=sa.Text(), type_=sa.String(length=32),
                              existing_nullable=True)
