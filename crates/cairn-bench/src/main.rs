//! `cairn-bench`: workload benchmarks for Cairn.

fn main() {}
