#!/usr/bin/env node
/*
 * The web page in a real browser: a real `ldn serve` on a free port with a
 * scratch SQLite store and a clinician's token, Debian's chromium driven
 * by playwright-core (never a downloaded browser).  Fills the intake, sees
 * a field error for bad input, gets a plan, follows a citation, sees where
 * sources disagree, switches audience, makes a pharmacist's dispensing
 * sheet (a form, a supply, a refused supply, a do-not-start plan with no
 * sheet), opens the print view, saves the patient (and, saved twice,
 * issues them a new plan), records visits and sees the chart change; answers held back until a newer request is
 * shown never replace it (a plan, an answer, another patient's next
 * step and history); no console errors, failed requests or page
 * errors beyond the one bad request it makes on purpose.  TAP; the
 * screenshots go to BUILD_DIR/meson-logs/web/.
 *
 *   node tests/web/web.mjs LDN_BINARY SOURCE_ROOT BUILD_DIR
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const [ldn, src, build] = process.argv.slice(2);
const t0 = Date.now();
let n = 0, failed = 0;

function ok(cond, desc, why) {
  n++;
  console.log(`${cond ? 'ok' : 'not ok'} ${n} - ${desc} # ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  if (!cond) {
    failed++;
    /* the reasons go to stderr too: meson prints a failed test's stderr,
     * not its TAP comments, so CI's log then says why */
    const lines = String(why === undefined ? '' : why).split('\n').slice(0, 8);
    for (const line of lines) console.log('#   ' + line);
    console.error(`not ok ${n} - ${desc}\n` + lines.map((l) => '    ' + l).join('\n'));
  }
  return cond;
}

/* A GET on a connection of its own (closed after), so none is left open
 * to hold up the server's graceful stop. */
function get(url, headers) {
  return new Promise((resolve, reject) => {
    http.get(url, { agent: false, headers: headers || {} }, (r) => {
      let body = '';
      r.setEncoding('utf8');
      r.on('data', (d) => { body += d; });
      r.on('end', () => resolve({ status: r.statusCode, headers: { get: (k) => r.headers[k.toLowerCase()] || null },
        json: async () => JSON.parse(body) }));
    }).on('error', reject);
  });
}

/* A POST of a JSON body with the test's token, on a connection of its own:
 * the JSON answer. */
