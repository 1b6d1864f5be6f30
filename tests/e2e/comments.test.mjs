/*
 * 2-3. The comment form of the widget on the demo page: a Vietnamese
 * comment with the right CAPTCHA answer is accepted (pending); a wrong
 * answer keeps what was typed and shows a new challenge; checks in the
 * browser; no double submit; replies, the editors' reply, the audio
 * challenge.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { answer, BASE, solvePow, captchaToken, haveAnswer, launch, readerContext,
	shot, shotOf, sql, watch, wrongAnswer } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const needAnswer = haveAnswer() ? false :
	'bandoc-test-answer is not built (BUILD_DIR/tests/bandoc-test-answer)';

async function openDemo(ctx) {
	const page = await ctx.newPage();
	const w = watch(page);
	await page.goto(BASE + '/#comments');
	assert.ok(await page.locator('script[src^="/embed."]').count() > 0,
		'the demo page must load /embed.HASH.js');
	await page.locator('.bandoc-form').waitFor();
	return { page, w };
}

function posts(page) {
	const list = [];
	page.on('request', (r) => {
		if (r.method() === 'POST' && r.url() === BASE + '/api/v1/comments')
			list.push(r);
	});
	return list;
}

test('a comment with the right answer is sent and awaits moderation',
	{ skip: needAnswer }, async () => {
	const ctx = await readerContext(browser);
	const { page, w } = await openDemo(ctx);
	const sent = posts(page);
	const token = await captchaToken(page);

	await page.getByLabel('Họ tên').fill('Nguyễn Thị Ánh Tuyết');
	await page.getByLabel('Email').fill('tuyet@example.vn');
	await page.getByLabel('Nội dung').fill(
		'Bài viết rất hay, cảm ơn quý báo!\nMong Khối thi đua tiếp tục ' +
		'phát huy những kết quả đã đạt được trong 6 tháng cuối năm.');
	await page.getByLabel('Nhập mã ở hình trên vào ô dưới đây')
		.fill(answer(token));
	await page.getByRole('button', { name: 'Gửi', exact: true }).click();

	const ok = page.locator('.bandoc-status-ok');
	await ok.waitFor();
	assert.match(await ok.textContent(), /chờ duyệt/);
	assert.equal(await page.locator('.bandoc-form .bandoc-status').getAttribute('role'),
		'status');
	assert.equal(sent.length, 1);
	const form = new URLSearchParams(sent[0].postData());
	assert.equal(form.get('site'), 'lamdong');
	assert.equal(form.get('article'), 'demo');
	assert.equal(form.get('name'), 'Nguyễn Thị Ánh Tuyết');
	assert.equal(form.get('captcha_token'), token);
	assert.equal(form.get('website'), '');
	assert.equal(form.get('article_url'), BASE + '/#comments');
	assert.match(form.get('article_title'), /Khối Thi đua/);
	assert.ok(!form.has('parent_id'));
	assert.match(sent[0].headers()['content-type'],
		/^application\/x-www-form-urlencoded/);

	/* Body and code cleared, name and email kept, a new challenge. */
	assert.equal(await page.getByLabel('Nội dung').inputValue(), '');
	assert.equal(await page.getByLabel('Họ tên').inputValue(),
		'Nguyễn Thị Ánh Tuyết');
	assert.equal(await page.getByLabel('Email').inputValue(),
		'tuyet@example.vn');
	await captchaToken(page, token);
	assert.equal(await page.locator('input[name="captcha_answer"]')
		.inputValue(), '');
	await page.locator('.bandoc-form').scrollIntoViewIfNeeded();
	await shot(page, 'comment-pending');

	assert.equal(sql("SELECT status || '|' || name FROM comment ORDER BY id " +
		'DESC LIMIT 1'), '0|Nguyễn Thị Ánh Tuyết');
	assert.deepEqual(w.errors, []);
	await ctx.close();
});

