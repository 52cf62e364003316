//! A pass over the query text, before parsing, for syntax the 0.15 parser does not know:
//!
//! - `INTERVAL '…' qualifier` → `interval_literal('…', 'qualifier')`, the literal checked
//!   here so that a malformed one is a syntax error at its place;
//! - `CAST(x AS INTERVAL qualifier)` → `CAST(x AS "INTERVAL qualifier")`;
//! - `p1 OVERLAPS p2` → `overlaps(p1, p2)`, where a period is a bracketed list or bag,
//!   `(a, b)`, `ROW(a, b)` or a single token (`NULL`, a variable).
//!
//! The pass tokenizes just enough to skip strings, quoted identifiers, Ion literals and
//! comments. It keeps a map of its edits so that error positions point at the original
//! text.

use crate::error::{QueryError, Result};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Word,
    Str,
    Number,
    Punct,
    Other,
}

#[derive(Clone, Copy, Debug)]
struct Token {
    kind: Kind,
    start: usize,
    end: usize,
}

fn tokenize(text: &str) -> Vec<Token> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let start = i;
        let kind = if c.is_ascii_whitespace() {
            i += 1;
            continue;
        } else if c == b'-' && b.get(i + 1) == Some(&b'-') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
            continue;
        } else if c == b'/' && b.get(i + 1) == Some(&b'*') {
            i += 2;
            while i < b.len() && !(b[i] == b'*' && b.get(i + 1) == Some(&b'/')) {
                i += 1;
            }
            i = (i + 2).min(b.len());
            continue;
        } else if c == b'\'' || c == b'"' {
            i += 1;
            loop {
                if i >= b.len() {
                    break;
                }
                if b[i] == c {
                    if b.get(i + 1) == Some(&c) {
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                i += 1;
            }
            if c == b'\'' {
                Kind::Str
            } else {
                Kind::Other
            }
        } else if c == b'`' {
            i += 1;
            while i < b.len() && b[i] != b'`' {
                i += 1;
            }
            i = (i + 1).min(b.len());
            Kind::Other
        } else if c.is_ascii_alphabetic() || c == b'_' || c == b'$' || c >= 0x80 {
            while i < b.len()
                && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'$' || b[i] >= 0x80)
            {
                i += 1;
            }
            Kind::Word
        } else if c.is_ascii_digit() {
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'.') {
                i += 1;
            }
            Kind::Number
        } else {
            i += 1;
            if (c == b'<' || c == b'>') && b.get(i) == Some(&c) {
                i += 1;
            }
            Kind::Punct
        };
        out.push(Token {
            kind,
            start,
            end: i,
        });
    }
    out
}

/// The rewritten text and where its pieces came from.
pub(crate) struct Rewritten {
    pub text: String,
    /// (offset in the new text, offset in the original), in increasing order, one entry
    /// at the start of each edit and one after it.
    map: Vec<(usize, usize)>,
}

impl Rewritten {
    /// The original offset of an offset in the rewritten text.
    pub fn original(&self, at: usize) -> usize {
        match self.map.iter().rev().find(|(new, _)| *new <= at) {
            Some(&(new, old)) => old + (at - new),
            None => at,
        }
    }
}

struct Edit {
    start: usize,
    end: usize,
    with: String,
}

const FIELDS: &[&str] = &["YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND"];

/// Rewrites `text`; `None` when there is nothing to rewrite.
pub(crate) fn rewrite(text: &str) -> Result<Option<Rewritten>> {
    let bracketed = in_lists(text);
    let src = bracketed.as_deref().unwrap_or(text);
    // The IN pass keeps every offset, so the later edits' map holds for both.
    Ok(match rewrite_calls(src)? {
        Some(r) => Some(r),
        None => bracketed.map(|text| Rewritten {
            text,
            map: Vec::new(),
        }),
    })
}

