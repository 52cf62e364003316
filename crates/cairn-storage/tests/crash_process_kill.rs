//! Real-process crash test: a child process (this test binary, re-executed) writes with
//! `OsVfs` and `SyncMode::Always`, printing each key after its write returns; the parent
//! kills it with SIGKILL at a random moment, 50 times, and after each kill reopens the
//! database and checks that every acknowledged write is there.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use cairn_storage::{Engine, Options, SyncMode, WriteBatch};

const CHILD_DIR_ENV: &str = "CAIRN_KILL_CHILD_DIR";
const CHILD_ROUND_ENV: &str = "CAIRN_KILL_CHILD_ROUND";
const ROUNDS: u64 = 50;

fn value_for(key: &str) -> Vec<u8> {
    let n = 16 + key.len() * 7 % 300;
    key.as_bytes().iter().cycle().take(n).copied().collect()
}

fn options() -> Options {
    Options::default()
        .with_sync(SyncMode::Always)
        .with_memtable_bytes(64 << 10)
        .expect("valid options")
}

/// The child side; does nothing unless started by the parent test.
#[test]
#[ignore = "run by sigkill_during_writes_loses_no_acknowledged_write"]
fn kill_child_writer() {
    let Ok(dir) = std::env::var(CHILD_DIR_ENV) else {
        return;
    };
    let round: u64 = std::env::var(CHILD_ROUND_ENV)
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(0);
    let engine = Engine::open(&dir, options()).expect("child open");
    let ks = engine.keyspace("blocks").expect("keyspace");
    let out = std::io::stdout();
    let mut out = out.lock();
    writeln!(out, "READY").expect("stdout");
    out.flush().expect("stdout");
    for i in 0u64.. {
        if i % 5 == 4 {
            let keys: Vec<String> = (0..3).map(|j| format!("r{round:02}-b{i:07}-{j}")).collect();
            let mut b = WriteBatch::new();
            for k in &keys {
                b.put(&ks, k.as_bytes(), &value_for(k));
            }
            engine.write(&b).expect("child write");
            for k in &keys {
                writeln!(out, "ACK {k}").expect("stdout");
            }
        } else {
            let k = format!("r{round:02}-p{i:07}");
            engine
                .put(&ks, k.as_bytes(), &value_for(&k))
                .expect("child put");
            writeln!(out, "ACK {k}").expect("stdout");
        }
        out.flush().expect("stdout");
    }
}

struct XorShift(u64);
impl XorShift {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

#[test]
fn sigkill_during_writes_loses_no_acknowledged_write() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("db");
    let exe = std::env::current_exe().expect("test binary path");
    let seed = Instant::now().elapsed().as_nanos() as u64 ^ u64::from(std::process::id());
    let mut rng = XorShift(seed | 1);
    let mut acked: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for round in 0..ROUNDS {
        let mut child = Command::new(&exe)
            .args([
                "kill_child_writer",
                "--exact",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_DIR_ENV, &dir)
            .env(CHILD_ROUND_ENV, round.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn child");
        let stdout = child.stdout.take().expect("child stdout");
        let (tx, rx) = mpsc::channel::<String>();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        // Wait until the child has the database open, then let it write a while.
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = rx.recv_timeout(left).expect("child became ready");
            if line.contains("READY") {
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(5 + rng.below(120)));
        child.kill().expect("SIGKILL child");
        child.wait().expect("reap child");
        reader.join().expect("reader thread");
        let mut this_round = 0usize;
        for line in rx.try_iter() {
            if let Some(k) = line.strip_prefix("ACK ") {
                acked.insert(k.to_owned(), value_for(k));
                this_round += 1;
            }
        }
        let engine = Engine::open(&dir, options()).expect("reopen after SIGKILL");
        let ks = engine.keyspace("blocks").expect("keyspace");
        for (k, v) in &acked {
            let got = engine.get(&ks, k.as_bytes()).expect("get");
            assert_eq!(
                got.as_deref(),
                Some(v.as_slice()),
                "round {round}: acknowledged key {k} lost ({this_round} acks this round)"
            );
        }
        engine.close().expect("close");
    }
    assert!(!acked.is_empty(), "children acknowledged nothing");
    eprintln!("{} acknowledged writes checked", acked.len());
}
