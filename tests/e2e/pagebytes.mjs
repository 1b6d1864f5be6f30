/*
 * pagebytes.mjs: what a reader downloads for the demo page, measured in
 * headless Chromium (not a test; docs/widget.md has the figures).
 *
 *   BANDOC_BASE=http://127.0.0.1:8080 node tests/e2e/pagebytes.mjs
 *
 * Per scenario one browser context: first visit (empty cache), then a
 * reload. Scenarios: the demo page; the same, scrolled to the comment
 * form (which fetches a CAPTCHA and, in a worker, the proof-of-work
 * script). No request interception (playwright's page.route would turn
 * the HTTP cache off). Per response it
 * prints the status, how it was served (network, 304, cache), the bytes
 * received (headers and body as they came over the wire: Chromium's
 * encodedDataLength, through playwright's request.sizes(), which also
 * sees the worker's requests) and the Content-Encoding, then the totals.
 */
import { BASE, launch, readerContext } from './lib.mjs';

const browser = await launch();

async function visit(ctx, page, url, how, scroll) {
	const rows = [];
	const pending = [];
	const onFinished = (req) => pending.push((async () => {
		const resp = await req.response();
		const s = await req.sizes();
		/* responseHeadersSize + responseBodySize is CDP's
		 * encodedDataLength: 0 for a reply from the browser's cache. */
		const bytes = Math.max(0, s.responseHeadersSize +
			s.responseBodySize);
		const status = resp ? resp.status() : 0;
		rows.push({ url: req.url(), status, bytes,
			via: status === 304 ? '304' : bytes === 0 ? 'cache' :
				'network',
			enc: (resp && await resp.headerValue('content-encoding')) ||
				'' });
	})());

	ctx.on('requestfinished', onFinished);
	if (how === 'first')
		await page.goto(url, { waitUntil: 'networkidle' });
	else
		await page.reload({ waitUntil: 'networkidle' });
	if (scroll) {
		await page.locator('.bandoc-form').first().scrollIntoViewIfNeeded();
		await page.waitForFunction(() => document.querySelector(
			'input[name="captcha_token"]')?.value, null, { timeout: 10000 });
		await page.waitForLoadState('networkidle');
	}
	/* The proof of work runs in a worker after the CAPTCHA arrives. */
	await page.waitForTimeout(1500);
	ctx.off('requestfinished', onFinished);
	await Promise.all(pending);
	return rows.filter((r) => !r.url.startsWith('data:') &&
		!r.url.startsWith('blob:'));
}

function report(title, rows) {
	let total = 0;
	console.log(`\n${title}`);
	for (const r of rows) {
		const u = new URL(r.url);
		const path = (u.pathname + u.search).replace(/(token=|captcha\/)[^&/]{12,}/,
			'$1…');
		console.log(`  ${String(r.status).padEnd(4)} ${r.via.padEnd(8)}` +
			` ${String(r.bytes).padStart(7)} ${(r.enc || '-').padEnd(5)} ${path}`);
		total += r.bytes;
	}
	console.log(`  total ${total} bytes in ${rows.length} requests, ` +
		`${rows.filter((r) => r.via === 'network').length} with a body, ` +
		`${rows.filter((r) => r.via === '304').length} revalidated (304), ` +
		`${rows.filter((r) => r.via === 'cache').length} from the cache`);
	return total;
}

const scenarios = [
	{ label: 'demo page', url: BASE + '/', scroll: false },
	{ label: 'demo page + scroll to the form', url: BASE + '/', scroll: true },
];
for (const s of scenarios) {
	const ctx = await readerContext(browser);
	const page = await ctx.newPage();
	report(`${s.label}: first visit`,
		await visit(ctx, page, s.url, 'first', s.scroll));
	report(`${s.label}: reload`,
		await visit(ctx, page, s.url, 'reload', s.scroll));
	await ctx.close();
}
await browser.close();
