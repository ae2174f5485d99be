#!/usr/bin/env python3
"""Builds a large git repository reproducibly for the history benchmark.

    make_git_history.py SOURCE_DIR OUT_REPO [COMMITS]

Real text files from SOURCE_DIR (the cargo registry's unpacked crates) are
replayed as a long history through `git fast-import`: an initial import,
then COMMITS (default 20,000) commits on `main` that edit files (lines
inserted from other files, lines deleted), add and delete files, rename
files and whole directories; every ~60 commits a feature branch of 2-12
commits is cut and most are merged back with a merge commit (some stay
unmerged); a tag every 1,000 commits. Fake Stripe keys are planted in old
commits, in files deleted later, in lines removed later, on merged and
unmerged side branches and on a tag-only commit. Everything is drawn from a
fixed seed over a sorted file list, so the same registry gives the same
repository.

Writes OUT_REPO/../planted.json: for each planted key, the path and the
commit (full id) that introduced it, which the benchmark checks keywarden's
findings against.
"""

import json
import os
import random
import subprocess
import sys

SEED = 20241105
EXTS = (".rs", ".toml", ".md", ".yml", ".yaml", ".json", ".txt", ".c", ".h", ".py", ".sh")
INITIAL_FILES = 2500
BRANCH_EVERY = 60


def source_files(root):
    out = []
    for d, dirs, files in os.walk(root):
        dirs.sort()
        for f in sorted(files):
            if f.endswith(EXTS):
                p = os.path.join(d, f)
                try:
                    size = os.path.getsize(p)
                except OSError:
                    continue
                if 200 <= size <= 60_000:
                    out.append(p)
    return out


def read_lines(path):
    with open(path, "rb") as fh:
        data = fh.read()
    if b"\0" in data[:8192]:
        return None
    return data.split(b"\n")


class Builder:
    def __init__(self, out, rng, pool, root):
        self.out = out
        self.rng = rng
        self.pool = pool
        self.root = root
        self.mark = 0
        self.time = 1_420_070_400  # 2015-01-01
        self.planted = []  # (secret, path, mark)
        self.secret_no = 0

    def next_mark(self):
        self.mark += 1
        return self.mark

    def secret(self):
        self.secret_no += 1
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
        body = "".join(self.rng.choice(alphabet) for _ in range(24))
        return "sk_" + "live_" + body

    def write(self, b):
        self.out.write(b)

    def commit(self, ref, state, changes, msg, parents=(), who=None):
        """changes: list of ('M', path) / ('D', path) / ('R', old, new)."""
        mark = self.next_mark()
        self.time += self.rng.randint(600, 7200)
        name, email = who or self.rng.choice(AUTHORS)
        ident = f"{name} <{email}> {self.time} +0000".encode()
        self.write(b"commit " + ref.encode() + b"\nmark :%d\n" % mark)
        self.write(b"author " + ident + b"\ncommitter " + ident + b"\n")
        m = msg.encode()
        self.write(b"data %d\n" % len(m) + m + b"\n")
        if parents:
            self.write(b"from :%d\n" % parents[0])
            for p in parents[1:]:
                self.write(b"merge :%d\n" % p)
        for ch in changes:
            if ch[0] == "M":
                data = state[ch[1]]
                self.write(b"M 100644 inline " + ch[1].encode() + b"\n")
                self.write(b"data %d\n" % len(data) + data + b"\n")
            elif ch[0] == "D":
                self.write(b"D " + ch[1].encode() + b"\n")
            else:
                self.write(b"R " + ch[1].encode() + b" " + ch[2].encode() + b"\n")
        self.write(b"\n")
        return mark

    def fresh_file(self):
        while True:
            p = self.pool.pop()
            lines = read_lines(p)
            if lines is not None:
                return os.path.relpath(p, self.root).replace(os.sep, "/"), lines

    def edit(self, state, path):
        lines = state[path].split(b"\n")
        for _ in range(self.rng.randint(1, 3)):
            op = self.rng.random()
            at = self.rng.randint(0, len(lines))
            if op < 0.6 or len(lines) < 5:
                donor = state[self.rng.choice(list(state))].split(b"\n")
                s = self.rng.randint(0, max(0, len(donor) - 1))
                lines[at:at] = donor[s : s + self.rng.randint(1, 6)]
            else:
                del lines[at : at + self.rng.randint(1, 4)]
        state[path] = b"\n".join(lines)

    def churn(self, state, files):
        """A random ordinary change to `state`; returns fast-import changes."""
        changes = []
        r = self.rng.random()
        if r < 0.08 and self.pool:
            path, lines = self.fresh_file()
            if path not in state:
                state[path] = b"\n".join(lines)
                files.append(path)
                changes.append(("M", path))
        elif r < 0.11 and len(files) > 100:
            path = files.pop(self.rng.randrange(len(files)))
            del state[path]
            changes.append(("D", path))
        elif r < 0.13 and len(files) > 100:
            i = self.rng.randrange(len(files))
            old = files[i]
            new = old.rsplit("/", 1)[0] + "/renamed_" + old.rsplit("/", 1)[-1]
            if new not in state:
                state[new] = state.pop(old)
                files[i] = new
                changes.append(("R", old, new))
        else:
            for _ in range(self.rng.randint(1, 4)):
                path = self.rng.choice(files)
                self.edit(state, path)
                changes.append(("M", path))
        return changes

    def plant(self, state, files, kind):
        """Adds a key to a file (new or existing); returns (changes, path, secret)."""
        s = self.secret()
        if kind == "new":
            path = f"deploy/service-{self.secret_no}/production.env"
            state[path] = b"# service settings\nDATABASE_HOST=db.internal\nSTRIPE_SECRET_KEY=" + s.encode() + b"\nLOG_LEVEL=info\n"
            files.append(path)
        else:
            path = self.rng.choice([f for f in files if f.endswith(".rs")] or files)
            lines = state[path].split(b"\n")
            at = self.rng.randint(0, len(lines))
            lines.insert(at, b'const STRIPE_KEY: &str = "' + s.encode() + b'";')
            state[path] = b"\n".join(lines)
        return [("M", path)], path, s


