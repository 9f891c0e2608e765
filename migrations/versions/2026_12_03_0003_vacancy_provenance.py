"""Vacancy provenance: for each field, whether the sender gave it or it was read from the vacancy's text
(with the spans it was read from).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE vacancies ADD COLUMN provenance jsonb NOT NULL DEFAULT '{}'")


def downgrade() -> None:
    op.execute("ALTER TABLE vacancies DROP COLUMN provenance")
