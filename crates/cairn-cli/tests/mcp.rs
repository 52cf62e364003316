//! End-to-end tests of `cairn mcp` and `cairn watch` (issue 7): a real client's view.
//! Each test links a small fixture crate into a temporary database, starts the
//! server as a child process and speaks JSON-RPC lines to it over stdio: the
//! initialize handshake, the tool list, a call of every tool, bad arguments and
//! malformed requests (which get errors while the server keeps serving), and edits
//! that `--watch` picks up. Everything the server writes to stdout must be a
//! JSON-RPC message.
//!
//! Every wait has a deadline, so a broken server fails a test instead of hanging it.

use assert_cmd::Command;
use serde_json::{json, Value as Json};
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The longest any single answer may take (a generous bound on a loaded machine).
const ANSWER_DEADLINE: Duration = Duration::from_secs(20);
/// How long an edit may take to show up in the watch tests' polling: the
/// functional deadline (the server aims at well under a second).
const WATCH_DEADLINE: Duration = Duration::from_secs(2);

const MAIN_RS: &str = "\
mod big;
mod geometry;
mod legacy;
mod util;

use geometry::Point;

fn main() {
    let p = Point::new(1, 2);
    let d = p.distance();
    report(d);
}

fn report(d: i64) {
    util::helper(d);
    println!(\"{}\", util::format_value(d));
}
";

const UTIL_RS: &str = "\
/// Doubles a value.
pub fn helper(x: i64) -> i64 {
    x * 2
}

/// Formats a doubled value.
pub fn format_value(x: i64) -> String {
    let y = helper(x);
    format!(\"{y}\")
}
";

const GEOMETRY_RS: &str = "\
pub struct Point {
    pub x: i64,
    pub y: i64,
}

impl Point {
    pub fn new(x: i64, y: i64) -> Point {
        Point { x, y }
    }

    pub fn distance(&self) -> i64 {
        helper(self.x) + helper(self.y)
    }
}

fn helper(v: i64) -> i64 {
    v.abs()
}
";

const LEGACY_RS: &str = "\
pub fn old_caller() -> i64 {
    crate::util::helper(0)
}
";

/// `legacy.rs` after the edit the watch tests make: a second caller of `helper`.
const LEGACY_RS_EDITED: &str = "\
pub fn old_caller() -> i64 {
    crate::util::helper(0)
}

pub fn new_caller() -> i64 {
    crate::util::helper(41) + 1
}
";

/// A function far longer than one answer may be.
fn big_rs() -> String {
    let mut s = String::from("pub fn enormous() -> i64 {\n    let mut total = 0;\n");
    for i in 0..2_000 {
        s.push_str(&format!(
            "    total += {i}; // step {i} of the enormous function\n"
        ));
    }
    s.push_str("    total\n}\n");
    s
}

/// A temporary directory holding the fixture crate (`proj/`) and its database (`db/`).
struct Fixture {
    tmp: tempfile::TempDir,
}

