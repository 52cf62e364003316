//! Integer forms of programs: a program made only of integer arithmetic, comparisons
//! and boolean logic over registers and constants (`r.a % 100000 = 0`, `r.a - r.b + 1 <
//! r.c`) also gets an [`IntProgram`], a typed copy of it that the VM runs first.
//!
//! The types of a program's registers are not known when it is compiled (rows are
//! schemaless), but they are fixed once its inputs are: if every register it reads
//! holds an integer, each instruction's type follows from its operator. The integer
//! form checks that once per run, then runs untagged `i64` operations on a small local
//! array, each a single dispatch on its operator, instead of the general interpreter's
//! dispatch on the instruction, tag checks on both operands and a second dispatch on
//! the operator. Anything else (an input of another type, an overflow, a division by
//! zero) makes it give up, and the general program runs from the start instead, with
//! its full semantics and errors; the integer form has no effects to undo.
//!
//! A program gets an integer form only when that is exact: it is straight-line, every
//! instruction is one the form has (`Move`, `Const`/`BinaryConst` with an integer or
//! boolean constant, `Binary` with an arithmetic or comparison operator, `And`, `Or`,
//! `NOT`, unary minus), operand types match (integers for arithmetic and ordering,
//! booleans for logic), and the registers it writes other than its result are
//! temporaries no other program reads.

use super::copies::written;
use crate::plan::{BinaryOp, Instr, IntOp, IntOpKind, IntProgram, Program, Reg, UnaryOp};
use crate::value::OwnedValue;
use std::collections::HashMap;

/// Adds an integer form to every program that has one. `temps_from` is the first
/// temporary register (registers below it are row slots and other shared state).
pub(crate) fn add_int_forms(programs: &mut [Program], temps_from: Reg, consts: &[OwnedValue]) {
    // Registers mentioned by more than one program are shared state.
    let mut owners: HashMap<Reg, usize> = HashMap::new();
    let mut shared: Vec<Reg> = Vec::new();
    for (p, program) in programs.iter().enumerate() {
        for i in &program.code {
            i.clone().map_regs(|r| {
                if *owners.entry(r).or_insert(p) != p {
                    shared.push(r);
                }
                r
            });
        }
    }
    for program in programs.iter_mut() {
        let private_writes = program
            .code
            .iter()
            .filter_map(written)
            .all(|r| r == program.result || (r >= temps_from && !shared.contains(&r)));
        if private_writes {
            program.typed = int_form(program, consts).map(Box::new);
        }
    }
}

/// The static type of a value.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ty {
    Int,
    Bool,
}

/// An operand: a local, or a constant read in place.
#[derive(Clone, Copy)]
enum Operand {
    Local(u8),
    Imm(i64),
}

struct Builder<'c> {
    consts: &'c [OwnedValue],
    /// Where each register's current value is (a local), and its type.
    locals: HashMap<Reg, (u8, Ty)>,
    ops: Vec<IntOp>,
    next_local: usize,
}

