//! The audit log: security-relevant events (logins, failed logins, role
//! and group changes, transitions), written in the same transaction as the
//! change they record, readable and exportable by site administrators.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::security::{self, Principal};
use crate::site::{decode, encode, Site, Writer};

/// One audited event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// When it happened.
    pub time: DateTime<Utc>,
    /// Who did it (the login, or `Anonymous User`).
    pub actor: String,
    /// What happened: `login`, `login_failed`, `logout`, `transition`,
    /// `local_roles`, `roles_changed`, `group_members_added`…
    pub event: String,
    /// What it happened to: a path, a login, a group.
    pub target: String,
    /// Details: the transition and states, the roles granted.
    pub detail: String,
    /// The client's address, when the event came over the web.
    #[serde(default)]
    pub address: Option<String>,
}

/// A key that sorts by time and never collides: nanoseconds and a random tail.
pub(crate) fn stamp() -> String {
    let now = Utc::now();
    let nanos = now.timestamp_nanos_opt().unwrap_or_default();
    format!("{nanos:020}-{:08x}", rand::random::<u32>())
}

impl Writer<'_> {
    /// Records an event in the audit log, in this write's transaction.
    pub fn audit(&mut self, event: &str, target: &str, detail: &str) {
        self.audit_from(event, target, detail, None);
    }

    /// Records an event with the client's address.
    pub fn audit_from(&mut self, event: &str, target: &str, detail: &str, address: Option<&str>) {
        let entry = AuditEntry {
            time: Utc::now(),
            actor: self.actor().to_owned(),
            event: event.to_owned(),
            target: target.to_owned(),
            detail: detail.to_owned(),
            address: address.map(str::to_owned),
        };
        let key = self.site.keys().audit(&stamp());
        self.tx.put(&key, encode(&entry));
    }
}

impl Site {
    /// The audit log, newest first: `size` entries from `start`, with the
    /// total. Only those holding `Manage site` may read it.
    pub fn audit_log(
        &self,
        who: &Principal,
        start: usize,
        size: usize,
    ) -> Result<(Vec<AuditEntry>, usize)> {
        let root = self.reader(who).must_get("/")?;
        if !self.reader(who).can(&root, security::MANAGE_SITE)? {
            return Err(Error::Forbidden("the audit log".into()));
        }
        let entries = self.store().scan_prefix(&self.keys().audits())?;
        let total = entries.len();
        let out = entries
            .iter()
            .rev()
            .skip(start)
            .take(size)
            .map(|(k, v)| decode(k, v))
            .collect::<Result<Vec<AuditEntry>>>()?;
        Ok((out, total))
    }
}

/// Writes audit entries as CSV (RFC 4180), a header line first.
pub fn to_csv(entries: &[AuditEntry]) -> String {
    let field = |s: &str| {
        // Cells starting with a formula sign are quoted and prefixed, so a
        // spreadsheet does not run them.
        let s = if s.starts_with(['=', '+', '-', '@']) {
            format!("'{s}")
        } else {
            s.to_owned()
        };
        format!("\"{}\"", s.replace('"', "\"\""))
    };
    let mut out = String::from("time,actor,event,target,detail,address\r\n");
    for e in entries {
        let cells = [
            e.time.to_rfc3339(),
            e.actor.clone(),
            e.event.clone(),
            e.target.clone(),
            e.detail.clone(),
            e.address.clone().unwrap_or_default(),
        ];
        let line: Vec<String> = cells.iter().map(|c| field(c)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}
