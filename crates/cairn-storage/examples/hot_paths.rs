//! Quick profile target for the put and point-read hot paths (the same workload shape
//! as `cairn-bench storage`, without fjall): `cargo run --release -p cairn-storage
//! --example hot_paths -- [keys] [dir]`. Prints p50 latencies in ns. Environment:
//! `HOT_PATHS_ONLY=put|hot` stops early, `HOT_PATHS_READS` sets the hot reads,
//! `HOT_PATHS_ROW_CACHE=bytes` sizes the row cache (0 disables it).

use std::time::Instant;

use cairn_storage::{Engine, Options, SyncMode, WriteBatch};

const KEY_LEN: usize = 100;
const VALUE_LEN: usize = 200;
const CHUNK: usize = 64;

fn key(i: usize) -> Vec<u8> {
    let mut k = format!("{:05}/{i:012}/", i % 2_000).into_bytes();
    k.resize(KEY_LEN, b'k');
    k
}

fn value(i: usize) -> Vec<u8> {
    let mut v = format!("value-{i}-").into_bytes();
    v.resize(VALUE_LEN, b'v');
    v
}

fn p50(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let n: usize = args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(200_000);
    let base = args.next().unwrap_or_else(|| "/tmp/cairn-hot-paths".into());
    let _ = std::fs::remove_dir_all(&base);
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let mut below = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    let mut order: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        order.swap(i, below(i + 1));
    }
    let keys: Vec<Vec<u8>> = (0..n).map(key).collect();
    let values: Vec<Vec<u8>> = (0..n).map(value).collect();
    let mut opts = Options::default().with_sync(SyncMode::Never);
    // HOT_PATHS_ROW_CACHE=0 measures point reads through the tables themselves.
    if let Some(bytes) = std::env::var("HOT_PATHS_ROW_CACHE")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        opts = opts.with_row_cache_bytes(bytes);
    }
    let engine = Engine::open(&base, opts)?;
    let ks = engine.keyspace("blocks")?;
    let only = std::env::var("HOT_PATHS_ONLY").unwrap_or_default();

    // The floor any engine pays in this loop: the clock reads and one copy of the
    // key and value, fetched from random places (on a second copy of the inputs so
    // the put loop below finds them as cold as the benchmark does).
    let (keys2, values2) = (keys.clone(), values.clone());
    let mut sink = vec![0u8; KEY_LEN + VALUE_LEN];
    let mut lat = Vec::with_capacity(n);
    for &k in &order {
        let t = Instant::now();
        sink[..KEY_LEN].copy_from_slice(&keys2[k]);
        sink[KEY_LEN..].copy_from_slice(&values2[k]);
        std::hint::black_box(&mut sink);
        lat.push(t.elapsed().as_nanos() as f64);
    }
    println!("input_copy_p50 {:.0} ns (floor of the put loop)", p50(lat));
    drop((keys2, values2));
    let mut lat = Vec::with_capacity(n);
    for &k in &order {
        let t = Instant::now();
        engine.put(&ks, &keys[k], &values[k])?;
        lat.push(t.elapsed().as_nanos() as f64);
    }
    println!("put_nosync_p50 {:.0} ns", p50(lat));
    if only == "put" {
        return Ok(());
    }
    let t = Instant::now();
    let mut batch = WriteBatch::new();
    for chunk in order.chunks(1000) {
        batch.clear();
        for &k in chunk {
            batch.put(&ks, &keys[k], &values[k]);
        }
        engine.write(&batch)?;
    }
    println!(
        "batch_write {:.0} ops/s",
        n as f64 / t.elapsed().as_secs_f64()
    );
    engine.flush()?;
    println!("tables {}", engine.table_count());

    let hot: Vec<usize> = (0..1_000).map(|_| below(n)).collect();
    let reads: usize = std::env::var("HOT_PATHS_READS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200_000);
    for &k in &hot {
        engine.get(&ks, &keys[k])?;
    }
    let mut lat = Vec::with_capacity(reads / CHUNK);
    let mut i = 0;
    while i + CHUNK <= reads {
        let t = Instant::now();
        for j in i..i + CHUNK {
            let v = engine.get(&ks, &keys[hot[j % hot.len()]])?;
            assert!(v.is_some(), "lost a key");
        }
        lat.push(t.elapsed().as_nanos() as f64 / CHUNK as f64);
        i += CHUNK;
    }
    println!("get_hot_p50 {:.0} ns", p50(lat));
    // The loop's own cost: fetching each hot key and copying it once.
    let mut lat = Vec::with_capacity(reads / CHUNK);
    let mut i = 0;
    let mut sink = [0u8; KEY_LEN];
    while i + CHUNK <= reads {
        let t = Instant::now();
        for j in i..i + CHUNK {
            sink.copy_from_slice(&keys[hot[j % hot.len()]]);
            std::hint::black_box(&mut sink);
        }
        lat.push(t.elapsed().as_nanos() as f64 / CHUNK as f64);
        i += CHUNK;
    }
    println!(
        "hot_key_touch_p50 {:.0} ns (floor of the get loop)",
        p50(lat)
    );
    if only == "hot" {
        return Ok(());
    }
    let rnd: Vec<usize> = (0..200_000).map(|_| below(n)).collect();
    let t = Instant::now();
    for &k in &rnd {
        assert!(engine.get(&ks, &keys[k])?.is_some(), "lost a key");
    }
    println!(
        "get_random {:.0} ops/s",
        rnd.len() as f64 / t.elapsed().as_secs_f64()
    );
    engine.close()?;
    let _ = std::fs::remove_dir_all(&base);
    Ok(())
}
