//! Extraction: one source file in, its definitions and references out.

use crate::model::{Language, ParsedFile};

/// Why a file could not be extracted at all (a file with syntax errors still extracts).
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    #[error("{path}: the {language} grammar could not be loaded: {reason}")]
    Grammar {
        path: String,
        language: Language,
        reason: String,
    },
    #[error("{path}: tree-sitter gave up parsing the file")]
    ParseFailed { path: String },
}

/// Extracts the definitions and references of one file. `rel_path` is the file's path
/// relative to the workspace root, with `/` separators; qualified names derive from it.
pub fn extract(
    language: Language,
    rel_path: &str,
    source: &str,
) -> Result<ParsedFile, ExtractError> {
    let _ = (language, rel_path, source);
    todo!("per-language extractors")
}

/// Reusable extraction state for one thread (placeholder until the extractors land).
pub struct Extractor {}

impl Extractor {
    pub fn new() -> Extractor {
        Extractor {}
    }

    pub fn extract(
        &mut self,
        language: Language,
        rel_path: &str,
        source: &str,
    ) -> Result<ParsedFile, ExtractError> {
        extract(language, rel_path, source)
    }
}
