//! Checks over Kubernetes manifests: committed Secrets with real data,
//! secrets in ConfigMaps and plain container env values, and credentials in
//! URLs anywhere in a manifest.

use super::Cx;
use super::classify::{self, Class};
use super::values::{url_checks, whitespace};
use super::yaml::{self, Node};
use saphyr::YamlData;

/// Kinds that hold references or ciphertext, never plaintext values.
const SAFE_KINDS: &[&str] = &[
    "SealedSecret",
    "ExternalSecret",
    "ClusterExternalSecret",
    "SecretStore",
    "ClusterSecretStore",
    "PushSecret",
    "VaultStaticSecret",
    "VaultDynamicSecret",
];

pub(super) fn check(cx: &mut Cx<'_, '_>, doc: &Node<'_>) {
    let Some(kind) = yaml::get(doc, "kind").and_then(|k| yaml::scalar_text(k)) else {
        return;
    };
    let kind = kind.into_owned();
    if yaml::get(doc, "apiVersion").is_none() {
        return;
    }
    if SAFE_KINDS.contains(&kind.as_str()) {
        // Ciphertext and store references: nothing in it is a plaintext secret.
        clear_all(cx, doc);
        return;
    }
    let name = yaml::get_path(doc, &["metadata", "name"])
        .and_then(|n| yaml::scalar_text(n))
        .map_or_else(|| "(unnamed)".to_string(), |n| n.into_owned());
    match kind.as_str() {
        "Secret" => secret(cx, doc, &name),
        "ConfigMap" => config_map(cx, doc, &name),
        _ => {}
    }
    let mut path = Vec::new();
    walk(cx, doc, &mut path, kind == "Secret");
}

/// `kind: Secret`: every non-empty `data` (decoded) and `stringData` value.
fn secret(cx: &mut Cx<'_, '_>, doc: &Node<'_>, name: &str) {
    for field in ["data", "stringData"] {
        let Some(map) = yaml::get(doc, field) else {
            continue;
        };
        for (key, value) in yaml::entries(map) {
            let Some(raw) = yaml::scalar_text(value).map(|t| t.into_owned()) else {
                continue;
            };
            let plain = if field == "data" {
                // Not base64 at all: Kubernetes would reject it, but it is
                // still a value committed in the clear.
                super::decode_base64(&raw).unwrap_or_else(|| raw.clone())
            } else {
                raw.clone()
            };
            let class = classify::classify("password", &plain, None, &cx.policy.vocab);
            if !matches!(class, Class::Literal | Class::Weak) || classify::is_template(&raw) {
                continue;
            }
            let decoded_note = if field == "data" {
                match cx.credential_rules_in(&plain).first() {
                    Some(rule) => format!("; it decodes to a credential ({rule})"),
                    None => " (base64 is not encryption)".to_string(),
                }
            } else {
                String::new()
            };
            cx.emit_at(
                "committed-kubernetes-secret",
                value,
                &raw,
                format!("Kubernetes Secret {name} commits {field} key {key}{decoded_note}"),
                None,
            );
            let dotted = format!("{name}.{field}.{key}");
            whitespace(cx, value, &plain, &dotted);
        }
    }
}

/// A ConfigMap's secret-like `data` keys holding literals.
fn config_map(cx: &mut Cx<'_, '_>, doc: &Node<'_>, name: &str) {
    let Some(map) = yaml::get(doc, "data") else {
        return;
    };
    for (key, value) in yaml::entries(map) {
        let Some(text) = yaml::scalar_text(value).map(|t| t.into_owned()) else {
            continue;
        };
        if !secret_value(cx, key, &text) {
            continue;
        }
        cx.emit_at(
            "secret-in-configmap-or-env",
            value,
            &text,
            format!("ConfigMap {name} holds {key} in plain text"),
            None,
        );
    }
}

fn secret_value(cx: &Cx<'_, '_>, key: &str, text: &str) -> bool {
    let v = &cx.policy.vocab;
    classify::is_secret_key(key, &v.extra_keys, &v.ignore_keys)
        && classify::classify(key, text, None, v).is_committed()
}

/// Walks the document for container `env` lists and URLs in any scalar.
fn walk(cx: &mut Cx<'_, '_>, node: &Node<'_>, path: &mut Vec<String>, is_secret: bool) {
    match &node.data {
        YamlData::Mapping(_) => {
            for (key, value) in yaml::entries(node) {
                // A Secret's data is reported by `secret` already.
                if is_secret && path.is_empty() && matches!(key, "data" | "stringData") {
                    continue;
                }
                if matches!(key, "containers" | "initContainers" | "ephemeralContainers")
                    && let Some(list) = yaml::sequence(value)
                {
                    for c in list {
                        container_env(cx, c);
                    }
                }
                path.push(key.to_string());
                walk(cx, value, path, is_secret);
                path.pop();
            }
        }
        YamlData::Sequence(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push(i.to_string());
                walk(cx, item, path, is_secret);
                path.pop();
            }
        }
        _ => {
            if let Some(text) = yaml::scalar_text(node) {
                let text = text.into_owned();
                url_checks(cx, node, &text, &path.join("."));
            }
        }
    }
}

fn clear_all(cx: &mut Cx<'_, '_>, node: &Node<'_>) {
    match &node.data {
        YamlData::Mapping(_) => {
            for (_, v) in yaml::entries(node) {
                clear_all(cx, v);
            }
        }
        YamlData::Sequence(items) => items.iter().for_each(|i| clear_all(cx, i)),
        _ => cx.clear(node),
    }
}

/// `env: [{name: DB_PASSWORD, value: literal}]` in one container.
fn container_env(cx: &mut Cx<'_, '_>, container: &Node<'_>) {
    let cname = yaml::get(container, "name")
        .and_then(|n| yaml::scalar_text(n))
        .map_or_else(|| "(unnamed)".to_string(), |n| n.into_owned());
    let Some(env) = yaml::get(container, "env").and_then(yaml::sequence) else {
        return;
    };
    for item in env {
        let (Some(name), Some(value)) = (
            yaml::get(item, "name").and_then(|n| yaml::scalar_text(n)),
            yaml::get(item, "value"),
        ) else {
            continue;
        };
        let Some(text) = yaml::scalar_text(value).map(|t| t.into_owned()) else {
            continue;
        };
        if secret_value(cx, &name, &text) {
            cx.emit_at(
                "secret-in-configmap-or-env",
                value,
                &text,
                format!("container {cname} sets {name} to a plain-text value"),
                None,
            );
        }
    }
}
