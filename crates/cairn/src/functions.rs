//! Functions Cairn adds to PartiQL: graph traversals usable in FROM
//! (`callers`, `callees`, `neighbors`, `path`) and `read_json`.
//!
//! A traversal function returns a bag of tuples, one per block reached:
//! `{id, name, qualified_name, kind, path, line, distance, via}` where `via` is the list
//! of qualified names from the start to the block, and `line` is the line of the site
//! of the last edge (the call or the import). `path(from, to)` returns one tuple per
//! step: `{step, id, name, qualified_name, kind, path, line}`.

use crate::database::{related, resolve_target, Related};
use bumpalo::Bump;
use cairn_graph::traverse::{self, Direction};
use cairn_graph::{Block, EdgeKind, GraphStore};
use cairn_query::error::EvalError;
use cairn_query::functions::{AbsentArgs, FnContext, FnResult, FunctionDef, ScalarFunction};
use cairn_query::value::Field;
use cairn_query::{FunctionRegistry, OwnedValue, Value};
use std::path::PathBuf;

/// Most edges a traversal function follows from its start.
pub const MAX_DEPTH: i64 = 64;

/// The built-in functions plus Cairn's graph functions over `store`.
pub fn graph_functions(store: &GraphStore) -> FunctionRegistry {
    let mut r = FunctionRegistry::with_builtins();
    for (name, walk, args) in [
        ("callers", Walk::Callers, 1..=2),
        ("callees", Walk::Callees, 1..=2),
        ("neighbors", Walk::Neighbors, 1..=3),
        ("path", Walk::Path, 2..=3),
    ] {
        r.register(FunctionDef::new(
            name,
            args,
            AbsentArgs::Propagate,
            GraphFn {
                store: store.clone(),
                walk,
            },
        ));
    }
    r.register(FunctionDef::new(
        "read_json",
        1..=1,
        AbsentArgs::Propagate,
        ReadJson,
    ));
    r
}

#[derive(Clone, Copy, Debug)]
enum Walk {
    Callers,
    Callees,
    Neighbors,
    Path,
}

struct GraphFn {
    store: GraphStore,
    walk: Walk,
}

impl GraphFn {
    fn name(&self) -> &'static str {
        match self.walk {
            Walk::Callers => "callers",
            Walk::Callees => "callees",
            Walk::Neighbors => "neighbors",
            Walk::Path => "path",
        }
    }

    fn target(&self, v: &Value<'_>) -> Result<Block, EvalError> {
        let text = v.as_str().ok_or_else(|| {
            EvalError::type_err(format!(
                "{}: a target is a block id or a name (a string), got {}",
                self.name(),
                v.type_tag().name()
            ))
        })?;
        resolve_target(&self.store, text)
            .map_err(|e| EvalError::Fatal(format!("{}: {e}", self.name())))
    }

    fn depth(&self, v: Option<&Value<'_>>) -> Result<u32, EvalError> {
        match v {
            None => Ok(1),
            Some(Value::Int(d)) if (1..=MAX_DEPTH).contains(d) => Ok(*d as u32),
            Some(other) => Err(EvalError::Fatal(format!(
                "{}: depth must be an integer from 1 to {MAX_DEPTH}, got {other:?}",
                self.name()
            ))),
        }
    }

    fn kinds(&self, v: &Value<'_>) -> Result<Vec<EdgeKind>, EvalError> {
        let parse = |s: &Value<'_>| {
            s.as_str().and_then(EdgeKind::parse).ok_or_else(|| {
                EvalError::Fatal(format!(
                    "neighbors: edge kinds are strings among {}, got {s:?}",
                    EdgeKind::ALL.map(EdgeKind::as_str).join(", ")
                ))
            })
        };
        match v.as_collection() {
            Some(items) => items.iter().map(parse).collect(),
            None => Ok(vec![parse(v)?]),
        }
    }

    fn err(&self, e: impl std::fmt::Display) -> EvalError {
        EvalError::Fatal(format!("{}: {e}", self.name()))
    }
}

