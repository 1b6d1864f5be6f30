# tests/fresh/lib.sh: what the fresh-machine tests share (sourced, not run).
#
#   run.sh  `./dev.sh run` in a pristine Debian 12 root      (ctest fresh)
#   deb.sh  `./dev.sh deb` in one, `apt-get install` of the
#           package in a second one                           (ctest fresh_deb)
#
# The caller sets `set -euo pipefail`, then test_name (its messages' prefix),
# logs (the name of its log directory under BUILD_DIR/fresh-cache/),
# build (BUILD_DIR) and rev (REVISION), and sources this file. Sourcing
# checks the host, takes the host-wide lock, arms the cleanup and removes
# what killed runs left behind; then the caller uses:
#
#   fresh_root        a pristine root on $root: the cached debootstrap
#                     tarball extracted anew into a tmpfs (any earlier
#                     root there is unmounted first), with the host's
#                     nameservers in /etc/resolv.conf
#   fresh_code        `git archive $rev` as $root/root/bandoc
#   fresh_net         the network namespace with its way to the mirror
#   inroot CMD...     CMD in the root, in the namespace (waits for it)
#   root_exec CMD...  the same, but execs: call it in the background, and
#                     $! is the process CMD finally execs
#   wait_healthz ...  get/expect/has, check_embed_js, check_captcha,
#                     stop_daemon: the HTTP checks and the clean stop
#
# Namespace, veth, NAT table, ip_forward and the root's tmpfs are undone on
# any exit; a run killed outright (ctest's timeout) is cleaned up by the
# next run. Details and limits: docs/fresh-machine.md.
#
# BANDOC_FRESH_NET: the /30 used for the veth pair (default 10.213.77).
# BANDOC_FRESH_KEEP=1: after a failure, leave the root mounted to look
# into (the next run, or `umount BUILD_DIR/fresh-cache/root`, frees it).

# EPOCHREALTIME and printf follow LC_NUMERIC: a decimal comma would break
# the timings.
export LC_ALL=C

lib_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$lib_dir/../.." && pwd)
net=${BANDOC_FRESH_NET:-10.213.77}
suite=bookworm
mirror=http://deb.debian.org/debian

if [ "$(id -u)" -ne 0 ]; then
	echo "$test_name: SKIPPED: needs root (debootstrap, chroot, namespaces)" >&2
	exit 77
fi

fail() {
	echo "$test_name: FAIL: $*" >&2
	exit 1
}

# Phase timings, printed at exit whatever the outcome.
phases=()
t_phase=${EPOCHREALTIME/./}
phase_end() { # phase_end NAME: the time since the previous phase_end
	local now=${EPOCHREALTIME/./}
	phases+=("$(printf '%-34s %7.1f s' "$1" "$(((now - t_phase) / 100000))e-1")")
	t_phase=$now
}
add_phase() { # add_phase NAME MICROSECONDS: a phase measured otherwise
	phases+=("$(printf '%-34s %7.1f s' "$1" "$(($2 / 100000))e-1")")
}
t_start=$t_phase

# Host tools. Only the host runs them; none of them enters the root.
missing=()
for t in debootstrap:debootstrap nft:nftables jq:jq ip:iproute2 \
	curl:curl unshare:util-linux nsenter:util-linux flock:util-linux \
	findmnt:util-linux mountpoint:util-linux; do
	command -v "${t%%:*}" >/dev/null || missing+=("${t#*:}")
