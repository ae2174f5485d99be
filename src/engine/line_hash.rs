//! GitHub code scanning's `primaryLocationLineHash`, computed exactly as
//! github/codeql-action's upload-sarif does (src/fingerprints.ts), so that
//! alerts keep their identity across uploads and upload-sarif does not warn
//! about "inconsistent fingerprints".
//!
//! A rolling hash (base 37, mod 2^64) over a 100-character window that
//! starts at each line's first character that is not a space or tab; spaces
//! and tabs are skipped everywhere, `\r\n` and `\r` count as `\n`, the file
//! is read as UTF-16 code units of its UTF-8 decoding, and each value is
//! suffixed with how many times it occurred so far in the file.

use std::collections::HashMap;

const BLOCK: usize = 100;
const MOD: u64 = 37;
const EOF: u64 = 65535;

struct Hasher<'a> {
    window: [u64; BLOCK],
    /// The 1-based line whose hash is complete when the window wraps here (0: none).
    line_numbers: [usize; BLOCK],
    hash: u64,
    first_mod: u64,
    index: usize,
    line: usize,
    line_start: bool,
    prev_cr: bool,
    counts: HashMap<u64, usize>,
    wanted: &'a [usize],
    out: HashMap<usize, String>,
}

impl Hasher<'_> {
    fn output(&mut self) {
        let count = self.counts.entry(self.hash).or_insert(0);
        *count += 1;
        let line = self.line_numbers[self.index];
        if self.wanted.contains(&line) {
            self.out.insert(line, format!("{:x}:{count}", self.hash));
        }
        self.line_numbers[self.index] = 0;
    }

    fn update(&mut self, cur: u64) {
        let begin = self.window[self.index];
        self.window[self.index] = cur;
        self.hash = MOD
            .wrapping_mul(self.hash)
            .wrapping_add(cur)
            .wrapping_sub(self.first_mod.wrapping_mul(begin));
        self.index = (self.index + 1) % BLOCK;
    }

    fn process(&mut self, mut cur: u64) {
        if cur == 32 || cur == 9 || (self.prev_cr && cur == 10) {
            self.prev_cr = false;
            return;
        }
        if cur == 13 {
            cur = 10;
            self.prev_cr = true;
        } else {
            self.prev_cr = false;
        }
        if self.line_numbers[self.index] != 0 {
            self.output();
        }
        if self.line_start {
            self.line_start = false;
            self.line += 1;
            self.line_numbers[self.index] = self.line;
        }
        if cur == 10 {
            self.line_start = true;
        }
        self.update(cur);
    }
}

/// The line hashes of the 1-based `lines` of a file.
pub fn line_hashes(data: &[u8], lines: &[usize]) -> HashMap<usize, String> {
    let mut h = Hasher {
        window: [0; BLOCK],
        line_numbers: [0; BLOCK],
        hash: 0,
        first_mod: (0..BLOCK).fold(1u64, |acc, _| acc.wrapping_mul(MOD)),
        index: 0,
        line: 0,
        line_start: true,
        prev_cr: false,
        counts: HashMap::new(),
        wanted: lines,
        out: HashMap::new(),
    };
    let mut buf = [0u16; 2];
    for c in String::from_utf8_lossy(data).chars() {
        for unit in c.encode_utf16(&mut buf) {
            h.process(u64::from(*unit));
        }
    }
    h.process(EOF);
    for _ in 0..BLOCK {
        if h.line_numbers[h.index] != 0 {
            h.output();
        }
        h.update(0);
    }
    h.out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &str) -> Vec<String> {
        let n = text.split('\n').count() + 1;
        let lines: Vec<usize> = (1..=n).collect();
        let map = line_hashes(text.as_bytes(), &lines);
        let mut keys: Vec<_> = map.keys().copied().collect();
        keys.sort_unstable();
        keys.into_iter().map(|k| map[&k].clone()).collect()
    }

    /// Test vectors from codeql-action's fingerprints.test.ts.
    #[test]
    fn matches_upload_sarif() {
        assert_eq!(all(""), ["c129715d7a2bc9a3:1"]);
        assert_eq!(
            all(" a\nb\n  \t\tc\n d"),
            [
                "271789c17abda88f:1",
                "54703d4cd895b18:1",
                "180aee12dab6264:1",
                "a23a3dc5e078b07b:1"
            ]
        );
        assert_eq!(
            all(" hello; \t\r\nworld!!!\r\n\r\n\r\n  \t\tGreetings\r\n End\r\n"),
            [
                "e9496ae3ebfced30:1",
                "fb7c023a8b9ccb3f:1",
                "ce8ba1a563dcdaca:1",
                "e20e36e16fcb0cc8:1",
                "b3edc88f2938467e:1",
                "c8e28b0b4002a3a0:1",
                "c129715d7a2bc9a3:1"
            ]
        );
        let lorem = all(&"Lorem ipsum dolor sit amet.\n".repeat(10));
        assert_eq!(lorem[0], "a7f2ff13bc495cf2:1");
        assert_eq!(lorem[5], "a7f2ff13bc495cf2:6");
        assert_eq!(lorem[6], "a7f2ff1481e87703:1");
        assert_eq!(lorem[10], "c129715d7a2bc9a3:1");
        assert_eq!(
            all("x = 2\nx = 1\nprint(x)\nx = 3\nprint(x)\nx = 4\nprint(x)\n"),
            [
                "e54938cc54b302f1:1",
                "bb609acbe9138d60:1",
                "1131fd5871777f34:1",
                "5c482a0f8b35ea28:1",
                "54517377da7028d2:1",
                "2c644846cb18d53e:1",
                "f1b89f20de0d133:1",
                "c129715d7a2bc9a3:1"
            ]
        );
    }
}
