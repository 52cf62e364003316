//! AST rewrites applied before logical planning, for constructs the 0.15 planner does
//! not lower itself. Each turns a construct into a call of a function in Cairn's
//! registry, which the planner resolves like any other:
//!
//! - `CAST(x AS T)` → `cast(x, 'T')`;
//! - typed literals `DATE '…'`, `TIME '…'`, `TIMESTAMP '…'` → `cast('…', 'DATE')`, …;
//! - `x IS T` for a type other than NULL/MISSING → `is_type(x, 'T')`;
//! - the date part of `date_add(day, …)`/`date_diff(day, …)` → the string `'day'`;
//! - `''` inside string literals (which the lexer leaves doubled) → `'`;
//! - paths with wildcard steps (`e[*].a`, `e.*`) → `path_wildcard(e, 'steps', …)`;
//! - SELECT lists with `x.*` items → `SELECT VALUE tupleunion(x, {'alias': e}, …)`;
//! - `VALUES (a), (b, c)` → `<<[a], [b, c]>>`;
//! - GROUP BY and ORDER BY keys naming a SELECT alias → the aliased expression, and
//!   aggregates in HAVING and ORDER BY → hidden SELECT items (see [`query_aliases`]).
//!
//! The rewrite walks the AST's serde form, so it needs no visitor per AST type; new
//! nodes get ids above every id the parser assigned.

use crate::error::{QueryError, Result};
use serde_json::{json, Value as Json};

struct Ids(u64);

impl Ids {
    fn next(&mut self) -> u64 {
        self.0 += 1;
        self.0
    }
}

fn max_id(j: &Json) -> u64 {
    match j {
        Json::Object(m) => {
            let own = m.get("id").and_then(Json::as_u64).unwrap_or(0);
            m.values().map(max_id).fold(own, u64::max)
        }
        Json::Array(a) => a.iter().map(max_id).max().unwrap_or(0),
        _ => 0,
    }
}

/// Rewrites the parsed AST in place.
pub(crate) fn rewrite_ast(parsed: &mut partiql_parser::Parsed<'_>) -> Result<()> {
    let internal = |e: serde_json::Error| QueryError::Planning {
        message: format!("internal AST rewrite failed: {e}"),
        location: None,
    };
    let mut j = serde_json::to_value(&parsed.ast).map_err(internal)?;
    let mut ids = Ids(max_id(&j));
    if walk(&mut j, &mut ids) {
        // Through text: a `serde_json::Value` cannot give back `COUNT(*)`'s empty tuple
        // variant `CallArg::Star()` (it reads `[]` as a unit).
        parsed.ast = serde_json::from_str(&j.to_string()).map_err(internal)?;
    }
    Ok(())
}

fn string_lit(s: &str, ids: &mut Ids) -> Json {
    json!({"Lit": {"id": ids.next(), "node": {"CharStringLit": s}}})
}

fn positional(expr: Json, ids: &mut Ids) -> Json {
    json!({"id": ids.next(), "node": {"Positional": expr}})
}

fn call(name: &str, args: Vec<Json>, ids: &mut Ids) -> Json {
    json!({"Call": {"id": ids.next(), "node": {
        "func_name": {"value": name, "case": "CaseInsensitive"},
        "args": args,
    }}})
}

/// The text of a type written as an expression (`INT`, `DECIMAL(5, 2)`).
fn type_text(t: &Json) -> Option<String> {
    if let Some(name) = t.pointer("/VarRef/node/name/value").and_then(Json::as_str) {
        return Some(name.to_string());
    }
    let c = t.get("Call")?.get("node")?;
    let name = c.pointer("/func_name/value")?.as_str()?;
    let args: Vec<String> = c
        .get("args")?
        .as_array()?
        .iter()
        .map(|a| {
            a.pointer("/node/Positional/Lit/node/Int64Lit")
                .map(|n| n.to_string())
        })
        .collect::<Option<_>>()?;
    Some(format!("{name}({})", args.join(",")))
}

