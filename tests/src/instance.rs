//! `indaba serve` processes of their own (several instances, the CLI).

use std::path::PathBuf;
use std::time::Duration;

use awc::http::{header, Method, StatusCode};
use serde_json::{json, Value};

use crate::*;

/// The `indaba` binary built beside the test executables.
pub fn indaba_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("current exe");
    let dir = exe.parent().and_then(|p| p.parent()).expect("target dir");
    let bin = dir.join("indaba");
    assert!(
        bin.exists(),
        "{} is missing: build it with `cargo build -p indaba`",
        bin.display()
    );
    bin
}

/// Whether process `pid` holds the socket listening on 127.0.0.1:`port` (Linux /proc).
fn listens_on(pid: u32, port: u16) -> bool {
    let local = format!("0100007F:{port:04X}");
    let Ok(table) = std::fs::read_to_string("/proc/net/tcp") else {
        return false;
    };
    let inodes: Vec<String> = table
        .lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            // local address, state 0A (LISTEN), inode
            (fields.get(1) == Some(&local.as_str()) && fields.get(3) == Some(&"0A"))
                .then(|| fields.get(9).map(|s| format!("socket:[{s}]")))
                .flatten()
        })
        .collect();
    let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
        return false;
    };
    fds.filter_map(Result::ok).any(|fd| {
        std::fs::read_link(fd.path())
            .is_ok_and(|target| inodes.iter().any(|i| target.to_string_lossy() == *i))
    })
}

/// An `indaba serve` process of its own, for tests across instances and of the CLI.
pub struct Instance {
    pub child: std::process::Child,
    pub base: String,
    pub addr: std::net::SocketAddr,
    _dir: TempDir,
}

impl Instance {
    /// Starts `indaba serve` with these settings (plus a data dir, a bind address and the
    /// test secret) and waits until it is ready.
    ///
    /// The port is picked before the process binds it, so another test's server may take
    /// it meanwhile: then ours fails to start while the other one answers our readiness
    /// check. An instance counts as started only once its own process holds the listening
    /// socket; otherwise it is tried again on another port.
    pub async fn start(env: &[(&str, &str)]) -> Instance {
        for _ in 0..5 {
            if let Some(instance) = Self::try_start(env).await {
                return instance;
            }
        }
        panic!("indaba did not start on any of five ports");
    }

    async fn try_start(env: &[(&str, &str)]) -> Option<Instance> {
        let dir = TempDir::new();
        let port = free_port();
        let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().expect("addr");
        let mut cmd = std::process::Command::new(indaba_binary());
        cmd.current_dir(&dir.0)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("INDABA_DATA_DIR", dir.0.join("data"))
            .env("INDABA_BIND", addr.to_string())
            .env("INDABA_SECRET_KEY", SECRET)
            .env("INDABA_LOG", "warn")
            .env("INDABA_METRICS_BIND", "127.0.0.1:0")
            .arg("serve")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().expect("indaba starts");
        let mut instance = Instance {
            child,
            base: format!("http://{addr}"),
            addr,
            _dir: dir,
        };
        let client = awc::Client::default();
        for _ in 0..200 {
            if !matches!(instance.child.try_wait(), Ok(None)) {
                return None;
            }
            if listens_on(instance.child.id(), port) {
                if let Ok(res) = client.get(format!("{}/readyz", instance.base)).send().await {
                    if res.status() == StatusCode::OK {
                        return Some(instance);
                    }
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("indaba did not become ready on {addr}");
    }

    /// A [`TestApp`]-like client for this instance's HTTP API.
    pub fn client(&self) -> Remote {
        Remote {
            base: self.base.clone(),
            client: awc::Client::builder()
                .timeout(Duration::from_secs(30))
                .finish(),
        }
    }

    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.kill();
    }
}

/// An HTTP client bound to one base URL.
pub struct Remote {
    pub base: String,
    pub client: awc::Client,
}

impl Remote {
    pub fn new(base: &str) -> Remote {
        Remote {
            base: base.to_owned(),
            client: awc::Client::builder()
                .timeout(Duration::from_secs(30))
                .finish(),
        }
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Response {
        let mut req = self.client.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.insert_header((header::AUTHORIZATION, format!("Bearer {t}")));
        }
        let mut res = match body {
            Some(b) => req.send_json(b).await.expect("request"),
            None => req.send().await.expect("request"),
        };
        Response::read(&mut res).await
    }

    pub async fn login(&self, email: &str) -> String {
        let res = self
            .send(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(&json!({"email": email, "password": PASSWORD})),
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        token_of(&res, "access_token")
    }
}

/// Runs `indaba` with a command line against a database (for setting up instances).
pub fn indaba_cli(database_url: &str, args: &[&str]) {
    let dir = TempDir::new();
    let out = std::process::Command::new(indaba_binary())
        .current_dir(&dir.0)
        .env("INDABA_DATA_DIR", dir.0.join("data"))
        .env("INDABA_DATABASE_URL", database_url)
        .env("INDABA_LOG", "warn")
        .args(args)
        .output()
        .expect("indaba runs");
    assert!(
        out.status.success(),
        "indaba {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
