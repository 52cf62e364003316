//! The PartiQL virtual machine.
//!
//! A [`PartiQLVM`] executes one [`CompiledPlan`] at a time. It owns a register file (row
//! slots first, expression temporaries after) and two bump arenas: the *query arena*,
//! holding what must live for the whole execution (constants, globals, rows kept by
//! blocking operators), and the *row arena*, reset in O(1) before each row of a
//! streaming pipeline. Lifetimes tie every [`RowView`] to the row it came from, so a row
//! can never be read after the arena behind it was reset.

mod arith;
mod eval;
mod group;
mod hash;
mod ops;
mod parallel;
mod typed;

use crate::error::{QueryError, Result};
use crate::plan::{CompiledPlan, Op, ProgId, Reg, Shape};
use crate::reader::{ScanReader, ValueWriter};
use crate::value::{lookup_field, OwnedValue, Value};
use bumpalo::Bump;
use eval::{eval, is_true, Ctx};
use ops::Cursor;
use std::cell::Cell;
use std::sync::{Arc, Mutex};

pub use parallel::{execute_parallel, materialize_parallel};

/// Default initial size of each arena.
pub const DEFAULT_ARENA_BYTES: usize = 16 * 1024;

/// Row arena bytes a batch of [`ResultStream::for_each_row`] may use before the arena
/// is reset.
pub const BATCH_ARENA_BYTES: usize = 2 * 1024;

/// A virtual machine for one compiled plan.
pub struct PartiQLVM {
    plan: Arc<CompiledPlan>,
    query_arena: Bump,
    row_arena: Bump,
    /// The register file's allocation, kept between rows and executions. Always empty
    /// while stored: its lifetime parameter is erased by [`recycle`], never by `unsafe`.
    regs_store: Vec<Value<'static>>,
}

/// Reuses a vector's allocation for values of another lifetime. The vector is emptied
/// first, so no value crosses lifetimes; the standard library collects `Map<IntoIter>`
/// in place, so this does not allocate.
fn recycle<'x, 'y>(mut v: Vec<Value<'x>>) -> Vec<Value<'y>> {
    v.clear();
    v.into_iter().map(|_| Value::Missing).collect()
}

/// A register file of `len` MISSING values, in the allocation kept in `store`.
fn take_regs<'y>(store: &mut Vec<Value<'static>>, len: usize) -> Vec<Value<'y>> {
    let mut regs = recycle(std::mem::take(store));
    regs.resize(len, Value::Missing);
    regs
}

/// The names (and programs) of a `SELECT`'s columns; empty for any other result shape.
fn column_names(plan: &CompiledPlan) -> &[(String, ProgId)] {
    match &plan.query.root {
        Op::Project { fields, .. } => fields.as_slice(),
        _ => &[],
    }
}

impl PartiQLVM {
    pub fn new(plan: Arc<CompiledPlan>) -> Self {
        Self::with_arena_size(plan, DEFAULT_ARENA_BYTES)
    }

    /// A VM whose arenas start with `bytes` of capacity each.
    pub fn with_arena_size(plan: Arc<CompiledPlan>, bytes: usize) -> Self {
        let regs_store = Vec::with_capacity(plan.register_count);
        PartiQLVM {
            plan,
            query_arena: Bump::with_capacity(bytes),
            row_arena: Bump::with_capacity(bytes),
            regs_store,
        }
    }

    pub fn plan(&self) -> &Arc<CompiledPlan> {
        &self.plan
    }

    /// Starts executing the plan. The stream borrows the VM; when it is dropped the VM
    /// can execute again.
    pub fn execute(&mut self) -> Result<ResultStream<'_>> {
        self.execute_partition(0, 1)
    }

    /// Executes over the `part`-th of `parts` partitions of a streaming plan's source
    /// (for parallel scans); non-streaming plans run whole in partition 0 and produce
    /// nothing in the others.
    pub fn execute_partition(&mut self, part: usize, parts: usize) -> Result<ResultStream<'_>> {
        self.query_arena.reset();
        self.row_arena.reset();
        let PartiQLVM {
            plan,
            query_arena,
            row_arena,
            regs_store,
        } = self;
        let plan: &CompiledPlan = plan;
        let qa: &Bump = query_arena;
        let consts: Vec<Value<'_>> = plan.consts.iter().map(|c| c.as_value(qa)).collect();
        let globals: Vec<Value<'_>> = plan.globals.iter().map(|g| g.as_value(qa)).collect();
        let n = plan.register_count;
        let mode = if plan.streaming {
            let pipeline = Pipeline::new(plan, part, parts)?;
            Exec::Streaming {
                pipeline,
                row_arena,
                regs_store,
            }
        } else {
            let regs = take_regs(regs_store, n);
            let done = part != 0;
            Exec::General {
                cursor: Cursor::new(&plan.query.root),
                regs,
                done,
            }
        };
        Ok(ResultStream {
            plan,
            arena: qa,
            consts,
            globals,
            exec: mode,
        })
    }
}