/// `x IN (e)` → `x IN [e]`: the parser drops the parentheses of a single value, but on
/// the right of IN they make a one-element list (`x IN (5)`, `x IN (list)`). Lists with
/// commas and subqueries are left as they are. Same length as `text`.
fn in_lists(text: &str) -> Option<String> {
    if !text.to_ascii_uppercase().contains("IN") {
        return None;
    }
    let toks = tokenize(text);
    let is = |i: usize, p: &str| {
        toks.get(i)
            .is_some_and(|t| t.kind == Kind::Punct && &text[t.start..t.end] == p)
    };
    let mut out: Option<Vec<u8>> = None;
    for i in 0..toks.len() {
        let t = &toks[i];
        if !(t.kind == Kind::Word
            && text[t.start..t.end].eq_ignore_ascii_case("IN")
            && is(i + 1, "("))
        {
            continue;
        }
        let starts_query = toks.get(i + 2).is_some_and(|t| {
            t.kind == Kind::Word
                && ["SELECT", "VALUES", "WITH", "TABLE", "PIVOT"]
                    .iter()
                    .any(|k| text[t.start..t.end].eq_ignore_ascii_case(k))
        });
        if starts_query || is(i + 2, "(") {
            continue;
        }
        let mut depth = 0usize;
        let mut close = None;
        for (j, u) in toks.iter().enumerate().skip(i + 1) {
            if u.kind != Kind::Punct {
                continue;
            }
            match &text[u.start..u.end] {
                "(" | "[" | "{" | "<<" => depth += 1,
                ")" | "]" | "}" | ">>" => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        close = Some(j);
                        break;
                    }
                }
                "," if depth == 1 => break,
                _ => {}
            }
        }
        if let Some(j) = close {
            let bytes = out.get_or_insert_with(|| text.as_bytes().to_vec());
            bytes[toks[i + 1].start] = b'[';
            bytes[toks[j].start] = b']';
        }
    }
    // Only ASCII parentheses were replaced by ASCII brackets: still UTF-8.
    out.and_then(|b| String::from_utf8(b).ok())
}

/// The INTERVAL and OVERLAPS rewrites.
fn rewrite_calls(text: &str) -> Result<Option<Rewritten>> {
    let upper = text.to_ascii_uppercase();
    if !upper.contains("INTERVAL") && !upper.contains("OVERLAPS") {
        return Ok(None);
    }
    let toks = tokenize(text);
    let word = |i: usize| -> Option<String> {
        let t = toks.get(i)?;
        (t.kind == Kind::Word).then(|| text[t.start..t.end].to_ascii_uppercase())
    };
    let punct = |i: usize, p: &str| {
        toks.get(i)
            .is_some_and(|t| t.kind == Kind::Punct && &text[t.start..t.end] == p)
    };
    let mut edits: Vec<Edit> = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        if word(i).as_deref() == Some("INTERVAL") {
            let has_text = toks.get(i + 1).is_some_and(|t| t.kind == Kind::Str);
            let q_at = if has_text { i + 2 } else { i + 1 };
            if let Some((qualifier, next)) = qualifier_at(text, &toks, q_at, &word, &punct) {
                let end = toks[next - 1].end;
                if has_text {
                    let s = &toks[i + 1];
                    let raw = &text[s.start + 1..s.end - 1];
                    let literal = raw.replace("''", "'");
                    if let Err(message) =
                        crate::functions::interval::parse_literal(&literal, &qualifier)
                    {
                        return Err(QueryError::Syntax {
                            message,
                            location: super::front::location_of(text, toks[i].start, end),
                        });
                    }
                    edits.push(Edit {
                        start: toks[i].start,
                        end,
                        with: format!("interval_literal('{raw}', '{qualifier}')"),
                    });
                } else if i > 0 && word(i - 1).as_deref() == Some("AS") {
                    edits.push(Edit {
                        start: toks[i].start,
                        end,
                        with: format!("\"INTERVAL {qualifier}\""),
                    });
                }
                i = next;
                continue;
            }
        }
        if word(i).as_deref() == Some("OVERLAPS") && i > 0 {
            if let (Some((ls, le)), Some((rs, re))) = (
                operand_before(&toks, text, i),
                operand_after(&toks, text, i),
            ) {
                let l = period_text(text, &toks, ls, le);
                let r = period_text(text, &toks, rs, re);
                // An edit inside the left operand (an INTERVAL literal) is folded in.
                let start = toks[ls].start;
                let inner: Vec<Edit> = edits
                    .iter()
                    .filter(|e| e.start >= start)
                    .map(|e| Edit {
                        start: e.start,
                        end: e.end,
                        with: e.with.clone(),
                    })
                    .collect();
                edits.retain(|e| e.start < start);
                let apply = |s: usize, e: usize, body: String| -> String {
                    // Re-apply INTERVAL edits that fall in [s, e).
                    let mut out = body;
                    for ed in inner.iter().rev() {
                        if ed.start >= s && ed.end <= e {
                            let (a, b) = (ed.start - s, ed.end - s);
                            if out.is_char_boundary(a) && out.is_char_boundary(b) {
                                out.replace_range(a..b, &ed.with);
                            }
                        }
                    }
                    out
                };
                let l_from = toks[le].end - l.0.len();
                let l = wrap_period(apply(l_from, toks[le].end, l.0), l.1);
                // The right operand's INTERVAL literals come later in the scan; rewrite
                // them in its text directly.
                let right_text = rewrite(&r.0)?.map_or(r.0.clone(), |rw| rw.text);
                let r = wrap_period(right_text, r.1);
                edits.push(Edit {
                    start,
                    end: toks[re].end,
                    with: format!("overlaps({l}, {r})"),
                });
                i = re + 1;
                continue;
            }
        }
        i += 1;
    }
    if edits.is_empty() {
        return Ok(None);
    }
    let mut out = String::with_capacity(text.len() + 32);
    let mut map = Vec::new();
    let mut at = 0;
    for e in &edits {
        out.push_str(&text[at..e.start]);
        map.push((out.len(), e.start));
        out.push_str(&e.with);
        map.push((out.len(), e.end));
        at = e.end;
    }
    out.push_str(&text[at..]);
    Ok(Some(Rewritten { text: out, map }))
}

