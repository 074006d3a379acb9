//! Small text helpers: slugs, HTML sanitising, and the checks behind the
//! e-mail, url, phone and uid field kinds.

/// Makes an id from a title: accents folded, lower case, words joined by `-`.
/// Never empty: a title with no letters or digits gives `item`.
pub fn slugify(title: &str) -> String {
    let mut out = String::with_capacity(title.len());
    let mut dash = false;
    for c in title.chars() {
        let folded = fold(c);
        for f in folded.chars() {
            if f.is_ascii_alphanumeric() {
                if dash && !out.is_empty() {
                    out.push('-');
                }
                dash = false;
                out.push(f.to_ascii_lowercase());
            } else {
                dash = true;
            }
        }
        if out.len() >= 80 {
            break;
        }
    }
    if out.is_empty() {
        "item".into()
    } else {
        out
    }
}

fn fold(c: char) -> String {
    let s = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' => "a",
        'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' | 'Ā' => "A",
        'æ' => "ae",
        'Æ' => "AE",
        'ç' | 'ć' | 'č' => "c",
        'Ç' | 'Ć' | 'Č' => "C",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' | 'ě' => "e",
        'È' | 'É' | 'Ê' | 'Ë' | 'Ē' | 'Ę' | 'Ě' => "E",
        'ì' | 'í' | 'î' | 'ï' | 'ī' => "i",
        'Ì' | 'Í' | 'Î' | 'Ï' | 'Ī' => "I",
        'ñ' | 'ń' => "n",
        'Ñ' | 'Ń' => "N",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' => "o",
        'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' | 'Ō' => "O",
        'œ' => "oe",
        'Œ' => "OE",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' => "u",
        'Ù' | 'Ú' | 'Û' | 'Ü' | 'Ū' => "U",
        'ý' | 'ÿ' => "y",
        'Ý' | 'Ÿ' => "Y",
        'ß' => "ss",
        'š' => "s",
        'Š' => "S",
        'ž' => "z",
        'Ž' => "Z",
        other => return other.to_string(),
    };
    s.to_owned()
}

/// Cleans HTML from a rich-text field: scripts, event handlers and unknown
/// tags go, links get `rel="noopener noreferrer"`.
pub fn sanitize_html(html: &str) -> String {
    ammonia::clean(html)
}

/// A plausible e-mail address: one `@`, no spaces, a dot in the domain.
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(|c| c.is_whitespace() || c == '<' || c == '>')
        && !domain.contains('@')
        && s.len() <= 254
}

/// An `http` or `https` address with a host and no spaces.
pub fn is_url(s: &str) -> bool {
    // Plone's way of linking inside the site whatever its address:
    // `${portal_url}/path`, resolved when shown (`resolve_url`).
    if let Some(path) = s.strip_prefix(PORTAL_URL) {
        return (path.is_empty() || path.starts_with('/')) && is_url(&format!("http://site{path}"));
    }
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    match rest {
        Some(r) => {
            let host = r.split(['/', '?', '#']).next().unwrap_or("");
            !host.is_empty()
                && !s
                    .chars()
                    .any(|c| c.is_whitespace() || c == '<' || c == '>' || c == '"')
                && s.len() <= 2000
        }
        None => false,
    }
}

/// A telephone number: digits with spaces, dots, dashes, slashes,
/// parentheses and a leading `+`; between 6 and 20 digits.
pub fn is_phone(s: &str) -> bool {
    let digits = s.chars().filter(char::is_ascii_digit).count();
    (6..=20).contains(&digits)
        && s.chars().enumerate().all(|(i, c)| {
            c.is_ascii_digit()
                || matches!(c, ' ' | '.' | '-' | '/' | '(' | ')')
                || (c == '+' && i == 0)
        })
}

/// A uid as Beffroi makes them: 32 lower-case hexadecimal digits.
pub fn is_uid(s: &str) -> bool {
    s.len() == 32
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// A new random uid.
pub fn new_uid() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// A SHA-256 in hexadecimal: 64 lower-case hexadecimal digits.
pub fn is_sha256(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Text made safe for XML and HTML, in content and in attribute values:
/// `& < > " '` escaped, and the control characters XML 1.0 forbids
/// dropped (a document with one of them is not XML at all).
pub fn escape_xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// The prefix of an address inside the site (Plone's `${portal_url}`).
pub const PORTAL_URL: &str = "${portal_url}";

/// An address with a leading `${portal_url}` replaced by the site's URL
/// (`base`, without a trailing `/`).
pub fn resolve_url(s: &str, base: &str) -> String {
    match s.strip_prefix(PORTAL_URL) {
        Some(path) => format!("{base}{path}"),
        None => s.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_fold_accents_and_punctuation() {
        assert_eq!(
            slugify("Éco-quartier « Les Hêtres »"),
            "eco-quartier-les-hetres"
        );
        assert_eq!(slugify("  Œuvres & Cœur  "), "oeuvres-coeur");
        assert_eq!(slugify("!!!"), "item");
        assert_eq!(slugify("État civil"), "etat-civil");
    }

    #[test]
    fn field_checks() {
        assert!(is_email("population@sambreville.be"));
        assert!(!is_email("population@"));
        assert!(!is_email("a b@c.be"));
        assert!(is_url("https://www.sambreville.be/"));
        assert!(!is_url("javascript:alert(1)"));
        assert!(is_phone("+32 71 26 02 11"));
        assert!(!is_phone("12"));
        assert!(!is_phone("071/26+02"));
        assert!(is_uid(&new_uid()));
    }
}
