//! Helpers shared by the fuzz targets: readers take a path, so each input is written to a
//! temporary file and read back through `exportscan::read::read_file`.

use std::io::Write;

use exportscan::read::{self, Format, Limits, ReadError, Row, TableMeta, TableVisitor};

/// Limits small enough that a legitimate input within them stays far below libFuzzer's
/// default 2 GB memory limit, so any out-of-memory report is a missing size check.
pub fn fuzz_limits() -> Limits {
    Limits {
        max_cells_per_sheet: 1_000_000,
        max_line_bytes: 1024 * 1024,
        max_unpacked_bytes: 64 * 1024 * 1024,
    }
}

/// Pulls every row of every table, as the scanner does, and counts them.
#[derive(Default)]
pub struct CountingVisitor {
    pub rows: u64,
    pub errors: u64,
    pub cells: u64,
}

impl TableVisitor for CountingVisitor {
    fn table(&mut self, _: &TableMeta, rows: &mut dyn Iterator<Item = Result<Row, ReadError>>) {
        for row in rows {
            match row {
                Ok(row) => {
                    self.rows += 1;
                    self.cells += row.cells.len() as u64;
                }
                Err(error) => {
                    self.errors += 1;
                    // Formatting runs the error's Display code as the report would.
                    let _ = error.to_string();
                }
            }
        }
    }
}

/// Replaces libfuzzer-sys's panic hook, which aborts on every panic, with a silent one.
///
/// `read_file` catches a panic inside calamine and reports the file as damaged, as the
/// scan does; such a panic is not a crash of exportscan. A panic that escapes `read_file`
/// still ends the run, because libfuzzer-sys aborts when the target itself panics.
fn let_caught_panics_unwind() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| std::panic::set_hook(Box::new(|_| {})));
}

/// Writes `data` to a temporary file with `extension` and reads it as `format`, then as the
/// format that sniffing its head gives.
pub fn read_bytes(data: &[u8], extension: &str, format: Format) {
    let_caught_panics_unwind();
    let Ok(mut file) = tempfile::Builder::new()
        .suffix(&format!(".{extension}"))
        .tempfile()
    else {
        return;
    };
    if file.write_all(data).and_then(|()| file.flush()).is_err() {
        return;
    }
    let limits = fuzz_limits();
    let mut visitor = CountingVisitor::default();
    if let Err(error) = read::read_file(file.path(), format, &limits, &mut visitor) {
        let _ = error.to_string();
    }
    let sniffed = read::sniff_format(&data[..data.len().min(8192)], Some(extension)).format;
    if sniffed != format && sniffed != Format::Unknown {
        let mut visitor = CountingVisitor::default();
        let _ = read::read_file(file.path(), sniffed, &limits, &mut visitor);
    }
}
