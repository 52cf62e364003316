//! The compiled plan: data, not code. A [`CompiledPlan`] is immutable and `Send + Sync`;
//! many VMs on many threads execute one plan shared through `Arc`.
//!
//! Expressions compile to register bytecode ([`Program`]): each instruction reads and
//! writes registers of the VM's register file, where variable slots come first and
//! expression temporaries after. Operators ([`Op`]) form a tree; each produces rows by
//! filling its output slots.

use crate::functions::{FnId, FunctionRegistry};
use crate::reader::{ScanLayout, Source};
use crate::value::OwnedValue;
use std::sync::Arc;

/// A register index.
pub type Reg = u32;

/// Index of a program in [`CompiledPlan::programs`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProgId(pub u32);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Neg,
    Pos,
    Not,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Exp,
    Concat,
    Eq,
    Neq,
    Lt,
    Le,
    Gt,
    Ge,
    In,
}

/// One bytecode instruction.
#[derive(Clone, Debug)]
pub enum Instr {
    Const {
        dst: Reg,
        k: u32,
    },
    Move {
        dst: Reg,
        src: Reg,
    },
    /// A global variable (a catalog table or a value of the environment).
    Global {
        dst: Reg,
        g: u32,
    },
    Unary {
        op: UnaryOp,
        dst: Reg,
        a: Reg,
    },
    Binary {
        op: BinaryOp,
        dst: Reg,
        a: Reg,
        b: Reg,
    },
    /// `a op k` (or `k op a` when `const_first`) with constant `k` read in place: a
    /// binary operation whose operand is a literal, without loading it into a
    /// temporary on every row (see `compiler::copies`).
    BinaryConst {
        op: BinaryOp,
        dst: Reg,
        a: Reg,
        k: u32,
        const_first: bool,
    },
    And {
        dst: Reg,
        a: Reg,
        b: Reg,
    },
    Or {
        dst: Reg,
        a: Reg,
        b: Reg,
    },
    Field {
        dst: Reg,
        src: Reg,
        name: u32,
        case_sensitive: bool,
        /// In strict mode, a tuple without the field is an error (not MISSING).
        required: bool,
    },
    Index {
        dst: Reg,
        src: Reg,
        index: i64,
    },
    /// `src[key]`: an integer indexes a list, a string names a field.
    DynIndex {
        dst: Reg,
        src: Reg,
        key: Reg,
    },
    Call {
        dst: Reg,
        f: FnId,
        args: Reg,
        n: u32,
    },
    Like {
        dst: Reg,
        value: Reg,
        pattern: u32,
    },
    LikeDyn {
        dst: Reg,
        value: Reg,
        pattern: Reg,
        escape: Option<Reg>,
    },
    IsType {
        dst: Reg,
        src: Reg,
        ty: TypeTest,
        not: bool,
    },
    MakeList {
        dst: Reg,
        start: Reg,
        n: u32,
    },
    MakeBag {
        dst: Reg,
        start: Reg,
        n: u32,
    },
    /// Registers `start..start+2n` hold name, value pairs.
    MakeTuple {
        dst: Reg,
        start: Reg,
        n: u32,
    },
    SubQuery {
        dst: Reg,
        q: u32,
    },
    NullIf {
        dst: Reg,
        a: Reg,
        b: Reg,
    },
    Jump {
        to: u32,
    },
    /// Jumps unless `cond` holds `true`.
    JumpUnlessTrue {
        cond: Reg,
        to: u32,
    },
    /// Jumps when `src` is not MISSING.
    JumpIfPresent {
        src: Reg,
        to: u32,
    },
    /// Jumps when `src` is neither NULL nor MISSING.
    JumpIfNotAbsent {
        src: Reg,
        to: u32,
    },
}

/// `IS [NOT] <type>` tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TypeTest {
    Null,
    Missing,
    Cast(crate::functions::CastTarget),
}

