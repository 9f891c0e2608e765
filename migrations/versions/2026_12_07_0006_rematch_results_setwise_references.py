"""Nightly rematch results: references checked once per run instead of once per row.

A run writes two rows per person and per vacancy (2.1 million at ten times the demo size). The foreign
keys of ``rematch_results`` checked each row on its own against ``candidates``, ``vacancies`` and
``rematch_runs`` (with a row lock each time): about half of the time of copying the rows in. The keys go;
what they did is done per statement and per run instead:

- deleting candidates, vacancies or runs deletes their results, in one statement per deleting statement
  (a trigger over the deleted rows), as ON DELETE CASCADE did;
- completing a run deletes its results whose person or vacancy no longer exists (deleted while the run
  was writing), in one anti-join, before anything of the run becomes visible
  (`matcher.batch.rematch`).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_FORGET = {"candidates": "candidate_id", "vacancies": "vacancy_id", "rematch_runs": "run_id"}


def upgrade() -> None:
    op.execute("""
    ALTER TABLE rematch_results DROP CONSTRAINT rematch_results_run_id_fkey,
                                DROP CONSTRAINT rematch_results_candidate_id_fkey,
                                DROP CONSTRAINT rematch_results_vacancy_id_fkey;
    """)
    for table, column in _FORGET.items():
        op.execute(f"""
        CREATE FUNCTION {table}_forget_rematch_results() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            DELETE FROM rematch_results WHERE {column} IN (SELECT id FROM gone);
            RETURN NULL;
        END $$;
        CREATE TRIGGER {table}_forget_rematch_results AFTER DELETE ON {table}
            REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION {table}_forget_rematch_results();
        """)


def downgrade() -> None:
    for table in _FORGET:
        op.execute(f"""
        DROP TRIGGER IF EXISTS {table}_forget_rematch_results ON {table};
        DROP FUNCTION IF EXISTS {table}_forget_rematch_results();
        """)
    op.execute("""
    DELETE FROM rematch_results r WHERE NOT EXISTS (SELECT 1 FROM candidates c WHERE c.id = r.candidate_id)
                                     OR NOT EXISTS (SELECT 1 FROM vacancies v WHERE v.id = r.vacancy_id)
                                     OR NOT EXISTS (SELECT 1 FROM rematch_runs u WHERE u.id = r.run_id);
    ALTER TABLE rematch_results
        ADD CONSTRAINT rematch_results_run_id_fkey FOREIGN KEY (run_id) REFERENCES rematch_runs ON DELETE CASCADE,
        ADD CONSTRAINT rematch_results_candidate_id_fkey FOREIGN KEY (candidate_id)
            REFERENCES candidates ON DELETE CASCADE,
        ADD CONSTRAINT rematch_results_vacancy_id_fkey FOREIGN KEY (vacancy_id) REFERENCES vacancies ON DELETE CASCADE;
    """)
