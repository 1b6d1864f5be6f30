#!/usr/bin/env bash
# The fresh-machine test: the README's first command, `./dev.sh run`, on a
# Debian 12 that has nothing but debootstrap's minbase, so that nothing
# installed on this host can make it pass.
#
#   tests/fresh/run.sh BUILD_DIR [REVISION]      (REVISION defaults to HEAD)
#
# 1. BUILD_DIR/fresh-cache/bookworm-minbase.tar is the pristine root, made
#    once by `debootstrap --variant=minbase bookworm` (the only download of
#    the root); every run extracts it anew into a tmpfs mounted on
#    BUILD_DIR/fresh-cache/root (about 1 GB of memory while it runs:
#    removing a built root from disk took 25-45 s here, an unmount none).
# 2. `git archive REVISION` becomes /root/bandoc: committed code only, never
#    the working tree, its build dirs or var/.
# 3. `./dev.sh run` runs there as root under chroot, in a private mount
#    namespace (its /proc, /sys, /dev, /run mounts exist only there) and a
#    private network namespace made with unshare, with its own loopback, so
#    that 127.0.0.1:8080 is never the host's. A veth pair with NAT
#    (nftables) is its only way out: dev.sh's apt-get needs the mirror.
# 4. Waits for /healthz (bounded), then checks /, /embed.js, a CAPTCHA PNG
#    issued through the public API, and /admin.
# 5. SIGTERM; bandocd must exit 0 (bounded wait).
# Namespace, veth, NAT table and ip_forward are undone on any exit; a run
# killed outright (ctest's timeout) is cleaned up by the next run. Steps 1
# and 3's machinery is tests/fresh/lib.sh, shared with deb.sh (the package).
#
# What the root contains: debootstrap minbase of bookworm (the Essential
# packages, apt and what apt needs), with the sources.list debootstrap
# writes (`deb http://deb.debian.org/debian bookworm main`). Each run adds
# only /etc/resolv.conf (the host's nameservers, as DHCP would give a new
# machine) and /root/bandoc. No package is added: the mirror is plain http,
# so not even ca-certificates.
#
# Exit 77 (skipped) only when not root: without root there is no
# debootstrap, chroot or namespace. As root (CI) any problem is a failure.
# BANDOC_FRESH_WAIT: seconds allowed from start to /healthz (default 720).
# BANDOC_FRESH_NET, BANDOC_FRESH_KEEP: see tests/fresh/lib.sh.
set -euo pipefail

test_name=fresh
logs=last
usage="usage: tests/fresh/run.sh BUILD_DIR [REVISION]"
build=${1:?$usage}
rev=${2:-HEAD}
wait_max=${BANDOC_FRESH_WAIT:-720}
# shellcheck source=tests/fresh/lib.sh
. "$(dirname "$0")/lib.sh"

# 1. The pristine root. 2. The code under test, as committed.
# shellcheck disable=SC2119 # fresh_root's one argument is optional
fresh_root
fresh_code

# 3. ./dev.sh run, as root would type it on the new machine, in the
# network namespace (dev.sh's apt-get needs the mirror). dev.sh execs the
# daemon, so $pid ends as bandocd.
fresh_net
t_run=${EPOCHREALTIME/./}
root_exec /bin/bash -c "cd /root/bandoc && exec ./dev.sh run" \
	>"$out/dev-run.log" 2>&1 &
pid=$!

# 4. /healthz, bounded. dev.sh exiting first is the failure this test is
# for: its log says why.
echo "== fresh: ./dev.sh run in the fresh root (log: $out/dev-run.log)"
wait_healthz "./dev.sh run" "$out/dev-run.log" "$wait_max"
t_up=${EPOCHREALTIME/./}
# dev.sh's steps, from what each left in the root: dpkg's status file is
# written last by the install, the daemon binary last by the build.
mtime_us() { local t; t=$(stat -c %.6Y "$1") && echo "${t/./}"; }
t_pkgs=$(mtime_us "$root/var/lib/dpkg/status")
t_built=$(mtime_us "$root/root/bandoc/build/bandocd")
add_phase "  dev.sh: apt-get update + install" $((t_pkgs - t_run))
add_phase "  dev.sh: cmake + build" $((t_built - t_pkgs))
add_phase "  dev.sh: config, admin, to /healthz" $((t_up - t_built))
add_phase "./dev.sh run to /healthz" $((t_up - t_run))
t_phase=$t_up

[ "$(cat "/proc/$pid/comm")" = bandocd ] ||
	fail "process $pid is $(cat "/proc/$pid/comm"), not bandocd: dev.sh did not exec the daemon"

s=$(get / page.html)
expect "GET /" 200 "$s"
has page.html "Báo Lâm Đồng (demo)" # the site of dev.sh's demo config
has page.html "data-bandoc-comments"

check_embed_js
check_captcha lamdong

s=$(get /admin admin.html)
expect "GET /admin" 200 "$s"
has admin.html 'id="bandoc-admin"'
has admin.html '<script src="/static/admin.'
phase_end "HTTP checks"

# 5. A clean stop: SIGTERM, then exit status 0 within 30 s.
stop_daemon "$out/dev-run.log"
echo "fresh: all checks passed"
