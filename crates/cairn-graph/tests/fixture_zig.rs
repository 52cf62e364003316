//! The Zig fixture (`tests/fixtures/zig`: files as structs, nested containers with
//! methods, `@import`s of files and std, `test` blocks, and `helper` defined twice) gives exactly these blocks and
//! edges.

mod common;
use common::{assert_graph, count_kind, expected, Project};

const EXPECTED: &str = r#"
blocks:
module build (build.zig)
  function build.build
module src/geo (src/geo.zig)
  enum src/geo.Kind
  constant src/geo.MAX
  struct src/geo.Point
    method src/geo.Point.distance
    method src/geo.Point.init
    method src/geo.Point.name
    method src/geo.Point.scale
  struct src/geo.Shape
    method src/geo.Shape.area
  function src/geo.abs
  function src/geo.helper
  function src/geo.isqrt
  function src/geo.origin
  test src/geo.scale
module src/main (src/main.zig)
  constant src/main.Point
  function src/main.helper
  function src/main.main
  test src/main.main point
  function src/main.report
module src/util/strings (src/util/strings.zig)
  struct src/util/strings.Buffer
    method src/util/strings.Buffer.push
    method src/util/strings.Buffer.reset
  function src/util/strings.clampLen
  function src/util/strings.trim
  function src/util/strings.upper
edges:
calls build.build -> ?b.addExecutable
calls build.build -> ?b.installArtifact
calls build.build -> ?b.path
calls src/geo.Point.distance -> src/geo.abs
calls src/geo.Point.distance -> src/geo.isqrt
calls src/geo.Point.name -> src/util/strings.upper
calls src/geo.Point.scale -> src/geo.Point.init
calls src/geo.helper -> src/geo.abs
calls src/geo.origin -> src/geo.Point.init
calls src/geo.scale -> ?std.testing.expectEqual
calls src/geo.scale -> src/geo.Point.init
calls src/geo.scale -> src/geo.Point.scale
calls src/main.main -> ?std.debug.print
calls src/main.main -> src/geo.Point.distance
calls src/main.main -> src/geo.Point.init
calls src/main.main -> src/geo.Point.name
calls src/main.main -> src/geo.Point.scale
calls src/main.main -> src/geo.Shape.area
calls src/main.main -> src/geo.origin
calls src/main.main -> src/main.report
calls src/main.main -> src/util/strings.Buffer.push
calls src/main.main -> src/util/strings.Buffer.reset
calls src/main.main -> src/util/strings.upper
calls src/main.main point -> ?std.testing.expect
calls src/main.main point -> src/geo.Point.distance
calls src/main.main point -> src/geo.Point.init
calls src/main.main point -> src/geo.origin
calls src/main.report -> ?std.log.info
calls src/main.report -> src/main.helper
calls src/util/strings.Buffer.push -> src/util/strings.clampLen
calls src/util/strings.trim -> ?std.mem.trim
calls src/util/strings.upper -> src/util/strings.trim
imports build -> ?std
imports src/geo -> ?std
imports src/geo -> src/util/strings
imports src/main -> ?std
imports src/main -> src/geo
imports src/main -> src/util/strings
imports src/util/strings -> ?std
"#;

#[test]
fn zig_fixture_gives_the_expected_graph() {
    let project = Project::fixture("zig");
    let summary = project.sync();
    assert!(summary.errors.is_empty(), "{:?}", summary.errors);
    assert!(
        summary.syntax_errors.is_empty(),
        "{:?}",
        summary.syntax_errors
    );
    let want = expected(EXPECTED);
    assert_graph(&project.snapshot(), &want);
    assert!(want.blocks.len() >= 30, "{} blocks", want.blocks.len());
    assert!(
        count_kind(&want, "calls ") >= 30,
        "{} calls",
        count_kind(&want, "calls ")
    );
}
