-- wrk script of bench/bench_queue.py: one request shape per wrk thread, a new connection per request
-- (Connection: close, as gunicorn's sync workers answer), statuses counted, and the figures printed as
-- one JSON line after the marker MX-RESULT.
--
-- Environment: MX_METHOD (GET or POST), MX_PATHS (one path per thread, separated by spaces; a thread
-- takes path (i - 1) % n + 1), MX_TOKEN (bearer token, optional), MX_BODY (JSON body, optional),
-- MX_COLLECT=1 to keep the "number" and "id" of each ticket answered (call-next).

local threads = {}
local method = os.getenv("MX_METHOD") or "GET"
local token = os.getenv("MX_TOKEN") or ""
local body = os.getenv("MX_BODY")
local paths = {}
for path in string.gmatch(os.getenv("MX_PATHS") or "/", "%S+") do
  paths[#paths + 1] = path
end

function setup(thread)
  thread:set("index", #threads)
  threads[#threads + 1] = thread
end

function init(args)
  statuses = {}
  numbers = {}
  last_id = ""
  collect = os.getenv("MX_COLLECT") == "1"
  local headers = { ["Connection"] = "close" }
  if token ~= "" then
    headers["Authorization"] = "Bearer " .. token
  end
  if body then
    headers["Content-Type"] = "application/json"
  end
  request_bytes = wrk.format(method, paths[(index % #paths) + 1], headers, body)
end

function request()
  return request_bytes
end

function response(status, headers, response_body)
  statuses[status] = (statuses[status] or 0) + 1
  if collect and status == 200 then
    local number = string.match(response_body, '"number": *"([^"]+)"')
    local id = string.match(response_body, '"id": *"([^"]+)"')
    if number then
      numbers[#numbers + 1] = number
    end
    if id then
      last_id = id
    end
  end
end

local function quoted(items)
  local out = {}
  for i, item in ipairs(items) do
    out[i] = '"' .. item .. '"'
  end
  return "[" .. table.concat(out, ",") .. "]"
end

function done(summary, latency, requests)
  local merged, numbers_all, held = {}, {}, {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      merged[status] = (merged[status] or 0) + count
    end
    for _, number in ipairs(thread:get("numbers")) do
      numbers_all[#numbers_all + 1] = number
    end
    local id = thread:get("last_id")
    if id ~= "" then
      held[#held + 1] = id
    end
  end
  local pairs_out = {}
  for status, count in pairs(merged) do
    pairs_out[#pairs_out + 1] = string.format('"%d": %d', status, count)
  end
  local errors = summary.errors
  io.write(string.format(
    'MX-RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "max_us": %d, '
      .. '"errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}, "statuses": {%s}, '
      .. '"numbers": %s, "held": %s}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    errors.connect, errors.read, errors.write, errors.timeout, table.concat(pairs_out, ", "),
    quoted(numbers_all), quoted(held)
  ))
end
