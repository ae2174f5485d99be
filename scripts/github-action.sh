#!/usr/bin/env bash
# The logic of keywarden's composite GitHub Action (action.yml): find or
# build keywarden, decide what to scan from the event, run it, and report
# (annotations, job summary, SARIF, outputs). Inputs arrive only as INPUT_*
# environment variables, never interpolated into this script's text, so a
# branch name, title or path cannot inject commands.
#
# Environment: INPUT_PATH, INPUT_CONFIG, INPUT_BASELINE, INPUT_SARIF_FILE,
# INPUT_FAIL_ON, INPUT_ARGS, INPUT_MODE (auto|scan|history); GITHUB_* as set
# by the runner; KEYWARDEN_BIN to use a given binary; INSTALL_DIR where a
# build from the action's own checkout goes.
set -euo pipefail

ACTION_DIR="$(cd "$(dirname "$0")/.." && pwd)"
WORKSPACE="${GITHUB_WORKSPACE:-$PWD}"
SCAN_PATH="${INPUT_PATH:-.}"
MODE="${INPUT_MODE:-auto}"
FAIL_ON="${INPUT_FAIL_ON:-low}"
SARIF="${INPUT_SARIF_FILE-keywarden.sarif}"
EVENT_NAME="${GITHUB_EVENT_NAME:-}"
EVENT_PATH="${GITHUB_EVENT_PATH:-}"
OUT="${GITHUB_OUTPUT:-/dev/null}"
SUMMARY="${GITHUB_STEP_SUMMARY:-/dev/null}"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

die() {
  # One clear annotation, then exit 2 (the scan could not be done).
  echo "::error title=keywarden::$1"
  echo "exit-code=2" >>"$OUT"
  echo "findings=0" >>"$OUT"
  exit 2
}

# --- 1. keywarden: given, on PATH, cached, or built from this action's checkout.
find_keywarden() {
  if [ -n "${KEYWARDEN_BIN:-}" ]; then
    [ -x "$KEYWARDEN_BIN" ] || die "KEYWARDEN_BIN=$KEYWARDEN_BIN is not executable"
    KW="$KEYWARDEN_BIN"
  elif command -v keywarden >/dev/null 2>&1; then
    KW="$(command -v keywarden)"
  elif [ -n "${INSTALL_DIR:-}" ] && [ -x "$INSTALL_DIR/bin/keywarden" ]; then
    KW="$INSTALL_DIR/bin/keywarden"
  else
    # No release binaries are published yet: build this action's own
    # version (the directory is cached by the action between runs).
    command -v cargo >/dev/null 2>&1 || die "keywarden is not installed and cargo is not available to build it"
    echo "::group::Building keywarden (cached for later runs)"
    cargo install --locked --quiet --path "$ACTION_DIR" --root "${INSTALL_DIR:-$TMP/install}" \
      || die "cargo install of keywarden failed"
    echo "::endgroup::"
    KW="${INSTALL_DIR:-$TMP/install}/bin/keywarden"
  fi
}

# --- 2. what to scan: the event's commit range, the tree, or the history.
event_field() {
  # Prints a string field of the event payload (empty when absent).
  python3 - "$EVENT_PATH" "$1" <<'EOF'
import json, sys
try:
    v = json.load(open(sys.argv[1]))
    for k in sys.argv[2].split("."):
        v = v[k]
    print(v if isinstance(v, str) else "")
except Exception:
    print("")
EOF
}

is_null_sha() { [[ "$1" =~ ^0+$ ]]; }

choose_scan() {
  SCAN_ARGS=()
  DESCRIPTION=""
  local base="" head=""
  case "$MODE" in
    scan) ;;
    history) SCAN_ARGS=(git "$SCAN_PATH"); DESCRIPTION="the whole history" ;;
    auto)
      if [ -n "$EVENT_PATH" ] && [ -f "$EVENT_PATH" ]; then
        case "$EVENT_NAME" in
          pull_request | pull_request_target)
            base="$(event_field pull_request.base.sha)"
            head="$(event_field pull_request.head.sha)" ;;
          push)
            base="$(event_field before)"
            head="$(event_field after)" ;;
          merge_group)
            base="$(event_field merge_group.base_sha)"
            head="$(event_field merge_group.head_sha)" ;;
        esac
      fi ;;
    *) die "unknown mode '$MODE' (expected auto, scan or history)" ;;
  esac
  if [ -n "$head" ] && [ -n "$base" ] && ! is_null_sha "$base"; then
    [[ "$base$head" =~ ^[0-9a-fA-F]+$ ]] || die "the event's commit ids are not hexadecimal"
    if ! git -C "$SCAN_PATH" cat-file -e "$base^{commit}" 2>/dev/null \
      || ! git -C "$SCAN_PATH" cat-file -e "$head^{commit}" 2>/dev/null; then
      die "the base commit ${base:0:12} is not in this clone. actions/checkout fetches one commit by default: set 'fetch-depth: 0' on actions/checkout so that keywarden can scan what this ${EVENT_NAME:-event} adds."
    fi
    SCAN_ARGS=(git "$SCAN_PATH" --range "$base..$head")
    DESCRIPTION="commits ${base:0:7}..${head:0:7}"
  elif [ "${#SCAN_ARGS[@]}" -eq 0 ]; then
    # No range (a new branch, a manual or scheduled run): the files as checked out.
    SCAN_ARGS=(scan "$SCAN_PATH")
    DESCRIPTION="the files in ${SCAN_PATH}"
  fi
}

# --- 3. run and report.
main() {
  find_keywarden
  choose_scan
  local common=(--fail-on "$FAIL_ON")
  [ -n "${INPUT_CONFIG:-}" ] && common+=(--config "$INPUT_CONFIG")
  [ -n "${INPUT_BASELINE:-}" ] && common+=(--baseline "$INPUT_BASELINE")
  local extra=()
  # Extra arguments are split on whitespace, never evaluated.
  [ -n "${INPUT_ARGS:-}" ] && read -r -a extra <<<"$INPUT_ARGS"

  local code=0
  "$KW" "${SCAN_ARGS[@]}" "${common[@]}" "${extra[@]}" --format json -q -o "$TMP/report.json" || code=$?
  if [ "$code" -ge 2 ] || [ ! -s "$TMP/report.json" ]; then
    echo "exit-code=$code" >>"$OUT"
    echo "findings=0" >>"$OUT"
    echo "::error title=keywarden::keywarden could not scan ${DESCRIPTION} (exit code $code); see the log above"
    exit "$code"
  fi
  if [ -n "$SARIF" ]; then
    # Written before the step fails, so an upload step with `if: always()` finds it.
    "$KW" "${SCAN_ARGS[@]}" "${common[@]}" "${extra[@]}" --format sarif -q --exit-zero -o "$SARIF" \
      || die "could not write SARIF to $SARIF"
    python3 -c 'import os, sys; print("sarif-file=" + os.path.relpath(os.path.abspath(sys.argv[1]), sys.argv[2]))' \
      "$SARIF" "$WORKSPACE" >>"$OUT"
  else
    echo "sarif-file=" >>"$OUT"
  fi
  python3 "$ACTION_DIR/scripts/github-action-report.py" "$TMP/report.json" "$DESCRIPTION" "$SUMMARY" "$OUT"
  echo "exit-code=$code" >>"$OUT"
  exit "$code"
}

main
