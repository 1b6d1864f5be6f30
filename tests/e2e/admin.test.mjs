/*
 * 6. The moderation screen (/admin, service/web/admin.js).
 *
 * Part A drives the real daemon: without a session the admin API is 401;
 * a moderator account made with `bandocd user add` signs in, finds a
 * comment posted through the public API in the pending queue, approves
 * it with the keyboard (j, a) and the comment is then published on the
 * demo page; a POST without X-CSRF-Token is 403. Those tests skip, with
 * the reason, while the daemon lacks the admin API or the user command.
 *
 * Part B drives the same screen against an in-page model of the admin
 * API contract (docs/admin-ui.md; requests intercepted by Playwright),
 * so the screen's own behaviour is tested whatever the daemon has:
 * shortcuts, bulk actions, editors, bans, audit, errors, XSS, English.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { BASE, haveAnswer, launch, postComment, readerContext, shot, sql,
	watch } from './lib.mjs';

/* run.sh writes the config beside the data directory and builds the key
 * holder under BUILD/tests: both give the paths the user command needs. */
const BUILD = process.env.BANDOC_ANSWER ?
	path.dirname(path.dirname(process.env.BANDOC_ANSWER)) : '';
const CONFIG = process.env.BANDOC_VAR ?
	path.join(path.dirname(process.env.BANDOC_VAR), 'bandoc.conf') : '';

/* The strict policy the daemon sends with /admin (used when the model
 * has to serve the page shell itself). */
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data:; connect-src 'self'; form-action 'self'; " +
	"base-uri 'none'; frame-ancestors 'self'";
const SHELL = '<!doctype html><html lang="vi"><head><meta charset="utf-8">' +
	'<meta name="viewport" content="width=device-width, initial-scale=1">' +
	'<title>bandoc — Kiểm duyệt</title><link rel="stylesheet" ' +
	'href="/static/admin.css"></head><body><div id="bandoc-admin" ' +
	'data-lang="LANG"></div><script src="/static/admin.js"></script>' +
	'</body></html>';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/* Page errors other than the refused requests a test provokes (Chromium
 * logs every 4xx fetch reply as a console error). */
function unexpected(w) {
	return w.errors.filter((e) => !/Failed to load resource: the server responded with a status of 4(0[0-9]|09|29)/.test(e));
}

async function adminContext(opts = {}) {
	return readerContext(browser, { viewport: { width: 1280, height: 900 },
		...opts });
}

/* What the daemon has: the page, the API, the user command. */
async function probe() {
	const page = await fetch(BASE + '/admin').catch(() => null);
	const me = await fetch(BASE + '/admin/api/me').catch(() => null);
	let meBody = null;
	try { meBody = await me.json(); } catch { /* not JSON */ }
	return {
		page: page ? page.status : 0,
		api: !!me && me.status === 401 && !!meBody?.error?.code,
		meStatus: me ? me.status : 0,
	};
}

let probed;
async function daemonAdmin() {
	probed ??= await probe();
	return probed;
}

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

/* ------------------------------------------------------------------ */
/* Part A: the real daemon.                                            */
/* ------------------------------------------------------------------ */

test('admin API: no session is 401, the page is served with a strict CSP',
	async (t) => {
	const p = await daemonAdmin();
	if (!p.api)
		return t.skip(`the daemon has no admin API yet (GET /admin/api/me → ${p.meStatus})`);
	const r = await fetch(BASE + '/admin/api/comments?status=pending');
	assert.equal(r.status, 401);
	assert.equal((await r.json()).error.code, 'unauthenticated');
	const bulk = await fetch(BASE + '/admin/api/comments/bulk', {
		method: 'POST', headers: { 'Content-Type': 'application/json',
			Origin: BASE }, body: '{"ids":[1],"action":"approve"}' });
	assert.ok(bulk.status === 401 || bulk.status === 403, 'bulk ' + bulk.status);

	const page = await fetch(BASE + '/admin');
	assert.equal(page.status, 200);
	const csp = page.headers.get('content-security-policy') ?? '';
	assert.match(csp, /script-src 'self'/);
	assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
	const html = await page.text();
	assert.match(html, /id="bandoc-admin"/);
	/* This release's files, by their hashed names (immutable). */
	assert.match(html, /<script src="\/static\/admin\.[0-9a-f]{12}\.js">/);
	assert.match(html, /href="\/static\/admin\.[0-9a-f]{12}\.css"/);
	const en = await (await fetch(BASE + '/admin?lang=en')).text();
	assert.match(en, /data-lang="en"/);
});