impl ScalarFunction for GraphFn {
    fn call<'a>(&self, args: &[Value<'a>], cx: &FnContext<'a>) -> FnResult<'a> {
        let start = self.target(&args[0])?;
        let both = |kinds: Vec<EdgeKind>, depth| -> Result<Vec<Related>, EvalError> {
            let mut out = related(&self.store, &start, Direction::Incoming, &kinds, depth)
                .map_err(|e| self.err(e))?;
            out.extend(
                related(&self.store, &start, Direction::Outgoing, &kinds, depth)
                    .map_err(|e| self.err(e))?,
            );
            Ok(out)
        };
        let rows = match self.walk {
            Walk::Callers => related(
                &self.store,
                &start,
                Direction::Incoming,
                &[EdgeKind::Calls],
                self.depth(args.get(1))?,
            )
            .map_err(|e| self.err(e))?,
            Walk::Callees => related(
                &self.store,
                &start,
                Direction::Outgoing,
                &[EdgeKind::Calls],
                self.depth(args.get(1))?,
            )
            .map_err(|e| self.err(e))?,
            Walk::Neighbors => {
                let kinds = match args.get(1) {
                    Some(k) => self.kinds(k)?,
                    None => EdgeKind::ALL.to_vec(),
                };
                both(kinds, self.depth(args.get(2))?)?
            }
            Walk::Path => {
                let to = self.target(&args[1])?;
                let max = self.depth(args.get(2).or(Some(&Value::Int(MAX_DEPTH))))?;
                let ids =
                    traverse::shortest_path(&self.store, start.id, to.id, &[EdgeKind::Calls], max)
                        .map_err(|e| self.err(e))?
                        .unwrap_or_default();
                let mut steps = Vec::with_capacity(ids.len());
                for (i, id) in ids.iter().enumerate() {
                    let b = self
                        .store
                        .block(id)
                        .map_err(|e| self.err(e))?
                        .ok_or_else(|| self.err("block vanished"))?;
                    steps.push(block_tuple(&b, cx.arena, &[("step", Value::Int(i as i64))]));
                }
                return Ok(Value::List(cx.arena.alloc_slice_copy(&steps)));
            }
        };
        let arena = cx.arena;
        let items: Vec<Value<'a>> =
            rows.iter()
                .map(|r| {
                    let via = Value::List(arena.alloc_slice_fill_iter(
                        r.path.iter().map(|p| Value::Str(arena.alloc_str(p))),
                    ));
                    let extra = [
                        ("distance", Value::Int(i64::from(r.distance))),
                        ("line", Value::Int(i64::from(r.line))),
                        ("via", via),
                    ];
                    match &r.block {
                        Some(b) => block_tuple(b, arena, &extra),
                        None => {
                            let mut fields: Vec<Field<'a>> = vec![
                                ("name", Value::Str(arena.alloc_str(&r.name))),
                                ("kind", Value::Str("unresolved")),
                            ];
                            fields.extend(extra);
                            Value::Tuple(arena.alloc_slice_copy(&fields))
                        }
                    }
                })
                .collect();
        Ok(Value::Bag(arena.alloc_slice_copy(&items)))
    }
}

fn block_tuple<'a>(b: &Block, arena: &'a Bump, extra: &[Field<'a>]) -> Value<'a> {
    let s = |t: &str| Value::Str(arena.alloc_str(t));
    let mut fields: Vec<Field<'a>> = vec![
        ("id", s(&b.id.to_string())),
        ("name", s(&b.name)),
        ("qualified_name", s(&b.qualified_name)),
        ("kind", Value::Str(b.kind.as_str())),
        ("path", s(&b.path)),
        ("start_line", Value::Int(i64::from(b.span.start_line))),
        ("signature", s(&b.signature)),
    ];
    fields.extend_from_slice(extra);
    Value::Tuple(arena.alloc_slice_copy(&fields))
}

/// `read_json('file.jsonl')`: the lines of a JSON-lines file as a bag. Paths must lie
/// under the directory the process started in, unless `CAIRN_ALLOW_PATHS=1`.
#[derive(Default)]
struct ReadJson;

/// Set to `1` to let `read_json` read files outside the current directory.
pub const ALLOW_PATHS_ENV: &str = "CAIRN_ALLOW_PATHS";

impl ReadJson {
    fn checked_path(text: &str) -> Result<PathBuf, EvalError> {
        let path = PathBuf::from(text);
        let canonical = path
            .canonicalize()
            .map_err(|e| EvalError::Fatal(format!("read_json: {text}: {e}")))?;
        if std::env::var(ALLOW_PATHS_ENV).as_deref() == Ok("1") {
            return Ok(canonical);
        }
        let cwd = std::env::current_dir()
            .and_then(|d| d.canonicalize())
            .map_err(|e| EvalError::Fatal(format!("read_json: current directory: {e}")))?;
        if !canonical.starts_with(&cwd) {
            return Err(EvalError::Fatal(format!(
                "read_json: {text} is outside the current directory {} (set {ALLOW_PATHS_ENV}=1 to allow)",
                cwd.display()
            )));
        }
        Ok(canonical)
    }
}

impl ScalarFunction for ReadJson {
    fn call<'a>(&self, args: &[Value<'a>], cx: &FnContext<'a>) -> FnResult<'a> {
        let text = args[0]
            .as_str()
            .ok_or_else(|| EvalError::type_err("read_json: the path must be a string"))?;
        let path = Self::checked_path(text)?;
        let data = std::fs::read_to_string(&path)
            .map_err(|e| EvalError::Fatal(format!("read_json: {text}: {e}")))?;
        let mut rows = Vec::new();
        for (n, line) in data.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let json: serde_json::Value = serde_json::from_str(line)
                .map_err(|e| EvalError::Fatal(format!("read_json: {text}:{}: {e}", n + 1)))?;
            let owned: OwnedValue = cairn_query::value::json::from_json(&json)
                .map_err(|e| EvalError::Fatal(format!("read_json: {text}:{}: {e}", n + 1)))?;
            rows.push(owned.as_value(cx.arena).deep_copy(cx.arena));
        }
        Ok(Value::Bag(cx.arena.alloc_slice_copy(&rows)))
    }
}
