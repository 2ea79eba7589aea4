-- The platform's data as the seeds describe it: raw events inserted by the webapp consumer,
-- GitHub releases recorded by the GithubReleaseMonitor producer Jobs. Idempotent.
CREATE TABLE IF NOT EXISTS raw_events (
  id          bigserial PRIMARY KEY,
  topic       text        NOT NULL,
  partition   integer     NOT NULL,
  "offset"    bigint      NOT NULL,
  source      text        NOT NULL,
  event_key   text,
  payload     jsonb       NOT NULL,
  produced_at timestamptz NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (topic, partition, "offset")
);
CREATE INDEX IF NOT EXISTS raw_events_received_at ON raw_events (received_at);

CREATE TABLE IF NOT EXISTS github_releases (
  repository   text        NOT NULL,
  tag          text        NOT NULL,
  published_at timestamptz NOT NULL,
  body         text        NOT NULL DEFAULT '',
  PRIMARY KEY (repository, tag)
);
