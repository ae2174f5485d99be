//! Command-line interface: argument parsing, wiring sources, engine and
//! reporters together, and exit codes (0 clean, 1 findings, 2 could not scan).

use crate::config::{self, Config};
use crate::engine::{Engine, Prefilter, RuleEntry};
use crate::finding::Severity;
use crate::git;
use crate::policy::{Policy, catalog};
use crate::report::{self, Format, ReportContext};
use crate::rules::{self, RuleError, RuleSpec};
use crate::scan::{self, ScanRequest};
use crate::source::Messages;
use crate::source::fs::WalkOptions;
use crate::suppress::Baseline;
use clap::{Args, Parser, Subcommand};
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const AFTER_HELP: &str = "\
Exit codes:
  0  nothing at or above --fail-on was found (warnings such as an unreadable file do not count)
  1  findings at or above --fail-on
  2  the scan could not be done as asked (bad arguments, bad configuration, missing path)

Suppress a finding with a `keywarden:allow` comment on its line or alone on the line above,
with a baseline (--write-baseline, then --baseline), or with `allow:` in .keywarden.yaml.
Rules: `keywarden rules` lists them, `keywarden rules ID` explains one.";

#[derive(Parser, Debug)]
#[command(
    name = "keywarden",
    version,
    about = "Find credentials in files and repositories before they leak, and check how Helm \
             charts and Kubernetes manifests handle secrets",
    after_help = AFTER_HELP
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Scan files and directories on disk (default: the current directory).
    Scan(ScanArgs),
    /// Scan a git repository: the whole history of every ref (default), the
    /// staged index (`--staged`), or a commit range (`--range A..B`).
    Git(GitArgs),
    /// List the rules and policy checks, or explain one: `keywarden rules github-pat-classic`,
    /// `keywarden rules KW-HELM-001`.
    Rules(RulesArgs),
}

#[derive(Args, Debug)]
#[command(after_help = AFTER_HELP)]
struct ScanArgs {
    /// Files and directories to scan; `-` reads standard input.
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,

    #[command(flatten)]
    common: CommonArgs,

    /// Scan files that .gitignore, .ignore and git's excludes would skip.
    #[arg(long)]
    no_ignore: bool,

    /// Follow symbolic links while walking directories (loops are detected and reported).
    #[arg(long)]
    follow_symlinks: bool,

    /// Skip files larger than this (bytes, or with a K/M/G suffix).
    #[arg(long, value_name = "SIZE", default_value = "10M", value_parser = parse_size)]
    max_file_size: u64,

    /// Path reported for content read from standard input.
    #[arg(long, value_name = "PATH", default_value = "<stdin>")]
    stdin_filename: String,
}

#[derive(Args, Debug)]
#[command(after_help = AFTER_HELP)]
struct GitArgs {
    /// The repository, or any directory inside it.
    #[arg(value_name = "REPO", default_value = ".")]
    repo: PathBuf,

    /// Scan what is staged (index against HEAD): new and modified files, only
    /// the lines they add unless --whole-files. For pre-commit hooks.
    #[arg(long, conflicts_with_all = ["range", "branch", "since", "max_commits"])]
    staged: bool,

    /// Scan the commits reachable from B and not from A (a pull request,
    /// a push), reporting only what they add.
    #[arg(long, value_name = "A..B", conflicts_with_all = ["branch", "since", "max_commits"])]
    range: Option<String>,

    /// With --staged or --range: report findings anywhere in the changed
    /// files, not only on the lines the change adds.
    #[arg(long)]
    whole_files: bool,

    /// Scan only the history of this branch, tag or commit (default: all refs).
    #[arg(long, value_name = "REF")]
    branch: Option<String>,

    /// Scan only commits committed at or after DATE (`2024-05-01`, `2 weeks ago`).
    #[arg(long, value_name = "DATE", value_parser = parse_since)]
    since: Option<i64>,

    /// Scan only the newest N commits.
    #[arg(long, value_name = "N")]
    max_commits: Option<usize>,

    /// Skip blobs larger than this (bytes, or with a K/M/G suffix).
    #[arg(long, value_name = "SIZE", default_value = "10M", value_parser = parse_size)]
    max_file_size: u64,

    #[command(flatten)]
    common: CommonArgs,
}

