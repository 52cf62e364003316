//! Copy propagation: a program that moves a register into a temporary only to read it
//! (`r.a % 7` compiles to "move slot a to t1; t2 = t1 % 7") reads the register itself
//! instead, and the move disappears. A projection of plain fields then has no
//! instructions at all, and the VM reads its result straight from the row slots.
//!
//! The pass runs before temporaries are numbered and is deliberately narrow: it only
//! touches straight-line programs (no jumps, no subqueries), and only removes a move
//! whose destination is a temporary written once, in this program alone, and never
//! part of a register range (the arguments of a call, the items of a constructor),
//! which must stay consecutive.

use super::ops::TEMP_BIT;
use crate::plan::{Instr, Program, Reg};
use std::collections::HashMap;

/// Removes the moves of every program that allows it.
pub(crate) fn propagate_copies(programs: &mut [Program]) {
    // A temporary written or read by two programs is shared state; leave it alone.
    let mut owners: HashMap<Reg, usize> = HashMap::new();
    let mut shared: Vec<Reg> = Vec::new();
    for (p, program) in programs.iter().enumerate() {
        for i in &program.code {
            i.clone().map_regs(|r| {
                if r & TEMP_BIT != 0 && *owners.entry(r).or_insert(p) != p {
                    shared.push(r);
                }
                r
            });
        }
    }
    for program in programs.iter_mut() {
        propagate(program, &shared);
        fuse_constants(program, &shared);
    }
}

fn is_straight_line(code: &[Instr]) -> bool {
    !code.iter().any(|i| {
        matches!(
            i,
            Instr::Jump { .. }
                | Instr::JumpUnlessTrue { .. }
                | Instr::JumpIfPresent { .. }
                | Instr::JumpIfNotAbsent { .. }
                | Instr::SubQuery { .. }
        )
    })
}

/// The register an instruction writes.
pub(super) fn written(i: &Instr) -> Option<Reg> {
    let mut dst = None;
    let mut first = true;
    // `map_regs` visits the destination first for every instruction that has one.
    let has_dst = !matches!(
        i,
        Instr::Jump { .. }
            | Instr::JumpUnlessTrue { .. }
            | Instr::JumpIfPresent { .. }
            | Instr::JumpIfNotAbsent { .. }
    );
    if has_dst {
        i.clone().map_regs(|r| {
            if first {
                dst = Some(r);
                first = false;
            }
            r
        });
    }
    dst
}

/// The registers read as part of a consecutive range.
fn ranges(i: &Instr) -> Option<std::ops::Range<Reg>> {
    match *i {
        Instr::Call { args, n, .. } => Some(args..args + n),
        Instr::MakeList { start, n, .. } | Instr::MakeBag { start, n, .. } => {
            Some(start..start + n)
        }
        Instr::MakeTuple { start, n, .. } => Some(start..start + 2 * n),
        _ => None,
    }
}

fn propagate(program: &mut Program, shared: &[Reg]) {
    if !is_straight_line(&program.code) {
        return;
    }
    let mut i = 0;
    while i < program.code.len() {
        let Instr::Move { dst, src } = program.code[i] else {
            i += 1;
            continue;
        };
        let code = &program.code;
        let writes_of = |r: Reg| code.iter().filter(|c| written(c) == Some(r)).count();
        let removable = dst & TEMP_BIT != 0
            && !shared.contains(&dst)
            && writes_of(dst) == 1
            && !code
                .iter()
                .filter_map(ranges)
                .any(|range| range.contains(&dst))
            // The source keeps its value for the rest of the program.
            && !code[i + 1..].iter().any(|c| written(c) == Some(src));
        if !removable {
            i += 1;
            continue;
        }
        program.code.remove(i);
        for c in &mut program.code[i..] {
            c.map_regs(|r| if r == dst { src } else { r });
        }
        if program.result == dst {
            program.result = src;
        }
    }
}

