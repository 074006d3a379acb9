//! Authentication: logins that open a session (a signed JWT naming a stored
//! session, carried in the `__ac` cookie by browsers or as a bearer token
//! by programs), HTTP Basic for scripts, throttling of failed logins per
//! account and per address, CSRF tokens for forms, password reset by a
//! signed expiring token sent through the outgoing mail queue.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::hooks::{Event, Phase};
use crate::security::Principal;
use crate::site::{decode, encode, Site, Writer};

const WINDOW: Duration = Duration::from_secs(15 * 60);
const RESET_MINUTES: i64 = 60;

/// In-memory state of a served site: failed-login counters and the cached
/// signing secret.
#[derive(Debug, Default)]
pub(crate) struct AuthState {
    failures: Mutex<HashMap<String, Vec<Instant>>>,
    resets: Mutex<HashMap<String, Vec<Instant>>>,
    secret: OnceLock<Vec<u8>>,
}

/// Reset mails sent to one account in 15 minutes, at most.
const MAX_RESETS: usize = 3;

/// A stored login session.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Session {
    /// Its id.
    pub id: String,
    /// Whose it is.
    pub login: String,
    /// When it was opened.
    pub created: DateTime<Utc>,
    /// When it ends.
    pub expires: DateTime<Utc>,
    /// A fingerprint of the password it was opened with: a session ends
    /// when the password changes, whatever raced with the change.
    #[serde(default)]
    pub password: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    sid: String,
    exp: i64,
    iat: i64,
    #[serde(default)]
    fullname: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct ResetClaims {
    sub: String,
    purpose: String,
    /// A fingerprint of the password hash: the token dies with the password.
    fp: String,
    exp: i64,
}

/// A successful login.
#[derive(Debug, Clone)]
pub struct Login {
    /// The token to send back: as the `__ac` cookie or a bearer token.
    pub token: String,
    /// The session it names.
    pub session: Session,
    /// Who logged in.
    pub principal: Principal,
}

/// A message waiting in (or sent from) the outgoing mail queue.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Mail {
    /// Its key in the queue.
    #[serde(default)]
    pub id: String,
    /// The recipient.
    pub to: String,
    /// The subject.
    pub subject: String,
    /// The plain-text body.
    pub body: String,
    /// When it was queued.
    pub queued: DateTime<Utc>,
    /// When it was sent, once it is.
    #[serde(default)]
    pub sent: Option<DateTime<Utc>>,
    /// The last sending error.
    #[serde(default)]
    pub error: Option<String>,
}

