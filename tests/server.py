#!/usr/bin/env python3
"""`ldn serve` over real HTTP on loopback, with a real SQLite store: every
route, the OpenAPI description kept true (every route in it and nothing
else), bad input of every kind answered 4xx with a JSON body (never 5xx,
never a crash), real Synthea FHIR, metrics, and a graceful SIGTERM.  TAP.

    tests/server.py LDN_BINARY SOURCE_ROOT
"""
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile

ldn, src = sys.argv[1], sys.argv[2]
n = failed = 0


def ok(cond, desc, why=""):
    global n, failed
    n += 1
    print(("ok" if cond else "not ok") + " %d - %s" % (n, desc))
    if not cond:
        failed += 1
        for line in str(why).splitlines()[:6]:
            print("#   " + line)


tmp = tempfile.mkdtemp()
db = "sqlite:" + os.path.join(tmp, "server.db")
tokens = {}
for who, role in [("alice", "clinician"), ("pat", "pharmacist"), ("rev", "reviewer"), ("root", "admin")]:
    made = subprocess.run([ldn, "token", "add", who, "--role", role, "--db", db], capture_output=True, text=True)
    tokens[role] = made.stdout.strip()
ok(all(len(t) == 64 for t in tokens.values()), "ldn token add prints a 64-digit token for each role", tokens)
# A fake FHIR server, the EHR's, for prefetch the hook calls leave out.
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
fake_data = {}
served_paths = []
jwks_gets = []


class FakeFhir(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path.endswith("/jwks.json"):  # an issuer's key set, by jku
            jwks_gets.append(self.path)
            data = open(os.path.join(src, "tests/data/cds-hooks/keys/jwks.json"), "rb").read()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        served_paths.append((self.path, self.headers.get("Authorization")))
        path = self.path.split("/fhir/", 1)[-1]
        key = {"Patient": "patient", "Condition": "conditions", "MedicationRequest": "medications",
               "Procedure": "procedures"}.get(path.split("/")[0].split("?")[0])
        body = fake_data.get(key) if key else None
        if body is None:
            body = {"resourceType": "Bundle", "type": "searchset", "entry": []}
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/fhir+json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *a):
        pass


fake = HTTPServer(("127.0.0.1", 0), FakeFhir)
threading.Thread(target=fake.serve_forever, daemon=True).start()
fake_base = "http://127.0.0.1:%d" % fake.server_address[1]

