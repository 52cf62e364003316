//! Results as rows, printed as a table, JSON, JSON lines or CSV.

use cairn_query::OwnedValue;
use clap::ValueEnum;
use std::io::{IsTerminal, Write};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
    Jsonl,
    Csv,
}

impl Format {
    /// Tables on a terminal; JSON lines when piped.
    pub fn default_for_stdout() -> Format {
        if std::io::stdout().is_terminal() {
            Format::Table
        } else {
            Format::Jsonl
        }
    }
}

/// A result: named columns and rows of values (MISSING where a row lacks a column).
#[derive(Debug, Default)]
pub struct Rows {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<OwnedValue>>,
}

impl Rows {
    pub fn new(columns: &[&str]) -> Rows {
        Rows {
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    pub fn push(&mut self, row: Vec<OwnedValue>) {
        debug_assert_eq!(row.len(), self.columns.len());
        self.rows.push(row);
    }

    /// Rows from a query result: tuples spread over their fields' names (in order of
    /// first appearance); other values in one column `value`.
    pub fn from_values(values: Vec<OwnedValue>, columns_hint: Option<&[String]>) -> Rows {
        let mut columns: Vec<String> = columns_hint.map(<[String]>::to_vec).unwrap_or_default();
        let all_tuples = values.iter().all(|v| matches!(v, OwnedValue::Tuple(_)));
        if !all_tuples || (values.is_empty() && columns.is_empty()) {
            if values.is_empty() && !columns.is_empty() {
                return Rows {
                    columns,
                    rows: Vec::new(),
                };
            }
            return Rows {
                columns: vec!["value".into()],
                rows: values.into_iter().map(|v| vec![v]).collect(),
            };
        }
        for v in &values {
            if let OwnedValue::Tuple(fields) = v {
                for (k, _) in fields {
                    if !columns.contains(k) {
                        columns.push(k.clone());
                    }
                }
            }
        }
        let rows = values
            .into_iter()
            .map(|v| {
                let OwnedValue::Tuple(fields) = v else {
                    unreachable!("checked above")
                };
                columns
                    .iter()
                    .map(|c| {
                        fields
                            .iter()
                            .find(|(k, _)| k == c)
                            .map_or(OwnedValue::Missing, |(_, v)| v.clone())
                    })
                    .collect()
            })
            .collect();
        Rows { columns, rows }
    }

    pub fn print(&self, format: Format, out: &mut dyn Write) -> std::io::Result<()> {
        match format {
            Format::Table => {
                let mut t = comfy_table::Table::new();
                t.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED);
                t.set_header(&self.columns);
                for r in &self.rows {
                    t.add_row(r.iter().map(cell_text));
                }
                writeln!(out, "{t}")?;
                writeln!(
                    out,
                    "({} row{})",
                    self.rows.len(),
                    if self.rows.len() == 1 { "" } else { "s" }
                )
            }
            Format::Json => {
                let all: Vec<serde_json::Value> =
                    self.rows.iter().map(|r| self.row_json(r)).collect();
                let text = serde_json::to_string_pretty(&all).map_err(std::io::Error::other)?;
                writeln!(out, "{text}")
            }
            Format::Jsonl => {
                for r in &self.rows {
                    writeln!(out, "{}", self.row_json(r))?;
                }
                Ok(())
            }
            Format::Csv => {
                writeln!(
                    out,
                    "{}",
                    self.columns
                        .iter()
                        .map(|c| csv_field(c))
                        .collect::<Vec<_>>()
                        .join(",")
                )?;
                for r in &self.rows {
                    let line: Vec<String> = r.iter().map(|v| csv_field(&cell_text(v))).collect();
                    writeln!(out, "{}", line.join(","))?;
                }
                Ok(())
            }
        }
    }

    /// A row as a JSON object of its columns (MISSING ones left out).
    pub fn row_json(&self, row: &[OwnedValue]) -> serde_json::Value {
        let mut obj = serde_json::Map::new();
        for (c, v) in self.columns.iter().zip(row) {
            if !matches!(v, OwnedValue::Missing) {
                obj.insert(c.clone(), plain_json(v));
            }
        }
        serde_json::Value::Object(obj)
    }
}

/// A value as plain JSON for users: bags and lists as arrays, tuples as objects,
/// other scalars as their PartiQL text.
pub fn plain_json(v: &OwnedValue) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        OwnedValue::Missing | OwnedValue::Null => J::Null,
        OwnedValue::Bool(b) => J::Bool(*b),
        OwnedValue::Int(i) => J::from(*i),
        OwnedValue::Float(f) => {
            serde_json::Number::from_f64(*f).map_or_else(|| J::String(f.to_string()), J::Number)
        }
        OwnedValue::Str(s) => J::String(s.clone()),
        OwnedValue::List(items) | OwnedValue::Bag(items) => {
            J::Array(items.iter().map(plain_json).collect())
        }
        OwnedValue::Tuple(fields) => J::Object(
            fields
                .iter()
                .filter(|(_, v)| !matches!(v, OwnedValue::Missing))
                .map(|(k, v)| (k.clone(), plain_json(v)))
                .collect(),
        ),
        other => J::String(cell_text(other)),
    }
}

/// A value as one cell of text.
pub fn cell_text(v: &OwnedValue) -> String {
    match v {
        OwnedValue::Missing => String::new(),
        OwnedValue::Null => "NULL".into(),
        OwnedValue::Str(s) => s.clone(),
        OwnedValue::Int(i) => i.to_string(),
        OwnedValue::Bool(b) => b.to_string(),
        OwnedValue::Float(f) => f.to_string(),
        OwnedValue::BigInt(i) => i.to_string(),
        OwnedValue::Decimal(d) => d.to_string(),
        OwnedValue::List(_) | OwnedValue::Bag(_) | OwnedValue::Tuple(_) => {
            plain_json(v).to_string()
        }
        other => format!("{other:?}"),
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tuples_spread_over_columns_and_csv_quotes() {
        let rows = Rows::from_values(
            vec![
                OwnedValue::tuple([("a", OwnedValue::Int(1)), ("b", "x,y".into())]),
                OwnedValue::tuple([("a", OwnedValue::Int(2))]),
            ],
            None,
        );
        assert_eq!(rows.columns, ["a", "b"]);
        let mut out = Vec::new();
        rows.print(Format::Csv, &mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "a,b\n1,\"x,y\"\n2,\n");
        let mut out = Vec::new();
        rows.print(Format::Jsonl, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\"a\":1,\"b\":\"x,y\"}\n{\"a\":2}\n"
        );
    }
}
