//! Logical operators → Cairn's operator tree ([`Op`]), with variables bound to slots.

use super::catalog::{Catalog, Global};
use super::expr::binding_name;
use crate::error::{QueryError, Result};
use crate::functions::{FunctionRegistry, LikePattern};
use crate::plan::*;
use crate::reader::{ScanLayout, Source};
use crate::value::OwnedValue;
use partiql_logical as lg;
use std::collections::HashMap;
use std::sync::Arc;

/// `e` itself, or the variable of the GROUP BY key whose expression `e` is (after
/// grouping only the keys are in scope: `GROUP BY t.a ORDER BY t.a`).
fn group_key_ref(e: &lg::ValueExpr, group: Option<&lg::GroupBy>) -> lg::ValueExpr {
    let key = group.and_then(|g| g.exprs.iter().find(|(_, k)| *k == e));
    match key {
        Some((name, _)) => lg::ValueExpr::VarRef(
            partiql_value::BindingsName::CaseSensitive(name.clone().into()),
            lg::VarRefType::Local,
        ),
        None => e.clone(),
    }
}

/// Whether `e` is a negative integer written as a literal (`-1`).
fn negative_literal(e: &lg::ValueExpr) -> bool {
    let positive = |e: &lg::ValueExpr| match e {
        lg::ValueExpr::Lit(l) => match **l {
            lg::Lit::Int8(i) => i > 0,
            lg::Lit::Int16(i) => i > 0,
            lg::Lit::Int32(i) => i > 0,
            lg::Lit::Int64(i) => i > 0,
            _ => false,
        },
        _ => false,
    };
    match e {
        lg::ValueExpr::Lit(l) => {
            matches!(**l,
            lg::Lit::Int8(i) if i < 0)
                || matches!(**l, lg::Lit::Int16(i) if i < 0)
                || matches!(**l, lg::Lit::Int32(i) if i < 0)
                || matches!(**l, lg::Lit::Int64(i) if i < 0)
        }
        lg::ValueExpr::UnExpr(lg::UnaryOp::Neg, inner) => positive(inner),
        _ => false,
    }
}

/// Temporaries are numbered apart from slots while compiling, then placed after them.
pub(crate) const TEMP_BIT: Reg = 1 << 31;

/// The variable that holds a whole output row where a sort orders rows that no
/// variables describe (the result of a set operation). No query can name it.
const ROW_VAR: &str = "\u{0}row";

/// Variables in scope, innermost last. `local_start` marks where the current query's
/// own variables begin (those before belong to enclosing queries).
#[derive(Clone, Debug, Default)]
pub(crate) struct Scope {
    pub vars: Vec<(String, Reg)>,
    pub local_start: usize,
}

impl Scope {
    pub fn lookup(&self, name: &str, case_sensitive: bool) -> Option<Reg> {
        let hit = |n: &String| {
            if case_sensitive {
                n == name
            } else {
                n.eq_ignore_ascii_case(name)
            }
        };
        self.vars
            .iter()
            .rev()
            .find(|(n, _)| hit(n))
            .map(|(_, r)| *r)
    }

    fn with(&self, name: &str, slot: Reg) -> Scope {
        let mut s = self.clone();
        s.vars.push((name.to_string(), slot));
        s
    }

    fn nested(&self) -> Scope {
        Scope {
            vars: self.vars.clone(),
            local_start: self.vars.len(),
        }
    }

    fn locals(&self) -> &[(String, Reg)] {
        &self.vars[self.local_start..]
    }

    fn outer(&self) -> Scope {
        Scope {
            vars: self.vars[..self.local_start].to_vec(),
            local_start: self.local_start,
        }
    }
}

/// What compiling one logical operator yields.
struct NodeOut {
    op: Op,
    scope: Scope,
    out: Option<Reg>,
    shape: Shape,
    ordered: bool,
}

