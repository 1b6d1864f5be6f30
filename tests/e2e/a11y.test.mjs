/*
 * 7. Accessibility: axe-core (the pinned version of package-lock.json)
 * checks the pages a reader or a moderator sees, in the states they see
 * them in, and the test fails on any violation of impact "serious" or
 * "critical" (rule id, impact, target selectors and help URL printed).
 * Lesser findings are reported as test diagnostics, not failures.
 *
 *   a. the demo article with the widget: light and dark colour scheme,
 *      desktop and phone (390 px) width;
 *   b. the widget after the browser's own checks (empty fields marked)
 *      and after a wrong CAPTCHA answer (the server's error shown);
 *   c. the no-JavaScript page /embed/comments, fresh and after a POST
 *      with errors (empty name and body, wrong code: fields marked);
 *   d. the moderation screen /admin: the sign-in form, the form after a
 *      failed sign-in, and the pending queue (with a comment in it) of a
 *      moderator made with `bandocd user add`, with the shortcut help.
 *
 * axe.min.js is evaluated in the page through the DevTools protocol, so
 * the pages keep their own strict CSP (no bypassCSP, no inline script).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { BASE, captchaToken, haveAnswer, launch, postComment, readerContext,
	shot, sql, wrongAnswer } from './lib.mjs';

const AXE_DIR = new URL('./node_modules/axe-core/', import.meta.url);
const AXE = readFileSync(new URL('axe.min.js', AXE_DIR), 'utf8');
const AXE_VERSION = JSON.parse(readFileSync(new URL('package.json', AXE_DIR),
	'utf8')).version;

/* As in admin.test.mjs: the config beside the data directory, the
 * daemon beside the key holder's folder. */
const BUILD = process.env.BANDOC_ANSWER ?
	path.dirname(path.dirname(process.env.BANDOC_ANSWER)) : '';
const CONFIG = process.env.BANDOC_VAR ?
	path.join(path.dirname(process.env.BANDOC_VAR), 'bandoc.conf') : '';

const NOJS = BASE + '/embed/comments?site=lamdong&article=demo&lang=vi';
const PHONE = { width: 390, height: 844 };

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const BLOCKING = new Set(['serious', 'critical']);

/*
 * Runs axe on the page as it is now (WCAG 2.x A and AA and axe's best
 * practices). Returns the blocking violations as text lines; reports the
 * others through t.diagnostic.
 */
async function audit(t, page, label) {
	if (!await page.evaluate(() => typeof window.axe === 'object'))
		await page.evaluate(AXE);
	const res = await page.evaluate(() => window.axe.run(document, {
		runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a',
			'wcag21aa', 'wcag22aa', 'best-practice'] },
		resultTypes: ['violations'],
	}));
	const lines = [];
	for (const v of res.violations) {
		const where = v.nodes.map((n) => n.target.join(' ')).join(' | ');
		const line = `${label}: ${v.id} (${v.impact}) ${where} — ` +
			`${v.help} ${v.helpUrl}`;
		if (BLOCKING.has(v.impact))
			lines.push(line);
		else
			t.diagnostic('not blocking: ' + line);
	}
	t.diagnostic(`${label}: axe-core ${res.testEngine.version}, ` +
		`${res.violations.length} rule(s) violated`);
	return lines;
}

function verdict(found) {
	assert.deepEqual(found, [], 'serious or critical accessibility ' +
		'violations:\n' + found.join('\n'));
}

test('axe-core is the pinned version', () => {
	const lock = JSON.parse(readFileSync(new URL('./package-lock.json',
		import.meta.url), 'utf8'));
	assert.equal(AXE_VERSION, lock.packages['node_modules/axe-core'].version);
	assert.match(AXE, /axe v\d/);
});

/* The demo article with the widget drawn and its CAPTCHA loaded. */
async function openDemo(ctx) {
	const page = await ctx.newPage();
	const resp = await page.goto(BASE + '/#comments');
	assert.equal(resp.status(), 200);
	await page.locator('.bandoc-form').waitFor();
	await captchaToken(page);
	await page.locator('.bandoc-captcha-img[data-token]').waitFor();
	await page.waitForFunction(() =>
		document.querySelector('.bandoc-captcha-img')?.complete);
	return page;
}

