//! OLE compound files: telling an encrypted OOXML package from a legacy .xls, and a
//! size check of .xls sheets before calamine allocates them.

use std::fs::File;
use std::io::{ErrorKind, Read};
use std::path::Path;

use super::{Limits, ReadError};

/// Content kinds of an OLE compound file that the readers distinguish.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OleContent {
    /// A password-protected OOXML workbook (`EncryptionInfo` and `EncryptedPackage`).
    EncryptedPackage,
    /// A BIFF workbook stream (`Workbook`, or `Book` before Excel 97).
    Workbook,
    /// Any other compound file (Word, Outlook, ...).
    Other,
}

pub(crate) fn inspect(path: &Path) -> Result<OleContent, ReadError> {
    let compound = open(path)?;
    if compound.exists("/EncryptedPackage") || compound.exists("/EncryptionInfo") {
        Ok(OleContent::EncryptedPackage)
    } else if compound.is_stream("/Workbook") || compound.is_stream("/Book") {
        Ok(OleContent::Workbook)
    } else {
        Ok(OleContent::Other)
    }
}

fn open(path: &Path) -> Result<cfb::CompoundFile<File>, ReadError> {
    let file = super::open_input(path)?;
    cfb::CompoundFile::open(file).map_err(|e| {
        ReadError::Corrupt(format!(
            "damaged OLE compound file ({e}): the file is incomplete or not a workbook, export it again"
        ))
    })
}

/// Cell-holding BIFF records whose first four bytes are the row and column (u16 each).
const CELL_RECORDS: [u16; 7] = [
    0x0203, // Number
    0x0204, // Label
    0x00D6, // RString
    0x0205, // BoolErr
    0x027E, // RK
    0x00FD, // LabelSst
    0x0006, // Formula
];
const MULRK: u16 = 0x00BD;
const DIMENSIONS: u16 = 0x0200;
const FILEPASS: u16 = 0x002F;
const BOUNDSHEET: u16 = 0x0085;
const BIFF8_BOF: u16 = 0x0809;
const EOF: u16 = 0x000A;
/// BOF record types of BIFF8 and of BIFF2 to BIFF4.
const BOF: [u16; 4] = [0x0809, 0x0009, 0x0209, 0x0409];

/// Size of one sheet's cell area as calamine 0.38 would allocate it.
#[derive(Debug, Default)]
struct SheetExtent {
    declared_cells: u64,
    bounds: Option<(u32, u32, u32, u32)>,
}

impl SheetExtent {
    fn add_cell(&mut self, row: u32, column: u32) {
        self.bounds = Some(match self.bounds {
            None => (row, row, column, column),
            Some((r0, r1, c0, c1)) => (r0.min(row), r1.max(row), c0.min(column), c1.max(column)),
        });
    }

    /// Cells of the bounding box of the sheet's cell records.
    fn bounding_cells(&self) -> u64 {
        self.bounds.map_or(0, |(r0, r1, c0, c1)| {
            u64::from(r1 - r0 + 1) * u64::from(c1 - c0 + 1)
        })
    }
}

