//! Delivery of the outbox through a mail relay (SMTP), when one is configured: submission with
//! STARTTLS (`smtp://host:587?tls=required`), implicit TLS (`smtps://user:password@host`), or a
//! plain relay on a trusted network (`smtp://host:25`).

use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::{Message, SmtpTransport, Transport as _};
use mcp_persistence::use_cases::outbox::{MailFolder, Outgoing, Transport};

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
        let to: Mailbox =
            m.to.parse()
                .map_err(|e| format!("recipient is not an address: {e}"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(m.subject.clone())
            .message_id(Some(format!("<{}@mon-compte-partenaire>", m.id)))
            .date(std::time::SystemTime::from(m.created_at.and_utc()))
            .header(ContentType::TEXT_PLAIN)
            .body(m.body.clone())
            .map_err(|e| e.to_string())?;
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
            from: config.mail_from.clone(),
        }),
    })
}
