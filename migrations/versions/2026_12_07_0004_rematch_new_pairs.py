"""The new matches of a rematch run, worked out once when the run completes.

A pair is new when it is in the run's top K of the person (or of the vacancy) and was not in that top K
in the previous completed run. Working that out on every worklist request meant an anti-join of the
whole run against the run before, grouped per pair; for a municipality with 140,000 new pairs that took
minutes. The run's completion now writes one row per new pair here, with both ranks, so a worklist page
is an index walk. Features and attention checks stay in ``rematch_results``, read for the served page only.

The backfill fills the table for the latest completed run, the one worklists read, so they keep working
across the upgrade.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
    CREATE TABLE rematch_new_pairs (
        run_id            bigint NOT NULL REFERENCES rematch_runs ON DELETE CASCADE,
        candidate_id      bigint NOT NULL REFERENCES candidates ON DELETE CASCADE,
        vacancy_id        bigint NOT NULL REFERENCES vacancies ON DELETE CASCADE,
        rank              smallint,          -- the vacancy's place in the person's top K (NULL: not in it)
        vacancy_rank      smallint,          -- the person's place in the vacancy's top K (NULL: not in it)
        score             real NOT NULL,
        new_for_candidate boolean NOT NULL,
        new_for_vacancy   boolean NOT NULL,
        PRIMARY KEY (run_id, candidate_id, vacancy_id)
    );
    CREATE INDEX rematch_new_pairs_vacancy ON rematch_new_pairs (run_id, vacancy_id);
    -- the worklist walks a municipality's active people in reference order
    CREATE INDEX candidates_municipality_ref ON candidates (municipality, ref) WHERE status = 'active';

    INSERT INTO rematch_new_pairs
    SELECT r.run_id, r.candidate_id, r.vacancy_id,
           min(r.rank) FILTER (WHERE r.direction = 'candidate'),
           min(r.rank) FILTER (WHERE r.direction = 'vacancy'),
           max(r.score),
           bool_or(r.direction = 'candidate' AND p.run_id IS NULL),
           bool_or(r.direction = 'vacancy' AND p.run_id IS NULL)
    FROM rematch_results r
    LEFT JOIN rematch_results p
           ON p.run_id = (SELECT max(id) FROM rematch_runs WHERE status = 'completed' AND id < r.run_id)
          AND p.direction = r.direction AND p.candidate_id = r.candidate_id AND p.vacancy_id = r.vacancy_id
    WHERE r.run_id = (SELECT max(id) FROM rematch_runs WHERE status = 'completed')
    GROUP BY r.run_id, r.candidate_id, r.vacancy_id
    HAVING bool_or(p.run_id IS NULL);
    """)


def downgrade() -> None:
    op.execute("""
    DROP INDEX IF EXISTS candidates_municipality_ref;
    DROP TABLE IF EXISTS rematch_new_pairs;
    """)
