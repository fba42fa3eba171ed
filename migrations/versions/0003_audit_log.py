"""audit_log: the tamper-evident, append-only audit log, and its archive checkpoints

Triggers make both tables append-only on SQLite and PostgreSQL: UPDATE is refused always;
DELETE of an audit row only once a checkpoint covers it (the `flask audit archive` step, which
exports the rows to a file first and is itself an audit row).

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

_SQLITE_TRIGGERS = [
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE refused'); END",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
    "WHEN OLD.id > (SELECT COALESCE(MAX(archived_through), 0) FROM audit_checkpoints) "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: DELETE refused'); END",
    "CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints "
    "BEGIN SELECT RAISE(ABORT, 'audit_checkpoints is append-only: UPDATE refused'); END",
    "CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints "
    "BEGIN SELECT RAISE(ABORT, 'audit_checkpoints is append-only: DELETE refused'); END",
]

_POSTGRES_TRIGGERS = [
    """CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' AND OLD.id <= (SELECT COALESCE(MAX(archived_through), 0) FROM audit_checkpoints) THEN
        RETURN OLD;  -- archived to a file under a checkpoint: may leave the table
      END IF;
      RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
    END $$""",
    """CREATE FUNCTION audit_refuse_all_changes() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
    END $$""",
    "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change()",
    "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_all_changes()",
    "CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints "
    "FOR EACH ROW EXECUTE FUNCTION audit_refuse_all_changes()",
    "CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_all_changes()",
]


def upgrade() -> None:
    op.create_table(
        'audit_log',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('actor', sa.String(length=255), nullable=False),
        sa.Column('actor_roles', sa.String(length=255), nullable=False),
        sa.Column('actor_province', sa.String(length=2), nullable=True),
        sa.Column('ip', sa.String(length=64), nullable=True),
        sa.Column('user_agent', sa.String(length=512), nullable=True),
        sa.Column('action', sa.String(length=64), nullable=False),
        sa.Column('target_id', sa.String(length=1024), nullable=True),
        sa.Column('target_province', sa.String(length=2), nullable=True),
        sa.Column('outcome', sa.String(length=16), nullable=False),
        sa.Column('details', sa.Text(), nullable=False),
        sa.Column('prev_hash', sa.String(length=64), nullable=False),
        sa.Column('hash', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('hash', name='uq_audit_log_hash'),
    )
    op.create_index('ix_audit_log_occurred_at', 'audit_log', ['occurred_at'])
    op.create_index('ix_audit_log_actor', 'audit_log', ['actor'])
    op.create_index('ix_audit_log_action', 'audit_log', ['action'])
    op.create_index('ix_audit_log_target_province', 'audit_log', ['target_province'])
    op.create_table(
        'audit_checkpoints',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('archived_through', sa.Integer(), nullable=False),
        sa.Column('last_hash', sa.String(length=64), nullable=False),
        sa.Column('row_count', sa.Integer(), nullable=False),
        sa.Column('file_name', sa.String(length=1024), nullable=False),
        sa.Column('file_sha256', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    triggers = _SQLITE_TRIGGERS if op.get_bind().dialect.name == 'sqlite' else _POSTGRES_TRIGGERS
    for statement in triggers:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != 'sqlite':
        op.execute("DROP TABLE audit_checkpoints")
        op.execute("DROP TABLE audit_log")
        op.execute("DROP FUNCTION audit_log_refuse_change()")
        op.execute("DROP FUNCTION audit_refuse_all_changes()")
        return
    op.drop_table('audit_checkpoints')
    op.drop_table('audit_log')
