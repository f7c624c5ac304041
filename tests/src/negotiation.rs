//! A negotiation to test the end of the process on: a consultation on [`SMALL_DRAFT`]
//! in the negotiation phase, delegations of Brazil and Kenya with a delegate each, and
//! the G77 and China chaired by Kenya.

use awc::http::{Method, StatusCode};
use serde_json::{json, Value};

use crate::{open_consultation_from, Account, TestApp, SMALL_DRAFT};

pub struct Negotiation {
    pub organizer: String,
    pub id: i64,
    pub slug: String,
    /// The keys of paragraphs 1, 2, 2(a), 2(b) and 3.
    pub keys: Vec<String>,
    pub brazil: i64,
    pub kenya: i64,
    pub g77: i64,
    pub brazil_delegate: Account,
    pub kenya_delegate: Account,
}

impl Negotiation {
    pub fn path(&self) -> String {
        format!("/api/v1/consultations/{}", self.id)
    }

    /// Tables an amendment to paragraph `key` for `speaks_for` (`{delegation_id}` or
    /// `{group_id}`); returns its id.
    pub async fn table(
        &self,
        app: &TestApp,
        who: &Account,
        speaks_for: Value,
        key: &str,
        proposed: &str,
    ) -> i64 {
        let res = app
            .post(
                &format!("{}/comments", self.path()),
                Some(&who.token),
                &json!({"body": "We propose new wording.", "kind": "amendment",
                        "paragraph_key": key, "proposed_text": proposed,
                        "on_behalf_of": speaks_for}),
            )
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
        res.body["id"].as_i64().unwrap()
    }
}

async fn created(app: &TestApp, token: &str, path: &str, body: Value) -> i64 {
    let res = app.post(path, Some(token), &body).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    res.body["id"].as_i64().unwrap()
}

async fn put_ok(app: &TestApp, token: &str, path: &str, body: Value) {
    let res = app.send(Method::PUT, path, Some(token), &body).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
}

pub async fn negotiation(app: &TestApp) -> Negotiation {
    let (_, admin) = app.user_with_roles("Admin", &["admin"]).await;
    let (_, organizer) = app.user_with_roles("Co-facilitator", &["organizer"]).await;
    let brazil_delegate = app
        .account("Ana Souza", &[], "government", "BR", None, None)
        .await;
    let kenya_delegate = app
        .account("Amina Otieno", &[], "government", "KE", None, None)
        .await;
    let delegation = |name: &'static str, country: &'static str| {
        created(
            app,
            &admin,
            "/api/v1/delegations",
            json!({"name": name, "status": "member", "country": country}),
        )
    };
    let brazil = delegation("Brazil", "BR").await;
    let kenya = delegation("Kenya", "KE").await;
    for (d, who) in [(brazil, &brazil_delegate), (kenya, &kenya_delegate)] {
        let path = format!("/api/v1/delegations/{d}/delegates");
        put_ok(app, &admin, &path, json!({"user_ids": [who.id]})).await;
    }
    let g77 = created(
        app,
        &admin,
        "/api/v1/groups",
        json!({"name": "G77 and China"}),
    )
    .await;
    let path = format!("/api/v1/groups/{g77}/members");
    let members = json!({"delegation_ids": [brazil, kenya], "chair_id": kenya});
    put_ok(app, &admin, &path, members).await;

    let (id, slug) = open_consultation_from(app, &organizer, "zero-draft", SMALL_DRAFT).await;
    let detail = app.get(&format!("/api/v1/consultations/{id}"), None).await;
    let keys = detail.body["version"]["paragraphs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["key"].as_str().unwrap().to_owned())
        .collect();
    let path = format!("/api/v1/consultations/{id}/phase");
    put_ok(app, &organizer, &path, json!({"phase": "negotiation"})).await;
    Negotiation {
        organizer,
        id,
        slug,
        keys,
        brazil,
        kenya,
        g77,
        brazil_delegate,
        kenya_delegate,
    }
}
