//! Accounts over real HTTP, on SQLite and PostgreSQL.

use awc::http::{Method, StatusCode};
use indaba_tests::*;
use serde_json::json;

both_backends!(
    register_verify_and_login,
    registration_rejects_bad_input_and_stores_nothing,
    duplicate_email_is_409,
    wrong_password_and_unknown_email_answer_alike,
    wrong_passwords_from_elsewhere_never_lock_the_owner_out,
    weak_passwords_are_refused_with_the_reason,
    changing_the_password_signs_out_every_other_session,
    erasure_asks_for_the_password_again,
    a_session_ends_at_its_absolute_lifetime,
    registrations_from_one_address_are_rate_limited,
    refresh_rotates_and_reuse_revokes_the_family,
    logout_revokes_the_refresh_token,
    forged_expired_and_wrong_algorithm_tokens_are_401,
    password_reset_is_single_use_and_revokes_sessions,
    expired_reset_token_is_refused,
    profile_update_validates_everything,
    export_holds_what_we_know,
    erasure_removes_personal_data,
    admin_grants_roles_with_least_privilege,
    admins_read_the_audit_log_newest_first,
    auth_endpoints_ignore_a_stale_access_token,
    bad_input_is_named_and_changes_nothing,
    personal_data_is_never_cached_and_every_endpoint_is_typed,
);

async fn register_verify_and_login(backend: Backend) {
    let app = spawn_app(backend).await;
    let (email, res) = app
        .register("Ana", json!({"country": "br", "gender": "female", "preferred_language": "pt-br", "organization": "Rede"}))
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let user = &res.body["user"];
    assert_eq!(user["email"], email.as_str());
    assert_eq!(user["country"], "BR");
    assert_eq!(user["region"], "latin_american_caribbean");
    assert_eq!(user["stakeholder_group"], "civil_society");
    assert_eq!(user["preferred_language"], "pt-BR");
    assert_eq!(user["email_verified"], false);
    assert_eq!(user["roles"], json!(["participant"]));
    assert!(user["created_at"].as_str().unwrap().ends_with('Z'));
    assert!(res.body["user"].get("password_hash").is_none());

    // Unverified accounts may sign in (to read); the token says so.
    let res = app.login(&email, PASSWORD).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.body["token_type"], "Bearer");
    assert_eq!(res.body["expires_in"], 900);
    assert_eq!(res.body["user"]["email_verified"], false);

    let token = app.link_token(&email, "/verify?token=").await;
    let mail = app.mails_to(&email).pop().unwrap();
    assert!(mail
        .text
        .contains(&format!("{}/verify?token={token}", app.base)));
    let res = app
        .post("/api/v1/auth/verify", None, &json!({"token": token}))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["user"]["email_verified"], true);
    // The link works once.
    let res = app
        .post("/api/v1/auth/verify", None, &json!({"token": token}))
        .await;
    assert_eq!(
        (res.status, res.code()),
        (StatusCode::BAD_REQUEST, "invalid_token")
    );

    let res = app.login(&email.to_uppercase(), PASSWORD).await;
    assert_eq!(res.status, StatusCode::OK);
    let access = token_of(&res, "access_token");
    let me = app.get("/api/v1/me", Some(&access)).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["user"]["email_verified"], true);
    assert_eq!(me.body["user"]["organization"], "Rede");
}

