//! A real browser for page tests: Debian's chromium driven over the W3C WebDriver
//! protocol by chromedriver, spoken here with the same HTTP client as the API tests.
//! axe-core (from npm) checks accessibility inside the page.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use base64::Engine;
use serde_json::{json, Value};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// chromedriver. The browser tests are ignored unless `tests/run` finds chromium and
/// chromedriver; run by hand without them, they fail, saying why.
pub fn chromedriver() -> PathBuf {
    let path = std::env::var("INDABA_TEST_CHROMEDRIVER")
        .unwrap_or_else(|_| "/usr/bin/chromedriver".into());
    let path = PathBuf::from(path);
    assert!(
        path.exists() && PathBuf::from(chromium()).exists(),
        "this test needs a browser: {} or {} is missing (apt-get install chromium chromium-driver)",
        path.display(),
        chromium()
    );
    path
}

fn chromium() -> String {
    std::env::var("INDABA_TEST_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into())
}

/// axe-core's script: `INDABA_TEST_AXE`, else where tests/run puts it.
pub fn axe_source() -> String {
    let path = std::env::var("INDABA_TEST_AXE")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(std::env::var("HOME").unwrap_or_default())
                .join(".cache/indaba-axe/axe.min.js")
        });
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("axe-core at {}: {e} (tests/run fetches it)", path.display()))
}

pub struct Driver {
    child: Child,
    base: String,
    client: awc::Client,
}

impl Driver {
    pub async fn start(binary: &PathBuf) -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .expect("port")
            .local_addr()
            .expect("addr")
            .port();
        let child = Command::new(binary)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let base = format!("http://127.0.0.1:{port}");
        let client = awc::Client::builder()
            .timeout(Duration::from_secs(60))
            .finish();
        for _ in 0..200 {
            if let Ok(mut res) = client.get(format!("{base}/status")).send().await {
                let body: Value = res.json().await.unwrap_or(Value::Null);
                if body["value"]["ready"] == true {
                    break;
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Driver {
            child,
            base,
            client,
        }
    }

    async fn call(&self, method: awc::http::Method, path: &str, body: Option<Value>) -> Value {
        let req = self
            .client
            .request(method.clone(), format!("{}{path}", self.base));
        let mut res = match body {
            Some(b) => req.send_json(&b).await,
            None => req.send().await,
        }
        .unwrap_or_else(|e| panic!("webdriver {method} {path}: {e}"));
        let value: Value = res
            .json()
            .limit(64 * 1024 * 1024)
            .await
            .expect("webdriver json");
        assert!(
            res.status().is_success(),
            "webdriver {method} {path}: {}",
            value["value"]["message"]
        );
        value["value"].clone()
    }

    /// A new headless browser window with its own profile (cookies are not shared).
    pub async fn browser(&self) -> Browser<'_> {
        let profile = crate::TempDir::new();
        let args = vec![
            "--headless=new".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--disable-quic".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--window-size=1280,1000".to_owned(),
            format!("--user-data-dir={}", profile.0.display()),
        ];
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": chromium(), "args": args},
        }}});
        let value = self
            .call(awc::http::Method::POST, "/session", Some(caps))
            .await;
        let id = value["sessionId"].as_str().expect("session id").to_owned();
        Browser {
            driver: self,
            id,
            _profile: profile,
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub struct Browser<'a> {
    driver: &'a Driver,
    id: String,
    _profile: crate::TempDir,
}

