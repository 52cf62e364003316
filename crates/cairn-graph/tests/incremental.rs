//! Incremental sync: after each kind of change, the graph an incremental sync leaves
//! is the graph a from-scratch ingest of the new tree builds, byte for byte, and no
//! caller is lost.

mod common;
use common::{assert_graph, Project};
use std::collections::BTreeSet;

/// Syncs `project` incrementally and compares it with a from-scratch ingest.
fn assert_same_as_ingested_from_scratch(project: &Project) {
    let summary = project.sync();
    assert!(summary.errors.is_empty(), "{:?}", summary.errors);
    let fresh = project.ingested_from_scratch();
    assert_graph(&project.snapshot(), &fresh.snapshot());
    let (a, b) = (project.raw(), fresh.raw());
    if a != b {
        let only_a: Vec<_> = a.iter().filter(|e| !b.contains(e)).map(|e| e.0).collect();
        let only_b: Vec<_> = b.iter().filter(|e| !a.contains(e)).map(|e| e.0).collect();
        panic!("stored entries differ: incremental only {only_a:?}, from scratch only {only_b:?}");
    }
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

const UTIL: &str = "crates/shapes/src/util.rs";
const GEOMETRY: &str = "crates/shapes/src/geometry.rs";
const RENDER: &str = "crates/shapes/src/render.rs";
const LIB: &str = "crates/shapes/src/lib.rs";

fn read(project: &Project, path: &str) -> String {
    std::fs::read_to_string(project.root.join(path)).unwrap()
}

#[test]
fn editing_a_function_body_keeps_its_callers() {
    let project = Project::fixture("rust");
    project.sync();
    let before = project.callers_of("shapes::util::clamp");
    assert_eq!(
        before,
        set(&["shapes::demo", "shapes::render::Canvas::draw"])
    );
    // A longer body: every definition below it moves down.
    let edited = read(&project, UTIL).replace(
        "    x.max(0.0).min(MAX)\n",
        "    if x < 0.0 {\n        return 0.0;\n    }\n    x.min(MAX)\n",
    );
    project.write(UTIL, &edited);
    let summary = project.sync();
    assert_eq!(summary.parsed, 1, "only the edited file is parsed again");
    assert_eq!(project.callers_of("shapes::util::clamp"), before);
    assert_eq!(
        project.callers_of("shapes::util::round"),
        set(&["shapes::util::describe"])
    );
    assert_same_as_ingested_from_scratch(&project);
}

#[test]
fn renaming_a_function_moves_its_callers() {
    let project = Project::fixture("rust");
    project.sync();
    assert_eq!(
        project.callers_of("shapes::util::describe"),
        set(&["shapes::Shape::name"])
    );
    // Rename the definition only: the caller in the unchanged lib.rs is left calling
    // a name that no longer exists.
    project.write(
        UTIL,
        &read(&project, UTIL).replace("fn describe(", "fn summary("),
    );
    project.sync();
    assert!(project.callers_of("shapes::util::describe").is_empty());
    assert!(project.callers_of("shapes::util::summary").is_empty());
    assert!(project
        .snapshot()
        .edges
        .contains("calls shapes::Shape::name -> ?describe"));
    assert_same_as_ingested_from_scratch(&project);

    // Then rename the call too: the caller comes back, to the new name.
    project.write(
        LIB,
        &read(&project, LIB).replace("describe(self", "summary(self"),
    );
    project.sync();
    assert_eq!(
        project.callers_of("shapes::util::summary"),
        set(&["shapes::Shape::name"])
    );
    assert_same_as_ingested_from_scratch(&project);
}

#[test]
fn deleting_a_file_removes_its_blocks_and_unresolves_its_callers() {
    let project = Project::fixture("rust");
    project.sync();
    assert!(project
        .callers_of("shapes::render::Canvas::draw")
        .contains("shapes::demo"));
    project.remove(RENDER);
    let summary = project.sync();
    assert_eq!(summary.removed, vec![RENDER.to_string()]);
    assert!(project
        .store
        .blocks_qualified("shapes::render::Canvas")
        .unwrap()
        .is_empty());
    let snapshot = project.snapshot();
    assert!(!snapshot.blocks.iter().any(|b| b.contains("render")));
    assert!(snapshot
        .edges
        .contains("calls shapes::demo -> ?surface.draw"));
    assert_same_as_ingested_from_scratch(&project);
}

#[test]
fn adding_a_file_adds_callers_to_unchanged_files() {
    let project = Project::fixture("rust");
    project.sync();
    assert_eq!(
        project.callers_of("shapes::demo"),
        set(&["shapes::main", "shapes::tests::demo_is_positive"])
    );
    project.write(
        "crates/shapes/src/extra.rs",
        "use crate::demo;\n\npub fn twice() -> f64 {\n    demo() + demo()\n}\n\npub fn round() -> u32 {\n    crate::util::helper()\n}\n",
    );
    let summary = project.sync();
    assert_eq!(summary.parsed, 1);
    assert_eq!(
        project.callers_of("shapes::demo"),
        set(&[
            "shapes::extra::twice",
            "shapes::main",
            "shapes::tests::demo_is_positive"
        ])
    );
    assert_eq!(
        project.callers_of("shapes::util::helper"),
        set(&["shapes::extra::round"])
    );
    // A second `round` in the package does not steal util.rs's own call.
    assert_eq!(
        project.callers_of("shapes::util::round"),
        set(&["shapes::util::describe"])
    );
    assert_same_as_ingested_from_scratch(&project);
}

#[test]
fn a_file_that_stops_parsing_keeps_what_it_can_and_recovers() {
    let project = Project::fixture("rust");
    project.sync();
    let original = read(&project, GEOMETRY);
    project.write(
        GEOMETRY,
        &original.replace("fn checked(x: f64) -> f64 {", "fn checked(x: f64 -> f64 {{"),
    );
    let summary = project.sync();
    assert_eq!(summary.syntax_errors, vec![GEOMETRY.to_string()]);
    assert!(!project
        .store
        .blocks_qualified("shapes::geometry::Circle")
        .unwrap()
        .is_empty());
    assert_same_as_ingested_from_scratch(&project);
    project.write(GEOMETRY, &original);
    let summary = project.sync();
    assert!(summary.syntax_errors.is_empty());
    let fresh = Project::fixture("rust");
    fresh.sync();
    assert_graph(&project.snapshot(), &fresh.snapshot());
}

#[test]
fn a_second_sync_of_an_unchanged_tree_changes_nothing() {
    let project = Project::fixture("rust");
    project.sync();
    let before = project.raw();
    let summary = project.sync();
    assert_eq!(summary.parsed, 0);
    assert_eq!(summary.unchanged, summary.files);
    assert_eq!(project.raw(), before);
}

#[test]
fn a_workspace_synced_by_another_extractor_version_is_extracted_again() {
    let project = Project::fixture("rust");
    project.sync();
    let before = project.raw();
    let mut ws = project.store.workspace(common::WORKSPACE).unwrap().unwrap();
    assert_eq!(
        ws.extractor_version,
        cairn_graph::extract::EXTRACTOR_VERSION
    );
    ws.extractor_version = 0; // as written by a Cairn without the field
    project.store.put_workspace(&ws).unwrap();
    let summary = project.sync();
    assert_eq!(summary.parsed, summary.files, "every file extracted again");
    assert_eq!(project.raw(), before, "same extractor, same graph");
    assert_eq!(project.sync().parsed, 0, "and then unchanged again");
}
