//! The bytecode interpreter for scalar expressions.

use super::arith;
use super::ops::run_subquery;
use crate::error::EvalError;
use crate::functions::{cast_value, is_type, AbsentArgs, FnContext};
use crate::plan::{BinaryOp, CompiledPlan, Instr, Mode, Program, Reg, TypeTest, UnaryOp};
use crate::value::{lookup_field, partiql_eq, EqResult, Value};
use bumpalo::Bump;

/// What expressions read besides registers: the plan, the arena results go to, and the
/// constants and globals of this execution.
pub(crate) struct Ctx<'p, 'a> {
    pub plan: &'a CompiledPlan,
    pub arena: &'a Bump,
    pub consts: &'p [Value<'a>],
    pub globals: &'p [Value<'a>],
}

impl Ctx<'_, '_> {
    #[inline]
    pub fn strict(&self) -> bool {
        self.plan.mode == Mode::Strict
    }
}

/// Turns a recoverable error into MISSING in permissive mode.
#[inline]
fn recover<'a>(r: Result<Value<'a>, EvalError>, strict: bool) -> Result<Value<'a>, EvalError> {
    match r {
        Err(e) if !strict && e.is_recoverable() => Ok(Value::Missing),
        other => other,
    }
}

/// `x op y` on two integers when the answer is an integer or a boolean; `None` for
/// everything else (overflow, division by zero, operators that are not arithmetic or
/// comparison), which takes the general path and its errors. The common case of a
/// filter or a computed column, inlined so it costs a few instructions.
#[inline(always)]
fn int_binary<'a>(op: BinaryOp, x: i64, y: i64) -> Option<Value<'a>> {
    Some(match op {
        BinaryOp::Add => Value::Int(x.checked_add(y)?),
        BinaryOp::Sub => Value::Int(x.checked_sub(y)?),
        BinaryOp::Mul => Value::Int(x.checked_mul(y)?),
        BinaryOp::Div if y != 0 => Value::Int(x.checked_div(y)?),
        BinaryOp::Mod if y != 0 => Value::Int(x.checked_rem(y).unwrap_or(0)),
        BinaryOp::Eq => Value::Bool(x == y),
        BinaryOp::Neq => Value::Bool(x != y),
        BinaryOp::Lt => Value::Bool(x < y),
        BinaryOp::Le => Value::Bool(x <= y),
        BinaryOp::Gt => Value::Bool(x > y),
        BinaryOp::Ge => Value::Bool(x >= y),
        _ => return None,
    })
}

/// [`int_binary`] stored straight into `out`: each operator writes its own variant, so
/// a result costs a tag and a word rather than a copy of a whole value. `false` (and
/// `out` untouched) where [`int_binary`] gives `None`.
#[inline(always)]
fn int_binary_into(op: BinaryOp, x: i64, y: i64, out: &mut Value<'_>) -> bool {
    let int = |r: Option<i64>, out: &mut Value<'_>| match r {
        Some(r) => {
            *out = Value::Int(r);
            true
        }
        None => false,
    };
    match op {
        BinaryOp::Add => int(x.checked_add(y), out),
        BinaryOp::Sub => int(x.checked_sub(y), out),
        BinaryOp::Mul => int(x.checked_mul(y), out),
        BinaryOp::Div if y != 0 => int(x.checked_div(y), out),
        BinaryOp::Mod if y != 0 => int(Some(x.checked_rem(y).unwrap_or(0)), out),
        BinaryOp::Eq => {
            *out = Value::Bool(x == y);
            true
        }
        BinaryOp::Neq => {
            *out = Value::Bool(x != y);
            true
        }
        BinaryOp::Lt => {
            *out = Value::Bool(x < y);
            true
        }
        BinaryOp::Le => {
            *out = Value::Bool(x <= y);
            true
        }
        BinaryOp::Gt => {
            *out = Value::Bool(x > y);
            true
        }
        BinaryOp::Ge => {
            *out = Value::Bool(x >= y);
            true
        }
        _ => false,
    }
}

/// The integer fast path of `a op b`. Operands are taken by reference: the common
/// case reads two tags and two words instead of copying both whole values.
#[inline(always)]
fn int_operands<'a>(op: BinaryOp, a: &Value<'a>, b: &Value<'a>) -> Option<Value<'a>> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => int_binary(op, *x, *y),
        _ => None,
    }
}

