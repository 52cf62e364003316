//! Operator execution: one cursor per operator, pulling rows through the register file.
//!
//! A cursor's `next` fills the operator's output slots and returns `true`, or returns
//! `false` at the end. Streaming operators (scan, filter, project, limit, joins) hold no
//! rows; blocking operators (group, sort, distinct, set operators, pivot) drain their
//! input once into query-lifetime memory (the arena of this execution, never the row
//! arena) and replay the result.

use super::eval::{eval, is_true, Ctx};
use super::hash::hash_key;
use crate::error::{EvalError, QueryError};
use crate::plan::*;
use crate::reader::{RowReader, ValueWriter};
use crate::value::{hash_value, partiql_eq, sort_cmp, total_cmp, EqResult, Value};
use bumpalo::collections::Vec as BumpVec;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::hash::Hasher;

type Res<T> = Result<T, QueryError>;

/// The runtime state of one operator.
pub(crate) enum Cursor<'a> {
    Scan {
        items: &'a [Value<'a>],
        ordered: bool,
        pos: usize,
        opened: bool,
    },
    Source {
        reader: Option<Box<dyn RowReader>>,
    },
    Unpivot {
        fields: &'a [(&'a str, Value<'a>)],
        pos: usize,
        opened: bool,
    },
    Unary(Box<Cursor<'a>>),
    Join {
        left: Box<Cursor<'a>>,
        right: Option<Box<Cursor<'a>>>,
        matched: bool,
    },
    HashJoin(Box<HashJoinState<'a>>),
    Limit {
        input: Box<Cursor<'a>>,
        remaining: Option<u64>,
        started: bool,
    },
    /// A materialised result: rows of values for a fixed list of slots.
    Rows {
        input: Option<Box<Cursor<'a>>>,
        rows: Vec<&'a [Value<'a>]>,
        pos: usize,
    },
}

impl<'a> Cursor<'a> {
    pub fn new(op: &Op) -> Cursor<'a> {
        match op {
            Op::Scan { .. } => Cursor::Scan {
                items: &[],
                ordered: false,
                pos: 0,
                opened: false,
            },
            Op::ScanSource { .. } => Cursor::Source { reader: None },
            Op::Unpivot { .. } => Cursor::Unpivot {
                fields: &[],
                pos: 0,
                opened: false,
            },
            Op::Filter { input, .. }
            | Op::Project { input, .. }
            | Op::ProjectAll { input, .. }
            | Op::ProjectValue { input, .. } => Cursor::Unary(Box::new(Cursor::new(input))),
            Op::Join { left, .. } => Cursor::Join {
                left: Box::new(Cursor::new(left)),
                right: None,
                matched: false,
            },
            Op::HashJoin { left, .. } => Cursor::HashJoin(Box::new(HashJoinState {
                left: Cursor::new(left),
                table: None,
                probe: Vec::new(),
                hash: 0,
                candidate: NONE,
                in_row: false,
                matched: false,
            })),
            Op::LimitOffset { input, .. } => Cursor::Limit {
                input: Box::new(Cursor::new(input)),
                remaining: None,
                started: false,
            },
            Op::GroupBy { input, .. }
            | Op::OrderBy { input, .. }
            | Op::Distinct { input, .. }
            | Op::Pivot { input, .. } => Cursor::Rows {
                input: Some(Box::new(Cursor::new(input))),
                rows: Vec::new(),
                pos: usize::MAX,
            },
            Op::SetOp { .. } | Op::ExprQuery { .. } => Cursor::Rows {
                input: None,
                rows: Vec::new(),
                pos: usize::MAX,
            },
        }
    }
}

fn eval_q<'a>(p: ProgId, regs: &mut [Value<'a>], cx: &Ctx<'_, 'a>) -> Res<Value<'a>> {
    Ok(eval(cx.plan.program(p), regs, cx)?)
}