/// The text of a typed literal's type (`TIME (3) WITH TIME ZONE`).
fn custom_type_text(t: &Json) -> Option<String> {
    if let Some(s) = t.as_str() {
        return Some(s.to_string());
    }
    let parts = t.pointer("/CustomType/parts")?.as_array()?;
    let words: Vec<String> = parts
        .iter()
        .map(|p| {
            if let Some(n) = p.pointer("/Name/value").and_then(Json::as_str) {
                return Some(n.to_string());
            }
            let param = p.get("Parameterized")?.as_array()?;
            let name = param.first()?.get("value")?.as_str()?;
            let args: Vec<String> = param
                .get(1)?
                .as_array()?
                .iter()
                .map(|a| a.pointer("/Lit/Int64Lit").map(|n| n.to_string()))
                .collect::<Option<_>>()?;
            Some(format!("{name}({})", args.join(",")))
        })
        .collect::<Option<_>>()?;
    Some(words.join(" "))
}

/// `cast('text', 'TYPE')` for a `TypedLit` payload.
fn typed_lit_call(lit: &Json, ids: &mut Ids) -> Option<Json> {
    let arr = lit.as_array()?;
    let text = arr.first()?.as_str()?.to_string();
    let ty = custom_type_text(arr.get(1)?)?;
    let args = vec![
        positional(string_lit(&text, ids), ids),
        positional(string_lit(&ty, ids), ids),
    ];
    Some(call("cast", args, ids))
}

fn is_collection_lit(lit: &Json) -> bool {
    ["ListLit", "BagLit", "StructLit"]
        .iter()
        .any(|k| lit.get(k).is_some())
}

fn has_typed_lit(j: &Json) -> bool {
    match j {
        Json::Object(m) => m.contains_key("TypedLit") || m.values().any(has_typed_lit),
        Json::Array(a) => a.iter().any(has_typed_lit),
        _ => false,
    }
}

/// A literal (`Lit`, not `Expr`) as an expression, collections as constructors.
fn lit_to_expr(lit: &Json, ids: &mut Ids) -> Option<Json> {
    if let Some(t) = lit.get("TypedLit") {
        return typed_lit_call(t, ids);
    }
    for (lit_key, expr_key) in [("ListLit", "List"), ("BagLit", "Bag")] {
        let values = lit
            .pointer(&format!("/{lit_key}/node/values"))
            .or_else(|| lit.pointer(&format!("/{lit_key}/values")));
        if let Some(values) = values {
            let values = values
                .as_array()?
                .iter()
                .map(|v| lit_to_expr(v, ids))
                .collect::<Option<Vec<_>>>()?;
            return Some(json!({expr_key: {"id": ids.next(), "node": {"values": values}}}));
        }
    }
    let fields = lit
        .pointer("/StructLit/node/fields")
        .or_else(|| lit.pointer("/StructLit/fields"));
    if let Some(fields) = fields {
        let fields = fields
            .as_array()?
            .iter()
            .map(|f| {
                let name = f.get("first")?.as_str()?;
                let second = f.get("second")?;
                let value = lit_to_expr(second.get("node").unwrap_or(second), ids)?;
                Some(json!({"first": string_lit(name, ids), "second": value}))
            })
            .collect::<Option<Vec<_>>>()?;
        return Some(json!({"Struct": {"id": ids.next(), "node": {"fields": fields}}}));
    }
    Some(json!({"Lit": {"id": ids.next(), "node": lit}}))
}

/// Rewrites `j` and its children; returns whether anything changed.
fn walk(j: &mut Json, ids: &mut Ids) -> bool {
    let mut changed = false;
    match j {
        Json::Array(items) => {
            for i in items {
                changed |= walk(i, ids);
            }
            return changed;
        }
        Json::Object(_) => {}
        _ => return false,
    }
    // A SELECT list with `x.*` items becomes a SELECT VALUE before its items are
    // visited (their paths would otherwise become wildcard paths).
    changed |= query_aliases(j, ids);
    changed |= values_rows(j, ids);
    changed |= rewrite_star_items(j, ids);
    // Children first, so rewritten nodes are not visited again.
    if let Json::Object(m) = j {
        for v in m.values_mut() {
            changed |= walk(v, ids);
        }
    }
    if let Some(replacement) = rewrite_node(j, ids) {
        *j = replacement;
        changed = true;
    }
    changed
}