/// `a op b` in general: every type, errors, and MISSING for them in permissive mode.
fn binary<'a>(
    op: BinaryOp,
    a: Value<'a>,
    b: Value<'a>,
    cx: &Ctx<'_, 'a>,
) -> Result<Value<'a>, EvalError> {
    let r = match op {
        BinaryOp::Add
        | BinaryOp::Sub
        | BinaryOp::Mul
        | BinaryOp::Div
        | BinaryOp::Mod
        | BinaryOp::Exp => arith::arith(op, a, b, cx.arena),
        BinaryOp::Concat => arith::concat(a, b, cx.arena),
        BinaryOp::In => arith::in_collection(a, b),
        _ => arith::relational(op, a, b),
    };
    recover(r, cx.strict())
}

/// Runs `prog` and returns its result: its integer form's, when it has one that
/// answers, else [`eval_untyped`]'s.
#[inline]
pub(crate) fn eval<'a>(
    prog: &Program,
    regs: &mut [Value<'a>],
    cx: &Ctx<'_, 'a>,
) -> Result<Value<'a>, EvalError> {
    // The integer form first, inlined into the caller: the general interpreter's
    // entry is not paid when it answers.
    if let Some(typed) = &prog.typed {
        if let Some(v) = typed.run(regs) {
            regs[prog.result as usize] = v;
            return Ok(v);
        }
    }
    eval_untyped(prog, regs, cx)
}

/// [`eval`] without the integer form.
///
/// The common instructions on integers run in a small loop of their own; the first
/// instruction it does not handle (another kind, another type, an overflow) hands over
/// to the general interpreter at that instruction. The general loop is large and keeps
/// much of its state on the stack, which made each integer operation cost several
/// times what it does here.
#[inline(never)]
fn eval_untyped<'a>(
    prog: &Program,
    regs: &mut [Value<'a>],
    cx: &Ctx<'_, 'a>,
) -> Result<Value<'a>, EvalError> {
    let code = &prog.code;
    let strict = cx.strict();
    let mut pc = 0usize;
    while let Some(instr) = code.get(pc) {
        let done = match *instr {
            Instr::Binary { op, dst, a, b } => match (&regs[a as usize], &regs[b as usize]) {
                (&Value::Int(x), &Value::Int(y)) => {
                    int_binary_into(op, x, y, &mut regs[dst as usize])
                }
                _ => false,
            },
            Instr::BinaryConst {
                op,
                dst,
                a,
                k,
                const_first,
            } => match (&regs[a as usize], &cx.consts[k as usize]) {
                (&Value::Int(x), &Value::Int(c)) => {
                    let (x, y) = if const_first { (c, x) } else { (x, c) };
                    int_binary_into(op, x, y, &mut regs[dst as usize])
                }
                _ => false,
            },
            Instr::Move { dst, src } => {
                regs[dst as usize] = regs[src as usize];
                true
            }
            Instr::Const { dst, k } => {
                regs[dst as usize] = cx.consts[k as usize];
                true
            }
            // A field of a tuple, where a missing field is MISSING (not an error).
            Instr::Field {
                dst,
                src,
                name,
                case_sensitive,
                required,
            } if !(required && strict) => match regs[src as usize] {
                Value::Tuple(fields) => {
                    let name = &cx.plan.names[name as usize];
                    regs[dst as usize] = lookup_field(fields, name, case_sensitive);
                    true
                }
                _ => false,
            },
            Instr::Like {
                dst,
                value,
                pattern,
            } => match regs[value as usize] {
                Value::Str(s) => {
                    regs[dst as usize] = Value::Bool(cx.plan.likes[pattern as usize].matches(s));
                    true
                }
                _ => false,
            },
            // A call whose arguments do not make it NULL or MISSING outright.
            Instr::Call { dst, f, args, n } => call_present(dst, f, args, n, regs, cx)?,
            Instr::And { dst, a, b } => match (&regs[a as usize], &regs[b as usize]) {
                (&Value::Bool(x), &Value::Bool(y)) => {
                    regs[dst as usize] = Value::Bool(x && y);
                    true
                }
                _ => false,
            },
            Instr::Or { dst, a, b } => match (&regs[a as usize], &regs[b as usize]) {
                (&Value::Bool(x), &Value::Bool(y)) => {
                    regs[dst as usize] = Value::Bool(x || y);
                    true
                }
                _ => false,
            },
            _ => false,
        };
        if !done {
            break;
        }
        pc += 1;
    }
    if pc == code.len() {
        return Ok(regs[prog.result as usize]);
    }
    eval_from(prog, pc, regs, cx)
}

