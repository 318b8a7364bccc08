#!/usr/bin/env python3
"""Validate `ldn plan --format html|ics` for every golden patient, both
audiences, as TAP.

usage: formats.py LDN_EXE SOURCE_ROOT [KB_DIR]

ICS (RFC 5545): CRLF line ends only; physical lines at most 75 octets, each
valid UTF-8 on its own (no sequence split by a fold); continuation lines
start with one space; VCALENDAR with VERSION:2.0 and one PRODID; each
VEVENT with one UID (unique), DTSTAMP (the plan's as-of date), DTSTART and
DTEND as dates, DTEND after DTSTART; TEXT values with only the escapes the
RFC allows and no bare ';' or ','; the dose events in the order and on the
dates of the plan's schedule (from --format json), their descriptions the
schedule's words; the monitoring events on the dates the plan's monitoring
holds; a do-not-start plan with no dose event and one event on the as-of
date.  No two different calendars of the golden plans share a UID, nor do
a plan changed for the same patient and day (sensitive, another preset)
or two patients without an id; the calendar is named for the plan's date.

HTML: a strict parse with html.parser (every element closed in order, no
stray end tag, void elements never closed, ids unique); no script, no
event-handler attribute, no src, no external resource in CSS; every href is
either an anchor that resolves or a doi.org or PubMed link; every reference
with a DOI or PMID in the JSON plan links it; every citation resolves to
the reference list; the decision comes first, the schedule table holds the
plan's dates and doses; the decision line's start, step, interval and
ceiling, and the numbers table (values, what set them), are the JSON
plan's, whatever the preset (a golden case's PRESET is passed on); the
count of the plan's statements by review state and the last-updated date
shown; the editorial policy linked; a patient's page with no statement
that is not approved, and the line saying some information waits for
review when any was left out; a clinician's page with a "PENDING REVIEW"
mark on each statement not approved and each of them listed as left out
of the patient's version; @media print in the CSS.  Hostile ids (markup, quotes, ampersands,
ICS separators, long UTF-8) come out escaped.  The same input gives the
same bytes.
"""
import concurrent.futures
import html.parser
import json
import os
import re
import subprocess
import sys
import tempfile
import urllib.parse

N = 0
FAILED = 0


def ok(cond, desc, why=""):
    global N, FAILED
    N += 1
    if cond:
        print(f"ok {N} - {desc}")
    else:
        FAILED += 1
        print(f"not ok {N} - {desc}")
        for line in str(why).splitlines()[:20]:
            print(f"# {line}")
    return cond


KB = None


def run(ldn, src, args, path):
    env = dict(os.environ, LDN_KB=KB or os.path.join(src, "kb"))
    p = subprocess.run([ldn, "plan", *args, path], capture_output=True, env=env)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


# ---------------------------------------------------------------- ICS

TEXT_PROPS = {"SUMMARY", "DESCRIPTION", "X-WR-CALNAME"}
DOSE_KINDS = {"start", "increase", "hold", "restart"}


def ics_unescape(v):
    """TEXT value to text; None if it holds an escape RFC 5545 does not
    allow or an unescaped ';' or ','."""
    out, i = [], 0
    while i < len(v):
        c = v[i]
        if c == "\\":
            if i + 1 >= len(v) or v[i + 1] not in "\\;,nN":
                return None
            out.append("\n" if v[i + 1] in "nN" else v[i + 1])
            i += 2
            continue
        if c in ";,":
            return None
        out.append(c)
        i += 1
    return "".join(out)


def ics_problems(data):
    """Physical-line rules; returns (problems, unfolded logical lines)."""
    probs = []
    if b"\r\n" not in data or not data.endswith(b"\r\n"):
        probs.append("does not end lines in CRLF")
    phys = data.split(b"\r\n")
    if phys[-1] != b"":
        probs.append("last line has no CRLF")
    phys = phys[:-1]
    logical = []
    for n, line in enumerate(phys, 1):
        if b"\r" in line or b"\n" in line:
            probs.append(f"line {n}: bare CR or LF")
        if len(line) > 75:
            probs.append(f"line {n}: {len(line)} octets")
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            probs.append(f"line {n}: a fold splits a UTF-8 sequence")
        if line.startswith(b" ") or line.startswith(b"\t"):
            if not logical:
                probs.append(f"line {n}: continuation first")
                continue
            logical[-1] += line[1:]
        else:
            logical.append(line)
    try:
        return probs, [l.decode("utf-8") for l in logical]
    except UnicodeDecodeError:
        return probs + ["not UTF-8 once unfolded"], []


