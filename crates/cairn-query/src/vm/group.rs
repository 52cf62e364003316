//! Hash aggregation: GROUP BY with aggregates and GROUP AS.

use super::arith;
use super::eval::{eval, Ctx};
use super::hash::hash_key;
use super::ops::{next, Cursor};
use crate::error::{EvalError, QueryError};
use crate::plan::{AggFunc, AggSpec, Op, ProgId, Reg};
use crate::value::{total_cmp, Value};
use bumpalo::collections::Vec as BumpVec;
use rust_decimal::Decimal;
use std::cmp::Ordering;

/// The running state of one aggregate in one group.
#[derive(Clone)]
struct Acc<'a> {
    count: i64,
    value: Value<'a>,
    seen: Vec<Value<'a>>,
}

struct Group<'a> {
    keys: Vec<Value<'a>>,
    accs: Vec<Acc<'a>>,
    members: Vec<Value<'a>>,
}

fn update<'a>(
    spec: &AggSpec,
    acc: &mut Acc<'a>,
    v: Value<'a>,
    cx: &Ctx<'_, 'a>,
) -> Result<(), EvalError> {
    if spec.func == AggFunc::CountStar {
        acc.count += 1;
        return Ok(());
    }
    if v.is_absent() {
        return Ok(());
    }
    if spec.distinct {
        if acc.seen.iter().any(|x| total_cmp(x, &v) == Ordering::Equal) {
            return Ok(());
        }
        acc.seen.push(v);
    }
    acc.count += 1;
    acc.value = match spec.func {
        AggFunc::Count | AggFunc::CountStar => acc.value,
        AggFunc::Sum | AggFunc::Avg => {
            if !v.is_number() {
                return Err(EvalError::type_err(format!(
                    "SUM/AVG expect numbers, got {}",
                    v.type_tag().name()
                )));
            }
            if acc.count == 1 {
                v
            } else {
                arith::arith(crate::plan::BinaryOp::Add, acc.value, v, cx.arena)?
            }
        }
        AggFunc::Min | AggFunc::Max => {
            if acc.count == 1 {
                v
            } else {
                let o = total_cmp(&v, &acc.value);
                let better = if spec.func == AggFunc::Min {
                    o == Ordering::Less
                } else {
                    o == Ordering::Greater
                };
                if better {
                    v
                } else {
                    acc.value
                }
            }
        }
        AggFunc::Any | AggFunc::Every => {
            let Value::Bool(b) = v else {
                return Err(EvalError::type_err(format!(
                    "ANY/EVERY expect booleans, got {}",
                    v.type_tag().name()
                )));
            };
            if acc.count == 1 {
                Value::Bool(b)
            } else if spec.func == AggFunc::Any {
                Value::Bool(matches!(acc.value, Value::Bool(true)) || b)
            } else {
                Value::Bool(matches!(acc.value, Value::Bool(true)) && b)
            }
        }
    };
    Ok(())
}

fn finish<'a>(spec: &AggSpec, acc: &Acc<'a>, cx: &Ctx<'_, 'a>) -> Result<Value<'a>, EvalError> {
    Ok(match spec.func {
        AggFunc::Count | AggFunc::CountStar => Value::Int(acc.count),
        _ if acc.count == 0 => Value::Null,
        AggFunc::Avg => match acc.value {
            Value::Float(f) => Value::Float(f / acc.count as f64),
            v => {
                let n = Value::Decimal(Decimal::from(acc.count));
                let sum = match v {
                    Value::Int(i) => Value::Decimal(Decimal::from(i)),
                    other => other,
                };
                arith::arith(crate::plan::BinaryOp::Div, sum, n, cx.arena)?
            }
        },
        _ => acc.value,
    })
}

/// No group: the end of a chain in [`GroupIndex`].
const NONE: u32 = u32::MAX;

/// The groups by key hash: chains through the groups, one head per bucket. Buckets
/// double when there are more groups than buckets, so chains stay short; nothing is
/// allocated per row.
struct GroupIndex {
    heads: Vec<u32>,
    /// Per group: its key hash, and the next group of its bucket.
    links: Vec<(u64, u32)>,
}

impl GroupIndex {
    fn new() -> Self {
        GroupIndex {
            heads: vec![NONE; 16],
            links: Vec::new(),
        }
    }

    #[inline]
    fn bucket(&self, hash: u64) -> usize {
        (hash as usize) & (self.heads.len() - 1)
    }

    /// The group whose keys `same` accepts among those of hash `hash`.
    #[inline]
    fn find(&self, hash: u64, mut same: impl FnMut(usize) -> bool) -> Option<usize> {
        let mut at = self.heads[self.bucket(hash)];
        while at != NONE {
            let (h, next) = self.links[at as usize];
            if h == hash && same(at as usize) {
                return Some(at as usize);
            }
            at = next;
        }
        None
    }

