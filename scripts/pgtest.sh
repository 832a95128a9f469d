#!/usr/bin/env bash
# pgtest.sh — run a command against a throwaway PostgreSQL cluster.
#
# Usage:
#   scripts/pgtest.sh CMD [ARGS...]
#   scripts/pgtest.sh --print-bindir   # print the PostgreSQL bin dir; exit 1 if none
#
# What it does:
#   1. Finds initdb and pg_ctl: first on $PATH, otherwise the newest
#      /usr/lib/postgresql/<major>/bin directory.
#      If NO server binaries are found it prints
#        "PostgreSQL server binaries not found; skipping PostgreSQL tests"
#      and exits 0 WITHOUT running CMD (so `make test` still passes on a
#      machine without PostgreSQL; the SQLite run has already happened).
#   2. Creates a temporary directory (under $TMPDIR, default /tmp) and runs
#      initdb there (trust auth, superuser "postgres", UTF8, C.UTF-8 locale or
#      --no-locale if that locale is not installed).
#      initdb refuses to run as root, so when invoked as root the cluster is
#      created and run as the "postgres" system user if it exists, otherwise
#      as "nobody" (via runuser, or su as a fallback); the temp dir is
#      chowned to that user. As a non-root user everything runs directly.
#   3. Starts the server with pg_ctl on 127.0.0.1 on a free port in
#      20000-60000 (unix socket in the temp dir, fsync/synchronous_commit/
#      full_page_writes off unless PGTEST_DURABLE=1, max_connections=200),
#      waiting at most 30 s.
#   4. Runs CMD with
#        COOPLEDGER_TEST_POSTGRES=postgres://postgres@127.0.0.1:PORT/postgres?sslmode=disable
#      exported.
#   5. Always (on exit, INT or TERM) stops the cluster with
#      `pg_ctl stop -m immediate` and removes the temp dir.
#   6. Exits with CMD's exit status.
#
# Environment:
#   PGTEST_USER   user to run the cluster as when invoked as root
#                 (default: postgres if it exists, else nobody)
#   PGTEST_KEEP=1 keep the temp dir (logs, data) after exit, for debugging
#   PGTEST_DURABLE=1 keep fsync, synchronous_commit and full_page_writes on
#                 (PostgreSQL's defaults), so a benchmark measures real commits
set -euo pipefail

