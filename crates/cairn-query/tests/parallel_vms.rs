//! One compiled plan shared by many VMs on many threads; VMs reused through a pool and
//! across executions.

use cairn_query::{
    execute_parallel, materialize_parallel, Catalog, CompiledPlan, Compiler, MemorySource, Mode,
    OwnedValue, PartiQLVM, Value, VmPool,
};
use std::sync::Arc;

const ROWS: i64 = 10_000;

const QUERY: &str = "SELECT g, COUNT(*) AS n, SUM(r.v) AS total, MAX(r.v) AS hi \
                     FROM data AS r WHERE r.v % 3 <> 0 \
                     GROUP BY r.g AS g ORDER BY g DESC";

fn catalog() -> Catalog {
    let rows = (0..ROWS)
        .map(|i| {
            OwnedValue::tuple([
                ("g", OwnedValue::Int(i % 10)),
                ("v", OwnedValue::Int(i)),
                ("name", OwnedValue::Str(format!("row{i}"))),
            ])
        })
        .collect();
    let mut catalog = Catalog::new();
    catalog.add_source("data", Arc::new(MemorySource::new(rows)));
    catalog
}

/// The result computed in plain Rust: one tuple per group, groups in descending order.
fn expected() -> OwnedValue {
    let mut groups = Vec::new();
    for g in (0..10).rev() {
        let vs: Vec<i64> = (0..ROWS).filter(|v| v % 10 == g && v % 3 != 0).collect();
        groups.push(OwnedValue::tuple([
            ("g", OwnedValue::Int(g)),
            ("n", OwnedValue::Int(vs.len() as i64)),
            ("total", OwnedValue::Int(vs.iter().sum())),
            ("hi", OwnedValue::Int(*vs.iter().max().unwrap())),
        ]));
    }
    OwnedValue::List(groups)
}

fn plan() -> Arc<CompiledPlan> {
    Compiler::new(&catalog())
        .mode(Mode::Strict)
        .compile(QUERY)
        .expect("compiles")
}

fn assert_expected(got: &OwnedValue) {
    let want = expected();
    // ORDER BY makes the result a list, in order.
    assert!(
        matches!(got, OwnedValue::List(items) if items.len() == 10),
        "expected a list of 10 groups, got {got:?}"
    );
    assert!(got.test_eq(&want), "got {got:?}\nwant {want:?}");
    assert_eq!(got, &want, "exact representation");
}

#[test]
fn four_threads_share_one_plan() {
    let plan = plan();
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let plan = Arc::clone(&plan);
            std::thread::spawn(move || {
                let mut vm = PartiQLVM::new(plan);
                vm.execute()
                    .expect("executes")
                    .materialize()
                    .expect("materializes")
            })
        })
        .collect();
    let results: Vec<OwnedValue> = handles
        .into_iter()
        .map(|h| h.join().expect("no thread panicked"))
        .collect();
    for r in &results[1..] {
        assert_eq!(r, &results[0], "threads disagree");
    }
    assert_expected(&results[0]);
    // Only the test's clone is left: the VMs released theirs.
    assert_eq!(Arc::strong_count(&plan), 1);
}

#[test]
fn threads_run_many_executions_concurrently() {
    let plan = plan();
    let want = expected();
    std::thread::scope(|s| {
        for _ in 0..4 {
            let plan = Arc::clone(&plan);
            let want = &want;
            s.spawn(move || {
                let mut vm = PartiQLVM::new(plan);
                for _ in 0..5 {
                    let got = vm.execute().unwrap().materialize().unwrap();
                    assert_eq!(&got, want);
                }
            });
        }
    });
}

#[test]
fn a_vm_executes_twice_with_identical_results() {
    let mut vm = PartiQLVM::new(plan());
    let first = vm.execute().unwrap().materialize().unwrap();
    let second = vm.execute().unwrap().materialize().unwrap();
    assert_eq!(first, second);
    assert_expected(&first);
}

#[test]
fn a_vm_executes_again_after_a_partly_read_stream() {
    let mut vm = PartiQLVM::new(plan());
    {
        let mut stream = vm.execute().unwrap();
        let row = stream.next_row().unwrap().expect("a first group");
        assert_eq!(row.get_i64(0), Some(9));
        // Dropped before the end.
    }
    let all = vm.execute().unwrap().materialize().unwrap();
    assert_expected(&all);
}

#[test]
fn streaming_plan_twice_on_one_vm() {
    let plan = Compiler::new(&catalog())
        .compile("SELECT r.v, r.name FROM data AS r WHERE r.v % 1000 = 1")
        .unwrap();
    let mut vm = PartiQLVM::new(plan);
    let want: Vec<(i64, String)> = (0..10)
        .map(|k| (k * 1000 + 1, format!("row{}", k * 1000 + 1)))
        .collect();
    for _ in 0..2 {
        let mut stream = vm.execute().unwrap();
        let mut got = Vec::new();
        while let Some(row) = stream.next_row().unwrap() {
            got.push((row.get_i64(0).unwrap(), row.get_str(1).unwrap().to_string()));
        }
        assert_eq!(got, want);
    }
}

