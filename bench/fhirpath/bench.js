#!/usr/bin/env node
/*
 * The peer of bench/bench_fhir: FHIRPath.js (npm "fhirpath", R4 model) on the
 * same FHIR bundles, in the same output format.
 *
 *   node bench.js DIR [SECONDS [compiled|uncompiled]]
 *
 * Reads every *.json in DIR into memory as text, then for SECONDS (default 3,
 * rounded up to whole passes over the files) takes each bundle in turn,
 * round-robin: JSON.parse(text) and one FHIRPath expression, the RxNorm codes
 * of the medications the bundle orders.  Two loops, each for SECONDS:
 *   compiled    the expression compiled once, outside the loop
 *               (fhirpath.compile), then applied to each bundle
 *   uncompiled  fhirpath.evaluate(bundle, expression, ...) each time, which
 *               parses the expression again on every call
 * A third argument runs one of them alone.  Each line gives bundles per
 * second, MB/s (10^6 bytes of bundle text read per second) and microseconds
 * per bundle; the faster line is the peer's figure.  Before timing, one pass
 * checks that both ways give the same codes and prints how many there are.
 */
'use strict';

const fs = require('fs');
const path = require('path');
const fhirpath = require('fhirpath');
const r4 = require('fhirpath/fhir-context/r4');

const EXPR =
  "Bundle.entry.resource.ofType(MedicationRequest).medicationCodeableConcept" +
  ".coding.where(system='http://www.nlm.nih.gov/research/umls/rxnorm').code";

const dir = process.argv[2];
const secs = process.argv[3] ? Number(process.argv[3]) : 3;
const only = process.argv[4];
if (!dir || !(secs > 0) || (only && only !== 'compiled' && only !== 'uncompiled')) {
  process.stderr.write('usage: node bench.js DIR [SECONDS [compiled|uncompiled]]\n');
  process.exit(64);
}

// Every *.json in dir, sorted by name like bench_fhir; the byte count is the
// file's size, as on the C side, not the length of the decoded string.
const bundles = fs.readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => {
    const buf = fs.readFileSync(path.join(dir, f));
    return { file: f, text: buf.toString('utf8'), len: buf.length };
  });
if (bundles.length === 0) {
  process.stderr.write(`bench.js: no *.json in ${dir}\n`);
  process.exit(66);
}
const total = bundles.reduce((s, b) => s + b.len, 0);
console.log(`input: ${dir} (${bundles.length} bundles, ${total} bytes)`);

const compiled = fhirpath.compile(EXPR, r4);
const ways = {
  compiled: (text) => compiled(JSON.parse(text)),
  uncompiled: (text) => fhirpath.evaluate(JSON.parse(text), EXPR, null, r4),
};

// One untimed pass: both ways must agree, and find something to agree on.
let codes = 0;
for (const b of bundles) {
  const a = ways.compiled(b.text);
  const u = ways.uncompiled(b.text);
  if (JSON.stringify(a) !== JSON.stringify(u)) {
    process.stderr.write(`bench.js: ${b.file}: compiled and uncompiled differ\n`);
    process.exit(70);
  }
  codes += a.length;
}
console.log(`rxnorm codes found: ${codes} in one pass`);

// Whole passes for at least secs seconds; the results' lengths are summed
// so that the work cannot be dropped as unused.
function rate(name, op) {
  for (const b of bundles) op(b.text); // warm up the JIT on every bundle
  let ops = 0;
  let bytes = 0;
  let sink = 0;
  let t;
  const t0 = process.hrtime.bigint();
  do {
    for (const b of bundles) {
      sink += op(b.text).length;
      bytes += b.len;
      ops++;
    }
    t = Number(process.hrtime.bigint() - t0) / 1e9;
  } while (t < secs);
  if (sink !== codes * (ops / bundles.length)) {
    process.stderr.write(`bench.js: ${name}: results changed while timing\n`);
    process.exit(70);
  }
  const fmt = (x, w, d) => x.toFixed(d).padStart(w);
  console.log(`${name.padEnd(20)} ${fmt(ops / t, 10, 1)} bundles/s ` +
    `${fmt(bytes / t / 1e6, 10, 2)} MB/s ${fmt(1e6 * t / ops, 10, 1)} us/bundle`);
}

for (const name of ['compiled', 'uncompiled']) {
  if (!only || only === name)
    rate(`fhirpath ${name}`, ways[name]);
}
