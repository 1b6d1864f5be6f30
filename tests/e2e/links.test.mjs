/*
 * Links in comment text (issue #17, docs/widget.md "Links"). The cases of
 * tests/links/cases.json (hostile ones among them: look-alike schemes,
 * quotes and markup inside addresses, user names, entities) go through
 * all three renderings: embed.js's linked() as bandocd serves it, and
 * buf_add_html_linked() (service/buf.c) on the no-JS page and the
 * server-side fragment. All must give the DOM the cases file says;
 * test_links checks the C side byte for byte against the same file.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { BASE, closureFn, HOST, launch, readerContext, sql, watch }
	from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const CASES = JSON.parse(readFileSync(path.join(here, '..', 'links',
	'cases.json'), 'utf8'));
const RUN = Math.random().toString(36).slice(2, 8);
const KEY = 'links-' + RUN;

let browser, server, script;
before(async () => {
	browser = await launch();
	script = await (await fetch(BASE + '/embed.js')).text();
	server = http.createServer((req, res) => {
		if (req.url !== '/links.html') {
			res.writeHead(404).end();
			return;
		}
		res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
		res.end('<!doctype html><html lang="vi"><head><meta charset="utf-8">' +
			'<title>Liên kết</title></head><body><div data-bandoc-comments ' +
			`data-site="lamdong" data-article="${KEY}" data-lang="vi">` +
			`</div><script src="${BASE}/embed.js" async></script></body>` +
			'</html>');
	});
	await new Promise((ok) => server.listen(Number(new URL(HOST).port),
		'127.0.0.1', ok));
});
after(async () => {
	await browser?.close();
	server?.close();
});

/* Each case's expected HTML as the browser's DOM serialises it, and
 * what the served linked() builds for its input, in one page. */
async function inBrowser(page) {
	const h = closureFn(script, 'h'), linked = closureFn(script, 'linked');
	assert.ok(h && linked, 'embed.js has h() and linked()');
	return page.evaluate(({ h, linked, cases }) => {
		const d = document;
		// eslint-disable-next-line no-new-func
		const make = new Function('d', h + linked + 'return linked;')(d);
		return cases.map((c) => {
			const want = d.createElement('div');
			const got = d.createElement('div');
			want.innerHTML = c.html;
			got.append(...make(c.in));
			return { want: want.innerHTML, got: got.innerHTML };
		});
	}, { h, linked, cases: CASES });
}

test('linked() of the served embed.js gives every case of cases.json',
	async () => {
		const ctx = await readerContext(browser);
		const page = await ctx.newPage();
		const r = await inBrowser(page);
		r.forEach((x, i) => assert.equal(x.got, x.want,
			`case ${i}: ${JSON.stringify(CASES[i].in)}`));
		await ctx.close();
	});

/* The bodies under root, by comment id (elements whose id ends c<ID>). */
async function bodies(page, root) {
	return page.evaluate((r) => {
		const out = {};
		for (const li of document.querySelectorAll(r + ' .bandoc-comment')) {
			const id = /c(\d+)$/.exec(li.id)?.[1];
			out[id] = li.querySelector('.bandoc-body').innerHTML;
		}
		return out;
	}, root);
}

test('the widget, the no-JS page and the fragment show the same links',
	async () => {
		const q = (s) => "'" + s.replace(/'/g, "''") + "'";
		const cases = CASES.filter((c) => c.in !== '');
		sql(`INSERT INTO article (site, key, title, created_at) VALUES ` +
			`('lamdong', ${q(KEY)}, 'Liên kết', strftime('%s','now'))`);
		const ids = cases.map((c, i) => sql('INSERT INTO comment ' +
			'(article_id, status, name, body, body_hash, ip_hash, ' +
			'created_at, updated_at) SELECT id, 1, ' +
			`${q('Độc giả ' + i)}, ${q(c.in)}, randomblob(32), 'e2e', ` +
			`strftime('%s','now') + ${i}, strftime('%s','now') + ${i} ` +
			`FROM article WHERE site = 'lamdong' AND key = ${q(KEY)} ` +
			'RETURNING id'));
		const ctx = await readerContext(browser);
		const page = await ctx.newPage();
		const g = watch(page);
		const want = (await inBrowser(page)).filter((x, i) =>
			CASES[i].in !== '').map((x) => x.want);
		const expect = (got, where) => ids.forEach((id, i) =>
			assert.equal(got[id], want[i],
				`${where}, case ${JSON.stringify(cases[i].in)}`));
		const qs = `?site=lamdong&lang=vi&article=${encodeURIComponent(KEY)}`;

		await page.goto(BASE + '/embed/comments.html' + qs);
		expect(await bodies(page, '.bandoc-list'), 'fragment');
		await page.goto(BASE + '/embed/comments' + qs);
		expect(await bodies(page, '.bandoc-list'), 'no-JS page');
		await page.goto(HOST + '/links.html');
		await page.waitForFunction((n) => document.querySelectorAll(
			'.bandoc-list > .bandoc-comment').length === n, ids.length,
		{ timeout: 10000 });
		expect(await bodies(page, '.bandoc-list'), 'widget');
		/* A link opens in a new tab and tells the target nothing. */
		const a = page.locator('.bandoc-body a').first();
		assert.equal(await a.getAttribute('rel'), 'nofollow ugc noopener');
		assert.deepEqual(g.errors, []);
		assert.deepEqual(g.dialogs, []);
		await ctx.close();
	});