test('a moderator approves a new comment with the keyboard and it is published',
	async (t) => {
	const p = await daemonAdmin();
	if (!p.api)
		return t.skip(`the daemon has no admin API yet (GET /admin/api/me → ${p.meStatus})`);
	if (!haveAnswer())
		return t.skip('bandoc-test-answer is not built');
	const user = 'kiemduyet' + rnd();
	const password = 'Mật khẩu ' + rnd() + ' dài đủ 16';
	const why = userAdd(user, 'moderator', password);
	if (why)
		return t.skip('`bandocd user add` failed: ' + why);

	/* A reader's comment, through the public API with a CAPTCHA. */
	const marker = 'duyetphim' + rnd();
	const rctx = await readerContext(browser);
	const rpage = await rctx.newPage();
	await rpage.goto(BASE + '/');
	const body = `Xin hỏi Ban biên tập (${marker}): lịch tiếp công dân ` +
		'tháng này của Sở có thay đổi không ạ?\nCảm ơn quý báo.';
	const sent = await postComment(rpage, { site: 'lamdong', article: 'demo',
		name: 'Phạm Thị Hồng Nhung', email: 'nhung@example.vn', body,
		article_title: 'Khối Thi đua', article_url: BASE + '/' });
	assert.equal(sent.status, 202, JSON.stringify(sent.body));
	const id = Number(sql(`SELECT id FROM comment WHERE body LIKE '%${marker}%'`));
	assert.ok(id > 0);
	assert.equal(sql(`SELECT status FROM comment WHERE id=${id}`), '0');
	await rctx.close();

	/* Sign in. */
	const ctx = await adminContext();
	const page = await ctx.newPage();
	const w = watch(page);
	const lists = [];
	page.on('request', (r) => {
		if (r.url().startsWith(BASE + '/admin/api/comments?'))
			lists.push(new URL(r.url()).searchParams);
	});
	const resp = await page.goto(BASE + '/admin');
	assert.match(resp.headers()['content-security-policy'] ?? '',
		/script-src 'self'/);
	await page.getByLabel('Tên đăng nhập').waitFor();
	await page.getByLabel('Tên đăng nhập').fill(user);
	await page.getByLabel('Mật khẩu').fill('sai mật khẩu');
	await page.getByRole('button', { name: 'Đăng nhập' }).click();
	await page.getByText('Tên đăng nhập hoặc mật khẩu không đúng.').waitFor();
	await shot(page, 'admin-login');
	await page.getByLabel('Mật khẩu').fill(password);
	await page.getByRole('button', { name: 'Đăng nhập' }).click();

	/* The pending queue, oldest first, with the new comment. */
	await page.locator('.ba-user-name', { hasText: user }).waitFor();
	assert.equal(await page.locator('.ba-role').textContent(), 'kiểm duyệt');
	await page.locator('.ba-item').first().waitFor();
	assert.equal(lists[0].get('status'), 'pending');
	assert.equal(lists[0].get('order'), 'oldest');
	assert.match(await page.locator('.ba-pending').textContent(), /\d+ chờ duyệt/);
	/* No audit page for a moderator. */
	assert.equal(await page.locator('.ba-nav-link[data-view="audit"]').count(), 0);

	/* Narrow to this comment, back to the list, j then a. */
	const searched = page.waitForResponse((r) =>
		r.url().startsWith(BASE + '/admin/api/comments?') &&
		new URL(r.url()).searchParams.get('q') === marker);
	await page.getByLabel('Tìm').fill(marker);
	await page.getByLabel('Tìm').press('Enter');
	assert.equal((await (await searched).json()).comments.length, 1);
	const row = page.locator(`.ba-item[data-id="${id}"]`);
	await row.waitFor();
	await page.waitForFunction(() =>
		document.querySelectorAll('.ba-item').length === 1);
	assert.match(await row.locator('.ba-body').innerText(), new RegExp(marker));
	assert.equal(await row.locator('.ba-name').textContent(), 'Phạm Thị Hồng Nhung');
	assert.equal(await row.locator('.ba-email').textContent(), 'nhung@example.vn');
	await page.getByLabel('Tìm').press('Escape');
	await page.keyboard.press('j');
	await page.waitForFunction((i) => document.activeElement?.dataset?.id === String(i), id);
	assert.ok(await row.evaluate((e) => e.classList.contains('ba-current')));
	await shot(page, 'admin-queue');
	const approve = page.waitForResponse((r) =>
		r.url() === `${BASE}/admin/api/comments/${id}/approve`);
	const stats = page.waitForResponse((r) =>
		r.url() === `${BASE}/admin/api/stats`);
	await page.keyboard.press('a');
	const ar = await approve;
	assert.equal(ar.status(), 200);
	assert.equal(ar.request().headers()['x-csrf-token']?.length > 0, true);
	assert.equal((await ar.json()).status, 'approved');
	await page.locator('.ba-toast', { hasText: `#${id}` }).waitFor();
	await row.waitFor({ state: 'detached' });
	assert.equal(sql(`SELECT status FROM comment WHERE id=${id}`), '1');
	/* The header's pending count follows. */
	const pending = (await (await stats).json()).by_status.pending;
	await page.locator('.ba-pending', { hasText: `${pending} chờ duyệt` }).waitFor();
	await shot(page, 'admin-after');

	/* Without the CSRF header a state change is refused and changes
	 * nothing; the browser sends Origin itself. */
	const nocsrf = await page.evaluate(async (cid) => {
		const r = await fetch(`/admin/api/comments/${cid}/reject`,
			{ method: 'POST' });
		return { status: r.status, body: await r.json().catch(() => null) };
	}, id);
	assert.equal(nocsrf.status, 403);
	assert.equal(nocsrf.body?.error?.code, 'csrf');
	const badcsrf = await page.evaluate(async () => {
		const r = await fetch('/admin/api/comments/bulk', { method: 'POST',
			headers: { 'Content-Type': 'application/json',
				'X-CSRF-Token': 'forged' },
			body: JSON.stringify({ ids: [1], action: 'delete' }) });
		return r.status;
	});
	assert.equal(badcsrf, 403);
	assert.equal(sql(`SELECT status FROM comment WHERE id=${id}`), '1');
	assert.deepEqual(unexpected(w), []);
	assert.deepEqual(w.dialogs, []);

	/* Published: in the public API ... */
	let found = null;
	for (let pg = 1, pages = 1; pg <= pages && !found; pg++) {
		const l = await (await fetch(`${BASE}/api/v1/comments?site=lamdong` +
			`&article=demo&per_page=100&page=${pg}`)).json();
		pages = l.pages;
		found = l.comments.find((c) => c.id === id);
	}
	assert.ok(found, 'the approved comment is in the public list');
	assert.equal(found.body, body);

	/* ... and under the demo article, where the widget pages 20 at a
	 * time ("Xem thêm"). */
	const pctx = await readerContext(browser);
	try {
		const demo = await pctx.newPage();
		await demo.goto(BASE + '/#comments');
		assert.ok(await demo.locator('script[src^="/embed."]').count() > 0,
			'the demo page must load /embed.HASH.js to show comments (demo.test.mjs)');
		await demo.locator('.bandoc-list .bandoc-comment').first().waitFor();
		const pub = demo.locator('.bandoc-list .bandoc-comment',
			{ hasText: marker });
		for (let i = 0; i < 20 && !(await pub.count()); i++) {
			const more = demo.locator('.bandoc-more:not([hidden])');
			if (!(await more.count()))
				break;
			await more.click();
			await demo.waitForTimeout(300);
		}
		await pub.waitFor({ timeout: 5000 });
		assert.equal(await pub.locator('.bandoc-name').first().textContent(),
			'Phạm Thị Hồng Nhung');
	} finally {
		await pctx.close();
		/* Leave the demo article as the other tests expect it. */
		const del = await page.evaluate(async (cid) => {
			const me = await (await fetch('/admin/api/me')).json();
			const r = await fetch(`/admin/api/comments/${cid}/delete`, {
				method: 'POST', headers: { 'X-CSRF-Token': me.csrf } });
			return (await r.json()).status;
		}, id);
		assert.equal(del, 'deleted');
	}

	/* Sign out: the session is gone. */
	await page.getByRole('button', { name: 'Đăng xuất' }).click();
	await page.getByLabel('Tên đăng nhập').waitFor();
	const after = await page.evaluate(async () =>
		(await fetch('/admin/api/me')).status);
	assert.equal(after, 401);
	await ctx.close();
});

