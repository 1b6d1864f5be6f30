/*
 * pow.js: the proof of work of a bandoc CAPTCHA (ALTCHA protocol v1):
 * find n in 0..maxnumber with SHA-256(salt + n) = challenge.
 *
 * embed.js loads it lazily, in a Web Worker (importScripts from a blob
 * worker) so that the page never waits, or on the page when workers are
 * not allowed. SHA-256 is written out here instead of calling
 * crypto.subtle.digest: that call costs ~8 us a try however short the
 * input, while this one hashes the salt's whole blocks once and only the
 * last one or two blocks per try, about 10 times faster in V8. It is
 * checked against crypto.subtle by the e2e tests.
 */
(function (g) {
	'use strict';
	var K = [], H0 = [], W = new Int32Array(64);

	/* The constants: fractional bits of the square and cube roots of
	 * the first primes. */
	(function () {
		var n = 2, i = 0, d;

		function frac(x) {
			return (x - Math.floor(x)) * 4294967296 | 0;
		}
		while (i < 64) {
			for (d = 2; d * d <= n && n % d; d++)
				;
			if (d * d > n) {
				if (i < 8)
					H0[i] = frac(Math.sqrt(n));
				K[i++] = frac(Math.cbrt(n));
			}
			n++;
		}
	})();

	/* One block (16 big-endian words from b at off) into state s. */
	function block(s, b, off) {
		var a = s[0], c1 = s[1], c2 = s[2], c3 = s[3], e = s[4], f = s[5],
			gg = s[6], h = s[7], i, t1, t2, x, y;

		for (i = 0; i < 16; i++)
			W[i] = b[off + 4 * i] << 24 | b[off + 4 * i + 1] << 16 |
				b[off + 4 * i + 2] << 8 | b[off + 4 * i + 3];
		for (; i < 64; i++) {
			x = W[i - 15];
			y = W[i - 2];
			W[i] = ((x >>> 7 | x << 25) ^ (x >>> 18 | x << 14) ^ x >>> 3) +
				W[i - 7] + ((y >>> 17 | y << 15) ^ (y >>> 19 | y << 13) ^
				y >>> 10) + W[i - 16] | 0;
		}
		for (i = 0; i < 64; i++) {
			t1 = h + ((e >>> 6 | e << 26) ^ (e >>> 11 | e << 21) ^
				(e >>> 25 | e << 7)) + (e & f ^ ~e & gg) + K[i] + W[i] | 0;
			t2 = ((a >>> 2 | a << 30) ^ (a >>> 13 | a << 19) ^
				(a >>> 22 | a << 10)) + (a & c1 ^ a & c2 ^ c1 & c2) | 0;
			h = gg;
			gg = f;
			f = e;
			e = c3 + t1 | 0;
			c3 = c2;
			c2 = c1;
			c1 = a;
			a = t1 + t2 | 0;
		}
		s[0] = s[0] + a | 0;
		s[1] = s[1] + c1 | 0;
		s[2] = s[2] + c2 | 0;
		s[3] = s[3] + c3 | 0;
		s[4] = s[4] + e | 0;
		s[5] = s[5] + f | 0;
		s[6] = s[6] + gg | 0;
		s[7] = s[7] + h | 0;
	}

	/* Calls done(n), or done(-1) when there is none up to maxnumber. */
	function solve(p, done) {
		var salt = [], mid = H0.slice(), want = [], buf = new Uint8Array(128),
			s = new Int32Array(8), n = 0, i, full, tail, len, bits, k, m;

		for (i = 0; i < p.salt.length; i++)
			salt.push(p.salt.charCodeAt(i) & 255); /* ASCII */
		for (i = 0; i < 8; i++)
			want[i] = parseInt(p.challenge.substr(8 * i, 8), 16) | 0;
		full = salt.length - salt.length % 64;
		for (i = 0; i < full; i += 64)
			block(mid, salt, i);
		tail = salt.slice(full);
		(function run() {
			var stop = n + 20000;

			for (; n <= p.maxnumber && n < stop; n++) {
				m = String(n);
				len = tail.length;
				for (i = 0; i < len; i++)
					buf[i] = tail[i];
				for (i = 0; i < m.length; i++)
					buf[len++] = m.charCodeAt(i);
				bits = (salt.length + m.length) * 8;
				buf[len++] = 128;
				k = len > 56 ? 128 : 64;
				while (len < k - 4)
					buf[len++] = 0;
				buf[len++] = bits >>> 24;
				buf[len++] = bits >>> 16 & 255;
				buf[len++] = bits >>> 8 & 255;
				buf[len++] = bits & 255;
				s.set(mid);
				block(s, buf, 0);
				if (k === 128)
					block(s, buf, 64);
				for (i = 0; i < 8 && s[i] === want[i]; i++)
					;
				if (i === 8)
					return done(n);
			}
			if (n > p.maxnumber)
				return done(-1);
			/* On a page: let it breathe between rounds. */
			setTimeout(run, 0);
		})();
	}

	g.bandocPow = solve;
	if (typeof importScripts === 'function' && typeof document === 'undefined')
		g.onmessage = function (e) {
			solve(e.data, function (n) { g.postMessage(n); });
		};
})(self);
