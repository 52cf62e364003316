//! Traversal over a small call graph with cycles: callers and callees by depth,
//! distances and paths, limits, kinds, shortest paths, unresolved targets.

mod common;
use cairn_graph::traverse::{self, Bounds, Direction};
use cairn_graph::{BlockId, EdgeKind, GraphStore};
use common::Project;

const GRAPH: &str = "\
def a():
    b()
    c()

def b():
    c()
    d()

def c():
    a()

def d():
    pass

def e():
    d()
    missing_function()
";

fn project() -> Project {
    let p = Project::new(&[("graph.py", GRAPH)]);
    p.sync();
    p
}

fn id(store: &GraphStore, name: &str) -> BlockId {
    let ids = store.blocks_qualified(&format!("graph.{name}")).unwrap();
    assert_eq!(ids.len(), 1, "{name}");
    ids[0]
}

fn name(store: &GraphStore, id: &BlockId) -> String {
    store
        .block(id)
        .unwrap()
        .map_or_else(|| "?".into(), |b| b.name)
}

/// (name, distance, path as names) of each hit.
fn described(store: &GraphStore, hits: &[traverse::Hit]) -> Vec<(String, u32, String)> {
    hits.iter()
        .map(|h| {
            let path: Vec<String> = h.path.iter().map(|p| name(store, p)).collect();
            (name(store, &h.block), h.distance, path.join(">"))
        })
        .collect()
}

fn bounds(depth: u32) -> Bounds {
    Bounds { depth, limit: 100 }
}

fn row(n: &str, d: u32, path: &str) -> (String, u32, String) {
    (n.to_string(), d, path.to_string())
}

#[test]
fn callers_by_depth_carry_distance_and_path() {
    let p = project();
    let s = &p.store;
    let d = id(s, "d");
    let mut one = described(s, &traverse::callers(s, d, &bounds(1)).unwrap());
    one.sort();
    assert_eq!(one, vec![row("b", 1, "d>b"), row("e", 1, "d>e")]);
    let mut three = described(s, &traverse::callers(s, d, &bounds(3)).unwrap());
    // Nearest first; within a distance, any order.
    assert!(three.windows(2).all(|w| w[0].1 <= w[1].1));
    three.sort_by(|x, y| (x.1, &x.0).cmp(&(y.1, &y.0)));
    assert_eq!(
        three,
        vec![
            row("b", 1, "d>b"),
            row("e", 1, "d>e"),
            row("a", 2, "d>b>a"),
            row("c", 3, "d>b>a>c"),
        ]
    );
}

#[test]
fn cycles_end_and_the_start_is_not_its_own_result() {
    let p = project();
    let s = &p.store;
    let a = id(s, "a");
    let hits = described(s, &traverse::callers(s, a, &bounds(50)).unwrap());
    assert_eq!(hits, vec![row("c", 1, "a>c"), row("b", 2, "a>c>b")]);
    let callees = described(s, &traverse::callees(s, a, &bounds(50)).unwrap());
    let names: Vec<&str> = callees.iter().map(|h| h.0.as_str()).collect();
    assert_eq!(names, vec!["b", "c", "d"]);
}

#[test]
fn limits_keep_the_nearest() {
    let p = project();
    let s = &p.store;
    let d = id(s, "d");
    let limited = traverse::callers(s, d, &Bounds { depth: 3, limit: 2 }).unwrap();
    assert_eq!(limited.len(), 2);
    assert!(limited.iter().all(|h| h.distance == 1));
}

#[test]
fn unresolved_targets_are_reported_not_expanded() {
    let p = project();
    let s = &p.store;
    let hits = traverse::callees(s, id(s, "e"), &bounds(3)).unwrap();
    let unresolved: Vec<_> = hits.iter().filter(|h| !h.resolved).collect();
    assert_eq!(unresolved.len(), 1);
    assert_eq!(unresolved[0].distance, 1);
    let resolved: Vec<String> = hits
        .iter()
        .filter(|h| h.resolved)
        .map(|h| name(s, &h.block))
        .collect();
    assert_eq!(resolved, vec!["d"]);
}

#[test]
fn neighbors_follow_only_the_kinds_asked() {
    let p = project();
    let s = &p.store;
    let module = s.blocks_qualified("graph").unwrap()[0];
    let contained = traverse::neighbors(
        s,
        module,
        Direction::Outgoing,
        &[EdgeKind::Contains],
        &bounds(1),
    )
    .unwrap();
    let mut names: Vec<String> = contained.iter().map(|h| name(s, &h.block)).collect();
    names.sort();
    assert_eq!(names, vec!["a", "b", "c", "d", "e"]);
    assert!(contained.iter().all(|h| h.kind == EdgeKind::Contains));
    let calls_from_module = traverse::neighbors(
        s,
        module,
        Direction::Outgoing,
        &[EdgeKind::Calls],
        &bounds(3),
    )
    .unwrap();
    assert!(calls_from_module.is_empty());
}

#[test]
fn shortest_paths() {
    let p = project();
    let s = &p.store;
    let names = |path: Option<Vec<BlockId>>| {
        path.map(|p| p.iter().map(|b| name(s, b)).collect::<Vec<_>>().join(">"))
    };
    let calls = [EdgeKind::Calls];
    assert_eq!(
        names(traverse::shortest_path(s, id(s, "a"), id(s, "d"), &calls, 10).unwrap()).as_deref(),
        Some("a>b>d")
    );
    assert_eq!(
        names(traverse::shortest_path(s, id(s, "c"), id(s, "d"), &calls, 10).unwrap()).as_deref(),
        Some("c>a>b>d")
    );
    assert_eq!(
        traverse::shortest_path(s, id(s, "c"), id(s, "d"), &calls, 2).unwrap(),
        None,
        "too far for the depth"
    );
    assert_eq!(
        traverse::shortest_path(s, id(s, "d"), id(s, "a"), &calls, 10).unwrap(),
        None
    );
    assert_eq!(
        names(traverse::shortest_path(s, id(s, "e"), id(s, "e"), &calls, 10).unwrap()).as_deref(),
        Some("e")
    );
}
