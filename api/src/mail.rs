//! Delivery of the outbox: through a mail relay (SMTP) when one is configured — submission with
//! STARTTLS (`smtp://host:587?tls=required`), implicit TLS (`smtps://user:password@host`), or a
//! plain relay on a trusted network (`smtp://host:25`) —, else as `.eml` files in a mail folder.
//! Both build the message with lettre's builder: headers in ASCII as RFC 5322 wants, a French
//! subject or sender name as RFC 2047 encoded words.

use std::io::Write as _;

use lettre::message::header::{ContentTransferEncoding, ContentType, MIME_VERSION_1_0};
use lettre::message::{Body, Mailbox};
use lettre::{Message, SmtpTransport, Transport as _};
use mcp_persistence::use_cases::outbox::{Outgoing, Transport};

/// One outgoing message, from `from`, with `body` as the transport carries it.
fn message(from: &Mailbox, m: &Outgoing, body: Body) -> Result<Message, String> {
    let to: Mailbox =
        m.to.parse()
            .map_err(|e| format!("recipient is not an address: {e}"))?;
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(m.subject.clone())
        .message_id(Some(format!("<{}@mon-compte-partenaire>", m.id)))
        .date(std::time::SystemTime::from(m.created_at.and_utc()))
        .header(MIME_VERSION_1_0)
        .header(ContentType::TEXT_PLAIN)
        .body(body)
        .map_err(|e| e.to_string())
}

/// Writes each message as an RFC 5322 `.eml` file in a folder (the default, so that a fresh
/// machine works), body in UTF-8 as written (8bit: a file has no 7-bit hop to cross).
#[derive(Debug, Clone)]
pub struct MailFolder {
    /// The folder.
    pub dir: std::path::PathBuf,
    /// The sender.
    pub from: Mailbox,
}

/// A body as RFC 2045 allows 8bit: UTF-8 text, CRLF line ends, no NUL, no line over 998 octets
/// (lettre's own choice would fold any line over 76 characters into quoted-printable, which a
/// file has no reason to).
fn eight_bit(text: &str) -> Result<Body, String> {
    let crlf = text.replace("\r\n", "\n").replace('\n', "\r\n");
    if crlf.contains('\0')
        || crlf
            .split("\r\n")
            .any(|l| l.len() > 998 || l.contains('\r'))
    {
        return Err(
            "the message is not 8bit text (a NUL, a bare CR or a line over 998 octets)".into(),
        );
    }
    Ok(Body::dangerous_pre_encoded(
        crlf.into_bytes(),
        ContentTransferEncoding::EightBit,
    ))
}

impl Transport for MailFolder {
    fn send(&self, m: &Outgoing) -> Result<(), String> {
        let body = eight_bit(&m.body)?;
        let formatted = message(&self.from, m, body)?.formatted();
        std::fs::create_dir_all(&self.dir)
            .map_err(|e| format!("mail folder {}: {e}", self.dir.display()))?;
        let file = self.dir.join(format!("{}.eml", m.id));
        let tmp = self.dir.join(format!(".{}.eml.tmp", m.id));
        // Whole or not at all: written aside, synced, then renamed into place.
        std::fs::File::create(&tmp)
            .and_then(|mut f| {
                f.write_all(&formatted)?;
                f.sync_all()
            })
            .and_then(|_| std::fs::rename(&tmp, &file))
            .map_err(|e| e.to_string())
    }

    fn describe(&self) -> String {
        self.dir.display().to_string()
    }
}

/// A mail relay reached over SMTP.
pub struct SmtpRelay {
    transport: SmtpTransport,
    from: Mailbox,
    /// The relay's address without credentials, for the logs.
    described: String,
}

impl SmtpRelay {
    /// Reads the relay's URL (credentials included, never logged) and the sender.
    pub fn new(url: &str, from: &str) -> Result<Self, String> {
        let transport = SmtpTransport::from_url(url)
            .map_err(|e| format!("MCP_SMTP_URL: {e}"))?
            .timeout(Some(std::time::Duration::from_secs(20)))
            .build();
        let from: Mailbox = from
            .parse()
            .map_err(|e| format!("MCP_MAIL_FROM is not an address: {e}"))?;
        let described = match url.split_once('@') {
            Some((scheme_and_credentials, host)) => {
                let scheme = scheme_and_credentials.split("://").next().unwrap_or("smtp");
                format!("{scheme}://{host}")
            }
            None => url.to_string(),
        };
        Ok(Self {
            transport,
            from,
            described,
        })
    }
}

impl Transport for SmtpRelay {
    fn send(&self, m: &Outgoing) -> Result<(), String> {
        // Quoted-printable or base64 as lettre chooses: any relay carries it.
        let message = message(&self.from, m, Body::new(m.body.clone()))?;
        self.transport
            .send(&message)
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    fn describe(&self) -> String {
        self.described.clone()
    }
}

/// The outbox's transport for this configuration: the relay when `MCP_SMTP_URL` is set, the
/// mail folder otherwise.
pub fn transport(config: &crate::config::Config) -> Result<Box<dyn Transport>, String> {
    Ok(match &config.smtp_url {
        Some(url) => Box::new(SmtpRelay::new(url, &config.mail_from)?),
        None => Box::new(MailFolder {
            dir: config.mail_dir.clone(),
            from: config
                .mail_from
                .parse()
                .map_err(|e| format!("MCP_MAIL_FROM is not an address: {e}"))?,
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_is_kept_as_written_in_8bit_when_it_may_be() {
        let long = "é".repeat(200);
        let body = eight_bit(&format!("Bonjour,\n{long}\n")).unwrap();
        assert_eq!(body.encoding(), ContentTransferEncoding::EightBit);
        assert_eq!(
            body.into_vec(),
            format!("Bonjour,\r\n{long}\r\n").into_bytes()
        );
        assert!(eight_bit(&"a".repeat(999)).is_err());
        assert!(eight_bit("a\rb").is_err());
        assert!(eight_bit("a\0b").is_err());
    }
}
