//! Smoke test of `cairn-bench query` on a tiny table: every query runs on both engines in
//! both modes, the row counts agree, and the JSON has the fields. No timing is
//! asserted.

use std::process::Command;

#[test]
fn query_benchmark_runs_every_query_in_both_modes() {
    let tmp = tempfile::tempdir().unwrap();
    let json = tmp.path().join("query.json");
    let out = Command::new(env!("CARGO_BIN_EXE_cairn-bench"))
        .args(["query", "--rows", "500", "--runs", "1", "--threads", "2"])
        .arg("--json")
        .arg(&json)
        .arg("--dir")
        .arg(tmp.path())
        .output()
        .expect("run cairn-bench");
    assert!(
        out.status.success(),
        "cairn-bench query failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let records: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let records = records.as_array().expect("an array");
    assert_eq!(records.len(), 16, "8 queries in 2 modes");
    // Expected result sizes at 500 rows.
    let expected = [
        ("Q1", 500),
        ("Q2", 1),
        ("Q3", 1),
        ("Q4", 111),
        ("Q5", 97),
        ("Q6", 10),
        ("Q7", 50),
        ("Q8", 500),
    ];
    for r in records {
        for field in [
            "query",
            "mode",
            "rows",
            "cairn_ns_per_row",
            "legacy_ns_per_row",
            "ratio",
            "cairn_allocs_per_row",
            "result_rows",
        ] {
            assert!(r.get(field).is_some(), "{field} missing in {r}");
        }
        assert_eq!(r["rows"], 500);
        assert_eq!(r["rows_agree"], true, "{r}");
        let q = r["query"].as_str().unwrap();
        let (_, n) = expected.iter().find(|(name, _)| *name == q).unwrap();
        assert_eq!(r["result_rows"], *n, "{r}");
    }
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("| Q8 | file |"), "{text}");
}
