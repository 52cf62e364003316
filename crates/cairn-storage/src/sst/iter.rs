//! [`TableIter`]: a forward cursor over one table's entries.

use std::sync::Arc;

use super::block::{Block, EntryPos};
use super::reader::TableReader;
use crate::batch::Kind;
use crate::error::Result;
use crate::util::key_head;

pub(crate) struct TableIter {
    table: Arc<TableReader>,
    block_idx: usize,
    block: Option<Arc<Block>>,
    cur: Option<EntryPos>,
    /// Versions newer than this are skipped.
    snapshot: u64,
}

impl TableIter {
    /// A cursor at the first entry `>= start` with sequence `<= snapshot`.
    pub(crate) fn new(table: Arc<TableReader>, start: &[u8], snapshot: u64) -> Result<Self> {
        let block_idx = table.seek_block(start, u64::MAX);
        let mut it = TableIter {
            table,
            block_idx,
            block: None,
            cur: None,
            snapshot,
        };
        it.load_block()?;
        // Jump inside the first block (its entries are indexed) instead of stepping.
        if let (Some(block), Some(_)) = (&it.block, it.cur) {
            if let Some(e) = block.seek(start, &key_head(start), u64::MAX) {
                it.cur = Some(e);
            }
        }
        while let Some((k, _, _, _)) = it.peek() {
            if k >= start {
                break;
            }
            it.step()?;
        }
        it.skip_invisible()?;
        Ok(it)
    }

    fn load_block(&mut self) -> Result<()> {
        self.cur = None;
        self.block = None;
        while self.block_idx < self.table.block_count() {
            let block = self.table.block(self.block_idx)?;
            if block.len() > 0 {
                let e = block
                    .entry_at(0)
                    .ok_or_else(|| self.table.corrupt_block(self.block_idx, "malformed entry"))?;
                self.cur = Some(e);
                self.block = Some(block);
                return Ok(());
            }
            self.block_idx += 1;
        }
        Ok(())
    }

    fn step(&mut self) -> Result<()> {
        let (Some(block), Some(cur)) = (&self.block, self.cur) else {
            return Ok(());
        };
        if cur.next < block.len() {
            let e = block
                .entry_at(cur.next)
                .ok_or_else(|| self.table.corrupt_block(self.block_idx, "malformed entry"))?;
            self.cur = Some(e);
            Ok(())
        } else {
            self.block_idx += 1;
            self.load_block()
        }
    }

    fn skip_invisible(&mut self) -> Result<()> {
        while let Some(cur) = self.cur {
            if cur.seq <= self.snapshot {
                break;
            }
            self.step()?;
        }
        Ok(())
    }

    /// The current entry: key, sequence, kind, value.
    pub(crate) fn peek(&self) -> Option<(&[u8], u64, Kind, &[u8])> {
        let block = self.block.as_ref()?;
        let cur = self.cur?;
        Some((
            block.slice(cur.key),
            cur.seq,
            cur.kind,
            block.slice(cur.value),
        ))
    }

    pub(crate) fn advance(&mut self) -> Result<()> {
        self.step()?;
        self.skip_invisible()
    }
}
