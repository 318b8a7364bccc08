-- wrk script: POST one patient to /api/v1/plan with a bearer token.
-- env: LDN_TOKEN (the token), LDN_BODY (a file with the patient JSON),
-- LDN_PATH (default /api/v1/plan?as_of=2026-11-25).
local f = assert(io.open(os.getenv("LDN_BODY"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.path = os.getenv("LDN_PATH") or "/api/v1/plan?as_of=2026-11-25"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("LDN_TOKEN")

function done(summary, latency, requests)
  io.write(string.format("wrk: %.0f req/s, p50 %.0f us, p99 %.0f us, %d errors (non-2xx %d)\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(99),
    summary.errors.connect + summary.errors.read + summary.errors.write +
    summary.errors.timeout, summary.errors.status))
end
