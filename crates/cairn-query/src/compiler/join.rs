//! Hash joins: a nested-loop join whose condition equates an expression over the rows
//! to its left with an expression over its right side (`ON a.x = b.y`, or the WHERE
//! conjuncts over a comma join, `FROM a, b WHERE a.x = b.y`) becomes an
//! [`Op::HashJoin`]: the right side is read once into a hash table keyed by its
//! expressions, and each left row looks its matches up instead of re-reading the right
//! side.
//!
//! Only a right side that is one scan not reading the left side's variables (no
//! lateral `r.items`) qualifies, and not one keyed by the left rows through an index
//! ([`super::ops`]'s index nested-loop joins win: they read only the matching rows).
//! The join condition stays in the plan (as the hash join's residual for ON, as the
//! filter above the join for WHERE), so the hash keys only narrow the candidates.
//! Permissive mode only: in strict mode a nested loop evaluates the condition on every
//! pair, and an error the hash join would never evaluate must still be raised.

use super::ops::{collect_leaves, PlanBuilder, Scope, TEMP_BIT};
use crate::error::Result;
use crate::plan::{Instr, JoinKind, Mode, Op, ProgId, Reg};
use partiql_logical as lg;

impl PlanBuilder<'_> {
    /// `a JOIN b ON cond` (or LEFT JOIN): the join just built from the ON clause.
    pub(crate) fn hash_join_on(
        &mut self,
        op: &mut Op,
        on: &lg::ValueExpr,
        scope: &Scope,
    ) -> Result<()> {
        if self.mode != Mode::Permissive || !self.hash_joins {
            return Ok(());
        }
        let equalities = equalities(on);
        self.make_hash_join(op, &equalities, scope)?;
        Ok(())
    }

    /// A filter over a tree of inner joins: each join of the tree's left spine whose
    /// right side is equated with its left by conjuncts of `pred`.
    pub(crate) fn hash_join_where(
        &mut self,
        op: &mut Op,
        pred: &lg::ValueExpr,
        scope: &Scope,
    ) -> Result<()> {
        if self.mode != Mode::Permissive || !self.hash_joins {
            return Ok(());
        }
        let equalities = equalities(pred);
        if equalities.is_empty() {
            return Ok(());
        }
        self.where_joins(op, &equalities, scope)
    }

    fn where_joins(
        &mut self,
        op: &mut Op,
        equalities: &[(&lg::ValueExpr, &lg::ValueExpr)],
        scope: &Scope,
    ) -> Result<()> {
        match op {
            Op::Join {
                kind: JoinKind::Inner,
                left,
                ..
            } => {
                self.where_joins(left, equalities, scope)?;
                self.make_hash_join(op, equalities, scope)?;
            }
            Op::HashJoin {
                kind: JoinKind::Inner,
                left,
                ..
            } => self.where_joins(left, equalities, scope)?,
            _ => {}
        }
        Ok(())
    }

    /// Rewrites the nested-loop join `op` as a hash join on those of `equalities` that
    /// equate its two sides; `false` when none does or the right side does not qualify.
    fn make_hash_join(
        &mut self,
        op: &mut Op,
        equalities: &[(&lg::ValueExpr, &lg::ValueExpr)],
        scope: &Scope,
    ) -> Result<bool> {
        let Op::Join { left, right, .. } = &*op else {
            return Ok(false);
        };
        let mut leaves = Vec::new();
        collect_leaves(left, &self.sources, &mut leaves);
        let left_bound: Vec<Reg> = leaves.iter().flat_map(|l| l.binds.clone()).collect();
        let right_bound: Vec<Reg> = match &**right {
            Op::ScanSource { layout, keys, .. } if keys.is_empty() => {
                layout.whole.into_iter().chain(layout.position).collect()
            }
            Op::Scan {
                expr,
                as_slot,
                at_slot,
            }
            | Op::Unpivot {
                expr,
                as_slot,
                at_slot,
            } => {
                match self.program_reads(*expr) {
                    Some(reads) if !reads.iter().any(|r| left_bound.contains(r)) => {}
                    _ => return Ok(false), // lateral: the right side reads the left row
                }
                std::iter::once(*as_slot).chain(*at_slot).collect()
            }
            _ => return Ok(false),
        };
        if right_bound.is_empty() {
            return Ok(false);
        }
        let mut left_keys = Vec::new();
        let mut right_keys = Vec::new();
        for &(a, b) in equalities {
            let pa = self.program(a, scope)?;
            let pb = self.program(b, scope)?;
            let (Some(ra), Some(rb)) = (self.program_reads(pa), self.program_reads(pb)) else {
                continue;
            };
            let side = |reads: &[Reg]| {
                let l = reads.iter().any(|r| left_bound.contains(r));
                let r = reads.iter().any(|r| right_bound.contains(r));
                (l, r)
            };
            match (side(&ra), side(&rb)) {
                ((true, false), (false, true)) => {
                    left_keys.push(pa);
                    right_keys.push(pb);
                }
                ((false, true), (true, false)) => {
                    left_keys.push(pb);
                    right_keys.push(pa);
                }
                _ => {}
            }
        }
        if left_keys.is_empty() {
            return Ok(false);
        }
        let placeholder = Op::Scan {
            expr: ProgId(0),
            as_slot: 0,
            at_slot: None,
        };
        let Op::Join {
            kind,
            left,
            right,
            on,
            right_slots,
            missing_slots,
        } = std::mem::replace(op, placeholder)
        else {
            unreachable!("matched above");
        };
        *op = Op::HashJoin {
            kind,
            left,
            right,
            left_keys,
            right_keys,
            residual: on,
            right_slots,
            missing_slots,
        };
        Ok(true)
    }

    /// The variable slots a program reads, or `None` when it runs a subquery (whose
    /// reads are not visible in its instructions).
    fn program_reads(&self, p: ProgId) -> Option<Vec<Reg>> {
        let program = &self.programs[p.0 as usize];
        let mut out = Vec::new();
        for i in &program.code {
            if matches!(i, Instr::SubQuery { .. }) {
                return None;
            }
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
        Some(out)
    }
}

