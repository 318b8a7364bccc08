-- wrk script: POST a CDS Hooks request, each with a token of its own (the
-- server accepts a jti once).  env: LDN_TOKENS (a file, one JWT a line),
-- LDN_BODY (the request JSON), LDN_PATH (the service's path).
local tokens = {}
for line in io.lines(os.getenv("LDN_TOKENS")) do tokens[#tokens + 1] = line end
local f = assert(io.open(os.getenv("LDN_BODY"), "rb"))
local body = f:read("*a")
f:close()
local path = os.getenv("LDN_PATH")
local i = 0

function request()
  i = i + 1
  return wrk.format("POST", path, {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. tokens[(i - 1) % #tokens + 1],
  }, body)
end

function done(summary, latency, requests)
  io.write(string.format("wrk: %.0f req/s, p50 %.0f us, p99 %.0f us, %d errors (non-2xx %d), %d tokens for %d requests\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(99),
    summary.errors.connect + summary.errors.read + summary.errors.write +
    summary.errors.timeout, summary.errors.status, #tokens, summary.requests))
end
