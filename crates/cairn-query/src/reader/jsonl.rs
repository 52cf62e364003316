//! JSON-lines reader (in progress).
use super::{BufferStability, RowReader, ScanLayout, Source};
use crate::error::QueryError;
use std::path::PathBuf;

/// A JSON-lines file: one JSON value (usually an object) per line.
#[derive(Debug, Clone)]
pub struct JsonLinesSource {
    path: PathBuf,
}

impl JsonLinesSource {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        JsonLinesSource { path: path.into() }
    }
}

impl Source for JsonLinesSource {
    fn describe(&self) -> String {
        format!("json-lines file {}", self.path.display())
    }
    fn stability(&self) -> BufferStability {
        BufferStability::UntilNext
    }
    fn open(&self, _layout: &ScanLayout) -> Result<Box<dyn RowReader>, QueryError> {
        Err(QueryError::Unsupported("json-lines reader".into()))
    }
}
