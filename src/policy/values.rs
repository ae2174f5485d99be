//! Checks over Helm values files: plaintext and weak secrets, credentials in
//! URLs, `existingSecret` switches, auth disabled in production, base64
//! wrapped credentials, whitespace in secrets and `policy.equal` values.

use super::Cx;
use super::classify::{self, Class};
use super::url;
use super::yaml::{self, Node};
use crate::finding::Severity;
use saphyr::YamlData;

/// Checks one document of a values file.
pub(super) fn check(cx: &mut Cx<'_, '_>, doc: &Node<'_>) {
    let preserve = yaml::get_path(doc, &["global", "preserveExistingSecrets"])
        .filter(|n| yaml::as_bool(n) == Some(true));
    let mut path = Vec::new();
    let mut literals = Vec::new();
    walk(cx, doc, &mut path, &mut literals, preserve.is_some());
    if let (Some(node), Some(first)) = (preserve, literals.first()) {
        let more = literals.len() - 1;
        let also = if more > 0 {
            format!(" (and {more} more)")
        } else {
            String::new()
        };
        cx.emit_at(
            "inline-secret-with-existing-secret",
            node,
            "preserveExistingSecrets",
            format!(
                "global.preserveExistingSecrets is true, so the chart uses pre-created Secrets, yet {first}{also} holds an inline secret"
            ),
            None,
        );
    }
}

/// Walks a mapping; pushes the dotted paths of committed secrets to `literals`.
fn walk(
    cx: &mut Cx<'_, '_>,
    node: &Node<'_>,
    path: &mut Vec<String>,
    literals: &mut Vec<String>,
    preserve: bool,
) {
    let entries = yaml::entries(node);
    let username = entries
        .iter()
        .find(|(k, _)| {
            matches!(
                k.to_ascii_lowercase().as_str(),
                "username" | "user" | "adminuser" | "rootuser" | "login" | "adminusername"
            )
        })
        .and_then(|(_, v)| yaml::scalar_text(v))
        .map(|s| s.into_owned());
    let existing = entries
        .iter()
        .find(|(k, _)| is_existing_secret_key(k))
        .map(|(k, v)| (*k, *v));
    let existing_set = existing.is_some_and(|(_, v)| existing_secret_set(v));
    let mut direct: Vec<String> = Vec::new();

    for (key, value) in &entries {
        path.push((*key).to_string());
        match &value.data {
            YamlData::Mapping(_) => {
                if !is_reference_block(key) {
                    let n = literals.len();
                    walk(cx, value, path, literals, preserve);
                    if *key == "secrets" && literals.len() > n {
                        direct.push(literals[n].clone());
                    }
                }
            }
            YamlData::Sequence(items) if *key == "secretsFiles" => {
                let dotted = path.join(".");
                for item in items {
                    if let Some(t) = yaml::scalar_text(item) {
                        let t = t.into_owned();
                        if !t.trim().is_empty() && !classify::is_template(&t) {
                            cx.reference(item, t.trim(), &dotted);
                        }
                    }
                }
            }
            YamlData::Sequence(items) => walk_sequence(cx, items, path, literals, preserve),
            _ => {
                let sibling = Existing {
                    present: existing.is_some(),
                    set: existing_set,
                };
                let committed = scalar(cx, key, value, username.as_deref(), sibling, path);
                if committed {
                    let p = path.join(".");
                    direct.push(p.clone());
                    literals.push(p);
                }
            }
        }
        path.pop();
    }
    let block = path.last().map(String::as_str).unwrap_or("");

    // existingSecret named and an inline secret beside it.
    if let (Some((ekey, enode)), Some(first)) = (existing, direct.first())
        && existing_set
    {
        let at = path_of(path, ekey);
        cx.emit_at(
            "inline-secret-with-existing-secret",
            enode,
            &at,
            format!(
                "both {at} and an inline secret ({first}) are set: the inline value is committed for nothing, or silently overrides the Secret"
            ),
            None,
        );
    }

    // create: false with no existingSecret.
    for create_key in ["create", "createSecret"] {
        let Some((_, cnode)) = entries.iter().find(|(k, _)| *k == create_key) else {
            continue;
        };
        let secrets_block = create_key == "createSecret"
            || existing.is_some()
            || matches!(block, "secret" | "secrets" | "credentials" | "auth");
        if yaml::as_bool(cnode) == Some(false) && secrets_block && !existing_set && !preserve {
            let at = path_of(path, create_key);
            let target = path_of(path, existing.map_or("existingSecret", |e| e.0));
            let state = if existing.is_some() {
                "is empty"
            } else {
                "is not set"
            };
            cx.emit_at(
                "existing-secret-not-set",
                cnode,
                &at,
                format!(
                    "{at} is false but {target} {state}: the release will reference a Secret that nobody creates"
                ),
                None,
            );
        }
    }

    if cx.production {
        auth_disabled(cx, &entries, path, block);
    }

    // externalSecret enabled but pointing nowhere.
    if matches!(block, "externalSecret" | "externalSecrets")
        && let Some((_, en)) = entries.iter().find(|(k, _)| *k == "enabled")
        && yaml::as_bool(en) == Some(true)
    {
        let filled = |keys: &[&str]| {
            entries
                .iter()
                .any(|(k, v)| keys.contains(k) && !yaml::is_empty(v) && !is_blank_ref(v))
        };
        let store = filled(&[
            "storeName",
            "secretStoreRef",
            "secretStore",
            "store",
            "storeRef",
        ]);
        let remote = filled(&[
            "secretPath",
            "remoteKey",
            "remotePath",
            "key",
            "path",
            "data",
            "dataFrom",
        ]);
        if !store && !remote {
            let at = path_of(path, "enabled");
            cx.emit_at(
                "external-secret-incomplete",
                en,
                &at,
                format!(
                    "{} is enabled but its store name and secret path are empty",
                    path.join(".")
                ),
                None,
            );
        }
    }
}

