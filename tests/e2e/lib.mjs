/*
 * Shared helpers of the e2e tests. run.sh starts the daemon and sets:
 * BANDOC_BASE (http://127.0.0.1:PORT), BANDOC_DB, BANDOC_SECRETS,
 * BANDOC_ANSWER (the test-side key holder), BANDOC_ARTIFACTS,
 * BANDOC_CHROMIUM.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, mkdirSync } from 'node:fs';
import path from 'node:path';
import { solveChallenge } from 'altcha-lib/v1';
import { chromium } from 'playwright-core';

export const BASE = process.env.BANDOC_BASE;
const DB = process.env.BANDOC_DB;
const SECRETS = process.env.BANDOC_SECRETS;
const ANSWER = process.env.BANDOC_ANSWER || '';
const ARTIFACTS = process.env.BANDOC_ARTIFACTS ||
	path.join(path.dirname(new URL(import.meta.url).pathname), 'artifacts');

if (!BASE)
	throw new Error('run the e2e tests through tests/e2e/run.sh BUILD_DIR');

/* Another origin of the site (in its origins), where the cross-origin
 * tests serve a host page themselves. */
export const HOST = process.env.BANDOC_HOST;

/* extraArgs: more Chromium switches (tests/nginx maps a host name). */
export async function launch(extraArgs = []) {
	return chromium.launch({
		executablePath: process.env.BANDOC_CHROMIUM || '/usr/bin/chromium',
		args: ['--headless', '--no-sandbox', '--disable-gpu',
			'--disable-background-networking', '--disable-component-update',
			'--disable-sync', '--no-first-run', '--disable-quic',
			...extraArgs],
	});
}

/*
 * A browser context that looks like a reader's: headless Chromium says
 * "HeadlessChrome" in its User-Agent, which the view counter (rightly)
 * does not count.
 */
export async function readerContext(browser, opts = {}) {
	const v = browser.version();
	const ctx = await browser.newContext({
		userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 ' +
			`(KHTML, like Gecko) Chrome/${v} Safari/537.36`,
		viewport: { width: 1100, height: 900 },
		locale: 'vi-VN',
		timezoneId: 'Asia/Ho_Chi_Minh',
		...opts,
	});
	return ctx;
}

/*
 * Collects what must not happen on a page: script errors, console errors
 * (CSP violations are reported there), dialogs (alert/confirm/prompt).
 */
export function watch(page) {
	const w = { errors: [], dialogs: [] };
	page.on('pageerror', (e) => w.errors.push('pageerror: ' + e.message));
	page.on('console', (m) => {
		/* A missing /favicon.ico is the browser's business. */
		if (m.type() === 'error' &&
		    !/\/favicon\.ico$/.test(m.location()?.url ?? ''))
			w.errors.push('console: ' + m.text());
	});
	page.on('dialog', (d) => {
		w.dialogs.push(d.type() + ': ' + d.message());
		d.dismiss().catch(() => {});
	});
	return w;
}

/* Is the test-side key holder built? */
export function haveAnswer() {
	try {
		accessSync(ANSWER, constants.X_OK);
		return true;
	} catch {
		return false;
	}
}

/* The answer of a CAPTCHA token, through the key holder only. */
export function answer(token) {
	return execFileSync(ANSWER, [SECRETS, token], { encoding: 'utf8' }).trim();
}

/* An answer that is certainly wrong for the token. */
export function wrongAnswer(token) {
	if (!haveAnswer())
		return 'QQQQQQ';
	const right = answer(token);
	return right.split('').map((c) => (c === '2' ? '3' : '2')).join('');
}

/* The text of top-level function NAME of a served script's closure,
 * from "function NAME(" to its closing brace, one tab in (null if none). */
export function closureFn(src, name) {
	const m = src.match(new RegExp('\\n\\tfunction ' + name +
		'\\([^)]*\\) \\{\\n[\\s\\S]*?\\n\\t\\}\\n'));
	return m ? m[0] : null;
}

export function sql(query) {
	return execFileSync('sqlite3', ['-cmd', '.timeout 5000', DB, query],
		{ encoding: 'utf8' }).trim();
}

export async function shot(page, name, opts = {}) {
	mkdirSync(ARTIFACTS, { recursive: true });
	const file = path.join(ARTIFACTS, name + '.png');
	await page.screenshot({ path: file, ...opts });
	return file;
}

/* A screenshot of one element (a section of a long page). */
export async function shotOf(locator, name) {
	mkdirSync(ARTIFACTS, { recursive: true });
	const file = path.join(ARTIFACTS, name + '.png');
	await locator.screenshot({ path: file });
	return file;
}

/* Waits until the widget's CAPTCHA has a token other than `not`. */
export async function captchaToken(page, not = null, root = page) {
	/* The widget asks for a challenge when its form comes near the
	 * screen. */
	await root.locator('.bandoc-form').first().scrollIntoViewIfNeeded();
	const deadline = Date.now() + 10000;
	for (;;) {
		const t = await root.locator('input[name="captcha_token"]')
			.first().inputValue().catch(() => '');
		if (t && t !== not)
			return t;
		if (Date.now() > deadline)
			throw new Error('no new CAPTCHA token (had ' + not + ')');
		await page.waitForTimeout(100);
	}
}

/*
 * Solves a challenge's proof of work with the stock altcha-lib (ALTCHA
 * v1), as another client would, and returns the payload for "altcha".
 */
export async function solvePow(p) {
	const s = await solveChallenge(p.challenge, p.salt, p.algorithm,
		p.maxnumber).promise;
	if (!s)
		throw new Error('altcha-lib found no solution: ' + JSON.stringify(p));
	return Buffer.from(JSON.stringify({ algorithm: p.algorithm,
		challenge: p.challenge, number: s.number, salt: p.salt,
		signature: p.signature })).toString('base64');
}

/* Submits a comment through the JSON API from a page of the daemon's
 * origin (as the widget does), solving the CAPTCHA with the key holder. */
export async function postComment(page, fields) {
	const issue = await page.evaluate(async (f) => {
		const r = await fetch('/api/v1/captcha', { method: 'POST',
			body: new URLSearchParams({ site: f.site, article: f.article,
				kind: 'image' }) });
		return { status: r.status, body: await r.json() };
	}, fields);
	if (issue.status !== 201)
		throw new Error('captcha: ' + JSON.stringify(issue));
	const form = { ...fields, captcha_token: issue.body.token,
		captcha_answer: answer(issue.body.token), website: '',
		altcha: await solvePow(issue.body.pow) };
	return page.evaluate(async (f) => {
		const r = await fetch('/api/v1/comments', { method: 'POST',
			body: new URLSearchParams(f) });
		return { status: r.status, body: await r.json() };
	}, form);
}
