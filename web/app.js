/*
 * The ldn web page: a client of this server's REST API v1 and of nothing
 * else.  Plain DOM, no framework, no build step.  Every text the API sends
 * is put in the page as text (never as HTML).  The bearer token lives in
 * sessionStorage only, and the API calls carry it.
 */
'use strict';

const state = {
  token: '',
  audience: 'clinician',
  caps: { ics: false, pharmacist: false, ask: false, presets: [], savePreset: false },
  plan: null,        /* the plan on screen (JSON), or null */
  /* The request that made the plan on screen: its body and controls.
   * The handout, the .ics and Ask use these, never the form or the
   * controls as they are now, so all of them show the same plan. */
  req: null,         /* { body, as_of, preset, audience, formulation, supply_days } */
  patient: '',       /* the stored patient the tracker shows */
  forms: null,       /* the dosage forms of GET /api/v1/kb, once read */
  /* The body of a plan refused for the pharmacist's choices alone (a bad
   * supply, say): the intake stands, so fixing the choice remakes it. */
  retry: null,
};

const $ = (sel) => document.querySelector(sel);
const $$ = (sel) => Array.from(document.querySelectorAll(sel));

/* An element with attributes and children (strings become text). */
function el(tag, attrs, ...kids) {
  const ns = tag.startsWith('svg:') ? 'http://www.w3.org/2000/svg' : null;
  const e = ns ? document.createElementNS(ns, tag.slice(4)) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'text') e.textContent = v;
    else if (k === 'class') e.setAttribute('class', v);
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const kid of kids.flat()) {
    if (kid === null || kid === undefined || kid === false) continue;
    e.append(typeof kid === 'string' || typeof kid === 'number' ? String(kid) : kid);
  }
  return e;
}

/* Replace node's children, leaving out the absent ones (null, false,
 * undefined, ''), which replaceChildren() would print as text. */
function fill(node, ...kids) {
  node.replaceChildren(...kids.flat().filter((k) => k !== null && k !== undefined && k !== false && k !== ''));
}

function say(msg) {
  $('#status').textContent = msg;
}

/* --- talking to the API ------------------------------------------------ */

async function api(method, path, body, type) {
  const headers = {};
  if (state.token) headers.Authorization = 'Bearer ' + state.token;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const r = await fetch(path, { method, headers, body, cache: 'no-store' });
  const ct = r.headers.get('Content-Type') || '';
  let data = null;
  if (type === 'blob' && r.ok) data = await r.blob();
  else if (ct.startsWith('application/json')) data = await r.json();
  else data = await r.text();
  return { status: r.status, ok: r.ok, data };
}

/* Answers can come back out of order: two workers, a slow plan and a
 * quick one.  Each kind of request keeps a count of its calls, and an
 * answer to a call that a newer one of its kind has since replaced is
 * dropped, so the screen shows the answer to what was asked last (never
 * a plan for an intake that has since changed, or another patient's
 * next step). */
const calls = {};
function newest(kind) {
  const n = (calls[kind] = (calls[kind] || 0) + 1);
  return () => calls[kind] === n;
}

function query(params) {
  const q = new URLSearchParams();
  /* absent or blank is left out; 0 is sent (the API says what is wrong) */
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? '?' + s : '';
}

function apiError(res) {
  const e = res.data && res.data.error;
  if (e) return e;
  return { status: res.status, where: '', message: 'the server answered ' + res.status };
}

/* What this server offers beyond the basics, read from its OpenAPI
 * description (open to anyone), so the page follows the API. */
async function loadCaps() {
  try {
    const r = await fetch('/api/v1/openapi.json');
    const spec = await r.json();
    const post = spec.paths['/api/v1/plan'].post;
    const param = (n) => (post.parameters || []).find((p) => p.name === n);
    const enumOf = (p) => (p && p.schema && p.schema.enum) || [];
    state.caps.ics = enumOf(param('format')).includes('ics');
    state.caps.pharmacist = enumOf(param('audience')).includes('pharmacist');
    state.caps.ask = Boolean(spec.paths['/api/v1/ask']);
    state.caps.presets = enumOf(param('preset'));
    const save = spec.paths['/api/v1/patients'].post.parameters || [];
    state.caps.savePreset = save.some((p) => p.name === 'preset');
    state.caps.replan = Boolean(spec.paths['/api/v1/patients/{id}/plans']);
  } catch (err) {
    say('Could not read the API description: ' + err.message);
  }
  if (state.caps.pharmacist) {
    const patientLabel = $('#audience input[value="patient"]').parentElement;
    patientLabel.before(el('label', {},
      el('input', { type: 'radio', name: 'audience', value: 'pharmacist' }), ' Pharmacist'));
  }
  $('#download-ics').hidden = !state.caps.ics;
  $('#preset-field').hidden = !state.caps.presets.length;
  for (const id of state.caps.presets) $('#preset').append(el('option', { value: id, text: id }));
  $('#ask').hidden = $('#ask-link').hidden = !state.caps.ask;
  if (state.caps.ask) buildAsk();
}

/* --- the token --------------------------------------------------------- */

