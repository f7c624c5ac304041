//! Where mail goes: a folder of .eml files (default), SMTP, or the log.

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
            Transport::Log => {
                tracing::info!(
                    to = mail.to,
                    subject = mail.subject,
                    "mail (log transport)\n{}",
                    mail.text
                );
                Ok(())
            }
        }
    }
}