/// Every name a FROM clause binds (AS, AT and BY variables), lower-cased.
fn from_names(j: &Json, out: &mut Vec<String>) {
    match j {
        Json::Object(m) => {
            for (k, v) in m {
                if matches!(k.as_str(), "as_alias" | "at_alias" | "by_alias") {
                    if let Some(n) = v.get("value").and_then(Json::as_str) {
                        out.push(n.to_lowercase());
                    }
                }
                from_names(v, out);
            }
        }
        Json::Array(a) => a.iter().for_each(|v| from_names(v, out)),
        _ => {}
    }
}

/// The name of an unqualified variable reference, and whether it is case-sensitive.
fn var_name(expr: &Json) -> Option<(String, bool)> {
    let var = expr.pointer("/VarRef/node")?;
    if var.get("qualifier").and_then(Json::as_str) != Some("Unqualified") {
        return None;
    }
    let name = var.pointer("/name/value")?.as_str()?.to_string();
    let sensitive = var.pointer("/name/case")?.as_str()? == "CaseSensitive";
    Some((name, sensitive))
}

fn same_name(a: &str, a_sensitive: bool, b: &str, b_sensitive: bool) -> bool {
    if a_sensitive || b_sensitive {
        a == b
    } else {
        a.eq_ignore_ascii_case(b)
    }
}

/// The name of the variable or last path step that `CAST(x AS T)` converts.
fn cast_operand_name(expr: &Json) -> Option<String> {
    let call = expr.pointer("/Call/node")?;
    if !call
        .pointer("/func_name/value")?
        .as_str()?
        .eq_ignore_ascii_case("cast")
    {
        return None;
    }
    let operand = call.pointer("/args/0/node/Positional")?;
    if let Some((name, _)) = var_name(operand) {
        return Some(name);
    }
    operand
        .pointer("/Path/node/steps")?
        .as_array()?
        .last()?
        .pointer("/PathProject/index/VarRef/node/name/value")?
        .as_str()
        .map(str::to_string)
}

/// `j` without its node ids, to compare expressions by structure.
fn without_ids(j: &Json) -> Json {
    match j {
        Json::Object(m) => Json::Object(
            m.iter()
                .filter(|(k, _)| k.as_str() != "id")
                .map(|(k, v)| (k.clone(), without_ids(v)))
                .collect(),
        ),
        Json::Array(a) => Json::Array(a.iter().map(without_ids).collect()),
        other => other.clone(),
    }
}

/// The SELECT list's `e AS x` items: (x, case-sensitive, e).
fn select_aliases(select: &Json) -> Vec<(String, bool, Json)> {
    let Some(items) = select
        .pointer("/project/node/kind/ProjectList")
        .and_then(Json::as_array)
    else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|i| {
            let item = i.pointer("/node/ProjectExpr")?;
            let alias = item.get("as_alias")?;
            let name = alias.get("value")?.as_str()?.to_string();
            let sensitive = alias.get("case")?.as_str()? == "CaseSensitive";
            Some((name, sensitive, item.get("expr")?.clone()))
        })
        .collect()
}

/// The prefix of the hidden SELECT items that carry the aggregates of HAVING and ORDER
/// BY (the planner only computes aggregates it met in the SELECT list); the compiler
/// computes them and leaves them out of the rows. No query can write the name.
pub(crate) const HIDDEN: &str = "\u{1}agg";

