//! The secretariat's work by forms, scripts off, on SQLite and PostgreSQL: create a
//! consultation, preview and publish its draft, seat co-facilitators found by name, open,
//! close and reopen it; and the account lists behind the pages.

use awc::http::StatusCode;
use indaba_tests::web::WebClient;
use indaba_tests::*;
use serde_json::json;

both_backends!(
    a_consultation_is_created_previewed_published_and_opened_by_forms,
    people_are_found_to_seat_without_their_addresses,
    a_suspended_account_is_shut_out_at_once_and_reinstated,
    a_verified_organisation_is_shown_beside_its_inputs,
    only_the_groups_chosen_take_part,
);

/// A verified account with roles, in a group and country, with no organisation.
async fn person(app: &TestApp, name: &str, roles: &[&str], group: &str, country: &str) -> Account {
    app.account(name, roles, group, country, None, None).await
}

const REV1: &str = "I. Preamble\n\n1. We commit to an open, free and secure Internet for all.\n\n\
2. We recognise the following:\n\n(a) meaningful connectivity matters;\n\n(b) digital skills matter.\n\n\
II. Commitments\n\n3. We will count the connected in every country every year.\n";

async fn a_consultation_is_created_previewed_published_and_opened_by_forms(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = person(
        &app,
        "Secretariat",
        &["organizer"],
        "intergovernmental",
        "CH",
    )
    .await;
    let web = WebClient::new(&app.base);

    // Visitors are sent to sign in; participants are refused.
    let visitor = web.get("/organize/consultations").await;
    assert_eq!(visitor.status, StatusCode::SEE_OTHER);
    assert!(visitor
        .header("location")
        .unwrap()
        .starts_with("/login?next="));
    let participant = person(&app, "Reader", &[], "academia", "FR").await;
    let outsider = WebClient::new(&app.base);
    outsider.sign_in(&participant.email, PASSWORD).await;
    assert_eq!(
        outsider.get("/organize/consultations").await.status,
        StatusCode::FORBIDDEN
    );

    web.sign_in(&org.email, PASSWORD).await;
    let list = web.get("/organize/consultations").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.html);
    let csrf = list.hidden("csrf").unwrap();

    // A bad address is named next to its field, and what was typed stays.
    let bad = web
        .post(
            "/organize/consultations",
            &[
                ("csrf", &csrf),
                ("title", "WSIS+20 review"),
                ("slug", "Not A Slug"),
                ("language", "en"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.html.contains("id=\"slug-error\""), "{}", bad.html);
    assert!(bad.html.contains("value=\"WSIS+20 review\""));

    let created = web
        .post(
            "/organize/consultations",
            &[
                ("csrf", &csrf),
                ("title", "WSIS+20 review"),
                ("slug", "wsis-20"),
                ("description", "The zero draft, for comments."),
                ("language", "en"),
                ("opens_at", ""),
                ("closes_at", "2031-01-31T17:00"),
            ],
        )
        .await;
    assert_eq!(
        created.header("location"),
        Some("/organize/consultations/wsis-20")
    );
    let page = web.follow(&created).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.html.contains("created as a draft"), "{}", page.html);
    let api = app
        .get("/api/v1/consultations/wsis-20", Some(&org.token))
        .await;
    assert_eq!(api.body["status"], "draft");
    assert_eq!(api.body["closes_at"], "2031-01-31T17:00:00Z");
    let id = api.body["id"].as_i64().unwrap();
    let base = "/organize/consultations/wsis-20";

    // The preview shows the headings and paragraphs, and saves nothing.
    let preview = web
        .post(
            base,
            &[
                ("csrf", &csrf),
                ("action", "preview"),
                ("label", "zero-draft"),
                ("format", "text"),
                ("source", SMALL_DRAFT),
            ],
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.html);
    assert!(preview.html.contains("Read as headings"));
    assert!(preview
        .html
        .contains("<li class=\"level-1\">II. Commitments</li>"));
    assert!(
        preview.html.contains("Paragraphs and items: 5"),
        "{}",
        preview.html
    );
    assert!(preview.html.contains("name=\"action\" value=\"publish\""));
    let versions = app
        .get(
            &format!("/api/v1/consultations/{id}/versions"),
            Some(&org.token),
        )
        .await;
    assert_eq!(versions.body["items"].as_array().unwrap().len(), 0);

    // A text that is not a draft is refused next to the text, which stays.
    let refused = web
        .post(
            base,
            &[
                ("csrf", &csrf),
                ("action", "preview"),
                ("label", "zero-draft"),
                ("format", "text"),
                ("source", "Some prose with no numbers."),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.html.contains("id=\"source-error\""));
    assert!(refused.html.contains("Some prose with no numbers."));

    let published = web
        .post(
            base,
            &[
                ("csrf", &csrf),
                ("action", "publish"),
                ("label", "zero-draft"),
                ("format", "text"),
                ("source", SMALL_DRAFT),
            ],
        )
        .await;
    assert_eq!(
        published.status,
        StatusCode::SEE_OTHER,
        "{}",
        published.html
    );
    let api = app
        .get(&format!("/api/v1/consultations/{id}"), Some(&org.token))
        .await;
    assert_eq!(api.body["current_version"], "zero-draft");
    assert_eq!(
        api.body["version"]["paragraphs"].as_array().unwrap().len(),
        5
    );

    // The next version's preview says which paragraphs keep their comments.
    let preview = web
        .post(
            base,
            &[
                ("csrf", &csrf),
                ("action", "preview"),
                ("label", "rev1"),
                ("format", "text"),
                ("source", REV1),
            ],
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.html);
    assert!(
        preview.html.contains("Keep their place and comments: 4"),
        "{}",
        preview.html
    );
    assert!(preview.html.contains("New: 1"));
    assert!(preview.html.contains("Gone from the current text: 1"));
    assert!(preview
        .html
        .contains("<del>We will close the digital divide by 2030.</del>"));

    // A Word file, uploaded: previewed, its text kept in the form, then published.
    let docx = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/word/wsis-progress-report-2021.zh.docx"),
    )
    .unwrap();
    let preview = web
        .post_multipart(
            base,
            &[
                ("csrf", &csrf),
                ("action", "preview"),
                ("label", "wsis"),
                ("format", "text"),
                ("source", ""),
            ],
            ("file", "wsis.docx", &docx),
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.html);
    assert!(
        preview.html.contains("Paragraphs and items: 109"),
        "{}",
        preview.html
    );
    assert!(preview.html.contains("1. 各项行动方针的落实"));
    // The text read from the file fills the form, to publish as previewed.
    let start = preview.html.find("id=\"source\"").unwrap();
    let area = &preview.html[start..];
    let text_start = area.find('>').unwrap() + 1;
    let text_end = area.find("</textarea>").unwrap();
    let source = area[text_start..text_end]
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#x2f;", "/")
        .replace("&amp;", "&");
    assert!(
        source.contains("本报告根据经济及社会理事会"),
        "{}",
        &source[..200.min(source.len())]
    );
    let bad = web
        .post_multipart(
            base,
            &[
                ("csrf", &csrf),
                ("action", "preview"),
                ("label", "bad"),
                ("format", "text"),
                ("source", ""),
            ],
            ("file", "draft.docx", b"%PDF-1.7 not a Word file"),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.html.contains("id=\"file-error\""), "{}", bad.html);
    assert!(bad.html.contains("not a Word document"));

    // Open, close, reopen: each a logged move of the same use case as the API's.
    for (status, expected) in [("open", "open"), ("closed", "closed"), ("open", "open")] {
        let res = web
            .post(
                base,
                &[("csrf", &csrf), ("action", "status"), ("status", status)],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.html);
        let api = app.get(&format!("/api/v1/consultations/{id}"), None).await;
        assert_eq!(api.body["status"], expected);
    }
    let page = web.get(base).await;
    assert!(
        page.html.contains("value=\"closed\""),
        "open offers to close"
    );
    // A move the lifecycle does not allow is refused with its reason.
    let res = web
        .post(
            base,
            &[("csrf", &csrf), ("action", "status"), ("status", "draft")],
        )
        .await;
    assert!(res.status.is_client_error(), "{}", res.status);
    assert_eq!(
        app.get(&format!("/api/v1/consultations/{id}"), None)
            .await
            .body["status"],
        "open"
    );
    let res = web
        .post(base, &[("csrf", &csrf), ("action", "explode")])
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    // A stale form changes nothing.
    let res = web
        .post(
            base,
            &[
                ("csrf", "stale"),
                ("action", "status"),
                ("status", "closed"),
            ],
        )
        .await;
    assert!(res.status.is_client_error());
    assert_eq!(
        app.get(&format!("/api/v1/consultations/{id}"), None)
            .await
            .body["status"],
        "open"
    );

    // The new consultation is listed with its status.
    let list = web.get("/organize/consultations").await;
    assert!(list
        .html
        .contains("href=\"/organize/consultations/wsis-20\""));
}

