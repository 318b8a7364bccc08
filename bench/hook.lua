-- wrk script: POST a CDS Hooks request, each with a token of its own (the
-- server accepts a jti once).  env: LDN_TOKENS (a file, one JWT a line),
-- LDN_BODY (the request JSON), LDN_PATH (the service's path).
-- The request is put together from two pieces made once, around the token,
-- rather than by wrk.format() per call: wrk shares the two cores with the
-- server, and each call's building is its time taken from the server.
local tokens = {}
for line in io.lines(os.getenv("LDN_TOKENS")) do tokens[#tokens + 1] = line end
local f = assert(io.open(os.getenv("LDN_BODY"), "rb"))
local body = f:read("*a")
f:close()
local path = os.getenv("LDN_PATH")
local i = 0
local head, tail

function init(args)
  head = "POST " .. path .. " HTTP/1.1\r\nHost: " .. wrk.host .. ":" ..
    wrk.port .. "\r\nContent-Type: application/json\r\nContent-Length: " ..
    #body .. "\r\nAuthorization: Bearer "
  tail = "\r\n\r\n" .. body
end

function request()
  i = i + 1
  return head .. tokens[(i - 1) % #tokens + 1] .. tail
end

function done(summary, latency, requests)
  io.write(string.format("wrk: %.0f req/s, p50 %.0f us, p99 %.0f us, %d errors (non-2xx %d), %d tokens for %d requests\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(99),
    summary.errors.connect + summary.errors.read + summary.errors.write +
    summary.errors.timeout, summary.errors.status, #tokens, summary.requests))
end
