//! The MCP server's tools, apart from the protocol: each tool's name, description and
//! JSON schema, and what a call answers, as compact text for an agent to read.
//!
//! Every answer is bounded ([`MAX_ANSWER_CHARS`], and a `limit` on listed items)
//! and says when it was cut, and ends with when the workspaces it drew on were last
//! synced. Bad arguments, unknown blocks and query errors are tool errors: text the
//! agent can act on, never a crash. Nothing here knows of the MCP library
//! (see `mcp.rs`).

use crate::output::Rows;
use crate::watch::Shared;
use cairn::{Block, BlockKind, Database, OwnedValue, Related, Relation, Shape};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value as Json};
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// The most characters of text one answer holds, notes included.
pub const MAX_ANSWER_CHARS: usize = 16_000;
/// How many items (blocks, rows) an answer lists unless asked for another number.
const DEFAULT_LIMIT: usize = 50;
/// The most items an answer lists.
const MAX_LIMIT: usize = 500;

/// What the server tells a client about itself at initialisation.
pub const INSTRUCTIONS: &str = "Cairn answers questions about the code of its linked workspaces \
from an index: find_symbol locates definitions, callers/callees walk the call graph, context \
bundles a block's source with its callers and callees, query runs read-only PartiQL over the \
tables blocks, edges, files and workspaces, status lists workspaces. Name blocks by qualified \
name (crate::util::helper), simple name, or the id find_symbol shows. Every answer ends with \
when its workspace was last synced.";

/// A tool as listed to clients.
pub struct ToolDef {
    pub name: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    schema: fn() -> Json,
}

impl ToolDef {
    /// The JSON schema of the tool's arguments (an object schema).
    pub fn input_schema(&self) -> serde_json::Map<String, Json> {
        match (self.schema)() {
            Json::Object(m) => m,
            _ => unreachable!("tool schemas are objects"),
        }
    }
}

pub const TOOLS: [ToolDef; 6] = [
    ToolDef {
        name: "find_symbol",
        title: "Find a symbol",
        description: "Find definitions (functions, methods, types, modules...) by name or \
                      qualified name. Lists kind, qualified name, file:line, signature and \
                      block id of each match.",
        schema: || {
            json!({
                "type": "object",
                "properties": {
                    "name": {"type": "string", "minLength": 1,
                             "description": "A simple name (helper) or a qualified name (crate::util::helper)."},
                    "kind": {"type": "string", "enum": BlockKind::ALL.map(BlockKind::as_str),
                             "description": "Only blocks of this kind."},
                    "workspace": {"type": "string", "description": "Only blocks of this workspace."},
                    "limit": limit_schema(),
                },
                "required": ["name"],
                "additionalProperties": false,
            })
        },
    },
    ToolDef {
        name: "callers",
        title: "Callers of a block",
        description: "Who calls a function or method: each caller with its file:line and \
                      the line of the call; with depth > 1 also their callers, and so on.",
        schema: || related_schema("The function or method whose callers to list."),
    },
    ToolDef {
        name: "callees",
        title: "Callees of a block",
        description: "What a function or method calls: each callee with its file:line and \
                      the line of the call (unresolved calls are marked); with depth > 1 \
                      also what those call.",
        schema: || related_schema("The function or method whose callees to list."),
    },
    ToolDef {
        name: "context",
        title: "A block in context",
        description: "A block's source (with its doc comment) and the signatures of its \
                      direct callers and callees: the context to read before changing it.",
        schema: || {
            json!({
                "type": "object",
                "properties": {"target": target_schema("The block to show.")},
                "required": ["target"],
                "additionalProperties": false,
            })
        },
    },
    ToolDef {
        name: "query",
        title: "PartiQL query (read-only)",
        description: "Run a read-only PartiQL statement over the tables blocks, edges, files \
                      and workspaces, and the functions callers(target, depth), callees(...), \
                      neighbors(...) and path(from, to). Rows come back as JSON lines. \
                      Prefix with EXPLAIN for the plan. Example: SELECT b.qualified_name, \
                      b.path FROM blocks AS b WHERE b.kind = 'struct'",
        schema: || {
            json!({
                "type": "object",
                "properties": {
                    "statement": {"type": "string", "minLength": 1,
                                  "description": "One PartiQL SELECT (or EXPLAIN SELECT) statement."},
                    "limit": limit_schema(),
                },
                "required": ["statement"],
                "additionalProperties": false,
            })
        },
    },
    ToolDef {
        name: "status",
        title: "Workspaces and freshness",
        description: "The linked workspaces: root, files, blocks, edges, when each was last \
                      synced, and whether changes are being watched.",
        schema: || {
            json!({
                "type": "object",
                "properties": {},
                "additionalProperties": false,
            })
        },
    },
];

