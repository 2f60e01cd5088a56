//! Record-aligned byte ranges of large delimited text files, so that their records can be
//! read in parallel. Only UTF-8 and GB18030 files qualify: in both, the bytes of `"`, `\n`
//! and the delimiters `,` `;` and tab never occur inside a multi-byte character.

use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;
use std::rc::Rc;

use super::decode::{self, DecodeShared, DecodingReader, TextEncoding};
use super::text;
use super::{Cell, CellKind, Format, Limits, MAX_COLUMNS, ReadError, Row};

/// Layout of a delimited file: its encoding, delimiter and where records start.
#[derive(Debug, Clone)]
pub struct TextLayout {
    encoding: TextEncoding,
    pub delimiter: u8,
    /// Byte offset of the first record, after a byte order mark and an Excel `sep=` line.
    pub body_start: u64,
    pub size: u64,
}

/// Returns the layout of a delimited file, or `None` when its records cannot be split by
/// bytes: UTF-16 text, or GB18030 with `|` as the delimiter (a GBK trail byte can be `|`).
pub fn text_layout(path: &Path, format: Format) -> Result<Option<TextLayout>, ReadError> {
    let mut file = super::open_input(path)?;
    let size = file.metadata()?.len();
    let encoding = decode::detect_file_encoding(&mut file)?;
    let bom_bytes = match encoding {
        TextEncoding::Utf8 { bom } => u64::from(bom) * 3,
        TextEncoding::Gb18030 => 0,
        _ => return Ok(None),
    };
    let shared = Rc::new(DecodeShared::default());
    let decoder = DecodingReader::new(file, encoding, shared, None);
    let mut head = Vec::with_capacity(text::HEAD_BYTES);
    decoder
        .take(text::HEAD_BYTES as u64)
        .read_to_end(&mut head)?;
    let complete = head.len() < text::HEAD_BYTES;
    // The same choice as the sequential reader makes, from the same decoded head.
    let (delimiter, skip) = match text::excel_sep_line(&head) {
        Some((delimiter, line_len)) => (delimiter, line_len as u64),
        None => {
            let sniffed = text::sniff_delimiter(&head, complete, format);
            (sniffed.unwrap_or(text::default_delimiter(format)), 0)
        }
    };
    if encoding == TextEncoding::Gb18030 && delimiter == b'|' {
        return Ok(None);
    }
    Ok(Some(TextLayout {
        encoding,
        delimiter,
        body_start: bom_bytes + skip,
        size,
    }))
}

/// Splits the records of a file into byte ranges of about `chunk_bytes`, each starting at
/// a record boundary. Returns `None` when a quote does not follow RFC 4180 (a quote that
/// neither opens a field, closes one, nor is doubled inside one), because then only a full
/// parse finds where records end.
pub fn split_ranges(
    path: &Path,
    layout: &TextLayout,
    chunk_bytes: u64,
) -> std::io::Result<Option<Vec<(u64, u64)>>> {
    let mut file = super::open_input(path)?;
    file.seek(SeekFrom::Start(layout.body_start))?;
    let mut scanner = QuoteScanner::new(layout.delimiter, layout.body_start, chunk_bytes);
    let mut block = vec![0u8; 1 << 20];
    loop {
        let read = file.read(&mut block)?;
        if read == 0 {
            break;
        }
        if !scanner.feed(&block[..read]) {
            return Ok(None);
        }
    }
    if !scanner.finish() {
        return Ok(None);
    }
    let mut ranges = Vec::with_capacity(scanner.boundaries.len() + 1);
    let mut start = layout.body_start;
    for &boundary in &scanner.boundaries {
        if boundary < layout.size {
            ranges.push((start, boundary));
            start = boundary;
        }
    }
    if start < layout.size || ranges.is_empty() {
        ranges.push((start, layout.size));
    }
    Ok(Some(ranges))
}

/// Tracks whether each byte is inside a quoted field, as a CSV parser would, and records
/// the first record boundary after each chunk target.
struct QuoteScanner {
    delimiter: u8,
    in_quotes: bool,
    /// A quote inside a quoted field was the last byte of the previous block.
    quote_pending: bool,
    /// The byte before the current block, for an opening quote at its start.
    previous: u8,
    offset: u64,
    chunk_bytes: u64,
    next_target: u64,
    boundaries: Vec<u64>,
}

impl QuoteScanner {
    fn new(delimiter: u8, start: u64, chunk_bytes: u64) -> QuoteScanner {
        QuoteScanner {
            delimiter,
            in_quotes: false,
            quote_pending: false,
            previous: b'\n',
            offset: start,
            chunk_bytes,
            next_target: start + chunk_bytes,
            boundaries: Vec::new(),
        }
    }

    fn ends_field(&self, byte: u8) -> bool {
        byte == self.delimiter || byte == b'\n' || byte == b'\r'
    }

