-- wrk script for benchmarks/dataplane/run.sh: checks every response and dumps the latency
-- histogram so run.sh can merge several wrk processes (one per guest) into exact percentiles.
--
-- Environment (ip netns exec keeps it):
--   EXPECT   the body every response must carry (the guest's own instance-id, as nova answers)
--   WRK_OUT  file written by done():
--              requests <n>            completed requests
--              duration_us <n>         measured time
--              errors <connect> <read> <write> <status> <timeout>
--              good <n>                200 with exactly EXPECT as body
--              bad <n>                 anything else
--              sample <text>           the first bad answer (status and start of body)
--              hist <latency_us> <count>   one line per distinct latency
--
-- setup/done run in wrk's main Lua state; init/response in each thread's own state, which done
-- reads back through thread:get.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  expected = os.getenv("EXPECT") or ""
  good = 0
  bad = 0
  sample = ""
end

function response(status, headers, body)
  local b = body or ""
  b = b:gsub("%s+$", "")
  if status == 200 and b == expected then
    good = good + 1
  else
    bad = bad + 1
    if sample == "" then
      sample = status .. " " .. b:sub(1, 60):gsub("%s", " ")
    end
  end
end

function done(summary, latency, requests)
  local out = assert(io.open(os.getenv("WRK_OUT"), "w"))
  local g, b, s = 0, 0, ""
  for _, t in ipairs(threads) do
    g = g + (t:get("good") or 0)
    b = b + (t:get("bad") or 0)
    local ts = t:get("sample") or ""
    if s == "" then s = ts end
  end
  local e = summary.errors
  out:write(string.format("requests %d\n", summary.requests))
  out:write(string.format("duration_us %d\n", summary.duration))
  out:write(string.format("errors %d %d %d %d %d\n", e.connect, e.read, e.write, e.status, e.timeout))
  out:write(string.format("good %d\nbad %d\n", g, b))
  out:write("sample " .. s .. "\n")
  for i = 1, #latency do
    local v, c = latency(i)
    out:write(string.format("hist %d %d\n", v, c))
  end
  out:close()
end