#[expect(
    clippy::large_enum_variant,
    reason = "one per result stream, made once and never moved in a loop; boxing the               pipeline would put a pointer chase in front of every row"
)]
enum Exec<'vm> {
    General {
        cursor: Cursor<'vm>,
        regs: Vec<Value<'vm>>,
        done: bool,
    },
    Streaming {
        pipeline: Pipeline,
        row_arena: &'vm mut Bump,
        regs_store: &'vm mut Vec<Value<'static>>,
    },
}

/// What a projected column reads: a register (a plain field, after copy propagation)
/// or a program to run.
enum Column {
    Reg(Reg),
    Program(ProgId),
}

/// A fused Scan → Filter → Limit → Project loop over a reader.
struct Pipeline {
    reader: Option<ScanReader>,
    /// The projected columns of a `SELECT` (empty for `SELECT VALUE`).
    columns: Vec<Column>,
    /// The register each column's value is in once a row is projected: its own for a
    /// plain field, else one of the registers past the plan's (a later column's
    /// program may reuse an earlier one's temporaries).
    column_regs: Vec<Reg>,
    /// Whether some column is computed (else projecting a row costs nothing).
    computed: bool,
    filters: Vec<ProgId>,
    limit: Option<ProgId>,
    offset: Option<ProgId>,
    remaining: Option<u64>,
    started: bool,
}

impl Pipeline {
    fn new(plan: &CompiledPlan, part: usize, parts: usize) -> Result<Pipeline> {
        let mut op = match &plan.query.root {
            Op::Project { input, .. } | Op::ProjectValue { input, .. } => &**input,
            _ => unreachable_plan()?,
        };
        let mut filters = Vec::new();
        let (mut limit, mut offset) = (None, None);
        loop {
            match op {
                Op::Filter { input, pred } => {
                    filters.push(*pred);
                    op = input;
                }
                Op::LimitOffset {
                    input,
                    limit: l,
                    offset: o,
                } => {
                    limit = *l;
                    offset = *o;
                    op = input;
                }
                // A pipeline's scan has nothing to its left: no dynamic keys.
                Op::ScanSource { source, layout, .. } => {
                    filters.reverse();
                    let reader = if parts > 1 && (limit.is_some() || offset.is_some()) {
                        // LIMIT over partitions would count per partition: run whole.
                        if part == 0 {
                            plan.sources[*source as usize].open_scan(layout, 0, 1)?
                        } else {
                            None
                        }
                    } else {
                        plan.sources[*source as usize].open_scan(layout, part, parts)?
                    };
                    let columns = match &plan.query.root {
                        Op::Project { fields, .. } => fields
                            .iter()
                            .map(|(_, p)| {
                                let prog = plan.program(*p);
                                if prog.code.is_empty() {
                                    Column::Reg(prog.result)
                                } else {
                                    Column::Program(*p)
                                }
                            })
                            .collect(),
                        _ => Vec::new(),
                    };
                    let column_regs = columns
                        .iter()
                        .enumerate()
                        .map(|(i, c)| match c {
                            Column::Reg(r) => *r,
                            Column::Program(_) => (plan.register_count + i) as Reg,
                        })
                        .collect();
                    let computed = columns.iter().any(|c| matches!(c, Column::Program(_)));
                    return Ok(Pipeline {
                        reader,
                        columns,
                        column_regs,
                        computed,
                        filters,
                        limit,
                        offset,
                        remaining: None,
                        started: false,
                    });
                }
                _ => return unreachable_plan(),
            }
        }
    }
}

fn unreachable_plan<T>() -> Result<T> {
    Err(QueryError::Eval(crate::error::EvalError::Fatal(
        "plan marked streaming has another shape".into(),
    )))
}