/// Rewrites of a query whose SELECT list names things the later clauses use:
///
/// - `SELECT e AS x … GROUP BY x` → `… GROUP BY e AS x` (the planner then reads the
///   SELECT item as the group key);
/// - `SELECT e AS x … ORDER BY x` → `… ORDER BY e`: the sort runs before the projection,
///   so a sort key naming a SELECT alias (and no FROM variable or group key) becomes the
///   aliased expression;
/// - aggregates in HAVING and ORDER BY become hidden SELECT items ([`HIDDEN`]) that
///   those clauses read by name.
fn query_aliases(j: &mut Json, ids: &mut Ids) -> bool {
    let Some(select) = j.pointer("/set/node/Select/node") else {
        return false;
    };
    let aliases = select_aliases(select);
    let mut bound = Vec::new();
    if let Some(from) = select.get("from") {
        from_names(from, &mut bound);
    }
    let is_free = |name: &str, bound: &[String]| !bound.contains(&name.to_lowercase());
    let mut changed = false;

    // GROUP BY keys naming SELECT aliases.
    let mut key_names: Vec<String> = Vec::new();
    let mut rewritten: Vec<String> = Vec::new();
    if let Some(keys) = j
        .pointer_mut("/set/node/Select/node/group_by/node/keys")
        .and_then(Json::as_array_mut)
    {
        for key in keys {
            let Some(k) = key.get_mut("node") else {
                continue;
            };
            if let Some(alias) = k.pointer("/as_alias/value").and_then(Json::as_str) {
                key_names.push(alias.to_lowercase());
                continue;
            }
            let Some((name, sensitive)) = k.get("expr").and_then(var_name) else {
                // `SELECT e AS x … GROUP BY e`: the key takes the item's alias, which is
                // the name the planner gives the item's reference to the key.
                let key_expr = k.get("expr").map(without_ids);
                let hit = aliases
                    .iter()
                    .find(|(_, _, e)| Some(without_ids(e)) == key_expr);
                if let Some((a, a_s, _)) = hit {
                    k["as_alias"] = ident(a, *a_s);
                    key_names.push(a.to_lowercase());
                    rewritten.push(a.to_lowercase());
                    changed = true;
                } else if let Some(name) = k.get("expr").and_then(cast_operand_name) {
                    // `GROUP BY CAST(x AS T)` names its key after `x`, as a plain `x`
                    // would be named.
                    k["as_alias"] = json!({"value": name, "case": "CaseInsensitive"});
                    key_names.push(name.to_lowercase());
                    changed = true;
                }
                continue;
            };
            let hit = aliases
                .iter()
                .find(|(a, a_s, _)| same_name(a, *a_s, &name, sensitive));
            match hit {
                Some((a, a_s, e)) if is_free(&name, &bound) => {
                    k["expr"] = e.clone();
                    k["as_alias"] = ident(a, *a_s);
                    key_names.push(a.to_lowercase());
                    rewritten.push(a.to_lowercase());
                    changed = true;
                }
                _ => key_names.push(name.to_lowercase()),
            }
        }
    }
    // The SELECT items whose expression became a key read the key's variable.
    let keyed: Vec<&(String, bool, Json)> = aliases
        .iter()
        .filter(|(a, _, _)| rewritten.contains(&a.to_lowercase()))
        .collect();
    if !keyed.is_empty() {
        if let Some(items) = j
            .pointer_mut("/set/node/Select/node/project/node/kind/ProjectList")
            .and_then(Json::as_array_mut)
        {
            for item in items {
                let Some(pe) = item.pointer_mut("/node/ProjectExpr") else {
                    continue;
                };
                let Some(alias) = pe.pointer("/as_alias/value").and_then(Json::as_str) else {
                    continue;
                };
                let Some((a, a_s, _)) = keyed.iter().find(|(a, _, _)| a == alias) else {
                    continue;
                };
                pe["expr"] = json!({"VarRef": {"id": ids.next(), "node": {
                    "name": ident(a, *a_s),
                    "qualifier": "Unqualified",
                }}});
            }
        }
    }
    bound.extend(key_names);

    // ORDER BY keys naming SELECT aliases.
    if let Some(specs) = j
        .pointer_mut("/order_by/node/sort_specs")
        .and_then(Json::as_array_mut)
    {
        for spec in specs {
            let Some(expr) = spec.pointer_mut("/node/expr") else {
                continue;
            };
            let Some((name, sensitive)) = var_name(expr) else {
                continue;
            };
            if !is_free(&name, &bound) {
                continue;
            }
            if let Some((_, _, aliased)) = aliases
                .iter()
                .find(|(a, a_s, _)| same_name(a, *a_s, &name, sensitive))
            {
                *expr = aliased.clone();
                changed = true;
            }
        }
    }

    // Aggregates of HAVING and ORDER BY as hidden SELECT items.
    let grouped = j
        .pointer("/set/node/Select/node/group_by")
        .is_some_and(|g| !g.is_null());
    let has_list = j
        .pointer("/set/node/Select/node/project/node/kind/ProjectList")
        .is_some();
    if grouped && has_list {
        let mut hidden: Vec<(String, Json)> = Vec::new();
        if let Some(h) = j.pointer_mut("/set/node/Select/node/having") {
            hide_aggregates(h, &mut hidden, ids);
        }
        if let Some(o) = j.pointer_mut("/order_by") {
            hide_aggregates(o, &mut hidden, ids);
        }
        if !hidden.is_empty() {
            if let Some(items) = j
                .pointer_mut("/set/node/Select/node/project/node/kind/ProjectList")
                .and_then(Json::as_array_mut)
            {
                for (name, agg) in hidden {
                    items.push(json!({"id": ids.next(), "node": {"ProjectExpr": {
                        "expr": agg,
                        "as_alias": {"value": name, "case": "CaseSensitive"},
                    }}}));
                }
                changed = true;
            }
        }
    }
    changed
}

