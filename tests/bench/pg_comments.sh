#!/usr/bin/env bash
# PostgreSQL's own ceiling for Indaba's comments (docs/performance.md): pgbench sends the
# statements Indaba sends inside a group commit of ten comments (per comment a savepoint,
# the consultation, co-facilitator and phase reads, the version label, the insert, its
# search job, two follows, the author; then the counter, ten live events and the
# NOTIFY), with no HTTP, search index or listeners. Run it against the database a
# liveload run on PostgreSQL left (consultation 1 with its counter row, users 2 to 101).
# Usage: tests/bench/pg_comments.sh postgres://…/liveload [clients] [seconds]
# Comments per second = the transactions per second pgbench prints × 10.
set -euo pipefail
URL=${1:?usage: $0 postgres://user:password@127.0.0.1:5432/liveload [clients] [seconds]}
CLIENTS=${2:-4}
SECONDS_PER_RUN=${3:-15}
SCRIPT=$(mktemp)
trap 'rm -f "$SCRIPT"' EXIT
{
  echo '\set u random(2, 101)'
  echo 'BEGIN;'
  for _ in $(seq 1 10); do cat <<'SQL'
SAVEPOINT s;
SELECT * FROM consultations WHERE id = 1;
SELECT EXISTS (SELECT 1 FROM consultation_cofacilitators WHERE consultation_id = 1 AND user_id = :u);
SELECT phase, note, set_by, set_at, stakeholders_comment FROM consultation_phases WHERE consultation_id = 1 ORDER BY id DESC LIMIT 1;
SELECT label FROM document_versions WHERE id = 1 LIMIT 1;
INSERT INTO comments (consultation_id, author_id, kind, body, anonymous, language, status, version_label, created_at) VALUES (1, :u, 'comment', 'A comment of the campaign, as liveload writes it, with a word of its own xq' || :u, false, 'en', 'visible', 'Rev. 1', now()) RETURNING *;
INSERT INTO search_jobs (entity, entity_id, action, created_at) VALUES ('comment', currval('comments_id_seq'), 'upsert', now());
INSERT INTO follows (user_id, target_type, target_id, target_key, created_at) VALUES (:u, 'comment', currval('comments_id_seq'), '', now()) ON CONFLICT DO NOTHING;
INSERT INTO follows (user_id, target_type, target_id, target_key, created_at) VALUES (:u, 'consultation', 1, '', now()) ON CONFLICT DO NOTHING;
SELECT * FROM users WHERE id = :u;
RELEASE SAVEPOINT s;
SQL
  done
  cat <<'SQL'
UPDATE channel_seqs SET last_seq = last_seq + 10 WHERE channel = 'consultation:1' RETURNING last_seq \gset
INSERT INTO live_events (channel, seq, kind, audience, data, created_at) SELECT 'consultation:1', :last_seq - 10 + g, 'comment.created', 'public', '{}', now() FROM generate_series(1, 10) g;
SELECT pg_notify('indaba_live', 'consultation:1');
COMMIT;
SQL
} > "$SCRIPT"
pgbench -n -M prepared -c "$CLIENTS" -j 2 -T "$SECONDS_PER_RUN" -f "$SCRIPT" "$URL"
