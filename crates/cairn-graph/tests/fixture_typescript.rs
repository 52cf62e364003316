//! The TypeScript and JavaScript fixture (`tests/fixtures/typescript`: classes with
//! inheritance, an interface, a namespace, default, named and namespace imports, and
//! `helper` defined twice) gives exactly these blocks and
//! edges.

mod common;
use common::{assert_graph, count_kind, expected, Project};

const EXPECTED: &str = r#"
blocks:
module src (src/index.ts)
  function src.checkout
  function src.quick
module src/cart (src/cart.ts)
  class src/cart.Cart
    method src/cart.Cart.add
    method src/cart.Cart.changed
    method src/cart.Cart.price
    method src/cart.Cart.total
  class src/cart.DiscountCart
    method src/cart.DiscountCart.total
  function src/cart.notify
module src/logger (src/logger.js)
  class src/logger.Logger
    method src/logger.Logger.constructor
    method src/logger.Logger.info
    method src/logger.Logger.write
  function src/logger.format
  function src/logger.helper
module src/types (src/types.ts)
  enum src/types.Currency
  type_alias src/types.Money
  interface src/types.Priced
    method src/types.Priced.price
  module src/types.Rates (src/types.ts)
    function src/types.Rates.convert
    function src/types.Rates.rate
module src/util/format (src/util/format.ts)
  function src/util/format.formatPrice
  function src/util/format.helper
  function src/util/format.pad
module src/util/math (src/util/math.ts)
  function src/util/math.add
  function src/util/math.round
  function src/util/math.sum
module test/cart.test (test/cart.test.js)
  function test/cart.test.all
  function test/cart.test.testDiscount
  function test/cart.test.testTotal
edges:
calls src.checkout -> ?cart.total
calls src.checkout -> src/cart.Cart
calls src.checkout -> src/cart.Cart.add
calls src.checkout -> src/logger.Logger
calls src.checkout -> src/logger.Logger.info
calls src.checkout -> src/util/format.formatPrice
calls src.checkout -> src/util/format.helper
calls src.checkout -> src/util/math.sum
calls src.quick -> src.checkout
calls src/cart.Cart.add -> ?this.items.push
calls src/cart.Cart.add -> src/cart.Cart.changed
calls src/cart.Cart.add -> src/util/math.round
calls src/cart.Cart.changed -> src/cart.Cart.total
calls src/cart.Cart.changed -> src/cart.notify
calls src/cart.Cart.price -> src/cart.Cart.total
calls src/cart.Cart.total -> ?this.items.reduce
calls src/cart.DiscountCart.total -> ?super.total
calls src/cart.DiscountCart.total -> src/util/math.round
calls src/cart.notify -> ?console.log
calls src/logger.Logger.info -> src/logger.Logger.write
calls src/logger.Logger.write -> ?console.log
calls src/logger.Logger.write -> src/logger.format
calls src/logger.helper -> src/logger.Logger
calls src/logger.helper -> src/logger.Logger.info
calls src/types.Rates.rate -> src/types.Rates.convert
calls src/util/format.formatPrice -> ?round(n).toFixed
calls src/util/format.formatPrice -> src/util/math.round
calls src/util/format.helper -> src/util/format.pad
calls src/util/format.pad -> ?s.padStart
calls src/util/math.round -> ?Math.round
calls src/util/math.sum -> src/util/math.add
calls test/cart.test.all -> test/cart.test.testDiscount
calls test/cart.test.all -> test/cart.test.testTotal
calls test/cart.test.testDiscount -> ?d.total
calls test/cart.test.testDiscount -> src.checkout
calls test/cart.test.testDiscount -> src/cart.Cart.add
calls test/cart.test.testDiscount -> src/cart.DiscountCart
calls test/cart.test.testTotal -> ?c.total
calls test/cart.test.testTotal -> src/cart.Cart
calls test/cart.test.testTotal -> src/cart.Cart.add
extends src/cart.DiscountCart -> src/cart.Cart
implements src/cart.Cart -> src/types.Priced
imports src -> src/cart.Cart
imports src -> src/logger.Logger
imports src -> src/util/format.formatPrice
imports src -> src/util/format.helper
imports src -> src/util/math
imports src/cart -> src/types.Priced
imports src/cart -> src/util/math.round
imports src/util/format -> src/util/math.round
imports test/cart.test -> src.checkout
imports test/cart.test -> src/cart.Cart
imports test/cart.test -> src/cart.DiscountCart
"#;

#[test]
fn typescript_fixture_gives_the_expected_graph() {
    let project = Project::fixture("typescript");
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
