"""Initial schema: candidates, vacancies, vocabulary, embeddings, shortlists, outcomes, models,
keys, audit log and rematch runs.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
    CREATE EXTENSION IF NOT EXISTS vector;

    -- Every change to a candidate or vacancy takes the next number, so an in-memory index can ask
    -- "what changed since seq N?" instead of reloading everything.
    CREATE SEQUENCE change_seq;

    CREATE TABLE candidates (
        id              bigserial PRIMARY KEY,
        ref             text NOT NULL UNIQUE,             -- pseudonymous Szeebra reference, never a BSN
        municipality    text NOT NULL,
        postcode        text,
        trede           smallint CHECK (trede BETWEEN 0 AND 5),
        hours_min       smallint CHECK (hours_min BETWEEN 0 AND 60),
        hours_max       smallint CHECK (hours_max BETWEEN 0 AND 60),
        max_travel_km   smallint CHECK (max_travel_km BETWEEN 0 AND 300),
        driving_licences text[] NOT NULL DEFAULT '{}',
        dutch_level     text,
        education_level text,
        certificates    jsonb NOT NULL DEFAULT '[]',      -- [{label, concept_id, confidence}]
        desired_occupations jsonb NOT NULL DEFAULT '[]',  -- [{label, concept_id, confidence}]
        shifts          text[] NOT NULL DEFAULT '{}',
        summary         text NOT NULL DEFAULT '',
        status          text NOT NULL DEFAULT 'active'
                        CHECK (status IN ('active', 'placed', 'paused', 'withdrawn')),
        content_hash    text NOT NULL,
        version         integer NOT NULL DEFAULT 1,       -- ETag for optimistic concurrency
        change_seq      bigint NOT NULL DEFAULT nextval('change_seq'),
        created_at      timestamptz NOT NULL DEFAULT now(),
        updated_at      timestamptz NOT NULL DEFAULT now(),
        CHECK (hours_min IS NULL OR hours_max IS NULL OR hours_min <= hours_max)
    );
    CREATE INDEX candidates_municipality ON candidates (municipality, status);
    CREATE INDEX candidates_change_seq ON candidates (change_seq);

    CREATE TABLE candidate_skills (
        candidate_id bigint NOT NULL REFERENCES candidates ON DELETE CASCADE,
        position     smallint NOT NULL,
        label        text NOT NULL,
        years        real,
        concept_id   text,
        confidence   real,
        PRIMARY KEY (candidate_id, position)
    );

    CREATE TABLE candidate_experience (
        candidate_id bigint NOT NULL REFERENCES candidates ON DELETE CASCADE,
        position     smallint NOT NULL,
        title        text NOT NULL,
        years        real,
        concept_id   text,
        confidence   real,
        PRIMARY KEY (candidate_id, position)
    );

    -- Restrictions are special-category data (functional limits, never diagnoses). They live in a
    -- table of their own so that database grants and the API can keep them from roles that need not
    -- see them.
    CREATE TABLE candidate_restrictions (
        candidate_id bigint NOT NULL REFERENCES candidates ON DELETE CASCADE,
        position     smallint NOT NULL,
        code         text,
        value        real,
        text         text,
        confidence   real,
        PRIMARY KEY (candidate_id, position)
    );

    -- Monitoring-only attributes (e.g. age band) for fairness reports. Never a model feature.
    CREATE TABLE candidate_monitoring (
        candidate_id bigint NOT NULL REFERENCES candidates ON DELETE CASCADE,
        attribute    text NOT NULL,
        value        text NOT NULL,
        PRIMARY KEY (candidate_id, attribute)
    );

    CREATE TABLE vacancies (
        id              bigserial PRIMARY KEY,
        source          text NOT NULL,
        external_id     text NOT NULL,
        title           text NOT NULL,
        description     text NOT NULL DEFAULT '',
        employer        text NOT NULL DEFAULT '',
        postcode        text,
        occupation_id   text,                              -- normalised title
        occupation_confidence real,
        hours_min       smallint CHECK (hours_min BETWEEN 0 AND 60),
        hours_max       smallint CHECK (hours_max BETWEEN 0 AND 60),
        shifts          text[] NOT NULL DEFAULT '{}',
        certificates    jsonb NOT NULL DEFAULT '[]',
        driving_licences text[] NOT NULL DEFAULT '{}',
        dutch_level     text,
        education_level text,
        support         text[] NOT NULL DEFAULT '{}',
        positions       smallint NOT NULL DEFAULT 1 CHECK (positions BETWEEN 1 AND 1000),
        closes_at       date,
        status          text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'filled', 'closed')),
        content_hash    text NOT NULL,
        version         integer NOT NULL DEFAULT 1,
        change_seq      bigint NOT NULL DEFAULT nextval('change_seq'),
        created_at      timestamptz NOT NULL DEFAULT now(),
        updated_at      timestamptz NOT NULL DEFAULT now(),
        UNIQUE (source, external_id),
        CHECK (hours_min IS NULL OR hours_max IS NULL OR hours_min <= hours_max)
    );
    CREATE INDEX vacancies_status ON vacancies (status, source);
    CREATE INDEX vacancies_change_seq ON vacancies (change_seq);

    CREATE TABLE vacancy_skills (
        vacancy_id  bigint NOT NULL REFERENCES vacancies ON DELETE CASCADE,
        position    smallint NOT NULL,
        kind        text NOT NULL CHECK (kind IN ('required', 'preferred')),
        label       text NOT NULL,
        concept_id  text,
        confidence  real,
        PRIMARY KEY (vacancy_id, kind, position)
    );

    CREATE TABLE vacancy_demands (
        vacancy_id  bigint NOT NULL REFERENCES vacancies ON DELETE CASCADE,
        position    smallint NOT NULL,
        code        text NOT NULL,
        value       real,
        PRIMARY KEY (vacancy_id, position)
    );

    -- Erasures leave no reference behind; the index only needs to know which row ids went away.
    CREATE TABLE deleted_rows (
        change_seq  bigint PRIMARY KEY DEFAULT nextval('change_seq'),
        kind        text NOT NULL CHECK (kind IN ('candidate', 'vacancy')),
        row_id      bigint NOT NULL
    );

    -- Vocabulary: the curated Dutch vocabulary and any imported ESCO download share these tables.
    CREATE TABLE vocab_concepts (
        id          text PRIMARY KEY,
        kind        text NOT NULL,     -- occupation, skill, certificate, licence, education, language, restriction, demand, support
        pref_nl     text,
        pref_en     text,
        esco_uri    text,
        family      text,
        rank        smallint,          -- ordinal kinds (education, language)
        origin      text NOT NULL DEFAULT 'werkmatch'    -- werkmatch | esco
    );
    CREATE INDEX vocab_concepts_esco ON vocab_concepts (esco_uri);
    CREATE TABLE vocab_labels (
        concept_id  text NOT NULL REFERENCES vocab_concepts ON DELETE CASCADE,
        label       text NOT NULL,
        lang        text NOT NULL,
        label_type  text NOT NULL CHECK (label_type IN ('pref', 'alt', 'hidden', 'misspelling', 'abbreviation')),
        PRIMARY KEY (concept_id, lang, label)
    );
    CREATE INDEX vocab_labels_label ON vocab_labels (lower(label));
    CREATE TABLE vocab_relations (
        occupation_id text NOT NULL REFERENCES vocab_concepts ON DELETE CASCADE,
        skill_id      text NOT NULL REFERENCES vocab_concepts ON DELETE CASCADE,
        relation      text NOT NULL CHECK (relation IN ('essential', 'optional')),
        PRIMARY KEY (occupation_id, skill_id)
    );

    -- One vector per entity and encoder, with the hash of the text it was made from.
    CREATE TABLE embeddings (
        kind         text NOT NULL CHECK (kind IN ('candidate', 'vacancy')),
        row_id       bigint NOT NULL,
        encoder      text NOT NULL,
        content_hash text NOT NULL,
        vector       vector NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (kind, row_id, encoder)
    );

    CREATE TABLE model_versions (
        version      text PRIMARY KEY,
        status       text NOT NULL CHECK (status IN ('champion', 'challenger', 'retired', 'rejected')),
        path         text NOT NULL,
        metrics      jsonb NOT NULL DEFAULT '{}',
        training_window jsonb NOT NULL DEFAULT '{}',
        code_version text NOT NULL DEFAULT '',
        note         text NOT NULL DEFAULT '',
        created_at   timestamptz NOT NULL DEFAULT now(),
        promoted_at  timestamptz
    );
    CREATE UNIQUE INDEX one_champion ON model_versions (status) WHERE status = 'champion';

    CREATE TABLE api_keys (
        id           bigserial PRIMARY KEY,
        name         text NOT NULL,
        role         text NOT NULL CHECK (role IN ('consultant', 'employer_service', 'batch', 'admin', 'auditor')),
        municipality text,
        prefix       text NOT NULL,            -- first characters, to recognise a key in lists
        key_hash     text NOT NULL UNIQUE,     -- sha256 of the secret; the secret is never stored
        created_at   timestamptz NOT NULL DEFAULT now(),
        revoked_at   timestamptz,
        last_used_at timestamptz
    );

    -- Every shortlist or match list served, and exactly what was shown with the features the model saw.
    CREATE TABLE shortlist_requests (
        id            uuid PRIMARY KEY,
        direction     text NOT NULL CHECK (direction IN ('vacancy', 'candidate', 'rematch')),
        vacancy_id    bigint REFERENCES vacancies ON DELETE SET NULL,
        candidate_id  bigint REFERENCES candidates ON DELETE SET NULL,
        key_id        bigint REFERENCES api_keys ON DELETE SET NULL,
        model_version text NOT NULL,
        params        jsonb NOT NULL DEFAULT '{}',
        created_at    timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX shortlist_requests_created ON shortlist_requests (created_at);

    CREATE TABLE shown_matches (
        id            bigserial PRIMARY KEY,
        request_id    uuid NOT NULL REFERENCES shortlist_requests ON DELETE CASCADE,
        candidate_id  bigint NOT NULL REFERENCES candidates ON DELETE CASCADE,
        vacancy_id    bigint NOT NULL REFERENCES vacancies ON DELETE CASCADE,
        rank          smallint NOT NULL,
        score         real NOT NULL,
        features      jsonb NOT NULL,          -- what the model saw, used verbatim for training
        attention_points jsonb NOT NULL DEFAULT '[]',
        created_at    timestamptz NOT NULL DEFAULT now(),
        UNIQUE (request_id, candidate_id, vacancy_id)
    );
    CREATE INDEX shown_matches_candidate ON shown_matches (candidate_id, created_at);
    CREATE INDEX shown_matches_vacancy ON shown_matches (vacancy_id);

    -- Outcome events are append-only. After erasure the candidate link is cut but the features and
    -- the event stay, anonymised, for learning.
    CREATE TABLE outcome_events (
        id            bigserial PRIMARY KEY,
        event         text NOT NULL CHECK (event IN ('proposed', 'invited', 'interviewed', 'hired', 'rejected',
                                                     'declined', 'no_show', 'retained_6m', 'left_job')),
        reason        text,
        candidate_id  bigint REFERENCES candidates ON DELETE SET NULL,
        vacancy_id    bigint REFERENCES vacancies ON DELETE SET NULL,
        shown_match_id bigint REFERENCES shown_matches ON DELETE SET NULL,
        request_id    uuid,
        features      jsonb,                   -- copy of the shown features (kept through erasure)
        model_version text,
        manual        boolean NOT NULL DEFAULT false,   -- a match the consultant made outside the ranking
        note          text,
        key_id        bigint REFERENCES api_keys ON DELETE SET NULL,
        occurred_at   timestamptz NOT NULL DEFAULT now(),
        recorded_at   timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX outcome_events_pair ON outcome_events (candidate_id, vacancy_id);
    CREATE INDEX outcome_events_time ON outcome_events (occurred_at);

    CREATE TABLE rematch_runs (
        id            bigserial PRIMARY KEY,
        status        text NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
        model_version text NOT NULL,
        started_at    timestamptz NOT NULL DEFAULT now(),
        finished_at   timestamptz,
        heartbeat_at  timestamptz NOT NULL DEFAULT now(),
        counts        jsonb NOT NULL DEFAULT '{}'
    );
    CREATE UNIQUE INDEX one_running_rematch ON rematch_runs (status) WHERE status = 'running';

    CREATE TABLE rematch_results (
        run_id        bigint NOT NULL REFERENCES rematch_runs ON DELETE CASCADE,
        direction     text NOT NULL CHECK (direction IN ('candidate', 'vacancy')),
        candidate_id  bigint NOT NULL REFERENCES candidates ON DELETE CASCADE,
        vacancy_id    bigint NOT NULL REFERENCES vacancies ON DELETE CASCADE,
        rank          smallint NOT NULL,
        score         real NOT NULL,
        features      jsonb NOT NULL,
        PRIMARY KEY (run_id, direction, candidate_id, vacancy_id)
    );
    CREATE INDEX rematch_results_candidate ON rematch_results (candidate_id, run_id);

    -- The audit log. Candidate references are stored as keyed pseudonyms (HMAC), so erasure leaves
    -- no reference behind while an auditor holding a reference can still find its entries.
    CREATE TABLE audit_log (
        id            bigserial PRIMARY KEY,
        at            timestamptz NOT NULL DEFAULT now(),
        key_id        bigint,
        role          text,
        action        text NOT NULL,
        subject_kind  text,
        subjects      text[] NOT NULL DEFAULT '{}',
        request_id    text,
        model_version text,
        detail        jsonb NOT NULL DEFAULT '{}'
    );
    CREATE INDEX audit_log_subjects ON audit_log USING gin (subjects);
    CREATE INDEX audit_log_at ON audit_log (at);

    -- The database keeps the audit log append-only: UPDATE and TRUNCATE are always refused; DELETE
    -- only of entries older than the legal retention, and only inside werkmatch_purge_audit().
    CREATE TABLE audit_settings (
        id              boolean PRIMARY KEY DEFAULT true CHECK (id),
        retention_days  integer NOT NULL DEFAULT 2555 CHECK (retention_days >= 365)
    );
    INSERT INTO audit_settings DEFAULT VALUES;

    CREATE FUNCTION audit_log_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE'
           AND current_setting('werkmatch.audit_purge', true) = 'on'
           AND OLD.at < now() - make_interval(days => (SELECT retention_days FROM audit_settings)) THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END $$;
    CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_guard();
    CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION audit_log_guard();

    CREATE FUNCTION werkmatch_purge_audit() RETURNS bigint LANGUAGE plpgsql AS $$
    DECLARE removed bigint;
    BEGIN
        PERFORM set_config('werkmatch.audit_purge', 'on', true);
        DELETE FROM audit_log
         WHERE at < now() - make_interval(days => (SELECT retention_days FROM audit_settings));
        GET DIAGNOSTICS removed = ROW_COUNT;
        PERFORM set_config('werkmatch.audit_purge', 'off', true);
        RETURN removed;
    END $$;
    """)


