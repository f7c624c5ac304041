//! Migrations over data written in the earlier form, on SQLite and PostgreSQL.

use diesel::prelude::*;
use indaba::db::schema::{
    channel_seqs, comments, consultations, events, flags, live_events, moderation_log, sessions,
    users,
};
use indaba::db::{now, Db};
use indaba_tests::*;
use serde_json::{json, Value};

both_backends!(live_events_are_rewritten_into_ids);

/// A database migrated up to `version`, and what keeps it alive.
fn database(backend: &Backend) -> (Db, Option<PgDatabase>, TempDir) {
    let dir = TempDir::new();
    let (url, pg) = match backend {
        Backend::Postgres(admin) => {
            let pg = PgDatabase::create(admin);
            (
                indaba::config::DatabaseUrl::Postgres(pg.url.clone()),
                Some(pg),
            )
        }
        _ => (
            indaba::config::DatabaseUrl::Sqlite(dir.0.join("indaba.db")),
            None,
        ),
    };
    (Db::connect(&url, 2).unwrap(), pg, dir)
}

/// The live event log of the first wave kept people and texts in each event; the
/// migration to events by id rewrites them in its one transaction, and what listeners
/// then receive is read from the current rows (an erasure since is in it).
async fn live_events_are_rewritten_into_ids(backend: Backend) {
    let (db, _pg, _dir) = database(&backend);
    db.migrate_to("2026-12-05-000007").unwrap();
    let mut conn = db.get().unwrap();
    let t = now();
    let user: i64 = diesel::insert_into(users::table)
        .values((
            users::email.eq("old.author@example.org"),
            users::display_name.eq("Oldname Author"),
            users::stakeholder_group.eq("academia"),
            users::organization.eq(Some("Old Org")),
            users::preferred_language.eq("en"),
            users::created_at.eq(t),
            users::updated_at.eq(t),
        ))
        .returning(users::id)
        .get_result(&mut **conn)
        .unwrap();
    let consultation: i64 = diesel::insert_into(consultations::table)
        .values((
            consultations::slug.eq("old-one"),
            consultations::title.eq("Old"),
            consultations::description.eq(""),
            consultations::language.eq("en"),
            consultations::status.eq("open"),
            consultations::created_at.eq(t),
            consultations::updated_at.eq(t),
        ))
        .returning(consultations::id)
        .get_result(&mut **conn)
        .unwrap();
    let comment: i64 = diesel::insert_into(comments::table)
        .values((
            comments::consultation_id.eq(Some(consultation)),
            comments::author_id.eq(user),
            comments::kind.eq("comment"),
            comments::body.eq("Old words."),
            comments::anonymous.eq(false),
            comments::language.eq("en"),
            comments::status.eq("hidden"),
            comments::created_at.eq(t),
        ))
        .returning(comments::id)
        .get_result(&mut **conn)
        .unwrap();
    let flag: i64 = diesel::insert_into(flags::table)
        .values((
            flags::comment_id.eq(comment),
            flags::user_id.eq(user),
            flags::reason.eq("old flag reason"),
            flags::created_at.eq(t),
        ))
        .returning(flags::id)
        .get_result(&mut **conn)
        .unwrap();
    let hide: i64 = diesel::insert_into(moderation_log::table)
        .values((
            moderation_log::consultation_id.eq(Some(consultation)),
            moderation_log::comment_id.eq(comment),
            moderation_log::action.eq("hide"),
            moderation_log::reason.eq("old hide reason"),
            moderation_log::created_at.eq(t),
        ))
        .returning(moderation_log::id)
        .get_result(&mut **conn)
        .unwrap();
    let event: i64 = diesel::insert_into(events::table)
        .values((
            events::slug.eq("old-event"),
            events::name.eq("Old"),
            events::theme.eq(""),
            events::venue.eq(""),
            events::timezone.eq("UTC"),
            events::starts_on.eq("2026-01-01"),
            events::ends_on.eq("2026-01-02"),
            events::subthemes.eq("[]"),
            events::published.eq(true),
            events::rules.eq("{}"),
            events::created_at.eq(t),
            events::updated_at.eq(t),
        ))
        .returning(events::id)
        .get_result(&mut **conn)
        .unwrap();
    let session: i64 = diesel::insert_into(sessions::table)
        .values((
            sessions::event_id.eq(event),
            sessions::title.eq("Old session"),
            sessions::session_type.eq("workshop"),
            sessions::subtheme.eq(""),
            sessions::format.eq("online"),
            sessions::description.eq(""),
            sessions::speakers.eq(r#"[{"name":"Spea Ker","email":"old.speaker@example.org","organization":"O","stakeholder_group":"academia","country":"FR","region":"western_european_others","gender":"female"}]"#),
            sessions::moderator_name.eq(""),
            sessions::rapporteur_name.eq(""),
            sessions::ical_sequence.eq(0),
            sessions::created_at.eq(t),
            sessions::updated_at.eq(t),
        ))
        .returning(sessions::id)
        .get_result(&mut **conn)
        .unwrap();
    let c_channel = format!("consultation:{consultation}");
    let s_channel = format!("session:{session}");
    let author = json!({"id": user, "display_name": "Oldname Author", "organization": "Old Org"});
    let old: Vec<(&str, &str, Option<i64>, Value)> = vec![
        (
            &c_channel,
            "comment.created",
            Some(comment),
            json!({"id": comment, "body": "Old words.", "author": author}),
        ),
        (
            &c_channel,
            "comment.flagged",
            Some(comment),
            json!({"comment_id": comment, "reason": "old flag reason"}),
        ),
        (
            &c_channel,
            "comment.hidden",
            Some(comment),
            json!({"comment_id": comment, "reason": "old hide reason"}),
        ),
        (
            &c_channel,
            "comment.endorsed",
            Some(comment),
            json!({"withdrawn": true}),
        ),
        (
            &s_channel,
            "session.updated",
            Some(session),
            json!({"id": session, "speakers": [{"name": "Spea Ker", "email": "old.speaker@example.org", "gender": "female"}]}),
        ),
        (
            &s_channel,
            "queue.updated",
            None,
            json!({"session_id": session, "waiting": [{"user_id": user, "display_name": "Oldname Author"}]}),
        ),
    ];
    for channel in [&c_channel, &s_channel] {
        let n = old.iter().filter(|e| e.0 == channel.as_str()).count() as i64;
        diesel::insert_into(channel_seqs::table)
            .values((
                channel_seqs::channel.eq(channel),
                channel_seqs::last_seq.eq(n),
            ))
            .execute(&mut **conn)
            .unwrap();
    }
    let mut seqs = std::collections::HashMap::new();
    for (channel, kind, subject, data) in &old {
        let seq = seqs.entry(*channel).or_insert(0i64);
        *seq += 1;
        diesel::insert_into(live_events::table)
            .values((
                live_events::channel.eq(*channel),
                live_events::seq.eq(*seq),
                live_events::kind.eq(*kind),
                live_events::audience.eq(if *kind == "comment.flagged" {
                    "moderators"
                } else {
                    "public"
                }),
                live_events::subject_id.eq(*subject),
                live_events::data.eq(data.to_string()),
                live_events::created_at.eq(t),
            ))
            .execute(&mut **conn)
            .unwrap();
    }
    drop(conn);

    assert!(db.migrate().unwrap() >= 1);
    let mut conn = db.get().unwrap();
    let stored: Vec<(String, String)> = live_events::table
        .order((live_events::channel, live_events::seq))
        .select((live_events::kind, live_events::data))
        .load(&mut **conn)
        .unwrap();
    let text = format!("{stored:?}");
    for person in [
        "Oldname",
        "Old Org",
        "old.speaker",
        "female",
        "old flag reason",
        "old hide reason",
        "Old words",
    ] {
        assert!(
            !text.contains(person),
            "{person} is still in the log: {text}"
        );
    }
    let data = |kind: &str| -> Value {
        serde_json::from_str(&stored.iter().find(|(k, _)| k == kind).unwrap().1).unwrap()
    };
    assert_eq!(data("comment.created"), json!({"comment_id": comment}));
    assert_eq!(
        data("comment.flagged"),
        json!({"comment_id": comment, "flag_id": flag})
    );
    assert_eq!(
        data("comment.hidden"),
        json!({"comment_id": comment, "log_id": hide})
    );
    assert_eq!(data("session.updated"), json!({"session_id": session}));
    assert_eq!(data("queue.updated"), json!({"session_id": session}));
    assert!(
        stored.iter().any(|(k, _)| k == "comment.withdrawn"),
        "{text}"
    );

    // What listeners receive now: the reasons from their tables, the hidden text for
    // moderators only, no speaker's e-mail.
    let events = indaba::live::log::after(&mut conn, &c_channel, 0, 100).unwrap();
    let rendered = indaba::live::render::render(&mut conn, &events).unwrap();
    let public: String = rendered
        .iter()
        .filter_map(|e| e.public.as_deref())
        .collect();
    let private: String = rendered.iter().map(|e| &*e.private).collect();
    assert!(
        !public.contains("Old words") && private.contains("Old words"),
        "{public}"
    );
    assert!(!public.contains("old flag reason") && private.contains("old flag reason"));
    assert!(
        public.contains("old hide reason"),
        "the public log's reason: {public}"
    );
    let events = indaba::live::log::after(&mut conn, &s_channel, 0, 100).unwrap();
    let rendered = indaba::live::render::render(&mut conn, &events).unwrap();
    let all: String = rendered.iter().map(|e| &*e.private).collect();
    assert!(
        all.contains("Spea Ker") && !all.contains("old.speaker"),
        "{all}"
    );
}
