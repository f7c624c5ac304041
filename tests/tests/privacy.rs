//! Who sees what, proved by crawling rather than by listing cases. Canaries are seeded
//! (an anonymous author's name, a hidden comment's text, a speaker's e-mail, an erased
//! person's name, e-mail and organisation, a flag's reason, a co-facilitator's private
//! review note); then, as each audience, the test requests every GET operation that
//! `openapi.json` lists (with real ids and the query variants that matter), every page,
//! the live replay over WebSocket and long-poll, search, every export, and reads the
//! mail folder. Each canary must appear exactly where the policy of
//! `shared/contract.md` ("Who sees what") allows, and nowhere else. A new GET endpoint
//! is crawled without anyone editing this test (a path parameter it does not know how
//! to fill fails the test, so that it is taught, not skipped).

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use awc::http::{Method, StatusCode};
use futures_util::StreamExt;
use indaba_tests::web::WebClient;
use indaba_tests::*;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

both_backends!(every_surface_shows_each_canary_only_where_the_policy_allows);

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Who {
    Visitor,
    Participant,
    /// A co-facilitator of another consultation.
    OtherCofacilitator,
    Cofacilitator,
    Moderator,
    Organizer,
}

const EVERYONE: [Who; 6] = [
    Who::Visitor,
    Who::Participant,
    Who::OtherCofacilitator,
    Who::Cofacilitator,
    Who::Moderator,
    Who::Organizer,
];

struct Canary {
    what: &'static str,
    text: &'static str,
    allowed: &'static [Who],
    /// About the anonymous author, who may read it in mail to themselves.
    theirs: bool,
}

const CANARIES: &[Canary] = &[
    Canary {
        what: "an anonymous author's name",
        text: "Canarywriter",
        allowed: &[Who::Moderator],
        theirs: true,
    },
    Canary {
        what: "an anonymous author's organisation",
        text: "CanaryAnonOrg",
        allowed: &[Who::Moderator],
        theirs: true,
    },
    Canary {
        what: "a hidden comment's text",
        text: "CANARYHIDDENTEXT",
        allowed: &[Who::Moderator],
        theirs: false,
    },
    Canary {
        what: "a speaker's e-mail",
        text: "canary.speaker.mail",
        allowed: &[Who::Organizer],
        theirs: false,
    },
    Canary {
        what: "an erased person's name",
        text: "Erasedina",
        allowed: &[],
        theirs: false,
    },
    Canary {
        what: "an erased person's organisation",
        text: "ErasedCanaryOrg",
        allowed: &[],
        theirs: false,
    },
    Canary {
        what: "an erased person's e-mail",
        text: "erasedina-canary",
        allowed: &[],
        theirs: false,
    },
    Canary {
        what: "a flag's reason",
        text: "CANARYFLAGREASON",
        allowed: &[Who::Moderator],
        theirs: false,
    },
    Canary {
        what: "a co-facilitator's private review note",
        text: "CANARYREVIEWNOTE",
        allowed: &[Who::Cofacilitator, Who::Organizer],
        theirs: false,
    },
];

/// The rows the crawler fills path parameters with.
struct Ids {
    consultation_slugs: Vec<String>,
    consultation_ids: Vec<i64>,
    comments: Vec<i64>,
    event: String,
    session: i64,
    proposal: i64,
    users: Vec<i64>,
    paragraph_keys: Vec<String>,
    body: i64,
}

/// Everything one audience was answered, with where each answer came from.
#[derive(Default)]
struct Seen(Vec<(String, String)>);

impl Seen {
    fn add(&mut self, place: String, text: String) {
        self.0.push((place, text));
    }

    fn places_of(&self, canary: &str) -> Vec<&str> {
        let lower = canary.to_lowercase();
        self.0
            .iter()
            .filter(|(_, t)| t.to_lowercase().contains(&lower))
            .map(|(p, _)| p.as_str())
            .collect()
    }
}

