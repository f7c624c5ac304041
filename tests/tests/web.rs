//! The pages at the HTTP level, with scripts off: forms, cookies and redirects, the
//! language choice, CSRF, escaping, errors kept next to their fields, weight and headers.

use awc::http::StatusCode;
use indaba_tests::web::WebClient;
use indaba_tests::*;
use serde_json::json;

both_backends!(
    reading_and_posting_work_without_javascript,
    a_stale_csrf_token_asks_again_and_keeps_the_text,
    form_errors_are_named_next_to_their_fields_and_input_is_kept,
    signing_out_revokes_the_session,
    a_csrf_token_is_bound_to_its_session,
    session_cookies_are_host_cookies_on_https,
    the_account_page_changes_the_password_and_asks_for_it_to_erase,
    moderators_work_the_flag_queue_by_forms,
    a_revision_is_drafted_by_form_with_the_inputs_that_informed_it,
    a_comment_on_a_paragraph_removed_meanwhile_keeps_its_text,
    notifications_are_read_and_set_by_forms,
    a_session_is_proposed_by_form_during_the_call,
    follows_endorsements_and_own_anonymous_inputs_by_forms,
    moderators_act_from_the_thread_and_the_log_is_public,
);

async fn paragraph_of(app: &TestApp, id: i64) -> (String, String) {
    let res = app.get(&format!("/api/v1/consultations/{id}"), None).await;
    (
        res.body["slug"].as_str().expect("slug").to_owned(),
        res.body["version"]["paragraphs"][0]["key"]
            .as_str()
            .expect("key")
            .to_owned(),
    )
}

