//! The Go fixture (`tests/fixtures/go`: a module with two packages under `internal/`,
//! methods on pointer receivers, an interface, aliased imports, tests, and `helper`
//! defined twice) gives exactly these blocks and
//! edges.

mod common;
use common::{assert_graph, count_kind, expected, Project};

const EXPECTED: &str = r#"
blocks:
module bank (bank.go)
  struct bank.Account
  method bank.Account.Balance
  method bank.Account.Deposit
  method bank.Account.Withdraw
  constant bank.Limit
  struct bank.MemStore
  method bank.MemStore.Get
  method bank.MemStore.Open
  method bank.MemStore.Put
  function bank.NewAccount
  function bank.NewMemStore
  interface bank.Store
    method bank.Store.Get
    method bank.Store.Put
  test bank.TestMemStore
  test bank.TestTransfer
  function bank.Transfer
  function bank.audit
  function bank.helper
module bank (bank_test.go)
module bank (memstore.go)
module internal/ledger (internal/ledger/ledger.go)
  struct internal/ledger.Book
  method internal/ledger.Book.Record
  method internal/ledger.Book.Total
  struct internal/ledger.Entry
  function internal/ledger.NewBook
  function internal/ledger.helper
module internal/util (internal/util/util.go)
  function internal/util.Clamp
  function internal/util.Clean
  function internal/util.min0
edges:
calls bank -> ?errors.New
calls bank.Account.Deposit -> internal/ledger.Book.Record
calls bank.Account.Deposit -> internal/util.Clamp
calls bank.Account.Withdraw -> ?fmt.Errorf
calls bank.Account.Withdraw -> bank.Account.Balance
calls bank.Account.Withdraw -> internal/ledger.Book.Record
calls bank.MemStore.Open -> bank.MemStore.Put
calls bank.MemStore.Open -> bank.NewAccount
calls bank.NewAccount -> internal/ledger.NewBook
calls bank.NewAccount -> internal/util.Clean
calls bank.NewMemStore -> ?make
calls bank.TestMemStore -> ?m.Get
calls bank.TestMemStore -> ?t.Fatal
calls bank.TestMemStore -> bank.MemStore.Open
calls bank.TestMemStore -> bank.NewMemStore
calls bank.TestTransfer -> ?t.Errorf
calls bank.TestTransfer -> ?t.Fatal
calls bank.TestTransfer -> bank.Account.Balance
calls bank.TestTransfer -> bank.Account.Deposit
calls bank.TestTransfer -> bank.NewAccount
calls bank.TestTransfer -> bank.Transfer
calls bank.Transfer -> bank.Account.Deposit
calls bank.Transfer -> bank.Account.Withdraw
calls bank.Transfer -> bank.audit
calls bank.audit -> bank.helper
calls bank.helper -> bank.Account.Balance
calls internal/ledger.Book.Record -> ?append
calls internal/ledger.Book.Record -> internal/util.Clean
calls internal/ledger.helper -> ?len
calls internal/ledger.helper -> internal/ledger.NewBook
calls internal/util.Clamp -> internal/util.min0
calls internal/util.Clean -> ?strings.ToLower
calls internal/util.Clean -> ?strings.TrimSpace
imports bank -> ?errors
imports bank -> ?fmt
imports bank -> ?testing
imports bank -> internal/ledger
imports bank -> internal/util
imports internal/ledger -> internal/util
imports internal/util -> ?strings
"#;

#[test]
fn go_fixture_gives_the_expected_graph() {
    let project = Project::fixture("go");
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