async fn ok(res: Response) -> Response {
    assert!(res.status.is_success(), "{}", res.text);
    res
}

async fn every_surface_shows_each_canary_only_where_the_policy_allows(backend: Backend) {
    let app = spawn_app_with(backend, Options::new().with("INDABA_RATE_LIMITS", "off")).await;
    let account =
        |name: &'static str, roles: &'static [&'static str], org: Option<&'static str>| {
            let app = &app;
            async move {
                app.account(name, roles, "civil_society", "KE", None, org)
                    .await
            }
        };
    let organizer = account("Olga Organiser", &["organizer"], None).await;
    let moderator = account("Moses Moderator", &["moderator"], None).await;
    let cofac = account("Cora Cofac", &[], None).await;
    let other_cofac = account("Otto Othercofac", &[], None).await;
    let participant = account("Pia Participant", &[], None).await;
    let anon = account("Anna Canarywriter", &[], Some("CanaryAnonOrg")).await;
    let hidden_author = account("Hugo Hider", &[], None).await;
    let flagger = account("Fay Flagger", &[], None).await;
    let proposer = account("Paul Proposer", &[], None).await;

    // Two open consultations; each has its own co-facilitator.
    let a = open_consultation(&app, &organizer.token).await;
    let b = open_consultation(&app, &organizer.token).await;
    for (c, who) in [(a, &cofac), (b, &other_cofac)] {
        ok(app
            .send(
                Method::PUT,
                &format!("/api/v1/consultations/{c}/cofacilitators"),
                Some(&organizer.token),
                &json!({"user_ids": [who.id]}),
            )
            .await)
        .await;
    }
    let detail = ok(app.get(&format!("/api/v1/consultations/{a}"), None).await).await;
    let slug_a = detail.body["slug"].as_str().unwrap().to_owned();
    let slug_b = ok(app.get(&format!("/api/v1/consultations/{b}"), None).await)
        .await
        .body["slug"]
        .as_str()
        .unwrap()
        .to_owned();
    let paragraph_keys: Vec<String> = detail.body["version"]["paragraphs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["key"].as_str().unwrap().to_owned())
        .collect();
    let comment = |token: &str, body: Value| {
        let (app, token) = (&app, token.to_owned());
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
    let key = &paragraph_keys[0];
    let anonymous = comment(
        &anon.token,
        json!({"body": "An anonymous view on connectivity.", "anonymous": true, "paragraph_key": key}),
    )
    .await;
    let hidden = comment(
        &hidden_author.token,
        json!({"body": "Rude words CANARYHIDDENTEXT here.", "paragraph_key": key}),
    )
    .await;
    let public = comment(
        &participant.token,
        json!({"body": "A public view on affordability.", "paragraph_key": key}),
    )
    .await;
    ok(app
        .post(
            &format!("/api/v1/comments/{hidden}/moderation"),
            Some(&moderator.token),
            &json!({"action": "hide", "reason": "Rule 2"}),
        )
        .await)
    .await;
    ok(app
        .post(
            &format!("/api/v1/comments/{public}/flags"),
            Some(&flagger.token),
            &json!({"reason": "CANARYFLAGREASON"}),
        )
        .await)
    .await;
    ok(app
        .send(
            Method::PATCH,
            &format!("/api/v1/comments/{public}/review"),
            Some(&cofac.token),
            &json!({"status": "read", "note": "CANARYREVIEWNOTE"}),
        )
        .await)
    .await;
    // A reply to the anonymous comment notifies its author (by mail and on the page).
    comment(
        &participant.token,
        json!({"body": "A reply to the anonymous view.", "parent_id": anonymous}),
    )
    .await;

    // An intersessional body the participant joined.
    let body = ok(app
        .post(
            "/api/v1/bodies",
            Some(&organizer.token),
            &json!({"name": "Canary Coalition", "kind": "dynamic_coalition"}),
        )
        .await)
    .await
    .body["id"]
        .as_i64()
        .unwrap();
    ok(app
        .post(
            &format!("/api/v1/bodies/{body}/members"),
            Some(&participant.token),
            &json!({}),
        )
        .await)
    .await;

    // The person who leaves registered through the API (so mail went to them), spoke,
    // coordinated the body, and erased their account, keeping their contributions.
    let email = format!("{}@example.org", unique("erasedina-canary").to_lowercase());
    let (_, res) = app
        .register(
            "Erasedina Canary",
            json!({"email": email, "organization": "ErasedCanaryOrg"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let token = app.link_token(&email, "/verify?token=").await;
    ok(app
        .post("/api/v1/auth/verify", None, &json!({"token": token}))
        .await)
    .await;
    let erased = token_of(&app.login(&email, PASSWORD).await, "access_token");
    let erased_id = ok(app.get("/api/v1/me", Some(&erased)).await).await.body["user"]["id"]
        .as_i64()
        .unwrap();
    ok(app
        .send(
            Method::PUT,
            &format!("/api/v1/bodies/{body}/coordinators"),
            Some(&organizer.token),
            &json!({"user_ids": [erased_id]}),
        )
        .await)
    .await;
    let gone = comment(
        &erased,
        json!({"body": "Words that stay after their author left.", "paragraph_key": key}),
    )
    .await;
    ok(app
        .send(
            Method::DELETE,
            "/api/v1/me",
            Some(&erased),
            &json!({"current_password": PASSWORD}),
        )
        .await)
    .await;

    // An IGF session whose speaker gave an e-mail.
    let event = event_with_open_call(&app, &organizer.token, "igf-canary").await;
    let res = ok(app
        .post(
            &format!("/api/v1/events/{event}/proposals"),
            Some(&proposer.token),
            &json!({"title": "Canary workshop", "type": "workshop", "subtheme": "Governance", "format": "hybrid",
                    "description": "A workshop.", "policy_questions": ["How?"],
                    "speakers": [{"name": "Sam Speaker", "email": "canary.speaker.mail@example.org", "organization": "Speaker Org",
                                  "stakeholder_group": "academia", "country": "FR", "gender": "female"}],
                    "moderator_name": "Mona", "rapporteur_name": "Rita"}),
        )
        .await)
    .await;
    let proposal = res.body["id"].as_i64().unwrap();
    let session = accept_proposal(&app, &organizer.token, proposal).await;
    schedule_and_publish(&app, &organizer.token, event, session).await;
    ok(app
        .post(
            &format!("/api/v1/sessions/{session}/comments"),
            Some(&anon.token),
            &json!({"body": "An anonymous question?", "kind": "question", "anonymous": true}),
        )
        .await)
    .await;
    // Search follows the database a moment later: wait until every visible input is in.
    app.get_until_total(&format!("/api/v1/consultations/{a}/search"), None, 4)
        .await;

    let ids = Ids {
        consultation_slugs: vec![slug_a.clone(), slug_b],
        consultation_ids: vec![a, b],
        comments: vec![anonymous, hidden, public, gone],
        event: "igf-canary".into(),
        session,
        proposal,
        users: vec![participant.id, erased_id],
        paragraph_keys,
        body,
    };
    let tokens: BTreeMap<Who, Option<&Account>> = [
        (Who::Visitor, None),
        (Who::Participant, Some(&participant)),
        (Who::OtherCofacilitator, Some(&other_cofac)),
        (Who::Cofacilitator, Some(&cofac)),
        (Who::Moderator, Some(&moderator)),
        (Who::Organizer, Some(&organizer)),
    ]
    .into_iter()
    .collect();

    let spec = ok(app.get("/api/v1/openapi.json", None).await).await.body;
    let mut seen: BTreeMap<Who, Seen> = BTreeMap::new();
    for who in EVERYONE {
        let account = tokens[&who];
        let token = account.map(|a| a.token.as_str());
        let mut s = Seen::default();
        crawl_api(&app, &spec, &ids, token, &mut s).await;
        crawl_pages(&app, &ids, &slug_a, account, &mut s).await;
        crawl_live(&app, &ids, token, &mut s).await;
        seen.insert(who, s);
    }

    let mut problems = Vec::new();
    for canary in CANARIES {
        for who in EVERYONE {
            let places = seen[&who].places_of(canary.text);
            let allowed = canary.allowed.contains(&who);
            if allowed && places.is_empty() {
                problems.push(format!(
                    "{} never reached {who:?}, who may see it",
                    canary.what
                ));
            }
            if !allowed && !places.is_empty() {
                let shown: BTreeSet<&str> = places.into_iter().take(8).collect();
                problems.push(format!("{} reached {who:?} at {shown:?}", canary.what));
            }
        }
        // Mail goes to people: a canary only in mail to the person it is about.
        for mail in read_mail_dir(&app.data_dir.join("mail"), "") {
            let raw = format!("{}\n{}\n{}", mail.headers, mail.text, mail.html);
            if raw.to_lowercase().contains(&canary.text.to_lowercase()) {
                let to = mail
                    .headers
                    .lines()
                    .find(|l| l.to_ascii_lowercase().starts_with("to:"))
                    .unwrap_or_default()
                    .to_lowercase();
                // A mail to the address a canary is (a speaker asked to confirm) is theirs.
                let to_itself = to.contains(&canary.text.to_lowercase());
                if !(to_itself || canary.theirs && to.contains(&anon.email)) {
                    problems.push(format!("{} is in a mail ({to})", canary.what));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The values a path parameter takes, by the resource its path is under.
fn values(path: &str, param: &str, ids: &Ids) -> Vec<String> {
    let under = |prefix: &str| path.starts_with(prefix);
    match param {
        "label" | "a" | "b" => vec!["v1".into()],
        "id" if under("/api/v1/consultations/") => ids.consultation_slugs.clone(),
        "id" if under("/api/v1/live/consultations/") => {
            ids.consultation_ids.iter().map(i64::to_string).collect()
        }
        "id" if under("/api/v1/comments/") => ids.comments.iter().map(i64::to_string).collect(),
        "id" if under("/api/v1/events/") => vec![ids.event.clone()],
        "id" if under("/api/v1/sessions/") || under("/api/v1/live/sessions/") => {
            vec![ids.session.to_string()]
        }
        "id" if under("/api/v1/proposals/") => vec![ids.proposal.to_string()],
        "id" if under("/api/v1/bodies/") => vec![ids.body.to_string()],
        "pid" => vec!["1".into()],
        "n" => vec!["0".into()],
        "id" if under("/api/v1/admin/users/") => ids.users.iter().map(i64::to_string).collect(),
        _ => {
            panic!("the privacy crawler does not know how to fill {{{param}}} in {path}: teach it")
        }
    }
}

/// The query strings worth asking a path with.
fn queries(path: &str) -> Vec<String> {
    let mut q = vec![String::new()];
    if path.starts_with("/api/v1/live/") && path.ends_with("/events") {
        q = vec!["?since=0".into()];
    }
    if path.ends_with("/search") {
        q.extend(
            CANARIES
                .iter()
                .map(|c| format!("?q={}", encode_query(c.text))),
        );
        q.push("?q=anonymous".into());
    }
    if path.ends_with("/export") {
        q = vec!["?format=json".into(), "?format=csv".into()];
    }
    if path.ends_with("/agenda") {
        q.push("?q=canary".into());
    }
    if path.ends_with("/comments") {
        q.push("?limit=200".into());
    }
    q
}

/// Every GET operation of openapi.json (WebSocket upgrades are crawled by `crawl_live`).
async fn crawl_api(app: &TestApp, spec: &Value, ids: &Ids, token: Option<&str>, seen: &mut Seen) {
    for (path, ops) in spec["paths"].as_object().unwrap() {
        let Some(op) = ops.get("get") else { continue };
        if op["responses"].get("101").is_some() {
            continue;
        }
        let params: Vec<&str> = path
            .split('{')
            .skip(1)
            .filter_map(|p| p.split('}').next())
            .collect();
        let mut urls = vec![path.clone()];
        for p in params {
            let vals = values(path, p, ids);
            urls = urls
                .iter()
                .flat_map(|u| {
                    vals.iter()
                        .map(move |v| u.replacen(&format!("{{{p}}}"), v, 1))
                })
                .collect();
        }
        for url in urls {
            for q in queries(path) {
                let full = format!("{url}{q}");
                let res = app.get(&full, token).await;
                assert!(!res.status.is_server_error(), "GET {full}: {}", res.text);
                seen.add(format!("GET {full}"), res.text);
            }
        }
    }
}

/// Every page, as this audience's browser would have it (cookies, no scripts).
async fn crawl_pages(
    app: &TestApp,
    ids: &Ids,
    slug: &str,
    account: Option<&Account>,
    seen: &mut Seen,
) {
    let web = WebClient::new(&app.base);
    if let Some(a) = account {
        web.sign_in(&a.email, PASSWORD).await;
    }
    let mut pages = vec![
        "/".to_owned(),
        format!("/consultations/{slug}"),
        format!("/consultations/{slug}?paragraph=general"),
        format!("/consultations/{slug}/versions"),
        format!("/consultations/{slug}/review"),
        format!("/consultations/{slug}/review?view=balance"),
        format!("/consultations/{slug}/review?view=campaigns"),
        format!("/consultations/{slug}/review?q=anonymous"),
        format!("/consultations/{slug}/review/export?format=csv"),
        format!("/consultations/{slug}/review/export?format=json"),
        format!("/consultations/{slug}/revise"),
        format!("/events/{}/agenda", ids.event),
        format!("/events/{}/propose", ids.event),
        format!("/sessions/{}", ids.session),
        "/organize".to_owned(),
        format!("/organize/events/{}", ids.event),
        format!("/organize/proposals/{}", ids.proposal),
        "/moderation".to_owned(),
        "/me".to_owned(),
        "/me/notifications".to_owned(),
        "/me/export".to_owned(),
    ];
    pages.extend(
        ids.paragraph_keys
            .iter()
            .map(|k| format!("/consultations/{slug}?paragraph={}", encode_query(k))),
    );
    pages.extend(ids.comments.iter().map(|c| format!("/comments/{c}")));
    for page in pages {
        let mut res = web.get(&page).await;
        // A contribution's own address redirects to its place in its thread.
        if res.status == StatusCode::SEE_OTHER
            && res
                .header("location")
                .is_some_and(|l| !l.starts_with("/login"))
        {
            res = web.follow(&res).await;
        }
        assert!(!res.status.is_server_error(), "{page}: {}", res.html);
        seen.add(format!("page {page}"), res.html);
    }
}

/// The live replay of each channel over WebSocket, from the start.
async fn crawl_live(app: &TestApp, ids: &Ids, token: Option<&str>, seen: &mut Seen) {
    let auth = token
        .map(|t| format!("&access_token={t}"))
        .unwrap_or_default();
    let mut channels: Vec<String> = ids
        .consultation_ids
        .iter()
        .map(|c| format!("/api/v1/live/consultations/{c}?since=0{auth}"))
        .collect();
    channels.push(format!(
        "/api/v1/live/sessions/{}?since=0{auth}",
        ids.session
    ));
    for path in channels {
        let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{}{path}", app.addr))
            .await
            .expect("websocket connects");
        let mut text = String::new();
        while let Ok(Some(Ok(msg))) =
            tokio::time::timeout(Duration::from_millis(700), ws.next()).await
        {
            if let Message::Text(t) = msg {
                text.push_str(&t);
            }
        }
        seen.add(format!("live {path}"), text);
    }
}