impl Browser<'_> {
    async fn call(&self, method: awc::http::Method, path: &str, body: Option<Value>) -> Value {
        self.driver
            .call(method, &format!("/session/{}{path}", self.id), body)
            .await
    }

    pub async fn goto(&self, url: &str) {
        self.call(awc::http::Method::POST, "/url", Some(json!({ "url": url })))
            .await;
    }

    pub async fn url(&self) -> String {
        self.call(awc::http::Method::GET, "/url", None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    pub async fn find_all(&self, css: &str) -> Vec<String> {
        let v = self
            .call(
                awc::http::Method::POST,
                "/elements",
                Some(json!({"using": "css selector", "value": css})),
            )
            .await;
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|e| e[ELEMENT].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    pub async fn find(&self, css: &str) -> String {
        match self.find_all(css).await.into_iter().next() {
            Some(el) => el,
            None => panic!("no element {css} on {}", self.url().await),
        }
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        let el = self.find(css).await;
        self.call(
            awc::http::Method::POST,
            &format!("/element/{el}/value"),
            Some(json!({ "text": text })),
        )
        .await;
    }

    pub async fn clear(&self, css: &str) {
        let el = self.find(css).await;
        self.call(
            awc::http::Method::POST,
            &format!("/element/{el}/clear"),
            Some(json!({})),
        )
        .await;
    }

    pub async fn click(&self, css: &str) {
        let el = self.find(css).await;
        self.call(
            awc::http::Method::POST,
            &format!("/element/{el}/click"),
            Some(json!({})),
        )
        .await;
    }

    /// Clicks something that loads a new page (a submit button, a link) and waits until
    /// the new page has loaded: WebDriver's click returns before the navigation ends.
    pub async fn click_and_wait(&self, css: &str) {
        self.script("window.__indabaOldPage = true;", json!([]))
            .await;
        self.click(css).await;
        for _ in 0..300 {
            let state = self
                .script(
                    "return [window.__indabaOldPage === true, document.readyState];",
                    json!([]),
                )
                .await;
            if state == json!([false, "complete"]) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "clicking {css} did not load a new page (still {})",
            self.url().await
        );
    }

    /// Chooses the option with this value in a `<select>`.
    pub async fn select(&self, css: &str, value: &str) {
        self.click(&format!("{css} option[value=\"{value}\"]"))
            .await;
    }

    pub async fn text(&self, css: &str) -> String {
        let el = self.find(css).await;
        self.call(awc::http::Method::GET, &format!("/element/{el}/text"), None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    pub async fn script(&self, script: &str, args: Value) -> Value {
        self.call(
            awc::http::Method::POST,
            "/execute/sync",
            Some(json!({"script": script, "args": args})),
        )
        .await
    }

    pub async fn script_async(&self, script: &str, args: Value) -> Value {
        self.call(
            awc::http::Method::POST,
            "/execute/async",
            Some(json!({"script": script, "args": args})),
        )
        .await
    }

    /// Waits (up to 15 s) until an element matching `css` contains `text`.
    pub async fn wait_for_text(&self, css: &str, text: &str) -> bool {
        for _ in 0..150 {
            let found = self
                .script(
                    "return Array.from(document.querySelectorAll(arguments[0])).some(e => e.textContent.includes(arguments[1]));",
                    json!([css, text]),
                )
                .await;
            if found == true {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        false
    }

    pub async fn resize(&self, width: u32, height: u32) {
        self.call(
            awc::http::Method::POST,
            "/window/rect",
            Some(json!({"width": width, "height": height})),
        )
        .await;
    }

    pub async fn screenshot(&self, path: &std::path::Path) {
        let b64 = self.call(awc::http::Method::GET, "/screenshot", None).await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(b64.as_str().unwrap_or_default())
            .expect("png");
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("screenshot dir");
        }
        std::fs::write(path, png).expect("screenshot written");
    }

    /// axe-core's serious and critical violations on the current page (WCAG 2.0/2.1 A and AA).
    pub async fn axe(&self, source: &str) -> Vec<Value> {
        self.script(source, json!([])).await;
        let result = self
            .script_async(
                "const done = arguments[arguments.length - 1];\
                 axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})\
                   .then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.html).slice(0, 3)}))))\
                   .catch(e => done([{id: 'axe-error', impact: 'critical', help: String(e)}]));",
                json!([]),
            )
            .await;
        result
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|v| matches!(v["impact"].as_str(), Some("serious") | Some("critical")))
            .collect()
    }

    pub async fn close(self) {
        let path = format!("/session/{}", self.id);
        self.driver
            .call(awc::http::Method::DELETE, &path, None)
            .await;
    }
}