fn limit_schema() -> Json {
    json!({"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT,
           "description": "The most items to list."})
}

fn target_schema(what: &str) -> Json {
    json!({"type": "string", "minLength": 1,
           "description": format!("{what} A qualified name, a simple name, or a block id from find_symbol.")})
}

fn related_schema(what: &str) -> Json {
    json!({
        "type": "object",
        "properties": {
            "target": target_schema(what),
            "depth": {"type": "integer", "minimum": 1, "maximum": cairn::functions::MAX_DEPTH,
                      "default": 1, "description": "How many calls away to look."},
            "limit": limit_schema(),
        },
        "required": ["target"],
        "additionalProperties": false,
    })
}

/// The tool named `name`.
pub fn find(name: &str) -> Option<&'static ToolDef> {
    TOOLS.iter().find(|t| t.name == name)
}

/// The names of all tools, for an error naming an unknown one.
pub fn names() -> String {
    TOOLS.map(|t| t.name).join(", ")
}

/// Calls `tool` with `args` (a JSON object): the answer's text, or the text of a
/// tool error.
pub fn call(shared: &Shared, tool: &ToolDef, args: Json) -> Result<String, String> {
    let cx = Cx { shared };
    match tool.name {
        "find_symbol" => cx.find_symbol(parse(tool, args)?),
        "callers" => cx.related(parse(tool, args)?, Relation::Callers),
        "callees" => cx.related(parse(tool, args)?, Relation::Callees),
        "context" => cx.context(parse(tool, args)?),
        "query" => cx.query(parse(tool, args)?),
        "status" => {
            let NoArgs {} = parse(tool, args)?;
            cx.status()
        }
        other => Err(format!("unknown tool `{other}`; the tools are {}", names())),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FindArgs {
    name: String,
    kind: Option<String>,
    workspace: Option<String>,
    #[serde(default, deserialize_with = "lenient_count")]
    limit: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RelatedArgs {
    target: String,
    #[serde(default, deserialize_with = "lenient_count")]
    depth: Option<u64>,
    #[serde(default, deserialize_with = "lenient_count")]
    limit: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ContextArgs {
    target: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct QueryArgs {
    statement: String,
    #[serde(default, deserialize_with = "lenient_count")]
    limit: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoArgs {}

/// A whole number, also when written as a string ("2"): some clients send numbers
/// that way.
fn lenient_count<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    let bad = |shown: &str| {
        serde::de::Error::custom(format!(
            "expected a whole number of at least 1, got {shown}"
        ))
    };
    match Option::<Json>::deserialize(d)? {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Number(n)) => n.as_u64().map(Some).ok_or_else(|| bad(&n.to_string())),
        Some(Json::String(s)) => s
            .trim()
            .parse::<u64>()
            .map(Some)
            .map_err(|_| bad(&format!("\"{s}\""))),
        Some(other) => Err(bad(&other.to_string())),
    }
}

/// `args` as the arguments of `tool`, or an error saying what was wrong and what the
/// tool takes.
fn parse<T: DeserializeOwned>(tool: &ToolDef, args: Json) -> Result<T, String> {
    let args = match args {
        Json::Null => Json::Object(Default::default()),
        a => a,
    };
    serde_json::from_value(args).map_err(|e| {
        let schema = Json::Object(tool.input_schema());
        let props = schema["properties"]
            .as_object()
            .map(|p| p.keys().cloned().collect::<Vec<_>>().join(", "))
            .unwrap_or_default();
        let required = schema["required"]
            .as_array()
            .map(|r| {
                r.iter()
                    .filter_map(Json::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default();
        format!(
            "bad arguments for `{}`: {e}. It takes {} (required: {}).",
            tool.name,
            if props.is_empty() {
                "no arguments".to_string()
            } else {
                props
            },
            if required.is_empty() {
                "none".to_string()
            } else {
                required
            }
        )
    })
}

/// A count argument within `1..=max`, `default` when absent.
fn count(what: &str, value: Option<u64>, default: usize, max: usize) -> Result<usize, String> {
    match value {
        None => Ok(default),
        Some(v) if (1..=max as u64).contains(&v) => Ok(v as usize),
        Some(v) => Err(format!("`{what}` must be from 1 to {max}, not {v}")),
    }
}

fn non_empty<'a>(what: &str, value: &'a str) -> Result<&'a str, String> {
    let v = value.trim();
    if v.is_empty() {
        Err(format!("`{what}` must not be empty"))
    } else {
        Ok(v)
    }
}

/// A tool error's text for a database error.
fn db_error(e: cairn::Error) -> String {
    match e {
        cairn::Error::NoSuchBlock(t) => format!(
            "no block matches `{t}`; look it up with find_symbol (a simple name finds every \
             block of that name)"
        ),
        other => other.to_string(),
    }
}

/// The text of an answer, bounded: lines are added until the budget is spent, and
/// the rest are counted for the note saying the answer was cut.
struct Answer {
    text: String,
    /// Lines (or parts of lines) left out for want of room.
    cut_lines: usize,
    /// Notes for the end: items left out by a limit, and the like.
    notes: Vec<String>,
}

/// Room kept for the closing notes and the sync line.
const NOTES_ROOM: usize = 1_000;

impl Answer {
    fn new() -> Answer {
        Answer {
            text: String::new(),
            cut_lines: 0,
            notes: Vec::new(),
        }
    }

    /// Adds `line` (one or more lines of text) if there is room; a line too long for
    /// what is left is cut at a character boundary.
    fn line(&mut self, line: &str) {
        for l in line.split('\n') {
            if self.cut_lines > 0 {
                self.cut_lines += 1;
                continue;
            }
            let room = (MAX_ANSWER_CHARS - NOTES_ROOM).saturating_sub(self.text.len());
            if l.len() < room {
                self.text.push_str(l);
                self.text.push('\n');
            } else {
                let mut end = room.saturating_sub(1);
                while !l.is_char_boundary(end) {
                    end -= 1;
                }
                if end > 0 {
                    self.text.push_str(&l[..end]);
                    self.text.push_str("…\n");
                }
                self.cut_lines += 1;
            }
        }
    }

    fn note(&mut self, note: String) {
        self.notes.push(note);
    }

    /// The answer, its notes, and the sync line.
    fn finish(mut self, synced: String) -> String {
        if self.cut_lines > 0 {
            self.notes.push(format!(
                "truncated: {} more line(s) not shown (answers are capped at {} characters); \
                 ask for less (a lower limit or depth, a narrower query)",
                self.cut_lines, MAX_ANSWER_CHARS
            ));
        }
        for n in &self.notes {
            let _ = writeln!(self.text, "[{n}]");
        }
        self.text.push_str(&synced);
        self.text
    }
}

/// Notes an item limit: `shown` of `total` listed.
fn limit_note(answer: &mut Answer, shown: usize, total: usize) {
    if shown < total {
        answer.note(format!(
            "showing {shown} of {total}; pass a higher limit (up to {MAX_LIMIT}) for more"
        ));
    }
}

/// One line, for a signature or doc that spans several.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

struct Cx<'a> {
    shared: &'a Shared,
}

impl Cx<'_> {
    fn find_symbol(&self, args: FindArgs) -> Result<String, String> {
        let name = non_empty("name", &args.name)?;
        let limit = count("limit", args.limit, DEFAULT_LIMIT, MAX_LIMIT)?;
        let kind = match args.kind.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(k) => Some(BlockKind::parse(k).ok_or_else(|| {
                format!(
                    "unknown kind `{k}`; kinds are {}",
                    BlockKind::ALL.map(BlockKind::as_str).join(", ")
                )
            })?),
        };
        self.shared.read(|db| {
            let blocks = db
                .find(name, kind, args.workspace.as_deref())
                .map_err(db_error)?;
            let multi = db.workspaces().map_err(db_error)?.len() > 1;
            let mut a = Answer::new();
            if blocks.is_empty() {
                a.line(&format!(
                    "no block is named `{name}`{}{}",
                    kind.map(|k| format!(" of kind {k}")).unwrap_or_default(),
                    args.workspace
                        .as_deref()
                        .map(|w| format!(" in workspace `{w}`"))
                        .unwrap_or_default()
                ));
                a.note(
                    "names match whole simple or qualified names, case-sensitively; \
                        the query tool can match patterns: SELECT b.qualified_name FROM blocks \
                        AS b WHERE b.name LIKE '%part%'"
                        .to_string(),
                );
            } else {
                a.line(&format!("{} block(s) named `{name}`:", blocks.len()));
            }
            for b in blocks.iter().take(limit) {
                a.line(&format!(
                    "{} {}  {}  {}  id {}",
                    b.kind,
                    b.qualified_name,
                    place(b, multi),
                    one_line(&b.signature),
                    b.id
                ));
            }
            limit_note(&mut a, blocks.len().min(limit), blocks.len());
            let drawn: BTreeSet<&str> = blocks.iter().map(|b| b.workspace.as_str()).collect();
            Ok(a.finish(synced_line(db, self.shared, &drawn)))
        })
    }

    fn related(&self, args: RelatedArgs, relation: Relation) -> Result<String, String> {
        let target = non_empty("target", &args.target)?;
        let max_depth = cairn::functions::MAX_DEPTH as usize;
        let depth = count("depth", args.depth, 1, max_depth)? as u32;
        let limit = count("limit", args.limit, DEFAULT_LIMIT, MAX_LIMIT)?;
        self.shared.read(|db| {
            let start = db.resolve(target).map_err(db_error)?;
            let found = db.show(target, relation, depth).map_err(db_error)?;
            let multi = db.workspaces().map_err(db_error)?.len() > 1;
            let what = match relation {
                Relation::Callers => "caller(s)",
                _ => "callee(s)",
            };
            let mut a = Answer::new();
            a.line(&format!(
                "{} {what} of {} {} ({}){}:",
                found.len(),
                start.kind,
                start.qualified_name,
                place(&start, multi),
                if depth > 1 {
                    format!(", up to {depth} calls away")
                } else {
                    String::new()
                }
            ));
            for r in found.iter().take(limit) {
                a.line(&related_line(r, relation, multi));
            }
            limit_note(&mut a, found.len().min(limit), found.len());
            let mut drawn: BTreeSet<&str> = BTreeSet::from([start.workspace.as_str()]);
            drawn.extend(
                found
                    .iter()
                    .filter_map(|r| r.block.as_ref().map(|b| b.workspace.as_str())),
            );
            Ok(a.finish(synced_line(db, self.shared, &drawn)))
        })
    }

    fn context(&self, args: ContextArgs) -> Result<String, String> {
        let target = non_empty("target", &args.target)?;
        self.shared.read(|db| {
            let cx = db.context(target).map_err(db_error)?;
            let multi = db.workspaces().map_err(db_error)?.len() > 1;
            let b = &cx.block;
            let mut a = Answer::new();
            a.line(&format!(
                "// {} {} — {}-{}",
                b.kind,
                b.qualified_name,
                place(b, multi),
                b.span.end_line
            ));
            for l in b.doc.lines() {
                a.line(&format!("// {l}"));
            }
            a.line(if b.source.is_empty() {
                &b.signature
            } else {
                &b.source
            });
            // The callers and callees come after the source: when the source is
            // long, they are what the budget cuts, and the note says so.
            for (title, list) in [("callers", &cx.callers), ("callees", &cx.callees)] {
                a.line(&format!("\n// {title} ({})", list.len()));
                for r in list {
                    match &r.block {
                        Some(c) => a.line(&format!(
                            "{}  {}  [{}]",
                            place(c, multi),
                            one_line(&c.signature),
                            c.qualified_name
                        )),
                        None => a.line(&format!("?  {}", r.name)),
                    }
                }
            }
            let mut drawn: BTreeSet<&str> = BTreeSet::from([b.workspace.as_str()]);
            drawn.extend(
                cx.callers
                    .iter()
                    .chain(&cx.callees)
                    .filter_map(|r| r.block.as_ref().map(|b| b.workspace.as_str())),
            );
            Ok(a.finish(synced_line(db, self.shared, &drawn)))
        })
    }

    fn query(&self, args: QueryArgs) -> Result<String, String> {
        let limit = count("limit", args.limit, DEFAULT_LIMIT, MAX_LIMIT)?;
        let text = non_empty("statement", &args.statement)?;
        let text = text.trim_end_matches(';').trim_end();
        check_read_only(text)?;
        self.shared.read(|db| {
            let all: BTreeSet<String> = workspace_names(db);
            let all: BTreeSet<&str> = all.iter().map(String::as_str).collect();
            let mut a = Answer::new();
            if let Some(inner) = explain_of(text) {
                let plan = db.explain(inner).map_err(|e| e.to_string())?;
                a.line(plan.trim_end());
                return Ok(a.finish(synced_line(db, self.shared, &all)));
            }
            let mut stmt = db.prepare(text).map_err(|e| e.to_string())?;
            if stmt.param_count() > 0 {
                return Err(format!(
                    "the statement has {} `?` placeholder(s); the query tool takes no \
                     parameters, so write the values into the statement",
                    stmt.param_count()
                ));
            }
            let columns = match stmt.shape() {
                Shape::Tuples(cols) => Some(cols.clone()),
                _ => None,
            };
            let value = stmt.execute_owned(&[]).map_err(|e| e.to_string())?;
            let values = match value {
                OwnedValue::Bag(v) | OwnedValue::List(v) => v,
                scalar => vec![scalar],
            };
            let total = values.len();
            let shown: Vec<OwnedValue> = values.into_iter().take(limit).collect();
            let rows = Rows::from_values(shown, columns.as_deref());
            a.line(&format!(
                "{total} row{}{}",
                if total == 1 { "" } else { "s" },
                if total > 0 { ", as JSON lines:" } else { "" }
            ));
            for r in &rows.rows {
                a.line(&rows.row_json(r).to_string());
            }
            limit_note(&mut a, rows.rows.len(), total);
            Ok(a.finish(synced_line(db, self.shared, &all)))
        })
    }

    fn status(&self) -> Result<String, String> {
        self.shared.read(|db| {
            let s = db.status().map_err(db_error)?;
            let records = db.workspaces().map_err(db_error)?;
            let synced_ms: std::collections::HashMap<&str, u64> = records
                .iter()
                .map(|w| (w.name.as_str(), w.last_sync_ms))
                .collect();
            let mut a = Answer::new();
            a.line(&format!(
                "database {}: {} workspace(s); {}",
                s.dir.display(),
                s.workspaces.len(),
                if self.shared.watching() {
                    "watching for file changes: each save is synced within a second"
                } else {
                    "not watching for changes: answers reflect the last sync (serve with \
                     `cairn mcp --watch` to follow edits)"
                }
            ));
            for w in &s.workspaces {
                let uses = match w.libraries.as_slice() {
                    [] => String::new(),
                    l => format!(", resolves against {}", l.join(", ")),
                };
                a.line(&format!(
                    "{}  {}  {} files, {} blocks, {} edges, last synced {}{uses}",
                    w.name,
                    w.root,
                    w.files,
                    w.blocks,
                    w.edges,
                    synced_ms
                        .get(w.name.as_str())
                        .map_or_else(|| w.last_sync.clone(), |&ms| describe_sync(ms, now_ms()))
                ));
            }
            if s.workspaces.is_empty() {
                a.line("no workspaces linked (link one with `cairn link PATH`)");
            }
            let names = workspace_names(db);
            let all: BTreeSet<&str> = names.iter().map(String::as_str).collect();
            Ok(a.finish(synced_line(db, self.shared, &all)))
        })
    }
}

/// `file:line` of a block, with its workspace when there are several.
fn place(b: &Block, multi: bool) -> String {
    if multi {
        format!("{}:{}:{}", b.workspace, b.path, b.span.start_line)
    } else {
        format!("{}:{}", b.path, b.span.start_line)
    }
}

fn related_line(r: &Related, relation: Relation, multi: bool) -> String {
    let call = match relation {
        Relation::Callers => "calls at line",
        _ => "called at line",
    };
    let mut line = match &r.block {
        Some(b) => format!(
            "{} {}  {}  ({call} {})",
            b.kind,
            b.qualified_name,
            place(b, multi),
            r.line
        ),
        None => format!("unresolved {}  ({call} {})", r.name, r.line),
    };
    if r.distance > 1 {
        // The blocks between the start and this one.
        let between = &r.path[1..r.path.len().saturating_sub(1).max(1)];
        let _ = write!(
            line,
            "  [{} calls away, via {}]",
            r.distance,
            between.join(" -> ")
        );
    }
    line
}

/// The statement after `EXPLAIN`, when it is one.
fn explain_of(text: &str) -> Option<&str> {
    text.split_once(char::is_whitespace)
        .filter(|(word, _)| word.eq_ignore_ascii_case("explain"))
        .map(|(_, rest)| rest.trim_start())
}

/// Statement words that would change data or schema, refused before the statement
/// is compiled. (Cairn's PartiQL engine has no DML today; this keeps the tool
/// read-only whatever the engine learns.)
const WRITE_WORDS: [&str; 14] = [
    "insert", "update", "delete", "upsert", "replace", "remove", "set", "create", "drop", "alter",
    "truncate", "merge", "exec", "grant",
];

fn check_read_only(text: &str) -> Result<(), String> {
    let text = explain_of(text).unwrap_or(text);
    let first: String = skip_comments(text)
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect::<String>()
        .to_ascii_lowercase();
    if WRITE_WORDS.contains(&first.as_str()) {
        return Err(format!(
            "the query tool is read-only: `{}` statements are not allowed; write a SELECT",
            first.to_ascii_uppercase()
        ));
    }
    Ok(())
}

/// `text` after leading whitespace and comments.
fn skip_comments(mut text: &str) -> &str {
    loop {
        text = text.trim_start();
        if let Some(rest) = text.strip_prefix("--") {
            text = rest.split_once('\n').map_or("", |(_, r)| r);
        } else if let Some(rest) = text.strip_prefix("/*") {
            text = rest.split_once("*/").map_or("", |(_, r)| r);
        } else {
            return text;
        }
    }
}

fn workspace_names(db: &Database) -> BTreeSet<String> {
    db.workspaces()
        .map(|ws| ws.into_iter().map(|w| w.name).collect())
        .unwrap_or_default()
}

/// The closing line of every answer: when each workspace it drew on (all of them,
/// when it drew on none in particular) was last synced, and whether edits are
/// followed.
fn synced_line(db: &Database, shared: &Shared, drawn: &BTreeSet<&str>) -> String {
    let Ok(all) = db.workspaces() else {
        return "[last sync: unknown]\n".to_string();
    };
    if all.is_empty() {
        return "[no workspace linked]\n".to_string();
    }
    let chosen: Vec<_> = if drawn.is_empty() {
        all.iter().collect()
    } else {
        all.iter()
            .filter(|w| drawn.contains(w.name.as_str()))
            .collect()
    };
    let parts: Vec<String> = chosen
        .iter()
        .map(|w| {
            format!(
                "`{}` last synced {}",
                w.name,
                describe_sync(w.last_sync_ms, now_ms())
            )
        })
        .collect();
    format!(
        "[{}; {}]\n",
        parts.join(", "),
        if shared.watching() {
            "watching for changes"
        } else {
            "not watching for changes"
        }
    )
}

/// A sync time with how long ago it was.
fn describe_sync(ms: u64, now: u64) -> String {
    if ms == 0 {
        return "never (run `cairn sync`)".to_string();
    }
    let secs = now.saturating_sub(ms) / 1000;
    let ago = match secs {
        s if s < 120 => format!("{s}s"),
        s if s < 7200 => format!("{}min", s / 60),
        s if s < 2 * 86_400 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86_400),
    };
    format!("{} ({ago} ago)", cairn::format_time_ms(ms))
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_schema_is_an_object_schema_naming_its_required_arguments() {
        for t in &TOOLS {
            let s = Json::Object(t.input_schema());
            assert_eq!(s["type"], "object", "{}", t.name);
            for r in s["required"].as_array().into_iter().flatten() {
                assert!(
                    s["properties"].get(r.as_str().unwrap()).is_some(),
                    "{}: {r}",
                    t.name
                );
            }
        }
    }

    #[test]
    fn write_statements_are_refused_even_behind_comments_and_explain() {
        assert!(check_read_only("SELECT * FROM blocks AS b").is_ok());
        assert!(check_read_only("1 + 1").is_ok());
        assert!(check_read_only("EXPLAIN SELECT b.name FROM blocks AS b").is_ok());
        for bad in [
            "INSERT INTO blocks VALUE {'a': 1}",
            "  delete FROM blocks",
            "-- note\nUPDATE blocks SET name = 'x'",
            "/* x */ DROP TABLE blocks",
            "EXPLAIN DELETE FROM blocks",
        ] {
            let e = check_read_only(bad).unwrap_err();
            assert!(e.contains("read-only"), "{bad}: {e}");
        }
    }

    #[test]
    fn answers_are_cut_at_the_budget_with_a_note() {
        let mut a = Answer::new();
        let line = "x".repeat(100);
        for _ in 0..1_000 {
            a.line(&line);
        }
        let text = a.finish("[synced]\n".into());
        assert!(text.len() <= MAX_ANSWER_CHARS, "{}", text.len());
        assert!(text.contains("truncated: "), "{text}");
        assert!(text.ends_with("[synced]\n"));
        // One line longer than the budget is cut inside, at a character boundary.
        let mut a = Answer::new();
        a.line(&"é".repeat(MAX_ANSWER_CHARS));
        let text = a.finish(String::new());
        assert!(text.len() <= MAX_ANSWER_CHARS);
        assert!(
            text.contains("…\n[truncated: 1 more line(s)"),
            "{}",
            &text[text.len() - 300..]
        );
    }

    #[test]
    fn sync_times_say_how_long_ago() {
        assert_eq!(describe_sync(0, 5), "never (run `cairn sync`)");
        assert_eq!(
            describe_sync(1_000, 31_000),
            "1970-01-01T00:00:01Z (30s ago)"
        );
        assert!(describe_sync(1_000, 1_000 + 3 * 3_600_000).ends_with("(3h ago)"));
    }
}