#[test]
fn pool_reuses_vms() {
    let pool = VmPool::new(plan());
    assert_eq!(pool.idle_count(), 0);
    {
        let mut vm = pool.get();
        assert_eq!(pool.idle_count(), 0);
        let got = vm.execute().unwrap().materialize().unwrap();
        assert_expected(&got);
    }
    assert_eq!(pool.idle_count(), 1, "the VM went back to the pool");
    {
        let mut vm = pool.get();
        assert_eq!(pool.idle_count(), 0, "the idle VM was reused");
        let a = vm.execute().unwrap().materialize().unwrap();
        let b = vm.execute().unwrap().materialize().unwrap();
        assert_eq!(a, b);
        assert_expected(&a);
        // A second VM while the first is out: a new one.
        let mut other = pool.get();
        assert_eq!(pool.idle_count(), 0);
        assert_eq!(other.execute().unwrap().materialize().unwrap(), a);
    }
    assert_eq!(pool.idle_count(), 2);
}

#[test]
fn pool_across_threads() {
    let pool = VmPool::new(plan());
    let want = expected();
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                for _ in 0..3 {
                    let mut vm = pool.get();
                    let got = vm.execute().unwrap().materialize().unwrap();
                    assert_eq!(got, want);
                }
            });
        }
    });
    let idle = pool.idle_count();
    assert!((1..=4).contains(&idle), "idle VMs: {idle}");
}

/// A streaming plan split over threads gives the one-thread result, rows in order.
#[test]
fn parallel_partitions_merge_to_the_sequential_result() {
    let plan = Compiler::new(&catalog())
        .compile("SELECT r.v, UPPER(r.name) AS n FROM data AS r WHERE r.v % 7 = 0")
        .unwrap();
    let sequential = PartiQLVM::new(Arc::clone(&plan))
        .execute()
        .unwrap()
        .materialize()
        .unwrap();
    let OwnedValue::Bag(rows) = &sequential else {
        panic!("a bag, got {sequential:?}")
    };
    assert_eq!(rows.len(), (ROWS as usize).div_ceil(7));
    for threads in [1, 2, 3, 4] {
        let merged = materialize_parallel(&plan, threads).unwrap();
        assert_eq!(merged, sequential, "{threads} threads");
    }
}

/// Each partition reads a different share of a JSON-lines file, and together they
/// read every line once.
#[test]
fn parallel_partitions_split_a_json_lines_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rows.jsonl");
    let text: String = (0..5_000)
        .map(|i| format!("{{\"v\": {i}, \"s\": \"x{i}\"}}\n"))
        .collect();
    std::fs::write(&path, text).unwrap();
    let mut catalog = Catalog::new();
    catalog.add_source("f", Arc::new(cairn_query::JsonLinesSource::new(&path)));
    let plan = Compiler::new(&catalog)
        .compile("SELECT VALUE r.v FROM f AS r WHERE r.v % 2 = 1")
        .unwrap();
    let mut vms: Vec<PartiQLVM> = (0..2).map(|_| PartiQLVM::new(Arc::clone(&plan))).collect();
    let per_part = execute_parallel(&mut vms, |_, stream| {
        let mut got = Vec::new();
        while let Some(row) = stream.next_row()? {
            match row.value() {
                Value::Int(v) => got.push(v),
                other => panic!("an integer, got {other:?}"),
            }
        }
        Ok(got)
    })
    .unwrap();
    assert_eq!(per_part.len(), 2);
    assert!(
        per_part.iter().all(|p| !p.is_empty()),
        "both partitions read rows: {:?}",
        per_part.iter().map(Vec::len).collect::<Vec<_>>()
    );
    let merged: Vec<i64> = per_part.into_iter().flatten().collect();
    let want: Vec<i64> = (0..5_000).filter(|v| v % 2 == 1).collect();
    assert_eq!(merged, want);
}

/// A blocking plan runs whole in one partition; the merged result is unchanged.
#[test]
fn parallel_execution_of_a_blocking_plan_runs_it_once() {
    let plan = plan();
    for threads in [1, 2, 4] {
        assert_expected(&materialize_parallel(&plan, threads).unwrap());
    }
}

#[test]
fn parallel_execution_rejects_vms_of_different_plans() {
    let mut vms = vec![PartiQLVM::new(plan()), PartiQLVM::new(plan())];
    let err = execute_parallel(&mut vms, |_, _| Ok(())).unwrap_err();
    assert!(err.to_string().contains("same plan"), "{err}");
}
