//! Finding every keyword occurrence in a blob: the one pass over all bytes
//! that every scan pays, so it is tuned.
//!
//! aho-corasick builds the automaton (ASCII case-insensitive, overlapping
//! matches). For large scans its DFA is copied into a flat table of our own
//! whose match states are numbered first, so one comparison tells whether a
//! step needs attention, and the blob is walked as several interleaved
//! streams: a DFA step is a load whose address depends on the previous one,
//! so a single stream waits on memory while several keep the CPU busy.
//! Streams overlap by the longest keyword so that no occurrence across a
//! boundary is lost, and each reports only the matches ending in its own
//! stretch.

use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::nfa::contiguous;
use aho_corasick::{Anchored, MatchKind, dfa};

/// Number of interleaved streams (the scan loop is written out for four).
pub const STREAMS: usize = 4;
/// Below this size a blob is walked as one stream.
const MIN_SPLIT: usize = 1024;

pub enum KeywordScanner {
    /// Fast to scan; some milliseconds to build.
    Table(Table),
    /// Fast to build; slower to scan. For a handful of small files.
    Nfa(contiguous::NFA),
}

/// Callback for one keyword occurrence: `(pattern, start, end, stream)`.
pub type Hit<'a> = dyn FnMut(usize, usize, usize, usize) + 'a;

impl KeywordScanner {
    pub fn new(
        keywords: &[String],
        quick_start: bool,
    ) -> Result<KeywordScanner, aho_corasick::BuildError> {
        if quick_start {
            let nfa = contiguous::NFA::builder()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .build(keywords)?;
            Ok(KeywordScanner::Nfa(nfa))
        } else {
            let dfa = dfa::DFA::builder()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .prefilter(false)
                .build(keywords)?;
            Ok(KeywordScanner::Table(Table::from_automaton(&dfa, keywords)))
        }
    }

    /// Calls `hit(pattern, start, end, stream)` for every occurrence of every
    /// keyword, overlapping ones included. Within one `stream` (`0..STREAMS`)
    /// hits come in order of their end; streams interleave.
    pub fn for_each(&self, data: &[u8], hit: &mut Hit<'_>) {
        match self {
            KeywordScanner::Table(t) => t.scan(data, hit),
            KeywordScanner::Nfa(n) => scan_automaton(n, data, hit),
        }
    }
}

fn scan_automaton<A: Automaton>(a: &A, data: &[u8], hit: &mut Hit<'_>) {
    let Ok(mut sid) = a.start_state(Anchored::No) else {
        return;
    };
    for (i, &b) in data.iter().enumerate() {
        sid = a.next_state(Anchored::No, sid, b);
        if a.is_special(sid) && a.is_match(sid) {
            for m in 0..a.match_len(sid) {
                let pid = a.match_pattern(sid, m);
                hit(pid.as_usize(), i + 1 - a.pattern_len(pid), i + 1, 0);
            }
        }
    }
}

/// A DFA as a flat transition table. State ids are premultiplied by the
/// number of byte classes; ids below `match_limit` are match states.
pub struct Table {
    trans: Vec<u32>,
    classes: [u8; 256],
    stride: usize,
    match_limit: u32,
    start: u32,
    /// Per match state (id / stride): the keywords that end there.
    matches: Vec<Vec<(u32, u32)>>,
    max_pattern_len: usize,
}

impl Table {
    fn from_automaton<A: Automaton>(a: &A, keywords: &[String]) -> Table {
        let Ok(start) = a.start_state(Anchored::No) else {
            return Table::empty();
        };
        // Byte classes from the keywords: with ASCII case folding, a letter and
        // its other case behave alike, each other keyword byte is its own
        // class, and every byte found in no keyword behaves like every other.
        let mut classes = [0u8; 256];
        let mut stride = 1usize;
        for kw in keywords {
            for &b in kw.as_bytes() {
                let lower = b.to_ascii_lowercase();
                if classes[lower as usize] == 0 && stride < 255 {
                    classes[lower as usize] = stride as u8;
                    classes[lower.to_ascii_uppercase() as usize] = stride as u8;
                    stride += 1;
                }
            }
        }
        let mut representative = vec![0u8; stride];
        let mut seen = vec![false; stride];
        for b in 0..=255u8 {
            let c = classes[b as usize] as usize;
            if !seen[c] {
                seen[c] = true;
                representative[c] = b;
            }
        }

        // Every reachable state, breadth first. aho-corasick's state ids are
        // small integers, so a vector maps them to our indices.
        let mut index_of: Vec<u32> = Vec::new();
        let mut lookup = |sid: StateID, states: &mut Vec<StateID>| -> u32 {
            let k = sid.as_usize();
            if k >= index_of.len() {
                index_of.resize(k + 1, u32::MAX);
            }
            if index_of[k] == u32::MAX {
                index_of[k] = states.len() as u32;
                states.push(sid);
            }
            index_of[k]
        };
        let mut states: Vec<StateID> = Vec::new();
        lookup(start, &mut states);
        let mut next: Vec<u32> = Vec::new();
        let mut i = 0;
        while i < states.len() {
            let s = states[i];
            for &b in &representative {
                let n = a.next_state(Anchored::No, s, b);
                next.push(lookup(n, &mut states));
            }
            i += 1;
        }

        // Match states first, so that `id < match_limit` means "has matches".
        let mut order: Vec<usize> = (0..states.len()).collect();
        order.sort_by_key(|&k| !a.is_match(states[k]));
        let mut new_index = vec![0usize; states.len()];
        for (new, &old) in order.iter().enumerate() {
            new_index[old] = new;
        }
        let match_count = states.iter().filter(|&&s| a.is_match(s)).count();

        let mut trans = vec![0u32; states.len() * stride];
        let mut matches = vec![Vec::new(); match_count];
        for (old, &s) in states.iter().enumerate() {
            let row = new_index[old] * stride;
            for c in 0..stride {
                trans[row + c] = (new_index[next[old * stride + c] as usize] * stride) as u32;
            }
            if a.is_match(s) {
                matches[new_index[old]] = (0..a.match_len(s))
                    .map(|m| {
                        let pid = a.match_pattern(s, m);
                        (pid.as_u32(), a.pattern_len(pid) as u32)
                    })
                    .collect();
            }
        }
        Table {
            trans,
            classes,
            stride,
            match_limit: (match_count * stride) as u32,
            start: (new_index[0] * stride) as u32,
            matches,
            max_pattern_len: a.max_pattern_len(),
        }
    }

