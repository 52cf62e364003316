//! Scalar functions: the [`FunctionRegistry`] through which built-ins and users' Rust
//! functions are called from queries.
//!
//! A function receives its arguments as borrowed [`Value`]s and returns a `Value` whose
//! strings and collections it allocates in `cx.arena` (the VM's row arena). It reports
//! type errors as [`EvalError::Type`]; the VM turns them into MISSING in permissive mode
//! and raises them in strict mode, so functions never look at the mode themselves unless
//! they must.

mod builtins;
pub mod cast;
mod collection;
mod datetime;
pub mod interval;
pub mod like;
mod numeric;
pub mod path;
mod string;

pub use cast::{cast_value, is_type, CastTarget};
pub use like::{like_match, LikePattern};

use crate::error::EvalError;
use crate::value::Value;
use bumpalo::Bump;
use std::collections::HashMap;
use std::sync::Arc;

/// What a function sees besides its arguments.
pub struct FnContext<'a> {
    /// Where results that need memory (strings, collections) are allocated.
    pub arena: &'a Bump,
    /// Strict mode (`EvalModeError`): some functions behave differently.
    pub strict: bool,
}

pub type FnResult<'a> = Result<Value<'a>, EvalError>;

/// A scalar function written in Rust.
pub trait ScalarFunction: Send + Sync {
    fn call<'a>(&self, args: &[Value<'a>], cx: &FnContext<'a>) -> FnResult<'a>;
}

impl<F> ScalarFunction for F
where
    F: for<'a> Fn(&[Value<'a>], &FnContext<'a>) -> FnResult<'a> + Send + Sync,
{
    fn call<'a>(&self, args: &[Value<'a>], cx: &FnContext<'a>) -> FnResult<'a> {
        self(args, cx)
    }
}

/// How a function treats NULL and MISSING arguments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AbsentArgs {
    /// The VM answers for it: MISSING if any argument is MISSING, else NULL if any is
    /// NULL. The function only ever sees present values.
    Propagate,
    /// The function sees NULL and MISSING and decides itself.
    PassThrough,
}

/// A function's entry in the registry.
#[derive(Clone)]
pub struct FunctionDef {
    /// Lower-case name, as written in queries.
    pub name: String,
    pub min_args: usize,
    pub max_args: usize,
    pub absent: AbsentArgs,
    pub func: Arc<dyn ScalarFunction>,
}

impl std::fmt::Debug for FunctionDef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}..{}", self.name, self.min_args, self.max_args)
    }
}

impl FunctionDef {
    pub fn new(
        name: &str,
        args: std::ops::RangeInclusive<usize>,
        absent: AbsentArgs,
        func: impl ScalarFunction + 'static,
    ) -> FunctionDef {
        FunctionDef {
            name: name.to_ascii_lowercase(),
            min_args: *args.start(),
            max_args: *args.end(),
            absent,
            func: Arc::new(func),
        }
    }
}

/// Index of a function in its registry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FnId(pub u32);

/// The functions a query can call, by name.
#[derive(Clone, Debug, Default)]
pub struct FunctionRegistry {
    defs: Vec<FunctionDef>,
    by_name: HashMap<String, FnId>,
}

impl FunctionRegistry {
    /// An empty registry (no built-ins).
    pub fn empty() -> Self {
        Self::default()
    }

    /// The built-in functions.
    pub fn with_builtins() -> Self {
        let mut r = Self::empty();
        builtins::register_all(&mut r);
        r
    }

    /// Adds (or replaces) a function.
    pub fn register(&mut self, def: FunctionDef) -> FnId {
        if let Some(&id) = self.by_name.get(&def.name) {
            self.defs[id.0 as usize] = def;
            return id;
        }
        let id = FnId(self.defs.len() as u32);
        self.by_name.insert(def.name.clone(), id);
        self.defs.push(def);
        id
    }

    pub fn lookup(&self, name: &str) -> Option<FnId> {
        self.by_name.get(&name.to_ascii_lowercase()).copied()
    }

    pub fn get(&self, id: FnId) -> &FunctionDef {
        &self.defs[id.0 as usize]
    }

    pub fn iter(&self) -> impl Iterator<Item = &FunctionDef> {
        self.defs.iter()
    }
}