/// The rows of one execution.
pub struct ResultStream<'vm> {
    plan: &'vm CompiledPlan,
    arena: &'vm Bump,
    consts: Vec<Value<'vm>>,
    globals: Vec<Value<'vm>>,
    exec: Exec<'vm>,
}

impl<'vm> ResultStream<'vm> {
    /// The shape of the result: tuples with columns, values, or one scalar.
    pub fn shape(&self) -> &Shape {
        &self.plan.query.shape
    }

    /// Whether the result is ordered (a LIST) rather than a BAG.
    pub fn is_ordered(&self) -> bool {
        self.plan.query.ordered
    }

    /// The next row, valid until the next call.
    pub fn next_row(&mut self) -> Result<Option<RowView<'_>>> {
        let ResultStream {
            plan,
            arena,
            consts,
            globals,
            exec,
        } = self;
        let plan: &CompiledPlan = plan;
        match exec {
            Exec::General { cursor, regs, done } => {
                if *done {
                    return Ok(None);
                }
                let cx = Ctx {
                    plan,
                    arena,
                    consts,
                    globals,
                };
                if ops::next(cursor, &plan.query.root, regs, &cx)? {
                    Ok(Some(RowView {
                        shape: &plan.query.shape,
                        row: Row::Value {
                            value: regs[plan.query.out as usize],
                            _regs: None,
                        },
                    }))
                } else {
                    *done = true;
                    Ok(None)
                }
            }
            Exec::Streaming {
                pipeline,
                row_arena,
                regs_store,
            } => {
                row_arena.reset();
                let ra: &Bump = row_arena;
                let mut regs = take_regs(regs_store, plan.register_count + pipeline.columns.len());
                let cx = Ctx {
                    plan,
                    arena: ra,
                    consts,
                    globals,
                };
                let found = pipeline_next(pipeline, &mut regs, &cx);
                let regs = RegsGuard {
                    regs,
                    home: regs_store,
                };
                match found {
                    Ok(Some(Produced::Value(value))) => Ok(Some(RowView {
                        shape: &plan.query.shape,
                        row: Row::Value {
                            value,
                            _regs: Some(regs),
                        },
                    })),
                    Ok(Some(Produced::Columns)) => {
                        let pipeline: &Pipeline = pipeline;
                        Ok(Some(RowView {
                            shape: &plan.query.shape,
                            row: Row::Columns {
                                names: column_names(plan),
                                column_regs: &pipeline.column_regs,
                                regs: Regs::Owned(regs),
                                arena: ra,
                                tuple: Cell::new(None),
                            },
                        }))
                    }
                    other => other.map(|_| None),
                }
            }
        }
    }

    /// Calls `visit` with each remaining row in turn, stopping at the first error.
    ///
    /// The same rows as [`next_row`](Self::next_row) gives, for less work per row: a
    /// streaming plan keeps one register file and one row arena across many rows
    /// (the arena is reset once the batch has used [`BATCH_ARENA_BYTES`] of it, not
    /// before each row),
    /// and lends each row to `visit` instead of handing it out.
    pub fn for_each_row<F>(&mut self, mut visit: F) -> Result<()>
    where
        F: FnMut(&RowView<'_>) -> Result<()>,
    {
        let ResultStream {
            plan,
            consts,
            globals,
            exec,
            ..
        } = self;
        let plan: &CompiledPlan = plan;
        let Exec::Streaming {
            pipeline,
            row_arena,
            regs_store,
        } = exec
        else {
            while let Some(row) = self.next_row()? {
                visit(&row)?;
            }
            return Ok(());
        };
        let names = column_names(plan);
        loop {
            row_arena.reset();
            let ra: &Bump = row_arena;
            let (block, room) = (ra.allocated_bytes(), ra.chunk_capacity());
            let mut regs = take_regs(regs_store, plan.register_count + pipeline.columns.len());
            let cx = Ctx {
                plan,
                arena: ra,
                consts,
                globals,
            };
            let outcome = loop {
                let produced = match pipeline_next(pipeline, &mut regs, &cx) {
                    Ok(Some(p)) => p,
                    Ok(None) => break Ok(true),
                    Err(e) => break Err(e),
                };
                let row = RowView {
                    shape: &plan.query.shape,
                    row: match produced {
                        Produced::Value(value) => Row::Value { value, _regs: None },
                        Produced::Columns => Row::Columns {
                            names,
                            column_regs: &pipeline.column_regs,
                            regs: Regs::Lent(&regs),
                            arena: ra,
                            tuple: Cell::new(None),
                        },
                    },
                };
                if let Err(e) = visit(&row) {
                    break Err(e);
                }
                // A batch ends once its rows have used a few KiB of the arena (or
                // spilled into a new block): the arena stays one block, and the rows
                // reuse the same cache-warm bytes instead of sweeping the whole block.
                if ra.allocated_bytes() != block
                    || room.saturating_sub(ra.chunk_capacity()) > BATCH_ARENA_BYTES
                {
                    break Ok(false);
                }
            };
            **regs_store = recycle(regs);
            match outcome {
                Ok(false) => continue,
                Ok(true) => return Ok(()),
                Err(e) => return Err(e),
            }
        }
    }

    /// Reads every row and returns the whole result as one value: a BAG (a LIST if
    /// ordered) of the rows, or the scalar.
    pub fn materialize(mut self) -> Result<OwnedValue> {
        let mut items = Vec::new();
        while let Some(row) = self.next_row()? {
            items.push(row.to_owned_value());
        }
        Ok(result_value(self.plan, items))
    }
}

