//! Predicate pushdown into scans: equality conjuncts of a filter directly over a
//! source scan (`WHERE b.name = 'x' AND ...`) become the scan's key filters, for the
//! fields the source says it can look up by index. The filter itself stays in the
//! plan, so a source may return more rows than match and results are still exact.

use super::expr::{binding_name, literal};
use crate::plan::Op;
use crate::reader::{KeyFilter, Source};
use partiql_logical as lg;
use std::sync::Arc;

/// Adds to `op` (when it is a scan of an indexed source bound to `var`) the key
/// filters found in `pred`.
pub(crate) fn push_key_filters(
    op: &mut Op,
    pred: &lg::ValueExpr,
    var_of_slot: impl Fn(u32) -> Option<String>,
    sources: &[Arc<dyn Source>],
) {
    let Op::ScanSource { source, layout } = op else {
        return;
    };
    let Some(source) = sources.get(*source as usize) else {
        return;
    };
    let indexed = source.indexed_fields();
    if indexed.is_empty() {
        return;
    }
    let Some(var) = layout.whole.and_then(&var_of_slot) else {
        return;
    };
    let mut found = Vec::new();
    conjuncts(pred, &mut |e| {
        if let Some(f) = equality(e, &var) {
            if indexed.iter().any(|i| i.eq_ignore_ascii_case(&f.field)) && !found.contains(&f) {
                found.push(f);
            }
        }
    });
    layout.key_filters.extend(found);
}

fn conjuncts<'e>(e: &'e lg::ValueExpr, visit: &mut impl FnMut(&'e lg::ValueExpr)) {
    match e {
        lg::ValueExpr::BinaryExpr(lg::BinaryOp::And, a, b) => {
            conjuncts(a, visit);
            conjuncts(b, visit);
        }
        other => visit(other),
    }
}

/// `var.field = literal` (either way round).
fn equality(e: &lg::ValueExpr, var: &str) -> Option<KeyFilter> {
    let lg::ValueExpr::BinaryExpr(lg::BinaryOp::Eq, a, b) = e else {
        return None;
    };
    let (field, lit) = match (field_of(a, var), field_of(b, var)) {
        (Some(f), None) => (f, b),
        (None, Some(f)) => (f, a),
        _ => return None,
    };
    let lg::ValueExpr::Lit(lit) = lit.as_ref() else {
        return None;
    };
    let value = literal(lit).ok()?;
    Some(KeyFilter { field, value })
}

fn field_of(e: &lg::ValueExpr, var: &str) -> Option<String> {
    let lg::ValueExpr::Path(base, steps) = e else {
        return None;
    };
    let lg::ValueExpr::VarRef(name, _) = base.as_ref() else {
        return None;
    };
    let (n, cs) = binding_name(name);
    let same = if cs {
        n == var
    } else {
        n.eq_ignore_ascii_case(var)
    };
    match steps.as_slice() {
        [lg::PathComponent::Key(k)] if same => Some(binding_name(k).0),
        _ => None,
    }
}