async fn registration_rejects_bad_input_and_stores_nothing(backend: Backend) {
    // Many bad requests from one address would trip the registration limit.
    let app = spawn_app_with(backend, Options::new().with("INDABA_RATE_LIMITS", "off")).await;
    let good = json!({
        "email": "bad-input@example.org", "password": PASSWORD, "display_name": "B",
        "stakeholder_group": "academia", "country": "FR",
    });
    let with = |key: &str, value: serde_json::Value| {
        let mut b = good.clone();
        b[key] = value;
        b
    };
    let without = |key: &str| {
        let mut b = good.clone();
        b.as_object_mut().unwrap().remove(key);
        b
    };
    let cases: Vec<(serde_json::Value, &str)> = vec![
        (with("email", json!(5)), "email"),
        (without("password"), "password"),
        (with("email", json!("not-an-email")), "email"),
        (with("password", json!("short")), "password"),
        (with("password", json!("bad-input@example.org")), "password"),
        (with("display_name", json!("x".repeat(101))), "display_name"),
        (with("display_name", json!("   ")), "display_name"),
        (with("organization", json!("o".repeat(201))), "organization"),
        (
            with("stakeholder_group", json!("lobbyists")),
            "stakeholder_group",
        ),
        (with("country", json!("XX")), "country"),
        (with("country", json!("KEN")), "country"),
        (with("gender", json!("unknown-value")), "gender"),
        (
            with("preferred_language", json!("english!!")),
            "preferred_language",
        ),
        (with("unexpected", json!(1)), "unexpected"),
    ];
    for (body, field) in cases {
        let res = app.post("/api/v1/auth/register", None, &body).await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {}",
            res.text
        );
        assert_eq!(res.code(), "validation_failed");
        assert!(
            res.field(field).is_some(),
            "{field} not named in {}",
            res.text
        );
    }
    // Several problems are reported together.
    let res = app
        .post(
            "/api/v1/auth/register",
            None,
            &json!({"email": "x", "password": "y", "display_name": "", "stakeholder_group": "z"}),
        )
        .await;
    for field in ["email", "password", "display_name", "stakeholder_group"] {
        assert!(res.field(field).is_some(), "{field}: {}", res.text);
    }

    let res = app
        .raw(
            Method::POST,
            "/api/v1/auth/register",
            None,
            Some(("application/json", "{\"email\": ")),
        )
        .await;
    assert_eq!(
        (res.status, res.code()),
        (StatusCode::BAD_REQUEST, "malformed_json")
    );
    let res = app
        .raw(
            Method::POST,
            "/api/v1/auth/register",
            None,
            Some(("application/json", "")),
        )
        .await;
    assert_eq!(
        (res.status, res.code()),
        (StatusCode::BAD_REQUEST, "malformed_json")
    );
    let res = app
        .raw(
            Method::POST,
            "/api/v1/auth/register",
            None,
            Some(("text/plain", "hello")),
        )
        .await;
    assert_eq!(
        (res.status, res.code()),
        (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
    );
    let huge = with("display_name", json!("x".repeat(100_000))).to_string();
    let res = app
        .raw(
            Method::POST,
            "/api/v1/auth/register",
            None,
            Some(("application/json", &huge)),
        )
        .await;
    assert_eq!(
        (res.status, res.code()),
        (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large")
    );

    // Nothing was stored: the address is still free, and no mail went out.
    assert!(app.mails_to("bad-input@example.org").is_empty());
    let res = app.post("/api/v1/auth/register", None, &good).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
}

async fn duplicate_email_is_409(backend: Backend) {
    let app = spawn_app(backend).await;
    let (email, res) = app.register("Dup", json!({})).await;
    assert_eq!(res.status, StatusCode::CREATED);
    let res = app
        .post(
            "/api/v1/auth/register",
            None,
            &json!({"email": email.to_uppercase(), "password": PASSWORD, "display_name": "Other", "stakeholder_group": "government"}),
        )
        .await;
    assert_eq!(
        (res.status, res.code()),
        (StatusCode::CONFLICT, "email_taken")
    );
    // The first account is untouched.
    assert_eq!(
        app.login(&email, PASSWORD).await.body["user"]["display_name"],
        "Dup"
    );
}

async fn wrong_password_and_unknown_email_answer_alike(backend: Backend) {
    let app = spawn_app(backend).await;
    let (email, _) = app.register("Alike", json!({})).await;
    let wrong = app.login(&email, "not the right password").await;
    let unknown = app
        .login("nobody-here@example.org", "not the right password")
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.text, unknown.text);
    assert_eq!(wrong.code(), "invalid_credentials");
    // …in about the same time: an unknown address is checked against a dummy hash (the
    // fastest of four tries each, so a busy machine does not blur it).
    let mut took = Vec::new();
    for who in [email.as_str(), "nobody-here@example.org"] {
        let mut fastest = std::time::Duration::MAX;
        for _ in 0..4 {
            let start = std::time::Instant::now();
            let res = app.login(who, "not the right password").await;
            fastest = fastest.min(start.elapsed());
            assert_eq!(res.code(), "invalid_credentials", "{}", res.text);
        }
        took.push(fastest);
    }
    assert!(took[1] * 4 >= took[0] && took[0] * 4 >= took[1], "{took:?}");
    // Password reset answers alike too.
    let a = app
        .post(
            "/api/v1/auth/password-reset",
            None,
            &json!({"email": email}),
        )
        .await;
    let b = app
        .post(
            "/api/v1/auth/password-reset",
            None,
            &json!({"email": "nobody-here@example.org"}),
        )
        .await;
    assert_eq!((a.status, a.text), (StatusCode::ACCEPTED, b.text));
}

/// A sign-in from a client address (the server trusts the proxy's `X-Forwarded-For`).
async fn login_from(app: &TestApp, ip: &str, email: &str, password: &str) -> Response {
    let mut res = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .insert_header(("x-forwarded-for", ip))
        .send_json(&json!({"email": email, "password": password}))
        .await
        .expect("login");
    Response::read(&mut res).await
}

async fn wrong_passwords_from_elsewhere_never_lock_the_owner_out(backend: Backend) {
    let app = spawn_app_with(backend, Options::new().with("INDABA_TRUST_PROXY", "on")).await;
    let (email, _) = app.register("Brute", json!({})).await;
    let attacker = "203.0.113.5";
    for _ in 0..5 {
        let res = login_from(&app, attacker, &email, "guess guess guess").await;
        assert_eq!(res.code(), "invalid_credentials", "{}", res.text);
    }
    // The guesser now waits, even with the right password…
    let res = login_from(&app, attacker, &email, PASSWORD).await;
    assert_eq!(
        (res.status, res.code()),
        (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts"),
        "{}",
        res.text
    );
    let retry: u64 = res.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=16).contains(&retry), "{retry}");
    // …but the owner, from their own address, is not locked out…
    let res = login_from(&app, "198.51.100.7", &email, PASSWORD).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    // …nor is another account from the guesser's address.
    let (other, _) = app.register("Innocent", json!({})).await;
    assert_eq!(
        login_from(&app, attacker, &other, PASSWORD).await.status,
        StatusCode::OK
    );
    // An unknown address is slowed down alike: nothing tells it from a real account.
    let unknown = "nobody-at-all@example.org";
    for _ in 0..5 {
        let res = login_from(&app, attacker, unknown, "guess guess guess").await;
        assert_eq!(res.code(), "invalid_credentials");
    }
    let res = login_from(&app, attacker, unknown, "guess guess guess").await;
    assert_eq!(res.code(), "too_many_attempts");
    app.stop().await;
}

