//! Projection pushdown: a scan whose row variable is only ever read as `r.field`
//! stops producing whole rows. Its reader fills one slot per field instead (so a
//! JSON-lines reader skips the fields nobody reads, and a graph table decodes only
//! the columns asked for), and each `r.field` instruction becomes a move from that
//! slot.
//!
//! The pass runs over the finished operator tree and programs, before temporaries
//! are numbered, and gives up on a scan (leaving whole rows) as soon as its variable
//! is used any other way: `SELECT *`, `GROUP AS`, passed to a function, compared as
//! a whole. It runs in permissive mode only: in strict mode `r.f` on a row that is
//! not a tuple is an error the whole row is needed to raise.

use crate::plan::{Instr, Op, Program, Query, Reg};
use crate::reader::{FieldSlot, ScanLayout};

/// Narrows every scan of `queries` that allows it; `new_slot` allocates a slot.
pub(crate) fn push_projections(
    queries: &mut [&mut Query],
    programs: &mut [Program],
    names: &[String],
    mut new_slot: impl FnMut() -> Reg,
) {
    let mut scans: Vec<Reg> = Vec::new();
    for q in queries.iter_mut() {
        visit_ops(&mut q.root, &mut |op| {
            if let Op::ScanSource { layout, .. } = op {
                if let Some(s) = layout.whole {
                    scans.push(s);
                }
            }
        });
    }
    for slot in scans {
        let Some(fields) = field_uses(slot, queries, programs) else {
            continue;
        };
        // One new slot per distinct field read.
        let mut layout_fields: Vec<FieldSlot> = Vec::new();
        let mut slot_of: Vec<((u32, bool), Reg)> = Vec::new();
        for (name, case_sensitive) in fields {
            let r = new_slot();
            slot_of.push(((name, case_sensitive), r));
            layout_fields.push(FieldSlot {
                name: names[name as usize].clone(),
                case_sensitive,
                slot: r,
            });
        }
        for p in programs.iter_mut() {
            for i in &mut p.code {
                if let Instr::Field {
                    dst,
                    src,
                    name,
                    case_sensitive,
                    ..
                } = *i
                {
                    if src == slot {
                        let (_, from) = slot_of
                            .iter()
                            .find(|(k, _)| *k == (name, case_sensitive))
                            .expect("every field use has a slot");
                        *i = Instr::Move { dst, src: *from };
                    }
                }
            }
        }
        let new_slots: Vec<Reg> = slot_of.iter().map(|(_, r)| *r).collect();
        for q in queries.iter_mut() {
            visit_ops(&mut q.root, &mut |op| match op {
                Op::ScanSource { layout, .. } if layout.whole == Some(slot) => {
                    narrow(layout, &layout_fields);
                }
                // Rows carried through a sort or the build side of a join carry the
                // field slots instead of the row.
                Op::OrderBy { carry: regs, .. } => {
                    if let Some(pos) = regs.iter().position(|&r| r == slot) {
                        regs.splice(pos..=pos, new_slots.iter().copied());
                    }
                }
                Op::Join {
                    right_slots: regs,
                    missing_slots,
                    ..
                }
                | Op::HashJoin {
                    right_slots: regs,
                    missing_slots,
                    ..
                } => {
                    if let Some(pos) = regs.iter().position(|&r| r == slot) {
                        regs.splice(pos..=pos, new_slots.iter().copied());
                        missing_slots.extend(new_slots.iter().copied());
                    }
                }
                _ => {}
            });
        }
    }
}

fn narrow(layout: &mut ScanLayout, fields: &[FieldSlot]) {
    layout.whole = None;
    layout.fields.extend(fields.iter().cloned());
}