function post(url, body, auth) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent: false,
      headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + auth } }, (r) => {
      let text = '';
      r.setEncoding('utf8');
      r.on('data', (d) => { text += d; });
      r.on('end', () => {
        try {
          resolve({ status: r.statusCode, data: JSON.parse(text) });
        } catch (err) {
          reject(err);
        }
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

function bail(msg) {
  console.log('1..' + (n + 1));
  console.log(`not ok ${n + 1} - ${msg}`);
  process.exit(1);
}

const require = createRequire(path.join(src, 'tests', 'web', 'package.json'));
let chromium;
try {
  ({ chromium } = require('playwright-core'));
} catch (err) {
  bail('playwright-core is not installed: run scripts/setup.sh (npm ci in tests/web): ' + err.message);
}
const browserPath = process.env.LDN_CHROMIUM || '/usr/bin/chromium';
if (!fs.existsSync(browserPath)) bail(`${browserPath} is missing: run scripts/setup.sh (apt package chromium)`);

const shots = path.join(build, 'meson-logs', 'web');
fs.rmSync(shots, { recursive: true, force: true }); /* no stale pictures */
fs.mkdirSync(shots, { recursive: true });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ldn-web-'));
const db = 'sqlite:' + path.join(tmp, 'web.db');
const made = spawnSync(ldn, ['token', 'add', 'web-test', '--role', 'clinician', '--db', db], { encoding: 'utf8' });
const token = made.stdout.trim();
ok(/^[0-9a-f]{64}$/.test(token), 'a clinician token for the test', made.stderr);
/* The knowledge base is a copy with the fictional reviewers of
 * tests/data/reviewers.yaml, and one statement acted on in an earlier
 * version: submitted, then its patient words changed, so that the review
 * screen has a difference to show. */
const kb = path.join(tmp, 'kb');
fs.cpSync(path.join(src, 'kb'), kb, { recursive: true });
fs.copyFileSync(path.join(src, 'tests/data/reviewers.yaml'), path.join(kb, 'reviewers.yaml'));
const early = spawnSync(ldn, ['kb', 'submit', 'definition.mechanism', '--as', 'test-author', '--why', 'first draft',
  '--kb', kb, '--db', db], { encoding: 'utf8' });
const stmts = path.join(kb, 'statements.yaml');
const before = fs.readFileSync(stmts, 'utf8');
fs.writeFileSync(stmts, before.replace('This is not fully proven."', 'This is not yet fully proven."'));
ok(early.status === 0 && fs.readFileSync(stmts, 'utf8') !== before, 'a statement acted on, then changed, in a copy of kb/',
  early.stderr);
/* Statements approved before the page opens, so that the patient's
 * version (which leaves out what is not approved) has words to show. */
const approvals = [];
/* (and a third, one whose sources disagree: the patient's version then
 * shows it without the disagreement) */
for (const id of ['definition.low_dose_range', 'definition.tenth_of_standard', 'definition.very_low_dose']) {
  /* an approval names the version read */
  const item = spawnSync(ldn, ['kb', 'diff', id, '--format', 'json', '--kb', kb, '--db', db], { encoding: 'utf8' });
  const version = item.status === 0 ? JSON.parse(item.stdout).version : '';
  for (const [verb, who] of [['submit', 'test-author'], ['review', 'test-reviewer-a'], ['approve', 'test-reviewer-a']]) {
    approvals.push(spawnSync(ldn, ['kb', verb, id, '--as', who, '--why', 'checked for the browser test', '--kb', kb, '--db', db,
      ...(verb === 'approve' ? ['--version', version] : [])], { encoding: 'utf8' }));
  }
}
ok(approvals.every((r) => r.status === 0), 'three statements approved with ldn kb', approvals.map((r) => r.stderr).join(''));
const reviewerTokens = {};
for (const who of ['test-reviewer-a', 'test-reviewer-b']) {
  reviewerTokens[who] = spawnSync(ldn, ['token', 'add', who, '--role', 'reviewer', '--db', db], { encoding: 'utf8' }).stdout.trim();
}
const docs = path.join(tmp, 'docs');
fs.mkdirSync(docs);
fs.writeFileSync(path.join(docs, 'editorial-policy.md'), '# Editorial policy (a copy for the browser test)\n');

/* The plan is dated 2026-10-01 by the server, so visits after it are in
 * the past whatever day the test runs. */
const server = spawn(ldn, ['serve', '--port', '0', '--db', db, '--as-of', '2026-10-01', '--threads', '2',
  '--web', path.join(src, 'web'), '--kb', kb, '--docs', docs], { stdio: ['ignore', 'pipe', 'pipe'] });
let serverErr = '';
server.stderr.on('data', (d) => { serverErr += d; });
const port = await new Promise((resolve) => {
  let out = '';
  const timer = setTimeout(() => resolve(0), 15000);
  server.stdout.on('data', (d) => {
    out += d;
    const m = /listening on http:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
    if (m) {
      clearTimeout(timer);
      resolve(Number(m[1]));
    }
  });
  server.on('exit', () => resolve(0));
});
if (!ok(port > 0, 'ldn serve listens on a free port', serverErr)) {
  server.kill('SIGTERM');
  bail('no server');
}
const base = `http://127.0.0.1:${port}`;

/* The files as served: types, caching, the policy. */
{
  const r = await get(base + '/');
  const csp = r.headers.get('content-security-policy') || '';
  ok(r.status === 200 && r.headers.get('content-type').startsWith('text/html') &&
     csp.includes("default-src 'self'") && !csp.includes('unsafe-inline') &&
     r.headers.get('cache-control') === 'no-cache' && r.headers.get('etag'),
     'GET / is the page, with a strict Content-Security-Policy, no-cache and an ETag',
     [r.status, r.headers.get('content-type'), csp, r.headers.get('cache-control')].join('\n'));
  const again = await get(base + '/web/app.js', { 'If-None-Match': (await get(base + '/web/app.js')).headers.get('etag') });
  ok(again.status === 304, 'a current copy is revalidated with 304', again.status);
  const js = await get(base + '/web/app.js');
  const css = await get(base + '/web/app.css');
  ok(js.headers.get('content-type').startsWith('text/javascript') && css.headers.get('content-type').startsWith('text/css'),
     'scripts and styles have their content types');
  const missing = await get(base + '/web/../kb/numbers.yaml');
  const other = await get(base + '/web/numbers.yaml');
  ok(other.status === 404 && missing.status === 404, 'only the page\'s own files are served', [other.status, missing.status]);
}

const browser = await chromium.launch({
  executablePath: browserPath,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
const consoleErrors = [], pageErrors = [], failedRequests = [], badResponses = [], offsite = [];
context.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
context.on('weberror', (e) => pageErrors.push(e.error().message));
context.on('requestfailed', (r) => failedRequests.push(r.url() + ' ' + (r.failure() || {}).errorText));
context.on('request', (r) => { if (!r.url().startsWith(base)) offsite.push(r.url()); });
context.on('response', (r) => { if (r.status() >= 400) badResponses.push(`${r.request().method()} ${new URL(r.url()).pathname} ${r.status()}`); });
await context.addInitScript(() => { window.__printed = 0; window.print = () => { window.__printed++; }; });

/* Without a token (a tab of its own: the token is kept per tab), the
 * page asks for one where it is entered. */
{
  const bare = await context.newPage();
  await bare.goto(base + '/');
  await bare.waitForSelector('body[data-ready="true"]', { timeout: 10000 });
  await bare.click('#get-plan');
  await bare.waitForFunction(() => document.activeElement && document.activeElement.id === 'token', null, { timeout: 10000 });
  ok(await bare.getAttribute('#token', 'aria-invalid') === 'true' && (await bare.innerText('#form-errors')).includes('access token'),
     'without a token the page asks for one at the token field');
  await bare.close();
}
/* LDN_WEB_SLOWDOWN=N runs the page's scripts N times slower (Chromium's
 * CPU throttling), to shake out races between the page and the API. */
const slowdown = Number(process.env.LDN_WEB_SLOWDOWN || 1);
const newPage = async () => {
  const p = await context.newPage();
  if (slowdown > 1) await (await context.newCDPSession(p)).send('Emulation.setCPUThrottlingRate', { rate: slowdown });
  return p;
};
const page = await newPage();

const shot = (name) => page.screenshot({ path: path.join(shots, name + '.png'), fullPage: true });
/* Words a missing value would leave on the page. */
const strays = [];
const noStrays = async (where) => {
  const t = await page.evaluate(() => document.body.innerText);
  const m = t.match(/.{0,40}\b(null|undefined|NaN|\[object Object\])\b.{0,40}/);
  if (m) strays.push(`${where}: ${m[0]}`);
  const dupes = await page.evaluate(() => {
    const seen = new Set(), twice = new Set();
    for (const e of document.querySelectorAll('[id]')) (seen.has(e.id) ? twice : seen).add(e.id);
    return Array.from(twice);
  });
  if (dupes.length) strays.push(`${where}: ids used twice: ${dupes.join(' ')}`);
};
const text = (sel) => page.locator(sel).first().innerText();
/* Hold back the page's requests that `held` picks, on the routes that
 * `route` picks, until the returned function is called: it lets them go,
 * waits for their answers to arrive and be read, and removes the route. */
const holdBack = async (route, held) => {
  let release;
  const gate = new Promise((resolve) => { release = resolve; });
  const waiting = [];
  await page.route(route, async (r) => {
    if (held(r.request())) {
      waiting.push(r.request());
      await gate;
    }
    await r.continue();
  });
  return async () => {
    release();
    await Promise.all(waiting.map(async (q) => (await q.response()).finished()));
    /* a moment for the page to act on them, if it would */
    await page.waitForTimeout(200);
    await page.unroute(route);
    return waiting.length;
  };
};
let pharmacistSheet = false; /* the API offers the pharmacist's sheet: one bad supply is asked for */
/* WCAG AA: 4.5:1 for text (3:1 at 24px, or 18.66px bold), each text
 * element's colour against the first opaque background behind it. */
const contrastCheck = () => {
  const rgb = (s) => (s.match(/[\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const bg = (e) => {
    for (; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || c[3] === 1) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const bad = [];
  for (const e of document.querySelectorAll('body *')) {
    const own = Array.from(e.childNodes).some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own || !e.getClientRects().length || e.closest('svg')) continue;
    const st = getComputedStyle(e);
    const a = lum(rgb(st.color)), b = lum(bg(e));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(st.fontSize), bold = Number(st.fontWeight) >= 700;
    const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    if (ratio < need) bad.push(`${e.tagName}.${e.className} ${ratio.toFixed(2)}: ${e.textContent.trim().slice(0, 30)}`);
  }
  return bad;
};

try {
  await page.goto(`${base}/#token=${token}`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 10000 });
  ok(await page.evaluate(() => location.hash === '' && sessionStorage.getItem('ldn-token')) === token,
     'the token moves from the address to sessionStorage');
  const unlabelled = await page.evaluate(() => Array.from(document.querySelectorAll('input, select, textarea'))
    .filter((c) => c.type !== 'hidden' && c.labels.length === 0 && !c.getAttribute('aria-label')).map((c) => c.id || c.name));
  ok(unlabelled.length === 0, 'every control has a label', unlabelled.join(', '));
  await page.keyboard.press('Tab');
  const focus = await page.evaluate(() => {
    const e = document.activeElement;
    return { cls: e.className, outline: getComputedStyle(e).outlineStyle, left: e.getBoundingClientRect().left };
  });
  ok(focus.cls === 'skip' && focus.outline !== 'none' && focus.left >= 0,
     'the first Tab reaches a visible "skip to the content" link with a focus outline', JSON.stringify(focus));

  /* Intake with a bad pain score: the API's error lands by the field. */
  await page.fill('#f-id', 'web-test-0');
  await page.fill('#f-birth_date', '1970-05-01');
  await page.selectOption('#f-sex', 'female');
  await page.fill('#f-weight_kg', '70');
  await page.selectOption('#f-pregnancy', 'none');
  await page.fill('#f-baseline_pain', '11');
  await page.selectOption('#f-opioid_analgesia_required', 'false');
  await page.selectOption('#f-occult_opioid_use_suspected', 'false');
  await page.selectOption('#f-sensitive', 'false');
  await page.click('button[data-add="conditions"]');
  await page.selectOption('#f-conditions-0-system', 'icd10');
  await page.fill('#f-conditions-0-code', 'M79.7');
  await page.fill('#f-conditions-0-display', 'Fibromyalgia');
  await page.selectOption('#f-conditions-0-status', 'active');
  await page.check('#f-medications-complete');
  await page.click('button[data-add="medications"]');
  await page.fill('#f-medications-0-name', 'Duloxetine 60 mg');
  await page.selectOption('#f-medications-0-status', 'active');
  await page.click('#get-plan');
  await page.waitForSelector('#f-baseline_pain-err:not([hidden])', { timeout: 10000 });
  const err = await text('#f-baseline_pain-err');
  ok(err.includes('/baseline_pain') && await page.getAttribute('#f-baseline_pain', 'aria-invalid') === 'true' &&
     await page.evaluate(() => document.activeElement.id) === 'f-baseline_pain',
     'bad input: the API\'s error is shown beside the field it names, which takes focus', err);
  await shot('1-field-error');

  /* A good plan: decision first, then the article with citations. */
  await page.fill('#f-baseline_pain', '7');
  await page.click('#get-plan');
  await page.waitForSelector('#plan-view .decision', { timeout: 10000 });
  ok(!(await page.isVisible('#f-baseline_pain-err')), 'the field error clears when the input is fixed');
  const firstKid = await page.evaluate(() => {
    const kids = Array.from(document.querySelectorAll('#plan-view > *')).map((e) => e.className || e.tagName);
    return kids.indexOf('decision decision-start') < kids.indexOf('article');
  });
  ok(firstKid && (await text('#plan-view .decision')).includes('Decision: start'), 'the decision and its date come before the article',
     await text('#plan-view .decision'));
  const counts = await page.evaluate(() => ({
    sections: document.querySelectorAll('#plan-view section.article').length,
    badges: document.querySelectorAll('#plan-view .statement .badge[class*="ev-"]').length,
    review: document.querySelectorAll('#plan-view .statement .review-pending').length,
    policy: document.querySelectorAll('#plan-view a.policy-link[href="/docs/editorial-policy"]').length,
    withheld: document.querySelectorAll('#plan-view details.withheld li').length,
    doi: document.querySelectorAll('#plan-view .refs a[href^="https://doi.org/"]').length,
    pubmed: document.querySelectorAll('#plan-view .refs a[href^="https://pubmed.ncbi.nlm.nih.gov/"]').length,
    updated: /last updated \d{4}-\d\d-\d\d/.test(document.querySelector('#plan-view .review-line').textContent),
  }));
  ok(counts.sections >= 10 && counts.badges > 20 && counts.review > 0 && counts.doi > 5 && counts.pubmed > 5 && counts.updated &&
     counts.policy === 1 && counts.withheld === counts.review,
     'sections with evidence badges, "pending review" marks, what the patient\'s version leaves out, the editorial policy, ' +
     'last-updated date, DOI and PubMed links', JSON.stringify(counts));
  /* Where sources disagree, each side with its citation numbers, as the
   * plan's JSON gives them. */
  const disagreements = () => page.evaluate(() => (state.plan.sections || []).flatMap((sec) => sec.statements)
    .filter((st) => Array.isArray(st.disagreement) && st.disagreement.length).map((st) => {
      const e = document.getElementById('st-' + st.id).querySelector('.disagree');
      return { id: st.id, sides: st.disagreement, shown: e ? e.textContent : '',
        links: e ? Array.from(e.querySelectorAll('.cites a')).map((a) => a.textContent) : [],
        dangling: e ? Array.from(e.querySelectorAll('.cites a')).filter((a) => !document.querySelector(a.getAttribute('href'))).length : 0 };
    }));
  const sidesShown = (list) => list.length >= 1 && list.every((d) => d.sides.length >= 2 && d.shown.startsWith('Sources disagree: ') &&
    d.sides.every((side) => d.shown.includes(side.position)) && d.dangling === 0 &&
    JSON.stringify(d.links) === JSON.stringify(d.sides.flatMap((side) => side.citations.map(String))));
  const clinicianDisagree = await disagreements();
  ok(sidesShown(clinicianDisagree) && clinicianDisagree.some((d) => d.id === 'definition.very_low_dose') &&
     await page.locator('#plan-view .disagree').count() === clinicianDisagree.length,
     'clinician: where sources disagree, each side is shown with its citation numbers', JSON.stringify(clinicianDisagree).slice(0, 600));
  const pendingText = await text('#plan-view .statement .review-pending');
  const policy = await get(base + '/docs/editorial-policy');
  ok(/^Pending review \(draft\)$/.test(pendingText) && policy.status === 200 &&
     policy.headers.get('content-type') === 'text/plain; charset=utf-8',
     'the mark says "pending review" in words, and the policy link is served', `${pendingText} ${policy.status}`);
  const cite = page.locator('#sec-protocol .cites a').first();
  const target = (await cite.getAttribute('href')).slice(1);
  await cite.click();
  ok(await page.evaluate((id) => location.hash === '#' + id && document.getElementById(id).matches(':target') &&
     document.getElementById(id).closest('ol.refs') !== null, target),
     'a numbered citation jumps to its entry in the reference list', target);
  await shot('2-plan-clinician');
  await noStrays('plan');
  const lowContrast = await page.evaluate(contrastCheck);
  ok(lowContrast.length === 0, 'every text meets WCAG AA contrast against its background', lowContrast.slice(0, 8).join('\n'));
  await page.locator('#plan-h').scrollIntoViewIfNeeded();
  await page.evaluate(() => document.querySelector('#plan-h').scrollIntoView());
  await page.screenshot({ path: path.join(shots, '2-plan-top.png') });

  /* Presets, offered exactly as the API's preset parameter lists them. */
  const spec = await (await get(base + '/api/v1/openapi.json')).json();
  const planParams = spec.paths['/api/v1/plan'].post.parameters;
  const presetParam = planParams.find((p) => p.name === 'preset');
  if (presetParam) {
    const ids = presetParam.schema.enum;
    const options = await page.$$eval('#preset option', (os) => os.map((o) => o.value).filter(Boolean));
    const before = await text('#plan-view .protocol');
    const other = ids.find((id) => id !== 'seed' && id !== 'child');
    await page.selectOption('#preset', other);
    await page.waitForFunction((b) => document.querySelector('#plan-view .protocol').textContent !== b, before, { timeout: 10000 });
    const after = await text('#plan-view .protocol');
    await page.selectOption('#preset', '');
    await page.waitForFunction((b) => document.querySelector('#plan-view .protocol').textContent === b, before, { timeout: 10000 });
    ok(JSON.stringify(options) === JSON.stringify(ids) && after !== before,
       `the preset list is the API's, and choosing ${other} re-makes the plan with it`, `${options}\n${before}\n${after}`);
  } else {
    ok(await page.isHidden('#preset-field'), 'no preset choice while the API has none');
  }

  /* The question box, offered exactly when the API has POST /api/v1/ask. */
  if (spec.paths['/api/v1/ask']) {
    const follow = await page.evaluate(() => state.plan.follow_up || []);
    const buttons = await page.locator('#ask-suggested button.suggest').allInnerTexts();
    ok(buttons.length === follow.length && buttons.length >= 1 && buttons[0] === follow[0].question,
       'the plan\'s suggested questions are offered as buttons', buttons.join('\n'));
    await page.locator('#ask-suggested button.suggest').first().click();
    await page.waitForSelector('#ask-answer ul.answers li', { timeout: 10000 });
    const first = await page.getAttribute('#ask-answer ul.answers li', 'data-id');
    const cited = await page.locator('#ask-answer .cites a').first().getAttribute('href');
    ok(follow[0].answered_by.includes(first) && await page.locator(cited).count() === 1 &&
       await page.isVisible('#ask-answer ol.refs'),
       'asking one gives its answer with citations into its own source list', `${first} ${cited}`);
    await page.locator('#ask').screenshot({ path: path.join(shots, '2b-ask.png') });
    await noStrays('answer');

    /* A question asked while an earlier one is still being answered: the
     * earlier answer, held back here, must not replace the later one. */
    const later = 'How long before surgery should LDN be stopped?';
    const direct = await post(`${base}/api/v1/ask`, JSON.stringify({ question: later, audience: 'clinician' }), token);
    const laterFirst = ((direct.data.answers || [])[0] || {}).id;
    const firstQ = (r) => new URL(r.url()).pathname === '/api/v1/ask' && (r.postData() || '').includes(JSON.stringify(follow[0].question));
    const letGo = await holdBack((url) => url.pathname === '/api/v1/ask', firstQ);
    await page.locator('#ask-suggested button.suggest').first().click();
    await page.fill('#ask-q', later);
    await page.click('#ask-form button[type="submit"]');
    await page.waitForFunction((id) => {
      const li = document.querySelector('#ask-answer ul.answers li');
      return li && li.dataset.id === id;
    }, laterFirst, { timeout: 10000 });
    const heldAsks = await letGo();
    const shownId = await page.getAttribute('#ask-answer ul.answers li', 'data-id');
    ok(heldAsks === 1 && laterFirst && laterFirst !== first && shownId === laterFirst,
       'a later question\'s answer stays when the earlier question\'s answer comes back after it', `${first} ${laterFirst} ${shownId}`);
  } else {
    ok(await page.isHidden('#ask'), 'no question box while the API has no POST /api/v1/ask');
  }

  /* Which best describes you? The words change. */
  const clinicianWords = await text('#sec-definition .statement');
  const clinicianTitle = await text('#sec-definition h3');
  await page.click('#audience input[value="patient"]');
  await page.waitForFunction((w) => {
    const s = document.querySelector('#sec-definition .statement');
    return s && s.textContent !== w;
  }, clinicianWords, { timeout: 10000 });
  const patientWords = await text('#sec-definition .statement');
  ok(patientWords !== clinicianWords && (await text('#sec-definition h3')) !== clinicianTitle,
     'switching to patient re-renders the statements and headings in the patient\'s words',
     clinicianWords + '\n' + patientWords);
  ok(await page.locator('#plan-view .withheld-notice').count() === 1 && await page.locator('#plan-view details.withheld').count() === 0,
     'the patient is told that some information waits for review, without the clinician\'s list');
  ok(await page.locator('[id="st-definition.very_low_dose"]').count() === 1 && await page.locator('#plan-view .disagree').count() === 0 &&
     (await disagreements()).length === 0,
     'patient: a statement whose sources disagree is shown without the disagreement (the JSON gives a patient none)');
  await shot('3-plan-patient');
  await noStrays('patient plan');

  /* The handout: print media leaves the calendar and what to report. */
  await page.click('#print-handout');
  await page.waitForFunction(() => window.__printed === 1, null, { timeout: 10000 });
  await page.emulateMedia({ media: 'print' });
  const print = await page.evaluate(() => ({
    intake: getComputedStyle(document.querySelector('#intake')).display,
    plan: getComputedStyle(document.querySelector('#plan-view')).display,
    handout: getComputedStyle(document.querySelector('#handout')).display,
    calendar: document.querySelectorAll('#handout table.schedule tbody tr').length,
    report: document.querySelector('#handout .report').textContent.length,
    /* every citation lands in the handout's own list, which holds only what it cites */
    dangling: Array.from(document.querySelectorAll('#handout .cites a'))
      .filter((a) => !document.querySelector('#handout ' + a.getAttribute('href'))).length,
    refs: document.querySelectorAll('#handout ol.refs li').length,
    cited: new Set(Array.from(document.querySelectorAll('#handout .cites a')).map((a) => a.getAttribute('href'))).size,
  }));
  ok(print.intake === 'none' && print.plan === 'none' && print.handout === 'block' && print.calendar >= 5 && print.report > 100 &&
     print.dangling === 0 && print.refs === print.cited,
     'the print view holds only the handout: dose calendar and what to report', JSON.stringify(print));
  await shot('4-print-handout');
  await noStrays('handout');
  await page.emulateMedia({ media: 'screen' });

  /* The calendar: offered exactly when the API's format offers ics. */
  const formats = planParams.find((p) => p.name === 'format').schema.enum;
  if (formats.includes('ics')) {
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 10000 }), page.click('#download-ics')]);
    const ics = fs.readFileSync(await download.path(), 'utf8');
    ok(download.suggestedFilename() === 'ldn-plan-web-test-0.ics' && ics.startsWith('BEGIN:VCALENDAR') &&
       (ics.match(/BEGIN:VEVENT/g) || []).length >= 5,
       'the .ics download is a calendar with the dose steps', download.suggestedFilename() + '\n' + ics.slice(0, 300));
  } else {
    ok(await page.isHidden('#download-ics'), 'no .ics download while the API has no format=ics');
  }

  /* The pharmacist, offered exactly when the API lists the audience: the
   * clinician's words, with the dispensing sheet. */
  if (planParams.find((p) => p.name === 'audience').schema.enum.includes('pharmacist')) {
    pharmacistSheet = true;
    await page.click('#audience input[value="pharmacist"]');
    await page.waitForSelector('#plan-view #dispensing table tbody tr', { timeout: 10000 });
    const sheet = await text('#plan-view #dispensing');
    ok(/1\.5 mL|1\.50 mL/.test(sheet) && /fill/.test(sheet) && (await text('#sec-definition .statement')) === clinicianWords,
       'pharmacist: the clinician\'s words with the dispensing sheet (mL per dose, fills)', sheet.slice(0, 300));
    const pharmacistDisagree = await disagreements();
    ok(sidesShown(pharmacistDisagree) && pharmacistDisagree.length === clinicianDisagree.length,
       'pharmacist: the disagreements are shown as for the clinician', JSON.stringify(pharmacistDisagree).slice(0, 300));

    /* The dosage forms offered are those GET /api/v1/kb lists. */
    const kbForms = (await (await get(base + '/api/v1/kb', { Authorization: 'Bearer ' + token })).json()).formulations || [];
    const formOptions = await page.$$eval('#formulation option', (os) => os.map((o) => o.value));
    const defaultForm = (kbForms.find((f) => f.default) || {}).id;
    ok(await page.isVisible('#dispense-options') && kbForms.length >= 2 && kbForms.every((f) => formOptions.includes(f.id)) &&
       formOptions.every((v) => kbForms.some((f) => v === f.id || v.startsWith(f.id + ':'))) &&
       await page.inputValue('#formulation') === defaultForm,
       'pharmacist: the dosage forms offered are those of GET /api/v1/kb, the default chosen',
       JSON.stringify({ kb: kbForms.map((f) => f.id), formOptions, defaultForm }));

    /* A supply the API refuses: its error by the field, which takes
     * focus, and no sheet left on the screen. */
    await page.fill('#supply-days', '0');
    await page.press('#supply-days', 'Tab');
    await page.waitForSelector('#supply-days-err:not([hidden])', { timeout: 10000 });
    const supplyErr = await text('#supply-days-err');
    ok(supplyErr.startsWith('supply_days:') && await page.getAttribute('#supply-days', 'aria-invalid') === 'true' &&
       await page.evaluate(() => document.activeElement.id) === 'supply-days' &&
       (await page.getAttribute('#supply-days', 'aria-describedby')).split(' ').includes('supply-days-err') &&
       await page.locator('#plan-view #dispensing').count() === 0,
       'a supply of 0 days: the API\'s error is shown beside the field, which takes focus, and no sheet is left', supplyErr);

    /* 60 days of a liquid: the first step's mL (to 0.01 mL) and the
     * fills are the JSON API's for the same body and choices. */
    await page.fill('#supply-days', '60');
    await page.press('#supply-days', 'Tab');
    await page.waitForSelector('#plan-view #dispensing table.dispense-steps', { timeout: 10000 });
    ok(await page.isHidden('#supply-days-err') && await page.getAttribute('#supply-days', 'aria-invalid') === null,
       'fixing the supply remakes the sheet and clears the error');
    const liquid = kbForms.find((f) => f.kind === 'liquid') || {};
    const capsule = kbForms.find((f) => f.kind === 'capsule');
    const formLine = (label) => page.waitForFunction((l) => {
      const e = document.querySelector('#dispensing .form-line');
      return e && e.textContent.startsWith(l);
    }, label, { timeout: 10000 });
    if (capsule) {
      await page.selectOption('#formulation', capsule.id);
      await formLine(capsule.label);
    }
    await page.selectOption('#formulation', liquid.id);
    await formLine(liquid.label);
    const body = await page.evaluate(() => state.req.body);
    const answer = await post(`${base}/api/v1/plan?audience=pharmacist&formulation=${liquid.id}&supply_days=60`, body, token);
    const d = answer.data.dispensing || { steps: [], beyond_use: [], supply: {} };
    const firstStep = d.steps.findIndex((st) => st.dose_mg > 0);
    const want = {
      first: firstStep < 0 ? '' : (d.steps[firstStep].volume_ul / 1000).toFixed(2) + ' mL',
      fills: d.beyond_use.map((b) => `${b.storage}:${b.fills.length}`).join(' '),
    };
    const shown = await page.evaluate((i) => ({
      first: (document.querySelectorAll('#dispensing table.dispense-steps tbody tr')[i] || { cells: [] }).cells[3]?.textContent,
      fills: Array.from(document.querySelectorAll('#dispensing table.fills'))
        .map((t) => `${t.dataset.storage}:${t.querySelectorAll('tbody tr').length}`).join(' '),
      supply: document.querySelector('#dispensing .supply').textContent,
    }), firstStep);
    ok(answer.status === 200 && d.supply.days === 60 && /^\d+\.\d\d mL$/.test(shown.first) && shown.first === want.first &&
       shown.fills === want.fills && want.fills.length > 0 && shown.supply.startsWith('Supply: 60 days'),
       `liquid for 60 days: the first step's mL and the fills per storage are the API's (${want.first}; ${want.fills})`,
       JSON.stringify({ shown, want, status: answer.status }));
    const sheetContrast = await page.evaluate(contrastCheck);
    ok(sheetContrast.length === 0 && await page.locator('#dispensing .checks input[type="checkbox"]').count() === d.checks.length &&
       await page.evaluate(() => Array.from(document.querySelectorAll('#dispensing .checks input')).every((c) => c.labels.length === 1)),
       'the sheet: a labelled check box per check, and AA contrast', sheetContrast.slice(0, 8).join('\n'));
    await shot('3b-plan-pharmacist');
    await page.locator('#dispense-options').screenshot({ path: path.join(shots, '3b-dispense-options.png') });
    await page.locator('#dispensing').screenshot({ path: path.join(shots, '3b-dispensing.png') });
    await noStrays('pharmacist plan');

    /* A do-not-start plan (opioid pain relief needed now) has no sheet,
     * and says why. */
    await page.selectOption('#f-opioid_analgesia_required', 'true');
    await page.click('#get-plan');
    await page.waitForSelector('#plan-view .decision-do-not-start', { timeout: 10000 });
    const none = await page.evaluate(() => ({
      tables: document.querySelectorAll('#dispensing table').length,
      checks: document.querySelectorAll('#dispensing input').length,
      text: (document.querySelector('#dispensing') || {}).textContent || '',
      why: state.plan.dispensing.why,
      blocking: state.plan.dispensing.blocking.map((id) => state.plan.findings.find((f) => f.id === id).summary),
    }));
    ok(none.tables === 0 && none.checks === 0 && none.why && none.text.includes(none.why) && none.blocking.length >= 1 &&
       none.blocking.every((b) => none.text.includes(b)),
       'do not start: no sheet, the API\'s reason and the findings that block instead', JSON.stringify(none).slice(0, 400));
    await page.locator('#dispensing').screenshot({ path: path.join(shots, '3c-no-sheet.png') });
    await noStrays('no sheet');
    /* Two plans asked for at once: leaving the emptied supply box
     * remakes the plan on screen (opioids needed), and the button asks
     * for the new intake (none).  The older request's answer is held
     * back here until the newer one is shown; when it comes, it must not
     * replace it. */
    const older = (r) => r.url().includes('/api/v1/plan?') && /"opioid_analgesia_required":true/.test(r.postData() || '');
    const letGo = await holdBack((url) => url.pathname === '/api/v1/plan', older);
    await page.selectOption('#f-opioid_analgesia_required', 'false');
    await page.fill('#supply-days', '');
    await page.click('#get-plan');
    await page.waitForSelector('#plan-view .decision-start', { timeout: 10000 });
    const heldPlans = await letGo();
    const shownAfter = await page.evaluate(() => ({
      decision: state.plan && state.plan.decision,
      start: document.querySelectorAll('#plan-view .decision-start').length,
      opioids: state.req && JSON.parse(state.req.body).opioid_analgesia_required,
    }));
    ok(heldPlans === 1 && shownAfter.decision === 'start' && shownAfter.start === 1 && shownAfter.opioids === false,
       'an answer that comes back after a newer request was made is dropped: the plan shown is the newest asked for',
       JSON.stringify(shownAfter));
  } else {
    ok(await page.locator('#audience input[value="pharmacist"]').count() === 0, 'no pharmacist while the API lists none');
  }

  /* The tracker: save, record visits, watch the chart and the next step.
   * The patient is changed before saving: the plan on screen, the
   * handout and the .ics must then all be the saved patient's, made on
   * the plan's date even once the As-of control has moved on. */
  await page.click('#audience input[value="clinician"]');
  await page.fill('#f-id', 'web-test-1');
  await page.click('#save-patient');
  await page.waitForSelector('#chart figcaption', { timeout: 10000 });
  ok(await page.inputValue('#patient-pick') === 'web-test-1', 'the saved patient is chosen in the tracker');
  await page.fill('#as-of', '2026-10-16');
  {
    const firstDose = (sel) => page.locator(sel + ' table.schedule tbody tr').first().locator('td').nth(2).innerText();
    const screen = { title: await text('#plan-title'), dose: await firstDose('#plan-view') };
    await page.click('#print-handout');
    await page.waitForFunction(() => window.__printed === 2, null, { timeout: 10000 });
    const handout = { head: await text('#handout > p'), dose: await firstDose('#handout') };
    let cal = { name: 'no .ics', dose: '', stamp: '' };
    if (formats.includes('ics')) {
      const [download] = await Promise.all([page.waitForEvent('download', { timeout: 10000 }), page.click('#download-ics')]);
      const lines = fs.readFileSync(await download.path(), 'utf8').replace(/\r\n /g, '').split('\r\n');
      const prop = (k) => (lines.find((l) => l.startsWith(k + ':')) || '').slice(k.length + 1);
      cal = { file: download.suggestedFilename(), name: prop('X-WR-CALNAME'), dose: prop('SUMMARY'), stamp: prop('DTSTAMP') };
    }
    const dose = screen.dose;
    ok(/\bweb-test-1\b/.test(screen.title) && screen.title.endsWith('as of 2026-10-01') &&
       handout.head.includes('web-test-1') && handout.head.includes('2026-10-01') && handout.dose === dose &&
       (!formats.includes('ics') || (cal.file === 'ldn-plan-web-test-1.ics' && cal.name.endsWith('web-test-1') &&
         cal.dose.includes(dose + ' mg') && cal.stamp.startsWith('20261001'))),
       'after a change and Save, the screen, the handout and the .ics are one plan: the saved patient, its date, its first dose',
       JSON.stringify({ screen, handout, cal }));
  }
  const visits = [['2026-10-01', '1.5', '7'], ['2026-10-08', '1.5', '6'], ['2026-10-15', '2', '5']];
  let lastPath = null;
  for (let i = 0; i < visits.length; i++) {
    const [date, dose, pain] = visits[i];
    await page.fill('#v-date', date);
    await page.fill('#v-dose_mg', dose);
    await page.fill('#v-pain', pain);
    await page.click('#visit-form button[type="submit"]');
    await page.waitForFunction((k) => document.querySelectorAll('#chart circle.pain-point').length === k, i + 1, { timeout: 10000 });
    const d = await page.getAttribute('#chart path.dose-line', 'd');
    ok(d !== lastPath && await page.locator('#visits-table tbody tr').count() === i + 1,
       `visit ${i + 1}: the chart gains a point and the dose line changes`, d);
    lastPath = d;
  }
  /* A visit the store refuses: its error lands by the date field. */
  await page.fill('#v-date', '2099-01-01');
  await page.click('#visit-form button[type="submit"]');
  await page.waitForSelector('#v-date-err:not([hidden])', { timeout: 10000 });
  ok((await text('#v-date-err')).startsWith('date:') && await page.getAttribute('#v-date', 'aria-invalid') === 'true' &&
     await page.locator('#chart circle.pain-point').count() === 3,
     'a visit the API refuses is shown beside the field it names, and the chart is unchanged', await text('#v-date-err'));
  const title = await page.textContent('#chart title');
  await page.waitForFunction(() => /2\.5 mg/.test(document.querySelector('#next-view').textContent), null, { timeout: 10000 });
  ok(title.includes('3 visits') && (await text('#next-view')).includes('escalate'),
     'the next step after three tolerated visits is to escalate to 2.5 mg', await text('#next-view'));
  await page.locator('#tracker').screenshot({ path: path.join(shots, '5-tracker.png') });
  await noStrays('tracker');

  /* Another patient, and a quick switch: web-test-1's next step and
   * history are held back until web-test-2 is shown; when they come,
   * they must not be drawn over web-test-2. */
  await page.fill('#f-id', 'web-test-2');
  await page.click('#save-patient');
  await page.waitForFunction(() => /No visits yet/.test(document.querySelector('#chart').textContent), null, { timeout: 10000 });
  const ofFirst = (url) => url.pathname.startsWith('/api/v1/patients/web-test-1/');
  const letGo = await holdBack(ofFirst, () => true);
  await page.selectOption('#patient-pick', 'web-test-1');
  await page.selectOption('#patient-pick', 'web-test-2');
  await page.waitForFunction(() => /No visits yet/.test(document.querySelector('#chart').textContent) &&
    /start|wait|hold/i.test(document.querySelector('#next-view').textContent), null, { timeout: 10000 });
  const next2 = await text('#next-view');
  const heldReads = await letGo();
  const after = { chart: await text('#chart'), next: await text('#next-view'), visits: await page.locator('#visits-table tbody tr').count() };
  ok(heldReads === 2 && /No visits yet/.test(after.chart) && after.visits === 0 && after.next === next2 && !/escalate/.test(after.next),
     'switching patients quickly: the first patient\'s late answers are dropped, the chart and next step stay the second\'s',
     JSON.stringify(after));

  /* Saving a patient already stored is refused, and a button beside the
   * error offers a new plan for them instead: pressed, it stores one,
   * which the history then holds beside the first. */
  await page.fill('#f-baseline_pain', '6');
  await page.click('#save-patient');
  await page.waitForSelector('#replan-patient', { timeout: 10000 });
  const offer = await text('#form-errors');
  await page.click('#replan-patient');
  await page.waitForFunction(() => /^New plan for web-test-2/.test(document.querySelector('#status').textContent), null,
    { timeout: 10000 });
  const replanned = await (await get(base + '/api/v1/patients/web-test-2/history?format=json',
    { Authorization: 'Bearer ' + token })).json();
  ok(offer.includes('already stored') && offer.includes('Issue a new plan for web-test-2') &&
     (replanned.plans || []).length === 2 && await page.isHidden('#form-errors'),
     'saving a stored patient again is refused, with a button that issues a new plan for them instead',
     JSON.stringify({ offer, plans: (replanned.plans || []).length }));
  await page.fill('#f-baseline_pain', '7');

  /* A plan the API refuses takes the old one off the screen: nothing
   * to print or download that no longer matches the intake.  The error
   * is about a whole row (a medication with neither code nor name): it
   * sits in that row under an id from its pointer, the row's first
   * control takes focus, and the summary links to it. */
  await page.click('button[data-add="medications"]');
  await page.selectOption('#f-medications-1-status', 'active');
  await page.click('#get-plan');
  await page.waitForSelector('#f-medications-1-err:not([hidden])', { timeout: 10000 });
  const rowErr = await page.evaluate(() => ({
    row: document.getElementById('f-medications-1-err').closest('.row').dataset.ptr,
    focus: document.activeElement.id,
    link: document.querySelector('#form-errors a').getAttribute('href'),
    invalid: document.getElementById('f-medications-1-rxnorm').getAttribute('aria-describedby'),
    generic: document.querySelectorAll('[id="row-err"]').length,
  }));
  ok(rowErr.row === '/medications/1' && rowErr.focus === 'f-medications-1-rxnorm' && rowErr.link === '#f-medications-1-rxnorm' &&
     rowErr.invalid === 'f-medications-1-err' && rowErr.generic === 0,
     'an error about a row is shown in that row, its first control focused and linked from the summary', JSON.stringify(rowErr));
  ok(await page.locator('#plan-view .decision').count() === 0 && await page.isDisabled('#print-handout') &&
     await page.isDisabled('#download-ics') && await page.evaluate(() => state.plan === null && state.req === null),
     'a refused plan clears the one shown before, with the handout and the .ics', await text('#plan-view'));
  await page.click('#patient-form fieldset[data-list="medications"] .row:nth-child(2) .remove');

  /* A FHIR Bundle uploaded instead of the form. */
  await page.fill('#as-of', '');
  await page.click('input[name="input-kind"][value="fhir"]');
  ok(await page.isHidden('#patient-form') && await page.isVisible('#fhir-text'), 'choosing FHIR swaps the form for the Bundle box');
  const bundle = path.join(src, 'tests/data/synthea/Clemente_Kreiger_1484a42d-0eaf-4654-9cbf-6b050a5cd73b.json');
  await page.setInputFiles('#fhir-file', bundle);
  await page.waitForFunction(() => document.querySelector('#fhir-text').value.includes('"Bundle"'), null, { timeout: 10000 });
  await page.click('#get-plan');
  await page.waitForFunction(() => {
    const t = document.querySelector('#plan-title');
    return t && !/web-test-1/.test(t.textContent);
  }, null, { timeout: 10000 });
  ok((await text('#plan-title')).includes('as of 2026-10-01') && await page.locator('#plan-view .decision').count() === 1,
     'an uploaded Bundle gives its plan', await text('#plan-title'));
} catch (e) {
  ok(false, 'the browser run finished', e.stack);
  await shot('error').catch(() => {});
}

/* A reviewer on the board, in a tab of their own: the queue, an item with
 * its difference and history, a "why" that must be given, a refusal
 * shown by the form, and an approval that the clinician's plan shows. */
const rpage = await newPage();
const rtext = (sel) => rpage.locator(sel).first().innerText();
const item = 'statement/definition.mechanism';
const openMechanism = async () => {
  await rpage.evaluate(() => document.querySelector('#review-item').replaceChildren());
  await rpage.fill('#review-filter', 'mechanism');
  await rpage.click(`#review-queue tr[data-item="${item}"] button.open-item`);
  await rpage.waitForSelector('#review-item h3', { timeout: 10000 });
};
const actAndWait = async (label, state) => {
  await rpage.click(`#review-form button:has-text("${label}")`);
  await rpage.waitForFunction((s) => {
    const h = document.querySelector('#review-item-h');
    return h && h.textContent.endsWith(s);
  }, state, { timeout: 10000 });
};
try {
  const before = badResponses.length;
  await rpage.goto(`${base}/#token=${reviewerTokens['test-reviewer-a']}`);
  await rpage.waitForSelector('body[data-ready="true"]', { timeout: 10000 });
  await rpage.waitForSelector('#review-queue tbody tr', { timeout: 10000 });
  const queue = await rpage.evaluate(() => ({
    shown: !document.querySelector('#review').hidden && !document.querySelector('#review-link').hidden,
    rows: document.querySelectorAll('#review-queue tbody tr').length,
    you: document.querySelector('#review-you').textContent,
    counts: document.querySelector('#review-counts').textContent,
    clinical: ['#intake', '#plan', '#tracker'].map((q) => getComputedStyle(document.querySelector(q)).display),
  }));
  ok(queue.shown && queue.rows > 100 && queue.you.includes('test-reviewer-a') && queue.you.includes('reviewer on the review board') &&
     queue.counts.includes('3 approved') && queue.clinical.every((d) => d === 'none'),
     'a reviewer\'s token opens the review queue (in place of the clinician\'s sections): every item, who they are, the counts', JSON.stringify(queue));
  await rpage.selectOption('#review-state', 'approved');
  await rpage.waitForFunction(() => document.querySelectorAll('#review-queue tbody tr').length === 3, null, { timeout: 10000 });
  ok((await rpage.locator('#review-queue tbody tr').allInnerTexts()).every((t) => t.includes('approved')),
     'filtering by state asks the API for that state: the three approved items');
  await rpage.selectOption('#review-state', '');
  await rpage.waitForFunction(() => document.querySelectorAll('#review-queue tbody tr').length > 100, null, { timeout: 10000 });
  await openMechanism();
  ok(await rpage.locator('#review-queue tbody tr').count() === 1, 'filtering by id leaves the one item');
  const view = await rpage.evaluate(() => ({
    title: document.querySelector('#review-item-h').textContent,
    content: document.querySelector('#review-item pre.content').textContent,
    added: Array.from(document.querySelectorAll('ol.diff li.diff-added')).map((li) => li.textContent),
    removed: Array.from(document.querySelectorAll('ol.diff li.diff-removed')).map((li) => li.textContent),
    history: document.querySelectorAll('#review-item table.history tbody tr').length,
    buttons: Array.from(document.querySelectorAll('#review-form button')).map((b) => b.textContent),
  }));
  ok(view.title.includes(item) && view.content.includes('not yet fully proven') && view.added.length === 1 &&
     view.removed.length === 1 && view.added[0].startsWith('+added: ') && view.added[0].includes('not yet fully proven') &&
     view.removed[0].startsWith('−removed: ') && view.removed[0].includes('not fully proven') && view.history === 1 &&
     JSON.stringify(view.buttons) === '["Submit for review"]',
     'the item: its content, the earlier version\'s history, and a difference whose lines say added or removed in words',
     JSON.stringify(view));
  await rpage.locator('#review-item').screenshot({ path: path.join(shots, '6-review-item.png') });
  /* no "why": the form says so by the box, and nothing is sent */
  await rpage.click('#review-form button:has-text("Submit for review")');
  await rpage.waitForSelector('#review-why-err:not([hidden])', { timeout: 10000 });
  ok((await rtext('#review-why-err')).includes('Say why') && await rpage.getAttribute('#review-why', 'aria-invalid') === 'true' &&
     await rpage.evaluate(() => document.activeElement.id) === 'review-why' && badResponses.length === before,
     'acting without a "why" shows the error by the box, focuses it, and sends nothing', await rtext('#review-why-err'));
  await rpage.fill('#review-why', 'rechecked against the three sources');
  await actAndWait('Submit for review', 'submitted');
  ok(await rpage.isHidden('#review-why-err'), 'with a reason, the submission goes through and the error clears');
  /* the same reviewer may not review what they submitted: the API's refusal is shown by the form */
  await rpage.fill('#review-why', 'looking at it myself');
  await rpage.click('#review-form button:has-text("Start the review")');
  await rpage.waitForSelector('#review-form-err:not([hidden])', { timeout: 10000 });
  const refusal = await rtext('#review-form-err');
  ok(refusal.includes('422') && refusal.includes('own submission'),
     'reviewing one\'s own submission is refused, and the form shows why', refusal);
  await rpage.screenshot({ path: path.join(shots, '7-review-refused.png'), fullPage: true });
  /* a second reviewer, by the token field: starts the review and approves */
  await rpage.fill('#token', reviewerTokens['test-reviewer-b']);
  await rpage.click('#token-form button[type="submit"]');
  await rpage.waitForFunction(() => document.querySelector('#review-you').textContent.includes('test-reviewer-b'), null,
    { timeout: 10000 });
  await openMechanism();
  await rpage.fill('#review-why', 'the words match the sources');
  await actAndWait('Start the review', 'under review');
  await rpage.fill('#review-why', 'approved: matches its three sources');
  await actAndWait('Approve', 'approved');
  await rpage.waitForFunction((i) => {
    const row = document.querySelector(`#review-queue tr[data-item="${i}"]`);
    return row && row.cells[1].textContent === 'approved';
  }, item, { timeout: 10000 }).catch(() => {});
  const done = await rpage.evaluate(() => ({
    history: Array.from(document.querySelectorAll('#review-item table.history tbody tr')).map((r) => r.cells[1].textContent + ' ' + r.cells[3].textContent),
    queue: document.querySelector('#review-queue tbody tr').textContent,
  }));
  ok(JSON.stringify(done.history) === JSON.stringify(['submitted test-author', 'submitted test-reviewer-a',
    'under review test-reviewer-b', 'approved test-reviewer-b']) && done.queue.includes('approved'),
  'another reviewer starts the review and approves: the history and the queue say so', JSON.stringify(done));
  await rpage.locator('#review').screenshot({ path: path.join(shots, '8-review-approved.png') });
  const reviewContrast = await rpage.evaluate(contrastCheck);
  ok(reviewContrast.length === 0, 'the review screens meet WCAG AA contrast too', reviewContrast.slice(0, 8).join('\n'));
  const rstray = await rpage.evaluate(() => (document.body.innerText.match(/.{0,40}\b(null|undefined|NaN|\[object Object\])\b.{0,40}/) || [''])[0]);
  if (rstray) strays.push('review: ' + rstray);
  /* the clinician's plan shows the approval at once */
  await page.click('#get-plan');
  await page.waitForSelector('[id="st-definition.mechanism"] .review-approved', { timeout: 10000 });
  ok((await page.locator('[id="st-definition.mechanism"] .review-approved').innerText()).startsWith('Reviewed'),
     'the clinician\'s next plan marks the statement reviewed');
} catch (e) {
  ok(false, 'the reviewer\'s run finished', e.stack);
  await rpage.screenshot({ path: path.join(shots, 'review-error.png'), fullPage: true }).catch(() => {});
}

await browser.close();
ok(strays.length === 0, 'no "null", "undefined" or "NaN" shown anywhere, and no id used twice', strays.join('\n'));
ok(pageErrors.length === 0, 'no script errors', pageErrors.join('\n'));
ok(failedRequests.length === 0, 'no failed requests', failedRequests.join('\n'));
ok(offsite.length === 0, 'no request leaves this server', offsite.join('\n'));
const pharmacistBad = pharmacistSheet ? 'POST /api/v1/plan 400,' : '';
ok(badResponses.join() === 'POST /api/v1/plan 401,POST /api/v1/plan 400,' + pharmacistBad +
   'POST /api/v1/patients/web-test-1/visits 400,POST /api/v1/patients 400,POST /api/v1/plan 400,' +
   'POST /api/v1/review/statement/definition.mechanism 422',
   'the only error responses are those made on purpose (no token, bad intake, a bad supply for the pharmacist\'s sheet, ' +
   'a future visit, a patient saved twice, bad intake again, reviewing one\'s own submission)', badResponses.join('\n'));
const unexpected = consoleErrors.filter((m) => !/status of (40[01]|422)/.test(m));
ok(unexpected.length === 0 && consoleErrors.length <= 7, 'no console errors (beyond those made on purpose)', consoleErrors.join('\n'));

server.kill('SIGTERM');
const code = await new Promise((resolve) => server.on('exit', (c) => resolve(c)));
ok(code === 0 && !/Sanitizer|runtime error/.test(serverErr), 'the server stops cleanly after SIGTERM (no sanitizer report)',
   `exit ${code}\n${serverErr.slice(-600)}`);
fs.rmSync(tmp, { recursive: true, force: true });
const secs = (Date.now() - t0) / 1000;
ok(secs < 60, `the run takes under 60 s (${secs.toFixed(1)} s)`);
console.log(`1..${n}`);
process.exit(failed ? 1 : 0);