/// Replaces the aggregate calls in `j` (not inside subqueries) by references to hidden
/// names, collecting (name, call).
fn hide_aggregates(j: &mut Json, hidden: &mut Vec<(String, Json)>, ids: &mut Ids) {
    match j {
        Json::Array(items) => items
            .iter_mut()
            .for_each(|i| hide_aggregates(i, hidden, ids)),
        Json::Object(m) => {
            if m.contains_key("Query") {
                return;
            }
            if m.contains_key("CallAgg") {
                let name = format!("{HIDDEN}{}", ids.next());
                let call = j.clone();
                *j = json!({"VarRef": {"id": ids.next(), "node": {
                    "name": {"value": name, "case": "CaseSensitive"},
                    "qualifier": "Unqualified",
                }}});
                hidden.push((name, call));
                return;
            }
            m.values_mut().for_each(|v| hide_aggregates(v, hidden, ids));
        }
        _ => {}
    }
}

/// Whether `expr` is a path whose last step is `.*`.
fn is_star_item(expr: &Json) -> bool {
    expr.pointer("/Path/node/steps")
        .and_then(Json::as_array)
        .and_then(|steps| steps.last())
        .is_some_and(|last| last.as_str() == Some("PathUnpivot"))
}

/// The name the planner gives an unaliased SELECT item: a variable's or the last path
/// step's name, else `_N` by position.
fn inferred_alias(expr: &Json, position: usize) -> String {
    let name = expr
        .pointer("/VarRef/node/name/value")
        .or_else(|| {
            expr.pointer("/Path/node/steps")
                .and_then(Json::as_array)
                .and_then(|steps| steps.last())
                .and_then(|last| last.pointer("/PathProject/index/VarRef/node/name/value"))
        })
        .and_then(Json::as_str);
    name.map_or_else(|| format!("_{}", position + 1), str::to_string)
}

/// `SELECT a.*, e AS x, b.*` → `SELECT VALUE tupleunion(a, {'x': e}, b)`: the fields of
/// each `.*` item in order, the other items as one-field tuples (a MISSING value adds no
/// field, as in a SELECT list).
fn rewrite_star_items(j: &mut Json, ids: &mut Ids) -> bool {
    let Some(items) = j.pointer("/kind/ProjectList").and_then(Json::as_array) else {
        return false;
    };
    let items: Vec<&Json> = items
        .iter()
        .map(|i| i.pointer("/node/ProjectExpr").unwrap_or(&Json::Null))
        .collect();
    if !items
        .iter()
        .any(|i| i.get("expr").is_some_and(is_star_item))
    {
        return false;
    }
    let mut args = Vec::with_capacity(items.len());
    for (pos, item) in items.iter().enumerate() {
        let Some(expr) = item.get("expr") else {
            return false;
        };
        let arg = if is_star_item(expr) {
            let mut path = expr.clone();
            let Some(steps) = path
                .pointer_mut("/Path/node/steps")
                .and_then(Json::as_array_mut)
            else {
                return false;
            };
            steps.pop();
            if steps.is_empty() {
                path.pointer("/Path/node/root")
                    .cloned()
                    .unwrap_or(Json::Null)
            } else {
                path
            }
        } else {
            let alias = item
                .pointer("/as_alias/value")
                .and_then(Json::as_str)
                .map_or_else(|| inferred_alias(expr, pos), str::to_string);
            let fields = vec![json!({"first": string_lit(&alias, ids), "second": expr})];
            json!({"Struct": {"id": ids.next(), "node": {"fields": fields}}})
        };
        args.push(positional(arg, ids));
    }
    let value = call("tupleunion", args, ids);
    if let Some(kind) = j.get_mut("kind") {
        *kind = json!({ "ProjectValue": value });
        return true;
    }
    false
}

