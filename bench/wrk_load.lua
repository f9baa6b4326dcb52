-- wrk script of bench/bench_queue.py: one request shape per wrk thread, a new connection per request
-- (Connection: close, as gunicorn's sync workers answer), statuses counted, and the figures printed as
-- one JSON line after the marker MX-RESULT.
--
-- Environment: MX_METHOD (GET or POST), MX_PATHS (one path per thread, separated by spaces; a thread
-- takes path (i - 1) % n + 1), MX_TOKEN (bearer token, optional), MX_BODY (JSON body, optional),
-- MX_COLLECT=1 to keep the "number" and "id" of each ticket answered (call-next).

-- bench/wrk_result.lua, found beside this script
local print_result = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "wrk_result.lua")
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
  print_result(
    summary, latency, merged, string.format('"numbers": %s, "held": %s', quoted(numbers_all), quoted(held))
  )
end
