//! Users' Rust functions registered in a FunctionRegistry and called from queries.

use cairn_query::error::EvalError;
use cairn_query::{
    AbsentArgs, Catalog, CompiledPlan, Compiler, FnContext, FnResult, FunctionDef,
    FunctionRegistry, Mode, OwnedValue, PartiQLVM, QueryError, Value,
};
use std::sync::Arc;

fn double_it<'a>(args: &[Value<'a>], _cx: &FnContext<'a>) -> FnResult<'a> {
    match args[0] {
        Value::Int(i) => i
            .checked_mul(2)
            .map(Value::Int)
            .ok_or_else(|| EvalError::data("double_it: overflow")),
        other => Err(EvalError::type_err(format!(
            "double_it expects an INT, got {}",
            other.type_tag().name()
        ))),
    }
}

/// Joins its string arguments with '-' into the arena (exercises `cx.arena`).
fn dash_join<'a>(args: &[Value<'a>], cx: &FnContext<'a>) -> FnResult<'a> {
    let mut out = bumpalo::collections::String::new_in(cx.arena);
    for (i, a) in args.iter().enumerate() {
        if i > 0 {
            out.push('-');
        }
        match a {
            Value::Str(s) => out.push_str(s),
            Value::Int(n) => out.push_str(&n.to_string()),
            other => {
                return Err(EvalError::type_err(format!(
                    "dash_join: {}",
                    other.type_tag().name()
                )))
            }
        }
    }
    Ok(Value::Str(out.into_bump_str()))
}

/// Sees NULL and MISSING itself.
fn describe_absent<'a>(args: &[Value<'a>], _cx: &FnContext<'a>) -> FnResult<'a> {
    Ok(Value::Str(match args[0] {
        Value::Missing => "missing",
        Value::Null => "null",
        _ => "present",
    }))
}

fn registry() -> Arc<FunctionRegistry> {
    let mut r = FunctionRegistry::with_builtins();
    r.register(FunctionDef::new(
        "double_it",
        1..=1,
        AbsentArgs::Propagate,
        double_it,
    ));
    r.register(FunctionDef::new(
        "dash_join",
        1..=3,
        AbsentArgs::Propagate,
        dash_join,
    ));
    r.register(FunctionDef::new(
        "describe_absent",
        1..=1,
        AbsentArgs::PassThrough,
        describe_absent,
    ));
    Arc::new(r)
}

fn compile(catalog: &Catalog, mode: Mode, q: &str) -> Result<Arc<CompiledPlan>, QueryError> {
    Compiler::new(catalog)
        .mode(mode)
        .functions(registry())
        .compile(q)
}

fn run(mode: Mode, q: &str) -> Result<OwnedValue, QueryError> {
    let catalog = Catalog::new();
    let plan = compile(&catalog, mode, q)?;
    let mut vm = PartiQLVM::new(plan);
    let result = vm.execute()?.materialize();
    result
}

fn bag(items: impl IntoIterator<Item = OwnedValue>) -> OwnedValue {
    OwnedValue::Bag(items.into_iter().collect())
}

fn ints(xs: &[i64]) -> Vec<OwnedValue> {
    xs.iter().map(|&i| OwnedValue::Int(i)).collect()
}

fn assert_bag_eq(got: &OwnedValue, want: &OwnedValue) {
    assert!(got.test_eq(want), "got {got:?}\nwant {want:?}");
}

#[test]
fn user_function_in_select_value() {
    let got = run(Mode::Strict, "SELECT VALUE double_it(x) FROM [1,2,3] AS x").unwrap();
    assert_bag_eq(&got, &bag(ints(&[2, 4, 6])));
    let OwnedValue::Bag(items) = &got else {
        panic!("expected a bag, got {got:?}")
    };
    let mut items = items.clone();
    items.sort_by_key(|v| match v {
        OwnedValue::Int(i) => *i,
        _ => i64::MAX,
    });
    assert_eq!(items, ints(&[2, 4, 6]));
}

#[test]
fn user_function_name_is_case_insensitive_and_nests() {
    let got = run(
        Mode::Strict,
        "SELECT VALUE DOUBLE_IT(Double_It(x)) + 1 FROM [1,2,3] AS x",
    )
    .unwrap();
    assert_bag_eq(&got, &bag(ints(&[5, 9, 13])));
}

#[test]
fn user_function_in_where_and_projection_over_a_global() {
    let mut catalog = Catalog::new();
    catalog.add_value(
        "t",
        bag((1..=5).map(|i| OwnedValue::tuple([("x", OwnedValue::Int(i))]))),
    );
    let plan = compile(
        &catalog,
        Mode::Strict,
        "SELECT t.x, double_it(t.x) AS d FROM t WHERE double_it(t.x) > 5",
    )
    .unwrap();
    let got = PartiQLVM::new(plan)
        .execute()
        .unwrap()
        .materialize()
        .unwrap();
    let want = bag((3..=5)
        .map(|i| OwnedValue::tuple([("x", OwnedValue::Int(i)), ("d", OwnedValue::Int(2 * i))])));
    assert_bag_eq(&got, &want);
}

