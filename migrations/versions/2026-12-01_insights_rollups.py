"""insights: week roll-ups, frozen weeks, retention

Revision ID: insights_rollups
Revises: rate_limits
Create Date: 2026-12-01 16:24:03.355182
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "insights_rollups"
down_revision: str | None = "rate_limits"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "week_rollup",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("threshold", sa.Integer(), nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.Column("respondents", sa.Integer(), nullable=False),
        sa.Column("checkins", sa.Integer(), nullable=False),
        sa.Column("calm_sum", sa.Integer(), nullable=False),
        sa.Column("calm_count", sa.Integer(), nullable=False),
        sa.Column("flow_sum", sa.Integer(), nullable=False),
        sa.Column("flow_count", sa.Integer(), nullable=False),
        sa.Column("workload_sum", sa.Integer(), nullable=False),
        sa.Column("workload_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_week_rollup_team_id_team"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("team_id", "week_start", name=op.f("pk_week_rollup")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "week_solution_use",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("solution_id", sa.Integer(), nullable=False),
        sa.Column("yes", sa.Integer(), nullable=False),
        sa.Column("partly", sa.Integer(), nullable=False),
        sa.Column("no", sa.Integer(), nullable=False),
        sa.Column("not_relevant", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["solution_id"],
            ["solution.id"],
            name=op.f("fk_week_solution_use_solution_id_solution"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["team.id"],
            name=op.f("fk_week_solution_use_team_id_team"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "team_id", "week_start", "solution_id", name=op.f("pk_week_solution_use")
        ),
        sqlite_with_rowid=False,
    )
    # Existing organisations get the default retention; the model has no server default, so it
    # is dropped again once the rows have it.
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("retention_months", sa.Integer(), nullable=False, server_default="24")
        )
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.alter_column("retention_months", server_default=None)
        batch_op.create_check_constraint(
            op.f("ck_organisation_retention_months_range"), "retention_months BETWEEN 1 AND 120"
        )
    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.add_column(sa.Column("frozen_through", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.drop_column("frozen_through")
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_organisation_retention_months_range"), type_="check")
        batch_op.drop_column("retention_months")
    op.drop_table("week_solution_use")
    op.drop_table("week_rollup")