def parse_props(lines):
    """Content lines into (name, params, value); name upper-cased."""
    out = []
    for l in lines:
        m = re.match(r"^([A-Za-z0-9-]+)((?:;[^:]*)?):(.*)$", l)
        if not m:
            out.append((None, "", l))
            continue
        out.append((m.group(1).upper(), m.group(2), m.group(3)))
    return out


def check_ics(name, data, plan, as_of, aud):
    probs, lines = ics_problems(data)
    props = parse_props(lines)
    if any(p[0] is None for p in props):
        probs.append("a line that is not NAME[;PARAMS]:VALUE")
    names = [p[0] for p in props]
    if names[:1] != ["BEGIN"] or props[0][2] != "VCALENDAR":
        probs.append("does not begin with BEGIN:VCALENDAR")
    if names[-1:] != ["END"] or props[-1][2] != "VCALENDAR":
        probs.append("does not end with END:VCALENDAR")
    stamp = as_of.replace("-", "") + "T000000Z"
    events, cur, top = [], None, {}
    depth = 0
    for (n, params, v) in props:
        if n == "BEGIN":
            depth += 1
            if v == "VEVENT":
                if cur is not None:
                    probs.append("nested VEVENT")
                cur = {}
            elif v != "VCALENDAR":
                probs.append(f"unexpected component {v}")
            continue
        if n == "END":
            depth -= 1
            if v == "VEVENT":
                events.append(cur)
                cur = None
            continue
        target = cur if cur is not None else top
        target.setdefault(n, []).append((params, v))
        if n in TEXT_PROPS and ics_unescape(v) is None:
            probs.append(f"{n}: bad TEXT escaping: {v[:60]}")
    if depth != 0:
        probs.append("BEGIN and END do not balance")
    if top.get("VERSION") != [("", "2.0")]:
        probs.append("VERSION:2.0 missing or repeated")
    if len(top.get("PRODID", [])) != 1:
        probs.append("PRODID missing or repeated")
    if not events:
        probs.append("no VEVENT (a calendar needs a component)")
    uids = []
    for i, ev in enumerate(events):
        for req in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY"):
            if len(ev.get(req, [])) != 1:
                probs.append(f"event {i}: {req} missing or repeated")
        if any(len(ev.get(k, [])) != 1 for k in ("UID", "DTSTAMP", "DTSTART", "DTEND")):
            continue
        uids.append(ev["UID"][0][1])
        if ev["DTSTAMP"][0][1] != stamp:
            probs.append(f"event {i}: DTSTAMP {ev['DTSTAMP'][0][1]} is not {stamp}")
        for k in ("DTSTART", "DTEND"):
            p, v = ev[k][0]
            if p != ";VALUE=DATE" or not re.fullmatch(r"\d{8}", v):
                probs.append(f"event {i}: {k} is not an all-day date: {p}:{v}")
        if ev["DTEND"][0][1] <= ev["DTSTART"][0][1]:
            probs.append(f"event {i}: DTEND not after DTSTART")
    if len(set(uids)) != len(uids):
        probs.append("UIDs repeat")

    def kind(ev):
        c = ev.get("CATEGORIES", [("", "")])[0][1].split(",")
        return c[1] if len(c) == 2 and c[0] == "LDN" else None

    def date(ev):
        v = ev.get("DTSTART", [("", "")])[0][1]
        return f"{v[:4]}-{v[4:6]}-{v[6:8]}"

    def desc(ev):
        return ics_unescape(ev.get("DESCRIPTION", [("", "")])[0][1]) or ""

    if any(kind(ev) is None for ev in events):
        probs.append("an event without CATEGORIES:LDN,KIND")
    dose = [(date(ev), kind(ev)) for ev in events if kind(ev) in DOSE_KINDS]
    want = [(s["date"], s["kind"]) for s in plan["schedule"]]
    if dose != want:
        probs.append(f"dose events {dose} are not the schedule {want}")
    texts = [desc(ev) for ev in events if kind(ev) in DOSE_KINDS]
    for t, s in zip(texts, plan["schedule"]):
        if not t.startswith(s["text"]):
            probs.append(f"event text {t[:60]!r} is not the schedule's {s['text'][:60]!r}")
    mon = [date(ev) for ev in events if kind(ev) == "monitor"]
    want_mon = [m["date"] for m in plan["monitoring"] if "date" in m]
    if mon != want_mon:
        probs.append(f"monitoring events {mon} are not the plan's dated items {want_mon}")
    dec = [ev for ev in events if kind(ev) == "decision"]
    if plan["decision"] == "do-not-start":
        if dose:
            probs.append("a do-not-start plan has dose events")
        if len(dec) != 1 or date(dec[0]) != as_of:
            probs.append("a do-not-start plan needs one decision event on the as-of date")
    elif dec:
        probs.append("a decision event in a plan that starts")
    return probs, events, top


