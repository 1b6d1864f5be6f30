/*
 * 4. The page without JavaScript (/embed/comments, the iframe page): the
 * plain HTML form works with scripts disabled. The right answer leads to
 * a page with the "awaiting moderation" message; a wrong one to the form
 * again with the typed text kept and a new challenge.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { answer, BASE, haveAnswer, launch, readerContext, shot,
	wrongAnswer } from './lib.mjs';

const PAGE = BASE + '/embed/comments?site=lamdong&article=demo&lang=vi';

/* Known before the tests are declared, to skip them while the page is
 * not served yet. */
const served = (await fetch(PAGE)).status;

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

function skip(needAnswer) {
	if (served === 404)
		return 'GET /embed/comments is not served yet (404)';
	if (needAnswer && !haveAnswer())
		return 'bandoc-test-answer is not built';
	return false;
}

async function open(ctx) {
	const page = await ctx.newPage();
	const resp = await page.goto(PAGE);
	assert.equal(resp.status(), 200);
	assert.match(resp.headers()['content-type'], /^text\/html/);
	await page.locator('form.bandoc-form').waitFor();
	return page;
}

async function fill(page, code) {
	const token = await page.locator('input[name="captcha_token"]').inputValue();
	assert.ok(token.length > 10, 'the form carries its token');
	await page.locator('input[name="name"]').fill('Hoàng Thị Thu Hà');
	await page.locator('input[name="email"]').fill('thuha@example.vn');
	await page.locator('textarea[name="body"]').fill(
		'Gửi không cần JavaScript.\nTrình duyệt cũ vẫn góp ý được.');
	await page.locator('input[name="captcha_answer"]').fill(code(token));
	return token;
}

async function submit(page) {
	await Promise.all([
		page.waitForNavigation(),
		page.locator('form.bandoc-form').getByRole('button',
			{ name: 'Gửi', exact: true }).click(),
	]);
}

test('no JavaScript: the right answer is accepted', { skip: skip(true) },
	async () => {
	const ctx = await readerContext(browser, { javaScriptEnabled: false });
	const page = await open(ctx);
	const img = page.locator('.bandoc-captcha-img');
	assert.ok(await img.isVisible(), 'the CAPTCHA picture is shown');
	assert.ok(await img.evaluate((i) => i.complete && i.naturalWidth > 0),
		'the picture loads');
	await fill(page, answer);
	await shot(page, 'nojs-form', { fullPage: true });
	await submit(page);
	assert.notEqual(page.url(), PAGE, 'redirected after the post');
	const text = await page.locator('body').innerText();
	assert.match(text, /chờ duyệt|kiểm duyệt|moderat/i);
	await shot(page, 'nojs-pending', { fullPage: true });
	await ctx.close();
});

test('no JavaScript: a wrong answer shows the form with the text kept',
	{ skip: skip(false) }, async () => {
	const ctx = await readerContext(browser, { javaScriptEnabled: false });
	const page = await open(ctx);
	const token = await fill(page, wrongAnswer);
	await submit(page);
	assert.equal(await page.locator('input[name="name"]').inputValue(),
		'Hoàng Thị Thu Hà');
	assert.equal(await page.locator('input[name="email"]').inputValue(),
		'thuha@example.vn');
	assert.equal(await page.locator('textarea[name="body"]').inputValue(),
		'Gửi không cần JavaScript.\nTrình duyệt cũ vẫn góp ý được.');
	assert.equal(await page.locator('input[name="captcha_answer"]')
		.inputValue(), '', 'the old code is not offered again');
	const token2 = await page.locator('input[name="captcha_token"]').inputValue();
	assert.notEqual(token2, token, 'a new challenge');
	const error = page.locator('.bandoc-status-error, .bandoc-field-error');
	assert.ok(await error.first().isVisible(), 'the error is shown');
	assert.match(await error.first().innerText(), /mã/i);
	await shot(page, 'nojs-wrong-answer', { fullPage: true });
	await ctx.close();
});