/// Produces the next row of `op`.
pub(crate) fn next<'a>(
    cur: &mut Cursor<'a>,
    op: &'a Op,
    regs: &mut [Value<'a>],
    cx: &Ctx<'_, 'a>,
) -> Res<bool> {
    match (op, cur) {
        (
            Op::Scan {
                expr,
                as_slot,
                at_slot,
            },
            Cursor::Scan {
                items,
                ordered,
                pos,
                opened,
            },
        ) => {
            if !*opened {
                *opened = true;
                let v = eval_q(*expr, regs, cx)?;
                match v {
                    Value::List(xs) => {
                        *items = xs;
                        *ordered = true;
                    }
                    Value::Bag(xs) => *items = xs,
                    other => {
                        if cx.strict() {
                            return Err(EvalError::type_err(format!(
                                "FROM expects a collection, got {}",
                                other.type_tag().name()
                            ))
                            .into());
                        }
                        *items = cx.arena.alloc_slice_copy(&[other]);
                    }
                }
            }
            let Some(v) = items.get(*pos) else {
                return Ok(false);
            };
            regs[*as_slot as usize] = *v;
            if let Some(at) = at_slot {
                regs[*at as usize] = if *ordered {
                    Value::Int(*pos as i64)
                } else if cx.strict() {
                    // Only a list has positions.
                    return Err(
                        EvalError::type_err("AT needs an ordered collection (a list)").into(),
                    );
                } else {
                    Value::Missing
                };
            }
            *pos += 1;
            Ok(true)
        }
        (
            Op::ScanSource {
                source,
                layout,
                keys,
            },
            Cursor::Source { reader },
        ) => {
            if reader.is_none() {
                let source = &cx.plan.sources[*source as usize];
                *reader = Some(if keys.is_empty() {
                    source.open(layout)?
                } else {
                    let mut keyed = layout.clone();
                    for k in keys {
                        let value = eval_q(k.value, regs, cx)?;
                        keyed.key_filters.push(crate::reader::KeyFilter {
                            field: k.field.clone(),
                            value: crate::value::OwnedValue::from_value(&value),
                        });
                    }
                    source.open(&keyed)?
                });
            }
            let r = reader.as_mut().expect("opened above");
            let mut w = ValueWriter::new(regs, cx.arena);
            r.next_row(&mut w)
        }
        (
            Op::Unpivot {
                expr,
                as_slot,
                at_slot,
            },
            Cursor::Unpivot {
                fields,
                pos,
                opened,
            },
        ) => {
            if !*opened {
                *opened = true;
                *fields = match eval_q(*expr, regs, cx)? {
                    Value::Tuple(f) => f,
                    Value::Missing => &[],
                    other => cx.arena.alloc_slice_copy(&[("_1", other)]),
                };
            }
            let Some((k, v)) = fields.get(*pos) else {
                return Ok(false);
            };
            regs[*as_slot as usize] = *v;
            if let Some(at) = at_slot {
                regs[*at as usize] = Value::Str(k);
            }
            *pos += 1;
            Ok(true)
        }
        (Op::Filter { input, pred }, Cursor::Unary(inner)) => {
            while next(inner, input, regs, cx)? {
                if is_true(&eval_q(*pred, regs, cx)?) {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        (Op::Project { input, fields, out }, Cursor::Unary(inner)) => {
            if !next(inner, input, regs, cx)? {
                return Ok(false);
            }
            let mut tuple = BumpVec::with_capacity_in(fields.len(), cx.arena);
            for (name, p) in fields {
                let v = eval_q(*p, regs, cx)?;
                if !v.is_missing() {
                    tuple.push((name.as_str(), v));
                }
            }
            regs[*out as usize] = Value::Tuple(tuple.into_bump_slice());
            Ok(true)
        }
        (Op::ProjectAll { input, vars, out }, Cursor::Unary(inner)) => {
            if !next(inner, input, regs, cx)? {
                return Ok(false);
            }
            let mut tuple = BumpVec::new_in(cx.arena);
            for (name, slot) in vars {
                match regs[*slot as usize] {
                    Value::Tuple(fields) => tuple.extend_from_slice(fields),
                    Value::Missing => {}
                    v => tuple.push((name.as_str(), v)),
                }
            }
            regs[*out as usize] = Value::Tuple(tuple.into_bump_slice());
            Ok(true)
        }
        (Op::ProjectValue { input, expr, out }, Cursor::Unary(inner)) => {
            if !next(inner, input, regs, cx)? {
                return Ok(false);
            }
            regs[*out as usize] = eval_q(*expr, regs, cx)?;
            Ok(true)
        }
        (
            Op::Join {
                kind,
                right: right_op,
                on,
                right_slots,
                missing_slots,
                left: left_op,
            },
            Cursor::Join {
                left,
                right,
                matched,
            },
        ) => loop {
            if right.is_none() {
                if !next(left, left_op, regs, cx)? {
                    return Ok(false);
                }
                *right = Some(Box::new(Cursor::new(right_op)));
                *matched = false;
            }
            let r = right.as_mut().expect("set above");
            if next(r, right_op, regs, cx)? {
                let pass = match on {
                    Some(p) => is_true(&eval_q(*p, regs, cx)?),
                    None => true,
                };
                if pass {
                    *matched = true;
                    return Ok(true);
                }
                continue;
            }
            *right = None;
            if *kind == JoinKind::Left && !*matched {
                unmatched(right_slots, missing_slots, regs);
                return Ok(true);
            }
        },
        (
            Op::HashJoin {
                kind,
                left: left_op,
                right: right_op,
                left_keys,
                right_keys,
                residual,
                right_slots,
                missing_slots,
            },
            Cursor::HashJoin(st),
        ) => loop {
            let st = &mut **st;
            if !st.in_row {
                if !next(&mut st.left, left_op, regs, cx)? {
                    return Ok(false);
                }
                if st.table.is_none() {
                    // Built once, on the first left row: a join with an empty left side
                    // never reads its right side, as a nested loop would not.
                    st.table = Some(build_join_table(
                        right_op,
                        right_keys,
                        right_slots,
                        regs,
                        cx,
                    )?);
                }
                let table = st.table.as_ref().expect("built above");
                st.probe.clear();
                let mut absent = false;
                for k in left_keys {
                    let v = eval_q(*k, regs, cx)?;
                    absent |= v.is_absent();
                    st.probe.push(v);
                }
                st.candidate = if absent || table.rows.is_empty() {
                    NONE
                } else {
                    st.hash = hash_key(&st.probe);
                    table.heads[(st.hash & table.mask) as usize]
                };
                st.in_row = true;
                st.matched = false;
            }
            let table = st.table.as_ref().expect("built on the first row");
            while st.candidate != NONE {
                let row = &table.rows[st.candidate as usize];
                st.candidate = row.next;
                if row.hash != st.hash || !keys_equal(row.keys, &st.probe) {
                    continue;
                }
                for (s, v) in right_slots.iter().zip(row.slots) {
                    regs[*s as usize] = *v;
                }
                if let Some(p) = residual {
                    if !is_true(&eval_q(*p, regs, cx)?) {
                        continue;
                    }
                }
                st.matched = true;
                return Ok(true);
            }
            st.in_row = false;
            if *kind == JoinKind::Left && !st.matched {
                unmatched(right_slots, missing_slots, regs);
                return Ok(true);
            }
        },
        (
            Op::LimitOffset {
                input,
                limit,
                offset,
            },
            Cursor::Limit {
                input: inner,
                remaining,
                started,
            },
        ) => {
            if !*started {
                *started = true;
                let count =
                    |p: &Option<ProgId>, regs: &mut [Value<'a>], what: &str| -> Res<Option<u64>> {
                        let Some(p) = p else { return Ok(None) };
                        match eval_q(*p, regs, cx)? {
                            Value::Int(i) if i >= 0 => Ok(Some(i as u64)),
                            // Permissive mode skips no rows for an OFFSET that is not a
                            // count (a negative literal is refused when compiling).
                            _ if what == "OFFSET" && !cx.strict() => Ok(None),
                            other => Err(EvalError::Fatal(format!(
                                "{what} must be a non-negative integer, got {}",
                                other.type_tag().name()
                            ))
                            .into()),
                        }
                    };
                *remaining = count(limit, regs, "LIMIT")?;
                let skip = count(offset, regs, "OFFSET")?.unwrap_or(0);
                for _ in 0..skip {
                    if !next(inner, input, regs, cx)? {
                        return Ok(false);
                    }
                }
            }
            if *remaining == Some(0) {
                return Ok(false);
            }
            if !next(inner, input, regs, cx)? {
                return Ok(false);
            }
            if let Some(r) = remaining {
                *r -= 1;
            }
            Ok(true)
        }
        (op, Cursor::Rows { input, rows, pos }) => {
            if *pos == usize::MAX {
                *rows = materialize(op, input.as_deref_mut(), regs, cx)?;
                *pos = 0;
            }
            let Some(row) = rows.get(*pos) else {
                return Ok(false);
            };
            for (slot, v) in output_slots(op).into_iter().zip(row.iter()) {
                regs[slot as usize] = *v;
            }
            *pos += 1;
            Ok(true)
        }
        _ => Err(QueryError::Eval(EvalError::Fatal(
            "operator and cursor disagree".into(),
        ))),
    }
}

/// The right side of a LEFT JOIN row without a match: NULL, and NULL for the fields
/// of the right row read straight into slots (as `NULL.f` is).
fn unmatched(right_slots: &[Reg], field_slots: &[Reg], regs: &mut [Value<'_>]) {
    for s in right_slots.iter().chain(field_slots) {
        regs[*s as usize] = Value::Null;
    }
}

/// End of a hash chain.
const NONE: u32 = u32::MAX;

/// The running state of a hash join.
pub(crate) struct HashJoinState<'a> {
    left: Cursor<'a>,
    table: Option<JoinTable<'a>>,
    /// The current left row's key values.
    probe: Vec<Value<'a>>,
    hash: u64,
    /// The next build row to try for the current left row.
    candidate: u32,
    /// A left row is being matched.
    in_row: bool,
    matched: bool,
}

/// The build side of a hash join: its rows (key values and the right side's slots,
/// in query-lifetime memory) chained per bucket in the order they were read.
struct JoinTable<'a> {
    rows: Vec<BuildRow<'a>>,
    heads: Vec<u32>,
    mask: u64,
}

struct BuildRow<'a> {
    hash: u64,
    keys: &'a [Value<'a>],
    slots: &'a [Value<'a>],
    next: u32,
}

