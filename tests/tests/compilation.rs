//! The compilation text, on SQLite and PostgreSQL: amendments grouped per paragraph by
//! identical wording, with who tabled and who supported each; the co-facilitators'
//! dispositions and paragraph statuses; the next draft takes the accepted wording and
//! records which inputs informed it; an amendment to a removed paragraph cannot be
//! accepted; the text downloads as HTML and Word.

use awc::http::{Method, StatusCode};
use indaba_tests::negotiation::negotiation;
use indaba_tests::*;
use serde_json::{json, Value};

both_backends!(
    amendments_are_compiled_disposed_of_and_drafted,
    the_demo_negotiation_walks_every_phase_to_adoption
);

async fn the_demo_negotiation_walks_every_phase_to_adoption(backend: Backend) {
    let app = spawn_app(backend).await;
    let db = app.db();
    actix_web::web::block(move || indaba::seed::demo(&db))
        .await
        .unwrap()
        .unwrap();
    let path = "/api/v1/consultations/declaration-meaningful-connectivity";
    let log = app.get(&format!("{path}/phases"), None).await;
    let phases: Vec<&str> = log.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["phase"].as_str().unwrap())
        .collect();
    assert_eq!(
        phases,
        [
            "inputs",
            "consultation",
            "negotiation",
            "silence",
            "negotiation",
            "silence",
            "adopted"
        ]
    );
    // Dated as the walk happened, weeks apart, oldest first (RFC 3339 in UTC sorts).
    let dates: Vec<&str> = log.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["set_at"].as_str().unwrap())
        .collect();
    assert!(dates.windows(2).all(|w| w[0] < w[1]), "{dates:?}");
    assert_ne!(dates[0][..10], dates[6][..10], "{dates:?}");
    let versions = app.get(&format!("{path}/versions"), None).await;
    let labels: Vec<&str> = versions.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.get("label").and_then(Value::as_str).unwrap())
        .collect();
    assert_eq!(labels, ["zero-draft", "rev1", "rev2"]);
    // rev1 took the accepted amendments, and says which.
    let rev1 = app.get(&format!("{path}/versions/rev1"), None).await;
    let p2 = &rev1.body["paragraphs"][1];
    assert!(
        p2["text"]
            .as_str()
            .unwrap()
            .contains("including devices and data"),
        "{p2}"
    );
    assert_eq!(p2["informed_by"].as_array().unwrap().len(), 2);
    let rev2 = app.get(&format!("{path}/versions/rev2"), None).await;
    assert!(rev2.body["paragraphs"][2]["text"]
        .as_str()
        .unwrap()
        .contains("voluntary technology transfer"));
    // The silences: broken by Georgia, then held and adopted.
    let s = app.get(&format!("{path}/silence"), None).await;
    assert_eq!(s.status, StatusCode::OK, "{}", s.text);
    assert_eq!(s.body["current"]["state"], "adopted");
    assert_eq!(s.body["current"]["adoption"]["symbol"], "A/RES/81/27");
    assert_eq!(s.body["earlier"][0]["state"], "broken");
    assert_eq!(
        s.body["earlier"][0]["breaks"][0]["delegation"]["name"],
        "Georgia"
    );
    // The compilation names who tabled, supported and what became of each.
    let c = app.get(&format!("{path}/compilation"), None).await;
    assert_eq!(c.status, StatusCode::OK, "{}", c.text);
    assert!(
        c.text.contains("\"disposition\":\"rejected\""),
        "{}",
        c.text
    );
    let all_agreed = c.body["paragraphs"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["status"] == "agreed_ad_ref");
    assert!(all_agreed, "{}", c.text);
    let z = app
        .get(&format!("{path}/versions/zero-draft/report"), None)
        .await;
    assert_eq!(z.status, StatusCode::OK, "{}", z.text);
    assert!(
        z.text.contains("informed paragraph 2 of rev1"),
        "{}",
        z.text
    );
    // The page tells it.
    let page = indaba_tests::web::WebClient::new(&app.base)
        .get("/consultations/declaration-meaningful-connectivity")
        .await;
    assert!(
        page.html.contains("rev2 was adopted as A/RES/81/27"),
        "{}",
        page.html
    );
    assert!(
        page.html.contains("Silence on rev1 was broken by Georgia."),
        "{}",
        page.html
    );
}

const WIDER: &str = "We commit to an open, free, secure and interoperable Internet for all.";
const OTHER: &str = "We commit to a free and secure Internet for all people.";
const LATER: &str = "We will close the digital divide by 2030 in every region.";

