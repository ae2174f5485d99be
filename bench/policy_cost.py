#!/usr/bin/env python3
"""What the Helm/Kubernetes policy checks add to a scan.

Runs `keywarden scan DIR` with and without `--no-policy` in back-to-back
pairs (the order alternating), so that both runs of a pair see the same
machine load; reports the median of the per-pair ratios with a bootstrap
95% interval, for wall time and for CPU time. With `--instructions` it also
counts instructions under valgrind's callgrind, which do not depend on load
at all (single-threaded, so the count is repeatable).

    python3 bench/policy_cost.py [--bin target/release/keywarden]
        [--pairs 60] [--threads N] [--instructions] DIR
"""

import argparse
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time


def timed(cmd):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def interval(ratios):
    rng = random.Random(7)
    meds = sorted(
        statistics.median(rng.choices(ratios, k=len(ratios))) for _ in range(2000)
    )
    return meds[int(0.025 * len(meds))], meds[int(0.975 * len(meds))]


def instructions(cmd):
    out = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"] + cmd,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    ).stderr
    m = re.search(r"Collected : (\d+)", out)
    return int(m.group(1)) if m else None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dir")
    ap.add_argument("--bin", default="target/release/keywarden")
    ap.add_argument("--pairs", type=int, default=60)
    ap.add_argument("--threads", type=int)
    ap.add_argument("--instructions", action="store_true")
    a = ap.parse_args()

    base = [a.bin, "scan", a.dir, "--no-config", "-q", "--exit-zero"]
    if a.threads:
        base += ["--threads", str(a.threads)]
    with_policy, without = base, base + ["--no-policy"]
    for _ in range(3):  # warm the page cache
        timed(with_policy)
        timed(without)
    walls, cpus = [], []
    for i in range(a.pairs):
        if i % 2 == 0:
            wp, cp = timed(with_policy)
            wn, cn = timed(without)
        else:
            wn, cn = timed(without)
            wp, cp = timed(with_policy)
        walls.append((wp, wn))
        cpus.append((cp, cn))

    print(f"policy cost on {a.dir}, {a.pairs} pairs, threads={a.threads or 'default'}")
    for name, pairs in (("wall", walls), ("cpu", cpus)):
        ratios = [p / n for p, n in pairs if n > 0]
        lo, hi = interval(ratios)
        med_p = statistics.median(p for p, _ in pairs) * 1000
        med_n = statistics.median(n for _, n in pairs) * 1000
        print(
            f"  {name:4}: {med_p:7.1f} ms vs {med_n:7.1f} ms --no-policy; "
            f"median pair ratio {statistics.median(ratios) - 1:+.1%} "
            f"(95% CI {lo - 1:+.1%} .. {hi - 1:+.1%})"
        )
    if a.instructions:
        if not shutil.which("valgrind"):
            print("  instructions: valgrind not installed", file=sys.stderr)
            return
        one = base[:6] + ["--threads", "1"]
        ip, inp = instructions(one), instructions(one + ["--no-policy"])
        if ip and inp:
            print(
                f"  instructions (1 thread): {ip:,} vs {inp:,} --no-policy: "
                f"{ip / inp - 1:+.2%}"
            )


if __name__ == "__main__":
    main()