/// A mapping whose every value is empty (`secretStoreRef: {name: ""}`).
fn is_blank_ref(v: &Node<'_>) -> bool {
    yaml::is_mapping(v) && yaml::entries(v).iter().all(|(_, x)| yaml::is_empty(x))
}

fn walk_sequence(
    cx: &mut Cx<'_, '_>,
    items: &[Node<'_>],
    path: &mut Vec<String>,
    literals: &mut Vec<String>,
    preserve: bool,
) {
    for (i, item) in items.iter().enumerate() {
        match &item.data {
            YamlData::Mapping(_) => {
                // `- name: DB_PASSWORD` / `value: …`: the name is the key.
                let name = yaml::get(item, "name").and_then(|n| yaml::scalar_text(n));
                if let (Some(name), Some(value)) = (name, yaml::get(item, "value")) {
                    let name = name.into_owned();
                    path.push(name.clone());
                    if scalar(cx, &name, value, None, Existing::default(), path) {
                        literals.push(path.join("."));
                    }
                    path.pop();
                    continue;
                }
                path.push(i.to_string());
                walk(cx, item, path, literals, preserve);
                path.pop();
            }
            YamlData::Sequence(inner) => walk_sequence(cx, inner, path, literals, preserve),
            _ => {
                if let Some(text) = yaml::scalar_text(item) {
                    let text = text.into_owned();
                    url_checks(cx, item, &text, &path.join("."));
                }
            }
        }
    }
}

/// Checks one scalar; returns true if it is a committed secret.
/// Whether the block of a scalar has an `existingSecret` key, and a value in it.
#[derive(Debug, Default, Clone, Copy)]
struct Existing {
    present: bool,
    set: bool,
}

fn scalar(
    cx: &mut Cx<'_, '_>,
    key: &str,
    node: &Node<'_>,
    username: Option<&str>,
    existing: Existing,
    path: &[String],
) -> bool {
    let existing_set = existing.set;
    let dotted = path.join(".");
    let text = yaml::scalar_text(node).map(|t| t.into_owned());
    let vocab = &cx.policy.vocab;
    let secret_key = classify::is_secret_key(key, &vocab.extra_keys, &vocab.ignore_keys);
    if let Some(t) = &text {
        cx.observe(&dotted, node, t);
    }
    let Some(text) = text else {
        if secret_key && cx.production && !existing_set {
            empty_in_production(cx, node, &dotted);
        }
        return false;
    };
    if matches!(node.data, YamlData::Value(saphyr::Scalar::Boolean(_))) {
        return false;
    }
    let url_hit = url_checks(cx, node, &text, &dotted);
    if !secret_key {
        if classify::is_known_non_credential(key) {
            cx.clear(node);
        }
        base64_check(cx, node, &text, &dotted);
        return false;
    }
    let class = classify::classify(key, &text, username, vocab);
    if !(class.is_committed() || (class == Class::Placeholder && cx.production)) {
        cx.clear(node);
    }
    match class {
        // A secrets file is meant to hold secrets: whether it is committed
        // is the repository checks' concern, its values get hygiene checks.
        Class::Literal | Class::Weak if cx.secrets_file => {
            cx.clear(node);
            whitespace(cx, node, &text, &dotted);
        }
        Class::Literal if !url_hit => {
            let prod = if cx.production {
                " in a production values file"
            } else {
                " in a values file"
            };
            let block = &path[..path.len().saturating_sub(1)];
            let hint = if existing.present {
                "; this block supports existingSecret".to_string()
            } else if let Some(offer) = cx.chart.and_then(|load| load()?.offer_for(block)) {
                format!("; the chart's default values offer {offer} for it")
            } else {
                String::new()
            };
            let decoded = decode_hint(cx, &text);
            cx.emit_at(
                "plaintext-secret-in-values",
                node,
                &text,
                format!("plaintext secret at {dotted}{prod}{decoded}{hint}"),
                cx.production.then_some(Severity::Critical),
            );
            whitespace(cx, node, &text, &dotted);
        }
        Class::Weak => {
            cx.emit_at(
                "weak-or-default-password",
                node,
                &text,
                format!("weak or default password at {dotted}"),
                cx.production.then_some(Severity::High),
            );
        }
        Class::Placeholder if cx.production => {
            cx.emit_at(
                "weak-or-default-password",
                node,
                &text,
                format!("placeholder at {dotted} would be deployed in production"),
                Some(Severity::High),
            );
        }
        Class::Empty if cx.production && !existing_set => empty_in_production(cx, node, &dotted),
        _ => {}
    }
    class.is_committed()
}

fn empty_in_production(cx: &mut Cx<'_, '_>, node: &Node<'_>, dotted: &str) {
    cx.emit_at(
        "empty-credential-in-production",
        node,
        dotted,
        format!("{dotted} is empty in a production values file and no existingSecret is set"),
        None,
    );
}

/// ` (base64 of a GitHub token)` when a literal decodes to a known credential.
fn decode_hint(cx: &Cx<'_, '_>, text: &str) -> String {
    if text.len() < 16 {
        return String::new();
    }
    match super::decode_base64(text) {
        Some(decoded) => match cx.credential_rules_in(&decoded).first() {
            Some(rule) => format!(" (base64 of a credential: {rule})"),
            None => String::new(),
        },
        None => String::new(),
    }
}

/// Credentials in URLs (manifests use it too); returns true if a literal
/// password was reported.
pub(super) fn url_checks(cx: &mut Cx<'_, '_>, node: &Node<'_>, text: &str, dotted: &str) -> bool {
    if !text.contains("://") || !text.contains('@') {
        return false;
    }
    let mut hit = false;
    for p in url::passwords(text) {
        let pw = &text[p.start..p.end];
        let class = classify::classify("password", pw, None, &cx.policy.vocab);
        if matches!(class, Class::Template | Class::StoreRef | Class::Empty) {
            continue;
        }
        if let Some((c, at)) = p.unencoded {
            let span = cx.sub_span(node, text, (at, at + c.len_utf8()));
            cx.emit(
                "unencoded-password-in-url",
                span,
                pw,
                format!(
                    "password in the URL at {dotted} is not URL-encoded ('{c}' breaks parsing)"
                ),
                None,
            );
        }
        if class.is_committed() {
            let span = cx.sub_span(node, text, (p.start, p.end));
            cx.emit(
                "credentials-in-url",
                span,
                pw,
                format!("credentials embedded in the connection URL at {dotted}"),
                None,
            );
            hit = true;
        }
    }
    hit
}

/// A base64 value under any key that decodes to a credential.
fn base64_check(cx: &mut Cx<'_, '_>, node: &Node<'_>, text: &str, dotted: &str) {
    let t = text.trim();
    if t.len() < 16
        || !t
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
    {
        return;
    }
    let Some(decoded) = super::decode_base64(t) else {
        return;
    };
    if decoded.contains("BEGIN CERTIFICATE") || decoded.contains("PUBLIC KEY") {
        return;
    }
    let what = if is_docker_config(&decoded) {
        Some("a registry password (docker config)".to_string())
    } else if url::passwords(&decoded).iter().any(|p| {
        classify::classify("password", &decoded[p.start..p.end], None, &cx.policy.vocab)
            .is_committed()
    }) {
        Some("a URL with credentials".to_string())
    } else if let Some(rule) = cx.credential_rules_in(&decoded).into_iter().next() {
        Some(format!("a credential ({rule})"))
    } else if is_user_password_pair(&decoded) {
        Some("a user:password pair".to_string())
    } else {
        None
    };
    if let Some(what) = what {
        cx.emit_at(
            "base64-encoded-secret",
            node,
            t,
            format!("base64 value at {dotted} decodes to {what}"),
            None,
        );
    }
}

fn is_docker_config(decoded: &str) -> bool {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(decoded) else {
        return false;
    };
    v.get("auths")
        .and_then(|a| a.as_object())
        .is_some_and(|auths| {
            auths.values().any(|e| {
                ["auth", "password", "identitytoken"].iter().any(|k| {
                    e.get(k)
                        .and_then(|x| x.as_str())
                        .is_some_and(|s| !s.is_empty())
                })
            })
        })
}

fn is_user_password_pair(decoded: &str) -> bool {
    let Some((user, pw)) = decoded.trim_end().split_once(':') else {
        return false;
    };
    !user.is_empty()
        && user.len() <= 64
        && user
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'@'))
        && pw.len() >= 6
        && !pw.bytes().any(|b| b.is_ascii_whitespace() || b == b':')
}