async fn people_are_found_to_seat_without_their_addresses(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = person(
        &app,
        "Secretariat",
        &["organizer"],
        "intergovernmental",
        "CH",
    )
    .await;
    let amina = app
        .account(
            "Amina Diallo",
            &[],
            "civil_society",
            "SN",
            None,
            Some("Réseau 100% Sénégal"),
        )
        .await;
    let other = person(&app, "Boris Petrov", &["moderator"], "academia", "RU").await;
    let id = open_consultation(&app, &org.token).await;
    let slug = app
        .get(&format!("/api/v1/consultations/{id}"), None)
        .await
        .body["slug"]
        .as_str()
        .unwrap()
        .to_owned();

    // The API: organisers find people by part of a name or organisation, without e-mail.
    let found = app.get("/api/v1/people?q=AMINA", Some(&org.token)).await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.text);
    let items = found.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], amina.id);
    assert_eq!(items[0]["organization"], "Réseau 100% Sénégal");
    assert!(items[0].get("email").is_none());
    // `%` and `_` are letters, not wildcards.
    let found = app.get("/api/v1/people?q=100%25", Some(&org.token)).await;
    assert_eq!(found.body["items"].as_array().unwrap().len(), 1);
    let found = app.get("/api/v1/people?q=%25%25", Some(&org.token)).await;
    assert_eq!(found.body["items"].as_array().unwrap().len(), 0);
    // A whole address finds its owner; part of one does not.
    let found = app
        .get(
            &format!("/api/v1/people?q={}", encode_query(&other.email)),
            Some(&org.token),
        )
        .await;
    assert_eq!(found.body["items"][0]["id"], other.id);
    let found = app
        .get("/api/v1/people?q=example.org", Some(&org.token))
        .await;
    assert_eq!(found.body["items"].as_array().unwrap().len(), 0);
    // Filters are checked, and so are the callers.
    let found = app
        .get(
            "/api/v1/people?q=amina&stakeholder_group=aliens",
            Some(&org.token),
        )
        .await;
    assert_eq!(found.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(found.field("stakeholder_group").is_some(), "{}", found.text);
    let found = app.get("/api/v1/people?q=a", Some(&org.token)).await;
    assert!(found.field("q").is_some(), "{}", found.text);
    // Organisers find a person; they do not browse everyone.
    let found = app.get("/api/v1/people", Some(&org.token)).await;
    assert_eq!(found.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(found.field("q").is_some(), "{}", found.text);
    assert_eq!(
        app.get("/api/v1/people?q=amina", Some(&amina.token))
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // Admins list accounts with their addresses and roles, by role and group, page by page.
    let admin = person(&app, "Admin", &["admin"], "technical_community", "KE").await;
    assert_eq!(
        app.get("/api/v1/admin/users", Some(&org.token))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let listed = app
        .get("/api/v1/admin/users?role=moderator", Some(&admin.token))
        .await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.text);
    let items = listed.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["email"], other.email.as_str());
    let listed = app
        .get(
            "/api/v1/admin/users?stakeholder_group=civil_society",
            Some(&admin.token),
        )
        .await;
    assert_eq!(listed.body["items"][0]["id"], amina.id);
    let first = app
        .get("/api/v1/admin/users?limit=2", Some(&admin.token))
        .await;
    let cursor = first.body["next_cursor"].as_str().unwrap().to_owned();
    let second = app
        .get(
            &format!("/api/v1/admin/users?limit=2&cursor={cursor}"),
            Some(&admin.token),
        )
        .await;
    assert_eq!(second.status, StatusCode::OK);
    let ids = |r: &Response| -> Vec<i64> {
        r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["id"].as_i64().unwrap())
            .collect()
    };
    let (a, b) = (ids(&first), ids(&second));
    assert_eq!(a.len(), 2);
    assert!(b.iter().all(|id| !a.contains(id) && *id < a[1]));
    // A cursor works only with the filters that issued it.
    let other_list = app
        .get(
            &format!("/api/v1/admin/users?limit=2&role=admin&cursor={cursor}"),
            Some(&admin.token),
        )
        .await;
    assert_eq!(other_list.status, StatusCode::UNPROCESSABLE_ENTITY);

    // The page: find, seat, remove.
    let web = WebClient::new(&app.base);
    web.sign_in(&org.email, PASSWORD).await;
    let base = format!("/organize/consultations/{slug}");
    let page = web.get(&format!("{base}?q=s%C3%A9n%C3%A9gal")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert!(page.html.contains("Amina Diallo"));
    assert!(!page.html.contains(&amina.email), "no address on the page");
    let csrf = page.hidden("csrf").unwrap();
    let user = amina.id.to_string();
    let res = web
        .post(
            &base,
            &[("csrf", &csrf), ("action", "seat"), ("user", &user)],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.html);
    let api = app.get(&format!("/api/v1/consultations/{id}"), None).await;
    assert_eq!(api.body["cofacilitators"][0]["id"], amina.id);
    let page = web.follow(&res).await;
    assert!(page.html.contains("co-facilitators are saved"));
    // Seated, Amina may now import versions.
    let res = app
        .post(
            &format!("/api/v1/consultations/{id}/versions?preview=true"),
            Some(&amina.token),
            &json!({"label": "rev1", "source": SMALL_DRAFT}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let res = web
        .post(
            &base,
            &[("csrf", &csrf), ("action", "unseat"), ("user", &user)],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let api = app.get(&format!("/api/v1/consultations/{id}"), None).await;
    assert_eq!(api.body["cofacilitators"].as_array().unwrap().len(), 0);
    // Seating an unknown account is refused.
    let res = web
        .post(
            &base,
            &[("csrf", &csrf), ("action", "seat"), ("user", "999999")],
        )
        .await;
    assert!(res.status.is_client_error(), "{}", res.status);
}

async fn a_suspended_account_is_shut_out_at_once_and_reinstated(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = person(&app, "Admin", &["admin"], "technical_community", "KE").await;
    let member = person(&app, "Member", &[], "civil_society", "BR").await;
    // A second session of the member, with a refresh token, and one in a browser.
    let login = app.login(&member.email, PASSWORD).await;
    let refresh = token_of(&login, "refresh_token");
    let browser = WebClient::new(&app.base);
    browser.sign_in(&member.email, PASSWORD).await;
    assert_eq!(browser.get("/me").await.status, StatusCode::OK);

    // Not for organisers, and not oneself.
    let org = person(&app, "Org", &["organizer"], "government", "FR").await;
    let path = format!("/api/v1/admin/users/{}/suspend", member.id);
    let res = app.post(&path, Some(&org.token), &json!({})).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = app
        .post(
            &format!("/api/v1/admin/users/{}/suspend", admin.id),
            Some(&admin.token),
            &json!({}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text);
    let res = app
        .post(
            "/api/v1/admin/users/999999/suspend",
            Some(&admin.token),
            &json!({}),
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);

    let res = app.post(&path, Some(&admin.token), &json!({})).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert!(res.body["user"]["suspended_at"].is_string());
    // At once: the access tokens, the refresh token, the browser's session.
    let me = app.get("/api/v1/me", Some(&member.token)).await;
    assert_eq!(
        (me.status, me.code()),
        (StatusCode::FORBIDDEN, "account_suspended")
    );
    let res = app
        .post(
            "/api/v1/auth/refresh",
            None,
            &json!({"refresh_token": refresh}),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{}", res.text);
    let page = browser.get("/me").await;
    assert_eq!(
        page.status,
        StatusCode::SEE_OTHER,
        "signed out: {}",
        page.html
    );
    // Signing in is refused, and says why only to whoever knows the password.
    let res = app.login(&member.email, PASSWORD).await;
    assert_eq!(
        (res.status, res.code()),
        (StatusCode::FORBIDDEN, "account_suspended")
    );
    let res = app.login(&member.email, "not the password at all").await;
    assert_eq!(
        (res.status, res.code()),
        (StatusCode::UNAUTHORIZED, "invalid_credentials")
    );
    let listed = app
        .get("/api/v1/admin/users?q=member", Some(&admin.token))
        .await;
    assert!(listed.body["items"][0]["suspended_at"].is_string());

    // Reinstated: a new sign-in works; the tokens from before stay refused. (Tokens tell
    // their issue to the second: the reinstatement comes in a later second than the
    // suspension, as it does when a person decides it.)
    actix_web::rt::time::sleep(std::time::Duration::from_millis(1100)).await;
    let res = app
        .send(
            awc::http::Method::DELETE,
            &path,
            Some(&admin.token),
            &json!({}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert!(res.body["user"]["suspended_at"].is_null());
    let res = app.login(&member.email, PASSWORD).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let fresh = token_of(&res, "access_token");
    assert_eq!(
        app.get("/api/v1/me", Some(&fresh)).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.get("/api/v1/me", Some(&member.token)).await.status,
        StatusCode::FORBIDDEN
    );

    // The page: admins only; suspend and reinstate by form.
    let web = WebClient::new(&app.base);
    web.sign_in(&org.email, PASSWORD).await;
    assert_eq!(web.get("/admin/users").await.status, StatusCode::FORBIDDEN);
    let web = WebClient::new(&app.base);
    web.sign_in(&admin.email, PASSWORD).await;
    let page = web.get("/admin/users?q=member").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert!(page.html.contains(&member.email));
    assert!(!page.html.contains(&org.email), "filtered by the words");
    let csrf = page.hidden("csrf").unwrap();
    let user = member.id.to_string();
    let back = "/admin/users?q=member&role=&stakeholder_group=";
    let res = web
        .post(
            "/admin/users",
            &[
                ("csrf", &csrf),
                ("back", back),
                ("user", &user),
                ("action", "suspend"),
            ],
        )
        .await;
    assert_eq!(res.header("location"), Some(back));
    let page = web.follow(&res).await;
    assert!(
        page.html.contains("name=\"action\" value=\"reinstate\""),
        "{}",
        page.html
    );
    assert_eq!(
        app.get("/api/v1/me", Some(&fresh)).await.code(),
        "account_suspended"
    );
    // Roles by form; an unknown role is refused and changes nothing.
    let res = web
        .post(
            "/admin/users",
            &[
                ("csrf", &csrf),
                ("user", &user),
                ("action", "roles"),
                ("roles", "moderator"),
                ("roles", "organizer"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.html);
    let listed = app
        .get("/api/v1/admin/users?role=moderator", Some(&admin.token))
        .await;
    assert_eq!(listed.body["items"][0]["id"], member.id);
    let res = web
        .post(
            "/admin/users",
            &[
                ("csrf", &csrf),
                ("user", &user),
                ("action", "roles"),
                ("roles", "emperor"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    // A bad filter is named beside its field.
    let page = web.get("/admin/users?role=emperor").await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.html.contains("id=\"role-error\""), "{}", page.html);
}

async fn a_verified_organisation_is_shown_beside_its_inputs(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = person(&app, "Admin", &["admin"], "technical_community", "KE").await;
    let (_, organizer) = app.user_with_roles("Org", &["organizer"]).await;
    let id = open_consultation(&app, &organizer).await;
    let ngo = app
        .account("Amina", &[], "civil_society", "SN", None, Some("Jonction"))
        .await;
    let loner = person(&app, "Loner", &[], "academia", "FR").await;
    let res = app
        .post(
            &format!("/api/v1/consultations/{id}/comments"),
            Some(&ngo.token),
            &json!({"body": "Connectivity must be affordable for everyone."}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    assert_eq!(res.body["author"]["organization_verified"], false);
    let comment = res.body["id"].as_i64().unwrap();

    let verify = format!("/api/v1/admin/users/{}/verify-organization", ngo.id);
    let res = app.post(&verify, Some(&admin.token), &json!({})).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["user"]["organization_verified"], true);
    // Nothing to verify without an organisation.
    let res = app
        .post(
            &format!("/api/v1/admin/users/{}/verify-organization", loner.id),
            Some(&admin.token),
            &json!({}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text);

    // Everyone sees the badge: the API and the page.
    let seen = app.get(&format!("/api/v1/comments/{comment}"), None).await;
    assert_eq!(
        seen.body["author"]["organization_verified"], true,
        "{}",
        seen.text
    );
    let (slug, key) = {
        let d = app.get(&format!("/api/v1/consultations/{id}"), None).await;
        (
            d.body["slug"].as_str().unwrap().to_owned(),
            d.body["version"]["paragraphs"][0]["key"]
                .as_str()
                .unwrap()
                .to_owned(),
        )
    };
    let _ = key;
    let page = WebClient::new(&app.base)
        .get(&format!("/consultations/{slug}?paragraph=general"))
        .await;
    assert!(page.html.contains("badge verified"), "{}", page.html);
    let me = app.get("/api/v1/me", Some(&ngo.token)).await;
    assert_eq!(me.body["user"]["organization_verified"], true);

    // Naming another organisation ends the verification; keeping it does not.
    for (patch, verified) in [
        (json!({"display_name": "Amina D."}), true),
        (json!({"organization": "Another NGO"}), false),
    ] {
        let res = app
            .send(
                awc::http::Method::PATCH,
                "/api/v1/me",
                Some(&ngo.token),
                &patch,
            )
            .await;
        assert_eq!(
            res.body["user"]["organization_verified"], verified,
            "{patch}: {}",
            res.text
        );
    }
    let seen = app.get(&format!("/api/v1/comments/{comment}"), None).await;
    assert_eq!(seen.body["author"]["organization_verified"], false);
    // Withdrawn by the admin.
    app.post(&verify, Some(&admin.token), &json!({})).await;
    let res = app
        .send(
            awc::http::Method::DELETE,
            &verify,
            Some(&admin.token),
            &json!({}),
        )
        .await;
    assert_eq!(res.body["user"]["organization_verified"], false);
}

/// "Who may take part": some stakeholder groups only, chosen by form and by the API; the
/// others read, and are told why they cannot post or endorse; the secretariat always may.
async fn only_the_groups_chosen_take_part(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = person(
        &app,
        "Secretariat",
        &["organizer"],
        "intergovernmental",
        "CH",
    )
    .await;
    let web = WebClient::new(&app.base);
    web.sign_in(&org.email, PASSWORD).await;
    let csrf = web
        .get("/organize/consultations")
        .await
        .hidden("csrf")
        .unwrap();
    let created = web
        .post(
            "/organize/consultations",
            &[
                ("csrf", &csrf),
                ("title", "Member states' review"),
                ("slug", "states-review"),
                ("language", "en"),
                ("who", "groups"),
                ("groups", "government"),
                ("groups", "intergovernmental"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.html);
    let path = "/api/v1/consultations/states-review";
    let k = app.get(path, Some(&org.token)).await;
    assert_eq!(
        k.body["participation"],
        json!({"who": "groups", "groups": ["government", "intergovernmental"], "verified_only": false})
    );
    // "Only these groups" with none ticked is named next to the choice.
    let none = web
        .post(
            "/organize/consultations",
            &[
                ("csrf", &csrf),
                ("title", "Nobody"),
                ("slug", "nobody-at-all"),
                ("language", "en"),
                ("who", "groups"),
            ],
        )
        .await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        none.html.contains("id=\"participation-error\""),
        "{}",
        none.html
    );

    for (body, field) in [
        (json!({"who": "groups", "groups": []}), "participation"),
        (json!({"who": "groups", "groups": ["aliens"]}), ""),
        (json!({"who": "everyone"}), ""),
    ] {
        let res = app
            .send(
                awc::http::Method::PATCH,
                path,
                Some(&org.token),
                &json!({"participation": body}),
            )
            .await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            res.text
        );
        if !field.is_empty() {
            assert!(res.field(field).is_some(), "{}", res.text);
        }
    }
    let res = app
        .post(
            &format!("{path}/versions"),
            Some(&org.token),
            &json!({"label": "zero-draft", "source": SMALL_DRAFT}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let res = app
        .send(
            awc::http::Method::PATCH,
            path,
            Some(&org.token),
            &json!({"status": "open"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);

    let delegate = person(&app, "Delegate", &[], "government", "BR").await;
    let scholar = person(&app, "Scholar", &[], "academia", "KE").await;
    let comments = format!("{path}/comments");
    let mine = app
        .post(
            &comments,
            Some(&delegate.token),
            &json!({"body": "We support paragraph 1."}),
        )
        .await;
    assert_eq!(mine.status, StatusCode::CREATED, "{}", mine.text);
    let refused = app
        .post(
            &comments,
            Some(&scholar.token),
            &json!({"body": "Research matters."}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.text);
    assert!(refused.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("government, intergovernmental"));
    let endorse = format!("/api/v1/comments/{}/endorsement", mine.body["id"]);
    let res = app.post(&endorse, Some(&scholar.token), &json!({})).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text);
    // The secretariat always may.
    let res = app
        .post(
            &comments,
            Some(&org.token),
            &json!({"body": "Thank you.", "parent_id": mine.body["id"]}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);

    // The page says who may take part, and tells the others instead of the form.
    let reader = WebClient::new(&app.base);
    reader.sign_in(&scholar.email, PASSWORD).await;
    let page = reader
        .get("/consultations/states-review?paragraph=general")
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert!(
        page.html
            .contains("Inputs from: Government, Intergovernmental"),
        "{}",
        page.html
    );
    assert!(page
        .html
        .contains("takes inputs from these stakeholder groups only"));
    assert!(!page.html.contains("id=\"comment-form\""));

    // Opened to anyone by the secretariat's form: the scholar posts.
    let manage = web.get("/organize/consultations/states-review").await;
    assert!(
        manage
            .html
            .contains("id=\"group-government\" name=\"groups\" value=\"government\" checked"),
        "{}",
        manage.html
    );
    let saved = web
        .post(
            "/organize/consultations/states-review",
            &[
                ("csrf", &csrf),
                ("action", "participation"),
                ("who", "anyone"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    let k = app.get(path, None).await;
    assert_eq!(k.body["participation"], json!({"who": "anyone"}));
    let res = app
        .post(
            &comments,
            Some(&scholar.token),
            &json!({"body": "Research matters."}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let page = reader
        .get("/consultations/states-review?paragraph=general")
        .await;
    assert!(page.html.contains("id=\"comment-form\""));
    assert!(!page.html.contains("Inputs from:"));

    // A group is what each person declares, unless only verified organisations may take
    // part: then an admin's verification admits, and changing one's group ends it.
    let res = app
        .send(
            awc::http::Method::PATCH,
            path,
            Some(&org.token),
            &json!({"participation": {"who": "groups", "groups": ["government", "intergovernmental"], "verified_only": true}}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let minister = app
        .account(
            "Minister",
            &[],
            "government",
            "GH",
            None,
            Some("Ministry of Communications"),
        )
        .await;
    let post = |token: String| {
        let (app, comments) = (&app, comments.clone());
        async move {
            app.post(
                &comments,
                Some(&token),
                &json!({"body": "Ghana supports this text."}),
            )
            .await
        }
    };
    let res = post(minister.token.clone()).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text);
    assert!(res.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("verified"));
    let admin = person(&app, "Admin", &["admin"], "intergovernmental", "CH").await;
    let verify = format!("/api/v1/admin/users/{}/verify-organization", minister.id);
    let res = app.post(&verify, Some(&admin.token), &json!({})).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let res = post(minister.token.clone()).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let res = app
        .send(
            awc::http::Method::PATCH,
            "/api/v1/me",
            Some(&minister.token),
            &json!({"stakeholder_group": "intergovernmental"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let res = post(minister.token.clone()).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text);
    // The form keeps the choice.
    let manage = web.get("/organize/consultations/states-review").await;
    assert!(
        manage
            .html
            .contains("id=\"verified_only\" name=\"verified_only\" value=\"on\" checked"),
        "{}",
        manage.html
    );
}
