//! Erasure, proved on the database itself: one person uses every feature that stores
//! something about them (their words carry the canary "canaryperson", as do their name,
//! address and organisation), exports their data, and erases their account withdrawing
//! their contributions. Then every column of every table, as the register of personal
//! data (`indaba::accounts::personal_data`) lists them, is read back: the canary may
//! remain only in columns kept on purpose, and columns that the register says are
//! erased no longer name the person's id. Before erasure the same reads must find the
//! canary and the id in the places the scenario filled, so the test cannot pass by
//! having filled nothing.

use std::collections::BTreeSet;
use std::time::Duration;

use awc::http::{Method, StatusCode};
use indaba::accounts::personal_data::{Treatment, REGISTER};
use indaba_tests::*;
use serde_json::{json, Value};

both_backends!(erasure_leaves_the_person_only_where_the_register_keeps_them);

const CANARY: &str = "canaryperson";

/// Columns that hold a user's id.
const USER_REFERENCES: &[&str] = &[
    "user_id",
    "author_id",
    "proposer_id",
    "reviewer_id",
    "actor_id",
    "moderator_id",
    "assignee_id",
    "reviewed_by",
    "filed_by",
    "created_by",
];

async fn ok(res: Response) -> Response {
    assert!(res.status.is_success(), "{}", res.text);
    res
}

async fn count(app: &TestApp, sql: String) -> i64 {
    app.db()
        .run(move |conn| {
            use diesel::prelude::*;
            #[derive(QueryableByName)]
            struct N {
                #[diesel(sql_type = diesel::sql_types::BigInt)]
                n: i64,
            }
            Ok(diesel::sql_query(&sql).get_result::<N>(conn)?.n)
        })
        .await
        .unwrap()
}

/// The columns where the canary is, as `table.column`.
async fn canary_columns(app: &TestApp) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for (table, column, _) in REGISTER {
        // The canary is a constant of letters: nothing to bind.
        let sql = format!(
            "SELECT count(*) AS n FROM \"{table}\" WHERE lower(CAST(\"{column}\" AS TEXT)) LIKE '%{CANARY}%'"
        );
        if count(app, sql).await > 0 {
            found.insert(format!("{table}.{column}"));
        }
    }
    found
}

/// The user-reference columns that hold `id`, as `table.column`.
async fn id_columns(app: &TestApp, id: i64) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for (table, column, _) in REGISTER {
        if !USER_REFERENCES.contains(column) {
            continue;
        }
        let sql = format!("SELECT count(*) AS n FROM \"{table}\" WHERE \"{column}\" = {id}");
        if count(app, sql).await > 0 {
            found.insert(format!("{table}.{column}"));
        }
    }
    found
}

fn treatment(column: &str) -> Treatment {
    let (t, c) = column.split_once('.').unwrap();
    indaba::accounts::personal_data::treatment(t, c).unwrap()
}

