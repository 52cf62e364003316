//! Scalar expressions → register bytecode.

use super::ops::{PlanBuilder, Scope};
use crate::error::{QueryError, Result};
use crate::functions::{CastTarget, LikePattern};
use crate::plan::{BinaryOp, Instr, Mode, ProgId, Program, Reg, TypeTest, UnaryOp};
use crate::value::OwnedValue;
use partiql_logical as lg;
use partiql_value::BindingsName;

/// A name with its case sensitivity.
pub(crate) fn binding_name(b: &BindingsName<'_>) -> (String, bool) {
    match b {
        BindingsName::CaseSensitive(s) => (s.to_string(), true),
        BindingsName::CaseInsensitive(s) => (s.to_string(), false),
        #[allow(unreachable_patterns)]
        other => (format!("{other:?}"), true),
    }
}

/// The name `e` refers to, if `e` is a plain variable reference.
fn unbound_name(e: &lg::ValueExpr) -> Option<String> {
    match e {
        lg::ValueExpr::VarRef(n, _) => Some(binding_name(n).0),
        lg::ValueExpr::DynamicLookup(c) => c.iter().find_map(|c| match c {
            lg::ValueExpr::VarRef(n, _) => Some(binding_name(n).0),
            _ => None,
        }),
        _ => None,
    }
}

/// The name of a reference to a hidden SELECT item, if `e` is one.
fn hidden_name(e: &lg::ValueExpr) -> Option<&str> {
    let name = match e {
        lg::ValueExpr::VarRef(n, _) => n,
        lg::ValueExpr::DynamicLookup(c) => c.iter().find_map(|c| match c {
            lg::ValueExpr::VarRef(n, _) => Some(n),
            _ => None,
        })?,
        _ => return None,
    };
    let s: &str = match name {
        BindingsName::CaseSensitive(s) | BindingsName::CaseInsensitive(s) => s,
        #[allow(unreachable_patterns)]
        _ => return None,
    };
    s.starts_with(super::rewrite::HIDDEN).then_some(s)
}

/// Converts a planner literal to a value.
pub(crate) fn literal(lit: &lg::Lit) -> Result<OwnedValue> {
    Ok(match lit {
        lg::Lit::Null => OwnedValue::Null,
        lg::Lit::Missing => OwnedValue::Missing,
        lg::Lit::Int8(i) => OwnedValue::Int(i64::from(*i)),
        lg::Lit::Int16(i) => OwnedValue::Int(i64::from(*i)),
        lg::Lit::Int32(i) => OwnedValue::Int(i64::from(*i)),
        lg::Lit::Int64(i) => OwnedValue::Int(*i),
        lg::Lit::Decimal(d) => OwnedValue::Decimal(*d),
        lg::Lit::Double(f) => OwnedValue::Float(f.into_inner()),
        lg::Lit::Bool(b) => OwnedValue::Bool(*b),
        lg::Lit::String(s) => OwnedValue::Str(s.clone()),
        lg::Lit::Variant(bytes, _kind) => {
            let text = String::from_utf8_lossy(bytes);
            super::ion::parse_ion(&text).map_err(|e| QueryError::Planning {
                message: format!("bad Ion literal `{text}`: {e}"),
                location: None,
            })?
        }
        lg::Lit::Struct(fields) => OwnedValue::Tuple(
            fields
                .iter()
                .map(|(k, v)| Ok((k.clone(), literal(v)?)))
                .collect::<Result<_>>()?,
        ),
        lg::Lit::Bag(items) => OwnedValue::Bag(items.iter().map(literal).collect::<Result<_>>()?),
        lg::Lit::List(items) => OwnedValue::List(items.iter().map(literal).collect::<Result<_>>()?),
        #[allow(unreachable_patterns)]
        other => return Err(QueryError::Unsupported(format!("literal {other:?}"))),
    })
}

