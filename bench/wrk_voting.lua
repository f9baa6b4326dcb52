-- wrk script of bench/bench_voting.py: each request a ballot of a different person on the "wechat"
-- channel, entered with an integration's bearer token, on a new connection (Connection: close, as
-- gunicorn's sync workers answer). Run with as many threads as connections, so each thread's requests
-- and answers alternate and an answer belongs to the last ballot sent.
--
-- Person p of thread i is MX_BASE + i * 1,000,000 + n (n = 0, 1, ...), with bench_voting.py's ID number,
-- WeChat id and choices for p. The people whose ballot was accepted (201) are written to MX_ACCEPTED,
-- one per line, for the second attempts on another channel; the figures go to stdout as one JSON line
-- after the marker MX-RESULT.
--
-- Environment: MX_PATHS (the ballots path), MX_TOKEN (bearer token), MX_BASE, MX_ACCEPTED (a file path).

-- bench/wrk_result.lua, found beside this script
local print_result = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "wrk_result.lua")
local threads = {}
local path = os.getenv("MX_PATHS")
local token = os.getenv("MX_TOKEN")
local base = tonumber(os.getenv("MX_BASE") or "0")
local weights = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 }
local check_digits = "10X98765432"

function setup(thread)
  thread:set("index", #threads)
  threads[#threads + 1] = thread
end

-- bench_voting.py's id_number(): a valid 18-character resident ID number (GB 11643) for person n.
local function id_number(n)
  local body = string.format(
    "131002%d%02d%02d%03d",
    1940 + math.floor(n / 100000) % 60, 1 + math.floor(n / 8000) % 12, 1 + math.floor(n / 300) % 28, n % 1000
  )
  local total = 0
  for i = 1, 17 do
    total = total + tonumber(body:sub(i, i)) * weights[i]
  end
  local k = total % 11 + 1
  return body .. check_digits:sub(k, k)
end

function init(args)
  statuses = {}
  accepted = {}
  next_person = base + index * 1000000
  sent = nil
  headers = {
    ["Connection"] = "close",
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
  }
end

function request()
  local person = next_person
  next_person = next_person + 1
  sent = person
  local first, second = 1 + person % 60, 1 + (person * 7) % 60
  local choices = first == second and tostring(first) or (first .. ", " .. second)
  local body = string.format(
    '{"choices": [%s], "channel": "wechat", "voter": {"id_number": "%s", "external_id": "o%010d"}}',
    choices, id_number(person), person
  )
  return wrk.format("POST", path, headers, body)
end

function response(status, headers, response_body)
  statuses[status] = (statuses[status] or 0) + 1
  if status == 201 and sent then
    accepted[#accepted + 1] = sent
  end
  sent = nil
end

function done(summary, latency, requests)
  local merged = {}
  local out = assert(io.open(os.getenv("MX_ACCEPTED"), "w"))
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      merged[status] = (merged[status] or 0) + count
    end
    for _, person in ipairs(thread:get("accepted")) do
      out:write(string.format("%d\n", person))
    end
  end
  out:close()
  print_result(summary, latency, merged, "")
end