impl Builder<'_> {
    fn new_local(&mut self) -> Option<u8> {
        let n = self.next_local;
        if n >= IntProgram::LOCALS {
            return None;
        }
        self.next_local += 1;
        Some(n as u8)
    }

    /// Register `r`'s value: the local the program put it in, or (read before the
    /// program writes it) an input, loaded once and checked to be an integer.
    fn read(&mut self, r: Reg) -> Option<(Operand, Ty)> {
        if let Some(&(l, ty)) = self.locals.get(&r) {
            return Some((Operand::Local(l), ty));
        }
        let l = self.new_local()?;
        self.push(IntOpKind::Load, l, 0, Operand::Imm(i64::from(r)));
        self.locals.insert(r, (l, Ty::Int));
        Some((Operand::Local(l), Ty::Int))
    }

    fn constant(&self, k: u32) -> Option<(Operand, Ty)> {
        match self.consts.get(k as usize)? {
            OwnedValue::Int(i) => Some((Operand::Imm(*i), Ty::Int)),
            OwnedValue::Bool(b) => Some((Operand::Imm(*b as i64), Ty::Bool)),
            _ => None,
        }
    }

    /// `a` as a local (a constant is put in one).
    fn local(&mut self, a: Operand) -> Option<u8> {
        match a {
            Operand::Local(l) => Some(l),
            Operand::Imm(_) => {
                let l = self.new_local()?;
                self.push(IntOpKind::Const, l, 0, a);
                Some(l)
            }
        }
    }

    fn push(&mut self, kind: IntOpKind, dst: u8, a: u8, b: Operand) {
        let (b, b_imm, imm) = match b {
            Operand::Local(l) => (l, false, 0),
            Operand::Imm(k) => (0, true, k),
        };
        self.ops.push(IntOp {
            kind,
            dst,
            a,
            b,
            b_imm,
            imm,
        });
    }

    /// `dst = a kind b` into a new local holding register `dst`.
    fn emit(&mut self, kind: IntOpKind, dst: Reg, a: Operand, b: Operand, ty: Ty) -> Option<()> {
        let a = self.local(a)?;
        let l = self.new_local()?;
        self.push(kind, l, a, b);
        self.locals.insert(dst, (l, ty));
        Some(())
    }

    fn binary(&mut self, op: BinaryOp, dst: Reg, a: (Operand, Ty), b: (Operand, Ty)) -> Option<()> {
        use IntOpKind as K;
        let (kind, operands, ty) = match op {
            BinaryOp::Add => (K::Add, Ty::Int, Ty::Int),
            BinaryOp::Sub => (K::Sub, Ty::Int, Ty::Int),
            BinaryOp::Mul => (K::Mul, Ty::Int, Ty::Int),
            BinaryOp::Div => (K::Div, Ty::Int, Ty::Int),
            BinaryOp::Mod => (K::Mod, Ty::Int, Ty::Int),
            BinaryOp::Lt => (K::Lt, Ty::Int, Ty::Bool),
            BinaryOp::Le => (K::Le, Ty::Int, Ty::Bool),
            BinaryOp::Gt => (K::Gt, Ty::Int, Ty::Bool),
            BinaryOp::Ge => (K::Ge, Ty::Int, Ty::Bool),
            // Equality of two integers or of two booleans.
            BinaryOp::Eq => (K::Eq, a.1, Ty::Bool),
            BinaryOp::Neq => (K::Neq, a.1, Ty::Bool),
            _ => return None,
        };
        if a.1 != operands || b.1 != operands {
            return None;
        }
        self.emit(kind, dst, a.0, b.0, ty)
    }
}

