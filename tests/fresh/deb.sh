#!/usr/bin/env bash
# The fresh-machine test of the Debian package: README's "Running it for
# real" on Debian 12 roots that have nothing but debootstrap's minbase.
#
#   tests/fresh/deb.sh BUILD_DIR [REVISION]      (REVISION defaults to HEAD)
#
# 1. A pristine root (the cached debootstrap tarball, tests/fresh/lib.sh)
#    with `git archive REVISION` in /root/bandoc runs `./dev.sh deb` as
#    root: dev.sh installs the packaging tools and debian/control's
#    Build-Depends from the mirror, builds bandoc_VERSION_amd64.deb and
#    runs lintian (an error fails). Building here rather than on the host
#    proves that Build-Depends and `./dev.sh deb` are complete: nothing the
#    host has installed can help.
# 2. A SECOND pristine root, extracted anew from the same tarball, gets
#    only that .deb: `apt-get install ./bandoc_*.deb` resolves the
#    dependencies from the mirror. The files land where the package says
#    (/usr/sbin/bandocd, /etc/bandoc/bandoc.conf as a conffile, ...), and
#    `bandocd check-config -c /etc/bandoc/bandoc.conf` passes.
# 3. The daemon starts as the installed unit would start it. A chroot has
#    no systemd, so the unit is read and emulated: DynamicUser= becomes
#    uid/gid 61184 (the first of systemd's dynamic range) named by User=,
#    StateDirectory= a directory /var/lib/NAME of StateDirectoryMode=
#    owned by it (not DynamicUser's /var/lib/private link), then
#    ExecStartPre= and ExecStart=, word for word, through setpriv (that
#    uid, no groups, no capabilities, no_new_privs), under the unit's
#    UMask= in its WorkingDirectory= with systemd's default PATH. Not
#    emulated: the sandbox (Protect*, SystemCallFilter, ...), which
#    tests/systemd/check-security.sh scores, and sd_notify.
# 4. /healthz; then GET / (404: the packaged config serves no demo page),
#    /embed.js, a CAPTCHA PNG through the public API; `bandocd user add`
#    as root while it runs (README's moderator step); every file in the
#    state directory is the service user's and unreadable by others.
# 5. SIGTERM; bandocd must exit 0. Then `systemd-analyze verify --root`
#    on the installed unit, with the host's unit library copied into the
#    root (skipped, with a message, when the host has no systemd-analyze).
#
# Exit 77 (skipped) only when not root. BANDOC_FRESH_NET, BANDOC_FRESH_KEEP:
# see tests/fresh/lib.sh. Logs in BUILD_DIR/fresh-cache/last-deb/.
set -euo pipefail

test_name=fresh-deb
logs=last-deb
usage="usage: tests/fresh/deb.sh BUILD_DIR [REVISION]"
build=${1:?$usage}
rev=${2:-HEAD}
# shellcheck source=tests/fresh/lib.sh
. "$(dirname "$0")/lib.sh"

mtime_us() { local t; t=$(stat -c %.6Y "$1") && echo "${t/./}"; }

# 1. ./dev.sh deb in the first root.
fresh_root "build"
fresh_code
fresh_net
echo "== $test_name: ./dev.sh deb in a fresh root (log: $out/dev-deb.log)"
t_run=${EPOCHREALTIME/./}
if ! inroot /bin/bash -c "cd /root/bandoc && ./dev.sh deb" >"$out/dev-deb.log" 2>&1; then
	tail -n 25 "$out/dev-deb.log" >&2
	fail "./dev.sh deb failed"
fi
deb=$(sed -n 's/^== package: //p' "$out/dev-deb.log")
if [ -z "$deb" ] || [ ! -f "$root$deb" ]; then
	fail "./dev.sh deb named no package it made"
fi
t_pkgs=$(mtime_us "$root/var/lib/dpkg/status")
t_deb=$(mtime_us "$root$deb")
add_phase "  dev.sh: apt-get tools, build deps" $((t_pkgs - t_run))
add_phase "  dev.sh: dpkg-buildpackage" $((t_deb - t_pkgs))
add_phase "  dev.sh: lintian" $((${EPOCHREALTIME/./} - t_deb))
phase_end "./dev.sh deb"
cp "$root$deb" "$out/"
deb=${deb##*/}
case $deb in
bandoc_*_amd64.deb) ;;
*) fail "the package is $deb, not bandoc_VERSION_amd64.deb" ;;
esac
echo "lintian (no errors, or dev.sh would have failed):"
sed -n 's/^\([EWI]: \)/  \1/p' "$out/dev-deb.log"

# 2. The second pristine root, and apt-get install of the package alone.
fresh_root "install"
cp "$out/$deb" "$root/root/"
if ! inroot /bin/bash -c "cd /root && apt-get update -qq &&
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q ./$deb" \
	>"$out/apt-install.log" 2>&1; then
	tail -n 25 "$out/apt-install.log" >&2
	fail "apt-get install ./$deb failed"
fi
phase_end "apt-get install ./bandoc_*.deb"
for f in /usr/sbin/bandocd /lib/systemd/system/bandoc.service /etc/bandoc/bandoc.conf \
	/usr/share/bandoc/fonts/BandocCaptchaSans-Bold.ttf; do
	[ -f "$root$f" ] || fail "the package did not install $f"
done
# grep reads to the end (no -q): an early exit under pipefail could fail
# the writer with SIGPIPE. The ${...} are dpkg-query's fields.
# shellcheck disable=SC2016
inroot dpkg-query -W -f='${Conffiles}\n' bandoc | grep '^ /etc/bandoc/bandoc.conf ' >/dev/null ||
	fail "/etc/bandoc/bandoc.conf is not a conffile of the package"
