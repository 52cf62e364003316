//! `cairn-bench storage`: Cairn's storage engine against fjall, same disk, same run.
//!
//! Keys are 100 bytes and values 200 bytes. Latencies are per operation (puts) or
//! per operation averaged over chunks of `CHUNK` (point reads, where a clock read
//! would otherwise dominate). A per-operation figure includes the cost of one
//! `Instant::now` (about 30 ns on the development VM), the same for both engines; it is
//! not subtracted.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use cairn_storage::{Engine, Options, SyncMode, WriteBatch};
use serde::Serialize;

#[derive(clap::Args)]
pub struct Args {
    /// Write the results as JSON to this file.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Directory to run in (default: a temporary directory under the current one).
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Keys loaded for the read and scan measures.
    #[arg(long, default_value_t = 200_000)]
    keys: usize,
    /// Synced puts measured.
    #[arg(long, default_value_t = 500)]
    sync_puts: usize,
}

#[derive(Serialize)]
struct Measure {
    measure: &'static str,
    unit: &'static str,
    cairn: f64,
    fjall: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    bare_fsync: Option<f64>,
    /// Whether a larger number is better.
    #[serde(skip)]
    higher_is_better: bool,
}

const KEY_LEN: usize = 100;
const VALUE_LEN: usize = 200;
const PREFIXES: usize = 2_000;
const CHUNK: usize = 64;
const HOT_KEYS: usize = 1_000;

fn key(i: usize) -> Vec<u8> {
    let p = i % PREFIXES;
    let mut k = format!("{p:05}/{i:012}/").into_bytes();
    k.resize(KEY_LEN, b'k');
    k
}

fn value(i: usize) -> Vec<u8> {
    let mut v = format!("value-{i}-").into_bytes();
    v.resize(VALUE_LEN, b'v');
    v
}

struct Rng(u64);
impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

fn percentile(samples: &mut [f64], p: f64) -> f64 {
    samples.sort_by(f64::total_cmp);
    let i = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples.get(i).copied().unwrap_or(f64::NAN)
}

/// Per-op latency in ns, timing each call.
fn time_each(n: usize, mut f: impl FnMut(usize) -> Result<()>) -> Result<Vec<f64>> {
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let t = Instant::now();
        f(i)?;
        out.push(t.elapsed().as_nanos() as f64);
    }
    Ok(out)
}

/// Per-op latency in ns, averaged over chunks of `CHUNK` calls.
fn time_chunked(n: usize, mut f: impl FnMut(usize) -> Result<()>) -> Result<Vec<f64>> {
    let mut out = Vec::with_capacity(n / CHUNK);
    let mut i = 0;
    while i + CHUNK <= n {
        let t = Instant::now();
        for j in i..i + CHUNK {
            f(j)?;
        }
        out.push(t.elapsed().as_nanos() as f64 / CHUNK as f64);
        i += CHUNK;
    }
    Ok(out)
}

fn cairn_opts(sync: SyncMode) -> Options {
    Options::default().with_sync(sync)
}

fn fjall_open(path: &Path) -> Result<(fjall::Database, fjall::Keyspace)> {
    let db = fjall::Database::builder(path)
        .cache_size(64 << 20)
        .open()
        .context("open fjall")?;
    let ks = db
        .keyspace("blocks", fjall::KeyspaceCreateOptions::default)
        .context("fjall keyspace")?;
    Ok((db, ks))
}

fn bare_fsync(dir: &Path, n: usize) -> Result<Vec<f64>> {
    let path = dir.join("bare_fsync.dat");
    let mut f = OpenOptions::new()
        .create(true)
        .truncate(true)
        .write(true)
        .open(&path)?;
    let page = vec![0xabu8; 4096];
    let samples = time_each(n, |_| {
        f.write_all(&page)?;
        f.sync_data()?;
        Ok(())
    })?;
    std::fs::remove_file(&path)?;
    Ok(samples)
}

