//! exportscan: inventory of personal information in outbound data exports and the
//! cross-border transfer procedure that the inventory requires.
//!
//! The pipeline runs discover → read → detect → identity → rules → report. Each stage is a
//! module; `scan::scan` drives them and returns an `Inventory` that the report writers print.

pub mod cli;
pub mod detect;
pub mod discover;
pub mod generate;
pub mod identity;
pub mod inventory;
pub mod mask;
pub mod pack;
pub mod read;
pub mod report;
pub mod rules;
pub mod scan;
pub mod validate;
