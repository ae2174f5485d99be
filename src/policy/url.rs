//! Credentials inside URLs: `scheme://user:password@host`.

/// A password found in a URL's user-info, as a byte range of the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlPassword {
    pub start: usize,
    pub end: usize,
    /// The first character that breaks URL parsing, and its byte offset in the text.
    pub unencoded: Option<(char, usize)>,
}

/// Every `scheme://user:password@` in `text` with a non-empty password.
pub fn passwords(text: &str) -> Vec<UrlPassword> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find("://").map(|i| from + i) {
        from = i + 3;
        let scheme_ok = text[..i]
            .bytes()
            .next_back()
            .is_some_and(|b| b.is_ascii_alphanumeric());
        if !scheme_ok {
            continue;
        }
        let rest_start = i + 3;
        let rest_len = text[rest_start..]
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | '`'))
            .unwrap_or(text.len() - rest_start);
        let rest = &text[rest_start..rest_start + rest_len];
        // The user-info ends at the last `@` (an unencoded `@` in the password
        // comes before it); a `/` in the user name means it was a path.
        let Some(at) = rest.rfind('@') else { continue };
        let userinfo = &rest[..at];
        let Some(colon) = userinfo.find(':') else {
            continue;
        };
        let user = &userinfo[..colon];
        if user.contains('/') || user.contains('?') || user.contains('#') {
            continue;
        }
        let password = &userinfo[colon + 1..];
        if password.is_empty() {
            continue;
        }
        let start = rest_start + colon + 1;
        out.push(UrlPassword {
            start,
            end: start + password.len(),
            unencoded: first_unencoded(password).map(|(c, o)| (c, start + o)),
        });
        from = rest_start + at + 1;
    }
    out
}

/// The first character of a password that a URL parser would split on.
fn first_unencoded(password: &str) -> Option<(char, usize)> {
    let b = password.as_bytes();
    for (i, c) in password.char_indices() {
        match c {
            '@' | '#' | '/' | '?' | ':' => return Some((c, i)),
            '%' => {
                let hex = |j: usize| b.get(j).is_some_and(u8::is_ascii_hexdigit);
                if !(hex(i + 1) && hex(i + 2)) {
                    return Some((c, i));
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pw(text: &str) -> Vec<&str> {
        passwords(text)
            .into_iter()
            .map(|p| &text[p.start..p.end])
            .collect()
    }

    #[test]
    fn finds_passwords() {
        // keywarden:allow (fake test data)
        assert_eq!(pw("postgres://app:s3cret@db:5432/app"), ["s3cret"]);
        // keywarden:allow (fake test data)
        assert_eq!(pw("redis://:hunter2@redis:6379/0"), ["hunter2"]);
        assert_eq!(
            pw("postgresql://$(DB_USER):$(DB_PASSWORD)@$(DB_HOST)/db"),
            ["$(DB_PASSWORD)"]
        );
        assert!(pw("https://example.com/a@b").is_empty());
        assert!(pw("https://user@example.com/").is_empty());
        assert!(pw("postgres://user:@db/x").is_empty());
        assert!(pw("see https://host/path:x@y").is_empty());
    }

    #[test]
    fn unencoded_characters() {
        let t = "redis://default:p@ss#word@redis:6379/0";
        let p = &passwords(t)[0];
        assert_eq!(&t[p.start..p.end], "p@ss#word");
        assert_eq!(p.unencoded.map(|u| u.0), Some('@'));
        // keywarden:allow (fake test data)
        let t = "amqp://u:ab%2Fcd@mq";
        assert_eq!(passwords(t)[0].unencoded, None);
        // keywarden:allow (fake test data)
        let t = "amqp://u:100%sure@mq";
        assert_eq!(passwords(t)[0].unencoded.map(|u| u.0), Some('%'));
    }
}
