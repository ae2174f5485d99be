//! Sources of blobs: the filesystem walk and stdin. Each yields bytes and a
//! path; none of them knows about rules or reports.

pub mod fs;
pub mod messages;

pub use messages::Messages;