def downgrade() -> None:
    op.execute("""
    DROP FUNCTION IF EXISTS werkmatch_purge_audit();
    DROP TABLE IF EXISTS audit_log;
    DROP FUNCTION IF EXISTS audit_log_guard();
    DROP TABLE IF EXISTS audit_settings;
    DROP TABLE IF EXISTS rematch_results;
    DROP TABLE IF EXISTS rematch_runs;
    DROP TABLE IF EXISTS outcome_events;
    DROP TABLE IF EXISTS shown_matches;
    DROP TABLE IF EXISTS shortlist_requests;
    DROP TABLE IF EXISTS api_keys;
    DROP TABLE IF EXISTS model_versions;
    DROP TABLE IF EXISTS embeddings;
    DROP TABLE IF EXISTS vocab_relations;
    DROP TABLE IF EXISTS vocab_labels;
    DROP TABLE IF EXISTS vocab_concepts;
    DROP TABLE IF EXISTS deleted_rows;
    DROP TABLE IF EXISTS vacancy_demands;
    DROP TABLE IF EXISTS vacancy_skills;
    DROP TABLE IF EXISTS vacancies;
    DROP TABLE IF EXISTS candidate_monitoring;
    DROP TABLE IF EXISTS candidate_restrictions;
    DROP TABLE IF EXISTS candidate_experience;
    DROP TABLE IF EXISTS candidate_skills;
    DROP TABLE IF EXISTS candidates;
    DROP SEQUENCE IF EXISTS change_seq;
    """)
