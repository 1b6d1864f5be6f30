/*
 * Check 4 of tests/nginx/run.sh: the widget through nginx. A news page on
 * another origin (BANDOC_HOST, served here, plain HTTP on loopback)
 * embeds BANDOC_BASE/embed.js, the daemon's public origin behind nginx
 * (https://comments.example.org:PORT, mapped to 127.0.0.1 for Chromium;
 * the certificate is the test's self-signed one). The reader sees the
 * view count, posts a comment with the right answer and is told it
 * awaits moderation; the requests went through nginx (its access log),
 * with one Access-Control-Allow-Origin each. The no-JS iframe page shows
 * on that origin (bandocd's frame-ancestors, nothing of the proxy's).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { after, before, test } from 'node:test';
import { answer, BASE, captchaToken, HOST, launch, readerContext, shot,
	sql, watch } from '../e2e/lib.mjs';

const NAME = process.env.BANDOC_NAME;
const NGINX_LOG = process.env.BANDOC_NGINX_LOG;
const ARTICLE = 'nginx-widget';

let browser, server;
before(async () => {
	browser = await launch([`--host-resolver-rules=MAP ${NAME} 127.0.0.1`]);
	server = http.createServer((req, res) => {
		if (req.url === '/news/2.html') {
			res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
			res.end(`<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>Tin không JavaScript</title></head>
<body><h1>Góp ý trong khung</h1>
<iframe src="${BASE}/embed/comments?site=lamdong&amp;article=nginx-frame&amp;lang=vi"
	title="Góp ý của bạn đọc" width="100%" height="900"></iframe>
</body></html>`);
			return;
		}
		if (req.url !== '/news/1.html') {
			res.writeHead(404).end();
			return;
		}
		res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
		res.end(`<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>Tin Lâm Đồng</title></head>
<body><h1>Hội hoa Đà Lạt khai mạc</h1>
<p>Lượt xem: <span data-bandoc-views data-site="lamdong" data-article="${ARTICLE}"></span></p>
<div data-bandoc-comments data-site="lamdong" data-article="${ARTICLE}"></div>
<script src="${BASE}/embed.js" async></script>
</body></html>`);
	});
	await new Promise((ok) => server.listen(Number(new URL(HOST).port),
		'127.0.0.1', ok));
});
after(async () => {
	await browser?.close();
	server?.close();
});

test('the widget posts a comment through nginx', async () => {
	const ctx = await readerContext(browser, { ignoreHTTPSErrors: true });
	const page = await ctx.newPage();
	const w = watch(page);
	const acao = [];
	/* The API's CORS replies (requests with an Origin: fetch, not the
	 * CAPTCHA <img>). */
	page.on('response', async (r) => {
		if (r.url().startsWith(BASE + '/api/') &&
		    (await r.request().allHeaders()).origin)
			acao.push(r.url().replace(/\?.*/, '') + ': ' +
				(await r.headersArray()).filter((h) =>
				h.name.toLowerCase() === 'access-control-allow-origin')
				.map((h) => h.value).join(' | '));
	});
	await page.goto(HOST + '/news/1.html');
	await page.waitForFunction(() => /^\d/.test(
		document.querySelector('[data-bandoc-views]').textContent), null,
	{ timeout: 10000 });
	assert.equal(await page.locator('[data-bandoc-views]').textContent(), '1');

	const token = await captchaToken(page);
	await page.getByLabel('Họ tên').fill('Phạm Thị Lan');
	await page.getByLabel('Nội dung').fill('Đọc qua nginx vẫn góp ý được.');
	await page.getByLabel('Nhập mã ở hình trên vào ô dưới đây')
		.fill(answer(token));
	await page.getByRole('button', { name: 'Gửi', exact: true }).click();
	const ok = page.locator('.bandoc-status-ok');
	await ok.waitFor();
	assert.match(await ok.textContent(), /chờ duyệt/);
	await shot(page, 'nginx-widget', { fullPage: true });

	assert.equal(sql("SELECT c.status || '|' || c.name FROM comment c " +
		"JOIN article a ON a.id = c.article_id WHERE a.key = '" +
		ARTICLE + "'"), '0|Phạm Thị Lan');
	const log = readFileSync(NGINX_LOG, 'utf8');
	assert.match(log, /"POST \/api\/v1\/comments HTTP\/2\.0" 202 /,
		'the comment went through nginx');
	assert.match(log, /"POST \/api\/v1\/views HTTP\/2\.0" 200 /);
	assert.ok(acao.length >= 3, 'API replies seen: ' + acao.length);
	for (const v of acao)
		assert.equal(v.replace(/.*: /, ''), HOST,
			'one Access-Control-Allow-Origin: ' + v);
	assert.deepEqual(w.errors, []);
	await ctx.close();
});

test('the no-JS iframe shows on the news site through nginx', async () => {
	const ctx = await readerContext(browser, { ignoreHTTPSErrors: true });
	const page = await ctx.newPage();
	const w = watch(page);
	await page.goto(HOST + '/news/2.html');
	await page.frameLocator('iframe').locator('form.bandoc-form')
		.waitFor({ timeout: 10000 });
	const frame = page.frames().find((f) => f.url().startsWith(BASE));
	await frame.waitForFunction(() => {
		const i = document.querySelector('.bandoc-captcha-img');
		return i && i.complete && i.naturalWidth > 0;
	}, null, { timeout: 10000 });
	await shot(page, 'nginx-iframe', { fullPage: true });
	assert.deepEqual(w.errors, []);
	await ctx.close();
});
