use std::io::{self, Write};

use super::ReportWriter;
use crate::inventory::Inventory;

/// The JSON report: the serialised `Inventory`, pretty-printed, with a final newline.
pub struct JsonWriter;

impl ReportWriter for JsonWriter {
    fn write(&self, inventory: &Inventory, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, inventory)?;
        writeln!(out)
    }
}
