/*
 * The widget on another site: a host page on another origin (served
 * here, on BANDOC_HOST) with the strict CSP docs/widget.md recommends
 * and English texts, talking to the daemon cross-origin (CORS).
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';
import { answer, BASE, captchaToken, haveAnswer, HOST, launch,
	readerContext, shot, watch } from './lib.mjs';

let browser, server;
before(async () => {
	browser = await launch();
	/* GET /LANG/ARTICLE.html[?site=SITE]: the host page. */
	server = http.createServer((req, res) => {
		const m = /^\/(vi|en)\/([a-z0-9-]+)\.html(?:\?site=([a-z]+))?$/
			.exec(req.url);
		if (req.url === '/favicon.ico') {
			res.writeHead(204).end();
			return;
		}
		if (!m) {
			res.writeHead(404).end();
			return;
		}
		res.writeHead(200, { 'content-type': 'text/html; charset=utf-8',
			'content-security-policy': CSP });
		res.end(hostPage(m[1], m[2], m[3]));
	});
	await new Promise((ok) => server.listen(Number(new URL(HOST).port),
		'127.0.0.1', ok));
});
after(async () => {
	await browser?.close();
	server?.close();
});

/* The host's CSP, as docs/widget.md tells hosts to write it. */
const CSP = `default-src 'self'; script-src 'self' ${BASE}; ` +
	`style-src 'self' ${BASE}; img-src 'self' ${BASE} data:; ` +
	`media-src ${BASE}; connect-src ${BASE}; worker-src blob:; ` +
	`frame-ancestors 'none'`;

