"""Nightly rematch results: one partition per run, indexed once the run has written it.

A run writes two million rows at ten times the demo size. Into one table holding the earlier runs, each row
went into three indexes as large as all the runs together: most of the time of writing. Now
``rematch_results`` is partitioned by run: a run gets a partition of its own when it starts, copies its rows
into it without indexes and builds them once, when it completes (`matcher.batch.rematch`); the results
of a run that is pruned or fails go with one ``DROP TABLE``. Each run's partition has the indexes the
table had, without the run: (direction, candidate_id, vacancy_id) unique, candidate_id, vacancy_id.
Rows of a run without a partition of its own land in ``rematch_results_other``.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_COLUMNS = """
    run_id        bigint NOT NULL,
    direction     text NOT NULL CHECK (direction IN ('candidate', 'vacancy')),
    candidate_id  bigint NOT NULL,
    vacancy_id    bigint NOT NULL,
    rank          smallint NOT NULL,
    score         real NOT NULL,
    features      jsonb NOT NULL,
    attention     text[] NOT NULL DEFAULT '{}'
"""


def upgrade() -> None:
    op.execute(f"""
    ALTER TABLE rematch_results RENAME TO rematch_results_single;
    ALTER INDEX rematch_results_pkey RENAME TO rematch_results_single_pkey;
    ALTER INDEX rematch_results_candidate RENAME TO rematch_results_single_candidate;
    ALTER INDEX rematch_results_vacancy RENAME TO rematch_results_single_vacancy;
    CREATE TABLE rematch_results ({_COLUMNS}) PARTITION BY LIST (run_id);
    CREATE TABLE rematch_results_other PARTITION OF rematch_results
        (PRIMARY KEY (run_id, direction, candidate_id, vacancy_id)) DEFAULT;
    CREATE INDEX rematch_results_other_candidate ON rematch_results_other (candidate_id, run_id);
    CREATE INDEX rematch_results_other_vacancy ON rematch_results_other (vacancy_id, run_id);
    DO $$
    DECLARE run bigint;
    BEGIN
        FOR run IN SELECT DISTINCT run_id FROM rematch_results_single LOOP
            EXECUTE format('CREATE TABLE rematch_results_run_%s PARTITION OF rematch_results FOR VALUES IN (%s)',
                           run, run);
            EXECUTE format('INSERT INTO rematch_results_run_%s SELECT * FROM rematch_results_single
                            WHERE run_id = %s', run, run);
            EXECUTE format('CREATE UNIQUE INDEX ON rematch_results_run_%s (direction, candidate_id, vacancy_id);
                            CREATE INDEX ON rematch_results_run_%s (candidate_id);
                            CREATE INDEX ON rematch_results_run_%s (vacancy_id)', run, run, run);
        END LOOP;
    END $$;
    DROP TABLE rematch_results_single;
    ANALYZE rematch_results;
    """)


def downgrade() -> None:
    op.execute(f"""
    CREATE TABLE rematch_results_single ({_COLUMNS}, PRIMARY KEY (run_id, direction, candidate_id, vacancy_id));
    INSERT INTO rematch_results_single SELECT * FROM rematch_results;
    DROP TABLE rematch_results;
    ALTER TABLE rematch_results_single RENAME TO rematch_results;
    ALTER INDEX rematch_results_single_pkey RENAME TO rematch_results_pkey;
    ALTER TABLE rematch_results RENAME CONSTRAINT rematch_results_single_direction_check
                                                TO rematch_results_direction_check;
    CREATE INDEX rematch_results_candidate ON rematch_results (candidate_id, run_id);
    CREATE INDEX rematch_results_vacancy ON rematch_results (vacancy_id, run_id);
    """)
