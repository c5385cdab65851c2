"""member_note: the coordinator's note on a member (to tell two of the same name apart)

Revision ID: member_note
Revises: reminders
Create Date: 2026-12-02 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "member_note"
down_revision: str | None = "reminders"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("member") as batch:
        batch.add_column(
            sa.Column(
                "coordinator_note",
                sqlmodel.sql.sqltypes.AutoString(length=200),
                nullable=False,
                server_default="",  # for the members there are; new rows get it from the app
            )
        )
    with op.batch_alter_table("member") as batch:
        batch.alter_column("coordinator_note", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("member") as batch:
        batch.drop_column("coordinator_note")
