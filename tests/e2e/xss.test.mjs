/*
 * 5. Hostile content (issue #7). The OWASP XSS filter-evasion payloads,
 * mixed with Vietnamese text, are submitted as name, body, article title,
 * article address and article key; they are seen in the moderation
 * screen (/admin, signed in as a real moderator), approved, and then
 * shown by the widget, the no-JS page and the server-side fragment.
 * Nothing may run: every page fails the test on a dialog, a page error,
 * window.__xss set in any frame, a request to the "xss-canary" address
 * (markup that loads something), a new window or a navigation away; and
 * no element or attribute of the payloads may appear in the DOM.
 * Everything is displayed literally, as text.
 *
 * The pages are looked at without the daemon's CSP (bypassCSP, and the
 * host pages send none): the CSP is a second line of defence, and an
 * escaping bug must show even where a host page has no policy (a
 * server-side include lands in the host's page).
 *
 * SQL metacharacters in name, e-mail, body, title, address and article
 * key round-trip byte for byte: in the database, the public list API and
 * the admin API (filters and search included).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { BASE, haveAnswer, HOST, launch, postComment, readerContext, shot,
	sql, watch } from './lib.mjs';

/* The paths `bandocd user add` needs (as in admin.test.mjs). */
const BUILD = process.env.BANDOC_ANSWER ?
	path.dirname(path.dirname(process.env.BANDOC_ANSWER)) : '';
const CONFIG = process.env.BANDOC_VAR ?
	path.join(path.dirname(process.env.BANDOC_VAR), 'bandoc.conf') : '';

const rnd = () => Math.random().toString(36).slice(2, 8);
const RUN = rnd();
const SKIP = haveAnswer() ? false : 'bandoc-test-answer is not built';

/*
 * The payloads: the OWASP XSS Filter Evasion Cheat Sheet classics and a
 * few newer ones (mutation XSS, template injection, polyglot). Each one
 * would set window.__xss, open a dialog or request /xss-canary if its
 * markup ever reached a page.
 */