/// A call of the fast loop: `false` (nothing done) when an argument is absent and the
/// function is NULL or MISSING for that, which the general interpreter decides. Kept
/// out of the loop, whose registers it would otherwise crowd.
#[inline(never)]
fn call_present<'a>(
    dst: Reg,
    f: crate::functions::FnId,
    args: Reg,
    n: u32,
    regs: &mut [Value<'a>],
    cx: &Ctx<'_, 'a>,
) -> Result<bool, EvalError> {
    let def = cx.plan.functions.get(f);
    let args = &regs[args as usize..(args + n) as usize];
    if def.absent == AbsentArgs::Propagate && args.iter().any(|a| a.is_absent()) {
        return Ok(false);
    }
    let strict = cx.strict();
    let fcx = FnContext {
        arena: cx.arena,
        strict,
    };
    let r = def.func.call(args, &fcx);
    regs[dst as usize] = recover(r, strict)?;
    Ok(true)
}

/// The general interpreter: runs `prog` from instruction `pc` on.
#[inline(never)]
fn eval_from<'a>(
    prog: &Program,
    mut pc: usize,
    regs: &mut [Value<'a>],
    cx: &Ctx<'_, 'a>,
) -> Result<Value<'a>, EvalError> {
    let code = &prog.code;
    let strict = cx.strict();
    while pc < code.len() {
        match &code[pc] {
            Instr::Const { dst, k } => regs[*dst as usize] = cx.consts[*k as usize],
            Instr::Move { dst, src } => regs[*dst as usize] = regs[*src as usize],
            Instr::Global { dst, g } => regs[*dst as usize] = cx.globals[*g as usize],
            Instr::Unary { op, dst, a } => {
                let a = regs[*a as usize];
                let r = match op {
                    UnaryOp::Neg => arith::negate(a, cx.arena),
                    UnaryOp::Pos => match a {
                        v if v.is_number() || v.is_absent() => Ok(v),
                        other => Err(EvalError::type_err(format!(
                            "unary + expects a number, got {}",
                            other.type_tag().name()
                        ))),
                    },
                    UnaryOp::Not => arith::not(a),
                };
                regs[*dst as usize] = recover(r, strict)?;
            }
            Instr::Binary { op, dst, a, b } => {
                let (a, b) = (&regs[*a as usize], &regs[*b as usize]);
                regs[*dst as usize] = match int_operands(*op, a, b) {
                    Some(v) => v,
                    None => binary(*op, *a, *b, cx)?,
                };
            }
            Instr::BinaryConst {
                op,
                dst,
                a,
                k,
                const_first,
            } => {
                let (x, c) = (&regs[*a as usize], &cx.consts[*k as usize]);
                let (a, b) = if *const_first { (c, x) } else { (x, c) };
                regs[*dst as usize] = match int_operands(*op, a, b) {
                    Some(v) => v,
                    None => binary(*op, *a, *b, cx)?,
                };
            }
            Instr::And { dst, a, b } => {
                let r = arith::and(regs[*a as usize], regs[*b as usize]);
                regs[*dst as usize] = recover(r, strict)?;
            }
            Instr::Or { dst, a, b } => {
                let r = arith::or(regs[*a as usize], regs[*b as usize]);
                regs[*dst as usize] = recover(r, strict)?;
            }
            Instr::Field {
                dst,
                src,
                name,
                case_sensitive,
                required,
            } => {
                let v = match regs[*src as usize] {
                    Value::Tuple(fields) => {
                        let name = &cx.plan.names[*name as usize];
                        match lookup_field(fields, name, *case_sensitive) {
                            Value::Missing if *required && strict => {
                                return Err(EvalError::type_err(format!(
                                    "the tuple has no field `{name}`"
                                )))
                            }
                            v if *required && strict => {
                                // Strict mode also refuses a name that several fields
                                // answer to.
                                let hits = fields
                                    .iter()
                                    .filter(|(k, _)| field_matches(k, name, *case_sensitive))
                                    .take(2)
                                    .count();
                                if hits > 1 {
                                    return Err(EvalError::type_err(format!(
                                        "the tuple has several fields `{name}`"
                                    )));
                                }
                                v
                            }
                            v => v,
                        }
                    }
                    Value::Missing => Value::Missing,
                    // A field of NULL (the right side of a LEFT JOIN without a match) is
                    // unknown, not absent.
                    Value::Null => Value::Null,
                    // One of several candidates for a name: not there.
                    _ if !*required => Value::Missing,
                    other => recover(
                        Err(EvalError::type_err(format!(
                            "cannot read field `{}` of {}",
                            cx.plan.names[*name as usize],
                            other.type_tag().name()
                        ))),
                        strict,
                    )?,
                };
                regs[*dst as usize] = v;
            }
            Instr::Index { dst, src, index } => {
                let v = index_value(regs[*src as usize], *index);
                regs[*dst as usize] = recover(v, strict)?;
            }
            Instr::DynIndex { dst, src, key } => {
                let base = regs[*src as usize];
                let v = match regs[*key as usize] {
                    Value::Int(i) => index_value(base, i),
                    Value::Str(s) => match base {
                        Value::Tuple(fields) => Ok(lookup_field(fields, s, true)),
                        _ => Ok(Value::Missing),
                    },
                    _ => Ok(Value::Missing),
                };
                regs[*dst as usize] = recover(v, strict)?;
            }
            Instr::Call { dst, f, args, n } => {
                let def = cx.plan.functions.get(*f);
                let args = &regs[*args as usize..(*args + *n) as usize];
                let r = if def.absent == AbsentArgs::Propagate && args.iter().any(|a| a.is_absent())
                {
                    if args.iter().any(|a| a.is_missing()) {
                        Ok(Value::Missing)
                    } else {
                        Ok(Value::Null)
                    }
                } else {
                    let fcx = FnContext {
                        arena: cx.arena,
                        strict,
                    };
                    def.func.call(args, &fcx)
                };
                regs[*dst as usize] = recover(r, strict)?;
            }
            Instr::Like {
                dst,
                value,
                pattern,
            } => {
                let r = match regs[*value as usize] {
                    Value::Str(s) => Ok(Value::Bool(cx.plan.likes[*pattern as usize].matches(s))),
                    v if v.is_missing() => Ok(Value::Missing),
                    v if v.is_null() => Ok(Value::Null),
                    other => Err(EvalError::type_err(format!(
                        "LIKE expects a string, got {}",
                        other.type_tag().name()
                    ))),
                };
                regs[*dst as usize] = recover(r, strict)?;
            }
            Instr::LikeDyn {
                dst,
                value,
                pattern,
                escape,
            } => {
                let v = regs[*value as usize];
                let p = regs[*pattern as usize];
                let e = escape.map(|e| regs[e as usize]).unwrap_or(Value::Str(""));
                let r = like_dynamic(v, p, e);
                regs[*dst as usize] = recover(r, strict)?;
            }
            Instr::IsType { dst, src, ty, not } => {
                let v = regs[*src as usize];
                let b = match ty {
                    TypeTest::Null => v.is_absent(),
                    TypeTest::Missing => v.is_missing(),
                    TypeTest::Cast(t) => is_type(&v, *t),
                };
                regs[*dst as usize] = Value::Bool(b != *not);
            }
            Instr::MakeList { dst, start, n } | Instr::MakeBag { dst, start, n } => {
                let items = &regs[*start as usize..(*start + *n) as usize];
                let slice = cx.arena.alloc_slice_copy(items);
                regs[*dst as usize] = if matches!(code[pc], Instr::MakeList { .. }) {
                    Value::List(slice)
                } else {
                    Value::Bag(slice)
                };
            }
            Instr::MakeTuple { dst, start, n } => {
                let pairs = &regs[*start as usize..(*start + 2 * *n) as usize];
                let mut fields = bumpalo::collections::Vec::with_capacity_in(*n as usize, cx.arena);
                let mut bad_key = None;
                for kv in pairs.chunks_exact(2) {
                    match (kv[0], kv[1]) {
                        (_, Value::Missing) => {}
                        (Value::Str(k), v) => fields.push((k, v)),
                        (k, _) => bad_key = Some(k),
                    }
                }
                regs[*dst as usize] = match bad_key {
                    Some(k) if strict => {
                        return Err(EvalError::type_err(format!(
                            "tuple attribute names must be strings, got {}",
                            k.type_tag().name()
                        )))
                    }
                    Some(_) => Value::Missing,
                    None => Value::Tuple(fields.into_bump_slice()),
                };
            }
            Instr::SubQuery { dst, q } => {
                let v = run_subquery(&cx.plan.subqueries[*q as usize], regs, cx)?;
                regs[*dst as usize] = v;
            }
            Instr::NullIf { dst, a, b } => {
                let (a, b) = (regs[*a as usize], regs[*b as usize]);
                regs[*dst as usize] = match partiql_eq(&a, &b) {
                    EqResult::True => Value::Null,
                    _ => a,
                };
            }
            Instr::Jump { to } => {
                pc = *to as usize;
                continue;
            }
            Instr::JumpUnlessTrue { cond, to } => {
                if !matches!(regs[*cond as usize], Value::Bool(true)) {
                    pc = *to as usize;
                    continue;
                }
            }
            Instr::JumpIfPresent { src, to } => {
                if !regs[*src as usize].is_missing() {
                    pc = *to as usize;
                    continue;
                }
            }
            Instr::JumpIfNotAbsent { src, to } => {
                if !regs[*src as usize].is_absent() {
                    pc = *to as usize;
                    continue;
                }
            }
        }
        pc += 1;
    }
    Ok(regs[prog.result as usize])
}