impl Instr {
    /// Applies `f` to every register the instruction names, in place.
    pub fn map_regs(&mut self, mut f: impl FnMut(Reg) -> Reg) {
        let mut g = |r: &mut Reg| *r = f(*r);
        match self {
            Instr::Const { dst, .. } | Instr::Global { dst, .. } | Instr::SubQuery { dst, .. } => {
                g(dst)
            }
            Instr::Move { dst, src }
            | Instr::Unary { dst, a: src, .. }
            | Instr::BinaryConst { dst, a: src, .. }
            | Instr::Field { dst, src, .. }
            | Instr::Index { dst, src, .. }
            | Instr::IsType { dst, src, .. } => {
                g(dst);
                g(src)
            }
            Instr::Binary { dst, a, b, .. }
            | Instr::And { dst, a, b }
            | Instr::Or { dst, a, b }
            | Instr::NullIf { dst, a, b }
            | Instr::DynIndex {
                dst,
                src: a,
                key: b,
            } => {
                g(dst);
                g(a);
                g(b)
            }
            Instr::Call { dst, args, .. } => {
                g(dst);
                g(args)
            }
            Instr::Like { dst, value, .. } => {
                g(dst);
                g(value)
            }
            Instr::LikeDyn {
                dst,
                value,
                pattern,
                escape,
            } => {
                g(dst);
                g(value);
                g(pattern);
                if let Some(e) = escape {
                    g(e)
                }
            }
            Instr::MakeList { dst, start, .. }
            | Instr::MakeBag { dst, start, .. }
            | Instr::MakeTuple { dst, start, .. } => {
                g(dst);
                g(start)
            }
            Instr::Jump { .. } => {}
            Instr::JumpUnlessTrue { cond: r, .. }
            | Instr::JumpIfPresent { src: r, .. }
            | Instr::JumpIfNotAbsent { src: r, .. } => g(r),
        }
    }
}

/// A compiled scalar expression: instructions and the register holding the result.
#[derive(Clone, Debug)]
pub struct Program {
    pub code: Vec<Instr>,
    pub result: Reg,
    /// The same expression over integers and booleans only, tried first (see
    /// `compiler::typed`).
    pub typed: Option<Box<IntProgram>>,
}

/// A program's integer form: untagged `i64` operations on [`IntProgram::LOCALS`]
/// locals, in one stream: `Load`s copy the input registers (which must hold integers
/// when it runs), the other operations compute; booleans are 0 and 1.
#[derive(Clone, Debug)]
pub struct IntProgram {
    pub ops: Vec<IntOp>,
    /// The local holding the result, and whether it is a boolean.
    pub result: u8,
    pub result_is_bool: bool,
}

impl IntProgram {
    /// How many locals an integer form may use (a power of two: locals are indexed
    /// through a mask, so reading one needs no bounds check).
    pub const LOCALS: usize = 16;
}

