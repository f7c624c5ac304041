//! IGF events over real HTTP on SQLite and PostgreSQL: the call, proposals and rules,
//! reviews and ranking, decisions, clash-free scheduling, and the agenda across zones.

use std::collections::HashMap;

use awc::http::{Method, StatusCode};
use indaba_tests::*;
use serde_json::{json, Value};

both_backends!(
    event_set_up_and_bad_input,
    proposals_follow_the_call_and_the_rules,
    reviews_rank_and_decisions_make_sessions,
    scheduling_refuses_clashes,
    agenda_in_any_time_zone,
    session_channels_carry_schedule_changes,
    calendars_parse_and_track_changes,
    agenda_import_is_all_or_nothing_and_export_round_trips,
    personal_agendas,
    sessions_run_live_with_questions,
    upvotes_sent_at_once_are_all_counted,
    reports_are_filed_and_compiled_by_subtheme,
    segments_and_one_speaking_queue,
    speakers_are_shown_by_audience,
    agenda_search_finds_titles_descriptions_and_speaker_names_only,
    agenda_csv_cells_cannot_run_as_formulas,
    proposers_list_and_edit_their_proposals_while_the_call_is_open,
    the_agenda_is_kept_with_its_etag_until_the_schedule_changes,
    organisers_move_and_unschedule_sessions_on_the_grid,
    speakers_confirm_by_mail_and_reviewers_see_the_answers,
    organisers_read_the_whole_proposal_and_lists_page,
    the_agenda_page_pages_and_keeps_its_filters,
    a_schedule_builds_itself_without_breaking_a_hard_constraint,
    the_session_room_runs_from_its_page,
    mag_evaluation_assigns_without_conflicts_scores_recuses_and_ranks,
    a_merged_proposal_joins_another_with_its_speakers,
    the_igf_year_api_names_panels_rubrics_kept_proposals_and_speakers,
    igf_messages_are_drafted_from_reports_commented_and_published_with_sources,
    the_messages_page_drafts_edits_opens_and_publishes_without_javascript,
);

struct Event {
    app: TestApp,
    organizer: String,
    id: i64,
}