/// The whole result of `plan` from its rows: the scalar, or a LIST (ordered) or BAG.
fn result_value(plan: &CompiledPlan, mut items: Vec<OwnedValue>) -> OwnedValue {
    if plan.query.shape == Shape::Scalar {
        items.pop().unwrap_or(OwnedValue::Missing)
    } else if plan.query.ordered {
        OwnedValue::List(items)
    } else {
        OwnedValue::Bag(items)
    }
}

/// What [`pipeline_next`] produced: the columns of a `SELECT`, left in the pipeline's
/// column registers, or the value of a `SELECT VALUE`.
enum Produced<'a> {
    Columns,
    Value(Value<'a>),
}

// Inlined into its two callers (the row loop of `for_each_row` above all), so that
// its `Result<Option<_>>` never goes through memory.
#[inline(always)]
fn pipeline_next<'p: 'a, 'a>(
    p: &mut Pipeline,
    regs: &mut [Value<'a>],
    cx: &Ctx<'p, 'a>,
) -> Result<Option<Produced<'a>>> {
    let Some(reader) = p.reader.as_mut() else {
        return Ok(None);
    };
    if !p.started {
        p.started = true;
        let offset_prog = p.offset;
        let count = |prog: Option<ProgId>, regs: &mut [Value<'a>]| -> Result<Option<u64>> {
            let Some(prog) = prog else { return Ok(None) };
            match eval(cx.plan.program(prog), regs, cx)? {
                Value::Int(i) if i >= 0 => Ok(Some(i as u64)),
                // Permissive mode skips no rows for an OFFSET that is not a count.
                _ if Some(prog) == offset_prog && cx.plan.mode == crate::plan::Mode::Permissive => {
                    Ok(None)
                }
                other => Err(QueryError::Eval(crate::error::EvalError::Fatal(format!(
                    "LIMIT and OFFSET must be non-negative integers, got {}",
                    other.type_tag().name()
                )))),
            }
        };
        p.remaining = count(p.limit, regs)?;
        let mut skip = count(p.offset, regs)?.unwrap_or(0);
        while skip > 0 {
            if !next_passing(reader, &p.filters, regs, cx)? {
                return Ok(None);
            }
            skip -= 1;
        }
    }
    if p.remaining == Some(0) {
        return Ok(None);
    }
    if !next_passing(reader, &p.filters, regs, cx)? {
        return Ok(None);
    }
    if let Some(r) = p.remaining.as_mut() {
        *r -= 1;
    }
    // The projection. A `SELECT` leaves its columns in registers: the tuple is built
    // only if the consumer asks for the whole row. A `SELECT VALUE`'s value is returned
    // as well as stored in its register, so the caller does not read back what was just
    // written (a store-forwarding stall on every row).
    match &cx.plan.query.root {
        Op::Project { .. } if !p.computed => Ok(Some(Produced::Columns)),
        Op::Project { .. } => {
            for (c, &r) in p.columns.iter().zip(&p.column_regs) {
                if let Column::Program(prog) = *c {
                    regs[r as usize] = eval(cx.plan.program(prog), regs, cx)?;
                }
            }
            Ok(Some(Produced::Columns))
        }
        Op::ProjectValue { expr, out, .. } => {
            let value = eval(cx.plan.program(*expr), regs, cx)?;
            regs[*out as usize] = value;
            Ok(Some(Produced::Value(value)))
        }
        _ => unreachable_plan(),
    }
}