/* ------------------------------------------------------------------ */
/* Part B: the screen against a model of the contract.                 */
/* ------------------------------------------------------------------ */

function fold(s) {
	return String(s).normalize('NFD').replace(/[\u0300-\u036f]/g, '')
		.replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase();
}

const NAMES = ['Nguyễn Văn An', 'Trần Thị Bích Ngọc', 'Lê Hoàng Phúc',
	'Phạm Minh Đức', 'Hoàng Thị Mai', 'Võ Quốc Khánh', 'Đặng Thu Hà',
	'Bùi Văn Lợi', 'Đỗ Thị Lan Anh', 'Huỳnh Tấn Phát'];
const BODIES = [
	'Bài viết rất hay, cảm ơn quý báo!',
	'Đề nghị tỉnh sớm sửa đoạn đường lên Đà Lạt qua đèo Prenn, mùa mưa ' +
		'rất nguy hiểm.\nMong các cơ quan chức năng vào cuộc.',
	'Cho hỏi lịch tiếp công dân tháng này ở đâu ạ?',
	'Xem thêm tại http://quang-cao.example/khuyen-mai giá rẻ bất ngờ',
	'Đồng ý với ý kiến trên. Người dân rất mong chờ.',
];

/* An in-memory admin API that follows the contract. */
function model({ admin = true } = {}) {
	const m = {
		users: {
			kd: { password: 'dung-mat-khau', role: 'moderator', name: 'kd' },
			qt: { password: 'dung-mat-khau', role: 'admin', name: 'qt' },
		},
		login: null,
		csrf: 'csrf-' + rnd(),
		lock: 0,
		comments: [],
		bans: [{ id: 1, kind: 'email', value: 'spam@example.com',
			reason: 'quảng cáo', expires_at: null,
			created_at: '2025-11-20T02:00:00Z', created_by: 'qt' }],
		audit: [],
		log: [],
		expireSession: false,
	};
	const t0 = Date.parse('2025-11-27T00:00:00Z');
	for (let i = 0; i < 57; i++) {
		const id = 101 + i;
		m.comments.push({
			id, site: i % 4 === 3 ? 'baolamdong-en' : 'lamdong',
			article: String(1000 + (i % 5)),
			article_title: ['Khối Thi đua các cơ quan tổng kết năm 2025',
				'Đà Lạt: mùa hoa dã quỳ', 'Giá cà phê tăng mạnh',
				'Lịch cắt điện tuần này', 'Tuyển sinh lớp 10'][i % 5],
			article_url: `https://baolamdong.example/bai-${1000 + (i % 5)}.html`,
			parent_id: i % 6 === 2 ? id - 1 : null,
			parent_excerpt: i % 6 === 2 ? BODIES[(i - 1) % 5].slice(0, 60) : null,
			name: NAMES[i % NAMES.length],
			email: i % 3 ? `docgia${i}@example.vn` : '',
			body: BODIES[i % BODIES.length],
			status: 'pending',
			flags: i % 5 === 3 ? ['links', 'watched'] : i === 7 ? ['honeypot'] :
				i === 9 ? ['banned'] : [],
			ip_hash: ((i * 2654435761) % 0xffffffff).toString(16).padStart(8, '0') +
				'9f3c',
			user_agent: 'Mozilla/5.0 (Linux; Android 14) Chrome/130',
			created_at: new Date(t0 + i * 600000).toISOString().replace('.000', ''),
			updated_at: new Date(t0 + i * 600000).toISOString().replace('.000', ''),
			reply: i === 4 ? { name: 'Ban biên tập', body: 'Cảm ơn bạn, ' +
				'tòa soạn đã chuyển ý kiến tới Sở Giao thông.',
			created_at: '2025-11-27T03:00:00Z' } : null,
			history: [],
		});
	}
	for (let i = 0; i < 6; i++)
		m.comments.push({ ...m.comments[i], id: 50 + i, status: 'approved',
			history: [{ action: 'approve', user: 'kd', at: '2025-11-26T01:00:00Z' }] });
	for (let i = 0; i < 130; i++)
		m.audit.push({ id: 1000 - i, at: new Date(t0 - i * 60000).toISOString(),
			user: i % 2 ? 'kd' : 'qt', action: ['approve', 'reject', 'edit'][i % 3],
			comment_id: 50 + (i % 6), ip_hash: 'a1b2c3d4e5f6',
			before: i % 3 === 2 ? { body: 'cũ' } : 'pending',
			after: i % 3 === 2 ? { body: 'mới' } : 'approved' });

	const json = (route, status, body, headers = {}) => route.fulfill({
		status, contentType: 'application/json; charset=utf-8', headers,
		body: body === undefined ? '' : JSON.stringify(body) });
	const err = (route, status, code, extra = {}, headers = {}) =>
		json(route, status, { error: { code, message: code, ...extra } }, headers);
	const byId = (id) => m.comments.find((c) => c.id === Number(id));
	const now = () => new Date().toISOString().replace(/\.\d+/, '');
	const next = { approve: 'approved', reject: 'rejected', spam: 'spam',
		delete: 'deleted', restore: 'pending' };

	m.handle = async (route) => {
		const req = route.request();
		const url = new URL(req.url());
		const p = url.pathname;
		const method = req.method();
		let body = null;
		try { body = req.postData() ? JSON.parse(req.postData()) : null; } catch { body = 'bad'; }
		const entry = { method, path: p, query: url.searchParams,
			csrf: req.headers()['x-csrf-token'] ?? null, body };
		m.log.push(entry);

		if (p === '/admin' && method === 'GET') {
			const real = await route.fetch().catch(() => null);
			if (real && real.status() === 200)
				return route.fulfill({ response: real });
			return route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8',
				headers: { 'Content-Security-Policy': CSP },
				body: SHELL.replace('LANG', url.searchParams.get('lang') === 'en' ? 'en' : 'vi') });
		}
		if (p === '/admin/login' && method === 'POST') {
			if (Date.now() < m.lock)
				return err(route, 429, 'too_many_attempts', {}, { 'Retry-After': '42' });
			const u = m.users[body?.username];
			if (!u || u.password !== body.password)
				return err(route, 401, 'login_failed');
			m.login = u;
			return json(route, 200, { name: u.name, role: u.role, csrf: m.csrf });
		}
		if (method !== 'GET' && entry.csrf !== m.csrf)
			return err(route, 403, 'csrf');
		if (p === '/admin/logout') {
			m.login = null;
			return route.fulfill({ status: 204 });
		}
		if (!m.login || m.expireSession)
			return err(route, 401, 'unauthenticated');
		if (p === '/admin/api/me')
			return json(route, 200, { name: m.login.name, role: m.login.role, csrf: m.csrf });
		if (p === '/admin/api/stats') {
			const by = {}, sites = {};
			for (const s of Object.values(next))
				by[s] = 0;
			for (const c of m.comments) {
				by[c.status]++;
				sites[c.site] ??= { pending: 0, approved: 0, rejected: 0, spam: 0, deleted: 0 };
				sites[c.site][c.status]++;
			}
			return json(route, 200, { by_status: by, by_site: sites, today: 12,
				oldest_pending_age: by.pending ? 5 * 3600 : null });
		}
		if (p === '/admin/api/comments' && method === 'GET') {
			const q = url.searchParams;
			const order = q.get('order') === 'oldest' ? 1 : -1;
			const lim = Math.min(200, Number(q.get('limit') || 50));
			const bef = q.get('before') ? Number(q.get('before')) : null;
			let list = m.comments.filter((c) =>
				(!q.get('status') || c.status === q.get('status')) &&
				(!q.get('site') || c.site === q.get('site')) &&
				(!q.get('article') || c.article === q.get('article')) &&
				(!q.get('flag') || c.flags.includes(q.get('flag'))) &&
				(!q.get('q') || fold(c.name + ' ' + c.email + ' ' + c.body)
					.includes(fold(q.get('q')))) &&
				(bef == null || (order > 0 ? c.id > bef : c.id < bef)));
			list.sort((a, b) => order * (a.id - b.id));
			const more = list.length > lim;
			list = list.slice(0, lim);
			return json(route, 200, { comments: list,
				next: more ? list.at(-1).id : null });
		}
		if (p === '/admin/api/comments/bulk' && method === 'POST') {
			if (!Array.isArray(body?.ids) || body.ids.length > 500 || !next[body.action])
				return err(route, 400, 'invalid');
			if (!body.ids.every(byId))
				return err(route, 404, 'not_found');
			for (const id of body.ids)
				byId(id).status = next[body.action];
			return json(route, 200, { updated: body.ids.length });
		}
		let mm = /^\/admin\/api\/comments\/(\d+)(?:\/([a-z]+))?$/.exec(p);
		if (mm) {
			const c = byId(mm[1]);
			if (!c)
				return err(route, 404, 'not_found');
			const a = mm[2];
			if (!a && method === 'DELETE') {
				if (m.login.role !== 'admin')
					return err(route, 403, 'forbidden');
				m.comments = m.comments.filter((x) => x !== c);
				return route.fulfill({ status: 204 });
			}
			if (!a && method === 'PATCH') {
				if (body.body !== undefined && !String(body.body).trim())
					return err(route, 400, 'invalid_fields', { fields: { body: 'Nội dung không được để trống.' } });
				Object.assign(c, body, { updated_at: now() });
				c.history.push({ action: 'edit', user: m.login.name, at: now() });
				return json(route, 200, c);
			}
			if (a === 'reply') {
				c.reply = method === 'DELETE' ? null :
					{ name: m.login.name, body: body.body, created_at: now() };
				return json(route, 200, c);
			}
			if (next[a] && method === 'POST') {
				c.status = next[a];
				c.history.push({ action: a, user: m.login.name, at: now() });
				return json(route, 200, c);
			}
			return err(route, 405, 'method_not_allowed');
		}
		if (p === '/admin/api/bans' && method === 'GET')
			return json(route, 200, { bans: m.bans });
		if (p === '/admin/api/bans' && method === 'POST') {
			let ban;
			if (body.comment_id != null) {
				const c = byId(body.comment_id);
				if (!c)
					return err(route, 404, 'not_found');
				ban = { kind: 'ip', value: c.ip_hash };
			} else if (body.kind === 'email' && /@/.test(body.value ?? '')) {
				ban = { kind: 'email', value: body.value };
			} else {
				return err(route, 400, 'invalid_fields', { fields: { value: 'Email không hợp lệ.' } });
			}
			ban = { id: m.bans.length + 1, ...ban, reason: body.reason ?? '',
				expires_at: body.expires_in == null ? null :
					new Date(Date.now() + body.expires_in * 1000).toISOString(),
				created_at: now(), created_by: m.login.name };
			m.bans.unshift(ban);
			return json(route, 201, ban);
		}
		mm = /^\/admin\/api\/bans\/(\d+)$/.exec(p);
		if (mm && method === 'DELETE') {
			m.bans = m.bans.filter((b) => b.id !== Number(mm[1]));
			return route.fulfill({ status: 204 });
		}
		if (p === '/admin/api/audit' || p === '/admin/api/users') {
			if (m.login.role !== 'admin')
				return err(route, 403, 'forbidden');
			if (p === '/admin/api/users')
				return json(route, 200, { users: [
					{ name: 'qt', role: 'admin', disabled: false,
						created_at: '2025-01-02T03:04:05Z', last_login: now() },
					{ name: 'kd', role: 'moderator', disabled: false,
						created_at: '2025-02-02T03:04:05Z', last_login: null },
					{ name: 'cu', role: 'moderator', disabled: true,
						created_at: '2024-02-02T03:04:05Z', last_login: '2024-12-01T00:00:00Z' }] });
			const bef = url.searchParams.get('before');
			const lim = Number(url.searchParams.get('limit') || 50);
			const list = m.audit.filter((e) => bef == null || e.id < Number(bef));
			const page = list.slice(0, lim);
			return json(route, 200, { entries: page,
				next: list.length > lim ? page.at(-1).id : null });
		}
		return err(route, 404, 'not_found');
	};
	void admin;
	return m;
}

