//! Errors at the edge: a query error underlines the part of the query at fault; any
//! other error prints its message and causes. Never a panic or a stack trace.

use miette::{Diagnostic, NamedSource, SourceSpan};

/// An error of a command, with the query text when a query was at fault.
#[derive(Debug)]
pub struct CliError {
    pub error: cairn::Error,
    pub query: Option<String>,
}

impl From<cairn::Error> for CliError {
    fn from(error: cairn::Error) -> Self {
        CliError { error, query: None }
    }
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        cairn::Error::Invalid(format!("output: {e}")).into()
    }
}

impl CliError {
    pub fn with_query(error: cairn::Error, query: &str) -> CliError {
        CliError {
            error,
            query: Some(query.to_string()),
        }
    }
}

#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{message}")]
struct QueryDiagnostic {
    message: String,
    #[source_code]
    src: NamedSource<String>,
    #[label("here")]
    span: SourceSpan,
}

pub fn print(err: &CliError) {
    if let Some(diag) = query_diagnostic(err) {
        eprintln!("{:?}", miette::Report::new(diag));
        return;
    }
    let mut message = format!("error: {}", err.error);
    let mut source = std::error::Error::source(&err.error);
    while let Some(s) = source {
        let text = s.to_string();
        if !message.contains(&text) {
            message.push_str(&format!("\n  caused by: {text}"));
        }
        source = s.source();
    }
    eprintln!("{message}");
}

/// The error as a diagnostic underlining the part of the query at fault, when it is a
/// query error with a location.
fn query_diagnostic(err: &CliError) -> Option<QueryDiagnostic> {
    let text = err.query.as_ref()?;
    let location = query_location(&err.error)?;
    let mut src = text.clone();
    let mut start = location.start.min(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = location.end.clamp(start, text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    if start == text.len() {
        // At the end of the input ("unexpected end of input"): a label there would
        // not be drawn, so underline a space after the text.
        src.push(' ');
        end = src.len();
    } else if end == start {
        // An empty span: underline the character it starts at.
        end = start + text[start..].chars().next().map_or(1, char::len_utf8);
    }
    Some(QueryDiagnostic {
        message: err.error.to_string(),
        src: NamedSource::new("query", src),
        span: (start, end - start).into(),
    })
}

fn query_location(e: &cairn::Error) -> Option<cairn_query::Location> {
    match e {
        cairn::Error::Query(cairn_query::QueryError::Syntax { location, .. }) => Some(*location),
        cairn::Error::Query(cairn_query::QueryError::Planning { location, .. }) => *location,
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rendered(query: &str, start: usize, end: usize) -> String {
        let err = CliError::with_query(
            cairn::Error::Query(cairn_query::QueryError::Syntax {
                message: "boom".into(),
                location: cairn_query::Location {
                    line: 1,
                    column: start + 1,
                    start,
                    end,
                },
            }),
            query,
        );
        let diag = query_diagnostic(&err).expect("a diagnostic");
        let mut out = String::new();
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
            .render_report(&mut out, &diag)
            .unwrap();
        out
    }

    #[test]
    fn spans_are_underlined_even_at_the_end_of_the_input() {
        let out = rendered("SELECT a FROM", 7, 8);
        assert!(out.contains("here"), "{out}");
        let out = rendered("SELECT a FROM", 13, 13);
        assert!(out.contains("here"), "{out}");
        let out = rendered("SELECT a FROM", 40, 50);
        assert!(out.contains("here"), "{out}");
        // An empty span inside the text underlines one character, even a wide one.
        let out = rendered("SELECT 'é' FROM", 8, 8);
        assert!(out.contains("here"), "{out}");
    }
}
