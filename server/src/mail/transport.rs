//! Where mail goes: a folder of .eml files (default), SMTP, or the log (headers only).

use lettre::message::header::{ContentTransferEncoding, ContentType, HeaderName, HeaderValue};
use lettre::message::{Body, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::MailTransport;

pub enum Transport {
    Folder(AsyncFileTransport<Tokio1Executor>),
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Log,
}

pub struct Mailer {
    transport: Transport,
    from: Mailbox,
}

pub struct Envelope<'a> {
    pub to: &'a str,
    pub subject: &'a str,
    pub text: &'a str,
    pub html: &'a str,
    pub unsubscribe: Option<&'a str>,
    /// The left part of the Message-ID (the sender's domain is added). The worker gives
    /// every attempt at one outbox row the same id, so a message sent again after a crash
    /// between the SMTP server's acceptance and our record of it is recognisably the same
    /// message (mail systems fold duplicates by Message-ID); none: lettre makes one up.
    pub message_id: Option<&'a str>,
}

impl Mailer {
    pub fn new(kind: &MailTransport, from: &str) -> Result<Self, String> {
        let from: Mailbox = from.parse().map_err(|e| format!("INDABA_MAIL_FROM: {e}"))?;
        let transport = match kind {
            MailTransport::Folder(dir) => {
                std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
                Transport::Folder(AsyncFileTransport::new(dir))
            }
            MailTransport::Smtp(url) => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| format!("INDABA_SMTP_URL: {e}"))?
                    .build(),
            ),
            MailTransport::Log => Transport::Log,
        };
        Ok(Self { transport, from })
    }

    /// Whether mail can go out now: for SMTP a connection and a NOOP; a folder and the
    /// log always can.
    pub async fn check(&self) -> Result<(), String> {
        match &self.transport {
            Transport::Smtp(t) => match t.test_connection().await {
                Ok(true) => Ok(()),
                Ok(false) => Err("the server did not answer NOOP".into()),
                Err(e) => Err(e.to_string()),
            },
            Transport::Folder(_) | Transport::Log => Ok(()),
        }
    }

    pub async fn send(&self, mail: Envelope<'_>) -> Result<(), String> {
        let to: Mailbox = mail.to.parse().map_err(|e| format!("recipient: {e}"))?;
        // Base64 parts: any script survives any relay, and line lengths stay legal.
        let part = |content_type: ContentType, body: &str| -> Result<SinglePart, String> {
            let body = Body::new_with_encoding(body.to_owned(), ContentTransferEncoding::Base64)
                .map_err(|_| "cannot encode the body".to_owned())?;
            Ok(SinglePart::builder().header(content_type).body(body))
        };
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject);
        if let Some(id) = mail.message_id {
            builder = builder.message_id(Some(format!("<{id}@{}>", self.from.email.domain())));
        }
        if let Some(url) = mail.unsubscribe {
            // RFC 2369 and RFC 8058: mail clients offer one-click unsubscribe with a POST.
            builder = builder
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe"),
                    format!("<{url}>"),
                ))
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                    "List-Unsubscribe=One-Click".to_owned(),
                ));
        }
        let message = builder
            .multipart(
                MultiPart::alternative()
                    .singlepart(part(ContentType::TEXT_PLAIN, mail.text)?)
                    .singlepart(part(ContentType::TEXT_HTML, mail.html)?),
            )
            .map_err(|e| format!("cannot build the message: {e}"))?;
        match &self.transport {
            Transport::Folder(t) => t.send(message).await.map(|_| ()).map_err(|e| e.to_string()),
            Transport::Smtp(t) => t.send(message).await.map(|_| ()).map_err(|e| e.to_string()),
            // Headers only: a body may carry a one-time link (verification, reset), and
            // logs are read by more people, and kept longer, than a mailbox.
            Transport::Log => {
                tracing::info!(
                    to = mail.to,
                    subject = mail.subject,
                    "mail (log transport: the body is not logged)"
                );
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Logs written while `f` runs, as text.
    fn logged(f: impl FnOnce()) -> String {
        use std::sync::{Arc, Mutex};
        #[derive(Clone, Default)]
        struct Buf(Arc<Mutex<Vec<u8>>>);
        impl std::io::Write for Buf {
            fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(b);
                Ok(b.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let buf = Buf::default();
        let writer = buf.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        tracing::subscriber::with_default(subscriber, f);
        let bytes = buf.0.lock().unwrap().clone();
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn the_log_transport_never_writes_a_body() {
        let mailer = Mailer::new(&MailTransport::Log, "Indaba <no-reply@example.org>").unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let out = logged(|| {
            runtime
                .block_on(mailer.send(Envelope {
                    to: "ana@example.org",
                    subject: "Confirm your address",
                    text: "http://x/verify?token=SECRET-TOKEN",
                    html: "<a href=\"http://x/verify?token=SECRET-TOKEN\">x</a>",
                    unsubscribe: None,
                    message_id: None,
                }))
                .unwrap();
        });
        assert!(out.contains("Confirm your address"), "{out}");
        assert!(!out.contains("SECRET-TOKEN"), "{out}");
    }
}