const PAYLOADS = [
	'<SCRIPT SRC=/xss-canary?1></SCRIPT>',
	'<ScRiPt>window.__xss=2</sCrIpT>',
	'<IMG SRC="javascript:alert(\'XSS 3\');">',
	'<IMG SRC=JaVaScRiPt:alert(\'XSS\')>',
	'<IMG SRC=`javascript:alert("RSnake says, \'XSS\'")`>',
	'<a onmouseover="alert(document.cookie)">xxs link</a>',
	'<IMG """><SCRIPT>alert("XSS")</SCRIPT>"\\>',
	'<IMG SRC=/ onerror="alert(String.fromCharCode(88,83,83))"></img>',
	'<img src=x onerror="&#0000106&#0000097&#0000118&#0000097&#0000115' +
		'&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058&#0000097' +
		'&#0000108&#0000101&#0000114&#0000116&#0000040&#0000039&#0000088' +
		'&#0000083&#0000083&#0000039&#0000041">',
	'<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;' +
		'&#58;&#97;&#108;&#101;&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;' +
		'&#41;>',
	'<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A' +
		'&#x61&#x6C&#x65&#x72&#x74&#x28&#x27&#x58&#x53&#x53&#x27&#x29>',
	/* A real tab: stored as a space. */
	'<IMG SRC="jav\tascript:alert(\'XSS\');">',
	'<IMG SRC="jav&#x0A;ascript:alert(\'XSS\');">',
	'<IMG SRC=" &#14;  javascript:alert(\'XSS\');">',
	'<SCRIPT/XSS SRC="/xss-canary?15"></SCRIPT>',
	'<BODY onload!#$%&()*~+-_.,:;?@[/|\\]^`=alert("XSS")>',
	'<<SCRIPT>alert("XSS");//\\<</SCRIPT>',
	'<SCRIPT SRC=/xss-canary?18?< B >',
	'</TITLE><SCRIPT>alert("XSS");</SCRIPT>',
	'<INPUT TYPE="IMAGE" SRC="javascript:alert(\'XSS\');">',
	'<BODY BACKGROUND="javascript:alert(\'XSS\')">',
	'<svg/onload=alert(\'XSS\')>',
	'<BODY ONLOAD=alert(\'XSS\')>',
	'<details open ontoggle=window.__xss=24>',
	'<math><mtext><table><mglyph><style><img src=x onerror=window.__xss=25>',
	'<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">' +
		'bấm vào</a>',
	'"\'><img src=x onerror=window.__xss=27>',
	'<DIV STYLE="width: expression(alert(\'XSS\'));background:' +
		'url(/xss-canary?28)">',
	'<STYLE>@import\'/xss-canary?29\';</STYLE>',
	'<META HTTP-EQUIV="refresh" CONTENT="0;url=javascript:alert(\'XSS\');">',
	/* UTF-7. */
	'+ADw-script+AD4-alert(31)+ADw-/script+AD4-',
	/* Zero-width space, joiner and word joiner are kept ... */
	'<scr\u200bipt>window.__xss=32</scr\u200dipt>\u2060',
	/* ... a right-to-left override and a BOM are removed. */
	'\u202e<img src=x onerror=alert(33)>\ufeff',
	'<iframe srcdoc="<script>parent.__xss=34</script>">',
	'<object data="javascript:alert(35)"></object>' +
		'<embed src=javascript:alert(35)>',
	'<LINK REL="stylesheet" HREF="/xss-canary?36">',
	'<BASE HREF="javascript:alert(\'XSS\');//">',
	'<noscript><p title="</noscript><img src=x onerror=window.__xss=38>">',
	'javascript:/*--></title></style></textarea></script></xmp><svg/onload=' +
		'\'+/"/+/onmouseover=1/+/[*/[]/+alert(39)//\'>',
	'<img src=x:alert(alt) onerror=eval(src) alt=40>',
	'%3Cscript%3Ealert(41)%3C/script%3E \\u003cscript\\u003ealert(41)' +
		'\\u003c/script\\u003e',
	'<!--<img src="--><img src=x onerror=window.__xss=42//">',
	'＜script＞alert(43)＜/script＞',
	'<a href="jav&#x61;script:window.__xss=44">Lâm Đồng</a>',
	'{{constructor.constructor(\'window.__xss=45\')()}} ${alert(45)} ' +
		'<%= 7*7 %>',
	'<form><button formaction=javascript:alert(46)>X</button></form>',
	'</textarea><script>alert(47)</script>',
	'&lt;b&gt;đã mã hoá&lt;/b&gt; &amp; <b>đậm</b> &#60;i&#62;',
];

/*
 * What the daemon stores for what was sent (docs/api.md, text.h): NFC,
 * CR LF and tabs made plain, controls and bidi marks removed, lines and
 * the whole trimmed, one blank line at most.
 */
const REMOVED = new RegExp('[\\u0000-\\u0009\\u000b-\\u001f\\u007f-\\u009f' +
	'\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069\\ufeff]', 'g');

function norm(s, multiline = false) {
	s = s.normalize('NFC').replace(/\r\n?/g, '\n').replace(/\t/g, ' ');
	if (!multiline)
		s = s.replace(/\n/g, ' ');
	s = s.replace(REMOVED, '');
	s = s.split('\n').map((l) => l.replace(/^ +| +$/g, '')).join('\n');
	return s.replace(/\n{3,}/g, '\n\n').replace(/^\n+|[ \n]+$/g, '')
		.normalize('NFC');
}

const cut = (s, n) => Array.from(s).slice(0, n).join('');
const hex = (s) => Buffer.from(s, 'utf8').toString('hex').toUpperCase();
const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;')
	.replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/* What the tests share, filled in by the first one. */
const markA = 'xsa' + RUN, markT = 'xst' + RUN, markS = 'xsq' + RUN;
/* Article A carries all the payload comments; its key and title are
 * hostile too. */
