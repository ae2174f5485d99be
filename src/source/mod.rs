//! Sources of blobs: the filesystem walk and stdin. Each yields bytes and a
//! path; none of them knows about rules or reports. `repo` tells the
//! repository checks which files git tracks or ignores.

pub mod fs;
pub mod messages;
pub mod repo;

pub use messages::Messages;