    /// Feeds the next block; returns false on a quote that breaks RFC 4180.
    fn feed(&mut self, block: &[u8]) -> bool {
        let mut skip_until = 0;
        if self.quote_pending {
            self.quote_pending = false;
            match block[0] {
                b'"' => skip_until = 1,
                byte if self.ends_field(byte) => self.in_quotes = false,
                _ => return false,
            }
        }
        for i in memchr::memchr2_iter(b'"', b'\n', block) {
            if i < skip_until {
                continue;
            }
            if block[i] == b'\n' {
                let position = self.offset + i as u64 + 1;
                if !self.in_quotes && position >= self.next_target {
                    self.boundaries.push(position);
                    self.next_target = position + self.chunk_bytes;
                }
                continue;
            }
            if !self.in_quotes {
                let before = if i == 0 { self.previous } else { block[i - 1] };
                if !self.ends_field(before) {
                    return false;
                }
                self.in_quotes = true;
            } else if i + 1 == block.len() {
                self.quote_pending = true;
            } else if block[i + 1] == b'"' {
                skip_until = i + 2;
            } else if self.ends_field(block[i + 1]) {
                self.in_quotes = false;
            } else {
                return false;
            }
        }
        self.previous = block[block.len() - 1];
        self.offset += block.len() as u64;
        true
    }

    /// Ends the input; a quote pending at the end of the file closes its field.
    fn finish(&mut self) -> bool {
        if self.quote_pending {
            self.in_quotes = false;
        }
        true
    }
}

/// One item of a byte range: a record with its 0-based index within the range, or a
/// problem with the rest of the range still read.
pub enum RangeItem<'a> {
    Record(u64, TextRecord<'a>),
    /// A record with invalid UTF-8, its invalid bytes replaced with U+FFFD, and its byte
    /// offset in the file; `Row::index` is its index within the range.
    Replaced(Row, u64),
    Problem(ReadError),
}

/// A record whose bytes are valid UTF-8, checked once for the whole record.
#[derive(Clone, Copy)]
pub struct TextRecord<'a> {
    text: &'a str,
    record: &'a csv::ByteRecord,
    offset: u64,
}

impl<'a> TextRecord<'a> {
    /// Returns the number of fields, cut at `MAX_COLUMNS` as the sequential reader cuts rows.
    pub fn len(&self) -> usize {
        self.record.len().min(MAX_COLUMNS)
    }

    pub fn is_empty(&self) -> bool {
        self.record.is_empty()
    }

    /// Returns the byte offset of the record in the file.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    pub fn get(&self, index: usize) -> Option<&'a str> {
        // Fields end at ASCII delimiters, so their ranges are character boundaries.
        self.record
            .range(index)
            .and_then(|range| self.text.get(range))
    }
}

