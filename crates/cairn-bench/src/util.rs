//! Helpers shared by the graph benchmarks: percentiles, units, memory, JSON output.

use anyhow::{Context, Result};
use serde::Serialize;
use std::path::Path;

/// The `p` quantile (0..=1) of `samples` (nearest rank); sorts them.
pub fn percentile(samples: &mut [f64], p: f64) -> f64 {
    samples.sort_by(f64::total_cmp);
    let i = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples.get(i).copied().unwrap_or(f64::NAN)
}

/// Megabytes (10^6 bytes).
pub fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

/// A share as a fraction of 1; 0 when there is nothing to share.
pub fn share(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// The process's peak resident set in MB (Linux `VmHWM`), if known.
pub fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1e3)
}

/// CPU time (user + system) this process has used so far, in seconds (Linux
/// `/proc/self/stat`, at the usual 100 ticks per second); `None` elsewhere.
pub fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesised command name, which may contain spaces.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

/// Threads a sync with `threads` (0: one per core) runs its parsers on.
pub fn threads_used(threads: usize) -> usize {
    match threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    }
}

/// Writes `value` as pretty JSON to `path`.
pub fn write_json(path: &Path, value: &impl Serialize) -> Result<()> {
    let text = serde_json::to_string_pretty(value)?;
    std::fs::write(path, text + "\n").with_context(|| format!("write {}", path.display()))
}

/// Prints rows of (measure, value, unit) as an aligned Markdown table.
pub fn print_table(title: &str, rows: &[(String, String, &str)]) {
    let w0 = rows.iter().map(|r| r.0.len()).max().unwrap_or(0).max(7);
    let w1 = rows.iter().map(|r| r.1.len()).max().unwrap_or(0).max(5);
    println!("{title}");
    println!("| {:<w0$} | {:>w1$} | unit |", "measure", "value");
    println!("|{}|{}:|------|", "-".repeat(w0 + 2), "-".repeat(w1 + 1));
    for (m, v, u) in rows {
        println!("| {m:<w0$} | {v:>w1$} | {u} |");
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn percentiles_are_nearest_rank() {
        let mut s = vec![5.0, 1.0, 3.0, 2.0, 4.0];
        assert_eq!(super::percentile(&mut s, 0.5), 3.0);
        assert_eq!(super::percentile(&mut s, 0.0), 1.0);
        assert_eq!(super::percentile(&mut s, 1.0), 5.0);
        assert!(super::percentile(&mut [], 0.5).is_nan());
    }
}