# ---------------------------------------------------------------- HTML

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
        "meta", "source", "track", "wbr"}
EXTERNAL_OK = re.compile(
    r"^(https://doi\.org/[^\s\"<>]+|https://pubmed\.ncbi\.nlm\.nih\.gov/\d+/)$")
# the editorial policy, which every plan links (served by `ldn serve`)
POLICY = "/docs/editorial-policy"


class Strict(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.probs, self.ids = [], [], []
        self.hrefs, self.tags, self.text = [], [], []
        self.style, self.in_style = [], False
        self.doctype = None
        self.cur_sup = None
        self.cites = []
        self.sections = []
        self.rows = []
        self.row = None
        self.numbers = []      # the rows of the numbers table
        self.decision = []     # the paragraphs of the decision
        self.cell = None
        self.in_title = False
        self.title = ""

    def handle_decl(self, decl):
        self.doctype = decl

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        a = dict(attrs)
        if len(a) != len(attrs):
            self.probs.append(f"<{tag}> repeats an attribute")
        for k, v in attrs:
            if k.startswith("on"):
                self.probs.append(f"<{tag}> has event handler {k}")
            if k == "src":
                self.probs.append(f"<{tag}> has src={v}")
            if k == "style":
                self.probs.append(f"<{tag}> has a style attribute")
            if k == "id":
                self.ids.append(v)
            if k == "href":
                self.hrefs.append(v)
                if self.cur_sup is not None:
                    self.cur_sup.append(v)
        if tag in ("script", "iframe", "object", "embed", "img", "link",
                   "base", "form", "frame"):
            self.probs.append(f"<{tag}> not allowed")
        if tag == "style":
            self.in_style = True
        if tag == "title":
            self.in_title = True
        if tag == "sup" and "cite" in a.get("class", "").split():
            self.cur_sup = []
        if tag == "section" and len(self.stack) == 3:
            self.sections.append(a.get("id"))
        if tag == "tr" and self.sections[-1:] in (["schedule"], ["numbers"]):
            self.row = []
        if tag == "p" and self.sections[-1:] == ["decision"]:
            self.decision.append("")
        if tag == "td":
            self.cell = ""
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.probs.append(f"<{tag}/> self-closing syntax")
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in VOID:
            self.probs.append(f"</{tag}> closes a void element")
            return
        if not self.stack or self.stack[-1] != tag:
            self.probs.append(f"</{tag}> but open is {self.stack[-1:]} (line {self.getpos()[0]})")
            return
        self.stack.pop()
        if tag == "style":
            self.in_style = False
        if tag == "title":
            self.in_title = False
        if tag == "sup" and self.cur_sup is not None:
            self.cites.append(self.cur_sup)
            self.cur_sup = None
        if tag == "td" and self.row is not None:
            self.row.append(self.cell)
            self.cell = None
        if tag == "tr" and self.row is not None:
            (self.rows if self.sections[-1] == "schedule" else self.numbers).append(self.row)
            self.row = None

    def handle_data(self, data):
        if self.in_style:
            self.style.append(data)
        else:
            self.text.append(data)
        if self.in_title:
            self.title += data
        if self.cell is not None:
            self.cell += data
        if self.sections[-1:] == ["decision"] and self.decision and "p" in self.stack:
            self.decision[-1] += data


def check_html(name, data, plan, aud):
    probs = []
    try:
        s = data.decode("utf-8")
    except UnicodeDecodeError:
        return ["not UTF-8"], None
    p = Strict()
    p.feed(s)
    p.close()
    probs += p.probs
    if p.doctype is None or p.doctype.lower() != "doctype html":
        probs.append("no <!DOCTYPE html>")
    if p.stack:
        probs.append(f"left open: {p.stack}")
    if p.tags[:1] != ["html"]:
        probs.append("the root is not <html>")
    dup = {i for i in p.ids if p.ids.count(i) > 1}
    if dup:
        probs.append(f"repeated ids {sorted(dup)[:5]}")
    ids = set(p.ids)
    css = "".join(p.style)
    if "@media print" not in css:
        probs.append("no @media print")
    if re.search(r"url\(|@import|//", css):
        probs.append("CSS fetches something")
    for h in p.hrefs:
        if h.startswith("#"):
            if h[1:] not in ids:
                probs.append(f"anchor {h} does not resolve")
        elif not EXTERNAL_OK.match(h) and h != POLICY:
            probs.append(f"external link {h}")
    refs = plan["references"]
    want = [f"ref-{i}" for i in range(1, len(refs) + 1)]
    got = [i for i in p.ids if i.startswith("ref-")]
    if got != want:
        probs.append(f"reference ids {got[:5]}... are not ref-1..ref-{len(refs)}")
    for r in refs:
        if "doi" in r:
            u = "https://doi.org/" + urllib.parse.quote(r["doi"], safe="-._~/:;()")
            if u not in p.hrefs:
                probs.append(f"reference {r['n']}: no link {u}")
        if "pmid" in r:
            u = f"https://pubmed.ncbi.nlm.nih.gov/{r['pmid']}/"
            if u not in p.hrefs:
                probs.append(f"reference {r['n']}: no link {u}")
    n_cites = sum(len(c) for c in p.cites)
    if refs and n_cites == 0:
        probs.append("no citation links")
    for c in p.cites:
        for h in c:
            if not re.fullmatch(r"#ref-\d+", h):
                probs.append(f"citation {h} is not a reference anchor")
    cited = {h[1:] for c in p.cites for h in c}
    if set(want) - cited:
        probs.append(f"references never cited: {sorted(set(want) - cited)[:5]}")
    if p.sections[:1] != ["decision"]:
        probs.append(f"the first section is {p.sections[:1]}, not the decision")
    dates = [r[0] for r in p.rows if r]
    if dates != [x["date"] for x in plan["schedule"]]:
        probs.append(f"schedule rows {dates} are not the plan's")
    # the dose column, the decision's numbers and the numbers table are
    # the JSON plan's (a preset's numbers, not the seed's)
    for r, x in zip((r for r in p.rows if r), plan["schedule"]):
        if x["kind"] != "hold" and (len(r) < 3 or not r[2].startswith(f"{x['dose_mg']} mg")):
            probs.append(f"{x['date']}: dose {r[2:3]} is not the plan's {x['dose_mg']} mg")
    pr = plan["preset"]
    if plan["decision"] != "do-not-start":
        want_n = [float(v) for v in (pr["start_mg"], pr["step_mg"], pr["interval_days"], plan["ceiling_mg"])]
        if pr["start_mg"] == plan["ceiling_mg"]:
            # a start at the ceiling: the dose alone, and no increase said
            want_n = [float(pr["start_mg"])]
            if "no increase" not in p.decision[1] and "stays the same" not in p.decision[1]:
                probs.append(f"decision line {p.decision[1:2]} does not say the dose stays")
        got_n = [float(v) for v in re.findall(r"\d+(?:\.\d+)?", p.decision[1] if len(p.decision) > 1 else "")]
        if got_n != want_n:
            probs.append(f"decision line {p.decision[1:2]} does not read start, step, interval, ceiling {want_n}")
    params = plan["parameters"]
    nums = [r for r in p.numbers if r]
    if [r[0] for r in nums] != [x["id"] for x in params]:
        probs.append("the numbers table's rows are not the plan's parameters")
    for r, x in zip(nums, params):
        m = re.match(r"\d+(?:\.\d+)?", r[1] if len(r) > 1 else "")
        if not m or float(m.group()) != float(x["value"]):
            probs.append(f"number {x['id']}: {r[1:2]} is not the plan's {x['value']}")
        by = r[2] if len(r) > 2 else ""
        if (x["set_by"] == "kb") != ("default" in by) or (x["set_by"] != "kb" and pr["id"] not in by):
            probs.append(f"number {x['id']}: set by {by!r}, the plan says {x['set_by']}")
    for x in params:
        if not isinstance(x.get("unit"), str) or not x["unit"]:
            probs.append(f"parameter {x['id']} has no unit: {x.get('unit')!r}")
        if x["id"] in ("dose.start_ug", "dose.step_ug", "dose.ceiling_ug", "dose.interval_d"):
            mine = {"dose.start_ug": pr["start_mg"], "dose.step_ug": pr["step_mg"],
                    "dose.interval_d": pr["interval_days"], "dose.ceiling_ug": plan["ceiling_mg"]}[x["id"]]
            if x["value"] != mine or x["set_by"] == "kb":
                probs.append(f"parameter {x['id']} {x['value']} ({x['set_by']}) is not the plan's {mine}")
    text = " ".join(p.text)
    kb = plan["kb"]
    counts = ", ".join(f"{n} {s}" for s, n in kb["statements_by_review"].items() if n)
    if counts not in text or kb.get("updated", "?") not in text:
        probs.append(f"the statements' review states ({counts}) or last-updated date not shown")
    if POLICY not in p.hrefs or plan.get("editorial_policy") != POLICY:
        probs.append("no link to the editorial policy")
    # the patient's page shows only approved statements; the clinician's
    # marks the others and lists what the patient's leaves out
    states = [st["review"] for sec in plan["sections"] for st in sec["statements"]]
    if aud == "patient":
        if any(s != "approved" for s in states):
            probs.append("a statement not approved in the patient's version")
        if (plan.get("withheld_notice") is not None) != (kb["statements_by_review"]["approved"] < sum(kb["statements_by_review"].values())):
            probs.append("withheld_notice does not match what was left out")
        if plan.get("withheld_notice") and plan["withheld_notice"] not in text:
            probs.append("the patient is not told that information waits for review")
    else:
        pending = text.count("PENDING REVIEW")
        if pending != sum(s != "approved" for s in states):
            probs.append(f"{pending} pending marks for {sum(s != 'approved' for s in states)} statements not approved")
        if any(i not in text for i in plan["withheld_from_patient"]):
            probs.append("a statement left out of the patient's version is not listed")
    pid = plan.get("patient_id")
    if pid is not None and pid not in p.title:
        probs.append(f"the id {pid!r} does not read back from <title>")
    return probs, p


# ---------------------------------------------------------------- main

def main():
    global KB
    ldn, src = sys.argv[1], sys.argv[2]
    if len(sys.argv) > 3:
        KB = sys.argv[3]
    gold = os.path.join(src, "tests", "golden")
    cases = sorted(d for d in os.listdir(gold)
                   if os.path.exists(os.path.join(gold, d, "patient.json")))
    seen = {"do-not-start": 0, "wait": 0, "start": 0}
    cal = {}  # (case, audience) -> (ics bytes, its UIDs)

    def one(case):
        """The results for one golden case: (decision, [(cond, desc, why)])."""
        d = os.path.join(gold, case)
        as_of = "2026-11-25"
        if os.path.exists(os.path.join(d, "AS_OF")):
            as_of = open(os.path.join(d, "AS_OF")).read().strip()[:10]
        preset = []
        if os.path.exists(os.path.join(d, "PRESET")):
            preset = ["--preset", open(os.path.join(d, "PRESET")).read().strip()]
        path = os.path.join(d, "patient.json")
        rc, out, err = run(ldn, src, ["--as-of", as_of, *preset, "--format", "json"], path)
        if rc != 0:
            # a refused input: html and ics refuse it the same way
            rc2, out2, _ = run(ldn, src, ["--as-of", as_of, *preset, "--format", "ics"], path)
            # (64: a preset that is not for this patient, a usage error)
            want = json.load(open(os.path.join(d, "plan.json"))).get("error")
            return None, [(want is not None and rc in (64, 65) and (rc == 64) == bool(preset) and
                           rc2 == rc and out2 == b"",
                           f"{case}: refused input is refused as ics too ({rc})", err)]
        res = []
        for aud in ("clinician", "patient"):
            if aud == "patient":
                rc, out, err = run(ldn, src, ["--as-of", as_of, *preset, "--format", "json", "--audience", aud], path)
                if rc != 0:
                    res.append((False, f"{case} {aud}: planned", err))
                    continue
            plan = json.loads(out)
            rc, ics, err = run(ldn, src, ["--as-of", as_of, *preset, "--format", "ics", "--audience", aud], path)
            probs, events, _ = check_ics(case, ics, plan, as_of, aud) if rc == 0 else ([f"exit {rc}: {err}"], [], {})
            cal[(case, aud)] = (ics, {ev["UID"][0][1] for ev in events if len(ev.get("UID", [])) == 1})
            res.append((not probs, f"{case} {aud}: ics valid ({plan['decision']}, {len(plan['schedule'])} steps)",
                        "\n".join(probs)))
            rc, page, err = run(ldn, src, ["--as-of", as_of, *preset, "--format", "html", "--audience", aud], path)
            probs = check_html(case, page, plan, aud)[0] if rc == 0 else [f"exit {rc}: {err}"]
            res.append((not probs, f"{case} {aud}: html valid", "\n".join(probs)))
        return plan["decision"], res

    # two at a time: the machine has two cores, and each run is a process
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        for decision, res in pool.map(one, cases):
            if decision:
                seen[decision] += 1
            for r in res:
                ok(*r)
    ok(all(seen.values()), f"golden plans of every decision were checked: {seen}")
    owner, shared = {}, []
    for key, (data, uids) in cal.items():
        for u in uids:
            if u in owner and cal[owner[u]][0] != data:
                shared.append(f"{owner[u]} and {key} share {u}")
            owner.setdefault(u, key)
    ok(len(cal) > 100 and not shared, f"no two different golden calendars share a UID ({len(owner)} UIDs)",
       "\n".join(shared[:5]))

    # Determinism, and the two audiences differ in words.
    ex = os.path.join(gold, "seed-example", "patient.json")
    for fmt in ("html", "ics"):
        a = run(ldn, src, ["--as-of", "2026-11-25", "--format", fmt], ex)[1]
        b = run(ldn, src, ["--as-of", "2026-11-25", "--format", fmt], ex)[1]
        c = run(ldn, src, ["--as-of", "2026-11-25", "--format", fmt, "--audience", "patient"], ex)[1]
        ok(a == b and a, f"{fmt}: the same input gives the same bytes")
        ok(a != c, f"{fmt}: the patient's words are not the clinician's")

    # The pharmacist's page: the clinician's, with the dispensing sheet, in
    # every form and for a plan that says do not start (no sheet, why).
    for case in ("seed-example", "cirrhosis-ascites"):
        path = os.path.join(gold, case, "patient.json")
        for form in ("liquid", "capsule", "sublingual"):
            args = ["--as-of", "2026-11-25", "--audience", "pharmacist", "--formulation", form]
            plan = json.loads(run(ldn, src, [*args, "--format", "json"], path)[1])
            rc, page, err = run(ldn, src, [*args, "--format", "html"], path)
            probs = check_html(case, page, plan, "clinician")[0] if rc == 0 else [f"exit {rc}: {err}"]
            sheet = b'<section id="dispensing">' in page
            none = b"No dispensing sheet" in page
            ok(not probs and sheet and none == (plan["decision"] == "do-not-start"),
               f"{case} pharmacist {form}: html valid, with the sheet ({plan['decision']})", "\n".join(probs))

    # A changed plan for the same patient on the same day, and two
    # patients without an id, never share a UID; the calendar's name has
    # the plan's date.
    base = json.load(open(ex))
    variants = {"seed": base, "sensitive": dict(base, sensitive=True),
                "no id": {k: v for k, v in base.items() if k != "id"},
                "no id, other weight": dict({k: v for k, v in base.items() if k != "id"}, weight_kg=81)}
    with tempfile.TemporaryDirectory() as tmp:
        got = {}
        for what, pj in variants.items():
            path = os.path.join(tmp, what.replace(" ", "_").replace(",", "") + ".json")
            with open(path, "w") as f:
                json.dump(pj, f)
            for pre in ([], ["--preset", "slow"]):
                data = run(ldn, src, ["--as-of", "2026-11-25", *pre, "--format", "ics"], path)[1]
                plan = json.loads(run(ldn, src, ["--as-of", "2026-11-25", *pre, "--format", "json"], path)[1])
                probs, events, top = check_ics("variant", data, plan, "2026-11-25", "clinician")
                got[(what, *pre)] = {ev["UID"][0][1] for ev in events}
                name = ics_unescape(top.get("X-WR-CALNAME", [("", "")])[0][1]) or ""
                ok(not probs and "2026-11-25" in name, f"{what} {pre}: a valid calendar named for its date ({name})",
                   "\n".join(probs))
        keys = list(got)
        clash = [f"{a} and {b}" for i, a in enumerate(keys) for b in keys[i + 1:] if got[a] & got[b]]
        ok(not clash, "a changed plan (sensitive, another preset, another record without an id) shares no UID",
           "\n".join(clash))

    # Hostile ids: markup, quotes and ampersands in HTML; ICS separators
    # and backslashes; long UTF-8 runs at every offset against the fold.
    base = json.load(open(os.path.join(gold, "seed-example", "patient.json")))
    hostile = ["<script>alert(\"x\")</script>&amp;'\"",
               "a;b,c\\d:e\"f<g>",
               "</title><a href=\"https://evil.example/\">x</a>"]
    hostile += ["x" * k + "é€😀" * 40 for k in range(4)]
    with tempfile.TemporaryDirectory() as tmp:
        for i, pid in enumerate(hostile):
            pj = dict(base, id=pid)
            path = os.path.join(tmp, f"p{i}.json")
            with open(path, "w", encoding="utf-8") as f:
                json.dump(pj, f, ensure_ascii=False)
            rc, out, _ = run(ldn, src, ["--as-of", "2026-11-25", "--format", "json"], path)
            if not ok(rc == 0, f"hostile id {i}: planned"):
                continue
            for aud in ("clinician", "patient"):
                plan = json.loads(run(ldn, src, ["--as-of", "2026-11-25", "--format", "json", "--audience", aud], path)[1])
                page = run(ldn, src, ["--as-of", "2026-11-25", "--format", "html", "--audience", aud], path)[1]
                probs, p = check_html("hostile", page, plan, aud)
                raw = pid.encode("utf-8")
                if any(c in pid for c in "<>&\"'") and raw in page:
                    probs.append("the id appears unescaped")
                if p is not None and pid not in " ".join(p.text):
                    probs.append("the id does not read back from the page")
                ok(not probs, f"hostile id {i} {aud}: html escaped and valid", "\n".join(probs))
                ics = run(ldn, src, ["--as-of", "2026-11-25", "--format", "ics", "--audience", aud], path)[1]
                probs, events, top = check_ics("hostile", ics, plan, "2026-11-25", aud)
                name = ics_unescape(top.get("X-WR-CALNAME", [("", "")])[0][1]) if top else None
                if not name or not name.endswith(pid):
                    probs.append(f"calendar name {name!r} does not end in the id")
                ok(not probs, f"hostile id {i} {aud}: ics escaped and valid", "\n".join(probs))

    # The validator itself fails on broken calendars and pages.
    good = run(ldn, src, ["--as-of", "2026-11-25", "--format", "ics"], ex)[1]
    plan = json.loads(run(ldn, src, ["--as-of", "2026-11-25", "--format", "json"], ex)[1])
    ok(not check_ics("x", good, plan, "2026-11-25", "clinician")[0], "self-test: the example passes")
    bad = {
        "LF line ends": good.replace(b"\r\n", b"\n"),
        "a long line": good.replace(b"VERSION:2.0", b"X-LONG:" + b"a" * 80, 1),
        "a fold inside UTF-8": good.replace(b"VERSION:2.0\r\n", b"VERSION:2.0\r\nX-A:" + b"a" * 69 + b"\xc3\r\n \xa9\r\n", 1),
        "a bare comma": good.replace(b"SUMMARY:LDN", b"SUMMARY:LDN,", 1),
        "no PRODID": re.sub(rb"PRODID:[^\r]*\r\n", b"", good),
        "events out of order": good.replace(b"CATEGORIES:LDN,start", b"CATEGORIES:LDN,increase", 1),
    }
    for what, data in bad.items():
        ok(check_ics("x", data, plan, "2026-11-25", "clinician")[0], f"self-test: {what} is caught")
    page = run(ldn, src, ["--as-of", "2026-11-25", "--format", "html"], ex)[1]
    ok(not check_html("x", page, plan, "clinician")[0], "self-test: the example page passes")
    badp = {
        "an unclosed element": page.replace(b"</ul>", b"", 1),
        "a script": page.replace(b"</main>", b"<script>x()</script></main>", 1),
        "an external link": page.replace(b"https://doi.org/", b"https://example.com/", 1),
        "a dangling anchor": page.replace(b'href="#ref-1"', b'href="#ref-999"', 1),
        "a pending mark dropped": page.replace(b"PENDING REVIEW", b"", 1),
        "no editorial policy link": page.replace(b'href="/docs/editorial-policy"', b'href="#kb"', 1),
    }
    for what, data in badp.items():
        ok(check_html("x", data, plan, "clinician")[0], f"self-test: {what} is caught")

    print(f"1..{N}")
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
