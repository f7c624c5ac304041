//! Search and review over real HTTP on SQLite and PostgreSQL: every script, facets,
//! filters, highlights, paging, review status and tags, hidden inputs, the balance of
//! voices, campaign clusters and exports; and the index following the database.

use awc::http::{Method, StatusCode};
use indaba_tests::*;
use serde_json::{json, Value};

every_backend!(
    search_in_every_script_with_facets,
    review_tags_and_filters,
    balance_duplicates_and_export,
    bulk_review_is_all_or_nothing_and_every_change_is_in_the_history,
    the_chinese_compact_is_found_by_its_words,
    counts_are_exact_where_the_usual_engines_are_not,
    reviewers_search_neither_finds_nor_counts_hidden_inputs,
    nobody_finds_an_anonymous_contribution_by_its_authors_name,
    the_export_never_names_an_anonymous_author_to_reviewers,
    the_export_leaves_hidden_inputs_to_moderators,
    moderators_search_hidden_inputs_and_their_looks_are_audited,
    the_workbench_and_its_export_show_what_the_reviewer_may_see,
    erased_authors_leave_the_export,
    erased_reviewers_leave_reviews_and_their_history,
);

struct Fixture {
    app: TestApp,
    organizer: String,
    cofacilitator: String,
    cofacilitator_id: i64,
    id: i64,
    keys: Vec<String>,
}

