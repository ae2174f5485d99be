//! Offline validators: structural checks a token carries in itself (checksums),
//! which let a rule tell a real token format from a random look-alike.

use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Validator {
    /// GitHub's classic, OAuth, user/server and refresh tokens end in the
    /// 6-character base62 CRC32 of the 30 characters before it.
    GithubChecksum,
}

impl Validator {
    pub fn check(self, secret: &[u8]) -> bool {
        match self {
            Validator::GithubChecksum => github_checksum(secret),
        }
    }
}

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

fn github_checksum(token: &[u8]) -> bool {
    if token.len() < 36 {
        return false;
    }
    let body = &token[token.len() - 36..];
    let (random, check) = body.split_at(30);
    let mut n = crc32fast::hash(random);
    let mut encoded = [b'0'; 6];
    for slot in encoded.iter_mut().rev() {
        *slot = BASE62[(n % 62) as usize];
        n /= 62;
    }
    n == 0 && encoded == check
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_checksum_accepts_valid_and_rejects_tampered() {
        assert!(github_checksum(b"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"));
        assert!(!github_checksum(
            b"ghp_FAKEfake0123456789abcdefFAKE0115a2dK"
        ));
        assert!(!github_checksum(
            b"ghp_FAKEfake0123456789abcdefFAKE0215a2dJ"
        ));
        assert!(!github_checksum(b"short"));
    }
}
