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
fn written(i: &Instr) -> Option<Reg> {
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
        }];
        propagate_copies(&mut p);
        assert_eq!(p[0].code.len(), 2);
        assert!(matches!(
            p[0].code[1],
            Instr::Binary {
                a: 2,
                b,
                ..
            } if b == T + 1
        ));
        let mut field = vec![Program {
            code: vec![Instr::Move { dst: T + 5, src: 3 }],
            result: T + 5,
        }];
        propagate_copies(&mut field);
        assert!(field[0].code.is_empty());
        assert_eq!(field[0].result, 3);
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
        };
        let mut p = vec![call.clone(), branch.clone()];
        propagate_copies(&mut p);
        assert_eq!(p[0].code.len(), 2);
        assert_eq!(p[1].code.len(), 3);
    }
}