/// Accumulates everything a [`CompiledPlan`] holds while operators are compiled.
pub(crate) struct PlanBuilder<'c> {
    pub catalog: &'c Catalog,
    pub functions: &'c Arc<FunctionRegistry>,
    pub(crate) mode: Mode,
    pub programs: Vec<Program>,
    pub consts: Vec<OwnedValue>,
    pub names: Vec<String>,
    pub likes: Vec<LikePattern>,
    pub subqueries: Vec<Query>,
    globals: Vec<OwnedValue>,
    global_ids: HashMap<String, u32>,
    pub(crate) sources: Vec<Arc<dyn Source>>,
    /// Whether equi-joins may become hash joins (tests turn it off for a reference).
    pub(crate) hash_joins: bool,
    slots: Reg,
    temps: Reg,
}

impl<'c> PlanBuilder<'c> {
    pub fn new(catalog: &'c Catalog, functions: &'c Arc<FunctionRegistry>, mode: Mode) -> Self {
        PlanBuilder {
            catalog,
            functions,
            mode,
            programs: Vec::new(),
            consts: Vec::new(),
            names: Vec::new(),
            likes: Vec::new(),
            subqueries: Vec::new(),
            globals: Vec::new(),
            global_ids: HashMap::new(),
            sources: Vec::new(),
            hash_joins: true,
            slots: 0,
            temps: 0,
        }
    }

    pub fn slot(&mut self) -> Reg {
        self.slots += 1;
        self.slots - 1
    }

    pub fn temp(&mut self) -> Reg {
        self.temps(1)
    }

    /// `n` consecutive temporaries.
    pub fn temps(&mut self, n: u32) -> Reg {
        let r = self.temps;
        self.temps += n;
        TEMP_BIT | r
    }

    /// The index of a global value, or `None` when the catalog lacks it.
    pub fn global(&mut self, name: &str, case_sensitive: bool) -> Result<Option<u32>> {
        match self.catalog.lookup(name, case_sensitive) {
            None => Ok(None),
            Some(Global::Value(v)) => {
                let key = format!("{name}/{case_sensitive}");
                if let Some(&g) = self.global_ids.get(&key) {
                    return Ok(Some(g));
                }
                self.globals.push((**v).clone());
                let g = self.globals.len() as u32 - 1;
                self.global_ids.insert(key, g);
                Ok(Some(g))
            }
            Some(Global::Source(s)) => Err(QueryError::Planning {
                message: format!(
                    "table `{name}` ({}) can only be read in a FROM clause",
                    s.describe()
                ),
                location: None,
            }),
        }
    }

    /// A catalog source named by a scan expression, if that is what it is.
    fn scan_source(&self, e: &lg::ValueExpr, scope: &Scope) -> Option<Arc<dyn Source>> {
        let (name, kind) = match e {
            lg::ValueExpr::VarRef(n, k) => (n, k),
            lg::ValueExpr::DynamicLookup(c) => {
                // A FROM item naming a catalog table reads the table, even where the
                // planner also offers a path into an outer variable as a candidate.
                let global = c.iter().find_map(|e| match e {
                    lg::ValueExpr::VarRef(n, k @ lg::VarRefType::Global) => Some((n, k)),
                    _ => None,
                });
                let local_hit = c.iter().any(|e| match e {
                    lg::ValueExpr::VarRef(n, lg::VarRefType::Local) => {
                        let (n, cs) = binding_name(n);
                        scope.lookup(&n, cs).is_some()
                    }
                    _ => false,
                });
                match global {
                    Some(g) if !local_hit => g,
                    _ => return None,
                }
            }
            _ => return None,
        };
        if !matches!(kind, lg::VarRefType::Global) {
            return None;
        }
        let (n, cs) = binding_name(name);
        match self.catalog.lookup(&n, cs) {
            Some(Global::Source(s)) => Some(Arc::clone(s)),
            _ => None,
        }
    }

    /// The GROUP BY that feeds `id` through HAVING (and nothing else), if any.
    fn upstream_group(
        plan: &lg::LogicalPlan<lg::BindingsOp>,
        id: lg::OpId,
    ) -> Option<&lg::GroupBy> {
        let mut at = *inputs(plan, id).first()?;
        loop {
            match plan.operator(at)? {
                lg::BindingsOp::GroupBy(g) => return Some(g),
                lg::BindingsOp::Having(_) => at = *inputs(plan, at).first()?,
                _ => return None,
            }
        }
    }

