-- The live event log keeps ids and the change, never people or texts: names,
-- organisations, texts and visibility are read from the current rows when an event is
-- read for a listener (server/src/live/render.rs). Old events are rewritten into that
-- form here, in the migration's one transaction.
UPDATE live_events SET data = '{"comment_id":' || subject_id || '}'
 WHERE kind IN ('comment.created', 'comment.updated', 'comment.withdrawn')
   AND subject_id IS NOT NULL;

UPDATE live_events SET data = '{"comment_id":' || subject_id || ',"flag_id":' || COALESCE(
    (SELECT f.id FROM flags f
      WHERE f.comment_id = live_events.subject_id
        AND f.reason = json_extract(live_events.data, '$.reason')
      ORDER BY f.id LIMIT 1), 0) || '}'
 WHERE kind = 'comment.flagged' AND subject_id IS NOT NULL;

UPDATE live_events SET data = '{"comment_id":' || subject_id || ',"log_id":' || COALESCE(
    (SELECT m.id FROM moderation_log m
      WHERE m.comment_id = live_events.subject_id AND m.action = 'hide'
        AND m.reason = json_extract(live_events.data, '$.reason')
      ORDER BY m.id LIMIT 1), 0) || '}'
 WHERE kind = 'comment.hidden' AND subject_id IS NOT NULL;

-- Counts of contributions whose events an erasure had already emptied: notices now.
UPDATE live_events SET kind = 'comment.withdrawn', data = '{"comment_id":' || subject_id || '}'
 WHERE kind IN ('comment.endorsed', 'question.upvoted')
   AND subject_id IS NOT NULL
   AND json_extract(data, '$.comment_id') IS NULL;

-- A session's speaking queue named the people in it: the session it was is enough.
UPDATE live_events SET data = '{"session_id":' || CAST(substr(channel, 9) AS INTEGER) || '}'
 WHERE kind = 'queue.updated' AND channel LIKE 'session:%';

-- A session's slot change carried its speakers as given, e-mails and genders included:
-- the session it was is enough (the public view is read when the event is sent).
UPDATE live_events SET data = '{"session_id":' || subject_id || '}'
 WHERE kind = 'session.updated' AND subject_id IS NOT NULL;