const A = {
	key: `xss-"><img src=x onerror=alert('key')>-${RUN}`,
	title: `Đà Lạt "><svg onload=alert('title')> 100% — ${RUN}`,
	url: `${BASE}/tin/"><img src=/xss-canary?url onerror=alert(1)>?a=1&b='2'`,
};
/* Article S: SQL metacharacters everywhere. */
const S = {
	key: `sql'; DROP TABLE comment; -- " OR 1=1 -- 100% _x_ \\ \\' ` +
		`a&b=c+d#e ${RUN}`,
	title: `Giá tăng 100% _đúng_ \\ 'Trích' "dẫn"; DROP TABLE article; -- ${RUN}`,
	url: `${BASE}/bai?id=1' OR '1'='1&q=%27%22%5C`,
};
const state = { A: [], T: [], S: [] };

/*
 * The host pages (path -> HTML), served without any CSP on the second
 * origin by a real server: Chromium lets only a page that really came
 * from a loopback address talk to the loopback daemon.
 */
const hostPages = {};
let browser, server;
before(async () => {
	browser = await launch();
	server = http.createServer((req, res) => {
		const page = hostPages[req.url];
		if (page === undefined) {
			res.writeHead(req.url === '/favicon.ico' ? 204 : 404).end();
			return;
		}
		res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
		res.end(page);
	});
	await new Promise((ok) => server.listen(Number(new URL(HOST).port),
		'127.0.0.1', ok));
});
after(async () => {
	await browser?.close();
	server?.close();
});

/* `bandocd user add NAME --role ROLE -c CONFIG`, the password on stdin. */
function userAdd(name, role, password) {
	execFileSync(path.join(BUILD, 'bandocd'), ['user', 'add', name,
		'--role', role, '-c', CONFIG], { input: password + '\n',
		encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], timeout: 10000 });
}

/* One row per comment of the database, hex-encoded (exact bytes). */
function dbRows(ids) {
	const out = sql('SELECT c.id, hex(c.name), hex(c.email), hex(c.body), ' +
		'hex(a.key), hex(a.title), hex(a.url) FROM comment c JOIN article a ' +
		`ON a.id = c.article_id WHERE c.id IN (${ids.join(',')})`);
	const rows = {};
	for (const line of out.split('\n')) {
		const [id, name, email, body, key, title, url] = line.split('|');
		rows[id] = { name, email, body, key, title, url };
	}
	return rows;
}

/*
 * A context whose pages are watched: dialogs, page errors, console
 * errors, requests to the canary, new windows. The daemon's CSP is
 * bypassed so that escaping alone is tested.
 */
async function hostileContext() {
	const ctx = await readerContext(browser, { bypassCSP: true });
	const g = { canary: [], popups: 0 };
	/* The canary is a path (the test's own URLs carry the payloads in
	 * their query). */
	const canary = (u) => /xss-canary/.test(new URL(u).pathname) ||
		/xss\.invalid/.test(new URL(u).hostname);
	ctx.on('request', (r) => {
		if (canary(r.url()))
			g.canary.push(r.url());
	});
	await ctx.route((u) => canary(u.href), (route) =>
		route.fulfill({ status: 204 }));
	const page = await ctx.newPage();
	ctx.on('page', () => { g.popups++; });
	g.w = watch(page);
	return { ctx, page, g };
}

/* The console errors a test provokes on purpose (a refused request). */
function unexpected(w) {
	return w.errors.filter((e) => !/Failed to load resource: the server (?:.*) status of 4(01|03)/.test(e));
}

/*
 * Elements and attributes of the payloads inside the roots: tags that
 * no bandoc screen draws there, on* handlers, inline styles, script
 * URLs. `allow` matches the legitimate controls of a screen.
 */
