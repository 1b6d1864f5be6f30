/*
 * The deliberate copies between the served scripts: admin.js and
 * embed.js each carry the element builder h(), because embed.js must
 * stay one self-contained script on other sites' pages (the reason is
 * written above h() in admin.js). The copies must stay the same to the
 * letter; this reads them as bandocd serves them, after the build's
 * rewriting, and says which file to fix when they drift.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BASE, closureFn as fn } from './lib.mjs';

async function served(path) {
	const r = await fetch(BASE + path);
	assert.equal(r.status, 200, `GET ${path}`);
	return r.text();
}

test('h() of admin.js and embed.js: one builder, two copies that agree',
	async () => {
		const admin = await served('/static/admin.js');
		const embed = await served('/embed.js');
		const a = fn(admin, 'h'), e = fn(embed, 'h');

		assert.ok(a, 'admin.js has no function h(tag, props, kids)');
		assert.ok(e, 'embed.js has no function h(tag, props, kids)');
		assert.match(admin, /A deliberate copy of h\(\) in embed\.js/,
			'admin.js: the note that says why h() is copied is gone');
		assert.match(embed, /A deliberate copy of h\(\) in\s+\*?\s*admin\.js/,
			'embed.js: the note that names the other copy is gone');
		assert.equal(e, a, 'h() differs between embed.js and admin.js: ' +
			'change both or neither (see the comment above it in admin.js)');
	});
