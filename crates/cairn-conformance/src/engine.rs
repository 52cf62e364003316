//! Running one statement in-process against Cairn's engine, and the worker thread that
//! guards against panics and runaway tests.

use cairn_query::value::json::{from_json, to_json};
use cairn_query::{Catalog, Compiler, Mode, OwnedValue, PartiQLVM};
use serde_json::Value as Json;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc;
use std::time::Duration;

/// The suite's name of an evaluation mode, as Cairn's.
pub fn mode_of(name: &str) -> Mode {
    match name {
        "EvalModeError" => Mode::Strict,
        _ => Mode::Permissive,
    }
}

/// Compiles and runs `statement` over the globals of `env` (an encoded tuple, or null);
/// the encoded result, or the error's message.
pub fn evaluate(statement: &str, mode: Mode, env: &Json) -> Result<Json, String> {
    let mut catalog = Catalog::new();
    if !env.is_null() {
        match from_json(env) {
            Ok(OwnedValue::Tuple(fields)) => {
                for (name, value) in fields {
                    catalog.add_value(&name, value);
                }
            }
            Ok(other) => return Err(format!("the environment is not a tuple: {other:?}")),
            Err(e) => return Err(format!("bad environment: {e}")),
        }
    }
    let plan = Compiler::new(&catalog)
        .mode(mode)
        .compile(statement)
        .map_err(|e| e.to_string())?;
    let mut vm = PartiQLVM::new(plan);
    let result = vm
        .execute()
        .and_then(|r| r.materialize())
        .map_err(|e| e.to_string())?;
    Ok(to_json(&result))
}

/// Whether `statement` parses.
pub fn parses(statement: &str) -> Result<(), String> {
    cairn_query::compiler::parse(statement).map_err(|e| e.to_string())
}

/// Whether `statement` compiles (parse and plan) with an empty catalog.
pub fn compiles(statement: &str) -> Result<(), String> {
    let catalog = Catalog::new();
    Compiler::new(&catalog)
        .mode(Mode::Strict)
        .compile(statement)
        .map(drop)
        .map_err(|e| e.to_string())
}

/// How a guarded call ended.
#[derive(Debug)]
pub enum Guarded<T> {
    Done(T),
    Panicked(String),
    TimedOut,
}

type Job = Box<dyn FnOnce() -> Guarded<Json> + Send>;

/// A worker thread that runs one job at a time, catching panics. A job that runs past
/// its time limit is abandoned (the thread cannot be killed) and a fresh worker takes
/// over.
pub struct Worker {
    jobs: mpsc::Sender<Job>,
    results: mpsc::Receiver<Guarded<Json>>,
}

impl Worker {
    pub fn new() -> Worker {
        let (jobs, job_rx) = mpsc::channel::<Job>();
        let (result_tx, results) = mpsc::channel();
        std::thread::Builder::new()
            .name("conformance-worker".into())
            .stack_size(256 << 20)
            .spawn(move || {
                for job in job_rx {
                    if result_tx.send(job()).is_err() {
                        break;
                    }
                }
            })
            .expect("spawn a worker thread");
        Worker { jobs, results }
    }

    /// Runs `f` on the worker, with a time limit. `f` returns its answer as JSON.
    pub fn run<F>(&mut self, timeout: Duration, f: F) -> Guarded<Json>
    where
        F: FnOnce() -> Json + Send + 'static,
    {
        let job: Job = Box::new(move || match catch_unwind(AssertUnwindSafe(f)) {
            Ok(v) => Guarded::Done(v),
            Err(payload) => {
                let place = PANIC_PLACE.with(|p| p.borrow_mut().take());
                let message = panic_message(payload.as_ref());
                Guarded::Panicked(match place {
                    Some(place) => format!("{message} (at {place})"),
                    None => message,
                })
            }
        });
        if self.jobs.send(job).is_err() {
            *self = Worker::new();
            return Guarded::Panicked("the worker thread died".into());
        }
        match self.results.recv_timeout(timeout) {
            Ok(r) => r,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                *self = Worker::new();
                Guarded::TimedOut
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                *self = Worker::new();
                Guarded::Panicked("the worker thread died".into())
            }
        }
    }
}

impl Default for Worker {
    fn default() -> Self {
        Worker::new()
    }
}

thread_local! {
    /// Where the last panic on this worker thread happened (set by the panic hook).
    static PANIC_PLACE: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic".into()
    }
}

/// Replaces the panic hook with one that stays quiet on conformance worker threads (a
/// panic there is reported as the test's outcome) and keeps the default elsewhere.
pub fn quiet_worker_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().name() == Some("conformance-worker") {
            if let Some(loc) = info.location() {
                PANIC_PLACE.with(|p| *p.borrow_mut() = Some(loc.to_string()));
            }
        } else {
            default(info);
        }
    }));
}

/// Encodes an evaluation outcome the way the line protocol answers it.
pub fn answer(outcome: Result<Json, String>) -> Json {
    match outcome {
        Ok(v) => serde_json::json!({ "ok": v }),
        Err(e) => serde_json::json!({ "error": e }),
    }
}