/// Checks every sheet of an .xls before calamine reads it.
///
/// calamine 0.38 parses all sheets when it opens an .xls. For each sheet it reserves
/// room for the cell count that the DIMENSIONS record declares and then builds a dense
/// grid over the bounding box of the cells found. Either number comes straight from
/// the file, and an allocation that fails aborts the process, so both are checked
/// here against `limits.max_cells_per_sheet`. A FILEPASS record means the workbook is
/// encrypted.
pub(crate) fn check_xls(path: &Path, limits: &Limits) -> Result<(), ReadError> {
    let mut compound = open(path)?;
    let stream_name = if compound.is_stream("/Workbook") {
        "/Workbook"
    } else {
        "/Book"
    };
    let mut stream = compound.open_stream(stream_name).map_err(|e| {
        ReadError::Corrupt(format!(
            "the workbook stream cannot be read ({e}): export the file again"
        ))
    })?;
    // calamine keeps the whole stream in memory too, so reading it here costs no more.
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes)?;
    check_sheets_at_positions(&bytes, limits)?;
    let mut reader = std::io::Cursor::new(&bytes);
    let mut depth = 0usize;
    let mut substream = 0usize;
    let mut sheet = SheetExtent::default();
    let mut data = vec![0u8; usize::from(u16::MAX)];
    while let Some((record_type, len)) = read_record_header(&mut reader)? {
        let body = &mut data[..usize::from(len)];
        if read_body(&mut reader, body)?.is_none() {
            // A truncated stream; calamine reports it when it parses the file.
            break;
        }
        if BOF.contains(&record_type) {
            depth += 1;
            if depth == 1 {
                substream += 1;
                sheet = SheetExtent::default();
            }
            continue;
        }
        if record_type == EOF {
            if depth == 1 && substream > 1 {
                check_extent(&sheet, substream - 1, limits)?;
            }
            depth = depth.saturating_sub(1);
            continue;
        }
        if record_type == FILEPASS && substream == 1 {
            return Err(ReadError::Encrypted);
        }
        // Only worksheet substreams at depth 1; charts nest deeper and calamine skips them.
        if depth != 1 || substream < 2 {
            continue;
        }
        record_extent(&mut sheet, record_type, body);
    }
    if depth >= 1 && substream > 1 {
        check_extent(&sheet, substream - 1, limits)?;
    }
    Ok(())
}

/// Checks each sheet where calamine reads it: from the stream offset that its BOUNDSHEET
/// record in the globals names, not where a walk over the stream finds it. A damaged or
/// crafted record length can hide those offsets inside another record's body.
fn check_sheets_at_positions(stream: &[u8], limits: &Limits) -> Result<(), ReadError> {
    let mut positions = Vec::new();
    for (record_type, body) in records(stream) {
        match record_type {
            EOF => break,
            BOUNDSHEET => {
                if let Some(position) = body.get(..4) {
                    let position =
                        u32::from_le_bytes([position[0], position[1], position[2], position[3]]);
                    positions.push(position as usize);
                }
            }
            _ => {}
        }
    }
    for (number, position) in positions.into_iter().enumerate() {
        // calamine fails on an offset past the stream, before it allocates anything.
        let Some(sheet_stream) = stream.get(position..) else {
            continue;
        };
        let mut sheet = SheetExtent::default();
        let mut seen_bof = false;
        let mut depth = 0usize;
        for (record_type, body) in records(sheet_stream) {
            // Like calamine 0.38, only a BIFF8 BOF opens a nested substream (a chart).
            if depth > 0 {
                match record_type {
                    BIFF8_BOF => depth += 1,
                    EOF => depth -= 1,
                    _ => {}
                }
                continue;
            }
            match record_type {
                BIFF8_BOF if seen_bof => depth += 1,
                BIFF8_BOF => seen_bof = true,
                EOF => break,
                _ => record_extent(&mut sheet, record_type, body),
            }
        }
        check_extent(&sheet, number + 1, limits)?;
    }
    Ok(())
}

/// Iterates over the records of a BIFF stream as calamine 0.38 does, stopping at a record
/// whose length runs past the end.
fn records(stream: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
    let mut rest = stream;
    std::iter::from_fn(move || {
        let header = rest.get(..4)?;
        let record_type = u16::from_le_bytes([header[0], header[1]]);
        let length = usize::from(u16::from_le_bytes([header[2], header[3]]));
        let body = rest.get(4..4 + length)?;
        rest = &rest[4 + length..];
        Some((record_type, body))
    })
}