/// Whether a field named `k` answers to `name`, as [`lookup_field`] decides.
fn field_matches(k: &str, name: &str, case_sensitive: bool) -> bool {
    if case_sensitive {
        k == name
    } else {
        k.eq_ignore_ascii_case(name) || (!k.is_ascii() && k.to_lowercase() == name.to_lowercase())
    }
}

fn index_value(base: Value<'_>, index: i64) -> Result<Value<'_>, EvalError> {
    match base {
        // A bag has no positions.
        Value::List(items) => Ok(usize::try_from(index)
            .ok()
            .and_then(|i| items.get(i).copied())
            .unwrap_or(Value::Missing)),
        Value::Missing | Value::Null => Ok(Value::Missing),
        other => Err(EvalError::type_err(format!(
            "cannot index {} with [{index}]",
            other.type_tag().name()
        ))),
    }
}

fn like_dynamic<'a>(v: Value<'a>, p: Value<'a>, e: Value<'a>) -> Result<Value<'a>, EvalError> {
    if v.is_missing() || p.is_missing() || e.is_missing() {
        return Ok(Value::Missing);
    }
    if v.is_null() || p.is_null() || e.is_null() {
        return Ok(Value::Null);
    }
    match (v, p, e) {
        (Value::Str(v), Value::Str(p), Value::Str(e)) => {
            let mut chars = e.chars();
            let escape = chars.next();
            if chars.next().is_some() {
                return Err(EvalError::data(format!(
                    "LIKE escape `{e}` must be one character"
                )));
            }
            let pat = crate::functions::LikePattern::compile(p, escape)?;
            Ok(Value::Bool(pat.matches(v)))
        }
        _ => Err(EvalError::type_err("LIKE expects strings")),
    }
}

