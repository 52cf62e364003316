//! `EXPLAIN`: a compiled plan described as an indented operator tree, with what each
//! scan pushes down into its reader.

use crate::plan::{CompiledPlan, Op, Query};
use crate::reader::ScanLayout;
use std::fmt::Write;

/// Describes `plan`'s operators, one per line, children indented under parents.
pub fn explain(plan: &CompiledPlan) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "plan: {} slots, {} registers, {} programs ({} with an integer form){}",
        plan.slot_count,
        plan.register_count,
        plan.programs.len(),
        plan.programs.iter().filter(|p| p.typed.is_some()).count(),
        if plan.streaming {
            ", fused streaming pipeline"
        } else {
            ""
        }
    );
    query(plan, &plan.query, 0, &mut out);
    for (i, q) in plan.subqueries.iter().enumerate() {
        let _ = writeln!(out, "subquery {i}:");
        query(plan, q, 1, &mut out);
    }
    out
}

fn query(plan: &CompiledPlan, q: &Query, depth: usize, out: &mut String) {
    op(plan, &q.root, depth, out);
}

fn line(out: &mut String, depth: usize, text: &str) {
    let _ = writeln!(out, "{}{}", "  ".repeat(depth), text);
}

fn op(plan: &CompiledPlan, o: &Op, d: usize, out: &mut String) {
    match o {
        Op::Scan { .. } => line(out, d, "Scan (expression)"),
        Op::ScanSource {
            source,
            layout,
            keys,
        } => {
            let name = plan
                .sources
                .get(*source as usize)
                .map_or_else(|| "?".to_string(), |s| s.describe());
            let mut text = format!("ScanSource {name}{}", layout_text(layout));
            for k in keys {
                text.push_str(&format!(
                    " (index lookup {} = computed each time the scan opens)",
                    k.field
                ));
            }
            line(out, d, &text);
        }
        Op::Unpivot { .. } => line(out, d, "Unpivot"),
        Op::Filter { input, .. } => {
            line(out, d, "Filter");
            op(plan, input, d + 1, out);
        }
        Op::Join {
            kind, left, right, ..
        } => {
            line(out, d, &format!("NestedLoopJoin ({kind:?})"));
            op(plan, left, d + 1, out);
            op(plan, right, d + 1, out);
        }
        Op::HashJoin {
            kind,
            left,
            right,
            left_keys,
            ..
        } => {
            line(
                out,
                d,
                &format!("HashJoin ({kind:?}, {} key(s))", left_keys.len()),
            );
            op(plan, left, d + 1, out);
            op(plan, right, d + 1, out);
        }
        Op::GroupBy {
            input, keys, aggs, ..
        } => {
            line(
                out,
                d,
                &format!(
                    "GroupBy ({} key(s), {} aggregate(s))",
                    keys.len(),
                    aggs.len()
                ),
            );
            op(plan, input, d + 1, out);
        }
        Op::OrderBy {
            input, keys, top, ..
        } => {
            let top = if top.is_some() {
                ", top-k: keeps only the rows the LIMIT reads"
            } else {
                ""
            };
            line(out, d, &format!("OrderBy ({} key(s){top})", keys.len()));
            op(plan, input, d + 1, out);
        }
        Op::LimitOffset { input, .. } => {
            line(out, d, "LimitOffset");
            op(plan, input, d + 1, out);
        }
        Op::Project { input, fields, .. } => {
            let names: Vec<&str> = fields.iter().map(|(n, _)| n.as_str()).collect();
            line(out, d, &format!("Project [{}]", names.join(", ")));
            op(plan, input, d + 1, out);
        }
        Op::ProjectAll { input, .. } => {
            line(out, d, "Project *");
            op(plan, input, d + 1, out);
        }
        Op::ProjectValue { input, .. } => {
            line(out, d, "ProjectValue");
            op(plan, input, d + 1, out);
        }
        Op::Pivot { input, .. } => {
            line(out, d, "Pivot");
            op(plan, input, d + 1, out);
        }
        Op::Distinct { input, .. } => {
            line(out, d, "Distinct");
            op(plan, input, d + 1, out);
        }
        Op::SetOp {
            op: set,
            all,
            left,
            right,
            ..
        } => {
            line(
                out,
                d,
                &format!("{set:?}{}", if *all { " ALL" } else { "" }),
            );
            query(plan, left, d + 1, out);
            query(plan, right, d + 1, out);
        }
        Op::ExprQuery { .. } => line(out, d, "Expression"),
    }
}

fn layout_text(layout: &ScanLayout) -> String {
    let mut parts = Vec::new();
    if layout.whole.is_some() {
        parts.push("whole rows".to_string());
    }
    if !layout.fields.is_empty() {
        let names: Vec<&str> = layout.fields.iter().map(|f| f.name.as_str()).collect();
        parts.push(format!("fields [{}]", names.join(", ")));
    }
    for k in &layout.key_filters {
        parts.push(format!(
            "index lookup {} = {}",
            k.field,
            crate::value::json::to_json(&k.value)
        ));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join("; "))
    }
}