/// Reads the right side of a hash join once. Rows whose key has a NULL or MISSING
/// part are left out: `=` is never true of them.
fn build_join_table<'a>(
    right_op: &'a Op,
    right_keys: &[ProgId],
    right_slots: &[Reg],
    regs: &mut [Value<'a>],
    cx: &Ctx<'_, 'a>,
) -> Res<JoinTable<'a>> {
    let mut cur = Cursor::new(right_op);
    let mut rows: Vec<BuildRow<'a>> = Vec::new();
    let mut keys: Vec<Value<'a>> = Vec::with_capacity(right_keys.len());
    // The left row's values of the right side's slots (for a nested loop they would
    // be overwritten too; restore them so the left row stays as it was read).
    let saved: Vec<Value<'a>> = right_slots.iter().map(|s| regs[*s as usize]).collect();
    'rows: while next(&mut cur, right_op, regs, cx)? {
        keys.clear();
        for k in right_keys {
            let v = eval_q(*k, regs, cx)?;
            if v.is_absent() {
                continue 'rows;
            }
            keys.push(v);
        }
        let slots = cx
            .arena
            .alloc_slice_fill_iter(right_slots.iter().map(|s| regs[*s as usize]));
        rows.push(BuildRow {
            hash: hash_key(&keys),
            keys: cx.arena.alloc_slice_copy(&keys),
            slots,
            next: NONE,
        });
    }
    for (s, v) in right_slots.iter().zip(saved) {
        regs[*s as usize] = v;
    }
    if rows.len() >= NONE as usize {
        return Err(EvalError::Fatal("hash join build side too large".into()).into());
    }
    let buckets = (rows.len() * 2).next_power_of_two().max(1);
    let mask = buckets as u64 - 1;
    let mut heads = vec![NONE; buckets];
    // Prepending in reverse keeps each chain in the order the rows were read.
    for i in (0..rows.len()).rev() {
        let b = (rows[i].hash & mask) as usize;
        rows[i].next = heads[b];
        heads[b] = i as u32;
    }
    Ok(JoinTable { rows, heads, mask })
}

