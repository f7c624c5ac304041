#!/usr/bin/env bash
# Agenda benchmark: 1,000 scheduled sessions (20 rooms, 5 days), the agenda as JSON (a
# page of 200, the most a page holds) and the whole agenda as iCalendar, and one session's calendar, measured with wrk (Debian's package) at
# 1 and 16 connections. Usage: tests/bench/agenda.sh [path/to/release/indaba] [seconds]
set -euo pipefail
BIN=${1:-target/release/indaba}
SECONDS_PER_RUN=${2:-10}
command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)"; exit 1; }
DIR=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export INDABA_DATA_DIR=$DIR/data INDABA_BIND=127.0.0.1:$PORT INDABA_RATE_LIMITS=off INDABA_LOG=warn
BASE=http://127.0.0.1:$PORT
"$BIN" migrate >/dev/null
"$BIN" user create --email bench@example.org --name Bench --stakeholder-group government --password "bench password 2026" --role organizer >/dev/null
"$BIN" serve & SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$DIR"' EXIT
for _ in $(seq 1 100); do curl -sf "$BASE/readyz" >/dev/null && break; sleep 0.1; done
TOKEN=$(curl -sf "$BASE/api/v1/auth/login" -H 'content-type: application/json' \
  -d '{"email":"bench@example.org","password":"bench password 2026"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
H=(-H "authorization: Bearer $TOKEN" -H 'content-type: application/json')
curl -sf "$BASE/api/v1/events" "${H[@]}" -d '{"slug":"bench","name":"Bench IGF","venue":"Riyadh","timezone":"Asia/Riyadh","starts_on":"2026-12-15","ends_on":"2026-12-19","subthemes":["Access","Rights","Trust","Data"]}' >/dev/null
for r in $(seq 1 20); do curl -sf "$BASE/api/v1/events/bench/rooms" "${H[@]}" -d "{\"name\":\"Room $r\",\"capacity\":100,\"remote_link\":\"https://meet.example.org/$r\"}" >/dev/null; done
python3 - "$DIR/rows.json" <<'PY'
import json, sys
kinds = ["workshop","open_forum","lightning_talk","main_session","town_hall"]
rows = []
for day in range(5):
    for slot in range(10):
        for room in range(1, 21):
            n = len(rows)
            h, m = divmod(6 * 60 + slot * 60, 60)  # 09:00 Riyadh = 06:00 UTC, hourly
            start = f"2026-12-{15+day}T{h:02d}:{m:02d}:00Z"
            end = f"2026-12-{15+day}T{h:02d}:50:00Z"
            rows.append({"title": f"Session {n}: digital cooperation in practice", "type": kinds[n % 5], "subtheme": ["Access","Rights","Trust","Data"][n % 4],
                         "format": ["in_person","hybrid","online"][n % 3], "description": "A benchmark session with a realistic description of a few sentences. " * 3,
                         "room": f"Room {room}", "starts_at": start, "ends_at": end, "moderator_name": f"Moderator {n}", "rapporteur_name": f"Rapporteur {n}",
                         "speakers": [{"name": f"Speaker {n}-{k}", "stakeholder_group": "civil_society", "country": "SA", "gender": "female"} for k in range(3)]})
json.dump({"rows": rows}, open(sys.argv[1], "w"))
PY
curl -sf "$BASE/api/v1/events/bench/agenda/import" "${H[@]}" --data-binary @"$DIR/rows.json" | python3 -c 'import json,sys; print("imported", json.load(sys.stdin)["imported"], "sessions")'
curl -sf "$BASE/api/v1/events/bench" "${H[@]}" -X PATCH -d '{"published":true}' >/dev/null
# The JSON agenda pages (at most 200 sessions a page): the bench reads a full page.
PAGE="$BASE/api/v1/events/bench/agenda?limit=200"
SESSION=$(curl -sf "$PAGE" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][100]["id"])')
size() { curl -s -o /dev/null -w '%{size_download}' "$1"; }
run() {
  local name=$1 url=$2 conns=$3
  local out; out=$(wrk -t1 -c"$conns" -d"${SECONDS_PER_RUN}s" --latency "$url")
  local p50 p99 rps
  p50=$(echo "$out" | awk '/ 50%/{print $2}'); p99=$(echo "$out" | awk '/ 99%/{print $2}'); rps=$(echo "$out" | awk '/Requests\/sec/{print $2}')
  echo "| $name | $conns | $p50 | $p99 | $rps |"
}
echo "agenda JSON page of 200: $(size "$PAGE") bytes; agenda.ics: $(size "$BASE/api/v1/events/bench/agenda.ics") bytes; session .ics: $(size "$BASE/api/v1/sessions/$SESSION.ics") bytes"
echo "| endpoint | connections | p50 | p99 | requests/s |"
echo "|---|---|---|---|---|"
for c in 1 16; do
  run "agenda JSON (a page of 200)" "$PAGE" $c
  run "agenda.ics (1,000 sessions)" "$BASE/api/v1/events/bench/agenda.ics" $c
  run "one session .ics" "$BASE/api/v1/sessions/$SESSION.ics" $c
done
echo "server peak memory: $(awk '/VmHWM/{print $2/1024 " MB"}' /proc/$SERVER/status)"