async function injected(page, roots, allow = '') {
	return page.evaluate(([sel, ok]) => {
		const BAD = new RegExp('^(' + ['script', 'img', 'svg', 'iframe',
			'style', 'math', 'object', 'embed', 'meta', 'link', 'base',
			'table', 'form', 'noscript', 'x', 'mglyph', 'mtext', 'frame',
			'frameset', 'marquee', 'video', 'audio', 'source', 'isindex',
			'body', 'title', 'textarea', 'xmp', 'input', 'image', 'details',
			'b', 'i', 'a'].join('|') + ')$', 'i');
		const URL_ATTR = /^(href|src|action|formaction|data|background|srcdoc|poster)$/i;
		const out = [];
		for (const root of document.querySelectorAll(sel))
			for (const e of root.querySelectorAll('*')) {
				if (ok && e.matches(ok))
					continue;
				if (BAD.test(e.localName))
					out.push(e.outerHTML.slice(0, 100));
				for (const a of e.attributes)
					if (/^on/i.test(a.name) || a.name === 'style' ||
					    (URL_ATTR.test(a.name) &&
					     /^\s*(javascript|data|vbscript):/i.test(a.value)))
						out.push(e.localName + ' ' + a.name + '=' + a.value);
			}
		return out;
	}, [roots, allow]);
}

/* Fails on anything that ran or loaded. */
async function assertClean(page, g, where, url) {
	/* Let whatever could run, run. */
	await page.waitForTimeout(400);
	for (const f of page.frames()) {
		const v = await f.evaluate(() => window.__xss).catch(() => undefined);
		assert.equal(v, undefined, `${where}: window.__xss set in ${f.url()}`);
	}
	assert.equal(page.frames().length, 1, `${where}: a frame was injected`);
	assert.deepEqual(g.w.dialogs, [], `${where}: a dialog opened`);
	assert.deepEqual(unexpected(g.w), [], `${where}: page errors`);
	assert.deepEqual(g.canary, [], `${where}: markup loaded the canary`);
	assert.equal(g.popups, 0, `${where}: a window opened`);
	if (url)
		assert.equal(new URL(page.url()).href, new URL(url).href,
			`${where}: navigated away`);
}

/* Long unbroken payloads wrap: nothing is cut off at the side. */
async function assertNoSideScroll(page, where) {
	assert.ok(await page.evaluate(() =>
		document.documentElement.scrollWidth <= window.innerWidth + 1),
	`${where}: the text runs off the side of the page`);
}

/* The payload comments of article A as drawn in the list under root:
 * {id: {name, body}} from elements whose id ends in c<ID>. */
async function drawn(page, root) {
	return page.evaluate((r) => {
		const out = {};
		for (const li of document.querySelectorAll(r + ' .bandoc-comment')) {
			const id = /c(\d+)$/.exec(li.id)?.[1];
			out[id] = {
				name: li.querySelector('.bandoc-name').textContent,
				body: li.querySelector('.bandoc-body').textContent,
			};
		}
		return out;
	}, root);
}

function assertDrawn(got, where) {
	assert.equal(Object.keys(got).length, state.A.length,
		`${where}: every payload comment is listed`);
	for (const c of state.A) {
		assert.ok(got[c.id], `${where}: comment ${c.id} is listed`);
		assert.equal(got[c.id].name, c.want.name, `${where}: name of ${c.id}`);
		assert.equal(got[c.id].body, c.want.body, `${where}: body of ${c.id}`);
	}
}

/* ------------------------------------------------------------------ */

