-- wrk script for scripts/bench.py: GETs of one address, comment POSTs, or a round of several
-- addresses; ends with one line of JSON (prefixed BENCH-JSON) that the benchmark reads.
--
-- BENCH_MODE        get (default) | post | mix
-- BENCH_COOKIE      a Cookie header for every request (a session, or a cookie that bypasses the page cache)
-- BENCH_BODY        post: the urlencoded form; BENCHTEXT in it becomes a different comment each time
-- BENCH_PATHS       mix: the addresses, separated by spaces, requested in turn

local mode = os.getenv("BENCH_MODE") or "get"
local cookie = os.getenv("BENCH_COOKIE") or ""
local body = os.getenv("BENCH_BODY") or ""
local paths = {}
for path in string.gmatch(os.getenv("BENCH_PATHS") or "", "%S+") do
  table.insert(paths, path)
end

local threads = 0
local counter = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end

function init(args)
  if cookie ~= "" then
    wrk.headers["Cookie"] = cookie
  end
  if mode == "post" then
    wrk.method = "POST"
    wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  end
  math.randomseed(os.time() + (thread_number or 0))
end

function request()
  counter = counter + 1
  if mode == "post" then
    -- A new text each time: the same text twice is refused as a duplicate.
    local text = "Benchmark+comment+" .. (thread_number or 0) .. "-" .. counter .. "-" .. math.random(1000000000)
    return wrk.format("POST", nil, nil, (string.gsub(body, "BENCHTEXT", text)))
  elseif mode == "mix" then
    return wrk.format("GET", paths[(counter % #paths) + 1])
  end
  return wrk.request()
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'BENCH-JSON {"requests": %d, "duration_us": %d, "bytes": %d, "socket_errors": %d, "bad_status": %d, ' ..
    '"p50_us": %d, "p90_us": %d, "p99_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, summary.bytes,
    errors.connect + errors.read + errors.write + errors.timeout, errors.status,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.mean))
end
