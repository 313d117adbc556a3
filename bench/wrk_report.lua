-- wrk script of the bench: a new seed per request (so no response is a
-- cache hit), at most MAX requests per thread, and a JSON summary.
local counter = 0
local max = tonumber(os.getenv("BENCH_MAX_REQUESTS") or "1000")
local done_count = 0

request = function()
  counter = counter + 1
  return wrk.format("GET", "/v1/sample?seed=" .. counter .. "&format=png")
end

response = function(status)
  done_count = done_count + 1
  if done_count >= max then wrk.thread:stop() end
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"bytes":%d,"errors":%d,"non2xx":%d,' ..
      '"p50_us":%d,"p90_us":%d,"p99_us":%d,"mean_us":%f,"max_us":%d}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.mean, latency.max))
end
