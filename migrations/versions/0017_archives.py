"""the holding archive of each of the 34 provinces, described after ISDIAH (issue 19)

Revision ID: 0017
Revises: 0015

One row a province, seeded with the name "Trung tâm Lưu trữ lịch sử <province>" and the province's centre
(from vietnamadminunits) for the map; address, hours, contact and the rest stay empty for the province's
admins to fill: nothing is invented.
"""
from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    from schema.provinces import current_provinces, province_centres

    archives = op.create_table(
        'archives',
        sa.Column('province', sa.String(length=2), primary_key=True),
        sa.Column('name', sa.String(length=255), nullable=False),
        sa.Column('other_names', sa.Text(), nullable=False, server_default=''),
        sa.Column('address', sa.Text(), nullable=False, server_default=''),
        sa.Column('phone', sa.String(length=64), nullable=False, server_default=''),
        sa.Column('email', sa.String(length=320), nullable=False, server_default=''),
        sa.Column('website', sa.String(length=1024), nullable=False, server_default=''),
        sa.Column('opening_hours', sa.Text(), nullable=False, server_default=''),
        sa.Column('reading_room', sa.Text(), nullable=False, server_default=''),
        sa.Column('copies', sa.Text(), nullable=False, server_default=''),
        sa.Column('latitude', sa.Float(), nullable=True),
        sa.Column('longitude', sa.Float(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('updated_by', sa.String(length=320), nullable=True),
    )
    centres = province_centres()
    op.bulk_insert(archives, [
        {"province": code, "name": f"Trung tâm Lưu trữ lịch sử {_kind_in_lower_case(name)}",
         "latitude": centres.get(code, (None, None))[0], "longitude": centres.get(code, (None, None))[1]}
        for code, name in current_provinces().items()])


def _kind_in_lower_case(name: str) -> str:
    """'Vĩnh Long' → 'tỉnh Vĩnh Long', 'Thành phố Huế' → 'thành phố Huế': vietnam-provinces names the
    centrally-run cities with their kind and the provinces without."""
    return "thành phố" + name[len("Thành phố"):] if name.startswith("Thành phố") else f"tỉnh {name}"


def downgrade() -> None:
    op.drop_table('archives')
