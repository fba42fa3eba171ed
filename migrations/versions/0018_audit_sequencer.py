"""audit rows are written unchained and chained later by one sequencer (issue 17)

Revision ID: 0018
Revises: 0017

A request inserts its row (committed before it answers) with no `seq`, `prev_hash` or `hash`;
the sequencer (portal/audit/sequencer.py) gives those, once, in the order it finds rows
committed. So `id` is now given by the database at insert, `seq` is the chain position (rows
already written keep seq = id, and the hash of each, which names its position `id`, still
holds), and the append-only triggers let exactly one change through: an unchained row getting
its seq and hashes, every other column unchanged. DELETE stays refused unless a checkpoint
of `flask audit archive` covers the row's seq.
"""
from alembic import op
import sqlalchemy as sa


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

_CONTENT = ("id", "occurred_at", "actor", "actor_roles", "actor_province", "ip", "user_agent", "action",
            "target_id", "target_province", "outcome", "details")

_SQLITE_CHAINING_ONLY = " AND ".join(
    ["OLD.seq IS NULL", "NEW.seq IS NOT NULL", "NEW.prev_hash IS NOT NULL", "NEW.hash IS NOT NULL"]
    + [f"NEW.{column} IS OLD.{column}" for column in _CONTENT])

_SQLITE_TRIGGERS = [
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    f"WHEN NOT ({_SQLITE_CHAINING_ONLY}) "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE refused'); END",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
    "WHEN OLD.seq IS NULL OR OLD.seq > (SELECT COALESCE(MAX(archived_through), 0) FROM audit_checkpoints) "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: DELETE refused'); END",
]

_POSTGRES_FUNCTION = f"""CREATE OR REPLACE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' AND OLD.seq IS NOT NULL
         AND OLD.seq <= (SELECT COALESCE(MAX(archived_through), 0) FROM audit_checkpoints) THEN
        RETURN OLD;  -- archived to a file under a checkpoint: may leave the table
      END IF;
      IF TG_OP = 'UPDATE' AND OLD.seq IS NULL AND NEW.seq IS NOT NULL AND NEW.prev_hash IS NOT NULL
         AND NEW.hash IS NOT NULL
         AND ({', '.join(f'NEW.{c}' for c in _CONTENT)}) IS NOT DISTINCT FROM ({', '.join(f'OLD.{c}' for c in _CONTENT)}) THEN
        RETURN NEW;  -- the sequencer chaining a row, once
      END IF;
      RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
    END $$"""

_POSTGRES_FUNCTION_0003 = """CREATE OR REPLACE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' AND OLD.id <= (SELECT COALESCE(MAX(archived_through), 0) FROM audit_checkpoints) THEN
        RETURN OLD;
      END IF;
      RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
    END $$"""


def upgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        _upgrade_sqlite()
    else:
        _upgrade_postgres()
    # The sequencer's work list: small, whatever the size of the table.
    op.create_index('ix_audit_log_unchained', 'audit_log', ['id'], sqlite_where=sa.text('seq IS NULL'),
                    postgresql_where=sa.text('seq IS NULL'))


def _upgrade_sqlite() -> None:
    op.execute("DROP TRIGGER audit_log_no_update")
    op.execute("DROP TRIGGER audit_log_no_delete")
    # INTEGER PRIMARY KEY AUTOINCREMENT: an insert without id gets one, never one of a row archived away.
    with op.batch_alter_table('audit_log', recreate='always',
                              table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.Integer(), nullable=True))
        batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=True)
        batch_op.alter_column('hash', existing_type=sa.String(length=64), nullable=True)
        batch_op.create_unique_constraint('uq_audit_log_seq', ['seq'])
    op.execute("UPDATE audit_log SET seq = id")
    for statement in _SQLITE_TRIGGERS:
        op.execute(statement)


def _upgrade_postgres() -> None:
    op.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
    op.add_column('audit_log', sa.Column('seq', sa.Integer(), nullable=True))
    op.execute("UPDATE audit_log SET seq = id")
    op.alter_column('audit_log', 'prev_hash', existing_type=sa.String(length=64), nullable=True)
    op.alter_column('audit_log', 'hash', existing_type=sa.String(length=64), nullable=True)
    op.create_unique_constraint('uq_audit_log_seq', 'audit_log', ['seq'])
    op.execute("CREATE SEQUENCE audit_log_id_seq OWNED BY audit_log.id")
    op.execute("SELECT setval('audit_log_id_seq', COALESCE((SELECT MAX(id) FROM audit_log), 0) + 1, false)")
    op.execute("ALTER TABLE audit_log ALTER COLUMN id SET DEFAULT nextval('audit_log_id_seq')")
    op.execute(_POSTGRES_FUNCTION)
    op.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only")


def downgrade() -> None:
    bind = op.get_bind()
    unchained = bind.exec_driver_sql("SELECT COUNT(*) FROM audit_log WHERE seq IS NULL OR seq <> id").scalar()
    if unchained:
        raise RuntimeError("audit rows whose chain position is not their id: run `flask audit chain` and "
                           "archive them before going back to one-writer-at-a-time ids")
    op.drop_index('ix_audit_log_unchained', table_name='audit_log')
    if bind.dialect.name != 'sqlite':
        op.execute("ALTER TABLE audit_log ALTER COLUMN id DROP DEFAULT")
        op.execute("DROP SEQUENCE audit_log_id_seq")
        op.execute(_POSTGRES_FUNCTION_0003)
        op.drop_constraint('uq_audit_log_seq', 'audit_log')
        op.drop_column('audit_log', 'seq')
        op.alter_column('audit_log', 'prev_hash', existing_type=sa.String(length=64), nullable=False)
        op.alter_column('audit_log', 'hash', existing_type=sa.String(length=64), nullable=False)
        return
    op.execute("DROP TRIGGER audit_log_no_update")
    op.execute("DROP TRIGGER audit_log_no_delete")
    with op.batch_alter_table('audit_log') as batch_op:
        batch_op.drop_constraint('uq_audit_log_seq', type_='unique')
        batch_op.drop_column('seq')
        batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('hash', existing_type=sa.String(length=64), nullable=False)
    op.execute("CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
               "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE refused'); END")
    op.execute("CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
               "WHEN OLD.id > (SELECT COALESCE(MAX(archived_through), 0) FROM audit_checkpoints) "
               "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: DELETE refused'); END")
