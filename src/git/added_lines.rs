//! Which lines of a new blob a change adds: a line diff (histogram, as git
//! uses for `--histogram`) between the old and the new content. Findings of
//! a staged or range scan are kept only where they touch an added line, so a
//! secret that was already there is not blamed on the change.

use imara_diff::intern::InternedInput;
use imara_diff::{Algorithm, diff, sources::byte_lines};
use std::ops::Range;

/// Added lines of a blob, as sorted, disjoint 1-based inclusive ranges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddedLines {
    ranges: Vec<(usize, usize)>,
}

impl AddedLines {
    /// Every line: a new file, or a change whose old side is unknown.
    pub fn all() -> AddedLines {
        AddedLines {
            ranges: vec![(1, usize::MAX)],
        }
    }

    /// The lines of `new` that are not in `old` (by a line diff).
    pub fn between(old: &[u8], new: &[u8]) -> AddedLines {
        let input = InternedInput::new(byte_lines(old), byte_lines(new));
        let mut ranges: Vec<(usize, usize)> = Vec::new();
        diff(
            Algorithm::Histogram,
            &input,
            |_before: Range<u32>, after: Range<u32>| {
                if !after.is_empty() {
                    ranges.push((after.start as usize + 1, after.end as usize));
                }
            },
        );
        ranges.sort_unstable();
        AddedLines { ranges }
    }

    /// Lines added relative to every one of several old versions (a merge
    /// adds only what none of its parents had).
    pub fn intersect(&self, other: &AddedLines) -> AddedLines {
        let mut out = Vec::new();
        let (mut i, mut j) = (0, 0);
        while i < self.ranges.len() && j < other.ranges.len() {
            let (a, b) = (self.ranges[i], other.ranges[j]);
            let (s, e) = (a.0.max(b.0), a.1.min(b.1));
            if s <= e {
                out.push((s, e));
            }
            if a.1 < b.1 {
                i += 1;
            } else {
                j += 1;
            }
        }
        AddedLines { ranges: out }
    }

    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// True if any line from `start` to `end` (1-based, inclusive) is added.
    pub fn touches(&self, start: usize, end: usize) -> bool {
        let i = self.ranges.partition_point(|r| r.1 < start);
        self.ranges.get(i).is_some_and(|r| r.0 <= end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_new_lines_are_added() {
        let a = AddedLines::between(b"one\ntwo\nthree\n", b"one\nNEW\ntwo\nthree\nLAST\n");
        assert!(!a.touches(1, 1));
        assert!(a.touches(2, 2));
        assert!(!a.touches(3, 4));
        assert!(a.touches(5, 5));
        assert!(a.touches(4, 5));
    }

    #[test]
    fn a_changed_line_counts_as_added() {
        let a = AddedLines::between(b"k = old\n", b"k = new\n");
        assert!(a.touches(1, 1));
        assert!(AddedLines::between(b"same\n", b"same\n").is_empty());
    }

    #[test]
    fn intersection_keeps_lines_new_to_both() {
        let x = AddedLines {
            ranges: vec![(1, 5), (10, 12)],
        };
        let y = AddedLines {
            ranges: vec![(4, 11)],
        };
        assert_eq!(x.intersect(&y).ranges, vec![(4, 5), (10, 11)]);
        assert_eq!(AddedLines::all().intersect(&x), x);
    }
}