async function adminJs() {
	const r = await fetch(BASE + '/static/admin.js').catch(() => null);
	return r && r.status === 200;
}

/* A page on the daemon's origin whose /admin* requests go to a model. */
async function modelPage(opts = {}) {
	const m = model(opts);
	const ctx = await adminContext(opts.context);
	await ctx.route((u) => u.pathname === '/admin' || u.pathname.startsWith('/admin/'),
		m.handle);
	const page = await ctx.newPage();
	const w = watch(page);
	return { m, ctx, page, w };
}

async function signIn(page, user = 'kd', lang = 'vi') {
	await page.goto(BASE + '/admin' + (lang === 'en' ? '?lang=en' : ''));
	const L = lang === 'en' ? ['Username', 'Password', 'Sign in'] :
		['Tên đăng nhập', 'Mật khẩu', 'Đăng nhập'];
	await page.getByLabel(L[0]).fill(user);
	await page.getByLabel(L[1]).fill('dung-mat-khau');
	await page.getByRole('button', { name: L[2] }).click();
	await page.locator('.ba-item').first().waitFor();
}

const skipNoJs = async (t) => {
	if (!(await adminJs())) {
		t.skip('/static/admin.js is not embedded (re-run cmake, then build)');
		return true;
	}
	return false;
};