    /// The AT variables of the FROM items that feed `id` (within the same query), or `None`
    /// when a GROUP BY does (its keys are named).
    fn upstream_at_names(
        plan: &lg::LogicalPlan<lg::BindingsOp>,
        id: lg::OpId,
    ) -> Option<Vec<String>> {
        let mut names = Vec::new();
        let mut next = inputs(plan, id);
        while let Some(op) = next.pop() {
            match plan.operator(op) {
                Some(lg::BindingsOp::GroupBy(_)) => return None,
                Some(lg::BindingsOp::Scan(lg::Scan { at_key, .. }))
                | Some(lg::BindingsOp::Unpivot(lg::Unpivot { at_key, .. })) => {
                    names.extend(at_key.iter().cloned());
                }
                _ => {}
            }
            next.extend(inputs(plan, op));
        }
        Some(names)
    }

    /// `e` with a name that no variable in `scope` resolves read as a field of the row in
    /// [`ROW_VAR`] instead.
    fn row_field(&self, e: &lg::ValueExpr, scope: &Scope) -> lg::ValueExpr {
        let name = match e {
            lg::ValueExpr::VarRef(n, _) => Some(n),
            lg::ValueExpr::DynamicLookup(c) => c.iter().find_map(|c| match c {
                lg::ValueExpr::VarRef(n, _) => Some(n),
                _ => None,
            }),
            _ => None,
        };
        match name {
            Some(n) if !self.resolvable(e, scope) => lg::ValueExpr::Path(
                Box::new(lg::ValueExpr::VarRef(
                    partiql_value::BindingsName::CaseSensitive(ROW_VAR.into()),
                    lg::VarRefType::Local,
                )),
                vec![lg::PathComponent::Key(n.clone())],
            ),
            _ => e.clone(),
        }
    }

    /// Compiles a whole logical plan.
    pub fn build(mut self, plan: &lg::LogicalPlan<lg::BindingsOp>) -> Result<CompiledPlan> {
        let mut query = self.query(plan, &Scope::default())?;
        if self.mode == Mode::Permissive {
            let slots = &mut self.slots;
            let mut queries: Vec<&mut Query> = std::iter::once(&mut query)
                .chain(self.subqueries.iter_mut())
                .collect();
            super::projection::push_projections(
                &mut queries,
                &mut self.programs,
                &self.names,
                || {
                    *slots += 1;
                    *slots - 1
                },
            );
        }
        super::copies::propagate_copies(&mut self.programs);
        let slot_count = self.slots as usize;
        let remap = |r: Reg| {
            if r & TEMP_BIT != 0 {
                self.slots + (r & !TEMP_BIT)
            } else {
                r
            }
        };
        let mut programs = std::mem::take(&mut self.programs);
        for p in &mut programs {
            for i in &mut p.code {
                i.map_regs(remap);
            }
            p.result = remap(p.result);
        }
        super::typed::add_int_forms(&mut programs, self.slots, &self.consts);
        let streaming = is_streaming(&query.root)
            && !programs
                .iter()
                .any(|p| p.code.iter().any(|i| matches!(i, Instr::SubQuery { .. })));
        Ok(CompiledPlan {
            query,
            programs,
            consts: self.consts,
            names: self.names,
            likes: self.likes,
            subqueries: self.subqueries,
            globals: self.globals,
            sources: self.sources,
            functions: Arc::clone(self.functions),
            slot_count,
            register_count: slot_count + self.temps as usize,
            mode: self.mode,
            streaming,
        })
    }

    /// Compiles a (sub)plan whose variables nest inside `outer`.
    pub(crate) fn query(
        &mut self,
        plan: &lg::LogicalPlan<lg::BindingsOp>,
        outer: &Scope,
    ) -> Result<Query> {
        let sink = plan
            .operators_by_id()
            .find(|(_, op)| matches!(op, lg::BindingsOp::Sink))
            .map(|(id, _)| id);
        let root = match sink {
            Some(sink) => inputs(plan, sink)
                .first()
                .copied()
                .ok_or_else(|| planning("query has no operators"))?,
            // A sub-plan without a sink ends at the operator nothing consumes.
            None => plan
                .operators_by_id()
                .map(|(id, _)| id)
                .find(|id| !plan.flows().iter().any(|(s, _, _)| s == id))
                .ok_or_else(|| planning("query has no operators"))?,
        };
        self.query_at(plan, root, &outer.nested())
    }