async fn reading_and_posting_work_without_javascript(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, organizer) = app.user_with_roles("Organiser", &["organizer"]).await;
    let id = open_consultation(&app, &organizer).await;
    let (slug, key) = paragraph_of(&app, id).await;
    let (email, _, _) = app.verified_user("Ana").await;

    let web = WebClient::new(&app.base);
    // Anonymous readers see the text and a way to sign in, not the form.
    let page = web.get(&format!("/consultations/{slug}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.html.contains("id=\"p-1\""),
        "paragraph anchors: {}",
        page.html
    );
    let thread = web
        .get(&format!("/consultations/{slug}?paragraph={key}"))
        .await;
    assert!(thread.html.contains("Sign in to comment"));
    assert!(!thread.html.contains("id=\"comment-form\""));

    let home = web.sign_in(&email, PASSWORD).await;
    assert!(home.html.contains("My account"), "{}", home.html);
    let thread = web
        .get(&format!("/consultations/{slug}?paragraph={key}"))
        .await;
    let csrf = thread.hidden("csrf").expect("csrf");
    let body = "Access <script>alert(1)</script> & affordability — مهمة";
    let res = web
        .post(
            &format!("/consultations/{slug}/comments"),
            &[
                ("csrf", &csrf),
                ("paragraph_key", &key),
                ("kind", "comment"),
                ("body", body),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.html);
    let after = web.follow(&res).await;
    assert!(after.html.contains("Your comment is posted"));
    // Escaped, never executed.
    assert!(
        after.html.contains(
            "Access &#60;script&#62;alert(1)&#60;/script&#62; &#38; affordability — مهمة"
        ),
        "{}",
        after.html
    );
    assert!(!after.html.contains("<script>alert(1)"));

    // The API holds exactly that comment, by that user.
    let list = app
        .get(
            &format!("/api/v1/consultations/{id}/comments?paragraph_key={key}"),
            None,
        )
        .await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(list.body["items"][0]["body"], body);
    let comment_id = list.body["items"][0]["id"].as_i64().unwrap();

    // A reply and an endorsement, still without scripts.
    let res = web
        .post(
            &format!("/consultations/{slug}/comments"),
            &[
                ("csrf", &csrf),
                ("paragraph_key", &key),
                ("parent_id", &comment_id.to_string()),
                ("body", "Agreed."),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.html);
    let back = format!("/consultations/{slug}?paragraph={key}");
    let own = web.get(&back).await;
    assert!(
        !own.html
            .contains(&format!("action=\"/comments/{comment_id}/endorse\"")),
        "no endorsing one's own input"
    );
    let (other_email, _, _) = app.verified_user("Bo").await;
    let other = WebClient::new(&app.base);
    other.sign_in(&other_email, PASSWORD).await;
    let page = other.get(&back).await;
    let other_csrf = page.hidden("csrf").unwrap();
    let res = other
        .post(
            &format!("/comments/{comment_id}/endorse"),
            &[("csrf", &other_csrf), ("back", &back)],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let page = other.follow(&res).await;
    assert!(page.html.contains("1 endorsement"), "{}", page.html);
    assert!(
        page.html.contains("comment depth-1"),
        "the reply sits under its parent"
    );
    let list = app
        .get(
            &format!("/api/v1/consultations/{id}/comments?paragraph_key={key}"),
            None,
        )
        .await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 2);
    app.stop().await;
}

async fn a_stale_csrf_token_asks_again_and_keeps_the_text(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, organizer) = app.user_with_roles("Organiser", &["organizer"]).await;
    let id = open_consultation(&app, &organizer).await;
    let (slug, key) = paragraph_of(&app, id).await;
    let (email, _, _) = app.verified_user("Ana").await;
    let web = WebClient::new(&app.base);
    web.sign_in(&email, PASSWORD).await;

    let typed = "A long considered comment that must not be lost.";
    for token in ["forged", ""] {
        let res = web
            .post(
                &format!("/consultations/{slug}/comments"),
                &[("csrf", token), ("paragraph_key", &key), ("body", typed)],
            )
            .await;
        assert_eq!(
            res.status,
            StatusCode::FORBIDDEN,
            "the form comes back, not an error page"
        );
        assert!(res.html.contains("Your form had expired"), "{}", res.html);
        assert!(res.html.contains(typed), "the text typed is kept");
        // The re-rendered form carries a good token: sending it again works.
        let fresh = res.hidden("csrf").expect("fresh token");
        assert_ne!(fresh, token);
    }
    let list = app
        .get(&format!("/api/v1/consultations/{id}/comments"), None)
        .await;
    assert_eq!(
        list.body["items"].as_array().unwrap().len(),
        0,
        "nothing stored on a refused form"
    );

    // A form posted from another site carries no cookie at all: refused the same way.
    let stranger = WebClient::new(&app.base);
    let res = stranger
        .post(
            "/login",
            &[("csrf", "x"), ("email", &email), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert!(res.html.contains("Your form had expired"));
    assert!(!stranger.cookies.borrow().contains_key("indaba_access"));
    app.stop().await;
}

async fn form_errors_are_named_next_to_their_fields_and_input_is_kept(backend: Backend) {
    let app = spawn_app(backend).await;
    let web = WebClient::new(&app.base);
    let form = web.get("/register").await;
    let csrf = form.hidden("csrf").unwrap();
    let res = web
        .post(
            "/register",
            &[
                ("csrf", &csrf),
                ("display_name", "Nadia Rahman"),
                ("email", "not-an-email"),
                ("password", "short"),
                ("stakeholder_group", "civil_society"),
                ("country", "ZZ"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.html.contains("There is a problem"));
    for field in ["email", "password", "country"] {
        assert!(
            res.html.contains(&format!("id=\"{field}-error\"")),
            "{field} error shown: {}",
            res.html
        );
        assert!(
            res.html.contains(&format!("href=\"#{field}\"")),
            "{field} in the summary"
        );
    }
    assert!(res.html.contains("value=\"Nadia Rahman\""), "input kept");
    assert!(
        res.html.contains("value=\"civil_society\" selected"),
        "choice kept"
    );
    assert!(
        !res.html.contains("short"),
        "the password is never echoed back"
    );
    // The country is chosen by its name in the page's language; the code goes underneath,
    // and a valid choice is kept when another field is wrong.
    let web_fr = WebClient::new(&app.base);
    let csrf_fr = web_fr
        .get("/register?lang=fr")
        .await
        .hidden("csrf")
        .unwrap();
    let res = web_fr
        .post(
            "/register?lang=fr",
            &[
                ("csrf", &csrf_fr),
                ("display_name", "Nadia Rahman"),
                ("email", "not-an-email"),
                ("password", "short"),
                ("stakeholder_group", "civil_society"),
                ("country", "KE"),
            ],
        )
        .await;
    assert!(
        res.html
            .contains("<option value=\"KE\" selected>Kenya</option>"),
        "{}",
        res.html
    );
    for (lang, name) in [
        ("zh", "肯尼亚"),
        ("ar", "كينيا"),
        ("ru", "Кения"),
        ("es", "Kenia"),
    ] {
        let page = web_fr.get(&format!("/register?lang={lang}")).await;
        assert!(
            page.html
                .contains(&format!("<option value=\"KE\">{name}</option>")),
            "{lang}"
        );
    }

    // A good sign-up; then the same email again is refused on the page, not with a 500.
    let email = format!("{}@example.org", unique("nadia"));
    let ok = web
        .post(
            "/register",
            &[
                ("csrf", &csrf),
                ("display_name", "Nadia"),
                ("email", &email),
                ("password", PASSWORD),
                ("stakeholder_group", "academia"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK);
    assert!(ok.html.contains("Check your email"), "{}", ok.html);
    let again = web
        .post(
            "/register",
            &[
                ("csrf", &csrf),
                ("display_name", "Nadia"),
                ("email", &email),
                ("password", PASSWORD),
                ("stakeholder_group", "academia"),
            ],
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.html.contains("There is a problem"), "{}", again.html);

    // Wrong password: one message, no hint whether the account exists.
    let wrong = web
        .post(
            "/login",
            &[
                ("csrf", &csrf),
                ("email", &email),
                ("password", "wrong password entirely"),
            ],
        )
        .await;
    let unknown = web
        .post(
            "/login",
            &[
                ("csrf", &csrf),
                ("email", "nobody@example.org"),
                ("password", "wrong password entirely"),
            ],
        )
        .await;
    assert!(wrong
        .html
        .contains("The email address or password is wrong"));
    assert!(unknown
        .html
        .contains("The email address or password is wrong"));
    app.stop().await;
}

async fn signing_out_revokes_the_session(backend: Backend) {
    let app = spawn_app(backend).await;
    let (email, _, _) = app.verified_user("Ana").await;
    let web = WebClient::new(&app.base);
    web.sign_in(&email, PASSWORD).await;
    let refresh = web
        .cookies
        .borrow()
        .get("indaba_refresh")
        .cloned()
        .expect("refresh cookie");
    let me = web.get("/me").await;
    assert_eq!(me.status, StatusCode::OK);
    assert!(me.html.contains(&email));
    let csrf = me.hidden("csrf").unwrap();
    let out = web.post("/logout", &[("csrf", &csrf)]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(out.header("clear-site-data"), Some("\"cache\""));
    assert!(!web.cookies.borrow().contains_key("indaba_refresh"));
    assert_eq!(
        web.get("/me").await.status,
        StatusCode::SEE_OTHER,
        "signed out: /me sends to sign-in"
    );
    // The cookie's refresh token is dead on the API too.
    let res = app
        .post(
            "/api/v1/auth/refresh",
            None,
            &json!({"refresh_token": refresh}),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{}", res.text);
    app.stop().await;
}

async fn a_csrf_token_is_bound_to_its_session(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ana, _, _) = app.verified_user("Ana").await;
    let (ben, _, _) = app.verified_user("Ben").await;
    let a = WebClient::new(&app.base);
    a.sign_in(&ana, PASSWORD).await;
    let anas_token = a.get("/me").await.hidden("csrf").unwrap();
    let b = WebClient::new(&app.base);
    let visitors_token = b.get("/login").await.hidden("csrf").unwrap();
    b.sign_in(&ben, PASSWORD).await;

    // Ana's CSRF cookie tossed into Ben's browser (by a sibling site, say) does not make
    // her token good for his session…
    let anas_cookie = a.cookies.borrow()["indaba_csrf"].clone();
    let bens_cookie = b
        .cookies
        .borrow_mut()
        .insert("indaba_csrf".into(), anas_cookie)
        .unwrap();
    let res = b.post("/logout", &[("csrf", &anas_token)]).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.html);
    b.cookies
        .borrow_mut()
        .insert("indaba_csrf".into(), bens_cookie);
    // …nor is the token Ben's browser had as a visitor, before he signed in.
    let res = b.post("/logout", &[("csrf", &visitors_token)]).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.html);
    assert_eq!(b.get("/me").await.status, StatusCode::OK, "still signed in");
    // His own page's token works.
    let own = b.get("/me").await.hidden("csrf").unwrap();
    assert_eq!(
        b.post("/logout", &[("csrf", &own)]).await.status,
        StatusCode::SEE_OTHER
    );

    // A token of an earlier session of the same person is refused in the next one.
    assert_eq!(
        a.post("/logout", &[("csrf", &anas_token)]).await.status,
        StatusCode::SEE_OTHER
    );
    a.sign_in(&ana, PASSWORD).await;
    let res = a.post("/logout", &[("csrf", &anas_token)]).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.html);
    assert_eq!(a.get("/me").await.status, StatusCode::OK, "still signed in");
    app.stop().await;
}

async fn session_cookies_are_host_cookies_on_https(backend: Backend) {
    let app = spawn_app_with(
        backend,
        Options::new().with("INDABA_PUBLIC_URL", "https://indaba.example"),
    )
    .await;
    let (email, _, _) = app.verified_user("Ana").await;
    let web = WebClient::new(&app.base);
    let login = web.get("/login").await;
    let set_cookies: Vec<String> = login
        .headers
        .get_all("set-cookie")
        .filter_map(|v| v.to_str().ok().map(str::to_owned))
        .collect();
    let csrf = set_cookies
        .iter()
        .find(|c| c.starts_with("__Host-indaba_csrf="))
        .unwrap_or_else(|| panic!("{set_cookies:?}"));
    assert!(csrf.contains("Secure") && csrf.contains("Path=/"), "{csrf}");
    assert!(!csrf.to_ascii_lowercase().contains("domain="), "{csrf}");

    web.sign_in(&email, PASSWORD).await;
    let names: Vec<String> = web.cookies.borrow().keys().cloned().collect();
    for name in ["__Host-indaba_access", "__Host-indaba_refresh"] {
        assert!(names.iter().any(|n| n == name), "{name}: {names:?}");
    }
    assert!(!names.iter().any(|n| n.starts_with("indaba_")), "{names:?}");
    let me = web.get("/me").await;
    assert_eq!(me.status, StatusCode::OK);
    assert!(me.html.contains(&email));

    // The same session under a plain name (as a subdomain could set it) is nobody's,
    // and is cleared.
    let refresh = web.cookies.borrow()["__Host-indaba_refresh"].clone();
    let tossed = WebClient::new(&app.base);
    tossed
        .cookies
        .borrow_mut()
        .insert("indaba_refresh".into(), refresh);
    let res = tossed.get("/me").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.html);
    assert!(!tossed.cookies.borrow().contains_key("indaba_refresh"));
    assert_eq!(web.get("/me").await.status, StatusCode::OK);
    app.stop().await;
}

async fn the_account_page_changes_the_password_and_asks_for_it_to_erase(backend: Backend) {
    let app = spawn_app(backend).await;
    let (email, _, phone) = app.verified_user("Ana").await;
    let web = WebClient::new(&app.base);
    web.sign_in(&email, PASSWORD).await;
    let me = web.get("/me").await;
    assert!(me.html.contains("id=\"current_password\""), "{}", me.html);
    assert!(me.html.contains("id=\"delete_password\""), "{}", me.html);
    let csrf = me.hidden("csrf").unwrap();
    let new_password = "lantern quietly orbits marmalade";
    let change = |current: &'static str, new: &'static str| {
        [
            ("csrf", csrf.clone()),
            ("current_password", current.to_owned()),
            ("new_password", new.to_owned()),
        ]
    };
    let post = |form: [(&'static str, String); 3]| {
        let web = &web;
        async move {
            let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            web.post("/me/password", &pairs).await
        }
    };
    let res = post(change("not my password at all", new_password)).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.html);
    assert!(res.html.contains("current_password-error"), "{}", res.html);
    let res = post(change(PASSWORD, "password1234")).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.html);
    assert!(res.html.contains("too easy to guess"), "{}", res.html);
    let res = post(change(PASSWORD, new_password)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.html);
    assert!(web
        .follow(&res)
        .await
        .html
        .contains("Your password has been changed"));
    // The phone's session is over; this browser's goes on, even once its access token
    // has run out.
    let res = app
        .post(
            "/api/v1/auth/refresh",
            None,
            &json!({"refresh_token": phone}),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{}", res.text);
    web.cookies.borrow_mut().remove("indaba_access");
    let me = web.get("/me").await;
    assert_eq!(me.status, StatusCode::OK);

    // Erasing asks for the password again.
    let csrf = me.hidden("csrf").unwrap();
    let res = web
        .post("/me/delete", &[("csrf", &csrf), ("confirm", "on")])
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.html);
    assert!(res.html.contains("delete_password-error"), "{}", res.html);
    assert_eq!(app.login(&email, new_password).await.status, StatusCode::OK);
    let res = web
        .post(
            "/me/delete",
            &[
                ("csrf", &csrf),
                ("confirm", "on"),
                ("delete_password", new_password),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.html);
    assert_eq!(
        app.login(&email, new_password).await.code(),
        "invalid_credentials"
    );
    app.stop().await;
}

#[actix_web::test]
async fn language_comes_from_the_choice_then_the_cookie_then_accept_language() {
    let app = spawn_app(Backend::Sqlite).await;
    let mut web = WebClient::new(&app.base);
    web.accept_language = Some("de-DE, fr;q=0.8, en;q=0.5".into());
    let page = web.get("/").await;
    assert!(
        page.html
            .starts_with("<!doctype html>\n<html lang=\"fr\" dir=\"ltr\">"),
        "{}",
        &page.html[..80]
    );
    assert_eq!(page.header("content-language"), Some("fr"));
    assert!(page.html.contains("Consultations ouvertes"));

    let page = web.get("/login?lang=ar").await;
    assert!(page.html.contains("<html lang=\"ar\" dir=\"rtl\">"));
    assert!(page.html.contains("تسجيل الدخول"));
    // The switcher links keep the page and change only the language.
    assert!(page.html.contains("href=\"/login?lang=zh\""));
    // The choice sticks, over Accept-Language.
    let page = web.get("/register").await;
    assert!(page.html.contains("<html lang=\"ar\" dir=\"rtl\">"));
    let page = web.get("/register?lang=xx").await;
    assert!(
        page.html.contains("<html lang=\"ar\""),
        "an unknown choice changes nothing"
    );
    app.stop().await;
}

#[actix_web::test]
async fn pages_are_light_compressed_and_sent_with_strict_headers() {
    let app = spawn_app(Backend::Sqlite).await;
    let db = app.db();
    actix_web::web::block(move || indaba::seed::demo(&db))
        .await
        .unwrap()
        .unwrap();
    let web = WebClient::new(&app.base);
    let css = web.get("/static/app.css").await;
    let js = web.get("/static/live.js").await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css.header("cache-control").unwrap().contains("immutable"));
    for path in [
        "/",
        "/consultations/declaration-digital-cooperation",
        "/events/igf-2026-demo/agenda",
        "/bodies",
        "/register",
        "/login",
    ] {
        let page = web.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        let weight = page.html.len() + css.html.len() + js.html.len();
        assert!(
            weight < 150 * 1024,
            "{path} weighs {weight} bytes with its CSS and script"
        );
        let csp = page.header("content-security-policy").expect("CSP");
        assert!(
            !csp.contains("unsafe-inline") && csp.contains("script-src 'self'"),
            "{csp}"
        );
        assert_eq!(page.header("x-frame-options"), Some("DENY"));
        assert!(
            !page.html.contains("http://") || !page.html.contains("src=\"http"),
            "nothing from another host"
        );
        assert!(
            !page.html.contains("<script>"),
            "no inline script on {path}"
        );
    }
    // Cookies are HttpOnly and SameSite.
    let page = WebClient::new(&app.base).get("/login?lang=fr").await;
    let set = page
        .headers
        .get_all("set-cookie")
        .map(|v| v.to_str().unwrap().to_owned())
        .collect::<Vec<_>>();
    assert!(!set.is_empty());
    assert!(
        set.iter()
            .all(|c| c.contains("HttpOnly") && c.contains("SameSite=Lax")),
        "{set:?}"
    );
    // Compressed when the client accepts it.
    let mut res = app
        .client
        .get(app.url("/consultations/declaration-digital-cooperation"))
        .insert_header(("Accept-Encoding", "gzip"))
        .no_decompress()
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers().get("content-encoding").unwrap(), "gzip");
    let _ = res.body().await;
    // An unknown page is an HTML page; an unknown API path stays JSON.
    let missing = web.get("/no/such/page").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.html.contains("Page not found"));
    let api = app.get("/api/v1/no/such", None).await;
    assert_eq!(api.code(), "no_route");
    app.stop().await;
}