test('a wrong answer keeps the text, shows the error and a new image',
	async () => {
	const ctx = await readerContext(browser);
	const { page, w } = await openDemo(ctx);
	const sent = posts(page);
	const token = await captchaToken(page);
	const imgSrc = await page.locator('.bandoc-captcha-img').getAttribute('src');
	const body = 'Đường lên Đà Lạt mùa này đẹp quá.\n\nCó ai biết lịch ' +
		'hội nghị tiếp theo không ạ?';

	await page.getByLabel('Họ tên').fill('Trần Văn Đức');
	await page.getByLabel('Email').fill('duc@example.vn');
	await page.getByLabel('Nội dung').fill(body);
	await page.getByLabel('Nhập mã ở hình trên vào ô dưới đây')
		.fill(wrongAnswer(token));
	/* Slow the reply down: the button is disabled while sending and a
	 * second click sends nothing. */
	await page.route(BASE + '/api/v1/comments', async (route) => {
		await new Promise((ok) => setTimeout(ok, 400));
		await route.continue();
	});
	const send = page.getByRole('button', { name: 'Gửi', exact: true });
	await send.click();
	assert.equal(await page.locator('.bandoc-send').isDisabled(), true);
	await page.locator('.bandoc-send').click({ force: true }).catch(() => {});
	await page.locator('.bandoc-form').evaluate((f) => f.requestSubmit());

	const err = page.locator('.bandoc-status-error');
	await err.waitFor();
	assert.match(await err.textContent(), /Mã xác nhận/);
	assert.equal(sent.length, 1, 'one POST only');

	/* Everything typed is kept. */
	assert.equal(await page.getByLabel('Họ tên').inputValue(), 'Trần Văn Đức');
	assert.equal(await page.getByLabel('Email').inputValue(), 'duc@example.vn');
	assert.equal(await page.getByLabel('Nội dung').inputValue(), body);

	/* A new challenge (the server spent the old one), focus on the code. */
	const token2 = await captchaToken(page, token);
	assert.notEqual(token2, token);
	assert.notEqual(await page.locator('.bandoc-captcha-img')
		.getAttribute('src'), imgSrc);
	const code = page.locator('input[name="captcha_answer"]');
	assert.equal(await code.evaluate((e) => e === document.activeElement), true);
	assert.equal(await code.getAttribute('aria-invalid'), 'true');
	const described = await code.getAttribute('aria-describedby');
	const errText = await page.locator('#' + described.split(' ')[0])
		.textContent();
	assert.ok(errText.length > 0, 'the code field has its error text');
	await page.locator('.bandoc-form').scrollIntoViewIfNeeded();
	await shot(page, 'comment-wrong-answer');

	/* The new challenge works: send the same text again. */
	if (haveAnswer()) {
		await page.unroute(BASE + '/api/v1/comments');
		await code.fill(answer(token2));
		await send.click();
		await page.locator('.bandoc-status-ok').waitFor();
		assert.equal(await code.getAttribute('aria-invalid'), null);
	}
	assert.deepEqual(w.errors.filter((e) => !/status of 403/.test(e)), []);
	await ctx.close();
});

test('checks in the browser: required fields, e-mail, no request sent',
	async () => {
	const ctx = await readerContext(browser);
	const { page } = await openDemo(ctx);
	const sent = posts(page);
	await captchaToken(page);
	await page.getByLabel('Email').fill('không-phải-email');
	await page.getByRole('button', { name: 'Gửi', exact: true }).click();

	const name = page.getByLabel('Họ tên');
	assert.equal(await name.getAttribute('aria-invalid'), 'true');
	assert.equal(await name.evaluate((e) => e === document.activeElement), true);
	assert.equal(await page.getByLabel('Email').getAttribute('aria-invalid'),
		'true');
	assert.equal(await page.getByLabel('Nội dung').getAttribute('aria-invalid'),
		'true');
	assert.match(await page.locator('.bandoc-status-error').textContent(),
		/kiểm tra/);
	const nameErr = (await name.getAttribute('aria-describedby')).split(' ');
	assert.ok((await page.locator('#' + nameErr.pop()).textContent()).length);
	assert.equal(sent.length, 0);
	await page.locator('.bandoc-form').scrollIntoViewIfNeeded();
	await shot(page, 'comment-required');
	await ctx.close();
});