test('hostile names, bodies, titles and keys are stored byte for byte',
	{ skip: SKIP }, async () => {
	const ctx = await readerContext(browser);
	const page = await ctx.newPage();
	/* A page of the daemon's origin to post from (as the widget does). */
	await page.goto(BASE + '/healthz');
	const send = async (list, f, multiline = true) => {
		const r = await postComment(page, { site: 'lamdong', email: '', ...f });
		assert.equal(r.status, 202, JSON.stringify(r.body) + ' for ' + f.name);
		assert.equal(r.body.status, 'pending');
		list.push({ id: r.body.id, sent: f, want: {
			name: norm(f.name), email: norm(f.email ?? ''),
			body: norm(f.body, multiline), key: f.article,
			title: norm(f.article_title ?? ''), url: norm(f.article_url ?? '') } });
	};

	for (const [i, p] of PAYLOADS.entries()) {
		/* Names are cut to their 80 characters; bodies carry the payload
		 * twice, CR LF line ends on odd rows and Vietnamese typed
		 * decomposed (NFD), which is stored composed. */
		const nl = i % 2 ? '\r\n' : '\n';
		await send(state.A, { article: A.key, article_title: A.title,
			article_url: A.url, name: cut(`Độc giả ${i}: ${p}`, 80),
			body: [`Ý kiến số ${i} về Đà Lạt: ${p}`,
				`Dòng hai — ${'Hồ Xuân Hương, Lâm Đồng'.normalize('NFD')}: ${p}`,
				'', `Đoạn mới ${markA}`].join(nl) });
		/* One article per payload title (an article has one title,
		 * cut at 300 bytes: these stay under it). */
		assert.ok(Buffer.byteLength(`Tin ${i} — ${p} — Đà Lạt mùa hoa`) <= 300);
		await send(state.T, { article: `xss-t${i}-${RUN}`,
			article_title: `Tin ${i} — ${p} — Đà Lạt mùa hoa`,
			article_url: `${BASE}/tin/${i}?p=${p}`,
			name: cut(`Bạn đọc ${i} ${p}`, 80),
			body: `Tiêu đề có mã độc số ${i}: ${p} (${markT})` }, false);
	}
	await send(state.S, { article: S.key, article_title: S.title,
		article_url: S.url, name: 'O\'Brien "Ngô"; DROP TABLE comment; --',
		email: 'o\'brien%_x+1=1\'--@example.vn',
		body: ['\' OR \'1\'=\'1\' --',
			'"; DELETE FROM article WHERE \'\' = \'\'; --',
			'Robert\'); DROP TABLE comment;--',
			'\' UNION SELECT name, hash FROM user --',
			'LIKE \'%_%\' ESCAPE \'\\\' 100% _ \\\\ \\\' \\" \\n \\0',
			'$1 ?1 :name @p /* chú thích */ `backtick` 0x27 CHAR(39) %s %n',
			`100%_${RUN}_\\ ${markS}`].join('\n') });
	await send(state.S, { article: S.key, article_title: S.title,
		article_url: S.url, name: '%_%\\\'; --', body: `%\n_\n\\\n'\n"\n${markS}` });

	/* A NUL byte is refused, not cut or stored. */
	const nul = await postComment(page, { site: 'lamdong', article: A.key,
		name: 'Tên có NUL\u0000<script>', email: '',
		body: `Nội dung\u0000 ${markA}nul` });
	assert.equal(nul.status, 400, JSON.stringify(nul.body));
	assert.equal(sql(`SELECT count(*) FROM comment WHERE body LIKE '%${markA}nul%'`), '0');
	await ctx.close();

	/* The database holds exactly what was meant, byte for byte. */
	const all = [...state.A, ...state.T, ...state.S];
	const rows = dbRows(all.map((c) => c.id));
	for (const c of all) {
		const r = rows[c.id];
		assert.ok(r, 'comment ' + c.id + ' is stored');
		for (const k of ['name', 'email', 'body', 'key', 'title', 'url'])
			assert.equal(r[k], hex(c.want[k]), `${k} of ${c.id}: ` +
				JSON.stringify(c.want[k]));
	}
	/* The spot checks of the normalisation above. */
	assert.equal(state.A[11].want.name, 'Độc giả 11: <IMG SRC="jav ascript:alert(\'XSS\');">');
	assert.equal(state.A[32].want.name, 'Độc giả 32: <img src=x onerror=alert(33)>');
	assert.match(state.A[31].want.name, /\u200b.*\u200d.*\u2060$/);
	assert.ok(state.A.every((c) => c.want.body.includes('Hồ Xuân Hương, Lâm Đồng')));
	/* And the tables are all there. */
	assert.equal(sql('SELECT count(*) FROM sqlite_master WHERE type = ' +
		'\'table\' AND name IN (\'comment\', \'article\')'), '2');
});

