//! Cairn query engine.