/// The registry name of a planner built-in call.
fn call_name(name: &lg::CallName) -> Result<String> {
    use lg::CallName as C;
    let distinct = |q: &lg::SetQuantifier| matches!(q, lg::SetQuantifier::Distinct);
    let coll = |base: &str, q: &lg::SetQuantifier| {
        if distinct(q) {
            format!("{base}_distinct")
        } else {
            base.to_string()
        }
    };
    Ok(match name {
        C::Lower => "lower".into(),
        C::Upper => "upper".into(),
        C::CharLength => "char_length".into(),
        C::OctetLength => "octet_length".into(),
        C::BitLength => "bit_length".into(),
        C::LTrim => "ltrim".into(),
        C::BTrim => "btrim".into(),
        C::RTrim => "rtrim".into(),
        C::Substring => "substring".into(),
        C::Position => "position".into(),
        C::Overlay => "overlay".into(),
        C::Exists => "exists".into(),
        C::Abs => "abs".into(),
        C::Mod => "mod".into(),
        C::Cardinality => "cardinality".into(),
        C::CollToScalar => "coll_to_scalar".into(),
        C::ExtractYear => "extract_year".into(),
        C::ExtractMonth => "extract_month".into(),
        C::ExtractDay => "extract_day".into(),
        C::ExtractHour => "extract_hour".into(),
        C::ExtractMinute => "extract_minute".into(),
        C::ExtractSecond => "extract_second".into(),
        C::ExtractTimezoneHour => "extract_timezone_hour".into(),
        C::ExtractTimezoneMinute => "extract_timezone_minute".into(),
        C::CollAvg(q) => coll("coll_avg", q),
        C::CollCount(q) => coll("coll_count", q),
        C::CollMax(q) => coll("coll_max", q),
        C::CollMin(q) => coll("coll_min", q),
        C::CollSum(q) => coll("coll_sum", q),
        C::CollAny(q) => coll("coll_any", q),
        C::CollEvery(q) => coll("coll_every", q),
        C::ByName(n) => n.to_lowercase(),
        C::ById(n, _, _) => n.to_lowercase(),
        #[allow(unreachable_patterns)]
        other => return Err(QueryError::Unsupported(format!("function {other:?}"))),
    })
}

