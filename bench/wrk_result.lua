-- The figures line shared by bench's wrk scripts (wrk_load.lua, wrk_voting.lua): wrk's summary, latency
-- percentiles and socket errors, the statuses merged over the threads, and the script's own fields
-- (`extra`: already-encoded JSON members, or ""), printed as one JSON line after the marker MX-RESULT.

return function(summary, latency, statuses, extra)
  local pairs_out = {}
  for status, count in pairs(statuses) do
    pairs_out[#pairs_out + 1] = string.format('"%d": %d', status, count)
  end
  local errors = summary.errors
  io.write(string.format(
    'MX-RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "max_us": %d, '
      .. '"errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}, "statuses": {%s}%s}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    errors.connect, errors.read, errors.write, errors.timeout, table.concat(pairs_out, ", "),
    extra ~= "" and (", " .. extra) or ""
  ))
end
