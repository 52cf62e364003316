//! Cairn storage engine.
