//! Embeds every `rules/*.yaml` file in the binary, so that adding a rule file
//! needs no code change.
use std::{env, fs, path::Path};

fn main() {
    // Read at run time, not baked in with env!(): cargo shares one compiled
    // build script between checkouts at different paths that use the same
    // target directory (pre-commit's `cargo install` of a temporary copy, for
    // one), and a baked-in path would then embed another checkout's rules,
    // or none once that copy is deleted.
    let manifest_dir = env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default();
    let dir = Path::new(&manifest_dir).join("rules");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = fs::read_dir(&dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let mut out = String::from("pub static BUILTIN_RULE_FILES: &[(&str, &str)] = &[\n");
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let name = f.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        out.push_str(&format!(
            "    (\"rules/{name}\", include_str!({:?})),\n",
            f.display().to_string()
        ));
    }
    out.push_str("];\n");
    let dest =
        Path::new(&env::var("OUT_DIR").expect("OUT_DIR is set by cargo")).join("builtin_rules.rs");
    fs::write(dest, out).expect("write builtin_rules.rs");
}