impl PlanBuilder<'_> {
    /// Compiles `e` into a program of its own.
    pub(crate) fn program(&mut self, e: &lg::ValueExpr, scope: &Scope) -> Result<ProgId> {
        let mut code = Vec::new();
        let result = self.expr(e, scope, &mut code)?;
        self.programs.push(Program {
            code,
            result,
            typed: None,
        });
        Ok(ProgId(self.programs.len() as u32 - 1))
    }

    fn konst(&mut self, v: OwnedValue, code: &mut Vec<Instr>) -> Reg {
        let dst = self.temp();
        self.consts.push(v);
        code.push(Instr::Const {
            dst,
            k: self.consts.len() as u32 - 1,
        });
        dst
    }

    fn name_index(&mut self, name: &str) -> u32 {
        if let Some(i) = self.names.iter().position(|n| n == name) {
            return i as u32;
        }
        self.names.push(name.to_string());
        self.names.len() as u32 - 1
    }

    /// Compiles the expressions of `items` into consecutive registers.
    fn consecutive(
        &mut self,
        items: &[&lg::ValueExpr],
        scope: &Scope,
        code: &mut Vec<Instr>,
    ) -> Result<Reg> {
        let regs = items
            .iter()
            .map(|e| self.expr(e, scope, code))
            .collect::<Result<Vec<_>>>()?;
        let start = self.temps(items.len() as u32);
        for (i, r) in regs.into_iter().enumerate() {
            code.push(Instr::Move {
                dst: start + i as u32,
                src: r,
            });
        }
        Ok(start)
    }

    /// Resolves a variable reference: a slot, a global, or `None` when unbound.
    fn var_ref(
        &mut self,
        name: &BindingsName<'_>,
        kind: &lg::VarRefType,
        scope: &Scope,
        code: &mut Vec<Instr>,
    ) -> Result<Option<Reg>> {
        let (n, cs) = binding_name(name);
        if matches!(kind, lg::VarRefType::Local) {
            return Ok(scope.lookup(&n, cs));
        }
        match self.global(&n, cs)? {
            Some(g) => {
                let dst = self.temp();
                code.push(Instr::Global { dst, g });
                Ok(Some(dst))
            }
            // Not a global: a variable of an enclosing query (the planner cannot tell
            // inside a subquery).
            None => Ok(scope.lookup(&n, cs)),
        }
    }

    /// Whether `e` can be resolved (for dynamic lookups with several candidates).
    pub(crate) fn resolvable(&self, e: &lg::ValueExpr, scope: &Scope) -> bool {
        match e {
            lg::ValueExpr::VarRef(name, kind) => {
                let (n, cs) = binding_name(name);
                match kind {
                    lg::VarRefType::Local => scope.lookup(&n, cs).is_some(),
                    _ => self.catalog.lookup(&n, cs).is_some() || scope.lookup(&n, cs).is_some(),
                }
            }
            lg::ValueExpr::Path(base, _) => self.resolvable(base, scope),
            lg::ValueExpr::DynamicLookup(c) => c.iter().any(|e| self.resolvable(e, scope)),
            _ => true,
        }
    }

    pub(crate) fn expr(
        &mut self,
        e: &lg::ValueExpr,
        scope: &Scope,
        code: &mut Vec<Instr>,
    ) -> Result<Reg> {
        use lg::ValueExpr as E;
        Ok(match e {
            // A hidden aggregate of HAVING or ORDER BY (see `rewrite::query_aliases`).
            E::VarRef(..) | E::DynamicLookup(..)
                if hidden_name(e).is_some_and(|n| scope.lookup(n, true).is_some()) =>
            {
                let n = hidden_name(e).unwrap_or_default();
                scope.lookup(n, true).unwrap_or_default()
            }
            E::Lit(lit) => {
                let v = literal(lit)?;
                self.konst(v, code)
            }
            E::VarRef(name, kind) => match self.var_ref(name, kind, scope, code)? {
                Some(r) => r,
                None => {
                    let (n, _) = binding_name(name);
                    return Err(QueryError::Planning {
                        message: format!("unknown variable `{n}`"),
                        location: None,
                    });
                }
            },
            E::DynamicLookup(candidates) => {
                let mut live: Vec<&lg::ValueExpr> = candidates
                    .iter()
                    .filter(|c| self.resolvable(c, scope))
                    .collect();
                // A "global" that is really the same local variable as another candidate
                // is that candidate (one direct read, not a chain of tries).
                let local_names: Vec<(String, bool)> = live
                    .iter()
                    .filter_map(|c| match c {
                        E::VarRef(n, lg::VarRefType::Local) => Some(binding_name(n)),
                        _ => None,
                    })
                    .collect();
                if !local_names.is_empty() {
                    live.retain(|c| match c {
                        E::VarRef(n, kind) if !matches!(kind, lg::VarRefType::Local) => {
                            let (n, cs) = binding_name(n);
                            self.catalog.lookup(&n, cs).is_some()
                                || !local_names.iter().any(|(l, _)| l.eq_ignore_ascii_case(&n))
                        }
                        _ => true,
                    });
                }
                match live.as_slice() {
                    [] => {
                        let name = candidates
                            .iter()
                            .find_map(|c| match c {
                                E::VarRef(n, _) => Some(binding_name(n).0),
                                _ => None,
                            })
                            .unwrap_or_default();
                        return Err(QueryError::Planning {
                            message: format!("unknown variable `{name}`"),
                            location: None,
                        });
                    }
                    [one] => self.expr(one, scope, code)?,
                    many => {
                        // The first candidate that is not MISSING.
                        let dst = self.temp();
                        let mut jumps = Vec::new();
                        for (k, c) in many.iter().enumerate() {
                            let from = code.len();
                            let r = self.expr(c, scope, code)?;
                            if k + 1 < many.len() {
                                // Only the last candidate may fail for want of a field:
                                // the earlier ones are tried in turn.
                                for i in &mut code[from..] {
                                    if let Instr::Field { required, .. } = i {
                                        *required = false;
                                    }
                                }
                            }
                            code.push(Instr::Move { dst, src: r });
                            jumps.push(code.len());
                            code.push(Instr::JumpIfPresent { src: dst, to: 0 });
                        }
                        let end = code.len() as u32;
                        for j in jumps {
                            code[j] = Instr::JumpIfPresent { src: dst, to: end };
                        }
                        dst
                    }
                }
            }
            E::Path(base, steps) => {
                let mut cur = self.expr(base, scope, code)?;
                for step in steps {
                    let dst = self.temp();
                    match step {
                        lg::PathComponent::Key(name) => {
                            let (n, cs) = binding_name(name);
                            let name = self.name_index(&n);
                            code.push(Instr::Field {
                                dst,
                                src: cur,
                                name,
                                case_sensitive: cs,
                                required: self.mode == Mode::Strict,
                            });
                        }
                        lg::PathComponent::Index(i) => code.push(Instr::Index {
                            dst,
                            src: cur,
                            index: *i,
                        }),
                        lg::PathComponent::KeyExpr(k) | lg::PathComponent::IndexExpr(k) => {
                            let key = self.expr(k, scope, code)?;
                            code.push(Instr::DynIndex { dst, src: cur, key });
                        }
                        #[allow(unreachable_patterns)]
                        other => {
                            return Err(QueryError::Unsupported(format!("path step {other:?}")))
                        }
                    }
                    cur = dst;
                }
                cur
            }
            E::UnExpr(op, a) => {
                let a = self.expr(a, scope, code)?;
                let dst = self.temp();
                let op = match op {
                    lg::UnaryOp::Neg => UnaryOp::Neg,
                    lg::UnaryOp::Pos => UnaryOp::Pos,
                    lg::UnaryOp::Not => UnaryOp::Not,
                    #[allow(unreachable_patterns)]
                    other => return Err(QueryError::Unsupported(format!("operator {other:?}"))),
                };
                code.push(Instr::Unary { op, dst, a });
                dst
            }
            E::BinaryExpr(op, a, b) => {
                let a = self.expr(a, scope, code)?;
                let b = self.expr(b, scope, code)?;
                let dst = self.temp();
                use lg::BinaryOp as B;
                let op = match op {
                    B::And => {
                        code.push(Instr::And { dst, a, b });
                        return Ok(dst);
                    }
                    B::Or => {
                        code.push(Instr::Or { dst, a, b });
                        return Ok(dst);
                    }
                    B::Concat => BinaryOp::Concat,
                    B::Eq => BinaryOp::Eq,
                    B::Neq => BinaryOp::Neq,
                    B::Gt => BinaryOp::Gt,
                    B::Gteq => BinaryOp::Ge,
                    B::Lt => BinaryOp::Lt,
                    B::Lteq => BinaryOp::Le,
                    B::Add => BinaryOp::Add,
                    B::Sub => BinaryOp::Sub,
                    B::Mul => BinaryOp::Mul,
                    B::Div => BinaryOp::Div,
                    B::Mod => BinaryOp::Mod,
                    B::Exp => BinaryOp::Exp,
                    B::In => BinaryOp::In,
                    #[allow(unreachable_patterns)]
                    other => return Err(QueryError::Unsupported(format!("operator {other:?}"))),
                };
                code.push(Instr::Binary { op, dst, a, b });
                dst
            }
            E::TupleExpr(t) => {
                // A key written as a name that no variable or global holds (`{a: 1}`) is
                // that name.
                let keys: Vec<lg::ValueExpr> = t
                    .attrs
                    .iter()
                    .map(|k| match unbound_name(k) {
                        Some(n) if !self.resolvable(k, scope) => {
                            lg::ValueExpr::Lit(Box::new(lg::Lit::String(n)))
                        }
                        _ => k.clone(),
                    })
                    .collect();
                let mut items = Vec::with_capacity(t.attrs.len() * 2);
                for (k, v) in keys.iter().zip(&t.values) {
                    items.push(k);
                    items.push(v);
                }
                let start = self.consecutive(&items, scope, code)?;
                let dst = self.temp();
                code.push(Instr::MakeTuple {
                    dst,
                    start,
                    n: t.attrs.len() as u32,
                });
                dst
            }
            E::ListExpr(l) => {
                let items: Vec<&lg::ValueExpr> = l.elements.iter().collect();
                let start = self.consecutive(&items, scope, code)?;
                let dst = self.temp();
                code.push(Instr::MakeList {
                    dst,
                    start,
                    n: items.len() as u32,
                });
                dst
            }
            E::BagExpr(l) => {
                let items: Vec<&lg::ValueExpr> = l.elements.iter().collect();
                let start = self.consecutive(&items, scope, code)?;
                let dst = self.temp();
                code.push(Instr::MakeBag {
                    dst,
                    start,
                    n: items.len() as u32,
                });
                dst
            }
            E::BetweenExpr(b) => {
                let v = self.expr(&b.value, scope, code)?;
                let lo = self.expr(&b.from, scope, code)?;
                let hi = self.expr(&b.to, scope, code)?;
                let (x, y, dst) = (self.temp(), self.temp(), self.temp());
                code.push(Instr::Binary {
                    op: BinaryOp::Ge,
                    dst: x,
                    a: v,
                    b: lo,
                });
                code.push(Instr::Binary {
                    op: BinaryOp::Le,
                    dst: y,
                    a: v,
                    b: hi,
                });
                code.push(Instr::And { dst, a: x, b: y });
                dst
            }
            E::PatternMatchExpr(p) => {
                let value = self.expr(&p.value, scope, code)?;
                let dst = self.temp();
                match &p.pattern {
                    lg::Pattern::Like(m) => {
                        let escape = if m.escape.is_empty() {
                            None
                        } else {
                            let mut chars = m.escape.chars();
                            let c = chars.next();
                            if chars.next().is_some() {
                                return Err(QueryError::Planning {
                                    message: format!(
                                        "LIKE escape `{}` must be one character",
                                        m.escape
                                    ),
                                    location: None,
                                });
                            }
                            c
                        };
                        match LikePattern::compile(&m.pattern, escape) {
                            Ok(pat) => {
                                self.likes.push(pat);
                                code.push(Instr::Like {
                                    dst,
                                    value,
                                    pattern: self.likes.len() as u32 - 1,
                                });
                            }
                            Err(_) => {
                                // Invalid pattern: report at run time, per mode.
                                let pattern = self.konst(OwnedValue::Str(m.pattern.clone()), code);
                                let escape =
                                    Some(self.konst(OwnedValue::Str(m.escape.clone()), code));
                                code.push(Instr::LikeDyn {
                                    dst,
                                    value,
                                    pattern,
                                    escape,
                                });
                            }
                        }
                    }
                    lg::Pattern::LikeNonStringNonLiteral(m) => {
                        let pattern = self.expr(&m.pattern, scope, code)?;
                        let escape = Some(self.expr(&m.escape, scope, code)?);
                        code.push(Instr::LikeDyn {
                            dst,
                            value,
                            pattern,
                            escape,
                        });
                    }
                    #[allow(unreachable_patterns)]
                    other => return Err(QueryError::Unsupported(format!("pattern {other:?}"))),
                }
                dst
            }
            E::SubQueryExpr(sq) => {
                let q = self.query(&sq.plan, scope)?;
                self.subqueries.push(q);
                let dst = self.temp();
                code.push(Instr::SubQuery {
                    dst,
                    q: self.subqueries.len() as u32 - 1,
                });
                dst
            }
            E::SimpleCase(c) => {
                let subject = self.expr(&c.expr, scope, code)?;
                let arms: Vec<(&lg::ValueExpr, &lg::ValueExpr)> =
                    c.cases.iter().map(|(w, t)| (&**w, &**t)).collect();
                self.case(Some(subject), &arms, c.default.as_deref(), scope, code)?
            }
            E::SearchedCase(c) => {
                let arms: Vec<(&lg::ValueExpr, &lg::ValueExpr)> =
                    c.cases.iter().map(|(w, t)| (&**w, &**t)).collect();
                self.case(None, &arms, c.default.as_deref(), scope, code)?
            }
            E::IsTypeExpr(t) => {
                let src = self.expr(&t.expr, scope, code)?;
                let dst = self.temp();
                let ty = match &t.is_type {
                    lg::Type::NullType => TypeTest::Null,
                    lg::Type::MissingType => TypeTest::Missing,
                    other => TypeTest::Cast(cast_target(other)?),
                };
                code.push(Instr::IsType {
                    dst,
                    src,
                    ty,
                    not: t.not,
                });
                dst
            }
            E::NullIfExpr(n) => {
                let a = self.expr(&n.lhs, scope, code)?;
                let b = self.expr(&n.rhs, scope, code)?;
                let dst = self.temp();
                code.push(Instr::NullIf { dst, a, b });
                dst
            }
            E::CoalesceExpr(c) => {
                // The first argument that is neither NULL nor MISSING, else NULL.
                let dst = self.temp();
                let mut jumps = Vec::new();
                for e in &c.elements {
                    let r = self.expr(e, scope, code)?;
                    code.push(Instr::Move { dst, src: r });
                    jumps.push(code.len());
                    code.push(Instr::JumpIfNotAbsent { src: dst, to: 0 });
                }
                let null = self.konst(OwnedValue::Null, code);
                code.push(Instr::Move { dst, src: null });
                let end = code.len() as u32;
                for j in jumps {
                    code[j] = Instr::JumpIfNotAbsent { src: dst, to: end };
                }
                dst
            }
            E::Call(call) => {
                let name = call_name(&call.name)?;
                let Some(f) = self.functions.lookup(&name) else {
                    return Err(QueryError::UnknownFunction { name });
                };
                let def = self.functions.get(f);
                let n = call.arguments.len();
                if n < def.min_args || n > def.max_args {
                    return Err(QueryError::Arity {
                        name,
                        expected: if def.min_args == def.max_args {
                            def.min_args.to_string()
                        } else {
                            format!("{} to {}", def.min_args, def.max_args)
                        },
                        got: n,
                    });
                }
                let items: Vec<&lg::ValueExpr> = call.arguments.iter().collect();
                let args = self.consecutive(&items, scope, code)?;
                let dst = self.temp();
                code.push(Instr::Call {
                    dst,
                    f,
                    args,
                    n: n as u32,
                });
                dst
            }
            #[allow(unreachable_patterns)]
            other => {
                return Err(QueryError::Unsupported(format!(
                    "expression {}",
                    format!("{other:?}").chars().take(60).collect::<String>()
                )))
            }
        })
    }

    fn case(
        &mut self,
        subject: Option<Reg>,
        arms: &[(&lg::ValueExpr, &lg::ValueExpr)],
        default: Option<&lg::ValueExpr>,
        scope: &Scope,
        code: &mut Vec<Instr>,
    ) -> Result<Reg> {
        let dst = self.temp();
        let mut to_end = Vec::new();
        for (when, then) in arms {
            let w = self.expr(when, scope, code)?;
            let cond = match subject {
                Some(s) => {
                    let c = self.temp();
                    code.push(Instr::Binary {
                        op: BinaryOp::Eq,
                        dst: c,
                        a: s,
                        b: w,
                    });
                    c
                }
                None => w,
            };
            let skip = code.len();
            code.push(Instr::JumpUnlessTrue { cond, to: 0 });
            let t = self.expr(then, scope, code)?;
            code.push(Instr::Move { dst, src: t });
            to_end.push(code.len());
            code.push(Instr::Jump { to: 0 });
            let next = code.len() as u32;
            code[skip] = Instr::JumpUnlessTrue { cond, to: next };
        }
        let d = match default {
            Some(d) => self.expr(d, scope, code)?,
            None => self.konst(OwnedValue::Null, code),
        };
        code.push(Instr::Move { dst, src: d });
        let end = code.len() as u32;
        for j in to_end {
            code[j] = Instr::Jump { to: end };
        }
        Ok(dst)
    }
}

