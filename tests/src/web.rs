//! A cookie-keeping client for the pages, without JavaScript: what a browser with
//! scripts off does (forms, 303 redirects, cookies), checked at the HTTP level.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::time::Duration;

use awc::http::{header, StatusCode};

pub struct Page {
    pub status: StatusCode,
    pub headers: awc::http::header::HeaderMap,
    pub html: String,
}

impl Page {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The value of the first `name="…" value="…"` hidden field (the CSRF token, say).
    pub fn hidden(&self, name: &str) -> Option<String> {
        let marker = format!("name=\"{name}\" value=\"");
        let at = self.html.find(&marker)? + marker.len();
        let end = self.html[at..].find('"')?;
        Some(self.html[at..at + end].to_owned())
    }
}

pub struct WebClient {
    base: String,
    client: awc::Client,
    pub cookies: RefCell<BTreeMap<String, String>>,
    pub accept_language: Option<String>,
}

impl WebClient {
    pub fn new(base: &str) -> WebClient {
        WebClient {
            base: base.to_owned(),
            client: awc::Client::builder()
                .disable_redirects()
                .timeout(Duration::from_secs(30))
                .finish(),
            cookies: RefCell::new(BTreeMap::new()),
            accept_language: None,
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .borrow()
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep_cookies(&self, headers: &awc::http::header::HeaderMap) {
        for value in headers.get_all(header::SET_COOKIE) {
            let Ok(text) = value.to_str() else { continue };
            let pair = text.split(';').next().unwrap_or_default();
            if let Some((k, v)) = pair.split_once('=') {
                let expired = text.to_ascii_lowercase().contains("max-age=0");
                if expired || v.is_empty() {
                    self.cookies.borrow_mut().remove(k.trim());
                } else {
                    self.cookies
                        .borrow_mut()
                        .insert(k.trim().to_owned(), v.to_owned());
                }
            }
        }
    }

    async fn finish<S>(&self, mut res: awc::ClientResponse<S>) -> Page
    where
        S: futures_util::Stream<Item = Result<actix_web::web::Bytes, awc::error::PayloadError>>
            + Unpin,
    {
        self.keep_cookies(res.headers());
        let bytes = res.body().limit(8 * 1024 * 1024).await.expect("page body");
        Page {
            status: res.status(),
            headers: res.headers().clone(),
            html: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub async fn get(&self, path: &str) -> Page {
        let mut req = self.client.get(format!("{}{path}", self.base));
        let cookies = self.cookie_header();
        if !cookies.is_empty() {
            req = req.insert_header((header::COOKIE, cookies));
        }
        if let Some(l) = &self.accept_language {
            req = req.insert_header((header::ACCEPT_LANGUAGE, l.clone()));
        }
        let res = req.send().await.expect("page request");
        self.finish(res).await
    }

    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Page {
        let mut req = self.client.post(format!("{}{path}", self.base));
        let cookies = self.cookie_header();
        if !cookies.is_empty() {
            req = req.insert_header((header::COOKIE, cookies));
        }
        let res = req.send_form(&form).await.expect("form post");
        self.finish(res).await
    }

    /// Posts a `multipart/form-data` form with a file, as a browser posts an upload.
    pub async fn post_multipart(
        &self,
        path: &str,
        form: &[(&str, &str)],
        file: (&str, &str, &[u8]),
    ) -> Page {
        let mut req = self
            .client
            .post(format!("{}{path}", self.base))
            .insert_header((
                header::CONTENT_TYPE,
                format!(
                    "multipart/form-data; boundary={}",
                    crate::app::MULTIPART_BOUNDARY
                ),
            ));
        let cookies = self.cookie_header();
        if !cookies.is_empty() {
            req = req.insert_header((header::COOKIE, cookies));
        }
        let body = crate::app::multipart_body(form, Some(file));
        let res = req.send_body(body).await.expect("form post");
        self.finish(res).await
    }

    /// Follows a 303 the way a browser does (GET the Location).
    pub async fn follow(&self, page: &Page) -> Page {
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
        let to = page.header("location").expect("location").to_owned();
        self.get(&to).await
    }

    /// Signs in through the login form; returns the page landed on.
    pub async fn sign_in(&self, email: &str, password: &str) -> Page {
        let form = self.get("/login").await;
        let csrf = form.hidden("csrf").expect("csrf field");
        let res = self
            .post(
                "/login",
                &[
                    ("csrf", &csrf),
                    ("email", email),
                    ("password", password),
                    ("next", "/"),
                ],
            )
            .await;
        self.follow(&res).await
    }
}
