//! One draft in several languages, on SQLite and PostgreSQL: a translation is previewed
//! and aligned to the original by paragraph numbers, refused with the paragraphs that do
//! not align, stored under the original's keys (comments stay with the paragraph in every
//! language), read per language or all at once, downloaded as Word, and shown on the
//! consultation page with a switch of language and comments labelled and filtered by
//! theirs.

use awc::http::StatusCode;
use indaba_tests::docx::read_docx;
use indaba_tests::web::WebClient;
use indaba_tests::*;
use serde_json::{json, Value};

both_backends!(
    a_translation_shares_the_paragraphs_and_their_comments,
    a_translation_that_does_not_align_is_named_and_refused,
    the_page_reads_the_text_in_each_language,
);

const EN: &str = "I. Preamble\n\n1. We commit to an open, free and secure Internet for all.\n\n\
2. We recognise the following:\n\n(a) meaningful connectivity matters;\n\n(b) digital skills matter.\n\n\
II. Commitments\n\n3. We will count the connected in every country every year.\n";

const FR: &str = "I. Préambule\n\n1. Nous nous engageons pour un Internet ouvert, libre et sûr pour tous.\n\n\
2. Nous reconnaissons ce qui suit :\n\n(a) la connectivité effective compte ;\n\n(b) les compétences numériques comptent.\n\n\
II. Engagements\n\n3. Nous compterons chaque année les personnes connectées dans chaque pays.\n";

const ZH: &str = "一、序言\n\n1. 我们致力于建设一个人人享有的开放、自由和安全的互联网。\n\n\
2. 我们认识到：\n\n(a) 有意义的连通很重要；\n\n(b) 数字技能很重要。\n\n\
二、承诺\n\n3. 我们将每年统计每个国家的联网人数。\n";

/// Paragraph 2(b) dropped, a paragraph 4 added.
const FR_SHORT: &str = "I. Préambule\n\n1. Nous nous engageons pour un Internet ouvert.\n\n\
2. Nous reconnaissons ce qui suit :\n\n(a) la connectivité effective compte.\n\n\
II. Engagements\n\n3. Nous compterons les personnes connectées.\n\n4. Un paragraphe de trop.\n";

struct Draft {
    app: TestApp,
    organizer: String,
    slug: String,
    path: String,
}

/// An open consultation with an English zero draft.
async fn draft(backend: Backend) -> Draft {
    let app = spawn_app(backend).await;
    let (_, organizer) = app.user_with_roles("Org", &["organizer"]).await;
    let (_, slug) = open_consultation_from(&app, &organizer, "zero-draft", EN).await;
    let path = format!("/api/v1/consultations/{slug}");
    let res = app.get(&format!("{path}/versions/zero-draft"), None).await;
    assert_eq!(res.body["language"], "en");
    assert_eq!(res.body["languages"], json!(["en"]));
    Draft {
        app,
        organizer,
        slug,
        path,
    }
}