/// The distinct `(name, case_sensitive)` fields read from `slot`, or `None` when the
/// slot is used in any other way.
fn field_uses(
    slot: Reg,
    queries: &mut [&mut Query],
    programs: &[Program],
) -> Option<Vec<(u32, bool)>> {
    let mut fields: Vec<(u32, bool)> = Vec::new();
    for p in programs {
        if p.result == slot {
            return None;
        }
        for i in &p.code {
            if let Instr::Field {
                src,
                name,
                case_sensitive,
                dst,
                ..
            } = *i
            {
                if src == slot && dst != slot {
                    if !fields.contains(&(name, case_sensitive)) {
                        fields.push((name, case_sensitive));
                    }
                    continue;
                }
            }
            let mut touches = false;
            i.clone().map_regs(|r| {
                touches |= r == slot;
                r
            });
            if touches {
                return None;
            }
        }
    }
    let mut other_use = false;
    for q in queries.iter_mut() {
        if q.out == slot {
            return None;
        }
        visit_ops(&mut q.root, &mut |op| {
            other_use |= op_uses(op, slot);
        });
    }
    (!other_use).then_some(fields)
}

/// Whether an operator reads or writes `slot` itself, other than through programs,
/// its own scan, and the carried-register lists the pass rewrites.
fn op_uses(op: &Op, slot: Reg) -> bool {
    match op {
        Op::ScanSource { layout, .. } => {
            layout.whole != Some(slot) && layout.fields.iter().any(|f| f.slot == slot)
                || layout.position == Some(slot)
        }
        Op::Scan {
            as_slot, at_slot, ..
        }
        | Op::Unpivot {
            as_slot, at_slot, ..
        } => *as_slot == slot || *at_slot == Some(slot),
        Op::GroupBy { keys, group_as, .. } => {
            keys.iter().any(|(_, r)| *r == slot)
                || group_as
                    .as_ref()
                    .is_some_and(|(r, vars)| *r == slot || vars.iter().any(|(_, v)| *v == slot))
        }
        Op::ProjectAll { vars, out, .. } => *out == slot || vars.iter().any(|(_, v)| *v == slot),
        Op::Project { out, .. }
        | Op::ProjectValue { out, .. }
        | Op::Pivot { out, .. }
        | Op::SetOp { out, .. }
        | Op::ExprQuery { out, .. } => *out == slot,
        Op::Distinct { slot: s, .. } => *s == slot,
        Op::Filter { .. }
        | Op::Join { .. }
        | Op::HashJoin { .. }
        | Op::OrderBy { .. }
        | Op::LimitOffset { .. } => false,
    }
}