/// PartiQL `=` holds between each pair (neither side is absent).
#[inline]
fn keys_equal(a: &[Value<'_>], b: &[Value<'_>]) -> bool {
    a.iter().zip(b).all(|(x, y)| match (x, y) {
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Str(x), Value::Str(y)) => x == y,
        _ => partiql_eq(x, y) == EqResult::True,
    })
}

/// The slots a blocking operator's rows fill, in row order.
fn output_slots(op: &Op) -> Vec<Reg> {
    match op {
        Op::GroupBy {
            keys,
            aggs,
            group_as,
            ..
        } => keys
            .iter()
            .map(|(_, s)| *s)
            .chain(aggs.iter().map(|a| a.out))
            .chain(group_as.iter().map(|(s, _)| *s))
            .collect(),
        Op::OrderBy { carry, .. } => carry.clone(),
        Op::Distinct { slot, .. } => vec![*slot],
        Op::Pivot { out, .. } | Op::SetOp { out, .. } | Op::ExprQuery { out, .. } => vec![*out],
        _ => Vec::new(),
    }
}

fn hash_of(vals: &[Value<'_>]) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for v in vals {
        hash_value(v, &mut h);
    }
    h.finish()
}

fn same(a: &[Value<'_>], b: &[Value<'_>]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| total_cmp(x, y) == Ordering::Equal)
}