/// Reads the records of one byte range, passing each to `visit`. Problems name the byte
/// offset, since row numbers are known only within the range.
///
/// UTF-8 ranges are parsed straight from the file bytes, and a record with invalid UTF-8
/// is reported and not counted; GB18030 ranges are transcoded first, with invalid
/// sequences replaced by U+FFFD and reported.
pub fn read_range(
    path: &Path,
    layout: &TextLayout,
    range: (u64, u64),
    limits: &Limits,
    visit: &mut dyn FnMut(RangeItem),
) -> Result<(), ReadError> {
    let mut file = super::open_input(path)?;
    file.seek(SeekFrom::Start(range.0))?;
    let bounded = BufReader::with_capacity(256 * 1024, file.take(range.1 - range.0));
    let shared = Rc::new(DecodeShared::default());
    let source: Box<dyn Read> = match layout.encoding {
        TextEncoding::Utf8 { .. } => Box::new(RecordLimit {
            inner: bounded,
            consumed: 0,
            start: range.0,
            shared: Rc::clone(&shared),
            max_bytes: limits.max_line_bytes,
        }),
        encoding => Box::new(DecodingReader::new(
            bounded,
            encoding,
            Rc::clone(&shared),
            Some(limits.max_line_bytes),
        )),
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(layout.delimiter)
        .from_reader(source);
    // Records are read as bytes and checked with simdutf8, several times faster than the
    // standard check `csv::StringRecord` runs on text with Chinese characters.
    let mut record = csv::ByteRecord::new();
    let mut index = 0u64;
    let mut invalid_utf8 = 0u64;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {
                shared.record_start.set(reader.position().byte());
                match simdutf8::basic::from_utf8(record.as_slice()) {
                    Ok(text) => {
                        let fields = TextRecord {
                            text,
                            record: &record,
                            offset: range.0 + record.position().map_or(0, |p| p.byte()),
                        };
                        visit(RangeItem::Record(index, fields));
                        if record.len() > MAX_COLUMNS {
                            let offset = range.0 + record.position().map_or(0, |p| p.byte());
                            let message = format!(
                                "{} cells after column {MAX_COLUMNS} of the record at byte offset {offset} are not read; a line with this many delimiters is usually damaged",
                                record.len() - MAX_COLUMNS
                            );
                            visit(RangeItem::Problem(ReadError::Corrupt(message)));
                        }
                    }
                    Err(_) => {
                        // As the sequential reader does, invalid bytes become U+FFFD and
                        // the record is still counted.
                        let cells = record
                            .iter()
                            .take(MAX_COLUMNS)
                            .map(|field| Cell {
                                kind: CellKind::Text,
                                text: String::from_utf8_lossy(field).into_owned(),
                            })
                            .collect();
                        let offset = range.0 + record.position().map_or(0, |p| p.byte());
                        visit(RangeItem::Replaced(Row { index, cells }, offset));
                        invalid_utf8 += 1;
                        if invalid_utf8 <= 20 {
                            let offset = range.0 + record.position().map_or(0, |p| p.byte());
                            let message = format!(
                                "invalid UTF-8 in the record at byte offset {offset}: the file mixes encodings (UTF-8 and probably GB18030/GBK); the bytes were replaced with U+FFFD, so re-export the file in one encoding"
                            );
                            visit(RangeItem::Problem(ReadError::Corrupt(message)));
                        }
                    }
                }
                index += 1;
            }
            Ok(false) => break,
            Err(error) => {
                shared.record_start.set(reader.position().byte());
                let offset = range.0 + error.position().map_or(0, |p| p.byte());
                match error.into_kind() {
                    csv::ErrorKind::Io(io) => {
                        let too_long = io
                            .get_ref()
                            .and_then(|inner| inner.downcast_ref::<decode::RecordTooLong>());
                        let problem = match too_long {
                            Some(too_long) => ReadError::Limit(format!(
                                "a record is longer than the limit of {} bytes (reached at byte offset {}), usually an unclosed quote or a file without line breaks; the file up to byte offset {} is not read",
                                limits.max_line_bytes, too_long.byte_offset, range.1
                            )),
                            None => text::io_to_read_error(io, limits),
                        };
                        visit(RangeItem::Problem(problem));
                        break;
                    }
                    _ => {
                        let message = format!(
                            "unreadable record at byte offset {offset}; the rest of this part of the file is not read"
                        );
                        visit(RangeItem::Problem(ReadError::Corrupt(message)));
                        break;
                    }
                }
            }
        }
    }
    if invalid_utf8 > 20 {
        let message = format!(
            "{} more records with invalid UTF-8, their bytes replaced with U+FFFD",
            invalid_utf8 - 20
        );
        visit(RangeItem::Problem(ReadError::Corrupt(message)));
    }
    let malformed = shared.take_malformed_before(u64::MAX);
    if let Some(first) = malformed.first() {
        let message = format!(
            "{} invalid {} byte sequence(s), the first at byte offset {}: the file mixes encodings; the bytes were replaced with U+FFFD, so re-export the file in one encoding",
            malformed.len(),
            layout.encoding.label(),
            range.0 + first.byte_offset
        );
        visit(RangeItem::Problem(ReadError::Corrupt(message)));
    }
    Ok(())
}

/// Passes bytes through and fails once the parser runs more than `max_bytes` past the start
/// of the record it is parsing, so a file without line breaks cannot grow one record
/// without bound.
struct RecordLimit<R> {
    inner: R,
    consumed: u64,
    /// File offset of the first byte.
    start: u64,
    shared: Rc<DecodeShared>,
    max_bytes: usize,
}

impl<R: Read> Read for RecordLimit<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        // The parser reads ahead of the record it parses by at most one buffer.
        let slack = 1024 * 1024;
        let ahead = self.consumed.saturating_sub(self.shared.record_start.get());
        if ahead > self.max_bytes as u64 + slack {
            return Err(std::io::Error::other(decode::RecordTooLong {
                max_bytes: self.max_bytes,
                byte_offset: self.start + self.consumed,
            }));
        }
        let read = self.inner.read(buf)?;
        self.consumed += read as u64;
        Ok(read)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn boundaries(text: &str, chunk: u64) -> Option<Vec<u64>> {
        let mut scanner = QuoteScanner::new(b',', 0, chunk);
        let ok = scanner.feed(text.as_bytes()) && scanner.finish();
        ok.then_some(scanner.boundaries)
    }

    #[test]
    fn boundaries_fall_after_newlines_outside_quotes() {
        let text = "a,b\n\"x\ny\",z\nc,d\n";
        assert_eq!(boundaries(text, 1), Some(vec![4, 12, 16]));
    }

    #[test]
    fn doubled_quotes_stay_inside_the_field() {
        let text = "\"say \"\"hi\"\"\nnow\",1\nnext,2\n";
        assert_eq!(boundaries(text, 1), Some(vec![19, 26]));
    }

    #[test]
    fn stray_quotes_stop_the_split() {
        assert_eq!(boundaries("5\" screen,1\n", 1), None);
        assert_eq!(boundaries("\"abc\"def,1\n", 1), None);
    }

    #[test]
    fn quote_pending_across_blocks() {
        let mut scanner = QuoteScanner::new(b',', 0, 1);
        assert!(scanner.feed(b"\"a\""));
        assert!(scanner.feed(b"\"b\",1\nx\n"));
        assert!(!scanner.in_quotes);
        assert_eq!(scanner.boundaries, vec![9, 11]);
    }
}
