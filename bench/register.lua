-- wrk script of bench_register.py: registrations with a fresh Idempotency-Key each.
--   wrk -t2 -c2 -d10s --latency -s bench/register.lua http://127.0.0.1:PORT/api/v1/cases -- REGISTRARS.lua RUN
-- REGISTRARS.lua (written by bench_register.py) returns { {token = "...", bodies = {"{...}", ...}}, ... }.
-- Run with as many threads as connections: thread i is registrar i (its own county and station), so
-- every connection registers as one helper. done() prints one line bench_register.py reads:
-- RESULT <requests> <not 201> <p50 µs> <p95 µs> <p99 µs> <seconds>.

local threads = {}
local next_id = 0

function setup(thread)
   thread:set("id", next_id)
   next_id = next_id + 1
   table.insert(threads, thread)
end

function init(args)
   local registrars = dofile(args[1])
   run = args[2] or "run"
   me = registrars[(id % #registrars) + 1]
   n = 0
   failed = 0
   sample = nil
end

function request()
   n = n + 1
   local body = me.bodies[(n % #me.bodies) + 1]
   return wrk.format("POST", nil, {
      ["Content-Type"] = "application/json",
      ["Authorization"] = "Bearer " .. me.token,
      ["Idempotency-Key"] = string.format("wrk-%s-%d-%d", run, id, n),
   }, body)
end

function response(status, headers, body)
   if status ~= 201 then
      failed = failed + 1
      if sample == nil then
         sample = status .. " " .. string.sub(body or "", 1, 200)
      end
   end
end

function done(summary, latency, requests)
   local failures = 0
   for _, thread in ipairs(threads) do
      failures = failures + thread:get("failed")
      local s = thread:get("sample")
      if s ~= nil then
         io.write("FAILED " .. string.gsub(s, "\n", " ") .. "\n")
      end
   end
   io.write(string.format("RESULT %d %d %d %d %d %.3f\n", summary.requests, failures,
      latency:percentile(50), latency:percentile(95), latency:percentile(99),
      summary.duration / 1e6))
end