/// How many rows a sort read through LIMIT/OFFSET must keep: `offset + limit`, or
/// `None` (keep everything) when the counts are not plain non-negative integers, which
/// the LIMIT operator above then reports.
fn top_count<'a>(
    top: Option<TopK>,
    regs: &mut [Value<'a>],
    cx: &Ctx<'_, 'a>,
) -> Res<Option<usize>> {
    let Some(top) = top else { return Ok(None) };
    let count = |p: ProgId, regs: &mut [Value<'a>]| -> Res<Option<usize>> {
        Ok(match eval_q(p, regs, cx)? {
            Value::Int(i) if i >= 0 => usize::try_from(i).ok(),
            _ => None,
        })
    };
    let Some(limit) = count(top.limit, regs)? else {
        return Ok(None);
    };
    let offset = match top.offset {
        Some(p) => match count(p, regs)? {
            Some(o) => o,
            None => return Ok(None),
        },
        None => 0,
    };
    Ok(limit.checked_add(offset))
}

/// The order of two sort rows (keys first).
fn sort_rows(keys: &[SortKey], a: &[Value<'_>], b: &[Value<'_>]) -> Ordering {
    for (i, k) in keys.iter().enumerate() {
        let o = sort_cmp(&a[i], &b[i], k.descending, k.nulls_first);
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

/// The first `k` rows of a sort, in order, holding at most `k` rows at any time: a
/// binary max-heap over a slab of `k` row slots keeps the worst kept row on top, and a
/// new row replaces it only when it sorts strictly before it (checked on the sort
/// keys before anything is copied). Ties keep their input order, as the full (stable)
/// sort does: rows compare by keys, then by arrival.
fn top_k<'a>(
    inp: &mut Cursor<'a>,
    in_op: &'a Op,
    keys: &[SortKey],
    carry: &[Reg],
    k: usize,
    regs: &mut [Value<'a>],
    cx: &Ctx<'_, 'a>,
) -> Res<Vec<&'a [Value<'a>]>> {
    assert!(!keys.is_empty(), "a sort has at least one key");
    let width = keys.len() + carry.len();
    let mut heap = TopHeap {
        keys,
        width,
        slab: Vec::new(),
        arrival: Vec::new(),
        order: Vec::new(),
    };
    let mut row: Vec<Value<'a>> = Vec::with_capacity(width);
    let mut seen = 0u64;
    while next(inp, in_op, regs, cx)? {
        if k == 0 {
            continue;
        }
        seen += 1;
        row.clear();
        for key in keys {
            row.push(eval_q(key.expr, regs, cx)?);
        }
        if heap.len() == k {
            let worst = heap.order[0];
            if sort_rows(keys, &row, heap.row(worst)) != Ordering::Less {
                continue;
            }
            row.extend(carry.iter().map(|s| regs[*s as usize]));
            heap.slab[worst * width..][..width].copy_from_slice(&row);
            heap.arrival[worst] = seen;
            heap.sift_down(0);
        } else {
            row.extend(carry.iter().map(|s| regs[*s as usize]));
            heap.slab.extend_from_slice(&row);
            heap.arrival.push(seen);
            heap.order.push(heap.arrival.len() - 1);
            heap.sift_up(heap.order.len() - 1);
        }
    }
    let mut slots: Vec<usize> = (0..heap.len()).collect();
    slots.sort_by(|&x, &y| heap.cmp(x, y));
    Ok(slots
        .into_iter()
        .map(|i| &*cx.arena.alloc_slice_copy(heap.row(i)))
        .collect())
}

/// The rows kept by [`top_k`]: `slab` holds them `width` values apiece, `order` is a
/// max-heap of their slot numbers (the row that sorts last on top).
struct TopHeap<'k, 'a> {
    keys: &'k [SortKey],
    width: usize,
    slab: Vec<Value<'a>>,
    arrival: Vec<u64>,
    order: Vec<usize>,
}

impl<'a> TopHeap<'_, 'a> {
    fn len(&self) -> usize {
        self.arrival.len()
    }

    fn row(&self, slot: usize) -> &[Value<'a>] {
        &self.slab[slot * self.width..][..self.width]
    }

    fn cmp(&self, x: usize, y: usize) -> Ordering {
        sort_rows(self.keys, self.row(x), self.row(y)).then(self.arrival[x].cmp(&self.arrival[y]))
    }

    fn sift_up(&mut self, mut i: usize) {
        while i > 0 {
            let parent = (i - 1) / 2;
            if self.cmp(self.order[i], self.order[parent]) != Ordering::Greater {
                return;
            }
            self.order.swap(i, parent);
            i = parent;
        }
    }

    fn sift_down(&mut self, mut i: usize) {
        let n = self.order.len();
        loop {
            let mut largest = i;
            for child in [2 * i + 1, 2 * i + 2] {
                if child < n
                    && self.cmp(self.order[child], self.order[largest]) == Ordering::Greater
                {
                    largest = child;
                }
            }
            if largest == i {
                return;
            }
            self.order.swap(i, largest);
            i = largest;
        }
    }
}