test('the moderation screen shows the pending payloads as text',
	{ skip: SKIP }, async (t) => {
	assert.ok(state.A.length, 'the comments were posted');
	const me = await fetch(BASE + '/admin/api/me');
	if (me.status === 404)
		return t.skip('the daemon has no admin API');
	const user = 'xss' + RUN;
	const password = 'Mật khẩu ' + rnd() + ' dài đủ 16';
	userAdd(user, 'moderator', password);

	const { ctx, page, g } = await hostileContext();
	await page.goto(BASE + '/admin');
	await page.getByLabel('Tên đăng nhập').fill(user);
	await page.getByLabel('Mật khẩu').fill(password);
	await page.getByRole('button', { name: 'Đăng nhập' }).click();
	await page.locator('.ba-user-name', { hasText: user }).waitFor();

	/* One view of the queue (pending, oldest first) per filter. */
	const view = async (params, list) => {
		const hash = '#/comments?' + new URLSearchParams({ status: 'pending',
			...params });
		await page.evaluate((h) => { location.hash = h; }, hash);
		await page.waitForFunction((ids) =>
			document.querySelectorAll('.ba-item').length === ids.length &&
			ids.every((id) => document.querySelector(`.ba-item[data-id="${id}"]`)),
		list.map((c) => c.id));
		const rows = await page.evaluate(() => [...document
			.querySelectorAll('.ba-item')].map((r) => ({
			id: Number(r.dataset.id),
			name: r.querySelector('.ba-name').textContent,
			email: r.querySelector('.ba-email')?.textContent ?? '',
			body: r.querySelector('.ba-body').textContent,
			title: r.querySelector('.ba-article').textContent,
			href: r.querySelector('.ba-article').getAttribute('href'),
		})));
		for (const c of list) {
			const r = rows.find((x) => x.id === c.id);
			const where = `admin ${JSON.stringify(params)} #${c.id}`;
			assert.equal(r.name, c.want.name, where + ' name');
			assert.equal(r.email, c.want.email, where + ' email');
			assert.equal(r.body, c.want.body, where + ' body');
			assert.equal(r.title, c.want.title, where + ' title');
			assert.equal(r.href, c.want.url, where + ' link');
		}
		assert.deepEqual(await injected(page, '.ba-list',
			'input.ba-check, a.ba-article, details.ba-history'), [],
		'admin: payload markup in the DOM');
		await assertClean(page, g, 'admin ' + JSON.stringify(params));
		await assertNoSideScroll(page, 'admin');
	};
	await view({ q: markA }, state.A);
	await page.locator('.ba-item').first().scrollIntoViewIfNeeded();
	await shot(page, 'xss-admin-bodies');
	await view({ q: markT }, state.T);
	await shot(page, 'xss-admin-titles');
	/* The article filter with SQL metacharacters in the key. */
	await view({ article: S.key }, state.S);
	await shot(page, 'xss-admin-sql');
	assert.ok(await page.getByText(S.title).first().isVisible());

	/* The admin API: key, title and address unchanged; the search is
	 * literal (% and _ are not wildcards). */
	const api = (q) => page.evaluate(async (qs) =>
		(await (await fetch('/admin/api/comments?' + qs)).json()).comments, q);
	const bykey = await api(new URLSearchParams({ status: 'pending',
		article: S.key }).toString());
	assert.deepEqual(bykey.map((c) => c.id).sort(), state.S.map((c) => c.id).sort());
	for (const c of bykey) {
		const want = state.S.find((x) => x.id === c.id).want;
		assert.equal(c.article, want.key);
		assert.equal(c.article_title, want.title);
		assert.equal(c.article_url, want.url);
		assert.equal(c.name, want.name);
		assert.equal(c.email, want.email);
		assert.equal(c.body, want.body);
	}
	const found = await api(new URLSearchParams({ q: `%_${RUN}_\\` }).toString());
	assert.deepEqual(found.map((c) => c.id), [state.S[0].id]);
	for (const c of await api('q=' + encodeURIComponent('%') + '&limit=200'))
		assert.ok((c.name + c.email + c.body).includes('%'),
			`q=% matched comment ${c.id} that has no %`);
	await ctx.close();
});

