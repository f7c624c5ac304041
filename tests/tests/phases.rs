//! The phases of a consultation, on SQLite and PostgreSQL: the co-facilitators move it on
//! (forward; silence and adoption only by their own calls, and a silence only by its
//! deadline), each move logged with its date, author and note and shown to everyone;
//! under silence no inputs are taken; the secretariat's form and the public page.

use awc::http::{Method, StatusCode};
use indaba_tests::web::WebClient;
use indaba_tests::*;
use serde_json::json;

both_backends!(
    phases_move_on_are_logged_and_close_the_floor,
    the_secretariat_moves_it_on_by_form
);

async fn phases_move_on_are_logged_and_close_the_floor(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, organizer) = app.user_with_roles("Org", &["organizer"]).await;
    let (id, slug) = open_consultation_from(&app, &organizer, "zero-draft", SMALL_DRAFT).await;
    let path = format!("/api/v1/consultations/{id}");
    let cofac = app
        .account("Co-facilitator", &[], "government", "IE", None, None)
        .await;
    let res = app
        .send(
            Method::PUT,
            &format!("{path}/cofacilitators"),
            Some(&organizer),
            &json!({"user_ids": [cofac.id]}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let (_, participant) = app
        .member("Participant", &[], "civil_society", "KE", None)
        .await;
    let detail = app.get(&path, None).await;
    assert_eq!(detail.body["phase"], serde_json::Value::Null);

    let phase = |token: String, body: serde_json::Value| {
        let (app, path) = (&app, path.clone());
        async move {
            app.send(Method::PUT, &format!("{path}/phase"), Some(&token), &body)
                .await
        }
    };
    let post = |token: String| {
        let (app, path) = (&app, path.clone());
        async move {
            app.post(
                &format!("{path}/comments"),
                Some(&token),
                &json!({"body": "An input for the record."}),
            )
            .await
        }
    };

    // Only the co-facilitators and organisers move it on; bad input is named.
    let res = phase(participant.clone(), json!({"phase": "inputs"})).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text);
    let res = phase(cofac.token.clone(), json!({"phase": "vote"})).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    let res = phase(
        cofac.token.clone(),
        json!({"phase": "inputs", "note": "x".repeat(2001)}),
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    assert!(res.field("note").is_some(), "{}", res.text);

    let res = phase(
        cofac.token.clone(),
        json!({"phase": "inputs", "note": "Call for inputs on the elements paper"}),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["phase"], "inputs");
    assert_eq!(res.body["set_by"]["display_name"], "Co-facilitator");
    for next in ["consultation", "negotiation"] {
        let res = phase(cofac.token.clone(), json!({"phase": next})).await;
        assert_eq!(res.status, StatusCode::OK, "{next}: {}", res.text);
    }
    // Not back to an earlier phase.
    let res = phase(cofac.token.clone(), json!({"phase": "consultation"})).await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text);
    assert_eq!(res.code(), "invalid_transition");

    // Silence and adoption are acts of their own, not moves by hand.
    for (next, call) in [("silence", "/silence"), ("adopted", "/adoption")] {
        let res = phase(cofac.token.clone(), json!({"phase": next})).await;
        assert_eq!(res.status, StatusCode::CONFLICT, "{next}: {}", res.text);
        assert_eq!(res.code(), "invalid_transition");
        assert!(res.text.contains(call), "{next}: {}", res.text);
    }

    // Under silence the floor is closed.
    let earlier = post(participant.clone()).await;
    assert_eq!(earlier.status, StatusCode::CREATED, "{}", earlier.text);
    let res = app
        .post(
            &format!("{path}/silence"),
            Some(&cofac.token),
            &json!({"version": "zero-draft", "deadline": "2099-12-20T18:00"}),
        )
        .await;
    assert!(res.status.is_success(), "{}", res.text);
    // Nor endorsed, nor edited, while silence holds.
    let (_, other) = app.member("Other", &[], "academia", "BR", None).await;
    let res = app
        .post(
            &format!("/api/v1/comments/{}/endorsement", earlier.body["id"]),
            Some(&other),
            &json!({}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text);
    let res = app
        .send(
            Method::PATCH,
            &format!("/api/v1/comments/{}", earlier.body["id"]),
            Some(&participant),
            &json!({"body": "An input, edited under silence."}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text);
    let detail = app.get(&path, None).await;
    assert_eq!(detail.body["phase"], "silence");
    assert_eq!(detail.body["accepting_contributions"], false);
    assert!(detail.body["phase_since"].is_string());
    let res = post(participant.clone()).await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text);
    assert_eq!(res.code(), "consultation_closed");
    // A silence ends at its deadline (tests/tests/silence.rs), not by hand.
    let res = phase(
        cofac.token.clone(),
        json!({"phase": "negotiation", "note": "Let us talk again"}),
    )
    .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text);
    assert_eq!(res.code(), "invalid_transition");

    // Everyone reads the log, oldest first.
    let log = app.get(&format!("{path}/phases"), None).await;
    assert_eq!(log.status, StatusCode::OK, "{}", log.text);
    let phases: Vec<&str> = log.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["phase"].as_str().unwrap())
        .collect();
    assert_eq!(phases, ["inputs", "consultation", "negotiation", "silence"]);
    assert_eq!(
        log.body["items"][0]["note"],
        "Call for inputs on the elements paper"
    );
    assert_eq!(
        log.body["items"][3]["set_by"]["display_name"],
        "Co-facilitator"
    );

    // The public page tells how it got here, with dates and who moved it on.
    let public = WebClient::new(&app.base);
    let page = public.get(&format!("/consultations/{slug}")).await;
    assert!(page.html.contains("How it got here"), "{}", page.html);
    assert!(
        page.html.contains("Open call for inputs, from ")
            && page.html.contains(", by Co-facilitator"),
        "{}",
        page.html
    );
}

async fn the_secretariat_moves_it_on_by_form(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app
        .account(
            "Secretariat",
            &["organizer"],
            "intergovernmental",
            "CH",
            None,
            None,
        )
        .await;
    let (_, slug) = open_consultation_from(&app, &org.token, "zero-draft", SMALL_DRAFT).await;
    let web = WebClient::new(&app.base);
    web.sign_in(&org.email, PASSWORD).await;
    let base = format!("/organize/consultations/{slug}");
    let page = web.get(&base).await;
    assert!(page.html.contains("No phase set yet."), "{}", page.html);
    let csrf = page.hidden("csrf").unwrap();
    let moved = web
        .post(
            &base,
            &[
                ("csrf", &csrf),
                ("action", "phase"),
                ("phase", "negotiation"),
                ("note", "Member states take over"),
            ],
        )
        .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.html);
    let page = web.follow(&moved).await;
    assert!(page.html.contains("The phase is changed."), "{}", page.html);
    assert!(
        page.html.contains("Now: Intergovernmental negotiation."),
        "{}",
        page.html
    );
    // Only the phases it may move to by hand are offered: none after the negotiation
    // (silence and adoption have calls of their own).
    assert!(!page.html.contains("<option value=\"consultation\">"));
    assert!(!page.html.contains("<option value=\"silence\">"));
    assert!(!page.html.contains("name=\"phase\""), "{}", page.html);
    // The public page says the phase and since when, in the reader's language.
    let public = WebClient::new(&app.base);
    let text = public.get(&format!("/consultations/{slug}?lang=fr")).await;
    assert!(
        text.html
            .contains("Phase : Négociation intergouvernementale, depuis le"),
        "{}",
        text.html
    );
}