/// Runs a blocking operator to completion.
fn materialize<'a>(
    op: &'a Op,
    input: Option<&mut Cursor<'a>>,
    regs: &mut [Value<'a>],
    cx: &Ctx<'_, 'a>,
) -> Res<Vec<&'a [Value<'a>]>> {
    let arena = cx.arena;
    match op {
        Op::ExprQuery { expr, .. } => {
            let v = eval_q(*expr, regs, cx)?;
            Ok(vec![arena.alloc_slice_copy(&[v])])
        }
        Op::Distinct { input: in_op, slot } => {
            let inp = input.expect("distinct has input");
            let mut seen: HashMap<u64, Vec<usize>> = HashMap::new();
            let mut rows: Vec<&'a [Value<'a>]> = Vec::new();
            while next(inp, in_op, regs, cx)? {
                let v = [regs[*slot as usize]];
                let bucket = seen.entry(hash_of(&v)).or_default();
                if bucket.iter().any(|&i| same(rows[i], &v)) {
                    continue;
                }
                bucket.push(rows.len());
                rows.push(arena.alloc_slice_copy(&v));
            }
            Ok(rows)
        }
        Op::OrderBy {
            input: in_op,
            keys,
            carry,
            top,
        } => {
            let inp = input.expect("order by has input");
            let nk = keys.len();
            if let Some(k) = top_count(*top, regs, cx)? {
                let rows = top_k(inp, in_op, keys, carry, k, regs, cx)?;
                return Ok(rows.into_iter().map(|r| &r[nk..]).collect());
            }
            let mut rows: Vec<&'a [Value<'a>]> = Vec::new();
            while next(inp, in_op, regs, cx)? {
                let mut row = BumpVec::with_capacity_in(nk + carry.len(), arena);
                for k in keys {
                    row.push(eval_q(k.expr, regs, cx)?);
                }
                row.extend(carry.iter().map(|s| regs[*s as usize]));
                rows.push(row.into_bump_slice());
            }
            rows.sort_by(|a, b| {
                for (i, k) in keys.iter().enumerate() {
                    let o = sort_cmp(&a[i], &b[i], k.descending, k.nulls_first);
                    if o != Ordering::Equal {
                        return o;
                    }
                }
                Ordering::Equal
            });
            Ok(rows.into_iter().map(|r| &r[nk..]).collect())
        }
        Op::Pivot {
            input: in_op,
            key,
            value,
            ..
        } => {
            let inp = input.expect("pivot has input");
            let mut fields = BumpVec::new_in(arena);
            while next(inp, in_op, regs, cx)? {
                let k = eval_q(*key, regs, cx)?;
                let v = eval_q(*value, regs, cx)?;
                match (k, v) {
                    (_, Value::Missing) => {}
                    (Value::Str(k), v) => fields.push((k, v)),
                    (other, _) if cx.strict() => {
                        return Err(EvalError::type_err(format!(
                            "PIVOT keys must be strings, got {}",
                            other.type_tag().name()
                        ))
                        .into())
                    }
                    _ => {}
                }
            }
            let t = Value::Tuple(fields.into_bump_slice());
            Ok(vec![arena.alloc_slice_copy(&[t])])
        }
        Op::SetOp {
            op: set_op,
            all,
            left,
            right,
            ..
        } => {
            let l = collect_query(left, regs, cx)?;
            let r = collect_query(right, regs, cx)?;
            let out = set_operation(*set_op, *all, l, r);
            Ok(out
                .into_iter()
                .map(|v| &*arena.alloc_slice_copy(&[v]))
                .collect())
        }
        Op::GroupBy {
            input: in_op,
            keys,
            aggs,
            group_as,
            implicit,
        } => {
            let inp = input.expect("group by has input");
            super::group::group_by(
                inp,
                in_op,
                keys,
                aggs,
                group_as.as_ref(),
                *implicit,
                regs,
                cx,
            )
        }
        _ => Ok(Vec::new()),
    }
}