readonly PROG=${0##*/}
readonly START_TIMEOUT=30 # seconds pg_ctl may wait for the server to accept connections
readonly PORT_ATTEMPTS=8

log() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() {
	log "error: $*"
	exit 1
}

usage() {
	sed -n '2,/^set -euo pipefail/{/^#/s/^# \{0,1\}//p}' "$0" >&2
}

# find_bindir prints the directory holding initdb and pg_ctl, or returns 1.
find_bindir() {
	local initdb pg_ctl
	initdb=$(command -v initdb 2>/dev/null || true)
	pg_ctl=$(command -v pg_ctl 2>/dev/null || true)
	if [[ -n $initdb && -n $pg_ctl ]]; then
		# Prefer pg_ctl next to initdb so both come from the same version.
		if [[ -x ${initdb%/*}/pg_ctl ]]; then
			printf '%s\n' "${initdb%/*}"
			return 0
		fi
	fi
	local dir ver best="" best_ver=-1
	for dir in /usr/lib/postgresql/*/bin; do
		[[ -x $dir/initdb && -x $dir/pg_ctl ]] || continue
		ver=${dir#/usr/lib/postgresql/}
		ver=${ver%/bin}
		ver=${ver%%.*} # "9.6" -> 9
		[[ $ver =~ ^[0-9]+$ ]] || continue
		if ((ver > best_ver)); then
			best=$dir
			best_ver=$ver
		fi
	done
	[[ -n $best ]] || return 1
	printf '%s\n' "$best"
}

case "${1-}" in
"" | -h | --help)
	usage
	[[ -n ${1-} ]] && exit 0
	exit 2
	;;
--print-bindir)
	find_bindir
	exit
	;;
--)
	shift
	[[ $# -gt 0 ]] || {
		usage
		exit 2
	}
	;;
esac

if ! BINDIR=$(find_bindir); then
	echo "PostgreSQL server binaries not found; skipping PostgreSQL tests" >&2
	exit 0
fi
readonly BINDIR INITDB="$BINDIR/initdb" PG_CTL="$BINDIR/pg_ctl"

# Decide which OS user owns and runs the cluster.
RUN_AS=""
if [[ $(id -u) -eq 0 ]]; then
	if [[ -n ${PGTEST_USER-} ]]; then
		RUN_AS=$PGTEST_USER
	elif id -u postgres >/dev/null 2>&1; then
		RUN_AS=postgres
	else
		RUN_AS=nobody
	fi
	id -u "$RUN_AS" >/dev/null 2>&1 || die "user '$RUN_AS' does not exist"
	[[ $(id -u "$RUN_AS") -ne 0 ]] || die "cannot run PostgreSQL as root (PGTEST_USER=$RUN_AS)"
fi
readonly RUN_AS

# as_pg runs a command as the cluster owner, from inside the temp dir (so a
# non-root user does not trip over an unreadable current directory).
as_pg() {
	if [[ -z $RUN_AS ]]; then
		(cd "$TMP" && "$@")
	elif command -v runuser >/dev/null 2>&1; then
		(cd "$TMP" && runuser -u "$RUN_AS" -- "$@")
	else
		local cmd
		printf -v cmd '%q ' "$@"
		(cd "$TMP" && su -s /bin/bash "$RUN_AS" -c "$cmd")
	fi
}

TMP=""
STARTED=0
# shellcheck disable=SC2317 # only invoked via trap
cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	if [[ -n $TMP && -d $TMP ]]; then
		if [[ $STARTED -eq 1 || -f $TMP/data/postmaster.pid ]]; then
			if ! as_pg "$PG_CTL" stop -D "$TMP/data" -m immediate -w -t 30 >/dev/null 2>&1; then
				# Last resort: kill the postmaster we started, by its pid.
				local pid=""
				if [[ -f $TMP/data/postmaster.pid ]]; then
					read -r pid <"$TMP/data/postmaster.pid" || true
				fi
				if [[ $pid =~ ^[0-9]+$ ]]; then
					log "pg_ctl stop failed; killing postmaster $pid"
					kill -KILL "$pid" 2>/dev/null || true
				fi
			fi
		fi
		if [[ ${PGTEST_KEEP-} == 1 ]]; then
			log "keeping $TMP"
		else
			rm -rf -- "$TMP"
		fi
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

TMP=$(mktemp -d "${TMPDIR:-/tmp}/pgtest.XXXXXXXX")
if [[ -n $RUN_AS ]]; then
	chown "$RUN_AS" "$TMP"
	as_pg test -w "$TMP" ||
		die "user $RUN_AS cannot write to $TMP (is ${TMPDIR:-/tmp} traversable?); set TMPDIR=/tmp"
fi
readonly DATA="$TMP/data"

# initdb. Prefer the C.UTF-8 locale (glibc lists it as C.utf8 / C.UTF-8).
locale_args=(--no-locale)
if command -v locale >/dev/null 2>&1 && locale -a 2>/dev/null | grep -Eqix 'c\.utf-?8'; then
	locale_args=(--locale=C.UTF-8)
fi
if ! as_pg "$INITDB" -D "$DATA" -A trust -U postgres --encoding=UTF8 "${locale_args[@]}" \
	--no-sync >"$TMP/initdb.log" 2>&1; then
	cat "$TMP/initdb.log" >&2
	die "initdb failed"
fi

# random_port prints a port in 20000-60000 that nothing is listening on (best effort).
random_port() {
	local port i
	for ((i = 0; i < 20; i++)); do
		port=$((20000 + (RANDOM * 32768 + RANDOM) % 40001))
		if command -v ss >/dev/null 2>&1; then
			[[ -z $(ss -Htan "sport = :$port" 2>/dev/null) ]] || continue
		elif (: <"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			continue
		fi
		printf '%s\n' "$port"
		return 0
	done
	printf '%s\n' "$port"
}

# Tests need no durability; a benchmark does (PGTEST_DURABLE=1).
DURABLE=off
[[ ${PGTEST_DURABLE-} == 1 ]] && DURABLE=on
readonly DURABLE

# Start the server; if the chosen port was grabbed in the meantime, retry.
PORT=""
for ((attempt = 1; attempt <= PORT_ATTEMPTS; attempt++)); do
	PORT=$(random_port)
	# Later settings in postgresql.conf override earlier ones, so appending is
	# enough (also on retry). Written via the server's own user-owned file.
	cat >>"$DATA/postgresql.conf" <<EOF

# --- pgtest.sh (attempt $attempt) ---
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '${TMP//\'/\'\'}'
fsync = $DURABLE
synchronous_commit = $DURABLE
full_page_writes = $DURABLE
max_connections = 200
EOF
	: >"$TMP/postgres.log"
	[[ -z $RUN_AS ]] || chown "$RUN_AS" "$TMP/postgres.log"
	STARTED=1
	if as_pg "$PG_CTL" start -D "$DATA" -l "$TMP/postgres.log" -w -t "$START_TIMEOUT" >"$TMP/pg_ctl.log" 2>&1; then
		break
	fi
	# Make sure nothing half-started is left before retrying.
	as_pg "$PG_CTL" stop -D "$DATA" -m immediate -w -t 10 >/dev/null 2>&1 || true
	STARTED=0
	if grep -q 'Address already in use' "$TMP/postgres.log" && ((attempt < PORT_ATTEMPTS)); then
		log "port $PORT in use, retrying"
		continue
	fi
	cat "$TMP/pg_ctl.log" "$TMP/postgres.log" >&2
	die "could not start PostgreSQL (see log above)"
done
if [[ $STARTED -ne 1 ]]; then
	die "could not find a free port after $PORT_ATTEMPTS attempts"
fi

COOPLEDGER_TEST_POSTGRES="postgres://postgres@127.0.0.1:$PORT/postgres?sslmode=disable"
export COOPLEDGER_TEST_POSTGRES

version=$("$PG_CTL" --version 2>/dev/null | awk '{print $3}' || true)
log "PostgreSQL ${version:-?} running at 127.0.0.1:$PORT (data $DATA${RUN_AS:+, user $RUN_AS}, fsync $DURABLE); COOPLEDGER_TEST_POSTGRES=$COOPLEDGER_TEST_POSTGRES"

status=0
"$@" || status=$?
exit "$status"