/// An event in Oslo across the end of daylight saving time (26 October 2025), with the
/// call open and a gender-and-diversity rule set.
async fn event(backend: Backend) -> Event {
    let app = spawn_app_with(backend, Options::new().with("INDABA_RATE_LIMITS", "off")).await;
    let (_, organizer) = app.user_with_roles("Org", &["organizer"]).await;
    let res = app
        .post(
            "/api/v1/events",
            Some(&organizer),
            &json!({"slug": "igf-2025", "name": "IGF 2025", "theme": "Building digital governance together", "venue": "Lillestrøm",
                    "timezone": "Europe/Oslo", "starts_on": "2025-10-24", "ends_on": "2025-10-28",
                    "subthemes": ["Innovation", "Human rights", "Sustainability", "Governance"]}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let id = res.body["id"].as_i64().unwrap();
    let res = app
        .send(
            Method::PATCH,
            &format!("/api/v1/events/{id}"),
            Some(&organizer),
            &json!({"call_opens_at": "2020-01-01T00:00:00Z", "call_closes_at": "2999-01-01T00:00:00Z",
                    "rules": {"min_speakers": 2, "min_stakeholder_groups": 2, "min_regions": 2, "require_gender_diversity": true, "max_proposals_per_proposer": 3, "max_sessions_per_speaker": 2}}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    Event { app, organizer, id }
}

fn speaker(name: &str, group: &str, country: &str, gender: &str) -> Value {
    json!({"name": name, "organization": "Org", "stakeholder_group": group, "country": country, "gender": gender})
}

fn proposal(title: &str, speakers: Vec<Value>) -> Value {
    json!({"title": title, "type": "workshop", "subtheme": "Human rights", "format": "hybrid",
           "description": "A workshop.", "policy_questions": ["How?"], "speakers": speakers,
           "moderator_name": "Mona Moderator", "rapporteur_name": "Rita Rapporteur"})
}

fn diverse(tag: &str) -> Vec<Value> {
    vec![
        speaker(&format!("Ana {tag}"), "civil_society", "BR", "female"),
        speaker(&format!("Kofi {tag}"), "government", "GH", "male"),
    ]
}

impl Event {
    async fn propose(&self, token: &str, body: &Value) -> Response {
        self.app
            .post(
                &format!("/api/v1/events/{}/proposals", self.id),
                Some(token),
                body,
            )
            .await
    }

    /// Proposes, accepts and returns the new session's id.
    async fn session(&self, proposer: &str, title: &str, speakers: Vec<Value>) -> i64 {
        let res = self.propose(proposer, &proposal(title, speakers)).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
        let id = res.body["id"].as_i64().unwrap();
        let res = self
            .app
            .post(
                &format!("/api/v1/proposals/{id}/decision"),
                Some(&self.organizer),
                &json!({"decision": "accepted", "note": "Good"}),
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        res.body["session_id"].as_i64().unwrap()
    }

    async fn room(&self, name: &str) -> i64 {
        let res = self
            .app
            .post(&format!("/api/v1/events/{}/rooms", self.id), Some(&self.organizer), &json!({"name": name, "capacity": 200, "remote_link": "https://meet.example.org/r"}))
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
        res.body["id"].as_i64().unwrap()
    }

    /// Publishes the event (its agenda and sessions become public).
    async fn publish(&self) -> Response {
        let res = self
            .app
            .send(
                Method::PATCH,
                &format!("/api/v1/events/{}", self.id),
                Some(&self.organizer),
                &json!({"published": true}),
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        res
    }

    async fn slot(&self, session: i64, room: i64, starts: &str, ends: &str) -> Response {
        self.app
            .send(
                Method::PUT,
                &format!("/api/v1/sessions/{session}/slot"),
                Some(&self.organizer),
                &json!({"room_id": room, "starts_at": starts, "ends_at": ends}),
            )
            .await
    }
}

async fn event_set_up_and_bad_input(backend: Backend) {
    let e = event(backend).await;
    let app = &e.app;
    let (_, participant) = app.user_with_roles("P", &[]).await;
    let res = app.post("/api/v1/events", Some(&participant), &json!({"slug": "x-y", "name": "X", "timezone": "UTC", "starts_on": "2025-01-01", "ends_on": "2025-01-02"})).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = app
        .post("/api/v1/events", Some(&e.organizer), &json!({"slug": "bad one", "name": "", "timezone": "Mars/Olympus", "starts_on": "2025-13-01", "ends_on": "2025-01-01"}))
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    for f in ["slug", "name", "timezone", "starts_on"] {
        assert!(res.field(f).is_some(), "{f}: {}", res.text);
    }
    let res = app
        .post("/api/v1/events", Some(&e.organizer), &json!({"slug": "backwards", "name": "B", "timezone": "UTC", "starts_on": "2025-02-01", "ends_on": "2025-01-01"}))
        .await;
    assert!(res.field("ends_on").is_some());
    let res = app
        .post("/api/v1/events", Some(&e.organizer), &json!({"slug": "igf-2025", "name": "Again", "timezone": "UTC", "starts_on": "2025-01-01", "ends_on": "2025-01-02"}))
        .await;
    assert_eq!(
        (res.status, res.code()),
        (StatusCode::CONFLICT, "slug_taken")
    );

    // Unpublished: organisers only.
    assert_eq!(
        app.get("/api/v1/events/igf-2025", None).await.status,
        StatusCode::NOT_FOUND
    );
    let res = app.get("/api/v1/events/igf-2025", Some(&e.organizer)).await;
    assert_eq!(res.body["timezone"], "Europe/Oslo");
    assert_eq!(res.body["rules"]["min_speakers"], 2);
    assert_eq!(res.body["call_open"], true);
    let res = app
        .send(
            Method::PATCH,
            &format!("/api/v1/events/{}", e.id),
            Some(&e.organizer),
            &json!({"rules": {"min_speakers": "two"}}),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let res = app
        .send(
            Method::PATCH,
            &format!("/api/v1/events/{}", e.id),
            Some(&e.organizer),
            &json!({"rules": {"max_speakers": 9}}),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let res = e.publish().await;
    assert_eq!(res.body["published"], true);
    assert_eq!(
        app.get("/api/v1/events", None).await.body["items"][0]["slug"],
        "igf-2025"
    );

    let rooms = format!("/api/v1/events/{}/rooms", e.id);
    assert_eq!(
        app.post(
            &rooms,
            Some(&e.organizer),
            &json!({"name": "Plenary", "capacity": 0})
        )
        .await
        .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        app.post(
            &rooms,
            Some(&e.organizer),
            &json!({"name": "Plenary", "capacity": 10, "remote_link": "javascript:alert(1)"})
        )
        .await
        .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    e.room("Plenary").await;
    assert_eq!(
        app.post(
            &rooms,
            Some(&e.organizer),
            &json!({"name": "Plenary", "capacity": 10})
        )
        .await
        .status,
        StatusCode::CONFLICT
    );
    assert_eq!(
        app.get(&format!("/api/v1/events/{}", e.id), None)
            .await
            .body["rooms"][0]["name"],
        "Plenary"
    );
}

async fn proposals_follow_the_call_and_the_rules(backend: Backend) {
    let e = event(backend).await;
    let (_, alice) = e.app.user_with_roles("Alice", &[]).await;
    let res = e.propose(&alice, &proposal("Good", diverse("a"))).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    assert_eq!(res.body["status"], "submitted");
    assert_eq!(
        res.body["diversity"]["regions"],
        json!(["african", "latin_american_caribbean"])
    );

    // Every broken rule is listed.
    let res = e
        .propose(
            &alice,
            &proposal("Thin", vec![speaker("Solo", "academia", "FR", "male")]),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    for rule in [
        "rules.min_speakers",
        "rules.min_stakeholder_groups",
        "rules.min_regions",
        "rules.require_gender_diversity",
    ] {
        assert!(res.field(rule).is_some(), "{rule}: {}", res.text);
    }
    // Field problems are named with their place.
    let mut bad = proposal(
        "Bad",
        vec![
            speaker("X", "lobby", "ZZ", "female"),
            speaker("", "academia", "FR", "other"),
        ],
    );
    bad["type"] = json!("keynote");
    bad["format"] = json!("telepathy");
    let res = e.propose(&alice, &bad).await;
    for f in [
        "type",
        "format",
        "speakers[0].stakeholder_group",
        "speakers[0].country",
        "speakers[1].name",
    ] {
        assert!(res.field(f).is_some(), "{f}: {}", res.text);
    }
    let mut wrong_theme = proposal("Theme", diverse("t"));
    wrong_theme["subtheme"] = json!("Cooking");
    assert!(e
        .propose(&alice, &wrong_theme)
        .await
        .field("subtheme")
        .is_some());

    // A speaker in at most two proposals.
    let ana = speaker("Ana Busy", "civil_society", "BR", "female");
    for n in 0..2 {
        let res = e
            .propose(
                &alice,
                &proposal(
                    &format!("Busy {n}"),
                    vec![
                        ana.clone(),
                        speaker(&format!("K{n}"), "government", "GH", "male"),
                    ],
                ),
            )
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    }
    // Alice has three proposals now: the limit.
    let res = e.propose(&alice, &proposal("Fourth", diverse("d"))).await;
    assert!(
        res.field("rules.max_proposals_per_proposer").is_some(),
        "{}",
        res.text
    );
    let (_, bob) = e.app.user_with_roles("Bob", &[]).await;
    let res = e
        .propose(
            &bob,
            &proposal(
                "Busy 3",
                vec![ana.clone(), speaker("K9", "government", "GH", "male")],
            ),
        )
        .await;
    assert!(
        res.field("rules.max_sessions_per_speaker")
            .unwrap()
            .contains("Ana Busy"),
        "{}",
        res.text
    );

    // Outside the call window: 409, and nothing stored.
    e.app
        .send(
            Method::PATCH,
            &format!("/api/v1/events/{}", e.id),
            Some(&e.organizer),
            &json!({"call_closes_at": "2021-01-01T00:00:00Z"}),
        )
        .await;
    let res = e.propose(&bob, &proposal("Late", diverse("l"))).await;
    assert_eq!(
        (res.status, res.code()),
        (StatusCode::CONFLICT, "call_closed")
    );
    let list = e
        .app
        .get(
            &format!("/api/v1/events/{}/proposals", e.id),
            Some(&e.organizer),
        )
        .await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 3);
    assert_eq!(
        e.app
            .get(&format!("/api/v1/events/{}/proposals", e.id), Some(&bob))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

async fn reviews_rank_and_decisions_make_sessions(backend: Backend) {
    let e = event(backend).await;
    let (_, alice) = e.app.user_with_roles("Alice", &[]).await;
    let (_, reviewer2) = e.app.user_with_roles("Rev2", &["organizer"]).await;
    let (_, proposing_organizer) = e.app.user_with_roles("OrgProposer", &["organizer"]).await;
    let p1 = e
        .propose(&alice, &proposal("Weak", diverse("1")))
        .await
        .body["id"]
        .as_i64()
        .unwrap();
    let p2 = e
        .propose(&proposing_organizer, &proposal("Strong", diverse("2")))
        .await
        .body["id"]
        .as_i64()
        .unwrap();

    let review = |token: String, id: i64, score: i64| {
        let app = &e.app;
        async move {
            app.post(
                &format!("/api/v1/proposals/{id}/reviews"),
                Some(&token),
                &json!({"score": score, "comment": "ok"}),
            )
            .await
        }
    };
    assert_eq!(
        review(e.organizer.clone(), p1, 2).await.status,
        StatusCode::CREATED
    );
    assert_eq!(
        review(reviewer2.clone(), p1, 3).await.status,
        StatusCode::CREATED
    );
    assert_eq!(
        review(e.organizer.clone(), p2, 5).await.status,
        StatusCode::CREATED
    );
    let res = review(e.organizer.clone(), p1, 4).await;
    assert_eq!(
        (res.status, res.code()),
        (StatusCode::CONFLICT, "already_reviewed")
    );
    let res = review(proposing_organizer.clone(), p2, 5).await;
    assert_eq!(
        res.status,
        StatusCode::FORBIDDEN,
        "no reviewing one's own proposal"
    );
    assert_eq!(
        review(reviewer2.clone(), p2, 6).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        review(alice.clone(), p2, 4).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        review(e.organizer.clone(), 999999, 4).await.status,
        StatusCode::NOT_FOUND
    );

    let ranked = e
        .app
        .get(
            &format!("/api/v1/events/{}/proposals", e.id),
            Some(&e.organizer),
        )
        .await;
    let items = ranked.body["items"].as_array().unwrap();
    assert_eq!(items[0]["title"], "Strong");
    assert_eq!(items[0]["mean_score"], 5.0);
    assert_eq!(items[1]["mean_score"], 2.5);
    assert_eq!(items[1]["review_count"], 2);

    let decide = |id: i64, d: &str| {
        let app = &e.app;
        let token = e.organizer.clone();
        let body = json!({"decision": d, "note": "MAG decision"});
        async move {
            app.post(
                &format!("/api/v1/proposals/{id}/decision"),
                Some(&token),
                &body,
            )
            .await
        }
    };
    assert_eq!(
        decide(p1, "maybe").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let res = decide(p2, "accepted").await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let session = res.body["session_id"].as_i64().unwrap();
    assert_eq!(decide(p2, "rejected").await.code(), "already_decided");
    let res = decide(p1, "rejected").await;
    assert_eq!(
        (
            res.body["status"].as_str(),
            res.body["session_id"].is_null()
        ),
        (Some("rejected"), true)
    );
    // Alice sees her proposal (without reviews); others do not.
    let mine = e
        .app
        .get(&format!("/api/v1/proposals/{p1}"), Some(&alice))
        .await;
    assert_eq!(mine.body["decision_note"], "MAG decision");
    assert!(mine.body.get("reviews").is_none());
    assert_eq!(
        e.app
            .get(&format!("/api/v1/proposals/{p2}"), Some(&alice))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let s = e
        .app
        .get(&format!("/api/v1/sessions/{session}"), Some(&e.organizer))
        .await;
    assert_eq!(
        (s.body["title"].as_str(), s.body["type"].as_str()),
        (Some("Strong"), Some("workshop"))
    );
}

async fn scheduling_refuses_clashes(backend: Backend) {
    let e = event(backend).await;
    let (_, alice) = e.app.user_with_roles("Alice", &[]).await;
    let a = e
        .session(
            &alice,
            "A",
            vec![
                speaker("Ana Shared", "civil_society", "BR", "female"),
                speaker("Kofi", "government", "GH", "male"),
            ],
        )
        .await;
    let b = e
        .session(
            &alice,
            "B",
            vec![
                speaker("Ana Shared", "civil_society", "BR", "female"),
                speaker("Lin", "academia", "CN", "male"),
            ],
        )
        .await;
    let c = e.session(&alice, "C", diverse("c")).await;
    let (r1, r2) = (e.room("Room 1").await, e.room("Room 2").await);

    let res = e
        .slot(a, r1, "2025-10-24T08:00:00Z", "2025-10-24T09:30:00Z")
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["local_starts_at"], "2025-10-24T10:00:00+02:00");
    // Same room, overlapping.
    let res = e
        .slot(c, r1, "2025-10-24T09:00:00Z", "2025-10-24T10:00:00Z")
        .await;
    assert_eq!(
        (res.status, res.code()),
        (StatusCode::CONFLICT, "schedule_conflict")
    );
    let conflicts = res.body["error"]["details"]["conflicts"]
        .as_array()
        .unwrap();
    assert_eq!(
        (
            conflicts[0]["session_id"].as_i64(),
            conflicts[0]["reason"].as_str()
        ),
        (Some(a), Some("room"))
    );
    // Another room, but a shared speaker; and the moderator is in both too.
    let res = e
        .slot(b, r2, "2025-10-24T09:00:00Z", "2025-10-24T10:00:00Z")
        .await;
    assert_eq!(res.code(), "schedule_conflict");
    let who: Vec<&str> = res.body["error"]["details"]["conflicts"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["person"].as_str())
        .collect();
    assert!(
        who.contains(&"Ana Shared") && who.contains(&"Mona Moderator"),
        "{who:?}"
    );
    // Back to back is fine.
    assert_eq!(
        e.slot(c, r1, "2025-10-24T09:30:00Z", "2025-10-24T10:30:00Z")
            .await
            .status,
        StatusCode::OK
    );

    for (starts, ends, field) in [
        ("2025-10-23T08:00:00Z", "2025-10-23T09:00:00Z", "starts_at"),
        ("2025-10-29T08:00:00Z", "2025-10-29T09:00:00Z", "starts_at"),
        ("2025-10-25T10:00:00Z", "2025-10-25T09:00:00Z", "ends_at"),
        ("yesterday", "2025-10-25T09:00:00Z", "starts_at"),
    ] {
        let res = e.slot(b, r2, starts, ends).await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{starts}: {}",
            res.text
        );
        assert!(res.field(field).is_some(), "{field}: {}", res.text);
    }
    assert!(e
        .slot(b, 999999, "2025-10-25T08:00:00Z", "2025-10-25T09:00:00Z")
        .await
        .field("room_id")
        .is_some());
    let (_, participant) = e.app.user_with_roles("P", &[]).await;
    let res = e.app.send(Method::PUT, &format!("/api/v1/sessions/{b}/slot"), Some(&participant), &json!({"room_id": r2, "starts_at": "2025-10-25T08:00:00Z", "ends_at": "2025-10-25T09:00:00Z"})).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    // Nothing half-written: B is still unscheduled.
    let s = e
        .app
        .get(&format!("/api/v1/sessions/{b}"), Some(&e.organizer))
        .await;
    assert!(s.body["starts_at"].is_null());
    // Rescheduling raises the calendar sequence.
    let first = e
        .slot(b, r2, "2025-10-25T08:00:00Z", "2025-10-25T09:00:00Z")
        .await
        .body["sequence"]
        .as_i64()
        .unwrap();
    let second = e
        .slot(b, r2, "2025-10-25T10:00:00Z", "2025-10-25T11:00:00Z")
        .await
        .body["sequence"]
        .as_i64()
        .unwrap();
    assert!(second > first);
}

async fn agenda_in_any_time_zone(backend: Backend) {
    let e = event(backend).await;
    let (_, alice) = e.app.user_with_roles("Alice", &[]).await;
    let room = e.room("Plenary").await;
    let before = e.session(&alice, "Before the change", diverse("b")).await;
    let after = e.session(&alice, "After the change", diverse("a")).await;
    // Daylight saving ends in Oslo at 01:00 UTC on 26 October 2025: +02:00, then +01:00.
    assert_eq!(
        e.slot(before, room, "2025-10-25T08:00:00Z", "2025-10-25T09:00:00Z")
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        e.slot(after, room, "2025-10-27T08:00:00Z", "2025-10-27T09:00:00Z")
            .await
            .status,
        StatusCode::OK
    );

    let agenda = format!("/api/v1/events/{}/agenda", e.id);
    // Not published yet: not public.
    assert_eq!(e.app.get(&agenda, None).await.status, StatusCode::NOT_FOUND);
    e.publish().await;
    let res = e.app.get(&agenda, None).await;
    let items = res.body["items"].as_array().unwrap();
    assert_eq!(res.body["timezone"], "Europe/Oslo");
    assert_eq!(items[0]["local_starts_at"], "2025-10-25T10:00:00+02:00");
    assert_eq!(items[1]["local_starts_at"], "2025-10-27T09:00:00+01:00");
    assert_eq!(items[1]["starts_at"], "2025-10-27T08:00:00Z");
    let res = e
        .app
        .get(&format!("{agenda}?tz=America/New_York"), None)
        .await;
    assert_eq!(
        res.body["items"][0]["local_starts_at"],
        "2025-10-25T04:00:00-04:00"
    );
    let res = e
        .app
        .get(&format!("{agenda}?tz=Asia/Kolkata&day=2025-10-27"), None)
        .await;
    let items = res.body["items"].as_array().unwrap();
    assert_eq!(
        (items.len(), items[0]["local_starts_at"].as_str()),
        (1, Some("2025-10-27T13:30:00+05:30"))
    );
    assert_eq!(
        e.app.get(&format!("{agenda}?q=after"), None).await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        e.app
            .get(
                &format!("{agenda}?type=workshop&format=hybrid&subtheme=Human%20rights"),
                None
            )
            .await
            .body["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        e.app
            .get(&format!("{agenda}?type=main_session"), None)
            .await
            .body["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    let res = e.app.get(&format!("{agenda}?tz=Mars/Olympus"), None).await;
    assert_eq!(
        (res.status, res.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_query")
    );
    assert_eq!(
        e.app
            .get(&format!("{agenda}?day=27-10-2025"), None)
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

async fn session_channels_carry_schedule_changes(backend: Backend) {
    use futures_util::StreamExt;
    let e = event(backend).await;
    let (_, alice) = e.app.user_with_roles("Alice", &[]).await;
    let room = e.room("Plenary").await;
    let session = e.session(&alice, "Live one", diverse("l")).await;
    // Unpublished events have no public session channels.
    let res = e
        .app
        .get(&format!("/api/v1/live/sessions/{session}/events"), None)
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    e.publish().await;
    let (mut ws, _) = tokio_tungstenite::connect_async(format!(
        "ws://{}/api/v1/live/sessions/{session}?since=0",
        e.app.addr
    ))
    .await
    .unwrap();
    assert_eq!(
        e.slot(
            session,
            room,
            "2025-10-25T08:00:00Z",
            "2025-10-25T09:00:00Z"
        )
        .await
        .status,
        StatusCode::OK
    );
    let event = loop {
        let msg = tokio::time::timeout(std::time::Duration::from_secs(10), ws.next())
            .await
            .expect("in time")
            .unwrap()
            .unwrap();
        if let tokio_tungstenite::tungstenite::Message::Text(text) = msg {
            let e = frame_events(&text).remove(0);
            if e["type"] == "session.updated" {
                break e;
            }
        }
    };
    assert_eq!(event["seq"], 1);
    assert_eq!(
        event["data"]["local_starts_at"],
        "2025-10-25T10:00:00+02:00"
    );
    let res = e
        .app
        .get(
            &format!("/api/v1/live/sessions/{session}/events?since=0"),
            None,
        )
        .await;
    assert_eq!(
        (
            res.body["next_since"].as_i64(),
            res.body["items"][0]["type"].as_str()
        ),
        (Some(1), Some("session.updated"))
    );
    assert_eq!(
        e.app
            .get("/api/v1/live/sessions/999999/events", None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

async fn calendars_parse_and_track_changes(backend: Backend) {
    let e = event(backend).await;
    let (_, alice) = e.app.user_with_roles("Alice", &[]).await;
    let room = e.room("Room, with a comma; and more").await;
    let a = e.session(&alice, "Données & droits: 数字鸿沟 — a long title that will need folding across lines in the file", diverse("a")).await;
    let b = e.session(&alice, "Second", diverse("b")).await;
    let unscheduled = e.session(&alice, "Not yet", diverse("u")).await;
    e.slot(a, room, "2025-10-25T08:00:00Z", "2025-10-25T09:30:00Z")
        .await;
    e.slot(b, room, "2025-10-27T08:00:00Z", "2025-10-27T09:00:00Z")
        .await;
    e.publish().await;

    let res = e
        .app
        .get(&format!("/api/v1/events/{}/agenda.ics", e.id), None)
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res
        .header("content-type")
        .unwrap()
        .starts_with("text/calendar"));
    assert!(
        res.text.contains("\r\n")
            && res
                .text
                .lines()
                .all(|l| l.trim_end_matches('\r').len() <= 75)
    );
    let events = parse_ics(&res.text);
    let events = events.as_array().unwrap();
    assert_eq!(events.len(), 2, "only scheduled sessions");
    let first = &events[0];
    assert_eq!(
        first["summary"],
        "Données & droits: 数字鸿沟 — a long title that will need folding across lines in the file"
    );
    assert_eq!(first["dtstart"], "2025-10-25T08:00:00+00:00");
    assert_eq!(first["dtend"], "2025-10-25T09:30:00+00:00");
    assert!(first["location"]
        .as_str()
        .unwrap()
        .starts_with("Room, with a comma; and more"));
    assert!(first["description"]
        .as_str()
        .unwrap()
        .contains("https://meet.example.org/r"));
    let uid = first["uid"].as_str().unwrap().to_owned();
    let seq: i64 = first["sequence"].as_str().unwrap().parse().unwrap();

    // Rescheduled: same UID, higher SEQUENCE, in the single-session file too.
    e.slot(a, room, "2025-10-25T12:00:00Z", "2025-10-25T13:00:00Z")
        .await;
    let one = parse_ics(
        &e.app
            .get(&format!("/api/v1/sessions/{a}.ics"), None)
            .await
            .text,
    );
    assert_eq!(one[0]["uid"], uid.as_str());
    assert!(one[0]["sequence"].as_str().unwrap().parse::<i64>().unwrap() > seq);
    assert_eq!(one[0]["dtstart"], "2025-10-25T12:00:00+00:00");
    assert_eq!(
        e.app
            .get(&format!("/api/v1/sessions/{unscheduled}.ics"), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        e.app.get("/api/v1/sessions/999999.ics", None).await.status,
        StatusCode::NOT_FOUND
    );
}

async fn agenda_import_is_all_or_nothing_and_export_round_trips(backend: Backend) {
    let e = event(backend).await;
    e.room("Plenary").await;
    e.room("Room 2").await;
    e.publish().await;
    let import = format!("/api/v1/events/{}/agenda/import", e.id);
    let agenda = format!("/api/v1/events/{}/agenda", e.id);
    let row = |title: &str, kind: &str, room: &str, starts: &str, ends: &str| {
        json!({"title": title, "type": kind, "subtheme": "Governance", "format": "in_person", "room": room,
               "starts_at": starts, "ends_at": ends, "moderator_name": format!("Mod {title}"),
               "speakers": [{"name": format!("Speaker {title}"), "stakeholder_group": "academia", "country": "NO", "gender": "female"}]})
    };
    let bad = json!({"rows": [
        row("Opening", "main_session", "Plenary", "2025-10-24T08:00:00Z", "2025-10-24T09:00:00Z"),
        row("Bad type", "keynote", "Plenary", "2025-10-24T10:00:00Z", "2025-10-24T11:00:00Z"),
        row("Clash", "workshop", "Plenary", "2025-10-24T08:30:00Z", "2025-10-24T09:30:00Z"),
        row("Nowhere", "workshop", "Attic", "2025-10-24T12:00:00Z", "2025-10-24T13:00:00Z"),
        row("Fine", "workshop", "Room 2", "2025-10-24T08:00:00Z", "2025-10-24T09:00:00Z"),
    ]});
    let res = e.app.post(&import, Some(&e.organizer), &bad).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    let rows: Vec<i64> = res.body["error"]["details"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["row"].as_i64().unwrap())
        .collect();
    assert_eq!(rows, [2, 3, 4], "{}", res.text);
    assert_eq!(
        res.body["error"]["details"]["rows"][1]["conflicts"][0]["reason"],
        "room"
    );
    assert_eq!(
        e.app.get(&agenda, None).await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        0,
        "nothing half-written"
    );

    let good = json!({"rows": [
        row("Opening", "main_session", "Plenary", "2025-10-24T08:00:00Z", "2025-10-24T09:00:00Z"),
        row("Fine", "workshop", "Room 2", "2025-10-24T08:00:00Z", "2025-10-24T09:00:00Z"),
    ]});
    let res = e.app.post(&import, Some(&e.organizer), &good).await;
    assert_eq!(
        (res.status, res.body["imported"].as_i64()),
        (StatusCode::CREATED, Some(2)),
        "{}",
        res.text
    );

    let csv = "title,type,subtheme,format,description,room,starts_at,ends_at,moderator_name,rapporteur_name,speakers\n\
               \"Youth, and the future\",youth_track,Innovation,hybrid,\"Quoted, text\",Room 2,2025-10-25T08:00:00Z,2025-10-25T09:00:00Z,Mo,Ra,Ana|civil_society|BR|female; Kofi|government|GH|male\n";
    let res = e
        .app
        .post(
            &import,
            Some(&e.organizer),
            &json!({"format": "csv", "source": csv}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let res = e
        .app
        .post(
            &import,
            Some(&e.organizer),
            &json!({"format": "csv", "source": "title,type\nX,workshop\n"}),
        )
        .await;
    assert!(
        res.field("source").unwrap().contains("lacks"),
        "{}",
        res.text
    );
    let (_, participant) = e.app.user_with_roles("P", &[]).await;
    assert_eq!(
        e.app.post(&import, Some(&participant), &good).await.status,
        StatusCode::FORBIDDEN
    );

    let export = e
        .app
        .get(&format!("/api/v1/events/{}/agenda.csv?tz=UTC", e.id), None)
        .await;
    assert_eq!(export.status, StatusCode::OK);
    assert!(export
        .header("content-type")
        .unwrap()
        .starts_with("text/csv"));
    // A byte-order mark first: Excel on Windows then reads the file as UTF-8.
    let text = export.text.strip_prefix('\u{feff}').expect("a UTF-8 BOM");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{}", export.text);
    assert!(lines[0].starts_with("id,title,type"));
    assert!(export.text.contains("\"Youth, and the future\""));
    // Speakers as the public sees them: no gender, no e-mail.
    assert!(
        export
            .text
            .contains("Ana|civil_society|BR; Kofi|government|GH"),
        "{}",
        export.text
    );
    assert!(!export.text.contains("female"), "{}", export.text);
    // The import takes speakers without a gender too (as the export writes them).
    let csv = "title,type,subtheme,format,room,starts_at,ends_at,moderator_name,rapporteur_name,speakers\n\
               Closing,main_session,Governance,in_person,Plenary,2025-10-28T08:00:00Z,2025-10-28T09:00:00Z,Mo,Ra,Lin|academia|CN; Ana|civil_society|BR|female\n";
    let res = e
        .app
        .post(
            &import,
            Some(&e.organizer),
            &json!({"format": "csv", "source": csv}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let res = e
        .app
        .post(
            &import,
            Some(&e.organizer),
            &json!({"format": "csv", "source": csv.replace("Lin|academia|CN", "Lin|academia")}),
        )
        .await;
    assert!(
        res.body["error"]["details"]["rows"][0]["errors"]["speakers[0]"].is_string(),
        "{}",
        res.text
    );
    let items = e.app.get(&agenda, None).await.body["items"].clone();
    assert_eq!(items.as_array().unwrap().len(), 4);
    assert!(items
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["type"] == "youth_track" && s["speakers"][1]["region"] == "african"));
}

async fn personal_agendas(backend: Backend) {
    let e = event(backend).await;
    let (_, alice) = e.app.user_with_roles("Alice", &[]).await;
    let (_, bob) = e.app.user_with_roles("Bob", &[]).await;
    let room = e.room("Plenary").await;
    let late = e.session(&alice, "Late", diverse("l")).await;
    let early = e.session(&alice, "Early", diverse("e")).await;
    let unscheduled = e.session(&alice, "Unscheduled", diverse("u")).await;
    e.slot(late, room, "2025-10-27T08:00:00Z", "2025-10-27T09:00:00Z")
        .await;
    e.slot(early, room, "2025-10-25T08:00:00Z", "2025-10-25T09:00:00Z")
        .await;
    let mark = |id: i64| format!("/api/v1/sessions/{id}/bookmark");
    // Sessions of an unpublished event cannot be bookmarked by participants.
    assert_eq!(
        e.app
            .raw(Method::POST, &mark(late), Some(&bob), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    e.publish().await;
    for id in [late, early, unscheduled] {
        assert_eq!(
            e.app
                .raw(Method::POST, &mark(id), Some(&bob), None)
                .await
                .status,
            StatusCode::CREATED
        );
    }
    assert_eq!(
        e.app
            .raw(Method::POST, &mark(late), Some(&bob), None)
            .await
            .status,
        StatusCode::CONFLICT
    );
    assert_eq!(
        e.app
            .raw(Method::POST, &mark(999999), Some(&bob), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        e.app
            .raw(Method::POST, &mark(late), None, None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );

    let mine = e
        .app
        .get("/api/v1/me/agenda?tz=Asia/Tokyo", Some(&bob))
        .await;
    let titles: Vec<&str> = mine.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles.len(), 3);
    assert_eq!(
        mine.body["items"][0]["local_starts_at"]
            .as_str()
            .map(|t| t.ends_with("+09:00")),
        Some(true)
    );
    assert!(titles.iter().position(|t| *t == "Early") < titles.iter().position(|t| *t == "Late"));
    assert_eq!(
        e.app.get("/api/v1/me/agenda", Some(&alice)).await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    let ics = e.app.get("/api/v1/me/agenda.ics", Some(&bob)).await;
    let parsed = parse_ics(&ics.text);
    assert_eq!(
        parsed.as_array().unwrap().len(),
        2,
        "only scheduled sessions are in the calendar"
    );
    assert_eq!(
        e.app.get("/api/v1/me/agenda.ics", None).await.status,
        StatusCode::UNAUTHORIZED
    );

    assert_eq!(
        e.app.get("/api/v1/me/export", Some(&bob)).await.body["bookmarked_session_ids"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert_eq!(
        e.app
            .raw(Method::DELETE, &mark(late), Some(&bob), None)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        e.app
            .raw(Method::DELETE, &mark(late), Some(&bob), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        e.app.get("/api/v1/me/agenda", Some(&bob)).await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

/// Many people upvote two questions at once, half of them in one order and half in the
/// other: writes committed in groups side by side may meet on the two rows, and a write
/// the database undoes is answered 503 to be sent again. Every upvote is counted once.
async fn upvotes_sent_at_once_are_all_counted(backend: Backend) {
    let e = event(backend).await;
    let (_, alice) = e.app.user_with_roles("Alice", &[]).await;
    let (_, bob) = e.app.user_with_roles("Bob", &[]).await;
    let session = e.session(&alice, "Live", diverse("u")).await;
    e.publish().await;
    let stream = format!("/api/v1/sessions/{session}/comments");
    let mut questions = Vec::new();
    for body in ["Who pays for the backbone?", "Who keeps the registry?"] {
        let q = e
            .app
            .post(
                &stream,
                Some(&bob),
                &json!({"body": body, "kind": "question"}),
            )
            .await;
        assert_eq!(q.status, StatusCode::CREATED, "{}", q.text);
        questions.push(q.body["id"].as_i64().unwrap());
    }
    const PEOPLE: usize = 24;
    let mut voters = Vec::new();
    for i in 0..PEOPLE {
        voters.push(e.app.user_with_roles(&format!("Voter {i}"), &[]).await.1);
    }
    let app = &e.app;
    let votes = voters.iter().enumerate().map(|(i, token)| {
        let order = if i % 2 == 0 {
            [questions[0], questions[1]]
        } else {
            [questions[1], questions[0]]
        };
        async move {
            for q in order {
                let mut tries = 0;
                loop {
                    let res = app
                        .raw(
                            Method::POST,
                            &format!("/api/v1/comments/{q}/upvote"),
                            Some(token),
                            None,
                        )
                        .await;
                    if res.status == StatusCode::SERVICE_UNAVAILABLE && tries < 5 {
                        assert!(res.headers.contains_key("retry-after"), "{}", res.text);
                        tries += 1;
                        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                        continue;
                    }
                    assert!(res.status.is_success(), "{}: {}", res.status, res.text);
                    break;
                }
            }
        }
    });
    futures_util::future::join_all(votes).await;
    let list = e.app.get(&stream, Some(&bob)).await;
    for q in &questions {
        let item = list.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == *q)
            .expect("the question is listed");
        assert_eq!(item["upvote_count"], PEOPLE, "{item}");
    }
}

async fn sessions_run_live_with_questions(backend: Backend) {
    use futures_util::StreamExt;
    let e = event(backend).await;
    let (_, alice) = e.app.user_with_roles("Alice", &[]).await;
    let (_, bob) = e.app.user_with_roles("Bob", &[]).await;
    let (_, carol) = e.app.user_with_roles("Carol", &[]).await;
    let (_, moderator) = e.app.user_with_roles("Mod", &["moderator"]).await;
    let session = e.session(&alice, "Live", diverse("q")).await;
    let stream = format!("/api/v1/sessions/{session}/comments");
    // Sessions of an unpublished event take no comments from participants.
    assert_eq!(
        e.app
            .post(&stream, Some(&bob), &json!({"body": "Hello"}))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    e.publish().await;
    let (mut ws, _) = tokio_tungstenite::connect_async(format!(
        "ws://{}/api/v1/live/sessions/{session}",
        e.app.addr
    ))
    .await
    .unwrap();

    let hello = e
        .app
        .post(
            &stream,
            Some(&bob),
            &json!({"body": "Greetings from the remote hub in Nairobi"}),
        )
        .await;
    assert_eq!(hello.status, StatusCode::CREATED, "{}", hello.text);
    assert_eq!(hello.body["session_id"], session);
    let q1 = e
        .app
        .post(
            &stream,
            Some(&bob),
            &json!({"body": "How will small operators be funded?", "kind": "question"}),
        )
        .await
        .body["id"]
        .as_i64()
        .unwrap();
    let q2 = e
        .app
        .post(
            &stream,
            Some(&carol),
            &json!({"body": "What about community networks?", "kind": "question"}),
        )
        .await
        .body["id"]
        .as_i64()
        .unwrap();
    for (body, field) in [
        (json!({"body": ""}), "body"),
        (json!({"body": "x", "kind": "amendment"}), "kind"),
        (json!({"body": "x".repeat(2001)}), "body"),
    ] {
        assert!(
            e.app
                .post(&stream, Some(&bob), &body)
                .await
                .field(field)
                .is_some(),
            "{field}"
        );
    }

    let up = |id: i64, token: &str| {
        let app = &e.app;
        let token = token.to_owned();
        async move {
            app.raw(
                Method::POST,
                &format!("/api/v1/comments/{id}/upvote"),
                Some(&token),
                None,
            )
            .await
        }
    };
    assert_eq!(up(q2, &alice).await.body["upvote_count"], 1);
    assert_eq!(up(q2, &bob).await.body["upvote_count"], 2);
    assert_eq!(up(q1, &carol).await.body["upvote_count"], 1);
    assert_eq!(up(q2, &bob).await.code(), "already_upvoted");
    assert_eq!(
        up(q2, &carol).await.status,
        StatusCode::FORBIDDEN,
        "no upvoting one's own question"
    );
    assert_eq!(
        up(hello.body["id"].as_i64().unwrap(), &carol).await.status,
        StatusCode::CONFLICT,
        "only questions are upvoted"
    );
    // Upvotes and endorsements do not mix.
    let res = e
        .app
        .raw(
            Method::POST,
            &format!("/api/v1/comments/{q1}/endorsement"),
            Some(&carol),
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);

    let top = e
        .app
        .get(&format!("{stream}?kind=question&sort=top"), None)
        .await;
    let order: Vec<i64> = top.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    assert_eq!(order, [q2, q1], "questions rise with their upvotes");
    assert_eq!(
        e.app
            .get(&format!("{stream}?sort=loudest"), None)
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        e.app.get(&stream, None).await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        3
    );

    // Moderators hide; the public no longer sees it, the live stream says so.
    let res = e
        .app
        .post(
            &format!("/api/v1/comments/{q1}/moderation"),
            Some(&moderator),
            &json!({"action": "hide", "reason": "Off topic"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(
        e.app
            .get(&format!("{stream}?kind=question"), None)
            .await
            .body["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        e.app
            .get(&format!("{stream}?kind=question"), Some(&moderator))
            .await
            .body["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    let mut kinds = Vec::new();
    while !kinds.contains(&"comment.hidden".to_owned()) {
        let msg = tokio::time::timeout(std::time::Duration::from_secs(10), ws.next())
            .await
            .expect("in time")
            .unwrap()
            .unwrap();
        if let tokio_tungstenite::tungstenite::Message::Text(text) = msg {
            kinds.extend(
                frame_events(&text)
                    .iter()
                    .filter_map(|e| e["type"].as_str().map(str::to_owned)),
            );
        }
    }
    assert!(
        kinds.contains(&"comment.created".to_owned())
            && kinds.contains(&"question.upvoted".to_owned()),
        "{kinds:?}"
    );
}

async fn reports_are_filed_and_compiled_by_subtheme(backend: Backend) {
    let e = event(backend).await;
    let (_, alice) = e.app.user_with_roles("Alice", &[]).await;
    let (_, bob) = e.app.user_with_roles("Bob", &[]).await;
    let one = e.session(&alice, "One", diverse("1")).await;
    let two = e.session(&alice, "Two", diverse("2")).await;
    e.publish().await;
    let report = |takeaways: Vec<&str>| {
        json!({"key_takeaways": takeaways, "calls_to_action": ["Fund community networks"],
               "participants_onsite": 120, "participants_online": 80, "women_share": 0.55})
    };
    let path = |id: i64| format!("/api/v1/sessions/{id}/report");
    assert_eq!(
        e.app.get(&path(one), None).await.status,
        StatusCode::NOT_FOUND
    );
    // The proposer files for the rapporteur; others may not.
    assert_eq!(
        e.app
            .send(Method::PUT, &path(one), Some(&bob), &report(vec!["x"]))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let res = e
        .app
        .send(
            Method::PUT,
            &path(one),
            Some(&alice),
            &report(vec!["Connectivity is a right"]),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["women_share"], 0.55);
    let res = e
        .app
        .send(
            Method::PUT,
            &path(two),
            Some(&e.organizer),
            &report(vec!["Data must flow with trust", "Skills first"]),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    // Replacing keeps one report per session.
    e.app
        .send(
            Method::PUT,
            &path(one),
            Some(&alice),
            &report(vec!["Connectivity is a human right"]),
        )
        .await;
    for (body, field) in [
        (
            json!({"key_takeaways": [], "participants_onsite": 1, "participants_online": 1}),
            "key_takeaways",
        ),
        (
            json!({"key_takeaways": ["a"], "participants_onsite": -1, "participants_online": 1}),
            "participants_onsite",
        ),
        (
            json!({"key_takeaways": ["a"], "participants_onsite": 1, "participants_online": 1, "women_share": 1.5}),
            "women_share",
        ),
        (
            json!({"key_takeaways": [""], "participants_onsite": 1, "participants_online": 1}),
            "key_takeaways[0]",
        ),
    ] {
        assert!(
            e.app
                .send(Method::PUT, &path(one), Some(&alice), &body)
                .await
                .field(field)
                .is_some(),
            "{field}"
        );
    }
    let compiled = e
        .app
        .get(&format!("/api/v1/events/{}/report", e.id), None)
        .await;
    assert_eq!(compiled.body["reports"], 2);
    assert_eq!(compiled.body["participants_onsite"], 240);
    let theme = &compiled.body["subthemes"][0];
    assert_eq!(theme["subtheme"], "Human rights");
    let texts: Vec<&str> = theme["key_takeaways"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts,
        [
            "Connectivity is a human right",
            "Data must flow with trust",
            "Skills first"
        ]
    );
    assert_eq!(theme["calls_to_action"].as_array().unwrap().len(), 2);
    // Reports are searchable across the platform while their event is published.
    let found = e
        .app
        .get_until_total("/api/v1/search?q=trust&type=session_report", None, 1)
        .await;
    let item = &found.body["items"][0];
    assert_eq!(item["type"], "session_report");
    assert_eq!(item["report"]["session_id"], two);
    assert_eq!(item["report"]["title"], "Two");
    assert!(item["highlight"]
        .as_str()
        .unwrap()
        .contains("<mark>trust</mark>"));
    e.app
        .get_until_total(
            "/api/v1/search?q=connectivity+right&type=session_report",
            None,
            1,
        )
        .await;
    e.app
        .send(
            Method::PATCH,
            &format!("/api/v1/events/{}", e.id),
            Some(&e.organizer),
            &json!({"published": false}),
        )
        .await;
    e.app
        .get_until_total("/api/v1/search?q=trust&type=session_report", None, 0)
        .await;
}

async fn segments_and_one_speaking_queue(backend: Backend) {
    let e = event(backend).await;
    let (_, alice) = e.app.user_with_roles("Alice", &[]).await;
    let (_, bob) = e.app.user_with_roles("Bob", &[]).await;
    let (_, carol) = e.app.user_with_roles("Carol", &[]).await;
    let (_, moderator) = e.app.user_with_roles("Mod", &["moderator"]).await;
    let room = e.room("Plenary").await;
    let session = e.session(&alice, "Dialogue", diverse("d")).await;
    e.slot(
        session,
        room,
        "2025-10-25T08:00:00Z",
        "2025-10-25T09:30:00Z",
    )
    .await;
    e.publish().await;

    let seg = format!("/api/v1/sessions/{session}/segments");
    let plan = json!({"segments": [
        {"kind": "opening", "title": "Welcome", "minutes": 10},
        {"kind": "panel", "title": "Panel", "minutes": 40},
        {"kind": "interactive_dialogue", "minutes": 30},
        {"kind": "closing", "minutes": 10}]});
    let res = e
        .app
        .send(Method::PUT, &seg, Some(&e.organizer), &plan)
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["segments"][2]["starts_at"], "2025-10-25T08:50:00Z");
    let too_long = json!({"segments": [{"kind": "panel", "minutes": 100}]});
    assert!(e
        .app
        .send(Method::PUT, &seg, Some(&e.organizer), &too_long)
        .await
        .field("segments")
        .is_some());
    let bad = json!({"segments": [{"kind": "keynote", "minutes": 0}]});
    let res = e
        .app
        .send(Method::PUT, &seg, Some(&e.organizer), &bad)
        .await;
    assert!(
        res.field("segments[0].kind").is_some() && res.field("segments[0].minutes").is_some(),
        "{}",
        res.text
    );
    assert_eq!(
        e.app
            .send(Method::PUT, &seg, Some(&bob), &plan)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        e.app.get(&seg, None).await.body["segments"]
            .as_array()
            .unwrap()
            .len(),
        4
    );

    let q = format!("/api/v1/sessions/{session}/queue");
    assert_eq!(
        e.app
            .post(&q, Some(&bob), &json!({"mode": "onsite"}))
            .await
            .status,
        StatusCode::CREATED
    );
    let res = e
        .app
        .post(&q, Some(&carol), &json!({"mode": "remote"}))
        .await;
    assert_eq!(res.body["waiting"][1]["mode"], "remote");
    assert_eq!(
        e.app
            .post(&q, Some(&bob), &json!({"mode": "remote"}))
            .await
            .status,
        StatusCode::CONFLICT
    );
    assert!(e
        .app
        .post(&q, Some(&alice), &json!({"mode": "telepathy"}))
        .await
        .field("mode")
        .is_some());
    assert_eq!(
        e.app
            .post(&format!("{q}/next"), Some(&bob), &json!({}))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // Remote and onsite wait in one line: first come, first heard.
    let res = e
        .app
        .post(&format!("{q}/next"), Some(&moderator), &json!({}))
        .await;
    assert_eq!(
        (
            res.body["speaking"]["display_name"].as_str(),
            res.body["waiting"].as_array().unwrap().len()
        ),
        (Some("Bob"), 1)
    );
    let res = e.app.raw(Method::DELETE, &q, Some(&carol), None).await;
    assert_eq!(res.body["waiting"].as_array().unwrap().len(), 0);
    assert_eq!(
        e.app
            .raw(Method::DELETE, &q, Some(&carol), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        e.app
            .post(&format!("{q}/next"), Some(&moderator), &json!({}))
            .await
            .status,
        StatusCode::CONFLICT
    );
    assert_eq!(
        e.app.get(&q, None).await.body["speaking"]["display_name"],
        "Bob"
    );
}

/// An event with a published, scheduled session whose speakers gave e-mails and genders;
/// the proposal's id, the session's id.
async fn session_with_private_speakers(e: &Event, proposer: &str) -> (i64, i64) {
    let mut ana = speaker("Ana Canary", "civil_society", "BR", "female");
    ana["email"] = json!("ana.canary@gmail.com");
    let mut kofi = speaker("Kofi Mensah", "government", "GH", "male");
    kofi["email"] = json!("kofi@example.org");
    let mut body = proposal("Community networks", vec![ana, kofi]);
    body["description"] = json!("Villages that build their own networks.");
    let res = e.propose(proposer, &body).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let proposal = res.body["id"].as_i64().unwrap();
    let res = e
        .app
        .post(
            &format!("/api/v1/proposals/{proposal}/decision"),
            Some(&e.organizer),
            &json!({"decision": "accepted"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let session = res.body["session_id"].as_i64().unwrap();
    let room = e.room("Plenary").await;
    let res = e
        .slot(
            session,
            room,
            "2025-10-25T08:00:00Z",
            "2025-10-25T09:00:00Z",
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    e.publish().await;
    (proposal, session)
}

/// No speaker's gender anywhere in `text`, per speaker or otherwise.
fn assert_no_gender(what: &str, text: &str) {
    for word in ["gender", "female", "\"male\"", "|male"] {
        assert!(!text.contains(word), "{what} shows {word}: {text}");
    }
}

/// Speakers are public by name, organisation, group, country and region; their e-mail
/// reaches the event's organisers only; their gender nobody per speaker (organisers see
/// it in aggregate), except the proposer reading back their own proposal.
async fn speakers_are_shown_by_audience(backend: Backend) {
    let e = event(backend).await;
    let (_, alice) = e.app.user_with_roles("Alice", &[]).await;
    let (_, bob) = e.app.user_with_roles("Bob", &[]).await;
    let (_, moderator) = e.app.user_with_roles("Mod", &["moderator"]).await;
    let (proposal, session) = session_with_private_speakers(&e, &alice).await;
    let email = "ana.canary@gmail.com";

    // Every public surface, for the public, a participant and a moderator.
    let paths = [
        format!("/api/v1/events/{}/agenda", e.id),
        "/api/v1/events/igf-2025/agenda?tz=UTC".to_owned(),
        format!("/api/v1/events/{}/agenda.ics", e.id),
        format!("/api/v1/events/{}/agenda.csv", e.id),
        format!("/api/v1/sessions/{session}"),
        format!("/api/v1/sessions/{session}.ics"),
        format!("/api/v1/live/sessions/{session}/events?since=0"),
    ];
    for token in [None, Some(bob.as_str()), Some(moderator.as_str())] {
        for path in &paths {
            let res = e.app.get(path, token).await;
            assert_eq!(res.status, StatusCode::OK, "{path}: {}", res.text);
            // Calendars carry no speakers; everything else names them.
            assert!(
                path.contains(".ics") || res.text.contains("Ana Canary"),
                "{path} names the speaker: {}",
                res.text
            );
            assert!(
                !res.text.contains(email),
                "{path} shows an e-mail: {}",
                res.text
            );
            assert!(!res.text.contains("kofi@example.org"), "{path}");
            assert_no_gender(path, &res.text);
        }
    }
    let public = e
        .app
        .get(&format!("/api/v1/sessions/{session}"), None)
        .await;
    assert_eq!(
        public.body["speakers"][0],
        json!({"name": "Ana Canary", "organization": "Org", "stakeholder_group": "civil_society",
               "country": "BR", "region": "latin_american_caribbean"})
    );
    // Bookmarked: the personal agenda shows speakers as the public sees them.
    e.app
        .raw(
            Method::POST,
            &format!("/api/v1/sessions/{session}/bookmark"),
            Some(&bob),
            None,
        )
        .await;
    for path in ["/api/v1/me/agenda", "/api/v1/me/agenda.ics"] {
        let res = e.app.get(path, Some(&bob)).await;
        assert_eq!(res.status, StatusCode::OK, "{path}: {}", res.text);
        assert!(!res.text.contains(email), "{path}: {}", res.text);
        assert_no_gender(path, &res.text);
    }

    // Organisers see the e-mail, never a speaker's gender; the CSV stays public.
    for path in [
        format!("/api/v1/events/{}/agenda", e.id),
        format!("/api/v1/events/{}/sessions", e.id),
        format!("/api/v1/sessions/{session}"),
    ] {
        let res = e.app.get(&path, Some(&e.organizer)).await;
        assert!(res.text.contains(email), "{path}: {}", res.text);
        assert_no_gender(&path, &res.text);
    }
    let csv = e
        .app
        .get(
            &format!("/api/v1/events/{}/agenda.csv", e.id),
            Some(&e.organizer),
        )
        .await;
    assert!(!csv.text.contains(email), "{}", csv.text);
    assert_no_gender("agenda.csv", &csv.text);

    // Proposals: organisers see e-mails and the genders in aggregate only.
    let ranked = e
        .app
        .get(
            &format!("/api/v1/events/{}/proposals", e.id),
            Some(&e.organizer),
        )
        .await;
    let p = &ranked.body["items"][0];
    assert_eq!(p["speakers"][0]["email"], email);
    assert!(p["speakers"][0].get("gender").is_none(), "{}", ranked.text);
    assert_eq!(p["diversity"]["genders"], json!(["female", "male"]));
    assert_eq!(ranked.header("cache-control"), Some("no-store"));
    let read = e
        .app
        .get(&format!("/api/v1/proposals/{proposal}"), Some(&e.organizer))
        .await;
    assert_eq!(read.body["speakers"][1]["email"], "kofi@example.org");
    assert!(read.body["speakers"][1].get("gender").is_none());
    assert_eq!(read.body["review_count"], 0);
    // The proposer reads back what they gave.
    let mine = e
        .app
        .get(&format!("/api/v1/proposals/{proposal}"), Some(&alice))
        .await;
    assert_eq!(
        (
            mine.body["speakers"][0]["email"].as_str(),
            mine.body["speakers"][0]["gender"].as_str()
        ),
        (Some(email), Some("female"))
    );
    assert!(mine.body.get("reviews").is_none());
    // Nobody else reads the proposal at all.
    for token in [&bob, &moderator] {
        assert_eq!(
            e.app
                .get(&format!("/api/v1/proposals/{proposal}"), Some(token))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
    }
    assert_eq!(
        e.app
            .get(&format!("/api/v1/proposals/{proposal}"), None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );

    // The pages: the agenda and the session name the speakers and nothing more.
    for path in [
        "/events/igf-2025/agenda".to_owned(),
        format!("/sessions/{session}"),
    ] {
        let res = e.app.raw(Method::GET, &path, None, None).await;
        assert_eq!(res.status, StatusCode::OK, "{path}");
        assert!(!res.text.contains(email), "{path}");
        assert_no_gender(&path, &res.text);
    }
    let page = e
        .app
        .raw(Method::GET, &format!("/sessions/{session}"), None, None)
        .await;
    assert!(page.text.contains("Ana Canary") && page.text.contains("Kofi Mensah"));
}

async fn agenda_search_finds_titles_descriptions_and_speaker_names_only(backend: Backend) {
    let e = event(backend).await;
    let (_, alice) = e.app.user_with_roles("Alice", &[]).await;
    session_with_private_speakers(&e, &alice).await;
    let agenda = format!("/api/v1/events/{}/agenda", e.id);
    let found = |q: &str, token: Option<String>| {
        let app = &e.app;
        let path = format!("{agenda}?q={}", encode_query(q));
        async move {
            let res = app.get(&path, token.as_deref()).await;
            assert_eq!(res.status, StatusCode::OK, "{path}: {}", res.text);
            res.body["items"].as_array().unwrap().len()
        }
    };
    for q in ["community", "build their own", "ana canary", "Mensah"] {
        assert_eq!(found(q, None).await, 1, "{q}");
    }
    // E-mails, genders, organisations and the rest of a speaker are not searched, for
    // anyone (organisers too: the agenda is a public surface).
    for q in [
        "@gmail.com",
        "ana.canary",
        "kofi@example.org",
        "female",
        "civil_society",
        "email",
        "\"name\"",
    ] {
        assert_eq!(found(q, None).await, 0, "{q}");
        assert_eq!(found(q, Some(e.organizer.clone())).await, 0, "{q}");
    }
    // Bad filters are refused clearly, each named.
    let res = e
        .app
        .get(
            &format!("{agenda}?type=keynote&format=telepathy&day=tomorrow&tz=Mars/Olympus"),
            None,
        )
        .await;
    assert_eq!(
        (res.status, res.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_query"),
        "{}",
        res.text
    );
    for f in ["type", "format", "day", "tz"] {
        assert!(res.field(f).is_some(), "{f}: {}", res.text);
    }
    let res = e
        .app
        .get(
            &format!("/api/v1/events/{}/agenda.csv?tz=Nowhere", e.id),
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
}

/// A title or a name that a spreadsheet would run as a formula is written as text
/// (a leading apostrophe) in the public agenda.csv.
async fn agenda_csv_cells_cannot_run_as_formulas(backend: Backend) {
    let e = event(backend).await;
    let (_, alice) = e.app.user_with_roles("Alice", &[]).await;
    let session = e
        .session(
            &alice,
            "=HYPERLINK(\"http://evil.example\",\"Open\")",
            vec![
                speaker("@SUM(A1)", "civil_society", "BR", "female"),
                speaker("Kofi", "government", "GH", "male"),
            ],
        )
        .await;
    let room = e.room("Plenary").await;
    let res = e
        .slot(
            session,
            room,
            "2025-10-24T08:00:00Z",
            "2025-10-24T09:00:00Z",
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let csv = e
        .app
        .get(
            &format!("/api/v1/events/{}/agenda.csv?tz=UTC", e.id),
            Some(&e.organizer),
        )
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    let rows: Vec<csv::StringRecord> = csv::Reader::from_reader(csv.text.as_bytes())
        .records()
        .map(Result::unwrap)
        .collect();
    let title = &rows[0][1];
    assert!(title.starts_with("'="), "{title}");
    assert!(rows
        .iter()
        .flat_map(|r| r.iter())
        .all(|c| !c.starts_with(['=', '+', '-', '@'])));
}

async fn proposers_list_and_edit_their_proposals_while_the_call_is_open(backend: Backend) {
    let e = event(backend).await;
    let app = &e.app;
    let account = app
        .account("Proposer", &[], "civil_society", "KE", None, None)
        .await;
    let proposer = account.token.clone();
    let (_, other) = app.member("Other", &[], "academia", "IN", None).await;
    let res = app
        .post(
            &format!("/api/v1/events/{}/proposals", e.id),
            Some(&proposer),
            &proposal("Connectivity for all", diverse("a")),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let id = res.body["id"].as_i64().unwrap();
    let path = format!("/api/v1/proposals/{id}");

    // Edited by its proposer only; the rules hold again, the proposal itself not counted.
    let mut changed = proposal("Meaningful connectivity for all", diverse("a"));
    changed["description"] = json!("A workshop on meaningful connectivity.");
    let res = app.send(Method::PATCH, &path, Some(&other), &changed).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{}", res.text);
    let res = app
        .send(Method::PATCH, &path, Some(&e.organizer), &changed)
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text);
    let lone = proposal(
        "Alone",
        vec![speaker("Solo", "civil_society", "KE", "female")],
    );
    let res = app.send(Method::PATCH, &path, Some(&proposer), &lone).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    assert!(res.field("rules.min_speakers").is_some(), "{}", res.text);
    let mut bad = changed.clone();
    bad["subtheme"] = json!("Astrology");
    let res = app.send(Method::PATCH, &path, Some(&proposer), &bad).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    let res = app
        .send(Method::PATCH, &path, Some(&proposer), &changed)
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["title"], "Meaningful connectivity for all");
    let read = app.get(&path, Some(&e.organizer)).await;
    assert_eq!(
        read.body["description"],
        "A workshop on meaningful connectivity."
    );

    // The same from the pages: my proposals, and the form filled in.
    let web = indaba_tests::web::WebClient::new(&app.base);
    web.sign_in(&account.email, PASSWORD).await;
    let page = web.get("/me/proposals").await;
    assert!(
        page.html.contains("Meaningful connectivity for all"),
        "{}",
        page.html
    );
    assert!(
        page.html.contains(&format!("/proposals/{id}/edit")),
        "{}",
        page.html
    );
    let form = web.get(&format!("/proposals/{id}/edit")).await;
    assert!(form.html.contains("Edit your proposal"), "{}", form.html);
    assert!(form.html.contains("value=\"Ana a\""), "{}", form.html);
    let csrf = form.hidden("csrf").unwrap();
    let mut fields: Vec<(String, String)> = vec![
        ("csrf".into(), csrf),
        (
            "title".into(),
            "Meaningful connectivity, edited on the page".into(),
        ),
        ("type".into(), "workshop".into()),
        ("subtheme".into(), "Human rights".into()),
        ("format".into(), "hybrid".into()),
        (
            "description".into(),
            "A workshop on meaningful connectivity.".into(),
        ),
        ("policy_questions".into(), "How?".into()),
        ("moderator_name".into(), "Mona Moderator".into()),
        ("rapporteur_name".into(), "Rita Rapporteur".into()),
    ];
    for (i, (name, group, country, gender)) in [
        ("Ana a", "civil_society", "BR", "female"),
        ("Kofi a", "government", "GH", "male"),
    ]
    .iter()
    .enumerate()
    {
        for (f, v) in [
            ("name", *name),
            ("organization", "Org"),
            ("stakeholder_group", *group),
            ("country", *country),
            ("gender", *gender),
        ] {
            fields.push((format!("speaker-{i}-{f}"), v.to_owned()));
        }
    }
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let saved = web.post(&format!("/proposals/{id}/edit"), &pairs).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    let page = web.follow(&saved).await;
    assert!(
        page.html.contains("Your proposal is saved."),
        "{}",
        page.html
    );
    assert!(
        page.html
            .contains("Meaningful connectivity, edited on the page"),
        "{}",
        page.html
    );
    let stranger = indaba_tests::web::WebClient::new(&app.base);
    let res = stranger.get(&format!("/proposals/{id}/edit")).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);

    // My proposals: with the decision and its note once taken; then no more edits.
    let mine = app.get("/api/v1/me/proposals", Some(&proposer)).await;
    assert_eq!(mine.status, StatusCode::OK, "{}", mine.text);
    assert_eq!(mine.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(mine.body["items"][0]["status"], "submitted");
    let theirs = app.get("/api/v1/me/proposals", Some(&other)).await;
    assert_eq!(theirs.body["items"], json!([]));
    let res = app
        .post(
            &format!("{path}/decision"),
            Some(&e.organizer),
            &json!({"decision": "rejected", "note": "Too close to another workshop."}),
        )
        .await;
    assert!(res.status.is_success(), "{}", res.text);
    let mine = app.get("/api/v1/me/proposals", Some(&proposer)).await;
    assert_eq!(mine.body["items"][0]["status"], "rejected");
    assert_eq!(
        mine.body["items"][0]["decision_note"],
        "Too close to another workshop."
    );
    let res = app
        .send(Method::PATCH, &path, Some(&proposer), &changed)
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text);
    assert_eq!(res.code(), "already_decided");

    // After the call, a second proposal cannot be edited either.
    let res = app
        .post(
            &format!("/api/v1/events/{}/proposals", e.id),
            Some(&proposer),
            &proposal("Second", diverse("b")),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let second = res.body["id"].as_i64().unwrap();
    let res = app
        .send(
            Method::PATCH,
            &format!("/api/v1/events/{}", e.id),
            Some(&e.organizer),
            &json!({"call_closes_at": "2021-01-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let res = app
        .send(
            Method::PATCH,
            &format!("/api/v1/proposals/{second}"),
            Some(&proposer),
            &proposal("Second, edited", diverse("b")),
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text);
    assert_eq!(res.code(), "call_closed");
}

/// A GET with headers, as a browser or a calendar client revalidating sends it.
async fn get_with(
    app: &TestApp,
    path: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, Vec<(String, String)>, Vec<u8>) {
    let mut req = app.client.get(app.url(path));
    for (k, v) in headers {
        req = req.insert_header((*k, *v));
    }
    let mut res = req.send().await.unwrap();
    let body = res.body().limit(16 * 1024 * 1024).await.unwrap().to_vec();
    let headers = res
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                v.to_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    (res.status(), headers, body)
}

fn header_of<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

async fn the_agenda_is_kept_with_its_etag_until_the_schedule_changes(backend: Backend) {
    let e = event(backend).await;
    let (_, alice) = e.app.user_with_roles("Alice", &[]).await;
    let room = e.room("Plenary").await;
    let one = e.session(&alice, "Kept in memory", diverse("k")).await;
    let res = e
        .slot(one, room, "2025-10-25T08:00:00Z", "2025-10-25T09:00:00Z")
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    e.publish().await;
    let app = &e.app;
    for path in [
        format!("/api/v1/events/{}/agenda", e.id),
        format!("/api/v1/events/{}/agenda.ics", e.id),
        format!("/api/v1/events/{}/agenda.csv?tz=Asia/Tokyo", e.id),
        format!("/api/v1/sessions/{one}.ics"),
    ] {
        let (status, headers, body) = get_with(app, &path, &[]).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        let etag = header_of(&headers, "etag").expect("an etag").to_owned();
        assert_eq!(
            header_of(&headers, "cache-control"),
            Some("no-cache"),
            "{path}"
        );
        // Revalidated: 304, no body.
        let (status, _, empty) = get_with(app, &path, &[("if-none-match", &etag)]).await;
        assert_eq!(status, StatusCode::NOT_MODIFIED, "{path}");
        assert!(empty.is_empty());
        // The same bytes again, and gzipped for those who take it.
        let (_, again, same) = get_with(app, &path, &[]).await;
        assert_eq!(header_of(&again, "etag"), Some(etag.as_str()));
        assert_eq!(same, body, "{path}");
        let (status, zipped, _) = get_with(app, &path, &[("accept-encoding", "gzip")]).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            header_of(&zipped, "content-encoding"),
            Some("gzip"),
            "{path}"
        );
        // Brotli where it is taken, gzip where brotli is refused.
        let (_, br, _) = get_with(app, &path, &[("accept-encoding", "gzip, br")]).await;
        assert_eq!(header_of(&br, "content-encoding"), Some("br"), "{path}");
        let (_, no_br, _) = get_with(app, &path, &[("accept-encoding", "br;q=0, gzip")]).await;
        assert_eq!(
            header_of(&no_br, "content-encoding"),
            Some("gzip"),
            "{path}"
        );
    }

    // A change to the schedule is in the very next answer, under a new tag.
    let agenda = format!("/api/v1/events/{}/agenda", e.id);
    let ics = format!("/api/v1/sessions/{one}.ics");
    let (_, h1, _) = get_with(app, &agenda, &[]).await;
    let (_, h2, _) = get_with(app, &ics, &[]).await;
    let (old_agenda, old_ics) = (
        header_of(&h1, "etag").unwrap().to_owned(),
        header_of(&h2, "etag").unwrap().to_owned(),
    );
    let res = e
        .slot(one, room, "2025-10-25T10:00:00Z", "2025-10-25T11:00:00Z")
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let (status, headers, body) = get_with(app, &agenda, &[("if-none-match", &old_agenda)]).await;
    assert_eq!(status, StatusCode::OK);
    assert_ne!(header_of(&headers, "etag"), Some(old_agenda.as_str()));
    let view: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(view["items"][0]["starts_at"], "2025-10-25T10:00:00Z");
    let (status, _, body) = get_with(app, &ics, &[("if-none-match", &old_ics)]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(String::from_utf8_lossy(&body).contains("DTSTART:20251025T100000Z"));
    // A new session too.
    let two = e.session(&alice, "Added later", diverse("l")).await;
    let res = e
        .slot(two, room, "2025-10-25T12:00:00Z", "2025-10-25T13:00:00Z")
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let listed = app.get(&agenda, None).await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 2);
    // Organisers' answers are kept apart from the public's.
    let staff = app.get(&agenda, Some(&e.organizer)).await;
    assert_eq!(staff.status, StatusCode::OK);
}

async fn organisers_move_and_unschedule_sessions_on_the_grid(backend: Backend) {
    let e = event(backend).await;
    let app = &e.app;
    let staff = app
        .account(
            "Grid Org",
            &["organizer"],
            "intergovernmental",
            "NO",
            None,
            None,
        )
        .await;
    let (_, alice) = app.user_with_roles("Alice", &[]).await;
    let room = e.room("Plenary").await;
    let one = e.session(&alice, "Moved around", diverse("m")).await;
    let res = e
        .slot(one, room, "2025-10-25T08:00:00Z", "2025-10-25T09:00:00Z")
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let slot = format!("/api/v1/sessions/{one}/slot");
    let res = app
        .send(Method::DELETE, &slot, Some(&alice), &json!({}))
        .await;
    assert!(res.status.is_client_error(), "{}", res.text);

    // The day's sessions, each with its slot filled in (Oslo: UTC+2 that day).
    let web = indaba_tests::web::WebClient::new(&app.base);
    web.sign_in(&staff.email, PASSWORD).await;
    let base = "/organize/events/igf-2025";
    let page = web.get(&format!("{base}?day=2025-10-25")).await;
    assert!(page.html.contains("Scheduled this day"), "{}", page.html);
    assert!(
        page.html.contains(&format!(
            "id=\"starts-{one}\" name=\"starts\" type=\"time\" required value=\"10:00\""
        )),
        "{}",
        page.html
    );
    let csrf = page.hidden("csrf").unwrap();
    let (id, room_id) = (one.to_string(), room.to_string());
    let moved = web
        .post(
            base,
            &[
                ("csrf", &csrf),
                ("action", "slot"),
                ("session", &id),
                ("room", &room_id),
                ("day", "2025-10-25"),
                ("starts", "11:00"),
                ("ends", "12:00"),
            ],
        )
        .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.html);
    let s = app
        .get(&format!("/api/v1/sessions/{one}"), Some(&e.organizer))
        .await;
    assert_eq!(s.body["starts_at"], "2025-10-25T09:00:00Z", "{}", s.text);
    let out = web
        .post(
            base,
            &[("csrf", &csrf), ("action", "unslot"), ("session", &id)],
        )
        .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER, "{}", out.html);
    let s = app
        .get(&format!("/api/v1/sessions/{one}"), Some(&e.organizer))
        .await;
    assert_eq!(s.body["starts_at"], Value::Null, "{}", s.text);
    let page = web.get(&format!("{base}?day=2025-10-25")).await;
    assert!(!page.html.contains("Scheduled this day"), "{}", page.html);
    // Through the API: scheduled again, then taken out; twice is 409.
    let res = e
        .slot(one, room, "2025-10-25T08:00:00Z", "2025-10-25T09:00:00Z")
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let res = app
        .send(Method::DELETE, &slot, Some(&e.organizer), &json!({}))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["starts_at"], Value::Null);
    assert!(res.body["sequence"].as_i64().unwrap() >= 3, "{}", res.text);
    let res = app
        .send(Method::DELETE, &slot, Some(&e.organizer), &json!({}))
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text);
    assert_eq!(res.code(), "already_in_state");
}

fn with_email(mut s: Value, email: &str) -> Value {
    s["email"] = json!(email);
    s
}

/// The speakers' answers, by name, as `viewer` reads the proposal.
async fn answers(app: &TestApp, proposal: i64, viewer: &str) -> Vec<(String, Value)> {
    let res = app
        .get(&format!("/api/v1/proposals/{proposal}"), Some(viewer))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    res.body["speakers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_owned(),
                s["confirmation"].clone(),
            )
        })
        .collect()
}

async fn speakers_confirm_by_mail_and_reviewers_see_the_answers(backend: Backend) {
    let e = event(backend).await;
    let app = &e.app;
    let proposer = app
        .account("Pia Proposer", &[], "civil_society", "KE", None, None)
        .await;
    let (ana, kofi) = ("ana.confirm@example.org", "KOFI.confirm@example.org");
    let speakers = vec![
        with_email(speaker("Ana", "civil_society", "BR", "female"), ana),
        with_email(speaker("Kofi", "government", "GH", "male"), kofi),
        speaker("Lin", "academia", "CN", "female"),
    ];
    let res = e
        .propose(
            &proposer.token,
            &proposal("Confirmed panel", speakers.clone()),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let id = res.body["id"].as_i64().unwrap();
    // The proposer reads back who was asked; Lin gave no address and is not.
    assert_eq!(
        res.body["speakers"][0]["confirmation"], "asked",
        "{}",
        res.text
    );
    assert!(
        res.body["speakers"][2].get("confirmation").is_none(),
        "{}",
        res.text
    );

    // Each speaker with an address gets a mail naming the session, the event and the
    // proposer, with a link to answer.
    let token = app.link_token(ana, "/speaker-confirmation?token=").await;
    let mail = app.mails_to(ana).pop().unwrap();
    assert!(mail.subject.contains("Confirmed panel"), "{}", mail.subject);
    assert!(
        mail.text.contains("Pia Proposer") && mail.text.contains("IGF 2025"),
        "{}",
        mail.text
    );
    let kofi_token = app
        .link_token("kofi.confirm@example.org", "/speaker-confirmation?token=")
        .await;

    // The page shows what the link is about and changes nothing on GET.
    let web = indaba_tests::web::WebClient::new(&app.base);
    let page = web
        .get(&format!("/speaker-confirmation?token={token}"))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert!(
        page.html.contains("Confirmed panel") && page.html.contains("Ana"),
        "{}",
        page.html
    );
    assert!(
        page.html.contains("You have not answered yet."),
        "{}",
        page.html
    );
    let csrf = page.hidden("csrf").unwrap();
    let done = web
        .post(
            "/speaker-confirmation",
            &[("csrf", &csrf), ("token", &token), ("answer", "confirmed")],
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.html);
    assert!(done.html.contains("you will speak"), "{}", done.html);
    // Kofi declines through the API.
    let res = app
        .post(
            "/api/v1/speaker-confirmations",
            None,
            &json!({"token": kofi_token, "answer": "declined"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["answer"], "declined");
    assert_eq!(res.body["proposal_id"], id);

    // Organisers and the proposer see the answers; nobody else reads the proposal.
    let seen = answers(app, id, &e.organizer).await;
    assert_eq!(seen[0], ("Ana".into(), json!("confirmed")));
    assert_eq!(seen[1], ("Kofi".into(), json!("declined")));
    assert_eq!(seen[2], ("Lin".into(), Value::Null));
    assert_eq!(answers(app, id, &proposer.token).await, seen);
    let (_, stranger) = app.user_with_roles("Stranger", &[]).await;
    let res = app
        .get(&format!("/api/v1/proposals/{id}"), Some(&stranger))
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{}", res.text);

    // Bad answers: an unknown link, an answer that is not one, unknown fields.
    for (body, status, code) in [
        (
            json!({"token": "nope", "answer": "confirmed"}),
            StatusCode::BAD_REQUEST,
            "invalid_token",
        ),
        (
            json!({"token": token, "answer": "asked"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            json!({"token": token, "answer": "maybe"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            json!({"token": token}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
    ] {
        let res = app.post("/api/v1/speaker-confirmations", None, &body).await;
        assert_eq!(res.status, status, "{body}: {}", res.text);
        assert_eq!(res.code(), code, "{body}: {}", res.text);
    }
    let bad = web.get("/speaker-confirmation?token=nope").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.html);

    // An edit keeps the answers of the speakers it keeps (the address in any case),
    // forgets those it drops and asks the new ones, once.
    let before = app.mails_to(ana).len();
    let mut kept = speakers.clone();
    kept[1] = with_email(
        speaker("Kofi", "government", "GH", "male"),
        "kofi.CONFIRM@example.org",
    );
    kept[2] = with_email(
        speaker("Lin", "academia", "CN", "female"),
        "lin.confirm@example.org",
    );
    kept.remove(0);
    kept.push(with_email(
        speaker("Ana", "civil_society", "BR", "female"),
        ana,
    ));
    let res = app
        .send(
            Method::PATCH,
            &format!("/api/v1/proposals/{id}"),
            Some(&proposer.token),
            &proposal("Confirmed panel", kept),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let seen = answers(app, id, &e.organizer).await;
    assert_eq!(
        seen,
        vec![
            ("Kofi".into(), json!("declined")),
            ("Lin".into(), json!("asked")),
            ("Ana".into(), json!("confirmed")),
        ]
    );
    app.link_token("lin.confirm@example.org", "/speaker-confirmation?token=")
        .await;
    assert_eq!(app.mails_to(ana).len(), before, "Ana is not asked twice");
    let res = app
        .send(
            Method::PATCH,
            &format!("/api/v1/proposals/{id}"),
            Some(&proposer.token),
            &proposal(
                "Confirmed panel",
                vec![
                    speaker("Kofi", "government", "GH", "male"),
                    speaker("Lin", "academia", "CN", "female"),
                    with_email(speaker("Ana", "civil_society", "BR", "female"), ana),
                ],
            ),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let res = app
        .post(
            "/api/v1/speaker-confirmations",
            None,
            &json!({"token": kofi_token, "answer": "confirmed"}),
        )
        .await;
    assert_eq!(
        res.status,
        StatusCode::BAD_REQUEST,
        "a dropped speaker's link is spent: {}",
        res.text
    );

    // The public session of an accepted proposal shows no answers; once rejected, a
    // proposal's answers no longer change.
    let res = app
        .post(
            &format!("/api/v1/proposals/{id}/decision"),
            Some(&e.organizer),
            &json!({"decision": "rejected", "note": "Full"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let res = app
        .post(
            "/api/v1/speaker-confirmations",
            None,
            &json!({"token": token, "answer": "declined"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text);
    assert_eq!(res.code(), "already_decided");
    let page = web
        .get(&format!("/speaker-confirmation?token={token}"))
        .await;
    assert!(page.html.contains("can no longer change"), "{}", page.html);
    assert!(!page.html.contains("id=\"confirm\""), "{}", page.html);
}

async fn organisers_read_the_whole_proposal_and_lists_page(backend: Backend) {
    let e = event(backend).await;
    let app = &e.app;
    let staff = app
        .account(
            "Page Org",
            &["organizer"],
            "intergovernmental",
            "NO",
            None,
            None,
        )
        .await;
    let (_, second) = app.user_with_roles("Second Org", &["organizer"]).await;
    let mut ids = vec![];
    for n in 0..27 {
        let (_, proposer) = app.user_with_roles(&format!("Proposer {n}"), &[]).await;
        let mut body = proposal(
            &format!("Proposal number {n:02}"),
            diverse(&format!("p{n}")),
        );
        if n % 2 == 1 {
            body["type"] = json!("open_forum");
        }
        let res = e.propose(&proposer, &body).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
        ids.push(res.body["id"].as_i64().unwrap());
    }
    let res = app
        .post(
            &format!("/api/v1/proposals/{}/reviews", ids[0]),
            Some(&second),
            &json!({"score": 4, "comment": "Clear policy questions"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);

    // The list pages by 25 and filters; each title leads to the whole proposal.
    let web = indaba_tests::web::WebClient::new(&app.base);
    web.sign_in(&staff.email, PASSWORD).await;
    let base = "/organize/events/igf-2025";
    let rows = |html: &str| html.matches("<tr id=\"proposal-").count();
    let first = web.get(base).await;
    assert_eq!(rows(&first.html), 25, "{}", first.html);
    assert!(first.html.contains("Page 1 of 2"), "{}", first.html);
    let second_page = web.get(&format!("{base}?page=2")).await;
    assert_eq!(rows(&second_page.html), 2, "{}", second_page.html);
    assert!(
        second_page.html.contains("rel=\"prev\""),
        "{}",
        second_page.html
    );
    let forums = web.get(&format!("{base}?type=open_forum")).await;
    assert_eq!(rows(&forums.html), 13, "{}", forums.html);
    assert!(!forums.html.contains("Page 1 of"), "{}", forums.html);
    let past_end = web.get(&format!("{base}?type=open_forum&page=9")).await;
    assert_eq!(rows(&past_end.html), 13, "{}", past_end.html);
    let accepted = web.get(&format!("{base}?status=accepted")).await;
    assert_eq!(rows(&accepted.html), 0, "{}", accepted.html);
    assert!(first
        .html
        .contains(&format!("/organize/proposals/{}", ids[0])));

    let here = format!("/organize/proposals/{}", ids[0]);
    let page = web.get(&here).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    for shown in [
        "A workshop.",
        "How?",
        "Ana p0",
        "Kofi p0",
        "Civil society",
        "Brazil",
        "Mona Moderator",
        "Rita Rapporteur",
        "Proposer 0",
        "Second Org",
        "Clear policy questions",
        "4.00",
    ] {
        assert!(page.html.contains(shown), "{shown}: {}", page.html);
    }
    // A review without a score is refused in words and keeps the comment typed.
    let csrf = page.hidden("csrf").unwrap();
    let res = web
        .post(
            &here,
            &[
                ("csrf", &csrf),
                ("action", "review"),
                ("score", ""),
                ("comment", "Half-written"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.html);
    assert!(
        res.html.contains("score-error") && res.html.contains("Half-written"),
        "{}",
        res.html
    );
    let res = web
        .post(
            &here,
            &[
                ("csrf", &csrf),
                ("action", "review"),
                ("score", "2"),
                ("comment", "Thin"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.html);
    let res = web
        .post(
            &here,
            &[
                ("csrf", &csrf),
                ("action", "review"),
                ("score", "5"),
                ("comment", "Again"),
            ],
        )
        .await;
    assert_eq!(
        res.status,
        StatusCode::CONFLICT,
        "one review each: {}",
        res.html
    );
    let res = web
        .post(
            &here,
            &[("csrf", "forged"), ("action", "reject"), ("note", "No")],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.html);
    let res = web
        .post(
            &here,
            &[
                ("csrf", &csrf),
                ("action", "reject"),
                ("note", "Too close to another"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.html);
    let read = app
        .get(&format!("/api/v1/proposals/{}", ids[0]), Some(&e.organizer))
        .await;
    assert_eq!(read.body["status"], "rejected");
    assert_eq!(read.body["decision_note"], "Too close to another");
    assert_eq!(read.body["review_count"], 2, "{}", read.text);
    assert_eq!(
        read.body["reviews"][0]["reviewer_name"], "Second Org",
        "{}",
        read.text
    );

    // Only the event's organisers read it; a participant is refused, a visitor sent to
    // sign in.
    let plain = app
        .account("Plain Member", &[], "academia", "IN", None, None)
        .await;
    let member = indaba_tests::web::WebClient::new(&app.base);
    member.sign_in(&plain.email, PASSWORD).await;
    let res = member.get(&here).await;
    assert!(res.status.is_client_error(), "{}", res.html);
    assert!(!res.html.contains("A workshop."), "{}", res.html);
    let visitor = indaba_tests::web::WebClient::new(&app.base);
    let res = visitor.get(&here).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.html);
    assert!(res
        .header("location")
        .unwrap_or_default()
        .starts_with("/login"));
    let res = visitor.get("/organize/proposals/999999").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.html);
    let res = web.get("/organize/proposals/999999").await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{}", res.html);
}

async fn the_agenda_page_pages_and_keeps_its_filters(backend: Backend) {
    let e = event(backend).await;
    e.room("Plenary").await;
    e.publish().await;
    // 45 sessions of 20 minutes, one after the other, every third an open forum.
    let start = chrono::DateTime::parse_from_rfc3339("2025-10-24T06:00:00Z").unwrap();
    let rows: Vec<Value> = (0..45)
        .map(|n| {
            let at = start + chrono::Duration::minutes(20 * n);
            let kind = if n % 3 == 0 { "open_forum" } else { "workshop" };
            json!({"title": format!("Agenda item {n:02}"), "type": kind, "subtheme": "Governance", "format": "in_person",
                   "room": "Plenary", "starts_at": at.to_rfc3339(), "ends_at": (at + chrono::Duration::minutes(20)).to_rfc3339(),
                   "speakers": [{"name": format!("Speaker {n}"), "stakeholder_group": "academia", "country": "NO", "gender": "female"}]})
        })
        .collect();
    let res = e
        .app
        .post(
            &format!("/api/v1/events/{}/agenda/import", e.id),
            Some(&e.organizer),
            &json!({"rows": rows}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);

    let web = indaba_tests::web::WebClient::new(&e.app.base);
    let items = |html: &str| html.matches("<li class=\"slot\">").count();
    let first = web.get("/events/igf-2025/agenda?tz=UTC&lang=fr").await;
    assert_eq!(items(&first.html), 40, "{}", first.html);
    assert!(
        first.html.contains("45 séances correspondent"),
        "{}",
        first.html
    );
    assert!(first.html.contains("Page 1 sur 2"), "{}", first.html);
    assert!(first.html.contains("Agenda item 00") && !first.html.contains("Agenda item 40"));
    // The next page's link keeps the zone (the language stays with the visitor).
    let next = first
        .html
        .split("rel=\"next\"")
        .next()
        .and_then(|before| before.rsplit("href=\"").next())
        .map(|h| h.trim_end_matches(['"', ' ']).replace("&#38;", "&"))
        .unwrap();
    assert!(next.contains("tz=UTC") && next.contains("page=2"), "{next}");
    let second = web.get(&next).await;
    assert_eq!(items(&second.html), 5, "{}", second.html);
    assert!(second.html.contains("Agenda item 44"), "{}", second.html);
    // A filter narrows before paging; a page past the end shows the last one.
    let forums = web
        .get("/events/igf-2025/agenda?type=open_forum&page=7")
        .await;
    assert_eq!(items(&forums.html), 15, "{}", forums.html);
    assert!(!forums.html.contains("rel=\"next\""), "{}", forums.html);
    let junk = web.get("/events/igf-2025/agenda?page=banana").await;
    assert_eq!(items(&junk.html), 40, "{}", junk.html);
}

async fn plan(e: &Event, id: i64, body: Value) -> Response {
    let path = format!("/api/v1/sessions/{id}/planning");
    e.app
        .send(Method::PUT, &path, Some(&e.organizer), &body)
        .await
}

/// Accepts a session with its own moderator and these speakers, from a new proposer.
async fn planned_session(e: &Event, n: usize, speakers: Vec<Value>) -> i64 {
    let (_, proposer) = e.app.user_with_roles(&format!("Planner {n}"), &[]).await;
    let mut body = proposal(&format!("Planned {n}"), speakers);
    body["moderator_name"] = json!(format!("Moderator {n}"));
    let res = e.propose(&proposer, &body).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let id = res.body["id"].as_i64().unwrap();
    let res = e
        .app
        .post(
            &format!("/api/v1/proposals/{id}/decision"),
            Some(&e.organizer),
            &json!({"decision": "accepted"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    res.body["session_id"].as_i64().unwrap()
}

async fn a_schedule_builds_itself_without_breaking_a_hard_constraint(backend: Backend) {
    let e = event(backend).await;
    let app = &e.app;
    let room = |name: &str, capacity: i64, remote: bool, interpretation: bool| {
        let mut body =
            json!({"name": name, "capacity": capacity, "interpretation": interpretation});
        if remote {
            body["remote_link"] = json!("https://meet.example.org/x");
        }
        body
    };
    let mut rooms = HashMap::new();
    for (name, capacity, remote, interpretation) in [
        ("Plenary", 500, true, true),
        ("Room 2", 60, true, false),
        ("Booth", 30, false, false),
    ] {
        let res = app
            .post(
                &format!("/api/v1/events/{}/rooms", e.id),
                Some(&e.organizer),
                &room(name, capacity, remote, interpretation),
            )
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
        assert_eq!(res.body["interpretation"], interpretation);
        rooms.insert(
            res.body["id"].as_i64().unwrap(),
            (capacity, remote, interpretation),
        );
    }
    // Eight sessions; "Ana shared" speaks in two (the most the rules allow); every session is hybrid (it needs
    // remote participation), so the Booth is never used.
    let mut ids = vec![];
    for n in 0..8 {
        let first = if n == 0 || n == 3 {
            "Ana shared".to_owned()
        } else {
            format!("Ana {n}")
        };
        let speakers = vec![
            speaker(&first, "civil_society", "BR", "female"),
            speaker(&format!("Kofi {n}"), "government", "GH", "male"),
        ];
        ids.push(planned_session(&e, n, speakers).await);
    }
    // A big audience, interpretation, a track of three, and bad planning refused.
    let res = plan(
        &e,
        ids[1],
        json!({"expected_audience": 300, "needs_interpretation": true}),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["expected_audience"], 300);
    for id in [ids[2], ids[4], ids[5]] {
        let res = plan(&e, id, json!({"track": "Youth"})).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    }
    let res = plan(
        &e,
        ids[2],
        json!({"expected_audience": 0, "track": "x".repeat(101)}),
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    assert!(
        res.field("expected_audience").is_some() && res.field("track").is_some(),
        "{}",
        res.text
    );
    let res = plan(&e, ids[2], json!({"track": "Youth", "colour": "red"})).await;
    assert!(res.status.is_client_error(), "{}", res.text);
    let read = app
        .get(
            &format!("/api/v1/sessions/{}/planning", ids[2]),
            Some(&e.organizer),
        )
        .await;
    assert_eq!(read.body["track"], "Youth", "{}", read.text);
    // Kofi 3 cannot speak before 11:00 on the first day (Oslo: UTC+2).
    let unavailable = format!("/api/v1/events/{}/unavailability", e.id);
    let res = app
        .send(Method::PUT, &unavailable, Some(&e.organizer),
              &json!({"items": [{"speaker": "Kofi 3", "starts_at": "2025-10-24T00:00:00Z", "ends_at": "2025-10-24T09:00:00Z"}]}))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let res = app
        .send(Method::PUT, &unavailable, Some(&e.organizer),
              &json!({"items": [{"speaker": "Kofi 3", "starts_at": "2025-10-24T10:00:00Z", "ends_at": "2025-10-24T09:00:00Z"}]}))
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    assert!(res.field("items[0].ends_at").is_some(), "{}", res.text);
    assert_eq!(app.get_all(&unavailable, Some(&e.organizer)).await.len(), 1);
    let (_, stranger) = app.user_with_roles("Not organiser", &[]).await;
    let res = app.get(&unavailable, Some(&stranger)).await;
    assert!(res.status.is_client_error(), "{}", res.text);

    // Asked for (not written): the first day, 09:00 to 13:00 in hours.
    let propose = format!("/api/v1/events/{}/schedule/proposal", e.id);
    let ask = json!({"days": ["2025-10-24"], "day_starts": "09:00", "day_ends": "13:00", "slot_minutes": 60});
    let res = app.post(&propose, Some(&e.organizer), &ask).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["applied"], false);
    assert_eq!(res.body["slots"], 4);
    let placed = res.body["placed"].as_array().unwrap().clone();
    assert_eq!(
        placed.len() + res.body["unplaced"].as_array().unwrap().len(),
        8,
        "{}",
        res.text
    );
    assert_eq!(placed.len(), 8, "{}", res.text);
    assert_eq!(res.body["track_overlaps"], json!([]), "{}", res.text);
    let at = |id: i64| {
        placed
            .iter()
            .find(|p| p["session_id"] == id)
            .unwrap()
            .clone()
    };
    let mut cells = std::collections::HashSet::new();
    for p in &placed {
        assert!(
            cells.insert((p["room_id"].as_i64(), p["starts_at"].clone())),
            "room twice: {p}"
        );
        let (_, remote, _) = rooms[&p["room_id"].as_i64().unwrap()];
        assert!(
            remote,
            "a hybrid session in a room without remote participation: {p}"
        );
    }
    let shared: std::collections::HashSet<String> = [ids[0], ids[3]]
        .iter()
        .map(|id| at(*id)["starts_at"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        shared.len(),
        2,
        "Ana shared is in one place at a time: {}",
        res.text
    );
    let big = at(ids[1]);
    assert_eq!(
        rooms[&big["room_id"].as_i64().unwrap()],
        (500, true, true),
        "{big}"
    );
    assert!(
        at(ids[3])["starts_at"].as_str().unwrap() >= "2025-10-24T09:00:00Z",
        "{}",
        res.text
    );
    let sessions = app
        .get(
            &format!("/api/v1/events/{}/sessions", e.id),
            Some(&e.organizer),
        )
        .await;
    assert!(
        sessions.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["starts_at"].is_null()),
        "nothing written"
    );

    // Bad requests name their field.
    for (body, field) in [
        (json!({"slot_minutes": 5}), "slot_minutes"),
        (json!({"days": ["2030-01-01"]}), "days"),
        (json!({"days": ["someday"]}), "days[0]"),
        (
            json!({"day_starts": "14:00", "day_ends": "10:00"}),
            "day_ends",
        ),
        (json!({"day_starts": "9 o'clock"}), "day_starts"),
        (json!({"break_minutes": 500}), "break_minutes"),
    ] {
        let res = app.post(&propose, Some(&e.organizer), &body).await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            res.text
        );
        assert!(res.field(field).is_some(), "{body}: {}", res.text);
    }
    let res = app.post(&propose, Some(&stranger), &ask).await;
    assert!(res.status.is_client_error(), "{}", res.text);

    // Written: the grid has them, and a second proposal keeps them where they are.
    let mut write = ask.clone();
    write["apply"] = json!(true);
    let res = app.post(&propose, Some(&e.organizer), &write).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["applied"], true);
    let sessions = app
        .get(
            &format!("/api/v1/events/{}/sessions", e.id),
            Some(&e.organizer),
        )
        .await;
    assert!(
        sessions.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| !s["starts_at"].is_null()),
        "{}",
        sessions.text
    );
    let res = app.post(&propose, Some(&e.organizer), &write).await;
    assert_eq!(res.body["placed"], json!([]), "{}", res.text);

    // Pinned stays, the rest moves when rescheduling on another day.
    let res = plan(&e, ids[0], json!({"pinned": true})).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let before = app
        .get(&format!("/api/v1/sessions/{}", ids[0]), Some(&e.organizer))
        .await;
    let res = app
        .post(
            &propose,
            Some(&e.organizer),
            &json!({"days": ["2025-10-25"], "reschedule": true, "apply": true}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(
        res.body["placed"].as_array().unwrap().len(),
        7,
        "{}",
        res.text
    );
    let after = app
        .get(&format!("/api/v1/sessions/{}", ids[0]), Some(&e.organizer))
        .await;
    assert_eq!(before.body["starts_at"], after.body["starts_at"]);
    let moved = app
        .get(&format!("/api/v1/sessions/{}", ids[1]), Some(&e.organizer))
        .await;
    assert!(
        moved.body["starts_at"]
            .as_str()
            .unwrap()
            .starts_with("2025-10-25"),
        "{}",
        moved.text
    );

    // From the organiser's page.
    let staff = app
        .account(
            "Solver Org",
            &["organizer"],
            "intergovernmental",
            "NO",
            None,
            None,
        )
        .await;
    let web = indaba_tests::web::WebClient::new(&app.base);
    web.sign_in(&staff.email, PASSWORD).await;
    let page = web.get("/organize/events/igf-2025").await;
    let csrf = page.hidden("csrf").unwrap();
    let res = web
        .post(
            "/organize/events/igf-2025",
            &[
                ("csrf", &csrf),
                ("action", "solve"),
                ("day_starts", "09:00"),
                ("day_ends", "18:00"),
                ("slot_minutes", "90"),
                ("break_minutes", "15"),
                ("reschedule", "on"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.html);
    assert!(
        res.html.contains("Scheduled: 7. Without a place: 0."),
        "{}",
        res.html
    );
    let res = web
        .post(
            "/organize/events/igf-2025",
            &[("csrf", &csrf), ("action", "solve"), ("slot_minutes", "1")],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.html);
}

async fn the_session_room_runs_from_its_page(backend: Backend) {
    let app = spawn_app_with(backend, Options::new().with("INDABA_RATE_LIMITS", "off")).await;
    let (_, organizer) = app.user_with_roles("Room Org", &["organizer"]).await;
    // An event today (UTC), with a session that started 30 minutes ago.
    let now = chrono::Utc::now();
    let today = now.date_naive();
    let res = app
        .post("/api/v1/events", Some(&organizer),
              &json!({"slug": "room-now", "name": "IGF room", "theme": "Live", "venue": "Online", "timezone": "UTC",
                      "starts_on": (today - chrono::Duration::days(1)).to_string(), "ends_on": (today + chrono::Duration::days(1)).to_string(),
                      "subthemes": ["Governance"]}))
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let event = res.body["id"].as_i64().unwrap();
    let res = app
        .send(Method::PATCH, &format!("/api/v1/events/{event}"), Some(&organizer),
              &json!({"published": true, "call_opens_at": "2020-01-01T00:00:00Z", "call_closes_at": "2999-01-01T00:00:00Z"}))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let res = app
        .post(
            &format!("/api/v1/events/{event}/rooms"),
            Some(&organizer),
            &json!({"name": "Main", "capacity": 100}),
        )
        .await;
    let room = res.body["id"].as_i64().unwrap();
    let proposer = app
        .account("Room Proposer", &[], "civil_society", "KE", None, None)
        .await;
    let mut body = proposal("Live room", diverse("r"));
    body["subtheme"] = json!("Governance");
    let res = app
        .post(
            &format!("/api/v1/events/{event}/proposals"),
            Some(&proposer.token),
            &body,
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let session = accept_proposal(&app, &organizer, res.body["id"].as_i64().unwrap()).await;
    let start = now - chrono::Duration::minutes(30);
    let start = start.format("%Y-%m-%dT%H:%M:00Z").to_string();
    let end = (now + chrono::Duration::minutes(90))
        .format("%Y-%m-%dT%H:%M:00Z")
        .to_string();
    let res = app
        .send(
            Method::PUT,
            &format!("/api/v1/sessions/{session}/slot"),
            Some(&organizer),
            &json!({"room_id": room, "starts_at": start, "ends_at": end}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let res = app
        .send(Method::PUT, &format!("/api/v1/sessions/{session}/segments"), Some(&organizer),
              &json!({"segments": [{"kind": "opening", "minutes": 10}, {"kind": "panel", "title": "Voices from the field", "minutes": 80}, {"kind": "closing", "minutes": 10}]}))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);

    // The organisers name the session's moderator and rapporteur (accounts).
    let moderator = app
        .account("Mo Moderator", &[], "technical_community", "IN", None, None)
        .await;
    let rapporteur = app
        .account("Ray Rapporteur", &[], "academia", "FR", None, None)
        .await;
    let ana = app
        .account("Ana Audience", &[], "civil_society", "BR", None, None)
        .await;
    let ben = app
        .account("Ben Online", &[], "private_sector", "NG", None, None)
        .await;
    let roles = format!("/api/v1/sessions/{session}/roles");
    let res = app
        .send(
            Method::PUT,
            &roles,
            Some(&organizer),
            &json!({"moderators": [moderator.id], "rapporteurs": [999_999]}),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    assert!(res.field("rapporteurs").is_some(), "{}", res.text);
    let res = app
        .send(
            Method::PUT,
            &roles,
            Some(&ana.token),
            &json!({"moderators": [ana.id]}),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text);
    let res = app
        .send(
            Method::PUT,
            &roles,
            Some(&organizer),
            &json!({"moderators": [moderator.id], "rapporteurs": [rapporteur.id]}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let res = app.get(&roles, None).await;
    assert_eq!(
        res.body["moderators"][0]["display_name"], "Mo Moderator",
        "{}",
        res.text
    );
    assert_eq!(
        res.body["rapporteurs"][0]["display_name"], "Ray Rapporteur",
        "{}",
        res.text
    );

    // A participant sees the running order with the segment on now, and raises a hand.
    let page_of = |who: &Account| {
        let web = indaba_tests::web::WebClient::new(&app.base);
        let email = who.email.clone();
        async move {
            web.sign_in(&email, PASSWORD).await;
            web
        }
    };
    let here = format!("/sessions/{session}");
    let room_path = format!("/sessions/{session}/room");
    let ana_web = page_of(&ana).await;
    let page = ana_web.get(&here).await;
    assert!(
        page.html.contains("Mo Moderator") && page.html.contains("Ray Rapporteur"),
        "{}",
        page.html
    );
    let now_line = page
        .html
        .split("aria-current=\"step\"")
        .nth(1)
        .unwrap_or_default();
    assert!(
        now_line
            .split("</li>")
            .next()
            .unwrap_or_default()
            .contains("Voices from the field"),
        "{}",
        page.html
    );
    assert!(page.html.contains("Nobody has the floor."), "{}", page.html);
    assert!(
        !page.html.contains("id=\"give-floor\""),
        "only moderators give the floor"
    );
    assert!(
        !page.html.contains("id=\"report-form\""),
        "only rapporteurs file the report"
    );
    let csrf = page.hidden("csrf").unwrap();
    let res = ana_web
        .post(
            &room_path,
            &[("csrf", &csrf), ("action", "raise"), ("mode", "onsite")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.html);
    let res = ana_web
        .post(
            &room_path,
            &[("csrf", &csrf), ("action", "raise"), ("mode", "onsite")],
        )
        .await;
    assert_eq!(
        res.status,
        StatusCode::CONFLICT,
        "one place in the queue: {}",
        res.html
    );
    let res = ana_web
        .post(&room_path, &[("csrf", &csrf), ("action", "next")])
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.html);
    let ben_web = page_of(&ben).await;
    let page = ben_web.get(&here).await;
    let ben_csrf = page.hidden("csrf").unwrap();
    let res = ben_web
        .post(
            &room_path,
            &[("csrf", &ben_csrf), ("action", "raise"), ("mode", "remote")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.html);
    let page = ben_web.get(&here).await;
    assert!(page.html.contains("id=\"lower\""), "{}", page.html);
    let waiting = page.html.split("id=\"waiting\"").nth(1).unwrap_or_default();
    assert!(
        waiting.find("Ana Audience") < waiting.find("Ben Online"),
        "{}",
        page.html
    );

    // The named moderator (no site role) gives the floor; everyone sees who has it.
    let mod_web = page_of(&moderator).await;
    let page = mod_web.get(&here).await;
    assert!(page.html.contains("id=\"give-floor\""), "{}", page.html);
    let mod_csrf = page.hidden("csrf").unwrap();
    let res = mod_web
        .post(&room_path, &[("csrf", &mod_csrf), ("action", "next")])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.html);
    let public = indaba_tests::web::WebClient::new(&app.base)
        .get(&here)
        .await;
    assert!(
        public
            .html
            .contains("Ana Audience has the floor (in the room)."),
        "{}",
        public.html
    );
    assert!(
        !public.html.contains("id=\"queue-form\""),
        "a visitor raises no hand"
    );

    // Questions by support.
    let mut questions = vec![];
    for q in ["Who pays for the last mile?", "What about spectrum?"] {
        let res = app
            .post(
                &format!("/api/v1/sessions/{session}/comments"),
                Some(&ben.token),
                &json!({"body": q, "kind": "question"}),
            )
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
        questions.push(res.body["id"].as_i64().unwrap().to_string());
    }
    let res = ana_web
        .post(
            &room_path,
            &[
                ("csrf", &csrf),
                ("action", "upvote"),
                ("comment", &questions[1]),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.html);
    let res = ana_web
        .post(
            &room_path,
            &[
                ("csrf", &csrf),
                ("action", "upvote"),
                ("comment", &questions[1]),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.html);
    let page = ana_web.get(&here).await;
    let top = page
        .html
        .split("id=\"top-questions\"")
        .nth(1)
        .unwrap_or_default();
    assert!(
        top.find("What about spectrum?") < top.find("Who pays for the last mile?"),
        "{}",
        page.html
    );
    assert!(top.contains("1 vote"), "{}", page.html);

    // The rapporteur files the report from the page; an empty one is refused in words.
    let rap_web = page_of(&rapporteur).await;
    let page = rap_web.get(&here).await;
    assert!(page.html.contains("id=\"report-form\""), "{}", page.html);
    let rap_csrf = page.hidden("csrf").unwrap();
    let res = rap_web
        .post(
            &room_path,
            &[
                ("csrf", &rap_csrf),
                ("action", "report"),
                ("key_takeaways", "  "),
                ("participants_onsite", "40"),
                ("participants_online", "12"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.html);
    assert!(res.html.contains("key_takeaways-error"), "{}", res.html);
    let res = rap_web
        .post(
            &room_path,
            &[
                ("csrf", &rap_csrf),
                ("action", "report"),
                (
                    "key_takeaways",
                    "Community networks work\nSpectrum must be shared",
                ),
                ("calls_to_action", "Fund the last mile"),
                ("participants_onsite", "40"),
                ("participants_online", "12"),
                ("women_percent", "55"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.html);
    let report = app
        .get(&format!("/api/v1/sessions/{session}/report"), None)
        .await;
    assert_eq!(
        report.body["key_takeaways"],
        json!(["Community networks work", "Spectrum must be shared"]),
        "{}",
        report.text
    );
    assert_eq!(report.body["women_share"], 0.55, "{}", report.text);
    let res = ana_web
        .post(
            &room_path,
            &[
                ("csrf", &csrf),
                ("action", "report"),
                ("key_takeaways", "Mine"),
                ("participants_onsite", "1"),
                ("participants_online", "1"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.html);
    // The moderator's export names the session they run.
    let export = app.get("/api/v1/me/export", Some(&moderator.token)).await;
    assert_eq!(
        export.body["session_roles"],
        json!([{"session_id": session, "role": "moderator"}]),
        "{}",
        export.text
    );
}

async fn mag_evaluation_assigns_without_conflicts_scores_recuses_and_ranks(backend: Backend) {
    let e = event(backend).await;
    let app = &e.app;
    // Five evaluators; the fifth works at "Org", where every proposal's speakers work.
    let mut panel = vec![];
    for (name, group, country, org) in [
        ("Eva Government", "government", "KE", "Gov Kenya"),
        ("Eli Civil", "civil_society", "BR", "NGO Brasil"),
        ("Emi Academia", "academia", "FR", "Uni Paris"),
        ("Ezra Private", "private_sector", "IN", "Tech India"),
        ("Enzo Conflicted", "technical_community", "PL", "Org"),
    ] {
        panel.push(
            app.account(name, &[], group, country, None, Some(org))
                .await,
        );
    }
    let mut ids = vec![];
    for n in 0..4 {
        let (_, proposer) = app.user_with_roles(&format!("Mag proposer {n}"), &[]).await;
        let res = e
            .propose(
                &proposer,
                &proposal(&format!("Mag proposal {n}"), diverse(&format!("m{n}"))),
            )
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
        ids.push(res.body["id"].as_i64().unwrap());
    }
    let setup_path = format!("/api/v1/events/{}/evaluation", e.id);
    let panel_ids: Vec<i64> = panel.iter().map(|a| a.id).collect();
    let good = json!({"panel": panel_ids, "criteria": [{"name": "Relevance", "weight": 3}, {"name": "Diversity", "weight": 1}], "per_proposal": 3, "blind": true});
    // Bad set-ups name their fields; only organisers set up.
    let res = app.send(Method::PUT, &setup_path, Some(&e.organizer), &json!({"panel": [999_999], "criteria": [{"name": "R", "weight": 0}], "per_proposal": 11})).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    assert!(
        res.field("criteria[0].weight").is_some() && res.field("per_proposal").is_some(),
        "{}",
        res.text
    );
    let res = app
        .send(
            Method::PUT,
            &setup_path,
            Some(&e.organizer),
            &json!({"panel": [999_999], "criteria": [{"name": "R", "weight": 1}]}),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    assert!(res.field("panel").is_some(), "{}", res.text);
    let res = app
        .send(Method::PUT, &setup_path, Some(&panel[0].token), &good)
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text);
    let res = app
        .send(Method::PUT, &setup_path, Some(&e.organizer), &good)
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let criteria: Vec<i64> = res.body["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();

    // Assignment: three each, never the conflicted evaluator, groups all different.
    let res = app
        .post(
            &format!("{setup_path}/assignments"),
            Some(&e.organizer),
            &json!({}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["assigned"], 12, "{}", res.text);
    assert_eq!(res.body["short"], json!([]), "{}", res.text);
    let again = app
        .post(
            &format!("{setup_path}/assignments"),
            Some(&e.organizer),
            &json!({}),
        )
        .await;
    assert_eq!(
        again.body["assigned"], 0,
        "those assigned stay: {}",
        again.text
    );
    let setup = app.get(&setup_path, Some(&e.organizer)).await;
    let progress = |body: &Value, name: &str, field: &str| {
        body["panel"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["display_name"] == name)
            .unwrap()[field]
            .as_u64()
            .unwrap()
    };
    assert_eq!(
        progress(&setup.body, "Enzo Conflicted", "assigned"),
        0,
        "{}",
        setup.text
    );
    let total: u64 = [
        "Eva Government",
        "Eli Civil",
        "Emi Academia",
        "Ezra Private",
    ]
    .iter()
    .map(|n| progress(&setup.body, n, "assigned"))
    .sum();
    assert_eq!(total, 12);

    // An evaluator reads blind proposals: no proposer, no speakers, their groups only.
    let mine = app
        .get("/api/v1/me/evaluations", Some(&panel[0].token))
        .await;
    assert_eq!(mine.status, StatusCode::OK, "{}", mine.text);
    let items = mine.body["items"].as_array().unwrap().clone();
    assert_eq!(
        items.len() as u64,
        progress(&setup.body, "Eva Government", "assigned")
    );
    assert!(
        items
            .iter()
            .all(|i| i.get("speakers").is_none() && i.get("proposer_name").is_none()),
        "{}",
        mine.text
    );
    assert!(
        !mine.text.contains("Ana m") && !mine.text.contains("Mag proposer"),
        "{}",
        mine.text
    );
    assert_eq!(items[0]["diversity"]["speakers"], 2);
    let given = items[0]["proposal_id"].as_i64().unwrap();
    let not_given = *ids
        .iter()
        .find(|id| !items.iter().any(|i| i["proposal_id"] == **id))
        .unwrap();

    // Evaluations: every criterion once, 1 to 5; others' proposals are not theirs.
    let eval = |p: i64| format!("/api/v1/proposals/{p}/evaluation");
    let scores = |a: i32, b: i32| json!({"scores": [{"criterion_id": criteria[0], "score": a}, {"criterion_id": criteria[1], "score": b}], "comment": "Clear"});
    for (body, field) in [
        (
            json!({"scores": [{"criterion_id": criteria[0], "score": 4}]}),
            "scores",
        ),
        (
            json!({"scores": [{"criterion_id": criteria[0], "score": 6}, {"criterion_id": criteria[1], "score": 1}]}),
            "scores[0].score",
        ),
        (
            json!({"scores": [{"criterion_id": 999_999, "score": 3}, {"criterion_id": criteria[0], "score": 3}, {"criterion_id": criteria[1], "score": 3}]}),
            "scores",
        ),
    ] {
        let res = app
            .send(Method::PUT, &eval(given), Some(&panel[0].token), &body)
            .await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            res.text
        );
        assert!(res.field(field).is_some(), "{body}: {}", res.text);
    }
    let res = app
        .send(
            Method::PUT,
            &eval(not_given),
            Some(&panel[0].token),
            &scores(3, 3),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text);
    let res = app
        .send(
            Method::PUT,
            &eval(given),
            Some(&panel[4].token),
            &scores(3, 3),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text);

    // Recusal: a reason is needed; someone else without a conflict is given it.
    let recuse = format!("/api/v1/proposals/{given}/recusal");
    let res = app
        .post(&recuse, Some(&panel[0].token), &json!({"reason": " "}))
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    let res = app
        .post(
            &recuse,
            Some(&panel[0].token),
            &json!({"reason": "I advised the proposer"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let replacement = res.body["replacement"].as_i64();
    assert!(
        replacement.is_some()
            && replacement != Some(panel[0].id)
            && replacement != Some(panel[4].id),
        "{}",
        res.text
    );
    let res = app
        .send(
            Method::PUT,
            &eval(given),
            Some(&panel[0].token),
            &scores(5, 5),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text);

    // Everyone evaluates: proposal 0 is the best for each evaluator, whatever their scale.
    for (k, a) in panel.iter().enumerate().take(4) {
        let mine = app.get("/api/v1/me/evaluations", Some(&a.token)).await;
        for it in mine.body["items"].as_array().unwrap() {
            let p = it["proposal_id"].as_i64().unwrap();
            let base = if k % 2 == 0 { 1 } else { 3 }; // a strict and a generous scale
            let bonus = if p == ids[0] { 2 } else { 0 };
            let res = app
                .send(
                    Method::PUT,
                    &eval(p),
                    Some(&a.token),
                    &scores(base + bonus, base),
                )
                .await;
            assert_eq!(res.status, StatusCode::OK, "{}", res.text);
            assert_eq!(res.body["evaluated"], true);
        }
    }
    let ranking = app
        .get(&format!("{setup_path}/ranking"), Some(&e.organizer))
        .await;
    assert_eq!(ranking.status, StatusCode::OK, "{}", ranking.text);
    assert_eq!(
        ranking.body["items"][0]["proposal_id"], ids[0],
        "{}",
        ranking.text
    );
    assert_eq!(
        ranking.body["items"][0]["evaluations"], 3,
        "{}",
        ranking.text
    );
    // The rubric is fixed once used.
    let mut changed = good.clone();
    changed["criteria"][0]["weight"] = json!(2);
    let res = app
        .send(Method::PUT, &setup_path, Some(&e.organizer), &changed)
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text);

    // The pages: the evaluator's list and form, the organisers' progress and ranking.
    let web = indaba_tests::web::WebClient::new(&app.base);
    web.sign_in(&panel[1].email, PASSWORD).await;
    let page = web.get("/evaluate").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert!(
        page.html.contains("Blind evaluation") && page.html.contains("Relevance"),
        "{}",
        page.html
    );
    let csrf = page.hidden("csrf").unwrap();
    let mine = app
        .get("/api/v1/me/evaluations", Some(&panel[1].token))
        .await;
    let p = mine.body["items"][0]["proposal_id"]
        .as_i64()
        .unwrap()
        .to_string();
    let (c0, c1) = (format!("c{}", criteria[0]), format!("c{}", criteria[1]));
    let res = web
        .post(
            "/evaluate",
            &[
                ("csrf", &csrf),
                ("action", "evaluate"),
                ("proposal", &p),
                (&c0, "4"),
                (&c1, ""),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.html);
    let res = web
        .post(
            "/evaluate",
            &[
                ("csrf", &csrf),
                ("action", "evaluate"),
                ("proposal", &p),
                (&c0, "4"),
                (&c1, "2"),
                ("comment", "From the page"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.html);
    let mine = app
        .get("/api/v1/me/evaluations", Some(&panel[1].token))
        .await;
    assert_eq!(
        mine.body["items"][0]["comment"], "From the page",
        "{}",
        mine.text
    );
    let staff = app
        .account(
            "Mag Org",
            &["organizer"],
            "intergovernmental",
            "NO",
            None,
            None,
        )
        .await;
    let org_web = indaba_tests::web::WebClient::new(&app.base);
    org_web.sign_in(&staff.email, PASSWORD).await;
    let page = org_web.get("/organize/events/igf-2025").await;
    let progress = page
        .html
        .split("id=\"mag-progress\"")
        .nth(1)
        .unwrap_or_default();
    assert!(
        progress.contains("Enzo Conflicted") && progress.contains("Eva Government"),
        "{}",
        page.html
    );
    let ranked = page
        .html
        .split("id=\"mag-ranking\"")
        .nth(1)
        .unwrap_or_default();
    assert!(ranked.contains("Mag proposal 0"), "{}", page.html);

    // Once decided, a proposal is evaluated no more.
    let res = app
        .post(
            &format!("/api/v1/proposals/{}/decision", ids[0]),
            Some(&e.organizer),
            &json!({"decision": "accepted"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let mut refused = 0;
    for a in panel.iter().take(4) {
        let res = app
            .send(Method::PUT, &eval(ids[0]), Some(&a.token), &scores(5, 5))
            .await;
        if res.status == StatusCode::CONFLICT {
            assert_eq!(res.code(), "already_decided", "{}", res.text);
            refused += 1;
        } else {
            assert_eq!(
                res.status,
                StatusCode::FORBIDDEN,
                "not theirs: {}",
                res.text
            );
        }
    }
    assert_eq!(refused, 3, "its three evaluators are refused");

    // Their part of the personal-data export: the panel, assignments (with the reason
    // they stepped back) and evaluations.
    let export = app.get("/api/v1/me/export", Some(&panel[0].token)).await;
    assert_eq!(export.status, StatusCode::OK, "{}", export.text);
    let ev = &export.body;
    assert_eq!(
        ev["evaluation_panel_event_ids"],
        json!([e.id]),
        "{}",
        export.text
    );
    assert!(
        ev["evaluation_assignments"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["recusal_reason"] == "I advised the proposer"),
        "{}",
        export.text
    );
    assert!(
        !ev["evaluations"].as_array().unwrap().is_empty(),
        "{}",
        export.text
    );
}

async fn a_merged_proposal_joins_another_with_its_speakers(backend: Backend) {
    let e = event(backend).await;
    let app = &e.app;
    let mut ids = vec![];
    for n in 0..3 {
        let (_, proposer) = app
            .user_with_roles(&format!("Merging proposer {n}"), &[])
            .await;
        let res = e
            .propose(
                &proposer,
                &proposal(&format!("To merge {n}"), diverse(&format!("j{n}"))),
            )
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
        ids.push(res.body["id"].as_i64().unwrap());
    }
    let organizer = e.organizer.clone();
    let decide = |id: i64, body: Value| {
        let (path, organizer) = (
            format!("/api/v1/proposals/{id}/decision"),
            organizer.clone(),
        );
        async move { app.post(&path, Some(&organizer), &body).await }
    };
    let session = accept_proposal(app, &e.organizer, ids[0]).await;
    for (body, field) in [
        (json!({"decision": "merged"}), "merged_into"),
        (
            json!({"decision": "merged", "merged_into": ids[1]}),
            "merged_into",
        ),
        (
            json!({"decision": "merged", "merged_into": 999_999}),
            "merged_into",
        ),
        (
            json!({"decision": "accepted", "merged_into": ids[0]}),
            "merged_into",
        ),
    ] {
        let res = decide(ids[1], body.clone()).await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            res.text
        );
        assert!(res.field(field).is_some(), "{body}: {}", res.text);
    }
    let res = decide(ids[1], json!({"decision": "merged", "merged_into": ids[0], "carry_speakers": true, "note": "Joins the first"})).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["status"], "merged");
    assert_eq!(res.body["merged_into"], ids[0]);
    let first = app
        .get(&format!("/api/v1/proposals/{}", ids[0]), Some(&e.organizer))
        .await;
    let names: Vec<&str> = first.body["speakers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["Ana j0", "Kofi j0", "Ana j1", "Kofi j1"],
        "{}",
        first.text
    );
    let s = app
        .get(&format!("/api/v1/sessions/{session}"), Some(&e.organizer))
        .await;
    assert_eq!(
        s.body["speakers"].as_array().unwrap().len(),
        4,
        "{}",
        s.text
    );
    // Nothing joins a merged proposal.
    let res = decide(ids[2], json!({"decision": "merged", "merged_into": ids[1]})).await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text);
    // The merged proposal's page leads to the one it joined.
    let staff = app
        .account(
            "Merge Org",
            &["organizer"],
            "intergovernmental",
            "NO",
            None,
            None,
        )
        .await;
    let web = indaba_tests::web::WebClient::new(&app.base);
    web.sign_in(&staff.email, PASSWORD).await;
    let page = web.get(&format!("/organize/proposals/{}", ids[1])).await;
    assert!(
        page.html
            .contains(&format!("href=\"/organize/proposals/{}\"", ids[0])),
        "{}",
        page.html
    );
    // From the page: the third merges into the first without its speakers.
    let page = web.get(&format!("/organize/proposals/{}", ids[2])).await;
    let csrf = page.hidden("csrf").unwrap();
    let (into, third) = (
        ids[0].to_string(),
        format!("/organize/proposals/{}", ids[2]),
    );
    let res = web
        .post(
            &third,
            &[("csrf", &csrf), ("action", "merge"), ("merged_into", &into)],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.html);
    let first = app
        .get(&format!("/api/v1/proposals/{}", ids[0]), Some(&e.organizer))
        .await;
    assert_eq!(
        first.body["speakers"].as_array().unwrap().len(),
        4,
        "{}",
        first.text
    );
}

/// The API as the IGF issue names it: `/panel`, `/rubric` with criterion keys,
/// `/assignments`, scores by key, 403 for a proposal given to others, a kept schedule
/// proposal applied by id (once), 422 naming a session that fits nowhere, and a speaker
/// answering at their place in the list.
async fn the_igf_year_api_names_panels_rubrics_kept_proposals_and_speakers(backend: Backend) {
    let e = event(backend).await;
    let app = &e.app;
    // A speaker answers at their place: the other speaker's place is refused.
    let (_, proposer) = app.user_with_roles("Ida Proposer", &[]).await;
    let (ana, kofi) = ("ana.api@example.org", "kofi.api@example.org");
    let speakers = vec![
        with_email(speaker("Ana", "civil_society", "BR", "female"), ana),
        with_email(speaker("Kofi", "government", "GH", "male"), kofi),
    ];
    let res = e
        .propose(&proposer, &proposal("Keyed panel", speakers))
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let first = res.body["id"].as_i64().unwrap();
    let token = app.link_token(kofi, "/speaker-confirmation?token=").await;
    let at = |n: usize, q: &str| format!("/api/v1/proposals/{first}/speakers/{n}/confirmation?{q}");
    let res = app
        .post(&at(0, &format!("token={token}")), None, &json!({}))
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "{}", res.text);
    assert_eq!(res.code(), "invalid_token");
    let res = app.post(&at(1, "token=nonsense"), None, &json!({})).await;
    assert_eq!(res.code(), "invalid_token", "{}", res.text);
    let res = app
        .post(&at(1, &format!("token={token}")), None, &json!({}))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["answer"], "confirmed", "{}", res.text);
    let res = app
        .post(
            &at(1, &format!("token={token}&answer=declined")),
            None,
            &json!({}),
        )
        .await;
    assert_eq!(res.body["answer"], "declined", "{}", res.text);
    let res = app
        .post(
            &at(1, &format!("token={token}&answer=maybe")),
            None,
            &json!({}),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);

    // Panel and rubric apart; keys made from labels or given.
    let (_, second_proposer) = app.user_with_roles("Ivo Proposer", &[]).await;
    let res = e
        .propose(&second_proposer, &proposal("Second keyed", diverse("k2")))
        .await;
    let second = res.body["id"].as_i64().unwrap();
    let eva = app
        .account("Eva Keyed", &[], "government", "KE", None, Some("Gov"))
        .await;
    let eli = app
        .account("Eli Keyed", &[], "civil_society", "BR", None, Some("NGO"))
        .await;
    let base = format!("/api/v1/events/{}", e.id);
    let res = app
        .send(
            Method::PUT,
            &format!("{base}/panel"),
            Some(&e.organizer),
            &json!({"members": [{"user_id": eva.id}, {"user_id": 999_999}]}),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    let res = app
        .send(
            Method::PUT,
            &format!("{base}/panel"),
            Some(&e.organizer),
            &json!({"members": [{"user_id": eva.id}]}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["panel"].as_array().unwrap().len(), 1);
    let rubric = format!("{base}/rubric");
    for (body, field) in [
        (
            json!({"criteria": [{"key": "Bad Key", "label": "Relevance", "weight": 2}]}),
            "criteria[0].key",
        ),
        (
            json!({"criteria": [{"key": "a", "label": "A", "weight": 1}, {"key": "a", "label": "B", "weight": 1}]}),
            "criteria[1].key",
        ),
        (
            json!({"criteria": [{"label": "A", "weight": 1}], "evaluators_per_proposal": 0}),
            "evaluators_per_proposal",
        ),
    ] {
        let res = app
            .send(Method::PUT, &rubric, Some(&e.organizer), &body)
            .await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            res.text
        );
        assert!(res.field(field).is_some(), "{body}: {}", res.text);
    }
    let res = app
        .send(Method::PUT, &rubric, Some(&e.organizer),
              &json!({"criteria": [{"key": "relevance", "label": "Relevance", "weight": 3}, {"label": "Speaker diversity", "weight": 1}], "blind": true, "evaluators_per_proposal": 1}))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let keys: Vec<&str> = res.body["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["relevance", "speaker_diversity"], "{}", res.text);
    assert_eq!(
        res.body["panel"].as_array().unwrap().len(),
        1,
        "the panel is kept: {}",
        res.text
    );
    assert_eq!(res.body["blind"], true);
    // The panel replaced keeps the rubric.
    let res = app
        .send(
            Method::PUT,
            &format!("{base}/panel"),
            Some(&e.organizer),
            &json!({"members": [{"user_id": eva.id}, {"user_id": eli.id}]}),
        )
        .await;
    assert_eq!(
        res.body["criteria"].as_array().unwrap().len(),
        2,
        "{}",
        res.text
    );
    assert_eq!(res.body["per_proposal"], 1, "{}", res.text);
    let res = app
        .post(
            &format!("{base}/assignments"),
            Some(&e.organizer),
            &json!({}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["assigned"], 2, "{}", res.text);

    // Scores by key; another's proposal is 403, an unknown one 404.
    let mine = app.get("/api/v1/me/evaluations", Some(&eva.token)).await;
    let given = mine.body["items"][0]["proposal_id"].as_i64().unwrap();
    let other = if given == first { second } else { first };
    let eval = |p: i64| format!("/api/v1/proposals/{p}/evaluation");
    for (body, field) in [
        (json!({"scores": {"relevance": 4}}), "scores"),
        (
            json!({"scores": {"relevance": 4, "speaker_diversity": 9}}),
            "scores.speaker_diversity.score",
        ),
        (
            json!({"scores": {"relevance": 4, "speaker_diversity": 3, "charm": 5}}),
            "scores",
        ),
    ] {
        let res = app
            .send(Method::PUT, &eval(given), Some(&eva.token), &body)
            .await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            res.text
        );
        assert!(res.field(field).is_some(), "{body}: {}", res.text);
    }
    let good = json!({"scores": {"relevance": 4, "speaker_diversity": 3}, "comment": "Sound"});
    let res = app
        .send(Method::PUT, &eval(other), Some(&eva.token), &good)
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text);
    let res = app
        .send(Method::PUT, &eval(999_999), Some(&eva.token), &good)
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{}", res.text);
    let res = app
        .send(Method::PUT, &eval(given), Some(&eva.token), &good)
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["evaluated"], true, "{}", res.text);

    // A schedule: a session no room can hold is named (422) and nothing is kept.
    let res = app
        .post(
            &format!("{base}/rooms"),
            Some(&e.organizer),
            &json!({"name": "Hall", "capacity": 100, "remote_link": "https://meet.example.org/h"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let small = planned_session(&e, 1, diverse("s1")).await;
    let big = planned_session(&e, 2, diverse("s2")).await;
    let res = plan(&e, big, json!({"expected_audience": 300})).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let propose = format!("{base}/schedule/proposal");
    let ask = json!({"constraints": {"days": ["2025-10-24"], "day_starts": "09:00", "day_ends": "12:00"}});
    let res = app.post(&propose, Some(&e.organizer), &ask).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    let why = res.field(&format!("sessions[{big}]")).unwrap_or_default();
    assert!(
        why.contains("Planned 2") && why.contains("room"),
        "{}",
        res.text
    );
    assert!(
        res.field(&format!("sessions[{small}]")).is_none(),
        "{}",
        res.text
    );
    let res = app
        .post(
            &propose,
            Some(&e.organizer),
            &json!({"constraints": {"slot_minutes": 2}}),
        )
        .await;
    assert!(res.field("slot_minutes").is_some(), "{}", res.text);
    // Partial: the rest is proposed and kept.
    let mut partial = ask.clone();
    partial["partial"] = json!(true);
    let res = app.post(&propose, Some(&e.organizer), &partial).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["unplaced"][0]["session_id"], big, "{}", res.text);
    // The audience fits now: kept, then applied by id, once.
    plan(&e, big, json!({"expected_audience": 80})).await;
    let res = app.post(&propose, Some(&e.organizer), &ask).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["applied"], false);
    assert_eq!(
        res.body["placed"].as_array().unwrap().len(),
        2,
        "{}",
        res.text
    );
    let pid = res.body["id"].as_i64().unwrap();
    let session = app
        .get(&format!("/api/v1/sessions/{small}"), Some(&e.organizer))
        .await;
    assert!(
        session.body["starts_at"].is_null(),
        "kept, not written: {}",
        session.text
    );
    let apply = |pid: i64| format!("{propose}/{pid}/apply");
    let res = app
        .post(&apply(999_999), Some(&e.organizer), &json!({}))
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{}", res.text);
    let (_, stranger) = app.user_with_roles("Not an organiser", &[]).await;
    let res = app.post(&apply(pid), Some(&stranger), &json!({})).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text);
    let res = app.post(&apply(pid), Some(&e.organizer), &json!({})).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["applied"], true, "{}", res.text);
    let session = app
        .get(&format!("/api/v1/sessions/{small}"), Some(&e.organizer))
        .await;
    assert!(!session.body["starts_at"].is_null(), "{}", session.text);
    let res = app.post(&apply(pid), Some(&e.organizer), &json!({})).await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text);
    // A proposal computed before the schedule changed is refused.
    let res = app
        .post(
            &propose,
            Some(&e.organizer),
            &json!({"constraints": {"days": ["2025-10-25"]}, "reschedule": true}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let stale = res.body["id"].as_i64().unwrap();
    let res = app
        .send(
            Method::DELETE,
            &format!("/api/v1/sessions/{small}/slot"),
            Some(&e.organizer),
            &json!({}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let res = app
        .post(&apply(stale), Some(&e.organizer), &json!({}))
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text);
}

/// The IGF messages: drafted from the reports per sub-theme (alike lines are one message
/// citing every session that said it), a draft only for organisers, edited with sources
/// checked, opened for comment as a consultation, published final with their sources,
/// downloadable as HTML and Word.
async fn igf_messages_are_drafted_from_reports_commented_and_published_with_sources(
    backend: Backend,
) {
    let e = event(backend).await;
    let app = &e.app;
    let (_, alice) = app.user_with_roles("Alice Messages", &[]).await;
    let (_, reader) = app.user_with_roles("Rhea Reader", &[]).await;
    let path = format!("/api/v1/events/{}/messages", e.id);
    // Nothing to draft from yet.
    let res = app.post(&path, Some(&e.organizer), &json!({})).await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text);
    let res = app.get(&path, Some(&e.organizer)).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{}", res.text);
    let one = e.session(&alice, "Access for all", diverse("a1")).await;
    let two = e.session(&alice, "Affordable access", diverse("a2")).await;
    let three = e.session(&alice, "Rights online", diverse("a3")).await;
    e.publish().await;
    for (id, takeaways) in [
        (
            one,
            vec!["Meaningful access needs affordable devices and digital skills"],
        ),
        (
            two,
            vec!["Affordable devices and digital skills are what meaningful access needs"],
        ),
        (three, vec!["Human rights apply online as offline"]),
    ] {
        let res = app
            .send(
                Method::PUT,
                &format!("/api/v1/sessions/{id}/report"),
                Some(&alice),
                &json!({"key_takeaways": takeaways, "calls_to_action": [],
                          "participants_onsite": 50, "participants_online": 20}),
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    }
    let res = app.post(&path, Some(&reader), &json!({})).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text);
    let res = app.post(&path, Some(&e.organizer), &json!({})).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["stage"], "draft");
    let messages = res.body["messages"].as_array().unwrap().clone();
    assert_eq!(messages.len(), 2, "{}", res.text);
    let cited: Vec<i64> = messages[0]["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["session_id"].as_i64().unwrap())
        .collect();
    assert_eq!(
        cited,
        [one, two],
        "alike lines are one message: {}",
        res.text
    );
    assert_eq!(messages[1]["sources"][0]["title"], "Rights online");
    assert!(messages.iter().all(|m| m["subtheme"] == "Human rights"));
    // Every sentence comes from a report: the draft says nothing the reports do not.
    let reports = app
        .get(&format!("/api/v1/events/{}/report", e.id), None)
        .await;
    for m in &messages {
        assert!(reports.text.contains(m["text"].as_str().unwrap()), "{m}");
    }
    // A draft is the organisers' alone.
    assert_eq!(app.get(&path, None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.get(&path, Some(&reader)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&format!("{path}.html"), None).await.status,
        StatusCode::NOT_FOUND
    );

    // Edits: sources must be reports of this event; a message needs words.
    for (body, field) in [
        (
            json!({"messages": [{"subtheme": "Human rights", "text": "Access.", "sources": [999_999]}]}),
            "messages[0].sources",
        ),
        (
            json!({"messages": [{"subtheme": "Human rights", "text": "Access.", "sources": []}]}),
            "messages[0].sources",
        ),
        (
            json!({"messages": [{"subtheme": "Human rights", "text": " ", "sources": [one]}]}),
            "messages[0].text",
        ),
    ] {
        let res = app
            .send(Method::PUT, &path, Some(&e.organizer), &body)
            .await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            res.text
        );
        assert!(res.field(field).is_some(), "{body}: {}", res.text);
    }
    let edited = json!({"messages": [
        {"subtheme": "Access", "text": "Meaningful access needs affordable devices and digital skills.", "sources": [one, two]},
        {"subtheme": "Human rights", "text": "Human rights apply online as they do offline.", "sources": [three]}
    ]});
    let res = app
        .send(Method::PUT, &path, Some(&e.organizer), &edited)
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["messages"][1]["number"], 2);

    // Open for comment: a consultation with a paragraph per message, open at once.
    let res = app
        .post(
            &format!("{path}/consultation"),
            Some(&e.organizer),
            &json!({"slug": "Bad Slug"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    let res = app
        .post(
            &format!("{path}/consultation"),
            Some(&e.organizer),
            &json!({"slug": "igf-2025-messages"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["stage"], "consultation");
    assert_eq!(res.body["consultation"]["slug"], "igf-2025-messages");
    let again = app
        .post(
            &format!("{path}/consultation"),
            Some(&e.organizer),
            &json!({}),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.text);
    let consultation = app
        .get("/api/v1/consultations/igf-2025-messages", None)
        .await;
    assert_eq!(consultation.body["status"], "open", "{}", consultation.text);
    let paragraphs = consultation.body["version"]["paragraphs"]
        .as_array()
        .unwrap();
    assert_eq!(paragraphs.len(), 2, "{}", consultation.text);
    assert!(paragraphs[1]["text"]
        .as_str()
        .unwrap()
        .contains("Human rights apply online"));
    let res = app
        .post("/api/v1/consultations/igf-2025-messages/comments", Some(&reader),
              &json!({"paragraph_key": paragraphs[0]["key"], "body": "Add local content.", "kind": "comment"}))
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let public = app.get(&path, None).await;
    assert_eq!(public.status, StatusCode::OK, "{}", public.text);
    assert_eq!(public.body["messages"].as_array().unwrap().len(), 2);

    // Final: with sources; the consultation closes; no more edits.
    let res = app
        .post(&format!("{path}/final"), Some(&e.organizer), &json!({}))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["stage"], "final");
    assert!(res.body["published_at"].is_string());
    let consultation = app
        .get("/api/v1/consultations/igf-2025-messages", None)
        .await;
    assert_eq!(
        consultation.body["status"], "closed",
        "{}",
        consultation.text
    );
    let res = app
        .send(Method::PUT, &path, Some(&e.organizer), &edited)
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text);
    let res = app.post(&path, Some(&e.organizer), &json!({})).await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text);
    let res = app
        .post(&format!("{path}/final"), Some(&e.organizer), &json!({}))
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text);

    // Downloads: each message with the sessions it cites.
    let html = app.get(&format!("{path}.html"), None).await;
    assert_eq!(html.status, StatusCode::OK, "{}", html.text);
    assert!(html
        .headers
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(
        html.text
            .contains("1. Meaningful access needs affordable devices and digital skills.")
            && html
                .text
                .contains(&format!("/sessions/{one}\">Access for all</a>"))
            && html
                .text
                .contains(&format!("/sessions/{three}\">Rights online</a>")),
        "{}",
        html.text
    );
    let docx = app.get(&format!("{path}.docx"), None).await;
    assert_eq!(docx.status, StatusCode::OK);
    let doc = read_docx(&docx.bytes);
    let texts: Vec<&str> = doc.iter().map(|p| p["text"].as_str().unwrap()).collect();
    assert!(
        texts.contains(&"Access")
            && texts.contains(&"2. Human rights apply online as they do offline."),
        "{texts:?}"
    );
    assert!(
        texts.contains(&"Sources: Access for all; Affordable access"),
        "{texts:?}"
    );
}

async fn the_messages_page_drafts_edits_opens_and_publishes_without_javascript(backend: Backend) {
    let e = event(backend).await;
    let app = &e.app;
    let (_, alice) = app.user_with_roles("Alice Page", &[]).await;
    let one = e.session(&alice, "Skills for all", diverse("p1")).await;
    e.publish().await;
    let res = app
        .send(Method::PUT, &format!("/api/v1/sessions/{one}/report"), Some(&alice),
              &json!({"key_takeaways": ["Digital skills open every other door"], "calls_to_action": [],
                      "participants_onsite": 10, "participants_online": 5}))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let public = indaba_tests::web::WebClient::new(&app.base);
    let page = public.get("/events/igf-2025/messages").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert!(
        page.html.contains("The messages are not published yet."),
        "{}",
        page.html
    );
    assert!(
        !page.html.contains("Draft from the session reports"),
        "{}",
        page.html
    );

    let staff = app
        .account(
            "Page Org",
            &["organizer"],
            "intergovernmental",
            "NO",
            None,
            None,
        )
        .await;
    let web = indaba_tests::web::WebClient::new(&app.base);
    web.sign_in(&staff.email, PASSWORD).await;
    let page = web.get("/events/igf-2025/messages").await;
    let csrf = page.hidden("csrf").unwrap();
    let res = web
        .post(
            "/events/igf-2025/messages",
            &[("csrf", csrf.as_str()), ("action", "draft")],
        )
        .await;
    assert!(
        res.status.is_redirection() || res.status.is_success(),
        "{}",
        res.html
    );
    let page = web.get("/events/igf-2025/messages").await;
    assert!(
        page.html
            .contains("1. Digital skills open every other door"),
        "{}",
        page.html
    );
    assert!(
        page.html.contains("Skills for all"),
        "the source is named: {}",
        page.html
    );
    // The public still sees nothing of the draft.
    let page = public.get("/events/igf-2025/messages").await;
    assert!(!page.html.contains("Digital skills"), "{}", page.html);
    // An edit with a bad source is refused on the page and names the field.
    let res = web
        .post(
            "/events/igf-2025/messages",
            &[
                ("csrf", csrf.as_str()),
                ("action", "save"),
                ("count", "2"),
                ("subtheme-0", "Skills"),
                ("text-0", "Digital skills open every door."),
                ("sources-0", "999999"),
                ("subtheme-1", ""),
                ("text-1", ""),
                ("sources-1", ""),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.html);
    let id = one.to_string();
    let res = web
        .post(
            "/events/igf-2025/messages",
            &[
                ("csrf", csrf.as_str()),
                ("action", "save"),
                ("count", "2"),
                ("subtheme-0", "Skills"),
                ("text-0", "Digital skills open every door."),
                ("sources-0", id.as_str()),
                ("subtheme-1", "Skills"),
                ("text-1", "Teachers need training too."),
                ("sources-1", id.as_str()),
            ],
        )
        .await;
    assert!(
        res.status.is_redirection() || res.status.is_success(),
        "{}",
        res.html
    );
    let res = web
        .post(
            "/events/igf-2025/messages",
            &[("csrf", csrf.as_str()), ("action", "open"), ("slug", "")],
        )
        .await;
    assert!(
        res.status.is_redirection() || res.status.is_success(),
        "{}",
        res.html
    );
    let page = public.get("/events/igf-2025/messages").await;
    assert!(
        page.html.contains("2. Teachers need training too.")
            && page.html.contains("/consultations/igf-2025-messages")
            && page.html.contains("Draft, open for public comment"),
        "{}",
        page.html
    );
    let res = web
        .post(
            "/events/igf-2025/messages",
            &[("csrf", csrf.as_str()), ("action", "final")],
        )
        .await;
    assert!(
        res.status.is_redirection() || res.status.is_success(),
        "{}",
        res.html
    );
    let page = public.get("/events/igf-2025/messages").await;
    assert!(page.html.contains(">Final"), "{}", page.html);
    // A visitor's form is refused.
    let res = public
        .post(
            "/events/igf-2025/messages",
            &[("csrf", "x"), ("action", "draft")],
        )
        .await;
    assert!(
        res.status.is_redirection() || res.status == StatusCode::FORBIDDEN,
        "{}",
        res.html
    );
}