/// An interval qualifier starting at token `i`: its normalized text and the token after.
fn qualifier_at(
    text: &str,
    toks: &[Token],
    mut i: usize,
    word: &dyn Fn(usize) -> Option<String>,
    punct: &dyn Fn(usize, &str) -> bool,
) -> Option<(String, usize)> {
    let mut out = String::new();
    let field = |i: &mut usize, out: &mut String| -> Option<()> {
        let w = word(*i)?;
        if !FIELDS.contains(&w.as_str()) {
            return None;
        }
        out.push_str(&w);
        *i += 1;
        if punct(*i, "(") {
            let mut args = Vec::new();
            *i += 1;
            loop {
                let t = toks.get(*i)?;
                if t.kind != Kind::Number {
                    return None;
                }
                args.push(&text[t.start..t.end]);
                *i += 1;
                if punct(*i, ",") {
                    *i += 1;
                    continue;
                }
                if punct(*i, ")") {
                    *i += 1;
                    break;
                }
                return None;
            }
            out.push_str(&format!("({})", args.join(",")));
        }
        Some(())
    };
    field(&mut i, &mut out)?;
    if word(i).as_deref() == Some("TO") {
        let mut j = i + 1;
        let mut tail = String::new();
        if field(&mut j, &mut tail).is_some() {
            out.push_str(" TO ");
            out.push_str(&tail);
            i = j;
        }
    }
    Some((out, i))
}

fn tok_text<'t>(text: &'t str, t: &Token) -> &'t str {
    &text[t.start..t.end]
}

fn closer(open: &str) -> Option<&'static str> {
    Some(match open {
        "(" => ")",
        "[" => "]",
        "<<" => ">>",
        _ => return None,
    })
}

/// The token range of the operand ending just before token `i`.
fn operand_before(toks: &[Token], text: &str, i: usize) -> Option<(usize, usize)> {
    let last = i.checked_sub(1)?;
    let t = &toks[last];
    let close = tok_text(text, t);
    let open = match close {
        ")" => "(",
        "]" => "[",
        ">>" => "<<",
        _ => {
            return (t.kind == Kind::Word || t.kind == Kind::Number).then_some((last, last));
        }
    };
    let mut depth = 0usize;
    let mut j = last;
    loop {
        let s = tok_text(text, &toks[j]);
        if toks[j].kind == Kind::Punct && s == close {
            depth += 1;
        } else if toks[j].kind == Kind::Punct && s == open {
            depth -= 1;
            if depth == 0 {
                break;
            }
        }
        j = j.checked_sub(1)?;
    }
    // `ROW(…)`.
    if open == "(" && j > 0 && tok_text(text, &toks[j - 1]).eq_ignore_ascii_case("ROW") {
        j -= 1;
    }
    Some((j, last))
}

