#!/usr/bin/env bash
# Meilisearch alone: the ceiling for indexing the Meilisearch backend at 1,000,000
# (docs/performance.md, issue 27 item 3). It takes the documents and settings of an index
# Indaba built (`searchload --meilisearch … --contributions 1000000`), and indexes the
# same documents again into a new index with the same settings, from curl alone: the
# settings first (on the empty index), then NDJSON, 50,000 documents a request (about 70 MB: Meilisearch takes at most
# 100 MB a request), every
# request sent before waiting once on the last task, as Indaba's rebuild does. No
# database, no Indaba: what is left is Meilisearch's own work.
# Usage: MEILI_MASTER_KEY=… tests/bench/meili_bare.sh SOURCE_INDEX [http://127.0.0.1:7700]
# Prints the wall time and the time Meilisearch reports for each batch it processed.
set -euo pipefail
SOURCE=${1:?usage: MEILI_MASTER_KEY=… $0 SOURCE_INDEX [http://127.0.0.1:7700]}
URL=${2:-http://127.0.0.1:7700}
case "$URL" in
  http://127.0.0.1:*|http://localhost:*) ;;
  *) echo "the Meilisearch must be on this machine (loopback): $URL" >&2; exit 2 ;;
esac
KEY=${MEILI_MASTER_KEY:?set MEILI_MASTER_KEY}
for tool in curl jq bc; do
  command -v $tool >/dev/null || { echo "$tool is needed (apt-get install curl jq bc)"; exit 1; }
done
TARGET="${SOURCE}_bare"
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
api() { curl -sS --fail-with-body -H "Authorization: Bearer $KEY" "$@"; }
wait_task() {
  local uid=$1 status
  while :; do
    status=$(api "$URL/tasks/$uid" | jq -r .status)
    case "$status" in
      succeeded) return 0 ;;
      failed|canceled) api "$URL/tasks/$uid" >&2; return 1 ;;
    esac
    sleep 0.2
  done
}

TOTAL=$(api "$URL/indexes/$SOURCE/stats" | jq .numberOfDocuments)
echo "source index $SOURCE: $TOTAL documents; dumping them…"
api "$URL/indexes/$SOURCE/settings" > "$DIR/settings.json"
OFFSET=0
PART=0
while [ "$OFFSET" -lt "$TOTAL" ]; do
  api "$URL/indexes/$SOURCE/documents?limit=50000&offset=$OFFSET" | jq -c '.results[]' > "$DIR/part-$(printf %03d $PART).ndjson"
  OFFSET=$((OFFSET + 50000))
  PART=$((PART + 1))
done
echo "dumped $(cat "$DIR"/part-*.ndjson | wc -l) documents in $PART parts ($(du -sh "$DIR" | cut -f1))"

# Left by an earlier run, or not there (the deletion then fails, which is fine).
TASK=$(api -X DELETE "$URL/indexes/$TARGET" | jq .taskUid) && { wait_task "$TASK" 2>/dev/null || true; }
TASK=$(api -X POST "$URL/indexes" -H 'Content-Type: application/json' \
  -d "{\"uid\":\"$TARGET\",\"primaryKey\":\"id\"}" | jq .taskUid)
wait_task "$TASK"
TASK=$(api -X PATCH "$URL/indexes/$TARGET/settings" -H 'Content-Type: application/json' \
  --data-binary @"$DIR/settings.json" | jq .taskUid)
wait_task "$TASK"

START=$(date +%s.%N)
TASKS=()
for part in "$DIR"/part-*.ndjson; do
  TASKS+=("$(api -X POST "$URL/indexes/$TARGET/documents?primaryKey=id" \
    -H 'Content-Type: application/x-ndjson' --data-binary @"$part" | jq .taskUid)")
done
# An index's tasks run in order: the last one's end is everyone's.
wait_task "${TASKS[-1]}"
END=$(date +%s.%N)
for task in "${TASKS[@]}"; do
  [ "$(api "$URL/tasks/$task" | jq -r .status)" = succeeded ] || { echo "task $task did not succeed" >&2; api "$URL/tasks/$task" >&2; exit 1; }
done
INDEXED=$(api "$URL/indexes/$TARGET/stats" | jq .numberOfDocuments)
echo "Meilisearch alone indexed $INDEXED documents in $(echo "$END - $START" | bc) s (wall, from the first request to the last task)"
echo "its batches (documents, processing time as Meilisearch reports it):"
api "$URL/batches?indexUids=$TARGET&limit=100" | jq -r '.results[] | select(.stats.types.documentAdditionOrUpdate != null) | "  \(.stats.totalNbTasks) tasks, \(.details.receivedDocuments // .details.indexedDocuments) documents: \(.duration)"'