/// A copy of `v` that reads a scalar by its own fields (tag, then payload) rather than
/// as one wide block: the reader has just written it that way, and a wide load of
/// narrow stores still in flight stalls.
#[inline(always)]
#[expect(
    clippy::needless_match,
    reason = "the match is the point: it decides the width of the loads"
)]
fn copy_scalar<'a>(v: &Value<'a>) -> Value<'a> {
    match *v {
        Value::Int(i) => Value::Int(i),
        Value::Float(f) => Value::Float(f),
        Value::Bool(b) => Value::Bool(b),
        other => other,
    }
}

/// Reads rows until one passes every filter.
#[inline]
fn next_passing<'a>(
    reader: &mut ScanReader,
    filters: &[ProgId],
    regs: &mut [Value<'a>],
    cx: &Ctx<'_, 'a>,
) -> Result<bool> {
    'rows: loop {
        if !reader.next_row(&mut ValueWriter::new(regs, cx.arena))? {
            return Ok(false);
        }
        for f in filters {
            if !is_true(&eval(cx.plan.program(*f), regs, cx)?) {
                continue 'rows;
            }
        }
        return Ok(true);
    }
}

/// Gives the register file's allocation back to the VM when a row is done with.
struct RegsGuard<'s> {
    regs: Vec<Value<'s>>,
    home: &'s mut Vec<Value<'static>>,
}

impl Drop for RegsGuard<'_> {
    fn drop(&mut self) {
        *self.home = recycle(std::mem::take(&mut self.regs));
    }
}

/// One result row, valid until the stream's next call.
pub struct RowView<'s> {
    shape: &'s Shape,
    row: Row<'s>,
}

enum Row<'s> {
    /// A whole value: a row of a general plan, or of a streaming `SELECT VALUE`.
    Value {
        value: Value<'s>,
        _regs: Option<RegsGuard<'s>>,
    },
    /// The columns of a streaming `SELECT`, read from the registers they were
    /// computed in; the tuple is built (once) only when the whole row is asked for.
    Columns {
        names: &'s [(String, ProgId)],
        column_regs: &'s [Reg],
        regs: Regs<'s>,
        arena: &'s Bump,
        tuple: Cell<Option<Value<'s>>>,
    },
}

/// The registers a row's columns are read from: handed over with the row (one row per
/// call of [`ResultStream::next_row`]) or lent for the row's visit
/// ([`ResultStream::for_each_row`]).
enum Regs<'s> {
    Owned(RegsGuard<'s>),
    Lent(&'s [Value<'s>]),
}

impl<'s> Regs<'s> {
    #[inline]
    fn get(&self) -> &[Value<'s>] {
        match self {
            Regs::Owned(g) => &g.regs,
            Regs::Lent(r) => r,
        }
    }
}

