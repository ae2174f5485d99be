#!/usr/bin/env python3
"""Turns bench/run.sh's hyperfine JSON into a Markdown table with MB/s,
peak RSS and ratios against the fastest peer."""
import json
import os
import platform
import sys

work = sys.argv[1]
sizes = dict(line.split() for line in open(os.path.join(work, "sizes")))
print(f"machine: {platform.machine()}, {os.cpu_count()} cores; medians of whole-process wall time, warm cache\n")
print("| corpus | tool | median (s) | MB/s | peak RSS (MiB) | vs fastest peer |")
print("| --- | --- | ---: | ---: | ---: | ---: |")
for label in ["cargo", "helm", "file"]:
    path = os.path.join(work, f"{label}.json")
    if not os.path.exists(path):
        continue
    results = json.load(open(path))["results"]
    size = int(sizes[label])
    med = {r["command"]: r["median"] for r in results}
    peers = [t for n, t in med.items() if not n.startswith("keywarden")]
    best_peer = min(peers) if peers else None
    for r in results:
        name = r["command"]
        rss_file = os.path.join(work, f"{label}.{name}.rss")
        rss = int(open(rss_file).read().split()[-1]) / 1024 if os.path.exists(rss_file) else float("nan")
        ratio = f"{best_peer / r['median']:.1f}x" if best_peer and name.startswith("keywarden") else ""
        print(f"| {label} ({size / 1e6:.1f} MB) | {name} | {r['median']:.3f} | {size / 1e6 / r['median']:.0f} | {rss:.0f} | {ratio} |")

# What the Helm/Kubernetes policy checks cost: the same scan with --no-policy.
path = os.path.join(work, "helm.json")
if os.path.exists(path):
    med = {r["command"]: r["median"] for r in json.load(open(path))["results"]}
    if "keywarden" in med and "keywarden --no-policy" in med:
        extra = med["keywarden"] / med["keywarden --no-policy"] - 1
        print(f"\npolicy checks on the Helm corpus: {extra * 100:+.1f}% wall time "
              f"({med['keywarden']:.3f} s vs {med['keywarden --no-policy']:.3f} s with --no-policy)")
