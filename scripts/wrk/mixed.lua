-- wrk script for the benchmark's mixed run (scripts/bench_scenarios.py): readers over many pages with a long
-- tail, each request's page drawn by weight; counts what the page cache answered (X-Page-Cache) by kind of
-- page, and ends with one line of JSON (prefixed BENCH-JSON) that the benchmark reads.
--
-- BENCH_URLS   a file of "weight kind path" lines (kind: story, home, section; for the reader of the file:
--              the counts tell the kinds apart by the pages themselves); each request's page is drawn in
--              proportion to its weight
--
-- wrk runs each thread in a Lua state of its own: the counters are each thread's globals, and done() (in
-- the main state) adds them up through the thread objects setup() kept.

local KINDS = { "story", "home", "section" }
local OUTCOMES = { "hit", "miss", "other" }

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_number", #threads)
end

-- Read as the script loads, in every Lua state (done() in the main one counts the pages too).
local paths, cumulative, total = {}, {}, 0
local file = os.getenv("BENCH_URLS") or error("BENCH_URLS names no file of pages")
for line in io.lines(file) do
  local weight, path = string.match(line, "^(%S+)%s+%S+%s+(%S+)$")
  if weight then
    total = total + tonumber(weight)
    table.insert(paths, path)
    table.insert(cumulative, total)
  end
end
if #paths == 0 then
  error("no pages in " .. file)
end

local requests = {}

function init(args)
  for i, path in ipairs(paths) do
    requests[i] = wrk.format("GET", path)
  end
  for _, kind in ipairs(KINDS) do
    for _, outcome in ipairs(OUTCOMES) do
      _G[outcome .. "_" .. kind] = 0
    end
  end
  bad_status = 0
  math.randomseed(os.time() * 1000 + (thread_number or 0))
end

local function pick()
  local r = math.random() * total
  local low, high = 1, #cumulative
  while low < high do
    local middle = math.floor((low + high) / 2)
    if cumulative[middle] < r then
      low = middle + 1
    else
      high = middle
    end
  end
  return low
end

function request()
  return requests[pick()]
end

-- Which kind of page answered. A thread's connections answer in any order, so the kind is read from the
-- page itself: a story page is an <article class="story">; of the lists, the home page's keys name the
-- list `stories` (pagecache/keys.py), a section page's name its section's.
local function kind_of(headers, body)
  if body and string.find(body, '<article class="story">', 1, true) then
    return "story"
  end
  local page_keys = headers["Surrogate-Key"]
  if page_keys and string.find(" " .. page_keys .. " ", " stories ", 1, true) then
    return "home"
  end
  return "section"
end

function response(status, headers, body)
  if status ~= 200 then
    bad_status = bad_status + 1
  end
  local outcome = headers["X-Page-Cache"]
  if outcome ~= "hit" and outcome ~= "miss" then
    outcome = "other"
  end
  local name = outcome .. "_" .. kind_of(headers, body)
  _G[name] = _G[name] + 1
end

function done(summary, latency, requests)
  local counts = {}
  for _, kind in ipairs(KINDS) do
    for _, outcome in ipairs(OUTCOMES) do
      local name = outcome .. "_" .. kind
      local sum = 0
      for _, thread in ipairs(threads) do
        sum = sum + (thread:get(name) or 0)
      end
      table.insert(counts, string.format('"%s": %d', name, sum))
    end
  end
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + (thread:get("bad_status") or 0)
  end
  local errors = summary.errors
  io.write(string.format(
    'BENCH-JSON {"requests": %d, "duration_us": %d, "bytes": %d, "socket_errors": %d, "bad_status": %d, ' ..
    '"p50_us": %d, "p90_us": %d, "p99_us": %d, "mean_us": %.1f, "pages": %d, %s}\n',
    summary.requests, summary.duration, summary.bytes,
    errors.connect + errors.read + errors.write + errors.timeout, errors.status + bad,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.mean, #paths,
    table.concat(counts, ", ")))
end