#[derive(Args, Debug)]
struct CommonArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,

    /// Write the report to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,

    /// Configuration file (default: .keywarden.yaml at the repository root).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,

    /// Ignore any .keywarden.yaml.
    #[arg(long, conflicts_with = "config")]
    no_config: bool,

    /// Do not report findings whose fingerprint is in this baseline file.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,

    /// Write every finding of this scan to a baseline file (fingerprints, no secrets).
    #[arg(long, value_name = "FILE")]
    write_baseline: Option<PathBuf>,

    /// Print secrets in full instead of redacted (all formats).
    #[arg(long)]
    show_secrets: bool,

    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N", default_value_t = 0)]
    threads: usize,

    /// Skip the Helm/Kubernetes secret-handling policy checks (values files,
    /// manifests); only the credential rules run.
    #[arg(long)]
    no_policy: bool,

    /// Skip the credential rules.
    #[arg(long)]
    no_secrets: bool,

    /// Run only this rule or policy check (id or code; repeatable).
    #[arg(long = "rule", value_name = "ID")]
    only_rules: Vec<String>,

    /// Do not run this rule or policy check (id or code; repeatable).
    #[arg(long = "disable-rule", value_name = "ID")]
    disable_rules: Vec<String>,

    /// Lowest severity that makes the exit code 1.
    #[arg(long, value_enum, value_name = "SEVERITY", default_value_t = Severity::Low)]
    fail_on: Severity,

    /// Exit 0 even when there are findings (errors still exit 2).
    #[arg(long)]
    exit_zero: bool,

    /// Also print notes about skipped files (binary, too large).
    #[arg(short, long)]
    verbose: bool,

    /// Print only findings: no warnings, no summary.
    #[arg(short, long, conflicts_with = "verbose")]
    quiet: bool,
}

#[derive(Args, Debug)]
struct RulesArgs {
    /// A rule id to explain.
    id: Option<String>,

    /// `human` (default) or `json`.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,

    /// Configuration file whose user rules are listed too.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Scan(args) => run_scan(args),
        Command::Git(args) => run_git(args),
        Command::Rules(args) => run_rules(args),
    };
    ExitCode::from(code)
}

fn error(msg: impl std::fmt::Display) -> u8 {
    eprintln!("keywarden: error: {msg}");
    2
}

/// Loads the configuration (explicit, discovered at `root`, or none).
fn load_config(explicit: Option<&Path>, no_config: bool, root: &Path) -> Result<Config, RuleError> {
    if no_config {
        return Ok(Config::default());
    }
    match explicit
        .map(Path::to_path_buf)
        .or_else(|| config::discover(root))
    {
        Some(p) => config::load(&p),
        None => Ok(Config::default()),
    }
}

/// Built-in rules followed by the user's (which replace built-ins of the same id).
fn all_specs(cfg: &Config) -> Result<Vec<RuleSpec>, RuleError> {
    let mut specs = rules::builtin_specs()?;
    specs.extend(cfg.file.rules.iter().cloned());
    specs.extend(catalog::rule_specs().iter().cloned());
    Ok(specs)
}

/// A policy check's documentation as a rule spec, by id.
fn policy_rule(id: &str) -> Option<&'static RuleSpec> {
    catalog::rule_specs().iter().find(|r| r.id() == id)
}

/// The policy checks, unless `--no-policy` or every check is off.
fn build_policy(cfg: &Config, c: &CommonArgs) -> Result<Option<Policy>, u8> {
    if c.no_policy {
        return Ok(None);
    }
    let mut disabled = cfg.file.disable.clone();
    disabled.extend(c.disable_rules.iter().cloned());
    let shown = cfg
        .path
        .as_ref()
        .map_or_else(|| "configuration".to_string(), |p| p.display().to_string());
    match Policy::new(&cfg.file.policy, &disabled, &c.only_rules) {
        Ok(p) if p.is_inert() => Ok(None),
        Ok(p) => Ok(Some(p)),
        Err(e) => Err(error(format!("{shown}: {e}"))),
    }
}

fn run_scan(args: ScanArgs) -> u8 {
    let c = &args.common;
    let cwd = match std::env::current_dir() {
        Ok(d) => d,
        Err(e) => return error(format!("cannot determine the current directory: {e}")),
    };
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let root = scan::find_root(&cwd, paths.first().map(PathBuf::as_path));
    let cfg = match load_config(c.config.as_deref(), c.no_config, &root) {
        Ok(cfg) => cfg,
        Err(e) => return error(e),
    };
    let engine = match build_engine(&cfg, c, prefilter_for(&paths)) {
        Ok(e) => e,
        Err(code) => return code,
    };
    let policy = match build_policy(&cfg, c) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let baseline = match load_baseline(c) {
        Ok(b) => b,
        Err(code) => return code,
    };
    let missing: Vec<&PathBuf> = paths
        .iter()
        .filter(|p| p.as_os_str() != "-" && p.symlink_metadata().is_err())
        .collect();
    for p in &missing {
        eprintln!(
            "keywarden: error: {}: no such file or directory",
            p.display()
        );
    }
    let existing: Vec<PathBuf> = paths
        .iter()
        .filter(|p| !missing.contains(p))
        .cloned()
        .collect();

    let messages = Messages::new(c.verbose, c.quiet);
    let request = ScanRequest {
        paths: existing,
        root,
        walk: WalkOptions {
            no_ignore: args.no_ignore,
            follow_symlinks: args.follow_symlinks,
            max_file_size: args.max_file_size,
            threads: c.threads,
        },
        stdin_name: args.stdin_filename.clone(),
    };
    let outcome = scan::run(
        &engine,
        policy.as_ref(),
        &request,
        baseline.as_ref(),
        &messages,
    );
    let code = match report_outcome(c, &engine, &outcome) {
        Ok(code) => code,
        Err(code) => return code,
    };
    if !missing.is_empty() {
        return 2;
    }
    code
}