/// The integer form of `program`, if it has one.
fn int_form(program: &Program, consts: &[OwnedValue]) -> Option<IntProgram> {
    let mut b = Builder {
        consts,
        locals: HashMap::new(),
        ops: Vec::new(),
        next_local: 0,
    };
    for i in &program.code {
        match *i {
            Instr::Move { dst, src } => {
                let (x, ty) = b.read(src)?;
                b.emit(IntOpKind::Move, dst, x, x, ty)?;
            }
            Instr::Const { dst, k } => {
                let (c, ty) = b.constant(k)?;
                let l = b.local(c)?;
                b.locals.insert(dst, (l, ty));
            }
            Instr::Binary { op, dst, a, b: r } => {
                let (x, y) = (b.read(a)?, b.read(r)?);
                b.binary(op, dst, x, y)?;
            }
            Instr::BinaryConst {
                op,
                dst,
                a,
                k,
                const_first,
            } => {
                let x = b.read(a)?;
                let c = b.constant(k)?;
                let (x, y) = if const_first { (c, x) } else { (x, c) };
                b.binary(op, dst, x, y)?;
            }
            Instr::And { dst, a, b: r } | Instr::Or { dst, a, b: r } => {
                let (x, y) = (b.read(a)?, b.read(r)?);
                if x.1 != Ty::Bool || y.1 != Ty::Bool {
                    return None;
                }
                let kind = if matches!(i, Instr::And { .. }) {
                    IntOpKind::And
                } else {
                    IntOpKind::Or
                };
                b.emit(kind, dst, x.0, y.0, Ty::Bool)?;
            }
            Instr::Unary { op, dst, a } => {
                let (x, ty) = b.read(a)?;
                let kind = match (op, ty) {
                    (UnaryOp::Not, Ty::Bool) => IntOpKind::Not,
                    (UnaryOp::Neg, Ty::Int) => IntOpKind::Neg,
                    (UnaryOp::Pos, Ty::Int) => IntOpKind::Move,
                    _ => return None,
                };
                b.emit(kind, dst, x, x, ty)?;
            }
            _ => return None,
        }
    }
    // Only worth it (and only a different route) when there is work to do.
    if !b.ops.iter().any(|op| op.kind != IntOpKind::Load) {
        return None;
    }
    let &(result, ty) = b.locals.get(&program.result)?;
    Some(IntProgram {
        ops: b.ops,
        result,
        result_is_bool: ty == Ty::Bool,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prog(code: Vec<Instr>, result: Reg) -> Program {
        Program {
            code,
            result,
            typed: None,
        }
    }

    #[test]
    fn arithmetic_and_comparisons_get_an_int_form() {
        // (r0 % 7) = 0 AND r1 < r0
        let consts = vec![OwnedValue::Int(7), OwnedValue::Int(0)];
        let mut p = vec![prog(
            vec![
                Instr::BinaryConst {
                    op: BinaryOp::Mod,
                    dst: 10,
                    a: 0,
                    k: 0,
                    const_first: false,
                },
                Instr::BinaryConst {
                    op: BinaryOp::Eq,
                    dst: 11,
                    a: 10,
                    k: 1,
                    const_first: false,
                },
                Instr::Binary {
                    op: BinaryOp::Lt,
                    dst: 12,
                    a: 1,
                    b: 0,
                },
                Instr::And {
                    dst: 13,
                    a: 11,
                    b: 12,
                },
            ],
            13,
        )];
        add_int_forms(&mut p, 10, &consts);
        let t = p[0].typed.as_ref().expect("an integer form");
        let loads: Vec<i64> = t
            .ops
            .iter()
            .filter(|op| op.kind == IntOpKind::Load)
            .map(|op| op.imm)
            .collect();
        assert_eq!(loads, vec![0, 1], "each input loaded once");
        assert_eq!(t.ops.len(), 6);
        assert!(t.result_is_bool);
    }

    #[test]
    fn what_has_no_exact_int_form_gets_none() {
        let consts = vec![
            OwnedValue::Int(1),
            OwnedValue::Float(1.5),
            OwnedValue::Bool(true),
        ];
        let bin = |op, dst, a, b| Instr::Binary { op, dst, a, b };
        let cases = vec![
            // A float constant.
            vec![Instr::BinaryConst {
                op: BinaryOp::Add,
                dst: 10,
                a: 0,
                k: 1,
                const_first: false,
            }],
            // Arithmetic on a boolean.
            vec![
                Instr::Const { dst: 10, k: 2 },
                bin(BinaryOp::Add, 11, 10, 0),
            ],
            // AND of integers.
            vec![Instr::And {
                dst: 10,
                a: 0,
                b: 1,
            }],
            // An operator the form does not have.
            vec![bin(BinaryOp::Concat, 10, 0, 1)],
            // A field read.
            vec![Instr::Field {
                dst: 10,
                src: 0,
                name: 0,
                case_sensitive: true,
                required: false,
            }],
        ];
        for code in cases {
            let result = written(code.last().unwrap()).unwrap();
            let mut p = vec![prog(code.clone(), result)];
            add_int_forms(&mut p, 10, &consts);
            assert!(p[0].typed.is_none(), "{code:?}");
        }
        // A temporary another program reads is left to the general interpreter.
        let mut p = vec![
            prog(
                vec![bin(BinaryOp::Add, 10, 0, 1), bin(BinaryOp::Add, 11, 10, 1)],
                11,
            ),
            prog(vec![bin(BinaryOp::Mul, 12, 10, 10)], 12),
        ];
        add_int_forms(&mut p, 10, &consts);
        assert!(p[0].typed.is_none());
        assert!(p[1].typed.is_some(), "it only reads the shared temporary");
    }

    /// End to end: a filter of integer arithmetic gets an integer form (EXPLAIN says
    /// so), and rows whose fields are not integers, or overflow, still get the
    /// general semantics: floats compare by value, NULL and MISSING filter out, an
    /// overflow is the general path's error.
    #[test]
    fn filters_keep_their_semantics_through_the_integer_form() {
        use crate::vm::testing::run_rows;
        use crate::{Catalog, Compiler, MemorySource};
        use OwnedValue as O;
        let q = "SELECT VALUE r.a FROM data AS r WHERE r.a * 2 - r.b >= 0 AND NOT (r.a % 3 = 1)";
        let mut catalog = Catalog::new();
        catalog.add_source("data", std::sync::Arc::new(MemorySource::new(Vec::new())));
        let plan = Compiler::new(&catalog).compile(q).expect("compiles");
        let text = crate::explain::explain(&plan);
        assert!(text.contains("(1 with an integer form)"), "{text}");
        let row = |a: O, b: O| O::tuple([("a", a), ("b", b)]);
        let rows = vec![
            row(O::Int(3), O::Int(5)),     // 1 >= 0, 3 % 3 = 0: kept
            row(O::Int(4), O::Int(1)),     // 4 % 3 = 1: dropped
            row(O::Int(1), O::Int(5)),     // -3 < 0: dropped
            row(O::Float(3.0), O::Int(5)), // floats: general path, kept
            row(O::Null, O::Int(0)),       // NULL: dropped
            O::tuple([("a", O::Int(6))]),  // b MISSING: dropped
            row(O::Int(6), O::Int(-6)),    // kept
        ];
        let got = run_rows(rows, q);
        assert_eq!(got, vec![O::Int(3), O::Float(3.0), O::Int(6)]);
        let overflow = vec![row(O::Int(i64::MAX), O::Int(0))];
        let err = crate::vm::testing::try_rows(overflow, q).expect_err("overflows");
        assert!(err.to_string().contains("overflow"), "{err}");
    }
}
