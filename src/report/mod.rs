//! Report writers: one per output format behind the `ReportWriter` trait, and an atomic,
//! owner-only file output.

mod json;
mod text;

pub use json::JsonWriter;
pub use text::TextWriter;

use std::io::{self, Write};
use std::path::Path;

use crate::inventory::Inventory;

/// Writes an inventory in one output format.
pub trait ReportWriter {
    fn write(&self, inventory: &Inventory, out: &mut dyn Write) -> io::Result<()>;
}

/// Output formats of the `scan` command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// A summary for the terminal.
    Text,
    /// The JSON report (schema_version 1).
    Json,
}

impl OutputFormat {
    pub fn writer(self) -> Box<dyn ReportWriter> {
        match self {
            OutputFormat::Text => Box::new(TextWriter::default()),
            OutputFormat::Json => Box::new(JsonWriter),
        }
    }
}

/// Writes the report to `path` atomically: into a temporary file in the same folder, readable
/// by the owner only (mode 0600 on Unix), then renamed over `path`.
pub fn write_file(path: &Path, writer: &dyn ReportWriter, inventory: &Inventory) -> io::Result<()> {
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".exportscan-report-");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o600));
    }
    let mut temporary = builder.tempfile_in(folder)?;
    {
        let mut buffered = io::BufWriter::new(temporary.as_file_mut());
        writer.write(inventory, &mut buffered)?;
        buffered.flush()?;
    }
    temporary.as_file().sync_all()?;
    temporary.persist(path).map_err(|e| e.error)?;
    Ok(())
}