/// `x['name']` → `x."name"`: a string index names a field exactly (the planner would
/// look it up ignoring case).
fn quoted_index_steps(j: &Json, ids: &mut Ids) -> Option<Json> {
    let steps = j.pointer("/Path/node/steps")?.as_array()?;
    let is_string_index = |s: &Json| {
        s.pointer("/PathIndex/index/Lit/node/CharStringLit")
            .is_some()
    };
    if !steps.iter().any(is_string_index) {
        return None;
    }
    let mut out = j.clone();
    let steps = out.pointer_mut("/Path/node/steps")?.as_array_mut()?;
    for step in steps.iter_mut() {
        let Some(name) = step
            .pointer("/PathIndex/index/Lit/node/CharStringLit")
            .and_then(Json::as_str)
            .map(str::to_string)
        else {
            continue;
        };
        *step = json!({"PathProject": {"index": {"VarRef": {"id": ids.next(), "node": {
            "name": {"value": name, "case": "CaseSensitive"},
            "qualifier": "Unqualified",
        }}}}});
    }
    Some(out)
}

/// A path with `[*]` or `.*` steps → `path_wildcard(prefix, 'steps', indexes…)` (see
/// `functions::path`): the steps before the first wildcard stay an ordinary path.
fn wildcard_path(node: &Json, ids: &mut Ids) -> Option<Json> {
    use crate::functions::path::SEP;
    let steps = node.get("steps")?.as_array()?;
    let first = steps
        .iter()
        .position(|s| matches!(s.as_str(), Some("PathForEach" | "PathUnpivot")))?;
    let mut root = node.get("root")?.clone();
    if first > 0 {
        root = json!({"Path": {"id": ids.next(), "node": {
            "root": root,
            "steps": steps[..first].to_vec(),
        }}});
    }
    let mut spec: Vec<String> = Vec::new();
    let mut dynamic = Vec::new();
    for step in &steps[first..] {
        match step.as_str() {
            Some("PathForEach") => {
                spec.push("*".into());
                continue;
            }
            Some("PathUnpivot") => {
                spec.push("u".into());
                continue;
            }
            _ => {}
        }
        let (index, project) = match (step.get("PathProject"), step.get("PathIndex")) {
            (Some(p), _) => (p.get("index")?, true),
            (None, Some(i)) => (i.get("index")?, false),
            _ => return None,
        };
        let var = index.pointer("/VarRef/node/name");
        let lit = index.pointer("/Lit/node");
        match (var, lit) {
            (Some(name), _) if project => {
                let value = name.get("value")?.as_str()?;
                let sensitive = name.get("case")?.as_str()? == "CaseSensitive";
                if value.contains(SEP) {
                    spec.push("?".into());
                    dynamic.push(positional(string_lit(value, ids), ids));
                } else {
                    spec.push(format!("{}{value}", if sensitive { 'K' } else { 'k' }));
                }
            }
            (_, Some(lit)) if lit.get("Int64Lit").is_some() => {
                spec.push(format!("#{}", lit.get("Int64Lit")?.as_i64()?));
            }
            (_, Some(lit)) if lit.get("CharStringLit").and_then(Json::as_str).is_some() => {
                let value = lit.get("CharStringLit")?.as_str()?;
                if value.contains(SEP) {
                    spec.push("?".into());
                    dynamic.push(positional(string_lit(value, ids), ids));
                } else {
                    spec.push(format!("K{value}"));
                }
            }
            _ => {
                spec.push("?".into());
                dynamic.push(positional(index.clone(), ids));
            }
        }
    }
    let mut args = vec![
        positional(root, ids),
        positional(string_lit(&spec.join(&SEP.to_string()), ids), ids),
    ];
    args.extend(dynamic);
    Some(call("path_wildcard", args, ids))
}

