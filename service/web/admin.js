/*
 * bandoc admin: the moderation screen served at /admin.
 *
 *   <div id="bandoc-admin" data-lang="vi"></div>
 *   <script src="/static/admin.js"></script>
 *
 * Views (in the URL fragment, so a reload keeps them): #/comments?status=
 * &site=&article=&q=&flag=&order= (the queue, default: pending, oldest
 * first), #/bans, #/audit and #/users (admins). No dependencies, no build
 * step. Every text reaches the page through textContent or attributes
 * (never innerHTML) and nothing inline is written, so it runs under the
 * page's strict Content-Security-Policy. See docs/admin-ui.md.
 */
(function () {
	'use strict';

	var d = document;
	var root = d.getElementById('bandoc-admin');
	if (!root)
		return;
	var lang = /^en/i.test(root.getAttribute('data-lang') || '') ? 'en' : 'vi';

	var STATUSES = ['pending', 'approved', 'rejected', 'spam', 'deleted'];
	var FLAGS = ['watched', 'links', 'banned', 'blocked', 'honeypot'];
	/* The status a comment has after each action. */
	var RESULT = {approve: 'approved', reject: 'rejected', spam: 'spam',
		delete: 'deleted', restore: 'pending'};
	/* Actions offered on a comment of each status, in button order. */
	var OFFER = {
		pending: ['approve', 'reject', 'spam', 'delete'],
		approved: ['reject', 'spam', 'delete'],
		rejected: ['approve', 'restore', 'spam', 'delete'],
		spam: ['approve', 'restore', 'delete'],
		deleted: ['restore']
	};
	var KEYS = {approve: 'a', reject: 'r', spam: 's', delete: 'd'};
	var PAGE = 50;
	var BULK_MAX = 500;
	var DURATIONS = [86400, 7 * 86400, 30 * 86400, null];

	/* Every string of the screen, in both languages. */
	var T = {
		vi: {
			locale: 'vi-VN',
			title: 'Kiểm duyệt',
			statusLabel: 'Trạng thái',
			loginTitle: 'Đăng nhập kiểm duyệt',
			username: 'Tên đăng nhập',
			password: 'Mật khẩu',
			login: 'Đăng nhập',
			loggingIn: 'Đang đăng nhập…',
			loginFailed: 'Tên đăng nhập hoặc mật khẩu không đúng.',
			tooMany: function (s) {
				return 'Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau ' +
					dur(s) + '.';
			},
			expired: 'Phiên làm việc đã hết. Vui lòng đăng nhập lại.',
			noAdmin: 'Máy chủ chưa có trang quản trị (mã %s).',
			retry: 'Thử lại',
			logout: 'Đăng xuất',
			other: 'English',
			otherLang: 'en',
			roles: {admin: 'quản trị', moderator: 'kiểm duyệt'},
			nav: {comments: 'Bình luận', bans: 'Danh sách chặn',
				audit: 'Nhật ký', users: 'Tài khoản'},
			pending: function (n) { return n + ' chờ duyệt'; },
			oldest: function (s) { return 'cũ nhất ' + dur(s); },
			today: function (n) { return 'nhận hôm nay: ' + n; },
			status: {pending: 'Chờ duyệt', approved: 'Đã duyệt',
				rejected: 'Đã từ chối', spam: 'Spam', deleted: 'Đã xoá'},
			flags: {watched: 'từ cần xem', links: 'có liên kết',
				banned: 'đã bị chặn', blocked: 'từ cấm', honeypot: 'bẫy bot'},
			site: 'Trang',
			allSites: 'Tất cả các trang',
			article: 'Bài viết',
			articlePh: 'Mã bài',
			search: 'Tìm',
			searchPh: 'Tên, email, nội dung…',
			flag: 'Dấu hiệu',
			allFlags: 'Tất cả',
			order: 'Thứ tự',
			orders: {oldest: 'Cũ nhất trước', newest: 'Mới nhất trước'},
			clear: 'Bỏ lọc',
			filterArticle: 'Chỉ bài này',
			selectAll: 'Chọn tất cả',
			select: function (id) { return 'Chọn bình luận #' + id; },
			selected: function (n) { return 'Đã chọn ' + n; },
			act: {approve: 'Duyệt', reject: 'Từ chối', spam: 'Spam',
				delete: 'Xoá', restore: 'Khôi phục'},
			done: {approve: 'Đã duyệt', reject: 'Đã từ chối',
				spam: 'Đã chuyển vào spam', delete: 'Đã xoá',
				restore: 'Đã đưa về hàng chờ'},
			doneOne: function (a, c) {
				return T.vi.done[a] + ' bình luận #' + c.id + ' của ' + c.name + '.';
			},
			doneMany: function (a, n) {
				return T.vi.done[a] + ' ' + n + ' bình luận.';
			},
			edit: 'Sửa',
			reply: 'Trả lời',
			ban: 'Chặn',
			purge: 'Xoá hẳn',
			purgeSure: 'Bấm lần nữa để xoá hẳn',
			purged: function (id) { return 'Đã xoá hẳn bình luận #' + id + '.'; },
			save: 'Lưu',
			cancel: 'Huỷ',
			name: 'Tên người gửi',
			body: 'Nội dung',
			edited: function (id) { return 'Đã lưu bình luận #' + id + '.'; },
			editors: 'Ban biên tập trả lời',
			replyLabel: 'Trả lời chính thức (hiển thị công khai dưới bình luận)',
			replySave: 'Đăng trả lời',
			replyRemove: 'Gỡ trả lời',
			replySaved: function (id) { return 'Đã đăng trả lời cho #' + id + '.'; },
			replyRemoved: function (id) { return 'Đã gỡ trả lời của #' + id + '.'; },
			banWhat: 'Chặn',
			banIp: function (h) { return 'địa chỉ IP (mã ' + h + ')'; },
			banEmail: function (e) { return 'email ' + e; },
			reason: 'Lý do',
			reasonPh: 'Ví dụ: quảng cáo, lời lẽ xúc phạm',
			banFor: 'Thời hạn',
			durations: ['1 ngày', '7 ngày', '30 ngày', 'Vĩnh viễn'],
			banDo: 'Chặn',
			banned: function (v) { return 'Đã chặn ' + v + '.'; },
			inReplyTo: function (id) { return 'Trả lời #' + id + ':'; },
			ip: 'IP',
			history: function (n) { return 'Lịch sử (' + n + ')'; },
			more: 'Tải thêm',
			loading: 'Đang tải…',
			empty: 'Không có bình luận nào.',
			emptyPending: 'Không còn bình luận nào chờ duyệt.',
			net: 'Không kết nối được máy chủ. Vui lòng thử lại.',
			forbidden: 'Tài khoản của bạn không được làm việc này.',
			notFound: 'Bình luận không còn tồn tại.',
			conflict: 'Bình luận vừa được người khác thay đổi; đã tải lại.',
			slow: function (s) {
				return 'Thao tác quá nhanh. Vui lòng thử lại sau ' + dur(s) + '.';
			},
			failed: function (s) { return 'Không thực hiện được (mã ' + s + ').'; },
			bulkFailed: 'Không thực hiện được; không bình luận nào bị thay đổi.',
			invalid: 'Dữ liệu không hợp lệ. Vui lòng kiểm tra lại.',
			busy: 'Máy chủ đang bận. Vui lòng thử lại sau giây lát.',
			fieldErr: {name: 'Tên người gửi trống hoặc quá dài.',
				body: 'Nội dung trống hoặc quá dài.',
				value: 'Địa chỉ email không hợp lệ.'},
			fix: 'Vui lòng kiểm tra lại các ô được đánh dấu.',
			shortcuts: 'Phím tắt',
			close: 'Đóng',
			keys: [
				['j / k', 'Bình luận sau / trước'],
				['a', 'Duyệt'],
				['r', 'Từ chối'],
				['s', 'Spam'],
				['d', 'Xoá'],
				['e', 'Sửa nội dung'],
				['x', 'Chọn / bỏ chọn'],
				['o', 'Mở bài viết'],
				['/', 'Tìm kiếm'],
				['Ctrl + Enter', 'Lưu khi đang sửa'],
				['Esc', 'Huỷ sửa, đóng bảng này'],
				['?', 'Bảng phím tắt']
			],
			bansTitle: 'Danh sách chặn',
			banAddTitle: 'Chặn một địa chỉ email',
			email: 'Email',
			add: 'Chặn',
			kinds: {ip: 'IP', email: 'Email'},
			value: 'Giá trị',
			expires: 'Hết hạn',
			never: 'Không bao giờ',
			created: 'Tạo lúc',
			by: 'Người chặn',
			unban: 'Gỡ chặn',
			unbanned: function (v) { return 'Đã gỡ chặn ' + v + '.'; },
			noBans: 'Chưa chặn ai.',
			badEmail: 'Địa chỉ email không hợp lệ.',
			auditTitle: 'Nhật ký kiểm duyệt',
			at: 'Thời gian',
			user: 'Người làm',
			action: 'Việc',
			comment: 'Bình luận',
			change: 'Thay đổi',
			noAudit: 'Nhật ký trống.',
			actions: {approve: 'duyệt', reject: 'từ chối', spam: 'spam',
				delete: 'xoá', restore: 'khôi phục', edit: 'sửa',
				reply: 'trả lời', unreply: 'gỡ trả lời',
				hard_delete: 'xoá hẳn', ban: 'chặn', unban: 'gỡ chặn',
				user_add: 'thêm tài khoản', user_disable: 'khoá tài khoản',
				user_enable: 'mở khoá tài khoản'},
			usersTitle: 'Tài khoản',
			role: 'Vai trò',
			state: 'Trạng thái',
			disabled: 'Đã khoá',
			active: 'Đang dùng',
			lastLogin: 'Đăng nhập lần cuối',
			neverLogged: 'Chưa đăng nhập',
			units: ['giây', 'phút', 'giờ', 'ngày']
		},
		en: {
			locale: 'en-GB',
			title: 'Moderation',
			statusLabel: 'Status',
			loginTitle: 'Moderator sign-in',
			username: 'Username',
			password: 'Password',
			login: 'Sign in',
			loggingIn: 'Signing in…',
			loginFailed: 'Wrong username or password.',
			tooMany: function (s) {
				return 'Too many failed attempts. Please try again in ' +
					dur(s) + '.';
			},
			expired: 'Your session has ended. Please sign in again.',
			noAdmin: 'This server has no admin pages yet (status %s).',
			retry: 'Try again',
			logout: 'Sign out',
			other: 'Tiếng Việt',
			otherLang: 'vi',
			roles: {admin: 'admin', moderator: 'moderator'},
			nav: {comments: 'Comments', bans: 'Bans', audit: 'Audit log',
				users: 'Users'},
			pending: function (n) { return n + ' pending'; },
			oldest: function (s) { return 'oldest ' + dur(s); },
			today: function (n) { return 'received today: ' + n; },
			status: {pending: 'Pending', approved: 'Approved',
				rejected: 'Rejected', spam: 'Spam', deleted: 'Deleted'},
			flags: {watched: 'watched word', links: 'links',
				banned: 'banned sender', blocked: 'blocked word',
				honeypot: 'honeypot'},
			site: 'Site',
			allSites: 'All sites',
			article: 'Article',
			articlePh: 'Article key',
			search: 'Search',
			searchPh: 'Name, e-mail, text…',
			flag: 'Flag',
			allFlags: 'Any',
			order: 'Order',
			orders: {oldest: 'Oldest first', newest: 'Newest first'},
			clear: 'Clear filters',
			filterArticle: 'This article only',
			selectAll: 'Select all',
			select: function (id) { return 'Select comment #' + id; },
			selected: function (n) { return n + ' selected'; },
			act: {approve: 'Approve', reject: 'Reject', spam: 'Spam',
				delete: 'Delete', restore: 'Restore'},
			done: {approve: 'Approved', reject: 'Rejected',
				spam: 'Marked as spam', delete: 'Deleted',
				restore: 'Back in the queue:'},
			doneOne: function (a, c) {
				return T.en.done[a] + ' comment #' + c.id + ' by ' + c.name + '.';
			},
			doneMany: function (a, n) {
				return T.en.done[a] + ' ' + n + (n === 1 ? ' comment.' : ' comments.');
			},
			edit: 'Edit',
			reply: 'Reply',
			ban: 'Ban',
			purge: 'Delete forever',
			purgeSure: 'Click again to delete forever',
			purged: function (id) { return 'Comment #' + id + ' deleted forever.'; },
			save: 'Save',
			cancel: 'Cancel',
			name: 'Name',
			body: 'Comment',
			edited: function (id) { return 'Comment #' + id + ' saved.'; },
			editors: 'Editors\' reply',
			replyLabel: 'Official reply (shown publicly with the comment)',
			replySave: 'Publish reply',
			replyRemove: 'Remove reply',
			replySaved: function (id) { return 'Reply to #' + id + ' published.'; },
			replyRemoved: function (id) { return 'Reply to #' + id + ' removed.'; },
			banWhat: 'Ban',
			banIp: function (h) { return 'the address (hash ' + h + ')'; },
			banEmail: function (e) { return 'the e-mail ' + e; },
			reason: 'Reason',
			reasonPh: 'e.g. advertising, abuse',
			banFor: 'For',
			durations: ['1 day', '7 days', '30 days', 'Ever'],
			banDo: 'Ban',
			banned: function (v) { return 'Banned ' + v + '.'; },
			inReplyTo: function (id) { return 'In reply to #' + id + ':'; },
			ip: 'IP',
			history: function (n) { return 'History (' + n + ')'; },
			more: 'Load more',
			loading: 'Loading…',
			empty: 'No comments.',
			emptyPending: 'Nothing is waiting for moderation.',
			net: 'Could not reach the server. Please try again.',
			forbidden: 'Your account may not do this.',
			notFound: 'This comment no longer exists.',
			conflict: 'Someone else just changed this comment; reloaded.',
			slow: function (s) {
				return 'Too fast. Please try again in ' + dur(s) + '.';
			},
			failed: function (s) { return 'That did not work (status ' + s + ').'; },
			bulkFailed: 'That did not work; no comment was changed.',
			invalid: 'Something in the request is not valid. Please check.',
			busy: 'The server is busy. Please try again in a moment.',
			fieldErr: {name: 'The name is empty or too long.',
				body: 'The text is empty or too long.',
				value: 'This e-mail address is not valid.'},
			fix: 'Please check the marked fields.',
			shortcuts: 'Keyboard shortcuts',
			close: 'Close',
			keys: [
				['j / k', 'Next / previous comment'],
				['a', 'Approve'],
				['r', 'Reject'],
				['s', 'Spam'],
				['d', 'Delete'],
				['e', 'Edit the text'],
				['x', 'Select / unselect'],
				['o', 'Open the article'],
				['/', 'Search'],
				['Ctrl + Enter', 'Save while editing'],
				['Esc', 'Cancel editing, close this panel'],
				['?', 'This panel']
			],
			bansTitle: 'Bans',
			banAddTitle: 'Ban an e-mail address',
			email: 'E-mail',
			add: 'Ban',
			kinds: {ip: 'IP', email: 'E-mail'},
			value: 'Value',
			expires: 'Expires',
			never: 'Never',
			created: 'Created',
			by: 'By',
			unban: 'Remove',
			unbanned: function (v) { return 'Ban on ' + v + ' removed.'; },
			noBans: 'Nobody is banned.',
			badEmail: 'This e-mail address is not valid.',
			auditTitle: 'Audit log',
			at: 'When',
			user: 'User',
			action: 'Action',
			comment: 'Comment',
			change: 'Change',
			noAudit: 'The log is empty.',
			actions: {approve: 'approved', reject: 'rejected', spam: 'spam',
				delete: 'deleted', restore: 'restored', edit: 'edited',
				reply: 'replied', unreply: 'removed the reply',
				hard_delete: 'deleted forever', ban: 'banned',
				unban: 'lifted a ban', user_add: 'added a user',
				user_disable: 'disabled a user', user_enable: 'enabled a user'},
			usersTitle: 'Users',
			role: 'Role',
			state: 'State',
			disabled: 'Disabled',
			active: 'Active',
			lastLogin: 'Last sign-in',
			neverLogged: 'Never',
			units: ['s', 'min', 'h', 'days']
		}
	};
	var L = T[lang];

	var dateFmt = new Intl.DateTimeFormat(L.locale, {day: '2-digit',
		month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit'});
	var numFmt = new Intl.NumberFormat(L.locale);

	/* The state of the screen. */
	var S = {
		me: null,         /* {name, role} once signed in */
		csrf: '',
		stats: null,
		view: '',
		f: null,          /* the queue's filters */
		rows: {},         /* id -> {c, el, check} */
		order: [],        /* ids in display order */
		next: null,
		cur: -1,          /* index of the keyboard selection in order */
		seq: 0,           /* drops replies of superseded list requests */
		loading: false,
		lastQueue: '#/comments'
	};
	var ui = {};          /* the shell's elements */
	var uid = 0;

	/* Makes an element: props are attributes except text (textContent),
	 * class and on* (listeners); kids are nodes or strings (text), and
	 * null or false, which are skipped.
	 *
	 * A deliberate copy of h() in embed.js, the same to the letter.
	 * embed.js must stay one self-contained script on other sites'
	 * pages: a shared file loaded apart (as pow.js is, late) would be
	 * one more request before the widget draws, and pasting one into
	 * both would need an include step in cmake/embedgen.c, and a build
	 * before either file runs, for twenty lines. tests/e2e/web.test.mjs
	 * checks that the two files as served still agree: change both or
	 * neither. */
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

	function newId(p) {
		return 'ba-' + p + '-' + (++uid);
	}

	function clear(el) {
		while (el.firstChild)
			el.removeChild(el.firstChild);
	}

	/* A labelled field: label above the control. */
	function field(label, control, cls) {
		if (!control.id)
			control.id = newId('f');
		return h('div', {class: 'ba-field' + (cls ? ' ' + cls : '')}, [
			h('label', {for: control.id, text: label}), control]);
	}

	function button(text, cls, onclick, props) {
		var p = props || {};
		p.type = p.type || 'button';
		p.class = 'ba-btn' + (cls ? ' ' + cls : '');
		p.text = text;
		if (onclick)
			p.onclick = onclick;
		return h('button', p);
	}

	/* "3 giờ", "2 days": a duration in seconds, roughly. */
	function dur(s) {
		var u = L.units;

		s = Math.max(0, Math.round(s || 0));
		if (s < 60)
			return s + ' ' + u[0];
		if (s < 3600)
			return Math.round(s / 60) + ' ' + u[1];
		if (s < 2 * 86400)
			return Math.round(s / 3600) + ' ' + u[2];
		return Math.round(s / 86400) + ' ' + u[3];
	}

	function fmtDate(s) {
		var t = Date.parse(s || '');
		return isNaN(t) ? (s || '') : dateFmt.format(new Date(t));
	}

	function timeEl(s, cls) {
		return h('time', {class: cls || 'ba-date', datetime: s || '',
			title: s || '', text: fmtDate(s)});
	}

	/* ---------------------------------------------------------------
	 * The server. Every call resolves to {status, data, code, message,
	 * fields, retry}; status 0 when the network failed. A 401 drops the
	 * session and shows the sign-in form; a 403 "csrf" fetches a fresh
	 * token once and repeats the request.
	 */
	function api(method, path, body, retried) {
		var opt = {method: method, credentials: 'same-origin',
			cache: 'no-store', headers: {Accept: 'application/json'}};

		if (body !== undefined) {
			opt.headers['Content-Type'] = 'application/json';
			opt.body = JSON.stringify(body);
		}
		if (method !== 'GET' && S.csrf)
			opt.headers['X-CSRF-Token'] = S.csrf;
		return fetch(path, opt).then(function (r) {
			var text = r.status === 204 ? Promise.resolve('') : r.text();
			return text.then(function (t) {
				var data = null, e;

				try {
					data = t ? JSON.parse(t) : null;
				} catch (x) {
					data = null;
				}
				e = data && data.error && typeof data.error === 'object' ?
					data.error : {};
				return {status: r.status, data: data, code: e.code || '',
					message: e.message || '', fields: e.fields || null,
					retry: parseInt(r.headers.get('Retry-After'), 10) || 0};
			});
		}, function () {
			return {status: 0, data: null, code: 'network', message: '',
				fields: null, retry: 0};
		}).then(function (res) {
			if (res.status === 403 && res.code === 'csrf' && !retried &&
			    path !== '/admin/login')
				return refreshMe().then(function (ok) {
					return ok ? api(method, path, body, true) : res;
				});
			if (res.status === 401 && path !== '/admin/login' && S.me)
				sessionLost();
			return res;
		});
	}

	function refreshMe() {
		return api('GET', '/admin/api/me', undefined, true).then(function (r) {
			if (r.status === 200 && r.data && r.data.csrf) {
				S.csrf = r.data.csrf;
				return true;
			}
			return false;
		});
	}

	/* The message for a failed call. */
	function errText(r) {
		if (r.status === 0)
			return L.net;
		if (r.status === 403)
			return r.code === 'csrf' ? L.expired : L.forbidden;
		if (r.status === 404)
			return L.notFound;
		if (r.status === 409)
			return L.conflict;
		if (r.status === 429)
			return L.slow(r.retry || 60);
		if (r.status === 400)
			return L.invalid;
		if (r.status === 503)
			return L.busy;
		/* The server's messages are English: the last resort. */
		return lang === 'en' && r.message ? r.message : L.failed(r.status);
	}

	/* ---------------------------------------------------------------
	 * Toasts: short confirmations (role=status) and errors (role=alert).
	 */
	function toast(msg, bad) {
		var t = h('div', {class: 'ba-toast' + (bad ? ' ba-toast-bad' : ''),
			text: msg});
		var box = bad ? ui.alerts : ui.toasts;

		if (!box)
			return;
		box.append(t);
		while (box.children.length > 3)
			box.removeChild(box.firstChild);
		setTimeout(function () {
			t.classList.add('ba-toast-out');
			setTimeout(function () { t.remove(); }, 300);
		}, bad ? 7000 : 3000);
	}

	/* ---------------------------------------------------------------
	 * Start, sign in, sign out.
	 */
	function start() {
		clear(root);
		root.className = 'ba';
		root.append(h('p', {class: 'ba-boot', text: L.loading}));
		api('GET', '/admin/api/me').then(function (r) {
			if (r.status === 200 && r.data) {
				signedIn(r.data);
			} else if (r.status === 401) {
				loginScreen('');
			} else {
				clear(root);
				root.append(h('div', {class: 'ba-boot'}, [
					h('p', {role: 'alert', text: r.status ?
						L.noAdmin.replace('%s', r.status) : L.net}),
					button(L.retry, '', start)]));
			}
		});
	}

	function langLink() {
		var a = h('a', {class: 'ba-lang', hreflang: L.otherLang,
			lang: L.otherLang, text: L.other});
		function upd() {
			a.href = '/admin?lang=' + L.otherLang + location.hash;
		}
		upd();
		a.addEventListener('focus', upd);
		a.addEventListener('mouseenter', upd);
		return a;
	}

	function loginScreen(notice) {
		var user = h('input', {name: 'username', autocomplete: 'username',
			required: true, autocapitalize: 'none', spellcheck: 'false'});
		var pass = h('input', {name: 'password', type: 'password',
			autocomplete: 'current-password', required: true});
		var msg = h('p', {class: 'ba-login-msg', role: 'alert',
			'aria-live': 'assertive', text: notice});
		var go = button(L.login, 'ba-primary', null, {type: 'submit'});
		var form = h('form', {class: 'ba-login', novalidate: true,
			'aria-labelledby': 'ba-login-title'}, [
			h('h1', {id: 'ba-login-title'}, [
				h('span', {class: 'ba-brand', text: 'bandoc'}), ' ',
				h('span', {text: L.title})]),
			field(L.username, user),
			field(L.password, pass),
			msg,
			h('div', {class: 'ba-login-foot'}, [go, langLink()])
		]);
		var lockUntil = 0;

		form.addEventListener('submit', function (ev) {
			ev.preventDefault();
			if (go.disabled || Date.now() < lockUntil)
				return;
			if (!user.value.trim() || !pass.value) {
				(user.value.trim() ? pass : user).focus();
				msg.textContent = L.loginFailed;
				return;
			}
			go.disabled = true;
			go.textContent = L.loggingIn;
			msg.textContent = '';
			api('POST', '/admin/login', {username: user.value.trim(),
				password: pass.value}).then(function (r) {
				go.disabled = false;
				go.textContent = L.login;
				if (r.status === 200 && r.data && r.data.csrf) {
					signedIn(r.data);
					return;
				}
				pass.value = '';
				if (r.status === 429) {
					var s = r.retry || 60;
					lockUntil = Date.now() + s * 1000;
					msg.textContent = L.tooMany(s);
					go.disabled = true;
					setTimeout(function () { go.disabled = false; }, s * 1000);
				} else if (r.status === 401 || r.status === 400) {
					msg.textContent = L.loginFailed;
				} else {
					msg.textContent = errText(r);
				}
				pass.focus();
			});
		});
		S.me = null;
		S.csrf = '';
		S.view = '';
		S.seq++;
		ui = {};
		clear(root);
		root.className = 'ba ba-is-login';
		d.title = 'bandoc — ' + L.title;
		root.append(h('main', {class: 'ba-login-wrap'}, [form]));
		user.focus();
	}

	function sessionLost() {
		if (S.me)
			loginScreen(L.expired);
	}

	function signedIn(me) {
		S.me = {name: me.name || '', role: me.role || 'moderator'};
		S.csrf = me.csrf || '';
		shell();
		route();
		refreshStats();
	}

	function logout() {
		api('POST', '/admin/logout').then(function () {
			loginScreen('');
		});
	}

	function isAdmin() {
		return !!S.me && S.me.role === 'admin';
	}

	/* ---------------------------------------------------------------
	 * The shell: header with the navigation and the counts, the view,
	 * the toasts and the help panel.
	 */
	function shell() {
		var nav = h('nav', {class: 'ba-nav', 'aria-label': L.title});
		var views = ['comments', 'bans'].concat(isAdmin() ?
			['audit', 'users'] : []);

		ui = {links: {}};
		S.view = '';
		views.forEach(function (v) {
			var a = h('a', {href: '#/' + v, class: 'ba-nav-link',
				'data-view': v, text: L.nav[v]});
			ui.links[v] = a;
			nav.append(a);
		});
		ui.pending = h('a', {class: 'ba-pending', href: '#/comments'});
		ui.age = h('span', {class: 'ba-age'});
		ui.view = h('main', {class: 'ba-main', id: 'ba-main'});
		ui.toasts = h('div', {class: 'ba-toasts', role: 'status',
			'aria-live': 'polite'});
		ui.alerts = h('div', {class: 'ba-toasts ba-alerts', role: 'alert',
			'aria-live': 'assertive'});
		ui.help = helpPanel();
		clear(root);
		root.className = 'ba';
		root.append(
			h('header', {class: 'ba-top'}, [
				h('div', {class: 'ba-top-in'}, [
					h('a', {class: 'ba-logo', href: '#/comments'}, [
						h('span', {class: 'ba-brand', text: 'bandoc'}),
						h('span', {class: 'ba-logo-sub', text: L.title})]),
					h('div', {class: 'ba-counts'}, [ui.pending, ui.age]),
					nav,
					h('div', {class: 'ba-user'}, [
						h('span', {class: 'ba-user-name', text: S.me.name}),
						h('span', {class: 'ba-role ba-role-' + S.me.role,
							text: L.roles[S.me.role] || S.me.role}),
						button(L.logout, 'ba-quiet', logout),
						langLink()])
				])]),
			ui.view,
			h('div', {class: 'ba-toast-box'}, [ui.alerts, ui.toasts]),
			ui.help);
	}

	function helpPanel() {
		var dl = h('dl', {class: 'ba-keys'});
		var dlg;

		L.keys.forEach(function (k) {
			dl.append(h('dt', {}, k[0].split(' ').map(function (part) {
				return /^[\/+]$/.test(part) && k[0].length > 1 ?
					' ' + part + ' ' : h('kbd', {text: part});
			})), h('dd', {text: k[1]}));
		});
		dlg = h('dialog', {class: 'ba-help', 'aria-labelledby': 'ba-help-title'}, [
			h('div', {class: 'ba-help-head'}, [
				h('h2', {id: 'ba-help-title', text: L.shortcuts}),
				button(L.close, 'ba-quiet', function () { dlg.close(); })]),
			dl]);
		return dlg;
	}

	function toggleHelp() {
		if (!ui.help)
			return;
		if (ui.help.open)
			ui.help.close();
		else if (ui.help.showModal)
			ui.help.showModal();
		else
			ui.help.setAttribute('open', '');
	}

	var statsTimer = 0;
	/* The counts in the header and on the tabs; soon after an action,
	 * and every minute while the page is visible. */
	function refreshStats(delay) {
		clearTimeout(statsTimer);
		statsTimer = setTimeout(function () {
			api('GET', '/admin/api/stats').then(function (r) {
				if (r.status === 200 && r.data && S.me) {
					S.stats = r.data;
					showStats();
				}
			});
		}, delay || 0);
	}
	/* Polling would keep an abandoned session alive past the server's
	 * idle timeout: poll only while someone has used the page lately. */
	var lastInput = Date.now();
	['keydown', 'mousedown', 'touchstart'].forEach(function (t) {
		d.addEventListener(t, function () { lastInput = Date.now(); },
			{capture: true, passive: true});
	});
	setInterval(function () {
		if (S.me && d.visibilityState === 'visible' &&
		    Date.now() - lastInput < 10 * 60000)
			refreshStats();
	}, 60000);

	function showStats() {
		var st = S.stats || {};
		var by = st.by_status || {};
		var n = by.pending || 0;

		if (!ui.pending)
			return;
		ui.pending.textContent = L.pending(numFmt.format(n));
		ui.pending.classList.toggle('ba-pending-zero', n === 0);
		ui.age.textContent = (n && st.oldest_pending_age != null ?
			L.oldest(st.oldest_pending_age) + ' · ' : '') +
			(typeof st.today === 'number' ? L.today(numFmt.format(st.today)) : '');
		d.title = (n ? '(' + n + ') ' : '') + 'bandoc — ' + L.title;
		if (ui.tabs)
			STATUSES.forEach(function (s) {
				var c = ui.tabs[s].count;
				c.textContent = by[s] != null ? numFmt.format(by[s]) : '';
				c.classList.toggle('ba-zero', !by[s]);
			});
		if (ui.site)
			fillSites();
	}

	/* ---------------------------------------------------------------
	 * Routing: #/comments?..., #/bans, #/audit, #/users.
	 */
	function parseHash() {
		var m = /^#\/([a-z]+)(?:\?(.*))?$/.exec(location.hash || '');
		var p = new URLSearchParams(m && m[2] || '');
		var f = {};

		f.status = STATUSES.indexOf(p.get('status')) >= 0 ?
			p.get('status') : 'pending';
		f.site = p.get('site') || '';
		f.article = p.get('article') || '';
		f.q = p.get('q') || '';
		f.flag = FLAGS.indexOf(p.get('flag')) >= 0 ? p.get('flag') : '';
		f.order = p.get('order') === 'newest' || p.get('order') === 'oldest' ?
			p.get('order') : defaultOrder(f.status);
		return {view: m ? m[1] : 'comments', f: f};
	}

	/* The queue is worked oldest first; the other lists are looked at
	 * for what just happened. */
	function defaultOrder(status) {
		return status === 'pending' ? 'oldest' : 'newest';
	}

	function queueHash(f) {
		var p = new URLSearchParams();

		p.set('status', f.status);
		['site', 'article', 'q', 'flag'].forEach(function (k) {
			if (f[k])
				p.set(k, f[k]);
		});
		if (f.order !== defaultOrder(f.status))
			p.set('order', f.order);
		return '#/comments?' + p.toString();
	}

	function route() {
		var r = parseHash();
		var v = r.view;

		if (!S.me)
			return;
		if (v !== 'comments' && v !== 'bans' &&
		    !(isAdmin() && (v === 'audit' || v === 'users')))
			v = 'comments';
		Object.keys(ui.links).forEach(function (k) {
			if (k === v)
				ui.links[k].setAttribute('aria-current', 'page');
			else
				ui.links[k].removeAttribute('aria-current');
		});
		ui.links.comments.href = S.lastQueue;
		if (v === 'comments') {
			if (S.view === 'comments' && sameFilters(S.f, r.f))
				return;
			S.view = v;
			queueView(r.f);
		} else {
			S.view = v;
			ui.tabs = null;
			ui.site = null;
			({bans: bansView, audit: auditView, users: usersView})[v]();
		}
	}
	window.addEventListener('hashchange', route);

	function sameFilters(a, b) {
		return !!a && !!b && ['status', 'site', 'article', 'q', 'flag',
			'order'].every(function (k) { return a[k] === b[k]; });
	}

	/* A filter changed: the fragment follows without a history entry. */
	function setFilters(f) {
		var hash = queueHash(f);

		S.lastQueue = hash;
		if (ui.links && ui.links.comments)
			ui.links.comments.href = hash;
		history.replaceState(null, '', hash);
		S.f = f;
		syncFilterControls();
		reload();
	}

	/* ---------------------------------------------------------------
	 * The queue.
	 */
	function queueView(f) {
		var form, tabs;

		S.f = f;
		S.lastQueue = queueHash(f);
		ui.links.comments.href = S.lastQueue;
		clear(ui.view);

		/* Status tabs. */
		ui.tabs = {};
		tabs = h('div', {class: 'ba-tabs', role: 'group',
			'aria-label': L.statusLabel});
		STATUSES.forEach(function (s) {
			var count = h('span', {class: 'ba-tab-count'});
			var b = h('button', {type: 'button', class: 'ba-tab ba-tab-' + s,
				onclick: function () {
					var nf = copy(S.f);
					nf.status = s;
					nf.order = defaultOrder(s);
					setFilters(nf);
				}}, [h('span', {text: L.status[s]}), count]);
			ui.tabs[s] = {el: b, count: count};
			tabs.append(b);
		});

		/* Filters. */
		ui.site = h('select', {name: 'site'});
		ui.article = h('input', {name: 'article', type: 'text',
			placeholder: L.articlePh, autocomplete: 'off'});
		ui.q = h('input', {name: 'q', type: 'search', placeholder: L.searchPh,
			autocomplete: 'off', 'aria-keyshortcuts': '/'});
		ui.flag = h('select', {name: 'flag'}, [h('option', {value: '',
			text: L.allFlags})].concat(FLAGS.map(function (fl) {
			return h('option', {value: fl, text: L.flags[fl]});
		})));
		ui.order = h('select', {name: 'order'}, ['oldest', 'newest'].map(
			function (o) { return h('option', {value: o, text: L.orders[o]}); }));
		ui.clearF = button(L.clear, 'ba-quiet ba-clear', function () {
			setFilters({status: S.f.status, site: '', article: '', q: '',
				flag: '', order: defaultOrder(S.f.status)});
		});
		form = h('form', {class: 'ba-filters', role: 'search'}, [
			field(L.search, ui.q, 'ba-field-q'),
			field(L.site, ui.site),
			field(L.article, ui.article, 'ba-field-article'),
			field(L.flag, ui.flag),
			field(L.order, ui.order),
			ui.clearF
		]);
		form.addEventListener('submit', function (ev) {
			ev.preventDefault();
			filtersFromControls();
		});
		[ui.site, ui.flag, ui.order].forEach(function (s) {
			s.addEventListener('change', filtersFromControls);
		});
		[ui.q, ui.article].forEach(function (inp) {
			var t = 0;
			inp.addEventListener('input', function () {
				clearTimeout(t);
				t = setTimeout(filtersFromControls, 350);
			});
			/* Esc (or Down in the search box) goes back to the list and
			 * its shortcuts, keeping what was typed ("Bỏ lọc" clears). */
			inp.addEventListener('keydown', function (ev) {
				if (ev.key === 'Escape' || (ev.key === 'ArrowDown' &&
				    inp === ui.q)) {
					ev.preventDefault();
					clearTimeout(t);
					filtersFromControls();
					inp.blur();
				}
			});
		});

		/* Bulk bar. */
		ui.all = h('input', {type: 'checkbox', id: newId('all')});
		ui.all.addEventListener('change', function () {
			S.order.forEach(function (id) { setChecked(id, ui.all.checked); });
			bulkState();
		});
		ui.nsel = h('span', {class: 'ba-nsel'});
		ui.bulk = h('div', {class: 'ba-bulk-actions'});
		ui.helpBtn = button('?', 'ba-quiet ba-help-btn', toggleHelp,
			{title: L.shortcuts, 'aria-label': L.shortcuts,
				'aria-keyshortcuts': '?'});

		ui.list = h('ol', {class: 'ba-list', 'aria-label': L.nav.comments});
		ui.empty = h('p', {class: 'ba-empty', hidden: true});
		ui.more = button(L.more, 'ba-more', function () { load(false); },
			{hidden: true});
		ui.listMsg = h('p', {class: 'ba-list-msg', hidden: true});

		ui.view.append(
			h('h1', {class: 'ba-sr', text: L.nav.comments}),
			h('div', {class: 'ba-queue-head'}, [tabs, form]),
			h('div', {class: 'ba-bulk'}, [
				h('label', {class: 'ba-all', for: ui.all.id}, [ui.all,
					h('span', {text: L.selectAll})]),
				ui.nsel, ui.bulk, ui.helpBtn]),
			ui.list, ui.empty, ui.listMsg, ui.more);

		/* Load the next page when "Load more" comes near the screen. */
		if (window.IntersectionObserver) {
			new IntersectionObserver(function (en) {
				if (en[0].isIntersecting && !ui.more.hidden && !S.loading)
					load(false);
			}, {rootMargin: '300px'}).observe(ui.more);
		}
		syncFilterControls();
		showStats();
		reload();
	}

	function copy(o) {
		var r = {};
		Object.keys(o).forEach(function (k) { r[k] = o[k]; });
		return r;
	}

	function fillSites() {
		var by = S.stats && S.stats.by_site || {};
		var keys = Object.keys(by).sort();
		var want = S.f.site;

		if (want && keys.indexOf(want) < 0)
			keys.push(want);
		clear(ui.site);
		ui.site.append(h('option', {value: '', text: L.allSites}));
		keys.forEach(function (k) {
			var p = by[k] && by[k].pending;
			ui.site.append(h('option', {value: k,
				text: k + (p ? ' (' + numFmt.format(p) + ')' : '')}));
		});
		ui.site.value = want;
	}

	function syncFilterControls() {
		var f = S.f;

		STATUSES.forEach(function (s) {
			ui.tabs[s].el.setAttribute('aria-pressed', String(s === f.status));
		});
		fillSites();
		if (d.activeElement !== ui.article)
			ui.article.value = f.article;
		if (d.activeElement !== ui.q)
			ui.q.value = f.q;
		ui.flag.value = f.flag;
		ui.order.value = f.order;
		ui.clearF.hidden = !(f.site || f.article || f.q || f.flag);
		clear(ui.bulk);
		bulkActions(f.status).forEach(function (a) {
			ui.bulk.append(button(L.act[a], 'ba-act-' + a, function () {
				bulk(a);
			}));
		});
	}

	function filtersFromControls() {
		var nf = {status: S.f.status, site: ui.site.value,
			article: ui.article.value.trim(), q: ui.q.value.trim(),
			flag: ui.flag.value, order: ui.order.value};

		if (!sameFilters(nf, S.f))
			setFilters(nf);
	}

	function bulkActions(status) {
		return ['approve', 'reject', 'spam', 'delete', 'restore'].filter(
			function (a) {
				return RESULT[a] !== status && (a !== 'restore' ||
					status !== 'approved');
			});
	}

	function reload() {
		S.rows = {};
		S.order = [];
		S.next = null;
		S.cur = -1;
		clear(ui.list);
		bulkState();
		load(true);
	}

	/* One page of comments; `fresh` starts the list over. */
	function load(fresh) {
		var f = S.f, seq = ++S.seq;
		var p = new URLSearchParams();

		if (!fresh && S.next == null)
			return;
		p.set('status', f.status);
		['site', 'article', 'q', 'flag'].forEach(function (k) {
			if (f[k])
				p.set(k, f[k]);
		});
		p.set('order', f.order);
		p.set('limit', String(PAGE));
		if (!fresh)
			p.set('before', String(S.next));
		S.loading = true;
		ui.list.setAttribute('aria-busy', 'true');
		ui.more.disabled = true;
		ui.more.textContent = L.loading;
		if (fresh) {
			ui.empty.hidden = true;
			ui.listMsg.hidden = false;
			ui.listMsg.textContent = L.loading;
			ui.listMsg.className = 'ba-list-msg';
		}
		api('GET', '/admin/api/comments?' + p.toString()).then(function (r) {
			if (seq !== S.seq || S.view !== 'comments')
				return;
			S.loading = false;
			ui.list.removeAttribute('aria-busy');
			ui.more.disabled = false;
			ui.more.textContent = L.more;
			if (r.status !== 200 || !r.data || !Array.isArray(r.data.comments)) {
				ui.listMsg.hidden = false;
				ui.listMsg.className = 'ba-list-msg ba-bad';
				ui.listMsg.textContent = errText(r);
				ui.more.hidden = S.next == null;
				return;
			}
			ui.listMsg.hidden = true;
			r.data.comments.forEach(function (c) {
				if (!S.rows[c.id])
					addRow(c);
			});
			S.next = r.data.next == null ? null : r.data.next;
			ui.more.hidden = S.next == null;
			showEmpty();
			bulkState();
		});
	}

	function showEmpty() {
		ui.empty.hidden = S.order.length > 0 || S.loading;
		ui.empty.textContent = S.f.status === 'pending' && !S.f.site &&
			!S.f.article && !S.f.q && !S.f.flag ? L.emptyPending : L.empty;
	}

	/* ---------------------------------------------------------------
	 * One comment.
	 */
	function addRow(c) {
		var row = {c: c, el: null, check: null, busy: false};

		S.rows[c.id] = row;
		S.order.push(c.id);
		row.el = rowEl(row);
		ui.list.append(row.el);
	}

	function rowEl(row) {
		var c = row.c;
		var id = c.id;
		var li, head, who, acts, flags, extra;
		var check = h('input', {type: 'checkbox', class: 'ba-check',
			'aria-label': L.select(id)});
		var ip = String(c.ip_hash || '');

		check.checked = !!row.checked;
		check.addEventListener('change', function () {
			row.checked = check.checked;
			bulkState();
		});
		row.check = check;

		head = h('div', {class: 'ba-item-head'}, [
			/^https?:\/\//i.test(c.article_url || '') ? h('a', {class: 'ba-article', href: c.article_url,
				target: '_blank', rel: 'noopener noreferrer',
				text: c.article_title || c.article}) :
				h('span', {class: 'ba-article', text: c.article_title || c.article}),
			h('span', {class: 'ba-site', text: c.site}),
			S.f.article === c.article && S.f.site === c.site ? null :
				button(L.filterArticle, 'ba-link ba-only', function () {
					var nf = copy(S.f);
					nf.site = c.site;
					nf.article = c.article;
					setFilters(nf);
				}),
			h('span', {class: 'ba-spacer'}),
			h('span', {class: 'ba-id', text: '#' + id}),
			timeEl(c.created_at)
		]);

		flags = (c.flags || []).map(function (fl) {
			return h('span', {class: 'ba-flag ba-flag-' +
				String(fl).replace(/[^a-z_]/g, ''), text: L.flags[fl] || fl});
		});
		who = h('div', {class: 'ba-who'}, [
			h('span', {class: 'ba-name', text: c.name}),
			c.email ? h('span', {class: 'ba-email', text: c.email}) : null,
			ip ? h('span', {class: 'ba-ip', title: c.user_agent || ip},
				[L.ip + ' ', h('code', {text: ip.slice(0, 6)})]) : null,
			c.status !== S.f.status ? h('span', {class: 'ba-flag ba-st-' +
				c.status, text: L.status[c.status] || c.status}) : null
		].concat(flags));

		acts = h('div', {class: 'ba-actions'});
		(OFFER[c.status] || []).forEach(function (a) {
			acts.append(button(L.act[a], 'ba-act-' + a, function () {
				act(row, a);
			}, {'aria-keyshortcuts': KEYS[a] || null,
				title: KEYS[a] ? L.act[a] + ' (' + KEYS[a] + ')' : null,
				'data-action': a}));
		});
		acts.append(h('span', {class: 'ba-sep', 'aria-hidden': 'true'}));
		if (c.status !== 'deleted') {
			acts.append(button(L.edit, 'ba-quiet', function () {
				openEditor(row, 'edit');
			}, {'aria-keyshortcuts': 'e', title: L.edit + ' (e)',
				'data-action': 'edit'}));
			acts.append(button(L.reply, 'ba-quiet', function () {
				openEditor(row, 'reply');
			}, {'data-action': 'reply'}));
		}
		if (ip)
			acts.append(button(L.ban, 'ba-quiet', function () {
				openEditor(row, 'ban');
			}, {'data-action': 'ban'}));
		if (isAdmin())
			acts.append(purgeButton(row));
		if (c.history && c.history.length)
			acts.append(historyEl(c.history));

		extra = h('div', {class: 'ba-editor-slot'});
		li = h('li', {class: 'ba-item ba-item-' + c.status, tabindex: '-1',
			'data-id': id, 'aria-label': '#' + id + ' ' + c.name}, [
			h('div', {class: 'ba-item-check'}, [check]),
			h('div', {class: 'ba-item-main'}, [
				head,
				who,
				c.parent_id ? h('blockquote', {class: 'ba-parent'}, [
					h('span', {class: 'ba-parent-ref',
						text: L.inReplyTo(c.parent_id)}), ' ',
					h('span', {text: c.parent_excerpt || ''})]) : null,
				h('div', {class: 'ba-body', text: c.body}),
				c.reply ? h('div', {class: 'ba-official'}, [
					h('p', {class: 'ba-official-title'}, [
						L.editors + ' · ',
						timeEl(c.reply.created_at)]),
					h('div', {class: 'ba-body', text: c.reply.body})]) : null,
				extra,
				acts
			])]);
		li.addEventListener('mousedown', function (ev) {
			var i = S.order.indexOf(id);
			if (i >= 0 && !ev.target.closest('a, button, input, textarea, select, summary'))
				setCursor(i, true);
		});
		li.addEventListener('focusin', function () {
			var i = S.order.indexOf(id);
			if (i >= 0 && i !== S.cur)
				markCursor(i);
		});
		row.slot = extra;
		return li;
	}

	function historyEl(list) {
		var ul = h('ul', {class: 'ba-history-list'});

		list.forEach(function (e) {
			ul.append(h('li', {}, [timeEl(e.at), ' ',
				h('strong', {text: e.user || ''}), ' ',
				h('span', {text: (L.actions[e.action] || e.action || '')})]));
		});
		return h('details', {class: 'ba-history'}, [
			h('summary', {text: L.history(list.length)}), ul]);
	}

	/* Two clicks within 4 s: no dialog box, no accident. */
	function purgeButton(row) {
		var armed = 0;
		var b = button(L.purge, 'ba-quiet ba-danger', function () {
			if (!armed) {
				b.textContent = L.purgeSure;
				b.classList.add('ba-armed');
				armed = setTimeout(function () {
					armed = 0;
					b.textContent = L.purge;
					b.classList.remove('ba-armed');
				}, 4000);
				return;
			}
			clearTimeout(armed);
			armed = 0;
			busy(row, true);
			api('DELETE', '/admin/api/comments/' + row.c.id).then(function (r) {
				busy(row, false);
				if (r.status === 204 || r.status === 200) {
					removeRow(row.c.id);
					toast(L.purged(row.c.id));
					refreshStats(300);
				} else {
					failed(row, r);
				}
			});
		}, {'data-action': 'purge'});
		return b;
	}

	function busy(row, on) {
		row.busy = on;
		row.el.classList.toggle('ba-busy', on);
		row.el.setAttribute('aria-busy', String(on));
		[].forEach.call(row.el.querySelectorAll('.ba-actions button'),
			function (b) { b.disabled = on; });
	}

	function failed(row, r) {
		toast(errText(r), true);
		if (r.status === 404)
			removeRow(row.c.id);
		else if (r.status === 409)
			refetch(row);
	}

	/* Reloads one comment after a conflict, by its id: the list API has
	 * no id filter, so search the comment's own list and keep it if found. */
	function refetch(row) {
		var p = new URLSearchParams({status: row.c.status, site: row.c.site,
			article: row.c.article, order: 'oldest', limit: '1',
			before: String(row.c.id - 1)});

		api('GET', '/admin/api/comments?' + p).then(function (r) {
			var c = r.status === 200 && r.data && r.data.comments &&
				r.data.comments[0];
			if (c && c.id === row.c.id)
				updated(row, c);
			else
				removeRow(row.c.id);
		});
	}

	/* The server's new version of a comment: it leaves the list when it
	 * no longer belongs there, otherwise it is drawn again in place. */
	function updated(row, c) {
		if (c.status !== S.f.status) {
			removeRow(c.id);
			return;
		}
		row.c = c;
		var old = row.el, focused = old.contains(d.activeElement);
		row.el = rowEl(row);
		old.replaceWith(row.el);
		if (S.order[S.cur] === c.id) {
			row.el.classList.add('ba-current');
			if (focused)
				row.el.focus({preventScroll: true});
		}
	}

	function removeRow(id) {
		var row = S.rows[id];
		var i = S.order.indexOf(id);
		var wasCur = i === S.cur;
		var hadFocus;

		if (!row)
			return;
		hadFocus = row.el.contains(d.activeElement);
		delete S.rows[id];
		S.order.splice(i, 1);
		row.el.remove();
		if (i < S.cur)
			S.cur--;
		if (S.cur >= S.order.length)
			S.cur = S.order.length - 1;
		/* The next comment takes the place (and the focus) of the one
		 * that left. */
		if ((wasCur || hadFocus) && S.order.length)
			setCursor(Math.min(i, S.order.length - 1), false);
		else if (S.cur >= 0)
			markCursor(S.cur);
		bulkState();
		showEmpty();
		/* Keep work in front of the moderator. */
		if (S.order.length < 10 && S.next != null && !S.loading)
			load(false);
	}

	function act(row, a) {
		if (row.busy)
			return;
		busy(row, true);
		api('POST', '/admin/api/comments/' + row.c.id + '/' + a).then(function (r) {
			busy(row, false);
			if (r.status === 200 && r.data && r.data.id != null) {
				toast(L.doneOne(a, r.data));
				updated(row, r.data);
				refreshStats(300);
			} else {
				failed(row, r);
			}
		});
	}

	/* ---------------------------------------------------------------
	 * Inline editors: edit (name, body), the editors' reply, ban.
	 */
	function openEditor(row, kind) {
		var slot = row.slot, form, first, msg, save, c = row.c;

		if (row.editor === kind) {
			closeEditor(row);
			return;
		}
		closeEditor(row, true);
		msg = h('p', {class: 'ba-form-msg', role: 'alert'});
		save = button(kind === 'edit' ? L.save : kind === 'reply' ?
			L.replySave : L.banDo, 'ba-primary', null, {type: 'submit'});
		var cancel = button(L.cancel, 'ba-quiet', function () {
			closeEditor(row);
		});
		var fields = {};
		var build = {
			edit: function () {
				fields.name = h('input', {name: 'name', value: c.name,
					maxlength: '200'});
				fields.body = h('textarea', {name: 'body',
					rows: String(Math.min(14, Math.max(3,
						String(c.body).split('\n').length + 1)))});
				fields.body.value = c.body;
				first = fields.body;
				return [field(L.name, fields.name), field(L.body, fields.body)];
			},
			reply: function () {
				fields.body = h('textarea', {name: 'body', rows: '4'});
				fields.body.value = c.reply ? c.reply.body : '';
				first = fields.body;
				return [field(L.replyLabel, fields.body)];
			},
			ban: function () {
				var ip = String(c.ip_hash || '').slice(0, 6);
				var kinds = [h('option', {value: 'ip', text: L.banIp(ip)})];
				if (c.email)
					kinds.push(h('option', {value: 'email',
						text: L.banEmail(c.email)}));
				fields.kind = h('select', {name: 'kind'}, kinds);
				fields.reason = h('input', {name: 'reason', maxlength: '200',
					placeholder: L.reasonPh});
				fields.expires = h('select', {name: 'expires_in'},
					DURATIONS.map(function (s, i) {
						return h('option', {value: s == null ? '' : String(s),
							text: L.durations[i]});
					}));
				fields.expires.value = String(7 * 86400);
				first = fields.reason;
				return [h('div', {class: 'ba-row'}, [
					field(L.banWhat, fields.kind),
					field(L.banFor, fields.expires)]),
					field(L.reason, fields.reason)];
			}
		}[kind];

		form = h('form', {class: 'ba-editor ba-editor-' + kind, novalidate: true},
			build().concat([msg, h('div', {class: 'ba-editor-foot'}, [save,
				kind === 'reply' && c.reply ? button(L.replyRemove,
					'ba-quiet ba-danger', function () {
						submit(row, 'unreply', {}, form, msg);
					}) : null,
				cancel])]));
		form.addEventListener('submit', function (ev) {
			ev.preventDefault();
			submit(row, kind, fields, form, msg);
		});
		form.addEventListener('keydown', function (ev) {
			if (ev.key === 'Escape') {
				ev.preventDefault();
				ev.stopPropagation();
				closeEditor(row);
			} else if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) {
				ev.preventDefault();
				form.requestSubmit ? form.requestSubmit(save) :
					submit(row, kind, fields, form, msg);
			}
		});
		row.editor = kind;
		row.el.classList.add('ba-editing');
		slot.append(form);
		first.focus();
		if (first.setSelectionRange && first.tagName === 'TEXTAREA')
			first.setSelectionRange(first.value.length, first.value.length);
		form.scrollIntoView({block: 'nearest'});
	}

	function closeEditor(row, quiet) {
		if (!row.editor)
			return;
		row.editor = null;
		clear(row.slot);
		row.el.classList.remove('ba-editing');
		if (!quiet)
			row.el.focus({preventScroll: true});
	}

	function submit(row, kind, fields, form, msg) {
		var c = row.c, id = c.id, req;
		var btns = form.querySelectorAll('button');

		[].forEach.call(form.querySelectorAll('[aria-invalid]'), function (e) {
			e.removeAttribute('aria-invalid');
		});
		msg.textContent = '';
		if (kind === 'edit') {
			var body = {};
			if (fields.name.value !== c.name)
				body.name = fields.name.value;
			if (fields.body.value !== c.body)
				body.body = fields.body.value;
			if (!Object.keys(body).length) {
				closeEditor(row);
				return;
			}
			req = api('PATCH', '/admin/api/comments/' + id, body);
		} else if (kind === 'reply') {
			if (!fields.body.value.trim()) {
				fields.body.setAttribute('aria-invalid', 'true');
				fields.body.focus();
				return;
			}
			req = api('POST', '/admin/api/comments/' + id + '/reply',
				{body: fields.body.value});
		} else if (kind === 'unreply') {
			req = api('DELETE', '/admin/api/comments/' + id + '/reply');
		} else {
			var what = fields.kind.value === 'email' ?
				{kind: 'email', value: c.email} : {comment_id: id};
			what.reason = fields.reason.value.trim();
			what.expires_in = fields.expires.value ?
				Number(fields.expires.value) : null;
			req = api('POST', '/admin/api/bans', what);
		}
		[].forEach.call(btns, function (b) { b.disabled = true; });
		req.then(function (r) {
			[].forEach.call(btns, function (b) { b.disabled = false; });
			if (kind === 'ban' && r.status === 201) {
				closeEditor(row);
				toast(L.banned(fields.kind.value === 'email' ? c.email :
					L.banIp(String(c.ip_hash).slice(0, 6))));
				return;
			}
			if (kind !== 'ban' && r.status === 200 && r.data && r.data.id != null) {
				row.editor = null;
				toast(kind === 'edit' ? L.edited(id) : kind === 'reply' ?
					L.replySaved(id) : L.replyRemoved(id));
				updated(row, r.data);
				if (S.order.indexOf(id) >= 0)
					setCursor(S.order.indexOf(id));
				return;
			}
			if (r.status === 400 && r.fields && typeof r.fields === 'object') {
				var bad = Array.isArray(r.fields) ? r.fields : Object.keys(r.fields);
				var texts = [];
				bad.forEach(function (k) {
					var el = /^[a-z_]+$/.test(k) &&
						form.querySelector('[name="' + k + '"]');
					if (el) {
						el.setAttribute('aria-invalid', 'true');
						if (!texts.length)
							el.focus();
					}
					if (L.fieldErr[k])
						texts.push(L.fieldErr[k]);
					else if (!Array.isArray(r.fields) &&
					    typeof r.fields[k] === 'string')
						texts.push(r.fields[k]);
				});
				msg.textContent = texts.length ? texts.join(' ') :
					(r.message || L.fix);
				return;
			}
			msg.textContent = errText(r);
			if (r.status === 404 || r.status === 409)
				failed(row, r);
		});
	}

	/* ---------------------------------------------------------------
	 * Selection: the keyboard cursor and the checkboxes.
	 */
	function markCursor(i) {
		var old = ui.list.querySelector('.ba-current');

		if (old)
			old.classList.remove('ba-current');
		S.cur = i;
		if (i >= 0 && S.rows[S.order[i]])
			S.rows[S.order[i]].el.classList.add('ba-current');
	}

	function setCursor(i, noFocus) {
		var row;

		if (!S.order.length) {
			S.cur = -1;
			return;
		}
		i = Math.max(0, Math.min(S.order.length - 1, i));
		markCursor(i);
		row = S.rows[S.order[i]];
		if (!noFocus)
			row.el.focus({preventScroll: true});
		row.el.scrollIntoView({block: 'nearest'});
		/* Near the end of what is loaded: fetch more. */
		if (i >= S.order.length - 3 && S.next != null && !S.loading)
			load(false);
	}

	function setChecked(id, on) {
		var row = S.rows[id];

		if (!row)
			return;
		row.checked = on;
		row.check.checked = on;
		row.el.classList.toggle('ba-checked', on);
	}

	function checkedIds() {
		return S.order.filter(function (id) { return S.rows[id].checked; });
	}

	function bulkState() {
		var n = checkedIds().length;

		if (!ui.all)
			return;
		S.order.forEach(function (id) {
			S.rows[id].el.classList.toggle('ba-checked', !!S.rows[id].checked);
		});
		ui.all.checked = n > 0 && n === S.order.length;
		ui.all.indeterminate = n > 0 && n < S.order.length;
		ui.all.disabled = !S.order.length;
		ui.nsel.textContent = n ? L.selected(n) : '';
		[].forEach.call(ui.bulk.querySelectorAll('button'), function (b) {
			b.disabled = !n;
		});
	}

	/* Bulk actions: all or nothing per request of at most 500. */
	function bulk(a) {
		var ids = checkedIds();
		var chunks = [], i, done = 0;

		if (!ids.length)
			return;
		for (i = 0; i < ids.length; i += BULK_MAX)
			chunks.push(ids.slice(i, i + BULK_MAX));
		[].forEach.call(ui.bulk.querySelectorAll('button'), function (b) {
			b.disabled = true;
		});
		ids.forEach(function (id) { S.rows[id].el.classList.add('ba-busy'); });
		(function nextChunk() {
			var part = chunks.shift();

			if (!part) {
				toast(L.doneMany(a, done));
				refreshStats(300);
				bulkState();
				return;
			}
			api('POST', '/admin/api/comments/bulk', {ids: part, action: a})
				.then(function (r) {
				if (r.status !== 200) {
					toast(r.status === 400 || r.status === 404 ?
						L.bulkFailed : errText(r), true);
					if (done)
						toast(L.doneMany(a, done));
					refreshStats(300);
					reload();
					return;
				}
				done += r.data && typeof r.data.updated === 'number' ?
					r.data.updated : part.length;
				part.forEach(function (id) {
					var row = S.rows[id];
					if (!row)
						return;
					row.el.classList.remove('ba-busy');
					setChecked(id, false);
					if (RESULT[a] !== S.f.status)
						removeRow(id);
				});
				nextChunk();
			});
		})();
	}

	/* ---------------------------------------------------------------
	 * Keyboard shortcuts of the queue. Off while typing and while a
	 * modifier is held (the browser's own shortcuts win).
	 */
	d.addEventListener('keydown', function (ev) {
		var t = ev.target, row, k = ev.key, b;

		if (!S.me || S.view !== 'comments' || ev.ctrlKey || ev.metaKey ||
		    ev.altKey || ev.isComposing)
			return;
		if (t && t.closest && t.closest('input:not([type="checkbox"]):not(' +
		    '[type="radio"]):not([type="button"]), textarea, select, ' +
		    '[contenteditable=""], [contenteditable="true"]'))
			return;
		if (ui.help && ui.help.open) {
			if (k === '?') {
				ev.preventDefault();
				toggleHelp();
			}
			return;
		}
		row = S.cur >= 0 ? S.rows[S.order[S.cur]] : null;
		switch (k) {
		case 'j':
		case 'k':
			ev.preventDefault();
			if (S.cur < 0)
				setCursor(0);
			else
				setCursor(S.cur + (k === 'j' ? 1 : -1));
			return;
		case '?':
			ev.preventDefault();
			toggleHelp();
			return;
		case '/':
			ev.preventDefault();
			ui.q.focus();
			ui.q.select();
			return;
		}
		if (!row)
			return;
		if (k === 'x') {
			ev.preventDefault();
			setChecked(row.c.id, !row.checked);
			bulkState();
		} else if (k === 'e') {
			b = row.el.querySelector('[data-action="edit"]');
			if (b) {
				ev.preventDefault();
				openEditor(row, 'edit');
			}
		} else if (k === 'o') {
			if (/^https?:\/\//i.test(row.c.article_url || '')) {
				ev.preventDefault();
				window.open(row.c.article_url, '_blank', 'noopener');
			}
		} else if (k === 'a' || k === 'r' || k === 's' || k === 'd') {
			var a = {a: 'approve', r: 'reject', s: 'spam', d: 'delete'}[k];
			b = row.el.querySelector('.ba-actions [data-action="' + a + '"]');
			ev.preventDefault();
			if (b && !row.busy)
				act(row, a);
		}
	});

	/* ---------------------------------------------------------------
	 * Bans.
	 */
	function table(cols) {
		var tr = h('tr');
		cols.forEach(function (c) { tr.append(h('th', {scope: 'col', text: c})); });
		var tbody = h('tbody');
		return {el: h('div', {class: 'ba-table-wrap'}, [
			h('table', {class: 'ba-table'}, [h('thead', {}, [tr]), tbody])]),
			body: tbody};
	}

	function bansView() {
		var email = h('input', {name: 'value', type: 'email',
			autocomplete: 'off', required: true});
		var reason = h('input', {name: 'reason', maxlength: '200',
			placeholder: L.reasonPh});
		var expires = h('select', {name: 'expires_in'}, DURATIONS.map(
			function (s, i) {
				return h('option', {value: s == null ? '' : String(s),
					text: L.durations[i]});
			}));
		/* A ban on every site, or on one. */
		var site = h('select', {name: 'site'},
			[h('option', {value: '', text: L.allSites})]);
		var msg = h('p', {class: 'ba-form-msg', role: 'alert'});
		var go = button(L.add, 'ba-primary', null, {type: 'submit'});
		var form = h('form', {class: 'ba-card ba-ban-form', novalidate: true}, [
			h('h2', {text: L.banAddTitle}),
			h('div', {class: 'ba-row'}, [field(L.email, email, 'ba-grow'),
				field(L.site, site), field(L.reason, reason, 'ba-grow'),
				field(L.banFor, expires), go]),
			msg]);
		var t = table([L.kinds.ip + ' / ' + L.kinds.email, L.value, L.site,
			L.reason, L.expires, L.created, L.by, '']);

		function fillBanSites(by) {
			Object.keys(by || {}).sort().forEach(function (k) {
				site.append(h('option', {value: k, text: k}));
			});
		}
		if (S.stats)
			fillBanSites(S.stats.by_site);
		else
			api('GET', '/admin/api/stats').then(function (r) {
				if (r.status === 200 && r.data)
					fillBanSites(r.data.by_site);
			});
		var empty = h('p', {class: 'ba-empty', hidden: true, text: L.noBans});
		var status = h('p', {class: 'ba-list-msg', text: L.loading});

		expires.value = String(30 * 86400);
		clear(ui.view);
		ui.view.append(h('h1', {class: 'ba-h1', text: L.bansTitle}), form,
			status, t.el, empty);

		form.addEventListener('submit', function (ev) {
			var v = email.value.trim();
			ev.preventDefault();
			email.removeAttribute('aria-invalid');
			msg.textContent = '';
			if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v)) {
				email.setAttribute('aria-invalid', 'true');
				msg.textContent = L.badEmail;
				email.focus();
				return;
			}
			go.disabled = true;
			api('POST', '/admin/api/bans', {kind: 'email', value: v,
				site: site.value || undefined, reason: reason.value.trim(),
				expires_in: expires.value ? Number(expires.value) : null})
				.then(function (r) {
				go.disabled = false;
				if (r.status === 201 || r.status === 200) {
					email.value = '';
					reason.value = '';
					toast(L.banned(v));
					list();
				} else {
					msg.textContent = r.status === 400 ? L.badEmail : errText(r);
					if (r.status === 400)
						email.setAttribute('aria-invalid', 'true');
				}
			});
		});

		function list() {
			api('GET', '/admin/api/bans').then(function (r) {
				if (S.view !== 'bans')
					return;
				if (r.status !== 200 || !r.data || !Array.isArray(r.data.bans)) {
					status.hidden = false;
					status.className = 'ba-list-msg ba-bad';
					status.textContent = errText(r);
					return;
				}
				status.hidden = true;
				clear(t.body);
				r.data.bans.forEach(function (b) {
					var rm = button(L.unban, 'ba-quiet ba-danger', function () {
						rm.disabled = true;
						api('DELETE', '/admin/api/bans/' + b.id).then(function (x) {
							if (x.status === 204 || x.status === 200) {
								tr.remove();
								toast(L.unbanned(b.value));
								empty.hidden = t.body.children.length > 0;
							} else {
								rm.disabled = false;
								toast(errText(x), true);
							}
						});
					});
					var tr = h('tr', {}, [
						h('td', {text: L.kinds[b.kind] || b.kind}),
						h('td', {}, [h('code', {class: 'ba-value',
							text: b.value})]),
						h('td', {text: b.site || L.allSites}),
						h('td', {text: b.reason || ''}),
						h('td', {}, [b.expires_at ? timeEl(b.expires_at) :
							h('span', {class: 'ba-muted', text: L.never})]),
						h('td', {}, [timeEl(b.created_at)]),
						h('td', {text: b.created_by || ''}),
						h('td', {class: 'ba-td-act'}, [rm])]);
					t.body.append(tr);
				});
				empty.hidden = r.data.bans.length > 0;
			});
		}
		list();
		email.focus();
	}

	/* ---------------------------------------------------------------
	 * Audit log (admins).
	 */
	function showValue(v) {
		if (v == null)
			return '';
		/* Edits are logged as JSON text: {"name", "body"}. */
		if (typeof v === 'string' && /^\{[\s\S]*\}$/.test(v)) {
			try {
				v = JSON.parse(v);
			} catch (e) {
				return v;
			}
		}
		if (typeof v !== 'object')
			return String(v);
		return Object.keys(v).map(function (k) {
			var x = v[k];
			return k + ': ' + (x != null && typeof x === 'object' ?
				JSON.stringify(x) : String(x));
		}).join('\n');
	}

	function statusText(v) {
		return L.status[v] || v;
	}

	function auditView() {
		var t = table([L.at, L.user, L.action, L.comment, L.ip, L.change]);
		var status = h('p', {class: 'ba-list-msg', text: L.loading});
		var empty = h('p', {class: 'ba-empty', hidden: true, text: L.noAudit});
		var more = button(L.more, 'ba-more', function () { page(); },
			{hidden: true});
		var next = null;

		clear(ui.view);
		ui.view.append(h('h1', {class: 'ba-h1', text: L.auditTitle}), status,
			t.el, empty, more);

		function page() {
			var p = new URLSearchParams({limit: '100'});
			if (next != null)
				p.set('before', String(next));
			more.disabled = true;
			api('GET', '/admin/api/audit?' + p).then(function (r) {
				more.disabled = false;
				if (S.view !== 'audit')
					return;
				if (r.status !== 200 || !r.data || !Array.isArray(r.data.entries)) {
					status.hidden = false;
					status.className = 'ba-list-msg ba-bad';
					status.textContent = errText(r);
					return;
				}
				status.hidden = true;
				r.data.entries.forEach(function (e) {
					var before = statusText(showValue(e.before));
					var after = statusText(showValue(e.after));
					/* What a ban, unban or hard delete acted on. */
					if (e.detail != null)
						after = (after ? after + '\n' : '') +
							showValue(e.detail);
					t.body.append(h('tr', {}, [
						h('td', {}, [timeEl(e.at)]),
						h('td', {text: e.user || ''}),
						h('td', {text: L.actions[e.action] || e.action || ''}),
						h('td', {text: e.comment_id != null ? '#' + e.comment_id : ''}),
						h('td', {}, [e.ip_hash ? h('code', {title: e.ip_hash,
							text: String(e.ip_hash).slice(0, 6)}) : null]),
						h('td', {class: 'ba-change'}, before || after ? [
							h('span', {class: 'ba-before', text: before}),
							before && after ? ' → ' : null,
							h('span', {class: 'ba-after', text: after})] : [])
					]));
				});
				next = r.data.next == null ? null : r.data.next;
				more.hidden = next == null;
				empty.hidden = t.body.children.length > 0;
			});
		}
		page();
	}

	/* ---------------------------------------------------------------
	 * Users (admins; read only: accounts are managed with
	 * `bandocd user ...` on the server).
	 */
	function usersView() {
		var t = table([L.name, L.role, L.state, L.created, L.lastLogin]);
		var status = h('p', {class: 'ba-list-msg', text: L.loading});

		clear(ui.view);
		ui.view.append(h('h1', {class: 'ba-h1', text: L.usersTitle}), status,
			t.el);
		api('GET', '/admin/api/users').then(function (r) {
			if (S.view !== 'users')
				return;
			if (r.status !== 200 || !r.data || !Array.isArray(r.data.users)) {
				status.className = 'ba-list-msg ba-bad';
				status.textContent = errText(r);
				return;
			}
			status.hidden = true;
			r.data.users.forEach(function (u) {
				t.body.append(h('tr', {class: u.disabled ? 'ba-disabled' : null}, [
					h('td', {text: u.name}),
					h('td', {text: L.roles[u.role] || u.role}),
					h('td', {text: u.disabled ? L.disabled : L.active}),
					h('td', {}, [timeEl(u.created_at)]),
					h('td', {}, [u.last_login ? timeEl(u.last_login) :
						h('span', {class: 'ba-muted', text: L.neverLogged})])]));
			});
		});
	}

	start();
})();
