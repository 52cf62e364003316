//! The Rust fixture (`tests/fixtures/rust`: a crate with nested modules, impls, trait
//! methods, use trees and `helper` defined three times) gives exactly these blocks and
//! edges.

mod common;
use common::{assert_graph, count_kind, expected, Project};

const EXPECTED: &str = r#"
blocks:
module shapes (crates/shapes/src/lib.rs)
  trait shapes::Shape
    method shapes::Shape::area
    method shapes::Shape::name
  function shapes::demo
  module shapes::inner (crates/shapes/src/lib.rs)
    function shapes::inner::call_deep
    module shapes::inner::deep (crates/shapes/src/lib.rs)
      function shapes::inner::deep::helper
    function shapes::inner::helper
  module shapes::tests (crates/shapes/src/lib.rs)
    test shapes::tests::deep_helper
    test shapes::tests::demo_is_positive
  function shapes::total_area
module shapes (crates/shapes/src/main.rs)
  function shapes::main
  function shapes::report
module shapes::geometry (crates/shapes/src/geometry.rs)
  impl Shape for shapes::geometry::Circle
    method shapes::geometry::Circle::area
  impl Shape for shapes::geometry::Square
    method shapes::geometry::Square::area
  impl shapes::geometry::Circle
    method shapes::geometry::Circle::diameter
    method shapes::geometry::Circle::new
  impl shapes::geometry::Square
    method shapes::geometry::Square::new
  struct shapes::geometry::Circle
  struct shapes::geometry::Square
  constant shapes::geometry::UNIT
  function shapes::geometry::checked
module shapes::render (crates/shapes/src/render.rs)
  impl shapes::render::Canvas
    method shapes::render::Canvas::draw
    method shapes::render::Canvas::lines
    method shapes::render::Canvas::new
    method shapes::render::Canvas::record
  struct shapes::render::Canvas
  type_alias shapes::render::Lines
  enum shapes::render::Style
module shapes::util (crates/shapes/src/util.rs)
  constant shapes::util::MAX
  function shapes::util::clamp
  function shapes::util::describe
  function shapes::util::helper
  function shapes::util::round
edges:
calls shapes::Shape::name -> shapes::Shape::area
calls shapes::Shape::name -> shapes::util::describe
calls shapes::demo -> ?Box::new
calls shapes::demo -> shapes::geometry::Circle::new
calls shapes::demo -> shapes::geometry::Square::new
calls shapes::demo -> shapes::render::Canvas::draw
calls shapes::demo -> shapes::render::Canvas::new
calls shapes::demo -> shapes::total_area
calls shapes::demo -> shapes::util::clamp
calls shapes::geometry::Circle::area -> shapes::geometry::Circle::diameter
calls shapes::geometry::Circle::new -> shapes::geometry::checked
calls shapes::geometry::Square::area -> ?self.side.powi
calls shapes::geometry::Square::new -> shapes::geometry::checked
calls shapes::inner::call_deep -> shapes::inner::deep::helper
calls shapes::inner::deep::helper -> shapes::inner::helper
calls shapes::main -> shapes::demo
calls shapes::main -> shapes::inner::call_deep
calls shapes::main -> shapes::report
calls shapes::render::Canvas::draw -> shapes::Shape::area
calls shapes::render::Canvas::draw -> shapes::render::Canvas::record
calls shapes::render::Canvas::draw -> shapes::util::clamp
calls shapes::render::Canvas::lines -> ?self.log.len
calls shapes::render::Canvas::new -> ?Vec::new
calls shapes::render::Canvas::record -> ?self.log.push
calls shapes::tests::deep_helper -> shapes::inner::deep::helper
calls shapes::tests::demo_is_positive -> shapes::demo
calls shapes::total_area -> shapes::Shape::area
calls shapes::util::clamp -> ?x.max
calls shapes::util::clamp -> ?x.max(0.0).min
calls shapes::util::describe -> shapes::util::round
calls shapes::util::round -> ?(x * 100.0).round
implements impl Shape for shapes::geometry::Circle -> shapes::Shape
implements impl Shape for shapes::geometry::Square -> shapes::Shape
imports shapes -> shapes::demo
imports shapes -> shapes::geometry::Circle
imports shapes -> shapes::geometry::Square
imports shapes -> shapes::inner
imports shapes -> shapes::render::Canvas
imports shapes -> shapes::util
imports shapes::geometry -> ?std::f64::consts::PI
imports shapes::geometry -> shapes::Shape
imports shapes::render -> shapes::Shape
imports shapes::render -> shapes::util::clamp
imports shapes::tests -> shapes
references shapes::Shape::name -> ?String
references shapes::geometry::Circle::new -> shapes::geometry::Circle
references shapes::geometry::Square::new -> shapes::geometry::Square
references shapes::render::Canvas::new -> shapes::render::Canvas
references shapes::render::Lines -> ?Vec
references shapes::util::describe -> ?String
"#;

#[test]
fn rust_fixture_gives_the_expected_graph() {
    let project = Project::fixture("rust");
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