test('a. the demo article and the widget: light, dark, desktop, phone',
	async (t) => {
	const found = [];
	for (const colorScheme of ['light', 'dark']) {
		for (const [width, viewport] of [['desktop', undefined],
			['phone', PHONE]]) {
			const ctx = await readerContext(browser, { colorScheme,
				...(viewport ? { viewport, isMobile: true,
					hasTouch: true } : {}) });
			const page = await openDemo(ctx);
			const label = `demo ${colorScheme} ${width}`;
			found.push(...await audit(t, page, label));
			await shot(page, `a11y-demo-${colorScheme}-${width}`,
				{ fullPage: true });
			await ctx.close();
		}
	}
	verdict(found);
});

test('b. the widget with errors: browser checks, then a wrong code',
	async (t) => {
	const found = [];
	const ctx = await readerContext(browser);
	const page = await openDemo(ctx);
	const send = page.getByRole('button', { name: 'Gửi', exact: true });

	/* Empty: the widget's own checks mark the fields. */
	await send.click();
	await page.locator('.bandoc-status-error').waitFor();
	assert.equal(await page.getByLabel('Họ tên').getAttribute('aria-invalid'),
		'true');
	found.push(...await audit(t, page, 'widget, fields missing'));

	/* Filled, with a wrong code: the server's error, a new challenge. */
	const token = await captchaToken(page);
	await page.getByLabel('Họ tên').fill('Võ Thị Minh Khai');
	await page.getByLabel('Email').fill('minhkhai@example.vn');
	await page.getByLabel('Nội dung').fill('Kiểm tra khả năng truy cập.');
	await page.locator('input[name="captcha_answer"]').fill(wrongAnswer(token));
	await send.click();
	await page.locator('.bandoc-status-error', { hasText: /Mã xác nhận/ })
		.waitFor();
	await captchaToken(page, token);
	assert.equal(await page.locator('input[name="captcha_answer"]')
		.getAttribute('aria-invalid'), 'true');
	await page.waitForFunction(() =>
		document.querySelector('.bandoc-captcha-img')?.complete);
	found.push(...await audit(t, page, 'widget, wrong code'));
	await page.locator('.bandoc-form').scrollIntoViewIfNeeded();
	await shot(page, 'a11y-widget-error');
	await ctx.close();
	verdict(found);
});

test('c. the no-JavaScript page: fresh and after a POST with errors',
	async (t) => {
	const found = [];
	/* The page has no script of its own: with scripts on, it is the same
	 * page, and axe can run in it. Its POST is the plain form's. */
	for (const [width, viewport] of [['desktop', undefined],
		['phone', PHONE]]) {
		const ctx = await readerContext(browser, viewport ?
			{ viewport } : {});
		const page = await ctx.newPage();
		const resp = await page.goto(NOJS);
		assert.equal(resp.status(), 200);
		assert.equal(await page.locator('script').count(), 0,
			'the no-JavaScript page has no script');
		await page.locator('form.bandoc-form').waitFor();
		found.push(...await audit(t, page, `no-JS ${width}, fresh`));

		/* Empty name and body (past the browser's own checks) and a
		 * wrong code: the server marks the fields. */
		const token = await page.locator('input[name="captcha_token"]')
			.inputValue();
		await page.locator('input[name="email"]').fill('khong-hop-le');
		await page.locator('input[name="captcha_answer"]')
			.fill(wrongAnswer(token));
		await page.locator('form.bandoc-form').evaluate((f) => {
			f.noValidate = true;
		});
		await Promise.all([
			page.waitForNavigation(),
			page.locator('form.bandoc-form').getByRole('button',
				{ name: 'Gửi', exact: true }).click(),
		]);
		await page.locator('.bandoc-status-error').waitFor();
		assert.ok(await page.locator('[aria-invalid="true"]').count() >= 1,
			'invalid fields are marked');
		found.push(...await audit(t, page, `no-JS ${width}, errors`));
		await shot(page, `a11y-nojs-errors-${width}`, { fullPage: true });

		/* The fields right, the code wrong: the code field is marked. */
		const token2 = await page.locator('input[name="captcha_token"]')
			.inputValue();
		await page.locator('input[name="name"]').fill('Võ Thị Minh Khai');
		await page.locator('input[name="email"]').fill('');
		await page.locator('textarea[name="body"]').fill('Không cần JS.');
		await page.locator('input[name="captcha_answer"]')
			.fill(wrongAnswer(token2));
		await Promise.all([
			page.waitForNavigation(),
			page.locator('form.bandoc-form').getByRole('button',
				{ name: 'Gửi', exact: true }).click(),
		]);
		assert.equal(await page.locator('input[name="captcha_answer"]')
			.getAttribute('aria-invalid'), 'true');
		found.push(...await audit(t, page, `no-JS ${width}, wrong code`));
		await ctx.close();
	}
	verdict(found);
});