    fn query_at(
        &mut self,
        plan: &lg::LogicalPlan<lg::BindingsOp>,
        root: lg::OpId,
        outer: &Scope,
    ) -> Result<Query> {
        let n = self.node(plan, root, outer)?;
        let out = n
            .out
            .ok_or_else(|| planning("query does not produce a value"))?;
        Ok(Query {
            root: n.op,
            out,
            shape: n.shape,
            ordered: n.ordered,
        })
    }

    fn input(
        &mut self,
        plan: &lg::LogicalPlan<lg::BindingsOp>,
        id: lg::OpId,
        outer: &Scope,
    ) -> Result<NodeOut> {
        let ins = inputs(plan, id);
        let first = ins
            .first()
            .copied()
            .ok_or_else(|| planning("operator has no input"))?;
        self.node(plan, first, outer)
    }

    fn node(
        &mut self,
        plan: &lg::LogicalPlan<lg::BindingsOp>,
        id: lg::OpId,
        outer: &Scope,
    ) -> Result<NodeOut> {
        use lg::BindingsOp as B;
        let op = plan
            .operator(id)
            .ok_or_else(|| planning("dangling operator"))?;
        match op {
            B::Scan(_) | B::Unpivot(_) | B::Join(_) => {
                let (op, scope) = self.leaf(op, outer)?;
                Ok(NodeOut {
                    op,
                    scope,
                    out: None,
                    shape: Shape::Values,
                    ordered: false,
                })
            }
            B::Filter(lg::Filter { expr }) | B::Having(lg::Having { expr }) => {
                let mut n = self.input(plan, id, outer)?;
                let pred = self.program(expr, &n.scope)?;
                let vars = &n.scope.vars;
                super::pushdown::push_key_filters(
                    &mut n.op,
                    expr,
                    |slot| {
                        vars.iter()
                            .find(|(_, r)| *r == slot)
                            .map(|(v, _)| v.clone())
                    },
                    &self.sources,
                );
                let scope = n.scope.clone();
                self.push_join_keys(&mut n.op, expr, &scope)?;
                self.hash_join_where(&mut n.op, expr, &scope)?;
                n.op = Op::Filter {
                    input: Box::new(n.op),
                    pred,
                };
                Ok(n)
            }
            B::GroupBy(g) => {
                let n = self.input(plan, id, outer)?;
                let mut keys: Vec<(&String, &lg::ValueExpr)> = g.exprs.iter().collect();
                keys.sort_by(|a, b| a.0.cmp(b.0));
                let implicit = keys.len() == 1 && keys[0].0 == "$__gk";
                let mut scope = n.scope.outer();
                let mut key_progs = Vec::new();
                for (name, e) in keys {
                    let p = self.program(e, &n.scope)?;
                    let slot = self.slot();
                    key_progs.push((p, slot));
                    scope.vars.push((name.clone(), slot));
                }
                let mut aggs = Vec::new();
                for a in &g.aggregate_exprs {
                    let arg = self.program(&a.expr, &n.scope)?;
                    let out = self.slot();
                    let func = match a.func {
                        lg::AggFunc::AggAvg => AggFunc::Avg,
                        lg::AggFunc::AggCount => AggFunc::Count,
                        lg::AggFunc::AggMax => AggFunc::Max,
                        lg::AggFunc::AggMin => AggFunc::Min,
                        lg::AggFunc::AggSum => AggFunc::Sum,
                        lg::AggFunc::AggAny => AggFunc::Any,
                        lg::AggFunc::AggEvery => AggFunc::Every,
                        #[allow(unreachable_patterns)]
                        ref other => {
                            return Err(QueryError::Unsupported(format!("aggregate {other:?}")))
                        }
                    };
                    aggs.push(AggSpec {
                        func,
                        distinct: matches!(a.setq, lg::SetQuantifier::Distinct),
                        arg,
                        out,
                    });
                    scope.vars.push((a.name.clone(), out));
                }
                // Aggregates of HAVING and ORDER BY, carried by hidden SELECT items,
                // are read by those items' names.
                for (_, op) in plan.operators_by_id() {
                    let lg::BindingsOp::Project(p) = op else {
                        continue;
                    };
                    for (name, e) in &p.exprs {
                        if !name.starts_with(super::rewrite::HIDDEN) {
                            continue;
                        }
                        if let lg::ValueExpr::VarRef(agg, _) = e {
                            let (agg, cs) = binding_name(agg);
                            if let Some(slot) = scope.lookup(&agg, cs) {
                                scope.vars.push((name.clone(), slot));
                            }
                        }
                    }
                }
                let group_as = match &g.group_as_alias {
                    Some(alias) => {
                        let slot = self.slot();
                        scope.vars.push((alias.clone(), slot));
                        Some((slot, n.scope.locals().to_vec()))
                    }
                    None => None,
                };
                scope.local_start = n.scope.local_start;
                Ok(NodeOut {
                    op: Op::GroupBy {
                        input: Box::new(n.op),
                        keys: key_progs,
                        aggs,
                        group_as,
                        implicit,
                    },
                    scope,
                    out: None,
                    shape: Shape::Values,
                    ordered: false,
                })
            }
            B::OrderBy(o) => {
                let mut n = self.input(plan, id, outer)?;
                // Over the rows of a set operation there are no variables, only the rows:
                // names in the sort keys are their fields.
                let over_rows = match n.out {
                    Some(out) if n.scope.locals().is_empty() => {
                        n.scope = n.scope.with(ROW_VAR, out);
                        true
                    }
                    _ => false,
                };
                let group = Self::upstream_group(plan, id);
                let keys = o
                    .specs
                    .iter()
                    .map(|s| {
                        let expr = if over_rows {
                            self.row_field(&s.expr, &n.scope)
                        } else {
                            group_key_ref(&s.expr, group)
                        };
                        Ok(SortKey {
                            expr: self.program(&expr, &n.scope)?,
                            descending: matches!(s.order, lg::SortSpecOrder::Desc),
                            nulls_first: matches!(s.null_order, lg::SortSpecNullOrder::First),
                        })
                    })
                    .collect::<Result<Vec<_>>>()?;
                let carry = n.scope.locals().iter().map(|(_, r)| *r).collect();
                n.op = Op::OrderBy {
                    input: Box::new(n.op),
                    keys,
                    carry,
                    top: None,
                };
                n.ordered = true;
                Ok(n)
            }
            B::LimitOffset(l) => {
                for e in l.limit.iter().chain(&l.offset) {
                    if negative_literal(e) {
                        return Err(planning("LIMIT and OFFSET must not be negative"));
                    }
                }
                let mut n = self.input(plan, id, outer)?;
                let limit = l
                    .limit
                    .as_ref()
                    .map(|e| self.program(e, &n.scope))
                    .transpose()?;
                let offset = l
                    .offset
                    .as_ref()
                    .map(|e| self.program(e, &n.scope))
                    .transpose()?;
                if let (Op::OrderBy { top, .. }, Some(limit)) = (&mut n.op, limit) {
                    *top = Some(TopK { limit, offset });
                }
                n.op = Op::LimitOffset {
                    input: Box::new(n.op),
                    limit,
                    offset,
                };
                Ok(n)
            }
            B::Project(p) => {
                let mut n = self.input(plan, id, outer)?;
                let fields = p
                    .exprs
                    .iter()
                    .filter(|(name, _)| !name.starts_with(super::rewrite::HIDDEN))
                    .map(|(name, e)| Ok((name.clone(), self.program(e, &n.scope)?)))
                    .collect::<Result<Vec<_>>>()?;
                let out = self.slot();
                let columns = fields.iter().map(|(n, _)| n.clone()).collect();
                n.op = Op::Project {
                    input: Box::new(n.op),
                    fields,
                    out,
                };
                n.out = Some(out);
                n.shape = Shape::Tuples(columns);
                Ok(n)
            }
            B::ProjectAll(_) => {
                let mut n = self.input(plan, id, outer)?;
                let out = self.slot();
                let mut vars = n.scope.locals().to_vec();
                if let Some(at_names) = Self::upstream_at_names(plan, id) {
                    // A FROM variable whose value is not a tuple is named by its
                    // position, as an unnamed SELECT item is (AT variables and grouping
                    // keys keep their names).
                    let mut position = 0;
                    for (name, _) in vars.iter_mut() {
                        if !at_names.contains(name) {
                            position += 1;
                            *name = format!("_{position}");
                        }
                    }
                }
                n.op = Op::ProjectAll {
                    input: Box::new(n.op),
                    vars,
                    out,
                };
                n.out = Some(out);
                n.shape = Shape::Tuples(Vec::new());
                Ok(n)
            }
            B::ProjectValue(p) => {
                let mut n = self.input(plan, id, outer)?;
                let expr = self.program(&p.expr, &n.scope)?;
                let out = self.slot();
                n.op = Op::ProjectValue {
                    input: Box::new(n.op),
                    expr,
                    out,
                };
                n.out = Some(out);
                n.shape = Shape::Values;
                Ok(n)
            }
            B::Pivot(p) => {
                let mut n = self.input(plan, id, outer)?;
                let key = self.program(&p.key, &n.scope)?;
                let value = self.program(&p.value, &n.scope)?;
                let out = self.slot();
                n.op = Op::Pivot {
                    input: Box::new(n.op),
                    key,
                    value,
                    out,
                };
                n.out = Some(out);
                n.shape = Shape::Scalar;
                Ok(n)
            }
            B::Distinct => {
                let mut n = self.input(plan, id, outer)?;
                let slot = n
                    .out
                    .ok_or_else(|| planning("DISTINCT without a projection"))?;
                n.op = Op::Distinct {
                    input: Box::new(n.op),
                    slot,
                };
                Ok(n)
            }
            B::BagOp(b) => {
                let ins = inputs(plan, id);
                if ins.len() != 2 {
                    return Err(planning("set operator needs two inputs"));
                }
                let left = self.query_at(plan, ins[0], &outer.nested())?;
                let right = self.query_at(plan, ins[1], &outer.nested())?;
                let (op, outer_op) = match b.bag_op {
                    lg::BagOperator::Union => (SetOp::Union, false),
                    lg::BagOperator::Intersect => (SetOp::Intersect, false),
                    lg::BagOperator::Except => (SetOp::Except, false),
                    lg::BagOperator::OuterUnion => (SetOp::Union, true),
                    lg::BagOperator::OuterIntersect => (SetOp::Intersect, true),
                    lg::BagOperator::OuterExcept => (SetOp::Except, true),
                    #[allow(unreachable_patterns)]
                    ref other => {
                        return Err(QueryError::Unsupported(format!("set operator {other:?}")))
                    }
                };
                let out = self.slot();
                Ok(NodeOut {
                    op: Op::SetOp {
                        op,
                        all: matches!(b.setq, lg::SetQuantifier::All),
                        outer: outer_op,
                        left: Box::new(left),
                        right: Box::new(right),
                        out,
                    },
                    scope: outer.clone(),
                    out: Some(out),
                    shape: Shape::Values,
                    ordered: false,
                })
            }
            B::ExprQuery(q) => {
                let expr = self.program(&q.expr, outer)?;
                let out = self.slot();
                Ok(NodeOut {
                    op: Op::ExprQuery { expr, out },
                    scope: outer.clone(),
                    out: Some(out),
                    shape: Shape::Scalar,
                    ordered: false,
                })
            }
            B::Sink => self.input(plan, id, outer),
            #[allow(unreachable_patterns)]
            other => Err(QueryError::Unsupported(format!("operator {other:?}"))),
        }
    }

