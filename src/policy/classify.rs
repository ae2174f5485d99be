//! What a YAML key and its value mean for secret handling: is the key
//! secret-like, and is the value a literal, a placeholder, a weak password,
//! a template, a store reference or nothing at all. Shared by every check,
//! and pure: strings in, classes out.

/// What a scalar under a secret-like key is, first match wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// `""`, `null`, `~`, whitespace: never a finding by default.
    Empty,
    /// `{{ … }}`, `${VAR}`, `$(VAR)`, `$VAR`: filled in at deploy time.
    Template,
    /// `ref+vault://…`, `<path:…>`, `ENC[…]` (SOPS) and other store references.
    StoreRef,
    /// The key or value names something else: a Secret, a key inside one, a
    /// file, an environment variable, a directory.
    Reference,
    /// `changeme`, `<password>`, `your-token`…: not a secret, but must not reach production.
    Placeholder,
    /// `admin`, `password`, `123456`, a password equal to its username.
    Weak,
    /// Anything else: a committed secret.
    Literal,
}

impl Class {
    /// Literal and weak values are committed credentials.
    pub fn is_committed(self) -> bool {
        matches!(self, Class::Literal | Class::Weak)
    }
}

/// Splits a key into lower-case words at `_`, `-`, `.`, spaces and camelCase
/// boundaries: `existingSecretPasswordKey` → existing secret password key,
/// `DB_PASSWORD` → db password, `apiKey` → api key.
pub fn words(key: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = key.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        let boundary = c.is_uppercase()
            && i > 0
            && (chars[i - 1].is_lowercase()
                || chars[i - 1].is_ascii_digit()
                || (chars[i - 1].is_uppercase()
                    && chars.get(i + 1).is_some_and(|n| n.is_lowercase())));
        if boundary && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        cur.extend(c.to_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Keys that hold the credential itself although they end in `Secret`
/// (most `<thing>Secret` keys name a Kubernetes Secret instead).
const VALUE_SECRET_KEYS: &[&str] = &[
    "clientsecret",
    "jwtsecret",
    "webhooksecret",
    "sharedsecret",
    "cookiesecret",
    "sessionsecret",
    "appsecret",
    "githubsecret",
    "gitlabsecret",
    "bitbucketserversecret",
    "bitbucketsecret",
    "gogssecret",
    "accesskeysecret",
    "consumersecret",
    "hmacsecret",
    "signingsecret",
    "encryptionsecret",
    "serversecret",
    "secret",
];

/// Last words that make a key name something else than a credential.
const REFERENCE_LAST_WORDS: &[&str] = &[
    "name",
    "names",
    "ref",
    "file",
    "files",
    "path",
    "paths",
    "dir",
    "directory",
    "url",
    "uri",
    "endpoint",
    "alg",
    "algorithm",
    "length",
    "ttl",
    "expiry",
    "expiration",
    "env",
    "type",
    "size",
    "mode",
    "format",
    "enabled",
    "version",
    "header",
    "prefix",
    "suffix",
    "policy",
    "id",
    "ids",
    "count",
    "timeout",
    "seconds",
    "interval",
    "duration",
    "annotations",
    "labels",
    "selector",
    "mount",
    "volume",
    "provider",
    "store",
    "class",
    "hash",
    "digest",
    "template",
    "field",
    "fields",
    "source",
    "sources",
    "namespace",
    "rotation",
    "strength",
    "min",
    "max",
    "minimum",
    "maximum",
    "regex",
    "pattern",
    "hint",
    "description",
];

/// Known keys that look secret-like but are not credentials.
const NON_CREDENTIAL_KEYS: &[&str] = &[
    "initialclustertoken",
    "numtokens",
    "tokenttl",
    "tokenurl",
    "automountserviceaccounttoken",
    "automounttoken",
    "tokenreviewer",
    "passwordauthentication",
    "passwordminlength",
    "updatepassword",
];

/// Keys that look secret-like but are known not to hold credentials
/// (`initialClusterToken`, `tsigSecretAlg`, `passwordEnv`, `SECRETS_DIR`…).
pub fn is_known_non_credential(key: &str) -> bool {
    cached(key).non_credential
}

fn non_credential_by_words(key: &str) -> bool {
    let flat: String = key
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    if NON_CREDENTIAL_KEYS.contains(&flat.as_str()) {
        return true;
    }
    let w = words(key);
    let secretish = w.iter().any(|x| {
        matches!(
            x.as_str(),
            "password" | "passwd" | "secret" | "secrets" | "token" | "key" | "credentials"
        )
    });
    secretish
        && (w.first().is_some_and(|f| f == "existing")
            || w.last()
                .is_some_and(|l| REFERENCE_LAST_WORDS.contains(&l.as_str())))
}

/// A configured key pattern: a key name, where `*` stands for any run of
/// characters (`*_PASS`, `sentry*`); case does not matter.
pub fn key_matches(pattern: &str, key: &str) -> bool {
    let p = pattern.as_bytes();
    let k = key.as_bytes();
    // Classic wildcard matching with one backtrack point per `*`.
    let (mut i, mut j) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while j < k.len() {
        if i < p.len() && p[i] != b'*' && p[i].eq_ignore_ascii_case(&k[j]) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == b'*' {
            star = Some((i, j));
            i += 1;
        } else if let Some((si, sj)) = star {
            i = si + 1;
            j = sj + 1;
            star = Some((si, sj + 1));
        } else {
            return false;
        }
    }
    p[i..].iter().all(|&c| c == b'*')
}

/// Cheap test: a secret-like key contains one of these (any case).
fn might_be_secret_key(key: &str) -> bool {
    const PARTS: &[&[u8]] = &[
        b"pass",
        b"pwd",
        b"secret",
        b"token",
        b"key",
        b"credential",
        b"dsn",
        b"connectionstring",
    ];
    let b = key.as_bytes();
    PARTS
        .iter()
        .any(|p| b.len() >= p.len() && b.windows(p.len()).any(|w| w.eq_ignore_ascii_case(p)))
}

/// A key whose scalar value would be a credential. `env_style` marks keys of
/// an environment map or list (`DB_PASSWORD`), where `*_KEY` counts too.
pub fn is_secret_key(key: &str, extra: &[String], ignore: &[String]) -> bool {
    key_info(key).is_secret(key, extra, ignore)
}

/// The facts about a key that the judgements below use, looked up once
/// (callers that ask several questions about one key use this).
pub fn key_info(key: &str) -> KeyInfo {
    cached(key)
}

impl KeyInfo {
    /// [`is_secret_key`] for the key these facts are about.
    pub fn is_secret(&self, key: &str, extra: &[String], ignore: &[String]) -> bool {
        if ignore.iter().any(|i| key_matches(i, key)) {
            return false;
        }
        if extra.iter().any(|e| key_matches(e, key)) {
            return true;
        }
        self.secret
    }

    /// [`is_known_non_credential`] for the key these facts are about.
    pub fn is_non_credential(&self) -> bool {
        self.non_credential
    }
}

/// What the words of a key say, worked out once per key and thread.
#[derive(Debug, Clone, Copy, Default)]
pub struct KeyInfo {
    secret: bool,
    non_credential: bool,
    /// `<thing>Secret` that is not one of the value-holding keys: a value
    /// shaped like an object name names a Kubernetes Secret.
    names_secret_object: bool,
    /// `passwordKey`, `userKey`…: an identifier value names a key in a Secret.
    names_secret_key: bool,
}

/// The word-based judgements of a key, memoised per thread: the same few
/// hundred keys recur in every values file.
fn cached(key: &str) -> KeyInfo {
    use std::cell::RefCell;
    use std::collections::HashMap;
    thread_local! {
        static CACHE: RefCell<HashMap<Box<str>, KeyInfo, KeyHasher>> = RefCell::new(HashMap::default());
    }
    // Looked up before the substring test: a hit costs one short hash, and
    // the same few hundred keys, secret-like or not, recur in every file.
    CACHE.with(|c| {
        if let Some(&v) = c.borrow().get(key) {
            return v;
        }
        if !might_be_secret_key(key) {
            let v = KeyInfo::default();
            remember(&mut c.borrow_mut(), key, v);
            return v;
        }
        let w = words(key);
        let last = w.last().map(String::as_str).unwrap_or("");
        let v = KeyInfo {
            secret: secret_key_by_words(key),
            non_credential: non_credential_by_words(key),
            names_secret_object: matches!(last, "secret" | "secrets")
                && !VALUE_SECRET_KEYS.contains(&w.concat().as_str()),
            names_secret_key: names_secret_key(&w),
        };
        remember(&mut c.borrow_mut(), key, v);
        v
    })
}

/// Stores a key's facts, starting over when the cache is full (a file of
/// generated keys must not grow it without bound).
fn remember<S: std::hash::BuildHasher>(
    c: &mut std::collections::HashMap<Box<str>, KeyInfo, S>,
    key: &str,
    v: KeyInfo,
) {
    if c.len() > 20_000 {
        c.clear();
    }
    c.insert(key.into(), v);
}

/// The key cache's hasher: a multiply-rotate pass over 8-byte words
/// (FxHash's scheme), seeded at random per thread (the cache is per thread)
/// and finished with a full-avalanche mix. Keys are short, so hashing them
/// byte by byte would cost more than the lookup; the seed and the mix keep
/// crafted keys in a scanned file from piling into one bucket.
#[derive(Clone)]
struct KeyHasher(u64);

impl Default for KeyHasher {
    fn default() -> Self {
        use std::hash::BuildHasher;
        thread_local! {
            static SEED: u64 = std::collections::hash_map::RandomState::new().hash_one(0u8);
        }
        KeyHasher(SEED.with(|s| *s))
    }
}

impl std::hash::BuildHasher for KeyHasher {
    type Hasher = WordHash;
    fn build_hasher(&self) -> WordHash {
        WordHash(self.0)
    }
}

struct WordHash(u64);

impl std::hash::Hasher for WordHash {
    fn finish(&self) -> u64 {
        // murmur3's fmix64: every input bit reaches the low (bucket) bits.
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }

    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut h = self.0;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            h = (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            h = (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
        }
        self.0 = h;
    }
}

fn secret_key_by_words(key: &str) -> bool {
    let flat: String = key
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    if NON_CREDENTIAL_KEYS.contains(&&*flat) {
        return false;
    }
    let w = words(key);
    let Some(last) = w.last().map(String::as_str) else {
        return false;
    };
    let first = w.first().map(String::as_str).unwrap_or("");
    if first == "existing" || matches!(first, "use" | "enable" | "create" | "allow" | "auto") {
        return false;
    }
    if REFERENCE_LAST_WORDS.contains(&last) {
        return false;
    }
    let has = |s: &str| w.iter().any(|x| x == s);
    match last {
        "password" | "passwd" | "pwd" | "pass" | "passphrase" | "passcode" | "token" | "dsn"
        | "credential" | "credentials" | "apikey" | "secretkey" | "privatekey" | "accesskey" => {
            true
        }
        "secret" | "secrets" => VALUE_SECRET_KEYS.contains(&&*flat) || w.len() == 1,
        "key" | "keys" => {
            // apiKey, accessKey, secretKey, privateKey, signingKey… and
            // UPPER_SNAKE `*_KEY` names in environment maps.
            let before = w.get(w.len().wrapping_sub(2)).map(String::as_str);
            let upper_snake = key.contains('_') && !key.chars().any(|c| c.is_lowercase());
            matches!(
                before,
                Some(
                    "api"
                        | "access"
                        | "secret"
                        | "private"
                        | "signing"
                        | "encryption"
                        | "master"
                        | "auth"
                        | "account"
                        | "license"
                        | "licence"
                        | "session"
                        | "shared"
                        | "client"
                        | "app"
                        | "service"
                        | "hmac"
                        | "jwt"
                        | "cookie"
                        | "crypto"
                        | "cipher"
                        | "aes"
                        | "ssh"
                        | "deploy"
                        | "admin"
                        | "root"
                        | "write"
                        | "read"
                )
            ) || (upper_snake && !matches!(before, Some("password" | "secret" | "token" | "user")))
        }
        "string" => has("connection"),
        _ => false,
    }
}

/// `usernameKey: username`, `passwordKey: password`: a key whose value names
/// a key inside a Secret rather than holding the credential.
fn names_secret_key(key_words: &[String]) -> bool {
    let last = key_words.last().map(String::as_str);
    let before = key_words
        .get(key_words.len().wrapping_sub(2))
        .map(String::as_str);
    matches!(last, Some("key" | "keys"))
        && matches!(
            before,
            Some("password" | "user" | "username" | "token" | "secret" | "credentials")
        )
}

/// A short identifier such as a key name inside a Secret.
fn is_identifier(v: &str) -> bool {
    !v.is_empty()
        && v.len() <= 63
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// A Kubernetes object name (DNS-1123 subdomain).
pub fn is_object_name(v: &str) -> bool {
    !v.is_empty()
        && v.len() <= 253
        && v.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'.'))
        && v.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
}

/// Templates and substitutions: `{{ … }}`, `${VAR}`, `$(VAR)`, `$VAR`.
pub fn is_template(v: &str) -> bool {
    let b = v.as_bytes();
    // Byte scans, not substring searchers: this runs on every value judged.
    if let Some(i) = memchr::memchr_iter(b'{', b).find(|&i| b.get(i + 1) == Some(&b'{'))
        && memchr::memchr_iter(b'}', &b[i + 2..]).any(|j| b.get(i + 3 + j) == Some(&b'}'))
    {
        return true;
    }
    for i in memchr::memchr_iter(b'$', b) {
        let close = match b.get(i + 1) {
            Some(b'{') => b'}',
            Some(b'(') => b')',
            _ => continue,
        };
        if memchr::memchr(close, &b[i + 2..]).is_some() {
            return true;
        }
    }
    let t = v.trim();
    t.len() > 1
        && t.starts_with('$')
        && t[1..]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Secret-store references and encrypted values, safe to commit.
pub fn is_store_ref(v: &str) -> bool {
    let t = v.trim();
    const PREFIXES: &[&str] = &[
        "ref+",
        "vault:",
        "<path:",
        "secretsmanager:",
        "arn:aws:secretsmanager:",
        "arn:aws:ssm:",
        "azurekeyvault://",
        "gcp:secretmanager:",
        "ENC[",
        "sops:",
        "awskms:",
        "gcpkms:",
    ];
    PREFIXES.iter().any(|p| t.starts_with(p))
        || (t.starts_with("projects/") && t.contains("/secrets/"))
}

/// Placeholder values: not secrets, but they must not reach production.
pub fn is_placeholder(v: &str, extra: &[String]) -> bool {
    let t = v.trim();
    let l = t.to_ascii_lowercase();
    if extra.iter().any(|e| e.eq_ignore_ascii_case(t)) {
        return true;
    }
    const EXACT: &[&str] = &[
        "changeme",
        "change-me",
        "change_me",
        "changeit",
        "change-it",
        "replaceme",
        "replace-me",
        "replace_me",
        "todo",
        "tbd",
        "fixme",
        "placeholder",
        "sample",
        "fake",
        "unused",
        "none",
        "n/a",
        "na",
        "null",
        "nil",
        "-",
        "redacted",
        "secret-here",
        "set-me",
        "setme",
        "notset",
        "not-set",
        "override-me",
    ];
    if EXACT.contains(&l.as_str()) {
        return true;
    }
    if (t.starts_with('<') && t.ends_with('>')) || (t.starts_with('[') && t.ends_with(']')) {
        return true;
    }
    let run = |c: u8| t.len() >= 3 && t.bytes().all(|b| b == c || b == c.to_ascii_uppercase());
    if run(b'x') || run(b'*') || run(b'.') || run(b'#') {
        return true;
    }
    const CONTAINS: &[&str] = &[
        "example",
        "dummy",
        "placeholder",
        "changeme",
        "change-me",
        "change_me",
        "replace",
        "redacted",
        "xxxx",
        "****",
    ];
    if CONTAINS.iter().any(|c| l.contains(c)) {
        return true;
    }
    const PREFIX: &[&str] = &[
        "your-", "your_", "your ", "my-", "my_", "insert", "enter", "put-",
    ];
    if PREFIX.iter().any(|p| l.starts_with(p)) {
        return true;
    }
    // Prose ("must be set with --set") is documentation, not a password.
    t.split_whitespace().count() >= 3
}

/// Weak or default passwords that attackers try first.
pub fn is_weak(v: &str, username: Option<&str>) -> bool {
    let t = v.trim();
    let l = t.to_ascii_lowercase();
    const WEAK: &[&str] = &[
        "password",
        "passw0rd",
        "password1",
        "password123",
        "p@ssw0rd",
        "p@ssword",
        "pass",
        "secret",
        "admin",
        "admin123",
        "administrator",
        "root",
        "toor",
        "guest",
        "test",
        "test123",
        "default",
        "letmein",
        "qwerty",
        "qwerty123",
        "abc123",
        "bitnami",
        "postgres",
        "mysql",
        "redis",
        "welcome",
        "welcome1",
        "master",
        "user",
        "demo",
        "pass123",
        "supersecret",
        "super-secret",
        "mypassword",
        "iloveyou",
        "trustno1",
    ];
    if WEAK.contains(&l.as_str()) {
        return true;
    }
    if username.is_some_and(|u| !u.is_empty() && u.eq_ignore_ascii_case(t)) {
        return true;
    }
    let b = t.as_bytes();
    // Digit runs (1234, 123456, 0000) and one repeated character.
    if b.len() >= 4 && b.iter().all(u8::is_ascii_digit) {
        let ascending = b.windows(2).all(|w| w[1] == w[0] + 1);
        let same = b.iter().all(|&c| c == b[0]);
        let descending = b.windows(2).all(|w| w[0] == w[1] + 1);
        if ascending || same || descending || b.len() <= 6 {
            return true;
        }
    }
    b.len() >= 3 && b.iter().all(|&c| c == b[0])
}

/// Options that extend the built-in word lists.
#[derive(Debug, Default, Clone)]
pub struct Vocabulary {
    pub extra_keys: Vec<String>,
    pub ignore_keys: Vec<String>,
    pub placeholders: Vec<String>,
}

/// Classifies the value of a secret-like `key`. `username` is the sibling
/// user name, if any (a password equal to it is weak).
pub fn classify(key: &str, value: &str, username: Option<&str>, vocab: &Vocabulary) -> Class {
    classify_with(key_info(key), value, username, vocab)
}

/// [`classify`] with the key's facts already looked up.
pub fn classify_with(
    info: KeyInfo,
    value: &str,
    username: Option<&str>,
    vocab: &Vocabulary,
) -> Class {
    let t = value.trim();
    if t.is_empty() || t == "~" || t.eq_ignore_ascii_case("null") {
        return Class::Empty;
    }
    if is_template(t) {
        return Class::Template;
    }
    if is_store_ref(t) {
        return Class::StoreRef;
    }
    // `<thing>Secret: my-secret` names a Kubernetes Secret.
    if info.names_secret_object && is_object_name(t) {
        return Class::Reference;
    }
    // `passwordKey: password` names a key inside a Secret.
    if info.names_secret_key && is_identifier(t) {
        return Class::Reference;
    }
    // Absolute paths and directories name files, not contents.
    if (t.starts_with('/') || t.starts_with("./") || t.starts_with("~/")) && !t.contains(' ') {
        return Class::Reference;
    }
    if is_placeholder(t, &vocab.placeholders) {
        return Class::Placeholder;
    }
    if is_weak(t, username) {
        return Class::Weak;
    }
    Class::Literal
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(k: &str) -> bool {
        is_secret_key(k, &[], &[])
    }

    #[test]
    fn splits_keys_into_words() {
        assert_eq!(
            words("existingSecretPasswordKey"),
            ["existing", "secret", "password", "key"]
        );
        assert_eq!(words("DB_PASSWORD"), ["db", "password"]);
        assert_eq!(words("apiKey"), ["api", "key"]);
        assert_eq!(words("JWTSecret"), ["jwt", "secret"]);
        assert_eq!(words("s3-access_key"), ["s3", "access", "key"]);
    }

    /// Keys that must be secret-like; each must also hold a hint word, or
    /// large values files would miss what small ones report.
    const SECRET_LIKE: &[&str] = &[
        "password",
        "postgresPassword",
        "adminPassword",
        "DB_PASSWORD",
        "pass",
        "dbPass",
        "passwd",
        "pwd",
        "passphrase",
        "apiKey",
        "api_key",
        "api-key",
        "accessKey",
        "secretAccessKey",
        "secret_access_key",
        "privateKey",
        "signingKey",
        "encryptionKey",
        "masterKey",
        "authKey",
        "clientSecret",
        "jwtSecret",
        "webhookSecret",
        "token",
        "apiToken",
        "GITHUB_TOKEN",
        "STRIPE_KEY",
        "credentials",
        "dsn",
        "sentryDsn",
        "connectionString",
        "secret",
        "licenseKey",
        "sshKey",
        "deployKey",
        "appKey",
        "sessionKey",
        "sharedKey",
        "hmacKey",
        "adminKey",
        "rootKey",
        "writeKey",
        "readKey",
        "accountKey",
        "cookieKey",
        "cryptoKey",
        "aesKey",
    ];

    #[test]
    fn every_secret_like_key_holds_a_hint_word() {
        for k in SECRET_LIKE {
            let line = format!("{k}: value").to_ascii_lowercase();
            assert!(
                crate::policy::HINT_KEYWORDS
                    .iter()
                    .any(|h| line.contains(h)),
                "no hint word in {line:?}"
            );
        }
    }

    #[test]
    fn configured_key_patterns() {
        assert!(key_matches("*_PASS", "DB_PASS"));
        assert!(key_matches("sentry*", "SentryDsnUrl"));
        assert!(key_matches("sentryDsn", "sentrydsn"));
        assert!(!key_matches("*_PASS", "DB_PASSWORD"));
        assert!(key_matches("a*b*c", "aXXbYYc"));
        assert!(is_secret_key("DB_PASS", &["*_PASS".to_string()], &[]));
        assert!(!is_secret_key("apiToken", &[], &["api*".to_string()]));
    }

    #[test]
    fn secret_like_keys() {
        for k in SECRET_LIKE {
            assert!(secret(k), "{k} should be secret-like");
        }
        for k in [
            "existingSecret",
            "existingSecretPasswordKey",
            "secretName",
            "passwordFile",
            "tokenUrl",
            "initialClusterToken",
            "passwordMinLength",
            "usePassword",
            "createSecret",
            "extraEnvVarsSecret",
            "tlsSecret",
            "key",
            "cacheKey",
            "SECRETS_DIR",
            "passwordEnv",
            "automountServiceAccountToken",
            "secretKeyRef",
            "tsigSecretAlg",
            "enabled",
            "PASSWORD_MIN_LENGTH",
        ] {
            assert!(!secret(k), "{k} should not be secret-like");
        }
    }

    #[test]
    fn templates_and_substitutions() {
        for t in [
            "{{ .Values.x }}",
            "pre-{a}{{ include \"x\" . }}",
            "postgres://u:${PW}@h",
            "a$b$(DB_PASSWORD)",
            "$DB_PASSWORD",
        ] {
            assert!(is_template(t), "{t} is a template");
        }
        for t in ["{{ unclosed", "}} {{", "cost $5", "a$(b", "s3cr3t{x}", "$"] {
            assert!(!is_template(t), "{t} is not a template");
        }
    }

    #[test]
    fn classes() {
        let v = Vocabulary::default();
        let c = |k: &str, val: &str| classify(k, val, None, &v);
        assert_eq!(c("password", ""), Class::Empty);
        assert_eq!(c("password", "  "), Class::Empty);
        assert_eq!(c("password", "~"), Class::Empty);
        assert_eq!(c("password", "{{ .Values.x }}"), Class::Template);
        assert_eq!(c("password", "${DB_PASSWORD}"), Class::Template);
        assert_eq!(c("password", "$(DB_PASSWORD)"), Class::Template);
        assert_eq!(c("password", "$DB_PASSWORD"), Class::Template);
        assert_eq!(
            c("password", "ref+vault://secret/db#password"),
            Class::StoreRef
        );
        assert_eq!(c("password", "<path:kv/data/db#pw>"), Class::StoreRef);
        assert_eq!(
            c("password", "ENC[AES256_GCM,data:abc=,type:str]"),
            Class::StoreRef
        );
        assert_eq!(c("passwordSecret", "clickhouse"), Class::Reference);
        assert_eq!(c("privateKeySecret", "cloudfront-key"), Class::Reference);
        assert_eq!(c("passwordKey", "password"), Class::Reference);
        assert_eq!(c("apiKey", "/var/run/secrets/api-key"), Class::Reference);
        assert_eq!(c("password", "changeme"), Class::Placeholder);
        assert_eq!(c("password", "<password>"), Class::Placeholder);
        assert_eq!(c("apiToken", "YourPingdomApiToken"), Class::Literal);
        assert_eq!(c("apiToken", "your-api-token"), Class::Placeholder);
        assert_eq!(c("password", "xxxxxx"), Class::Placeholder);
        assert_eq!(c("password", "admin"), Class::Weak);
        assert_eq!(c("password", "123456"), Class::Weak);
        assert_eq!(c("password", "bitnami"), Class::Weak);
        assert_eq!(
            classify("password", "trace", Some("trace"), &v),
            Class::Weak
        );
        assert_eq!(c("password", "dev-password-123"), Class::Literal);
        assert_eq!(c("clientSecret", "s3cr3tValue"), Class::Literal);
        assert_eq!(c("jwtSecret", "abc-def"), Class::Literal);
        assert_eq!(
            c("password", "not-secure-database-password"),
            Class::Literal
        );
    }
}