fn record_extent(sheet: &mut SheetExtent, record_type: u16, body: &[u8]) {
    let u16_at = |offset: usize| {
        body.get(offset..offset + 2)
            .map(|b| u32::from(u16::from_le_bytes([b[0], b[1]])))
    };
    let u32_at = |offset: usize| {
        body.get(offset..offset + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    if record_type == DIMENSIONS {
        let (first_row, last_row_plus_one, first_col, last_col_plus_one) = match body.len() {
            10 => (u16_at(0), u16_at(2), u16_at(4), u16_at(6)),
            _ => (u32_at(0), u32_at(4), u16_at(8), u16_at(10)),
        };
        if let (Some(rf), Some(rl), Some(cf), Some(cl)) =
            (first_row, last_row_plus_one, first_col, last_col_plus_one)
        {
            sheet.declared_cells = sheet.declared_cells.max(declared_cells(rf, rl, cf, cl));
        }
    } else if CELL_RECORDS.contains(&record_type) {
        if let (Some(row), Some(column)) = (u16_at(0), u16_at(2)) {
            sheet.add_cell(row, column);
        }
    } else if record_type == MULRK
        && body.len() >= 6
        && let (Some(row), Some(first), Some(last)) = (u16_at(0), u16_at(2), u16_at(body.len() - 2))
    {
        sheet.add_cell(row, first);
        sheet.add_cell(row, last.max(first));
    }
}

/// Cell count that calamine 0.38 reserves for a DIMENSIONS record.
///
/// calamine resets a first column above 255 or past the last to 0, and it computes the
/// row count as `last - first + 1` in u32. A first row past the last row wraps to a huge
/// count in a release build, so that case counts as unbounded here.
fn declared_cells(
    first_row: u32,
    last_row_plus_one: u32,
    first_col: u32,
    last_col_plus_one: u32,
) -> u64 {
    if last_row_plus_one == 0 || last_col_plus_one == 0 {
        return 1;
    }
    let first_col = if first_col > 0xFF || last_col_plus_one < first_col {
        0
    } else {
        first_col
    };
    let last_row = last_row_plus_one - 1;
    let last_col = last_col_plus_one - 1;
    if last_row < first_row || last_col < first_col {
        return u64::MAX;
    }
    u64::from(last_row - first_row + 1) * u64::from(last_col - first_col + 1)
}

fn check_extent(
    sheet: &SheetExtent,
    sheet_number: usize,
    limits: &Limits,
) -> Result<(), ReadError> {
    let max = limits.max_cells_per_sheet;
    let too_large = |cells: u64, what: &str| {
        ReadError::Limit(format!(
            "sheet {sheet_number} of the workbook {what} {} cells, more than the limit of {max}; an .xls is read whole, so no sheet of it is read: save it as .xlsx or raise the limit",
            if cells == u64::MAX {
                "an unbounded number of".to_string()
            } else {
                cells.to_string()
            },
        ))
    };
    if sheet.declared_cells > max {
        return Err(too_large(sheet.declared_cells, "declares"));
    }
    let bounding = sheet.bounding_cells();
    if bounding > max {
        return Err(too_large(bounding, "spans"));
    }
    Ok(())
}

fn read_record_header(reader: &mut impl Read) -> Result<Option<(u16, u16)>, ReadError> {
    let mut header = [0u8; 4];
    Ok(read_body(reader, &mut header)?.map(|()| {
        (
            u16::from_le_bytes([header[0], header[1]]),
            u16::from_le_bytes([header[2], header[3]]),
        )
    }))
}

/// Fills `buf`; returns `None` at the end of the stream.
fn read_body(reader: &mut impl Read, buf: &mut [u8]) -> Result<Option<()>, ReadError> {
    match reader.read_exact(buf) {
        Ok(()) => Ok(Some(())),
        Err(e) if e.kind() == ErrorKind::UnexpectedEof => Ok(None),
        Err(e) => Err(ReadError::Io(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_cells_follow_calamine() {
        assert_eq!(declared_cells(0, 10, 0, 4), 40);
        assert_eq!(declared_cells(0, 0, 0, 0), 1);
        assert_eq!(declared_cells(0, 65536, 0, 256), 65536 * 256);
        assert_eq!(declared_cells(5, 3, 0, 1), u64::MAX);
        // A first column above 255 is reset to 0.
        assert_eq!(declared_cells(0, 1, 300, 310), 310);
    }

    #[test]
    fn bounding_box_counts_cells() {
        let mut sheet = SheetExtent::default();
        sheet.add_cell(0, 0);
        sheet.add_cell(65535, 255);
        assert_eq!(sheet.bounding_cells(), 65536 * 256);
    }
}