test('approved: the public list API returns every byte unchanged',
	{ skip: SKIP }, async () => {
	assert.ok(state.A.length, 'the comments were posted');
	const list = async (key) => (await (await fetch(`${BASE}/api/v1/comments` +
		`?site=lamdong&article=${encodeURIComponent(key)}&per_page=100`)).json());
	/* Read once while pending (and cached by the daemon) ... */
	assert.equal((await list(A.key)).total, 0);
	/* ... then published the way an operator would, outside the daemon. */
	const ids = [...state.A, ...state.T, ...state.S].map((c) => c.id);
	sql(`UPDATE comment SET status = 1 WHERE id IN (${ids.join(',')})`);
	for (const [key, want] of [[A.key, state.A], [S.key, state.S]]) {
		const l = await list(key);
		assert.equal(l.total, want.length, 'the list of ' + key);
		for (const c of want) {
			const got = l.comments.find((x) => x.id === c.id);
			assert.ok(got, `comment ${c.id} is published`);
			assert.equal(got.name, c.want.name);
			assert.equal(got.body, c.want.body);
			assert.equal(got.email, undefined, 'no e-mail in public');
		}
	}
});

test('the widget draws the payloads as text on a page without CSP',
	{ skip: SKIP }, async () => {
	assert.ok(state.A.length, 'the comments were posted');
	const { ctx, page, g } = await hostileContext();
	const url = HOST + '/xss/widget.html';
	hostPages['/xss/widget.html'] = '<!doctype html><html lang="vi"><head>' +
		`<meta charset="utf-8"><title>${esc(A.title)}</title></head><body>` +
		`<h1>${esc(A.title)}</h1><p>Bài viết.</p>` +
		'<div data-bandoc-comments data-site="lamdong" ' +
		`data-article="${esc(A.key)}" data-lang="vi" ` +
		`data-title="${esc(A.title)}"></div>` +
		`<script src="${BASE}/embed.js" async></script></body></html>`;
	await page.goto(url);
	await page.waitForFunction((n) => document.querySelectorAll(
		'.bandoc-list > .bandoc-comment').length === n, state.A.length,
	{ timeout: 10000 }).catch((e) => {
		throw new Error(e.message + ' ' + JSON.stringify(g.w));
	});
	assertDrawn(await drawn(page, '.bandoc-list'), 'widget');
	const labels = await page.locator('.bandoc-reply-button')
		.evaluateAll((bs) => bs.map((b) => b.getAttribute('aria-label')));
	assert.deepEqual(labels, state.A.map((c) => 'Trả lời ' + c.want.name));
	assert.deepEqual(await injected(page, '.bandoc-list'), [],
		'widget: payload markup in the DOM');
	await assertClean(page, g, 'widget', url);
	await assertNoSideScroll(page, 'widget');
	/* Visible, not only in the DOM. */
	const first = page.getByText(state.A[1].want.name, { exact: true });
	assert.ok(await first.isVisible());
	await page.locator('.bandoc-list > .bandoc-comment').nth(20)
		.scrollIntoViewIfNeeded();
	await shot(page, 'xss-widget');
	await ctx.close();
});

