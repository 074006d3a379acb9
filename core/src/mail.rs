//! Sending queued mail through an SMTP relay (plain SMTP, as a town's
//! internal relay or a local MTA offers it).

use lettre::message::header::ContentType;
use lettre::{Message, SmtpTransport, Transport};

use crate::auth::Mail;

/// Sends one message; the error is kept on the queued mail for the admin.
pub(crate) fn send(host: &str, port: u16, from: &str, m: &Mail) -> Result<(), String> {
    let email = Message::builder()
        .from(from.parse().map_err(|e| format!("sender `{from}`: {e}"))?)
        .to(m
            .to
            .parse()
            .map_err(|e| format!("recipient `{}`: {e}", m.to))?)
        .subject(m.subject.clone())
        .header(ContentType::TEXT_PLAIN)
        .body(m.body.clone())
        .map_err(|e| e.to_string())?;
    SmtpTransport::builder_dangerous(host)
        .port(port)
        .build()
        .send(&email)
        .map(|_| ())
        .map_err(|e| e.to_string())
}
