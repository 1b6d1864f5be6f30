#!/usr/bin/env bash
# bandoc developer entry point. On a fresh Debian 12 machine as root:
#   ./dev.sh run [--fresh]   install what is missing, build, start the demo on
#                    127.0.0.1:8080 (--fresh first wipes var/, the demo's data)
#   ./dev.sh test    same set-up, then the whole suite under ASan+UBSan
#   ./dev.sh bench   release build, wrk benchmarks against a bare libmicrohttpd server
#   ./dev.sh soak    release build, 2 M mixed requests: no reply slower than 1 s, none lost
#   ./dev.sh fuzz [seconds]   libFuzzer targets (clang), each for [60] seconds
#   ./dev.sh docs    print the configuration table for README.md
#   ./dev.sh deb     Debian package of the working tree: build-deb/bandoc_*.deb
set -euo pipefail
cd "$(dirname "$0")"
top=$(pwd)

# Debian packages the build, the daemon and the tests need.
build_pkgs=(build-essential cmake pkg-config libmicrohttpd-dev libgd-dev
	libsqlite3-dev sqlite3 libsodium-dev libjansson-dev libutf8proc-dev
	libinih-dev libsystemd-dev libcurl4-openssl-dev curl zlib1g-dev
	libidn2-dev libxml2-dev libpq-dev)
# tesseract-ocr reads the images (ctest ocr), pocketsphinx with its
# en-us model listens to the audio (ctest audio_asr): docs/captcha.md.
test_pkgs=(libcmocka-dev libcurl4-openssl-dev tesseract-ocr clang
	libclang-rt-14-dev valgrind cppcheck debootstrap nftables jq systemd nginx
	pocketsphinx pocketsphinx-en-us postgresql-15)
bench_pkgs=(wrk)
# The build dependencies of the package are debian/control's.
deb_pkgs=(dpkg-dev debhelper lintian)

apt_get() { # apt_get ARGS...: apt-get ARGS as root, quietly, after one update
	if [ "$(id -u)" -ne 0 ]; then
		echo "need root to install packages (or install them yourself)" >&2
		exit 1
	fi
	[ -n "${apt_updated:-}" ] || apt-get update -qq
	apt_updated=1
	DEBIAN_FRONTEND=noninteractive apt-get -y -qq --no-install-recommends \
		"$@" >/dev/null
}

need() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
			missing+=("$p")
	done
	if ((${#missing[@]})); then
		echo "== installing: ${missing[*]}"
		apt_get install "${missing[@]}"
	fi
}

build() { # build DIR [cmake args...]
	local dir=$1
	shift
	cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
	cmake --build "$dir" -j"$(nproc)"
}

seed_article() {
	if [ -f ../shared/seed-article.txt ]; then
		echo "$top/../shared/seed-article.txt"
	else
		echo "$top/docs/demo/seed-article.txt"
	fi
}

demo_config() {
	mkdir -p var
	cat >var/demo.conf <<CONF
; Written by ./dev.sh run: a demo configuration for 127.0.0.1:8080.
[server]
listen = 127.0.0.1:8080
data_dir = $top/var
fonts_dir = $top/fonts
public_url = http://127.0.0.1:8080
demo_article = $(seed_article)
log_level = info
; plain HTTP on loopback: the moderators' cookie cannot be Secure here
admin_secure_cookie = off

[site.lamdong]
name = Báo Lâm Đồng (demo)
origins = http://127.0.0.1:8080 http://localhost:8080
lang = vi
CONF
}

cmd=${1:-help}
case "$cmd" in
run)
	if [ "${2:-}" = --fresh ]; then
		echo "== --fresh: removing var/ (demo database, secrets, config)"
		rm -rf var
	fi
	need "${build_pkgs[@]}"
	build build -DBANDOC_TESTS=OFF
	demo_config
	./build/bandocd check-config -c var/demo.conf
	# A demo admin with a random password, shown once.
	if ! ./build/bandocd user list -c var/demo.conf 2>/dev/null | grep -q '^admin '; then
		admin_line=$(./build/bandocd user add admin --role admin -c var/demo.conf --generate)
	else
		admin_line="admin exists (reset: ./build/bandocd user passwd admin -c var/demo.conf --generate)"
	fi
	cat <<MSG

== bandoc demo
  Article page:   http://127.0.0.1:8080/
  Health:         http://127.0.0.1:8080/healthz
  No-JS comments: http://127.0.0.1:8080/embed/comments?site=lamdong&article=demo
  Moderation:     http://127.0.0.1:8080/admin   ($admin_line)
  Metrics:        http://127.0.0.1:8080/metrics
  Config:         var/demo.conf   Database: var/bandoc.db
  Reset the demo: ./dev.sh run --fresh   (wipes var/: comments, accounts, keys)
  Stop with Ctrl-C.

MSG
	exec ./build/bandocd serve -c var/demo.conf
	;;
test)
	need "${build_pkgs[@]}" "${test_pkgs[@]}"
	build build-asan -DSANITIZE=address,undefined -DWERROR=ON -DBANDOC_TESTS=ON
	export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
	export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
	if [ $# -gt 1 ]; then
		(cd build-asan && ctest --output-on-failure -j2 "${@:2}")
	else # the soak is ./dev.sh soak's
		(cd build-asan && ctest --output-on-failure -j2 -LE soak)
	fi
	if [ $# -gt 1 ]; then
		exit 0 # a chosen subset: no extra analysis
	fi
	echo "== fuzz targets: seeds and regressions, then 5 s each"
	CC=clang build build-fuzz -DFUZZ=ON -DSANITIZE=address,undefined \
		-DWERROR=ON -DBANDOC_TESTS=ON >/dev/null
	(cd build-fuzz && ctest --output-on-failure -L fuzz)
	FUZZ_JOBS=2 tests/fuzz/run.sh build-fuzz 5
	echo "== valgrind (memcheck) on the unit tests"
	build build-valgrind -DCMAKE_BUILD_TYPE=Debug -DWERROR=ON -DBANDOC_TESTS=ON >/dev/null
	for t in test_config test_routes test_storage test_text test_challenge; do
		BANDOC_FONTS_DIR=$top/fonts valgrind -q --error-exitcode=1 \
			--leak-check=full --errors-for-leak-kinds=definite \
			"build-valgrind/tests/$t" >/dev/null
		echo "valgrind $t: clean"
	done
	echo "== memory bounds: 5,000 connections and floods, plain build"
	# Under ASan the RSS is not the daemon's (quarantine, red zones): the
	# bounds of these two fault tests are checked here, without it.
	BANDOC_TEST_FILTER='test_memory_*' build-valgrind/tests/test_fault |
		grep -E 'RSS|flood|OK|FAIL'
	echo "== cppcheck"
	# uninitvar in captcha.c: cppcheck assumes the loops that fill the
	# warp tables may run zero times; their bounds are the glyph size,
	# never 0 (checked when the glyphs are made).
	cppcheck --quiet --enable=warning,performance,portability --std=c11 \
		--error-exitcode=1 --inline-suppr -D__GNUC__ -I include \
		--suppress=uninitvar:service/captcha.c service
	echo "cppcheck: no findings"
	;;
fuzz)
	need "${build_pkgs[@]}" "${test_pkgs[@]}"
	CC=clang build build-fuzz -DFUZZ=ON -DSANITIZE=address,undefined -DBANDOC_TESTS=ON
	tests/fuzz/run.sh build-fuzz "${2:-60}"
	;;
bench)
	# bench_mint (tokens for the comment scenario) links the test support.
	need "${build_pkgs[@]}" "${bench_pkgs[@]}" libcmocka-dev
	build build-release -DCMAKE_BUILD_TYPE=Release -DBANDOC_TESTS=ON
	bench/bench.sh build-release "${2:-10}"
	;;
soak)
	# tests/soak/soak.c: SOAK_REQUESTS, SOAK_CONNS, SOAK_THREADS.
	need "${build_pkgs[@]}" libcmocka-dev
	build build-release -DCMAKE_BUILD_TYPE=Release -DBANDOC_TESTS=ON
	(cd build-release && ctest --output-on-failure -L soak)
	;;
docs)
	need "${build_pkgs[@]}"
	build build -DBANDOC_TESTS=OFF >/dev/null
	./build/bandocd config-doc
	;;
deb)
	# Built from a copy of the working tree (uncommitted changes included,
	# build dirs and var/ left out) in build-deb/, so that what
	# dpkg-buildpackage writes (obj-*/, debian/bandoc/, ../*.deb) stays out
	# of the tree and out of its parent.
	need "${deb_pkgs[@]}"
	version=$(dpkg-parsechangelog -S Version)
	src=build-deb/bandoc-$version
	deb=build-deb/bandoc_${version}_$(dpkg --print-architecture).deb
	rm -rf build-deb
	mkdir -p "$src"
	tar --exclude=./.git --exclude='./build*' --exclude=./var \
		--exclude=node_modules --exclude=./tests/e2e/artifacts -cf - . |
		tar -C "$src" -xf -
	cd "$src"
	if ! unmet=$(dpkg-checkbuilddeps 2>&1); then
		echo "== installing the build dependencies: ${unmet##*: }"
		apt_get build-dep ./
	fi
	dpkg-buildpackage -us -uc -b -j"$(nproc)"
	cd "$top"
	echo "== lintian"
	lintian --fail-on error "$deb"
	echo "== package: $top/$deb"
	;;
*)
	sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
	[ "$cmd" = help ] || exit 2
	;;
esac
