//! The catalog: global names a query can refer to.

use crate::reader::Source;
use crate::value::OwnedValue;
use std::sync::Arc;

/// What a global name is bound to.
#[derive(Clone, Debug)]
pub enum Global {
    /// A value (the conformance suite's environment, small lookup tables).
    Value(Arc<OwnedValue>),
    /// A table read through a [`Source`].
    Source(Arc<dyn Source>),
}

/// Global names: tables and values. Names match case-insensitively unless quoted.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    entries: Vec<(String, Global)>,
}

impl Catalog {
    pub fn new() -> Self {
        Self::default()
    }

    /// Binds `name` to a value.
    pub fn add_value(&mut self, name: &str, value: OwnedValue) -> &mut Self {
        self.add(name, Global::Value(Arc::new(value)))
    }

    /// Binds `name` to a table source.
    pub fn add_source(&mut self, name: &str, source: Arc<dyn Source>) -> &mut Self {
        self.add(name, Global::Source(source))
    }

    fn add(&mut self, name: &str, global: Global) -> &mut Self {
        self.entries.retain(|(n, _)| n != name);
        self.entries.push((name.to_string(), global));
        self
    }

    /// Looks `name` up: an exact match first, then (unless `case_sensitive`) one that
    /// differs only in case.
    pub fn lookup(&self, name: &str, case_sensitive: bool) -> Option<&Global> {
        if let Some((_, g)) = self.entries.iter().find(|(n, _)| n == name) {
            return Some(g);
        }
        if case_sensitive {
            return None;
        }
        self.entries
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, g)| g)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(n, _)| n.as_str())
    }
}
