#!/usr/bin/env bash
# Comments into PostgreSQL over HTTP: Indaba beside the simplest program that does the same
# database work (issue 27 item 2; docs/performance.md). wrk (Debian's package, one thread,
# 16 connections, or CONNECTIONS) posts comments as fast as they are answered, first to Indaba (the demo's
# consultation, one account, rate limits off), then to `bare_comments` on the same
# database: the same statements, written by two threads that each commit what waits in one
# transaction, with no authentication, validation, views, search index or live stream.
# Beside each row, the CPU time a comment cost over the run: the whole machine's, the
# server's process and PostgreSQL's (every backend), from /proc.
# Usage: tests/bench/comments_bare.sh postgres://…@127.0.0.1/EMPTY_DATABASE [release dir] [seconds]
set -euo pipefail
URL=${1:?usage: $0 postgres://user:password@127.0.0.1:5432/empty_database [target/release] [seconds]}
BIN=${2:-target/release}
SECONDS_PER_RUN=${3:-15}
CONNECTIONS=${CONNECTIONS:-16}
for tool in wrk psql curl python3; do
  command -v $tool >/dev/null || { echo "$tool is needed (apt-get install wrk postgresql-client curl python3)"; exit 1; }
done
case "$URL" in *@127.0.0.1[:/]*) ;; *) echo "a PostgreSQL on this machine, as @127.0.0.1 (loopback only)" >&2; exit 2 ;; esac
DIR=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PORT=$(free_port)
BARE_PORT=$(free_port)
export INDABA_DATA_DIR=$DIR/data INDABA_BIND=127.0.0.1:$PORT INDABA_RATE_LIMITS=off INDABA_LOG=warn INDABA_DATABASE_URL=$URL
SERVER="" BARE=""
trap 'kill $SERVER $BARE 2>/dev/null || true; rm -rf "$DIR"' EXIT
# ready URL [-f]: waits for an answer (with -f, a 2xx one).
ready() {
  for _ in $(seq 1 100); do curl -s ${2:-} -o /dev/null "$1" && return 0; sleep 0.1; done
  echo "no server answered at $1" >&2; exit 1
}
"$BIN/indaba" seed demo >/dev/null
"$BIN/indaba" serve & SERVER=$!
ready "http://127.0.0.1:$PORT/readyz" -f
TOKEN=$(curl -sf "http://127.0.0.1:$PORT/api/v1/auth/login" -H 'content-type: application/json' \
  -d '{"email":"wanjiru@demo.indaba.example","password":"indaba-demo-2026"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
read -r CONSULTATION VERSION < <(psql "$URL" -tA -F ' ' -c "SELECT id, current_version_id FROM consultations WHERE slug = 'declaration-digital-cooperation'")
AUTHOR=$(psql "$URL" -tAc "SELECT id FROM users WHERE email = 'wanjiru@demo.indaba.example'")
cat > "$DIR/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $TOKEN"
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, nil, nil, '{"body":"A comment of the campaign, about as long as a real one, number ' .. n .. '.","language":"en"}')
end
LUA
# CPU time, in clock ticks, as "machine server postgres": the machine's busy time
# (/proc/stat: user, nice, system, irq, softirq, steal), the server's process, and every
# PostgreSQL process.
cpu() {
  local machine server postgres=0 p
  machine=$(awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat)
  server=$(awk '{print $14 + $15}' "/proc/$1/stat")
  for p in $(pgrep -u postgres postgres); do
    postgres=$((postgres + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)))
  done
  echo "$machine $server $postgres"
}
comments() { psql "$URL" -tAc "SELECT count(*) FROM comments"; }
run() {
  local name=$1 url=$2 pid=$3
  local before_n before_cpu after_n after_cpu
  before_n=$(comments); before_cpu=$(cpu "$pid")
  wrk -t1 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency -s "$DIR/post.lua" "$url" > "$DIR/$name.txt"
  after_cpu=$(cpu "$pid"); after_n=$(comments)
  local rps p50 p99 refused failed per
  rps=$(awk '/Requests\/sec/ {print $2}' "$DIR/$name.txt")
  p50=$(awk '$1 == "50%" {print $2}' "$DIR/$name.txt")
  p99=$(awk '$1 == "99%" {print $2}' "$DIR/$name.txt")
  refused=$(awk '/Non-2xx/ {print $5}' "$DIR/$name.txt")
  # "Socket errors: connect 0, read 0, write 0, timeout 0"
  failed=$(awk '/Socket errors/ {gsub(",", ""); print $4 + $6 + $8 + $10}' "$DIR/$name.txt")
  # CPU µs a comment: ticks × 10^6 / ticks a second / comments written.
  per=$(python3 -c "
a, b, n, hz = '$before_cpu'.split(), '$after_cpu'.split(), $after_n - $before_n, $(getconf CLK_TCK)
print(' / '.join(str(round((int(y) - int(x)) * 1e6 / hz / max(n, 1))) for x, y in zip(a, b)))")
  echo "| $name | $rps | $p50 / $p99 | ${refused:-0} / ${failed:-0} | $per |"
}
echo "| server | comments/s (wrk, $CONNECTIONS connections, ${SECONDS_PER_RUN} s) | latency p50 / p99 | answers other than 2xx / socket errors | CPU µs a comment: machine / server / PostgreSQL |"
echo "|---|---|---|---|---|"
run "indaba (PostgreSQL)" "http://127.0.0.1:$PORT/api/v1/consultations/$CONSULTATION/comments" $SERVER
kill $SERVER; wait $SERVER 2>/dev/null || true; SERVER=""
"$BIN/bare_comments" "127.0.0.1:$BARE_PORT" "$URL" "$CONSULTATION" "$VERSION" "$AUTHOR" & BARE=$!
ready "http://127.0.0.1:$BARE_PORT/"
run "bare_comments (PostgreSQL)" "http://127.0.0.1:$BARE_PORT/comments" $BARE