#[test]
fn user_function_allocating_in_the_arena() {
    let got = run(
        Mode::Strict,
        "SELECT VALUE dash_join(x, 'a', double_it(x)) FROM [1, 2] AS x",
    )
    .unwrap();
    assert_bag_eq(
        &got,
        &bag(["1-a-2", "2-a-4"].map(|s| OwnedValue::Str(s.into()))),
    );
    let got = run(Mode::Strict, "SELECT VALUE dash_join('solo') FROM [1] AS x").unwrap();
    assert_bag_eq(&got, &bag([OwnedValue::Str("solo".into())]));
}

#[test]
fn absent_arguments_propagate_or_pass_through() {
    let got = run(
        Mode::Permissive,
        "SELECT VALUE double_it(x) FROM [NULL] AS x",
    )
    .unwrap();
    assert_eq!(got, bag([OwnedValue::Null]));
    let got = run(
        Mode::Permissive,
        "SELECT VALUE describe_absent(x) FROM [NULL, 1] AS x",
    )
    .unwrap();
    assert_bag_eq(
        &got,
        &bag(["null", "present"].map(|s| OwnedValue::Str(s.into()))),
    );
    let got = run(
        Mode::Permissive,
        "SELECT VALUE describe_absent(t.nope) FROM [{'a': 1}] AS t",
    )
    .unwrap();
    assert_bag_eq(&got, &bag([OwnedValue::Str("missing".into())]));
}

#[test]
fn user_function_type_error_is_missing_when_permissive_and_raised_when_strict() {
    let got = run(
        Mode::Permissive,
        "SELECT VALUE double_it(x) FROM ['a'] AS x",
    )
    .unwrap();
    assert_eq!(got, bag([OwnedValue::Missing]));
    let err = run(Mode::Strict, "SELECT VALUE double_it(x) FROM ['a'] AS x").unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("double_it expects an INT"),
        "strict mode raises the function's error, got: {msg}"
    );
}

#[test]
fn wrong_number_of_arguments_names_the_function() {
    for q in [
        "SELECT VALUE double_it(x, x) FROM [1,2,3] AS x",
        "SELECT VALUE double_it() FROM [1,2,3] AS x",
        "SELECT VALUE dash_join(x, x, x, x) FROM [1] AS x",
    ] {
        let catalog = Catalog::new();
        let err = match compile(&catalog, Mode::Strict, q) {
            Err(e) => e,
            Ok(plan) => match PartiQLVM::new(plan).execute().and_then(|s| s.materialize()) {
                Err(e) => e,
                Ok(v) => panic!("{q}: expected an arity error, got {v:?}"),
            },
        };
        let name = if q.contains("dash_join") {
            "dash_join"
        } else {
            "double_it"
        };
        match &err {
            QueryError::Arity { name: n, .. } => assert_eq!(n, name, "{q}"),
            QueryError::Planning { message, .. } => {
                assert!(message.contains(name), "{q}: {message}")
            }
            other => panic!("{q}: expected Arity or Planning, got {other:?}"),
        }
        assert!(err.to_string().contains(name), "{q}: {err}");
    }
}

#[test]
fn unregistered_function_is_an_error_and_builtins_remain() {
    let catalog = Catalog::new();
    let err = compile(
        &catalog,
        Mode::Strict,
        "SELECT VALUE triple_it(x) FROM [1] AS x",
    )
    .expect_err("unknown function");
    assert!(err.to_string().contains("triple_it"), "{err}");
    // Without the user registry, double_it is unknown.
    let err = Compiler::new(&catalog)
        .compile("SELECT VALUE double_it(x) FROM [1] AS x")
        .expect_err("double_it only in the user registry");
    assert!(err.to_string().contains("double_it"), "{err}");
    // Built-ins are still there alongside the user's.
    let got = run(
        Mode::Strict,
        "SELECT VALUE UPPER('a') || CAST(double_it(2) AS STRING) FROM [1] AS x",
    )
    .unwrap();
    assert_eq!(got, bag([OwnedValue::Str("A4".into())]));
}

fn replaced<'a>(_args: &[Value<'a>], _cx: &FnContext<'a>) -> FnResult<'a> {
    Ok(Value::Str("replaced"))
}

#[test]
fn replacing_a_builtin() {
    let mut r = FunctionRegistry::with_builtins();
    r.register(FunctionDef::new(
        "upper",
        1..=1,
        AbsentArgs::Propagate,
        replaced,
    ));
    let catalog = Catalog::new();
    let plan = Compiler::new(&catalog)
        .functions(Arc::new(r))
        .compile("SELECT VALUE UPPER(x) FROM ['a'] AS x")
        .unwrap();
    let got = PartiQLVM::new(plan)
        .execute()
        .unwrap()
        .materialize()
        .unwrap();
    assert_eq!(got, bag([OwnedValue::Str("replaced".into())]));
}