test('replies, nested display and the editors\' reply', { skip: needAnswer },
	async () => {
	const ctx = await readerContext(browser);
	let { page, w } = await openDemo(ctx);
	/* A published comment to reply to. */
	const top = await (async () => {
		const r = await page.evaluate(async () => {
			const c = await fetch('/api/v1/captcha', { method: 'POST',
				body: new URLSearchParams({ site: 'lamdong', article: 'demo' }) });
			return c.json();
		});
		return page.evaluate(async (f) => {
			const x = await fetch('/api/v1/comments', { method: 'POST',
				body: new URLSearchParams(f) });
			return x.json();
		}, { site: 'lamdong', article: 'demo', name: 'Lê Hoàng Phúc',
			body: 'Xin hỏi: hội nghị tổng kết năm tổ chức ở đâu?',
			captcha_token: r.token, captcha_answer: answer(r.token),
			website: '', altcha: await solvePow(r.pow) });
	})();
	assert.ok(top.id > 0, JSON.stringify(top));
	sql(`UPDATE comment SET status = 1, reply_name = 'Ban biên tập',
		reply_body = 'Chào bạn, hội nghị tổ chức tại Đà Lạt.',
		reply_at = strftime('%s', 'now') WHERE id = ${top.id}`);

	await page.context().close();
	({ page, w } = await openDemo(await readerContext(browser)));
	const thread = (p) => p.locator('.bandoc-list > .bandoc-comment').filter({
		has: p.locator('.bandoc-body', { hasText: 'Xin hỏi: hội nghị tổng kết' }) });
	let li = thread(page);
	await li.waitFor();
	assert.equal(await li.locator('.bandoc-reply-title').textContent(),
		'Ban biên tập trả lời');
	assert.match(await li.locator('.bandoc-reply .bandoc-body').textContent(),
		/Đà Lạt/);
	assert.match(await li.locator('.bandoc-meta .bandoc-date').first().textContent(),
		/\d{2}\/\d{2}\/\d{4}/);
	assert.match(await page.locator('.bandoc-count').textContent(),
		/\d+ góp ý|\(\d+\)/);

	/* Reply with the keyboard. */
	await li.locator('.bandoc-reply-button').focus();
	await page.keyboard.press('Enter');
	const replying = page.locator('.bandoc-replying');
	assert.match(await replying.textContent(), /Trả lời Lê Hoàng Phúc/);
	assert.equal(await page.getByLabel('Nội dung')
		.evaluate((e) => e === document.activeElement), true);
	/* Cancel, then reply again. */
	await replying.getByRole('button', { name: 'Hủy trả lời' }).click();
	assert.equal(await replying.isVisible(), false);
	await li.locator('.bandoc-reply-button').click();

	const sent = posts(page);
	const token = await captchaToken(page);
	await page.getByLabel('Họ tên').fill('Phạm Minh Châu');
	await page.getByLabel('Nội dung').fill('Cảm ơn ban biên tập đã trả lời!');
	await page.getByLabel('Nhập mã ở hình trên vào ô dưới đây')
		.fill(answer(token));
	await page.getByRole('button', { name: 'Gửi', exact: true }).click();
	await page.locator('.bandoc-status-ok').waitFor();
	assert.equal(new URLSearchParams(sent[0].postData()).get('parent_id'),
		String(top.id));
	assert.equal(await replying.isVisible(), false, 'reply mode ends');

	sql("UPDATE comment SET status = 1 WHERE name = 'Phạm Minh Châu'");
	await page.context().close();
	({ page, w } = await openDemo(await readerContext(browser)));
	li = thread(page);
	const nested = li.locator('.bandoc-replies .bandoc-comment').filter({
		has: page.locator('.bandoc-name', { hasText: 'Phạm Minh Châu' }) });
	await nested.waitFor();
	assert.equal(await nested.locator('.bandoc-reply-button').count(), 0,
		'replies are one level deep');
	await shotOf(page.locator('#comments'), 'comment-thread');
	assert.deepEqual(w.errors, []);
	await page.context().close();
});