test('the no-JS page shows the payloads and keeps them in its form',
	{ skip: SKIP }, async () => {
	assert.ok(state.A.length, 'the comments were posted');
	const { ctx, page, g } = await hostileContext();
	const title = PAYLOADS[26] + ' Tiêu đề';
	const url = `${BASE}/embed/comments?site=lamdong&lang=vi&article=` +
		encodeURIComponent(A.key) + '&title=' + encodeURIComponent(title) +
		'&url=' + encodeURIComponent(A.url);
	const resp = await page.goto(url);
	assert.equal(resp.status(), 200);
	assertDrawn(await drawn(page, '.bandoc-list'), 'no-JS page');
	assert.equal(await page.locator('input[name="article"]').inputValue(), A.key);
	assert.equal(await page.locator('input[name="article_title"]')
		.inputValue(), title);
	assert.deepEqual(await injected(page, '.bandoc-list'), [],
		'no-JS page: payload markup in the DOM');
	await assertClean(page, g, 'no-JS page', url);
	await assertNoSideScroll(page, 'no-JS page');
	await page.locator('.bandoc-list > .bandoc-comment').nth(5)
		.scrollIntoViewIfNeeded();
	await shot(page, 'xss-nojs');

	/* A wrong code: the page again, the typed text kept verbatim. */
	const name = cut('Độc giả ' + PAYLOADS[46] + PAYLOADS[26], 80);
	const body = PAYLOADS[46] + '\n' + PAYLOADS[33] + '\nLâm Đồng';
	await page.locator('input[name="name"]').fill(name);
	await page.locator('textarea[name="body"]').fill(body);
	await page.locator('input[name="captcha_answer"]').fill('QQQQQQ');
	await Promise.all([
		page.waitForNavigation(),
		page.locator('form.bandoc-form').getByRole('button',
			{ name: 'Gửi', exact: true }).click(),
	]);
	assert.equal(await page.locator('input[name="name"]').inputValue(), name);
	assert.equal(await page.locator('textarea[name="body"]').inputValue(), body);
	assert.equal(await page.locator('input[name="article_title"]')
		.inputValue(), title);
	assert.equal(await page.locator('input[name="article"]').inputValue(), A.key);
	assert.ok(await page.locator('.bandoc-status-error').isVisible());
	assert.deepEqual(await injected(page, '.bandoc',
		'form, input, textarea, img.bandoc-captcha-img'), [],
	'no-JS form: payload markup in the DOM');
	await assertClean(page, g, 'no-JS form');
	await ctx.close();
});

test('the SSR fragment is text, alone and included in a page without CSP',
	{ skip: SKIP }, async () => {
	assert.ok(state.A.length, 'the comments were posted');
	const url = `${BASE}/embed/comments.html?site=lamdong&lang=vi&article=` +
		encodeURIComponent(A.key);
	const { ctx, page, g } = await hostileContext();

	/* Alone, as a search engine or a curious reader sees it. */
	const resp = await page.goto(url);
	assert.equal(resp.status(), 200);
	assert.match(resp.headers()['content-type'], /^text\/html/);
	assertDrawn(await drawn(page, '.bandoc-list'), 'fragment');
	assert.deepEqual(await injected(page, 'body'), [],
		'fragment: payload markup in the DOM');
	await assertClean(page, g, 'fragment', url);

	/* Included by the host's server (SSI), in a page with no CSP. */
	const html = await (await fetch(url)).text();
	const host = HOST + '/xss/ssi.html';
	hostPages['/xss/ssi.html'] = '<!doctype html><html lang="vi"><head>' +
		'<meta charset="utf-8"><title>SSI</title></head><body><main>' +
		`<h1>${esc(A.title)}</h1><section id="ssi">${html}</section>` +
		'<p id="after">Hết phần góp ý.</p></main></body></html>';
	await page.goto(host);
	assertDrawn(await drawn(page, '#ssi'), 'SSI page');
	/* The fragment closes what it opens: the host's page goes on. */
	assert.equal(await page.locator('main > #after').count(), 1);
	assert.deepEqual(await injected(page, 'body'), [],
		'SSI page: payload markup in the DOM');
	await assertClean(page, g, 'SSI page', host);
	assert.ok(await page.getByText(state.A[0].want.body.split('\n')[0])
		.isVisible());
	await shot(page, 'xss-ssi');
	await ctx.close();
});