/// Folds a constant into the binary operation that reads it: `t = const k; d = a op t`
/// becomes `d = a op k` (a `BinaryConst`), so a filter like `r.a % 7 = 0` loads no
/// constant per row. Only when `t` is a temporary of this program alone, written once,
/// read once (by that operation) and not the program's result.
fn fuse_constants(program: &mut Program, shared: &[Reg]) {
    if !is_straight_line(&program.code) {
        return;
    }
    let mut i = 0;
    while i < program.code.len() {
        let Instr::Const { dst: t, k } = program.code[i] else {
            i += 1;
            continue;
        };
        let mentions = |c: &Instr| {
            let mut n = 0;
            c.clone().map_regs(|r| {
                n += usize::from(r == t);
                r
            });
            n
        };
        let code = &program.code;
        let fusable = t & TEMP_BIT != 0
            && !shared.contains(&t)
            && program.result != t
            && code.iter().map(mentions).sum::<usize>() == 2
            && !code
                .iter()
                .filter_map(ranges)
                .any(|range| range.contains(&t));
        let reader = code[i + 1..]
            .iter()
            .position(|c| mentions(c) > 0)
            .map(|at| i + 1 + at);
        let fused = match (fusable, reader.map(|at| &code[at])) {
            (true, Some(&Instr::Binary { op, dst, a, b })) if (a == t) != (b == t) => {
                Some(Instr::BinaryConst {
                    op,
                    dst,
                    a: if a == t { b } else { a },
                    k,
                    const_first: a == t,
                })
            }
            _ => None,
        };
        match (fused, reader) {
            (Some(instr), Some(at)) => {
                program.code[at] = instr;
                program.code.remove(i);
            }
            _ => i += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::BinaryOp;

    const T: Reg = TEMP_BIT;

    #[test]
    fn moves_into_single_use_temporaries_disappear() {
        let mut p = vec![Program {
            code: vec![
                Instr::Move { dst: T, src: 2 },
                Instr::Const { dst: T + 1, k: 0 },
                Instr::Binary {
                    op: BinaryOp::Mod,
                    dst: T + 2,
                    a: T,
                    b: T + 1,
                },
            ],
            result: T + 2,
            typed: None,
        }];
        propagate_copies(&mut p);
        // The move is gone, and the constant is read in place.
        assert_eq!(p[0].code.len(), 1);
        assert!(matches!(
            p[0].code[0],
            Instr::BinaryConst {
                op: BinaryOp::Mod,
                a: 2,
                k: 0,
                const_first: false,
                ..
            }
        ));
        let mut field = vec![Program {
            code: vec![Instr::Move { dst: T + 5, src: 3 }],
            result: T + 5,
            typed: None,
        }];
        propagate_copies(&mut field);
        assert!(field[0].code.is_empty());
        assert_eq!(field[0].result, 3);
    }

    #[test]
    fn constants_fold_into_the_operation_that_reads_them_once() {
        let mut p = vec![Program {
            code: vec![
                Instr::Const { dst: T, k: 3 },
                Instr::Binary {
                    op: BinaryOp::Sub,
                    dst: T + 1,
                    a: T,
                    b: 2,
                },
                // Read twice: stays a load.
                Instr::Const { dst: T + 2, k: 4 },
                Instr::Binary {
                    op: BinaryOp::Add,
                    dst: T + 3,
                    a: T + 2,
                    b: T + 2,
                },
                // The program's result: stays a load.
                Instr::Const { dst: T + 4, k: 5 },
            ],
            result: T + 4,
            typed: None,
        }];
        propagate_copies(&mut p);
        let code = &p[0].code;
        assert_eq!(code.len(), 4, "{code:?}");
        assert!(matches!(
            code[0],
            Instr::BinaryConst {
                op: BinaryOp::Sub,
                a: 2,
                k: 3,
                const_first: true,
                ..
            }
        ));
        assert!(matches!(code[1], Instr::Const { k: 4, .. }));
        assert!(matches!(code[3], Instr::Const { k: 5, .. }));
    }

    #[test]
    fn call_arguments_and_branches_keep_their_moves() {
        let call = Program {
            code: vec![
                Instr::Move { dst: T, src: 2 },
                Instr::Call {
                    dst: T + 1,
                    f: crate::functions::FnId(0),
                    args: T,
                    n: 1,
                },
            ],
            result: T + 1,
            typed: None,
        };
        let branch = Program {
            code: vec![
                Instr::JumpIfPresent { src: 2, to: 2 },
                Instr::Move { dst: T + 3, src: 4 },
                Instr::Move {
                    dst: T + 4,
                    src: T + 3,
                },
            ],
            result: T + 4,
            typed: None,
        };
        let mut p = vec![call.clone(), branch.clone()];
        propagate_copies(&mut p);
        assert_eq!(p[0].code.len(), 2);
        assert_eq!(p[1].code.len(), 3);
    }
}
