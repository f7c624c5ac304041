//! Delegations and negotiating groups, on SQLite and PostgreSQL: an admin creates them
//! and attaches delegates and members; a delegate speaks for their delegation, the
//! chair's delegates for the group, shown as verified; in the negotiation, amendments
//! are tabled by delegations only, and stakeholders comment only if the co-facilitators
//! keep that open; the page offers "Speak for" and shows "On behalf of".

use awc::http::{Method, StatusCode};
use indaba_tests::web::WebClient;
use indaba_tests::*;
use serde_json::{json, Value};

both_backends!(delegates_speak_for_their_delegation_and_table_amendments);

async fn delegations_and_groups(app: &TestApp, admin: &str) -> (i64, i64, i64) {
    // Bad input is named; only admins create.
    let res = app
        .post(
            "/api/v1/delegations",
            Some(admin),
            &json!({"name": "Brazil", "status": "member"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    assert!(res.field("country").is_some(), "{}", res.text);
    let res = app
        .post(
            "/api/v1/delegations",
            Some(admin),
            &json!({"name": "Brazil", "status": "state", "country": "BR"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    let res = app
        .post(
            "/api/v1/delegations",
            Some(admin),
            &json!({"name": "Brazil", "status": "member", "country": "XX"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    let mut ids = Vec::new();
    for (name, status, country) in [
        ("Brazil", "member", Some("BR")),
        ("Kenya", "member", Some("KE")),
        ("Holy See", "observer", Some("VA")),
    ] {
        let res = app
            .post(
                "/api/v1/delegations",
                Some(admin),
                &json!({"name": name, "status": status, "country": country}),
            )
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
        assert_eq!(res.body["status"], status);
        ids.push(res.body["id"].as_i64().unwrap());
    }
    let res = app
        .post(
            "/api/v1/delegations",
            Some(admin),
            &json!({"name": "brazil", "status": "member", "country": "BR"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text);
    let res = app
        .post(
            "/api/v1/groups",
            Some(admin),
            &json!({"name": "G77 and China"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let group = res.body["id"].as_i64().unwrap();
    let members = format!("/api/v1/groups/{group}/members");
    let res = app
        .send(
            Method::PUT,
            &members,
            Some(admin),
            &json!({"delegation_ids": [ids[0], ids[1]], "chair_id": ids[2]}),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    assert!(res.field("chair_id").is_some(), "{}", res.text);
    let res = app
        .send(
            Method::PUT,
            &members,
            Some(admin),
            &json!({"delegation_ids": [ids[0], 999_999]}),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    let res = app
        .send(
            Method::PUT,
            &members,
            Some(admin),
            &json!({"delegation_ids": [ids[0], ids[1]], "chair_id": ids[1]}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["chair"]["name"], "Kenya");
    assert_eq!(res.body["members"].as_array().unwrap().len(), 2);
    (ids[0], ids[1], group)
}

async fn delegates_speak_for_their_delegation_and_table_amendments(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, admin) = app.user_with_roles("Admin", &["admin"]).await;
    let (_, organizer) = app.user_with_roles("Org", &["organizer"]).await;
    let brazil_delegate = app
        .account("Ana Souza", &[], "government", "BR", None, None)
        .await;
    let kenya_delegate = app
        .account("Amina Otieno", &[], "government", "KE", None, None)
        .await;
    let sam = app
        .account("Sam", &[], "civil_society", "IN", None, None)
        .await;
    let (stakeholder, sam_email) = (sam.token.clone(), sam.email.clone());

    let res = app
        .post(
            "/api/v1/delegations",
            Some(&organizer),
            &json!({"name": "Chile", "status": "member", "country": "CL"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text);
    let (brazil, kenya, g77) = delegations_and_groups(&app, &admin).await;

    // Delegates, by an admin; an unknown account is named.
    let res = app
        .send(
            Method::PUT,
            &format!("/api/v1/delegations/{brazil}/delegates"),
            Some(&admin),
            &json!({"user_ids": [brazil_delegate.id, 999_999]}),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    for (delegation, delegate) in [(brazil, brazil_delegate.id), (kenya, kenya_delegate.id)] {
        let res = app
            .send(
                Method::PUT,
                &format!("/api/v1/delegations/{delegation}/delegates"),
                Some(&admin),
                &json!({"user_ids": [delegate]}),
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        assert_eq!(res.body["delegates"][0]["id"], delegate);
    }
    let res = app
        .send(
            Method::PUT,
            "/api/v1/delegations/999999/delegates",
            Some(&admin),
            &json!({"user_ids": []}),
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{}", res.text);

    // Everyone reads them; delegates are not in the public list.
    let list = app.get("/api/v1/delegations", None).await;
    let names: Vec<&str> = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Brazil", "Holy See", "Kenya"]);
    assert!(!list.text.contains("Ana Souza"));
    let groups = app.get("/api/v1/groups", None).await;
    assert_eq!(groups.body["items"][0]["name"], "G77 and China");
    let mine = app
        .get("/api/v1/me/delegations", Some(&kenya_delegate.token))
        .await;
    assert_eq!(mine.status, StatusCode::OK, "{}", mine.text);
    assert_eq!(
        mine.body["items"],
        json!([
            {"kind": "delegation", "id": kenya, "name": "Kenya", "status": "member", "country": "KE"},
            {"kind": "group", "id": g77, "name": "G77 and China"}
        ])
    );

    let (id, slug) = open_consultation_from(&app, &organizer, "zero-draft", SMALL_DRAFT).await;
    let path = format!("/api/v1/consultations/{id}");
    let detail = app.get(&path, None).await;
    let key = detail.body["version"]["paragraphs"][0]["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let post = |token: String, body: Value| {
        let (app, path) = (&app, path.clone());
        async move {
            app.post(&format!("{path}/comments"), Some(&token), &body)
                .await
        }
    };

    // Speaking for a delegation or a group is checked.
    let res = post(
        kenya_delegate.token.clone(),
        json!({"body": "Brazil's view.", "on_behalf_of": {"delegation_id": brazil}}),
    )
    .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text);
    assert!(
        res.text.contains("not a delegate of Brazil"),
        "{}",
        res.text
    );
    let res = post(
        brazil_delegate.token.clone(),
        json!({"body": "For the group.", "on_behalf_of": {"group_id": g77}}),
    )
    .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text);
    assert!(res.text.contains("chairs G77 and China"), "{}", res.text);
    let res = post(
        brazil_delegate.token.clone(),
        json!({"body": "Nobody's.", "on_behalf_of": {"delegation_id": 999_999}}),
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    assert!(res.field("on_behalf_of").is_some(), "{}", res.text);
    let res = post(
        brazil_delegate.token.clone(),
        json!({"body": "Both?", "on_behalf_of": {"delegation_id": brazil, "group_id": g77}}),
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    let res = post(
        brazil_delegate.token.clone(),
        json!({"body": "Brazil supports paragraph 1.", "paragraph_key": key,
               "on_behalf_of": {"delegation_id": brazil}}),
    )
    .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    assert_eq!(
        res.body["speaks_for"],
        json!({"kind": "delegation", "id": brazil, "name": "Brazil", "status": "member", "country": "BR"})
    );
    assert_eq!(res.body["on_behalf_of"], Value::Null);
    let brazil_comment = res.body["id"].as_i64().unwrap();
    let res = post(
        kenya_delegate.token.clone(),
        json!({"body": "The Group of 77 and China welcomes the draft.",
               "on_behalf_of": {"group_id": g77}}),
    )
    .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    assert_eq!(
        res.body["speaks_for"],
        json!({"kind": "group", "id": g77, "name": "G77 and China"})
    );
    // A stated "on behalf of" stays free text, and is not shown as verified.
    let res = post(
        stakeholder.clone(),
        json!({"body": "For our network.", "on_behalf_of": "Asia Civil Society Network"}),
    )
    .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    assert_eq!(res.body["on_behalf_of"], "Asia Civil Society Network");
    assert_eq!(res.body["speaks_for"], Value::Null);

    // Support for a delegation: checked the same way; an endorsement without a body
    // stays what it was.
    let endorse = format!("/api/v1/comments/{brazil_comment}/endorsement");
    let res = app
        .post(
            &endorse,
            Some(&stakeholder),
            &json!({"on_behalf_of": {"delegation_id": kenya}}),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text);
    let res = app
        .raw(Method::POST, &endorse, Some(&stakeholder), None)
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let res = app
        .post(
            &endorse,
            Some(&kenya_delegate.token),
            &json!({"on_behalf_of": {"delegation_id": kenya}}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    assert_eq!(res.body["endorsement_count"], 2);

    // The negotiation: amendments by delegations only; stakeholders' comments closed.
    let res = app
        .send(
            Method::PUT,
            &format!("{path}/phase"),
            Some(&organizer),
            &json!({"phase": "negotiation", "stakeholders_comment": false}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["stakeholders_comment"], false);
    let amendment = |on_behalf: Value| {
        json!({"body": "Stronger wording.", "kind": "amendment", "paragraph_key": key,
               "proposed_text": "We recognise that meaningful connectivity is essential.",
               "on_behalf_of": on_behalf})
    };
    let res = post(stakeholder.clone(), amendment(Value::Null)).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text);
    assert!(res.text.contains("tabled by delegations"), "{}", res.text);
    let res = post(brazil_delegate.token.clone(), amendment(Value::Null)).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text);
    let res = post(
        stakeholder.clone(),
        json!({"body": "A stakeholder's comment."}),
    )
    .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text);
    assert!(
        res.text.contains("only delegations comment"),
        "{}",
        res.text
    );
    let res = post(
        brazil_delegate.token.clone(),
        amendment(json!({"delegation_id": brazil})),
    )
    .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let res = post(
        organizer.clone(),
        json!({"body": "The co-facilitators' note."}),
    )
    .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);

    // The page: the delegate chooses whom to speak for; cards say on whose behalf.
    let web = WebClient::new(&app.base);
    web.sign_in(&kenya_delegate.email, PASSWORD).await;
    let page = web
        .get(&format!("/consultations/{slug}?paragraph={key}"))
        .await;
    assert!(page.html.contains("Speak for"), "{}", page.html);
    assert!(
        page.html
            .contains(&format!("<option value=\"g{g77}\">G77 and China</option>")),
        "{}",
        page.html
    );
    let csrf = page.hidden("csrf").unwrap();
    let posted = web
        .post(
            &format!("/consultations/{slug}/comments"),
            &[
                ("csrf", &csrf),
                ("body", "Kenya proposes new wording."),
                ("kind", "amendment"),
                ("paragraph_key", &key),
                ("proposed_text", "We recognise universal connectivity."),
                ("on_behalf_of", &format!("d{kenya}")),
            ],
        )
        .await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER, "{}", posted.html);
    let page = web
        .get(&format!("/consultations/{slug}?paragraph={key}"))
        .await;
    assert!(page.html.contains("On behalf of Kenya"), "{}", page.html);
    assert!(page.html.contains("On behalf of Brazil"), "{}", page.html);
    assert!(page.html.contains("verified delegation"), "{}", page.html);
    let general = web
        .get(&format!("/consultations/{slug}?paragraph=general"))
        .await;
    assert!(
        general.html.contains("On behalf of G77 and China"),
        "{}",
        general.html
    );
    assert!(
        general
            .html
            .contains("On behalf of Asia Civil Society Network (as stated by the author)"),
        "{}",
        general.html
    );
    // A stakeholder's page offers no choice.
    let other = WebClient::new(&app.base);
    other.sign_in(&brazil_delegate.email, PASSWORD).await;
    let page = other
        .get(&format!("/consultations/{slug}?paragraph={key}"))
        .await;
    assert!(page.html.contains("Speak for"), "{}", page.html);
    assert!(
        !page.html.contains("G77 and China</option>"),
        "{}",
        page.html
    );
    let stakeholder_page = WebClient::new(&app.base);
    stakeholder_page.sign_in(&sam_email, PASSWORD).await;
    let page = stakeholder_page
        .get(&format!("/consultations/{slug}?paragraph={key}"))
        .await;
    // Stakeholders' comments are closed in this negotiation: the page says so.
    assert!(!page.html.contains("comment-form"), "{}", page.html);
    assert!(
        page.html
            .contains("only delegations comment and table amendments"),
        "{}",
        page.html
    );
}