test('model: sign-in form, generic failure, lock-out, then the queue',
	async (t) => {
	if (await skipNoJs(t))
		return;
	const { m, ctx, page, w } = await modelPage();
	await page.goto(BASE + '/admin');
	const user = page.getByLabel('Tên đăng nhập');
	await user.waitFor();
	assert.ok(await user.evaluate((e) => e === document.activeElement));
	assert.equal(await page.getByLabel('Mật khẩu').getAttribute('type'), 'password');
	assert.equal(await page.locator('.ba-login-msg').getAttribute('aria-live'),
		'assertive');

	await user.fill('kd');
	await page.getByLabel('Mật khẩu').fill('sai');
	await page.getByRole('button', { name: 'Đăng nhập' }).click();
	await page.getByText('Tên đăng nhập hoặc mật khẩu không đúng.').waitFor();
	assert.equal(await page.getByLabel('Mật khẩu').inputValue(), '');
	const login = m.log.find((e) => e.path === '/admin/login');
	assert.deepEqual(login.body, { username: 'kd', password: 'sai' });
	assert.equal(login.csrf, null, 'login sends no CSRF token');

	m.lock = Date.now() + 60000;
	await page.getByLabel('Mật khẩu').fill('dung-mat-khau');
	await page.getByRole('button', { name: 'Đăng nhập' }).click();
	await page.getByText(/quá nhiều lần.*42 giây/).waitFor();
	assert.ok(await page.getByRole('button', { name: 'Đăng nhập' }).isDisabled());
	await shot(page, 'admin-model-login');

	m.lock = 0;
	await page.reload();
	await signIn(page);
	/* The queue: pending, oldest first, 50 a page. */
	const first = m.log.find((e) => e.path === '/admin/api/comments');
	assert.equal(first.query.get('status'), 'pending');
	assert.equal(first.query.get('order'), 'oldest');
	assert.equal(first.query.get('limit'), '50');
	assert.equal(await page.locator('.ba-item').count(), 50);
	assert.equal(await page.locator('.ba-item').first().getAttribute('data-id'), '101');
	await page.locator('.ba-pending', { hasText: '57 chờ duyệt' }).waitFor();
	assert.match(await page.title(), /^\(57\) bandoc/);
	assert.equal(await page.locator('.ba-user-name').textContent(), 'kd');
	assert.equal(await page.locator('.ba-role').textContent(), 'kiểm duyệt');
	assert.deepEqual(await page.locator('select[name="site"] option')
		.evaluateAll((o) => o.map((x) => x.value)), ['', 'baolamdong-en', 'lamdong']);
	assert.equal(await page.locator('.ba-nav-link').count(), 2, 'no audit for moderators');

	/* A row: article link in a new tab, name, e-mail, date, flags, IP
	 * prefix, parent excerpt, the editors' reply. */
	const r4 = page.locator('.ba-item[data-id="104"]');
	const link = r4.locator('a.ba-article');
	assert.equal(await link.getAttribute('target'), '_blank');
	assert.match(await link.getAttribute('rel'), /noopener/);
	assert.equal(await link.getAttribute('href'), 'https://baolamdong.example/bai-1003.html');
	assert.deepEqual(await r4.locator('.ba-flag').allTextContents(),
		['có liên kết', 'từ cần xem']);
	assert.equal(await r4.locator('.ba-ip code').textContent(),
		m.comments[3].ip_hash.slice(0, 6));
	assert.equal(await page.locator('.ba-item[data-id="103"] .ba-parent-ref').textContent(),
		'Trả lời #102:');
	assert.match(await page.locator('.ba-item[data-id="105"] .ba-official').innerText(),
		/Sở Giao thông/);
	assert.equal(await page.locator('.ba-item[data-id="102"] .ba-body')
		.evaluate((e) => getComputedStyle(e).whiteSpace), 'pre-wrap');
	await shot(page, 'admin-model-queue');

	/* "Load more" when the end comes near: before = the last id. */
	await page.locator('.ba-more').scrollIntoViewIfNeeded();
	await page.waitForFunction(() => document.querySelectorAll('.ba-item').length === 57);
	const second = m.log.filter((e) => e.path === '/admin/api/comments')[1];
	assert.equal(second.query.get('before'), '150');
	assert.ok(await page.locator('.ba-more').isHidden());

	assert.deepEqual(unexpected(w), []);
	assert.deepEqual(w.dialogs, []);
	await ctx.close();
});

