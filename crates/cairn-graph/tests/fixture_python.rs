//! The Python fixture (`tests/fixtures/python`: a package with classes, a nested class,
//! relative and aliased imports, a glob import and `helper` defined twice) gives exactly these blocks and
//! edges.

mod common;
use common::{assert_graph, count_kind, expected, Project};

const EXPECTED: &str = r#"
blocks:
module inventory (inventory/__init__.py)
  constant inventory.VERSION
  function inventory.make_store
module inventory.models (inventory/models.py)
  class inventory.models.Item
    method inventory.models.Item.__init__
    method inventory.models.Item.describe
    method inventory.models.Item.total
  constant inventory.models.MAX_COUNT
  class inventory.models.Stock
    method inventory.models.Stock.restock
  function inventory.models.format_item
module inventory.report (inventory/report.py)
  function inventory.report.flush
  function inventory.report.helper
  function inventory.report.line
module inventory.store (inventory/store.py)
  class inventory.store.Store
    class inventory.store.Store.Audit
      method inventory.store.Store.Audit.check
    method inventory.store.Store.__init__
    method inventory.store.Store._log
    method inventory.store.Store.add
    method inventory.store.Store.dump
    method inventory.store.Store.find
  function inventory.store.helper
module inventory.util (inventory/util.py)
  function inventory.util.clamp
  function inventory.util.slug
module tests.test_store (tests/test_store.py)
  class tests.test_store.TestStock
    test tests.test_store.TestStock.test_restock
  test tests.test_store.test_helper
  test tests.test_store.test_make_store
edges:
calls inventory.make_store -> inventory.models.Item
calls inventory.make_store -> inventory.store.Store
calls inventory.make_store -> inventory.store.Store.add
calls inventory.models.Item.__init__ -> inventory.util.clamp
calls inventory.models.Item.__init__ -> inventory.util.slug
calls inventory.models.Item.describe -> inventory.models.format_item
calls inventory.models.Stock.restock -> inventory.models.Item.total
calls inventory.models.Stock.restock -> inventory.util.clamp
calls inventory.report.flush -> ?sys.stdout.flush
calls inventory.report.line -> ?sys.stdout.write
calls inventory.report.line -> inventory.report.flush
calls inventory.store.Store.Audit.check -> ?len
calls inventory.store.Store.Audit.check -> inventory.store.helper
calls inventory.store.Store._log -> inventory.models.format_item
calls inventory.store.Store._log -> inventory.report.line
calls inventory.store.Store.add -> ?self.items.append
calls inventory.store.Store.add -> inventory.store.Store._log
calls inventory.store.Store.dump -> ?json.dumps
calls inventory.store.Store.dump -> inventory.models.Item.describe
calls inventory.store.Store.dump -> inventory.report.flush
calls inventory.store.Store.find -> inventory.util.slug
calls inventory.util.clamp -> ?max
calls inventory.util.clamp -> ?min
calls inventory.util.slug -> ?text.strip
calls inventory.util.slug -> ?text.strip().lower
calls tests.test_store.TestStock.test_restock -> inventory.models.Stock
calls tests.test_store.TestStock.test_restock -> inventory.models.Stock.restock
calls tests.test_store.test_helper -> inventory.store.helper
calls tests.test_store.test_make_store -> ?store.dump().startswith
calls tests.test_store.test_make_store -> inventory.make_store
calls tests.test_store.test_make_store -> inventory.store.Store.dump
calls tests.test_store.test_make_store -> inventory.store.Store.find
extends inventory.models.Stock -> inventory.models.Item
imports inventory -> inventory.models.Item
imports inventory -> inventory.models.Stock
imports inventory -> inventory.store.Store
imports inventory.models -> ?dataclasses.dataclass
imports inventory.models -> inventory.util.clamp
imports inventory.models -> inventory.util.slug
imports inventory.report -> ?sys
imports inventory.store -> ?json
imports inventory.store -> inventory.models.Item
imports inventory.store -> inventory.models.format_item
imports inventory.store -> inventory.report
imports inventory.store -> inventory.util
imports inventory.util -> inventory.models.MAX_COUNT
imports tests.test_store -> inventory.make_store
imports tests.test_store -> inventory.models
imports tests.test_store -> inventory.store.Store
imports tests.test_store -> inventory.store.helper
"#;

#[test]
fn python_fixture_gives_the_expected_graph() {
    let project = Project::fixture("python");
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