/// The elements of a set operator's operand.
fn collect_query<'a>(
    q: &'a Query,
    regs: &mut [Value<'a>],
    cx: &Ctx<'_, 'a>,
) -> Res<Vec<Value<'a>>> {
    let mut cur = Cursor::new(&q.root);
    let mut out = Vec::new();
    while next(&mut cur, &q.root, regs, cx)? {
        let v = regs[q.out as usize];
        if q.shape == Shape::Scalar {
            match v {
                Value::Bag(xs) | Value::List(xs) => out.extend_from_slice(xs),
                other => {
                    if cx.strict() {
                        return Err(EvalError::type_err(format!(
                            "set operators expect collections, got {}",
                            other.type_tag().name()
                        ))
                        .into());
                    }
                    out.push(other)
                }
            }
        } else {
            out.push(v);
        }
    }
    Ok(out)
}

/// Set operators compare as GROUP BY does: NULL and MISSING are the same absent value.
fn set_eq(a: &Value<'_>, b: &Value<'_>) -> bool {
    (a.is_absent() && b.is_absent()) || total_cmp(a, b) == Ordering::Equal
}

fn set_operation<'a>(op: SetOp, all: bool, l: Vec<Value<'a>>, r: Vec<Value<'a>>) -> Vec<Value<'a>> {
    let mut result: Vec<Value<'a>> = match op {
        SetOp::Union => l.into_iter().chain(r).collect(),
        SetOp::Intersect | SetOp::Except => {
            let mut right = r;
            let mut out = Vec::new();
            for v in l {
                let hit = right.iter().position(|x| set_eq(x, &v));
                match (op, hit) {
                    (SetOp::Intersect, Some(i)) => {
                        right.swap_remove(i);
                        out.push(v);
                    }
                    (SetOp::Except, Some(i)) if all => {
                        right.swap_remove(i);
                    }
                    (SetOp::Except, Some(_)) => {}
                    (SetOp::Except, None) => out.push(v),
                    _ => {}
                }
            }
            out
        }
    };
    if !all {
        let mut seen: Vec<Value<'a>> = Vec::new();
        result.retain(|v| {
            if seen.iter().any(|x| set_eq(x, v)) {
                false
            } else {
                seen.push(*v);
                true
            }
        });
    }
    result
}

/// Runs a subquery with the current registers (its correlation) and returns its result.
pub(crate) fn run_subquery<'a>(
    q: &'a Query,
    regs: &mut [Value<'a>],
    cx: &Ctx<'_, 'a>,
) -> Result<Value<'a>, EvalError> {
    let mut cur = Cursor::new(&q.root);
    let mut items = BumpVec::new_in(cx.arena);
    loop {
        match next(&mut cur, &q.root, regs, cx) {
            Ok(true) => items.push(regs[q.out as usize]),
            Ok(false) => break,
            Err(QueryError::Eval(e)) => return Err(e),
            Err(other) => return Err(EvalError::Fatal(other.to_string())),
        }
    }
    if q.shape == Shape::Scalar {
        return Ok(items.first().copied().unwrap_or(Value::Missing));
    }
    let items = items.into_bump_slice();
    Ok(if q.ordered {
        Value::List(items)
    } else {
        Value::Bag(items)
    })
}
