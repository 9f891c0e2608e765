"""Worklist positions: a deep page of a municipality's worklist is a range lookup, not an offset walk.

When a run completes, every new pair of a person active at that moment gets its place in the person's
municipality's worklist (``position``, from 0, in the worklist's order: reference, rank, vacancy rank,
vacancy), and ``listed`` says whether its vacancy was open. Page n is then, in the main, the positions from
n × size on. What changed after completion is corrected on each request from small snapshots of that moment:
per person (municipality, active, where their pairs start, how many), per vacancy (open or not) and per
municipality (people, pairs). A pair whose vacancy opened or closed since is put in or left out where it
stands; a person whose status or municipality changed is left out of the stored positions and put back,
with the pairs listed now, in reference order. A person or vacancy deleted since is noticed by the counts
(the worklist then walks the pairs as before).

The backfill computes them for the latest completed run, the one worklists read.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
    ALTER TABLE rematch_new_pairs ADD COLUMN municipality text, ADD COLUMN position integer,
                                  ADD COLUMN listed boolean;
    CREATE INDEX rematch_new_pairs_position ON rematch_new_pairs (run_id, municipality, position)
        WHERE position IS NOT NULL;
    CREATE INDEX rematch_new_pairs_unlisted ON rematch_new_pairs (run_id, municipality)
        WHERE position IS NOT NULL AND NOT listed;

    CREATE TABLE rematch_new_people (
        run_id         bigint NOT NULL REFERENCES rematch_runs ON DELETE CASCADE,
        candidate_id   bigint NOT NULL REFERENCES candidates ON DELETE CASCADE,
        municipality   text NOT NULL,
        active         boolean NOT NULL,
        first_position integer NOT NULL,  -- where this person's pairs start in the municipality's positions
        positions      integer NOT NULL,  -- how many of them have one (none when not active then)
        PRIMARY KEY (run_id, candidate_id)
    );
    CREATE INDEX rematch_new_people_municipality ON rematch_new_people (run_id, municipality);

    CREATE TABLE rematch_new_vacancies (
        run_id      bigint NOT NULL REFERENCES rematch_runs ON DELETE CASCADE,
        vacancy_id  bigint NOT NULL,  -- no foreign key: a vacancy deleted since is noticed by its absence
        open        boolean NOT NULL,
        PRIMARY KEY (run_id, vacancy_id)
    );

    CREATE TABLE rematch_new_municipalities (
        run_id        bigint NOT NULL REFERENCES rematch_runs ON DELETE CASCADE,
        municipality  text NOT NULL,
        people        integer NOT NULL,
        positions     integer NOT NULL,
        PRIMARY KEY (run_id, municipality)
    );

    WITH placed AS (
        SELECT n.candidate_id, n.vacancy_id, c.municipality, v.status = 'open' AS listed,
               CASE WHEN c.status = 'active' THEN
                   (row_number() OVER (PARTITION BY c.municipality, c.status = 'active'
                                       ORDER BY c.ref, n.rank NULLS LAST, n.vacancy_rank NULLS LAST,
                                                n.vacancy_id) - 1)::integer END AS position
        FROM rematch_new_pairs n JOIN candidates c ON c.id = n.candidate_id JOIN vacancies v ON v.id = n.vacancy_id
        WHERE n.run_id = (SELECT max(id) FROM rematch_runs WHERE status = 'completed'))
    UPDATE rematch_new_pairs n
    SET municipality = placed.municipality, position = placed.position, listed = placed.listed
    FROM placed
    WHERE n.run_id = (SELECT max(id) FROM rematch_runs WHERE status = 'completed')
      AND n.candidate_id = placed.candidate_id AND n.vacancy_id = placed.vacancy_id;

    INSERT INTO rematch_new_people
    SELECT run_id, candidate_id, municipality, active,
           (coalesce(sum(positions) OVER (PARTITION BY municipality ORDER BY ref
                                          ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0))::integer,
           positions
    FROM (SELECT n.run_id, n.candidate_id, c.municipality, c.ref, c.status = 'active' AS active,
                 (count(n.position))::integer AS positions
          FROM rematch_new_pairs n JOIN candidates c ON c.id = n.candidate_id
          WHERE n.run_id = (SELECT max(id) FROM rematch_runs WHERE status = 'completed')
          GROUP BY n.run_id, n.candidate_id, c.municipality, c.ref, c.status) p;

    INSERT INTO rematch_new_vacancies
    SELECT DISTINCT n.run_id, n.vacancy_id, v.status = 'open'
    FROM rematch_new_pairs n JOIN vacancies v ON v.id = n.vacancy_id
    WHERE n.run_id = (SELECT max(id) FROM rematch_runs WHERE status = 'completed');

    INSERT INTO rematch_new_municipalities
    SELECT run_id, municipality, count(*), sum(positions) FROM rematch_new_people GROUP BY run_id, municipality;
    ANALYZE rematch_new_pairs, rematch_new_people, rematch_new_vacancies, rematch_new_municipalities;
    """)


def downgrade() -> None:
    op.execute("""
    DROP TABLE IF EXISTS rematch_new_municipalities;
    DROP TABLE IF EXISTS rematch_new_vacancies;
    DROP TABLE IF EXISTS rematch_new_people;
    DROP INDEX IF EXISTS rematch_new_pairs_unlisted;
    DROP INDEX IF EXISTS rematch_new_pairs_position;
    ALTER TABLE rematch_new_pairs DROP COLUMN IF EXISTS listed, DROP COLUMN IF EXISTS position,
                                  DROP COLUMN IF EXISTS municipality;
    """)