/// One operation of an [`IntProgram`]: `dst = a kind b`, where `b` is the local `b`
/// or, when `b_imm`, the constant `imm`. `Load` reads register `imm`, `Const` is
/// `imm`, and the unary kinds read `a` only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IntOp {
    pub kind: IntOpKind,
    pub dst: u8,
    pub a: u8,
    pub b: u8,
    pub b_imm: bool,
    pub imm: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IntOpKind {
    Load,
    Const,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Eq,
    Neq,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
    Not,
    Neg,
    Move,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JoinKind {
    Inner,
    Left,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AggFunc {
    Count,
    CountStar,
    Sum,
    Avg,
    Min,
    Max,
    Any,
    Every,
}

#[derive(Clone, Debug)]
pub struct AggSpec {
    pub func: AggFunc,
    pub distinct: bool,
    pub arg: ProgId,
    pub out: Reg,
}

#[derive(Clone, Debug)]
pub struct SortKey {
    pub expr: ProgId,
    pub descending: bool,
    pub nulls_first: bool,
}

/// The LIMIT and OFFSET a sort is read with (see [`Op::OrderBy`]).
#[derive(Clone, Copy, Debug)]
pub struct TopK {
    pub limit: ProgId,
    pub offset: Option<ProgId>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetOp {
    Union,
    Intersect,
    Except,
}

/// A relational operator. Each fills its output slots for every row it produces.
#[derive(Clone, Debug)]
pub enum Op {
    /// Iterates the value of an expression: `FROM expr AS v AT i`.
    Scan {
        expr: ProgId,
        as_slot: Reg,
        at_slot: Option<Reg>,
    },
    /// Reads a catalog table through its reader, decoding only `layout`'s fields.
    ScanSource {
        source: u32,
        layout: ScanLayout,
        /// Key filters whose values depend on the rows to the scan's left in a join
        /// (`e.target = b.id`), computed each time the scan opens: an index
        /// nested-loop join.
        keys: Vec<DynamicKey>,
    },
    /// `FROM UNPIVOT expr AS v AT k`.
    Unpivot {
        expr: ProgId,
        as_slot: Reg,
        at_slot: Option<Reg>,
    },
    Filter {
        input: Box<Op>,
        pred: ProgId,
    },
    /// Nested-loop join; the right side may refer to the left side's slots (lateral).
    Join {
        kind: JoinKind,
        left: Box<Op>,
        right: Box<Op>,
        on: Option<ProgId>,
        right_slots: Vec<Reg>,
        /// Slots of `right_slots` holding fields of a right row (after projection
        /// pushdown): a LEFT JOIN row without a match sets them to MISSING, not NULL,
        /// since the field of a NULL row is MISSING.
        missing_slots: Vec<Reg>,
    },
    /// Equi-join: builds a hash table over the right side once, probes with the left.
    HashJoin {
        kind: JoinKind,
        left: Box<Op>,
        right: Box<Op>,
        left_keys: Vec<ProgId>,
        right_keys: Vec<ProgId>,
        residual: Option<ProgId>,
        right_slots: Vec<Reg>,
        /// As for [`Op::Join`].
        missing_slots: Vec<Reg>,
    },
    GroupBy {
        input: Box<Op>,
        keys: Vec<(ProgId, Reg)>,
        aggs: Vec<AggSpec>,
        /// `GROUP AS g`: the slot of `g` and the input variables each group member holds.
        group_as: Option<(Reg, Vec<(String, Reg)>)>,
        /// Aggregation without GROUP BY: one row even over no input.
        implicit: bool,
    },
    OrderBy {
        input: Box<Op>,
        keys: Vec<SortKey>,
        carry: Vec<Reg>,
        /// Set when a LIMIT reads only the first rows of the sort: the operator then
        /// keeps `offset + limit` rows in a bounded buffer instead of all of them.
        top: Option<TopK>,
    },
    LimitOffset {
        input: Box<Op>,
        limit: Option<ProgId>,
        offset: Option<ProgId>,
    },
    Project {
        input: Box<Op>,
        fields: Vec<(String, ProgId)>,
        out: Reg,
    },
    /// `SELECT *`: merges the tuples bound to the input variables.
    ProjectAll {
        input: Box<Op>,
        vars: Vec<(String, Reg)>,
        out: Reg,
    },
    ProjectValue {
        input: Box<Op>,
        expr: ProgId,
        out: Reg,
    },
    Pivot {
        input: Box<Op>,
        key: ProgId,
        value: ProgId,
        out: Reg,
    },
    Distinct {
        input: Box<Op>,
        slot: Reg,
    },
    SetOp {
        op: SetOp,
        all: bool,
        outer: bool,
        left: Box<Query>,
        right: Box<Query>,
        out: Reg,
    },
    /// A query that is one expression (`1 + 1`, `[1, 2]`).
    ExprQuery {
        expr: ProgId,
        out: Reg,
    },
}

/// The shape of a query's result.
/// `field = value`, with the value computed by a program when the scan opens.
#[derive(Clone, Debug)]
pub struct DynamicKey {
    pub field: String,
    pub value: ProgId,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Shape {
    /// A bag (or list, if ordered) of tuples with these columns.
    Tuples(Vec<String>),
    /// A bag (or list) of values.
    Values,
    /// One value.
    Scalar,
}

/// A query: its operator tree, where the result lands, and the result's shape.
#[derive(Clone, Debug)]
pub struct Query {
    pub root: Op,
    pub out: Reg,
    pub shape: Shape,
    /// ORDER BY makes the result a LIST.
    pub ordered: bool,
}

/// Evaluation mode: what a type error does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Mode {
    /// Type errors become MISSING (`EvalModeCoerce`).
    #[default]
    Permissive,
    /// Type errors are raised (`EvalModeError`).
    Strict,
}

/// An immutable, compiled query, shared by `Arc` between VMs and threads.
#[derive(Debug)]
pub struct CompiledPlan {
    pub query: Query,
    pub programs: Vec<Program>,
    pub consts: Vec<OwnedValue>,
    pub names: Vec<String>,
    pub likes: Vec<crate::functions::LikePattern>,
    pub subqueries: Vec<Query>,
    /// Globals named by the query, resolved at compile time.
    pub globals: Vec<OwnedValue>,
    pub sources: Vec<Arc<dyn Source>>,
    pub functions: Arc<FunctionRegistry>,
    pub slot_count: usize,
    pub register_count: usize,
    pub mode: Mode,
    /// True when the plan is one fused Scan → Filter → Limit → Project pipeline over a
    /// source, whose rows can reuse the row arena.
    pub streaming: bool,
}

impl CompiledPlan {
    pub fn program(&self, id: ProgId) -> &Program {
        &self.programs[id.0 as usize]
    }
    pub fn shape(&self) -> &Shape {
        &self.query.shape
    }
}
