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
    if let (Some(text), Some(location)) = (&err.query, query_location(&err.error)) {
        let end = location.end.clamp(location.start, text.len());
        let start = location.start.min(end);
        let diag = QueryDiagnostic {
            message: err.error.to_string(),
            src: NamedSource::new("query", text.clone()),
            span: (
                start,
                (end - start)
                    .max(1)
                    .min(text.len().saturating_sub(start).max(1)),
            )
                .into(),
        };
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

fn query_location(e: &cairn::Error) -> Option<cairn_query::Location> {
    match e {
        cairn::Error::Query(cairn_query::QueryError::Syntax { location, .. }) => Some(*location),
        cairn::Error::Query(cairn_query::QueryError::Planning { location, .. }) => *location,
        _ => None,
    }
}