    fn empty() -> Table {
        Table {
            trans: vec![0; 1],
            classes: [0; 256],
            stride: 1,
            match_limit: 0,
            start: 0,
            matches: Vec::new(),
            max_pattern_len: 0,
        }
    }

    #[inline]
    fn report(&self, s: u32, end: usize, stream: usize, hit: &mut Hit<'_>) {
        for &(pid, len) in &self.matches[s as usize / self.stride] {
            hit(pid as usize, end - len as usize, end, stream);
        }
    }

    fn scan(&self, data: &[u8], hit: &mut Hit<'_>) {
        // Locals, so that the hot loops keep them in registers.
        let trans: &[u32] = &self.trans;
        let classes: &[u8; 256] = &self.classes;
        let limit = self.match_limit;
        let step = |s: u32, b: u8| trans[s as usize + classes[b as usize] as usize];

        let n = data.len();
        if n < MIN_SPLIT {
            let mut s = self.start;
            for (i, &b) in data.iter().enumerate() {
                s = step(s, b);
                if s < limit {
                    self.report(s, i + 1, 0, hit);
                }
            }
            return;
        }
        let lead = self.max_pattern_len.saturating_sub(1);
        let chunk = n / STREAMS;
        // Stream k owns matches ending in (own[k], bound[k]] and starts
        // reading `lead` bytes early so that a keyword crossing own[k] is seen.
        let own: [usize; STREAMS] = std::array::from_fn(|k| k * chunk);
        let bound: [usize; STREAMS] =
            std::array::from_fn(|k| if k + 1 == STREAMS { n } else { (k + 1) * chunk });
        let begin: [usize; STREAMS] = std::array::from_fn(|k| own[k].saturating_sub(lead));
        let steps = (0..STREAMS).map(|k| bound[k] - begin[k]).min().unwrap_or(0);
        let (l0, l1, l2, l3) = (
            &data[begin[0]..begin[0] + steps],
            &data[begin[1]..begin[1] + steps],
            &data[begin[2]..begin[2] + steps],
            &data[begin[3]..begin[3] + steps],
        );
        let (mut s0, mut s1, mut s2, mut s3) = (self.start, self.start, self.start, self.start);
        for i in 0..steps {
            s0 = step(s0, l0[i]);
            s1 = step(s1, l1[i]);
            s2 = step(s2, l2[i]);
            s3 = step(s3, l3[i]);
            if s0.min(s1).min(s2.min(s3)) < limit {
                for (k, s) in [s0, s1, s2, s3].into_iter().enumerate() {
                    let end = begin[k] + i + 1;
                    if s < limit && end > own[k] {
                        self.report(s, end, k, hit);
                    }
                }
            }
        }
        // Finish each stream alone, from where it stopped.
        for (k, mut s) in [s0, s1, s2, s3].into_iter().enumerate() {
            let from = begin[k] + steps;
            for (i, &b) in data[from..bound[k]].iter().enumerate() {
                s = step(s, b);
                let end = from + i + 1;
                if s < limit && end > own[k] {
                    self.report(s, end, k, hit);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hits(scanner: &KeywordScanner, data: &[u8]) -> Vec<(usize, usize, usize)> {
        let mut v = Vec::new();
        scanner.for_each(data, &mut |p, s, e, _| v.push((p, s, e)));
        v.sort_unstable();
        v
    }

    #[test]
    fn table_scan_finds_exactly_what_the_nfa_finds() {
        let kws: Vec<String> = ["sk_live_", "live_", "ghp_", "password", "pass", "aaaa"]
            .map(String::from)
            .to_vec();
        let table = KeywordScanner::new(&kws, false).unwrap();
        let nfa = KeywordScanner::new(&kws, true).unwrap();
        // A large blob with keywords at stream boundaries, overlapping, any case.
        let mut data = vec![b'.'; 200_003];
        for &at in &[0usize, 49_998, 50_000, 100_000 - 3, 150_000 - 1, 199_995] {
            let kw = b"sk_LIVE_password";
            let end = (at + kw.len()).min(data.len());
            data[at..end].copy_from_slice(&kw[..end - at]);
        }
        data[120_000..120_010].copy_from_slice(b"aaaaaaaaaa");
        let expected = hits(&nfa, &data);
        assert!(expected.len() > 20, "{}", expected.len());
        assert_eq!(hits(&table, &data), expected);
        // Just over the split size: streams of a few hundred bytes.
        let mut small = vec![b' '; 1500];
        for &at in &[370usize, 373, 748, 1120, 1490] {
            let end = (at + 8).min(small.len());
            small[at..end].copy_from_slice(&b"PassWord"[..end - at]);
        }
        assert_eq!(hits(&table, &small), hits(&nfa, &small));
        assert!(hits(&nfa, &small).len() >= 8);
        // Small input takes the single-stream path.
        assert_eq!(hits(&table, b"x ghp_ PASS"), hits(&nfa, b"x ghp_ PASS"));
        assert!(hits(&table, b"nothing here").is_empty());
    }
}