    /// Index nested-loop joins: for each scan of an indexed source inside the join
    /// tree `op`, the conjuncts of `pred` equating one of its fields with an
    /// expression over variables bound before it (`e.target = b.id`) become dynamic
    /// key filters, evaluated each time the scan is opened for a row on its left.
    fn push_join_keys(&mut self, op: &mut Op, pred: &lg::ValueExpr, scope: &Scope) -> Result<()> {
        if !matches!(op, Op::Join { .. } | Op::HashJoin { .. }) {
            return Ok(());
        }
        let mut leaves = Vec::new();
        collect_leaves(op, &self.sources, &mut leaves);
        let mut keys: Vec<Vec<DynamicKey>> = vec![Vec::new(); leaves.len()];
        let mut equalities = Vec::new();
        super::pushdown::conjuncts(pred, &mut |e| {
            if let lg::ValueExpr::BinaryExpr(lg::BinaryOp::Eq, a, b) = e {
                equalities.push((a.as_ref(), b.as_ref()));
            }
        });
        for (i, leaf) in leaves.iter().enumerate() {
            let Some((slot, indexed)) = leaf.indexed else {
                continue;
            };
            let Some(var) = scope
                .vars
                .iter()
                .rev()
                .find(|(_, r)| *r == slot)
                .map(|(v, _)| v.clone())
            else {
                continue;
            };
            // Slots bound by this scan and those after it: the value must not read them.
            let later: Vec<Reg> = leaves[i..]
                .iter()
                .flat_map(|l| l.binds.iter().copied())
                .collect();
            for &(a, b) in &equalities {
                for (side, other) in [(a, b), (b, a)] {
                    let Some(field) = super::pushdown::field_of(side, &var) else {
                        continue;
                    };
                    let known = indexed.iter().any(|f| f.eq_ignore_ascii_case(&field));
                    if !known || keys[i].iter().any(|k| k.field.eq_ignore_ascii_case(&field)) {
                        continue;
                    }
                    if super::pushdown::field_of(other, &var).is_some() {
                        continue;
                    }
                    let value = self.program(other, scope)?;
                    if self.program_slots(value).iter().any(|r| later.contains(r)) {
                        continue;
                    }
                    keys[i].push(DynamicKey { field, value });
                }
            }
        }
        let mut next = 0;
        assign_keys(op, &mut keys, &mut next);
        Ok(())
    }

