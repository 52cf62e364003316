//! Paths with wildcard steps (`e[*]`, `e.*`), which evaluate to a bag.
//!
//! The 0.15 planner does not lower wildcard steps, so the compiler's AST rewrite turns
//! `e s1 s2 …` (where some step is a wildcard) into `path_wildcard(e, 'spec', k1, k2, …)`:
//! the steps up to the first wildcard stay an ordinary path `e`, and `spec` lists the
//! remaining steps, separated by [`SEP`], each a kind character followed by its operand:
//!
//! - `k<name>` / `K<name>`: the field `name`, case-insensitively / case-sensitively;
//! - `#<n>`: the element at index `n` of a list;
//! - `?`: an index computed by the query (the next extra argument): an integer indexes a
//!   list, a string names a field (case-sensitively);
//! - `*`: `[*]`, every element of a collection;
//! - `u`: `.*`, the value of every field of a tuple.
//!
//! The result follows the spec's definition of a wildcard path as `SELECT VALUE` over
//! nested `FROM` items (`x.a[*].b` ≡ `SELECT VALUE v.b FROM x.a AS v`): `[*]` over a
//! value that is not a collection and `.*` over a value that is not a tuple see that value
//! as a singleton in permissive mode and are type errors in strict mode; MISSING feeds no
//! element to either; steps that find nothing give MISSING, kept in the bag as
//! `SELECT VALUE` keeps it.

use super::builtins::arg_type_err;
use super::{FnContext, FnResult};
use crate::error::EvalError;
use crate::value::{lookup_field, Value};
use bumpalo::collections::Vec as BumpVec;

/// Separates the steps of a spec (a control character no field name written in a query
/// path can hold unquoted; quoted names that contain it are passed as `?` steps).
pub const SEP: char = '\u{1f}';

/// `path_wildcard(root, spec, dynamic indexes…)`.
pub fn path_wildcard<'a>(args: &[Value<'a>], cx: &FnContext<'a>) -> FnResult<'a> {
    let root = args.first().copied().unwrap_or(Value::Missing);
    let spec = match args.get(1) {
        Some(Value::Str(s)) => *s,
        Some(other) => return Err(arg_type_err("path_wildcard", 1, "a string", other)),
        None => return Err(EvalError::data("path_wildcard: missing step list")),
    };
    let mut dynamic = args.iter().skip(2);
    let mut current: BumpVec<'a, Value<'a>> = BumpVec::with_capacity_in(1, cx.arena);
    current.push(root);
    for step in spec.split(SEP) {
        let mut chars = step.chars();
        let kind = chars
            .next()
            .ok_or_else(|| EvalError::data("empty path step"))?;
        let operand = chars.as_str();
        let mut next: BumpVec<'a, Value<'a>> = BumpVec::with_capacity_in(current.len(), cx.arena);
        match kind {
            'k' | 'K' => {
                for v in &current {
                    next.push(field(*v, operand, kind == 'K', cx.strict)?);
                }
            }
            '#' => {
                let i: i64 = operand
                    .parse()
                    .map_err(|_| EvalError::data(format!("bad path index `{operand}`")))?;
                for v in &current {
                    next.push(index(*v, i, cx.strict)?);
                }
            }
            '?' => {
                let key = dynamic.next().copied().unwrap_or(Value::Missing);
                for v in &current {
                    next.push(match key {
                        Value::Int(i) => index(*v, i, cx.strict)?,
                        Value::Str(name) => field(*v, name, true, cx.strict)?,
                        _ => Value::Missing,
                    });
                }
            }
            '*' => {
                for v in &current {
                    match v {
                        Value::List(items) | Value::Bag(items) => next.extend_from_slice(items),
                        Value::Missing if !cx.strict => {}
                        other if !cx.strict => next.push(*other),
                        other => {
                            return Err(EvalError::type_err(format!(
                                "[*] needs a collection, got {}",
                                other.type_tag().name()
                            )))
                        }
                    }
                }
            }
            'u' => {
                for v in &current {
                    match v {
                        Value::Tuple(fields) => next.extend(fields.iter().map(|(_, v)| *v)),
                        Value::Missing if !cx.strict => {}
                        other if !cx.strict => next.push(*other),
                        other => {
                            return Err(EvalError::type_err(format!(
                                ".* needs a tuple, got {}",
                                other.type_tag().name()
                            )))
                        }
                    }
                }
            }
            other => return Err(EvalError::data(format!("bad path step kind `{other}`"))),
        }
        current = next;
    }
    Ok(Value::Bag(current.into_bump_slice()))
}