async fn weak_passwords_are_refused_with_the_reason(backend: Backend) {
    let app = spawn_app(backend).await;
    for (weak, why) in [
        ("password1234", "common password"),
        ("qwertyuiopasdf", "guess"),
        ("aaaaaaaaaaaaaaa", "repeats"),
    ] {
        let (email, res) = app.register("Weak", json!({"password": weak})).await;
        assert_eq!(
            (res.status, res.code()),
            (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"),
            "{weak}: {}",
            res.text
        );
        let message = res.field("password").unwrap_or_default();
        assert!(
            message.starts_with("is too easy to guess") && message.contains(why),
            "{weak}: {message}"
        );
        assert_eq!(app.login(&email, weak).await.code(), "invalid_credentials");
    }
    // Reset and change refuse them too.
    let (email, access, _) = app.verified_user("Strong").await;
    app.post(
        "/api/v1/auth/password-reset",
        None,
        &json!({"email": email}),
    )
    .await;
    let token = app.link_token(&email, "/reset-password?token=").await;
    let res = app
        .post(
            "/api/v1/auth/password-reset/confirm",
            None,
            &json!({"token": token, "new_password": "password1234"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    assert!(res
        .field("new_password")
        .unwrap()
        .contains("common password"));
    let res = app
        .post(
            "/api/v1/me/password",
            Some(&access),
            &json!({"current_password": PASSWORD, "new_password": "password1234"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    assert!(res
        .field("new_password")
        .unwrap()
        .contains("common password"));
    // Nothing was changed: the reset link still works with a strong password.
    let res = app
        .post(
            "/api/v1/auth/password-reset/confirm",
            None,
            &json!({"token": token, "new_password": "lantern quietly orbits marmalade"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT, "{}", res.text);
    app.stop().await;
}

async fn changing_the_password_signs_out_every_other_session(backend: Backend) {
    let app = spawn_app(backend).await;
    let (email, _, phone) = app.verified_user("Changer").await;
    let res = app.login(&email, PASSWORD).await;
    let (access, laptop) = (
        token_of(&res, "access_token"),
        token_of(&res, "refresh_token"),
    );
    let new_password = "lantern quietly orbits marmalade";
    let change = |current: &str| json!({"current_password": current, "new_password": new_password});

    // Signed-in only, the current password again, a body.
    let res = app
        .post("/api/v1/me/password", None, &change(PASSWORD))
        .await;
    assert_eq!(res.code(), "unauthenticated");
    let res = app
        .post(
            "/api/v1/me/password",
            Some(&access),
            &change("not my password at all"),
        )
        .await;
    assert_eq!(
        (res.status, res.code()),
        (StatusCode::FORBIDDEN, "wrong_password"),
        "{}",
        res.text
    );
    assert!(res.field("current_password").is_some(), "{}", res.text);
    let res = app
        .raw(Method::POST, "/api/v1/me/password", Some(&access), None)
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "{}", res.text);
    let res = app
        .post(
            "/api/v1/me/password",
            Some(&access),
            &json!({"current_password": PASSWORD, "new_password": email}),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    assert!(res.field("new_password").is_some());
    assert_eq!(app.login(&email, PASSWORD).await.status, StatusCode::OK);

    let res = app
        .post("/api/v1/me/password", Some(&access), &change(PASSWORD))
        .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT, "{}", res.text);
    // The other sessions are over; the caller's own goes on.
    let res = app
        .post(
            "/api/v1/auth/refresh",
            None,
            &json!({"refresh_token": phone}),
        )
        .await;
    assert_eq!(res.code(), "invalid_refresh_token", "{}", res.text);
    let res = app
        .post(
            "/api/v1/auth/refresh",
            None,
            &json!({"refresh_token": laptop}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(
        app.login(&email, PASSWORD).await.code(),
        "invalid_credentials"
    );
    assert_eq!(app.login(&email, new_password).await.status, StatusCode::OK);
    app.stop().await;
}

async fn erasure_asks_for_the_password_again(backend: Backend) {
    let app = spawn_app(backend).await;
    let (email, access, _) = app.verified_user("Careful").await;
    // Without the password (a stolen token, a forgotten tab): nothing is erased.
    let res = app
        .raw(Method::DELETE, "/api/v1/me", Some(&access), None)
        .await;
    assert_eq!(
        (res.status, res.code()),
        (StatusCode::BAD_REQUEST, "malformed_json"),
        "{}",
        res.text
    );
    let res = app
        .send(
            Method::DELETE,
            "/api/v1/me",
            Some(&access),
            &json!({"current_password": "not my password at all"}),
        )
        .await;
    assert_eq!(
        (res.status, res.code()),
        (StatusCode::FORBIDDEN, "wrong_password"),
        "{}",
        res.text
    );
    assert_eq!(
        app.get("/api/v1/me", Some(&access)).await.status,
        StatusCode::OK
    );
    assert_eq!(app.login(&email, PASSWORD).await.status, StatusCode::OK);
    let res = app
        .send(
            Method::DELETE,
            "/api/v1/me",
            Some(&access),
            &json!({"current_password": PASSWORD}),
        )
        .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT, "{}", res.text);
    assert_eq!(
        app.login(&email, PASSWORD).await.code(),
        "invalid_credentials"
    );
    app.stop().await;
}

async fn a_session_ends_at_its_absolute_lifetime(backend: Backend) {
    use diesel::prelude::*;
    use indaba::db::schema::refresh_tokens::dsl as rt;
    let app = spawn_app_with(
        backend,
        Options::new().with("INDABA_SESSION_MAX_DAYS", "40"),
    )
    .await;
    let (_, _, refresh) = app.verified_user("Long").await;
    // The session began 35 days ago and was refreshed every day since.
    let age = |days: i64| {
        let db = app.db();
        async move {
            db.run(move |conn| {
                let rows: Vec<(i64, chrono::NaiveDateTime)> = rt::refresh_tokens
                    .select((rt::id, rt::created_at))
                    .load(conn)?;
                for (row, created) in rows {
                    diesel::update(rt::refresh_tokens.filter(rt::id.eq(row)))
                        .set(rt::created_at.eq(created - chrono_days(days)))
                        .execute(conn)?;
                }
                Ok(())
            })
            .await
            .unwrap()
        }
    };
    age(35).await;
    let res = app
        .post(
            "/api/v1/auth/refresh",
            None,
            &json!({"refresh_token": refresh}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let refresh = token_of(&res, "refresh_token");
    // Its new token ends with the session, in 5 days, not in the sliding 30.
    let expiries: Vec<chrono::NaiveDateTime> = app
        .db()
        .run(|conn| {
            Ok(rt::refresh_tokens
                .filter(rt::used_at.is_null())
                .select(rt::expires_at)
                .load(conn)?)
        })
        .await
        .unwrap();
    let left = expiries[0] - chrono::Utc::now().naive_utc();
    assert!(left <= chrono_days(5) && left > chrono_days(4), "{left:?}");
    // Six days later the session is over, however fresh its last token.
    age(6).await;
    let res = app
        .post(
            "/api/v1/auth/refresh",
            None,
            &json!({"refresh_token": refresh}),
        )
        .await;
    assert_eq!(
        (res.status, res.code()),
        (StatusCode::UNAUTHORIZED, "invalid_refresh_token"),
        "{}",
        res.text
    );
    app.stop().await;
}

fn chrono_days(d: i64) -> chrono::Duration {
    chrono::Duration::days(d)
}

async fn registrations_from_one_address_are_rate_limited(backend: Backend) {
    let app = spawn_app(backend).await;
    // Invalid attempts count too: they cost the server as much.
    let bad = json!({"email": "x", "password": "y", "display_name": "z", "stakeholder_group": "w"});
    for _ in 0..30 {
        assert_eq!(
            app.post("/api/v1/auth/register", None, &bad).await.status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }
    let (_, res) = app.register("Late", json!({})).await;
    assert_eq!(
        (res.status, res.code()),
        (StatusCode::TOO_MANY_REQUESTS, "rate_limited")
    );
    assert!(res.header("retry-after").unwrap().parse::<u64>().unwrap() >= 1);
}

async fn refresh_rotates_and_reuse_revokes_the_family(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, _, first) = app.verified_user("Rot").await;
    let res = app
        .post(
            "/api/v1/auth/refresh",
            None,
            &json!({"refresh_token": first}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let second = token_of(&res, "refresh_token");
    assert_ne!(first, second);
    assert_eq!(
        app.get("/api/v1/me", Some(&token_of(&res, "access_token")))
            .await
            .status,
        StatusCode::OK
    );

    // The spent one comes back (stolen?): refused, and the whole family is revoked.
    let res = app
        .post(
            "/api/v1/auth/refresh",
            None,
            &json!({"refresh_token": first}),
        )
        .await;
    assert_eq!(
        (res.status, res.code()),
        (StatusCode::UNAUTHORIZED, "refresh_token_reused")
    );
    let res = app
        .post(
            "/api/v1/auth/refresh",
            None,
            &json!({"refresh_token": second}),
        )
        .await;
    assert_eq!(
        (res.status, res.code()),
        (StatusCode::UNAUTHORIZED, "invalid_refresh_token")
    );
    let res = app
        .post(
            "/api/v1/auth/refresh",
            None,
            &json!({"refresh_token": "made-up"}),
        )
        .await;
    assert_eq!(
        (res.status, res.code()),
        (StatusCode::UNAUTHORIZED, "invalid_refresh_token")
    );
    let res = app
        .post("/api/v1/auth/refresh", None, &json!({"refresh_token": 42}))
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn logout_revokes_the_refresh_token(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, access, refresh) = app.verified_user("Out").await;
    let res = app
        .post(
            "/api/v1/auth/logout",
            None,
            &json!({"refresh_token": refresh}),
        )
        .await;
    assert_eq!(
        (res.status, res.code()),
        (StatusCode::UNAUTHORIZED, "unauthenticated")
    );
    let res = app
        .post(
            "/api/v1/auth/logout",
            Some(&access),
            &json!({"refresh_token": refresh}),
        )
        .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT);
    let res = app
        .post(
            "/api/v1/auth/refresh",
            None,
            &json!({"refresh_token": refresh}),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
}

async fn forged_expired_and_wrong_algorithm_tokens_are_401(backend: Backend) {
    use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
    let app = spawn_app(backend).await;
    let (_, access, _) = app.verified_user("Jwt").await;
    let me = app.get("/api/v1/me", Some(&access)).await;
    let id = me.body["user"]["id"].as_i64().unwrap();

    // The server derives its JWT key from the configured secret this way.
    let key = indaba::crypto::sign(SECRET.as_bytes(), "indaba access tokens v1");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let claims = |exp: i64| json!({"sub": id.to_string(), "roles": ["admin"], "ev": true, "iat": now - 10, "exp": exp, "typ": "access"});
    let expired = encode(
        &Header::new(Algorithm::HS256),
        &claims(now - 5),
        &EncodingKey::from_secret(key.as_bytes()),
    )
    .unwrap();
    let wrong_alg = encode(
        &Header::new(Algorithm::HS512),
        &claims(now + 600),
        &EncodingKey::from_secret(key.as_bytes()),
    )
    .unwrap();
    let forged = encode(
        &Header::new(Algorithm::HS256),
        &claims(now + 600),
        &EncodingKey::from_secret(b"guessed"),
    )
    .unwrap();
    let mut tampered = access.clone();
    tampered.pop();
    tampered.push(if access.ends_with('A') { 'B' } else { 'A' });
    let none_alg = format!(
        "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{}.",
        base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            claims(now + 600).to_string()
        )
    );

    let res = app.get("/api/v1/me", Some(&expired)).await;
    assert_eq!(
        (res.status, res.code()),
        (StatusCode::UNAUTHORIZED, "access_token_expired")
    );
    for token in [wrong_alg, forged, tampered, none_alg, "garbage".to_owned()] {
        let res = app.get("/api/v1/me", Some(&token)).await;
        assert_eq!(
            (res.status, res.code()),
            (StatusCode::UNAUTHORIZED, "invalid_access_token"),
            "{token}"
        );
    }
    let res = app.raw(Method::GET, "/api/v1/me", None, None).await;
    assert_eq!(
        (res.status, res.code()),
        (StatusCode::UNAUTHORIZED, "unauthenticated")
    );
}

async fn password_reset_is_single_use_and_revokes_sessions(backend: Backend) {
    let app = spawn_app(backend).await;
    let (email, _, refresh) = app.verified_user("Reset").await;
    let res = app
        .post(
            "/api/v1/auth/password-reset",
            None,
            &json!({"email": email}),
        )
        .await;
    assert_eq!(res.status, StatusCode::ACCEPTED);
    let token = app.link_token(&email, "/reset-password?token=").await;

    let res = app
        .post(
            "/api/v1/auth/password-reset/confirm",
            None,
            &json!({"token": token, "new_password": "short"}),
        )
        .await;
    assert_eq!(
        (res.status, res.field("new_password").is_some()),
        (StatusCode::UNPROCESSABLE_ENTITY, true)
    );
    let new_password = "a brand new long password";
    let res = app
        .post(
            "/api/v1/auth/password-reset/confirm",
            None,
            &json!({"token": token, "new_password": new_password}),
        )
        .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT, "{}", res.text);

    let res = app
        .post(
            "/api/v1/auth/password-reset/confirm",
            None,
            &json!({"token": token, "new_password": "yet another long password"}),
        )
        .await;
    assert_eq!(
        (res.status, res.code()),
        (StatusCode::BAD_REQUEST, "invalid_token")
    );
    assert_eq!(
        app.post(
            "/api/v1/auth/refresh",
            None,
            &json!({"refresh_token": refresh})
        )
        .await
        .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login(&email, PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(app.login(&email, new_password).await.status, StatusCode::OK);
}

async fn expired_reset_token_is_refused(backend: Backend) {
    use diesel::RunQueryDsl;
    let app = spawn_app(backend).await;
    let (email, _, _) = app.verified_user("Late").await;
    app.post(
        "/api/v1/auth/password-reset",
        None,
        &json!({"email": email}),
    )
    .await;
    let token = app.link_token(&email, "/reset-password?token=").await;
    // Two hours pass.
    app.db()
        .run(|conn| {
            use diesel::ExpressionMethods;
            use indaba::db::schema::email_tokens::dsl::*;
            let past = indaba::db::now() - chrono_hours(2);
            diesel::update(email_tokens)
                .filter(purpose.eq("reset"))
                .set(expires_at.eq(past))
                .execute(conn)?;
            Ok(())
        })
        .await
        .unwrap();
    let res = app
        .post(
            "/api/v1/auth/password-reset/confirm",
            None,
            &json!({"token": token, "new_password": "a brand new long password"}),
        )
        .await;
    assert_eq!(
        (res.status, res.code()),
        (StatusCode::BAD_REQUEST, "expired_token")
    );
    assert_eq!(app.login(&email, PASSWORD).await.status, StatusCode::OK);
}

fn chrono_hours(h: i64) -> chrono::Duration {
    chrono::Duration::hours(h)
}

async fn profile_update_validates_everything(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, access, _) = app.verified_user("Prof").await;
    let res = app
        .send(
            Method::PATCH,
            "/api/v1/me",
            Some(&access),
            &json!({"country": "PL", "organization": null, "display_name": "Prof X"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["user"]["region"], "eastern_european");
    assert_eq!(res.body["user"]["organization"], serde_json::Value::Null);
    let res = app
        .send(
            Method::PATCH,
            "/api/v1/me",
            Some(&access),
            &json!({"country": "ZZ", "display_name": "Changed", "gender": 3}),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let res = app
        .send(
            Method::PATCH,
            "/api/v1/me",
            Some(&access),
            &json!({"country": "ZZ", "display_name": "Changed"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.field("country").is_some());
    let me = app.get("/api/v1/me", Some(&access)).await;
    assert_eq!(me.body["user"]["display_name"], "Prof X");
    assert_eq!(me.body["user"]["country"], "PL");
    let res = app
        .send(
            Method::PATCH,
            "/api/v1/me",
            Some(&access),
            &json!({"email": "new@example.org"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn export_holds_what_we_know(backend: Backend) {
    let app = spawn_app(backend).await;
    let (email, access, _) = app.verified_user("Exp").await;
    let res = app.get("/api/v1/me/export", Some(&access)).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.body["user"]["email"], email.as_str());
    assert_eq!(res.body["sessions"].as_array().unwrap().len(), 1);
    assert_eq!(res.body["emails"][0]["kind"], "verify_email");
    assert!(!res.text.contains("hash"));
}

async fn erasure_removes_personal_data(backend: Backend) {
    let app = spawn_app(backend).await;
    let (email, access, refresh) = app.verified_user("Gone").await;
    let res = app
        .send(
            Method::DELETE,
            "/api/v1/me?withdraw_contributions=maybe",
            Some(&access),
            &json!({"current_password": PASSWORD}),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let res = app
        .send(
            Method::DELETE,
            "/api/v1/me",
            Some(&access),
            &json!({"current_password": PASSWORD}),
        )
        .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.login(&email, PASSWORD).await.code(),
        "invalid_credentials"
    );
    assert_eq!(
        app.get("/api/v1/me", Some(&access)).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.post(
            "/api/v1/auth/refresh",
            None,
            &json!({"refresh_token": refresh})
        )
        .await
        .status,
        StatusCode::UNAUTHORIZED
    );
    // The stored row keeps no personal data.
    let row = app
        .db()
        .run(move |conn| indaba::accounts::store::find_by_email(conn, &email))
        .await
        .unwrap();
    assert!(row.is_none());
    let erased: Vec<(String, String, Option<String>)> = app
        .db()
        .run(|conn| {
            use diesel::prelude::*;
            use indaba::db::schema::users::dsl::*;
            Ok(users
                .filter(erased_at.is_not_null())
                .select((email, display_name, country))
                .load(conn)?)
        })
        .await
        .unwrap();
    assert_eq!(erased.len(), 1);
    assert!(erased[0].0.ends_with("@erased.invalid"));
    assert_eq!(erased[0].1, "withdrawn participant");
    assert_eq!(erased[0].2, None);
}

async fn admin_grants_roles_with_least_privilege(backend: Backend) {
    let app = spawn_app(backend).await;
    let (admin_id, admin) = app.user_with_roles("Admin", &["admin"]).await;
    let (target_id, participant) = app.user_with_roles("Target", &[]).await;
    let path = format!("/api/v1/admin/users/{target_id}/roles");

    let res = app
        .send(
            Method::PUT,
            &path,
            Some(&participant),
            &json!({"roles": ["admin"]}),
        )
        .await;
    assert_eq!(
        (res.status, res.code()),
        (StatusCode::FORBIDDEN, "forbidden")
    );
    let res = app
        .send(
            Method::PUT,
            &path,
            Some(&admin),
            &json!({"roles": ["organizer", "moderator"]}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(
        res.body["user"]["roles"],
        json!(["participant", "moderator", "organizer"])
    );
    // An admin manages roles, not people: the answer leaves out their gender.
    assert!(res.body["user"].get("gender").is_none(), "{}", res.text);
    assert_eq!(res.body["user"]["id"], target_id);
    let res = app
        .send(
            Method::PUT,
            &path,
            Some(&admin),
            &json!({"roles": ["emperor"]}),
        )
        .await;
    assert_eq!(
        (res.status, res.field("roles").is_some()),
        (StatusCode::UNPROCESSABLE_ENTITY, true)
    );
    let res = app
        .send(
            Method::PUT,
            "/api/v1/admin/users/999999/roles",
            Some(&admin),
            &json!({"roles": []}),
        )
        .await;
    assert_eq!(
        (res.status, res.code()),
        (StatusCode::NOT_FOUND, "not_found")
    );
    let res = app
        .send(
            Method::PUT,
            "/api/v1/admin/users/99999999999999999999999/roles",
            Some(&admin),
            &json!({"roles": []}),
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let res = app
        .send(
            Method::PUT,
            &format!("/api/v1/admin/users/{admin_id}/roles"),
            Some(&admin),
            &json!({"roles": []}),
        )
        .await;
    assert_eq!(
        (res.status, res.code()),
        (StatusCode::CONFLICT, "last_admin")
    );
    // The new roles are in the next token.
    let login = app.login(&res_email(&app, target_id).await, PASSWORD).await;
    assert_eq!(
        login.body["user"]["roles"],
        json!(["participant", "moderator", "organizer"])
    );
}

async fn res_email(app: &TestApp, id: i64) -> String {
    app.db()
        .run(move |conn| {
            Ok(indaba::accounts::store::view(conn, id)?
                .email
                .as_str()
                .to_owned())
        })
        .await
        .unwrap()
}

/// Audit entries as a moderator's look at anonymous authors writes them.
async fn seen(app: &TestApp, moderator: i64, comments: Vec<i64>) {
    app.db()
        .run(move |conn| {
            indaba::policy::audit::anonymous_authors_seen(
                conn,
                moderator,
                &comments,
                indaba::policy::audit::Surface::Api,
            )
        })
        .await
        .unwrap();
}

async fn admins_read_the_audit_log_newest_first(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, admin) = app.user_with_roles("Admin", &["admin"]).await;
    let (moderator_id, moderator) = app.user_with_roles("Mod", &["moderator"]).await;
    let (_, organizer) = app.user_with_roles("Org", &["organizer"]).await;
    seen(&app, moderator_id, vec![11, 12]).await;
    seen(&app, moderator_id, vec![13]).await;

    let path = "/api/v1/admin/audit-log";
    assert_eq!(
        app.get(path, None).await.code(),
        "unauthenticated",
        "anonymous callers"
    );
    for token in [&moderator, &organizer] {
        let res = app.get(path, Some(token)).await;
        assert_eq!(
            (res.status, res.code()),
            (StatusCode::FORBIDDEN, "forbidden")
        );
    }

    let res = app.get(path, Some(&admin)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.header("cache-control"), Some("no-store"));
    let items = res.body["items"].as_array().unwrap();
    let subjects: Vec<i64> = items
        .iter()
        .map(|i| i["subject_id"].as_i64().unwrap())
        .collect();
    assert_eq!(subjects, vec![13, 12, 11], "newest first: {}", res.text);
    assert_eq!(res.body["next_cursor"], serde_json::Value::Null);
    let first = &items[0];
    assert_eq!(first["actor_id"], moderator_id);
    assert_eq!(first["actor_name"], "Mod");
    assert_eq!(first["action"], "anonymous_author_viewed");
    assert_eq!(first["subject_type"], "comment");
    assert_eq!(first["surface"], "api");
    assert!(first["created_at"].as_str().unwrap().ends_with('Z'));

    // Pages of two.
    let res = app.get(&format!("{path}?limit=2"), Some(&admin)).await;
    assert_eq!(res.body["items"].as_array().unwrap().len(), 2);
    let cursor = res.body["next_cursor"].as_str().unwrap().to_owned();
    let res = app
        .get(&format!("{path}?limit=2&cursor={cursor}"), Some(&admin))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["items"][0]["subject_id"], 11);
    assert_eq!(res.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(res.body["next_cursor"], serde_json::Value::Null);

    for bad in [
        "limit=0",
        "limit=201",
        "limit=many",
        "cursor=not-ours",
        "limit=-1",
    ] {
        let res = app.get(&format!("{path}?{bad}"), Some(&admin)).await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {}",
            res.text
        );
        assert_eq!(res.code(), "invalid_query", "{bad}");
    }

    // The moderator erases their account: what they looked at stays on record, no longer
    // who they were.
    assert_eq!(
        app.send(
            Method::DELETE,
            "/api/v1/me",
            Some(&moderator),
            &json!({"current_password": PASSWORD}),
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
    let res = app.get(path, Some(&admin)).await;
    assert_eq!(res.body["items"].as_array().unwrap().len(), 3);
    for item in res.body["items"].as_array().unwrap() {
        assert_eq!(item["actor_id"], serde_json::Value::Null, "{}", res.text);
        assert_eq!(item["actor_name"], serde_json::Value::Null, "{}", res.text);
    }
    assert!(!res.text.contains("Mod\""), "{}", res.text);
}

/// A client that attaches its (expired, or broken) access token to every request can
/// still sign in, refresh and reset its password: those endpoints never read it.
async fn auth_endpoints_ignore_a_stale_access_token(backend: Backend) {
    let app = spawn_app(backend).await;
    let (email, _, refresh) = app.verified_user("Stale").await;
    let stale = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.broken";
    let res = app
        .post(
            "/api/v1/auth/refresh",
            Some(stale),
            &json!({"refresh_token": refresh}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.header("cache-control"), Some("no-store"));
    let res = app
        .post(
            "/api/v1/auth/login",
            Some(stale),
            &json!({"email": email, "password": PASSWORD}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let res = app
        .post(
            "/api/v1/auth/password-reset",
            Some(stale),
            &json!({"email": email}),
        )
        .await;
    assert_eq!(res.status, StatusCode::ACCEPTED, "{}", res.text);
    // Where the caller matters, the same token is refused.
    let res = app.get("/api/v1/me", Some(stale)).await;
    assert_eq!(
        (res.status, res.code()),
        (StatusCode::UNAUTHORIZED, "invalid_access_token")
    );
}

async fn bad_input_is_named_and_changes_nothing(backend: Backend) {
    let app = spawn_app_with(backend, Options::new().with("INDABA_RATE_LIMITS", "off")).await;
    let (email, access, _) = app.verified_user("Careful").await;
    let before = app.get("/api/v1/me", Some(&access)).await.body["user"].clone();

    // Every bad field of a profile change is named at once, and nothing is saved.
    let res = app
        .send(
            Method::PATCH,
            "/api/v1/me",
            Some(&access),
            &json!({"display_name": " ", "stakeholder_group": "lobbyists", "organization": "o".repeat(201),
                    "country": "XX", "gender": "robot", "preferred_language": "!!"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    for field in [
        "display_name",
        "stakeholder_group",
        "organization",
        "country",
        "gender",
        "preferred_language",
    ] {
        assert!(res.field(field).is_some(), "{field}: {}", res.text);
    }
    // A field of the wrong type is named too (the body is not parsed further).
    let res = app
        .send(
            Method::PATCH,
            "/api/v1/me",
            Some(&access),
            &json!({"display_name": ["a"]}),
        )
        .await;
    assert_eq!(
        (res.status, res.field("display_name").is_some()),
        (StatusCode::UNPROCESSABLE_ENTITY, true),
        "{}",
        res.text
    );
    let res = app
        .raw(
            Method::PATCH,
            "/api/v1/me",
            Some(&access),
            Some(("application/json", "[1, 2]")),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    let res = app
        .raw(
            Method::PATCH,
            "/api/v1/me",
            Some(&access),
            Some(("application/json", "{\"display_name\": ")),
        )
        .await;
    assert_eq!(
        (res.status, res.code()),
        (StatusCode::BAD_REQUEST, "malformed_json")
    );
    assert_eq!(
        app.get("/api/v1/me", Some(&access)).await.body["user"],
        before
    );

    // Clearing is not the same as leaving out: null clears, blank clears, absent keeps.
    let res = app
        .send(
            Method::PATCH,
            "/api/v1/me",
            Some(&access),
            &json!({"organization": "Rede", "gender": "female", "preferred_language": "zh_hans"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["user"]["preferred_language"], "zh-Hans");
    assert_eq!(res.body["user"]["gender"], "female");
    let res = app
        .send(
            Method::PATCH,
            "/api/v1/me",
            Some(&access),
            &json!({"organization": "  ", "gender": null}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["user"]["organization"], serde_json::Value::Null);
    assert_eq!(res.body["user"]["gender"], serde_json::Value::Null);
    assert_eq!(res.body["user"]["country"], before["country"]);

    // The auth endpoints: each bad body is a clear 4xx naming the field.
    let cases: Vec<(&str, serde_json::Value, u16, &str)> = vec![
        ("/api/v1/auth/verify", json!({}), 422, "token"),
        ("/api/v1/auth/verify", json!({"token": 7}), 422, "token"),
        (
            "/api/v1/auth/login",
            json!({"email": email}),
            422,
            "password",
        ),
        ("/api/v1/auth/refresh", json!({"token": "x"}), 422, "token"),
        (
            "/api/v1/auth/password-reset",
            json!({"email": "nobody"}),
            422,
            "email",
        ),
        (
            "/api/v1/auth/password-reset/confirm",
            json!({"token": "x"}),
            422,
            "new_password",
        ),
        (
            "/api/v1/auth/password-reset/confirm",
            json!({"token": "x", "new_password": "short"}),
            422,
            "new_password",
        ),
    ];
    for (path, body, status, field) in cases {
        let res = app.post(path, None, &body).await;
        assert_eq!(res.status.as_u16(), status, "{path} {body}: {}", res.text);
        assert!(res.field(field).is_some(), "{path} {body}: {}", res.text);
    }
    // A well-formed reset with a token that is not ours: 400, and the password stays.
    let res = app
        .post(
            "/api/v1/auth/password-reset/confirm",
            None,
            &json!({"token": "made-up", "new_password": "a brand new long password"}),
        )
        .await;
    assert_eq!(
        (res.status, res.code()),
        (StatusCode::BAD_REQUEST, "invalid_token")
    );
    // A reset to the account's own address is refused, and does not spend the link.
    app.post(
        "/api/v1/auth/password-reset",
        None,
        &json!({"email": email}),
    )
    .await;
    let token = app.link_token(&email, "/reset-password?token=").await;
    let res = app
        .post(
            "/api/v1/auth/password-reset/confirm",
            None,
            &json!({"token": token, "new_password": email}),
        )
        .await;
    assert_eq!(
        (res.status, res.field("new_password").is_some()),
        (StatusCode::UNPROCESSABLE_ENTITY, true),
        "{}",
        res.text
    );
    let res = app
        .post(
            "/api/v1/auth/password-reset/confirm",
            None,
            &json!({"token": token, "new_password": "a brand new long password"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT, "{}", res.text);
    assert_eq!(
        app.login(&email, PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );

    // Roles: every unknown one is named; a role list of the wrong shape is 422 too; the
    // roles held do not change.
    let (_, admin) = app.user_with_roles("Boss", &["admin"]).await;
    let (target, _) = app.user_with_roles("Someone", &["moderator"]).await;
    let path = format!("/api/v1/admin/users/{target}/roles");
    for body in [
        json!({"roles": ["organizer", "emperor", "pope"]}),
        json!({"roles": "admin"}),
        json!({"roles": [1]}),
        json!({}),
        json!({"roles": [], "why": "because"}),
    ] {
        let res = app.send(Method::PUT, &path, Some(&admin), &body).await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            res.text
        );
    }
    let res = app
        .send(
            Method::PUT,
            &path,
            Some(&admin),
            &json!({"roles": ["organizer", "emperor", "pope"]}),
        )
        .await;
    let named = res.field("roles").unwrap();
    assert!(
        named.contains("emperor") && named.contains("pope"),
        "{named}"
    );
    let res = app
        .send(
            Method::PUT,
            &path,
            Some(&admin),
            &json!({"roles": ["moderator", "moderator"]}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(
        res.body["user"]["roles"],
        json!(["participant", "moderator"])
    );
}

async fn personal_data_is_never_cached_and_every_endpoint_is_typed(backend: Backend) {
    let app = spawn_app(backend).await;
    let (email, access, _) = app.verified_user("Private").await;
    for path in ["/api/v1/me", "/api/v1/me/export"] {
        let res = app.get(path, Some(&access)).await;
        assert_eq!(res.status, StatusCode::OK, "{path}");
        assert_eq!(res.header("cache-control"), Some("no-store"), "{path}");
    }
    let res = app
        .send(Method::PATCH, "/api/v1/me", Some(&access), &json!({}))
        .await;
    assert_eq!(res.header("cache-control"), Some("no-store"));
    assert_eq!(res.body["user"]["email"], email.as_str());
    let res = app.login(&email, PASSWORD).await;
    assert_eq!(res.header("cache-control"), Some("no-store"));

    // The export is typed all through: its parts are there even when empty.
    let res = app.get("/api/v1/me/export", Some(&access)).await;
    for key in [
        "exported_at",
        "user",
        "sessions",
        "email_links",
        "emails",
        "comments",
        "endorsed_comment_ids",
        "bookmarked_session_ids",
        "follows",
        "notifications",
        "notification_settings",
    ] {
        assert!(res.body.get(key).is_some(), "{key}: {}", res.text);
    }
    assert_eq!(res.body["email_links"][0]["purpose"], "verify");
    assert!(res.body["email_links"][0]["used_at"].is_string());
    assert_eq!(
        res.body["notification_settings"]["kinds"]["reply"],
        "immediate"
    );

    // Who may call each account and notification endpoint is its guard, and each
    // answer has a schema.
    let doc = app.get("/api/v1/openapi.json", None).await.body;
    let who = |method: &str, path: &str| {
        let op = &doc["paths"][format!("/api/v1{path}")][method];
        assert!(op.is_object(), "{method} {path}");
        assert!(
            op["responses"]["200"].get("x-untyped").is_none(),
            "{method} {path} is untyped"
        );
        op["x-who"].as_str().unwrap().to_owned()
    };
    for (method, path) in [
        ("post", "/auth/register"),
        ("post", "/auth/verify"),
        ("post", "/auth/login"),
        ("post", "/auth/refresh"),
        ("post", "/auth/password-reset"),
        ("post", "/auth/password-reset/confirm"),
    ] {
        assert_eq!(who(method, path), "anyone", "{method} {path}");
    }
    for (method, path) in [
        ("post", "/auth/logout"),
        ("get", "/me"),
        ("patch", "/me"),
        ("delete", "/me"),
        ("post", "/me/password"),
        ("get", "/me/export"),
        ("post", "/follows"),
        ("delete", "/follows"),
        ("get", "/me/follows"),
        ("get", "/me/notifications"),
        ("post", "/me/notifications/read"),
        ("get", "/me/notification-settings"),
        ("patch", "/me/notification-settings"),
    ] {
        assert_eq!(who(method, path), "user", "{method} {path}");
    }
    // Asking for the password again may be refused (403) or slowed down (429).
    for (method, path) in [("delete", "/me"), ("post", "/me/password")] {
        let responses = &doc["paths"][format!("/api/v1{path}")][method]["responses"];
        for status in ["204", "400", "401", "403", "422", "429"] {
            assert!(responses.get(status).is_some(), "{method} {path} {status}");
        }
    }
    assert!(doc["paths"]["/api/v1/auth/login"]["post"]["responses"]
        .get("429")
        .is_some());
    assert_eq!(who("put", "/admin/users/{id}/roles"), "admin");
    assert_eq!(who("get", "/admin/audit-log"), "admin");
    assert_eq!(who("post", "/unsubscribe"), "anyone with a signed link");
    assert_eq!(who("get", "/unsubscribe"), "anyone with a signed link");
    let me = &doc["paths"]["/api/v1/me"]["get"]["responses"]["200"]["content"]["application/json"]
        ["schema"];
    assert_eq!(me["$ref"], "#/components/schemas/UserEnvelope");
    let user = &doc["components"]["schemas"]["UserView"];
    for field in [
        "id",
        "email",
        "display_name",
        "stakeholder_group",
        "organization",
        "country",
        "region",
        "gender",
        "roles",
        "email_verified",
        "created_at",
    ] {
        assert!(user["properties"].get(field).is_some(), "{field}");
    }
}