async fn moderators_work_the_flag_queue_by_forms(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, organizer) = app.user_with_roles("Organiser", &["organizer"]).await;
    let id = open_consultation(&app, &organizer).await;
    let (_, key) = paragraph_of(&app, id).await;
    let (_, author) = app.member("Author", &[], "civil_society", "KE", None).await;
    let mut posted = vec![];
    for body in [
        "Buy cheap watches at spam.example",
        "A sharp but fair criticism of the draft.",
    ] {
        let res = app
            .post(
                &format!("/api/v1/consultations/{id}/comments"),
                Some(&author),
                &json!({"body": body, "paragraph_key": key}),
            )
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
        posted.push(res.body["id"].as_i64().unwrap());
    }
    for who in ["Flagger A", "Flagger B"] {
        let (_, token) = app.member(who, &[], "academia", "FR", None).await;
        for c in &posted {
            let res = app
                .post(
                    &format!("/api/v1/comments/{c}/flags"),
                    Some(&token),
                    &json!({"reason": format!("flagged by {who}")}),
                )
                .await;
            assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
        }
    }

    // A reader reports the spam from the page.
    let (_, participant) = app.member("Reader", &[], "academia", "FR", None).await;
    let reader_email = app.get("/api/v1/me", Some(&participant)).await.body["user"]["email"]
        .as_str()
        .unwrap()
        .to_owned();
    let reader = WebClient::new(&app.base);
    reader.sign_in(&reader_email, PASSWORD).await;
    let back = format!(
        "/consultations/{}?paragraph={key}",
        paragraph_of(&app, id).await.0
    );
    let thread = reader.get(&back).await;
    assert!(thread
        .html
        .contains(&format!("action=\"/comments/{}/flag\"", posted[0])));
    let csrf = thread.hidden("csrf").unwrap();
    let res = reader
        .post(
            &format!("/comments/{}/flag", posted[0]),
            &[
                ("csrf", &csrf),
                ("back", &back),
                ("reason", "It is advertising"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert!(reader
        .follow(&res)
        .await
        .html
        .contains("moderators will look at it"));

    // Not for participants.
    assert_eq!(
        app.get("/api/v1/moderation/queue", Some(&participant))
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    let (_, moderator) = app.user_with_roles("Mod", &["moderator"]).await;
    let email = app.get("/api/v1/me", Some(&moderator)).await.body["user"]["email"]
        .as_str()
        .unwrap()
        .to_owned();
    let web = WebClient::new(&app.base);
    web.sign_in(&email, PASSWORD).await;
    let queue = web.get("/moderation").await;
    assert_eq!(queue.status, StatusCode::OK);
    assert!(
        queue.html.contains("Buy cheap watches") && queue.html.contains("flagged by Flagger B"),
        "{}",
        queue.html
    );
    let csrf = queue.hidden("csrf").unwrap();

    // A reason is required: the page says so, nothing changes.
    let (spam, fair) = (posted[0].to_string(), posted[1].to_string());
    let res = web
        .post(
            "/moderation",
            &[
                ("csrf", &csrf),
                ("comment", &spam),
                ("action", "hide"),
                ("reason", ""),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.html.contains("There is a problem"));

    let res = web
        .post(
            "/moderation",
            &[
                ("csrf", &csrf),
                ("comment", &spam),
                ("action", "hide"),
                ("reason", "Advertising"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.html);
    let res = web
        .post(
            "/moderation",
            &[
                ("csrf", &csrf),
                ("comment", &fair),
                ("action", "keep"),
                ("reason", "Criticism is welcome"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.html);
    let after = web.follow(&res).await;
    assert!(after.html.contains("Nothing is waiting"), "{}", after.html);

    // The spam is hidden from the public, the criticism stays, both decisions are logged.
    let list = app
        .get(&format!("/api/v1/consultations/{id}/comments"), None)
        .await;
    let ids: Vec<i64> = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![posted[1]]);
    let queue = app.get("/api/v1/moderation/queue", Some(&moderator)).await;
    assert_eq!(queue.body["items"], json!([]));
    let log = app
        .get(&format!("/api/v1/consultations/{id}/moderation-log"), None)
        .await;
    assert!(
        log.text.contains("Advertising") && log.text.contains("Criticism is welcome"),
        "{}",
        log.text
    );
    // Keeping twice: nothing left to resolve.
    let again = app
        .post(
            &format!("/api/v1/comments/{}/keep", posted[1]),
            Some(&moderator),
            &json!({"reason": "again"}),
        )
        .await;
    assert_eq!(again.code(), "already_in_state");
    app.stop().await;
}

async fn a_revision_is_drafted_by_form_with_the_inputs_that_informed_it(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, organizer) = app.user_with_roles("Organiser", &["organizer"]).await;
    let id = open_consultation(&app, &organizer).await;
    let detail = app.get(&format!("/api/v1/consultations/{id}"), None).await;
    let slug = detail.body["slug"].as_str().unwrap().to_owned();
    let paragraphs = detail.body["version"]["paragraphs"]
        .as_array()
        .unwrap()
        .clone();
    let (_, author) = app.member("Author", &[], "civil_society", "KE", None).await;
    let key0 = paragraphs[0]["key"].as_str().unwrap();
    let res = app
        .post(
            &format!("/api/v1/consultations/{id}/comments"),
            Some(&author),
            &json!({"body": "Say affordable, not cheap.", "paragraph_key": key0}),
        )
        .await;
    let input = res.body["id"].as_i64().unwrap();

    // Participants may not draft.
    let (_, reader) = app.member("Reader", &[], "academia", "FR", None).await;
    let reader_email = app.get("/api/v1/me", Some(&reader)).await.body["user"]["email"]
        .as_str()
        .unwrap()
        .to_owned();
    let outsider = WebClient::new(&app.base);
    outsider.sign_in(&reader_email, PASSWORD).await;
    assert_eq!(
        outsider
            .get(&format!("/consultations/{slug}/revise"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    let email = app.get("/api/v1/me", Some(&organizer)).await.body["user"]["email"]
        .as_str()
        .unwrap()
        .to_owned();
    let web = WebClient::new(&app.base);
    web.sign_in(&email, PASSWORD).await;
    let editor = web.get(&format!("/consultations/{slug}/revise")).await;
    assert_eq!(editor.status, StatusCode::OK);
    assert!(
        editor
            .html
            .contains(&format!("name=\"informed-0\" value=\"{input}\"")),
        "the input is offered beside its paragraph"
    );
    let csrf = editor.hidden("csrf").unwrap();
    let count = editor.hidden("count").unwrap();

    let mut fields: Vec<(String, String)> = vec![
        ("csrf".into(), csrf),
        ("count".into(), count),
        ("label".into(), "rev1".into()),
        ("from".into(), "v1".into()),
    ];
    for (i, p) in paragraphs.iter().enumerate() {
        let text = p["text"].as_str().unwrap();
        let text = if i == 0 {
            format!("{text} Access must be affordable.")
        } else {
            text.to_owned()
        };
        fields.push((format!("key-{i}"), p["key"].as_str().unwrap().to_owned()));
        fields.push((
            format!("number-{i}"),
            p["number"].as_str().unwrap().to_owned(),
        ));
        fields.push((format!("text-{i}"), text));
    }
    fields.push(("informed-0".into(), input.to_string()));
    let form: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let res = web
        .post(&format!("/consultations/{slug}/revise"), &form)
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.html);
    let diff = web.follow(&res).await;
    assert!(diff.html.contains("The new version is published"));
    assert!(diff.html.contains("<ins>"), "{}", diff.html);
    assert!(diff.html.contains(&format!("href=\"/comments/{input}\"")));

    // The same label again: refused on the page, the text typed kept.
    let again = web
        .post(&format!("/consultations/{slug}/revise"), &form)
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(
        again.html.contains("There is a problem")
            && again.html.contains("Access must be affordable.")
    );

    // The public sees what happened to the input, and its own address leads to it.
    let thread = WebClient::new(&app.base)
        .get(&format!("/consultations/{slug}?paragraph={key0}"))
        .await;
    assert!(
        thread.html.contains("It informed paragraph 1 of rev1."),
        "{}",
        thread.html
    );
    let list = app
        .get(&format!("/api/v1/consultations/{id}/comments"), None)
        .await;
    assert_eq!(
        list.body["items"][0]["outcome"]["informed"],
        json!([{"version": "rev1", "number": "1"}])
    );
    let go = WebClient::new(&app.base)
        .get(&format!("/comments/{input}"))
        .await;
    assert_eq!(go.status, StatusCode::SEE_OTHER);
    assert!(go
        .header("location")
        .unwrap()
        .ends_with(&format!("#c-{input}")));
    app.stop().await;
}

async fn a_comment_on_a_paragraph_removed_meanwhile_keeps_its_text(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, organizer) = app.user_with_roles("Organiser", &["organizer"]).await;
    let id = open_consultation(&app, &organizer).await;
    let (slug, key) = paragraph_of(&app, id).await;
    let (email, _, _) = app.verified_user("Ana").await;
    let web = WebClient::new(&app.base);
    web.sign_in(&email, PASSWORD).await;
    let thread = web
        .get(&format!("/consultations/{slug}?paragraph={key}"))
        .await;
    let csrf = thread.hidden("csrf").unwrap();

    // Meanwhile a new version drops that paragraph.
    let detail = app.get(&format!("/api/v1/consultations/{id}"), None).await;
    let rest: Vec<serde_json::Value> = detail.body["version"]["paragraphs"].as_array().unwrap()
        [1..]
        .iter()
        .map(|p| json!({"key": p["key"], "number": p["number"], "text": p["text"]}))
        .collect();
    let res = app
        .post(
            &format!("/api/v1/consultations/{id}/versions"),
            Some(&organizer),
            &json!({"label": "v2", "paragraphs": rest}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);

    let typed = "A thought that took twenty minutes to write.";
    let res = web
        .post(
            &format!("/consultations/{slug}/comments"),
            &[("csrf", &csrf), ("paragraph_key", &key), ("body", typed)],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.html);
    assert!(res.html.contains(typed), "the text comes back");
    assert!(
        res.html.contains("General comments on the whole text"),
        "{}",
        res.html
    );
    app.stop().await;
}

async fn notifications_are_read_and_set_by_forms(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, organizer) = app.user_with_roles("Organiser", &["organizer"]).await;
    let id = open_consultation(&app, &organizer).await;
    let (_, key) = paragraph_of(&app, id).await;
    let (email, ana, _) = app.verified_user("Ana").await;
    let (_, bo) = app.member("Bo", &[], "academia", "FR", None).await;
    let res = app
        .post(
            &format!("/api/v1/consultations/{id}/comments"),
            Some(&ana),
            &json!({"body": "First thought.", "paragraph_key": key}),
        )
        .await;
    let parent = res.body["id"].as_i64().unwrap();
    let res = app
        .post(
            &format!("/api/v1/consultations/{id}/comments"),
            Some(&bo),
            &json!({"body": "A reply to Ana.", "parent_id": parent}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);

    let web = WebClient::new(&app.base);
    web.sign_in(&email, PASSWORD).await;
    let page = web.get("/me/notifications").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.html.contains("A reply to Ana."), "{}", page.html);
    assert!(page.html.contains("<strong>New</strong>"));
    // The header counts what is unread, on every page, without script.
    let home = web.get("/").await;
    assert!(
        home.html
            .contains("id=\"notif-unread-count\">1<span class=\"visually-hidden\"> New</span>"),
        "{}",
        home.html
    );
    let csrf = page.hidden("csrf").unwrap();
    let res = web
        .post("/me/notifications", &[("csrf", &csrf), ("action", "read")])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let after = web.follow(&res).await;
    assert!(!after.html.contains("<strong>New</strong>"));
    assert!(!after.html.contains("notif-unread-count"));

    // Settings: a bad time zone is named beside its field and nothing is saved.
    let bad = web
        .post(
            "/me/notifications",
            &[
                ("csrf", &csrf),
                ("action", "settings"),
                ("reply", "off"),
                ("timezone", "Mars/Olympus"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.html.contains("id=\"timezone-error\""), "{}", bad.html);
    let settings = app
        .get("/api/v1/me/notification-settings", Some(&ana))
        .await;
    assert_eq!(settings.body["kinds"]["reply"], "immediate");
    let ok = web
        .post(
            "/me/notifications",
            &[
                ("csrf", &csrf),
                ("action", "settings"),
                ("reply", "off"),
                ("review", "weekly"),
                ("timezone", "Africa/Nairobi"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.html);
    let settings = app
        .get("/api/v1/me/notification-settings", Some(&ana))
        .await;
    assert_eq!(settings.body["kinds"]["reply"], "off");
    assert_eq!(settings.body["kinds"]["review"], "weekly");
    assert_eq!(settings.body["timezone"], "Africa/Nairobi");
    app.stop().await;
}

async fn a_session_is_proposed_by_form_during_the_call(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, organizer) = app.user_with_roles("Organiser", &["organizer"]).await;
    let res = app
        .post("/api/v1/events", Some(&organizer), &json!({"slug": "nigf", "name": "Kenya IGF", "venue": "Nairobi", "timezone": "Africa/Nairobi", "starts_on": "2026-07-01", "ends_on": "2026-07-02", "subthemes": ["Access", "Trust"]}))
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let (email, _, _) = app.verified_user("Wanjiru").await;
    let web = WebClient::new(&app.base);
    web.sign_in(&email, PASSWORD).await;
    assert_eq!(
        web.get("/events/nigf/propose").await.status,
        StatusCode::NOT_FOUND,
        "unpublished"
    );
    let published = app
        .send(
            awc::http::Method::PATCH,
            "/api/v1/events/nigf",
            Some(&organizer),
            &json!({"published": true}),
        )
        .await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.text);
    let page = web.get("/events/nigf/propose").await;
    assert!(
        page.html.contains("not open now"),
        "closed until the organisers open it"
    );
    let res = app
        .send(awc::http::Method::PATCH, "/api/v1/events/nigf", Some(&organizer), &json!({"published": true, "call_opens_at": "2020-01-01T00:00:00Z", "call_closes_at": "2999-01-01T00:00:00Z"}))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert!(web
        .get("/events/nigf/agenda")
        .await
        .html
        .contains("href=\"/events/nigf/propose\""));
    let page = web.get("/events/nigf/propose").await;
    let csrf = page.hidden("csrf").unwrap();
    let mut fields = vec![
        ("csrf", csrf.as_str()),
        ("title", "Community networks in rural Kenya"),
        ("type", "workshop"),
        ("subtheme", "Access"),
        ("format", "hybrid"),
        ("description", "How villages build their own networks."),
        ("policy_questions", "Who pays?\nWho maintains?"),
        ("moderator_name", "Mona"),
        ("rapporteur_name", "Rita"),
        ("speaker-0-name", "Ana"),
        ("speaker-0-organization", "Rede"),
        ("speaker-0-stakeholder_group", "civil_society"),
        ("speaker-0-country", "BR"),
        ("speaker-0-gender", "female"),
        ("speaker-2-name", "Kofi"),
        ("speaker-2-organization", "Ministry"),
        ("speaker-2-stakeholder_group", "government"),
        ("speaker-2-country", "ZZ"),
    ];
    // A bad country on the third row: named beside that row's field, everything kept.
    let bad = web.post("/events/nigf/propose", &fields).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.html);
    assert!(
        bad.html.contains("id=\"speaker-2-country-error\""),
        "{}",
        bad.html
    );
    assert!(
        bad.html
            .contains("value=\"Community networks in rural Kenya\"")
            && bad.html.contains("Who maintains?")
    );
    let last = fields.len() - 1;
    fields[last] = ("speaker-2-country", "GH");
    let ok = web.post("/events/nigf/propose", &fields).await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.html);
    let listed = app
        .get("/api/v1/events/nigf/proposals", Some(&organizer))
        .await;
    let p = &listed.body["items"][0];
    assert_eq!(p["title"], "Community networks in rural Kenya");
    assert_eq!(
        p["policy_questions"],
        json!(["Who pays?", "Who maintains?"])
    );
    assert_eq!(p["speakers"].as_array().map(Vec::len), Some(2));
    app.stop().await;
}

/// Follow and stop following a consultation and a paragraph, endorse and withdraw, and
/// see one's own anonymous input marked as such: all by forms, without script.
async fn follows_endorsements_and_own_anonymous_inputs_by_forms(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, organizer) = app.user_with_roles("Organiser", &["organizer"]).await;
    let id = open_consultation(&app, &organizer).await;
    let (slug, key) = paragraph_of(&app, id).await;
    let detail = app.get(&format!("/api/v1/consultations/{id}"), None).await;
    let paragraph_id = detail.body["version"]["paragraphs"][0]["id"]
        .as_i64()
        .unwrap();
    let (email, ana, _) = app.verified_user("Ana").await;
    let (bo_email, bo, _) = app.verified_user("Bo").await;
    let post = |token: String, body: serde_json::Value| {
        let app = &app;
        async move {
            let res = app
                .post(
                    &format!("/api/v1/consultations/{id}/comments"),
                    Some(&token),
                    &body,
                )
                .await;
            assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
            res.body["id"].as_i64().unwrap()
        }
    };
    let bos = post(
        bo.clone(),
        json!({"body": "Bo on access.", "paragraph_key": key}),
    )
    .await;
    let anas = post(
        ana.clone(),
        json!({"body": "Ana, anonymously.", "paragraph_key": key, "anonymous": true}),
    )
    .await;

    let web = WebClient::new(&app.base);
    web.sign_in(&email, PASSWORD).await;
    let here = format!("/consultations/{slug}?paragraph={key}");
    let page = web.get(&here).await;
    assert_eq!(page.status, StatusCode::OK);
    let csrf = page.hidden("csrf").unwrap();
    // Her own anonymous input says so, and how others see it; Bo's page does not.
    assert!(
        page.html
            .contains("You posted this anonymously: others see “Anonymous”"),
        "{}",
        page.html
    );
    let other = WebClient::new(&app.base);
    other.sign_in(&bo_email, PASSWORD).await;
    let seen = other.get(&here).await;
    assert!(!seen.html.contains("You posted this anonymously"));
    assert!(!seen.html.contains(">Ana<"), "{}", seen.html);
    assert!(seen.html.contains(&format!("id=\"c-{anas}\"")));

    // Following: the paragraph, twice (nothing doubles), then no more.
    let pid = paragraph_id.to_string();
    let follow = |action: &'static str, target_type: &'static str, target_id: String| {
        let (web, csrf, here) = (&web, csrf.clone(), here.clone());
        async move {
            web.post(
                "/follow",
                &[
                    ("csrf", csrf.as_str()),
                    ("target_type", target_type),
                    ("target_id", target_id.as_str()),
                    ("back", here.as_str()),
                    ("action", action),
                ],
            )
            .await
        }
    };
    let follows = || {
        let (app, ana) = (&app, ana.clone());
        async move {
            app.get("/api/v1/me/follows", Some(&ana)).await.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| {
                    (
                        f["target_type"].as_str().unwrap().to_owned(),
                        f["paragraph_key"].clone(),
                    )
                })
                .collect::<Vec<_>>()
        }
    };
    let before = follows().await;
    assert!(page.html.contains("value=\"paragraph\""));
    for _ in 0..2 {
        let res = follow("follow", "paragraph", pid.clone()).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.html);
        assert_eq!(res.header("location"), Some(here.as_str()));
    }
    let after = follows().await;
    assert_eq!(after.len(), before.len() + 1, "{after:?}");
    assert!(after.contains(&("paragraph".to_owned(), json!(key))));
    let page = web.get(&here).await;
    assert!(page.html.contains("You follow it now"), "{}", page.html);
    assert!(page.html.contains("Stop following"));
    let res = follow("unfollow", "paragraph", pid.clone()).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(follows().await, before);
    // The consultation, from its page.
    let res = follow("follow", "consultation", id.to_string()).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert!(follows()
        .await
        .contains(&("consultation".to_owned(), serde_json::Value::Null)));
    // Bad input: an unknown kind changes nothing; an unknown paragraph is the 404 page.
    let n = follows().await.len();
    let res = follow("follow", "spaceship", pid.clone()).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let res = follow("follow", "paragraph", "999999".into()).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{}", res.html);
    assert_eq!(follows().await.len(), n);

    // Endorsing shows that she did, and lets her withdraw.
    let endorse = |action: &'static str| {
        let (web, csrf, here) = (&web, csrf.clone(), here.clone());
        async move {
            web.post(
                &format!("/comments/{bos}/endorse"),
                &[
                    ("csrf", csrf.as_str()),
                    ("back", here.as_str()),
                    ("action", action),
                ],
            )
            .await
        }
    };
    let count = || {
        let app = &app;
        async move {
            let list = app
                .get(&format!("/api/v1/consultations/{id}/comments"), None)
                .await;
            list.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["id"] == bos)
                .unwrap()["endorsement_count"]
                .as_i64()
                .unwrap()
        }
    };
    for _ in 0..2 {
        assert_eq!(endorse("endorse").await.status, StatusCode::SEE_OTHER);
    }
    assert_eq!(count().await, 1);
    let page = web.get(&here).await;
    assert!(page.html.contains("Withdraw endorsement"), "{}", page.html);
    assert!(page.html.contains("1 endorsement"), "{}", page.html);
    assert_eq!(endorse("withdraw").await.status, StatusCode::SEE_OTHER);
    assert_eq!(count().await, 0);
    let page = web.get(&here).await;
    assert!(!page.html.contains("Withdraw endorsement"));

    // Threads in the order asked for: oldest first by default, newest first, or most
    // endorsed first.
    let position = |html: &str, id: i64| html.find(&format!("id=\"c-{id}\"")).unwrap();
    assert!(page.html.contains("<select id=\"sort\" name=\"sort\">"));
    assert!(position(&page.html, bos) < position(&page.html, anas));
    let newest = web.get(&format!("{here}&sort=new")).await;
    assert!(position(&newest.html, anas) < position(&newest.html, bos));
    assert!(newest.html.contains("<option value=\"new\" selected>"));
    let other = app.verified_user("Cy").await.1;
    let res = app
        .post(
            &format!("/api/v1/comments/{anas}/endorsement"),
            Some(&other),
            &json!({}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let top = web.get(&format!("{here}&sort=top")).await;
    assert!(position(&top.html, anas) < position(&top.html, bos));
    let unknown = web.get(&format!("{here}&sort=sideways")).await;
    assert_eq!(unknown.status, StatusCode::OK);
    assert!(position(&unknown.html, bos) < position(&unknown.html, anas));

    // The language of a comment: chosen on the form, else recognised among the UN
    // languages and the author's own (short English is English, never Latin).
    let page = web.get(&here).await;
    assert!(page
        .html
        .contains("<select id=\"language\" name=\"language\">"));
    assert!(page
        .html
        .contains("<a href=\"#form-h\">Go to the comment form</a>"));
    for (body, chosen, expected) in [
        ("Add explicit affordability target.", "", "en"),
        ("Add explicit affordability target, please.", "fr", "fr"),
    ] {
        let res = web
            .post(
                &format!("/consultations/{slug}/comments"),
                &[
                    ("csrf", csrf.as_str()),
                    ("paragraph_key", key.as_str()),
                    ("kind", "comment"),
                    ("body", body),
                    ("language", chosen),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.html);
        let list = app
            .get(&format!("/api/v1/consultations/{id}/comments"), None)
            .await;
        let posted = list.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["body"] == body)
            .unwrap()
            .clone();
        assert_eq!(posted["language"], expected, "{body}");
    }
    app.stop().await;
}

/// Moderators hide and restore any comment from its thread (not only flagged ones); the
/// moderation log is a page everyone can read, with reasons and no moderator's name.
async fn moderators_act_from_the_thread_and_the_log_is_public(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, organizer) = app.user_with_roles("Organiser", &["organizer"]).await;
    let id = open_consultation(&app, &organizer).await;
    let (slug, key) = paragraph_of(&app, id).await;
    let (_, ana, _) = app.verified_user("Ana").await;
    let res = app
        .post(
            &format!("/api/v1/consultations/{id}/comments"),
            Some(&ana),
            &json!({"body": "Off-topic words here.", "paragraph_key": key}),
        )
        .await;
    let comment = res.body["id"].as_i64().unwrap();
    let moderator = app
        .account("Mo Derator", &["moderator"], "academia", "FR", None, None)
        .await;
    let here = format!("/consultations/{slug}?paragraph={key}");

    // Participants see no moderation form; the log is linked from the consultation.
    let visitor = WebClient::new(&app.base);
    let page = visitor.get(&here).await;
    assert!(!page.html.contains("action=\"/moderation\""));
    assert!(page
        .html
        .contains(&format!("/consultations/{slug}/moderation-log")));
    let log = visitor
        .get(&format!("/consultations/{slug}/moderation-log"))
        .await;
    assert_eq!(log.status, StatusCode::OK);
    assert!(
        log.html.contains("No comment has been moderated."),
        "{}",
        log.html
    );

    let web = WebClient::new(&app.base);
    web.sign_in(&moderator.email, PASSWORD).await;
    let page = web.get(&here).await;
    assert!(
        page.html.contains("action=\"/moderation\""),
        "{}",
        page.html
    );
    let csrf = page.hidden("csrf").unwrap();
    let act = |action: &'static str, reason: &'static str| {
        let (web, csrf, here) = (&web, csrf.clone(), here.clone());
        async move {
            web.post(
                "/moderation",
                &[
                    ("csrf", csrf.as_str()),
                    ("comment", comment.to_string().as_str()),
                    ("back", here.as_str()),
                    ("action", action),
                    ("reason", reason),
                ],
            )
            .await
        }
    };
    let res = act("hide", "Rule 3: stay on the paragraph").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.html);
    assert_eq!(
        res.header("location"),
        Some(format!("{here}#c-{comment}").as_str())
    );
    let public = visitor.get(&here).await;
    assert!(!public.html.contains("Off-topic words here."));
    // Its place in the thread says it was hidden, why, and where the log has it.
    assert!(
        public
            .html
            .contains("Hidden by a moderator: Rule 3: stay on the paragraph"),
        "{}",
        public.html
    );
    assert!(public.html.contains(&format!("id=\"c-{comment}\"")));
    assert!(public
        .html
        .contains(&format!("/consultations/{slug}/moderation-log?entry=")));
    // The moderator sees it hidden, and can restore it.
    let page = web.get(&here).await;
    assert!(page.html.contains("Off-topic words here."));
    assert!(page.html.contains("value=\"restore\""), "{}", page.html);
    let log = visitor
        .get(&format!("/consultations/{slug}/moderation-log"))
        .await;
    assert!(log.html.contains("Hidden"), "{}", log.html);
    let anchor = public
        .html
        .split(&format!("/consultations/{slug}/moderation-log?entry="))
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    let (entry, fragment) = anchor.split_once('#').unwrap();
    assert_eq!(fragment, format!("m-{entry}"));
    let at = visitor
        .get(&format!(
            "/consultations/{slug}/moderation-log?entry={entry}"
        ))
        .await;
    assert!(
        at.html.contains(&format!("id=\"m-{entry}\"")),
        "{}",
        at.html
    );
    assert!(log.html.contains("Rule 3: stay on the paragraph"));
    assert!(log.html.contains(&format!("href=\"/comments/{comment}\"")));
    assert!(!log.html.contains("Mo Derator"));
    assert_eq!(
        act("restore", "Appeal upheld").await.status,
        StatusCode::SEE_OTHER
    );
    assert!(visitor
        .get(&here)
        .await
        .html
        .contains("Off-topic words here."));
    let log = visitor
        .get(&format!("/consultations/{slug}/moderation-log"))
        .await;
    assert!(log.html.contains("Restored") && log.html.contains("Appeal upheld"));
    // A reason is required; an unknown consultation's log is the 404 page.
    let res = act("hide", "").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.html);
    assert!(visitor
        .get(&here)
        .await
        .html
        .contains("Off-topic words here."));
    let missing = visitor
        .get("/consultations/no-such-thing/moderation-log")
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    app.stop().await;
}
