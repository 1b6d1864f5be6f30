/*
 * bandoc embed: the view counter and the reader comments under an article.
 *
 *   <script src="https://BANDOC/embed.js" async></script>
 *   <span data-bandoc-views data-site="S" data-article="A"></span>
 *   <div data-bandoc-comments data-site="S" data-article="A"></div>
 *
 * No dependencies. Text reaches the page only through textContent and
 * attributes (never innerHTML), and nothing inline is written, so the
 * script runs under a strict Content-Security-Policy. See docs/widget.md.
 */
(function () {
	'use strict';

	var d = document;
	/* Loaded as /embed.js or as /embed.HASH.js (docs/widget.md). */
	var me = d.currentScript || [].slice.call(d.querySelectorAll('script[src]'))
		.filter(function (s) { return /\/embed(\.[0-9a-f]+)?\.js([?#]|$)/.test(s.src); })[0];
	var ORIGIN = me ? new URL(me.src, location.href).origin : location.origin;
	/* The build names the current files here (hashed, cached for a
	 * year: cmake/embedgen.c rewrites these two literals). */
	var POW_JS = ORIGIN + '/static/pow.js';
	var CSS = ORIGIN + '/static/embed.css';
	var seq = 0;
	var views = {};

	/* Every string of the widget, in both languages. */
	var T = {
		vi: {
			num: 'vi-VN',
			date: {hour: '2-digit', minute: '2-digit', day: '2-digit',
				month: '2-digit', year: 'numeric'},
			heading: 'Góp ý của bạn đọc',
			count: function (n) { return n + ' góp ý'; },
			empty: 'Chưa có góp ý nào.',
			reply: 'Trả lời',
			cancel: 'Hủy trả lời',
			editors: 'Ban biên tập trả lời',
			more: 'Xem thêm',
			formTitle: 'Gửi góp ý',
			name: 'Họ tên',
			email: 'Email',
			emailHint: 'Không hiển thị công khai.',
			body: 'Nội dung',
			alt: 'Mã xác nhận: nhập các ký tự trong hình',
			help: 'Nhập mã ở hình trên vào ô dưới đây',
			helpAudio: 'Nhập các chữ số bạn nghe được vào ô dưới đây',
			refresh: 'Đổi mã khác',
			audio: 'Nghe mã bằng âm thanh',
			image: 'Dùng mã hình ảnh',
			loading: 'Đang tải mã xác nhận…',
			send: 'Gửi',
			sending: 'Đang gửi…',
			hp: 'Không điền vào ô này',
			need: 'Vui lòng nhập ô này.',
			badEmail: 'Địa chỉ email không hợp lệ.',
			check: 'Vui lòng kiểm tra lại các ô được đánh dấu.',
			wait: 'Mã xác nhận đang được tải, vui lòng thử lại sau giây lát.',
			net: 'Không kết nối được máy chủ. Vui lòng thử lại.',
			listFail: 'Không tải được các góp ý.',
			capFail: 'Không tải được mã xác nhận.'
		},
		en: {
			num: 'en-US',
			date: {dateStyle: 'medium', timeStyle: 'short'},
			heading: 'Readers\' comments',
			count: function (n, one) { return n + (one ? ' comment' : ' comments'); },
			empty: 'No comments yet.',
			reply: 'Reply',
			cancel: 'Cancel reply',
			editors: 'Editors\' reply',
			more: 'More',
			formTitle: 'Post a comment',
			name: 'Name',
			email: 'Email',
			emailHint: 'Never shown.',
			body: 'Comment',
			alt: 'Verification code: type the characters in the picture',
			help: 'Enter the code shown above in the box below.',
			helpAudio: 'Type the digits you hear in the box below.',
			refresh: 'New code',
			audio: 'Listen to an audio code',
			image: 'Use a picture code',
			loading: 'Loading the code…',
			send: 'Send',
			sending: 'Sending…',
			hp: 'Leave this empty',
			need: 'Please fill in this field.',
			badEmail: 'This e-mail address is not valid.',
			check: 'Please check the marked fields.',
			wait: 'The code is still loading; please try again in a moment.',
			net: 'Could not reach the server. Please try again.',
			listFail: 'The comments could not be loaded.',
			capFail: 'The code could not be loaded.'
		}
	};

	function langOf(el) {
		var l = el.getAttribute('data-lang') || d.documentElement.lang || 'vi';
		return /^en/i.test(l) ? 'en' : 'vi';
	}

	/* Makes an element: props are attributes except text (textContent),
	 * class and on* (listeners); kids are nodes or strings (text), and
	 * null or false, which are skipped. A deliberate copy of h() in
	 * admin.js: keep the two the same (why, and the test: there). */
	function h(tag, props, kids) {
		var e = d.createElement(tag), k, v;

		for (k in props || {}) {
			v = props[k];
			if (v == null || v === false)
				continue;
			if (k === 'text')
				e.textContent = v;
			else if (k === 'class')
				e.className = v;
			else if (k.slice(0, 2) === 'on')
				e.addEventListener(k.slice(2), v);
			else
				e.setAttribute(k, v === true ? '' : v);
		}
		(kids || []).forEach(function (c) {
			if (c != null && c !== false)
				e.append(c);
		});
		return e;
	}

	/* Text with http(s) links: buf_add_html_linked()'s rules (buf.h). */
	function linked(s) {
		var out = [], at = 0, m, u, c, o,
			re = /(^|[^A-Za-z0-9])(https?:\/\/[!#-&(-;=?-\[\]_a-z~]*)/gi;

		while ((m = re.exec(s))) {
			for (u = m[2]; /[.,;:!?)\]]$/.test(u); u = u.slice(0, -1)) {
				c = u.slice(-1);
				o = {')': '(', ']': '['}[c];
				if (o && u.split(o).length >= u.split(c).length)
					break;
			}
			c = u.split(/[/?#]/)[2];
			if (/^[A-Za-z0-9.:[\]-]+$/.test(c)) {
				o = m.index + m[1].length;
				out.push(s.slice(at, o), h('a', {href: u,
					rel: 'nofollow ugc noopener', target: '_blank',
					text: u[60] ? c + '/\u2026' : u}));
				at = o + u.length;
			}
		}
		out.push(s.slice(at));
		return out;
	}

	/* One request to the bandoc origin. Resolves to {status, data};
	 * status 0 when the network failed. */
	function call(path, form, cache) {
		var opt = {credentials: 'omit', headers: {Accept: 'application/json'},
			cache: cache || 'default'};

		if (form) {
			opt.method = 'POST';
			opt.body = new URLSearchParams(form);
		}
		return fetch(ORIGIN + path, opt).then(function (r) {
			return r.json().catch(function () { return null; })
				.then(function (data) { return {status: r.status, data: data}; });
		}, function () { return {status: 0, data: null}; });
	}

	/* The proof of work (ALTCHA v1), by POW_JS: in a Web Worker
	 * while the reader types, or on the page where a CSP forbids blob:
	 * workers. Resolves to the payload the server checks, or null. */
	var powJs;
	function powOnPage() {
		if (!powJs)
			powJs = new Promise(function (ok) {
				var s = h('script', {src: POW_JS});
				s.onload = s.onerror = ok;
				d.head.append(s);
			});
		return powJs;
	}
	function solve(p) {
		return new Promise(function (ok) {
			var w;

			function fin(n) {
				if (w)
					w.terminate();
				ok(n < 0 ? null : btoa(JSON.stringify({algorithm: p.algorithm,
					challenge: p.challenge, number: n, salt: p.salt,
					signature: p.signature})));
			}
			function here() {
				w = null;
				powOnPage().then(function () {
					if (window.bandocPow)
						window.bandocPow(p, fin);
					else
						fin(-1);
				});
			}
			try {
				w = new Worker(URL.createObjectURL(new Blob(['importScripts(' +
					JSON.stringify(POW_JS) + ')'], {type: 'text/javascript'})));
				w.onmessage = function (e) { fin(e.data); };
				w.onerror = function (e) {
					e.preventDefault();
					w.terminate();
					here();
				};
				w.postMessage(p);
			} catch (e) {
				here();
			}
		});
	}

	function errorOf(r, L) {
		var e = r.data && r.data.error;
		return e && typeof e === 'object' ? e : {message: r.status ? '' : L.net};
	}

	function fmtNum(L, n) {
		return new Intl.NumberFormat(L.num).format(n);
	}

	/* The stylesheet, once; resolves when it applies (or after 3 s), so
	 * that the honeypot is never drawn on screen. */
	var cssReady;
	function css() {
		var l;

		if (cssReady)
			return cssReady;
		/* The page's own link to it, by either name. */
		l = [].slice.call(d.querySelectorAll('link[rel~="stylesheet"]'))
			.filter(function (x) {
				return x.href === CSS || (x.href.indexOf(ORIGIN + '/') === 0 &&
					/\/static\/embed(\.[0-9a-f]+)?\.css$/.test(x.href));
			})[0];
		if (l && l.sheet)
			return (cssReady = Promise.resolve());
		if (!l)
			d.head.append(l = h('link', {rel: 'stylesheet', href: CSS}));
		cssReady = new Promise(function (ok) {
			l.addEventListener('load', ok);
			l.addEventListener('error', ok);
			setTimeout(ok, 3000);
		});
		return cssReady;
	}

	/* A. The view counter: one POST per article per page load. */
	function viewCounter(el) {
		var site = el.getAttribute('data-site') || '';
		var article = el.getAttribute('data-article') || '';
		var key = site + '\n' + article;
		var L = T[langOf(el)];

		if (!views[key])
			views[key] = call('/api/v1/views', {site: site, article: article,
				title: d.title, url: location.href});
		views[key].then(function (r) {
			if (r.status === 200 && r.data && typeof r.data.views === 'number')
				el.textContent = fmtNum(L, r.data.views);
		});
	}

	/* B. The comments: list, reply, form with CAPTCHA. */
	function comments(root) {
		var site = root.getAttribute('data-site') || '';
		var article = root.getAttribute('data-article') || '';
		var lang = langOf(root);
		var L = T[lang];
		var id = 'bandoc-' + (++seq);
		var page = 0, parent = null, busy = false;
		var cap = null, capSeq = 0, capKind = 'image', capTimer = 0;
		var stale = true, refused = false, inView = false;
		var fields = {}, errs = {};
		var prev = root.previousElementSibling;
		var hostHeading = !!prev && /^H[1-6]$/.test(prev.tagName);
		var dateFmt = new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : 'vi-VN', L.date);

		function fmtDate(s) {
			var t = new Date(s);
			return isNaN(t) ? String(s || '') : dateFmt.format(t);
		}

		function meta(name, at) {
			return h('div', {class: 'bandoc-meta'}, [
				h('span', {class: 'bandoc-name', text: name}), ' ',
				h('time', {class: 'bandoc-date', datetime: at, text: fmtDate(at)})
			]);
		}

		function drawComment(c, top) {
			var li = h('li', {class: 'bandoc-comment', id: id + '-c' + c.id,
				tabindex: '-1'}, [
				meta(c.name, c.created_at),
				h('div', {class: 'bandoc-body'}, linked(c.body))
			]);

			if (c.reply)
				li.append(h('div', {class: 'bandoc-reply'}, [
					h('p', {class: 'bandoc-reply-title', text: L.editors}),
					meta(c.reply.name, c.reply.created_at),
					h('div', {class: 'bandoc-body'}, linked(c.reply.body))
				]));
			if (!top)
				return li;
			li.append(h('button', {type: 'button',
				class: 'bandoc-button bandoc-reply-button', text: L.reply,
				'aria-label': L.reply + ' ' + c.name,
				onclick: function () { replyTo(c); }}));
			if (c.replies && c.replies.length)
				li.append(h('ol', {class: 'bandoc-replies'},
					c.replies.map(function (x) { return drawComment(x, false); })));
			return li;
		}

		/* --- the list --- */
		var count = h('p', {class: 'bandoc-count'});
		var list = h('ol', {class: 'bandoc-list', hidden: true});
		var empty = h('p', {class: 'bandoc-empty', hidden: true, text: L.empty});
		var listMsg = h('p', {class: 'bandoc-status', role: 'status', hidden: true});
		var more = h('button', {type: 'button', class: 'bandoc-button bandoc-more',
			hidden: true, text: L.more, onclick: function () { load(page + 1); }});

		/* fresh: revalidate (the list may be cached for a few seconds). */
		function load(p, fresh) {
			more.disabled = true;
			return call('/api/v1/comments?' + new URLSearchParams({site: site,
				article: article, page: p, per_page: 50}), null,
				fresh && 'no-cache').then(function (r) {
				var data = r.data, first = null, n;

				more.disabled = false;
				if (r.status !== 200 || !data || !Array.isArray(data.comments)) {
					listMsg.textContent = errorOf(r, L).message || L.listFail;
					listMsg.className = 'bandoc-status bandoc-status-error';
					listMsg.hidden = false;
					return;
				}
				listMsg.hidden = true;
				if (p === 1)
					list.textContent = '';
				page = data.page || p;
				data.comments.forEach(function (c) {
					var li = drawComment(c, true);
					first = first || li;
					list.append(li);
				});
				n = fmtNum(L, data.total || 0);
				/* The host's own heading may stand just before us. */
				count.textContent = hostHeading ? L.count(n, data.total === 1) :
					L.heading + ' (' + n + ')';
				list.hidden = !list.children.length;
				empty.hidden = !list.hidden;
				more.hidden = !(data.pages > page);
				if (p > 1 && first)
					first.focus();
			});
		}

		/* --- the form --- */
		function control(key, tag, props, label, hint) {
			var fid = id + '-' + key, desc = [];
			var el = h(tag, props);
			var kids = [h('label', {for: fid, text: label})];

			el.id = fid;
			el.name = key;
			if (hint) {
				kids.push(h('p', {class: 'bandoc-hint', id: fid + '-hint', text: hint}));
				desc.push(fid + '-hint');
			}
			kids.push(el);
			errs[key] = h('p', {class: 'bandoc-field-error', id: fid + '-err',
				hidden: true});
			desc.push(fid + '-err');
			kids.push(errs[key]);
			el.setAttribute('aria-describedby', desc.join(' '));
			fields[key] = el;
			return h('div', {class: 'bandoc-field bandoc-field-' + key}, kids);
		}

		var replying = h('p', {class: 'bandoc-replying', hidden: true});
		var nameF = control('name', 'input', {type: 'text', required: true,
			maxlength: 80, autocomplete: 'name'}, L.name);
		var emailF = control('email', 'input', {type: 'email', maxlength: 254,
			autocomplete: 'email'}, L.email, L.emailHint);
		var bodyF = control('body', 'textarea', {required: true, maxlength: 4000,
			rows: 5}, L.body);
		var code = h('input', {type: 'text', id: id + '-code',
			name: 'captcha_answer', required: true, autocomplete: 'off',
			autocapitalize: 'characters', spellcheck: 'false', maxlength: 16,
			'aria-describedby': id + '-code-err'});
		var token = h('input', {type: 'hidden', name: 'captcha_token'});
		var img = h('img', {class: 'bandoc-captcha-img', width: 220, height: 80,
			alt: L.alt, hidden: true});
		var audio = h('audio', {controls: true, preload: 'none',
			class: 'bandoc-captcha-audio', hidden: true});
		var wait = h('p', {class: 'bandoc-captcha-wait', text: L.loading});
		var help = h('label', {class: 'bandoc-captcha-help', for: code.id,
			text: L.help});
		var refresh = h('button', {type: 'button', class: 'bandoc-button bandoc-link',
			text: L.refresh, onclick: function () { newCaptcha(); }});
		var toggle = h('button', {type: 'button', class: 'bandoc-button bandoc-link',
			text: L.audio, onclick: function () {
				newCaptcha(capKind === 'image' ? 'audio' : 'image', true);
			}});
		var capErr = h('p', {class: 'bandoc-field-error', id: id + '-code-err',
			hidden: true});
		var hpId = id + '-website';
		var status = h('p', {class: 'bandoc-status', role: 'status',
			'aria-live': 'polite'});
		var send = h('button', {type: 'submit', class: 'bandoc-button bandoc-send',
			text: L.send});
		var capBox;
		var form = h('form', {class: 'bandoc-form', novalidate: true,
			'aria-label': L.formTitle}, [
			replying,
			h('div', {class: 'bandoc-row'}, [nameF, emailF]),
			bodyF,
			capBox = h('div', {class: 'bandoc-captcha'}, [
				h('div', {class: 'bandoc-captcha-row'}, [
					wait, img, audio,
					h('div', {class: 'bandoc-captcha-tools'}, [refresh, toggle])
				]),
				help, code, capErr, token
			]),
			h('div', {class: 'bandoc-hp', 'aria-hidden': 'true'}, [
				h('label', {for: hpId, text: L.hp}),
				h('input', {type: 'text', id: hpId, name: 'website',
					tabindex: '-1', autocomplete: 'off'})
			]),
			h('div', {class: 'bandoc-actions'}, [send]),
			status
		]);
		fields.captcha_answer = code;
		errs.captcha_answer = capErr;

		function say(msg, ok) {
			status.textContent = msg || '';
			status.className = 'bandoc-status' + (msg ? (ok ?
				' bandoc-status-ok' : ' bandoc-status-error') : '');
		}

		function setError(key, msg) {
			var f = fields[key], e = errs[key];

			if (!f)
				return false;
			e.textContent = msg || '';
			e.hidden = !msg;
			if (msg)
				f.setAttribute('aria-invalid', 'true');
			else
				f.removeAttribute('aria-invalid');
			return !!msg;
		}

		function clearErrors() {
			Object.keys(fields).forEach(function (k) { setError(k, ''); });
		}

		/* Shows per-field messages; focuses the first field in error in
		 * the form's order. Returns true when one was shown. */
		function showErrors(map, focusCode) {
			var first = null;

			['name', 'email', 'body', 'captcha_answer'].forEach(function (k) {
				if (map[k] && setError(k, map[k]))
					first = first || fields[k];
			});
			first = focusCode ? code : first;
			if (first)
				first.focus();
			return !!first;
		}

		function replyTo(c) {
			parent = c.id;
			replying.textContent = '';
			replying.append(L.reply + ' ', h('strong', {text: c.name}), ' ',
				h('button', {type: 'button', class: 'bandoc-button bandoc-cancel',
					'aria-label': L.cancel, title: L.cancel, text: '×',
					onclick: function () { cancelReply(); fields.body.focus(); }}));
			replying.hidden = false;
			fields.body.focus();
		}

		function cancelReply() {
			parent = null;
			replying.hidden = true;
			replying.textContent = '';
		}

		/* --- the CAPTCHA --- */
		function setKind(kind) {
			/* captcha_mode = invisible: nothing to see or type. */
			var none = kind === 'pow';

			capBox.hidden = none;
			code.required = !none;
			if (none)
				return;
			capKind = kind;
			help.textContent = kind === 'audio' ? L.helpAudio : L.help;
			toggle.textContent = kind === 'audio' ? L.image : L.audio;
			code.setAttribute('inputmode', kind === 'audio' ? 'numeric' : 'text');
		}

		function newCaptcha(kind, focusPlayer) {
			var my = ++capSeq;

			kind = kind || capKind;
			/* A code typed for the old challenge is of no use. */
			if (cap)
				code.value = '';
			cap = null;
			stale = refused = false;
			clearTimeout(capTimer);
			token.value = '';
			img.removeAttribute('data-token');
			refresh.disabled = toggle.disabled = true;
			return call('/api/v1/captcha', {site: site, article: article,
				kind: kind, lang: lang}).then(function (r) {
				var c = r.data;

				if (my !== capSeq)
					return;
				refresh.disabled = toggle.disabled = false;
				if (r.status !== 201 || !c || !c.token) {
					/* Keep the form; the reader asks again with "New
					 * code" or by sending (not on every focus). */
					refused = true;
					wait.textContent = errorOf(r, L).message || L.capFail;
					wait.hidden = false;
					img.hidden = audio.hidden = true;
					return;
				}
				cap = c;
				/* The work starts now, while the reader types. */
				c.solved = solve(c.pow);
				setKind(c.kind === 'pow' ? 'pow' : kind);
				token.value = c.token;
				wait.hidden = true;
				if (c.kind === 'pow') {
					img.hidden = audio.hidden = true;
				} else if (kind === 'audio') {
					img.hidden = true;
					audio.src = ORIGIN + c.audio;
					audio.setAttribute('data-token', c.token);
					audio.hidden = false;
					if (focusPlayer)
						audio.focus();
				} else {
					audio.hidden = true;
					audio.removeAttribute('src');
					img.srcset = ORIGIN + c.image + ' 1x, ' + ORIGIN + c.image_2x + ' 2x';
					img.src = ORIGIN + c.image;
					img.setAttribute('data-token', c.token);
					img.hidden = false;
				}
				/* Renew it before it expires if the form is in sight,
				 * otherwise the next time it comes into sight. */
				capTimer = setTimeout(function () {
					stale = true;
					if (inView && !d.hidden)
						newCaptcha();
				}, Math.max(30, (c.expires_in || 600) - 15) * 1000);
			});
		}

		/* A challenge is fetched only when the form is near the screen or
		 * used: most readers never comment, and each costs rate limit. */
		function wake() {
			if (stale && !refused)
				newCaptcha();
		}

		form.addEventListener('focusin', wake);
		if ('IntersectionObserver' in window)
			new IntersectionObserver(function (es) {
				inView = es[es.length - 1].isIntersecting;
				if (inView)
					wake();
			}, {rootMargin: '200px'}).observe(form);
		else {
			inView = true;
			wake();
		}

		form.addEventListener('submit', function (ev) {
			var local = {}, f = fields, body;

			ev.preventDefault();
			if (busy)
				return;
			clearErrors();
			if (!f.name.value.trim())
				local.name = L.need;
			if (f.email.value && f.email.validity && f.email.validity.typeMismatch)
				local.email = L.badEmail;
			if (!f.body.value.trim())
				local.body = L.need;
			if (code.required && !code.value.trim())
				local.captcha_answer = L.need;
			if (Object.keys(local).length) {
				say(L.check, false);
				showErrors(local);
				return;
			}
			if (!cap) {
				say(L.wait, false);
				if (refresh.disabled === false)
					newCaptcha();
				return;
			}
			body = {site: site, article: article,
				/* Metadata for the moderators: the server refuses a
				 * title over 75 characters, which the reader could not
				 * fix, so it is cut. */
				article_title: Array.from(root.getAttribute('data-title') ||
					d.title).slice(0, 75).join(''),
				article_url: root.getAttribute('data-url') || location.href,
				name: f.name.value, email: f.email.value, body: f.body.value,
				captcha_token: cap.token, captcha_answer: code.value.trim(),
				website: form.elements.website.value, lang: lang};
			if (parent)
				body.parent_id = parent;
			busy = true;
			send.disabled = true;
			send.textContent = L.sending;
			form.setAttribute('aria-busy', 'true');
			say('');
			cap.solved.then(function (pow) {
				body.altcha = pow || '';
				return call('/api/v1/comments', body);
			}).then(function (r) {
				var e, lost = d.activeElement === send || d.activeElement === d.body;

				busy = false;
				send.disabled = false;
				send.textContent = L.send;
				form.removeAttribute('aria-busy');
				if (r.status === 202 && r.data) {
					say(r.data.message, true);
					f.body.value = '';
					cancelReply();
					if (lost)
						send.focus();
					if (r.data.status === 'approved')
						load(1, true);
				} else {
					e = errorOf(r, L);
					/* Messages about fields the reader cannot see
					 * (article_url, parent_id...) join the general one. */
					say([e.message || L.net].concat(Object.keys(e.fields || {})
						.filter(function (k) { return !fields[k]; })
						.map(function (k) { return e.fields[k]; })).join(' '), false);
					if (!showErrors(e.fields || {}, /^captcha_/.test(e.code || '')) && lost)
						send.focus();
				}
				/* The server spends a challenge on every attempt. */
				newCaptcha();
			});
		});

		root.classList.add('bandoc');
		root.setAttribute('lang', lang);
		root.textContent = '';
		root.append(count, listMsg, list, empty, more, form);
		load(1);
	}

	function start() {
		[].forEach.call(d.querySelectorAll('[data-bandoc-views]'), function (el) {
			if (el.hasAttribute('data-bandoc-ready'))
				return;
			el.setAttribute('data-bandoc-ready', '');
			viewCounter(el);
		});
		[].forEach.call(d.querySelectorAll('[data-bandoc-comments]'), function (el) {
			if (el.hasAttribute('data-bandoc-ready'))
				return;
			el.setAttribute('data-bandoc-ready', '');
			css().then(function () { comments(el); });
		});
	}

	if (d.readyState === 'loading')
		d.addEventListener('DOMContentLoaded', start);
	else
		start();
	/* For pages that add widgets later (single-page sites); solve() is the
	 * proof of work, for tests and pages that own their forms. */
	window.bandoc = {scan: start, solve: solve};
})();