async fn fixture(backend: Backend) -> Fixture {
    let app = spawn_app_with(backend, Options::new().with("INDABA_RATE_LIMITS", "off")).await;
    let (_, organizer) = app.user_with_roles("Org", &["organizer"]).await;
    let id = open_consultation(&app, &organizer).await;
    let (cofac_id, cofacilitator) = app
        .member("Cofac", &[], "intergovernmental", "CH", Some("female"))
        .await;
    let res = app
        .send(
            Method::PUT,
            &format!("/api/v1/consultations/{id}/cofacilitators"),
            Some(&organizer),
            &json!({"user_ids": [cofac_id]}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let detail = app.get(&format!("/api/v1/consultations/{id}"), None).await;
    let keys = detail.body["version"]["paragraphs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["key"].as_str().unwrap().to_owned())
        .collect();
    Fixture {
        app,
        organizer,
        cofacilitator,
        cofacilitator_id: cofac_id,
        id,
        keys,
    }
}

impl Fixture {
    async fn post(&self, token: &str, body: Value) -> i64 {
        let res = self
            .app
            .post(
                &format!("/api/v1/consultations/{}/comments", self.id),
                Some(token),
                &body,
            )
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
        res.body["id"].as_i64().unwrap()
    }

    async fn review(&self, id: i64, token: String, body: Value) -> Response {
        self.app
            .send(
                Method::PATCH,
                &format!("/api/v1/comments/{id}/review"),
                Some(&token),
                &body,
            )
            .await
    }

    async fn bulk(&self, token: &str, body: Value) -> Response {
        let path = format!("/api/v1/consultations/{}/reviews", self.id);
        self.app.post(&path, Some(token), &body).await
    }

    async fn search(&self, query: &str, token: Option<&str>) -> Response {
        self.app
            .get(
                &format!("/api/v1/consultations/{}/search?{query}", self.id),
                token,
            )
            .await
    }

    /// Makes these accounts the consultation's co-facilitators, besides the fixture's.
    async fn add_cofacilitators(&self, ids: &[i64]) {
        let mut all = vec![self.cofacilitator_id];
        all.extend_from_slice(ids);
        let res = self
            .app
            .send(
                Method::PUT,
                &format!("/api/v1/consultations/{}/cofacilitators", self.id),
                Some(&self.organizer),
                &json!({"user_ids": all}),
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    }

    async fn hide(&self, id: i64, moderator: &str) {
        let res = self
            .app
            .post(
                &format!("/api/v1/comments/{id}/moderation"),
                Some(moderator),
                &json!({"action": "hide", "reason": "Off topic"}),
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    }

    async fn export(&self, format: &str, token: &str) -> Response {
        let res = self
            .app
            .get(
                &format!("/api/v1/consultations/{}/export?format={format}", self.id),
                Some(token),
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        res
    }

    /// Searches until the answer has `total` results.
    async fn search_until(&self, query: &str, token: Option<&str>, total: u64) -> Response {
        let path = format!("/api/v1/consultations/{}/search?{query}", self.id);
        self.app.get_until_total(&path, token, total).await
    }
}

fn ids(res: &Response) -> Vec<i64> {
    res.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["comment"]["id"].as_i64().unwrap())
        .collect()
}

/// Five voices in five scripts and groups, one of them an amendment.
async fn voices(f: &Fixture) -> [i64; 5] {
    let (_, kenya) = f
        .app
        .member("Wanjiru", &[], "civil_society", "KE", Some("female"))
        .await;
    let (_, germany) = f
        .app
        .member("Jonas", &[], "private_sector", "DE", Some("male"))
        .await;
    let (_, russia) = f
        .app
        .member("Olga", &[], "academia", "RU", Some("female"))
        .await;
    let (_, egypt) = f.app.member("Omar", &[], "government", "EG", None).await;
    let (_, france) = f
        .app
        .member("Claire", &[], "technical_community", "FR", Some("female"))
        .await;
    let zh = f
        .post(&kenya, json!({"body": "我们呼吁弥合数字鸿沟，确保每个人都能负担得起上网费用。", "language": "zh", "paragraph_key": f.keys[0]}))
        .await;
    let en = f
        .post(&germany, json!({"body": "Connecting every school and hospital must come first.", "language": "en", "paragraph_key": f.keys[1]}))
        .await;
    let ru = f
        .post(&russia, json!({"body": "Цифровые навыки важны для всех поколений.", "language": "ru", "paragraph_key": f.keys[1]}))
        .await;
    let ar = f
        .post(
            &egypt,
            json!({"body": "يجب سدّ الفجوة الرَّقْمِيَّة بين الشمال والجنوب.", "language": "ar"}),
        )
        .await;
    let fr = f
        .post(&france, json!({"body": "Ajouter « abordable » après « connectivité ».", "kind": "amendment",
                               "proposed_text": "Une connectivité universelle et abordable.", "language": "fr", "paragraph_key": f.keys[0]}))
        .await;
    [zh, en, ru, ar, fr]
}

async fn search_in_every_script_with_facets(backend: Backend) {
    let meilisearch = matches!(backend, Backend::Meilisearch(_));
    let f = fixture(backend).await;
    let [zh, en, ru, ar, fr] = voices(&f).await;
    let all = f.search_until("", None, 5).await;
    // Without a query, newest first.
    assert_eq!(ids(&all), [fr, ar, ru, en, zh]);
    let facets = &all.body["facets"];
    for group in [
        "civil_society",
        "private_sector",
        "academia",
        "government",
        "technical_community",
    ] {
        assert_eq!(facets["stakeholder_group"][group], 1, "{group}");
    }
    assert_eq!(facets["region"]["african"], 2);
    assert_eq!(facets["language"]["zh"], 1);
    assert_eq!(facets["paragraph_key"][&f.keys[1]], 2);
    // Review facets are for co-facilitators only.
    assert!(facets.get("review_status").is_none());
    assert!(all.body["items"][0]["comment"].get("review").is_none());
    assert!(all.body["took_ms"].is_u64());

    // Chinese: a phrase of bigrams, marked as one run.
    let res = f
        .search("q=%E6%95%B0%E5%AD%97%E9%B8%BF%E6%B2%9F", None)
        .await; // 数字鸿沟
    assert_eq!(ids(&res), [zh], "{}", res.text);
    let mark = res.body["items"][0]["highlight"].as_str().unwrap();
    assert!(mark.contains("<mark>数字鸿沟</mark>"), "{mark}");
    // English stems: "connected" finds "Connecting".
    // With Meilisearch, one stem serves English, French and Spanish alike (docs/search.md):
    // the French "connectivité" shares "connect" with it there.
    let connect = |res: &Response| {
        if meilisearch {
            let mut found = ids(res);
            found.sort_unstable();
            let mut want = vec![en, fr];
            want.sort_unstable();
            assert_eq!(found, want, "{}", res.text);
        } else {
            assert_eq!(ids(res), [en], "{}", res.text);
        }
    };
    let res = f.search("q=connected", None).await;
    connect(&res);
    let item = res.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["comment"]["id"] == en)
        .unwrap();
    assert!(item["highlight"]
        .as_str()
        .unwrap()
        .contains("<mark>Connecting</mark>"));
    // Russian inflections, Arabic without diacritics and with a folded ta marbuta.
    assert_eq!(
        ids(&f
            .search("q=%D1%86%D0%B8%D1%84%D1%80%D0%BE%D0%B2%D0%BE%D0%B9", None)
            .await),
        [ru]
    ); // цифровой
    assert_eq!(
        ids(&f
            .search("q=%D8%A7%D9%84%D8%B1%D9%82%D9%85%D9%8A%D9%87", None)
            .await),
        [ar]
    ); // الرقميه
       // Arabic words joined to و (and) are found by the word alone: والجنوب → الجنوب.
    assert_eq!(
        ids(&f
            .search("q=%D8%A7%D9%84%D8%AC%D9%86%D9%88%D8%A8", None)
            .await),
        [ar]
    ); // الجنوب
       // A typo: nothing matches as typed, so one letter of tolerance, said so.
    let res = f.search("q=conecting", None).await;
    connect(&res);
    assert_eq!(res.body["approximate"], true);
    assert_eq!(
        f.search("q=connecting", None).await.body["approximate"],
        false
    );
    // The proposed text of an amendment is searched too.
    assert_eq!(ids(&f.search("q=abordable+universelle", None).await), [fr]);
    // Every word must match.
    assert_eq!(
        f.search("q=connected+nothinglikethis", None).await.body["total"],
        0
    );

    // Filters: values of one filter widen, filters together narrow.
    let res = f
        .search("stakeholder_group=civil_society,academia", None)
        .await;
    assert_eq!(ids(&res), [ru, zh]);
    let res = f
        .search(
            "stakeholder_group=civil_society,academia&region=african",
            None,
        )
        .await;
    assert_eq!(ids(&res), [zh]);
    assert_eq!(ids(&f.search("kind=amendment", None).await), [fr]);
    assert_eq!(
        ids(&f
            .search(&format!("paragraph_key={}", f.keys[1]), None)
            .await),
        [ru, en]
    );
    assert_eq!(ids(&f.search("language=ar", None).await), [ar]);
    assert_eq!(ids(&f.search("country=de", None).await), [en]);

    // Paging by cursor, no overlap, same total.
    let first = f.search("limit=2", None).await;
    assert_eq!(ids(&first), [fr, ar]);
    let cursor = first.body["next_cursor"].as_str().unwrap().to_owned();
    let second = f.search(&format!("limit=2&cursor={cursor}"), None).await;
    assert_eq!(ids(&second), [ru, en]);
    assert_eq!(second.body["total"], 5);
    let cursor = second.body["next_cursor"].as_str().unwrap().to_owned();
    let third = f.search(&format!("limit=2&cursor={cursor}"), None).await;
    assert_eq!(ids(&third), [zh]);
    assert!(third.body["next_cursor"].is_null());

    // Across the platform: the same contributions, public fields only.
    let res = f.app.get("/api/v1/search?q=connected", None).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert!(ids(&res).contains(&en));
    assert_eq!(res.body["items"][0]["type"], "comment");

    // Bad input: named, 4xx, never 500.
    for (query, field) in [
        ("sort=loudest", "sort"),
        ("kind=opinion", "kind"),
        ("limit=0", "limit"),
        ("cursor=bogus", "cursor"),
        ("review_status=done", "review_status"),
    ] {
        let res = f.search(query, Some(&f.cofacilitator)).await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{query}: {}",
            res.text
        );
        assert!(res.field(field).is_some(), "{query}: {}", res.text);
    }
    let long = "q=".to_owned() + &"a".repeat(501);
    assert_eq!(
        f.search(&long, None).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // Stray query syntax is searched for, not an error.
    assert_eq!(
        f.search("q=%22unbalanced+%28", None).await.status,
        StatusCode::OK
    );
    let res = f.search("tag=privacy", None).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text);
    let res = f.app.get("/api/v1/consultations/999999/search", None).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let res = f.app.get("/api/v1/search?type=poem", None).await;
    assert_eq!(res.code(), "invalid_query");
}

async fn review_tags_and_filters(backend: Backend) {
    let f = fixture(backend).await;
    let [zh, en, _ru, ar, _fr] = voices(&f).await;
    f.search_until("", None, 5).await;
    let review = |id: i64, token: &str, body: Value| f.review(id, token.to_owned(), body);
    let res = review(zh, &f.cofacilitator, json!({"status": "incorporated", "tags": ["Connectivity", " affordability ", "connectivity"], "note": "Into rev1, paragraph 1"})).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["review"]["status"], "incorporated");
    assert_eq!(
        res.body["review"]["tags"],
        json!(["connectivity", "affordability"])
    );
    // A later change keeps what it does not name.
    let res = review(zh, &f.organizer, json!({"tags": ["connectivity"]})).await;
    assert_eq!(res.body["review"]["status"], "incorporated");
    assert_eq!(res.body["review"]["note"], "Into rev1, paragraph 1");
    let res = review(
        en,
        &f.cofacilitator,
        json!({"status": "out_of_scope", "tags": ["health"]}),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK);

    let res = f
        .search_until("review_status=incorporated", Some(&f.cofacilitator), 1)
        .await;
    assert_eq!(ids(&res), [zh]);
    assert_eq!(
        res.body["items"][0]["comment"]["review"]["tags"],
        json!(["connectivity"])
    );
    let res = f
        .search_until("tag=connectivity,health", Some(&f.cofacilitator), 2)
        .await;
    assert_eq!(res.body["facets"]["review_status"]["out_of_scope"], 1);
    let all = f.search("", Some(&f.cofacilitator)).await;
    assert_eq!(all.body["facets"]["review_status"]["new"], 3);
    // Query syntax cannot reach the review facets: `facets:/review_status/…` is words.
    for q in [
        "facets%3A%2Freview_status%2Fincorporated",
        "facets%3A%22%2Ftag%2Fhealth%22",
    ] {
        let res = f.search(&format!("q={q}"), None).await;
        assert_eq!(res.status, StatusCode::OK);
        assert_eq!(res.body["total"], 0, "{q}: {}", res.text);
        let res = f.app.get(&format!("/api/v1/search?q={q}"), None).await;
        assert_eq!(res.body["total"], 0, "{q}: {}", res.text);
    }
    assert_eq!(all.body["facets"]["tag"]["health"], 1);

    // Who may review, and bad input.
    let (_, participant) = f.app.member("Pat", &[], "academia", "IN", None).await;
    assert_eq!(
        review(ar, &participant, json!({"status": "read"}))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let res = f
        .app
        .send(
            Method::PATCH,
            &format!("/api/v1/comments/{ar}/review"),
            None,
            &json!({"status": "read"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    let res = review(
        ar,
        &f.cofacilitator,
        json!({"status": "done", "tags": ["x".repeat(51)]}),
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.field("status").is_some() && res.field("tags").is_some(),
        "{}",
        res.text
    );
    let too_many: Vec<String> = (0..21).map(|i| format!("t{i}")).collect();
    assert!(review(ar, &f.cofacilitator, json!({"tags": too_many}))
        .await
        .field("tags")
        .is_some());
    assert!(review(ar, &f.cofacilitator, json!({"assignee_id": 1}))
        .await
        .field("assignee_id")
        .is_some());
    assert_eq!(
        review(ar, &f.cofacilitator, json!({"stauts": "read"}))
            .await
            .status
            .as_u16()
            / 100,
        4
    );
    assert_eq!(
        review(ar, &f.cofacilitator, json!({"status": 3}))
            .await
            .status
            .as_u16()
            / 100,
        4
    );
    assert_eq!(
        review(999_999, &f.cofacilitator, json!({"status": "read"}))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let res = f
        .app
        .raw(
            Method::PATCH,
            &format!("/api/v1/comments/{ar}/review"),
            Some(&f.cofacilitator),
            Some(("application/json", "{\"status\":")),
        )
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "{}", res.text);
    // Nothing of the refused changes was kept.
    let res = f
        .search_until("review_status=new", Some(&f.cofacilitator), 3)
        .await;
    assert!(ids(&res).contains(&ar));

    // A hidden input leaves search for everyone: its text reaches moderators only, and
    // co-facilitators are not moderators ("Who sees what" in the contract).
    let (_, moderator) = f.app.user_with_roles("Mod", &["moderator"]).await;
    let res = f
        .app
        .post(
            &format!("/api/v1/comments/{ar}/moderation"),
            Some(&moderator),
            &json!({"action": "hide", "reason": "Off topic"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    f.search_until("", None, 4).await;
    let res = f.search("language=ar", Some(&f.cofacilitator)).await;
    assert!(ids(&res).is_empty(), "{}", res.text);
}

async fn balance_duplicates_and_export(backend: Backend) {
    let f = fixture(backend).await;
    let [zh, ..] = voices(&f).await;
    let letter = "We call on member states to guarantee universal, affordable and meaningful connectivity for every school by 2030, and to protect human rights online.";
    let mut campaign = Vec::new();
    for (i, who) in ["Ana", "Bo", "Chen"].iter().enumerate() {
        let (_, token) = f
            .app
            .member(who, &[], "civil_society", "BR", Some("female"))
            .await;
        let body = if i == 1 {
            format!("Dear co-facilitators, {letter}")
        } else {
            format!("{letter} Signed, {who}")
        };
        campaign.push(
            f.post(&token, json!({"body": body, "paragraph_key": f.keys[2]}))
                .await,
        );
    }

    let path = |what: &str| format!("/api/v1/consultations/{}/{what}", f.id);
    let res = f.app.get(&path("duplicates"), Some(&f.cofacilitator)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body.as_array().unwrap().len(), 1, "{}", res.text);
    assert_eq!(res.body[0]["size"], 3);
    assert_eq!(res.body[0]["representative_id"], campaign[0]);
    assert_eq!(res.body[0]["member_ids"], json!(campaign));
    let res = f
        .app
        .get(
            &format!("{}?min_size=4", path("duplicates")),
            Some(&f.cofacilitator),
        )
        .await;
    assert_eq!(res.body, json!([]));
    assert_eq!(
        f.app
            .get(
                &format!("{}?min_size=1", path("duplicates")),
                Some(&f.cofacilitator)
            )
            .await
            .code(),
        "invalid_query"
    );

    let res = f.app.get(&path("balance"), Some(&f.cofacilitator)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let b = &res.body;
    assert_eq!(b["contributions"], 8);
    assert_eq!(b["contributors"], 8);
    // Cells of one to four people are withheld; zero is shown (it names the missing).
    let withheld = json!({"contributors": null, "contributions": null, "suppressed": true});
    assert_eq!(b["overall"]["stakeholder_group"]["civil_society"], withheld);
    assert_eq!(
        b["overall"]["stakeholder_group"]["intergovernmental"],
        json!({"contributors": 0, "contributions": 0})
    );
    assert_eq!(b["overall"]["region"]["latin_american_caribbean"], withheld);
    // Six women, one man, one not given: the two ones alone would add up to 8 − 6, so
    // the six are withheld too (secondary suppression).
    assert_eq!(b["overall"]["gender"]["female"], withheld);
    assert_eq!(b["overall"]["gender"]["male"], withheld);
    assert_eq!(b["overall"]["gender"]["unknown"], withheld);
    // By the language written in: four people in English, one in each other language.
    let languages = b["overall"]["language"].as_object().unwrap();
    let mut named: Vec<&str> = languages.keys().map(String::as_str).collect();
    named.sort_unstable();
    assert_eq!(named, ["ar", "en", "fr", "ru", "zh"]);
    assert!(languages.values().all(|c| *c == withheld), "{languages:?}");
    assert_eq!(
        b["missing"]["stakeholder_group"],
        json!(["intergovernmental"])
    );
    assert_eq!(b["missing"]["region"], json!(["asia_pacific"]));
    let p3 = b["paragraphs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["paragraph_key"] == f.keys[2].as_str())
        .unwrap();
    // Three people on the paragraph: its totals are a small cell themselves.
    assert_eq!(p3["contributors"], Value::Null);
    assert_eq!(p3["contributions"], Value::Null);
    assert_eq!(p3["missing"]["region"].as_array().unwrap().len(), 4);

    f.app
        .send(
            Method::PATCH,
            &format!("/api/v1/comments/{zh}/review"),
            Some(&f.cofacilitator),
            &json!({"status": "read", "tags": ["=cmd"]}),
        )
        .await;
    let res = f.app.get(&path("export"), Some(&f.cofacilitator)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["total"], 8);
    let row = res.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == zh)
        .unwrap();
    assert_eq!(row["stakeholder_group"], "civil_society");
    assert_eq!(row["country"], "KE");
    assert_eq!(row["review_status"], "read");
    let res = f
        .app
        .get(
            &format!("{}?format=csv", path("export")),
            Some(&f.cofacilitator),
        )
        .await;
    assert_eq!(res.header("content-type"), Some("text/csv; charset=utf-8"));
    let mut reader = csv::Reader::from_reader(res.text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers[0], "id");
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 8);
    let tags_col = headers.iter().position(|h| h == "tags").unwrap();
    let zh_row = records.iter().find(|r| r[0] == zh.to_string()).unwrap();
    assert_eq!(&zh_row[tags_col], "'=cmd", "formulas are defused");
    assert_eq!(
        f.app
            .get(
                &format!("{}?format=xml", path("export")),
                Some(&f.cofacilitator)
            )
            .await
            .code(),
        "invalid_query"
    );

    // Only reviewers.
    let (_, participant) = f.app.member("Pat", &[], "academia", "IN", None).await;
    for what in ["balance", "duplicates", "export"] {
        assert_eq!(
            f.app.get(&path(what), Some(&participant)).await.status,
            StatusCode::FORBIDDEN,
            "{what}"
        );
        assert_eq!(
            f.app.get(&path(what), None).await.status,
            StatusCode::UNAUTHORIZED,
            "{what}"
        );
    }
}

async fn bulk_review_is_all_or_nothing_and_every_change_is_in_the_history(backend: Backend) {
    let f = fixture(backend).await;
    let [zh, en, ru, ar, fr] = voices(&f).await;
    let res = f
        .review(zh, f.cofacilitator.clone(), json!({"tags": ["keep-me"]}))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);

    let res = f
        .bulk(
            &f.cofacilitator,
            json!({"comment_ids": [zh, en, ru], "status": "read", "add_tags": ["Connectivity"]}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["items"].as_array().unwrap().len(), 3);
    let res = f
        .app
        .get(
            &format!("/api/v1/comments/{zh}/review/history"),
            Some(&f.cofacilitator),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let history = res.body["items"].as_array().unwrap();
    assert_eq!(history.len(), 2, "{}", res.text);
    assert_eq!(history[1]["before"]["tags"], json!(["keep-me"]));
    assert_eq!(
        history[1]["after"]["tags"],
        json!(["keep-me", "connectivity"]),
        "other tags kept"
    );
    assert_eq!(history[1]["after"]["status"], "read");
    assert_eq!(history[1]["by"]["display_name"], "Cofac");

    // One bad id and nothing changes for the others.
    let before = f
        .app
        .get(
            &format!("/api/v1/comments/{ar}/review/history"),
            Some(&f.cofacilitator),
        )
        .await;
    assert_eq!(before.body["items"], json!([]));
    let res = f
        .bulk(
            &f.cofacilitator,
            json!({"comment_ids": [ar, 999_999_999], "status": "incorporated"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    assert_eq!(
        res.field("comment_ids").map(|m| m.contains("999999999")),
        Some(true),
        "{}",
        res.text
    );
    let after = f
        .app
        .get(
            &format!("/api/v1/comments/{ar}/review/history"),
            Some(&f.cofacilitator),
        )
        .await;
    assert_eq!(after.body["items"], json!([]), "all or nothing");

    // Removing a tag; bad input; not for participants.
    let res = f
        .bulk(
            &f.organizer,
            json!({"comment_ids": [zh, fr], "remove_tags": ["keep-me"]}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(
        res.body["items"][0]["review"]["tags"],
        json!(["connectivity"])
    );
    for bad in [
        json!({"comment_ids": [], "status": "read"}),
        json!({"comment_ids": [zh]}),
        json!({"comment_ids": [zh], "status": "maybe"}),
        json!({"comment_ids": [zh], "add_tags": [""]}),
    ] {
        let res = f.bulk(&f.cofacilitator, bad.clone()).await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {}",
            res.text
        );
    }
    let (_, participant) = f.app.member("Reader", &[], "academia", "FR", None).await;
    assert_eq!(
        f.bulk(&participant, json!({"comment_ids": [zh], "status": "read"}))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        f.app
            .get(
                &format!("/api/v1/comments/{zh}/review/history"),
                Some(&participant)
            )
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    f.app.stop().await;
}

/// The Global Digital Compact in Chinese, each of its 74 paragraphs and 89 lettered items
/// posted as a contribution on itself: a query finds exactly the contributions whose text
/// holds the word, first and all of them, and none of the others.
async fn the_chinese_compact_is_found_by_its_words(backend: Backend) {
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/corpus/global-digital-compact.zh.txt");
    let Ok(gdc) = std::fs::read_to_string(&corpus) else {
        eprintln!("skipped: {} is absent", corpus.display());
        return;
    };
    let f = fixture(backend).await;
    let res = f
        .app
        .post(
            &format!("/api/v1/consultations/{}/versions", f.id),
            Some(&f.organizer),
            &json!({"label": "gdc-zh", "source": gdc}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    // The 74 paragraphs, their 89 lettered items, and the five unnumbered ones.
    let paragraphs: Vec<(String, String)> = res.body["paragraphs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["key"].as_str().unwrap().to_owned(),
                p["text"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(paragraphs.len(), 74 + 89 + 5);
    let (_, writer) = f
        .app
        .member("Li", &[], "academia", "CN", Some("female"))
        .await;
    let mut posted: Vec<(i64, String)> = Vec::new();
    for (key, text) in &paragraphs {
        let body = text.chars().take(5000).collect::<String>();
        let id = f
            .post(
                &writer,
                json!({"body": body, "language": "zh", "paragraph_key": key}),
            )
            .await;
        posted.push((id, body));
    }
    f.search_until("language=zh", None, posted.len() as u64)
        .await;
    for word in ["数字鸿沟", "人工智能", "数据治理", "互联网治理论坛"] {
        let mut expected: Vec<i64> = posted
            .iter()
            .filter(|(_, text)| text.contains(word))
            .map(|(id, _)| *id)
            .collect();
        expected.sort_unstable();
        assert!(!expected.is_empty(), "{word} is in the compact");
        let res = f
            .search(&format!("q={}&limit=200", encode_query(word)), None)
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        assert_eq!(
            res.body["total"],
            expected.len() as u64,
            "{word}: {}",
            res.text
        );
        let mut found = ids(&res);
        found.sort_unstable();
        assert_eq!(found, expected, "{word}");
        let mark = format!("<mark>{word}</mark>");
        for item in res.body["items"].as_array().unwrap() {
            let highlight = item["highlight"].as_str().unwrap();
            assert!(highlight.contains(&mark), "{word}: {highlight}");
        }
    }
    // 数据治理 is not every text with 数据 in it.
    let data = posted.iter().filter(|(_, t)| t.contains("数据")).count();
    let governance = posted
        .iter()
        .filter(|(_, t)| t.contains("数据治理"))
        .count();
    assert!(data > governance, "{data} {governance}");
}

/// Where a common engine miscounts: a Chinese word is not its characters apart, an
/// Arabic word is found with the particles joined to it, a Russian word in its cases.
async fn counts_are_exact_where_the_usual_engines_are_not(backend: Backend) {
    let f = fixture(backend).await;
    let (_, writer) = f
        .app
        .member("Amal", &[], "civil_society", "MA", Some("female"))
        .await;
    let texts = [
        ("zh", "数据治理需要多方参与。"),
        ("zh", "加强数据保护，完善治理框架。"),
        ("zh", "数据共享与全球治理。"),
        ("ar", "نؤكد على الخصوصية في كل مكان."),
        ("ar", "ونطالب والخصوصية مصانة."),
        ("ar", "نلتزم بالخصوصية دائما."),
        ("ar", "حماية للخصوصية للجميع."),
        ("ar", "فالخصوصية حق أساسي."),
        ("ar", "الأمن السيبراني أولا."),
        ("ru", "Цифровой разрыв растёт."),
        ("ru", "Преодоление цифрового разрыва."),
        ("ru", "Борьба с цифровым разрывом."),
        ("ru", "Цифровые навыки важны."),
    ];
    let mut ids_by_text = Vec::new();
    for (language, body) in texts {
        let id = f
            .post(&writer, json!({"body": body, "language": language}))
            .await;
        ids_by_text.push(id);
    }
    f.search_until("", None, texts.len() as u64).await;
    let expect = |word: &str, which: &[usize]| {
        let mut want: Vec<i64> = which.iter().map(|i| ids_by_text[*i]).collect();
        want.sort_unstable();
        (word.to_owned(), want)
    };
    for (word, want) in [
        // Only the first holds 数据治理; the others hold 数据 and 治理 apart.
        expect("数据治理", &[0]),
        expect("数据", &[0, 1, 2]),
        // الخصوصية alone and with ال، و، ب، ل، ف joined.
        expect("الخصوصية", &[3, 4, 5, 6, 7]),
        expect("خصوصية", &[3, 4, 5, 6, 7]),
        // разрыв in the nominative, genitive and instrumental.
        expect("разрыв", &[9, 10, 11]),
        expect("цифрового разрыва", &[9, 10, 11]),
    ] {
        let res = f
            .search(&format!("q={}&limit=50", encode_query(&word)), None)
            .await;
        let mut found = ids(&res);
        found.sort_unstable();
        assert_eq!(found, want, "{word}: {}", res.text);
        assert_eq!(res.body["total"], want.len() as u64, "{word}");
        assert_eq!(res.body["approximate"], false, "{word}");
    }
}

/// Meilisearch down at start: the server starts and says it is not ready, searches answer
/// 503 with the contract's error (never 500), and contributions are still taken: the
/// indexer catches up from the job log once Meilisearch answers.
#[actix_web::test]
async fn an_unreachable_meilisearch_is_a_503_and_loses_nothing() {
    let url = format!("http://127.0.0.1:{}", free_port());
    let app = spawn_app_with(
        Backend::Sqlite,
        Options::new()
            .with("INDABA_MEILISEARCH_URL", &url)
            .with("INDABA_MEILISEARCH_INDEX", "unreachable")
            .unready(),
    )
    .await;
    let ready = app.get("/readyz", None).await;
    assert_eq!(
        ready.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        ready.text
    );
    assert_eq!(ready.body["checks"]["search"], "building");
    let (_, organizer) = app.user_with_roles("Org", &["organizer"]).await;
    let id = open_consultation(&app, &organizer).await;
    let (_, member) = app.member("Ana", &[], "academia", "BR", None).await;
    let res = app
        .post(
            &format!("/api/v1/consultations/{id}/comments"),
            Some(&member),
            &json!({"body": "Kept while search is down.", "language": "en"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let res = app
        .get(&format!("/api/v1/consultations/{id}/search?q=kept"), None)
        .await;
    assert_eq!(res.status, StatusCode::SERVICE_UNAVAILABLE, "{}", res.text);
    assert_eq!(res.code(), "service_unavailable");
    let res = app.get("/api/v1/search?q=kept", None).await;
    assert_eq!(res.status, StatusCode::SERVICE_UNAVAILABLE, "{}", res.text);
    // The comment itself is there.
    let res = app
        .get(&format!("/api/v1/consultations/{id}/comments"), None)
        .await;
    assert_eq!(res.body["items"][0]["body"], "Kept while search is down.");
}

/// Sets the caller's organisation.
async fn organisation(app: &TestApp, token: &str, name: &str) {
    let res = app
        .send(
            Method::PATCH,
            "/api/v1/me",
            Some(token),
            &json!({"organization": name}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
}

fn row_of(export: &Response, id: i64) -> Value {
    export.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .cloned()
        .unwrap_or_else(|| panic!("{id} is not in the export: {}", export.text))
}

/// Nothing of `secrets` in `text`, on `surface`.
fn none_of(secrets: &[&str], text: &str, surface: &str) {
    for s in secrets {
        assert!(
            !text.to_lowercase().contains(&s.to_lowercase()),
            "{surface} shows {s:?}: {text}"
        );
    }
}

/// What an anonymous author and a hidden text look like, to look for them.
const ANONYMOUS_NAME: &str = "Zanele Secretname";
const ANONYMOUS_ORG: &str = "Clandestine Collective";
const HIDDEN_WORD: &str = "Quokkaphrase";
const SECRETS: [&str; 3] = ["Secretname", "Clandestine", HIDDEN_WORD];

/// Three inputs: `anonymous` (by a civil society member in South Africa with an
/// organisation), `named` (by an academic in Czechia) and `hidden` (by the same academic,
/// in German, hidden by `moderator`). Search shows the public two.
struct Arranged {
    anonymous: i64,
    named: i64,
    named_author: i64,
    hidden: i64,
    moderator: String,
}

async fn arrange(f: &Fixture) -> Arranged {
    let (_, anon) = f
        .app
        .member(ANONYMOUS_NAME, &[], "civil_society", "ZA", Some("female"))
        .await;
    organisation(&f.app, &anon, ANONYMOUS_ORG).await;
    let (named_author, academic) = f
        .app
        .member("Tomas Visible", &[], "academia", "CZ", None)
        .await;
    let anonymous = f
        .post(&anon, json!({"body": "Universal broadband should be treated as public infrastructure.", "anonymous": true, "language": "en", "paragraph_key": f.keys[0]}))
        .await;
    let named = f
        .post(&academic, json!({"body": "Connectivity targets need yearly public reporting.", "language": "en", "paragraph_key": f.keys[1]}))
        .await;
    let hidden = f
        .post(
            &academic,
            json!({"body": format!("{HIDDEN_WORD} marmalade everywhere."), "language": "de"}),
        )
        .await;
    f.search_until("", None, 3).await;
    let (_, moderator) = f.app.user_with_roles("Mod", &["moderator"]).await;
    f.hide(hidden, &moderator).await;
    f.search_until("", None, 2).await;
    Arranged {
        anonymous,
        named,
        named_author,
        hidden,
        moderator,
    }
}

/// A hidden text reaches moderators only, and co-facilitators and organisers are not
/// moderators: their search neither lists a hidden input, nor counts it in `total` or
/// the facets, nor tells by a count that one of its words is there.
async fn reviewers_search_neither_finds_nor_counts_hidden_inputs(backend: Backend) {
    let f = fixture(backend).await;
    arrange(&f).await;
    for token in [&f.cofacilitator, &f.organizer] {
        let res = f.search(&format!("q={HIDDEN_WORD}"), Some(token)).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        assert_eq!(res.body["total"], 0, "a hidden text is found: {}", res.text);
        assert!(
            res.body["facets"]["language"].get("de").is_none(),
            "{}",
            res.text
        );
        let all = f.search("", Some(token)).await;
        assert_eq!(all.body["total"], 2, "{}", all.text);
        assert!(
            all.body["facets"]["language"].get("de").is_none(),
            "{}",
            all.text
        );
        assert_eq!(
            all.body["facets"]["review_status"]["new"], 2,
            "{}",
            all.text
        );
        let res = f.search("language=de", Some(token)).await;
        assert_eq!(res.body["total"], 0, "{}", res.text);
    }
    f.app.stop().await;
}

/// The index holds no author names: `?q=<name>` cannot find an anonymous contribution,
/// nor can a country filter (anonymous contributions carry none); a hit shows group and
/// region only, to reviewers too.
async fn nobody_finds_an_anonymous_contribution_by_its_authors_name(backend: Backend) {
    let f = fixture(backend).await;
    let a = arrange(&f).await;
    for token in [
        None,
        Some(f.cofacilitator.as_str()),
        Some(f.organizer.as_str()),
    ] {
        for q in ["q=secretname", "q=zanele", "q=clandestine", "country=ZA"] {
            let res = f.search(q, token).await;
            assert_eq!(res.body["total"], 0, "{q}: {}", res.text);
        }
        let res = f.search("q=broadband", token).await;
        assert_eq!(ids(&res), [a.anonymous], "{}", res.text);
        let author = &res.body["items"][0]["comment"]["author"];
        assert_eq!(author["display_name"], "anonymous");
        assert_eq!(author["stakeholder_group"], "civil_society");
        assert_eq!(author["region"], "african");
        assert!(author.get("id").is_none(), "{author}");
        none_of(&SECRETS, &res.text, "search");
    }
    for q in ["q=secretname", "q=clandestine"] {
        let res = f.app.get(&format!("/api/v1/search?{q}"), None).await;
        assert_eq!(res.body["total"], 0, "{q}: {}", res.text);
    }
    f.app.stop().await;
}

/// The export (JSON and CSV) shows an anonymous contribution's group and region, never
/// its author's name, organisation, country or id.
async fn the_export_never_names_an_anonymous_author_to_reviewers(backend: Backend) {
    let f = fixture(backend).await;
    let a = arrange(&f).await;
    for token in [&f.cofacilitator, &f.organizer] {
        let json = f.export("json", token).await;
        none_of(&SECRETS[..2], &json.text, "the JSON export");
        let row = row_of(&json, a.anonymous);
        assert_eq!(row["author_id"], Value::Null);
        assert_eq!(row["author_name"], "anonymous");
        assert_eq!(row["organization"], Value::Null);
        assert_eq!(row["country"], Value::Null);
        assert_eq!(row["stakeholder_group"], "civil_society");
        assert_eq!(row["region"], "african");
        assert_eq!(row["anonymous"], true);
        let row = row_of(&json, a.named);
        assert_eq!(row["author_id"], a.named_author);
        assert_eq!(row["author_name"], "Tomas Visible");
        assert_eq!(row["country"], "CZ");
        let csv = f.export("csv", token).await;
        none_of(&SECRETS[..2], &csv.text, "the CSV export");
        // Personal data either way: never kept by a cache.
        for res in [&json, &csv] {
            assert_eq!(res.header("cache-control"), Some("no-store"));
        }
        // Balance and campaign clusters name nobody.
        for what in ["balance", "duplicates"] {
            let res = f
                .app
                .get(
                    &format!("/api/v1/consultations/{}/{what}", f.id),
                    Some(token),
                )
                .await;
            assert_eq!(res.status, StatusCode::OK, "{}", res.text);
            none_of(&SECRETS, &res.text, what);
        }
    }
    f.app.stop().await;
}

/// A hidden input's text is in no reviewer's export; a moderator's has it (marked).
async fn the_export_leaves_hidden_inputs_to_moderators(backend: Backend) {
    let f = fixture(backend).await;
    let a = arrange(&f).await;
    for token in [&f.cofacilitator, &f.organizer] {
        let json = f.export("json", token).await;
        none_of(&[HIDDEN_WORD], &json.text, "the JSON export");
        assert_eq!(json.body["total"], 2, "{}", json.text);
        let csv = f.export("csv", token).await;
        none_of(&[HIDDEN_WORD], &csv.text, "the CSV export");
        let mut reader = csv::Reader::from_reader(csv.text.as_bytes());
        assert_eq!(reader.records().count(), 2, "{}", csv.text);
    }
    let (_, modorg) = f
        .app
        .user_with_roles("ModOrg", &["moderator", "organizer"])
        .await;
    let json = f.export("json", &modorg).await;
    assert_eq!(json.body["total"], 3, "{}", json.text);
    assert_eq!(row_of(&json, a.hidden)["visibility"], "hidden");
    f.app.stop().await;
}

/// Moderators search hidden inputs too (review fields only if they review the
/// consultation), and each look at an anonymous author, in search or in the export, is
/// in the audit log with its surface.
async fn moderators_search_hidden_inputs_and_their_looks_are_audited(backend: Backend) {
    let f = fixture(backend).await;
    let a = arrange(&f).await;
    let res = f
        .search(&format!("q={HIDDEN_WORD}"), Some(&a.moderator))
        .await;
    assert_eq!(ids(&res), [a.hidden], "{}", res.text);
    assert_eq!(res.body["items"][0]["comment"]["status"], "hidden");
    assert!(res.body["items"][0]["comment"].get("review").is_none());
    assert!(res.body["facets"].get("review_status").is_none());
    assert_eq!(
        f.search("review_status=new", Some(&a.moderator))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let (modorg_id, modorg) = f
        .app
        .user_with_roles("ModOrg", &["moderator", "organizer"])
        .await;
    let res = f.search("q=broadband", Some(&modorg)).await;
    let hit = &res.body["items"][0]["comment"];
    assert_eq!(
        hit["author"]["display_name"], ANONYMOUS_NAME,
        "{}",
        res.text
    );
    assert_eq!(hit["review"]["status"], "new");
    let json = f.export("json", &modorg).await;
    assert_eq!(row_of(&json, a.anonymous)["author_name"], ANONYMOUS_NAME);
    let (_, admin) = f.app.user_with_roles("Admin", &["admin"]).await;
    let log = f
        .app
        .get("/api/v1/admin/audit-log?limit=200", Some(&admin))
        .await;
    let surfaces: Vec<&str> = log.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["actor_id"] == modorg_id && e["subject_id"] == a.anonymous)
        .filter_map(|e| e["surface"].as_str())
        .collect();
    assert!(surfaces.contains(&"search"), "{}", log.text);
    assert!(surfaces.contains(&"export"), "{}", log.text);
    f.app.stop().await;
}

/// The workbench page and its exports, signed in as a co-facilitator: the same views
/// as the API, so neither an anonymous author nor a hidden input shows, nor its count.
async fn the_workbench_and_its_export_show_what_the_reviewer_may_see(backend: Backend) {
    let f = fixture(backend).await;
    let a = arrange(&f).await;
    let (email, token, _) = f.app.verified_user("Pagecofac").await;
    let me = f.app.get("/api/v1/me", Some(&token)).await;
    f.add_cofacilitators(&[me.body["user"]["id"].as_i64().unwrap()])
        .await;
    let slug = f
        .app
        .get(&format!("/api/v1/consultations/{}", f.id), None)
        .await
        .body["slug"]
        .as_str()
        .unwrap()
        .to_owned();
    let web = indaba_tests::web::WebClient::new(&f.app.base);
    web.sign_in(&email, PASSWORD).await;
    let review = format!("/consultations/{slug}/review");
    let page = web.get(&review).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert!(page.html.contains("2 inputs found"), "{}", page.html);
    assert!(
        page.html.contains("Tomas Visible"),
        "named authors are named"
    );
    none_of(&SECRETS, &page.html, "the workbench");
    let page = web.get(&format!("{review}?q={HIDDEN_WORD}")).await;
    assert!(page.html.contains("0 inputs found"), "{}", page.html);
    for format in ["csv", "json"] {
        let file = web.get(&format!("{review}/export?format={format}")).await;
        assert_eq!(file.status, StatusCode::OK, "{}", file.html);
        assert_eq!(file.header("cache-control"), Some("no-store"));
        none_of(&SECRETS, &file.html, "the workbench's export");
    }
    // A review saved from the page is the API's, and so is a refusal.
    let page = web.get(&review).await;
    let csrf = page.hidden("csrf").expect("csrf");
    let id = a.anonymous.to_string();
    let saved = web
        .post(
            &review,
            &[
                ("csrf", csrf.as_str()),
                ("ids", id.as_str()),
                ("status", "read"),
                ("tags", "Infrastructure, broadband"),
                ("note", "Keep"),
                ("back", review.as_str()),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    let res = f
        .search_until("review_status=read", Some(&f.cofacilitator), 1)
        .await;
    assert_eq!(ids(&res), [a.anonymous]);
    assert_eq!(
        res.body["items"][0]["comment"]["review"]["tags"],
        json!(["infrastructure", "broadband"])
    );
    let bad = web
        .post(
            &review,
            &[
                ("csrf", csrf.as_str()),
                ("ids", id.as_str()),
                ("status", "done"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.html);
    let bulk = web
        .post(
            &review,
            &[
                ("csrf", csrf.as_str()),
                ("bulk", "1"),
                ("ids", id.as_str()),
                ("ids", &a.named.to_string()),
                ("status", "incorporated"),
                ("back", review.as_str()),
            ],
        )
        .await;
    assert_eq!(bulk.status, StatusCode::SEE_OTHER, "{}", bulk.html);
    f.search_until("review_status=incorporated", Some(&f.cofacilitator), 2)
        .await;
    f.app.stop().await;
}

/// After erasure, an author kept as "withdrawn participant" has no id, organisation,
/// country (nor whom they spoke for) in the export.
async fn erased_authors_leave_the_export(backend: Backend) {
    let f = fixture(backend).await;
    let (author_id, author) = f
        .app
        .member(
            "Wilhelmina Erasable",
            &[],
            "private_sector",
            "DE",
            Some("female"),
        )
        .await;
    organisation(&f.app, &author, "Erasure Incorporated").await;
    let c = f
        .post(&author, json!({"body": "Spectrum policy should favour community networks.", "on_behalf_of": "Erasure Incorporated"}))
        .await;
    let res = f
        .app
        .send(
            Method::DELETE,
            "/api/v1/me",
            Some(&author),
            &json!({"current_password": PASSWORD}),
        )
        .await;
    assert!(res.status.is_success(), "{}", res.text);
    let secrets = ["Wilhelmina", "Erasure Incorporated"];

    let json = f.export("json", &f.cofacilitator).await;
    none_of(&secrets, &json.text, "the JSON export");
    let row = row_of(&json, c);
    assert_eq!(row["author_id"], Value::Null, "{}", json.text);
    assert_ne!(row["author_id"], author_id);
    assert_eq!(row["author_name"], "withdrawn participant");
    assert_eq!(row["organization"], Value::Null);
    assert_eq!(row["country"], Value::Null);
    assert_eq!(row["on_behalf_of"], Value::Null);
    assert_eq!(row["stakeholder_group"], "private_sector");
    let csv = f.export("csv", &f.cofacilitator).await;
    none_of(&secrets, &csv.text, "the CSV export");
    let mut reader = csv::Reader::from_reader(csv.text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let record = reader
        .records()
        .map(Result::unwrap)
        .find(|r| r[0] == c.to_string())
        .unwrap();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    assert_eq!(&record[col("author_id")], "", "{}", csv.text);
    assert_eq!(&record[col("author_name")], "withdrawn participant");
    let res = f.search_until("", Some(&f.cofacilitator), 1).await;
    assert_eq!(
        res.body["items"][0]["comment"]["author"]["display_name"],
        "withdrawn participant"
    );
    none_of(&secrets, &res.text, "search");
    f.app.stop().await;
}

/// After erasure, a co-facilitator is no longer named or numbered as reviewer or
/// assignee: not in reviews (search hits, the export) nor in the history.
async fn erased_reviewers_leave_reviews_and_their_history(backend: Backend) {
    let f = fixture(backend).await;
    let [zh, ..] = voices(&f).await;
    let (cofac2_id, cofac2) = f
        .app
        .member("Reviewer Gone", &[], "academia", "KE", None)
        .await;
    f.add_cofacilitators(&[cofac2_id]).await;
    let res = f
        .review(
            zh,
            cofac2.clone(),
            json!({"status": "read", "assignee_id": cofac2_id}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["review"]["reviewed_by"], cofac2_id);
    assert_eq!(res.body["review"]["assignee_id"], cofac2_id);
    let history = format!("/api/v1/comments/{zh}/review/history");
    let before = f.app.get(&history, Some(&f.cofacilitator)).await;
    assert_eq!(before.body["items"][0]["by"]["id"], cofac2_id);
    assert_eq!(
        before.body["items"][0]["by"]["display_name"],
        "Reviewer Gone"
    );

    let res = f
        .app
        .send(
            Method::DELETE,
            "/api/v1/me",
            Some(&cofac2),
            &json!({"current_password": PASSWORD}),
        )
        .await;
    assert!(res.status.is_success(), "{}", res.text);

    let after = f.app.get(&history, Some(&f.cofacilitator)).await;
    assert_eq!(after.status, StatusCode::OK, "{}", after.text);
    let entry = &after.body["items"][0];
    assert_eq!(entry["by"], Value::Null, "{}", after.text);
    assert_eq!(entry["after"]["reviewed_by"], Value::Null, "{}", after.text);
    assert_eq!(entry["after"]["assignee_id"], Value::Null, "{}", after.text);
    assert_eq!(entry["after"]["status"], "read");
    let json = f.export("json", &f.cofacilitator).await;
    assert_eq!(
        row_of(&json, zh)["assignee_id"],
        Value::Null,
        "{}",
        json.text
    );
    let res = f
        .search_until("review_status=read", Some(&f.cofacilitator), 1)
        .await;
    let review = &res.body["items"][0]["comment"]["review"];
    assert_eq!(review["reviewed_by"], Value::Null, "{}", res.text);
    assert_eq!(review["assignee_id"], Value::Null, "{}", res.text);
    // An erased account cannot be assigned.
    let res = f
        .review(
            zh,
            f.cofacilitator.clone(),
            json!({"assignee_id": cofac2_id}),
        )
        .await;
    assert!(res.field("assignee_id").is_some(), "{}", res.text);
    f.app.stop().await;
}