impl<'s> RowView<'s> {
    /// Column `i`: for tuple results, the `i`-th projected column; otherwise the value
    /// itself (for `i == 0`).
    #[inline]
    pub fn get_value(&self, i: usize) -> Value<'_> {
        match &self.row {
            Row::Columns {
                column_regs, regs, ..
            } => match column_regs.get(i) {
                Some(&r) => copy_scalar(&regs.get()[r as usize]),
                None => Value::Missing,
            },
            Row::Value { value, .. } => self.value_column(*value, i),
        }
    }

    /// Column `i` of a row held as one value.
    #[inline(never)]
    fn value_column(&self, value: Value<'s>, i: usize) -> Value<'s> {
        match (self.shape, value) {
            (Shape::Tuples(cols), Value::Tuple(fields)) if !cols.is_empty() => {
                let Some(name) = cols.get(i) else {
                    return Value::Missing;
                };
                if let Some((k, v)) = fields.get(i) {
                    if k == name {
                        return *v;
                    }
                }
                lookup_field(fields, name, true)
            }
            (Shape::Tuples(_), Value::Tuple(fields)) => {
                fields.get(i).map(|(_, v)| *v).unwrap_or(Value::Missing)
            }
            (_, v) if i == 0 => v,
            _ => Value::Missing,
        }
    }

    pub fn get_i64(&self, i: usize) -> Option<i64> {
        match self.get_value(i) {
            Value::Int(v) => Some(v),
            _ => None,
        }
    }

    pub fn get_f64(&self, i: usize) -> Option<f64> {
        match self.get_value(i) {
            Value::Float(v) => Some(v),
            Value::Int(v) => Some(v as f64),
            _ => None,
        }
    }

    pub fn get_bool(&self, i: usize) -> Option<bool> {
        match self.get_value(i) {
            Value::Bool(v) => Some(v),
            _ => None,
        }
    }

    pub fn get_str(&self, i: usize) -> Option<&str> {
        match self.get_value(i) {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The whole row: a tuple, or the value of a `SELECT VALUE` / scalar query.
    pub fn value(&self) -> Value<'_> {
        match &self.row {
            Row::Value { value, .. } => *value,
            Row::Columns {
                names,
                column_regs,
                regs,
                arena,
                tuple,
            } => {
                if let Some(t) = tuple.get() {
                    return t;
                }
                let mut fields = bumpalo::collections::Vec::with_capacity_in(names.len(), arena);
                for ((name, _), &r) in names.iter().zip(column_regs.iter()) {
                    let v = regs.get()[r as usize];
                    // A MISSING column is left out of the tuple.
                    if !v.is_missing() {
                        fields.push((name.as_str(), v));
                    }
                }
                let t = Value::Tuple(fields.into_bump_slice());
                tuple.set(Some(t));
                t
            }
        }
    }

    pub fn to_owned_value(&self) -> OwnedValue {
        self.value().to_owned_value()
    }
}

/// Reusable VMs for one plan, for callers that run it often or on many threads.
pub struct VmPool {
    plan: Arc<CompiledPlan>,
    idle: Mutex<Vec<PartiQLVM>>,
}

impl VmPool {
    pub fn new(plan: Arc<CompiledPlan>) -> Self {
        VmPool {
            plan,
            idle: Mutex::new(Vec::new()),
        }
    }

    /// A VM for the plan: an idle one if there is one, else a new one. It returns to the
    /// pool when dropped.
    pub fn get(&self) -> PooledVm<'_> {
        let vm = self
            .idle
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .pop()
            .unwrap_or_else(|| PartiQLVM::new(Arc::clone(&self.plan)));
        PooledVm {
            pool: self,
            vm: Some(vm),
        }
    }

    pub fn idle_count(&self) -> usize {
        self.idle.lock().unwrap_or_else(|p| p.into_inner()).len()
    }
}

/// A VM borrowed from a [`VmPool`].
pub struct PooledVm<'p> {
    pool: &'p VmPool,
    vm: Option<PartiQLVM>,
}

impl std::ops::Deref for PooledVm<'_> {
    type Target = PartiQLVM;
    fn deref(&self) -> &PartiQLVM {
        self.vm.as_ref().expect("present until drop")
    }
}

impl std::ops::DerefMut for PooledVm<'_> {
    fn deref_mut(&mut self) -> &mut PartiQLVM {
        self.vm.as_mut().expect("present until drop")
    }
}

impl Drop for PooledVm<'_> {
    fn drop(&mut self) {
        if let Some(vm) = self.vm.take() {
            self.pool
                .idle
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(vm);
        }
    }
}

/// What the VM's tests share: running a query over an in-memory table `data`.
#[cfg(test)]
pub(crate) mod testing {
    use crate::{Catalog, Compiler, MemorySource, OwnedValue, PartiQLVM};
    use std::sync::Arc;

    /// The result of `q` over `data` (a bag of `rows`), as a list of its rows.
    pub fn run_rows(rows: Vec<OwnedValue>, q: &str) -> Vec<OwnedValue> {
        try_rows(rows, q).expect("runs")
    }

    /// [`run_rows`], or the error the query stopped with.
    pub fn try_rows(rows: Vec<OwnedValue>, q: &str) -> crate::error::Result<Vec<OwnedValue>> {
        let mut catalog = Catalog::new();
        catalog.add_source("data", Arc::new(MemorySource::new(rows)));
        let plan = Compiler::new(&catalog).compile(q).expect("compiles");
        let v = PartiQLVM::new(plan).execute()?.materialize()?;
        Ok(match v {
            OwnedValue::Bag(items) | OwnedValue::List(items) => items,
            other => vec![other],
        })
    }

