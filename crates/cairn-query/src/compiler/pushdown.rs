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
    let Op::ScanSource { source, layout, .. } = op else {
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

pub(crate) fn conjuncts<'e>(e: &'e lg::ValueExpr, visit: &mut impl FnMut(&'e lg::ValueExpr)) {
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

pub(crate) fn field_of(e: &lg::ValueExpr, var: &str) -> Option<String> {
    let lg::ValueExpr::Path(base, steps) = e else {
        return None;
    };
    // The planner writes `r` as a lookup among the candidates it could mean; the
    // local variable is the one bound by the scan.
    let name = match base.as_ref() {
        lg::ValueExpr::VarRef(name, _) => name,
        lg::ValueExpr::DynamicLookup(candidates) => candidates.iter().find_map(|c| match c {
            lg::ValueExpr::VarRef(name, lg::VarRefType::Local) => Some(name),
            _ => None,
        })?,
        _ => return None,
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

#[cfg(test)]
mod tests {
    use crate::reader::{BufferStability, MemorySource, RowReader, ScanLayout, Source};
    use crate::{Catalog, Compiler, OwnedValue, QueryError};
    use std::sync::{Arc, Mutex};

    /// An in-memory table that says it can look rows up by `name`, and remembers the
    /// layouts it was opened with.
    #[derive(Debug)]
    struct Indexed {
        rows: MemorySource,
        opened: Mutex<Vec<ScanLayout>>,
    }

    impl Source for Indexed {
        fn describe(&self) -> String {
            "indexed".into()
        }
        fn stability(&self) -> BufferStability {
            BufferStability::UntilClose
        }
        fn indexed_fields(&self) -> &'static [&'static str] {
            &["name"]
        }
        fn open(&self, layout: &ScanLayout) -> Result<Box<dyn RowReader>, QueryError> {
            self.opened.lock().unwrap().push(layout.clone());
            self.rows.open(layout)
        }
    }

    fn row(name: &str, n: i64) -> OwnedValue {
        OwnedValue::Tuple(vec![
            ("name".into(), OwnedValue::Str(name.into())),
            ("n".into(), OwnedValue::Int(n)),
        ])
    }

    fn key_filters(query: &str) -> (Vec<String>, usize) {
        let source = Arc::new(Indexed {
            rows: MemorySource::new(vec![row("a", 1), row("b", 2), row("a", 3)]),
            opened: Mutex::new(Vec::new()),
        });
        let mut catalog = Catalog::new();
        catalog.add_source("t", source.clone());
        let plan = Compiler::new(&catalog).compile(query).unwrap();
        let rows = crate::PartiQLVM::new(plan)
            .execute()
            .unwrap()
            .materialize()
            .unwrap();
        let n = match rows {
            OwnedValue::Bag(v) | OwnedValue::List(v) => v.len(),
            _ => 0,
        };
        let opened = source.opened.lock().unwrap();
        let filters = opened
            .iter()
            .flat_map(|l| &l.key_filters)
            .map(|k| format!("{}={}", k.field, crate::value::json::to_json(&k.value)))
            .collect();
        (filters, n)
    }

    #[test]
    fn equality_on_an_indexed_field_becomes_a_key_filter() {
        assert_eq!(
            key_filters("SELECT r.n FROM t AS r WHERE r.name = 'a'"),
            (vec!["name=\"a\"".to_string()], 2)
        );
        assert_eq!(
            key_filters("SELECT r.n FROM t AS r WHERE 'b' = r.name AND r.n > 0"),
            (vec!["name=\"b\"".to_string()], 1)
        );
    }

    #[test]
    fn join_keys_are_computed_from_the_left_row() {
        for q in [
            "SELECT r.n AS a, s.n AS b FROM t AS r, t AS s WHERE r.name = s.name",
            "SELECT r.n AS a, s.n AS b FROM t AS r JOIN t AS s ON s.name = r.name",
        ] {
            let (filters, n) = key_filters(q);
            // One open of the right side per left row, each keyed by that row's name.
            assert_eq!(
                filters,
                vec!["name=\"a\"", "name=\"b\"", "name=\"a\""],
                "{q}"
            );
            assert_eq!(n, 5, "{q}: a-a pairs (4) and b-b (1)");
        }
        // A value that needs the scan's own row cannot key it.
        let (filters, _) =
            key_filters("SELECT r.n FROM t AS r, t AS s WHERE s.name = s.name || ''");
        assert!(filters.is_empty());
    }

    #[test]
    fn other_predicates_are_not_pushed() {
        for q in [
            "SELECT r.n FROM t AS r WHERE r.n = 1",
            "SELECT r.n FROM t AS r WHERE r.name = 'a' OR r.n = 2",
            "SELECT r.n FROM t AS r WHERE r.name || '' = 'a'",
            "SELECT r.n FROM t AS r WHERE r.name <> 'a'",
        ] {
            assert!(key_filters(q).0.is_empty(), "{q}");
        }
    }
}
