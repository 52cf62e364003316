//! Runs a program's integer form (built by `compiler::typed`).

use crate::plan::{IntOpKind, IntProgram};
use crate::value::Value;

/// The locals' mask: `LOCALS` is a power of two, so `i & MASK` is always in bounds.
const MASK: usize = IntProgram::LOCALS - 1;
const _: () = assert!(IntProgram::LOCALS.is_power_of_two());

impl IntProgram {
    /// The program's value, or `None` when an input is not an integer or an operation
    /// has no integer answer (overflow, division by zero): the general program then
    /// decides, with its full semantics and errors.
    #[inline]
    pub(crate) fn run<'a>(&self, regs: &[Value<'a>]) -> Option<Value<'a>> {
        let mut l = [0i64; IntProgram::LOCALS];
        for op in &self.ops {
            let a = l[op.a as usize & MASK];
            let b = if op.b_imm {
                op.imm
            } else {
                l[op.b as usize & MASK]
            };
            l[op.dst as usize & MASK] = match op.kind {
                IntOpKind::Load => match regs.get(op.imm as usize)? {
                    Value::Int(x) => *x,
                    _ => return None,
                },
                IntOpKind::Const => op.imm,
                IntOpKind::Add => a.checked_add(b)?,
                IntOpKind::Sub => a.checked_sub(b)?,
                IntOpKind::Mul => a.checked_mul(b)?,
                IntOpKind::Div if b != 0 => a.checked_div(b)?,
                // As the general path: i64::MIN % -1 is 0, not an overflow.
                IntOpKind::Mod if b != 0 => a.checked_rem(b).unwrap_or(0),
                IntOpKind::Div | IntOpKind::Mod => return None,
                IntOpKind::Eq => (a == b) as i64,
                IntOpKind::Neq => (a != b) as i64,
                IntOpKind::Lt => (a < b) as i64,
                IntOpKind::Le => (a <= b) as i64,
                IntOpKind::Gt => (a > b) as i64,
                IntOpKind::Ge => (a >= b) as i64,
                IntOpKind::And => a & b,
                IntOpKind::Or => a | b,
                IntOpKind::Not => a ^ 1,
                IntOpKind::Neg => a.checked_neg()?,
                IntOpKind::Move => a,
            };
        }
        let r = l[self.result as usize & MASK];
        Some(if self.result_is_bool {
            Value::Bool(r != 0)
        } else {
            Value::Int(r)
        })
    }
}
