//! Mail: a durable outbox written in the same transaction as the action that causes
//! the mail, drained by a worker that sends through lettre and retries with backoff.

pub mod templates;
pub mod transport;
pub mod worker;

use diesel::prelude::*;

use crate::db::schema::mail_outbox;
use crate::db::{now, DbConn};
use crate::error::ApiResult;
pub use templates::Rendered;

pub struct OutgoingMail<'a> {
    pub user_id: Option<i64>,
    pub recipient: &'a str,
    pub kind: &'static str,
    pub language: &'a str,
    pub rendered: Rendered,
    /// One-click unsubscribe (RFC 8058) for notification mail; none for account mail.
    pub unsubscribe_url: Option<String>,
}

/// Queues a message; call inside the transaction of the action that causes it.
pub fn enqueue(conn: &mut DbConn, mail: OutgoingMail<'_>) -> ApiResult<i64> {
    let t = now();
    let id = diesel::insert_into(mail_outbox::table)
        .values((
            mail_outbox::user_id.eq(mail.user_id),
            mail_outbox::recipient.eq(mail.recipient),
            mail_outbox::kind.eq(mail.kind),
            mail_outbox::language.eq(mail.language),
            mail_outbox::subject.eq(&mail.rendered.subject),
            mail_outbox::body_text.eq(&mail.rendered.text),
            mail_outbox::body_html.eq(&mail.rendered.html),
            mail_outbox::created_at.eq(t),
            mail_outbox::attempts.eq(0),
            mail_outbox::next_attempt_at.eq(t),
            mail_outbox::unsubscribe_url.eq(&mail.unsubscribe_url),
        ))
        .returning(mail_outbox::id)
        .get_result(conn)?;
    Ok(id)
}

/// Erasure reaches the mail folder too: every `.eml` file addressed to `email` goes
/// (mail sent over SMTP has left the server; the outbox rows are scrubbed with the
/// account). Returns how many files were removed.
pub fn forget_recipient(dir: &std::path::Path, email: &str) -> std::io::Result<usize> {
    let wanted = email.trim().to_lowercase();
    let mut removed = 0;
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("eml") {
            continue;
        }
        let Ok(raw) = std::fs::read_to_string(&path) else {
            continue;
        };
        // The headers end at the first blank line; `To:` names the recipient.
        let addressed = raw
            .split("\r\n\r\n")
            .next()
            .unwrap_or_default()
            .lines()
            .filter(|l| l.to_ascii_lowercase().starts_with("to:"))
            .any(|l| l.to_lowercase().contains(&wanted));
        if addressed {
            std::fs::remove_file(&path)?;
            removed += 1;
        }
    }
    Ok(removed)
}
