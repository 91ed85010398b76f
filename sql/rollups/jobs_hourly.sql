-- jobs_hourly: AI batch, LLM and BYOC jobs per hour × kind × pipeline × model × orchestrator
-- × gateway × region × org × traffic class, from gold `jobs`. Counts and sums are additive; rates are NULL without jobs.
SELECT
    window_start, kind, pipeline, model_id, orchestrator_url, gateway, region,
    org, coalesce(traffic_class, 'organic')                    AS traffic_class,
    count(*)                                                   AS jobs,
    count(*) FILTER (WHERE completed)                          AS completed_jobs,
    count(*) FILTER (WHERE success)                            AS successful_jobs,
    count(*) FILTER (WHERE completed AND NOT success)          AS failed_jobs,
    count(*) FILTER (WHERE error_class = 'no_orchestrator')    AS no_orchestrator_jobs,
    count(*) FILTER (WHERE error_class = 'timeout')            AS timeout_jobs,
    sum(tries)                                                 AS tries_sum,
    round(sum(duration_ms), 3)                                 AS duration_ms_sum,
    count(duration_ms)                                         AS duration_count,
    sum(prompt_tokens)                                         AS prompt_tokens,
    sum(completion_tokens)                                     AS completion_tokens,
    sum(total_tokens)                                          AS total_tokens,
    round(sum(tokens_per_second), 6)                           AS tokens_per_second_sum,
    count(tokens_per_second)                                   AS tokens_per_second_count,
    round(sum(ttft_ms), 3)                                     AS ttft_ms_sum,
    count(ttft_ms)                                             AS ttft_count,
    round(CAST(count(*) FILTER (WHERE success) AS DOUBLE)
          / nullif(count(*) FILTER (WHERE completed), 0), 6)   AS success_rate,
    round(avg(duration_ms), 3)                                 AS avg_duration_ms,
    round(avg(tokens_per_second), 6)                           AS avg_tokens_per_second,
    round(avg(ttft_ms), 3)                                     AS avg_ttft_ms,
    sum(charged_compute)                                       AS charged_compute,
    sum(compute_fee_wei)                                       AS compute_fee_wei
FROM jobs
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9
ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9