/// The token range of the operand starting just after token `i`.
fn operand_after(toks: &[Token], text: &str, i: usize) -> Option<(usize, usize)> {
    let mut j = i + 1;
    let first = j;
    if toks.get(j).is_some_and(|t| {
        t.kind == Kind::Word
            && tok_text(text, t).eq_ignore_ascii_case("ROW")
            && toks.get(j + 1).is_some_and(|n| tok_text(text, n) == "(")
    }) {
        j += 1;
    }
    let t = toks.get(j)?;
    let open = tok_text(text, t);
    let Some(close) = closer(open).filter(|_| t.kind == Kind::Punct) else {
        return (t.kind == Kind::Word || t.kind == Kind::Number).then_some((first, j));
    };
    let mut depth = 0usize;
    let mut k = j;
    while k < toks.len() {
        let s = tok_text(text, &toks[k]);
        if toks[k].kind == Kind::Punct && s == open {
            depth += 1;
        } else if toks[k].kind == Kind::Punct && s == close {
            depth -= 1;
            if depth == 0 {
                return Some((first, k));
            }
        }
        k += 1;
    }
    None
}

/// An operand's text and whether it is a parenthesized or `ROW` pair that must become a
/// list.
fn period_text(text: &str, toks: &[Token], s: usize, e: usize) -> (String, bool) {
    let first = tok_text(text, &toks[s]);
    let is_row = first.eq_ignore_ascii_case("ROW");
    let is_paren = first == "(";
    let from = if is_row {
        toks[s + 1].start
    } else {
        toks[s].start
    };
    (text[from..toks[e].end].to_string(), is_row || is_paren)
}

fn wrap_period(t: String, paren: bool) -> String {
    if paren && t.starts_with('(') && t.ends_with(')') {
        format!("[{}]", &t[1..t.len() - 1])
    } else {
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rw(s: &str) -> String {
        rewrite(s)
            .unwrap()
            .map_or_else(|| s.to_string(), |r| r.text)
    }

    #[test]
    fn interval_literals_become_calls() {
        assert_eq!(
            rw("INTERVAL '1 2:3' day(3) TO minute + 1"),
            "interval_literal('1 2:3', 'DAY(3) TO MINUTE') + 1"
        );
        assert_eq!(
            rw("CAST(x AS INTERVAL SECOND(3, 3))"),
            "CAST(x AS \"INTERVAL SECOND(3,3)\")"
        );
        // Strings and quoted names are left alone.
        assert_eq!(rw("'INTERVAL ''1'' DAY'"), "'INTERVAL ''1'' DAY'");
        assert!(matches!(
            rewrite("SELECT INTERVAL '100' DAY FROM t"),
            Err(QueryError::Syntax { location, .. }) if location.column == 8
        ));
    }

    #[test]
    fn a_single_value_in_parentheses_after_in_is_a_list() {
        assert_eq!(rw("x IN (5)"), "x IN [5]");
        assert_eq!(rw("x NOT IN (prices)"), "x NOT IN [prices]");
        assert_eq!(rw("x IN (f(1, 2))"), "x IN [f(1, 2)]");
        // Lists, subqueries and strings stay.
        assert_eq!(rw("x IN (1, 2)"), "x IN (1, 2)");
        assert_eq!(
            rw("x IN (SELECT VALUE y FROM t)"),
            "x IN (SELECT VALUE y FROM t)"
        );
        assert_eq!(rw("'x IN (5)'"), "'x IN (5)'");
        assert_eq!(rw("inside(5)"), "inside(5)");
    }

    #[test]
    fn overlaps_becomes_a_call() {
        assert_eq!(
            rw("[a, b] OVERLAPS <<c, INTERVAL '1' DAY>>"),
            "overlaps([a, b], <<c, interval_literal('1', 'DAY')>>)"
        );
        assert_eq!(rw("ROW(a, b) OVERLAPS (c, d)"), "overlaps([a, b], [c, d])");
        assert_eq!(
            rw("[INTERVAL '1' DAY, b] OVERLAPS NULL"),
            "overlaps([interval_literal('1', 'DAY'), b], NULL)"
        );
        assert_eq!(rw("x OVERLAPS"), "x OVERLAPS");
    }

    #[test]
    fn positions_map_back_to_the_original() {
        let r = rewrite("INTERVAL '1' DAY + x").unwrap().unwrap();
        let at = r.text.find('x').unwrap();
        assert_eq!(r.original(at), 19);
    }
}