    /// The variable slots a program reads.
    fn program_slots(&self, p: ProgId) -> Vec<Reg> {
        let mut out = Vec::new();
        let program = &self.programs[p.0 as usize];
        for i in &program.code {
            i.clone().map_regs(|r| {
                if r & TEMP_BIT == 0 {
                    out.push(r);
                }
                r
            });
        }
        if program.result & TEMP_BIT == 0 {
            out.push(program.result);
        }
        out
    }

    /// Compiles a FROM source: a scan, an unpivot or a join of them.
    fn leaf(&mut self, op: &lg::BindingsOp, scope: &Scope) -> Result<(Op, Scope)> {
        match op {
            lg::BindingsOp::Scan(s) => {
                let as_slot = self.slot();
                let at_slot = s.at_key.as_ref().map(|_| self.slot());
                let mut out = scope.with(&s.as_key, as_slot);
                if let (Some(at), Some(slot)) = (&s.at_key, at_slot) {
                    out = out.with(at, slot);
                }
                if let Some(source) = self.scan_source(&s.expr, scope) {
                    self.sources.push(source);
                    let mut layout = ScanLayout::whole_row(as_slot);
                    layout.position = at_slot;
                    return Ok((
                        Op::ScanSource {
                            source: self.sources.len() as u32 - 1,
                            layout,
                            keys: Vec::new(),
                        },
                        out,
                    ));
                }
                let expr = self.program(&s.expr, scope)?;
                Ok((
                    Op::Scan {
                        expr,
                        as_slot,
                        at_slot,
                    },
                    out,
                ))
            }
            lg::BindingsOp::Unpivot(u) => {
                let expr = self.program(&u.expr, scope)?;
                let as_slot = self.slot();
                let at_slot = u.at_key.as_ref().map(|_| self.slot());
                let mut out = scope.with(&u.as_key, as_slot);
                if let (Some(at), Some(slot)) = (&u.at_key, at_slot) {
                    out = out.with(at, slot);
                }
                Ok((
                    Op::Unpivot {
                        expr,
                        as_slot,
                        at_slot,
                    },
                    out,
                ))
            }
            lg::BindingsOp::Join(j) => {
                let kind = match j.kind {
                    lg::JoinKind::Inner | lg::JoinKind::Cross => JoinKind::Inner,
                    lg::JoinKind::Left => JoinKind::Left,
                    lg::JoinKind::Right => {
                        return Err(QueryError::Unsupported("RIGHT JOIN".into()))
                    }
                    lg::JoinKind::Full => return Err(QueryError::Unsupported("FULL JOIN".into())),
                    #[allow(unreachable_patterns)]
                    ref other => return Err(QueryError::Unsupported(format!("join {other:?}"))),
                };
                let (left, ls) = self.leaf(&j.left, scope)?;
                let (right, rs) = self.leaf(&j.right, &ls)?;
                let right_slots = rs.vars[ls.vars.len()..].iter().map(|(_, r)| *r).collect();
                let on = j.on.as_ref().map(|e| self.program(e, &rs)).transpose()?;
                let mut join = Op::Join {
                    kind,
                    left: Box::new(left),
                    right: Box::new(right),
                    on,
                    right_slots,
                    missing_slots: Vec::new(),
                };
                if let Some(e) = &j.on {
                    self.push_join_keys(&mut join, e, &rs)?;
                    self.hash_join_on(&mut join, e, &rs)?;
                }
                Ok((join, rs))
            }
            other => Err(QueryError::Unsupported(format!(
                "FROM source {}",
                format!("{other:?}").chars().take(60).collect::<String>()
            ))),
        }
    }
}