pub fn run(args: &Args) -> Result<()> {
    let base = match &args.dir {
        Some(d) => {
            std::fs::create_dir_all(d)?;
            tempfile::tempdir_in(d)?
        }
        None => tempfile::tempdir_in(".")?,
    };
    let root = base.path();
    let n = args.keys;
    let mut results = Vec::new();
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let order: Vec<usize> = {
        let mut v: Vec<usize> = (0..n).collect();
        for i in (1..v.len()).rev() {
            let j = rng.below(i + 1);
            v.swap(i, j);
        }
        v
    };
    let keys: Vec<Vec<u8>> = (0..n).map(key).collect();
    let values: Vec<Vec<u8>> = (0..n).map(value).collect();

    // --- Puts without sync (random order), which also load the data set.
    let cairn_dir = root.join("cairn");
    let fjall_dir = root.join("fjall");
    let engine = Engine::open(&cairn_dir, cairn_opts(SyncMode::Never))?;
    let cks = engine.keyspace("blocks")?;
    let mut c = time_each(n, |i| {
        let k = order[i];
        Ok(engine.put(&cks, &keys[k], &values[k])?)
    })?;
    let (fdb, fks) = fjall_open(&fjall_dir)?;
    let mut f = time_each(n, |i| {
        let k = order[i];
        Ok(fks.insert(keys[k].as_slice(), values[k].as_slice())?)
    })?;
    results.push(Measure {
        measure: "put_nosync_p50",
        unit: "ns",
        cairn: percentile(&mut c, 0.5),
        fjall: percentile(&mut f, 0.5),
        bare_fsync: None,
        higher_is_better: false,
    });
    results.push(Measure {
        measure: "put_nosync_p99",
        unit: "ns",
        cairn: percentile(&mut c, 0.99),
        fjall: percentile(&mut f, 0.99),
        bare_fsync: None,
        higher_is_better: false,
    });

    // --- Batch writes: 1,000 puts per batch, overwriting the loaded keys.
    let batch_ops = n;
    let t = Instant::now();
    let mut batch = WriteBatch::new();
    for chunk in order.chunks(1000) {
        batch.clear();
        for &k in chunk {
            batch.put(&cks, &keys[k], &values[k]);
        }
        engine.write(&batch)?;
    }
    let cairn_batch = batch_ops as f64 / t.elapsed().as_secs_f64();
    let t = Instant::now();
    for chunk in order.chunks(1000) {
        let mut b = fdb.batch();
        for &k in chunk {
            b.insert(&fks, keys[k].as_slice(), values[k].as_slice());
        }
        b.commit()?;
    }
    let fjall_batch = batch_ops as f64 / t.elapsed().as_secs_f64();
    results.push(Measure {
        measure: "batch_write_throughput",
        unit: "ops/s",
        cairn: cairn_batch,
        fjall: fjall_batch,
        bare_fsync: None,
        higher_is_better: true,
    });

    // Move the data into tables on both sides so reads exercise the disk format.
    engine.flush()?;
    fks.rotate_memtable_and_wait()?;

    // --- Hot point reads: a small working set, read over and over.
    let hot: Vec<usize> = (0..HOT_KEYS).map(|_| rng.below(n)).collect();
    let reads = 200_000;
    for &k in &hot {
        engine.get(&cks, &keys[k])?;
        fks.get(keys[k].as_slice())?;
    }
    let mut c = time_chunked(reads, |i| {
        let k = hot[i % HOT_KEYS];
        let v = engine.get(&cks, &keys[k])?;
        anyhow::ensure!(v.is_some(), "cairn lost a key");
        Ok(())
    })?;
    let mut f = time_chunked(reads, |i| {
        let k = hot[i % HOT_KEYS];
        let v = fks.get(keys[k].as_slice())?;
        anyhow::ensure!(v.is_some(), "fjall lost a key");
        Ok(())
    })?;
    results.push(Measure {
        measure: "get_hot_p50",
        unit: "ns",
        cairn: percentile(&mut c, 0.5),
        fjall: percentile(&mut f, 0.5),
        bare_fsync: None,
        higher_is_better: false,
    });

    // --- Random reads over the whole data set (warm caches): throughput.
    let rnd: Vec<usize> = (0..reads).map(|_| rng.below(n)).collect();
    let t = Instant::now();
    for &k in &rnd {
        anyhow::ensure!(engine.get(&cks, &keys[k])?.is_some(), "cairn lost a key");
    }
    let cairn_rnd = reads as f64 / t.elapsed().as_secs_f64();
    let t = Instant::now();
    for &k in &rnd {
        anyhow::ensure!(fks.get(keys[k].as_slice())?.is_some(), "fjall lost a key");
    }
    let fjall_rnd = reads as f64 / t.elapsed().as_secs_f64();
    results.push(Measure {
        measure: "get_random_throughput",
        unit: "ops/s",
        cairn: cairn_rnd,
        fjall: fjall_rnd,
        bare_fsync: None,
        higher_is_better: true,
    });

    // --- Prefix scans: each prefix holds about n / PREFIXES keys.
    let scans = 2_000;
    let prefixes: Vec<Vec<u8>> = (0..scans)
        .map(|_| format!("{:05}/", rng.below(PREFIXES)).into_bytes())
        .collect();
    let t = Instant::now();
    let mut cairn_entries = 0usize;
    for p in &prefixes {
        let mut it = engine.prefix(&cks, p)?;
        while let Some((_k, _v)) = it.next_entry()? {
            cairn_entries += 1;
        }
    }
    let cairn_scan = cairn_entries as f64 / t.elapsed().as_secs_f64();
    let t = Instant::now();
    let mut fjall_entries = 0usize;
    for p in &prefixes {
        for kv in fks.prefix(p.as_slice()) {
            let _ = kv.into_inner()?;
            fjall_entries += 1;
        }
    }
    let fjall_scan = fjall_entries as f64 / t.elapsed().as_secs_f64();
    anyhow::ensure!(cairn_entries == fjall_entries, "scan results differ");
    results.push(Measure {
        measure: "prefix_scan_throughput",
        unit: "entries/s",
        cairn: cairn_scan,
        fjall: fjall_scan,
        bare_fsync: None,
        higher_is_better: true,
    });

    // --- Cold point reads: reopen (empty engine caches), random keys.
    engine.close()?;
    drop(fks);
    drop(fdb);
    let engine = Engine::open(&cairn_dir, cairn_opts(SyncMode::Never))?;
    let cks = engine.keyspace("blocks")?;
    let (fdb, fks) = fjall_open(&fjall_dir)?;
    let cold_reads = 20_000.min(n);
    let cold: Vec<usize> = (0..cold_reads).map(|_| rng.below(n)).collect();
    let mut c = time_each(cold_reads, |i| {
        anyhow::ensure!(
            engine.get(&cks, &keys[cold[i]])?.is_some(),
            "cairn lost a key"
        );
        Ok(())
    })?;
    let mut f = time_each(cold_reads, |i| {
        anyhow::ensure!(
            fks.get(keys[cold[i]].as_slice())?.is_some(),
            "fjall lost a key"
        );
        Ok(())
    })?;
    results.push(Measure {
        measure: "get_cold_p50",
        unit: "ns",
        cairn: percentile(&mut c, 0.5),
        fjall: percentile(&mut f, 0.5),
        bare_fsync: None,
        higher_is_better: false,
    });
    engine.close()?;
    drop(fks);
    drop(fdb);

    // --- Synced puts against a bare 4 KiB append + fdatasync on the same disk.
    let m = args.sync_puts;
    let engine = Engine::open(root.join("cairn_sync"), cairn_opts(SyncMode::Always))?;
    let cks = engine.keyspace("blocks")?;
    let mut c = time_each(m, |i| Ok(engine.put(&cks, &keys[i], &values[i])?))?;
    engine.close()?;
    let (fdb, fks) = fjall_open(&root.join("fjall_sync"))?;
    let mut f = time_each(m, |i| {
        fks.insert(keys[i].as_slice(), values[i].as_slice())?;
        fdb.persist(fjall::PersistMode::SyncData)?;
        Ok(())
    })?;
    drop(fks);
    drop(fdb);
    let mut b = bare_fsync(root, m)?;
    results.push(Measure {
        measure: "put_sync_p50",
        unit: "ns",
        cairn: percentile(&mut c, 0.5),
        fjall: percentile(&mut f, 0.5),
        bare_fsync: Some(percentile(&mut b, 0.5)),
        higher_is_better: false,
    });
    results.push(Measure {
        measure: "put_sync_p99",
        unit: "ns",
        cairn: percentile(&mut c, 0.99),
        fjall: percentile(&mut f, 0.99),
        bare_fsync: Some(percentile(&mut b, 0.99)),
        higher_is_better: false,
    });

    print_table(&results);
    if let Some(path) = &args.json {
        let text = serde_json::to_string_pretty(&results)?;
        std::fs::write(path, text).with_context(|| format!("write {}", path.display()))?;
    }
    Ok(())
}

fn print_table(results: &[Measure]) {
    println!(
        "{:<24} {:>10} {:>14} {:>14} {:>14} {:>12}",
        "measure", "unit", "cairn", "fjall", "bare_fsync", "cairn/fjall"
    );
    for r in results {
        let ratio = r.cairn / r.fjall;
        let verdict = match (r.higher_is_better, ratio >= 1.0) {
            (true, true) | (false, false) => "better",
            _ => "worse",
        };
        let bare = r
            .bare_fsync
            .map(|b| format!("{b:.0}"))
            .unwrap_or_else(|| "-".into());
        println!(
            "{:<24} {:>10} {:>14.0} {:>14.0} {:>14} {:>7.2}x {}",
            r.measure, r.unit, r.cairn, r.fjall, bare, ratio, verdict
        );
        if let Some(b) = r.bare_fsync {
            println!(
                "{:<24} {:>10} {:>14.2}x of bare append+fsync",
                "",
                "",
                r.cairn / b
            );
        }
    }
}
