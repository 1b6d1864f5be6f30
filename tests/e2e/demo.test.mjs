/*
 * 1. The demo page: the article, the view counter ("Lượt xem: N", N >= 1
 * after load, not increased by a reload of the same browser), the
 * widget drawn under the page's strict CSP without errors.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { BASE, launch, readerContext, shot, watch } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

function viewsReply(page) {
	return page.waitForResponse((r) => r.url() === BASE + '/api/v1/views' &&
		r.request().method() === 'POST', { timeout: 10000 });
}

async function viewsShown(page) {
	const span = page.locator('[data-bandoc-views]');
	await page.waitForFunction(() => /^\d[\d.]*$/.test(
		document.querySelector('[data-bandoc-views]')?.textContent ?? ''),
	null, { timeout: 10000 });
	return Number((await span.textContent()).replace(/\./g, ''));
}

test('demo page: article, view counter, reload not counted', async () => {
	const ctx = await readerContext(browser);
	const page = await ctx.newPage();
	const w = watch(page);

	let reply = viewsReply(page);
	const resp = await page.goto(BASE + '/');
	assert.equal(resp.status(), 200);
	assert.match(resp.headers()['content-security-policy'] ?? '',
		/script-src 'self'/);
	assert.match(await page.locator('h1').textContent(), /Khối Thi đua/);
	/* The daemon's own page links this release's file by its hashed
	 * name (docs/widget.md). */
	assert.match(await page.locator('script[src^="/embed."]')
		.getAttribute('src'), /^\/embed\.[0-9a-f]{12}\.js$/,
	'the demo page must load /embed.HASH.js');

	/* Other tests may have viewed the page already with the same
	 * reader: what matters is N >= 1 and that a reload keeps N. */
	const first = await (await reply).json();
	const n1 = await viewsShown(page);
	assert.ok(n1 >= 1, `Lượt xem: ${n1}`);
	assert.equal(first.views, n1);
	assert.match(await page.locator('#views').textContent(),
		/^Lượt xem: \d/);

	reply = viewsReply(page);
	await page.reload();
	const second = await (await reply).json();
	const n2 = await viewsShown(page);
	assert.equal(second.counted, false, 'a reload is not a new view');
	assert.equal(n2, n1, 'reload must not increase the count');

	/* One POST per page load. */
	let posts = 0;
	page.on('request', (r) => {
		if (r.url() === BASE + '/api/v1/views')
			posts++;
	});
	await page.reload();
	await viewsShown(page);
	await page.waitForTimeout(300);
	assert.equal(posts, 1);

	/* The widget is drawn: count line, empty list or comments, form. */
	await page.locator('.bandoc-form').waitFor();
	/* Once, by its hashed name (embed.js was built with it). */
	assert.equal(await page.locator('link[rel="stylesheet"][href*="/static/embed."]').count(), 1);
	assert.match(await page.locator('link[href*="/static/embed."]').getAttribute('href'),
		/\/static\/embed\.[0-9a-f]{12}\.css$/);
	assert.equal(await page.getByLabel('Họ tên').count(), 1);
	await page.locator('.bandoc-form').scrollIntoViewIfNeeded();
	await page.locator('.bandoc-captcha-img[data-token]').waitFor();
	/* The honeypot is off-screen and out of the tab order. */
	const hp = await page.locator('.bandoc-hp').boundingBox();
	assert.ok(hp.x + hp.width < 0, 'honeypot must be off-screen');
	assert.equal(await page.locator('.bandoc-hp input[name="website"]')
		.getAttribute('tabindex'), '-1');
	await shot(page, 'demo-page', { fullPage: true });

	assert.deepEqual(w.errors, []);
	await ctx.close();
});

test('demo page: keyboard reaches every control with a visible focus', async () => {
	const ctx = await readerContext(browser);
	const page = await ctx.newPage();
	await page.goto(BASE + '/#comments');
	await page.getByLabel('Họ tên').focus();
	await page.locator('.bandoc-captcha-img[data-token]').waitFor();
	const seen = [];
	for (let i = 0; i < 12; i++) {
		const el = await page.evaluate(() => {
			const a = document.activeElement;
			const s = getComputedStyle(a);
			return { tag: a.tagName, name: a.name || a.textContent.trim(),
				outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0 };
		});
		seen.push(el);
		if (el.name === 'Gửi')
			break;
		await page.keyboard.press('Tab');
	}
	const names = seen.map((e) => e.name);
	for (const n of ['name', 'email', 'body', 'Đổi mã khác',
		'Nghe mã bằng âm thanh', 'captcha_answer', 'Gửi'])
		assert.ok(names.includes(n), `Tab reaches ${n}: ${names.join(', ')}`);
	assert.ok(!names.includes('website'), 'honeypot is not in the tab order');
	/* Keyboard focus shows an outline on every stop. */
	for (const e of seen)
		assert.ok(e.outline, `visible focus on ${e.name}`);
	await shot(page, 'demo-focus');
	await ctx.close();
});