fn field<'a>(v: Value<'a>, name: &str, case_sensitive: bool, strict: bool) -> FnResult<'a> {
    match v {
        Value::Tuple(fields) => Ok(lookup_field(fields, name, case_sensitive)),
        Value::Missing | Value::Null => Ok(Value::Missing),
        other if strict => Err(EvalError::type_err(format!(
            "cannot read field `{name}` of {}",
            other.type_tag().name()
        ))),
        _ => Ok(Value::Missing),
    }
}

fn index<'a>(v: Value<'a>, i: i64, strict: bool) -> FnResult<'a> {
    match v {
        Value::List(items) | Value::Bag(items) => Ok(usize::try_from(i)
            .ok()
            .and_then(|i| items.get(i).copied())
            .unwrap_or(Value::Missing)),
        Value::Missing | Value::Null => Ok(Value::Missing),
        other if strict => Err(EvalError::type_err(format!(
            "cannot index {} with [{i}]",
            other.type_tag().name()
        ))),
        _ => Ok(Value::Missing),
    }
}

#[cfg(test)]
mod tests {
    use super::super::builtins::test_util::call;
    use super::*;
    use bumpalo::Bump;

    fn spec(steps: &[&str]) -> String {
        steps.join(&SEP.to_string())
    }

    fn ints(v: Value<'_>) -> Vec<i64> {
        match v {
            Value::Bag(items) => items
                .iter()
                .map(|v| match v {
                    Value::Int(i) => *i,
                    other => panic!("not an int: {other:?}"),
                })
                .collect(),
            other => panic!("not a bag: {other:?}"),
        }
    }

    #[test]
    fn for_each_then_field() {
        let a = Bump::new();
        let t1 = [("a", Value::Int(1))];
        let t2 = [("A", Value::Int(2))];
        let list = [Value::Tuple(&t1), Value::Tuple(&t2)];
        let s = spec(&["*", "ka"]);
        let r = call(
            &a,
            false,
            "path_wildcard",
            &[Value::List(&list), Value::Str(&s)],
        );
        assert_eq!(ints(r.unwrap()), vec![1, 2]);
        // Case-sensitive lookup finds only one; the other step gives MISSING, kept.
        let s = spec(&["*", "Ka"]);
        let r = call(
            &a,
            false,
            "path_wildcard",
            &[Value::List(&list), Value::Str(&s)],
        )
        .unwrap();
        match r {
            Value::Bag([Value::Int(1), Value::Missing]) => {}
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn unpivot_flattens_nested_tuples() {
        let a = Bump::new();
        let inner = [("e", Value::Int(5)), ("f", Value::Int(6))];
        let outer = [("d", Value::Tuple(&inner))];
        let s = spec(&["u", "u"]);
        let r = call(
            &a,
            false,
            "path_wildcard",
            &[Value::Tuple(&outer), Value::Str(&s)],
        );
        assert_eq!(ints(r.unwrap()), vec![5, 6]);
        // Of the empty tuple: nothing at all.
        let r = call(
            &a,
            false,
            "path_wildcard",
            &[Value::Tuple(&[]), Value::Str(&s)],
        );
        assert_eq!(ints(r.unwrap()), Vec::<i64>::new());
    }

    #[test]
    fn non_collections_are_singletons_only_when_permissive() {
        let a = Bump::new();
        let s = spec(&["*", "*", "u"]);
        let r = call(
            &a,
            false,
            "path_wildcard",
            &[Value::Int(100), Value::Str(&s)],
        );
        assert_eq!(ints(r.unwrap()), vec![100]);
        let r = call(
            &a,
            true,
            "path_wildcard",
            &[Value::Int(100), Value::Str(&s)],
        );
        assert!(r.is_err());
        let s = spec(&["u"]);
        let r = call(
            &a,
            true,
            "path_wildcard",
            &[Value::Str("x"), Value::Str(&s)],
        );
        assert!(r.is_err());
        // MISSING feeds nothing.
        let r = call(
            &a,
            false,
            "path_wildcard",
            &[Value::Missing, Value::Str(&s)],
        );
        assert_eq!(ints(r.unwrap()), Vec::<i64>::new());
    }

    #[test]
    fn indexes_literal_and_dynamic() {
        let a = Bump::new();
        let l1 = [Value::Int(1), Value::Int(2)];
        let l2 = [Value::Int(3), Value::Int(4)];
        let outer = [Value::List(&l1), Value::List(&l2)];
        let s = spec(&["*", "#1"]);
        let r = call(
            &a,
            false,
            "path_wildcard",
            &[Value::List(&outer), Value::Str(&s)],
        );
        assert_eq!(ints(r.unwrap()), vec![2, 4]);
        let s = spec(&["*", "?"]);
        let r = call(
            &a,
            false,
            "path_wildcard",
            &[Value::List(&outer), Value::Str(&s), Value::Int(0)],
        );
        assert_eq!(ints(r.unwrap()), vec![1, 3]);
    }
}
