// The saved usage queries, as data: the stack turns them into Athena named
// queries, and the local analytics run the same text with DuckDB. The SQL is
// Athena's (Trino) dialect; `{{table}}` stands for the usage table, and
// DUCKDB_COMPATIBILITY supplies the one Trino function DuckDB names differently.
//
// Every query reads the last 30 days only (`dt` is a projected partition, so
// this bounds what Athena scans) and keeps one row per generation `id`:
// Firehose delivers at least once.

export interface UsageQuery {
  /** Kebab-case, unique; the Athena named query's name. */
  name: string;
  description: string;
  /** SQL with `{{table}}` where the usage table goes. */
  sql: string;
}

export const TABLE_PLACEHOLDER = '{{table}}';

const RECENT_DAYS = 30;

const recentUsage = `WITH usage AS (
  SELECT *
  FROM (
    SELECT *, row_number() OVER (PARTITION BY id ORDER BY dt, hour) AS copy_number
    FROM ${TABLE_PLACEHOLDER}
    WHERE dt >= CAST(CAST(current_date - INTERVAL '${RECENT_DAYS}' DAY AS DATE) AS VARCHAR)
  ) AS numbered
  WHERE copy_number = 1
)`;

export const USAGE_QUERIES: readonly UsageQuery[] = [
  {
    name: 'spend-per-key-per-day',
    description: 'Requests and spend per API key and UTC day, last 30 days.',
    sql: `${recentUsage}
SELECT dt AS day,
       account_id,
       key_hash_prefix,
       count(*) AS requests,
       sum(cost_micros) AS cost_micros,
       CAST(sum(cost_micros) AS DOUBLE) / 1000000 AS cost_usd
FROM usage
GROUP BY dt, account_id, key_hash_prefix
ORDER BY day DESC, cost_micros DESC`,
  },
  {
    name: 'tokens-and-cost-per-model',
    description: 'Tokens by kind and spend per served model, last 30 days.',
    sql: `${recentUsage}
SELECT model,
       count(*) AS requests,
       sum(prompt_tokens) AS prompt_tokens,
       sum(completion_tokens) AS completion_tokens,
       sum(cached_tokens) AS cached_tokens,
       sum(cache_write_tokens) AS cache_write_tokens,
       sum(reasoning_tokens) AS reasoning_tokens,
       sum(cost_micros) AS cost_micros,
       CAST(sum(cost_micros) AS DOUBLE) / 1000000 AS cost_usd
FROM usage
WHERE model IS NOT NULL
GROUP BY model
ORDER BY cost_micros DESC`,
  },
  {
    name: 'latency-per-provider',
    description: 'Latency and time to first byte, p50 and p95, per serving provider for successful requests, last 30 days.',
    sql: `${recentUsage}
SELECT provider,
       count(*) AS requests,
       approx_percentile(latency_ms, 0.5) AS latency_p50_ms,
       approx_percentile(latency_ms, 0.95) AS latency_p95_ms,
       approx_percentile(ttfb_ms, 0.5) AS ttfb_p50_ms,
       approx_percentile(ttfb_ms, 0.95) AS ttfb_p95_ms
FROM usage
WHERE provider IS NOT NULL AND status = 200
GROUP BY provider
ORDER BY provider`,
  },
  {
    name: 'fallback-rate',
    description: 'Share of requests served by a fallback attempt, per requested model and UTC day, last 30 days.',
    sql: `${recentUsage}
SELECT dt AS day,
       model_requested,
       count(*) AS requests,
       sum(CASE WHEN fallback THEN 1 ELSE 0 END) AS fallbacks,
       avg(CASE WHEN fallback THEN 1.0 ELSE 0.0 END) AS fallback_rate
FROM usage
GROUP BY dt, model_requested
ORDER BY day DESC, fallback_rate DESC`,
  },
  {
    name: 'errors-by-provider-and-code',
    description: 'Failed upstream attempts per provider, error code and status, last 30 days (fallbacks included).',
    sql: `${recentUsage}
SELECT attempt.provider AS provider,
       attempt.error_code AS error_code,
       attempt.status AS status,
       count(*) AS failures
FROM usage
CROSS JOIN UNNEST(attempts) AS failed(attempt)
WHERE attempt.error_code IS NOT NULL
GROUP BY attempt.provider, attempt.error_code, attempt.status
ORDER BY failures DESC`,
  },
];

/** The query's SQL with `{{table}}` replaced by a (qualified, quoted as needed) table reference. */
export function renderQuery(query: UsageQuery, table: string): string {
  return query.sql.replaceAll(TABLE_PLACEHOLDER, table);
}

/** Run once per DuckDB connection before these queries. */
export const DUCKDB_COMPATIBILITY: readonly string[] = ['CREATE MACRO IF NOT EXISTS approx_percentile(x, p) AS approx_quantile(x, p)'];
