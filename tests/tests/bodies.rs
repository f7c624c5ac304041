//! Intersessional bodies, on SQLite and PostgreSQL: the secretariat creates NRIs,
//! dynamic coalitions, best practice forums and policy networks and names their
//! coordinators; the directory filters them; accounts join (twice is once) and leave;
//! members see each other and the public sees only the count and the contacts;
//! coordinators link the body's sessions and add outputs, which are consultations they
//! co-facilitate and the public comments on once opened; the pages show all of it.

use awc::http::{Method, StatusCode};
use indaba_tests::web::WebClient;
use indaba_tests::*;
use serde_json::{json, Value};

both_backends!(
    bodies_have_pages_members_sessions_and_outputs_open_for_comment,
    the_bodies_pages_list_filter_and_join_without_javascript,
);

async fn body(app: &TestApp, token: &str, body: Value) -> Response {
    app.post("/api/v1/bodies", Some(token), &body).await
}

fn names(res: &Response) -> Vec<String> {
    res.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["name"].as_str().unwrap().to_owned())
        .collect()
}

async fn bodies_have_pages_members_sessions_and_outputs_open_for_comment(backend: Backend) {
    let app = spawn_app(backend).await;
    let secretariat = app
        .account(
            "Sec Retariat",
            &["organizer"],
            "intergovernmental",
            "CH",
            None,
            None,
        )
        .await;
    let coordinator = app
        .account("Cora Coordinator", &[], "civil_society", "KE", None, None)
        .await;
    let member = app
        .account("Mo Member", &[], "academia", "BR", None, None)
        .await;
    let passer = app
        .account("Pat Passer", &[], "private_sector", "IN", None, None)
        .await;

    // Bad bodies are named; only the secretariat creates them; names are unique.
    for (input, field) in [
        (json!({"name": "", "kind": "nri"}), "name"),
        (
            json!({"name": "X", "kind": "nri", "country": "XX"}),
            "country",
        ),
        (
            json!({"name": "X", "kind": "nri", "country": "KE", "region": "asia_pacific"}),
            "region",
        ),
        (
            json!({"name": "X", "kind": "dynamic_coalition", "contact_email": "nobody"}),
            "contact_email",
        ),
        (
            json!({"name": "X", "kind": "policy_network", "website": "ftp://x"}),
            "website",
        ),
    ] {
        let res = body(&app, &secretariat.token, input.clone()).await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{input}: {}",
            res.text
        );
        assert!(res.field(field).is_some(), "{input}: {}", res.text);
    }
    let res = body(
        &app,
        &secretariat.token,
        json!({"name": "X", "kind": "club"}),
    )
    .await;
    assert!(res.status.is_client_error(), "{}", res.text);
    let kenya = json!({"name": "Kenya IGF", "kind": "nri", "country": "ke",
                       "description": "The Kenya Internet Governance Forum.",
                       "contact_email": "info@kigf.example", "website": "https://kigf.example"});
    let res = body(&app, &member.token, kenya.clone()).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text);
    let res = body(&app, &secretariat.token, kenya.clone()).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    assert_eq!(
        res.body["region"], "african",
        "the country's region: {}",
        res.text
    );
    assert_eq!(res.body["country"], "KE");
    let kigf = res.body["id"].as_i64().unwrap();
    let mut same = kenya.clone();
    same["name"] = json!("KENYA igf");
    let res = body(&app, &secretariat.token, same).await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text);
    for b in [
        json!({"name": "DC on Internet of Things", "kind": "dynamic_coalition"}),
        json!({"name": "BPF on Cybersecurity", "kind": "best_practice_forum"}),
        json!({"name": "Policy Network on Meaningful Access", "kind": "policy_network"}),
        json!({"name": "Youth LACIGF", "kind": "nri", "region": "latin_american_caribbean",
               "description": "Youth initiative of Latin America and the Caribbean."}),
    ] {
        let res = body(&app, &secretariat.token, b).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    }

    // The directory filters by kind, region, country and words.
    let all = app.get("/api/v1/bodies", None).await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.text);
    assert_eq!(names(&all).len(), 5);
    let nris = app.get("/api/v1/bodies?kind=nri", None).await;
    assert_eq!(names(&nris), ["Kenya IGF", "Youth LACIGF"], "{}", nris.text);
    let res = app.get("/api/v1/bodies?region=african", None).await;
    assert_eq!(names(&res), ["Kenya IGF"], "{}", res.text);
    let res = app.get("/api/v1/bodies?country=KE", None).await;
    assert_eq!(names(&res), ["Kenya IGF"], "{}", res.text);
    let res = app.get("/api/v1/bodies?q=caribbean%20youth", None).await;
    assert_eq!(names(&res), ["Youth LACIGF"], "{}", res.text);
    for bad in ["kind=club", "region=mars", "country=XX", "limit=0"] {
        let res = app.get(&format!("/api/v1/bodies?{bad}"), None).await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {}",
            res.text
        );
    }
    let page = app.get("/api/v1/bodies?limit=2", None).await;
    assert_eq!(names(&page).len(), 2);
    assert!(page.body["next_cursor"].is_string(), "{}", page.text);

    // Coordinators: named by the secretariat only; they become members.
    let path = format!("/api/v1/bodies/{kigf}");
    let res = app
        .send(
            Method::PUT,
            &format!("{path}/coordinators"),
            Some(&secretariat.token),
            &json!({"user_ids": [coordinator.id, 999_999]}),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    let res = app
        .send(
            Method::PUT,
            &format!("{path}/coordinators"),
            Some(&secretariat.token),
            &json!({"user_ids": [coordinator.id]}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["contacts"][0]["display_name"], "Cora Coordinator");
    let res = app
        .send(
            Method::PUT,
            &format!("{path}/coordinators"),
            Some(&coordinator.token),
            &json!({"user_ids": [coordinator.id, member.id]}),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text);

    // Joining: signed in, twice is once; leaving twice is 409.
    let members = format!("{path}/members");
    let res = app.post(&members, None, &json!({})).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{}", res.text);
    let first = app.post(&members, Some(&member.token), &json!({})).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    assert_eq!(first.body["role"], "member");
    let again = app.post(&members, Some(&member.token), &json!({})).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text);
    assert_eq!(first.body["joined_at"], again.body["joined_at"]);
    let res = app
        .post(
            "/api/v1/bodies/999999/members",
            Some(&member.token),
            &json!({}),
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{}", res.text);
    let res = app.post(&members, Some(&passer.token), &json!({})).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let res = app
        .send(Method::DELETE, &members, Some(&passer.token), &json!({}))
        .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT, "{}", res.text);
    let res = app
        .send(Method::DELETE, &members, Some(&passer.token), &json!({}))
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text);

    // Who sees whom: the public sees the count and the contacts, members see members.
    let public = app.get(&path, None).await;
    assert_eq!(public.body["members"], 2, "{}", public.text);
    assert_eq!(public.body["my_role"], Value::Null);
    assert!(!public.text.contains("Mo Member"), "{}", public.text);
    let res = app.get(&members, None).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text);
    let res = app.get(&members, Some(&passer.token)).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text);
    let res = app.get(&members, Some(&member.token)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let listed: Vec<&str> = res.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["display_name"].as_str().unwrap())
        .collect();
    assert_eq!(listed, ["Cora Coordinator", "Mo Member"], "{}", res.text);
    assert!(!res.text.contains("@"), "no addresses: {}", res.text);
    let mine = app.get(&path, Some(&member.token)).await;
    assert_eq!(mine.body["my_role"], "member");
    assert_eq!(mine.body["may_manage"], false);

    // Managing: the coordinator edits; a member may not.
    let mut edited = kenya.clone();
    edited["description"] = json!("KIGF: the national IGF of Kenya since 2008.");
    let res = app
        .send(Method::PATCH, &path, Some(&member.token), &edited)
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text);
    let res = app
        .send(Method::PATCH, &path, Some(&coordinator.token), &edited)
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert!(res.body["description"].as_str().unwrap().contains("2008"));
    let mut clash = edited.clone();
    clash["name"] = json!("BPF on Cybersecurity");
    let res = app
        .send(Method::PATCH, &path, Some(&coordinator.token), &clash)
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text);

    // Its sessions at the annual IGF: the public sees those of published events.
    let event = event_with_open_call(&app, &secretariat.token, "igf-bodies").await;
    let res = app
        .post(&format!("/api/v1/events/{event}/proposals"), Some(&coordinator.token),
              &json!({"title": "Kenya IGF open forum", "type": "open_forum", "subtheme": "Governance",
                      "format": "hybrid", "description": "What Kenya's IGF heard.",
                      "policy_questions": ["How?"],
                      "speakers": [{"name": "Ann", "organization": "KIGF", "stakeholder_group": "civil_society", "country": "KE"},
                                   {"name": "Ben", "organization": "Uni", "stakeholder_group": "academia", "country": "FR"}],
                      "moderator_name": "Mona", "rapporteur_name": "Rita"}))
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let session = accept_proposal(&app, &secretariat.token, res.body["id"].as_i64().unwrap()).await;
    let sessions = format!("{path}/sessions");
    let res = app
        .send(
            Method::PUT,
            &sessions,
            Some(&coordinator.token),
            &json!({"session_ids": [session, 999_999]}),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    assert!(res.field("session_ids").is_some(), "{}", res.text);
    // A session of an unpublished event exists for the secretariat only: a coordinator
    // cannot link it, nor learn its title.
    let res = app
        .send(
            Method::PUT,
            &sessions,
            Some(&coordinator.token),
            &json!({"session_ids": [session]}),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    assert!(!res.text.contains("Kenya IGF open forum"), "{}", res.text);
    let res = app
        .send(
            Method::PUT,
            &sessions,
            Some(&secretariat.token),
            &json!({"session_ids": [session]}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["sessions"][0]["title"], "Kenya IGF open forum");
    for who in [None, Some(coordinator.token.as_str())] {
        let res = app.get(&path, who).await;
        assert_eq!(res.body["sessions"], json!([]), "unpublished: {}", res.text);
    }
    schedule_and_publish(&app, &secretariat.token, event, session).await;
    let public = app.get(&path, None).await;
    assert_eq!(
        public.body["sessions"][0]["session_id"], session,
        "{}",
        public.text
    );
    // Published, the coordinator may link it too.
    let res = app
        .send(
            Method::PUT,
            &sessions,
            Some(&coordinator.token),
            &json!({"session_ids": [session]}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);

    // Outputs: a consultation the coordinators co-facilitate; public once opened.
    let outputs = format!("{path}/outputs");
    let output =
        json!({"slug": "kigf-2025-report", "title": "Kenya IGF 2025 report", "language": "en"});
    let res = app.post(&outputs, Some(&member.token), &output).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text);
    let res = app
        .post(
            &outputs,
            Some(&coordinator.token),
            &json!({"slug": "Bad Slug", "title": "", "language": "en"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    let res = app.post(&outputs, Some(&coordinator.token), &output).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let consultation = res.body["id"].as_i64().unwrap();
    let res = app.post(&outputs, Some(&coordinator.token), &output).await;
    assert_eq!(
        res.status,
        StatusCode::CONFLICT,
        "the slug is taken: {}",
        res.text
    );
    let public = app.get(&path, None).await;
    assert_eq!(
        public.body["outputs"],
        json!([]),
        "a draft: {}",
        public.text
    );
    // The coordinator adds its text (a co-facilitator), the secretariat opens it.
    let res = app
        .post(&format!("/api/v1/consultations/{consultation}/versions"), Some(&coordinator.token),
              &json!({"label": "v1", "format": "markdown",
                      "source": "# Report\n\n1. Access is the first concern.\n\n2. Youth ask for skills."}))
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let res = app
        .send(
            Method::PATCH,
            &format!("/api/v1/consultations/{consultation}"),
            Some(&secretariat.token),
            &json!({"status": "open"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let public = app.get(&path, None).await;
    assert_eq!(
        public.body["outputs"][0]["title"], "Kenya IGF 2025 report",
        "{}",
        public.text
    );
    assert_eq!(public.body["outputs"][0]["versions"], 1);
    let text = app
        .get(&format!("/api/v1/consultations/{consultation}"), None)
        .await;
    let key = text.body["version"]["paragraphs"][0]["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = app
        .post(&format!("/api/v1/consultations/{consultation}/comments"), Some(&passer.token),
              &json!({"paragraph_key": key, "body": "Add affordability to access.", "kind": "comment"}))
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let public = app.get(&path, None).await;
    assert_eq!(public.body["outputs"][0]["comments"], 1, "{}", public.text);

    // The member's export names the body; erasure takes them out of it.
    let export = app.get("/api/v1/me/export", Some(&member.token)).await;
    assert_eq!(
        export.body["body_memberships"][0]["body_name"], "Kenya IGF",
        "{}",
        export.text
    );
    let res = app
        .send(
            Method::DELETE,
            "/api/v1/me",
            Some(&member.token),
            &json!({"current_password": PASSWORD}),
        )
        .await;
    assert!(res.status.is_success(), "{}", res.text);
    let public = app.get(&path, None).await;
    assert_eq!(public.body["members"], 1, "{}", public.text);
}

async fn the_bodies_pages_list_filter_and_join_without_javascript(backend: Backend) {
    let app = spawn_app(backend).await;
    let secretariat = app
        .account(
            "Sec Pages",
            &["organizer"],
            "intergovernmental",
            "CH",
            None,
            None,
        )
        .await;
    for b in [
        json!({"name": "Nigeria IGF", "kind": "nri", "country": "NG", "description": "National initiative."}),
        json!({"name": "DC on Accessibility", "kind": "dynamic_coalition", "description": "Access for persons with disabilities."}),
    ] {
        let res = body(&app, &secretariat.token, b).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    }
    let web = WebClient::new(&app.base);
    let page = web.get("/bodies").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert!(
        page.html.contains("Nigeria IGF") && page.html.contains("DC on Accessibility"),
        "{}",
        page.html
    );
    let page = web.get("/bodies?kind=dynamic_coalition").await;
    assert!(
        !page.html.contains("Nigeria IGF") && page.html.contains("DC on Accessibility"),
        "{}",
        page.html
    );
    let page = web.get("/bodies?kind=spaceship").await;
    assert_eq!(
        page.status,
        StatusCode::OK,
        "an unknown filter is ignored on the page: {}",
        page.html
    );
    let id = app.get("/api/v1/bodies?kind=nri", None).await.body["items"][0]["id"]
        .as_i64()
        .unwrap();
    let page = web.get(&format!("/bodies/{id}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert!(page.html.contains("National initiative."), "{}", page.html);
    assert_eq!(
        web.get("/bodies/999999").await.status,
        StatusCode::NOT_FOUND
    );

    // Joining from the page, without JavaScript; the page then says so, and leaving works.
    let person = app
        .account("Page Joiner", &[], "civil_society", "NG", None, None)
        .await;
    let web = WebClient::new(&app.base);
    web.sign_in(&person.email, PASSWORD).await;
    let page = web.get(&format!("/bodies/{id}")).await;
    let csrf = page.hidden("csrf").unwrap();
    let res = web
        .post(
            &format!("/bodies/{id}"),
            &[("csrf", csrf.as_str()), ("action", "join")],
        )
        .await;
    assert!(
        res.status.is_success() || res.status.is_redirection(),
        "{}",
        res.html
    );
    let page = web.get(&format!("/bodies/{id}")).await;
    assert!(page.html.contains("You are a member"), "{}", page.html);
    assert!(
        page.html.contains("Page Joiner"),
        "members see the members: {}",
        page.html
    );
    let res = web
        .post(
            &format!("/bodies/{id}"),
            &[("csrf", "forged"), ("action", "leave")],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.html);
    let res = web
        .post(
            &format!("/bodies/{id}"),
            &[("csrf", csrf.as_str()), ("action", "leave")],
        )
        .await;
    assert!(
        res.status.is_success() || res.status.is_redirection(),
        "{}",
        res.html
    );
    let page = web.get(&format!("/bodies/{id}")).await;
    assert!(!page.html.contains("You are a member"), "{}", page.html);

    // The secretariat creates a body from the directory page.
    let sec = WebClient::new(&app.base);
    sec.sign_in(&secretariat.email, PASSWORD).await;
    let page = sec.get("/bodies").await;
    let csrf = page.hidden("csrf").unwrap();
    let res = sec
        .post(
            "/bodies",
            &[
                ("csrf", csrf.as_str()),
                ("name", "PN on AI"),
                ("kind", "policy_network"),
                ("country", ""),
                ("description", ""),
            ],
        )
        .await;
    assert!(
        res.status.is_success() || res.status.is_redirection(),
        "{}",
        res.html
    );
    let res = app.get("/api/v1/bodies?kind=policy_network", None).await;
    assert_eq!(names(&res), ["PN on AI"], "{}", res.text);
    let res = sec
        .post(
            "/bodies",
            &[("csrf", csrf.as_str()), ("name", ""), ("kind", "nri")],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.html);
}