/// `VALUES (a), (b, c)` → the bag `<<[a], [b, c]>>`: a row of one value is written
/// without its parentheses in the AST, a row of several is a list already.
fn values_rows(j: &mut Json, ids: &mut Ids) -> bool {
    // A VALUES subquery (`x IN (VALUES …)`) becomes the bag itself: the planner does not
    // take a query over a plain expression there.
    if let Some(q) = j.pointer("/Query/node") {
        let plain = q.get("order_by").is_none_or(Json::is_null)
            && q.get("limit_offset").is_none_or(Json::is_null);
        if let (true, Some(set)) = (plain, q.pointer("/set/node")) {
            let mut set = set.clone();
            if values_rows(&mut set, ids) {
                if let Some(bag) = set.get("Expr") {
                    *j = bag.clone();
                    return true;
                }
            }
        }
        return false;
    }
    let Some(rows) = j.get("Values").and_then(Json::as_array) else {
        return false;
    };
    if j.as_object().is_some_and(|m| m.len() != 1) {
        return false;
    }
    let rows: Vec<Json> = rows
        .iter()
        .map(|r| {
            if r.get("List").is_some() {
                r.clone()
            } else {
                json!({"List": {"id": ids.next(), "node": {"values": [r]}}})
            }
        })
        .collect();
    *j = json!({"Expr": {"Bag": {"id": ids.next(), "node": {"values": rows}}}});
    true
}

fn rewrite_node(j: &mut Json, ids: &mut Ids) -> Option<Json> {
    if let Some(node) = j.pointer("/Path/node") {
        if let Some(call) = wildcard_path(node, ids) {
            return Some(call);
        }
        return quoted_index_steps(j, ids);
    }
    // String literals: the lexer keeps `''` doubled.
    if let Some(Json::String(s)) = j.get_mut("CharStringLit") {
        if s.contains("''") {
            *s = s.replace("''", "'");
            return Some(j.clone());
        }
        return None;
    }
    // Expr::Lit(TypedLit) → cast('text', 'TYPE').
    if let Some(lit) = j.pointer("/Lit/node/TypedLit") {
        return typed_lit_call(lit, ids);
    }
    // A collection literal holding typed literals (`[DATE '…', 1]`) → the collection
    // constructor, whose elements can be the casts.
    if let Some(lit) = j.pointer("/Lit/node") {
        if is_collection_lit(lit) && has_typed_lit(lit) {
            return lit_to_expr(lit, ids);
        }
    }
    // Expr::Call
    if let Some(node) = j.pointer("/Call/node") {
        let name = node
            .pointer("/func_name/value")?
            .as_str()?
            .to_ascii_lowercase();
        let args = node.get("args")?.as_array()?.clone();
        match name.as_str() {
            "cast" | "can_cast" | "can_lossless_cast" if args.len() == 2 => {
                let ty = args[1].pointer("/node/Named/value").and_then(type_text)?;
                let value = args[0].pointer("/node/Positional")?.clone();
                let new_args = vec![
                    positional(value, ids),
                    positional(string_lit(&ty, ids), ids),
                ];
                return Some(call(&name, new_args, ids));
            }
            "date_add" | "date_diff" if !args.is_empty() => {
                let part = args[0]
                    .pointer("/node/Positional/VarRef/node/name/value")?
                    .as_str()?
                    .to_ascii_lowercase();
                let mut new_args = args.clone();
                new_args[0] = positional(string_lit(&part, ids), ids);
                return Some(call(&name, new_args, ids));
            }
            _ => return None,
        }
    }
    // Expr::BinOp(Is) with a type on the right.
    if let Some(node) = j.pointer("/BinOp/node") {
        if node.get("kind")?.as_str()? != "Is" {
            return None;
        }
        let ty = type_text(node.get("rhs")?)?;
        let lhs = node.get("lhs")?.clone();
        let args = vec![positional(lhs, ids), positional(string_lit(&ty, ids), ids)];
        return Some(call("is_type", args, ids));
    }
    None
}

/// An identifier of the AST: its text and whether it is case-sensitive (quoted).
fn ident(name: &str, case_sensitive: bool) -> Json {
    let case = if case_sensitive {
        "CaseSensitive"
    } else {
        "CaseInsensitive"
    };
    json!({"value": name, "case": case})
}
