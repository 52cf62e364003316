//! Graph traversal: callers, callees, neighbours and shortest paths.
//!
//! Breadth-first over the edge indexes, so every result is found at its shortest
//! distance and carries the path that reached it. Visited blocks are never expanded
//! twice (cycle-safe); depth and result count are bounded by the caller.

use crate::error::Result;
use crate::id::BlockId;
use crate::model::EdgeKind;
use crate::store::GraphStore;
use std::collections::{HashMap, VecDeque};

/// Which way edges are followed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Against the edges: who calls / imports / contains the start.
    Incoming,
    /// Along the edges: what the start calls / imports / contains.
    Outgoing,
}

/// Bounds of a traversal.
#[derive(Clone, Debug)]
pub struct Bounds {
    /// Most edges between the start and a result (at least 1).
    pub depth: u32,
    /// Most results returned.
    pub limit: usize,
}

impl Default for Bounds {
    fn default() -> Self {
        Bounds {
            depth: 1,
            limit: 1000,
        }
    }
}

/// One block reached by a traversal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    pub block: BlockId,
    /// Edges between the start and this block.
    pub distance: u32,
    /// The blocks from the start (first) to this one (last).
    pub path: Vec<BlockId>,
    /// The kind of the last edge on the path.
    pub kind: EdgeKind,
    /// The line of the last edge's site.
    pub line: u32,
    /// Whether this block is a real block (`false`: an unresolved symbol).
    pub resolved: bool,
}

/// Blocks within `bounds.depth` edges of `start`, following edges of `kinds` in
/// `direction`; nearest first, the start itself excluded. Unresolved symbols are
/// reported but not expanded.
pub fn neighbors(
    store: &GraphStore,
    start: BlockId,
    direction: Direction,
    kinds: &[EdgeKind],
    bounds: &Bounds,
) -> Result<Vec<Hit>> {
    let mut search = Search::new(start);
    search.run(store, direction, kinds, bounds, None)?;
    Ok(search.hits.iter().map(|&idx| search.hit(idx)).collect())
}

/// One visited block: how it was reached.
struct Node {
    block: BlockId,
    /// Index of the node it was reached from (`usize::MAX` for the start).
    from: usize,
    kind: EdgeKind,
    line: u32,
    resolved: bool,
}

/// A breadth-first search: the visited nodes, in the order they were reached.
struct Search {
    nodes: Vec<Node>,
    seen: HashMap<BlockId, usize>,
    hits: Vec<usize>,
}

impl Search {
    fn new(start: BlockId) -> Search {
        Search {
            nodes: vec![Node {
                block: start,
                from: usize::MAX,
                kind: EdgeKind::Calls,
                line: 0,
                resolved: true,
            }],
            seen: HashMap::from([(start, 0)]),
            hits: Vec::new(),
        }
    }

    /// Expands level by level up to the bounds; stops early when `goal` is reached,
    /// returning its node index.
    fn run(
        &mut self,
        store: &GraphStore,
        direction: Direction,
        kinds: &[EdgeKind],
        bounds: &Bounds,
        goal: Option<BlockId>,
    ) -> Result<Option<usize>> {
        let outgoing = direction == Direction::Outgoing;
        let mut queue = VecDeque::from([(0usize, 0u32)]);
        let mut found = Vec::new();
        while let Some((node, dist)) = queue.pop_front() {
            if dist >= bounds.depth.max(1) || self.hits.len() >= bounds.limit {
                continue;
            }
            let id = self.nodes[node].block;
            for &kind in kinds {
                found.clear();
                store.for_each_neighbor(&id, kind, outgoing, |other, line, resolved| {
                    found.push((other, line, resolved))
                })?;
                for &(other, line, resolved) in &found {
                    if self.seen.contains_key(&other) || self.hits.len() >= bounds.limit {
                        continue;
                    }
                    let idx = self.nodes.len();
                    self.seen.insert(other, idx);
                    self.nodes.push(Node {
                        block: other,
                        from: node,
                        kind,
                        line,
                        resolved,
                    });
                    self.hits.push(idx);
                    if goal == Some(other) {
                        return Ok(Some(idx));
                    }
                    if resolved {
                        queue.push_back((idx, dist + 1));
                    }
                }
            }
        }
        Ok(None)
    }

    /// The blocks from the start to node `idx`.
    fn path_to(&self, mut idx: usize) -> Vec<BlockId> {
        let mut path = Vec::new();
        while idx != usize::MAX {
            path.push(self.nodes[idx].block);
            idx = self.nodes[idx].from;
        }
        path.reverse();
        path
    }

    fn hit(&self, idx: usize) -> Hit {
        let path = self.path_to(idx);
        let n = &self.nodes[idx];
        Hit {
            block: n.block,
            distance: path.len() as u32 - 1,
            path,
            kind: n.kind,
            line: n.line,
            resolved: n.resolved,
        }
    }
}

/// Who calls `target`, up to `bounds.depth` levels up.
pub fn callers(store: &GraphStore, target: BlockId, bounds: &Bounds) -> Result<Vec<Hit>> {
    neighbors(
        store,
        target,
        Direction::Incoming,
        &[EdgeKind::Calls],
        bounds,
    )
}

/// What `source` calls, up to `bounds.depth` levels down.
pub fn callees(store: &GraphStore, source: BlockId, bounds: &Bounds) -> Result<Vec<Hit>> {
    neighbors(
        store,
        source,
        Direction::Outgoing,
        &[EdgeKind::Calls],
        bounds,
    )
}

/// A shortest path from `from` to `to` along edges of `kinds`, of at most `max_depth`
/// edges: the blocks from `from` to `to`, or `None` when there is none.
pub fn shortest_path(
    store: &GraphStore,
    from: BlockId,
    to: BlockId,
    kinds: &[EdgeKind],
    max_depth: u32,
) -> Result<Option<Vec<BlockId>>> {
    if from == to {
        return Ok(Some(vec![from]));
    }
    let bounds = Bounds {
        depth: max_depth,
        limit: usize::MAX,
    };
    let mut search = Search::new(from);
    let reached = search.run(store, Direction::Outgoing, kinds, &bounds, Some(to))?;
    Ok(reached.map(|idx| search.path_to(idx)))
}