function hostPage(lang, article, site = 'lamdong') {
	return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>A host article</title></head>
<body>
<h1>Da Lat flower festival opens</h1>
<p>Some article text.</p>
<p>Views: <span data-bandoc-views data-site="${site}" data-article="${article}"></span></p>
<div data-bandoc-comments data-site="${site}" data-article="${article}"></div>
<script src="${BASE}/embed.js" async></script>
</body></html>`;
}

async function openHost(ctx, lang, article, site) {
	const page = await ctx.newPage();
	const w = watch(page);
	await page.goto(`${HOST}/${lang}/${article}.html` +
		(site ? '?site=' + site : ''));
	return { page, w };
}

test('English widget on a foreign origin under a strict CSP', async () => {
	const ctx = await readerContext(browser, { locale: 'en-GB' });
	const { page, w } = await openHost(ctx, 'en', 'host-en-1');

	await page.waitForFunction(() => /^\d/.test(
		document.querySelector('[data-bandoc-views]').textContent));
	assert.equal(await page.locator('[data-bandoc-views]').textContent(), '1');
	await page.locator('.bandoc-form').waitFor();
	assert.equal(await page.locator('.bandoc-count').textContent(),
		'Readers\' comments (0)');
	assert.equal(await page.locator('.bandoc-empty').textContent(),
		'No comments yet.');
	for (const label of ['Name', 'Email', 'Comment',
		'Enter the code shown above in the box below.'])
		assert.equal(await page.getByLabel(label, { exact: true }).count(), 1,
			label);
	assert.match(await page.locator('.bandoc-hint').textContent(), /never shown/i);
	const token = await captchaToken(page);
	const img = page.locator('.bandoc-captcha-img');
	assert.equal(await img.getAttribute('alt'),
		'Verification code: type the characters in the picture');
	assert.ok((await img.getAttribute('src')).startsWith(BASE + '/api/v1/captcha/'));
	assert.match(await img.getAttribute('srcset'), /@2x\.png 2x$/);
	assert.ok(await img.evaluate((i) => i.complete && i.naturalWidth > 0),
		'the picture loads under the host CSP');
	const code = page.getByLabel('Enter the code shown above in the box below.');
	assert.equal(await code.getAttribute('autocomplete'), 'off');
	assert.equal(await code.getAttribute('autocapitalize'), 'characters');
	assert.equal(await code.getAttribute('spellcheck'), 'false');
	assert.ok(await page.getByRole('button', { name: 'New code' }).isVisible());
	assert.ok(await page.getByRole('button',
		{ name: 'Listen to an audio code' }).isVisible());

	if (haveAnswer()) {
		await page.getByLabel('Name', { exact: true }).fill('Jane Doe');
		await page.getByLabel('Comment', { exact: true })
			.fill('Lovely photos of Đà Lạt.');
		await code.fill(answer(token));
		await page.getByRole('button', { name: 'Send', exact: true }).click();
		const ok = page.locator('.bandoc-status-ok');
		await ok.waitFor();
		assert.match(await ok.textContent(), /awaits moderation/);
	}
	await page.locator('.bandoc-form').scrollIntoViewIfNeeded();
	await shot(page, 'host-en', { fullPage: true });
	assert.deepEqual(w.errors, []);
	await ctx.close();
});

test('numbers and dates follow the language', async () => {
	for (const [lang, want] of [['vi', '1.234.567'], ['en', '1,234,567']]) {
		const ctx = await readerContext(browser);
		await ctx.route(BASE + '/api/v1/views', (route) => route.fulfill({
			status: 200, contentType: 'application/json',
			headers: { 'access-control-allow-origin': HOST },
			body: '{"views":1234567,"counted":true}' }));
		await ctx.route(BASE + '/api/v1/comments?*', (route) => route.fulfill({
			status: 200, contentType: 'application/json',
			headers: { 'access-control-allow-origin': HOST },
			body: JSON.stringify({ total: 1234, page: 1, per_page: 50, pages: 2,
				comments: [{ id: 7, parent_id: null, name: 'A',
					body: 'x', created_at: '2026-11-27T09:00:00Z', reply: null,
					replies: [] }] }) }));
		const { page } = await openHost(ctx, lang, 'host-fmt');
		await page.waitForFunction(() => /\d/.test(
			document.querySelector('[data-bandoc-views]').textContent));
		assert.equal(await page.locator('[data-bandoc-views]').textContent(), want);
		await page.locator('.bandoc-comment').waitFor();
		assert.match(await page.locator('.bandoc-count').textContent(),
			lang === 'vi' ? /\(1\.234\)$/ : /\(1,234\)$/);
		const date = await page.locator('.bandoc-date').textContent();
		/* 09:00Z is 16:00 in Asia/Ho_Chi_Minh (the context's zone). */
		assert.match(date, lang === 'vi' ? /16:00.*27\/11\/2026/ :
			/27 Nov 2026.*16:00/);
		assert.equal(await page.locator('.bandoc-date').getAttribute('datetime'),
			'2026-11-27T09:00:00Z');
		assert.ok(await page.getByRole('button',
			{ name: lang === 'vi' ? 'Xem thêm' : 'More' }).isVisible());
		await ctx.close();
	}
});

test('a site without moderation: the comment is listed at once',
	{ skip: haveAnswer() ? false : 'bandoc-test-answer is not built' },
	async () => {
	const ctx = await readerContext(browser, { locale: 'en-GB' });
	const { page, w } = await openHost(ctx, 'en', 'open-1', 'mocua');
	await page.locator('.bandoc-empty').waitFor();
	const token = await captchaToken(page);
	await page.getByLabel('Name', { exact: true }).fill('Nguyễn Văn An');
	await page.getByLabel('Comment', { exact: true })
		.fill('Published at once.\nSecond line.');
	await page.getByLabel('Enter the code shown above in the box below.')
		.fill(answer(token));
	await page.getByRole('button', { name: 'Send', exact: true }).click();
	await page.locator('.bandoc-status-ok').waitFor();
	assert.match(await page.locator('.bandoc-status-ok').textContent(),
		/published/);
	const c = page.locator('.bandoc-list > .bandoc-comment');
	await c.first().waitFor();
	assert.equal(await c.count(), 1);
	assert.equal(await c.locator('.bandoc-name').textContent(), 'Nguyễn Văn An');
	assert.equal(await c.locator('.bandoc-body').innerText(),
		'Published at once.\nSecond line.');
	assert.equal(await page.locator('.bandoc-count').textContent(),
		'Readers\' comments (1)');
	assert.equal(await page.locator('.bandoc-empty').isVisible(), false);
	assert.deepEqual(w.errors, []);
	await ctx.close();
});