function takeToken() {
  const m = /(?:^|[#&])token=([0-9A-Za-z_-]+)/.exec(location.hash);
  if (m) {
    sessionStorage.setItem('ldn-token', m[1]);
    history.replaceState(null, '', location.pathname + location.search);
  }
  state.token = sessionStorage.getItem('ldn-token') || '';
  $('#token').value = state.token;
  $('#token-state').textContent = state.token ? 'token set for this tab' : 'no token yet';
}

/* --- the intake form --------------------------------------------------- */

const opt = (values) => values.map((v) => Array.isArray(v) ? v : [v, v]);
const LISTS = {
  conditions: { label: 'Condition', fields: [
    ['system', 'Code system', 'select', opt([['', 'choose'], 'icd10', 'snomed', 'text'])],
    ['code', 'Code'],
    ['display', 'Name'],
    ['status', 'Status', 'select', opt([['', 'choose'], 'active', 'resolved'])],
    ['onset', 'Onset', 'date'],
  ] },
  medications: { label: 'Medication', fields: [
    ['rxnorm', 'RxNorm code'],
    ['name', 'Name'],
    ['status', 'Status', 'select', opt([['', 'choose'], 'active', 'stopped'])],
    ['started', 'Started', 'date'],
    ['last_dose', 'Last dose', 'date'],
  ] },
  labs: { label: 'Result', fields: [
    ['loinc', 'LOINC code'],
    ['value', 'Value', 'real'],
    ['unit', 'Unit'],
    ['date', 'Date', 'date'],
  ] },
  procedures: { label: 'Procedure', fields: [
    ['display', 'Procedure'],
    ['date', 'Date', 'date'],
    ['status', 'Status', 'select', opt([['', 'choose'], 'planned', 'completed'])],
    ['opioids_expected', 'Opioids expected', 'bool'],
  ] },
  prior_ldn: { label: 'Earlier course', fields: [
    ['max_dose_mg', 'Highest dose (mg)', 'real'],
    ['titrated', 'Titrated', 'bool'],
    ['outcome', 'Outcome', 'select', opt([['', 'choose'], 'benefit', 'no-benefit', 'side-effects', 'unknown'])],
    ['stopped', 'Stopped', 'date'],
  ] },
};

function control(id, ptr, kind, options) {
  if (kind === 'select' || kind === 'bool') {
    const opts = kind === 'bool' ? opt([['', 'not recorded'], ['true', 'yes'], ['false', 'no']]) : options;
    const s = el('select', { id, 'data-ptr': ptr, 'data-bool': kind === 'bool' });
    for (const [v, t] of opts) s.append(el('option', { value: v, text: t }));
    return s;
  }
  if (kind === 'date') return el('input', { id, type: 'date', 'data-ptr': ptr });
  if (kind === 'real') return el('input', { id, type: 'number', step: 'any', 'data-ptr': ptr, 'data-num': 'real' });
  return el('input', { id, 'data-ptr': ptr, autocomplete: 'off' });
}

function addRow(list, values) {
  const spec = LISTS[list];
  const rows = $(`fieldset[data-list="${list}"] .rows`);
  const row = el('fieldset', { class: 'row' }, el('legend', {}));
  for (const [name, label, kind, options] of spec.fields) {
    const c = control('', '', kind, options);
    c.dataset.field = name;
    if (values && values[name] !== undefined) c.value = String(values[name]);
    row.append(el('div', { class: 'field' }, el('label', { text: label }), c));
  }
  row.append(el('button', { type: 'button', class: 'remove', onclick: () => {
    row.remove();
    renumber(list);
  } }, 'Remove'));
  rows.append(row);
  renumber(list);
  return row;
}

/* Ids, labels and JSON pointers follow the row's place in the list. */
function renumber(list) {
  const spec = LISTS[list];
  $$(`fieldset[data-list="${list}"] .rows > .row`).forEach((row, i) => {
    row.querySelector('legend').textContent = `${spec.label} ${i + 1}`;
    row.dataset.ptr = `/${list}/${i}`;
    for (const f of row.querySelectorAll('.field')) {
      const c = f.querySelector('input, select');
      const id = `f-${list}-${i}-${c.dataset.field}`;
      c.id = id;
      c.dataset.ptr = `/${list}/${i}/${c.dataset.field}`;
      f.querySelector('label').setAttribute('for', id);
    }
    row.querySelector('.remove').setAttribute('aria-label', `Remove ${spec.label.toLowerCase()} ${i + 1}`);
  });
}

function valueOf(c) {
  const v = c.value.trim();
  if (v === '') {
    /* a number field holding what is not a number: send it as text so
     * the API names the field */
    if (c.dataset.num && c.validity && c.validity.badInput) return 'not a number';
    return undefined;
  }
  if (c.dataset.bool !== undefined && c.tagName === 'SELECT' && c.hasAttribute('data-bool')) return v === 'true';
  if (c.dataset.num === 'int' || c.dataset.num === 'real') {
    const n = Number(v);
    return Number.isFinite(n) ? n : v;
  }
  return v;
}

/* The native patient JSON from the form: absent fields stay absent. */
function collect() {
  const p = {};
  for (const c of $$('#patient-form > fieldset:not(.list) [data-ptr]')) {
    const v = valueOf(c);
    if (v !== undefined) p[c.dataset.ptr.slice(1)] = v;
  }
  for (const list of Object.keys(LISTS)) {
    const items = $$(`fieldset[data-list="${list}"] .rows > .row`).map((row) => {
      const o = {};
      for (const c of row.querySelectorAll('[data-field]')) {
        const v = valueOf(c);
        if (v !== undefined) o[c.dataset.field] = v;
      }
      return o;
    });
    const complete = list === 'medications' && $('#f-medications-complete').checked;
    if (items.length || complete) p[list] = items;
  }
  return p;
}

function preset() {
  return $('#preset').value;
}

function inputKind() {
  return $('input[name="input-kind"]:checked').value;
}

/* The request body: the form's JSON or the pasted Bundle. */
function requestBody() {
  if (inputKind() === 'fhir') return $('#fhir-text').value;
  return JSON.stringify(collect());
}

function clearErrors(scope) {
  for (const e of $$(`${scope} .field-error`)) {
    e.hidden = true;
    e.textContent = '';
  }
  for (const c of $$(`${scope} [aria-invalid]`)) c.removeAttribute('aria-invalid');
}

/* Show an API error beside the field its pointer names (or the nearest
 * enclosing one), and in the summary with a link to it. */
function showError(err, formSel, summarySel, prefix) {
  const summary = $(summarySel);
  let where = err.where || '';
  let target = null;
  if (formSel === '#patient-form' && inputKind() === 'fhir') {
    target = $('#fhir-text');
  } else {
    for (let w = where; w && !target; w = w.replace(/\/?[^/]*$/, '')) {
      target = document.querySelector(`${formSel} [data-ptr="${CSS.escape(w)}"]`);
    }
  }
  fill(summary);
  summary.hidden = false;
  const text = (where ? where + ': ' : '') + err.message;
  if (where === 'Authorization') {
    /* no token, or one the server does not know: ask for it up top */
    summary.append(el('p', { text: prefix + ' the access token is missing or not accepted (' + err.message + ').' }));
    $('#token-state').textContent = 'the server did not accept this token';
    $('#token').setAttribute('aria-invalid', 'true');
    $('#token').focus();
    return;
  }
  if (target) {
    /* an error about a whole row (/medications/1) goes at the top of the
     * row, with an id from its pointer, and its first control takes focus */
    const row = target.classList.contains('row') ? target : null;
    const control = row ? row.querySelector('input, select') : target;
    const holder = row || target.closest('.field, .row') || target.parentElement;
    const id = (target.id || 'f' + target.dataset.ptr.replace(/\//g, '-')) + '-err';
    let p = document.getElementById(id);
    if (!p) {
      p = el('p', { id, class: 'field-error' });
      if (row) row.querySelector('legend').after(p); else holder.append(p);
    }
    p.textContent = text;
    p.hidden = false;
    control.setAttribute('aria-invalid', 'true');
    /* the error joins the control's own help, once */
    const described = (control.getAttribute('aria-describedby') || '').split(' ').filter((d) => d && d !== id);
    control.setAttribute('aria-describedby', [...described, id].join(' '));
    summary.append(el('p', {}, prefix + ' ',
      el('a', { href: '#' + control.id, onclick: (ev) => { ev.preventDefault(); control.focus(); } }, text)));
    control.focus();
  } else {
    summary.append(el('p', { text: prefix + ' ' + text }));
    summary.focus();
  }
}

/* --- the plan ------------------------------------------------------------ */

const EVIDENCE = {
  'randomised-trial': 'Randomised trial',
  'observational': 'Observational study',
  'case-report': 'Case report',
  'review': 'Review',
  'guideline': 'Guideline',
  'label': 'Drug label',
  'expert-opinion': 'Expert opinion',
  'vendor-summary': 'Vendor summary',
};

function badge(evidence) {
  if (!evidence) return null;
  return el('span', { class: 'badge ev-' + evidence, title: 'Evidence: ' + (EVIDENCE[evidence] || evidence) },
    EVIDENCE[evidence] || evidence);
}

const REVIEW_STATES = {
  draft: 'draft', submitted: 'submitted', 'under-review': 'under review',
  'changes-requested': 'changes requested', approved: 'approved', retired: 'retired',
};

/* A statement's review state in words (never by colour alone): approved,
 * or "pending review" with the state it is in, and since when. */
function reviewBadge(review, since) {
  if (!review) return null;
  const words = REVIEW_STATES[review] || review;
  const text = review === 'approved' ? 'Reviewed' + (since ? ' ' + since : '')
    : 'Pending review (' + words + (since ? ' since ' + since : '') + ')';
  return el('span', { class: 'badge review-' + review + (review === 'approved' ? ' review-approved' : ' review-pending'),
    title: 'Review state: ' + words }, text);
}

/* The knowledge base's review in one phrase: the older plans say it in
 * kb.review, the newer count statements by state. */
function kbReview(kb) {
  const by = kb.statements_by_review;
  if (by && typeof by === 'object') {
    const total = Object.values(by).reduce((a, b) => a + b, 0);
    return `${by.approved || 0} of ${total} statements approved`;
  }
  return kb.review || '';
}

/* The editorial policy, linked from every plan: only a path on this
 * server, whatever the plan says. */
function policyLink(p) {
  const href = p && typeof p.editorial_policy === 'string' && /^\/[A-Za-z0-9/_-]*$/.test(p.editorial_policy)
    ? p.editorial_policy : '/docs/editorial-policy';
  return el('a', { href, class: 'policy-link', target: '_blank', rel: 'noopener' }, 'editorial policy');
}

/* For a clinician, the statements left out of the patient's version
 * until approved (links to them above); for a patient, the plan's own
 * words saying some information waits for review. */
function withheldBlock(p) {
  if (p.audience === 'patient') {
    return p.withheld_notice ? el('p', { class: 'withheld-notice', text: p.withheld_notice }) : null;
  }
  const ids = Array.isArray(p.withheld_from_patient) ? p.withheld_from_patient : [];
  if (!ids.length) return null;
  const shown = new Set((p.sections || []).flatMap((sec) => sec.statements.map((st) => st.id)));
  return el('details', { class: 'withheld' },
    el('summary', { text: `Withheld from the patient's version: ${ids.length} statement${ids.length === 1 ? '' : 's'} pending review` }),
    el('ul', {}, ids.map((id) => el('li', {}, shown.has(id) ? el('a', { href: '#st-' + id }, id) : id))));
}

function cites(list, prefix) {
  if (!list || !list.length) return null;
  const s = el('span', { class: 'cites' }, ' [');
  list.forEach((n, i) => {
    if (i) s.append(', ');
    s.append(el('a', { href: `#${prefix}ref-${n}`, 'aria-label': `reference ${n}` }, String(n)));
  });
  s.append(']');
  return s;
}

function referenceList(refs, prefix) {
  const ol = el('ol', { class: 'refs' });
  for (const r of refs) {
    const li = el('li', { id: `${prefix}ref-${r.n}`, value: r.n, tabindex: '-1' });
    if (r.authors) li.append(r.authors + '. ');
    li.append(el('cite', { text: r.title }), '. ');
    if (r.source) li.append(r.source);
    if (r.year) li.append(' ' + r.year);
    if (r.volume) li.append(';' + r.volume);
    if (r.pages) li.append(':' + r.pages);
    li.append('. ');
    if (r.doi) li.append(el('a', { href: 'https://doi.org/' + r.doi, rel: 'noopener noreferrer' }, 'DOI ' + r.doi), ' ');
    if (r.pmid) li.append(el('a', { href: `https://pubmed.ncbi.nlm.nih.gov/${r.pmid}/`, rel: 'noopener noreferrer' }, 'PubMed ' + r.pmid), ' ');
    /* only a web address over TLS is a link: never javascript: or data: */
    if (r.url && !r.doi && !r.pmid) {
      if (/^https:\/\//i.test(r.url)) li.append(el('a', { href: r.url, rel: 'noopener noreferrer' }, 'link'), ' ');
      else li.append(el('span', { class: 'url', text: r.url }), ' ');
    }
    li.append(badge(r.evidence));
    ol.append(li);
  }
  return ol;
}

function scheduleTable(schedule, caption) {
  return el('table', { class: 'schedule' },
    el('caption', { text: caption }),
    el('thead', {}, el('tr', {}, ['Date', 'Day', 'Dose (mg)', 'When', 'What'].map((h) => el('th', { scope: 'col', text: h })))),
    el('tbody', {}, schedule.map((s) => el('tr', { class: 'kind-' + s.kind },
      el('td', { text: s.date }), el('td', { text: s.day }), el('td', { text: s.dose_mg }),
      el('td', { text: s.timing }), el('td', { text: s.text })))));
}

const SEVERITY = {
  clinician: { block: 'block', caution: 'caution', info: 'info' },
  patient: { block: 'stop', caution: 'take care', info: 'good to know' },
};

function findingList(findings, prefix, audience) {
  const sev = SEVERITY[audience] || SEVERITY.clinician;
  return el('ul', { class: 'findings' }, findings.map((f) => el('li', { class: 'sev-' + f.severity },
    el('span', { class: 'sev' }, sev[f.severity] || f.severity), ' ', f.summary, cites(f.citations, prefix), ' ', badge(f.evidence))));
}

function textList(items, prefix) {
  return el('ul', {}, items.map((m) => el('li', {}, m.date ? el('strong', {}, m.date + ': ') : null,
    m.text, cites(m.citations, prefix))));
}

/* The decision and its dates, before anything else. */
function decisionBlock(p, prefix) {
  const pr = p.preset || {};
  const when = pr.timing || 'bedtime';
  const patient = p.audience === 'patient';
  const verdict = (patient ? {
    start: `You may start on ${p.earliest_start}.`,
    wait: `Please wait: you may start on ${p.earliest_start}, not before.`,
    'do-not-start': 'Do not start LDN yet. Your clinician needs to sort out the points below first.',
  }[p.decision] : null) || 'Decision: ' + p.decision;
  const steps = patient
    ? `First dose ${pr.start_mg} mg at ${when}; it goes up by ${pr.step_mg} mg every ${pr.interval_days} days, to at most ${p.ceiling_mg} mg.`
    : `Start ${pr.start_mg} mg at ${when}; +${pr.step_mg} mg every ${pr.interval_days} days; ceiling ${p.ceiling_mg} mg.`;
  return el('div', { class: 'decision decision-' + p.decision },
    el('p', { class: 'verdict' }, el('strong', {}, verdict)),
    patient ? null : el('p', { text: p.earliest_start ? 'Earliest start: ' + p.earliest_start : 'No start date' }),
    p.decision !== 'do-not-start' && pr.start_mg !== undefined ? el('p', { text: steps }) : null,
    pr.name ? el('p', { class: 'protocol' }, 'Protocol: ' + pr.name, cites(pr.citations, prefix), ' ', badge(pr.evidence)) : null);
}

/* The page's own headings, in each audience's words (the API's words fill
 * everything under them). */
const HEADINGS = {
  clinician: { findings: 'Findings', before: 'Before the first dose', calendar: 'Dose calendar',
    monitoring: 'Monitoring', references: 'References' },
  patient: { findings: 'What we checked for you', before: 'Before your first dose', calendar: 'Your dose calendar',
    monitoring: 'What to track and tell your clinician', references: 'Where this comes from' },
};

/* The pharmacist's dispensing sheet (audience=pharmacist): the doses in the
 * form chosen, the quantity, the fills by storage, warnings, what to tell
 * the patient and the check boxes.  A do-not-start plan has none: the
 * API's reason, with the findings that block. */
const STORAGE = {
  room: 'At room temperature',
  refrigerated: 'In the fridge',
  'room-dark': 'At room temperature, away from light',
};
const WHO = { prescriber: 'Prescriber', pharmacist: 'Pharmacist', patient: 'Patient' };

/* A volume in mL as the sheet gives it: to 0.01 mL (0.001 if finer). */
function mL(v) {
  const n = Number(v);
  return (Math.abs(n * 100 - Math.round(n * 100)) < 1e-6 ? n.toFixed(2) : n.toFixed(3)) + ' mL';
}

function capsuleWords(list, sep) {
  return (list || []).map((c) => `${c.count} \u00d7 ${c.strength_mg} mg`).join(sep);
}

function dispensingBlock(d, p) {
  const h = el('h3', { id: 'dispensing-h', text: 'Dispensing sheet (pharmacist)' });
  if (!d.available) {
    const blocking = (d.blocking || []).map((id) => (p.findings || []).find((f) => f.id === id)).filter(Boolean);
    return el('section', { id: 'dispensing', class: 'dispensing no-sheet', 'aria-labelledby': 'dispensing-h' }, h,
      el('p', { class: 'no-sheet-why' }, el('strong', { text: d.why })),
      blocking.length ? el('ul', { class: 'blocking' }, blocking.map((f) => el('li', {}, f.summary, cites(f.citations, '')))) : null);
  }
  const liquid = d.concentration_mg_per_ml !== undefined;
  const one = (s) => s.dose_mg === 0 ? 'held: nothing to take'
    : !s.exact ? 'cannot be made exactly in this form: dispense the oral liquid'
      : liquid ? mL(s.volume_ml) : capsuleWords(s.capsules, ' + ');
  const forStep = (s) => s.dose_mg === 0 || !s.exact ? ''
    : s.days === 0 ? 'after this supply' : liquid ? mL(s.step_volume_ml)
      : capsuleWords(s.capsules.map((c) => ({ count: c.count * s.days, strength_mg: c.strength_mg })), ', ');
  const qty = (t) => liquid ? mL(t.volume_ml) : capsuleWords(t.capsules, ', ');
  const tell = [d.patient, ...d.warnings.map((w) => w.patient)].filter(Boolean);
  const sup = d.supply;
  return el('section', { id: 'dispensing', class: 'dispensing', 'aria-labelledby': 'dispensing-h' }, h,
    el('p', { class: 'form-line' }, el('strong', { text: d.label + (liquid ? `, ${d.concentration_mg_per_ml} mg/mL` : '') }),
      cites(d.citations, ''), ' ', badge(d.evidence)),
    el('p', { text: d.pharmacist }),
    el('p', { class: 'supply' }, `Supply: ${sup.days} days, first dose ${sup.first_dose}, last dose ${sup.last_dose}`,
      sup.default ? ' (the default: the titration to its highest dose, then a margin)' : '', '.', cites(sup.citations, '')),
    el('table', { class: 'dispense-steps' },
      el('caption', { text: liquid ? 'One dose by volume, step by step' : 'One dose in whole capsules, step by step' }),
      el('thead', {}, el('tr', {}, ['From', 'Days', 'Dose', 'One dose', 'For the step'].map((t) => el('th', { scope: 'col', text: t })))),
      el('tbody', {}, d.steps.map((s) => el('tr', { class: 'kind-' + s.kind + (s.exact ? '' : ' inexact') },
        el('td', { text: s.date }), el('td', { text: String(s.days) }),
        el('td', { text: s.dose_mg ? s.dose_mg + ' mg' : 'held' }), el('td', { class: 'one-dose', text: one(s) }),
        el('td', { text: forStep(s) }))))),
    el('p', { class: 'total' }, d.total ? el('strong', { text: 'Total for the supply: ' + qty(d.total) }) : el('strong', { class: 'error', text: d.inexact })),
    el('h4', { text: 'Fills and beyond-use dates' }),
    d.beyond_use.map((b) => el('table', { class: 'fills', 'data-storage': b.storage },
      el('caption', {}, `${STORAGE[b.storage] || b.storage}: use within ${b.days} days of making`, cites(b.citations, '')),
      el('thead', {}, el('tr', {}, ['Fill', 'Make on', 'Last day of use', 'Dose days', 'Quantity'].map((t) => el('th', { scope: 'col', text: t })))),
      el('tbody', {}, b.fills.map((f, i) => el('tr', {}, el('td', { text: i ? `refill ${i}` : 'first fill' }),
        el('td', { text: f.made }), el('td', { text: f.last_day_of_use }), el('td', { text: String(f.dose_days) }),
        el('td', { text: d.total ? qty(f) : '' })))))),
    el('h4', { text: 'Warnings' }),
    el('ul', { class: 'warnings' }, d.warnings.map((w) => el('li', {}, w.pharmacist, cites(w.citations, ''), ' ', badge(w.evidence)))),
    tell.length ? el('h4', { text: 'What to tell the patient' }) : null,
    tell.length ? el('ul', { class: 'tell' }, tell.map((t) => el('li', { text: t }))) : null,
    el('fieldset', { class: 'checks' }, el('legend', { text: 'Checks' }),
      d.checks.map((c, i) => el('div', { class: 'check-row' },
        el('input', { type: 'checkbox', id: 'dispense-check-' + i }),
        el('label', { for: 'dispense-check-' + i }, el('span', { class: 'who', text: (WHO[c.who] || c.who) + ': ' }), c.text)))),
    el('p', { class: 'muted', text: 'The words of this sheet are pending clinical review (draft).' }));
}

/* Where a statement's sources part ways (clinician and pharmacist; the
 * API sends none to a patient): each side with its citations. */
function disagreementLine(list) {
  if (!Array.isArray(list) || !list.length) return null;
  return el('span', { class: 'disagree' }, el('strong', { text: 'Sources disagree: ' }),
    list.flatMap((side, i) => [i ? '; ' : '', el('span', { class: 'side' }, side.position, cites(side.citations, ''))]));
}

function renderPlan(p) {
  const v = $('#plan-view');
  const hd = HEADINGS[p.audience] || HEADINGS.clinician;
  const kb = p.kb || {};
  fill(v,
    el('h3', { id: 'plan-title', text: `Plan for ${p.patient_id || 'this patient'}, as of ${p.as_of}` }),
    el('p', { class: 'review-line' }, reviewBadge(kb.review), ` Knowledge base ${kb.version}, last updated ${kb.updated}. `,
      el('span', { class: 'muted', text: kb.review_note || kbReview(kb) }), '. How it is reviewed: the ', policyLink(p), '.'),
    withheldBlock(p),
    decisionBlock(p, ''),
    p.findings && p.findings.length ? el('section', {}, el('h3', { text: hd.findings }), findingList(p.findings, '', p.audience)) : null,
    p.before_first_dose && p.before_first_dose.length
      ? el('section', {}, el('h3', { text: hd.before }), textList(p.before_first_dose, '')) : null,
    p.schedule && p.schedule.length ? scheduleTable(p.schedule, hd.calendar) : null,
    p.monitoring && p.monitoring.length ? el('section', {}, el('h3', { text: hd.monitoring }), textList(p.monitoring, '')) : null,
    p.dispensing ? dispensingBlock(p.dispensing, p) : null,
    ...(p.sections || []).map((s) => el('section', { class: 'article', id: 'sec-' + s.id },
      el('h3', { text: s.title || s.id }),
      s.statements.map((st) => el('p', { class: 'statement', id: 'st-' + st.id }, st.text, cites(st.citations, ''), ' ',
        badge(st.evidence), ' ', reviewBadge(st.review, st.review_since),
        p.audience === 'patient' ? null : disagreementLine(st.disagreement))))),
    el('section', { 'aria-labelledby': 'refs-h' }, el('h3', { id: 'refs-h', text: hd.references }), referenceList(p.references || [], '')));
  renderFollowUp(p);
  $('#print-handout').disabled = false;
  $('#download-ics').disabled = !state.caps.ics;
  $('#kb-line').textContent = `Knowledge base ${kb.version} (${kb.fingerprint}), updated ${kb.updated}, review: ${kbReview(kb)}.`;
}

/* Make the plan for body with the controls as they are now, and show it
 * together with that request, unless a newer plan was asked for in the
 * meantime (the answer is then stale, and left alone).  When the API
 * refuses, the old plan leaves the screen (it no longer matches the
 * intake), and the handout, the .ics and Ask have nothing to mix it
 * with. */
async function makePlan(body) {
  const pharmacist = state.audience === 'pharmacist';
  const req = { body, as_of: $('#as-of').value, preset: preset(), audience: state.audience,
    formulation: pharmacist ? $('#formulation').value : '', supply_days: pharmacist ? valueOf($('#supply-days')) : undefined };
  const current = newest('plan');
  const res = await api('POST', '/api/v1/plan' + query({ audience: req.audience, as_of: req.as_of, preset: req.preset,
    formulation: req.formulation, supply_days: req.supply_days, format: 'json' }), body);
  if (!current()) return { ...res, stale: true };
  if (!res.ok) {
    dropPlan('The plan shown before no longer matches the intake or the choices above, and could not be remade: ' +
      apiError(res).message);
    state.retry = isDispenseError(apiError(res)) ? body : null;
    return res;
  }
  state.retry = null;
  state.plan = res.data;
  state.req = req;
  renderPlan(res.data);
  return res;
}

function dropPlan(why) {
  state.plan = null;
  state.req = null;
  fill($('#plan-view'), el('p', { class: 'muted stale', text: why }));
  fill($('#handout'));
  $('#print-handout').disabled = true;
  $('#download-ics').disabled = true;
  const box = $('#ask-suggested');
  if (box) fill(box);
}

/* --- the pharmacist's choices: dosage form and supply ------------------ */

/* The dosage forms, read once from GET /api/v1/kb (its formulations): a
 * choice per form, the default chosen, and a liquid's other
 * concentrations as ID:MG_PER_ML. */
async function loadForms() {
  if (state.forms) return;
  const res = await api('GET', '/api/v1/kb' + query({ audience: 'pharmacist' }));
  if (!res.ok || !res.data || !Array.isArray(res.data.formulations)) {
    $('#formulation-help').textContent = 'the list of forms could not be read (' + apiError(res).message + '): the default is used';
    return;
  }
  state.forms = res.data.formulations;
  const options = [];
  for (const f of state.forms) {
    const concs = f.concentrations_mg_per_ml || [];
    const what = f.kind === 'capsule' ? ` (${(f.strengths_mg || []).join(', ')} mg)` : concs.length ? `, ${concs[0]} mg/mL` : '';
    options.push(el('option', { value: f.id, selected: f.default }, f.label + what + (f.default ? ' (default)' : '')));
    for (const c of concs.slice(1)) options.push(el('option', { value: `${f.id}:${c}` }, `${f.label}, ${c} mg/mL`));
  }
  fill($('#formulation'), options);
  $('#formulation-help').textContent = `${state.forms.length} forms in the knowledge base`;
}

function isDispenseError(e) {
  return e.where === 'supply_days' || e.where === 'formulation';
}

function clearDispenseErrors() {
  clearErrors('#dispense-options');
  $('#dispense-errors').hidden = true;
}

/* An error about the pharmacist's choices, shown by them: true if it was. */
function dispenseError(e) {
  if (!isDispenseError(e)) return false;
  showError(e, '#dispense-options', '#dispense-errors', 'The dispensing sheet could not be made:');
  say('The dispensing sheet could not be made: see its choices.');
  return true;
}

async function getPlan() {
  clearErrors('#intake');
  $('#form-errors').hidden = true;
  clearDispenseErrors();
  say('Making the plan...');
  const res = await makePlan(requestBody());
  if (res.stale) return;
  if (!res.ok) {
    if (dispenseError(apiError(res))) return;
    showError(apiError(res), '#patient-form', '#form-errors', 'The plan could not be made:');
    say('The plan could not be made: see the intake.');
    return;
  }
  say(`Plan ready: ${res.data.decision}.`);
  $('#plan-h').scrollIntoView();
}

/* Re-make the plan on screen with the controls as they are now (the
 * audience's words, the preset). */
async function rerender() {
  const body = state.req ? state.req.body : state.retry;
  if (body !== null) {
    clearDispenseErrors();
    const res = await makePlan(body);
    if (res.stale) return;
    if (res.ok) say(`Plan shown for a ${state.audience}.`);
    else if (!dispenseError(apiError(res))) say('The plan could not be shown: ' + apiError(res).message);
  }
  if (state.patient) await loadNext();
}

/* --- the handout: the patient's words, for paper ------------------------- */

async function printHandout() {
  const req = state.req;
  if (!req) return;
  const res = await api('POST', '/api/v1/plan' + query({ audience: 'patient', as_of: req.as_of, preset: req.preset }), req.body);
  if (!res.ok) {
    say('The handout could not be made: ' + apiError(res).message);
    return;
  }
  const p = res.data;
  const report = (p.sections || []).filter((s) => s.id === 'safety');
  /* the handout lists only the sources it cites */
  const used = new Set([(p.preset || {}).citations, ...(p.findings || []).map((f) => f.citations),
    ...(p.before_first_dose || []).map((m) => m.citations), ...(p.monitoring || []).map((m) => m.citations),
    ...report.flatMap((s) => s.statements.map((st) => st.citations))].flat().filter(Boolean));
  fill($('#handout'),
    el('h2', { text: `Your low-dose naltrexone (LDN) plan` }),
    el('p', { text: `For ${p.patient_id || 'you'}, made on ${p.as_of}.` }),
    decisionBlock(p, 'h-'),
    p.findings && p.findings.length ? el('section', {}, el('h3', { text: HEADINGS.patient.findings }), findingList(p.findings, 'h-', 'patient')) : null,
    p.before_first_dose && p.before_first_dose.length ? el('section', {}, el('h3', { text: HEADINGS.patient.before }), textList(p.before_first_dose, 'h-')) : null,
    p.schedule && p.schedule.length ? scheduleTable(p.schedule, HEADINGS.patient.calendar) : null,
    el('section', { class: 'report' }, el('h3', { text: 'What to track and report' }),
      p.monitoring ? textList(p.monitoring, 'h-') : null,
      report.map((s) => el('ul', {}, s.statements.map((st) => el('li', {}, st.text, cites(st.citations, 'h-')))))),
    withheldBlock(p),
    el('p', { class: 'review-line' }, reviewBadge(p.kb && p.kb.review), ' ', (p.kb && (p.kb.review_note || kbReview(p.kb))) || '',
      '. How this information is checked: our ', policyLink(p), '.'),
    el('section', {}, el('h3', { text: HEADINGS.patient.references }),
      referenceList((p.references || []).filter((r) => used.has(r.n)), 'h-')));
  say('Handout ready for printing.');
  window.print();
}

async function downloadIcs() {
  const req = state.req;
  if (!req) return;
  const res = await api('POST', '/api/v1/plan' + query({ audience: 'patient', as_of: req.as_of, preset: req.preset, format: 'ics' }), req.body, 'blob');
  if (!res.ok) {
    say('The calendar could not be made: ' + apiError(res).message);
    return;
  }
  const url = URL.createObjectURL(res.data);
  const a = el('a', { href: url, download: `ldn-plan-${(state.plan && state.plan.patient_id) || 'patient'}.ics` });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/* --- the titration tracker ----------------------------------------------- */

/* Store the intake: as a new patient, or (replan, a stored patient's id)
 * as a new plan for them.  A patient already stored is offered the new
 * plan by a button beside the error, never issued one unasked. */
async function savePatient(replan) {
  clearErrors('#intake');
  $('#form-errors').hidden = true;
  const body = requestBody();
  const q = query({ preset: state.caps.savePreset ? preset() : '' });
  const res = await api('POST', typeof replan === 'string'
    ? `/api/v1/patients/${encodeURIComponent(replan)}/plans` + q : '/api/v1/patients' + q, body);
  if (!res.ok) {
    const e = apiError(res);
    showError(e, '#patient-form', '#form-errors', 'The patient could not be saved:');
    const stored = /^patient "(.*)" is already stored/.exec(e.where === '/id' ? e.message : '');
    if (stored && state.caps.replan) {
      $('#form-errors').append(el('p', {},
        el('button', { type: 'button', id: 'replan-patient', onclick: () => savePatient(stored[1]) },
          `Issue a new plan for ${stored[1]}`),
        ' from this intake: it becomes the plan the next step follows, and the visits stay.'));
    }
    say('The patient could not be saved: see the intake.');
    return;
  }
  say(`${typeof replan === 'string' ? 'New plan for' : 'Saved'} ${res.data.id}: ${res.data.decision}` +
    `${res.data.earliest_start ? ', from ' + res.data.earliest_start : ''}.`);
  /* the plan on screen is remade from what was saved */
  await makePlan(body);
  await loadPatients(res.data.id);
  await showPatient(res.data.id);
  $('#tracker-h').scrollIntoView();
}

async function loadPatients(select) {
  const current = newest('patients');
  const res = await api('GET', '/api/v1/patients');
  if (!current()) return;
  if (!res.ok) {
    say('The stored patients could not be listed: ' + apiError(res).message);
    return;
  }
  const pick = $('#patient-pick');
  fill(pick, el('option', { value: '', text: 'choose' }),
    ...res.data.patients.map((p) => el('option', { value: p.id, text: `${p.id} (${p.decision}, ${p.visits} visits)` })));
  if (select) pick.value = select;
}

async function showPatient(id) {
  state.patient = id;
  await Promise.all([loadNext(), loadHistory()]);
}

async function loadNext() {
  const v = $('#next-view');
  const current = newest('next');
  const res = await api('GET', `/api/v1/patients/${encodeURIComponent(state.patient)}/next` +
    query({ audience: state.audience, as_of: $('#as-of').value }));
  if (!current()) return;
  if (!res.ok) {
    fill(v, el('p', { class: 'error', text: 'Next step: ' + apiError(res).message }));
    return;
  }
  const n = res.data;
  fill(v, el('div', { class: 'next action-' + n.action },
    el('h3', { text: 'Next step' }),
    el('p', {}, el('strong', { text: n.action }), n.dose_mg !== undefined && n.dose_mg !== null ? ` ${n.dose_mg} mg` : '',
      n.date ? ` from ${n.date}` : '', ' ', badge(n.evidence)),
    el('p', { class: 'next-text', text: n.text }),
    /* the notes beside the advice: an opioid kept, a hold to come */
    n.co_use_note ? el('p', { class: 'next-note', text: n.co_use_note }) : null,
    n.hold_note ? el('p', { class: 'next-note', text: n.hold_note }) : null,
    n.references && n.references.length ? referenceList(n.references, 'n-') : null));
}

async function loadHistory() {
  const current = newest('history');
  const res = await api('GET', `/api/v1/patients/${encodeURIComponent(state.patient)}/history?format=json`);
  if (!current()) return;
  if (!res.ok) {
    fill($('#chart'), el('p', { class: 'error', text: 'History: ' + apiError(res).message }));
    return;
  }
  drawChart(res.data);
  visitsTable(res.data.visits);
}

function dayOf(date) {
  return Date.UTC(+date.slice(0, 4), +date.slice(5, 7) - 1, +date.slice(8, 10)) / 86400000;
}

/* Dose (steps) and pain (points) over the visits, as inline SVG with a
 * title and description; the table below holds the same numbers. */
function drawChart(h) {
  const visits = h.visits || [];
  const fig = $('#chart');
  if (!visits.length) {
    fill(fig, el('figcaption', { text: 'No visits yet: the chart of dose and pain starts with the first one.' }));
    return;
  }
  const W = 640, H = 270, L = 48, R = 48, T = 28, B = 40, PAD = 24;
  const plan = (h.plans || [])[h.plans.length - 1] || {};
  const maxDose = Math.max(plan.ceiling_mg || 0, ...visits.map((v) => v.dose_mg), 1);
  const d0 = dayOf(visits[0].date), d1 = dayOf(visits[visits.length - 1].date);
  const span = Math.max(d1 - d0, 1);
  const x = (d) => L + PAD + ((dayOf(d) - d0) / span) * (W - L - R - 2 * PAD);
  const yDose = (mg) => T + (1 - mg / maxDose) * (H - T - B);
  const yPain = (p) => T + (1 - p / 10) * (H - T - B);
  let dose = `M ${x(visits[0].date).toFixed(1)} ${yDose(visits[0].dose_mg).toFixed(1)}`;
  for (const v of visits.slice(1)) dose += ` H ${x(v.date).toFixed(1)} V ${yDose(v.dose_mg).toFixed(1)}`;
  dose += ` H ${W - R}`; /* the last dose goes on */
  const pain = visits.map((v) => `${x(v.date).toFixed(1)},${yPain(v.pain).toFixed(1)}`).join(' ');
  const desc = visits.map((v) => `${v.date}: ${v.dose_mg} mg, pain ${v.pain}`).join('; ');
  const svg = el('svg:svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': 'chart-title chart-desc', class: 'chart' },
    el('svg:title', { id: 'chart-title', text: `Dose and pain over ${visits.length} visits` }),
    el('svg:desc', { id: 'chart-desc', text: desc }),
    el('svg:line', { x1: L, y1: H - B, x2: W - R, y2: H - B, class: 'axis' }),
    el('svg:line', { x1: L, y1: T, x2: L, y2: H - B, class: 'axis' }),
    el('svg:line', { x1: W - R, y1: T, x2: W - R, y2: H - B, class: 'axis' }),
    [0, maxDose / 2, maxDose].map((mg) => el('svg:text', { x: L - 6, y: yDose(mg) + 4, 'text-anchor': 'end', class: 'tick dose-tick', text: `${+mg.toFixed(2)}` })),
    [0, 5, 10].map((p) => el('svg:text', { x: W - R + 6, y: yPain(p) + 4, class: 'tick pain-tick', text: String(p) })),
    el('svg:text', { x: 4, y: 12, class: 'tick dose-tick', text: 'mg' }),
    el('svg:text', { x: W - R + 6, y: 12, class: 'tick pain-tick', text: 'pain' }),
    [visits[0].date, visits[visits.length - 1].date].filter((d, i, a) => a.indexOf(d) === i)
      .map((d) => el('svg:text', { x: x(d), y: H - B + 16, 'text-anchor': 'middle', class: 'tick', text: d })),
    el('svg:path', { d: dose, class: 'dose-line' }),
    el('svg:polyline', { points: pain, class: 'pain-line' }),
    visits.map((v) => el('svg:circle', { cx: x(v.date).toFixed(1), cy: yPain(v.pain).toFixed(1), r: 4, class: 'pain-point' })));
  fill(fig, svg, el('figcaption', {},
    el('span', { class: 'key dose-key', 'aria-hidden': 'true' }), ' dose taken (mg, left) ',
    el('span', { class: 'key pain-key', 'aria-hidden': 'true' }), ' pain (0-10, right)'));
}

function visitsTable(visits) {
  const cols = ['date', 'dose_mg', 'pain', 'sleep', 'mood', 'energy', 'clarity', 'side_effects', 'adherence', 'timing', 'notes'];
  const names = ['Date', 'Dose (mg)', 'Pain', 'Sleep', 'Mood', 'Energy', 'Clarity', 'Side effects', 'Adherence (%)', 'Taken at', 'Notes'];
  fill($('#visits-table'), !visits.length ? '' : el('table', { class: 'visits' },
    el('caption', { text: 'Visits' }),
    el('thead', {}, el('tr', {}, names.map((n) => el('th', { scope: 'col', text: n })))),
    el('tbody', {}, visits.map((v) => el('tr', {}, cols.map((c) => el('td', { text: v[c] === null ? '' : String(v[c]) })))))));
}

async function recordVisit(ev) {
  ev.preventDefault();
  clearErrors('#tracker');
  $('#visit-errors').hidden = true;
  if (!state.patient) {
    showError({ where: '', message: 'save a patient or choose a stored one first' }, '#visit-form', '#visit-errors', 'The visit was not recorded:');
    return;
  }
  const v = {};
  for (const c of $$('#visit-form [data-ptr]')) {
    const val = valueOf(c);
    if (val !== undefined) v[c.dataset.ptr] = val;
  }
  const res = await api('POST', `/api/v1/patients/${encodeURIComponent(state.patient)}/visits`, JSON.stringify(v));
  if (!res.ok) {
    showError(apiError(res), '#visit-form', '#visit-errors', 'The visit was not recorded:');
    return;
  }
  say(`Visit of ${v.date} recorded.`);
  await showPatient(state.patient);
  await loadPatients(state.patient);
}

/* --- the question box (when the server has POST /api/v1/ask) ------------- */

/* The answer: statements in the audience's words, what in this patient's
 * plan applies them, and their sources; or why there is none. */
function renderAnswer(a) {
  const out = $('#ask-answer');
  if (!a.answered) {
    fill(out, el('p', { class: 'no-answer', text: a.message || 'No answer was found in the knowledge base.' }));
    return;
  }
  fill(out,
    el('ul', { class: 'answers' }, a.answers.map((s) => el('li', { 'data-id': s.id }, s.text, cites(s.citations, 'a-'), ' ',
      badge(s.evidence), ' ', reviewBadge(s.review, s.review_since)))),
    a.for_patient && a.for_patient.length ? el('section', {}, el('h3', { text: a.patient ? `For ${a.patient}` : 'For this patient' }),
      el('ul', {}, a.for_patient.map((f) => el('li', { class: 'sev-' + f.severity }, el('span', { class: 'sev' }, f.severity), ' ',
        f.text, cites(f.citations, 'a-'))))) : null,
    el('h3', { text: 'Sources' }), referenceList(a.references || [], 'a-'));
}

async function ask(question) {
  const err = $('#ask-q-err');
  err.hidden = true;
  $('#ask-q').removeAttribute('aria-invalid');
  const body = { question, audience: state.audience };
  /* about the plan on screen: its body and date, not the form as edited since */
  const asOf = state.req ? state.req.as_of : $('#as-of').value;
  if (asOf) body.as_of = asOf;
  if (state.req) body.patient = JSON.parse(state.req.body);
  const current = newest('ask');
  const res = await api('POST', '/api/v1/ask', JSON.stringify(body));
  if (!current()) return;
  if (!res.ok) {
    const e = apiError(res);
    err.textContent = (e.where ? e.where + ': ' : '') + e.message;
    err.hidden = false;
    $('#ask-q').setAttribute('aria-invalid', 'true');
    $('#ask-q').focus();
    return;
  }
  renderAnswer(res.data);
  say(res.data.answered ? 'Answer ready.' : 'No answer found.');
}

/* The plan's suggested questions, one button each. */
function renderFollowUp(p) {
  const box = $('#ask-suggested');
  if (!box) return;
  const qs = p.follow_up || [];
  fill(box, qs.length ? el('p', { class: 'muted', text: 'Questions this plan suggests:' }) : '',
    ...qs.map((q) => el('button', { type: 'button', class: 'suggest', onclick: () => {
      $('#ask-q').value = q.question;
      ask(q.question);
    } }, q.question)));
}

function buildAsk() {
  const q = el('textarea', { id: 'ask-q', rows: 3, maxlength: 1000, 'aria-describedby': 'ask-q-err' });
  const form = el('form', { id: 'ask-form', onsubmit: (ev) => {
    ev.preventDefault();
    ask(q.value);
  } }, el('div', { class: 'field' }, el('label', { for: 'ask-q', text: 'Your question about LDN' }), q,
    el('p', { id: 'ask-q-err', class: 'field-error', hidden: true })),
  el('button', { type: 'submit', class: 'primary' }, 'Ask'));
  $('#ask').append(el('p', { class: 'muted', text: 'Answers are statements of the knowledge base, with their sources; with a patient in the intake, what in their plan applies.' }),
    form, el('div', { id: 'ask-suggested', class: 'actions' }), el('div', { id: 'ask-answer', 'aria-live': 'polite' }));
}

/* --- clinical review (for a token on the review board) ------------------- */

/* Who may take each action, from which states (as the API decides; the
 * page offers only these, and shows the API's answer when it refuses). */
const REVIEW_ACTIONS = [
  { action: 'submit', label: 'Submit for review', from: ['draft', 'changes-requested'], least: 'author' },
  { action: 'review', label: 'Start the review', from: ['submitted'], least: 'reviewer' },
  { action: 'approve', label: 'Approve', from: ['under-review'], least: 'reviewer' },
  { action: 'request-changes', label: 'Request changes', from: ['submitted', 'under-review'], least: 'reviewer' },
  { action: 'retire', label: 'Retire', from: ['draft', 'submitted', 'under-review', 'changes-requested', 'approved'], least: 'editor' },
];
const BOARD_RANK = { author: 0, reviewer: 1, editor: 2 };

const review = {
  you: null,     /* { name, role, reviewer_role } from the queue */
  items: [],     /* the queue as last read */
  item: null,    /* the item open, as the API last gave it */
};

function stateBadge(st) {
  return el('span', { class: 'badge review-' + st + (st === 'approved' ? ' review-approved' : ' review-pending') },
    REVIEW_STATES[st] || st);
}

/* Read the queue: the review section is shown to a token on the review
 * board (a reviewer whose name reviewers.yaml lists), and to a reviewer
 * token the board lacks with the API's reason.  True for a board member. */
async function loadReview() {
  if (!state.token) {
    $('#review').hidden = $('#review-link').hidden = true;
    return false;
  }
  const current = newest('review');
  const res = await api('GET', '/api/v1/review' + query({ state: $('#review-state').value }));
  if (!current()) return false; /* the newer call sets the page up */
  const you = res.ok ? res.data.you : null;
  const member = Boolean(you && you.reviewer_role);
  const refused = res.status === 403 && /reviewer/.test(apiError(res).message);
  $('#review').hidden = $('#review-link').hidden = !(member || refused);
  /* a board member's page is the review: the intake, plan and tracker
   * are for clinicians, whose routes this token may not call */
  if (member) document.body.dataset.mode = 'review';
  else delete document.body.dataset.mode;
  if (!res.ok) {
    if (refused) {
      fill($('#review-you'), el('span', { class: 'error', text: 'The review queue: ' + apiError(res).message }));
      fill($('#review-queue'));
      fill($('#review-item'));
    }
    return false;
  }
  if (!member) return false;
  review.you = you;
  review.items = res.data.items;
  const board = res.data.reviewers.find((r) => r.id === you.name) || {};
  fill($('#review-you'), 'Signed in as ', el('strong', { text: board.name || you.name }),
    ` (${you.name}), ${you.reviewer_role} on the review board.`);
  const c = res.data.counts || {};
  $('#review-counts').textContent = 'In the knowledge base: ' +
    Object.keys(REVIEW_STATES).map((k) => `${c[k] || 0} ${REVIEW_STATES[k]}`).join(', ') + '.';
  renderQueue();
  return true;
}

function renderQueue() {
  const needle = $('#review-filter').value.trim().toLowerCase();
  const items = review.items.filter((i) => !needle || (i.kind + '/' + i.id).toLowerCase().includes(needle));
  const want = $('#review-state').value;
  const what = want ? REVIEW_STATES[want] : 'any state';
  fill($('#review-queue'), el('table', { class: 'queue' },
    el('caption', { text: `${items.length} item${items.length === 1 ? '' : 's'} in ${what}${needle ? ` whose id contains "${needle}"` : ''}` }),
    el('thead', {}, el('tr', {}, ['Item', 'State', 'Version', 'Since', 'Last action'].map((h) => el('th', { scope: 'col', text: h })))),
    el('tbody', {}, items.map((i) => el('tr', { 'data-item': i.kind + '/' + i.id },
      el('td', {}, el('button', { type: 'button', class: 'linkish open-item', onclick: () => openItem(i.kind + '/' + i.id) },
        i.kind + '/' + i.id)),
      el('td', {}, stateBadge(i.state)),
      el('td', {}, el('code', { text: i.version.slice(0, 12) })),
      el('td', { text: i.since || '' }),
      el('td', { text: i.last_action ? `${i.last_action.by}, ${i.last_action.at.slice(0, 10)}: ${i.last_action.why}` : '' }))))));
}

/* Path segments of "kind/id", each escaped. */
function itemPath(name) {
  const [kind, ...rest] = name.split('/');
  return `/api/v1/review/${encodeURIComponent(kind)}/${encodeURIComponent(rest.join('/'))}`;
}

async function openItem(name) {
  const current = newest('item');
  const res = await api('GET', itemPath(name));
  if (!current()) return;
  if (!res.ok) {
    fill($('#review-item'), el('p', { class: 'error', text: `${name}: ${apiError(res).message}` }));
    return;
  }
  renderItem(res.data);
  $('#review-item').focus();
}

/* The difference, line by line: each added or removed line says so in
 * words (and a sign), as well as in colour. */
function diffBlock(diff) {
  if (!diff) return el('p', { class: 'muted', text: 'No earlier version was acted on: all of this is new to reviewers.' });
  const changed = diff.lines.some((l) => l.op !== 'same');
  return el('div', {},
    el('p', {}, `Compared with version `, el('code', { text: diff.from_version.slice(0, 12) }),
      ` (${REVIEW_STATES[diff.from_state] || diff.from_state}). Lines marked `, el('strong', { text: '+ added' }), ' are new; lines marked ',
      el('strong', { text: '− removed' }), ' are gone.'),
    changed ? null : el('p', { class: 'muted', text: 'No change in the content.' }),
    el('ol', { class: 'diff', 'aria-label': 'Changes' }, diff.lines.map((l) => {
      if (l.op === 'added') return el('li', { class: 'diff-added' }, el('span', { class: 'mark', 'aria-hidden': 'true', text: '+' }),
        el('ins', {}, el('span', { class: 'sr-only', text: 'added: ' }), l.line));
      if (l.op === 'removed') return el('li', { class: 'diff-removed' }, el('span', { class: 'mark', 'aria-hidden': 'true', text: '−' }),
        el('del', {}, el('span', { class: 'sr-only', text: 'removed: ' }), l.line));
      return el('li', { class: 'diff-same' }, el('span', { class: 'mark', 'aria-hidden': 'true', text: ' ' }), el('span', { text: l.line }));
    })));
}

function renderItem(it) {
  review.item = it;
  const name = it.kind + '/' + it.id;
  const rank = BOARD_RANK[review.you && review.you.reviewer_role];
  const offered = REVIEW_ACTIONS.filter((a) => a.from.includes(it.state) && rank >= BOARD_RANK[a.least]);
  const why = el('textarea', { id: 'review-why', rows: 3, maxlength: 2000, 'aria-describedby': 'review-why-err review-why-help' });
  const form = !offered.length ? el('div', { id: 'review-form' }, el('h4', { text: 'Act on this version' }),
    el('p', { class: 'muted', text: `Nothing you may do to an item that is ${REVIEW_STATES[it.state]}.` }))
    : el('form', { id: 'review-form', novalidate: true, onsubmit: (ev) => {
    ev.preventDefault();
    const button = ev.submitter;
    if (button && button.value) act(button.value);
  } },
  el('h4', { text: 'Act on this version' }),
  el('p', {}, 'You act on version ', el('code', { class: 'acting-version', text: it.version.slice(0, 12) }),
    ', the one shown above; if it changes meanwhile the action is refused.'),
  el('div', { id: 'review-form-err', class: 'error-summary', role: 'alert', tabindex: '-1', hidden: true }),
  el('div', { class: 'field' }, el('label', { for: 'review-why', text: 'Why (required; kept with the action in the audit log)' }), why,
    el('p', { id: 'review-why-help', class: 'muted', text: 'Say what you checked, or what must change.' }),
    el('p', { id: 'review-why-err', class: 'field-error', hidden: true })),
  el('div', { class: 'actions' }, offered.map((a) => el('button', { type: 'submit', name: 'action', value: a.action,
    class: a.action === 'approve' ? 'primary' : null }, a.label))));
  fill($('#review-item'),
    el('h3', { id: 'review-item-h' }, name, ' ', stateBadge(it.state)),
    el('p', {}, 'Version ', el('code', { text: it.version.slice(0, 12) }), it.since ? `, ${REVIEW_STATES[it.state]} since ${it.since}` : ': no action on this version yet', '.'),
    el('h4', { text: 'Content' }), el('pre', { class: 'content', text: it.content }),
    el('h4', { text: 'What changed' }), diffBlock(it.diff),
    el('h4', { text: 'History' }),
    it.history.length ? el('table', { class: 'history' },
      el('thead', {}, el('tr', {}, ['When', 'State', 'Version', 'By', 'Why'].map((h) => el('th', { scope: 'col', text: h })))),
      el('tbody', {}, it.history.map((r) => el('tr', {}, el('td', { text: r.at }), el('td', {}, stateBadge(r.state)),
        el('td', {}, el('code', { text: r.version.slice(0, 12) }), r.current ? ' (current)' : ''), el('td', { text: r.by }),
        el('td', { text: r.why }))))) : el('p', { class: 'muted', text: 'No action yet.' }),
    form);
}

function reviewError(message, atWhy) {
  const box = $('#review-form-err');
  fill(box, el('p', { text: message }));
  box.hidden = false;
  const why = $('#review-why');
  if (atWhy) {
    const p = $('#review-why-err');
    p.textContent = message;
    p.hidden = false;
    why.setAttribute('aria-invalid', 'true');
    why.focus();
  } else {
    box.focus();
  }
}

async function act(action) {
  const it = review.item;
  const why = $('#review-why');
  $('#review-form-err').hidden = true;
  $('#review-why-err').hidden = true;
  why.removeAttribute('aria-invalid');
  if (!why.value.trim()) {
    reviewError('Say why before you act: the reason is kept with the action.', true);
    return;
  }
  const name = it.kind + '/' + it.id;
  const res = await api('POST', itemPath(name), JSON.stringify({ action, version: it.version, why: why.value }));
  if (!res.ok) {
    const e = apiError(res);
    const hint = res.status === 409 ? ' Reload the item and read it again before you act.' : '';
    reviewError(`Not done (${res.status}): ${e.where ? e.where + ': ' : ''}${e.message}${hint}`, e.where === '/why');
    return;
  }
  renderItem(res.data);
  say(`${name} is now ${REVIEW_STATES[res.data.state] || res.data.state}.`);
  await loadReview();
  $('#review-item-h').scrollIntoView();
}

/* --- start --------------------------------------------------------------- */

function bind() {
  $('#token-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    state.token = $('#token').value.trim();
    sessionStorage.setItem('ldn-token', state.token);
    $('#token-state').textContent = state.token ? 'token set for this tab' : 'no token yet';
    loadReview();
  });
  $('#review-state').addEventListener('change', loadReview);
  $('#review-filter').addEventListener('input', renderQueue);
  $('#review-refresh').addEventListener('click', loadReview);
  $('#audience').addEventListener('change', async (ev) => {
    if (ev.target.name !== 'audience') return;
    state.audience = ev.target.value;
    $('#dispense-options').hidden = state.audience !== 'pharmacist';
    if (state.audience === 'pharmacist') await loadForms();
    rerender();
  });
  $('#formulation').addEventListener('change', rerender);
  $('#supply-days').addEventListener('change', rerender);
  for (const r of $$('input[name="input-kind"]')) {
    r.addEventListener('change', () => {
      const fhir = inputKind() === 'fhir';
      $('#patient-form').hidden = fhir;
      $('#fhir-input').hidden = !fhir;
    });
  }
  $('#fhir-file').addEventListener('change', async (ev) => {
    const f = ev.target.files[0];
    if (f) $('#fhir-text').value = await f.text();
  });
  for (const b of $$('button[data-add]')) {
    b.addEventListener('click', () => {
      const row = addRow(b.dataset.add);
      row.querySelector('input, select').focus();
    });
  }
  $('#get-plan').addEventListener('click', getPlan);
  $('#preset').addEventListener('change', () => { if (state.req) rerender(); });
  $('#save-patient').addEventListener('click', () => savePatient());
  $('#print-handout').addEventListener('click', printHandout);
  $('#download-ics').addEventListener('click', downloadIcs);
  $('#visit-form').addEventListener('submit', recordVisit);
  $('#refresh-patients').addEventListener('click', () => loadPatients(state.patient));
  $('#patient-pick').addEventListener('change', (ev) => {
    if (ev.target.value) showPatient(ev.target.value);
  });
}

async function start() {
  takeToken();
  bind();
  await loadCaps();
  /* a reviewer's token reads the queue, not patients */
  const reviewer = await loadReview();
  if (state.token && !reviewer) await loadPatients();
  document.body.dataset.ready = 'true';
}

document.addEventListener('DOMContentLoaded', start);
