/*
 * 5. XSS: comments whose names and bodies are markup and script
 * payloads are published (approved in the database) and drawn as text:
 * nothing runs, no dialog opens, the payload is visible literally.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { BASE, haveAnswer, launch, postComment, readerContext, shotOf, sql,
	watch } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const payloads = [
	'<script>window.__xss=1</script>',
	'<img src=x onerror="window.__xss=1">',
	'"><svg onload=window.__xss=1>',
	'javascript:alert(1)',
	'</textarea><script>alert(1)</script>',
	'<iframe srcdoc="<script>parent.__xss=1</script>">',
	'\'"><a href="javascript:window.__xss=1">bấm vào đây</a>',
	'{{constructor.constructor(\'window.__xss=1\')()}}',
	'<style>*{display:none}</style>',
	'&lt;b&gt;đã mã hoá&lt;/b&gt; &amp; <b>đậm</b>',
];

test('markup in names and bodies is shown as text and never runs',
	{ skip: haveAnswer() ? false : 'bandoc-test-answer is not built' },
	async () => {
	const ctx = await readerContext(browser);
	let page = await ctx.newPage();
	await page.goto(BASE + '/');
	const sent = [];
	for (const [i, p] of payloads.entries()) {
		const name = (`Độc giả ${i} ` + p).slice(0, 80);
		const body = `Thử nghiệm số ${i}: ${p}\nDòng hai có dấu: ` +
			`Lâm Đồng ${p}`;
		const r = await postComment(page, { site: 'lamdong', article: 'demo',
			name, body, email: '', article_title: 'XSS', article_url: BASE + '/' });
		assert.equal(r.status, 202, JSON.stringify(r.body));
		sent.push({ name, body });
	}
	sql('UPDATE comment SET status=1');
	await ctx.close();

	const ctx2 = await readerContext(browser);
	page = await ctx2.newPage();
	const w = watch(page);
	await page.goto(BASE + '/#comments');
	assert.ok(await page.locator('script[src$="/embed.js"]').count() > 0,
		'the demo page must load /embed.js');
	await page.locator('.bandoc-list .bandoc-comment').first().waitFor();
	/* Let any payload that could run, run. */
	await page.waitForTimeout(500);

	assert.equal(await page.evaluate(() => window.__xss), undefined);
	assert.deepEqual(w.dialogs, []);
	assert.equal(await page.locator('.bandoc-list script, .bandoc-list img, ' +
		'.bandoc-list svg, .bandoc-list iframe, .bandoc-list a, ' +
		'.bandoc-list style, .bandoc-list b').count(), 0);

	const names = await page.locator('.bandoc-name').allTextContents();
	const bodies = await page.locator('.bandoc-list .bandoc-body')
		.allInnerTexts();
	for (const s of sent) {
		assert.ok(names.includes(s.name), 'name shown as text: ' + s.name);
		assert.ok(bodies.includes(s.body), 'body shown as text: ' + s.body);
	}
	/* And it is visible, not just in the DOM. */
	assert.ok(await page.getByText('<script>window.__xss=1</script>')
		.first().isVisible());
	await shotOf(page.locator('.bandoc-list'), 'xss-as-text');
	assert.deepEqual(w.errors, []);
	await ctx2.close();
});
