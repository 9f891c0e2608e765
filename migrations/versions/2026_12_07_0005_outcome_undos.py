"""Undoing a recorded outcome without deleting it.

Outcome events stay append-only: a consultant who recorded a hire or a rejection by mistake undoes it with
a row here (who, when). The event stays in the history, marked undone; lists, the duplicate-proposal check,
learning and the monitoring report leave undone events out.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
    CREATE TABLE outcome_undos (
        outcome_id  bigint PRIMARY KEY REFERENCES outcome_events ON DELETE CASCADE,
        key_id      bigint REFERENCES api_keys ON DELETE SET NULL,
        undone_at   timestamptz NOT NULL DEFAULT now()
    );
    """)


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS outcome_undos;")