test('model: keyboard j/k, a r s d, x, e, ?, off while typing', async (t) => {
	if (await skipNoJs(t))
		return;
	const { m, ctx, page, w } = await modelPage();
	await signIn(page);
	const posts = () => m.log.filter((e) => e.method !== 'GET' &&
		e.path.startsWith('/admin/api/comments/'));
	const cur = () => page.evaluate(() =>
		document.querySelector('.ba-current')?.dataset.id ?? null);

	await page.keyboard.press('j');
	assert.equal(await cur(), '101');
	assert.equal(await page.evaluate(() => document.activeElement.dataset.id), '101');
	const ring = await page.locator('.ba-current').evaluate((e) =>
		getComputedStyle(e).boxShadow);
	assert.notEqual(ring, 'none', 'the selection has a visible ring');
	await page.keyboard.press('j');
	await page.keyboard.press('j');
	await page.keyboard.press('k');
	assert.equal(await cur(), '102');

	/* a: approved, leaves the list, the next one is selected. */
	await page.keyboard.press('a');
	await page.locator('.ba-item[data-id="102"]').waitFor({ state: 'detached' });
	await page.locator('.ba-toast', { hasText: 'Đã duyệt bình luận #102' }).waitFor();
	assert.equal(await cur(), '103');
	assert.equal(await page.evaluate(() => document.activeElement.dataset.id), '103');
	let last = posts().at(-1);
	assert.equal(last.path, '/admin/api/comments/102/approve');
	assert.equal(last.csrf, m.csrf);
	await page.locator('.ba-pending', { hasText: '56 chờ duyệt' }).waitFor();

	for (const [k, action] of [['r', 'reject'], ['s', 'spam'], ['d', 'delete']]) {
		const id = await cur();
		await page.keyboard.press(k);
		await page.locator(`.ba-item[data-id="${id}"]`).waitFor({ state: 'detached' });
		last = posts().at(-1);
		assert.equal(last.path, `/admin/api/comments/${id}/${action}`);
	}
	assert.deepEqual(['103', '104', '105'].map((id) => m.comments.find((c) =>
		c.id === Number(id)).status), ['rejected', 'spam', 'deleted']);

	/* x toggles the checkbox of the selection. */
	const id = await cur();
	await page.keyboard.press('x');
	assert.ok(await page.locator(`.ba-item[data-id="${id}"] .ba-check`).isChecked());
	await page.locator('.ba-nsel', { hasText: 'Đã chọn 1' }).waitFor();
	await page.keyboard.press('x');
	assert.ok(!(await page.locator(`.ba-item[data-id="${id}"] .ba-check`).isChecked()));

	/* e: inline editor; typing does not trigger shortcuts; Ctrl+Enter
	 * saves; an empty body is refused with the field marked. */
	await page.keyboard.press('e');
	const ta = page.locator(`.ba-item[data-id="${id}"] textarea[name="body"]`);
	await ta.waitFor();
	assert.ok(await ta.evaluate((e) => e === document.activeElement));
	const before = posts().length;
	await ta.fill('');
	await page.keyboard.press('Control+Enter');
	await page.locator('.ba-form-msg', { hasText: 'Nội dung trống hoặc quá dài.' }).waitFor();
	assert.equal(await ta.getAttribute('aria-invalid'), 'true');
	await ta.fill('Sửa lại: a r s d j k x e – không kích hoạt phím tắt.');
	assert.equal(posts().length, before + 1, 'typing sent nothing');
	await page.keyboard.press('Control+Enter');
	await page.locator('.ba-toast', { hasText: `Đã lưu bình luận #${id}` }).waitFor();
	last = posts().at(-1);
	assert.equal(last.method, 'PATCH');
	assert.deepEqual(last.body, { body: 'Sửa lại: a r s d j k x e – không kích hoạt phím tắt.' });
	assert.equal(await page.locator(`.ba-item[data-id="${id}"] .ba-body`).textContent(),
		'Sửa lại: a r s d j k x e – không kích hoạt phím tắt.');
	assert.equal(await cur(), id);
	/* Esc cancels an editor. */
	await page.keyboard.press('e');
	await ta.waitFor();
	await page.keyboard.press('Escape');
	await ta.waitFor({ state: 'detached' });

	/* Shortcuts are off in the search box. */
	const n = posts().length;
	await page.keyboard.press('/');
	assert.ok(await page.getByLabel('Tìm').evaluate((e) => e === document.activeElement));
	await page.keyboard.type('asdj');
	assert.equal(posts().length, n);
	await page.getByLabel('Tìm').fill('');

	/* ? shows the help. */
	await page.keyboard.press('Escape');
	await page.keyboard.press('?');
	const help = page.getByRole('dialog', { name: 'Phím tắt' });
	await help.waitFor();
	assert.match(await help.innerText(), /Duyệt/);
	await shot(page, 'admin-model-help');
	await page.keyboard.press('Escape');
	await help.waitFor({ state: 'hidden' });

	assert.deepEqual(unexpected(w), []);
	await ctx.close();
});