done
if ((${#missing[@]})); then
	echo "== $test_name: installing on the host: ${missing[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends "${missing[@]}" >/dev/null
fi
git -C "$repo" rev-parse -q --verify "$rev^{commit}" >/dev/null ||
	fail "no revision '$rev' in $repo"
commit=$(git -C "$repo" rev-parse --short "$rev^{commit}")

mkdir -p "$build"
cache=$(cd "$build" && pwd)/fresh-cache
tarball=$cache/$suite-minbase.tar
root=$cache/root
out=$cache/$logs # logs and replies of the last run
mkdir -p "$cache"

# One run at a time on this host: ip_forward and the NAT table are global.
state_top=/run/bandoc-fresh
mkdir -p "$state_top" /run/netns
# fd 9 is closed for the root's processes: leftovers of a killed run must
# not hold the lock that the next run takes before it removes them.
exec 9>"$state_top/lock"
flock -w 900 9 || fail "another fresh test held $state_top/lock for 15 min"

id=$$
nsname=bandoc-fresh-$id
nsfile=/run/netns/$nsname
veth=bfresh$id # host end; the namespace's end is its eth0
table=bandoc_fresh_$id
state=$state_top/$id
pid=

ns_procs() { # ns_procs NSFILE: the processes in that network namespace
	local ino p
	ino=$(stat -L -c %i "$1" 2>/dev/null) || return 0
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/ns/net" 2>/dev/null)" = "net:[$ino]" ] &&
			echo "${p#/proc/}"
	done
	return 0
}

unmount_root() { # unmount_root DIR: the tmpfs of a root, if mounted
	# The chroot's own mounts live in its private mount namespace and went
	# with its processes; anything under DIR in this namespace would be a
	# bug of this script.
	local m
	m=$(findmnt -rn -o TARGET | grep -F "$1/" || true)
	if [ -n "$m" ]; then
		echo "$test_name: unexpected mounts under $1:" >&2
		echo "$m" >&2
		umount -R "$1" || umount -R -l "$1"
		return 1
	fi
	if mountpoint -q "$1"; then
		umount "$1" || { umount -l "$1"; return 1; }
	fi
	return 0
}

teardown() { # teardown ID: undo everything run ID set up; safe to repeat
	local i=$1 f=/run/netns/bandoc-fresh-$1 procs n ret=0
	procs=$(ns_procs "$f")
	if [ -n "$procs" ]; then
		# shellcheck disable=SC2086 # a list of pids
		kill -KILL $procs 2>/dev/null || true
		for ((n = 0; n < 100; n++)); do
			[ -z "$(ns_procs "$f")" ] && break
			sleep 0.1
		done
	fi
	if [ -e "$f" ]; then
		umount "$f" 2>/dev/null || true
		rm -f "$f"
	fi
	ip link del "bfresh$i" 2>/dev/null || true
	nft delete table ip "bandoc_fresh_$i" 2>/dev/null || true
	if [ -f "$state_top/$i/ip_forward" ]; then
		cat "$state_top/$i/ip_forward" >/proc/sys/net/ipv4/ip_forward
	fi
	if [ -f "$state_top/$i/root" ]; then
		unmount_root "$(cat "$state_top/$i/root")" || ret=1
	fi
	rm -rf "${state_top:?}/$i"
	return "$ret"
}

cleanup() {
	local rc=$?
	trap - EXIT
	if [ -n "$pid" ] && [ -e "/proc/$pid" ]; then
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	if ((rc != 0)) && [ "${BANDOC_FRESH_KEEP:-}" = 1 ]; then
		rm -f "$state/root"
		echo "$test_name: the root stays mounted on $root (BANDOC_FRESH_KEEP)" >&2
	fi
	teardown "$id" || rc=1
	if ((rc == 0)); then phase_end "cleanup"; else phase_end "failed step, cleanup"; fi
	echo "== $test_name: timings ($commit)"
	printf '  %s\n' "${phases[@]}"
	add_phase "total" $((${EPOCHREALTIME/./} - t_start))
	printf '  %s\n' "${phases[-1]}"
	if ((rc == 0)); then
		echo "$test_name: PASS ($rev = $commit)"
	else
		echo "$test_name: FAILED ($rev = $commit), exit $rc; logs in $out" >&2
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# Runs killed outright left their state behind; while this run holds the
# lock, every other state directory is such a leftover.
for d in "$state_top"/[0-9]*; do
	[ -d "$d" ] || continue
	echo "== $test_name: cleaning up after run ${d##*/}"
	teardown "${d##*/}"
done
for f in /run/netns/bandoc-fresh-*; do
	[ -e "$f" ] && teardown "${f##*-}"
done
mkdir -p "$state"
rm -rf "$out"
mkdir -p "$out"
phase_end "host tools, lock"

# DNS as the host has it. A loopback resolver (systemd-resolved's stub) is
# not reachable from the namespace: take its upstream file.
resolv=/etc/resolv.conf
[ -f /run/systemd/resolve/resolv.conf ] && resolv=/run/systemd/resolve/resolv.conf
grep -q '^nameserver' "$resolv" || fail "no nameserver in $resolv"
if grep -Eq '^nameserver[[:space:]]+(127\.|::1)' "$resolv"; then
	fail "$resolv names a loopback resolver, unreachable from the namespace"
fi

fresh_root() { # fresh_root [WHAT]: a pristine root on $root
	# Made once, written to a temporary name and renamed, so that an
	# interrupted debootstrap is never taken for a cache.
	if [ ! -f "$tarball" ]; then
		echo "== $test_name: debootstrap --variant=minbase $suite (once; cached in $tarball)"
		local tmp=$cache/debootstrap.tmp
		rm -rf --one-file-system "$tmp"
		if ! debootstrap --variant=minbase "$suite" "$tmp" "$mirror" \
			>"$cache/debootstrap.log" 2>&1; then
			tail -n 20 "$cache/debootstrap.log" >&2
			fail "debootstrap failed (log: $cache/debootstrap.log)"
		fi
		# The downloaded .debs are debootstrap's, not part of a new machine.
		rm -f "$tmp"/var/cache/apt/archives/*.deb
		tar --numeric-owner -C "$tmp" -cf "$tarball.tmp" .
		mv "$tarball.tmp" "$tarball"
		rm -rf --one-file-system "$tmp"
		phase_end "debootstrap (first run only)"
	fi
	unmount_root "$root" # an earlier root, or one kept by BANDOC_FRESH_KEEP
	rm -rf --one-file-system "$root"
	mkdir -p "$root"
	echo "$root" >"$state/root"
	mount -t tmpfs -o size=6g,mode=755 bandoc-fresh "$root"
	tar --numeric-owner -C "$root" -xpf "$tarball"
	rm -f "$root/etc/resolv.conf"
	grep -E '^(nameserver|search|options)' "$resolv" >"$root/etc/resolv.conf"
	phase_end "extract pristine root${1:+ ($1)}"
}

fresh_code() { # the code under test, as committed
	mkdir -p "$root/root/bandoc"
	git -C "$repo" archive --format=tar "$rev" | tar -C "$root/root/bandoc" -xf -
	phase_end "git archive $rev ($commit)"
}

# The network namespace: its own loopback, and eth0 to the host by a veth
# pair; the host masquerades what leaves through its own way out.
fresh_net() {
	local uplink mtu fwd_was guard=
	uplink=$(ip -4 route show default | awk '{for (i = 1; i < NF; i++)
		if ($i == "dev") { print $(i + 1); exit }}')
	[ -n "$uplink" ] || fail "the host has no default route: no way to the mirror"
	if ip -4 route show | grep -qF "$net."; then
		fail "$net.0/30 is in use on this host (set BANDOC_FRESH_NET)"
	fi
	mtu=$(cat "/sys/class/net/$uplink/mtu")
	touch "$nsfile"
	unshare --net="$nsfile" true
	ip link add "$veth" mtu "$mtu" type veth peer name eth0 mtu "$mtu" netns "$nsname"
	ip addr add "$net.1/30" dev "$veth"
	ip link set "$veth" up
	ip -n "$nsname" link set lo up
	ip -n "$nsname" addr add "$net.2/30" dev eth0
	ip -n "$nsname" link set eth0 up
	ip -n "$nsname" route add default via "$net.1"
	fwd_was=$(cat /proc/sys/net/ipv4/ip_forward)
	# Nothing on this host forwarded before: then nothing but ours may now.
	[ "$fwd_was" = 0 ] && guard="iifname != \"$veth\" oifname != \"$veth\" drop"
	nft -f - <<NFT
table ip $table {
	chain masq {
		type nat hook postrouting priority srcnat; policy accept;
		ip saddr $net.2 oifname != "$veth" masquerade
	}
	chain guard {
		type filter hook forward priority filter; policy accept;
		# Nobody outside opens a connection into the namespace.
		oifname "$veth" ct state != { established, related } drop
		$guard
	}
}
NFT
	if [ "$fwd_was" = 0 ]; then
		echo 0 >"$state/ip_forward"
		echo 1 >/proc/sys/net/ipv4/ip_forward
	fi
	phase_end "network namespace, veth, NAT"
}

inns() { nsenter --net="$nsfile" -- "$@"; }

# CMD as root would type it on the new machine: under chroot, a clean
# environment (PATH, HOME), nothing on stdin, in the network namespace and
# a private mount namespace (the root's /proc, /sys, /dev, /run exist only
# there and vanish with its processes). Every step execs the next
# (nsenter, unshare, sh, chroot, CMD), so that a caller in the background
# has CMD's final process as $!.
root_exec() {
	# shellcheck disable=SC2016 # expanded by the inner shell
	exec nsenter --net="$nsfile" -- unshare --mount --propagation private -- /bin/sh -ec '
		r=$1
		shift
		mount -t proc proc "$r/proc"
		mount -t sysfs -o ro sysfs "$r/sys"
		mount --rbind /dev "$r/dev"
		mount -t tmpfs -o mode=755,nosuid,nodev tmpfs "$r/run"
		mkdir -m 1777 "$r/run/lock"
		exec /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			HOME=/root TERM=dumb /usr/sbin/chroot "$r" "$@"
	' sh "$root" "$@" </dev/null 9>&-
}
inroot() { (root_exec "$@"); }

alive() { # alive PID: running, not a zombie
	local s
	s=$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$1/status" 2>/dev/null)
	[ -n "$s" ] && [ "$s" != Z ]
}

# wait_healthz WHAT LOG MAX: until /healthz says ok, at most MAX seconds.
# $pid (WHAT, started at $t_run, logging to LOG) exiting first is a
# failure, and its log says why.
wait_healthz() {
	local what=$1 log=$2 deadline=$((SECONDS + $3)) rc
	until [ "$(inns curl -s -m 2 http://127.0.0.1:8080/healthz 2>/dev/null)" = ok ]; do
		if ! alive "$pid"; then
			rc=0
			wait "$pid" || rc=$?
			pid=
			add_phase "$what until it exited" $((${EPOCHREALTIME/./} - t_run))
			t_phase=${EPOCHREALTIME/./}
			echo "---- last lines of $what:" >&2
			tail -n 25 "$log" >&2
			echo "----" >&2
			fail "$what exited with status $rc before /healthz answered"
		fi
		if ((SECONDS >= deadline)); then
			tail -n 25 "$log" >&2
			fail "/healthz did not answer 'ok' within $3 s"
		fi
		sleep 1
	done
}

base=http://127.0.0.1:8080
get() { # get PATH NAME [curl args]: body to $out/NAME, prints the status
	local path=$1 name=$2
	shift 2
	# No answer at all is status 000, reported by expect like any other.
	inns curl -sS -m 10 -o "$out/$name" -D "$out/$name.headers" \
		-w '%{http_code}' "$@" "$base$path" || true
}
expect() { # expect NAME WANT GOT
	[ "$3" = "$2" ] || fail "$1: status $3, expected $2 (reply in $out)"
}
has() { # has NAME TEXT: the body of NAME contains TEXT
	grep -qF -- "$2" "$out/$1" || fail "$1: body lacks '$2' (reply in $out/$1)"
}

check_embed_js() {
	local s
	s=$(get /embed.js embed.js)
	expect "GET /embed.js" 200 "$s"
	has embed.js "querySelectorAll('[data-bandoc-comments]')"
}

# check_captcha SITE: a challenge through the public API (docs/api.md),
# and its picture. Only the documented `image` member is read, so other
# members may come and go.
check_captcha() {
	local s img sig
	s=$(get /api/v1/captcha captcha.json \
		--data-urlencode site="$1" --data-urlencode kind=image --data-urlencode lang=vi)
	expect "POST /api/v1/captcha" 201 "$s"
	img=$(jq -er '.image | strings' "$out/captcha.json") ||
		fail "POST /api/v1/captcha: no string 'image' in $(cat "$out/captcha.json")"
	case $img in
	http://* | https://*) ;;
	/*) img=$base$img ;;
	*) fail "POST /api/v1/captcha: 'image' is not a URL or path: $img" ;;
	esac
	s=$(inns curl -sS -m 10 -o "$out/captcha.png" -w '%{http_code} %{content_type}' "$img" || true)
	expect "GET $img" "200 image/png" "$s"
	sig=$(head -c 8 "$out/captcha.png" | od -An -tx1 | tr -d ' \n')
	[ "$sig" = 89504e470d0a1a0a ] || fail "GET $img: not a PNG (first bytes $sig)"
	(($(stat -c %s "$out/captcha.png") > 100)) || fail "GET $img: a PNG of almost nothing"
}

# stop_daemon LOG: SIGTERM to $pid, which must exit 0 within 30 s.
stop_daemon() {
	local n rc=0
	kill -TERM "$pid"
	for ((n = 0; n < 300; n++)); do
		alive "$pid" || break
		sleep 0.1
	done
	alive "$pid" && fail "bandocd still runs 30 s after SIGTERM"
	wait "$pid" || rc=$?
	pid=
	((rc == 0)) || fail "bandocd exited with status $rc after SIGTERM (log: $1)"
	phase_end "SIGTERM, exit 0"
}
