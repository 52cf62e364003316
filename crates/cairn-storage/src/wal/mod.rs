//! Write-ahead log: framed, checksummed batch records.

mod reader;
mod writer;

pub(crate) use reader::replay;
pub(crate) use writer::WalWriter;

/// File name of WAL number `n`.
pub(crate) fn file_name(n: u64) -> String {
    format!("{n:016}.wal")
}

/// Parses a WAL file name back to its number.
pub(crate) fn parse_name(name: &str) -> Option<u64> {
    name.strip_suffix(".wal")?.parse().ok()
}