fn planning(msg: &str) -> QueryError {
    QueryError::Planning {
        message: msg.to_string(),
        location: None,
    }
}

/// The operators feeding `id`, in branch order.
fn inputs(plan: &lg::LogicalPlan<lg::BindingsOp>, id: lg::OpId) -> Vec<lg::OpId> {
    let mut ins: Vec<(u8, lg::OpId)> = plan
        .flows()
        .iter()
        .filter(|(_, d, _)| *d == id)
        .map(|(s, _, b)| (*b, *s))
        .collect();
    ins.sort_by_key(|(b, _)| *b);
    ins.into_iter().map(|(_, s)| s).collect()
}

/// A leaf of a join tree: the slots it binds, and for a scan of an indexed source,
/// its row slot and the fields it can look rows up by.
pub(crate) struct Leaf {
    pub binds: Vec<Reg>,
    indexed: Option<(Reg, &'static [&'static str])>,
}

/// The leaves of a join tree in binding order (left to right).
pub(crate) fn collect_leaves(op: &Op, sources: &[Arc<dyn Source>], out: &mut Vec<Leaf>) {
    match op {
        Op::Join { left, right, .. } => {
            collect_leaves(left, sources, out);
            collect_leaves(right, sources, out);
        }
        // The build side of a hash join is read once, before any left row is known:
        // it cannot be keyed by the rows to its left.
        Op::HashJoin { left, right, .. } => {
            collect_leaves(left, sources, out);
            let first = out.len();
            collect_leaves(right, sources, out);
            for leaf in &mut out[first..] {
                leaf.indexed = None;
            }
        }
        Op::ScanSource { source, layout, .. } => {
            let indexed = sources
                .get(*source as usize)
                .map(|s| s.indexed_fields())
                .filter(|f| !f.is_empty());
            out.push(Leaf {
                binds: layout.whole.into_iter().chain(layout.position).collect(),
                indexed: layout.whole.zip(indexed),
            });
        }
        Op::Scan {
            as_slot, at_slot, ..
        }
        | Op::Unpivot {
            as_slot, at_slot, ..
        } => out.push(Leaf {
            binds: std::iter::once(*as_slot).chain(*at_slot).collect(),
            indexed: None,
        }),
        _ => out.push(Leaf {
            binds: Vec::new(),
            indexed: None,
        }),
    }
}

/// Gives each leaf (in the order of [`collect_leaves`]) its keys.
fn assign_keys(op: &mut Op, keys: &mut [Vec<DynamicKey>], next: &mut usize) {
    match op {
        Op::Join { left, right, .. } | Op::HashJoin { left, right, .. } => {
            assign_keys(left, keys, next);
            assign_keys(right, keys, next);
        }
        Op::ScanSource { keys: mine, .. } => {
            mine.append(&mut keys[*next]);
            *next += 1;
        }
        _ => *next += 1,
    }
}

/// Scan → Filter* → Limit? → Project: a pipeline whose rows need nothing from earlier
/// rows, so the VM may reset its row arena between them.
fn is_streaming(root: &Op) -> bool {
    let mut op = match root {
        Op::Project { input, .. } | Op::ProjectValue { input, .. } => &**input,
        _ => return false,
    };
    loop {
        match op {
            Op::LimitOffset { input, .. } | Op::Filter { input, .. } => op = input,
            Op::ScanSource { .. } => return true,
            _ => return false,
        }
    }
}