/// The `a = b` conjuncts of `pred`.
fn equalities(pred: &lg::ValueExpr) -> Vec<(&lg::ValueExpr, &lg::ValueExpr)> {
    let mut out = Vec::new();
    super::pushdown::conjuncts(pred, &mut |e| {
        if let lg::ValueExpr::BinaryExpr(lg::BinaryOp::Eq, a, b) = e {
            out.push((a.as_ref(), b.as_ref()));
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use crate::reader::{BufferStability, MemorySource, RowReader, ScanLayout, Source};
    use crate::{Catalog, Compiler, Mode, OwnedValue, QueryError};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    /// An in-memory table that counts how often it is opened, and may say it is
    /// indexed by `k`.
    #[derive(Debug)]
    struct Counted {
        rows: MemorySource,
        opens: AtomicUsize,
        indexed: bool,
    }

    impl Source for Counted {
        fn describe(&self) -> String {
            "counted".into()
        }
        fn stability(&self) -> BufferStability {
            BufferStability::UntilClose
        }
        fn indexed_fields(&self) -> &'static [&'static str] {
            if self.indexed {
                &["k"]
            } else {
                &[]
            }
        }
        fn open(&self, layout: &ScanLayout) -> Result<Box<dyn RowReader>, QueryError> {
            self.opens.fetch_add(1, Ordering::Relaxed);
            self.rows.open(layout)
        }
    }

    fn table(rows: Vec<OwnedValue>, indexed: bool) -> Arc<Counted> {
        Arc::new(Counted {
            rows: MemorySource::new(rows),
            opens: AtomicUsize::new(0),
            indexed,
        })
    }

    fn t(fields: &[(&str, OwnedValue)]) -> OwnedValue {
        OwnedValue::tuple(fields.iter().cloned())
    }

    fn i(v: i64) -> OwnedValue {
        OwnedValue::Int(v)
    }

    /// `l` has keys 0..6 (and a NULL and a MISSING key), `r` has keys 0, 2, 2, 4 (as
    /// INT, FLOAT and DECIMAL) and 9, NULL.
    fn catalog(indexed_right: bool) -> (Catalog, Arc<Counted>, Arc<Counted>) {
        let mut l: Vec<OwnedValue> = (0..6)
            .map(|k| t(&[("k", i(k)), ("a", i(k * 10))]))
            .collect();
        l.push(t(&[("k", OwnedValue::Null), ("a", i(-1))]));
        l.push(t(&[("a", i(-2))]));
        let r = vec![
            t(&[("k", i(0)), ("b", OwnedValue::Str("zero".into()))]),
            t(&[
                ("k", OwnedValue::Float(2.0)),
                ("b", OwnedValue::Str("two".into())),
            ]),
            t(&[
                ("k", OwnedValue::Decimal(rust_decimal::Decimal::from(2))),
                ("b", OwnedValue::Str("deux".into())),
            ]),
            t(&[("k", i(4)), ("b", OwnedValue::Str("four".into()))]),
            t(&[("k", i(9)), ("b", OwnedValue::Str("nine".into()))]),
            t(&[
                ("k", OwnedValue::Null),
                ("b", OwnedValue::Str("null".into())),
            ]),
        ];
        let (l, r) = (table(l, false), table(r, indexed_right));
        let mut c = Catalog::new();
        c.add_source("lt", l.clone());
        c.add_source("rt", r.clone());
        c.add_value(
            "vt",
            OwnedValue::Bag(vec![
                t(&[("k", i(4)), ("c", i(44))]),
                t(&[("k", i(1)), ("c", i(11))]),
            ]),
        );
        (c, l, r)
    }

    /// The result (sorted, as JSON) and the plan's EXPLAIN text.
    fn run(c: &Catalog, q: &str, mode: Mode) -> (Vec<String>, String) {
        run_with(Compiler::new(c).mode(mode), q)
    }

    /// The same query as nested loops only (the reference the hash joins must match; in
    /// strict mode the row without a key would be an error).
    fn run_nested(c: &Catalog, q: &str) -> (Vec<String>, String) {
        run_with(Compiler::new(c).without_hash_joins(), q)
    }

    fn run_with(compiler: Compiler<'_>, q: &str) -> (Vec<String>, String) {
        let plan = compiler.compile(q).unwrap();
        let text = crate::explain::explain(&plan);
        let v = crate::PartiQLVM::new(plan)
            .execute()
            .unwrap()
            .materialize()
            .unwrap();
        let mut rows: Vec<String> = match v {
            OwnedValue::Bag(items) | OwnedValue::List(items) => items
                .iter()
                .map(|x| crate::value::json::to_json(x).to_string())
                .collect(),
            other => vec![crate::value::json::to_json(&other).to_string()],
        };
        rows.sort();
        (rows, text)
    }

    /// Runs `q` hashed and as a nested loop: same rows.
    fn same_as_nested_loop(q: &str, hashed: bool) -> Vec<String> {
        let (c, _, _) = catalog(false);
        let (rows, text) = run(&c, q, Mode::Permissive);
        let (nl, nl_text) = run_nested(&c, q);
        assert!(!nl_text.contains("HashJoin"), "{nl_text}");
        assert_eq!(rows, nl, "{q}");
        assert_eq!(text.contains("HashJoin"), hashed, "{q}:\n{text}");
        rows
    }

    #[test]
    fn where_equalities_over_a_comma_join_hash() {
        let rows = same_as_nested_loop(
            "SELECT l.a AS a, r.b AS b FROM lt AS l, rt AS r WHERE l.k = r.k AND l.a < 45",
            true,
        );
        assert_eq!(
            rows,
            [
                r#"{"a":0,"b":"zero"}"#,
                r#"{"a":20,"b":"deux"}"#,
                r#"{"a":20,"b":"two"}"#,
                r#"{"a":40,"b":"four"}"#
            ]
        );
        // Either way round, with an expression on each side, and a value table.
        same_as_nested_loop(
            "SELECT l.a, r.b FROM lt AS l, rt AS r WHERE r.k = l.k + 0 AND r.b <> 'x'",
            true,
        );
        same_as_nested_loop(
            "SELECT x.c, r.b FROM vt AS x, rt AS r WHERE x.k = r.k",
            true,
        );
        // Three tables: each join of the spine hashes on its own equality.
        let (c, _, _) = catalog(false);
        let q = "SELECT l.a, r.b, x.b AS c FROM lt AS l, rt AS r, rt AS x WHERE l.k = r.k AND x.k = l.k + 2";
        let (rows, text) = run(&c, q, Mode::Permissive);
        assert_eq!(rows, run_nested(&c, q).0);
        assert_eq!(text.matches("HashJoin").count(), 2, "{text}");
        assert_eq!(
            rows,
            [
                r#"{"a":0,"b":"zero","c":"deux"}"#,
                r#"{"a":0,"b":"zero","c":"two"}"#,
                r#"{"a":20,"b":"deux","c":"four"}"#,
                r#"{"a":20,"b":"two","c":"four"}"#
            ]
        );
    }

    #[test]
    fn on_conditions_hash_with_the_rest_as_residual() {
        let rows = same_as_nested_loop(
            "SELECT l.a, r.b FROM lt AS l JOIN rt AS r ON l.k = r.k AND r.b <> 'two'",
            true,
        );
        assert_eq!(rows.len(), 3, "{rows:?}");
        let rows = same_as_nested_loop(
            "SELECT l.a AS a, r.b AS b FROM lt AS l LEFT JOIN rt AS r ON r.k = l.k AND r.b <> 'two'",
            true,
        );
        // Every left row once at least; unmatched ones with a NULL b (the field of the
        // NULL right row is NULL).
        assert_eq!(rows.len(), 8, "{rows:?}");
        assert!(
            rows.contains(&r#"{"a":-2,"b":null}"#.to_string()),
            "{rows:?}"
        );
        assert!(
            rows.contains(&r#"{"a":10,"b":null}"#.to_string()),
            "{rows:?}"
        );
    }

    #[test]
    fn non_equi_and_lateral_joins_stay_nested_loops() {
        for q in [
            "SELECT l.a, r.b FROM lt AS l, rt AS r WHERE l.k < r.k",
            "SELECT l.a, r.b FROM lt AS l, rt AS r WHERE l.k = r.k OR l.a = 0",
            "SELECT l.a, r.b FROM lt AS l JOIN rt AS r ON l.k + r.k = 4",
            "SELECT l.a, r.b FROM lt AS l, rt AS r WHERE r.k = 2",
            "SELECT l.a, x FROM lt AS l, [l.k, 1] AS x WHERE x = l.k",
            "SELECT l.a, r.b FROM lt AS l, rt AS r WHERE l.k = (SELECT VALUE COUNT(*) FROM vt AS q WHERE q.k = r.k)",
        ] {
            same_as_nested_loop(q, false);
        }
    }

    #[test]
    fn the_build_side_is_read_once_and_only_with_a_left_row() {
        let (c, l, r) = catalog(false);
        let q = "SELECT l.a, r.b FROM lt AS l, rt AS r WHERE l.k = r.k";
        run(&c, q, Mode::Permissive);
        assert_eq!(l.opens.load(Ordering::Relaxed), 1);
        assert_eq!(r.opens.load(Ordering::Relaxed), 1);
        run_nested(&c, q);
        assert_eq!(r.opens.load(Ordering::Relaxed), 1 + 8, "once per left row");
        let (rows, _) = run(
            &c,
            "SELECT l.a, r.b FROM lt AS l, rt AS r WHERE l.k = r.k AND l.a > 1000",
            Mode::Permissive,
        );
        assert!(rows.is_empty());
        let (rows, _) = run(
            &c,
            "SELECT x.c, r.b FROM (SELECT VALUE y FROM vt AS y WHERE y.k > 100) AS x, rt AS r WHERE x.k = r.k",
            Mode::Permissive,
        );
        assert!(rows.is_empty());
        assert_eq!(
            r.opens.load(Ordering::Relaxed),
            9 + 1,
            "no left row, no build"
        );
    }

    #[test]
    fn an_indexed_right_side_keeps_its_index_lookups() {
        let (c, _, r) = catalog(true);
        let q = "SELECT l.a, r.b FROM lt AS l, rt AS r WHERE l.k = r.k";
        let (rows, text) = run(&c, q, Mode::Permissive);
        assert!(text.contains("NestedLoopJoin"), "{text}");
        assert!(!text.contains("HashJoin"), "{text}");
        assert_eq!(
            r.opens.load(Ordering::Relaxed),
            8,
            "one keyed open per left row"
        );
        assert_eq!(rows, run_nested(&c, q).0);
        // An equality on another field than the index's still hashes.
        let q = "SELECT l.a, r.b FROM lt AS l, rt AS r WHERE l.a = r.b";
        assert!(run(&c, q, Mode::Permissive).1.contains("HashJoin"));
    }
}
