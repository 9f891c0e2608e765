"""Nightly rematch: the attention checks of each stored match, and a lookup by vacancy.

The explanation of a stored match is rebuilt when it is served, from its features and the model of
its run. The features carry only the *number* of attention points; the names of the checks that
fired (e.g. 'certificate', 'distance') are kept next to them so the Dutch texts can be rebuilt too.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
    ALTER TABLE rematch_results ADD COLUMN attention text[] NOT NULL DEFAULT '{}';
    CREATE INDEX rematch_results_vacancy ON rematch_results (vacancy_id, run_id);
    """)


def downgrade() -> None:
    op.execute("""
    DROP INDEX IF EXISTS rematch_results_vacancy;
    ALTER TABLE rematch_results DROP COLUMN IF EXISTS attention;
    """)