/// Writes the baseline and the report of a finished scan; the exit code
/// that the findings call for (0 or 1), or `Err(2)` when writing failed.
fn report_outcome(c: &CommonArgs, engine: &Engine, outcome: &scan::ScanOutcome) -> Result<u8, u8> {
    if let Some(path) = &c.write_baseline
        && let Err(e) = std::fs::write(path, Baseline::render(&outcome.findings))
    {
        return Err(error(format!(
            "{}: cannot write baseline: {e}",
            path.display()
        )));
    }
    let to_terminal = c.output.is_none() && io::stdout().is_terminal();
    let rule_lookup = |id: &str| engine.rule(id).or_else(|| policy_rule(id));
    let ctx = ReportContext {
        outcome,
        rule: &rule_lookup,
        show_secrets: c.show_secrets,
        color: to_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        width: terminal_width(to_terminal),
    };
    emit(c.format, &ctx, c.output.as_deref(), c.quiet)?;
    if c.format != Format::Human && !c.quiet && c.verbose {
        eprintln!("{}", crate::report::human::summary_line(&ctx));
    }
    let failing = outcome.findings.iter().any(|f| f.severity >= c.fail_on);
    Ok(u8::from(failing && !c.exit_zero))
}

fn load_baseline(c: &CommonArgs) -> Result<Option<Baseline>, u8> {
    match &c.baseline {
        Some(p) => Baseline::load(p).map(Some).map_err(error),
        None => Ok(None),
    }
}

fn run_git(args: GitArgs) -> u8 {
    let c = &args.common;
    let repo = match git::open(&args.repo) {
        Ok(r) => r,
        Err(e) => return error(e),
    };
    let root = git::root_of(&repo);
    drop(repo);
    let cfg = match load_config(c.config.as_deref(), c.no_config, &root) {
        Ok(cfg) => cfg,
        Err(e) => return error(e),
    };
    // A staged scan reads a few blobs: the automaton that builds fastest wins.
    let prefilter = if args.staged {
        Prefilter::QuickStart
    } else {
        Prefilter::Fast
    };
    let engine = match build_engine(&cfg, c, prefilter) {
        Ok(e) => e,
        Err(code) => return code,
    };
    let baseline = match load_baseline(c) {
        Ok(b) => b,
        Err(code) => return code,
    };
    let mode = if args.staged {
        git::Mode::Staged {
            whole_files: args.whole_files,
        }
    } else if let Some(spec) = &args.range {
        git::Mode::Range {
            spec: spec.clone(),
            whole_files: args.whole_files,
        }
    } else {
        git::Mode::History {
            branch: args.branch.clone(),
            since: args.since,
            max_commits: args.max_commits,
        }
    };
    let request = git::GitRequest {
        repo: args.repo.clone(),
        mode,
        max_file_size: args.max_file_size,
        threads: c.threads,
    };
    let messages = Messages::new(c.verbose, c.quiet);
    let policy = match build_policy(&cfg, c) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let outcome = match git::run(
        &engine,
        policy.as_ref(),
        &request,
        baseline.as_ref(),
        &messages,
    ) {
        Ok(o) => o,
        Err(e) => return error(e),
    };
    report_outcome(c, &engine, &outcome).unwrap_or_else(|code| code)
}

/// `--since`: any date git understands (`2024-05-01`, RFC 2822, `2 weeks ago`).
fn parse_since(s: &str) -> Result<i64, String> {
    gix::date::parse(s, Some(gix::date::Zoned::now()))
        .map(|t| t.seconds)
        .map_err(|e| format!("`{s}` is not a date: {e}"))
}

fn build_engine(cfg: &Config, c: &CommonArgs, prefilter: Prefilter) -> Result<Engine, u8> {
    let allow = cfg.allowlist().map_err(error)?;
    let mut entries = if c.no_secrets {
        Vec::new()
    } else {
        rules::builtin_entries()
    };
    if !c.no_secrets {
        entries.extend(cfg.file.rules.iter().cloned().map(RuleEntry::from_spec));
    }
    for id in c.only_rules.iter().chain(&c.disable_rules) {
        if !c.no_secrets && !entries.iter().any(|e| e.id == *id) && catalog::check(id).is_none() {
            return Err(error(format!(
                "unknown rule id `{id}` (see `keywarden rules`)"
            )));
        }
    }
    let mut disabled = cfg.file.disable.clone();
    disabled.extend(c.disable_rules.iter().cloned());
    if !c.only_rules.is_empty() {
        disabled.extend(
            entries
                .iter()
                .map(|e| e.id.clone())
                .filter(|id| !c.only_rules.contains(id)),
        );
    }
    Engine::new(entries, allow, &disabled, prefilter).map_err(error)
}

