//! Graph traversal: callers, callees, neighbours and shortest paths.
//!
//! Breadth-first over the adjacency lists (cached in memory by the store, see
//! [`crate::adjacency`]), so every result is found at its shortest distance and
//! carries the path that reached it. Visited blocks are never expanded
//! twice (cycle-safe); depth and result count are bounded by the caller.

use crate::error::Result;
use crate::id::{BlockId, FastBuildHasher};
use crate::model::EdgeKind;
use crate::store::GraphStore;
use std::collections::HashSet;

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
    Ok(search.hits())
}

/// One visited block: how it was reached.
struct Node {
    block: BlockId,
    /// Index of the node it was reached from (`NO_NODE` for the start).
    from: u32,
    distance: u32,
    kind: EdgeKind,
    line: u32,
    resolved: bool,
}

const NO_NODE: u32 = u32::MAX;

/// A breadth-first search: the visited nodes, in the order they were reached, which
/// is also the queue (nodes are expanded in that order, so by distance).
struct Search {
    nodes: Vec<Node>,
    seen: HashSet<BlockId, FastBuildHasher>,
}

impl Search {
    fn new(start: BlockId) -> Search {
        let mut seen = HashSet::with_capacity_and_hasher(64, FastBuildHasher::default());
        seen.insert(start);
        let mut nodes = Vec::with_capacity(64);
        nodes.push(Node {
            block: start,
            from: NO_NODE,
            distance: 0,
            kind: EdgeKind::Calls,
            line: 0,
            resolved: true,
        });
        Search { nodes, seen }
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
        let depth = bounds.depth.max(1);
        // Results are every node but the start; the index of a node never exceeds
        // `u32::MAX - 1` in practice, and the limit stops growth before that anyway.
        let limit = bounds.limit.min(NO_NODE as usize - 1);
        let mut adjacency = store.adjacency();
        let mut next = 0;
        while next < self.nodes.len() && self.nodes.len() - 1 < limit {
            let (id, dist) = (self.nodes[next].block, self.nodes[next].distance);
            let from = next as u32;
            next += 1;
            if dist >= depth {
                // Breadth-first: every later node is at least as far.
                break;
            }
            for &kind in kinds {
                for n in adjacency.neighbors(id, kind, outgoing)? {
                    if self.nodes.len() > limit {
                        break;
                    }
                    if !self.seen.insert(n.id) {
                        continue;
                    }
                    let idx = self.nodes.len();
                    self.nodes.push(Node {
                        block: n.id,
                        from,
                        distance: dist + 1,
                        kind,
                        line: n.line,
                        resolved: n.resolved,
                    });
                    if goal == Some(n.id) {
                        return Ok(Some(idx));
                    }
                }
            }
            // Unresolved symbols are reached but have no edges of their own to follow:
            // skip them as expansion sources.
            while next < self.nodes.len() && !self.nodes[next].resolved {
                next += 1;
            }
        }
        Ok(None)
    }

    /// The blocks from the start to node `idx`.
    fn path_to(&self, idx: usize) -> Vec<BlockId> {
        let mut path = vec![self.nodes[idx].block; self.nodes[idx].distance as usize + 1];
        let mut at = idx;
        for slot in path.iter_mut().rev() {
            *slot = self.nodes[at].block;
            at = self.nodes[at].from as usize;
        }
        path
    }

    /// Every node but the start, as hits.
    fn hits(&self) -> Vec<Hit> {
        (1..self.nodes.len())
            .map(|idx| {
                let n = &self.nodes[idx];
                Hit {
                    block: n.block,
                    distance: n.distance,
                    path: self.path_to(idx),
                    kind: n.kind,
                    line: n.line,
                    resolved: n.resolved,
                }
            })
            .collect()
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
