//! keywarden: a fast secret scanner for repositories.
//!
//! The flow is `source -> blobs -> engine -> findings -> filter -> report`:
//! [`source`] and [`git`] yield bytes with a path, the [`engine`] turns bytes into
//! [`finding::Finding`]s without any I/O, [`policy`] checks how YAML handles
//! secrets, [`suppress`] drops what the user
//! allowed, and [`report`] formats what is left.

pub mod cli;
pub mod config;
pub mod engine;
pub mod finding;
pub mod git;
pub mod policy;
pub mod report;
pub mod rules;
pub mod scan;
pub mod source;
pub mod suppress;