# shellcheck disable=SC2016
version=$(inroot dpkg-query -W -f='${Version}' bandoc)
inroot bandocd version | grep -F "bandocd $version (" >/dev/null ||
	fail "bandocd version is not the package's $version"
inroot bandocd check-config -c /etc/bandoc/bandoc.conf >"$out/check-config.log" 2>&1 ||
	fail "bandocd check-config -c /etc/bandoc/bandoc.conf: $(cat "$out/check-config.log")"

# 3. The unit, read as systemd reads the keys this emulation needs: the
# last assignment wins; ExecStartPre= lines add up.
unit=$root/lib/systemd/system/bandoc.service
unit_all() { sed -n "s/^$1=//p" "$unit"; }
unit_key() {
	local v
	v=$(unit_all "$1" | tail -n 1)
	[ -n "$v" ] || fail "bandoc.service has no $1="
	echo "$v"
}
[ "$(unit_key DynamicUser)" = yes ] || fail "bandoc.service: DynamicUser= is not yes"
svc_user=$(unit_key User)
svc_umask=$(unit_key UMask)
svc_wd=$(unit_key WorkingDirectory)
svc_state=/var/lib/$(unit_key StateDirectory)
svc_uid=61184
install -d -m "$(unit_key StateDirectoryMode)" -o "$svc_uid" -g "$svc_uid" "$root$svc_state"

# as_service COMMAND-LINE: one Exec line of the unit, as systemd would run
# it; execs (root_exec). Only plain words: a prefix (-@:+!), quotes,
# specifiers or variables would need more than this emulation.
as_service() {
	case $1 in
	[-@:+!]* | *[\"\'%\$\\]*) fail "bandoc.service: '$1' is beyond this emulation" ;;
	esac
	# shellcheck disable=SC2086,SC2016 # the unit's words; expanded by sh
	root_exec /usr/bin/setpriv --reuid="$svc_uid" --regid="$svc_uid" --clear-groups \
		--no-new-privs --inh-caps=-all --bounding-set=-all -- \
		/usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin \
		HOME=/ USER="$svc_user" LOGNAME="$svc_user" \
		/bin/sh -c 'umask "$1" && cd "$2" && shift 2 && exec "$@"' \
		sh "$svc_umask" "$svc_wd" $1
}
while read -r line; do
	(as_service "$line") >>"$out/bandocd.log" 2>&1 ||
		fail "ExecStartPre=$line failed: $(tail -n 5 "$out/bandocd.log")"
done < <(unit_all ExecStartPre)
t_run=${EPOCHREALTIME/./}
as_service "$(unit_key ExecStart)" >>"$out/bandocd.log" 2>&1 &
pid=$!
echo "== $test_name: ExecStart= as uid $svc_uid (log: $out/bandocd.log)"
wait_healthz "ExecStart=" "$out/bandocd.log" 60
phase_end "unit's start to /healthz"

# The emulation did what it says.
[ "$(cat "/proc/$pid/comm")" = bandocd ] || fail "process $pid is not bandocd"
[ "$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")" = "$svc_uid" ] ||
	fail "bandocd does not run as uid $svc_uid"
[ "$(awk '/^Umask:/ { print $2 }' "/proc/$pid/status")" = "$svc_umask" ] ||
	fail "bandocd's umask is not $svc_umask"
[ "$(readlink "/proc/$pid/cwd")" = "$root$svc_wd" ] || fail "bandocd is not in $svc_wd"

# 4. What a reader's browser asks for. The packaged config has no
# demo_article: / is the documented JSON 404.
s=$(get / page.json)
expect "GET /" 404 "$s"
has page.json '"not_found"'
check_embed_js
check_captcha lamdong # the site of the packaged example config
# README: the first moderator, added by root while the daemon runs.
inroot bandocd user add editor --role moderator -c /etc/bandoc/bandoc.conf \
	--generate >"$out/user-add.log" 2>&1 || fail "bandocd user add: $(cat "$out/user-add.log")"
grep -q '^add editor: password ' "$out/user-add.log" || fail "bandocd user add: $(cat "$out/user-add.log")"
inroot bandocd user list -c /etc/bandoc/bandoc.conf | grep '^editor ' >/dev/null ||
	fail "bandocd user list does not show editor"
phase_end "HTTP checks, user add"

# The database and the secrets: the service user's, nobody else's.
for f in bandoc.db secrets; do
	[ -f "$root$svc_state/$f" ] || fail "no $svc_state/$f after start"
done
bad=$(find "$root$svc_state" \( -perm /077 -o ! -uid "$svc_uid" \) -printf '%M %u %p\n')
[ -z "$bad" ] || fail "readable by others or not the service user's: ${bad//$root/}"
ls -ln "$root$svc_state" >"$out/state-dir.txt"

# 5. A clean stop, then the installed unit through systemd's own eyes.
stop_daemon "$out/bandocd.log"
if command -v systemd-analyze >/dev/null; then
	# The root has no systemd: the targets the unit names come from the
	# host, without replacing anything the package installed.
	mkdir -p "$root/usr/lib/systemd/system" "$root/etc/systemd/system"
	cp -an /usr/lib/systemd/system/. "$root/usr/lib/systemd/system/"
	if ! SYSTEMD_COLORS=0 systemd-analyze verify --root="$root" --no-pager \
		bandoc.service >"$out/verify.log" 2>&1 || [ -s "$out/verify.log" ]; then
		fail "systemd-analyze verify bandoc.service: $(cat "$out/verify.log")"
	fi
	phase_end "systemd-analyze verify"
else
	echo "$test_name: step skipped: systemd-analyze verify (no systemd-analyze on the host)"
fi
echo "$test_name: all checks passed"
