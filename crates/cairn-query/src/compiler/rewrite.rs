//! AST rewrites applied before logical planning, for constructs the 0.15 planner does
//! not lower itself. Each turns a construct into a call of a function in Cairn's
//! registry, which the planner resolves like any other:
//!
//! - `CAST(x AS T)` → `cast(x, 'T')`;
//! - typed literals `DATE '…'`, `TIME '…'`, `TIMESTAMP '…'` → `cast('…', 'DATE')`, …;
//! - `x IS T` for a type other than NULL/MISSING → `is_type(x, 'T')`;
//! - the date part of `date_add(day, …)`/`date_diff(day, …)` → the string `'day'`;
//! - `''` inside string literals (which the lexer leaves doubled) → `'`.
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
        parsed.ast = serde_json::from_value(j).map_err(internal)?;
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

fn rewrite_node(j: &mut Json, ids: &mut Ids) -> Option<Json> {
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
