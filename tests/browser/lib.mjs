// Shared by the browser tests: the server's address, Debian's Chromium, and pages that fail the
// test on any console error, uncaught exception, CSP violation or dialog.
//
// Run by tests/it/browser.rs (`cargo test`) against an in-process server; by hand:
//   node tests/browser/smoke.mjs http://127.0.0.1:8080

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

/** The server under test: the first argument or PAJA_BASE_URL, without a trailing slash. */
export const BASE = (process.argv[2] || process.env.PAJA_BASE_URL || '').replace(/\/$/, '');
if (!BASE) {
  console.error('usage: node <script>.mjs http://127.0.0.1:PORT (or set PAJA_BASE_URL)');
  process.exit(2);
}

/** Debian's Chromium (`apt-get install -y chromium`); PAJA_CHROMIUM points elsewhere. */
export const CHROMIUM = process.env.PAJA_CHROMIUM || '/usr/bin/chromium';

/** A phone: 360×640 CSS pixels at 2× (a cheap Android), touch. */
export const PHONE = { viewport: { width: 360, height: 640 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
/** A facilitator's laptop. */
export const LAPTOP = { viewport: { width: 1366, height: 768 } };
/** A projector. */
export const PROJECTOR = { viewport: { width: 1920, height: 1080 } };

/** Headless Chromium; CI runs as root with no display. `extra`: more command-line switches. */
export function launch(extra = []) {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', ...extra],
  });
}

/**
 * Collects everything that must not happen on a page. `problems` is shared by all pages of a
 * test and asserted empty at the end.
 */
export class Watch {
  constructor() {
    /** @type {string[]} */
    this.problems = [];
    /** Console errors a test expects (e.g. the browser's own log of a refused websocket). */
    this.expected = [];
  }

  /** Console errors matching `pattern` are expected in this test, not problems. */
  expect(pattern) {
    this.expected.push(pattern);
  }

  /** A page in its own browser context (its own localStorage: a separate person). */
  async page(browser, name, options) {
    const context = await browser.newContext({ locale: 'fi-FI', ...options });
    const page = await context.newPage();
    // Violations are console errors too, but say so explicitly (the init script is exempt from CSP).
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sample || ''})`);
      });
    });
    page.on('console', (m) => {
      if (m.type() === 'error' && !this.expected.some((p) => p.test(m.text()))) {
        this.problems.push(`${name}: console error: ${m.text()}`);
      }
    });
    page.on('pageerror', (e) => this.problems.push(`${name}: uncaught: ${e.message}`));
    page.on('dialog', async (d) => {
      this.problems.push(`${name}: a ${d.type()} dialog opened: ${d.message()}`);
      await d.dismiss().catch(() => {});
    });
    page.on('crash', () => this.problems.push(`${name}: the page crashed`));
    return page;
  }

  /** Fails with every problem seen so far. */
  assertClean(assert) {
    assert.deepEqual(this.problems, [], `problems in the browser:\n${this.problems.join('\n')}`);
  }
}

/**
 * Runs a test's body in its own headless Chromium with a Watch over its pages, and fails it
 * with any problem the watch saw. The browser is closed however the body ends; when the body
 * throws, the problems seen so far are printed too, as they often explain the failure.
 * @param {(browser: import('playwright-core').Browser, watch: Watch) => Promise<void>} body
 * @param {{args?: string[]}} [options] more Chromium switches (e.g. `--host-resolver-rules`)
 */
export async function inBrowser(body, { args = [] } = {}) {
  const watch = new Watch();
  const browser = await launch(args);
  try {
    await body(browser, watch);
    watch.assertClean(assert);
  } catch (e) {
    if (watch.problems.length) console.error(`also seen in the browser:\n${watch.problems.join('\n')}`);
    throw e;
  } finally {
    await browser.close();
  }
}

/** Creates a session over the API (as the front page does); returns its slug and URLs. */
export async function createSession(prefix, title, language = 'fi') {
  const slug = `${prefix}${Math.floor(Math.random() * 1e6)}`;
  const response = await fetch(`${BASE}/api/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ slug, title, language }),
  });
  if (response.status !== 201) throw new Error(`create session: ${response.status} ${await response.text()}`);
  const created = await response.json();
  return { slug, control: BASE + created.control_url, participant: `${BASE}/${slug}`, screen: `${BASE}/${slug}/screen` };
}

/**
 * Adds a prompt with the console's editor (the facilitator's way). `spec.source` is the dot
 * vote's source as the editor lists it (`1. Title`).
 */
export async function addPrompt(control, spec) {
  const before = await control.locator('#agenda > li').count();
  await control.click('#new');
  await control.waitForSelector('#editor[open]');
  await control.selectOption('#e-kind', spec.kind);
  await control.fill('#e-title', spec.title);
  if (spec.instructions) await control.fill('#e-instr', spec.instructions);
  if (spec.columns) await control.fill('#e-columns', spec.columns.join('\n'));
  if (spec.options) await control.fill('#e-options', spec.options.join('\n'));
  if (spec.statements) await control.fill('#e-statements', spec.statements.join('\n'));
  if (spec.minLabel) await control.fill('#e-min-label', spec.minLabel);
  if (spec.maxLabel) await control.fill('#e-max-label', spec.maxLabel);
  if (spec.source) await control.selectOption('#e-source', { label: spec.source });
  if (spec.perGroup) await control.check('#e-per-group');
  if (spec.premoderation) await control.check('#e-premod');
  if (spec.minutes) await control.fill('#e-min', spec.minutes);
  if (spec.wall) await control.check('#e-wall');
  if (spec.results) await control.selectOption('#e-results', spec.results);
  await control.click('#e-save');
  await control.waitForFunction(
    (n) => document.querySelectorAll('#agenda > li').length === n + 1 && !document.getElementById('editor').open,
    before,
  );
}

/** Texts of the elements matching `selector`, in document order. */
export function texts(page, selector) {
  return page.$$eval(selector, (nodes) => nodes.map((n) => n.textContent));
}

const AXE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe's WCAG 2.1 A and AA violations on `page` as it is now (as a11y.mjs runs it). */
export async function axeViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE);
  return page.evaluate(async () => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
}
