//! SQL `LIKE`: `%` matches any sequence of characters, `_` any one character, and the
//! escape character makes the next `%`, `_` or escape character literal. Matching is by
//! Unicode code point and case-sensitive.
//!
//! [`LikePattern::compile`] parses a pattern once; [`LikePattern::matches`] then runs
//! without allocating.

use crate::error::EvalError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tok {
    Char(char),
    /// `_`
    One,
    /// `%` (consecutive ones are merged)
    Many,
}

/// A compiled LIKE pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LikePattern {
    toks: Vec<Tok>,
}

impl LikePattern {
    /// Parses `pattern`. An escape character at the end of the pattern, or followed by a
    /// character other than `%`, `_` or itself, is an error.
    pub fn compile(pattern: &str, escape: Option<char>) -> Result<LikePattern, EvalError> {
        let mut toks = Vec::with_capacity(pattern.len());
        let mut chars = pattern.chars();
        while let Some(c) = chars.next() {
            if Some(c) == escape {
                match chars.next() {
                    Some(n) if n == '%' || n == '_' || Some(n) == escape => toks.push(Tok::Char(n)),
                    Some(n) => {
                        return Err(EvalError::data(format!(
                            "LIKE pattern `{pattern}`: escape character `{c}` must be followed by `%`, `_` or `{c}`, not `{n}`"
                        )))
                    }
                    None => {
                        return Err(EvalError::data(format!(
                            "LIKE pattern `{pattern}` ends with the escape character `{c}`"
                        )))
                    }
                }
            } else if c == '%' {
                if toks.last() != Some(&Tok::Many) {
                    toks.push(Tok::Many);
                }
            } else if c == '_' {
                toks.push(Tok::One);
            } else {
                toks.push(Tok::Char(c));
            }
        }
        Ok(LikePattern { toks })
    }

    /// Whether `text` matches the whole pattern.
    pub fn matches(&self, text: &str) -> bool {
        let p = &self.toks;
        let t = text;
        let (mut ti, mut pi) = (0usize, 0usize);
        // Backtrack point: the position after the last `%` and where its match ends.
        let mut star: Option<(usize, usize)> = None;
        while ti < t.len() {
            let c = next_char(t, ti);
            let step = match p.get(pi) {
                Some(Tok::Char(pc)) => c.map(|(ch, _)| ch == *pc).unwrap_or(false),
                Some(Tok::One) => true,
                _ => false,
            };
            if step {
                ti += c.map_or(1, |(_, l)| l);
                pi += 1;
            } else if p.get(pi) == Some(&Tok::Many) {
                pi += 1;
                star = Some((pi, ti));
            } else if let Some((sp, st)) = star {
                let l = next_char(t, st).map_or(1, |(_, l)| l);
                let st = st + l;
                star = Some((sp, st));
                pi = sp;
                ti = st;
            } else {
                return false;
            }
        }
        while p.get(pi) == Some(&Tok::Many) {
            pi += 1;
        }
        pi == p.len()
    }
}

/// The character at byte `i` of `s` and its length in bytes.
#[inline]
fn next_char(s: &str, i: usize) -> Option<(char, usize)> {
    s.get(i..)?.chars().next().map(|c| (c, c.len_utf8()))
}

/// `text LIKE pattern ESCAPE escape`, compiling the pattern each time.
pub fn like_match(text: &str, pattern: &str, escape: Option<char>) -> Result<bool, EvalError> {
    Ok(LikePattern::compile(pattern, escape)?.matches(text))
}

/// The escape character of an `ESCAPE` string: exactly one character.
pub fn escape_char(s: &str) -> Result<char, EvalError> {
    let mut it = s.chars();
    match (it.next(), it.next()) {
        (Some(c), None) => Ok(c),
        _ => Err(EvalError::data(format!(
            "LIKE escape must be a single character, got `{s}`"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(t: &str, p: &str) -> bool {
        like_match(t, p, None).unwrap()
    }

    fn me(t: &str, p: &str, e: char) -> bool {
        like_match(t, p, Some(e)).unwrap()
    }

    #[test]
    fn basics() {
        assert!(m("", "%"));
        assert!(m("", ""));
        assert!(!m("", "_"));
        assert!(!m("S1", ""));
        assert!(m("_", "_"));
        assert!(m("%", "_"));
        assert!(m("\\", "\\"));
        assert!(m("ABC", "_BC"));
        assert!(m("ABC", "%%%%"));
        assert!(m("AAaBBbCCc", "A%B%c"));
        assert!(m("AAaBBbCCc", "A%Aa%c"));
        assert!(m("AAaBBbCCc", "%__b%C_%"));
        assert!(m("ABC", "_%%B%%%_"));
        assert!(!m("A", "a"));
        assert!(!m("ABC", "AB_C"));
        assert!(!m("ABC", "B%C"));
        assert!(!m("AAaBBbCCc", "A%%%X%%%%c"));
        assert!(m("😁x😞", "_x_"));
        assert!(m("héllo wörld", "h_llo%ö%"));
        assert!(!m("abc", "abcd%"));
    }

    #[test]
    fn escapes() {
        assert!(me("_", "[_", '['));
        assert!(me("100%", "1%[%", '['));
        assert!(me("11%22%33%", "1_[%2%[%3_[%", '['));
        assert!(me("1_000_000%", "%[_0%0[_000[%", '['));
        assert!(!me("_", "[_[_", '['));
        assert!(!me("100%", "1%_[%1", '['));
        assert!(me("a[b", "a[[b", '['));
        assert!(like_match("x", "x[", Some('[')).is_err());
        assert!(like_match("x", "[x", Some('[')).is_err());
        assert!(escape_char("ab").is_err());
        assert_eq!(escape_char("/").unwrap(), '/');
    }

    #[test]
    fn compiled_many_times() {
        let p = LikePattern::compile("abc/%", Some('/')).unwrap();
        assert!(p.matches("abc%"));
        assert!(!p.matches("abcd"));
        let p = LikePattern::compile("abc%", None).unwrap();
        assert!(p.matches("abcd"));
        assert!(!p.matches("ab"));
    }
}