/// Calls `f` on `op` and every operator below it, including set operations' queries.
fn visit_ops(op: &mut Op, f: &mut impl FnMut(&mut Op)) {
    f(op);
    match op {
        Op::Scan { .. } | Op::ScanSource { .. } | Op::Unpivot { .. } | Op::ExprQuery { .. } => {}
        Op::Filter { input, .. }
        | Op::GroupBy { input, .. }
        | Op::OrderBy { input, .. }
        | Op::LimitOffset { input, .. }
        | Op::Project { input, .. }
        | Op::ProjectAll { input, .. }
        | Op::ProjectValue { input, .. }
        | Op::Pivot { input, .. }
        | Op::Distinct { input, .. } => visit_ops(input, f),
        Op::Join { left, right, .. } | Op::HashJoin { left, right, .. } => {
            visit_ops(left, f);
            visit_ops(right, f);
        }
        Op::SetOp { left, right, .. } => {
            visit_ops(&mut left.root, f);
            visit_ops(&mut right.root, f);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::reader::{BufferStability, MemorySource, RowReader, ScanLayout, Source};
    use crate::{Catalog, Compiler, Mode, OwnedValue, QueryError};
    use std::sync::{Arc, Mutex};

    /// An in-memory table that remembers the layouts it was opened with.
    #[derive(Debug)]
    struct Recording {
        rows: MemorySource,
        opened: Mutex<Vec<ScanLayout>>,
    }

    impl Source for Recording {
        fn describe(&self) -> String {
            "recording".into()
        }
        fn stability(&self) -> BufferStability {
            BufferStability::UntilClose
        }
        fn open(&self, layout: &ScanLayout) -> Result<Box<dyn RowReader>, QueryError> {
            self.opened.lock().unwrap().push(layout.clone());
            self.rows.open(layout)
        }
    }

    fn row(a: i64, b: &str) -> OwnedValue {
        OwnedValue::Tuple(vec![
            ("a".into(), OwnedValue::Int(a)),
            ("b".into(), OwnedValue::Str(b.into())),
            ("c".into(), OwnedValue::List(vec![OwnedValue::Int(a)])),
        ])
    }

    /// The result as JSON text and, for each scan, its whole-row flag and fields.
    fn run(query: &str, mode: Mode) -> (String, Vec<(bool, Vec<String>)>) {
        let source = Arc::new(Recording {
            rows: MemorySource::new(vec![row(2, "x"), row(1, "y"), row(3, "x")]),
            opened: Mutex::new(Vec::new()),
        });
        let mut catalog = Catalog::new();
        catalog.add_source("t", source.clone());
        let plan = Compiler::new(&catalog).mode(mode).compile(query).unwrap();
        let result = crate::PartiQLVM::new(plan)
            .execute()
            .unwrap()
            .materialize()
            .unwrap();
        let layouts = source
            .opened
            .lock()
            .unwrap()
            .iter()
            .map(|l| {
                let mut names: Vec<String> = l.fields.iter().map(|f| f.name.clone()).collect();
                names.sort();
                (l.whole.is_some(), names)
            })
            .collect();
        (crate::value::json::to_json(&result).to_string(), layouts)
    }

    fn fields(names: &[&str]) -> Vec<(bool, Vec<String>)> {
        vec![(false, names.iter().map(|s| s.to_string()).collect())]
    }

    #[test]
    fn scans_read_only_the_fields_used() {
        let q = "SELECT r.a FROM t AS r WHERE r.b = 'x'";
        let (result, layouts) = run(q, Mode::Permissive);
        assert_eq!(layouts, fields(&["a", "b"]));
        assert_eq!(result, run(q, Mode::Strict).0, "same answer as whole rows");
        let (_, layouts) = run("SELECT COUNT(*) AS n FROM t AS r", Mode::Permissive);
        assert_eq!(layouts, fields(&[]));
    }

    #[test]
    fn carried_rows_carry_the_fields() {
        let q = "SELECT r.a, r.b FROM t AS r ORDER BY r.a DESC LIMIT 2";
        let (result, layouts) = run(q, Mode::Permissive);
        assert_eq!(layouts, fields(&["a", "b"]));
        assert_eq!(result, run(q, Mode::Strict).0);
        let q = "SELECT r.a, s.b FROM t AS r, t AS s WHERE r.a = s.a";
        let (result, layouts) = run(q, Mode::Permissive);
        assert!(layouts.len() >= 2);
        assert!(layouts.iter().all(|(whole, _)| !whole), "{layouts:?}");
        assert_eq!(result, run(q, Mode::Strict).0);
    }

    #[test]
    fn whole_rows_stay_when_the_row_itself_is_used() {
        for q in [
            "SELECT * FROM t AS r",
            "SELECT VALUE r FROM t AS r",
            "SELECT r.a FROM t AS r WHERE r IS NOT NULL",
            "SELECT k, g FROM t AS r GROUP BY r.b AS k GROUP AS g",
        ] {
            let (_, layouts) = run(q, Mode::Permissive);
            assert!(layouts.iter().all(|(whole, _)| *whole), "{q}: {layouts:?}");
        }
        let (_, layouts) = run("SELECT r.a FROM t AS r", Mode::Strict);
        assert_eq!(
            layouts,
            vec![(true, vec![])],
            "strict mode needs whole rows"
        );
    }
}