test('model: select all and act in bulk; filters and search', async (t) => {
	if (await skipNoJs(t))
		return;
	const { m, ctx, page, w } = await modelPage();
	await signIn(page);

	/* Flag filter, then select all and approve in one request. */
	await page.getByLabel('Dấu hiệu').selectOption('links');
	await page.waitForFunction(() => document.querySelectorAll('.ba-item').length === 11);
	let req = m.log.filter((e) => e.path === '/admin/api/comments').at(-1);
	assert.equal(req.query.get('flag'), 'links');
	assert.match(page.url(), /flag=links/);
	await page.getByLabel('Chọn tất cả').check();
	await page.locator('.ba-nsel', { hasText: 'Đã chọn 11' }).waitFor();
	await page.locator('.ba-bulk-actions').getByRole('button', { name: 'Spam' }).click();
	await page.locator('.ba-toast', { hasText: 'Đã chuyển vào spam 11 bình luận' }).waitFor();
	const bulk = m.log.find((e) => e.path === '/admin/api/comments/bulk');
	assert.equal(bulk.body.action, 'spam');
	assert.equal(bulk.body.ids.length, 11);
	assert.equal(bulk.csrf, m.csrf);
	assert.equal(await page.locator('.ba-item').count(), 0);
	await page.locator('.ba-empty', { hasText: 'Không có bình luận nào.' }).waitFor();

	/* The spam tab lists them, newest first, with Restore. */
	await page.locator('.ba-tab-spam').click();
	await page.waitForFunction(() => document.querySelectorAll('.ba-item').length === 11);
	req = m.log.filter((e) => e.path === '/admin/api/comments').at(-1);
	assert.equal(req.query.get('status'), 'spam');
	assert.equal(req.query.get('order'), 'newest');
	assert.ok(await page.locator('.ba-item').first().getByRole('button',
		{ name: 'Khôi phục' }).isVisible());

	/* An all-or-nothing failure says so and reloads. */
	await page.locator('.ba-item .ba-check').nth(0).check();
	await page.locator('.ba-item .ba-check').nth(1).check();
	const gone = Number(await page.locator('.ba-item').nth(1).getAttribute('data-id'));
	m.comments = m.comments.filter((c) => c.id !== gone);
	await page.locator('.ba-bulk-actions').getByRole('button', { name: 'Khôi phục' }).click();
	await page.locator('.ba-toast-bad', { hasText: 'không bình luận nào bị thay đổi' }).waitFor();
	await page.waitForFunction(() => document.querySelectorAll('.ba-item').length === 10);

	/* Search ignores case and diacritics; site filter; clear. */
	await page.locator('.ba-tab-pending').click();
	await page.getByLabel('Dấu hiệu').selectOption('');
	await page.getByLabel('Tìm').fill('DEO PRENN');
	await page.waitForFunction(() => document.querySelectorAll('.ba-item').length === 12);
	req = m.log.filter((e) => e.path === '/admin/api/comments').at(-1);
	assert.equal(req.query.get('q'), 'DEO PRENN');
	await page.getByLabel('Trang').selectOption('lamdong');
	await page.waitForFunction(() => document.querySelectorAll('.ba-item').length === 9);
	assert.equal(m.log.filter((e) => e.path === '/admin/api/comments').at(-1)
		.query.get('site'), 'lamdong');
	/* The article filter from a row. */
	await page.locator('.ba-item').first().getByRole('button', { name: 'Chỉ bài này' }).click();
	req = m.log.filter((e) => e.path === '/admin/api/comments').at(-1);
	assert.equal(req.query.get('article'), '1001');
	assert.equal(await page.getByLabel('Bài viết').inputValue(), '1001');
	/* A reload keeps the filters (they are in the fragment). */
	await page.reload();
	await page.locator('.ba-item').first().waitFor();
	assert.equal(await page.getByLabel('Tìm').inputValue(), 'DEO PRENN');
	assert.equal(await page.getByLabel('Trang').inputValue(), 'lamdong');
	await page.getByRole('button', { name: 'Bỏ lọc' }).click();
	await page.waitForFunction(() => document.querySelectorAll('.ba-item').length > 12);

	assert.deepEqual(unexpected(w), []);
	await ctx.close();
});

