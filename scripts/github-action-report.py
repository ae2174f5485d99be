#!/usr/bin/env python3
"""Turns keywarden's JSON report into what a GitHub Actions step shows.

    github-action-report.py REPORT.json DESCRIPTION SUMMARY_FILE OUTPUT_FILE

- annotations on stdout: GitHub shows at most 10 per level per step, so the
  10 most severe findings of each level are annotated (workflow-command
  escaping applied to every field);
- every finding in a Markdown table appended to SUMMARY_FILE (the job
  summary), secrets redacted as in the report, capped well below GitHub's
  1 MiB summary limit;
- `findings=N` appended to OUTPUT_FILE.
"""

import json
import sys

MAX_PER_LEVEL = 10
MAX_ROWS = 2000
RANK = {"critical": 4, "high": 3, "medium": 2, "low": 1, "info": 0}
LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "warning", "info": "notice"}


def escape_data(s):
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(s):
    return escape_data(s).replace(":", "%3A").replace(",", "%2C")


def cell(s):
    """Markdown table cell: no pipes, no newlines, no HTML."""
    s = str(s).replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")
    return s.replace("<", "&lt;").replace(">", "&gt;").replace("`", "'")


def main():
    report_path, description, summary_path, output_path = sys.argv[1:5]
    with open(report_path) as fh:
        report = json.load(fh)
    findings = report.get("findings", [])
    ordered = sorted(
        findings,
        key=lambda f: (-RANK.get(f.get("severity"), 0), f.get("path", ""), f.get("start_line", 0)),
    )

    shown = {}
    for f in ordered:
        level = LEVEL.get(f.get("severity"), "warning")
        if shown.get(level, 0) >= MAX_PER_LEVEL:
            continue
        shown[level] = shown.get(level, 0) + 1
        title = f"{f.get('rule_name', '')} ({f.get('rule_id', '')})"
        message = f"{f.get('rule_name', '')}: {f.get('redacted', '')} [{f.get('severity', '')} severity]"
        origin = f.get("origin")
        if origin:
            message += f" introduced in {origin.get('commit', '')[:7]}"
        print(
            f"::{level} file={escape_property(f.get('path', ''))},line={f.get('start_line', 1)},"
            f"col={f.get('start_column', 1)},endLine={f.get('end_line', 1)},"
            f"endColumn={f.get('end_column', 1)},title={escape_property(title)}::{escape_data(message)}"
        )

    lines = ["## keywarden", ""]
    if not findings:
        lines.append(f"No secrets found in {cell(description)}.")
    else:
        n = len(findings)
        lines.append(f"**{n} finding{'s' if n != 1 else ''}** in {cell(description)}.")
        annotated = sum(shown.values())
        if annotated < n:
            lines.append("")
            lines.append(f"{annotated} are annotated in the diff (GitHub shows at most {MAX_PER_LEVEL} per level); all are listed here.")
        lines += ["", "| severity | rule | location | commit | secret |", "| --- | --- | --- | --- | --- |"]
        for f in ordered[:MAX_ROWS]:
            origin = f.get("origin") or {}
            commit = origin.get("commit", "")[:7]
            lines.append(
                f"| {cell(f.get('severity', ''))} | {cell(f.get('rule_id', ''))} "
                f"| {cell(f.get('path', ''))}:{f.get('start_line', '')} | {cell(commit)} "
                f"| {cell(f.get('redacted', ''))} |"
            )
        if n > MAX_ROWS:
            lines.append(f"\n… and {n - MAX_ROWS} more: see the SARIF or JSON report.")
    with open(summary_path, "a") as fh:
        fh.write("\n".join(lines) + "\n")
    with open(output_path, "a") as fh:
        fh.write(f"findings={len(findings)}\n")


if __name__ == "__main__":
    main()