/// Evaluates a value as a WHERE/HAVING condition.
#[inline]
pub(crate) fn is_true(v: &Value<'_>) -> bool {
    matches!(v, Value::Bool(true))
}

/// Runs a cast, for callers outside the bytecode.
#[allow(dead_code)]
pub(crate) fn cast<'a>(
    v: Value<'a>,
    t: crate::functions::CastTarget,
    cx: &Ctx<'_, 'a>,
) -> Result<Value<'a>, EvalError> {
    cast_value(
        v,
        t,
        &FnContext {
            arena: cx.arena,
            strict: cx.strict(),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Catalog, Compiler};

    const OPS: [BinaryOp; 11] = [
        BinaryOp::Add,
        BinaryOp::Sub,
        BinaryOp::Mul,
        BinaryOp::Div,
        BinaryOp::Mod,
        BinaryOp::Eq,
        BinaryOp::Neq,
        BinaryOp::Lt,
        BinaryOp::Le,
        BinaryOp::Gt,
        BinaryOp::Ge,
    ];

    fn operands() -> Vec<Value<'static>> {
        let mut v: Vec<Value<'static>> = [0, 1, -1, 7, -7, 3, i64::MAX, i64::MIN]
            .into_iter()
            .map(Value::Int)
            .collect();
        v.extend([
            Value::Float(2.5),
            Value::Null,
            Value::Missing,
            Value::Str("x"),
            Value::Bool(true),
            Value::Bool(false),
        ]);
        v
    }

    /// Same outcome: equal values (by debug form, so types count), or both errors.
    fn same(a: &Result<Value<'_>, EvalError>, b: &Result<Value<'_>, EvalError>) -> bool {
        match (a, b) {
            (Ok(x), Ok(y)) => format!("{x:?}") == format!("{y:?}"),
            (Err(_), Err(_)) => true,
            _ => false,
        }
    }

    /// The integer loop of `eval`, and the integer forms it tries first, answer exactly
    /// as the general interpreter (`eval_from` at 0, which takes neither) for every
    /// operator and operand pair, overflow and zero divisors included, and for AND /
    /// OR, NOT and unary minus, in both modes.
    #[test]
    fn the_integer_loop_agrees_with_the_general_interpreter() {
        for mode in [Mode::Permissive, Mode::Strict] {
            let catalog = Catalog::new();
            let plan = Compiler::new(&catalog)
                .mode(mode)
                .compile("SELECT VALUE 1 FROM <<1>> AS r")
                .expect("compiles");
            let arena = Bump::new();
            for x in operands() {
                for y in operands() {
                    let consts = [y];
                    let cx = Ctx {
                        plan: &plan,
                        arena: &arena,
                        consts: &consts,
                        globals: &[],
                    };
                    for op in OPS {
                        let progs = [
                            Program {
                                code: vec![
                                    Instr::Move { dst: 2, src: 0 },
                                    Instr::Binary {
                                        op,
                                        dst: 3,
                                        a: 2,
                                        b: 1,
                                    },
                                ],
                                result: 3,
                                typed: None,
                            },
                            Program {
                                code: vec![Instr::BinaryConst {
                                    op,
                                    dst: 3,
                                    a: 0,
                                    k: 0,
                                    const_first: false,
                                }],
                                result: 3,
                                typed: None,
                            },
                            Program {
                                code: vec![
                                    Instr::BinaryConst {
                                        op,
                                        dst: 2,
                                        a: 0,
                                        k: 0,
                                        const_first: true,
                                    },
                                    Instr::Const { dst: 3, k: 0 },
                                    Instr::Binary {
                                        op: BinaryOp::Eq,
                                        dst: 3,
                                        a: 2,
                                        b: 3,
                                    },
                                ],
                                result: 3,
                                typed: None,
                            },
                        ];
                        let logic = [
                            Instr::And { dst: 3, a: 0, b: 1 },
                            Instr::Or { dst: 3, a: 0, b: 1 },
                        ]
                        .map(|i| Program {
                            code: vec![i],
                            result: 3,
                            typed: None,
                        });
                        let unary = [UnaryOp::Neg, UnaryOp::Not, UnaryOp::Pos].map(|op| Program {
                            code: vec![Instr::Unary { op, dst: 3, a: 0 }],
                            result: 3,
                            typed: None,
                        });
                        // The same programs with their integer forms, which `eval`
                        // tries first.
                        let mut typed: Vec<Program> =
                            progs.iter().chain(&logic).chain(&unary).cloned().collect();
                        for p in &mut typed {
                            crate::compiler::typed::add_int_forms(
                                std::slice::from_mut(p),
                                2,
                                &[y.to_owned_value()],
                            );
                        }
                        if matches!(y, Value::Int(_)) {
                            assert!(
                                typed[..2].iter().all(|p| p.typed.is_some()),
                                "{op:?} has integer forms"
                            );
                        }
                        for prog in progs.iter().chain(&logic).chain(&unary).chain(&typed) {
                            let mut r1 = [x, y, Value::Missing, Value::Missing];
                            let mut r2 = r1;
                            let fast = eval(prog, &mut r1, &cx);
                            let general = eval_from(prog, 0, &mut r2, &cx);
                            assert!(
                                same(&fast, &general),
                                "{mode:?} {op:?} {x:?} {y:?} {:?}: {fast:?} vs {general:?}",
                                prog.code
                            );
                        }
                    }
                }
            }
        }
    }
}