fn hmac_hex(secret: &[u8], data: &str) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else {
        return String::new();
    };
    mac.update(data.as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn random_id() -> String {
    crate::text::new_uid()
}

impl Site {
    /// The site's signing secret, made on first use if an older site has none.
    pub(crate) fn secret(&self) -> Result<Vec<u8>> {
        if let Some(s) = self.auth.secret.get() {
            return Ok(s.clone());
        }
        let key = self.keys().secret();
        let secret = match self.store().get(&key)? {
            Some(s) => s,
            None => {
                self.write(&Principal::system("system"), |w| {
                    w.install_security_defaults()
                })?;
                self.store().get(&key)?.unwrap_or_default()
            }
        };
        if secret.len() < 32 {
            return Err(Error::Unauthorized("the site has no signing secret".into()));
        }
        let _ = self.auth.secret.set(secret.clone());
        Ok(secret)
    }

    fn throttled(&self, keys: &[String]) -> Option<u64> {
        let max = self.config().security.max_failed_logins as usize;
        let now = Instant::now();
        let mut map = self
            .auth
            .failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut wait = None;
        for k in keys {
            if let Some(list) = map.get_mut(k) {
                list.retain(|t| now.duration_since(*t) < WINDOW);
                if list.len() >= max {
                    let oldest = list.first().copied().unwrap_or(now);
                    let left = WINDOW.saturating_sub(now.duration_since(oldest));
                    wait = Some(wait.unwrap_or(0).max(left.as_secs().max(1)));
                }
            }
        }
        wait
    }

    fn note_failure(&self, keys: &[String]) {
        let mut map = self
            .auth
            .failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Forget what is older than the window, so guesses at many logins
        // do not grow the map for good.
        let now = Instant::now();
        map.retain(|_, list| list.last().is_some_and(|t| now.duration_since(*t) < WINDOW));
        for k in keys {
            map.entry(k.clone()).or_default().push(Instant::now());
        }
    }

    /// Takes back the attempt a success counted.
    fn forgive(&self, key: &str) {
        let mut map = self
            .auth
            .failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(list) = map.get_mut(key) {
            list.pop();
        }
    }

    fn clear_failures(&self, key: &str) {
        self.auth
            .failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(key);
    }

    /// Checks a login and password, with throttling: after too many
    /// failures for the account or the address, even the right password is
    /// refused for a while. Failures are audited.
    pub fn check_credentials(
        &self,
        login: &str,
        password: &str,
        address: Option<&str>,
    ) -> Result<Principal> {
        let mut keys = vec![format!("login:{login}")];
        if let Some(a) = address {
            keys.push(format!("addr:{a}"));
        }
        if let Some(wait) = self.throttled(&keys) {
            return Err(Error::Throttled(wait));
        }
        // The attempt counts before the slow check, so parallel guesses
        // cannot all pass the throttle; a success takes it back.
        self.note_failure(&keys);
        let user = self.user(login)?;
        let ok = match &user {
            Some(u) => u.check_password(password) && u.enabled,
            None => {
                // Spend the same time as a real check, so timing does not
                // tell which logins exist.
                static DUMMY: OnceLock<crate::users::User> = OnceLock::new();
                let _ = DUMMY
                    .get_or_init(|| crate::users::User::new("x", "x", "x", &[]))
                    .check_password(password);
                false
            }
        };
        if !ok {
            let detail = match &user {
                Some(u) if !u.enabled => "account disabled",
                Some(_) => "wrong password",
                None => "unknown login",
            };
            self.write(&Principal::anonymous(), |w| {
                w.audit_from("login_failed", login, detail, address);
                Ok(())
            })?;
            return Err(Error::Unauthorized("wrong login or password".into()));
        }
        self.clear_failures(&keys[0]);
        if let Some(a) = keys.get(1) {
            self.forgive(a);
        }
        self.principal(login)
    }

    /// Logs in: checks the credentials and opens a session.
    pub fn login(&self, login: &str, password: &str, address: Option<&str>) -> Result<Login> {
        let principal = self.check_credentials(login, password, address)?;
        self.open_session(principal, address)
    }

    fn open_session(&self, principal: Principal, address: Option<&str>) -> Result<Login> {
        let login = principal.name().to_owned();
        let now = Utc::now();
        let hours = i64::try_from(self.config().security.session_hours).unwrap_or(12);
        let password = self
            .user(&login)?
            .map(|u| fingerprint(&u.password_hash))
            .unwrap_or_default();
        let session = Session {
            id: random_id(),
            login: login.clone(),
            created: now,
            expires: now + chrono::Duration::hours(hours),
            password,
        };
        self.write(&principal, |w| {
            // Sessions that ended on their own are removed as others open.
            for (k, v) in w.tx.scan_prefix(&w.site.keys().sessions())? {
                if decode::<Session>(&k, &v).is_ok_and(|s| s.expires < now) {
                    w.tx.delete(&k);
                }
            }
            w.tx.put(&w.site.keys().session(&session.id), encode(&session));
            w.audit_from("login", &login, "", address);
            w.fire(Phase::After, &Event::UserLoggedIn { login: &login })
        })?;
        let claims = Claims {
            sub: login,
            sid: session.id.clone(),
            exp: session.expires.timestamp(),
            iat: now.timestamp(),
            fullname: principal.fullname().to_owned(),
        };
        let token = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(&self.secret()?),
        )
        .map_err(|e| Error::Unauthorized(e.to_string()))?;
        Ok(Login {
            token,
            session,
            principal,
        })
    }

    fn decode_token(&self, token: &str) -> Result<(Claims, Session)> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_required_spec_claims(&["exp", "sub"]);
        validation.leeway = 0;
        let data = jsonwebtoken::decode::<Claims>(
            token,
            &DecodingKey::from_secret(&self.secret()?),
            &validation,
        )
        .map_err(|e| Error::Unauthorized(format!("invalid token: {e}")))?;
        let claims = data.claims;
        let key = self.keys().session(&claims.sid);
        let session: Session = self
            .store()
            .get(&key)?
            .map(|b| decode(&key, &b))
            .transpose()?
            .ok_or_else(|| Error::Unauthorized("the session has ended".into()))?;
        if session.login != claims.sub || session.expires < Utc::now() {
            return Err(Error::Unauthorized("the session has ended".into()));
        }
        Ok((claims, session))
    }

    /// The principal a token stands for; refused when forged, expired,
    /// logged out, or when the account was disabled since.
    pub fn authenticate_token(&self, token: &str) -> Result<(Principal, Session)> {
        let (claims, session) = self.decode_token(token)?;
        self.check_session_password(&session)?;
        Ok((self.principal(&claims.sub)?, session))
    }

    fn check_session_password(&self, session: &Session) -> Result<()> {
        let current = self
            .user(&session.login)?
            .map(|u| fingerprint(&u.password_hash))
            .unwrap_or_default();
        if current.is_empty() || current != session.password {
            return Err(Error::Unauthorized(
                "the password changed since this login".into(),
            ));
        }
        Ok(())
    }

    /// Ends the session a token names, and gives a new token on a new session.
    pub fn renew(&self, token: &str) -> Result<Login> {
        let (claims, session) = self.decode_token(token)?;
        self.check_session_password(&session)?;
        let principal = self.principal(&claims.sub)?;
        self.write(&principal, |w| {
            // Checked again inside the write: a renewal racing a logout or
            // another renewal of the same token gives one session at most.
            let key = w.site.keys().session(&session.id);
            if w.tx.get(&key)?.is_none() {
                return Err(Error::Unauthorized("the session has ended".into()));
            }
            w.tx.delete(&key);
            Ok(())
        })?;
        self.open_session(principal, None)
    }

    /// Ends the session a token names.
    pub fn logout(&self, token: &str) -> Result<()> {
        let (claims, session) = self.decode_token(token)?;
        self.write(&Principal::system(&claims.sub), |w| {
            w.tx.delete(&w.site.keys().session(&session.id));
            w.audit("logout", &claims.sub, "");
            Ok(())
        })
    }

    /// The CSRF token for a browser: an HMAC of its random `beffroi_csrf`
    /// cookie, put in every state-changing form as `_authenticator`.
    pub fn csrf_token(&self, seed: &str) -> Result<String> {
        Ok(hmac_hex(&self.secret()?, &format!("csrf:{seed}")))
    }

    /// A signature for a value the server hands to a browser and reads
    /// back (status messages, the clipboard): an HMAC in its own domain, so
    /// no CSRF token (whose seed the browser chooses) is ever one.
    pub fn seal(&self, purpose: &str, payload: &str) -> Result<String> {
        Ok(hmac_hex(
            &self.secret()?,
            &format!("seal\u{0}{purpose}\u{0}{payload}"),
        ))
    }

    /// Whether `signature` is [`Site::seal`]'s for this purpose and payload.
    pub fn check_seal(&self, purpose: &str, payload: &str, signature: &str) -> Result<bool> {
        let expected = self.seal(purpose, payload)?;
        Ok(constant_time_eq(expected.as_bytes(), signature.as_bytes()))
    }

    /// Whether a form's CSRF token matches the browser's cookie.
    pub fn check_csrf(&self, seed: &str, token: &str) -> Result<bool> {
        if !crate::text::is_uid(seed) || token.is_empty() {
            return Ok(false);
        }
        let expected = self.csrf_token(seed)?;
        Ok(constant_time_eq(expected.as_bytes(), token.as_bytes()))
    }

    /// Starts a password reset for the account with this login or e-mail:
    /// queues a mail with a link holding a signed token valid one hour.
    /// Says nothing about whether the account exists.
    pub fn request_password_reset(&self, login_or_email: &str, base_url: &str) -> Result<()> {
        let users = self.users()?;
        let Some(user) = users.into_iter().find(|u| {
            u.enabled
                && (u.login == login_or_email
                    || u.email.as_deref().is_some_and(|e| {
                        !login_or_email.is_empty() && e.eq_ignore_ascii_case(login_or_email)
                    }))
        }) else {
            return Ok(());
        };
        let Some(email) = user.email.clone() else {
            return Ok(());
        };
        {
            let now = Instant::now();
            let mut map = self
                .auth
                .resets
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            map.retain(|_, list| list.last().is_some_and(|t| now.duration_since(*t) < WINDOW));
            let list = map.entry(user.login.clone()).or_default();
            if list.len() >= MAX_RESETS {
                // Quietly: the answer is the same whether mail went or not.
                return Ok(());
            }
            list.push(now);
        }
        let base_url = self.config().url.as_deref().unwrap_or(base_url);
        if base_url.is_empty() {
            tracing::warn!(
                site = self.id(),
                "password reset asked, but the site has neither `url` nor `hosts` in site.toml: no link can be trusted, no mail sent"
            );
            return Ok(());
        }
        let claims = ResetClaims {
            sub: user.login.clone(),
            purpose: "reset".into(),
            fp: fingerprint(&user.password_hash),
            exp: (Utc::now() + chrono::Duration::minutes(RESET_MINUTES)).timestamp(),
        };
        let token = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(&self.secret()?),
        )
        .map_err(|e| Error::Unauthorized(e.to_string()))?;
        let lang = user
            .language
            .clone()
            .unwrap_or_else(|| self.settings_or_config().default_language);
        let catalog = self.renderer().catalog();
        let link = format!("{base_url}/@@reset-password/{token}");
        let args = [
            ("name", user.fullname.clone()),
            ("site", self.settings_or_config().title),
            ("link", link.clone()),
        ];
        let subject = catalog.message(&lang, "reset-mail-subject", &args);
        let body = catalog.message(&lang, "reset-mail-body", &args);
        self.write(&Principal::system(&user.login), |w| {
            w.queue_mail(&email, &subject, &body);
            w.audit("password_reset_requested", &user.login, "");
            Ok(())
        })
    }

    /// Sets a new password with a reset token. The token works once: it is
    /// bound to the old password. With `login`, the token must be that
    /// account's.
    pub fn reset_password(
        &self,
        login: Option<&str>,
        token: &str,
        new_password: &str,
    ) -> Result<()> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_required_spec_claims(&["exp", "sub"]);
        validation.leeway = 0;
        let claims = jsonwebtoken::decode::<ResetClaims>(
            token,
            &DecodingKey::from_secret(&self.secret()?),
            &validation,
        )
        .map_err(|e| Error::Unauthorized(format!("invalid or expired link: {e}")))?
        .claims;
        let user = self
            .user(&claims.sub)?
            .filter(|u| u.enabled && claims.purpose == "reset")
            .filter(|u| login.is_none_or(|l| l == u.login))
            .ok_or_else(|| Error::Unauthorized("invalid link".into()))?;
        if fingerprint(&user.password_hash) != claims.fp {
            return Err(Error::Unauthorized("this link was already used".into()));
        }
        self.write(&Principal::system(&user.login), |w| {
            // Checked again inside the write: two uses of one link racing
            // each other change the password once.
            if fingerprint(&w.load_user(&user.login)?.password_hash) != claims.fp {
                return Err(Error::Unauthorized("this link was already used".into()));
            }
            w.unrestricted(|w| w.set_password(&user.login, new_password))
        })
    }

    /// The outgoing mail queue, oldest first.
    pub fn mails(&self) -> Result<Vec<Mail>> {
        self.store()
            .scan_prefix(&self.keys().mails())?
            .iter()
            .map(|(k, v)| {
                let mut m: Mail = decode(k, v)?;
                m.id = String::from_utf8_lossy(k)
                    .rsplit('/')
                    .next()
                    .unwrap_or_default()
                    .to_owned();
                Ok(m)
            })
            .collect()
    }

    /// Sends the queued mail through the configured SMTP relay; returns how
    /// many were sent. Without a relay, nothing is sent and mail waits.
    pub fn send_queued_mail(&self) -> Result<usize> {
        let Some(host) = self.config().mail.smtp_host.clone() else {
            return Ok(0);
        };
        let port = self.config().mail.smtp_port;
        let from = self.config().mail.from.clone();
        let mut sent = 0;
        for mut m in self.mails()?.into_iter().filter(|m| m.sent.is_none()) {
            match crate::mail::send(&host, port, &from, &m) {
                Ok(()) => {
                    m.sent = Some(Utc::now());
                    m.error = None;
                    sent += 1;
                }
                Err(e) => m.error = Some(e),
            }
            let key = self.keys().mail(&m.id);
            self.write(&Principal::system("system"), |w| {
                w.tx.put(&key, encode(&m));
                Ok(())
            })?;
        }
        Ok(sent)
    }
}

impl Writer<'_> {
    /// Queues a plain-text mail, in this write's transaction.
    pub fn queue_mail(&mut self, to: &str, subject: &str, body: &str) {
        let now = Utc::now();
        let stamp = format!(
            "{:020}-{:08x}",
            now.timestamp_nanos_opt().unwrap_or_default(),
            rand::random::<u32>()
        );
        let mail = Mail {
            id: stamp.clone(),
            to: to.to_owned(),
            subject: subject.to_owned(),
            body: body.to_owned(),
            queued: now,
            sent: None,
            error: None,
        };
        let key = self.site.keys().mail(&stamp);
        self.tx.put(&key, encode(&mail));
    }
}

fn fingerprint(hash: &str) -> String {
    Sha256::digest(hash.as_bytes())
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