/// Leading/trailing whitespace in a single-line secret.
pub(super) fn whitespace(cx: &mut Cx<'_, '_>, node: &Node<'_>, text: &str, dotted: &str) {
    let trimmed = text.trim();
    if trimmed == text || trimmed.contains('\n') || trimmed.is_empty() {
        return;
    }
    let what = if text.ends_with('\n') {
        "ends with a newline"
    } else if text.ends_with(char::is_whitespace) {
        "ends with whitespace"
    } else {
        "starts with whitespace"
    };
    cx.emit_at(
        "secret-value-whitespace",
        node,
        text,
        format!("secret value at {dotted} {what}: authentication will fail silently"),
        None,
    );
}

/// Auth switched off in a production file.
fn auth_disabled(cx: &mut Cx<'_, '_>, entries: &[(&str, &Node<'_>)], path: &[String], block: &str) {
    for (k, v) in entries {
        let b = yaml::as_bool(v);
        let hit = match *k {
            "enabled" => {
                b == Some(false) && matches!(block, "auth" | "authentication" | "security")
            }
            "usePassword" => b == Some(false),
            "allowEmptyPassword" => b == Some(true),
            _ => false,
        };
        if hit {
            let at = path_of(path, k);
            cx.emit_at(
                "auth-disabled-in-production",
                v,
                &at,
                format!(
                    "{at} is {} in a production values file",
                    b.unwrap_or_default()
                ),
                None,
            );
        }
    }
}

fn path_of(path: &[String], key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{}.{key}", path.join("."))
    }
}

/// `existingSecret`, `existingSecretName`, `existingSecretPasswordKey`…
/// (the last only names a key, so it does not count as a Secret name).
fn is_existing_secret_key(k: &str) -> bool {
    k.starts_with("existingSecret") && !k.ends_with("Key") && !k.ends_with("Keys")
}

/// A non-empty Secret name, or a mapping with a non-empty `name`.
fn existing_secret_set(v: &Node<'_>) -> bool {
    match &v.data {
        YamlData::Mapping(_) => yaml::get(v, "name").is_some_and(|n| !yaml::is_empty(n)),
        _ => !yaml::is_empty(v),
    }
}

/// Blocks that hold references, never values: `existingSecret: {name, key}`,
/// `secretKeyRef`, `valueFrom`, `secretKeys` (names of keys in a Secret).
fn is_reference_block(k: &str) -> bool {
    k.starts_with("existingSecret")
        || matches!(
            k,
            "secretKeyRef" | "secretRef" | "valueFrom" | "secretKeys" | "envFrom" | "sops"
        )
        || k.ends_with("SecretRef")
}

/// The `existingSecret*` keys a chart's default values offer, by the dotted
/// path of their block.
pub(super) fn existing_secret_offers(
    node: &Node<'_>,
    path: &mut Vec<String>,
    out: &mut Vec<String>,
) {
    for (k, v) in yaml::entries(node) {
        if is_existing_secret_key(k) {
            let mut p = path.clone();
            p.push(k.to_string());
            out.push(p.join("."));
        } else if yaml::is_mapping(v) {
            path.push(k.to_string());
            existing_secret_offers(v, path, out);
            path.pop();
        }
    }
}