srv = subprocess.Popen(
    [ldn, "serve", "--port", "0", "--db", db, "--as-of", "2026-11-25",
     "--threads", "2", "--cds-url", "https://ldn.test",
     "--cds-issuer", "https://sandbox.cds-hooks.org=" + os.path.join(src, "tests/data/cds-hooks/keys/jwks.json"),
     "--cds-fhir-server", "https://sandbox.cds-hooks.org=" + fake_base + "/fhir/",
     "--cds-jku", "https://ehr.test=" + fake_base + "/keys/jwks.json"],
    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
line = srv.stdout.readline()
ok("listening on http://127.0.0.1:" in line, "the server says where it listens", line)
port = int(line.split("127.0.0.1:")[1].split("/")[0])


def call(method, path, body=None, headers=None, role="clinician"):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    if isinstance(body, (dict, list)):
        body = json.dumps(body)
    headers = dict(headers or {})
    if role:
        headers.setdefault("Authorization", "Bearer " + tokens[role])
    c.request(method, path, body=body, headers=headers)
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, dict((k.lower(), v) for k, v in r.getheaders()), data


def jcall(method, path, body=None, role="clinician", headers=None):
    status, h, data = call(method, path, body, headers, role)
    try:
        return status, h, json.loads(data)
    except ValueError:
        return status, h, None


def is_error(status, h, doc, want, where=None):
    return (doc is not None and h.get("content-type") == "application/json"
            and doc.get("error", {}).get("status") == want == status
            and (where is None or doc["error"]["where"] == where))


def read(path):
    with open(os.path.join(src, path), "rb") as f:
        return f.read()


# --- health, the description, the knowledge base
s, h, d = jcall("GET", "/healthz")
ok(s == 200 and d["status"] == "ok" and d["kb_version"], "GET /healthz answers ok with the kb version", d)

s, h, spec = jcall("GET", "/api/v1/openapi.json")
ok(s == 200 and spec and spec["openapi"].startswith("3."), "the OpenAPI 3 description is served", s)
routes = subprocess.run([ldn, "serve", "--routes"], capture_output=True, text=True).stdout.split("\n")
served = set(tuple(r.split(" ")[:2]) for r in routes if r)
described = set((m.upper(), p) for p, ops in spec["paths"].items() for m in ops)
ok(served == described, "every route is in the OpenAPI description and every described route is served",
   "served only: %s\ndescribed only: %s" % (served - described, described - served))
refs_ok = all(ref.split("/")[-1] in spec["components"][ref.split("/")[2]]
              for ref in set(
                  v for v in json.dumps(spec).split('"') if v.startswith("#/components/")))
ok(refs_ok, "every $ref in the description resolves")

# --- the web page's files (the page itself is driven in chromium: tests/web)
s, h, page = call("GET", "/", role=None)
ok(s == 200 and h.get("content-type", "").startswith("text/html") and b'src="/web/app.js"' in page and
   "default-src 'self'" in h.get("content-security-policy", "") and h.get("cache-control") == "no-cache",
   "GET / is the web page, with its Content-Security-Policy and no-cache", (s, h))
s, h, js = call("GET", "/web/app.js", role=None)
s2, h2, _ = call("GET", "/web/app.js", role=None, headers={"If-None-Match": h.get("etag", "")})
s3, h3, _ = call("GET", "/web/app.js", role=None, headers={"If-None-Match": '"0000000000000000"'})
ok(s == 200 and h.get("content-type", "").startswith("text/javascript") and s2 == 304 and s3 == 200,
   "the page's files carry an ETag: 304 when it matches, 200 when not", (s, s2, s3))
ok(is_error(*jcall("GET", "/web/openapi.json", role=None), 404, "path") and
   is_error(*jcall("GET", "/web/..%2Fdocs%2Fopenapi.json", role=None), 404, "path") and
   is_error(*jcall("POST", "/", b"x", role=None), 405, "method"),
   "only the page's own files are served, and only to GET")

s, h, d = jcall("GET", "/api/v1/kb")
ok(s == 200 and len(d["references"]) >= 40 and len(d["statements"]) >= 74 and
   all(st["cites"] for st in d["statements"]),
   "GET /api/v1/kb lists references and statements, each statement citing", s)
ok([p["id"] for p in d["presets"]] == ["seed", "ldnrt", "slow", "thyroid", "child", "final6"] and
   [p["id"] for p in d["presets"] if p["default"]] == ["seed"] and
   [p["id"] for p in d["presets"] if p["beyond_seed"]] == ["final6"] and all(p["cites"] for p in d["presets"]),
   "GET /api/v1/kb lists the presets, seed the default, final6 beyond the seed, each citing",
   d.get("presets") and [p["id"] for p in d["presets"]])
s, h, d = jcall("GET", "/api/v1/kb?audience=patient")
ok(s == 200 and d["audience"] == "patient", "and in the patient's words")
ok(is_error(*jcall("GET", "/api/v1/kb?audience=robot"), 400, "audience"), "an unknown audience is 400 naming it")

# --- who may call what
s, h, d = jcall("POST", "/api/v1/plan", b"{}", role=None)
ok(is_error(s, h, d, 401, "Authorization") and h.get("www-authenticate", "").startswith("Bearer"),
   "no token is 401 with a Bearer challenge", (s, h.get("www-authenticate")))
s, h, d = jcall("POST", "/api/v1/plan", b"{}", role=None, headers={"Authorization": "Bearer " + "0" * 64})
ok(is_error(s, h, d, 401, "Authorization"), "an unknown token is 401")
s, h, d = jcall("POST", "/api/v1/plan", b"{}", role=None, headers={"Authorization": "Basic YWxpY2U6eA=="})
ok(is_error(s, h, d, 401, "Authorization"), "Basic credentials are 401")
ok(is_error(*jcall("POST", "/api/v1/plan", read("examples/fibromyalgia.json"), role="reviewer"), 403, "Authorization"),
   "a reviewer may not make a plan (403)")
ok(jcall("GET", "/api/v1/kb", role="reviewer")[0] == 200, "a reviewer may read the knowledge base")
ok(is_error(*jcall("POST", "/api/v1/patients", {"id": "x"}, role="pharmacist"), 403, "Authorization"),
   "a pharmacist may not add a patient (403)")
ok(jcall("GET", "/healthz", role=None)[0] == 200 and jcall("GET", "/api/v1/openapi.json", role=None)[0] == 200,
   "health and the description need no token")
roles_of = dict((tuple(r.split(" ")[:2]), set(r.split(" ")[2:])) for r in routes if r)
ok(all(roles_of[r] <= {"clinician", "pharmacist", "reviewer", "admin"} for r in roles_of) and
   not roles_of[("POST", "/api/v1/patients/{id}/visits")] & {"pharmacist", "reviewer"},
   "only clinicians and admins write patients' records", roles_of)

# --- plans
ex = read("examples/fibromyalgia.json")
s, h, d = jcall("POST", "/api/v1/plan?as_of=2026-11-25", ex)
ok(s == 200 and d["decision"] == "wait" and d["earliest_start"] == "2026-11-27",
   "POST /api/v1/plan gives the example's plan (wait until 2026-11-27)", d and d.get("decision"))
s, h, body = call("POST", "/api/v1/plan?as_of=2026-11-25&format=fhir", ex)
ok(s == 200 and h["content-type"] == "application/fhir+json" and json.loads(body)["resourceType"] == "Bundle",
   "format=fhir gives a FHIR Bundle")
s, h, body = call("POST", "/api/v1/plan?as_of=2026-11-25&format=text&audience=patient", ex)
ok(s == 200 and h["content-type"].startswith("text/plain") and b"Your low-dose naltrexone" in body,
   "format=text for the patient reads as the patient's plan")
for fmt, ctype, head in (("html", "text/html; charset=utf-8", b"<!DOCTYPE html>\n"),
                         ("ics", "text/calendar; charset=utf-8", b"BEGIN:VCALENDAR\r\n")):
    for aud in ("clinician", "patient"):
        s, h, body = call("POST", "/api/v1/plan?as_of=2026-11-25&format=%s&audience=%s" % (fmt, aud), ex)
        cli = subprocess.run([ldn, "plan", "--as-of", "2026-11-25", "--format", fmt, "--audience", aud,
                              os.path.join(src, "examples/fibromyalgia.json")], capture_output=True).stdout
        ok(s == 200 and h["content-type"] == ctype and body.startswith(head) and body == cli,
           "format=%s for the %s is %s, the same bytes as ldn plan --format %s" % (fmt, aud, ctype, fmt),
           (s, h.get("content-type"), body[:80]))
# The pharmacist: the clinician's plan with the dispensing sheet
for fmt in ("text", "html", "json"):
    q = "as_of=2026-11-25&audience=pharmacist&formulation=capsule&supply_days=90&format=%s" % fmt
    s, h, body = call("POST", "/api/v1/plan?" + q, ex, role="pharmacist")
    cli = subprocess.run([ldn, "plan", "--as-of", "2026-11-25", "--audience", "pharmacist", "--formulation",
                          "capsule", "--supply-days", "90", "--format", fmt,
                          os.path.join(src, "examples/fibromyalgia.json")], capture_output=True).stdout
    same = body == cli if fmt != "json" else json.loads(body) == json.loads(cli)
    ok(s == 200 and same and b"dispensing" in body.lower(),
       "audience=pharmacist&formulation=capsule (%s) is ldn plan's sheet, for a pharmacist's token" % fmt, (s, body[:120]))
s, h, d = jcall("POST", "/api/v1/plan?as_of=2026-11-25&audience=pharmacist", ex, role="pharmacist")
ok(s == 200 and d["audience"] == "pharmacist" and d["dispensing"]["form"] == "liquid"
   and d["dispensing"]["steps"][0]["volume_ml"] == 1.5, "the default sheet is the liquid at 1 mg/mL: 1.50 mL for 1.5 mg")
# The dosage forms GET /api/v1/kb lists (the web page's choices) are those the sheet takes
s, h, kbd = jcall("GET", "/api/v1/kb", role="pharmacist")
forms = (kbd.get("formulations") or []) if s == 200 else []
made = [jcall("POST", "/api/v1/plan?as_of=2026-11-25&audience=pharmacist&formulation=" + f["id"], ex, role="pharmacist")
        for f in forms]
ok([f["id"] for f in forms] == ["liquid", "capsule", "sublingual"] and [f["id"] for f in forms if f["default"]] == ["liquid"]
   and all(f["cites"] and f["label"] for f in forms) and forms[0]["concentrations_mg_per_ml"] == [1]
   and forms[1]["strengths_mg"] == [1, 1.5, 4.5] and forms[1]["max_capsules_per_dose"] == 3
   and all(m[0] == 200 and m[2]["dispensing"]["form"] == f["id"] for m, f in zip(made, forms)),
   "GET /api/v1/kb lists the dosage forms (liquid the default, each citing), and the sheet takes each one's id",
   (s, forms))
for q, where in (("audience=pharmacist&formulation=tablet", "formulation"),
                 ("audience=pharmacist&formulation=liquid:5", "formulation"),
                 ("audience=clinician&formulation=capsule", "formulation"),
                 ("audience=pharmacist&format=ics&formulation=capsule", "formulation"),
                 ("audience=pharmacist&supply_days=0", "supply_days"),
                 ("audience=pharmacist&supply_days=367", "supply_days"),
                 ("audience=pharmacist&supply_days=9x", "supply_days")):
    ok(is_error(*jcall("POST", "/api/v1/plan?as_of=2026-11-25&" + q, ex), 400, where),
       "%s is 400 naming %s" % (q, where))
s, h, d = jcall("POST", "/api/v1/ask", {"question": "why bedtime?", "audience": "pharmacist"})
ok(s == 200 and d["answered"], "ask takes the pharmacist audience", d)
ok(s == 200 and d["audience"] == "pharmacist" and d.get("note") and
   all(a["wording"] == "clinician" and a["wording_why"] for a in d["answers"]),
   "and labels it pharmacist, never clinician, saying whose words the answers are in and why", d)
s, h, d = jcall("POST", "/api/v1/ask", {"question": "what is the capital of France?", "audience": "pharmacist"})
ok(s == 200 and not d["answered"] and "prescriber" in d["message"] and d["audience"] == "pharmacist",
   "a pharmacist's question out of scope: declined in the pharmacist's words", d)
DOC_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
s, h, body = call("POST", "/api/v1/plan?as_of=2026-11-25&format=html", ex)
ok(s == 200 and h.get("content-security-policy") == DOC_CSP,
   "format=html comes with a policy that runs no script and fetches nothing", h.get("content-security-policy"))
s, h, body = call("POST", "/api/v1/plan?as_of=2026-11-25&format=ics", ex)
ok(b"DTSTART;VALUE=DATE:20261127\r\n" in body and b"CATEGORIES:LDN,start\r\n" in body,
   "format=ics starts the calendar on the earliest start, 2026-11-27")
s, h, d = jcall("POST", "/api/v1/plan?format=pdf", ex)
ok(is_error(s, h, d, 400, "format") and "html or ics" in d["error"]["message"],
   "a bad plan format names html and ics among the forms", d)
synthea = sorted(os.listdir(os.path.join(src, "tests/data/synthea")))
good = 0
for name in synthea:
    s, h, d = jcall("POST", "/api/v1/plan?as_of=2026-11-25", read("tests/data/synthea/" + name))
    good += s == 200 and d["decision"] in ("start", "wait", "do-not-start")
ok(good == len(synthea) and good >= 10, "every Synthea bundle in tests/data gets a plan (%d of %d)" % (good, len(synthea)))

# --- the reverse check: an order checked against a patient's record
on_ldn = json.loads(read("tests/golden/ldn-active/patient.json"))
no_ntx = json.loads(ex)
s, h, d = jcall("POST", "/api/v1/check-order?as_of=2026-11-25", {"patient": on_ldn, "order": "tramadol 50 mg"})
ok(s == 200 and h.get("content-type") == "application/json" and len(d["cards"]) == 1 and
   d["cards"][0]["indicator"] == "warning" and "naltrexone" in d["cards"][0]["summary"],
   "POST /api/v1/check-order: tramadol for a patient on LDN is a warning card", (s, d))
s, h, d = jcall("POST", "/api/v1/check-order?as_of=2026-11-25", {"patient": no_ntx, "order": "tramadol 50 mg"})
ok(s == 200 and d == {"cards": []}, "the same order for a patient without naltrexone: no card", (s, d))
s, h, d = jcall("POST", "/api/v1/check-order?as_of=2026-11-25&audience=patient",
                {"patient": on_ldn, "order": "835603"}, role="pharmacist")
ok(s == 200 and len(d["cards"]) == 1 and d["cards"][0]["detail"].startswith("You take LDN 4.5 mg"),
   "an RxNorm code, for a pharmacist, in the patient's words", (s, d))
bundle = json.loads(read("tests/data/synthea/" + synthea[0]))
s, h, d = jcall("POST", "/api/v1/check-order?as_of=2026-11-25", {"patient": bundle, "order": "fentanyl patch"})
ok(s == 200 and isinstance(d.get("cards"), list), "a FHIR Bundle as the patient", (s, d))
ok(is_error(*jcall("POST", "/api/v1/check-order", {"patient": on_ldn}), 400, "/order"),
   "check-order without an order is 400 naming /order")
ok(is_error(*jcall("POST", "/api/v1/check-order", {"order": "tramadol"}), 400, "/patient"),
   "check-order without a patient is 400 naming /patient")
ok(is_error(*jcall("POST", "/api/v1/check-order", {"patient": {"age_years": "x"}, "order": "tramadol"}), 400,
            "/patient/age_years"), "a bad patient field is 400 naming it under /patient")
ok(is_error(*jcall("POST", "/api/v1/check-order", {"patient": on_ldn, "order": "tramadol", "dose": 1}), 400,
            "/dose"), "an unknown member is 400 naming it")
ok(is_error(*jcall("POST", "/api/v1/check-order", {"patient": on_ldn, "order": "tramadol"}, role=None), 401,
            "Authorization"), "check-order without a token is 401")
ok(is_error(*jcall("POST", "/api/v1/check-order", {"patient": on_ldn, "order": "tramadol"}, role="reviewer"), 403,
            "Authorization"), "a reviewer may not check an order (403)")

# --- follow-up questions: answered from the statements, or declined
s, h, d = jcall("POST", "/api/v1/ask", {"question": "Can she take tramadol for a flare?"})
ok(s == 200 and h.get("content-type") == "application/json" and d["answered"] is True and
   d["answers"][0]["id"] == "contraindications.needs_opioids" and d["answers"][0]["citations"] and
   len(d["references"]) >= 1 and d["for_patient"] == [],
   "POST /api/v1/ask: tramadol reads as an opioid; the statement with its citations", (s, d))
s, h, d = jcall("POST", "/api/v1/ask", {"question": "How long must I wait after my last oxycodone dose?",
                                        "patient": no_ntx, "audience": "patient", "as_of": "2026-11-25"},
                role="pharmacist")
ok(s == 200 and d["audience"] == "patient" and d["patient"] == "example-fibromyalgia" and
   any(f["finding"] == "opioid.washout" and "2026-11-27" in f["text"] for f in d["for_patient"]),
   "with a patient: their washout finding and its date, in the patient's words", (s, d))
s, h, d = jcall("POST", "/api/v1/ask", {"question": "What's a good recipe for banana bread?", "audience": "patient"})
ok(s == 200 and d["answered"] is False and d["answers"] == [] and "doctor" in d["message"],
   "out of scope: declined, and the patient is told to ask their doctor", (s, d))
s, h, d = jcall("POST", "/api/v1/plan?as_of=2026-11-25", ex)
ok(s == 200 and 3 <= len(d.get("follow_up", [])) <= 5 and
   all(q["question"] and q["answered_by"] for q in d["follow_up"]),
   "a plan suggests 3 to 5 follow-up questions in follow_up", (s, d and d.get("follow_up")))
for body, where in [({}, "/question"), ({"question": ""}, "/question"), ({"question": 5}, "/question"),
                    ({"question": "x" * 1001}, "/question"), ({"question": "a\u0001b"}, "/question"),
                    ({"question": "why bedtime?", "audience": "nurse"}, "/audience"),
                    ({"question": "why bedtime?", "as_of": "25/11/2026"}, "/as_of"),
                    ({"question": "why bedtime?", "patient": []}, "/patient"),
                    ({"question": "why bedtime?", "patient": {"age_years": "x"}}, "/patient/age_years"),
                    ({"question": "why bedtime?", "topic": "x"}, "/topic")]:
    ok(is_error(*jcall("POST", "/api/v1/ask", body), 400, where), "ask: bad input is 400 naming %s" % where)
ok(is_error(*jcall("POST", "/api/v1/ask", b'{"question": '), 400), "ask: malformed JSON is 400")
ok(is_error(*jcall("POST", "/api/v1/ask", {"question": "why bedtime?"}, role=None), 401, "Authorization"),
   "ask without a token is 401")
ok(is_error(*jcall("POST", "/api/v1/ask", {"question": "why bedtime?"}, role="reviewer"), 403, "Authorization"),
   "a reviewer may not ask about patients (403, as for plans)")

# --- bad input: always 4xx with a JSON error, never 5xx
bad = [
    ("malformed JSON", "POST", "/api/v1/plan", b'{"age_years": 40,', 400, None),
    ("a wrong type", "POST", "/api/v1/plan", b'{"age_years": "forty", "medications": []}', 400, "/age_years"),
    ("an empty body", "POST", "/api/v1/plan", b"", 400, None),
    ("not an object", "POST", "/api/v1/plan", b"[1,2,3]", 400, None),
    ("deep nesting", "POST", "/api/v1/plan", b"[" * 100000 + b"]" * 100000, 400, None),
    ("a bad as_of", "POST", "/api/v1/plan?as_of=2026-02-30", ex, 400, None),
    ("a bad format", "POST", "/api/v1/plan?format=pdf", ex, 400, "format"),
    ("invalid UTF-8", "POST", "/api/v1/plan", b'{"id": "\xff\xfe", "age_years": 40, "medications": []}', 400, None),
    ("an unknown path", "GET", "/api/v1/nothing", None, 404, "path"),
    ("a path with a control character", "GET", "/api/v1/patients/a%01b/next", None, 404, None),
]
for desc, m, p, body, want, where in bad:
    s, h, d = jcall(m, p, body)
    ok(is_error(s, h, d, want, where), "%s is %d with a JSON error%s" % (desc, want, " naming " + where if where else ""),
       "%s %s" % (s, d))
s, h, d = jcall("PUT", "/api/v1/plan", ex)
ok(is_error(s, h, d, 405) and h.get("allow") == "POST", "a wrong method is 405 with Allow: POST", (s, h.get("allow")))
# over the limit (8 MiB): refused as soon as the length shows, before the
# body is read
sock = socket.create_connection(("127.0.0.1", port), timeout=10)
sock.sendall(b"POST /api/v1/plan HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
             b"Content-Length: %d\r\n\r\n" % (9 << 20) + b" " * 65536)
reply = b""
try:
    while b"\r\n\r\n" not in reply or not reply.rstrip().endswith(b"}"):
        chunk = sock.recv(65536)
        if not chunk:
            break
        reply += chunk
except OSError:
    pass
sock.close()
head, _, payload = reply.partition(b"\r\n\r\n")
ok(head.startswith(b"HTTP/1.1 413") and json.loads(payload)["error"]["where"] == "body",
   "a 9 MB body is 413 before it is read (the limit is 8 MiB)", reply[:200])
big = read("tests/data/synthea/" + max(synthea, key=lambda f: os.path.getsize(os.path.join(src, "tests/data/synthea", f))))
s, h, d = jcall("POST", "/api/v1/plan?as_of=2026-11-25", big)
ok(s == 200 and len(big) > 2 << 20, "a %.1f MB Synthea bundle is read whole" % (len(big) / 1e6), s)
s, h, d = jcall("POST", "/api/v1/plan?format=fhir", b'{"resourceType": "Bundle", "entry": 7}')
ok(s == 400 and d["resourceType"] == "OperationOutcome", "a refused Bundle with format=fhir is an OperationOutcome", d)

# raw garbage on the socket: answered or closed, and the server lives on
sock = socket.create_connection(("127.0.0.1", port), timeout=10)
sock.sendall(b"NOT HTTP AT ALL\r\n\r\n")
try:
    reply = sock.recv(4096)
except OSError:
    reply = b""
sock.close()
ok(not reply.startswith(b"HTTP/1.1 5"), "garbage on the socket is not a 5xx", reply[:40])
s, h, d = jcall("GET", "/healthz")
ok(s == 200, "and the server still answers")

# --- patients, visits, next step, history (on the store)
p9 = {"id": "p-9", "age_years": 50, "sex": "male", "weight_kg": 80, "opioid_analgesia_required": False,
      "medications": [], "conditions": [{"system": "icd10", "code": "M79.7", "status": "active"}]}
s, h, d = jcall("POST", "/api/v1/patients?as_of=2026-11-01", p9)
ok(s == 201 and d["id"] == "p-9" and d["decision"] == "start", "POST /api/v1/patients stores a patient (201)", d)
s, h, d = jcall("GET", "/api/v1/review/statement/protocol.start%00x")
ok(is_error(s, h, d, 404, None) and jcall("GET", "/api/v1/review/statement/protocol.start")[0] == 200,
   "an encoded NUL does not cut a path short: protocol.start%00x is not protocol.start (404)", d)
s, h, d = jcall("POST", "/api/v1/patients?as_of=2026-11-01", p9)
ok(is_error(s, h, d, 400, "/id"), "the same patient again is 400 naming /id", d)
for bad in ("a/b", "a\nb"):
    s, h, d = jcall("POST", "/api/v1/patients?as_of=2026-11-01", dict(p9, id=bad))
    ok(is_error(s, h, d, 400, "/id"), f"an id {bad!r} that no address can open is 400 naming /id", d)
# a departure from a default policy is stored with who chose it and why
p10 = dict(p9, id="p-10")
s, h, d = jcall("POST", "/api/v1/patients?as_of=2026-11-01&policy=periop_restart:24h", p10)
ok(is_error(s, h, d, 400, "why"), "an override without ?why= is 400 naming why", d)
s, h, d = jcall("POST", "/api/v1/patients?as_of=2026-11-01&why=no%20reason", p10)
ok(is_error(s, h, d, 400, "why"), "?why= without an override is 400 naming why", d)
s, h, d = jcall("POST", "/api/v1/patients?as_of=2026-11-01&policy=periop_restart:24h&why=surgeon%27s%20protocol", p10)
ok(s == 201, "with ?why= it is stored (201)", d)
s, h, d = jcall("GET", "/api/v1/patients/p-10/history?format=json")
ok(s == 200 and [(o["policy"], o["value"], o["why"]) for o in d["plans"][0]["overrides"]] ==
   [("periop_restart", "24h", "surgeon's protocol")] and d["plans"][0]["overrides"][0]["by"],
   "the history names the override, who chose it and why", d)
s, h, d = jcall("POST", "/api/v1/patients/p-9/visits",
                {"date": "2026-11-01", "dose_mg": 1.5, "pain": 8, "sleep": 7, "side_effects": "none"})
ok(s == 201 and d["status"] == "recorded", "a visit is recorded (201)", d)
for desc, visit, where in [
        ("pain 11", {"date": "2026-11-08", "dose_mg": 2, "pain": 11}, "pain"),
        ("an unknown field", {"date": "2026-11-08", "dose_mg": 2, "pain": 5, "mood_ring": 3}, "mood_ring"),
        ("a dose as a string", {"date": "2026-11-08", "dose_mg": "2", "pain": 5}, "dose_mg"),
        ("no date", {"dose_mg": 2, "pain": 5}, "date"),
        ("a dose above the ceiling", {"date": "2026-11-08", "dose_mg": 9, "pain": 5}, "dose"),
        ("a visit before the plan", {"date": "2026-10-01", "dose_mg": 2, "pain": 5}, "date"),
        ("timing at noon", {"date": "2026-11-08", "dose_mg": 2, "pain": 5, "timing": "noon"}, "timing")]:
    s, h, d = jcall("POST", "/api/v1/patients/p-9/visits", visit)
    ok(is_error(s, h, d, 400, where), "a visit with %s is 400 naming %s" % (desc, where), (s, d))
s, h, d = jcall("POST", "/api/v1/patients/p-404/visits", {"date": "2026-11-08", "dose_mg": 2, "pain": 5})
ok(is_error(s, h, d, 404, "patient"), "a visit for an unknown patient is 404", (s, d))
s, h, d = jcall("GET", "/api/v1/patients/p-9/next?as_of=2026-11-08")
ok(s == 200 and d["action"] == "escalate" and d["dose_mg"] == 2 and d["references"],
   "GET next: escalate to 2 mg, with references", d)
s, h, d = jcall("GET", "/api/v1/patients/p-9/next?as_of=2026-11-08&audience=patient")
ok(s == 200 and d["audience"] == "patient", "and in the patient's words")
s, h, c = jcall("GET", "/api/v1/patients/p-9/next?as_of=2026-11-08")
s, h, d = jcall("GET", "/api/v1/patients/p-9/next?as_of=2026-11-08&audience=pharmacist")
ok(s == 200 and d["audience"] == "pharmacist" and d["text"] != c["text"] and
   "clinician" not in (d["text"] + d["headline"]).lower() and
   d["headline"] and d["dispensing"] is None and d["action"] == c["action"] and d["dose_mg"] == c["dose_mg"],
   "GET next for a pharmacist: its own words, labelled pharmacist, never clinician", d)
s, h, d = jcall("GET", "/api/v1/patients/p-9/next?as_of=2026-11-08&audience=pharmacist&formulation=liquid&supply_days=45")
dd = d.get("dispensing") or {} if isinstance(d, dict) else {}
ok(s == 200 and dd.get("form") == "liquid" and dd.get("volume_ul") == 2000 and
   dd.get("supply", {}).get("volume_ml") == 90 and [b["fills"] for b in dd.get("beyond_use", [])] == [2, 1],
   "GET next for a pharmacist with a liquid: 2.00 mL a dose, 90 mL for 45 days, 2 room fills or 1 fridge", d)
s, h, d = jcall("GET", "/api/v1/patients/p-9/next?as_of=2026-11-08&audience=pharmacist&formulation=capsule")
dd = d.get("dispensing") or {} if isinstance(d, dict) else {}
ok(s == 200 and dd.get("capsules") == [{"strength_mg": 1, "count": 2}] and dd.get("supply") is None,
   "and with capsules: 2 x 1 mg a dose, no supply asked for", d)
for q, where in (("audience=pharmacist&formulation=pill", "formulation"),
                 ("audience=pharmacist&supply_days=0", "supply_days"),
                 ("audience=pharmacist&supply_days=367", "supply_days"),
                 ("formulation=liquid", "formulation"),
                 ("audience=patient&supply_days=30", "supply_days")):
    ok(is_error(*jcall("GET", "/api/v1/patients/p-9/next?as_of=2026-11-08&" + q), 400, where),
       "GET next with %s is 400 naming %s" % (q, where))
ok(is_error(*jcall("GET", "/api/v1/patients/p-404/next"), 404, "patient"), "next for an unknown patient is 404")
s, h, d = jcall("GET", "/api/v1/patients")
ok(s == 200 and [p["id"] for p in d["patients"]] == ["p-10", "p-9"] and d["patients"][1]["visits"] == 1,
   "GET /api/v1/patients lists the patients, p-9 with one visit", d)
s, h, body = call("GET", "/api/v1/patients/p-9/history?format=csv")
ok(s == 200 and h["content-type"].startswith("text/csv") and b"2026-11-01,1.5,8" in body, "history as CSV", body[:80])
s, h, body = call("GET", "/api/v1/patients/p-9/history?format=svg")
ok(s == 200 and h["content-type"] == "image/svg+xml" and body.startswith(b"<svg") and
   h.get("content-security-policy") == DOC_CSP, "history as SVG, with a policy that runs no script", h)
s, h, d = jcall("GET", "/api/v1/patients/p-9/history")
ok(s == 200 and d["visits"][0]["dose_mg"] == 1.5, "history as JSON")
ok(is_error(*jcall("GET", "/api/v1/patients/p-9/history?format=pdf"), 400, "format"), "a bad history format is 400")

# --- titration presets: chosen by name, refused when unknown, obeyed by the next step
f6 = read("tests/golden/preset-final6/patient.json")
s, h, d = jcall("POST", "/api/v1/plan?as_of=2026-11-25&preset=final6", f6)
ok(s == 200 and d["preset"]["id"] == "final6" and d["ceiling_mg"] == 6 and
   "preset.beyond_seed" in [f["id"] for f in d["findings"]],
   "preset=final6: a 6 mg ceiling, with the beyond-the-seed caution", d and d.get("preset"))
s, h, d = jcall("POST", "/api/v1/plan?as_of=2026-11-25&preset=final6", ex)
ok(is_error(s, h, d, 400, "preset") and "opioid" in d["error"]["message"],
   "preset=final6 after an opioid within the FINAL trial's 4 weeks is 400 naming preset and why", d)
ok(is_error(*jcall("POST", "/api/v1/plan?as_of=2026-11-25&preset=fast", ex), 400, "preset"),
   "an unknown preset is 400 naming preset")

# --- policies where sources conflict: periop_restart (seed default, 24h override)
pr0 = read("tests/golden/policy-periop-24h-completed-0d/patient.json")
s, h, d = jcall("POST", "/api/v1/plan?as_of=2026-11-25", pr0)
ok(s == 200 and d["earliest_start"] == "2026-12-02" and
   [(p["name"], p["value"], p["override"]) for p in d["policies"]] ==
   [("periop_restart", "seed", False), ("opioid_co_use", "seed", False)] and
   "policy.periop_restart_24h" not in [f["id"] for f in d["findings"]],
   "POST /api/v1/plan names the periop_restart policy at its default (seed), no override", d and d.get("policies"))
s, h, d = jcall("POST", "/api/v1/plan?as_of=2026-11-25&policy=periop_restart:24h", pr0)
ok(s == 200 and d["earliest_start"] == "2026-11-26" and d["policies"][0]["override"] is True and
   [c["value"] for c in d["policies"][0]["choices"]] == ["seed", "24h"] and
   all(c["citations"] for c in d["policies"][0]["choices"]) and
   "policy.periop_restart_24h" in [f["id"] for f in d["findings"]],
   "policy=periop_restart:24h restarts a day after surgery and shows the override, both choices cited",
   d and (d.get("earliest_start"), d.get("policies")))
for q in ("periop_restart:48h", "opioid_couse:relative", "periop_restart"):
    ok(is_error(*jcall("POST", "/api/v1/plan?as_of=2026-11-25&policy=" + q, pr0), 400, "policy"),
       "policy=%s is 400 naming policy" % q)
# opioid_co_use: tramadol 300 mg a day blocks by default and is kept (LDN
# capped at 0.5 mg) under policy=opioid_co_use:relative
co = read("tests/golden/co-use-tramadol-300/patient.json")
s, h, d = jcall("POST", "/api/v1/plan?as_of=2026-11-25", co)
ok(s == 200 and d["decision"] == "do-not-start", "tramadol taken now blocks under the default opioid_co_use", d and d.get("decision"))
s, h, d = jcall("POST", "/api/v1/plan?as_of=2026-11-25&policy=opioid_co_use:relative", co)
pol = [p for p in d["policies"] if p["name"] == "opioid_co_use"] if s == 200 else []
ok(s == 200 and d["decision"] == "start" and d["ceiling_mg"] == 0.5 and
   pol and pol[0]["override"] is True and pol[0]["ceiling_mg"] == 0.5 and
   all(n["citations"] for n in pol[0]["choices"][1]["numbers"]) and
   "policy.opioid_co_use_met" in [f["id"] for f in d["findings"]],
   "policy=opioid_co_use:relative keeps tramadol 300 mg a day, LDN capped at 0.5 mg, the numbers cited",
   d and (d.get("decision"), d.get("policies")))
s, h, d = jcall("POST", "/api/v1/plan?as_of=2026-11-25&policy=opioid_co_use:loose", co)
ok(is_error(s, h, d, 400, "policy"), "policy=opioid_co_use:loose is 400 naming policy")
s, h, d = jcall("POST", "/api/v1/patients?as_of=2026-11-01&preset=ldnrt", dict(p9, id="p-rt"))
ok(s == 201 and d["decision"] == "start", "POST /api/v1/patients?preset=ldnrt stores the patient", d)
jcall("POST", "/api/v1/patients/p-rt/visits", {"date": "2026-11-01", "dose_mg": 1, "pain": 8, "side_effects": "none"})
s, h, d = jcall("GET", "/api/v1/patients/p-rt/next?as_of=2026-11-08")
ok(s == 200 and d["action"] == "escalate" and d["dose_mg"] == 2,
   "the next step follows the stored preset: 1 mg to 2 mg (ldnrt), not 1.5 mg", d)
# A new plan for a stored patient: the latest plan is what the next step follows.
s, h, d = jcall("POST", "/api/v1/patients/p-rt/plans?as_of=2026-11-02", dict(p9, id="p-rt"))
ok(s == 201 and d["id"] == "p-rt" and d["decision"] == "start",
   "POST /api/v1/patients/{id}/plans issues a new plan for a stored patient (201)", d)
s, h, d = jcall("GET", "/api/v1/patients/p-rt/next?as_of=2026-11-08")
ok(s == 200 and d["action"] == "escalate" and d["dose_mg"] == 1.5,
   "and the next step follows it: the seed's 0.5 mg steps now, 1 mg to 1.5 mg", d)
s, h, d = jcall("GET", "/api/v1/patients/p-rt/history")
ok(s == 200 and len(d.get("plans", [])) == 2 and len(d.get("visits", [])) == 1,
   "the history holds both plans and the visit", d and (len(d.get("plans", [])), len(d.get("visits", []))))
ok(is_error(*jcall("POST", "/api/v1/patients/p-rt/plans?as_of=2026-11-02", dict(p9, id="p-other")), 400, "/id"),
   "a new plan whose intake names another patient is 400 at /id")
ok(is_error(*jcall("POST", "/api/v1/patients/p-404/plans?as_of=2026-11-02", dict(p9, id="p-404")), 404, "/id"),
   "a new plan for a patient not stored is 404")
ok(is_error(*jcall("POST", "/api/v1/patients/p-rt/plans", dict(p9, id="p-rt"), role="pharmacist"), 403, "Authorization"),
   "a pharmacist may not issue a plan (403)")

# --- CDS Hooks: discovery, the nine sandbox requests, the EHR's JWT, fetch, feedback
import base64
import time
import uuid

KEY = os.path.join(src, "tests/data/cds-hooks/keys/ecprivkey.pem")
KID = json.load(open(os.path.join(src, "tests/data/cds-hooks/keys/jwks.json")))["keys"][0]["kid"]


def b64(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def der_to_raw(der, n=48):
    # SEQUENCE { INTEGER r, INTEGER s }
    i = 2 if der[1] < 0x80 else 2 + (der[1] & 0x7f)
    out = b""
    for _ in range(2):
        ln = der[i + 1]
        v = der[i + 2:i + 2 + ln].lstrip(b"\0")
        out += v.rjust(n, b"\0")
        i += 2 + ln
    return out


def jwt(aud, exp_in=300, jti=None, iss="https://sandbox.cds-hooks.org", jku=None, kid=KID):
    now = int(time.time())
    header = {"alg": "ES384", "typ": "JWT", "kid": kid}
    if jku:
        header["jku"] = jku
    head = b64(json.dumps(header).encode())
    body = b64(json.dumps({"iss": iss, "aud": aud, "exp": now + exp_in, "iat": now,
                           "jti": jti or str(uuid.uuid4())}).encode())
    sig = subprocess.run(["openssl", "dgst", "-sha384", "-sign", KEY], input=(head + "." + body).encode(),
                         capture_output=True).stdout
    return head + "." + body + "." + b64(der_to_raw(sig))


def hook(service, body, token=None, path_suffix=""):
    aud = "https://ldn.test/cds-services/" + service + path_suffix
    t = token if token is not None else jwt(aud)
    return jcall("POST", "/cds-services/" + service + path_suffix + "?as_of=2026-11-25", body, role=None,
                 headers={"Authorization": "Bearer " + t} if t else {})


s, h, d = jcall("GET", "/cds-services", role=None)
ok(s == 200 and sorted(x["id"] for x in d["services"]) == ["ldn-order-select", "ldn-order-sign", "ldn-patient-view"],
   "GET /cds-services lists the three services", d)
reqdir = os.path.join(src, "tests/data/cds-hooks/requests")
service_of = {"patient-view": "ldn-patient-view", "order-select": "ldn-order-select", "order-sign": "ldn-order-sign"}
answered = {}
for name in sorted(os.listdir(reqdir)):
    if "__" not in name:
        continue
    svc = service_of[name.split("__")[1][:-5]]
    s, h, d = hook(svc, read("tests/data/cds-hooks/requests/" + name))
    answered[name] = d
    ok(s == 200 and isinstance(d.get("cards"), list) and all(
        c["indicator"] in ("info", "warning", "critical") and len(c["summary"]) < 140 and c["source"]["label"]
        for c in d["cards"]), "%s: 200 with spec-shaped cards" % name, (s, d))
ind = lambda d: [c["indicator"] for c in d["cards"]]
ok("critical" in ind(answered["Eliseo_Cummings__patient-view.json"]),
   "Eliseo (hydrocodone on file): patient-view is critical")
ok("critical" not in ind(answered["Suzi_Bechtelar__patient-view.json"]) and
   "critical" not in ind(answered["Jacki_Feil__patient-view.json"]),
   "Suzi and Jacki: patient-view is not critical")
pv = read("tests/data/cds-hooks/requests/Suzi_Bechtelar__patient-view.json")
ok(is_error(*hook("ldn-patient-view", pv, token=""), 401, "Authorization"), "a hook call without a JWT is 401")
ok(hook("ldn-patient-view", pv, token=jwt("https://ldn.test/cds-services/ldn-order-sign"))[0] == 401,
   "a JWT for another service (aud) is 401")
ok(hook("ldn-patient-view", pv, token=jwt("https://ldn.test/cds-services/ldn-patient-view", exp_in=-600))[0] == 401,
   "an expired JWT is 401")
ok(hook("ldn-patient-view", pv, token=jwt("https://ldn.test/cds-services/ldn-patient-view", iss="https://evil.test"))[0] == 401,
   "a JWT from an issuer not trusted is 401")
once = jwt("https://ldn.test/cds-services/ldn-patient-view", jti="once-" + str(uuid.uuid4()))
first, second = hook("ldn-patient-view", pv, token=once)[0], hook("ldn-patient-view", pv, token=once)[0]
ok(first == 200 and second == 401, "a replayed jti is 401 the second time", (first, second))
aud_pv = "https://ldn.test/cds-services/ldn-patient-view"
s = hook("ldn-patient-view", pv, token=jwt(aud_pv, iss="https://ehr.test", jku=fake_base + "/keys/jwks.json"))[0]
ok(s == 200 and jwks_gets == ["/keys/jwks.json"],
   "an issuer known by its jku: the key set is fetched once from the allowed URL and the token verifies", (s, jwks_gets))
s, h, d = hook("ldn-patient-view", pv, token=jwt(aud_pv, iss="https://ehr.test", jku=fake_base + "/other/jwks.json"))
ok(s == 401 and d["error"]["where"] == "jku" and jwks_gets == ["/keys/jwks.json"],
   "a token naming a jku not allowed for its issuer is 401 and nothing is fetched", (s, d, jwks_gets))
# A kid the set lacks would make the verifier ask the jku again before any
# signature is checked; within 30 s it is refused without asking.
unknown = [hook("ldn-patient-view", pv, token=jwt(aud_pv, iss="https://ehr.test", jku=fake_base + "/keys/jwks.json",
                                                  kid="rotated-" + str(i))) for i in range(3)]
ok(all(u[0] == 401 and u[2]["error"]["where"] == "jku" and "asked again in" in u[2]["error"]["message"]
       for u in unknown) and jwks_gets == ["/keys/jwks.json"],
   "three tokens with a kid the jku's set lacks: 401 at jku, and the set is not asked for again within 30 s",
   ([(u[0], u[2]) for u in unknown], jwks_gets))
s = hook("ldn-patient-view", pv, token=jwt(aud_pv, iss="https://ehr.test", jku=fake_base + "/keys/jwks.json"))[0]
ok(s == 200 and jwks_gets == ["/keys/jwks.json"], "the set's own kid still verifies meanwhile", (s, jwks_gets))
s = hook("ldn-order-select", read("tests/data/cds-hooks/requests/Suzi_Bechtelar__order-select.json"),
         token=jwt("https://ldn.test/cds-services/ldn-order-select", iss="https://ehr.test",
                   jku=fake_base + "/keys/jwks.json"))[0]
ok(s == 200 and jwks_gets == ["/keys/jwks.json"] * 2,
   "another service asks the jku once for itself, within the 30 s of the first", (s, jwks_gets))
spec_token = open(os.path.join(src, "tests/data/cds-hooks/spec-example/token.txt")).read().strip()
ok(hook("ldn-patient-view", pv, token=spec_token)[0] == 401, "the specification's expired example JWT is 401")
ok(is_error(*hook("ldn-nothing", pv), 404, "service"), "an unknown service is 404")
ok(hook("ldn-patient-view", b"{not json")[0] == 400, "a body that is not JSON is 400")
ok(hook("ldn-patient-view", {"hook": "order-sign", "hookInstance": "x", "context": {}})[0] == 400,
   "a hook that does not match the service is 400")

req = json.loads(pv)
fake_data.update(req["prefetch"])
bare = dict(req)
bare.pop("prefetch")
bare["fhirServer"] = fake_base + "/fhir"
bare["fhirAuthorization"] = {"access_token": "ehr-token", "token_type": "Bearer", "expires_in": 300,
                             "scope": "patient/*.read", "subject": "ldn"}
s, h, d = hook("ldn-patient-view", bare)
with_prefetch = answered["Suzi_Bechtelar__patient-view.json"]
ok(s == 200 and ind(d) == ind(with_prefetch) and served_paths and
   all(a == "Bearer ehr-token" for _, a in served_paths),
   "without prefetch it fetches from fhirServer with the EHR's token, and says the same (%d fetches)" % len(served_paths),
   (s, d, served_paths[:3]))
for desc, server in [("another path on the same host", fake_base + "/internal-admin"),
                     ("a longer path that starts alike", fake_base + "/fhirx"),
                     ("another host", "http://127.0.0.2:9/fhir")]:
    before = len(served_paths)
    other = dict(bare)
    other["fhirServer"] = server
    s, h, d = hook("ldn-patient-view", other)
    ok(s == 412 and d["error"]["where"] == "fhirServer" and len(served_paths) == before,
       "a fhirServer not allowed for the issuer (%s) is 412 and nothing is fetched" % desc, (s, d))
fake.shutdown()
nofhir = dict(bare)
nofhir.pop("fhirServer")
nofhir.pop("fhirAuthorization")
s, h, d = hook("ldn-patient-view", nofhir)
ok(s == 412 and d["error"]["where"] == "missing-prefetch", "without prefetch or fhirServer it is 412, naming what is missing", (s, d))

card = with_prefetch["cards"][0]["uuid"]
fb = {"feedback": [{"card": card, "outcome": "overridden", "outcomeTimestamp": "2026-11-25T10:00:00Z",
                    "overrideReason": {"reason": {"code": "patient-aware", "display": "Patient is aware"}}}]}
s, h, d = hook("ldn-patient-view", fb, path_suffix="/feedback")
ok(s == 200 and d == {"stored": 1}, "feedback on a card is stored", (s, d))
bad_fb = {"feedback": [{"card": card, "outcome": "ignored", "outcomeTimestamp": "2026-11-25T10:00:00Z"}]}
s, h, d = hook("ldn-patient-view", bad_fb, path_suffix="/feedback")
ok(is_error(s, h, d, 400, "/feedback/0/outcome"), "feedback with an unknown outcome is 400 naming it", (s, d))

# --- metrics, and no patient in the access log
s, h, body = call("GET", "/metrics")
text = body.decode()
ok(s == 200 and 'ldn_http_requests_total{route="POST /api/v1/plan",code="200"}' in text and
   "ldn_plans_total{decision=" in text and "ldn_http_request_duration_seconds_bucket" in text,
   "GET /metrics is Prometheus text with requests, latencies and plans")

srv.send_signal(signal.SIGTERM)
try:
    out, err = srv.communicate(timeout=20)
except subprocess.TimeoutExpired:
    srv.kill()
    out, err = srv.communicate()
ok(srv.returncode == 0 and "stopped (signal 15)" in out, "SIGTERM stops the server cleanly (exit 0)", (srv.returncode, out))
ok("p-9" not in err and "/patients/p-" not in err and "GET /api/v1/patients/{id}/next 200" in err and
   "Suzi" not in err and "POST /cds-services/{id} 200" in err,
   "the access log names routes, never a patient", err[-300:])
# --- the editorial workflow: a server on a copy of kb/ with the fictional
# reviewers of tests/data/reviewers.yaml, its own store and policy file
import shutil
import sqlite3
import time
rkb = os.path.join(tmp, "rkb")
shutil.copytree(os.path.join(src, "kb"), rkb)
shutil.copy(os.path.join(src, "tests/data/reviewers.yaml"), os.path.join(rkb, "reviewers.yaml"))
rdocs = os.path.join(tmp, "rdocs")
os.mkdir(rdocs)
policy_text = "# Editorial policy (a copy for tests)\n\nEvery statement is reviewed \u2014 twice.\n"
with open(os.path.join(rdocs, "editorial-policy.md"), "w", encoding="utf-8") as f:
    f.write(policy_text)
rdb = "sqlite:" + os.path.join(tmp, "review.db")
rtok = {}
for who, role in [("test-author", "reviewer"), ("test-reviewer-a", "reviewer"), ("test-reviewer-b", "reviewer"),
                  ("test-editor", "reviewer"), ("stranger", "reviewer"), ("doc", "clinician"), ("ph", "pharmacist"),
                  ("boss", "admin")]:
    rtok[who] = subprocess.run([ldn, "token", "add", who, "--role", role, "--db", rdb],
                               capture_output=True, text=True).stdout.strip()
rsrv = subprocess.Popen([ldn, "serve", "--port", "0", "--db", rdb, "--kb", rkb, "--docs", rdocs, "--as-of", "2026-11-25",
                         "--threads", "2", "--max-body", str(1 << 20)],
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
import atexit
atexit.register(lambda: rsrv.poll() is None and rsrv.kill())  # not left running if a check raises
line = rsrv.stdout.readline()
ok("listening on http://127.0.0.1:" in line, "a server on a knowledge base with reviewers starts", line)
port = int(line.split("127.0.0.1:")[1].split("/")[0])


def rj(method, path, body=None, who="test-reviewer-a"):
    return jcall(method, path, body, role=None, headers={"Authorization": "Bearer " + rtok[who]} if who else {})


def act(item, action, version, why="checked against the cited sources", who="test-reviewer-a", extra=None):
    body = {"action": action, "why": why}
    if version is not None:
        body["version"] = version
    body.update(extra or {})
    return rj("POST", "/api/v1/review/" + item, body, who)


s, h, q = rj("GET", "/api/v1/review")
ok(s == 200 and q["log_seq"] == 0 and sum(q["counts"].values()) == len(q["items"]) >= 100 and
   q["counts"]["draft"] == len(q["items"]) and sorted(r["id"] for r in q["reviewers"]) ==
   ["test-author", "test-editor", "test-reviewer-a", "test-reviewer-b"] and
   {i["kind"] for i in q["items"]} == {"statement", "reference"},
   "GET /api/v1/review: every statement and reference a draft, with counts and the four reviewers", (s, q and q.get("counts")))
s, h, d = rj("GET", "/api/v1/review?state=draft")
s2, h2, d2 = rj("GET", "/api/v1/review?state=approved")
ok(s == 200 and len(d["items"]) == len(q["items"]) and s2 == 200 and d2["items"] == [],
   "?state= keeps the items in that state", (s, s2))
ok(is_error(*rj("GET", "/api/v1/review?state=done"), 400, "state"), "an unknown state is 400 naming state")
ok(q["you"] == {"name": "test-reviewer-a", "role": "reviewer", "reviewer_role": "reviewer"},
   "the queue says who is asking and their role on the board", q.get("you"))
for who in ("doc", "ph", "boss"):
    s, h, d = rj("GET", "/api/v1/review", who=who)
    ok(s == 200 and d["you"]["reviewer_role"] is None and d["items"] == q["items"],
       "a %s token may read the queue, as one who may not act" % who, (s, d and d.get("you")))
s, h, d = rj("GET", "/api/v1/review", who="stranger")
ok(is_error(s, h, d, 403, "Authorization") and "reviewers.yaml" in d["error"]["message"],
   "a reviewer token whose name is not in reviewers.yaml is 403, saying why", d)
ok(is_error(*rj("GET", "/api/v1/review", who=None), 401, "Authorization"), "the queue without a token is 401")

# a statement the example plan uses
ex = read("examples/fibromyalgia.json")


def plan_review(sid, audience="clinician"):
    s, h, p = rj("POST", "/api/v1/plan?as_of=2026-11-25&audience=" + audience, ex, who="doc")
    for sec in p.get("sections", []):
        for st in sec["statements"]:
            if st.get("id") == sid:
                return st.get("review"), st.get("review_since")
    return None, None


s, h, p = rj("POST", "/api/v1/plan?as_of=2026-11-25", ex, who="doc")
ok(s == 200 and p.get("editorial_policy") == "/docs/editorial-policy", "a plan links the editorial policy", p and p.get("editorial_policy"))
sid = p["sections"][0]["statements"][0]["id"]
item = "statement/" + sid
ok(plan_review(sid)[0] == "draft", "before any action the plan shows %s as a draft" % sid, plan_review(sid))
s, h, it = rj("GET", "/api/v1/review/" + item, who="doc")
ver = it["version"]
ok(s == 200 and it["state"] == "draft" and it["history"] == [] and it["diff"] is None and sid in it["content"] and
   len(ver) == 64, "GET /api/v1/review/statement/ID: content, version, no history, no diff yet", it)
ok(is_error(*rj("GET", "/api/v1/review/finding/" + sid), 404, "kind"), "an unknown kind is 404 naming kind")
ok(is_error(*rj("GET", "/api/v1/review/statement/no.such.statement"), 404, "item"), "an unknown item is 404 naming item")
ok(is_error(*act("statement/no.such.statement", "submit", ver, who="test-author"), 404, "item"),
   "acting on an unknown item is 404 naming item")

# who may act
s, h, d = act(item, "submit", ver, who="doc")
ok(is_error(s, h, d, 403, "Authorization"), "a clinician token may not act (403)", d)
ok(is_error(*act(item, "submit", ver, who="boss"), 403, "Authorization"), "an admin token may not act (403)")
s, h, d = act(item, "submit", ver, who="stranger")
ok(is_error(s, h, d, 403, "Authorization") and "stranger" in d["error"]["message"],
   "a reviewer token not named in reviewers.yaml may not act (403)", d)

# bad bodies
s, h, d = rj("POST", "/api/v1/review/" + item, b"{not json", who="test-author")
ok(is_error(s, h, d, 400, ""), "a body that is not JSON is 400", d)
ok(is_error(*rj("POST", "/api/v1/review/" + item, b"[1]", who="test-author"), 400, ""), "a body that is not an object is 400")
ok(is_error(*act(item, "submit", ver, who="test-author", extra={"state": "approved"}), 400, "/"),
   "an unknown member is 400")
ok(is_error(*act(item, "publish", ver, who="test-author"), 400, "/action"), "an unknown action is 400 naming /action")
ok(is_error(*rj("POST", "/api/v1/review/" + item, {"version": ver, "why": "x"}, who="test-author"), 400, "/action"),
   "a missing action is 400 naming /action")
s, h, d = act(item, "submit", None, who="test-author")
ok(is_error(s, h, d, 400, "/version"), "a missing version is 400 naming /version: the reviewer acts on what they read", d)
ok(is_error(*act(item, "submit", ver[:11], who="test-author"), 400, "/version"), "a version of 11 digits is 400")
ok(is_error(*act(item, "submit", ver.upper(), who="test-author"), 400, "/version"), "an upper-case version is 400")
ok(is_error(*rj("POST", "/api/v1/review/" + item, {"action": "submit", "version": ver}, who="test-author"), 400, "/why"),
   "a missing why is 400 naming /why")
ok(is_error(*act(item, "submit", ver, why="", who="test-author"), 400, "/why"), "an empty why is 400 naming /why")
ok(is_error(*act(item, "submit", ver, why="x" * 2001, who="test-author"), 400, "/why"), "a why over 2000 bytes is 400")
ok(is_error(*act(item, "submit", ver, why=7, who="test-author"), 400, "/why"), "a why that is not a string is 400")
s, h, d = act(item, "submit", "0" * 12, who="test-author")
ok(is_error(s, h, d, 409, "/version") and ver[:12] in d["error"]["message"],
   "a version that is not the current one is 409 naming /version and the current one", d)
sock = socket.create_connection(("127.0.0.1", port), timeout=10)
sock.sendall(b"POST /api/v1/review/%s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
             b"Content-Length: %d\r\n\r\n{\"why\": \"" % (item.encode(), rtok["test-author"].encode(), 2 << 20))
reply = b""
try:
    while not reply.rstrip().endswith(b"}"):
        chunk = sock.recv(65536)
        if not chunk:
            break
        reply += chunk
except OSError:
    pass
sock.close()
head, _, payload = reply.partition(b"\r\n\r\n")
ok(head.startswith(b"HTTP/1.1 413") and json.loads(payload or b"{}").get("error", {}).get("where") == "body",
   "a 2 MB action (over --max-body, 1 MiB) is 413 before it is read", reply[:200])
ok(rj("GET", "/api/v1/review?state=submitted")[2]["items"] == [], "no refused request changed a state")

# the workflow, end to end
s, h, d = act(item, "submit", ver[:12], why="drafted from the seed and its sources", who="test-author")
ok(s == 200 and d["state"] == "submitted" and d["history"][-1]["by"] == "test-author" and d["since"] == d["history"][-1]["at"][:10],
   "submit (a 12-digit version) answers the item, now submitted", d)
s, h, d = act(item, "review", ver, who="test-author")
ok(is_error(s, h, d, 422, "who") and "author" in d["error"]["message"], "an author may not start a review (422 naming who)", d)
s, h, d = act(item, "approve", ver)
ok(is_error(s, h, d, 422, "/action") and "submitted" in d["error"]["message"],
   "approve straight from submitted is 422 naming /action and the state", d)
s, h, d = act(item, "review", ver)
ok(s == 200 and d["state"] == "under-review", "review by another reviewer: under review", d)
ok(plan_review(sid)[0] == "under-review", "the plan shows under-review at once", plan_review(sid))
s, h, d = act(item, "approve", ver, why="matches its three sources")
ok(s == 200 and d["state"] == "approved" and [x["state"] for x in d["history"]] == ["submitted", "under-review", "approved"],
   "approve: approved, with the three actions in its history", d)
seen = [plan_review(sid) for _ in range(6)]
ok(all(r == ("approved", d["since"]) for r in seen),
   "every plan made after the approval, on either worker, shows it approved with its date", seen)
s, h, kbj = rj("GET", "/api/v1/kb", who="doc")
ok([x.get("review") for x in kbj["statements"] if x["id"] == sid] == ["approved"],
   "GET /api/v1/kb shows the new state too", [x for x in kbj["statements"] if x["id"] == sid][:1])
s, h, d = rj("GET", "/api/v1/review")
ok(d["counts"]["approved"] == 1 and d["log_seq"] == 3, "the queue counts one approved item after three actions", d["counts"])

# nobody approves their own submission
ref_item = "reference/" + q["items"][[i["kind"] for i in q["items"]].index("reference")]["id"]
rver = rj("GET", "/api/v1/review/" + ref_item)[2]["version"]
ok(act(ref_item, "submit", rver, who="test-reviewer-b")[0] == 200, "a reviewer may submit a reference")
s, h, d = act(ref_item, "review", rver, who="test-reviewer-b")
ok(is_error(s, h, d, 422, "who") and "own" in d["error"]["message"], "and may not review their own submission (422)", d)
ok(act(ref_item, "review", rver, who="test-reviewer-a")[0] == 200, "another reviewer starts the review")
s, h, d = act(ref_item, "approve", rver, who="test-reviewer-b")
ok(is_error(s, h, d, 422, "who") and "own" in d["error"]["message"], "self-approval is refused (422 naming who)", d)
s, h, d = act(ref_item, "request-changes", rver, why="the page numbers are missing")
ok(s == 200 and d["state"] == "changes-requested", "request-changes: changes requested", d)
ok(act(ref_item, "submit", rver, who="test-reviewer-b")[2]["state"] == "submitted", "and it can be submitted again")

# retiring is final
s, h, d = act(item, "retire", ver, why="superseded")
ok(is_error(s, h, d, 422, "who") and "editor" in d["error"]["message"], "only an editor may retire (422 naming who)", d)
s, h, d = act(item, "retire", ver, why="superseded", who="test-editor")
ok(s == 200 and d["state"] == "retired", "an editor retires it", d)
s, h, d = act(item, "approve", ver)
ok(is_error(s, h, d, 422, "/action") and "retired" in d["error"]["message"], "approving a retired item is refused (422)", d)
ok(is_error(*act(item, "submit", ver, who="test-author"), 422, "/action"), "and so is submitting it again")

# a change made by another process (the CLI, on the same store) is seen within the refresh window
q2 = rj("GET", "/api/v1/review?state=draft")[2]["items"]
other, third, fourth = q2[0], q2[1], q2[2]


def cli_act(it, action="submit", who="test-author"):
    return subprocess.run([ldn, "kb", action, it["kind"] + "/" + it["id"], "--as", who, "--why", "from the CLI",
                           "--kb", rkb, "--db", rdb], capture_output=True, text=True)


t0 = time.time()
cli = cli_act(other)
waited = None
while cli.returncode == 0 and time.time() - t0 < 6:
    if rj("GET", "/api/v1/review/" + other["kind"] + "/" + other["id"])[2]["state"] == "submitted":
        waited = time.time() - t0
        break
    time.sleep(0.1)
ok(waited is not None and waited < 3, "an action by the CLI on the same store is seen within the 2 s refresh (%s s)" %
   (waited if waited is None else "%.2f" % waited), cli.stderr)
# the log moves on behind the server's back: an action through the API is decided on the log as it is now
cli = cli_act(fourth)
s, h, d = act(third["kind"] + "/" + third["id"], "submit", third["version"], who="test-author")
ok(cli.returncode == 0 and s == 200 and d["state"] == "submitted",
   "an API action right after a CLI action is decided on the current log, not refused", (cli.stderr, s, d))

# the editorial policy, open to anyone
s, h, body = call("GET", "/docs/editorial-policy", role=None)
ok(s == 200 and h.get("content-type") == "text/plain; charset=utf-8" and body.decode("utf-8") == policy_text,
   "GET /docs/editorial-policy is the file, as UTF-8 text, without a token", (s, h.get("content-type")))
ok(call("POST", "/docs/editorial-policy", b"x", role=None)[0] == 405, "and only to GET")

rsrv.send_signal(signal.SIGTERM)
try:
    out, err = rsrv.communicate(timeout=20)
except subprocess.TimeoutExpired:
    rsrv.kill()
    out, err = rsrv.communicate()
ok(rsrv.returncode == 0 and "Sanitizer" not in err and "runtime error" not in err,
   "the review server stops cleanly", (rsrv.returncode, err[-600:]))
audit = subprocess.run([ldn, "audit", "verify", "--db", rdb], capture_output=True, text=True)
con = sqlite3.connect(os.path.join(tmp, "review.db"))
rows = con.execute("SELECT actor, record FROM audit WHERE action = 'kb.review' ORDER BY seq").fetchall()
logged = con.execute("SELECT actor, state FROM kb_review ORDER BY seq").fetchall()
con.close()
ok(audit.returncode == 0 and len(rows) == len(logged) == 11 and [r[0] for r in rows] == [l[0] for l in logged] and rows[0] == ("test-author", "kb_review/1") and
   logged[2] == ("test-reviewer-a", "approved"),
   "every action is a review log row with its audit row (who, which row), and the chain verifies",
   (audit.stderr, rows[:3], logged))
# --- two servers on one PostgreSQL store: an action through one is seen
# by the other within the 2 s refresh (LDN_TEST_PG: a server the test may
# make a database on; scripts/test.sh starts one)
pg = os.environ.get("LDN_TEST_PG")
if not pg:
    n += 1
    print("ok %d - two servers on one PostgreSQL store # SKIP LDN_TEST_PG is not set" % n)
else:
    pgdb = "ldn_server_%d" % os.getpid()
    made = subprocess.run(["psql", pg, "-q", "-c", "CREATE DATABASE " + pgdb], capture_output=True, text=True)
    purl = pg.rsplit("/", 1)[0] + "/" + pgdb
    ptok = {}
    for who in ("test-author", "test-reviewer-a"):
        ptok[who] = subprocess.run([ldn, "token", "add", who, "--role", "reviewer", "--db", purl],
                                   capture_output=True, text=True).stdout.strip()
    pair = [subprocess.Popen([ldn, "serve", "--port", "0", "--db", purl, "--kb", rkb, "--as-of", "2026-11-25",
                              "--threads", "2", "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    atexit.register(lambda: [p_.kill() for p_ in pair if p_.poll() is None])
    ports = []
    for p_ in pair:
        l_ = p_.stdout.readline()
        ports.append(int(l_.split("127.0.0.1:")[1].split("/")[0]) if "127.0.0.1:" in l_ else 0)
    ok(made.returncode == 0 and all(ports) and all(len(t) == 64 for t in ptok.values()),
       "two servers start on one PostgreSQL store", (made.stderr, ports))
    if all(ports):
        def pj(i, method, path, body=None, who="test-reviewer-a"):
            global port
            port = ports[i]
            return jcall(method, path, body, role=None, headers={"Authorization": "Bearer " + ptok[who]})
        pitem = "statement/" + sid
        pver = pj(0, "GET", "/api/v1/review/" + pitem)[2]["version"]
        states = [pj(0, "POST", "/api/v1/review/" + pitem, {"action": a_, "version": pver, "why": "on PostgreSQL"}, who=w_)[0]
                  for a_, w_ in (("submit", "test-author"), ("review", "test-reviewer-a"), ("approve", "test-reviewer-a"))]
        t0 = time.time()
        waited = None
        while time.time() - t0 < 6:
            if pj(1, "GET", "/api/v1/review/" + pitem)[2]["state"] == "approved":
                waited = time.time() - t0
                break
            time.sleep(0.1)
        ok(states == [200, 200, 200] and waited is not None and waited < 3,
           "an approval through one server is seen by the other within the 2 s refresh (%s s)" %
           (waited if waited is None else "%.2f" % waited), states)
        s, h, d = pj(1, "POST", "/api/v1/review/" + pitem, {"action": "review", "version": pver, "why": "again"})
        ok(is_error(s, h, d, 422, "/action") and "approved" in d["error"]["message"],
           "and the other server decides on the same log (reviewing an approved item is refused there)", d)
    for p_ in pair:
        p_.send_signal(signal.SIGTERM)
        try:
            p_.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            p_.kill()
            p_.communicate()
    ok(all(p_.returncode == 0 for p_ in pair), "both stop cleanly", [p_.returncode for p_ in pair])
    subprocess.run(["psql", pg, "-q", "-c", "DROP DATABASE IF EXISTS " + pgdb], capture_output=True)

# --- a missing web directory: a warning, and the API without the page
nw = subprocess.Popen([ldn, "serve", "--port", "0", "--db", db, "--web", os.path.join(tmp, "no-such-web"),
                       "--docs", os.path.join(tmp, "no-such-docs")],
                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
line = nw.stdout.readline()
ok("listening on http://127.0.0.1:" in line, "a server without its web directory still serves the API", line)
if "listening on http://127.0.0.1:" in line:
    port = int(line.split("127.0.0.1:")[1].split("/")[0])
    s, h, d = jcall("GET", "/")
    s2, h2, d2 = jcall("GET", "/web/app.js")
    s3, h3, d3 = jcall("GET", "/healthz")
    ok(is_error(s, h, d, 503, "web") and is_error(s2, h2, d2, 503, "web") and s3 == 200,
       "without the page GET / and /web/app.js are 503 naming web, and the API answers", (s, d, s2, s3))
    ok(is_error(*jcall("GET", "/docs/editorial-policy", role=None), 503, "docs"),
       "without the editorial policy GET /docs/editorial-policy is 503 naming docs")
nw.send_signal(signal.SIGTERM)
try:
    out, err = nw.communicate(timeout=20)
except subprocess.TimeoutExpired:
    nw.kill()
    out, err = nw.communicate()
ok(nw.returncode == 0 and "warning: the web page is not served" in err and "no-such-web" in err and
   "warning: the editorial policy is not served" in err and "no-such-docs" in err,
   "it warns on stderr naming the directory, and stops cleanly", (nw.returncode, err[:300]))
# --- HTTPS with a certificate made here
import ssl
cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
made = subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                       "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1",
                       "-addext", "subjectAltName=IP:127.0.0.1"], capture_output=True, text=True)
tls = subprocess.Popen([ldn, "serve", "--port", "0", "--db", db, "--tls-cert", cert, "--tls-key", key, "--quiet"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
line = tls.stdout.readline()
ok(made.returncode == 0 and "listening on https://127.0.0.1:" in line, "with --tls-cert and --tls-key it serves HTTPS", line + made.stderr)
tport = int(line.split("127.0.0.1:")[1].split("/")[0]) if "127.0.0.1:" in line else 0
try:
    ctx = ssl.create_default_context(cafile=cert)
    c = http.client.HTTPSConnection("127.0.0.1", tport, timeout=10, context=ctx)
    c.request("GET", "/api/v1/kb", headers={"Authorization": "Bearer " + tokens["reviewer"]})
    r = c.getresponse()
    tls_ok = r.status == 200 and json.loads(r.read())["version"]
    c.close()
except Exception as e:
    tls_ok = False
    print("# " + repr(e))
ok(tls_ok, "a client that trusts the certificate gets the knowledge base over TLS")
try:
    c = http.client.HTTPSConnection("127.0.0.1", tport, timeout=10, context=ctx)
    c.request("POST", "/api/v1/patients?as_of=2020-01-01", body=json.dumps(dict(p9, id="p-old")),
              headers={"Authorization": "Bearer " + tokens["clinician"]})
    r = c.getresponse()
    backdated = (r.status, json.loads(r.read())["error"]["where"])
    c.close()
except Exception as e:
    backdated = repr(e)
ok(backdated == (400, "as_of"), "a server without --as-of refuses to store a backdated plan", backdated)
try:
    c = http.client.HTTPConnection("127.0.0.1", tport, timeout=5)
    c.request("GET", "/healthz")
    plain = c.getresponse().status
except Exception:
    plain = None
ok(plain != 200, "plain HTTP to the TLS port gets no answer", plain)
tls.send_signal(signal.SIGTERM)
tls.communicate(timeout=20)
ok(tls.returncode == 0, "and it stops cleanly")
code = subprocess.run([ldn, "serve", "--tls-cert", cert], capture_output=True).returncode
ok(code == 64, "--tls-cert without --tls-key is a usage error", code)
code = subprocess.run([ldn, "serve", "--cds-issuer", "x=y"], capture_output=True).returncode
ok(code == 64, "--cds-issuer without --cds-url is a usage error (the audience would be a bare path)", code)

store = subprocess.run([ldn, "audit", "verify", "--db", db], capture_output=True, text=True)
ok(store.returncode == 0, "the store the server wrote passes audit verify", store.stderr)
import sqlite3
con = sqlite3.connect(os.path.join(tmp, "server.db"))
actors = dict(con.execute("SELECT action, group_concat(DISTINCT actor) FROM audit GROUP BY action").fetchall())
hashes = [r[0] for r in con.execute("SELECT token_hash FROM api_tokens")]
con.close()
ok(actors.get("visit.add") == "alice" and actors.get("course.read") == "alice" and actors.get("token.add"),
   "the audit log names the token's holder for each write and read", actors)
ok(all(t not in hashes for t in tokens.values()) and len(hashes) == 4, "the store keeps hashes, not tokens")
ok(actors.get("feedback.add") == "https://sandbox.cds-hooks.org", "CDS feedback is audited under the token's issuer", actors)

print("1..%d" % n)
sys.exit(1 if failed else 0)