    /// Field `name` of a tuple row.
    pub fn field<'v>(row: &'v OwnedValue, name: &str) -> Option<&'v OwnedValue> {
        match row {
            OwnedValue::Tuple(fields) => fields.iter().find(|(k, _)| k == name).map(|(_, v)| v),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Catalog, Compiler, MemorySource};

    /// A streaming `SELECT` hands out its columns from registers and builds the tuple
    /// only on request; both views agree, a MISSING column is left out of the tuple,
    /// and one computed column does not overwrite another.
    #[test]
    fn streamed_columns_and_the_built_tuple_agree() {
        use OwnedValue as O;
        let rows = vec![
            O::tuple([("a", O::Int(1)), ("b", O::Int(2))]),
            O::tuple([("a", O::Int(3))]),
        ];
        let mut catalog = Catalog::new();
        catalog.add_source("data", Arc::new(MemorySource::new(rows)));
        let plan = Compiler::new(&catalog)
            .compile("SELECT r.a, r.b, r.a + 10 AS c, (r.a * 2) - 1 AS d FROM data AS r")
            .expect("compiles");
        assert!(plan.streaming, "the test is about the fused pipeline");
        let mut vm = PartiQLVM::new(plan);
        let mut stream = vm.execute().expect("runs");
        let mut seen = Vec::new();
        while let Some(row) = stream.next_row().expect("a row") {
            let cols: Vec<O> = (0..5).map(|i| row.get_value(i).to_owned_value()).collect();
            // Asked twice: the same tuple.
            assert_eq!(row.to_owned_value(), row.to_owned_value());
            seen.push((cols, row.to_owned_value()));
        }
        assert_eq!(
            seen,
            vec![
                (
                    vec![O::Int(1), O::Int(2), O::Int(11), O::Int(1), O::Missing],
                    O::tuple([
                        ("a", O::Int(1)),
                        ("b", O::Int(2)),
                        ("c", O::Int(11)),
                        ("d", O::Int(1))
                    ])
                ),
                (
                    vec![O::Int(3), O::Missing, O::Int(13), O::Int(5), O::Missing],
                    O::tuple([("a", O::Int(3)), ("c", O::Int(13)), ("d", O::Int(5))])
                ),
            ]
        );
    }

    /// `for_each_row` visits exactly the rows `next_row` gives, in order: for a
    /// streaming plan whose rows fill the row arena many times over (so batches end and
    /// the arena is reset between them), with LIMIT / OFFSET, and for a blocking plan;
    /// an error from the visitor stops the visit and is returned.
    #[test]
    fn for_each_row_visits_what_next_row_gives() {
        use OwnedValue as O;
        let rows: Vec<O> = (0..3000)
            .map(|i| {
                O::tuple([
                    ("a", O::Int(i)),
                    ("s", O::Str(format!("row number {i} with some text"))),
                ])
            })
            .collect();
        let mut catalog = Catalog::new();
        catalog.add_source("data", Arc::new(MemorySource::new(rows)));
        for q in [
            "SELECT r.a, r.s FROM data AS r WHERE r.a % 3 = 0",
            "SELECT r.a, UPPER(r.s) AS u FROM data AS r",
            "SELECT VALUE r.s || '!' FROM data AS r",
            "SELECT r.a FROM data AS r LIMIT 7 OFFSET 5",
            "SELECT r.a % 10 AS k, COUNT(*) AS n FROM data AS r GROUP BY r.a % 10",
        ] {
            let plan = Compiler::new(&catalog).compile(q).expect("compiles");
            let mut vm = PartiQLVM::new(plan);
            let mut pulled = Vec::new();
            let mut stream = vm.execute().expect("runs");
            while let Some(row) = stream.next_row().expect("a row") {
                pulled.push(row.to_owned_value());
            }
            drop(stream);
            let mut visited = Vec::new();
            vm.execute()
                .expect("runs")
                .for_each_row(|row| {
                    visited.push(row.to_owned_value());
                    Ok(())
                })
                .expect("visits");
            assert!(!pulled.is_empty(), "{q}");
            assert_eq!(visited, pulled, "{q}");
            // Stopping early: the visitor's error comes back after one row.
            let mut seen = 0;
            let stopped = vm.execute().expect("runs").for_each_row(|_| {
                seen += 1;
                Err(QueryError::Eval(crate::error::EvalError::Fatal(
                    "stop".into(),
                )))
            });
            assert!(stopped.is_err(), "{q}");
            assert_eq!(seen, 1, "{q}");
        }
    }
}