AUTHORS = [
    ("Ada Lovelace", "ada@example.invalid"),
    ("Grace Hopper", "grace@example.invalid"),
    ("Linus Example", "linus@example.invalid"),
    ("Margaret Hamilton", "margaret@example.invalid"),
    ("Ken Example", "ken@example.invalid"),
]


def main():
    src, repo = sys.argv[1], sys.argv[2]
    commits = int(sys.argv[3]) if len(sys.argv) > 3 else 20_000
    rng = random.Random(SEED)
    pool = source_files(src)
    rng.shuffle(pool)
    subprocess.run(["git", "init", "-q", "-b", "main", repo], check=True)
    marks = os.path.join(os.path.abspath(repo), ".git", "bench-marks")
    fi = subprocess.Popen(
        ["git", "-C", repo, "fast-import", "--quiet", f"--export-marks={marks}"],
        stdin=subprocess.PIPE,
    )
    b = Builder(fi.stdin, rng, pool, src)

    main_state, main_files = {}, []
    initial = []
    while len(main_files) < INITIAL_FILES and pool:
        path, lines = b.fresh_file()
        if path in main_state:
            continue
        main_state[path] = b"\n".join(lines)
        main_files.append(path)
        initial.append(("M", path))
    tip = b.commit("refs/heads/main", main_state, initial, "Initial import")
    n = 1
    plan = {}  # commit number on main -> kind of plant
    for i in range(10):
        plan[200 + i * 150] = "old-kept"
    for i in range(5):
        plan[1500 + i * 300] = "deleted-later"
    for i in range(5):
        plan[3500 + i * 300] = "line-removed-later"
    pending_removals = {}  # main commit number -> (path, secret, kind)
    branch_no = 0
    merged_refs = []
    while n < commits:
        n += 1
        kind = plan.get(n)
        if kind:
            changes, path, s = b.plant(main_state, main_files, "new" if kind != "line-removed-later" else "edit")
            tip = b.commit("refs/heads/main", main_state, changes, f"Configure service {b.secret_no}", (tip,))
            b.planted.append({"secret": s, "path": path, "mark": tip, "kind": kind})
            if kind == "deleted-later":
                pending_removals[n + 2001] = (path, s, "delete")
            elif kind == "line-removed-later":
                pending_removals[n + 1000] = (path, s, "line")
            continue
        if n in pending_removals:
            path, s, how = pending_removals.pop(n)
            if path in main_state:
                if how == "delete":
                    del main_state[path]
                    main_files.remove(path)
                    changes = [("D", path)]
                else:
                    main_state[path] = b"\n".join(
                        l for l in main_state[path].split(b"\n") if s.encode() not in l
                    )
                    changes = [("M", path)]
                tip = b.commit("refs/heads/main", main_state, changes, "Remove credentials", (tip,))
                continue
        if n % 700 == 0:
            # Move a whole directory: every file in it at a new path, same blobs.
            dirs = sorted({f.split("/")[0] for f in main_files})
            d = rng.choice(dirs)
            new_d = d + "-moved"
            moved = [f for f in main_files if f.split("/")[0] == d]
            changes = []
            for f in moved:
                nf = new_d + f[len(d):]
                main_state[nf] = main_state.pop(f)
                changes.append(("R", f, nf))
            main_files[:] = [f for f in main_files if f.split("/")[0] != d] + [new_d + f[len(d):] for f in moved]
            tip = b.commit("refs/heads/main", main_state, changes, f"Move {d}", (tip,))
            continue
        if n % BRANCH_EVERY == 0:
            branch_no += 1
            ref = f"refs/heads/feature/{branch_no}"
            state, files = dict(main_state), list(main_files)
            btip = tip
            touched = set()
            for k in range(rng.randint(2, 12)):
                if k == 1 and branch_no % 40 == 0:
                    changes, path, s = b.plant(state, files, "new")
                    merged = branch_no % 80 == 0
                    kind = "side-merged" if merged else "side-unmerged"
                else:
                    changes, kind = b.churn(state, files), None
                btip = b.commit(ref, state, changes, f"Feature {branch_no} step {k}", (btip,))
                if kind:
                    b.planted.append({"secret": s, "path": path, "mark": btip, "kind": kind})
                for ch in changes:
                    touched.update(ch[1:])
            merge = rng.random() < 0.85 or branch_no % 80 == 0
            if branch_no % 40 == 0 and branch_no % 80 != 0:
                merge = False
            if merge:
                # The merge takes the branch's version of what it touched.
                changes = []
                for p in sorted(touched):
                    if p in state:
                        if p not in main_state:
                            main_files.append(p)
                        main_state[p] = state[p]
                        changes.append(("M", p))
                    elif p in main_state:
                        del main_state[p]
                        main_files.remove(p)
                        changes.append(("D", p))
                tip = b.commit("refs/heads/main", main_state, changes, f"Merge feature {branch_no}", (tip, btip))
                merged_refs.append(ref)
            continue
        changes = b.churn(main_state, main_files)
        if not changes:
            continue
        tip = b.commit("refs/heads/main", main_state, changes, f"Change {n}", (tip,))
        if n % 1000 == 0:
            b.write(b"reset refs/tags/v%d.0\nfrom :%d\n\n" % (n // 1000, tip))
        if n == 5000:
            # A commit reachable only from a tag.
            state = dict(main_state)
            changes, path, s = b.plant(state, list(main_files), "new")
            t = b.commit("refs/tags/hotfix-only", state, changes, "Hotfix build", (tip,))
            b.planted.append({"secret": s, "path": path, "mark": t, "kind": "tag-only"})
    fi.stdin.close()
    if fi.wait() != 0:
        sys.exit("fast-import failed")
    ids = {}
    with open(marks) as fh:
        for line in fh:
            m, sha = line.split()
            ids[int(m[1:])] = sha
    for p in b.planted:
        p["commit"] = ids[p.pop("mark")]
    # Merged branches are deleted, as on a forge.
    subprocess.run(
        ["git", "-C", repo, "update-ref", "--stdin"],
        input="".join(f"delete {r}\n" for r in merged_refs).encode(),
        check=True,
    )
    subprocess.run(["git", "-C", repo, "reset", "-q", "--hard", "main"], check=True)
    out = os.path.join(os.path.dirname(os.path.abspath(repo)), "planted.json")
    with open(out, "w") as fh:
        json.dump(b.planted, fh, indent=1)
    print(f"{repo}: {b.mark} marks, {len(b.planted)} planted secrets -> {out}")


if __name__ == "__main__":
    main()
