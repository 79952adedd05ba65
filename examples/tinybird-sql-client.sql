-- Flink SQL Client: append generated page views to a Tinybird Data Source.
--
-- Start the client with the connector's SQL jar (see docs/sql.md):
--   ./bin/sql-client.sh --jar flink-sql-connector-tinybird-0.1.0-2.2-SNAPSHOT.jar   (-2.3- / -1.20- for those Flink lines)
-- then paste the statements below, with your region's endpoint and your token.
-- The Data Source needs columns with these JSONPaths, for example:
--   `event_id` String `json:$.event_id`, `timestamp` DateTime64(3) `json:$.timestamp`,
--   `user_id` Int64 `json:$.user_id`, `path` String `json:$.path`,
--   `duration_s` Decimal(10, 3) `json:$.duration_s`, `tags` Array(String) `json:$.tags[:]`

-- Wait for the INSERT to finish (the source below is bounded), instead of returning at once.
SET 'table.dml-sync' = 'true';

CREATE TEMPORARY TABLE page_views_source (
  id BIGINT,
  user_id BIGINT,
  page INT,
  duration_ms INT
) WITH (
  'connector' = 'datagen',
  'number-of-rows' = '500',
  'fields.id.kind' = 'sequence',
  'fields.id.start' = '1',
  'fields.id.end' = '500',
  'fields.user_id.min' = '1',
  'fields.user_id.max' = '50',
  'fields.page.min' = '0',
  'fields.page.max' = '3',
  'fields.duration_ms.min' = '100',
  'fields.duration_ms.max' = '60000'
);

CREATE TEMPORARY TABLE tinybird_page_views (
  event_id STRING NOT NULL,
  `timestamp` TIMESTAMP_LTZ(3),
  user_id BIGINT,
  path STRING,
  duration_s DECIMAL(10, 3),
  tags ARRAY<STRING>
) WITH (
  'connector' = 'tinybird',
  'endpoint' = 'https://api.tinybird.co',   -- your Workspace's region
  -- On a cluster prefer 'token.env-var' = 'TINYBIRD_TOKEN' (a variable of the TaskManagers) or
  -- 'token.file' = '/path/on/the/taskmanagers': SHOW CREATE TABLE prints a 'token' as written.
  'token' = '<DATASOURCE:APPEND token>',     -- a token that may append to page_views
  'datasource' = 'page_views',
  'format' = 'json',
  'json.timestamp-format.standard' = 'ISO-8601',
  'json.encode.decimal-as-plain-number' = 'true'
);

INSERT INTO tinybird_page_views
SELECT
  CONCAT('pv-', CAST(id AS STRING)),
  CURRENT_TIMESTAMP,
  user_id,
  CASE page WHEN 0 THEN '/' WHEN 1 THEN '/pricing' WHEN 2 THEN '/docs' ELSE '/blog' END,
  CAST(duration_ms / 1000.0 AS DECIMAL(10, 3)),
  CASE WHEN MOD(id, 2) = 0 THEN ARRAY['mobile'] ELSE ARRAY['desktop', 'returning'] END
FROM page_views_source;
