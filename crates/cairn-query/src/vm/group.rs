//! Hash aggregation: GROUP BY with aggregates and GROUP AS.

use super::arith;
use super::eval::{eval, Ctx};
use super::ops::{next, Cursor};
use crate::error::{EvalError, QueryError};
use crate::plan::{AggFunc, AggSpec, Op, ProgId, Reg};
use crate::value::{hash_value, total_cmp, Value};
use bumpalo::collections::Vec as BumpVec;
use rust_decimal::Decimal;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::hash::Hasher;

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
    let mut index: HashMap<u64, Vec<usize>> = HashMap::new();
    let empty = Acc {
        count: 0,
        value: Value::Null,
        seen: Vec::new(),
    };
    let mut key_buf: Vec<Value<'a>> = Vec::with_capacity(keys.len());
    while next(input, in_op, regs, cx)? {
        key_buf.clear();
        for (p, _) in keys {
            let k = eval(cx.plan.program(*p), regs, cx)?;
            key_buf.push(k);
        }
        let mut h = std::collections::hash_map::DefaultHasher::new();
        for k in &key_buf {
            hash_value(k, &mut h);
        }
        let bucket = index.entry(h.finish()).or_default();
        let gi = match bucket.iter().copied().find(|&i| {
            groups[i]
                .keys
                .iter()
                .zip(&key_buf)
                .all(|(a, b)| total_cmp(a, b) == Ordering::Equal)
        }) {
            Some(i) => i,
            None => {
                bucket.push(groups.len());
                groups.push(Group {
                    keys: key_buf.clone(),
                    accs: vec![empty.clone(); aggs.len()],
                    members: Vec::new(),
                });
                groups.len() - 1
            }
        };
        for (i, spec) in aggs.iter().enumerate() {
            let v = eval(cx.plan.program(spec.arg), regs, cx)?;
            let acc = &mut groups[gi].accs[i];
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