async fn amendments_are_compiled_disposed_of_and_drafted(backend: Backend) {
    let app = spawn_app(backend).await;
    let n = negotiation(&app).await;
    let (p1, p3) = (n.keys[0].clone(), n.keys[4].clone());
    let path = n.path();
    let (brazil, kenya, g77) = (
        json!({"delegation_id": n.brazil}),
        json!({"delegation_id": n.kenya}),
        json!({"group_id": n.g77}),
    );
    let x1 = n
        .table(&app, &n.brazil_delegate, brazil.clone(), &p1, WIDER)
        .await;
    // The same words, spaced otherwise: the same proposal.
    let spaced = format!("  {}", WIDER.replace(", secure", ",  secure"));
    let x2 = n.table(&app, &n.kenya_delegate, kenya, &p1, &spaced).await;
    let y = n.table(&app, &n.kenya_delegate, g77, &p1, OTHER).await;
    let z = n
        .table(&app, &n.brazil_delegate, brazil.clone(), &p3, LATER)
        .await;
    let res = app
        .post(
            &format!("/api/v1/comments/{y}/endorsement"),
            Some(&n.brazil_delegate.token),
            &json!({"on_behalf_of": brazil}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let comment = app
        .post(
            &format!("{path}/comments"),
            Some(&n.organizer),
            &json!({"body": "A note, not an amendment.", "paragraph_key": p1}),
        )
        .await;
    assert_eq!(comment.status, StatusCode::CREATED, "{}", comment.text);

    // Everyone reads the compilation.
    let c = app.get(&format!("{path}/compilation"), None).await;
    assert_eq!(c.status, StatusCode::OK, "{}", c.text);
    assert_eq!(c.body["version"], "zero-draft");
    let first = &c.body["paragraphs"][0];
    assert_eq!(first["key"], p1.as_str());
    assert_eq!(first["status"], "pending");
    let groups = first["amendments"].as_array().unwrap();
    assert_eq!(groups.len(), 2, "{groups:?}");
    assert_eq!(groups[0]["proposed_text"], WIDER);
    let names = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(names(&groups[0]["tabled_by"]), ["Brazil", "Kenya"]);
    assert_eq!(groups[0]["amendments"][1]["id"], x2);
    assert_eq!(names(&groups[1]["tabled_by"]), ["G77 and China"]);
    assert_eq!(names(&groups[1]["supported_by"]), ["Brazil"]);
    assert_eq!(groups[1]["disposition"], "pending");
    assert_eq!(
        c.body["paragraphs"][4]["amendments"][0]["amendments"][0]["id"],
        z
    );

    // Dispositions: by the co-facilitators, with what each needs.
    let dispose = |id: i64, token: String, body: Value| {
        let app = &app;
        async move {
            app.send(
                Method::PUT,
                &format!("/api/v1/comments/{id}/disposition"),
                Some(&token),
                &body,
            )
            .await
        }
    };
    let org = n.organizer.clone();
    let res = dispose(
        x1,
        n.brazil_delegate.token.clone(),
        json!({"disposition": "accepted"}),
    )
    .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text);
    let res = dispose(z, org.clone(), json!({"disposition": "rejected"})).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    assert!(res.field("reason").is_some(), "{}", res.text);
    let res = dispose(y, org.clone(), json!({"disposition": "merged"})).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    assert!(res.field("merged_into").is_some(), "{}", res.text);
    let res = dispose(
        x2,
        org.clone(),
        json!({"disposition": "merged", "merged_into": x1}),
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    let res = dispose(x1, org.clone(), json!({"disposition": "adopted"})).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    let note = comment.body["id"].as_i64().unwrap();
    let res = dispose(note, org.clone(), json!({"disposition": "accepted"})).await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text);

    let res = dispose(x2, org.clone(), json!({"disposition": "accepted"})).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["comment_ids"], json!([x1, x2]));
    assert_eq!(res.body["set_by"]["display_name"], "Co-facilitator");
    let res = dispose(
        y,
        org.clone(),
        json!({"disposition": "merged", "merged_into": x1}),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let res = dispose(
        z,
        org.clone(),
        json!({"disposition": "rejected", "reason": "The date stays as agreed at WSIS."}),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);

    // Paragraph statuses.
    let status = |key: String, body: Value, token: String| {
        let (app, path) = (&app, path.clone());
        async move {
            app.send(
                Method::PUT,
                &format!("{path}/paragraphs/{key}/status"),
                Some(&token),
                &body,
            )
            .await
        }
    };
    let res = status(
        p3.clone(),
        json!({"status": "agreed_ad_ref"}),
        n.kenya_delegate.token.clone(),
    )
    .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text);
    let res = status(
        "nope".into(),
        json!({"status": "agreed_ad_ref"}),
        org.clone(),
    )
    .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{}", res.text);
    let res = status(p3.clone(), json!({"status": "agreed"}), org.clone()).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    let res = status(p3.clone(), json!({"status": "agreed_ad_ref"}), org.clone()).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);

    let c = app.get(&format!("{path}/compilation"), None).await;
    let groups = &c.body["paragraphs"][0]["amendments"];
    assert_eq!(groups[0]["disposition"], "accepted");
    assert_eq!(groups[1]["disposition"], "merged");
    assert_eq!(groups[1]["merged_into"], x1);
    let last = &c.body["paragraphs"][4];
    assert_eq!(last["status"], "agreed_ad_ref");
    assert_eq!(last["amendments"][0]["disposition"], "rejected");
    assert_eq!(
        last["amendments"][0]["reason"],
        "The date stays as agreed at WSIS."
    );

    // The next draft takes the accepted wording, informed by the amendments behind it.
    let res = app
        .get(&format!("{path}/next-draft"), Some(&n.kenya_delegate.token))
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text);
    let draft = app.get(&format!("{path}/next-draft"), Some(&org)).await;
    assert_eq!(draft.status, StatusCode::OK, "{}", draft.text);
    let paragraphs = draft.body["paragraphs"].as_array().unwrap();
    assert_eq!(paragraphs[0]["text"], WIDER);
    assert_eq!(paragraphs[0]["amended"], true);
    assert_eq!(paragraphs[0]["informed_by"], json!([x1, x2, y]));
    assert_eq!(
        paragraphs[4]["text"],
        "We will close the digital divide by 2030."
    );
    assert_eq!(paragraphs[4]["informed_by"], json!([]));
    // Sent back as it is, minus paragraph 3, it is rev1.
    let rev1: Vec<Value> = paragraphs
        .iter()
        .filter(|p| p["key"] != p3.as_str())
        .map(|p| {
            json!({"key": p["key"], "number": p["number"], "section": p["section"],
                   "text": p["text"], "informed_by": p["informed_by"]})
        })
        .collect();
    let res = app
        .post(
            &format!("{path}/versions"),
            Some(&org),
            &json!({"label": "rev1", "paragraphs": rev1}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let v = app.get(&format!("{path}/versions/rev1"), None).await;
    assert_eq!(v.body["paragraphs"][0]["key"], p1.as_str());
    assert_eq!(v.body["paragraphs"][0]["text"], WIDER);
    assert_eq!(v.body["paragraphs"][0]["informed_by"], json!([x1, x2, y]));

    // Paragraph 3 is gone: its amendment cannot be accepted, and says why.
    let res = dispose(z, org.clone(), json!({"disposition": "accepted"})).await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text);
    assert!(res.text.contains("paragraph 3"), "{}", res.text);
    let c = app.get(&format!("{path}/compilation"), None).await;
    assert_eq!(c.body["version"], "rev1");
    assert_eq!(c.body["removed"][0]["last_number"], "3");
    assert_eq!(
        c.body["removed"][0]["amendments"][0]["amendments"][0]["id"],
        z
    );

    // Downloads.
    let res = app.get(&format!("{path}/compilation.docx"), None).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let doc = read_docx(&res.bytes);
    let texts: Vec<&str> = doc.iter().map(|p| p["text"].as_str().unwrap()).collect();
    assert!(
        texts
            .iter()
            .any(|t| t.contains("tabled by Brazil, Kenya") && t.contains("accepted")),
        "{texts:?}"
    );
    assert!(
        texts
            .iter()
            .any(|t| t.contains("supported by Brazil") && t.contains(&format!("merged (#{x1})"))),
        "{texts:?}"
    );
    let res = app.get(&format!("{path}/compilation.html"), None).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert!(res
        .headers
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(
        res.text.contains(&format!("<ins>{OTHER}</ins>")),
        "{}",
        res.text
    );
    assert!(
        res.text.contains("The date stays as agreed at WSIS."),
        "{}",
        res.text
    );
    assert!(res.text.contains("rejected"), "{}", res.text);
}