/// A few small named files (a pre-commit run) start faster with an NFA
/// automaton; anything else scans faster with a DFA.
fn prefilter_for(paths: &[PathBuf]) -> Prefilter {
    const SMALL: u64 = 4 << 20;
    let mut total = 0u64;
    for p in paths {
        if p.as_os_str() == "-" {
            continue;
        }
        match std::fs::metadata(p) {
            Ok(m) if m.is_file() => total += m.len(),
            Ok(_) => return Prefilter::Fast,
            Err(_) => {}
        }
    }
    if total <= SMALL {
        Prefilter::QuickStart
    } else {
        Prefilter::Fast
    }
}

/// Writes the report; a closed pipe (`| head`) is not an error.
fn emit(
    format: Format,
    ctx: &ReportContext<'_>,
    output: Option<&Path>,
    quiet: bool,
) -> Result<(), u8> {
    let mut buf = Vec::new();
    let result = if quiet && format == Format::Human {
        // Quiet human output: findings only, no summary.
        report::write_findings_only(ctx, &mut buf)
    } else {
        report::write(format, ctx, &mut buf)
    };
    if let Err(e) = result {
        return Err(error(format!("cannot render the report: {e}")));
    }
    let written = match output {
        Some(p) => std::fs::write(p, &buf)
            .map_err(|e| format!("{}: cannot write report: {e}", p.display())),
        None => {
            let mut out = io::stdout().lock();
            match out.write_all(&buf).and_then(|()| out.flush()) {
                Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
                    Err(format!("cannot write to standard output: {e}"))
                }
                _ => Ok(()),
            }
        }
    };
    written.map_err(error)
}

fn terminal_width(to_terminal: bool) -> usize {
    let from_env = std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok());
    match from_env {
        Some(w) if to_terminal => w,
        _ => 100,
    }
}

/// `10M`, `512k`, `1G`, `10MiB` or plain bytes.
fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let lower = t.to_ascii_lowercase();
    let digits_end = lower
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(lower.len());
    let (num, unit) = lower.split_at(digits_end);
    let n: u64 = num
        .parse()
        .map_err(|_| format!("`{s}` is not a size (try 10M, 512K or 1048576)"))?;
    let mult = match unit.trim() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        other => return Err(format!("unknown size unit `{other}` (use K, M or G)")),
    };
    n.checked_mul(mult)
        .ok_or_else(|| format!("`{s}` is too large"))
}

fn run_rules(args: RulesArgs) -> u8 {
    let cwd = std::env::current_dir().unwrap_or_default();
    let root = scan::find_root(&cwd, None);
    let cfg = match load_config(args.config.as_deref(), false, &root) {
        Ok(c) => c,
        Err(e) => return error(e),
    };
    let specs = match all_specs(&cfg) {
        Ok(s) => s,
        Err(e) => return error(e),
    };
    // Later specs override earlier ones with the same id.
    let mut by_id: std::collections::BTreeMap<String, RuleSpec> = std::collections::BTreeMap::new();
    for s in specs {
        by_id.insert(s.id().to_string(), s);
    }
    let mut out = io::stdout().lock();
    let res = match &args.id {
        None => {
            crate::rules::docs::write_list(by_id.values(), args.format == Format::Json, &mut out)
        }
        Some(id) => match by_id
            .get(id)
            .or_else(|| catalog::check(id).and_then(|c| by_id.get(&c.id)))
        {
            Some(spec) => {
                crate::rules::docs::write_rule(spec, args.format == Format::Json, &mut out)
            }
            None => {
                let hint = by_id
                    .keys()
                    .find(|k| k.contains(id.as_str()) || id.contains(k.as_str()));
                let hint = hint
                    .map(|h| format!("; did you mean `{h}`?"))
                    .unwrap_or_default();
                return error(format!(
                    "unknown rule id `{id}`{hint} (see `keywarden rules`)"
                ));
            }
        },
    };
    match res {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => error(format!("cannot write: {e}")),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("10M"), Ok(10 << 20));
        assert_eq!(parse_size("512k"), Ok(512 << 10));
        assert_eq!(parse_size("123"), Ok(123));
        assert!(parse_size("ten").is_err());
        assert!(parse_size("10X").is_err());
    }
}