/* `bandocd user add NAME --role ROLE -c CONFIG`, the password on stdin.
 * Returns null on success, otherwise why it failed. */
function userAdd(name, role, password) {
	try {
		execFileSync(path.join(BUILD, 'bandocd'), ['user', 'add', name,
			'--role', role, '-c', CONFIG], { input: password + '\n',
			encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], timeout: 10000 });
		return null;
	} catch (e) {
		return (e.stderr || e.stdout || e.message || '').trim()
			.split('\n')[0] || 'exit ' + e.status;
	}
}

const rnd = () => Math.random().toString(36).slice(2, 8);

test('d. the moderation screen: sign-in, failed sign-in, pending queue',
	{ skip: haveAnswer() ? false : 'bandoc-test-answer is not built' },
	async (t) => {
	const user = 'a11y' + rnd();
	const password = 'Mật khẩu ' + rnd() + ' đủ dài 16';
	const why = userAdd(user, 'moderator', password);
	if (why)
		return t.skip('`bandocd user add` failed: ' + why);

	/* A pending comment for the queue. */
	const rctx = await readerContext(browser);
	const rpage = await rctx.newPage();
	await rpage.goto(BASE + '/');
	const marker = 'truycap' + rnd();
	const sent = await postComment(rpage, { site: 'lamdong', article: 'demo',
		name: 'Đặng Văn Lâm', email: 'lam@example.vn',
		body: `Góp ý (${marker}): chữ trên trang nên to hơn.`,
		article_title: 'Khối Thi đua', article_url: BASE + '/' });
	assert.equal(sent.status, 202, JSON.stringify(sent.body));
	assert.equal(sql(`SELECT status FROM comment WHERE id=${sent.body.id}`),
		'0');
	await rctx.close();

	const found = [];
	const ctx = await readerContext(browser,
		{ viewport: { width: 1280, height: 900 } });
	const page = await ctx.newPage();
	await page.goto(BASE + '/admin');
	await page.getByLabel('Tên đăng nhập').waitFor();
	found.push(...await audit(t, page, 'admin sign-in'));

	await page.getByLabel('Tên đăng nhập').fill(user);
	await page.getByLabel('Mật khẩu').fill('sai mật khẩu');
	await page.getByRole('button', { name: 'Đăng nhập' }).click();
	await page.getByText('Tên đăng nhập hoặc mật khẩu không đúng.').waitFor();
	found.push(...await audit(t, page, 'admin sign-in failed'));

	await page.getByLabel('Mật khẩu').fill(password);
	await page.getByRole('button', { name: 'Đăng nhập' }).click();
	await page.locator('.ba-user-name', { hasText: user }).waitFor();
	await page.locator(`.ba-item[data-id="${sent.body.id}"]`).waitFor();
	await page.keyboard.press('j');
	await page.locator('.ba-current').waitFor();
	found.push(...await audit(t, page, 'admin queue'));
	await shot(page, 'a11y-admin-queue');

	await page.keyboard.press('?');
	await page.getByRole('dialog', { name: 'Phím tắt' }).waitFor();
	found.push(...await audit(t, page, 'admin shortcut help'));
	await page.keyboard.press('Escape');

	await page.setViewportSize(PHONE);
	await page.waitForTimeout(100);
	found.push(...await audit(t, page, 'admin queue phone'));
	await ctx.close();
	verdict(found);
});
