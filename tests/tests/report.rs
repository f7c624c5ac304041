//! "What we heard" on a version, on SQLite and PostgreSQL: every sentence cites inputs
//! that exist and the reader may see; hidden and withdrawn inputs are never quoted or
//! cited; a campaign is folded into one line, similar inputs into a theme with a quote;
//! small cells are withheld; what informed the next version is said; HTML and Word.

use awc::http::{Method, StatusCode};
use indaba_tests::*;
use serde_json::{json, Value};

both_backends!(what_we_heard_cites_every_input_and_quotes_no_hidden_one);

const CAMPAIGN: &str = "We demand universal, affordable and meaningful connectivity for every community by 2030, without exception.";
const THEME: [&str; 3] = [
    "Rural areas need affordable broadband connectivity and local networks.",
    "Affordable broadband connectivity for rural areas needs local networks too.",
    "Local networks bring affordable broadband connectivity to rural areas.",
];

async fn what_we_heard_cites_every_input_and_quotes_no_hidden_one(backend: Backend) {
    let app = spawn_app_with(backend, Options::new().with("INDABA_RATE_LIMITS", "off")).await;
    let (_, organizer) = app.user_with_roles("Org", &["organizer"]).await;
    let (_, moderator) = app.user_with_roles("Mod", &["moderator"]).await;
    let (id, _) = open_consultation_from(&app, &organizer, "zero-draft", SMALL_DRAFT).await;
    let path = format!("/api/v1/consultations/{id}");
    let detail = app.get(&path, None).await;
    let keys: Vec<String> = detail.body["version"]["paragraphs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["key"].as_str().unwrap().to_owned())
        .collect();
    let (p1, p3) = (keys[0].clone(), keys[4].clone());
    let post = |token: String, body: Value| {
        let (app, path) = (&app, path.clone());
        async move {
            let res = app
                .post(&format!("{path}/comments"), Some(&token), &body)
                .await;
            assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
            res.body["id"].as_i64().unwrap()
        }
    };
    let mut campaign = Vec::new();
    for (i, country) in ["KE", "NG", "GH", "ZA", "SN", "EG"].iter().enumerate() {
        let (_, t) = app
            .member(
                &format!("Campaigner {i}"),
                &[],
                "civil_society",
                country,
                None,
            )
            .await;
        campaign.push(post(t, json!({"body": CAMPAIGN, "paragraph_key": p1})).await);
    }
    let mut theme = Vec::new();
    for (i, body) in THEME.iter().enumerate() {
        let (_, t) = app
            .member(&format!("Scholar {i}"), &[], "academia", "IN", None)
            .await;
        theme.push(post(t, json!({"body": body, "paragraph_key": p1})).await);
    }
    let (_, t) = app
        .member("Teacher", &[], "civil_society", "BR", Some("female"))
        .await;
    let single = post(
        t,
        json!({"body": "Digital skills training for older people must be funded.", "paragraph_key": p3}),
    )
    .await;
    let (_, t) = app
        .member("General", &[], "private_sector", "US", None)
        .await;
    let general = post(t, json!({"body": "Thank you for an open process."})).await;
    // Hidden by a moderator, and withdrawn by an erased author: never in the report.
    let (_, t) = app.member("Troll", &[], "civil_society", "FR", None).await;
    let hidden = post(
        t,
        json!({"body": "HIDDENWORDS rural broadband connectivity is affordable.", "paragraph_key": p1}),
    )
    .await;
    let res = app
        .post(
            &format!("/api/v1/comments/{hidden}/moderation"),
            Some(&moderator),
            &json!({"action": "hide", "reason": "abusive"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let leaver = app
        .account("Leaver", &[], "academia", "DE", None, None)
        .await;
    let withdrawn = post(
        leaver.token.clone(),
        json!({"body": "WITHDRAWNWORDS affordable rural broadband connectivity.", "paragraph_key": p1}),
    )
    .await;
    let res = app
        .send(
            Method::DELETE,
            "/api/v1/me?withdraw_contributions=true",
            Some(&leaver.token),
            &json!({"current_password": PASSWORD}),
        )
        .await;
    assert!(res.status.is_success(), "{}", res.text);

    // rev1: paragraph 1 informed by one campaign input and one of the theme.
    let v = app.get(&format!("{path}/versions/zero-draft"), None).await;
    let paragraphs: Vec<Value> = v.body["paragraphs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let informed = if p["key"] == p1.as_str() {
                json!([campaign[0], theme[1]])
            } else {
                json!([])
            };
            json!({"key": p["key"], "number": p["number"], "text": p["text"], "informed_by": informed})
        })
        .collect();
    let res = app
        .post(
            &format!("{path}/versions"),
            Some(&organizer),
            &json!({"label": "rev1", "paragraphs": paragraphs}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);

    let r = app
        .get(&format!("{path}/versions/zero-draft/report"), None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["next_version"], "rev1");
    assert!(!r.text.contains("HIDDENWORDS") && !r.text.contains("WITHDRAWNWORDS"));

    // Every sentence cites; every cited input exists and the reader may see it.
    let mut cited = std::collections::BTreeSet::new();
    let mut sentences: Vec<Value> = r.body["summary"].as_array().unwrap().clone();
    for p in r.body["paragraphs"].as_array().unwrap() {
        sentences.extend(p["sentences"].as_array().unwrap().iter().cloned());
    }
    for s in &sentences {
        let cites = s["cites"].as_array().unwrap();
        assert!(!cites.is_empty(), "a sentence without inputs: {s}");
        cited.extend(cites.iter().map(|c| c.as_i64().unwrap()));
        if !s["quote"].is_null() {
            assert!(cites.contains(&s["quote"]["id"]), "{s}");
        }
    }
    for id in &cited {
        let c = app.get(&format!("/api/v1/comments/{id}"), None).await;
        assert_eq!(c.status, StatusCode::OK, "#{id}: {}", c.text);
        assert_eq!(c.body["status"], "visible", "#{id}");
    }
    assert!(!cited.contains(&hidden) && !cited.contains(&withdrawn));
    let mut expected: Vec<i64> = campaign.iter().chain(&theme).copied().collect();
    expected.extend([single, general]);
    assert_eq!(cited.iter().copied().collect::<Vec<_>>(), {
        expected.sort_unstable();
        expected
    });

    let first = &r.body["paragraphs"][0];
    assert_eq!(first["key"], p1.as_str());
    assert_eq!(first["campaigns"][0]["ids"], json!(campaign));
    assert_eq!(first["themes"][0]["ids"], json!(theme));
    let texts: Vec<&str> = first["sentences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts,
        [
            "9 inputs on this paragraph.",
            "6 near-identical inputs, a campaign, say:",
            "3 inputs make this point:",
            "2 of these inputs informed paragraph 1 of rev1."
        ]
    );
    assert_eq!(
        first["sentences"][3]["cites"],
        json!([campaign[0], theme[1]])
    );
    // Small cells withheld, as in the balance: three scholars are a small cell.
    let groups = &first["counts"]["stakeholder_group"];
    assert_eq!(groups["academia"]["suppressed"], true, "{groups}");
    assert_eq!(groups["academia"]["contributors"], Value::Null);
    assert_eq!(r.body["paragraphs"][2]["key"], Value::Null);

    // The subtraction attack on the report: a reader counts the inputs each paragraph
    // cites and subtracts the gender cells shown. A lone withheld cell would be that
    // difference; the teacher's paragraph, one input, tells nothing of her gender.
    for p in r.body["paragraphs"].as_array().unwrap() {
        // General inputs (on no paragraph) have no tables of their own.
        let Some(genders) = p["counts"]["gender"].as_object() else {
            continue;
        };
        let withheld = genders.values().filter(|c| c["suppressed"] == true).count();
        assert_ne!(withheld, 1, "a lone withheld gender cell: {p}");
    }
    let lone = &r.body["paragraphs"][1];
    assert_eq!(lone["key"], p3.as_str());
    assert_eq!(lone["sentences"][0]["cites"], json!([single]));
    let genders = lone["counts"]["gender"].as_object().unwrap();
    assert!(genders.len() >= 6, "every gender is listed: {genders:?}");
    assert!(
        genders.values().all(|c| c["suppressed"] == true),
        "{genders:?}"
    );

    // Word and HTML: the same sentences, each with its inputs.
    let res = app
        .get(&format!("{path}/versions/zero-draft/report.docx"), None)
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let doc = read_docx(&res.bytes);
    let lines: Vec<&str> = doc.iter().map(|p| p["text"].as_str().unwrap()).collect();
    assert!(
        !lines
            .iter()
            .any(|l| l.contains("HIDDENWORDS") || l.contains("WITHDRAWNWORDS")),
        "{lines:?}"
    );
    let ids: Vec<String> = campaign.iter().map(|id| format!("#{id}")).collect();
    assert!(
        lines.iter().any(
            |l| l.starts_with("6 near-identical inputs, a campaign, say:")
                && l.contains(&ids.join(", "))
        ),
        "{lines:?}"
    );
    let res = app
        .get(&format!("{path}/versions/zero-draft/report.html"), None)
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    for id in &cited {
        assert!(
            res.text.contains(&format!("/comments/{id}\">#{id}</a>")),
            "#{id}"
        );
    }
    assert!(!res.text.contains("HIDDENWORDS"));
    let res = app.get(&format!("{path}/versions/rev9/report"), None).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{}", res.text);
}