test('model: official reply, ban with a reason, hard delete, bans page',
	async (t) => {
	if (await skipNoJs(t))
		return;
	const { m, ctx, page, w } = await modelPage();
	await signIn(page, 'qt');
	assert.equal(await page.locator('.ba-role').textContent(), 'quản trị');

	/* Reply. */
	const row = page.locator('.ba-item[data-id="101"]');
	await row.getByRole('button', { name: 'Trả lời', exact: true }).click();
	await row.getByLabel(/Trả lời chính thức/).fill('Cảm ơn bạn đọc.\nTòa soạn sẽ phản hồi sớm.');
	await row.getByRole('button', { name: 'Đăng trả lời' }).click();
	await row.locator('.ba-official', { hasText: 'Tòa soạn sẽ phản hồi sớm.' }).waitFor();
	let last = m.log.filter((e) => e.method !== 'GET').at(-1);
	assert.equal(last.path, '/admin/api/comments/101/reply');
	assert.deepEqual(last.body, { body: 'Cảm ơn bạn đọc.\nTòa soạn sẽ phản hồi sớm.' });
	await row.getByRole('button', { name: 'Trả lời', exact: true }).click();
	await row.getByRole('button', { name: 'Gỡ trả lời' }).click();
	await row.locator('.ba-official').waitFor({ state: 'detached' });
	assert.equal(m.log.filter((e) => e.method !== 'GET').at(-1).method, 'DELETE');

	/* Ban the address with a reason: an inline form, no dialog. */
	const r2 = page.locator('.ba-item[data-id="102"]');
	await r2.getByRole('button', { name: 'Chặn', exact: true }).click();
	await r2.getByLabel('Lý do').fill('quảng cáo lặp lại');
	await r2.getByLabel('Thời hạn').selectOption({ label: '30 ngày' });
	await shot(page, 'admin-model-ban');
	await r2.locator('.ba-editor').getByRole('button', { name: 'Chặn' }).click();
	await page.locator('.ba-toast', { hasText: 'Đã chặn địa chỉ IP' }).waitFor();
	last = m.log.filter((e) => e.method !== 'GET').at(-1);
	assert.equal(last.path, '/admin/api/bans');
	assert.deepEqual(last.body, { comment_id: 102, reason: 'quảng cáo lặp lại',
		expires_in: 30 * 86400 });

	/* Hard delete (admins): two clicks. */
	const r3 = page.locator('.ba-item[data-id="103"]');
	await r3.getByRole('button', { name: 'Xoá hẳn' }).click();
	assert.equal(m.log.filter((e) => e.method === 'DELETE' &&
		e.path === '/admin/api/comments/103').length, 0, 'one click deletes nothing');
	await r3.getByRole('button', { name: 'Bấm lần nữa để xoá hẳn' }).click();
	await r3.waitFor({ state: 'detached' });
	assert.equal(m.log.filter((e) => e.method === 'DELETE').at(-1).path,
		'/admin/api/comments/103');

	/* The bans page: the address banned above, add an e-mail, remove. */
	await page.getByRole('link', { name: 'Danh sách chặn' }).click();
	await page.locator('.ba-table tbody tr').nth(1).waitFor();
	await page.getByLabel('Email').fill('khong-hop-le');
	await page.getByRole('button', { name: 'Chặn', exact: true }).click();
	await page.getByText('Địa chỉ email không hợp lệ.').waitFor();
	await page.getByLabel('Email').fill('rac@example.vn');
	await page.getByLabel('Lý do').fill('spam');
	await page.getByRole('button', { name: 'Chặn', exact: true }).click();
	await page.locator('.ba-table td', { hasText: 'rac@example.vn' }).waitFor();
	last = m.log.filter((e) => e.method === 'POST').at(-1);
	assert.deepEqual(last.body, { kind: 'email', value: 'rac@example.vn',
		reason: 'spam', expires_in: 30 * 86400 });
	await shot(page, 'admin-model-bans');
	await page.locator('tr', { hasText: 'spam@example.com' })
		.getByRole('button', { name: 'Gỡ chặn' }).click();
	await page.locator('td', { hasText: 'spam@example.com' }).waitFor({ state: 'detached' });
	assert.equal(m.log.at(-1).path, '/admin/api/bans/1');

	/* The audit log (admins), 100 a page, with "load more". */
	await page.getByRole('link', { name: 'Nhật ký' }).click();
	await page.waitForFunction(() => document.querySelectorAll('.ba-table tbody tr').length === 100);
	await page.getByRole('button', { name: 'Tải thêm' }).click();
	await page.waitForFunction(() => document.querySelectorAll('.ba-table tbody tr').length === 130);
	assert.equal(m.log.filter((e) => e.path === '/admin/api/audit').at(-1)
		.query.get('before'), '901');
	await shot(page, 'admin-model-audit');
	await page.getByRole('link', { name: 'Tài khoản' }).click();
	await page.locator('td', { hasText: 'Đã khoá' }).waitFor();

	assert.deepEqual(unexpected(w), []);
	assert.deepEqual(w.dialogs, []);
	await ctx.close();
});

test('model: CSRF renewal, session end, markup shown as text, English',
	async (t) => {
	if (await skipNoJs(t))
		return;
	const { m, ctx, page, w } = await modelPage();
	m.comments[0].name = '<img src=x onerror="window.__xss=1">';
	m.comments[0].body = '<script>window.__xss=1</script>\n<b>đậm</b>';
	m.comments[0].article_title = '"><svg onload=window.__xss=1>';
	m.comments[0].article_url = 'javascript:window.__xss=1';
	m.comments[0].flags = ['<i>x</i>'];
	await signIn(page);
	const r1 = page.locator('.ba-item[data-id="101"]');
	assert.equal(await r1.locator('.ba-name').textContent(), m.comments[0].name);
	assert.equal(await r1.locator('.ba-body').textContent(), m.comments[0].body);
	assert.equal(await r1.locator('.ba-article').textContent(), m.comments[0].article_title);
	assert.equal(await page.locator('.ba-list script, .ba-list img, .ba-list svg, .ba-list b, .ba-list i').count(), 0);
	assert.equal(await page.locator('a[href^="javascript"]').count(), 0);
	assert.equal(await r1.locator('.ba-flag').textContent(), '<i>x</i>');

	/* A rotated CSRF token: 403 csrf, a new token from /me, one retry. */
	m.csrf = 'csrf-rotated';
	await page.keyboard.press('j');
	await page.keyboard.press('a');
	await r1.waitFor({ state: 'detached' });
	const tries = m.log.filter((e) => e.path === '/admin/api/comments/101/approve');
	assert.equal(tries.length, 2);
	assert.equal(tries[1].csrf, 'csrf-rotated');
	await page.evaluate(() => window.__xss).then((v) => assert.equal(v, undefined));

	/* A session that ended: the sign-in form says so. */
	m.expireSession = true;
	await page.keyboard.press('a');
	await page.getByText('Phiên làm việc đã hết. Vui lòng đăng nhập lại.').waitFor();
	m.expireSession = false;
	m.login = null;

	/* English. */
	await page.goto(BASE + '/admin?lang=en');
	await page.getByRole('link', { name: 'Tiếng Việt' }).waitFor();
	await signIn(page, 'kd', 'en');
	await page.locator('.ba-pending', { hasText: /\d+ pending/ }).waitFor();
	assert.ok(await page.locator('.ba-item').first().getByRole('button',
		{ name: 'Approve' }).isVisible());
	assert.equal(await page.locator('.ba-tab[aria-pressed="true"] span').first()
		.textContent(), 'Pending');

	/* Narrow screens: nothing overflows sideways. */
	await page.setViewportSize({ width: 380, height: 800 });
	await page.waitForTimeout(100);
	assert.ok(await page.evaluate(() =>
		document.documentElement.scrollWidth <= window.innerWidth + 1),
	'no horizontal scroll at 380 px');
	await shot(page, 'admin-model-narrow');

	assert.deepEqual(unexpected(w), []);
	assert.deepEqual(w.dialogs, []);
	await ctx.close();
});
