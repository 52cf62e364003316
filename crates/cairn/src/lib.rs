//! Cairn: an embedded, durable code-context graph database queried in PartiQL.
//!
//! A [`Database`] is one directory. It holds the storage engine (`cairn-storage`),
//! the code graph over it (`cairn-graph`), and a PartiQL catalog (`cairn-query`) in
//! which the graph reads as the tables `blocks`, `edges`, `files` and `workspaces`,
//! with the traversal functions `callers`, `callees`, `neighbors` and `path`.
//!
//! ```no_run
//! use cairn::Database;
//! # fn main() -> cairn::Result<()> {
//! let db = Database::open(Database::default_dir())?;
//! let ws = db.link(std::path::Path::new("."), None)?;
//! db.sync(&ws.name, &Default::default(), &|_| {})?;
//! let mut stmt = db.prepare("SELECT b.name FROM blocks AS b WHERE b.kind = ?")?;
//! let mut rows = stmt.execute_with(&["function".into()])?;
//! while let Some(row) = rows.next_row()? {
//!     println!("{:?}", row.get_str(0));
//! }
//! # Ok(()) }
//! ```

mod database;
mod error;
pub mod functions;
pub mod rust_std;
mod statement;
pub mod tables;

pub use cairn_graph::extract::allocator::parse_with_mimalloc;
pub use cairn_graph::sync::{Progress, SyncOptions, SyncPhases, SyncSummary};
pub use cairn_graph::{Block, BlockId, BlockKind, EdgeKind, Language, WorkspaceRecord};
pub use cairn_query::{OwnedValue, ResultStream, RowView, Shape};
pub use database::{
    Context, Database, Related, Relation, Status, WorkspaceStatus, DEFAULT_DIR, HOME_ENV,
};
pub use error::{Error, Result};
pub use statement::Statement;

/// Formats milliseconds since the Unix epoch as an ISO-8601 UTC time; `never` for 0.
pub fn format_time_ms(ms: u64) -> String {
    if ms == 0 {
        return "never".to_string();
    }
    let secs = (ms / 1000) as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar
/// (Howard Hinnant's `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    #[test]
    fn times_format_as_iso_utc() {
        assert_eq!(super::format_time_ms(0), "never");
        assert_eq!(super::format_time_ms(1_000), "1970-01-01T00:00:01Z");
        assert_eq!(
            super::format_time_ms(1_796_400_000_000),
            "2026-12-04T16:00:00Z"
        );
        assert_eq!(
            super::format_time_ms(951_782_400_000),
            "2000-02-29T00:00:00Z"
        );
    }
}