async fn erasure_leaves_the_person_only_where_the_register_keeps_them(backend: Backend) {
    let app = spawn_app_with(backend, Options::new().with("INDABA_RATE_LIMITS", "off")).await;
    let organizer = app
        .account(
            "Olga Organiser",
            &["organizer"],
            "civil_society",
            "KE",
            None,
            None,
        )
        .await;
    let other = app
        .account("Pia Participant", &[], "academia", "FR", None, None)
        .await;
    // The person: a moderator and an organiser too, so that every feature is theirs.
    let person = app
        .account(
            "Zelda Canaryperson",
            &["moderator", "organizer"],
            "private_sector",
            "BR",
            Some("female"),
            Some("CanaryPersonOrg"),
        )
        .await;
    let me = Some(person.token.as_str());
    assert!(person.email.contains(CANARY));

    // A consultation the person co-facilitates, comments on, amends and moderates.
    let a = open_consultation(&app, &organizer.token).await;
    ok(app
        .send(
            Method::PUT,
            &format!("/api/v1/consultations/{a}/cofacilitators"),
            Some(&organizer.token),
            &json!({"user_ids": [person.id]}),
        )
        .await)
    .await;
    let detail = ok(app.get(&format!("/api/v1/consultations/{a}"), None).await).await;
    let key = detail.body["version"]["paragraphs"][0]["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let post = |token: String, body: Value| {
        let app = &app;
        async move {
            let res = app
                .post(
                    &format!("/api/v1/consultations/{a}/comments"),
                    Some(&token),
                    &body,
                )
                .await;
            assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
            res.body["id"].as_i64().unwrap()
        }
    };
    let mine = post(
        person.token.clone(),
        json!({"body": "What canaryperson thinks of connectivity.", "paragraph_key": key,
               "on_behalf_of": "The canaryperson delegation"}),
    )
    .await;
    ok(app
        .send(
            Method::PATCH,
            &format!("/api/v1/comments/{mine}"),
            me,
            &json!({"body": "What canaryperson thinks of connectivity, edited."}),
        )
        .await)
    .await;
    post(
        person.token.clone(),
        json!({"body": "An amendment by canaryperson.", "paragraph_key": key, "kind": "amendment",
               "proposed_text": "The text as canaryperson would have it."}),
    )
    .await;
    let theirs = post(
        other.token.clone(),
        json!({"body": "A view on affordability.", "paragraph_key": key}),
    )
    .await;
    let anonymous = post(
        other.token.clone(),
        json!({"body": "An anonymous view.", "paragraph_key": key, "anonymous": true}),
    )
    .await;
    // A reply to the person: a notification (and a mail) for them.
    post(
        other.token.clone(),
        json!({"body": "A reply to the view.", "parent_id": mine}),
    )
    .await;
    ok(app
        .post(
            &format!("/api/v1/comments/{theirs}/endorsement"),
            me,
            &json!({}),
        )
        .await)
    .await;
    ok(app
        .post(
            &format!("/api/v1/comments/{theirs}/flags"),
            me,
            &json!({"reason": "canaryperson finds this off topic"}),
        )
        .await)
    .await;
    ok(app
        .send(
            Method::PATCH,
            &format!("/api/v1/comments/{theirs}/review"),
            me,
            &json!({"status": "read", "note": "canaryperson: merge with 12", "assignee_id": person.id}),
        )
        .await)
    .await;
    ok(app
        .post(
            &format!("/api/v1/comments/{anonymous}/moderation"),
            me,
            &json!({"action": "hide", "reason": "Rule 2"}),
        )
        .await)
    .await;
    // A moderator's look at anonymous authors is audited.
    ok(app
        .get(&format!("/api/v1/consultations/{a}/comments"), me)
        .await)
    .await;
    ok(app
        .post(
            "/api/v1/follows",
            me,
            &json!({"target_type": "consultation", "target_id": a}),
        )
        .await)
    .await;
    ok(app
        .send(
            Method::PATCH,
            "/api/v1/me/notification-settings",
            me,
            &json!({"endorsement": "immediate", "timezone": "America/Sao_Paulo"}),
        )
        .await)
    .await;

    // An IGF event: the person proposes (undecided), is named a speaker of another's
    // proposal that becomes a session, reviews it, queues, bookmarks, upvotes, reports.
    let event = event_with_open_call(&app, &organizer.token, "igf-erasure").await;
    let speaker = json!({"name": "Zelda Canaryperson", "email": person.email,
                         "organization": "CanaryPersonOrg", "stakeholder_group": "private_sector",
                         "country": "BR", "gender": "female"});
    let propose = |token: String, title: &'static str| {
        let (app, speaker) = (&app, speaker.clone());
        async move {
            ok(app
                .post(
                    &format!("/api/v1/events/{event}/proposals"),
                    Some(&token),
                    &json!({"title": title, "type": "workshop", "subtheme": "Governance",
                            "format": "hybrid", "description": "A workshop.",
                            "policy_questions": ["How?"],
                            "speakers": [speaker, {"name": "Sam Speaker", "organization": "Uni",
                                                   "stakeholder_group": "academia", "country": "FR"}],
                            "moderator_name": "Mona", "rapporteur_name": "Rita"}),
                )
                .await)
            .await
            .body["id"]
                .as_i64()
                .unwrap()
        }
    };
    propose(person.token.clone(), "The canaryperson workshop").await;
    let proposal = propose(other.token.clone(), "A workshop on access").await;
    ok(app
        .post(
            &format!("/api/v1/proposals/{proposal}/reviews"),
            me,
            &json!({"score": 4, "comment": "canaryperson would attend"}),
        )
        .await)
    .await;
    let session = accept_proposal(&app, &organizer.token, proposal).await;
    schedule_and_publish(&app, &organizer.token, event, session).await;
    let question = ok(app
        .post(
            &format!("/api/v1/sessions/{session}/comments"),
            Some(&other.token),
            &json!({"body": "A question?", "kind": "question"}),
        )
        .await)
    .await
    .body["id"]
        .as_i64()
        .unwrap();
    for (method, path, body) in [
        (
            Method::POST,
            format!("/api/v1/comments/{question}/upvote"),
            json!({}),
        ),
        (
            Method::POST,
            format!("/api/v1/sessions/{session}/queue"),
            json!({"mode": "onsite"}),
        ),
        (
            Method::POST,
            format!("/api/v1/sessions/{session}/bookmark"),
            json!({}),
        ),
        (
            Method::PUT,
            format!("/api/v1/sessions/{session}/report"),
            json!({"key_takeaways": ["Access matters."], "calls_to_action": ["Connect schools."],
                   "participants_onsite": 40, "participants_online": 60}),
        ),
    ] {
        ok(app.send(method, &path, me, &body).await).await;
    }

    // The export holds every part.
    let export = ok(app.get("/api/v1/me/export", me).await).await.body;
    for (part, value) in [
        ("flags", &export["flags"]),
        ("upvoted_comment_ids", &export["upvoted_comment_ids"]),
        ("moderation", &export["moderation"]),
        ("reviews_written", &export["reviews_written"]),
        ("proposals", &export["proposals"]),
        ("proposal_reviews", &export["proposal_reviews"]),
        ("speaking_queue", &export["speaking_queue"]),
        ("speaker_of_session_ids", &export["speaker_of_session_ids"]),
        (
            "reports_filed_session_ids",
            &export["reports_filed_session_ids"],
        ),
        ("follows", &export["follows"]),
        ("notifications", &export["notifications"]),
        ("comments", &export["comments"]),
    ] {
        assert!(
            value.as_array().is_some_and(|v| !v.is_empty()),
            "the export has no {part}: {export}"
        );
    }
    assert_eq!(
        export["flags"][0]["reason"],
        "canaryperson finds this off topic"
    );
    assert_eq!(
        export["reviews_written"][0]["note"],
        "canaryperson: merge with 12"
    );
    assert_eq!(
        export["proposal_reviews"][0]["comment"],
        "canaryperson would attend"
    );
    assert_eq!(export["speaker_of_session_ids"], json!([session]));
    // Their own proposal and the other's, both naming them.
    assert_eq!(
        export["speaker_in_proposal_ids"].as_array().unwrap().len(),
        2
    );
    assert_eq!(export["reports_filed_session_ids"], json!([session]));
    assert_eq!(
        export["proposals"][0]["speakers"][0]["email"],
        json!(person.email)
    );

    // The reply was mailed to them at once (their default for replies), and the request
    // to confirm as a speaker.
    for _ in 0..600 {
        if app.mails_to(&person.email).len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        app.mails_to(&person.email).len() >= 2,
        "no mail reached them"
    );

    // Before: the canary and the id are where the scenario put them.
    let before = canary_columns(&app).await;
    for column in [
        "users.email",
        "users.display_name",
        "users.organization",
        "comments.body",
        "comments.proposed_text",
        "comments.on_behalf_of",
        "comment_revisions.body",
        "flags.reason",
        "comment_reviews.note",
        "review_log.after",
        "proposals.title",
        "proposals.speakers",
        "sessions.speakers",
        "session_people.person",
        "session_people.display_name",
        "proposal_reviews.comment",
        "mail_outbox.recipient",
    ] {
        assert!(
            before.contains(column),
            "the scenario left nothing in {column}: {before:?}"
        );
    }
    let ids_before = id_columns(&app, person.id).await;
    for column in [
        "user_roles.user_id",
        "consultation_cofacilitators.user_id",
        "refresh_tokens.user_id",
        "mail_outbox.user_id",
        "comments.author_id",
        "endorsements.user_id",
        "upvotes.user_id",
        "flags.user_id",
        "moderation_log.moderator_id",
        "review_log.user_id",
        "comment_reviews.assignee_id",
        "comment_reviews.reviewed_by",
        "follows.user_id",
        "notifications.user_id",
        "notification_settings.user_id",
        "notification_prefs.user_id",
        "proposals.proposer_id",
        "proposal_reviews.reviewer_id",
        "speaking_queue.user_id",
        "session_bookmarks.user_id",
        "session_reports.filed_by",
        "audit_log.actor_id",
    ] {
        assert!(
            ids_before.contains(column),
            "the scenario left no id in {column}: {ids_before:?}"
        );
    }

    ok(app
        .send(
            Method::DELETE,
            "/api/v1/me?withdraw_contributions=true",
            me,
            &json!({"current_password": PASSWORD}),
        )
        .await)
    .await;
    // Mail queued before the erasure goes out (to others) or was dropped (to them).
    let mut unsent = -1;
    for _ in 0..600 {
        unsent = count(
            &app,
            "SELECT count(*) AS n FROM mail_outbox WHERE sent_at IS NULL AND failed_at IS NULL"
                .into(),
        )
        .await;
        if unsent == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(unsent, 0, "mail was still waiting");

    let after = canary_columns(&app).await;
    let leaks: Vec<&String> = after
        .iter()
        .filter(|c| !matches!(treatment(c), Treatment::Kept(_)))
        .collect();
    assert!(
        leaks.is_empty(),
        "after erasure the person is still in {leaks:?} (all: {after:?})"
    );
    let ids_after = id_columns(&app, person.id).await;
    let named: Vec<&String> = ids_after
        .iter()
        .filter(|c| treatment(c) == Treatment::Erased)
        .collect();
    assert!(
        named.is_empty(),
        "after erasure these still name the person's id: {named:?}"
    );
    // Snapshots of the review history no longer hold the id either.
    let snapshots = count(
        &app,
        format!(
            "SELECT count(*) AS n FROM review_log WHERE \"before\" LIKE '%\":{id},%' OR \"after\" LIKE '%\":{id},%' OR \"before\" LIKE '%\":{id}}}%' OR \"after\" LIKE '%\":{id}}}%'",
            id = person.id
        ),
    )
    .await;
    assert_eq!(snapshots, 0, "a review snapshot still names the person");
    // The mail folder keeps nothing addressed to them.
    assert!(app.mails_to(&person.email).is_empty());
    app.stop().await;
}