test('the audio challenge', { skip: needAnswer }, async () => {
	const ctx = await readerContext(browser);
	const { page, w } = await openDemo(ctx);
	const token = await captchaToken(page);
	await page.getByRole('button', { name: 'Nghe mã bằng âm thanh' }).click();
	const audioToken = await captchaToken(page, token);
	const audio = page.locator('audio.bandoc-captcha-audio');
	await audio.waitFor();
	assert.equal(await audio.getAttribute('data-token'), audioToken);
	assert.equal(await page.locator('.bandoc-captcha-img').isVisible(), false);
	const src = await audio.getAttribute('src');
	assert.match(src, /\.wav$/);
	const wav = await page.request.get(src);
	assert.equal(wav.status(), 200);
	assert.equal(wav.headers()['content-type'], 'audio/wav');
	const code = page.getByLabel('Nhập các chữ số bạn nghe được vào ô dưới đây');
	assert.equal(await code.getAttribute('inputmode'), 'numeric');
	const digits = answer(audioToken);
	assert.match(digits, /^\d+$/);

	await page.getByLabel('Họ tên').fill('Võ Thị Sáu');
	await page.getByLabel('Nội dung').fill('Góp ý gửi bằng mã âm thanh.');
	await code.fill(digits);
	await page.getByRole('button', { name: 'Gửi', exact: true }).click();
	await page.locator('.bandoc-status-ok').waitFor();
	/* Still audio after a send; back to the picture on request. */
	await captchaToken(page, audioToken);
	assert.equal(await audio.isVisible(), true);
	await page.locator('.bandoc-form').scrollIntoViewIfNeeded();
	await shot(page, 'comment-audio');
	await page.getByRole('button', { name: 'Dùng mã hình ảnh' }).click();
	await page.locator('.bandoc-captcha-img[data-token]').waitFor();
	assert.equal(await audio.isVisible(), false);
	assert.deepEqual(w.errors, []);
	await ctx.close();
});

test('a refused challenge (429) shows the server\'s message, keeps the form',
	async () => {
	const ctx = await readerContext(browser);
	let refuse = false;
	await ctx.route(BASE + '/api/v1/captcha', (route) => refuse ?
		route.fulfill({ status: 429, contentType: 'application/json',
			headers: { 'retry-after': '60' },
			body: JSON.stringify({ error: { code: 'rate_limited',
				message: 'Bạn yêu cầu quá nhiều mã; vui lòng thử lại sau.' } }) }) :
		route.continue());
	const { page } = await openDemo(ctx);
	const token = await captchaToken(page);
	await page.getByLabel('Họ tên').fill('Đặng Thùy Trâm');
	await page.getByLabel('Nội dung').fill('Nội dung còn nguyên.');
	refuse = true;
	await page.getByRole('button', { name: 'Đổi mã khác' }).click();
	const wait = page.locator('.bandoc-captcha-wait');
	await page.waitForFunction(() => /quá nhiều mã/.test(
		document.querySelector('.bandoc-captcha-wait')?.textContent));
	assert.ok(await wait.isVisible());
	assert.equal(await page.locator('.bandoc-captcha-img').isVisible(), false);
	assert.equal(await page.getByLabel('Nội dung').inputValue(),
		'Nội dung còn nguyên.');
	/* Sending now asks for a new challenge instead of posting. */
	await page.getByLabel('Nhập mã ở hình trên vào ô dưới đây').fill('ABCDEF');
	await page.getByRole('button', { name: 'Gửi', exact: true }).click();
	assert.match(await page.locator('.bandoc-form .bandoc-status').textContent(),
		/chờ|đang được tải/);
	refuse = false;
	await page.getByRole('button', { name: 'Đổi mã khác' }).click();
	assert.notEqual(await captchaToken(page, token), token);
	assert.equal(await wait.isVisible(), false);
	await ctx.close();
});

test('narrow screen', async () => {
	const ctx = await readerContext(browser,
		{ viewport: { width: 375, height: 800 }, isMobile: true });
	const { page } = await openDemo(ctx);
	await captchaToken(page);
	const form = page.locator('.bandoc-form');
	const box = await form.boundingBox();
	assert.ok(box.width <= 375, 'the form fits the screen');
	const overflow = await page.evaluate(() =>
		document.documentElement.scrollWidth > window.innerWidth);
	assert.equal(overflow, false, 'no horizontal scrolling');
	await shotOf(page.locator('#comments'), 'comment-mobile');
	await ctx.close();
});
