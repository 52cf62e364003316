//! `cairn-conformance serve`: the line protocol of `score.py`.
//!
//! Reads `{"id", "statement", "mode", "env"}` lines on stdin and answers each with one
//! line `{"ok": <encoded value>}` or `{"error": "<message>"}`, flushed at once. A panic
//! or a runaway test becomes an `{"error": ...}` answer; the process goes on.

use crate::engine::{answer, evaluate, mode_of, Guarded, Worker};
use serde_json::{json, Value as Json};
use std::io::{BufRead, Write};
use std::time::Duration;

#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    /// Seconds a test may run before it is answered with an error.
    #[arg(long, default_value_t = 10.0)]
    pub timeout: f64,
}

/// Answers one request line.
pub fn handle(worker: &mut Worker, line: &str, timeout: Duration) -> Json {
    let req: Json = match serde_json::from_str(line) {
        Ok(r) => r,
        Err(e) => return json!({ "error": format!("bad request: {e}") }),
    };
    let Some(statement) = req
        .get("statement")
        .and_then(Json::as_str)
        .map(str::to_owned)
    else {
        return json!({ "error": "bad request: no statement" });
    };
    let mode = mode_of(
        req.get("mode")
            .and_then(Json::as_str)
            .unwrap_or("EvalModeError"),
    );
    let env = req.get("env").cloned().unwrap_or(Json::Null);
    match worker.run(timeout, move || answer(evaluate(&statement, mode, &env))) {
        Guarded::Done(a) => a,
        Guarded::Panicked(m) => json!({ "error": format!("engine panicked: {m}") }),
        Guarded::TimedOut => {
            json!({ "error": format!("timed out after {} s", timeout.as_secs_f64()) })
        }
    }
}

pub fn serve(args: &ServeArgs) -> anyhow::Result<()> {
    crate::engine::quiet_worker_panics();
    let timeout = Duration::from_secs_f64(args.timeout.max(0.001));
    let mut worker = Worker::new();
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for line in stdin.lock().lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let reply = handle(&mut worker, &line, timeout);
        writeln!(out, "{reply}")?;
        out.flush()?;
    }
    Ok(())
}