fn keys(version: &Value) -> Vec<(String, String)> {
    version["paragraphs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["key"].as_str().unwrap().to_owned(),
                p["number"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn text_of<'a>(version: &'a Value, number: &str) -> &'a str {
    version["paragraphs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["number"] == number)
        .unwrap()["text"]
        .as_str()
        .unwrap()
}

async fn a_translation_shares_the_paragraphs_and_their_comments(backend: Backend) {
    let d = draft(backend).await;
    let app = &d.app;
    let original = app
        .get(&format!("{}/versions/zero-draft", d.path), None)
        .await;
    let key_2a = original.body["paragraphs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["number"] == "2(a)")
        .unwrap()["key"]
        .as_str()
        .unwrap()
        .to_owned();

    // A comment in French and one in English on the same paragraph, before the translation.
    let (_, reader) = app.member("Lectrice", &[], "academia", "FR", None).await;
    for (lang, body) in [
        ("fr", "La connectivité doit être abordable."),
        ("en", "Connectivity must be affordable."),
    ] {
        let res = app
            .post(
                &format!("{}/comments", d.path),
                Some(&reader),
                &json!({"paragraph_key": key_2a, "body": body, "language": lang}),
            )
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    }

    // The French text, pasted: previewed first (nothing saved), then published.
    let preview = app
        .post(
            &format!("{}/versions?preview=true", d.path),
            Some(&d.organizer),
            &json!({"label": "zero-draft", "source": FR, "language": "fr"}),
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.text);
    assert_eq!(preview.body["language"], "fr");
    assert_eq!(preview.body["alignment"]["aligned"], 5);
    assert_eq!(preview.body["alignment"]["original_language"], "en");
    assert_eq!(preview.body["alignment"]["missing"], json!([]));
    assert_eq!(preview.body["alignment"]["extra"], json!([]));
    assert_eq!(keys(&preview.body), keys(&original.body));
    assert_eq!(
        preview.body["headings"][0]["text"], "I. Préambule",
        "{}",
        preview.body
    );
    let unsaved = app
        .get(&format!("{}/versions/zero-draft?language=fr", d.path), None)
        .await;
    assert_eq!(unsaved.status, StatusCode::NOT_FOUND, "{}", unsaved.text);
    assert!(unsaved.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("en"));

    let fr = app
        .post(
            &format!("{}/versions", d.path),
            Some(&d.organizer),
            &json!({"label": "zero-draft", "source": FR, "language": "fr"}),
        )
        .await;
    assert_eq!(fr.status, StatusCode::CREATED, "{}", fr.text);
    assert_eq!(fr.body["language"], "fr");
    assert_eq!(fr.body["languages"], json!(["en", "fr"]));
    assert_eq!(keys(&fr.body), keys(&original.body));
    assert_eq!(
        text_of(&fr.body, "2(a)"),
        "la connectivité effective compte ;"
    );
    // The version list is unchanged: a translation is no new version.
    let versions = app.get(&format!("{}/versions", d.path), None).await;
    assert_eq!(versions.body["items"].as_array().unwrap().len(), 1);

    // The Chinese text, uploaded as a file.
    let zh = app
        .post_form(
            &format!("{}/versions", d.path),
            Some(&d.organizer),
            &[("label", "zero-draft"), ("language", "zh")],
            Some(("file", "draft.zh.txt", ZH.as_bytes())),
        )
        .await;
    assert_eq!(zh.status, StatusCode::CREATED, "{}", zh.text);
    assert_eq!(zh.body["languages"], json!(["en", "fr", "zh"]));
    assert_eq!(text_of(&zh.body, "3"), "我们将每年统计每个国家的联网人数。");
    assert_eq!(zh.body["paragraphs"][0]["section"], "一、序言");

    // Read per language, with the same comment counts; or every language at once.
    let detail = app.get(&format!("{}?language=zh", d.path), None).await;
    assert_eq!(detail.status, StatusCode::OK, "{}", detail.text);
    assert_eq!(detail.body["version"]["language"], "zh");
    let count_2a = |v: &Value| {
        v["paragraphs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["key"] == key_2a.as_str())
            .unwrap()["comment_count"]
            .clone()
    };
    assert_eq!(count_2a(&detail.body["version"]), 2);
    let all = app
        .get(
            &format!("{}/versions/zero-draft?languages=all", d.path),
            None,
        )
        .await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.text);
    assert_eq!(all.body["language"], "en");
    let p2a = all.body["paragraphs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["number"] == "2(a)")
        .unwrap();
    assert_eq!(
        p2a["translations"],
        json!({"en": "meaningful connectivity matters;", "fr": "la connectivité effective compte ;", "zh": "有意义的连通很重要；"})
    );
    // Without the question, no translations ride along.
    assert!(original.body["paragraphs"][0].get("translations").is_none());

    // Comments filtered to one language, a regional tag taking its language's.
    let only_fr = app
        .get(
            &format!("{}/comments?paragraph_key={key_2a}&language=fr-CA", d.path),
            None,
        )
        .await;
    assert_eq!(only_fr.status, StatusCode::OK, "{}", only_fr.text);
    // `fr-CA` asks for Canadian French: the comment written in `fr` is not one.
    assert_eq!(only_fr.body["items"].as_array().unwrap().len(), 0);
    let only_fr = app
        .get(
            &format!("{}/comments?paragraph_key={key_2a}&language=fr", d.path),
            None,
        )
        .await;
    let items = only_fr.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{}", only_fr.body);
    assert_eq!(items[0]["language"], "fr");
    let bad = app
        .get(&format!("{}/comments?language=!!", d.path), None)
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.text);
    assert_eq!(bad.code(), "invalid_query");

    // Asked for a regional French, the French text answers.
    let res = app
        .get(
            &format!("{}/versions/zero-draft?language=fr-CA", d.path),
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["language"], "fr");
    // A corrected translation replaces the earlier one.
    let fixed = FR.replace("compte ;", "est essentielle ;");
    let res = app
        .post(
            &format!("{}/versions", d.path),
            Some(&d.organizer),
            &json!({"label": "zero-draft", "source": fixed, "language": "fr"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let fr = app
        .get(&format!("{}/versions/zero-draft?language=fr", d.path), None)
        .await;
    assert_eq!(
        text_of(&fr.body, "2(a)"),
        "la connectivité effective est essentielle ;"
    );

    // The French text as a Word file.
    let res = app
        .get(
            &format!("{}/versions/zero-draft.docx?language=fr", d.path),
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert!(res
        .headers
        .get("content-disposition")
        .unwrap()
        .to_str()
        .unwrap()
        .contains(&format!("{}-zero-draft.fr.docx", d.slug)));
    let doc = read_docx(&res.bytes);
    let texts: Vec<&str> = doc.iter().map(|p| p["text"].as_str().unwrap()).collect();
    assert!(
        texts
            .iter()
            .any(|t| t.contains("Nous compterons chaque année")),
        "{texts:?}"
    );
    assert!(texts.contains(&"II. Engagements"), "{texts:?}");

    // Languages it has none in, and tags that are none.
    let res = app
        .get(&format!("{}/versions/zero-draft?language=ru", d.path), None)
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{}", res.text);
    assert!(res.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("en, fr, zh"));
    let res = app
        .get(&format!("{}/versions/zero-draft?language=x", d.path), None)
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    let res = app
        .get(
            &format!("{}/versions/zero-draft?languages=some", d.path),
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
}

async fn a_translation_that_does_not_align_is_named_and_refused(backend: Backend) {
    let d = draft(backend).await;
    let app = &d.app;
    let versions = format!("{}/versions", d.path);

    // The preview names the paragraph missing and the one too many.
    let preview = app
        .post(
            &format!("{versions}?preview=true"),
            Some(&d.organizer),
            &json!({"label": "zero-draft", "source": FR_SHORT, "language": "fr"}),
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.text);
    let a = &preview.body["alignment"];
    assert_eq!(a["aligned"], 4);
    assert_eq!(
        a["missing"],
        json!([{"number": "2(b)", "text": "digital skills matter."}])
    );
    assert_eq!(
        a["extra"],
        json!([{"number": "4", "text": "Un paragraphe de trop."}])
    );

    // Publishing it is refused with the same names, and nothing is stored.
    let res = app
        .post(
            &versions,
            Some(&d.organizer),
            &json!({"label": "zero-draft", "source": FR_SHORT, "language": "fr"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    let problem = res.field("source").unwrap();
    assert!(
        problem.contains("missing from the translation: 2(b)"),
        "{problem}"
    );
    assert!(problem.contains("does not have: 4"), "{problem}");
    let res = app
        .get(&format!("{versions}/zero-draft?language=fr"), None)
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);

    // A translation of a version that does not exist.
    let res = app
        .post(
            &versions,
            Some(&d.organizer),
            &json!({"label": "rev9", "source": FR, "language": "fr"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    assert!(res.field("label").unwrap().contains("no version \"rev9\""));
    // A language tag that is none.
    let res = app
        .post(
            &versions,
            Some(&d.organizer),
            &json!({"label": "zero-draft", "source": FR, "language": "français"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    assert!(res.field("language").is_some());
    // Keys and inputs belong to the original.
    let res = app
        .post(
            &versions,
            Some(&d.organizer),
            &json!({"label": "zero-draft", "language": "fr",
                    "paragraphs": [{"number": "1", "text": "Un.", "key": "p-1"}]}),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    assert!(res.field("paragraphs").is_some());
    // The original's own language with an existing label is a second version of it.
    let res = app
        .post(
            &versions,
            Some(&d.organizer),
            &json!({"label": "zero-draft", "source": EN, "language": "en"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text);
    // A regional form of the original's language is the original, not a translation.
    let res = app
        .post(
            &versions,
            Some(&d.organizer),
            &json!({"label": "zero-draft", "source": EN, "language": "en-GB"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text);
    // Once there are texts, the consultation's language stays what they are in.
    let res = app
        .send(
            awc::http::Method::PATCH,
            &d.path,
            Some(&d.organizer),
            &json!({"language": "fr"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text);
    // Participants do not import texts.
    let (_, reader) = app.member("Reader", &[], "civil_society", "KE", None).await;
    let res = app
        .post(
            &versions,
            Some(&reader),
            &json!({"label": "zero-draft", "source": FR, "language": "fr"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text);

    // Six languages at most, the original's included.
    for lang in ["fr", "es", "ru", "ar", "zh"] {
        let res = app
            .post(
                &versions,
                Some(&d.organizer),
                &json!({"label": "zero-draft", "source": FR, "language": lang}),
            )
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{lang}: {}", res.text);
    }
    let res = app
        .post(
            &versions,
            Some(&d.organizer),
            &json!({"label": "zero-draft", "source": FR, "language": "pt"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    assert!(res.field("language").unwrap().contains("at most 6"));
    // Replacing one of the six is still allowed.
    let res = app
        .post(
            &versions,
            Some(&d.organizer),
            &json!({"label": "zero-draft", "source": FR, "language": "es"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
}

async fn the_page_reads_the_text_in_each_language(backend: Backend) {
    let d = draft(backend).await;
    let app = &d.app;
    for (lang, source) in [("fr", FR), ("zh", ZH)] {
        let res = app
            .post(
                &format!("{}/versions", d.path),
                Some(&d.organizer),
                &json!({"label": "zero-draft", "source": source, "language": lang}),
            )
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    }
    let key_1 = app
        .get(&format!("{}/versions/zero-draft", d.path), None)
        .await
        .body["paragraphs"][0]["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, reader) = app.member("Reader", &[], "civil_society", "KE", None).await;
    for (lang, body) in [("zh", "应当包括农村地区。"), ("en", "Rural areas first.")] {
        let res = app
            .post(
                &format!("{}/comments", d.path),
                Some(&reader),
                &json!({"paragraph_key": key_1, "body": body, "language": lang}),
            )
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    }

    let web = WebClient::new(&app.base);
    // In the page's language when the text has it (French pages read the French text)…
    web.get("/?lang=fr").await;
    let page = web.get(&format!("/consultations/{}", d.slug)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert!(page.html.contains("Nous nous engageons"), "{}", page.html);
    assert!(page.html.contains("lang=\"fr\""));
    // …and in the language asked for, with the switch naming each language.
    let page = web.get(&format!("/consultations/{}?text=zh", d.slug)).await;
    assert!(page.html.contains("我们致力于建设"), "{}", page.html);
    assert!(!page.html.contains("Nous nous engageons"));
    assert!(
        page.html.contains("class=\"text-languages\""),
        "{}",
        page.html
    );
    assert!(page.html.contains("hreflang=\"zh\" aria-current=\"true\""));
    assert!(page.html.contains(">anglais</a>"), "{}", page.html);
    // The paragraph's links keep the language chosen.
    assert!(
        page.html
            .contains(&format!("?paragraph={key_1}&#38;text=zh")),
        "{}",
        page.html
    );

    // The paragraph's comments, each labelled with its language, filterable to one.
    let thread = web
        .get(&format!(
            "/consultations/{}?paragraph={key_1}&text=zh",
            d.slug
        ))
        .await;
    assert_eq!(thread.status, StatusCode::OK, "{}", thread.html);
    assert!(thread.html.contains("我们致力于建设"));
    assert!(thread.html.contains("应当包括农村地区。"));
    assert!(thread.html.contains("Rural areas first."));
    assert!(thread.html.contains("class=\"comment-lang\""));
    assert!(thread.html.contains(">chinois</span>"), "{}", thread.html);
    assert!(thread.html.contains("id=\"comments-language\""));
    let filtered = web
        .get(&format!(
            "/consultations/{}?paragraph={key_1}&comments=zh",
            d.slug
        ))
        .await;
    assert!(filtered.html.contains("应当包括农村地区。"));
    assert!(!filtered.html.contains("Rural areas first."));

    // A language the text does not have falls back to the original.
    web.get("/?lang=ru").await;
    let page = web.get(&format!("/consultations/{}", d.slug)).await;
    assert!(page.html.contains("We commit to an open"), "{}", page.html);

    // The secretariat's form, in French: a translation previewed with its alignment,
    // and one that does not line up refused in French, the text kept.
    let org = app
        .account(
            "Secrétariat",
            &["organizer"],
            "intergovernmental",
            "CH",
            None,
            None,
        )
        .await;
    let sec = WebClient::new(&app.base);
    sec.sign_in(&org.email, PASSWORD).await;
    let base = format!("/organize/consultations/{}", d.slug);
    let form = sec.get(&format!("{base}?lang=fr")).await;
    assert!(form.html.contains("Langue de ce texte"), "{}", form.html);
    let csrf = form.hidden("csrf").unwrap();
    let send = |action: &'static str| {
        let (sec, base, csrf) = (&sec, base.clone(), csrf.clone());
        async move {
            sec.post(
                &base,
                &[
                    ("csrf", csrf.as_str()),
                    ("action", action),
                    ("label", "zero-draft"),
                    ("language", "es"),
                    ("format", "text"),
                    ("source", FR_SHORT),
                ],
            )
            .await
        }
    };
    let preview = send("preview").await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.html);
    assert!(
        preview.html.contains("Alignement sur l’original"),
        "{}",
        preview.html
    );
    assert!(preview.html.contains("Un paragraphe de trop."));
    let refused = send("publish").await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.html
    );
    assert!(
        refused.html.contains("ne correspond pas à l’original"),
        "{}",
        refused.html
    );
    assert!(refused.html.contains("Un paragraphe de trop."));
}