impl Fixture {
    /// The fixture crate, linked and synced.
    fn linked() -> Fixture {
        let tmp = tempfile::tempdir().expect("temp dir");
        let fx = Fixture { tmp };
        fx.write(
            "Cargo.toml",
            "[package]\nname = \"fixture\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
        );
        fx.write("src/main.rs", MAIN_RS);
        fx.write("src/util.rs", UTIL_RS);
        fx.write("src/geometry.rs", GEOMETRY_RS);
        fx.write("src/legacy.rs", LEGACY_RS);
        fx.write("src/big.rs", &big_rs());
        let out = fx
            .cmd(&["link", fx.proj().to_str().unwrap(), "--name", "fixture"])
            .output()
            .expect("run cairn link");
        assert!(
            out.status.success(),
            "cairn link failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        fx
    }

    fn proj(&self) -> PathBuf {
        self.tmp.path().join("proj")
    }

    fn db(&self) -> PathBuf {
        self.tmp.path().join("db")
    }

    fn write(&self, rel: &str, text: &str) {
        let path = self.proj().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// Replaces a file the way many editors save: a new file renamed over it.
    fn save_by_rename(&self, rel: &str, text: &str) {
        let temp = self.tmp.path().join("saving.tmp");
        std::fs::write(&temp, text).unwrap();
        std::fs::rename(&temp, self.proj().join(rel)).unwrap();
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = Command::cargo_bin("cairn").expect("the cairn binary");
        cmd.current_dir(self.tmp.path())
            .env_remove("CAIRN_HOME")
            .arg("--db")
            .arg(self.db())
            .args(args);
        cmd
    }

    /// `cairn --db <db> ARGS` as a child process with piped stdio.
    fn spawn(&self, args: &[&str]) -> Child {
        let bin = assert_cmd::cargo::cargo_bin("cairn");
        std::process::Command::new(bin)
            .current_dir(self.tmp.path())
            .env_remove("CAIRN_HOME")
            .arg("--db")
            .arg(self.db())
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start cairn")
    }
}

/// Lines a child writes to one of its streams, read on a thread, with every line
/// kept for a final look.
struct Lines {
    rx: Receiver<String>,
    all: Arc<Mutex<Vec<String>>>,
}

impl Lines {
    fn read(stream: impl std::io::Read + Send + 'static) -> Lines {
        let (tx, rx) = mpsc::channel();
        let all = Arc::new(Mutex::new(Vec::new()));
        let kept = Arc::clone(&all);
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines() {
                let Ok(line) = line else { return };
                kept.lock().unwrap().push(line.clone());
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        Lines { rx, all }
    }

    fn text(&self) -> String {
        self.all.lock().unwrap().join("\n")
    }
}

/// A JSON-RPC client of a `cairn mcp` child process.
struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: Lines,
    stderr: Lines,
    next_id: u64,
}

impl Client {
    /// Starts `cairn mcp ARGS` and performs the initialize handshake.
    fn start(fx: &Fixture, args: &[&str]) -> Client {
        let mut full = vec!["mcp"];
        full.extend_from_slice(args);
        let mut child = fx.spawn(&full);
        let stdin = child.stdin.take();
        let stdout = Lines::read(child.stdout.take().unwrap());
        let stderr = Lines::read(child.stderr.take().unwrap());
        let mut client = Client {
            child,
            stdin,
            stdout,
            stderr,
            next_id: 0,
        };
        let init = client.request(
            "initialize",
            json!({
                "protocolVersion": "2025-06-18",
                "capabilities": {},
                "clientInfo": {"name": "cairn-tests", "version": "1.0"},
            }),
        );
        let result = &init["result"];
        assert_eq!(result["serverInfo"]["name"], "cairn", "{init}");
        assert!(result["capabilities"]["tools"].is_object(), "{init}");
        assert!(result["protocolVersion"].is_string(), "{init}");
        client.send_line(
            &json!({"jsonrpc": "2.0", "method": "notifications/initialized"}).to_string(),
        );
        client
    }

    fn send_line(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        writeln!(stdin, "{line}").expect("write to the server");
        stdin.flush().unwrap();
    }

    /// The next message from the server, which must be JSON-RPC 2.0.
    fn next_message(&mut self) -> Json {
        match self.stdout.rx.recv_timeout(ANSWER_DEADLINE) {
            Ok(line) => {
                let msg: Json = serde_json::from_str(&line).unwrap_or_else(|e| {
                    panic!("stdout carried a line that is not JSON ({e}): {line}")
                });
                assert_eq!(msg["jsonrpc"], "2.0", "not a JSON-RPC message: {line}");
                msg
            }
            Err(RecvTimeoutError::Timeout) => panic!(
                "no answer within {ANSWER_DEADLINE:?}; stderr:\n{}",
                self.stderr.text()
            ),
            Err(RecvTimeoutError::Disconnected) => panic!(
                "the server closed stdout ({:?}); stderr:\n{}",
                self.child.try_wait(),
                self.stderr.text()
            ),
        }
    }

    /// The response to the message with `id`, skipping the server's notifications.
    fn response(&mut self, id: &Json) -> Json {
        loop {
            let msg = self.next_message();
            if &msg["id"] == id && msg.get("method").is_none() {
                return msg;
            }
            assert!(
                msg.get("method").is_some(),
                "a response to another request: {msg}"
            );
        }
    }

    fn request(&mut self, method: &str, params: Json) -> Json {
        self.next_id += 1;
        let id = json!(self.next_id);
        let msg = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        self.send_line(&msg.to_string());
        self.response(&id)
    }

    /// Calls a tool: its text, and whether it is a tool error.
    fn call(&mut self, tool: &str, arguments: Json) -> (String, bool) {
        let resp = self.request("tools/call", json!({"name": tool, "arguments": arguments}));
        let result = &resp["result"];
        assert!(result.is_object(), "tools/call {tool} {arguments}: {resp}");
        let content = result["content"].as_array().expect("content");
        assert_eq!(content.len(), 1, "{resp}");
        assert_eq!(content[0]["type"], "text", "{resp}");
        let text = content[0]["text"].as_str().unwrap().to_string();
        (text, result["isError"] == json!(true))
    }

    /// A successful tool call's text, which states when the workspace was synced.
    fn ok(&mut self, tool: &str, arguments: Json) -> String {
        let (text, is_error) = self.call(tool, arguments.clone());
        assert!(!is_error, "{tool} {arguments} failed: {text}");
        assert!(
            text.contains("`fixture` last synced 20"),
            "{tool} {arguments}: no sync time in\n{text}"
        );
        assert!(text.len() <= 16_000, "{tool}: {} characters", text.len());
        text
    }

    /// A tool error's text.
    fn tool_error(&mut self, tool: &str, arguments: Json) -> String {
        let (text, is_error) = self.call(tool, arguments.clone());
        assert!(
            is_error,
            "{tool} {arguments} should be a tool error: {text}"
        );
        text
    }

    /// Closes stdin and waits for the server to exit cleanly; returns its stdout
    /// and stderr, all of it.
    fn finish(mut self) -> (String, String) {
        drop(self.stdin.take());
        let started = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if started.elapsed() > ANSWER_DEADLINE {
                let _ = self.child.kill();
                panic!(
                    "the server did not exit after stdin closed; stderr:\n{}",
                    self.stderr.text()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        // Let the reader threads drain what is left.
        std::thread::sleep(Duration::from_millis(100));
        assert!(
            status.success(),
            "exit {status}; stderr:\n{}",
            self.stderr.text()
        );
        (self.stdout.text(), self.stderr.text())
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Every line is a JSON-RPC 2.0 message.
fn assert_protocol_only(stdout: &str) {
    for line in stdout.lines() {
        let msg: Json = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("stdout carried a line that is not JSON ({e}): {line}"));
        assert_eq!(msg["jsonrpc"], "2.0", "{line}");
    }
}

#[test]
fn the_server_lists_its_tools_and_answers_each_of_them() {
    let fx = Fixture::linked();
    let mut c = Client::start(&fx, &[]);

    let list = c.request("tools/list", json!({}));
    let tools = list["result"]["tools"].as_array().expect("tools");
    let mut names: Vec<&str> = tools.iter().map(|t| t["name"].as_str().unwrap()).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "callees",
            "callers",
            "context",
            "find_symbol",
            "query",
            "status"
        ]
    );
    for t in tools {
        let schema = &t["inputSchema"];
        assert_eq!(schema["type"], "object", "{t}");
        assert!(schema["properties"].is_object(), "{t}");
        assert!(
            t["description"].as_str().is_some_and(|d| !d.is_empty()),
            "{t}"
        );
        assert_eq!(t["annotations"]["readOnlyHint"], true, "{t}");
    }
    let required = |name: &str| -> Vec<String> {
        let t = tools.iter().find(|t| t["name"] == name).unwrap();
        serde_json::from_value(t["inputSchema"]["required"].clone()).unwrap_or_default()
    };
    assert_eq!(required("find_symbol"), ["name"]);
    assert_eq!(required("callers"), ["target"]);
    assert_eq!(required("callees"), ["target"]);
    assert_eq!(required("context"), ["target"]);
    assert_eq!(required("query"), ["statement"]);
    assert!(required("status").is_empty());

    // find_symbol: both blocks named `helper`, with their places and ids.
    let text = c.ok("find_symbol", json!({"name": "helper"}));
    assert!(text.starts_with("2 block(s) named `helper`:\n"), "{text}");
    assert!(
        text.contains(
            "function crate::util::helper  src/util.rs:2  pub fn helper(x: i64) -> i64  id "
        ),
        "{text}"
    );
    assert!(
        text.contains("function crate::geometry::helper  src/geometry.rs:16"),
        "{text}"
    );
    let text = c.ok("find_symbol", json!({"name": "Point", "kind": "struct"}));
    assert!(
        text.contains("struct crate::geometry::Point  src/geometry.rs:1"),
        "{text}"
    );
    assert!(!text.contains("impl"), "{text}");
    let text = c.ok("find_symbol", json!({"name": "no_such_thing"}));
    assert!(
        text.starts_with("no block is named `no_such_thing`"),
        "{text}"
    );

    // callers and callees, one call away and further.
    let text = c.ok("callers", json!({"target": "crate::util::helper"}));
    assert!(
        text.starts_with("3 caller(s) of function crate::util::helper (src/util.rs:2):"),
        "{text}"
    );
    for caller in [
        "function crate::report  src/main.rs:14  (calls at line 15)",
        "function crate::util::format_value  src/util.rs:7  (calls at line 8)",
        "function crate::legacy::old_caller  src/legacy.rs:1  (calls at line 2)",
    ] {
        assert!(text.contains(caller), "{caller} in\n{text}");
    }
    let text = c.ok(
        "callers",
        json!({"target": "crate::util::helper", "depth": 2}),
    );
    assert!(text.contains("up to 2 calls away"), "{text}");
    assert!(
        text.contains("function crate::main  src/main.rs:8  (calls at line 11)  [2 calls away, via crate::report]"),
        "{text}"
    );
    let text = c.ok("callees", json!({"target": "crate::report"}));
    assert!(
        text.starts_with("2 callee(s) of function crate::report"),
        "{text}"
    );
    assert!(
        text.contains("function crate::util::helper  src/util.rs:2  (called at line 15)"),
        "{text}"
    );
    assert!(
        text.contains("function crate::util::format_value  src/util.rs:7"),
        "{text}"
    );

    // context: the source with its doc, callers and callees.
    let text = c.ok("context", json!({"target": "format_value"}));
    assert!(
        text.starts_with("// function crate::util::format_value — src/util.rs:7-10\n// Formats a doubled value.\npub fn format_value"),
        "{text}"
    );
    assert!(text.contains("    let y = helper(x);\n"), "{text}");
    assert!(
        text.contains("// callers (1)\nsrc/main.rs:14  fn report(d: i64)  [crate::report]"),
        "{text}"
    );
    assert!(
        text.contains(
            "// callees (1)\nsrc/util.rs:2  pub fn helper(x: i64) -> i64  [crate::util::helper]"
        ),
        "{text}"
    );

    // query: rows as JSON lines; EXPLAIN; a limit.
    let text = c.ok(
        "query",
        json!({"statement": "SELECT b.qualified_name, b.path FROM blocks AS b WHERE b.kind = 'struct'"}),
    );
    assert!(
        text.starts_with("1 row, as JSON lines:\n{\"qualified_name\":\"crate::geometry::Point\",\"path\":\"src/geometry.rs\"}\n"),
        "{text}"
    );
    let text = c.ok(
        "query",
        json!({"statement": "SELECT c.name FROM callers('crate::util::helper', 1) AS c ORDER BY c.name"}),
    );
    assert!(
        text.contains(
            "{\"name\":\"format_value\"}\n{\"name\":\"old_caller\"}\n{\"name\":\"report\"}"
        ),
        "{text}"
    );
    let text = c.ok(
        "query",
        json!({"statement": "EXPLAIN SELECT b.name FROM blocks AS b WHERE b.name = 'helper'"}),
    );
    assert!(text.to_lowercase().contains("blocks"), "{text}");
    let text = c.ok(
        "query",
        json!({"statement": "SELECT b.name FROM blocks AS b", "limit": 2}),
    );
    assert!(text.contains("[showing 2 of "), "{text}");
    assert_eq!(
        text.lines().filter(|l| l.starts_with('{')).count(),
        2,
        "{text}"
    );

    // status: the workspace, its counts, its last sync, and that nothing is watched.
    let text = c.ok("status", json!({}));
    assert!(text.contains("fixture  "), "{text}");
    assert!(text.contains(" files, "), "{text}");
    assert!(text.contains("not watching for changes"), "{text}");

    let (stdout, stderr) = c.finish();
    assert_protocol_only(&stdout);
    assert!(stderr.contains("cairn mcp: serving 6 tools"), "{stderr}");
}

#[test]
fn bad_arguments_are_tool_errors_and_answers_are_bounded() {
    let fx = Fixture::linked();
    let mut c = Client::start(&fx, &[]);

    let e = c.tool_error("callers", json!({}));
    assert!(
        e.contains("missing field `target`") && e.contains("required: target"),
        "{e}"
    );
    let e = c.tool_error("callers", json!({"target": 7}));
    assert!(e.starts_with("bad arguments for `callers`"), "{e}");
    let e = c.tool_error("callers", json!({"targt": "helper"}));
    assert!(e.contains("unknown field `targt`"), "{e}");
    let e = c.tool_error(
        "callers",
        json!({"target": "crate::util::helper", "depth": 0}),
    );
    assert!(e.contains("`depth` must be from 1 to 64"), "{e}");
    let e = c.tool_error("callees", json!({"target": "crate::report", "depth": -3}));
    assert!(e.contains("whole number"), "{e}");
    let e = c.tool_error("find_symbol", json!({"name": "helper", "limit": 100000}));
    assert!(e.contains("`limit` must be from 1 to 500"), "{e}");
    let e = c.tool_error("find_symbol", json!({"name": "x", "kind": "gadget"}));
    assert!(e.contains("unknown kind `gadget`"), "{e}");
    let e = c.tool_error("find_symbol", json!({"name": "  "}));
    assert!(e.contains("`name` must not be empty"), "{e}");
    let e = c.tool_error("context", json!({"target": "nowhere_at_all"}));
    assert!(
        e.contains("no block matches `nowhere_at_all`") && e.contains("find_symbol"),
        "{e}"
    );
    // A name two blocks share, with what to use instead.
    let e = c.tool_error("callers", json!({"target": "helper"}));
    assert!(
        e.contains("ambiguous") && e.contains("crate::util::helper"),
        "{e}"
    );
    let e = c.tool_error("query", json!({"statement": "SELECT FROM WHERE"}));
    assert!(e.contains("syntax error"), "{e}");
    let e = c.tool_error("query", json!({"statement": "DELETE FROM blocks"}));
    assert!(e.contains("read-only"), "{e}");
    let e = c.tool_error("status", json!({"verbose": true}));
    assert!(e.contains("unknown field `verbose`"), "{e}");
    // A number written as a string is taken as the number.
    let text = c.ok(
        "callers",
        json!({"target": "crate::util::helper", "depth": "2"}),
    );
    assert!(text.contains("up to 2 calls away"), "{text}");

    // An unknown tool is a protocol error, and names the tools.
    let resp = c.request("tools/call", json!({"name": "rm_rf", "arguments": {}}));
    let message = resp["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("unknown tool `rm_rf`") && message.contains("find_symbol"),
        "{resp}"
    );

    // Answers are bounded, and say what they left out.
    let text = c.ok("context", json!({"target": "enormous"}));
    assert!(
        text.contains("// step 10 of the enormous function"),
        "{text}"
    );
    assert!(
        !text.contains("// step 1999 of"),
        "the whole function was sent"
    );
    assert!(
        text.contains("[truncated: ") && text.contains("capped at 16000 characters"),
        "{text}"
    );
    assert!(
        text.trim_end().ends_with("not watching for changes]"),
        "{text}"
    );
    let text = c.ok(
        "query",
        json!({"statement": "SELECT b.source FROM blocks AS b WHERE b.name = 'enormous'"}),
    );
    assert!(text.contains("…\n[truncated: "), "{text}");

    let (stdout, _) = c.finish();
    assert_protocol_only(&stdout);
}

#[test]
fn malformed_requests_get_json_rpc_errors_and_the_server_keeps_serving() {
    let fx = Fixture::linked();
    let mut c = Client::start(&fx, &[]);

    // Not JSON at all: a parse error (its id unknown, so null).
    c.send_line("this is not json {");
    let msg = c.next_message();
    assert_eq!(msg["error"]["code"], -32700, "{msg}");
    assert_eq!(msg["id"], Json::Null, "{msg}");

    // JSON, but not a JSON-RPC message.
    c.send_line(r#"{"hello": "world"}"#);
    let msg = c.next_message();
    assert!(msg["error"]["code"].is_i64(), "{msg}");

    // A method the server does not have.
    let resp = c.request("tools/explode", json!({}));
    assert_eq!(resp["error"]["code"], -32601, "{resp}");

    // A tools/call whose params are not an object.
    c.send_line(r#"{"jsonrpc":"2.0","id":"odd","method":"tools/call","params":"oops"}"#);
    let msg = c.next_message();
    assert!(msg["error"]["code"].is_i64(), "{msg}");

    // Still serving.
    let text = c.ok("find_symbol", json!({"name": "format_value"}));
    assert!(text.contains("crate::util::format_value"), "{text}");
    let list = c.request("tools/list", json!({}));
    assert_eq!(
        list["result"]["tools"].as_array().map(Vec::len),
        Some(6),
        "{list}"
    );

    let (stdout, _) = c.finish();
    assert_protocol_only(&stdout);
}

/// Polls `callers` of `crate::util::helper` until it names `new_caller`, within the
/// deadline; the last answer.
fn wait_for_new_caller(c: &mut Client) -> String {
    let started = Instant::now();
    loop {
        let text = c.ok("callers", json!({"target": "crate::util::helper"}));
        if text.contains("crate::legacy::new_caller") {
            return text;
        }
        assert!(
            started.elapsed() < WATCH_DEADLINE,
            "the edit did not show up within {WATCH_DEADLINE:?}:\n{text}\nstderr:\n{}",
            c.stderr.text()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn with_watch_an_edit_shows_up_in_callers() {
    let fx = Fixture::linked();
    let mut c = Client::start(&fx, &["--watch"]);
    let before = c.ok("callers", json!({"target": "crate::util::helper"}));
    assert!(before.starts_with("3 caller(s)"), "{before}");
    assert!(before.contains("; watching for changes]"), "{before}");
    let status = c.ok("status", json!({}));
    assert!(status.contains("watching for file changes"), "{status}");

    fx.write("src/legacy.rs", LEGACY_RS_EDITED);
    let after = wait_for_new_caller(&mut c);
    assert!(after.starts_with("4 caller(s)"), "{after}");
    assert!(
        after.contains("function crate::legacy::new_caller  src/legacy.rs:5  (calls at line 6)"),
        "{after}"
    );

    // A removed file's calls go too.
    std::fs::remove_file(fx.proj().join("src/big.rs")).unwrap();
    let started = Instant::now();
    loop {
        let text = c.ok("find_symbol", json!({"name": "enormous"}));
        if text.starts_with("no block is named") {
            break;
        }
        assert!(
            started.elapsed() < WATCH_DEADLINE,
            "big.rs still indexed:\n{text}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }

    let (stdout, stderr) = c.finish();
    assert_protocol_only(&stdout);
    assert!(
        stderr.contains("cairn watch: watching `fixture`"),
        "{stderr}"
    );
}

#[test]
fn cairn_watch_resyncs_a_workspace_after_an_edit() {
    let fx = Fixture::linked();
    let mut child = fx.spawn(&["watch", "fixture"]);
    let stdout = Lines::read(child.stdout.take().unwrap());
    let stderr = Lines::read(child.stderr.take().unwrap());
    let synced = |stderr: &Lines, deadline: Instant, what: &str| -> String {
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match stderr.rx.recv_timeout(left) {
                Ok(line) if line.starts_with("synced `fixture`") => return line,
                Ok(_) => {}
                Err(_) => {
                    panic!(
                        "no {what} sync within the deadline; stderr:\n{}",
                        stderr.text()
                    )
                }
            }
        }
    };
    // The first sync catches up; then the edit brings a second, which parses it.
    synced(&stderr, Instant::now() + ANSWER_DEADLINE, "first");
    fx.save_by_rename("src/legacy.rs", LEGACY_RS_EDITED);
    let line = synced(&stderr, Instant::now() + WATCH_DEADLINE, "re-");
    assert!(line.contains("(1 parsed,"), "{line}");
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        stdout.text().is_empty(),
        "cairn watch wrote to stdout: {}",
        stdout.text()
    );

    // The database, free again, has the new caller.
    let out = fx
        .cmd(&[
            "--format",
            "jsonl",
            "show",
            "callers",
            "crate::util::helper",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("crate::legacy::new_caller"), "{text}");

    // An unknown workspace is refused before anything is watched.
    let out = fx
        .cmd(&["watch", "nope"])
        .timeout(ANSWER_DEADLINE)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no workspace named `nope`"));
}

#[test]
fn without_a_database_the_server_says_so_on_stderr_only() {
    let tmp = tempfile::tempdir().unwrap();
    let out = Command::cargo_bin("cairn")
        .unwrap()
        .current_dir(tmp.path())
        .env_remove("CAIRN_HOME")
        .args(["--db", "missing", "mcp"])
        .write_stdin("")
        .timeout(ANSWER_DEADLINE)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no Cairn database at missing"), "{stderr}");
    assert!(!tmp.path().join("missing").exists());
}
