//! Parallel execution of one plan: one [`PartiQLVM`] per thread over one shared
//! `Arc<CompiledPlan>`, each VM reading its own partition of a streaming plan's source
//! (byte ranges of a JSON-lines file, index ranges of an in-memory bag).
//!
//! Partitions are numbered in source order, and each partition's rows come out in
//! source order, so concatenating the per-partition results in partition order gives
//! exactly the rows of a one-thread run, in the same order. Plans that are not
//! streaming (blocking operators, LIMIT) run whole in partition 0 and produce nothing
//! in the others, so the merged result is still the one-thread result.

use super::{PartiQLVM, ResultStream};
use crate::error::{QueryError, Result};
use crate::plan::CompiledPlan;
use crate::value::OwnedValue;
use std::sync::Arc;

/// Runs `vms.len()` partitions of the VMs' plan, one VM per thread, calling `consume`
/// with each partition's number and stream. Returns what `consume` returned for each
/// partition, in partition order, or the first error in partition order.
///
/// Every VM must run the same plan (the same `Arc<CompiledPlan>`): partitions of
/// different plans would not add up to one result.
pub fn execute_parallel<T, F>(vms: &mut [PartiQLVM], consume: F) -> Result<Vec<T>>
where
    T: Send,
    F: Fn(usize, &mut ResultStream<'_>) -> Result<T> + Sync,
{
    let Some(first) = vms.first() else {
        return Ok(Vec::new());
    };
    let plan = Arc::clone(first.plan());
    if vms.iter().any(|vm| !Arc::ptr_eq(vm.plan(), &plan)) {
        return Err(QueryError::Eval(crate::error::EvalError::Fatal(
            "parallel execution needs every VM to run the same plan".into(),
        )));
    }
    let parts = vms.len();
    let run = |part: usize, vm: &mut PartiQLVM| -> Result<T> {
        let mut stream = vm.execute_partition(part, parts)?;
        consume(part, &mut stream)
    };
    if parts == 1 {
        return Ok(vec![run(0, &mut vms[0])?]);
    }
    let run = &run;
    std::thread::scope(|s| {
        let handles: Vec<_> = vms
            .iter_mut()
            .enumerate()
            .map(|(part, vm)| s.spawn(move || run(part, vm)))
            .collect();
        handles
            .into_iter()
            .map(|h| match h.join() {
                Ok(r) => r,
                // A panic inside the VM is a bug; re-raise it on the caller's thread
                // rather than turning it into a query error nobody can act on.
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    })
}

/// Executes `plan` on `threads` threads and returns the whole result as one owned
/// value, equal to `PartiQLVM::new(plan).execute()?.materialize()?`.
pub fn materialize_parallel(plan: &Arc<CompiledPlan>, threads: usize) -> Result<OwnedValue> {
    let mut vms: Vec<PartiQLVM> = (0..threads.max(1))
        .map(|_| PartiQLVM::new(Arc::clone(plan)))
        .collect();
    let parts = execute_parallel(&mut vms, |_, stream| {
        let mut rows = Vec::new();
        while let Some(row) = stream.next_row()? {
            rows.push(row.to_owned_value());
        }
        Ok(rows)
    })?;
    Ok(super::result_value(
        plan,
        parts.into_iter().flatten().collect(),
    ))
}