    /// Records group number `self.links.len()` under `hash`.
    fn insert(&mut self, hash: u64) -> Result<(), EvalError> {
        let g = u32::try_from(self.links.len())
            .ok()
            .filter(|&g| g != NONE)
            .ok_or_else(|| EvalError::Fatal("too many groups".into()))?;
        let b = self.bucket(hash);
        self.links.push((hash, self.heads[b]));
        self.heads[b] = g;
        if self.links.len() > self.heads.len() {
            let n = self.heads.len() * 2;
            self.heads.clear();
            self.heads.resize(n, NONE);
            for i in 0..self.links.len() {
                let b = self.bucket(self.links[i].0);
                self.links[i].1 = self.heads[b];
                self.heads[b] = i as u32;
            }
        }
        Ok(())
    }
}

/// Whether two group keys are the same group: equal under `total_cmp`, with the
/// common case of integers compared inline.
#[inline]
fn same_keys(a: &[Value<'_>], b: &[Value<'_>]) -> bool {
    a.iter().zip(b).all(|(x, y)| match (x, y) {
        (Value::Int(x), Value::Int(y)) => x == y,
        _ => total_cmp(x, y) == Ordering::Equal,
    })
}

/// The value of a program, read straight from its register when it has no code (a
/// plain slot, after copy propagation).
#[inline]
fn value_of<'a>(
    p: ProgId,
    regs: &mut [Value<'a>],
    cx: &Ctx<'_, 'a>,
) -> Result<Value<'a>, EvalError> {
    let prog = cx.plan.program(p);
    if prog.code.is_empty() {
        Ok(regs[prog.result as usize])
    } else {
        eval(prog, regs, cx)
    }
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn group_by<'a>(
    input: &mut Cursor<'a>,
    in_op: &'a Op,
    keys: &[(ProgId, Reg)],
    aggs: &[AggSpec],
    group_as: Option<&'a (Reg, Vec<(String, Reg)>)>,
    implicit: bool,
    regs: &mut [Value<'a>],
    cx: &Ctx<'_, 'a>,
) -> Result<Vec<&'a [Value<'a>]>, QueryError> {
    let strict = cx.strict();
    let mut groups: Vec<Group<'a>> = Vec::new();
    let mut index = GroupIndex::new();
    let empty = Acc {
        count: 0,
        value: Value::Null,
        seen: Vec::new(),
    };
    let mut key_buf: Vec<Value<'a>> = Vec::with_capacity(keys.len());
    while next(input, in_op, regs, cx)? {
        key_buf.clear();
        for (p, _) in keys {
            key_buf.push(value_of(*p, regs, cx)?);
        }
        let hash = hash_key(&key_buf);
        let gi = match index.find(hash, |g| same_keys(&groups[g].keys, &key_buf)) {
            Some(i) => i,
            None => {
                index.insert(hash)?;
                groups.push(Group {
                    keys: key_buf.clone(),
                    accs: vec![empty.clone(); aggs.len()],
                    members: Vec::new(),
                });
                groups.len() - 1
            }
        };
        for (i, spec) in aggs.iter().enumerate() {
            // COUNT(*) counts rows: its argument (a constant) need not run.
            if spec.func == AggFunc::CountStar {
                groups[gi].accs[i].count += 1;
                continue;
            }
            let v = value_of(spec.arg, regs, cx)?;
            let acc = &mut groups[gi].accs[i];
            // The common cases inline: a count of present values, a running integer
            // sum (or the sum of an AVG).
            if spec.func == AggFunc::Count && !spec.distinct && !v.is_absent() {
                acc.count += 1;
                continue;
            }
            if let (AggFunc::Sum | AggFunc::Avg, false, Value::Int(sum), Value::Int(x)) =
                (spec.func, spec.distinct, &mut acc.value, v)
            {
                if acc.count > 0 {
                    if let Some(s) = sum.checked_add(x) {
                        *sum = s;
                        acc.count += 1;
                        continue;
                    }
                }
            }
            if let Err(e) = update(spec, acc, v, cx) {
                if strict || !e.is_recoverable() {
                    return Err(e.into());
                }
                acc.value = Value::Missing;
            }
        }
        if let Some((_, vars)) = group_as {
            let mut t = BumpVec::with_capacity_in(vars.len(), cx.arena);
            for (name, slot) in vars {
                let v = regs[*slot as usize];
                if !v.is_missing() {
                    t.push((name.as_str(), v));
                }
            }
            groups[gi].members.push(Value::Tuple(t.into_bump_slice()));
        }
    }
    if groups.is_empty() && implicit {
        groups.push(Group {
            keys: vec![Value::Bool(true); keys.len()],
            accs: vec![empty; aggs.len()],
            members: Vec::new(),
        });
    }
    let mut rows = Vec::with_capacity(groups.len());
    for g in groups {
        let mut row = BumpVec::with_capacity_in(keys.len() + aggs.len() + 1, cx.arena);
        row.extend_from_slice(&g.keys);
        for (spec, acc) in aggs.iter().zip(&g.accs) {
            let v = if acc.value.is_missing() && acc.count > 0 {
                Value::Missing
            } else {
                match finish(spec, acc, cx) {
                    Ok(v) => v,
                    Err(e) if !strict && e.is_recoverable() => Value::Missing,
                    Err(e) => return Err(e.into()),
                }
            };
            row.push(v);
        }
        if group_as.is_some() {
            row.push(Value::Bag(cx.arena.alloc_slice_copy(&g.members)));
        }
        rows.push(row.into_bump_slice());
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::super::testing::{field, run_rows, try_rows};
    use crate::value::total_cmp;
    use crate::OwnedValue as O;
    use bumpalo::Bump;
    use rust_decimal::Decimal;
    use std::cmp::Ordering;

    const Q: &str = "SELECT r.c AS c, COUNT(*) AS n, SUM(r.a) AS s FROM data AS r GROUP BY r.c";

    /// The groups of `keys` by pairwise `total_cmp` equality, the definition the index
    /// must agree with: (first key, rows, sum of row numbers) per group.
    fn reference(keys: &[O]) -> Vec<(O, i64, i64)> {
        let arena = Bump::new();
        let mut groups: Vec<(O, i64, i64)> = Vec::new();
        for (i, k) in keys.iter().enumerate() {
            let kv = k.as_value(&arena);
            match groups
                .iter_mut()
                .find(|(g, _, _)| total_cmp(&g.as_value(&arena), &kv) == Ordering::Equal)
            {
                Some(g) => {
                    g.1 += 1;
                    g.2 += i as i64;
                }
                None => groups.push((k.clone(), 1, i as i64)),
            }
        }
        groups
    }

    fn rows_with(keys: &[O]) -> Vec<O> {
        keys.iter()
            .enumerate()
            .map(|(i, k)| match k {
                // A MISSING key is a row without the field.
                O::Missing => O::tuple([("a", O::Int(i as i64))]),
                k => O::tuple([("a", O::Int(i as i64)), ("c", k.clone())]),
            })
            .collect()
    }

    fn check(keys: &[O]) {
        let got = run_rows(rows_with(keys), Q);
        let want = reference(keys);
        assert_eq!(got.len(), want.len(), "group count");
        let arena = Bump::new();
        for (k, n, s) in want {
            let kv = k.as_value(&arena);
            let row = got
                .iter()
                .find(|r| {
                    let c = field(r, "c").cloned().unwrap_or(O::Missing);
                    total_cmp(&c.as_value(&arena), &kv) == Ordering::Equal
                })
                .unwrap_or_else(|| panic!("no group for {k:?}"));
            assert_eq!(field(row, "n"), Some(&O::Int(n)), "count of {k:?}");
            assert_eq!(field(row, "s"), Some(&O::Int(s)), "sum of {k:?}");
        }
    }

    #[test]
    fn many_integer_keys_grow_the_index() {
        // 5,000 groups: the bucket array doubles many times while rows arrive.
        let keys: Vec<O> = (0..20_000).map(|i| O::Int((i * 7919) % 5000)).collect();
        check(&keys);
    }

    #[test]
    fn equal_numbers_of_other_types_share_a_group() {
        let keys = vec![
            O::Int(1),
            O::Float(1.0),
            O::Decimal(Decimal::new(10, 1)),
            O::Int(2),
            O::Float(2.5),
            O::Int(0),
            O::Float(-0.0),
            O::Str("1".into()),
            O::Int(1),
        ];
        check(&keys);
        let got = run_rows(rows_with(&keys), Q);
        // 1, 2, 2.5, 0 and '1'.
        assert_eq!(got.len(), 5);
    }

    #[test]
    fn null_and_missing_keys_group_as_total_order_equality_says() {
        let keys = vec![
            O::Null,
            O::Missing,
            O::Int(3),
            O::Null,
            O::Missing,
            O::Str("x".into()),
            O::Int(3),
            O::Bool(true),
        ];
        check(&keys);
    }

    #[test]
    fn an_integer_sum_past_i64_is_an_error_not_a_wrapped_value() {
        let rows = vec![
            O::tuple([("c", O::Int(1)), ("a", O::Int(i64::MAX))]),
            O::tuple([("c", O::Int(1)), ("a", O::Int(1))]),
        ];
        let got = try_rows(rows, Q);
        assert!(
            matches!(&got, Err(e) if e.to_string().contains("overflow")),
            "{got:?}"
        );
        // Below the limit the sum is exact.
        let rows = vec![
            O::tuple([("c", O::Int(1)), ("a", O::Int(i64::MAX - 1))]),
            O::tuple([("c", O::Int(1)), ("a", O::Int(1))]),
        ];
        let got = run_rows(rows, Q);
        assert_eq!(field(&got[0], "s"), Some(&O::Int(i64::MAX)));
    }

    #[test]
    fn count_of_an_expression_skips_absent_values() {
        let rows = vec![
            O::tuple([("c", O::Int(1)), ("a", O::Int(5))]),
            O::tuple([("c", O::Int(1)), ("a", O::Null)]),
            O::tuple([("c", O::Int(1))]),
        ];
        let got = run_rows(
            rows,
            "SELECT r.c AS c, COUNT(r.a) AS n, COUNT(*) AS m FROM data AS r GROUP BY r.c",
        );
        assert_eq!(field(&got[0], "n"), Some(&O::Int(1)));
        assert_eq!(field(&got[0], "m"), Some(&O::Int(3)));
    }
}
