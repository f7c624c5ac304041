//! Reading the mail the server sends: the .eml folder, and a real SMTP server.

use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine;

use crate::*;

#[derive(Debug, Clone)]
pub struct Mail {
    pub headers: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub raw: String,
}

/// Reads .eml files (the folder transport) or a Maildir's `new/` (the SMTP test server).
pub fn read_mail_dir(dir: &Path, to: &str) -> Vec<Mail> {
    let mut files: Vec<PathBuf> = Vec::new();
    for d in [dir.to_path_buf(), dir.join("new"), dir.join("cur")] {
        if let Ok(entries) = std::fs::read_dir(&d) {
            files.extend(entries.flatten().map(|e| e.path()).filter(|p| p.is_file()));
        }
    }
    files.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
    files
        .into_iter()
        .filter_map(|p| std::fs::read_to_string(&p).ok())
        .map(|raw| parse_mail(&raw))
        .filter(|m| {
            m.headers
                .lines()
                .any(|l| l.to_ascii_lowercase().starts_with("to:") && l.to_lowercase().contains(to))
        })
        .collect()
}

/// Enough MIME to read what the server sends: headers, and base64 text and HTML parts.
pub fn parse_mail(raw: &str) -> Mail {
    let raw = raw.replace("\r\n", "\n");
    let (headers, body) = raw.split_once("\n\n").unwrap_or((&raw, ""));
    let subject = headers
        .lines()
        .find_map(|l| l.strip_prefix("Subject: "))
        .map(decode_encoded_word)
        .unwrap_or_default();
    let mut text = String::new();
    let mut html = String::new();
    for part in body.split("\n--") {
        let Some((part_headers, part_body)) = part.split_once("\n\n") else {
            continue;
        };
        let lower = part_headers.to_ascii_lowercase();
        let decoded = if lower.contains("content-transfer-encoding: base64") {
            let joined: String = part_body
                .lines()
                .take_while(|l| !l.starts_with("--"))
                .collect();
            base64::engine::general_purpose::STANDARD
                .decode(joined.trim())
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default()
        } else {
            part_body.to_owned()
        };
        if lower.contains("content-type: text/plain") {
            text = decoded;
        } else if lower.contains("content-type: text/html") {
            html = decoded;
        }
    }
    Mail {
        headers: headers.to_owned(),
        subject,
        text,
        html,
        raw: raw.clone(),
    }
}

/// RFC 2047 `=?utf-8?b?…?=` words, as lettre writes non-ASCII subjects.
fn decode_encoded_word(value: &str) -> String {
    let mut out = String::new();
    for word in value.split_whitespace() {
        let lower = word.to_ascii_lowercase();
        if lower.starts_with("=?utf-8?b?") && word.ends_with("?=") {
            let inner = &word[10..word.len() - 2];
            if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(inner) {
                out.push_str(&String::from_utf8_lossy(&bytes));
                continue;
            }
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// A real SMTP server (Python's aiosmtpd) writing what it receives into a Maildir.
/// A loopback port that was free a moment ago.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub struct SmtpServer {
    child: std::process::Child,
    pub port: u16,
    pub maildir: TempDir,
}

impl SmtpServer {
    pub async fn start() -> SmtpServer {
        SmtpServer::start_on(free_port()).await
    }

    /// On a given port: a test can point a server at a port where no mail server runs
    /// yet, and start one there later.
    pub async fn start_on(port: u16) -> SmtpServer {
        let maildir = TempDir::new();
        let child = std::process::Command::new("python3")
            .args([
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{port}"),
                "-c",
                "aiosmtpd.handlers.Mailbox",
            ])
            .arg(maildir.0.join("Maildir"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("python3 with aiosmtpd (tests/run installs it: pip install aiosmtpd)");
        let mut server = SmtpServer {
            child,
            port,
            maildir,
        };
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return server;
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                let mut err = String::new();
                if let Some(mut e) = server.child.stderr.take() {
                    use std::io::Read;
                    let _ = e.read_to_string(&mut err);
                }
                panic!("aiosmtpd exited ({status}): {err}\ninstall it with: python3 -m pip install aiosmtpd");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("aiosmtpd did not start on port {port}");
    }

    /// The messages received for `to` so far.
    pub fn mails_to(&self, to: &str) -> Vec<Mail> {
        read_mail_dir(&self.maildir.0.join("Maildir"), to)
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
