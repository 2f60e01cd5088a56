//! Bare calamine read of every sheet of a workbook: the floor that exportscan's spreadsheet
//! reading is measured against in the benchmark.
//!
//! Usage: cargo run --release --example calamine_read -- FILE.xlsx

use calamine::{Data, Reader, open_workbook_auto};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: calamine_read FILE")?;
    let mut workbook = open_workbook_auto(&path)?;
    let names = workbook.sheet_names().to_vec();
    let (mut cells, mut text_bytes) = (0u64, 0u64);
    for name in names {
        let range = workbook.worksheet_range(&name)?;
        for row in range.rows() {
            for cell in row {
                if !matches!(cell, Data::Empty) {
                    cells += 1;
                }
                if let Data::String(text) = cell {
                    text_bytes += text.len() as u64;
                }
            }
        }
    }
    println!("{cells} non-empty cells, {text_bytes} bytes of text");
    Ok(())
}