/// The cast target of a planner type.
pub(crate) fn cast_target(t: &lg::Type) -> Result<CastTarget> {
    use lg::Type as T;
    Ok(match t {
        T::NullType => CastTarget::Null,
        T::MissingType => CastTarget::Missing,
        T::BooleanType => CastTarget::Bool,
        T::Integer2Type => CastTarget::SmallInt,
        T::Integer4Type => CastTarget::Int4,
        T::Integer8Type => CastTarget::Int8,
        T::DecimalType | T::NumericType => CastTarget::Decimal {
            precision: None,
            scale: None,
        },
        T::RealType => CastTarget::Real,
        T::DoublePrecisionType => CastTarget::Double,
        T::TimestampType => CastTarget::Timestamp,
        T::ZonedTimestampType => CastTarget::TimestampWithTz,
        T::CharacterType => CastTarget::Char,
        T::CharacterVaryingType => CastTarget::Varchar,
        T::StringType => CastTarget::String,
        T::SymbolType => CastTarget::Symbol,
        T::BlobType => CastTarget::Blob,
        T::ClobType => CastTarget::Clob,
        T::DateType => CastTarget::Date,
        T::TimeType => CastTarget::Time,
        T::StructType => CastTarget::Struct,
        T::TupleType => CastTarget::Tuple,
        T::ListType => CastTarget::List,
        T::SexpType => CastTarget::Sexp,
        T::BagType => CastTarget::Bag,
        T::AnyType => CastTarget::Any,
        #[allow(unreachable_patterns)]
        other => return Err(QueryError::Unsupported(format!("type {other:?}"))),
    })
}
