#!/bin/sh
# The `ldn` command as a user meets it: help, exit codes, errors that name
# the field, both formats and audiences, and `ldn kb check` on broken
# knowledge bases.  TAP output.
#   tests/cli.sh LDN_BINARY SOURCE_ROOT
ldn=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
failed=0

t() { # t DESCRIPTION COMMAND...: ok when the command succeeds
	desc=$1
	shift
	n=$((n + 1))
	if "$@" >"$tmp/out" 2>"$tmp/err"; then
		echo "ok $n - $desc"
	else
		failed=$((failed + 1))
		echo "not ok $n - $desc"
		sed 's/^/#   /' "$tmp/err" | head -5
	fi
}

code() { # code EXPECTED COMMAND...: the command exits with EXPECTED
	want=$1
	shift
	"$@" >"$tmp/cout" 2>"$tmp/cerr"
	got=$?
	[ "$got" -eq "$want" ] || { echo "exit $got, wanted $want" >&2; return 1; }
}

has() { grep -q -- "$1" "$2"; }

ex=$src/examples/fibromyalgia.json
AS="--as-of 2026-11-25"

t "ldn --help exits 0" code 0 "$ldn" --help
t "ldn with no command is a usage error (64)" code 64 "$ldn"
t "an unknown command is a usage error" code 64 "$ldn" frobnicate
t "ldn plan --help documents --as-of" sh -c "'$ldn' plan --help | grep -q -- --as-of"
t "ldn kb --help documents file:line:column" sh -c "'$ldn' kb --help | grep -q LINE"
t "plan without a file is a usage error" code 64 "$ldn" plan
t "an unknown --format is a usage error" code 64 "$ldn" plan --format xml "$ex"
t "an unknown --audience is a usage error" code 64 "$ldn" plan --audience robot "$ex"
t "a missing file exits 66" code 66 "$ldn" plan $AS "$tmp/nothing.json"
t "the example plans (exit 0)" code 0 "$ldn" plan $AS "$ex"
t "the text says WAIT and the date" has "WAIT: may start on 2026-11-27" "$tmp/cout"
t "the text ends with the reference list and KB version" has "Version 1.0.0" "$tmp/cout"
t "JSON output parses" sh -c "'$ldn' plan $AS --format json '$ex' | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d[\"decision\"]==\"wait\" and d[\"earliest_start\"]==\"2026-11-27\"'"
t "every citation in the JSON resolves to a reference" sh -c "'$ldn' plan $AS --format json '$ex' | python3 -c '
import json,sys
d=json.load(sys.stdin); n=len(d[\"references\"])
cs=[c for f in d[\"findings\"] for c in f[\"citations\"]]+[c for s in d[\"sections\"] for st in s[\"statements\"] for c in st[\"citations\"]]
assert cs and all(1<=c<=n for c in cs), cs
assert all(f[\"citations\"] for f in d[\"findings\"])'"
t "doses print as 1.5, not 1.50000" sh -c "'$ldn' plan $AS --format json '$ex' | grep -q '\"dose_mg\": 1.5,'"
t "the same input gives the same bytes" sh -c "'$ldn' plan $AS --format json '$ex' > '$tmp/a'; '$ldn' plan $AS --format json '$ex' > '$tmp/b'; cmp '$tmp/a' '$tmp/b'"
t "stdin works as -" sh -c "'$ldn' plan $AS - < '$ex' | grep -q WAIT"
t "ldn plan --help documents --preset" sh -c "'$ldn' plan --help | grep -q -- '--preset NAME'"
t "an unknown --preset is a usage error (64)" code 64 "$ldn" plan $AS --preset fast "$ex"
t "and the message names --preset and the presets there are" has "^ldn: --preset: .*seed, ldnrt" "$tmp/cerr"
t "ldn plan --help documents --regimen" sh -c "'$ldn' plan --help | grep -q -- '--regimen R'"
t "--regimen nb plans weekly steps to 2 tablets twice a day" sh -c "'$ldn' plan $AS --regimen nb --format json '$ex' | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d[\"regimen\"][\"id\"]==\"nb\" and [(s[\"tablets_am\"], s[\"tablets_pm\"]) for s in d[\"schedule\"]]==[(1,0),(1,1),(2,1),(2,2)] and d[\"review\"][\"date\"], d'"
t "--regimen ldn is the LDN plan" sh -c "'$ldn' plan $AS --regimen ldn '$ex' | grep -q 'Low-dose naltrexone (LDN) plan'"
t "an unknown --regimen is a usage error (64)" code 64 "$ldn" plan $AS --regimen ldn50 "$ex"
t "and the message names --regimen and the regimens there are" has "^ldn: --regimen: .*ldn, aud50, oud, nb" "$tmp/cerr"
t "--regimen aud50 with --preset is a usage error (64)" code 64 "$ldn" plan $AS --regimen aud50 --preset slow "$ex"
t "check-order \"LDN 5 mg\" is checked (0)" code 0 "$ldn" check-order $AS --patient "$ex" --order "LDN 5 mg"
t "check-order \"LDN 5.5 mg\" is refused (65)" code 65 "$ldn" check-order $AS --patient "$ex" --order "LDN 5.5 mg"
t "and the message names --order and the standard-dose regimens" has "^ldn: --order: .*--regimen aud50|oud), not LDN" "$tmp/cerr"
f6=$src/tests/golden/preset-final6/patient.json
t "--preset final6 climbs to 6 mg" sh -c "'$ldn' plan $AS --preset final6 --format json '$f6' | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d[\"preset\"][\"id\"]==\"final6\" and d[\"ceiling_mg\"]==6, d[\"preset\"]'"
t "--preset final6 after an opioid 5 days ago is refused (64)" code 64 "$ldn" plan $AS --preset final6 "$ex"
t "and the message names --preset and the FINAL trial's exclusion" has "^ldn: --preset: the final6 preset is not for this patient: an opioid taken within" "$tmp/cerr"
t "--preset final6 in pregnancy is refused (64)" code 64 "$ldn" plan $AS --preset final6 "$src/tests/golden/err-preset-final6-pregnant/patient.json"
t "--preset thyroid without thyroid disease on file still monitors TSH and free T4" sh -c "'$ldn' plan $AS --preset thyroid --format json '$f6' | python3 -c 'import json,sys; d=json.load(sys.stdin); assert \"monitor.tsh\" in [m[\"id\"] for m in d[\"monitoring\"]], d[\"monitoring\"]'"
t "a suggested preset cites that preset's references only (child: smith2013)" sh -c "'$ldn' plan $AS --format json '$src/tests/golden/preset-seed-child-suggested/patient.json' | python3 -c 'import json,sys; d=json.load(sys.stdin); r={x[\"n\"]: x[\"id\"] for x in d[\"references\"]}; c=[[r[n] for n in f[\"citations\"]] for f in d[\"findings\"] if f[\"id\"]==\"preset.suggested\"]; assert c==[[\"smith2013\"]], c'"
# (the clinician's words: a patient's plan shows only approved statements)
t "a sensitive patient under ldnrt reads the preset's adjusted words, not its 1 mg weekly steps" sh -c "'$ldn' plan $AS --preset ldnrt --format json '$src/tests/golden/preset-ldnrt-sensitive/patient.json' > '$tmp/rt.txt' && ! grep -q 'add 1 mg every 7 days' '$tmp/rt.txt' && grep -q 'own numbers: the findings' '$tmp/rt.txt'"
t "and without sensitivity, its own" sh -c "'$ldn' plan $AS --preset ldnrt --format json '$f6' | grep -q 'add 1 mg every 7 days'"
t "ldn plan --help documents --policy" sh -c "'$ldn' plan --help | grep -q -- '--policy N=V'"
t "an unknown --policy name is a usage error (64)" code 64 "$ldn" plan $AS --policy opioid_couse=relative "$ex"
t "and the message names --policy and the policies there are" has "^ldn: --policy: .*periop_restart=seed|24h" "$tmp/cerr"
t "an unknown --policy value is a usage error (64)" code 64 "$ldn" plan $AS --policy periop_restart=48h "$ex"
pr0=$src/tests/golden/policy-periop-24h-completed-0d/patient.json
t "--policy periop_restart=24h says the override in the text plan" sh -c "'$ldn' plan $AS --policy periop_restart=24h '$pr0' | grep -q 'Policy override, periop_restart=24h'"
t "and the default plan does not" sh -c "! '$ldn' plan $AS '$pr0' | grep -q 'Policy override'"
pta=$src/tests/golden/periop-planned-today
t "a start moved past a hold names the seed's opioid-free days" sh -c "'$ldn' plan --as-of \$(cat '$pta/AS_OF' 2>/dev/null || echo 2026-11-25) '$pta/patient.json' | tr -s ' \n' '  ' | grep -q 'opioid-free for 7 days'"
t "and under --policy periop_restart=24h the policy's, as its dates do" sh -c "'$ldn' plan --as-of \$(cat '$pta/AS_OF' 2>/dev/null || echo 2026-11-25) --policy periop_restart=24h '$pta/patient.json' | tr -s ' \n' '  ' | grep -q 'opioid-free for 1 days'"
t "the last --policy given wins" sh -c "'$ldn' plan $AS --policy periop_restart=24h --policy periop_restart=seed --format json '$pr0' | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d[\"earliest_start\"]==\"2026-12-02\" and not d[\"policies\"][0][\"override\"], d[\"policies\"]'"
t "and the seed without it does not" sh -c "'$ldn' plan $AS --format json '$f6' | python3 -c 'import json,sys; d=json.load(sys.stdin); assert \"monitor.tsh\" not in [m[\"id\"] for m in d[\"monitoring\"]], d[\"monitoring\"]'"
t "--preset child for an adult is refused (64)" code 64 "$ldn" plan $AS --preset child "$ex"
ins=$src/tests/golden/timing-morning-insomnia/patient.json
t "insomnia on file: the plan doses in the morning" sh -c "'$ldn' plan $AS '$ins' | grep -q '^Start 1.5 mg in the morning;'"
t "and its FHIR dosage is MORN, not HS" sh -c "'$ldn' plan $AS --format fhir '$ins' | grep -q '\"MORN\"' && ! '$ldn' plan $AS --format fhir '$ins' | grep -q '\"HS\"'"
t "without it, at bedtime" sh -c "'$ldn' plan $AS --format fhir '$ex' | grep -q '\"HS\"'"
t "the patient audience reads as the patient's plan" sh -c "'$ldn' plan $AS --audience patient '$ex' | grep -q 'Your low-dose naltrexone'"
echo '{"age_years": 40, "medications": [], "weight_kg": 0}' > "$tmp/w0.json"
t "weight 0 exits 65" code 65 "$ldn" plan $AS "$tmp/w0.json"
t "and the error names /weight_kg" has "/weight_kg" "$tmp/cerr"
echo '{"age_years": 40, "medications": [{"name": "Tramadol", "status": "stopped", "last_dose": "2026-12-01"}]}' > "$tmp/future.json"
t "a last dose after --as-of exits 65" code 65 "$ldn" plan $AS "$tmp/future.json"
t "and names /medications/0/last_dose" has "/medications/0/last_dose" "$tmp/cerr"
printf '{"age_years": 40,\n "medications": [\n' > "$tmp/trunc.json"
t "truncated JSON exits 65" code 65 "$ldn" plan $AS "$tmp/trunc.json"
t "and gives a line and column" has "line 3" "$tmp/cerr"
t "a bad --as-of is refused" code 65 "$ldn" plan --as-of 2026-02-30 "$ex"
t "a missing knowledge base exits 78" code 78 "$ldn" plan $AS --kb "$tmp/nokb" "$ex"
t "a FHIR Bundle is read without a flag" sh -c "'$ldn' plan $AS '$src/tests/fhir/deceased.json' | grep -q 'DO NOT START'"
t "a refused Bundle with --format fhir gives an OperationOutcome" sh -c "'$ldn' plan $AS --format fhir '$src/tests/fhir/wrong-type-status.json' 2>/dev/null | python3 -c 'import json,sys; o=json.load(sys.stdin); assert o[\"resourceType\"]==\"OperationOutcome\" and o[\"issue\"][0][\"expression\"]==[\"Bundle.entry[2].resource.status\"]'"
t "and exits 65" code 65 "$ldn" plan $AS --format fhir "$src/tests/fhir/wrong-type-status.json"
# check-order: the reverse check (an opioid for a patient on naltrexone)
ldn_pt=$src/tests/golden/ldn-active/patient.json
ntx50=$src/tests/golden/naltrexone-50-active/patient.json
t "check-order --help documents --order" sh -c "'$ldn' check-order --help | grep -q -- --order"
t "check-order without --order is a usage error" code 64 "$ldn" check-order --patient "$ldn_pt"
for order in "tramadol 50 mg" "codeine cough syrup" "buprenorphine" "fentanyl patch" "Tylenol #3" 835603; do
	t "check-order: $order for a patient on LDN exits 0" code 0 "$ldn" check-order $AS --patient "$ldn_pt" --order "$order"
	t "and gives a warning card with the restart rule" sh -c "grep -q '^\[WARNING\] Patient takes naltrexone' '$tmp/cout' && grep -q 'opioid-free days' '$tmp/cout' && ! grep -q CRITICAL '$tmp/cout'"
	t "check-order: $order for a patient without naltrexone gives no card" sh -c "'$ldn' check-order $AS --patient '$ex' --order '$order' --format json | python3 -c 'import json,sys; assert json.load(sys.stdin) == {\"cards\": []}'"
	t "check-order: $order for a patient on 50 mg naltrexone is critical" sh -c "'$ldn' check-order $AS --patient '$ntx50' --order '$order' --format json | python3 -c '
import json,sys
c=json.load(sys.stdin)[\"cards\"]
assert len(c)==1 and c[0][\"indicator\"]==\"critical\" and \"standard-dose\" in c[0][\"summary\"], c'"
done
t "check-order --format json is CDS Hooks cards, the same bytes twice" sh -c "'$ldn' check-order $AS --patient '$ldn_pt' --order tramadol --format json > '$tmp/a' && '$ldn' check-order $AS --patient '$ldn_pt' --order tramadol --format json > '$tmp/b' && cmp '$tmp/a' '$tmp/b' && python3 -c '
import json
c=json.load(open(\"$tmp/a\"))[\"cards\"][0]
assert c[\"indicator\"]==\"warning\" and c[\"source\"][\"label\"] and \"**References**\" in c[\"detail\"]'"
t "check-order --audience patient speaks to the patient" sh -c "'$ldn' check-order $AS --audience patient --patient '$ldn_pt' --order tramadol | grep -q 'You take LDN 4.5 mg'"
t "check-order: naltrexone 50 mg for a patient on LDN is refused as a start" sh -c "'$ldn' check-order $AS --patient '$ldn_pt' --order 'naltrexone 50 mg' | grep -q '^\[CRITICAL\] Do not start LDN now'"
t "check-order: a drug that is neither gives no card (exit 0)" code 0 "$ldn" check-order $AS --patient "$ldn_pt" --order "amoxicillin 500 mg"
t "and says the order was not recognised, so no card vouches for it" has "not recognised as an opioid" "$tmp/cout"
t "check-order: a recognised opioid with no conflict says it was recognised" sh -c "'$ldn' check-order $AS --patient '$ldn_pt' --order 'ibuprofen' >/dev/null; echo '{\"id\":\"q\",\"age_years\":50,\"medications\":[],\"conditions\":[]}' > '$tmp/q.json'; '$ldn' check-order $AS --patient '$tmp/q.json' --order 'oxycodon 5 mg' | grep -q 'recognised (opioid-short)'"
t "check-order: an empty --order exits 65" code 65 "$ldn" check-order $AS --patient "$ldn_pt" --order " "
t "and names --order" has "^ldn: --order:" "$tmp/cerr"
t "check-order: a code with a leading zero exits 65" code 65 "$ldn" check-order $AS --patient "$ldn_pt" --order 0835603
t "check-order: a control character in --order exits 65" code 65 "$ldn" check-order $AS --patient "$ldn_pt" --order "$(printf 'tramadol\tER')"
t "check-order: a bad patient exits 65 naming the field" code 65 "$ldn" check-order $AS --patient "$tmp/w0.json" --order tramadol
t "and names /weight_kg" has "/weight_kg" "$tmp/cerr"
t "check-order reads a FHIR Bundle" code 0 "$ldn" check-order $AS --patient "$src/tests/fhir/deceased.json" --order tramadol
# surgery planned for a patient already on LDN: the hold date in the plan
python3 -c "
import json
p=json.load(open('$ldn_pt'))
p['procedures']=[{'display':'Knee replacement','date':'2026-11-29','status':'planned'}]
json.dump(p,open('$tmp/ldn-surgery.json','w'))"
t "plan: LDN on file and surgery in 4 days: last dose tonight" sh -c "'$ldn' plan $AS '$tmp/ldn-surgery.json' | tr -s ' \n' '  ' | grep -q 'Give the last dose on the day before 2026-11-26 and none from 2026-11-26. Restart no earlier than 2026-12-06'"
t "and the patient reads the same dates" sh -c "'$ldn' plan $AS --audience patient '$tmp/ldn-surgery.json' | tr -s ' \n' '  ' | grep -q 'Take your last dose on the day before 2026-11-26'"
t "a day later the hold has begun: no more doses" sh -c "'$ldn' plan --as-of 2026-11-26 '$tmp/ldn-surgery.json' | tr -s ' \n' '  ' | grep -q 'began on 2026-11-26: give no more naltrexone'"
db="sqlite:$tmp/store.db"
echo '{"id":"p-9","age_years":50,"sex":"male","weight_kg":80,"opioid_analgesia_required":false,"medications":[],"conditions":[{"system":"icd10","code":"M79.7","status":"active"}]}' > "$tmp/p9.json"
t "patient add stores a patient with their plan" code 0 "$ldn" patient add --as-of 2026-01-01 --db "$db" "$tmp/p9.json"
t "adding the same patient again exits 65" code 65 "$ldn" patient add --as-of 2026-01-01 --db "$db" "$tmp/p9.json"
t "visit add records a visit" code 0 "$ldn" visit add p-9 --date 2026-02-01 --dose 1.5 --pain 6 --side-effects mild --db "$db"
t "a pain score of 11 exits 65" code 65 "$ldn" visit add p-9 --date 2026-02-08 --dose 2 --pain 11 --db "$db"
t "and says pain" has "pain" "$tmp/cerr"
t "a visit without --pain is a usage error" code 64 "$ldn" visit add p-9 --date 2026-02-08 --dose 2 --db "$db"
t "patient list shows the patient" sh -c "'$ldn' patient list --db '$db' | grep -q '^p-9'"
t "history as CSV has a header and the visit" sh -c "'$ldn' history p-9 --format csv --db '$db' | grep -q '^2026-02-01,1.5,6'"
t "history as SVG is a well-formed chart with a title for screen readers" sh -c "'$ldn' history p-9 --format svg --db '$db' | python3 -c '
import sys, xml.dom.minidom as m
d = m.parseString(sys.stdin.read())
assert d.documentElement.tagName == \"svg\"
assert d.getElementsByTagName(\"title\") and d.getElementsByTagName(\"desc\")
assert len(d.getElementsByTagName(\"circle\")) == 1'"
t "next: a tolerated first step escalates a week after it" sh -c "'$ldn' next p-9 --as-of 2026-02-08 --db '$db' | grep -q 'Escalate: 2 mg from 2026-02-08'"
t "next --format json names the rule, the dose and sourced references" sh -c "'$ldn' next p-9 --as-of 2026-02-08 --format json --db '$db' | python3 -c '
import json, sys
o = json.load(sys.stdin)
assert o[\"action\"] == \"escalate\" and o[\"rule\"] == \"next.escalate\" and o[\"dose_mg\"] == 2, o
assert o[\"references\"] and all(r[\"evidence\"] for r in o[\"references\"])'"
t "next --audience patient speaks to the patient" sh -c "'$ldn' next p-9 --as-of 2026-02-08 --audience patient --db '$db' | grep -q 'Raise your dose'"
t "next --audience pharmacist says what to supply, for the pharmacist" sh -c "'$ldn' next p-9 --as-of 2026-02-08 --audience pharmacist --db '$db' > '$tmp/ph' && grep -q '^Supply the higher dose: 2 mg from 2026-02-08' '$tmp/ph' && grep -q 'for the pharmacist' '$tmp/ph' && ! grep -qi 'clinician' '$tmp/ph'"
t "next --audience pharmacist --formulation liquid --supply-days 30: 2.00 mL a dose, 60.00 mL" sh -c "'$ldn' next p-9 --as-of 2026-02-08 --audience pharmacist --formulation liquid --supply-days 30 --db '$db' | tr '\n' ' ' | grep -q 'One dose of 2 mg: 2.00 mL. A supply of 30 days at this dose: 60.00 mL'"
t "next --formulation without --audience pharmacist is a usage error" code 64 "$ldn" next p-9 --formulation liquid --db "$db"
t "next --audience pharmacist --supply-days 0 is a usage error" code 64 "$ldn" next p-9 --audience pharmacist --supply-days 0 --db "$db"
t "next --audience pharmacist --formulation pill is a usage error" code 64 "$ldn" next p-9 --audience pharmacist --formulation pill --db "$db"
t "and names --formulation" has "^ldn: --formulation: " "$tmp/cerr"
t "next for an unknown patient exits 65" code 65 "$ldn" next p-404 --db "$db"
t "and says the patient is not stored" has "not stored" "$tmp/cerr"
t "next --format svg is a usage error" code 64 "$ldn" next p-9 --format svg --db "$db"
t "a serious effect is recorded" code 0 "$ldn" visit add p-9 --date 2026-02-08 --dose 2 --pain 6 --side-effects serious --db "$db"
t "and next says stop" sh -c "'$ldn' next p-9 --as-of 2026-02-09 --db '$db' | grep -q '^Stop LDN: no dose from 2026-02-09'"
# The stored plan's hold around a procedure reaches the next step: no step
# up into it, nothing but stop inside it, a restart at the start dose after.
echo '{"id":"p-op","age_years":50,"sex":"female","weight_kg":70,"pregnancy":"none","opioid_analgesia_required":false,"medications":[],"conditions":[{"system":"icd10","code":"M79.7","status":"active"}],"procedures":[{"display":"Knee arthroscopy","date":"2026-07-15","status":"planned","opioids_expected":true}]}' > "$tmp/pop.json"
t "a patient with a knee arthroscopy planned is stored" code 0 "$ldn" patient add --as-of 2026-06-01 --db "$db" "$tmp/pop.json"
t "with visits up to 3.5 mg" sh -c "for v in '2026-06-01 1.5 8' '2026-06-08 2 7' '2026-06-15 2.5 6' '2026-06-22 3 5' '2026-06-29 3 5' '2026-07-05 3.5 4'; do set -- \$v; '$ldn' visit add p-op --date \$1 --dose \$2 --pain \$3 --db '$db' >/dev/null || exit 1; done"
t "next before the hold: keep 3.5 mg, no step up into it" sh -c "'$ldn' next p-op --as-of 2026-07-11 --db '$db' | tr -s ' \n' '  ' | grep -q 'Keep 3.5 mg until the night before 2026-07-12'"
t "next inside the hold, though a dose is recorded: stop until 2026-07-22" sh -c "'$ldn' visit add p-op --date 2026-07-16 --dose 3.5 --pain 4 --db '$db' >/dev/null && '$ldn' next p-op --as-of 2026-07-16 --db '$db' | tr -s ' \n' '  ' | grep -q 'give no dose before 2026-07-22'"
t "next after it: restart at 1.5 mg, for the pharmacist too" sh -c "'$ldn' next p-op --as-of 2026-07-22 --audience pharmacist --db '$db' | tr -s ' \n' '  ' | grep -q 'The restart is at 1.5 mg at bedtime from 2026-07-22'"
python3 -c "import json; p = json.load(open('$tmp/pop.json')); p['procedures'] = []; json.dump(p, open('$tmp/pop2.json', 'w'))"
t "patient replan: the procedure cancelled, a new plan" sh -c "'$ldn' patient replan --as-of 2026-07-17 --db '$db' '$tmp/pop2.json' | grep -q '^p-op: new plan; start from 2026-07-17'"
t "a replan dated before the latest plan exits 65" code 65 "$ldn" patient replan --as-of 2026-07-10 --db "$db" "$tmp/pop2.json"
t "and says the plan" has "as_of: 2026-07-10 is before the patient's latest plan, 2026-07-17" "$tmp/cerr"
t "a replan dated after today exits 65" code 65 "$ldn" patient replan --as-of 2099-01-01 --db "$db" "$tmp/pop2.json"
t "and says today" has "as_of: 2099-01-01 is after today" "$tmp/cerr"
t "and next keeps the hold that had begun before it: a restart at 1.5 mg, not 4 mg" sh -c "'$ldn' next p-op --as-of 2026-07-22 --db '$db' | grep -q 'Re-introduce with titration: 1.5 mg from 2026-07-22'"
sed 's/"p-op"/"p-unknown"/' "$tmp/pop2.json" > "$tmp/p-unknown.json"
t "patient replan for a patient not stored exits 65" code 65 "$ldn" patient replan --db "$db" "$tmp/p-unknown.json"
t "and says so" has "not stored" "$tmp/cerr"
t "token add prints a 64-digit token" sh -c "'$ldn' token add alice --role clinician --db '$db' | grep -Eq '^[0-9a-f]{64}$'"
t "a token with an unknown role exits 65" code 65 "$ldn" token add bob --role root --db "$db"
t "and says role" has "role" "$tmp/cerr"
t "serve --routes lists every route with the roles that may call it" sh -c "'$ldn' serve --routes | grep -q '^POST /api/v1/patients/{id}/visits clinician admin$'"
t "serve with a store URL of another kind exits 64" code 64 "$ldn" serve --port 0 --db "mysql://x"
t "audit verify passes" code 0 "$ldn" audit verify --db "$db"
t "a store URL of another kind is a usage error" code 64 "$ldn" patient list --db "mysql://x"
t "kb check passes on kb/" code 0 "$ldn" kb check --kb "$src/kb"
t "and says what it validated" has "references" "$tmp/cout"

# Broken copies of the knowledge base: each must be refused, as FILE:LINE:COL.
broken() { # broken NAME FILE PYTHON-EXPRESSION-ON-s EXPECTED-MESSAGE
	rm -rf "$tmp/kb"
	cp -r "$src/kb" "$tmp/kb"
	python3 -c "
p='$tmp/kb/$2'; s=open(p).read(); s2=$3
assert s2 != s, 'the mutation changed nothing'
open(p,'w').write(s2)" || return 1
	"$ldn" kb check --kb "$tmp/kb" >/dev/null 2>"$tmp/kerr"
	rc=$?
	[ $rc -eq 78 ] || { echo "exit $rc" >&2; return 1; }
	grep -q "$tmp/kb/$2:[0-9][0-9]*:[0-9][0-9]*: .*$4" "$tmp/kerr" || {
		cat "$tmp/kerr" >&2
		return 1
	}
}
t "kb check: a citation that does not resolve" broken cite statements.yaml \
	"s.replace('cites: [', 'cites: [no_such_ref, ', 1)" "does not resolve"
t "kb check: a number without a citation" broken nocite numbers.yaml \
	"s.replace('cites:', 'cited:', 1)" 'cites'
t "kb check: an unused reference" broken unused references.yaml \
	"s + '''  - id: never_cited\n    kind: article\n    evidence: review\n    title: \"T\"\n    source: \"S\"\n    year: 2020\n    resolution: resolved\n'''" "never cited"
t "kb check: a placeholder naming no number" broken ph statements.yaml \
	"s.replace('{range:dose.start_ug}', '{range:dose.start_mg}', 1)" "names no number"
t "kb check: a variable the engine does not supply" broken var findings.yaml \
	"s.replace('{drug}', '{patient_name}', 1)" "not a known variable"
t "kb check: a finding the engine raises is missing" broken missing findings.yaml \
	"s.replace('id: opioid.washout_done', 'id: opioid.washout_gone', 1)" "missing entry"
t "kb check: a severity that differs from the engine's" broken sev findings.yaml \
	"s.replace('severity: block', 'severity: info', 1)" "is a block in the engine"
t "kb check: a ceiling above the definition of LDN" broken ceil numbers.yaml \
	"s.replace('value: 5000', 'value: 4000', 1)" "ceiling"
t "kb check: a preset above the seed's ceiling without beyond_seed" broken \
	presetceil presets.yaml "s.replace('    beyond_seed: true\\n', '', 1)" \
	"needs beyond_seed"
t "kb check: a default preset that is not the seed's numbers" broken \
	presetdef presets.yaml "s.replace('start_ug: dose.start_ug', 'start_ug: 1000', 1)" \
	"seed's numbers"
t "kb check: a preset with another step-back rule" broken presetsb \
	presets.yaml "s.replace('    step_back: halve', '    step_back: stop', 1)" "halve"
t "kb check: a preset suggested by an unknown flag" broken presetflag \
	presets.yaml "s.replace('when: sensitive', 'when: sensitiv', 1)" "a flag"
t "kb check: a beyond-seed preset that does not exclude kidney disease" broken \
	presetexcl presets.yaml "s.replace('      - when: renal\\n', '      - when: older\\n', 1)" \
	"must exclude"
t "kb check: a beyond-seed preset without the opioid window" broken \
	presetopi presets.yaml "s.replace('        within_d: preset.final6_opioid_free_d\\n', '', 1)" \
	"within_d"
t "kb check: a start by weight above dose.child_ug_per_kg" broken \
	presetkg presets.yaml "s.replace('start_ug_per_kg: dose.child_ug_per_kg', 'start_ug_per_kg: 150', 1)" \
	"above dose.child_ug_per_kg"
t "kb check: a preset without words for an adjusted plan" broken \
	presetadj presets.yaml "s.replace('    adjusted:\\n', '    adjusted_:\\n', 1)" \
	"adjusted"
t "kb check: a preset monitoring item that does not exist" broken \
	presetmon presets.yaml "s.replace('monitor: [monitor.tsh]', 'monitor: [monitor.tshh]', 1)" \
	"names no monitoring item"
t "kb check: a reference url that is not a web address" broken url references.yaml \
	"s.replace('url: \"https://', 'url: \"javascript://', 1)" "a url starts with"
t "kb check: invalid YAML" broken yaml references.yaml \
	"s.replace('references:', 'references: [', 1)" "invalid YAML"
t "kb check: evidence that matches no cited reference" broken ev statements.yaml \
	"s.replace('evidence: observational', 'evidence: randomised-trial', 1)" "matches none"
t "kb check: a CDS card summary that can reach 140 characters" broken \
	longsum findings.yaml \
	"s.replace('summary: \"Do not start LDN now:', 'summary: \"' + 'x' * 90 + ' Do not start LDN now:', 1)" \
	"under 140"
t "kb check: a check-order card without patient words" broken nopat findings.yaml \
	"s.replace('    patient: \"Your record shows opioid pain medicine', '    patient_: \"', 1)" \
	'missing field .patient.'
t "kb check: a CDS card without its summary" broken nosum findings.yaml \
	"s.replace('summary: \"Do not start LDN now:', 'clinician_: \"', 1)" \
	"summary"
t "kb check: a follow-up question answered by no statement" broken askstmt \
	ask.yaml "s.replace('answers: [contraindications.opioid_free]', 'answers: [contraindications.opioid_fre]', 1)" \
	'no statement .contraindications.opioid_fre.'
t "kb check: a follow-up question tied to no finding" broken askfind \
	ask.yaml "s.replace('findings: [opioid.occult]', 'findings: [opioid.ocult]', 1)" \
	'no finding .opioid.ocult.'
t "kb check: a word in two synonym groups" broken asksyn ask.yaml \
	"s.replace('[fibromyalgia, fibro,', '[fibromyalgia, fibro, opiate,', 1)" \
	'in two synonym groups'
t "kb check: a section with no decision on a pharmacist's words" broken askph \
	ask.yaml "s.replace('    - section: perioperative\n', '    - section_: perioperative\n', 1)" \
	'section .perioperative. has no decision'
t "kb check: a pharmacist shown a patient's words" broken askphpat \
	ask.yaml "s.replace('      words: clinician\n', '      words: patient\n', 1)" \
	'.patient.: a pharmacist reads the clinician.s words'
t "kb check: an answer's words without the pharmacist's" broken askphw \
	ask.yaml "s.replace('    pharmacist: \"For this patient', '    pharmacist_: \"For this patient', 1)" \
	'.pharmacist. must be a non-empty string'
t "kb check: a next step without the pharmacist's words" broken nextph \
	findings.yaml "s.replace('    pharmacist: \"Keep supplying {dose}: the last rise', '    pharmacist_: \"Keep supplying {dose}: the last rise', 1)" \
	'.pharmacist.'
t "kb check: a next step's pharmacist words with a variable not supplied" broken nextphv \
	findings.yaml "s.replace('    pharmacist: \"Keep supplying {dose}: the last rise', '    pharmacist: \"Keep supplying {drug}: the last rise', 1)" \
	'{drug} is not supplied for this entry'
t "kb check: a review state written in YAML" broken rvyaml statements.yaml \
	"s.replace('    when: [always]\n', '    when: [always]\n    review: approved\n', 1)" \
	'is not written here: review states are recorded by'
t "kb check: a reviewer with an unknown role" broken rvrole reviewers.yaml \
	"s.replace('reviewers: []', 'reviewers:\\n  - id: a\\n    name: A\\n    role: chief\\n    credentials: MD\\n')" \
	'role'
t "kb check: one person under two ids" broken rvname reviewers.yaml \
	"s.replace('reviewers: []', 'reviewers:\\n  - id: a\\n    name: Robin Roe\\n    role: editor\\n    credentials: MD\\n  - id: b\\n    name: robin  roe\\n    role: author\\n    credentials: MD\\n')" \
	'one person has one id'
t "kb check: the same reviewer twice" broken rvdup reviewers.yaml \
	"s.replace('reviewers: []', 'reviewers:\\n' + '  - id: a\\n    name: A\\n    role: editor\\n    credentials: MD\\n' * 2)" \
	'duplicate reviewer'

# kb: the editorial workflow, on a copy with the tests' fictional reviewers
rm -rf "$tmp/rkb"
cp -r "$src/kb" "$tmp/rkb"
cp "$src/tests/data/reviewers.yaml" "$tmp/rkb/reviewers.yaml"
R="--kb $tmp/rkb --db sqlite:$tmp/review.db"
t "kb status on a new store: every item a draft" sh -c "'$ldn' kb status $R --state draft --format json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d[\"counts\"][\"draft\"] == len(d[\"items\"]) > 100, d[\"counts\"]'"
t "kb: an action without --as is a usage error" code 64 "$ldn" kb submit protocol.start --why x $R
t "kb: an unknown verb is a usage error" code 64 "$ldn" kb publish protocol.start $R
t "kb submit by an author" code 0 "$ldn" kb submit protocol.start --as test-author --why "drafted from the seed" $R
t "kb review by the same person is refused (65)" code 65 "$ldn" kb review protocol.start --as test-author --why x $R
t "and names who" has "who:" "$tmp/cerr"
t "kb review by a reviewer" code 0 "$ldn" kb review protocol.start --as test-reviewer-a --why "checking" $R
t "kb approve with a stale --version is refused" code 65 "$ldn" kb approve protocol.start --version 000000000000 --as test-reviewer-a --why x $R
t "and names version" has "version:" "$tmp/cerr"
t "kb approve without --version is a usage error (64)" code 64 "$ldn" kb approve protocol.start --as test-reviewer-a --why x $R
t "kb approve --all is a usage error (64)" code 64 "$ldn" kb approve --all --version 000000000000 --as test-reviewer-a --why x $R
v=$("$ldn" kb diff protocol.start --format json $R | python3 -c 'import json,sys; print(json.load(sys.stdin)["version"][:12])')
t "kb approve the version read" code 0 "$ldn" kb approve protocol.start --version "$v" --as test-reviewer-a --why "matches the sources" $R
t "kb status --state approved lists it" sh -c "'$ldn' kb status $R --state approved | grep -q 'approved .* statement/protocol.start'"
t "kb diff shows its history" sh -c "'$ldn' kb diff protocol.start $R | grep -q 'test-reviewer-a: matches the sources'"
t "kb submit --all submits every draft" sh -c "'$ldn' kb submit --all --as test-author --why batch $R 2>&1 | grep -q 'passed over'"
t "kb retire by a reviewer is refused" code 65 "$ldn" kb retire protocol.start --as test-reviewer-a --why x $R
t "the audit log verifies with the actions in it" code 0 "$ldn" audit verify --db "sqlite:$tmp/review.db"
t "plan --db marks the approved statement approved" sh -c "'$ldn' plan $AS $R --format json '$ex' | python3 -c 'import json,sys; d=json.load(sys.stdin); st=[x for s in d[\"sections\"] for x in s[\"statements\"]]; assert [x[\"review\"] for x in st if x[\"id\"]==\"protocol.start\"]==[\"approved\"]; assert all(x[\"review\"]!=\"approved\" for x in st if x[\"id\"]!=\"protocol.start\")'"

t "kb check: a side of a disagreement citing what its statement does not" broken disside \
	statements.yaml "s.replace('        cites: [droracle_381464]', '        cites: [goel2024]', 1)" \
	'which the statement does not'
t "kb check: a disagreement with one side" broken dis1 statements.yaml \
	"s.replace('      - position: \"resume 24 hours after the last opioid, at the previous dose\"\n        cites: [droracle_381464]\n', '', 1)" \
	'two or more sides'

# where sources disagree: each side with its citations, for clinicians
bf="$tmp/bf.json"
printf '{"id":"bf","age_years":30,"sex":"female","weight_kg":60,"pregnancy":"breastfeeding","opioid_analgesia_required":false,"medications":[],"conditions":[]}' > "$bf"
t "a clinician's JSON plan gives each side of a disagreement, citing the statement's own sources" sh -c "'$ldn' plan $AS --format json '$bf' | python3 -c 'import json,sys; d=json.load(sys.stdin); st=[x for s in d[\"sections\"] for x in s[\"statements\"] if x[\"id\"]==\"populations.breastfeeding\"][0]; sides=st[\"disagreement\"]; assert len(sides)==3 and all(set(x[\"citations\"])<=set(st[\"citations\"]) and x[\"position\"] for x in sides), st'"
t "and the text names them after the statement" sh -c "'$ldn' plan $AS '$bf' | tr -s ' \n' ' ' | grep -q 'Sources disagree: compatible: minimal transfer to the infant \[[0-9, ]*\]; caution \[[0-9]*\]; an absolute contraindication \[[0-9]*\]'"
t "a patient's plan has no disagreement member" sh -c "! '$ldn' plan $AS --format json --audience patient '$bf' | grep -q disagreement"

# an override of a default policy, stored with who and why
O="--db sqlite:$tmp/override.db"
t "patient add --policy without --why is a usage error (64)" code 64 "$ldn" patient add "$ex" $AS $O --policy periop_restart=24h
t "and names --why" has "^ldn: --why: periop_restart=24h departs from the default" "$tmp/cerr"
t "patient add --why with no override is a usage error (64)" code 64 "$ldn" patient add "$ex" $AS $O --why "just because"
t "patient add --policy --why stores the override" code 0 "$ldn" patient add "$ex" $AS $O --actor dr-lee --policy periop_restart=24h --why "anaesthetist restarts after 24 h"
cu=$src/tests/golden/co-use-tramadol-300/patient.json
t "patient add --policy opioid_co_use=relative stores a plan that keeps tramadol" code 0 "$ldn" patient add "$cu" $AS $O --actor dr-lee --policy opioid_co_use=relative --why "fibromyalgia clinic, consent recorded"
t "and next, for every audience, says the opioid is kept and LDN capped" sh -c "for a in clinician patient pharmacist; do '$ldn' next golden $AS $O --audience \$a --format json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d[\"opioid_kept\"] is True and \"0.5 mg\" in d[\"co_use_note\"], d' || exit 1; done"
t "the history names the override, who chose it and why" sh -c "'$ldn' history example-fibromyalgia --format json $O | python3 -c 'import json,sys; d=json.load(sys.stdin); o=d[\"plans\"][0][\"overrides\"]; assert o==[dict(o[0], policy=\"periop_restart\", value=\"24h\", by=\"dr-lee\", why=\"anaesthetist restarts after 24 h\")], o'"

# ask: follow-up questions from the knowledge base
t "ask --help documents --patient" sh -c "'$ldn' ask --help | grep -q -- --patient"
t "ask without a question is a usage error" code 64 "$ldn" ask
t "ask: tramadol finds the opioid statement" sh -c "'$ldn' ask 'Can she take tramadol for a flare?' | grep -q 'needs opioid analgesia'"
t "ask with a patient adds their washout date" sh -c "'$ldn' ask $AS --patient '$ex' 'How long after my last oxycodone?' --audience patient --format json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert any(\"2026-11-27\" in f[\"text\"] for f in d[\"for_patient\"]), d'"
t "ask: out of scope says it does not know" sh -c "'$ldn' ask --audience patient 'Tell me a joke' | grep -q 'do not have a checked answer'"
t "ask: an empty question exits 65" code 65 "$ldn" ask " "
t "and names QUESTION" has "QUESTION" "$tmp/cerr"
t "plan text lists follow-up questions" sh -c "'$ldn' plan $AS '$ex' | grep -q 'Questions you may want to ask next'"

# The pharmacist: the clinician's plan with a dispensing sheet
t "kb check: a form naming a warning that does not exist" broken fmwarn \
	formulations.yaml "s.replace('warnings: [capsule_split,', 'warnings: [capsule_splitt,', 1)" \
	"names no warning"
t "kb check: capsule strengths out of order" broken fmorder \
	formulations.yaml "s.replace('strengths_ug: [1000, 1500, 4500]', 'strengths_ug: [1500, 1000, 4500]', 1)" \
	"ascending order"
t "kb check: a capsule above the definition of LDN" broken fmcap \
	formulations.yaml "s.replace('strengths_ug: [1000, 1500, 4500]', 'strengths_ug: [1000, 1500, 50000]', 1)" \
	"whole number from 1 to 5000"
t "kb check: a storage the engine does not know" broken fmstore \
	formulations.yaml "s.replace('storage: refrigerated', 'storage: freezer', 1)" \
	"storage .freezer."
t "kb check: a form whose evidence no cited reference has" broken fmev \
	formulations.yaml "s.replace('evidence: observational', 'evidence: randomised-trial', 1)" \
	"not that of any reference"
t "kb check: a sheet without the patient's check boxes" broken fmchk \
	formulations.yaml "s.replace('  - who: patient', '  - who: pharmacist')" \
	"no check box for the patient"
t "kb check: a default form that does not exist" broken fmdef \
	formulations.yaml "s.replace('default: liquid', 'default: tablet', 1)" \
	"names no form"
t "plan --audience pharmacist adds the dispensing sheet" sh -c "'$ldn' plan $AS --audience pharmacist '$ex' | grep -q '^Dispensing sheet (pharmacist)'"
t "the pharmacist's json says pharmacist and holds the sheet" sh -c "'$ldn' plan $AS --audience pharmacist --format json '$ex' | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d[\"audience\"]==\"pharmacist\" and d[\"dispensing\"][\"steps\"][0][\"volume_ml\"]==1.5, d[\"dispensing\"]'"
t "the pharmacist's html holds the sheet" sh -c "'$ldn' plan $AS --audience pharmacist --format html '$ex' | grep -q 'id=\"dispensing\"'"
t "plan --formulation capsule makes each dose of whole capsules" sh -c "'$ldn' plan $AS --audience pharmacist --formulation capsule '$ex' | grep -q '2 x 1.5 mg + 1 x 1 mg'"
t "--formulation without --audience pharmacist exits 64" code 64 "$ldn" plan $AS --formulation capsule "$ex"
t "and names --formulation" has "formulation" "$tmp/cerr"
t "a concentration no source dates exits 64" code 64 "$ldn" plan $AS --audience pharmacist --formulation liquid:5 "$ex"
t "and says so" has "no source read dates" "$tmp/cerr"
t "an unknown form exits 64" code 64 "$ldn" plan $AS --audience pharmacist --formulation tablet "$ex"
t "--supply-days 0 exits 64" code 64 "$ldn" plan $AS --audience pharmacist --supply-days 0 "$ex"
t "--supply-days 367 exits 64" code 64 "$ldn" plan $AS --audience pharmacist --supply-days 367 "$ex"
t "a sheet in ics exits 64" code 64 "$ldn" plan $AS --audience pharmacist --format ics --formulation capsule "$ex"
t "a do-not-start plan gives no sheet, and says why" sh -c "'$ldn' plan $AS --audience pharmacist '$src/tests/golden/cirrhosis-ascites/patient.json' | grep -q 'No dispensing sheet: this plan says do not start'"
t "and its json names the blocking findings, with no steps" sh -c "'$ldn' plan $AS --audience pharmacist --format json '$src/tests/golden/cirrhosis-ascites/patient.json' | python3 -c 'import json,sys; d=json.load(sys.stdin)[\"dispensing\"]; assert d[\"available\"] is False and d[\"blocking\"]==[\"hepatic.decompensated\"] and \"steps\" not in d, d'"
t "ask --audience pharmacist answers in the clinician's words" sh -c "'$ldn' ask --audience pharmacist 'Can she take tramadol for a flare?' | grep -q 'needs opioid analgesia'"
t "and says so, labelled pharmacist, never clinician" sh -c "'$ldn' ask --audience pharmacist --format json 'Can she take tramadol for a flare?' | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d[\"audience\"] == \"pharmacist\" and d[\"note\"] and all(a[\"wording\"] == \"clinician\" and a[\"wording_why\"] for a in d[\"answers\"]), d'"
t "ask --audience pharmacist declines in the pharmacist's words" sh -c "'$ldn' ask --audience pharmacist 'Tell me a joke' | grep -q 'ask the prescriber before supplying'"
t "next --help documents --formulation and --supply-days" sh -c "'$ldn' next --help | grep -q -- --formulation && '$ldn' next --help | grep -q -- --supply-days"
t "kb check: a pharmacist's follow-up questions undecided" broken askphq ask.yaml \
	"s.replace('  questions:\n    words: clinician\n', '  questions_:\n    words: clinician\n', 1)" \
	'needs .questions.'
t "plan --help documents --formulation" sh -c "'$ldn' plan --help | grep -q -- --formulation"

echo "1..$n"
[ $failed -eq 0 ]
