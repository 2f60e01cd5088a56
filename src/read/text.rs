//! Delimited text (CSV, TSV, tab- or comma-separated .txt), read as a stream.

use std::collections::VecDeque;
use std::io::{Cursor, Read};
use std::path::Path;
use std::rc::Rc;

use super::decode::{self, DecodeShared, DecodingReader, RecordTooLong, TextEncoding};
use super::{Cell, CellKind, FileRead, Format, Limits, ReadError, Row, TableMeta, TableVisitor};

/// Decoded bytes read ahead to find the delimiter and an Excel `sep=` line.
pub(crate) const HEAD_BYTES: usize = 64 * 1024;
/// Records of the head compared when choosing the delimiter.
const SNIFF_RECORDS: usize = 50;
/// Records with invalid bytes reported one by one; the rest are counted in a note.
const MAX_REPORTED_MALFORMED_RECORDS: u64 = 20;

const CANDIDATE_DELIMITERS: [u8; 4] = [b',', b'\t', b';', b'|'];

/// Reads a delimited text file as one table.
pub(crate) fn read_delimited(
    path: &Path,
    format: Format,
    limits: &Limits,
    visitor: &mut dyn TableVisitor,
) -> Result<FileRead, ReadError> {
    let mut file = super::open_input(path)?;
    if file.metadata()?.len() == 0 {
        return Err(ReadError::Empty);
    }
    let encoding = decode::detect_file_encoding(&mut file)?;
    let shared = Rc::new(DecodeShared::default());
    let mut decoder = DecodingReader::new(
        file,
        encoding,
        Rc::clone(&shared),
        Some(limits.max_line_bytes),
    );
    let (head, head_complete) = read_head(&mut decoder, limits)?;
    if head.is_empty() {
        return Err(ReadError::Empty);
    }

    let mut notes: Vec<String> = encoding.note().into_iter().collect();
    let (delimiter, skip) = match excel_sep_line(&head) {
        Some((delimiter, line_len)) => {
            notes.push(format!(
                "honoured the Excel 'sep={}' first line",
                delimiter as char
            ));
            (delimiter, line_len)
        }
        None => {
            let sniffed = sniff_delimiter(&head, head_complete, format);
            let delimiter = sniffed.unwrap_or(default_delimiter(format));
            if sniffed.is_none() {
                notes.push(format!(
                    "no delimiter splits the first records into columns; read with {:?}",
                    delimiter as char
                ));
            }
            (delimiter, 0)
        }
    };

    log::debug!(
        "{}: encoding {}, delimiter {:?}",
        path.display(),
        encoding.label(),
        delimiter as char
    );
    let mut body = Cursor::new(head).chain(decoder);
    let mut skipped = vec![0u8; skip];
    body.read_exact(&mut skipped)?;
    let reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(body);
    let mut rows = TextRows::new(reader, shared, skip as u64, encoding, limits.clone());
    visitor.table(&TableMeta::default(), &mut rows);

    if let Some(note) = rows.malformed_note() {
        notes.push(note);
    }
    Ok(FileRead {
        encoding: Some(encoding.label()),
        delimiter: Some(delimiter as char),
        notes,
        unread: Vec::new(),
    })
}

/// Reads up to `HEAD_BYTES` decoded bytes; returns them and whether they are the whole
/// file.
fn read_head<R: Read>(
    decoder: &mut DecodingReader<R>,
    limits: &Limits,
) -> Result<(Vec<u8>, bool), ReadError> {
    let mut head = Vec::with_capacity(HEAD_BYTES);
    let complete = match decoder
        .by_ref()
        .take(HEAD_BYTES as u64)
        .read_to_end(&mut head)
    {
        Ok(_) => head.len() < HEAD_BYTES,
        Err(e) => return Err(io_to_read_error(e, limits)),
    };
    Ok((head, complete))
}

/// Recognises Excel's `sep=X` first line; returns the delimiter and the line's length.
pub(crate) fn excel_sep_line(head: &[u8]) -> Option<(u8, usize)> {
    let line_end = head.iter().position(|b| *b == b'\n').unwrap_or(head.len());
    let line = head[..line_end]
        .strip_suffix(b"\r")
        .unwrap_or(&head[..line_end]);
    let [s, e, p, b'=', delimiter] = line else {
        return None;
    };
    let is_sep = s.eq_ignore_ascii_case(&b's')
        && e.eq_ignore_ascii_case(&b'e')
        && p.eq_ignore_ascii_case(&b'p');
    let consumed = (line_end + 1).min(head.len());
    (is_sep && delimiter.is_ascii() && !delimiter.is_ascii_alphanumeric())
        .then_some((*delimiter, consumed))
}

pub(crate) fn default_delimiter(format: Format) -> u8 {
    match format {
        Format::Tsv | Format::Txt => b'\t',
        _ => b',',
    }
}

/// Field counts of the head's records when split at `delimiter`, quotes respected.
fn field_counts(head: &[u8], head_complete: bool, delimiter: u8) -> Vec<usize> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(head);
    let mut counts: Vec<usize> = reader
        .byte_records()
        .take(SNIFF_RECORDS + 1)
        .map_while(Result::ok)
        .map(|record| record.len())
        .collect();
    // The last record of a cut-off head may be incomplete.
    if !head_complete && counts.len() > 1 {
        counts.pop();
    }
    counts.truncate(SNIFF_RECORDS);
    counts
}

/// Chooses the delimiter that splits the head's records most consistently into more than
/// one field; `None` when no candidate splits any record.
///
/// Ranking: the share of records having the most common field count, then that count
/// (more fields win), then the delimiter the extension implies.
pub(crate) fn sniff_delimiter(head: &[u8], head_complete: bool, format: Format) -> Option<u8> {
    let preferred = default_delimiter(format);
    let mut best: Option<(u8, usize, usize, usize)> = None;
    for delimiter in CANDIDATE_DELIMITERS {
        let counts = field_counts(head, head_complete, delimiter);
        let Some((mode, matching)) = most_common(&counts) else {
            continue;
        };
        if mode < 2 {
            continue;
        }
        let total = counts.len();
        let better = match best {
            None => true,
            Some((best_delimiter, best_mode, best_matching, best_total)) => {
                // Compare matching/total fractions without floating point.
                let share = matching * best_total;
                let best_share = best_matching * total;
                (share, mode, delimiter == preferred)
                    > (best_share, best_mode, best_delimiter == preferred)
            }
        };
        if better {
            best = Some((delimiter, mode, matching, total));
        }
    }
    best.map(|(delimiter, ..)| delimiter)
}

/// Returns the most common value and how often it occurs (larger value on ties).
fn most_common(counts: &[usize]) -> Option<(usize, usize)> {
    let mut sorted = counts.to_vec();
    sorted.sort_unstable();
    let mut best: Option<(usize, usize)> = None;
    for group in sorted.chunk_by(|a, b| a == b) {
        let candidate = (group[0], group.len());
        if best.is_none_or(|(_, n)| candidate.1 >= n) {
            best = Some(candidate);
        }
    }
    best
}

pub(crate) fn io_to_read_error(error: std::io::Error, limits: &Limits) -> ReadError {
    match error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<RecordTooLong>())
    {
        Some(too_long) => record_too_long(too_long, limits),
        None => ReadError::Io(error),
    }
}

fn record_too_long(too_long: &RecordTooLong, limits: &Limits) -> ReadError {
    ReadError::Limit(format!(
        "a record is longer than the limit of {} bytes (reached at byte offset {}), usually an unclosed quote or a file without line breaks; the rest of the file is not read",
        limits.max_line_bytes, too_long.byte_offset
    ))
}

/// Row iterator over a CSV reader, interleaving errors for records with invalid bytes.
struct TextRows<R: Read> {
    reader: csv::Reader<R>,
    record: csv::StringRecord,
    shared: Rc<DecodeShared>,
    /// Decoded bytes before the CSV reader's first byte (an Excel `sep=` line).
    skipped_bytes: u64,
    encoding: TextEncoding,
    next_index: u64,
    pending: VecDeque<Result<Row, ReadError>>,
    done: bool,
    malformed_records: u64,
    limits: Limits,
}

impl<R: Read> TextRows<R> {
    fn new(
        reader: csv::Reader<R>,
        shared: Rc<DecodeShared>,
        skipped_bytes: u64,
        encoding: TextEncoding,
        limits: Limits,
    ) -> Self {
        TextRows {
            reader,
            record: csv::StringRecord::new(),
            shared,
            skipped_bytes,
            encoding,
            next_index: 0,
            pending: VecDeque::new(),
            done: false,
            malformed_records: 0,
            limits,
        }
    }

    fn report_malformed(&mut self, row: u64, decoded_end: u64) {
        let malformed = self.shared.take_malformed_before(decoded_end);
        let Some(first) = malformed.first() else {
            return;
        };
        self.malformed_records += 1;
        if self.malformed_records > MAX_REPORTED_MALFORMED_RECORDS {
            return;
        }
        let more = match malformed.len() {
            1 => String::new(),
            n => format!(" (and {} more in this record)", n - 1),
        };
        let message = match self.encoding {
            TextEncoding::Utf8 { .. } => format!(
                "invalid UTF-8 at byte offset {}{more}: the file mixes encodings (UTF-8 and probably GB18030/GBK); the bytes were replaced with U+FFFD, so re-export the file in one encoding",
                first.byte_offset
            ),
            other => format!(
                "invalid {} byte sequence at byte offset {}{more}; the bytes were replaced with U+FFFD",
                other.label(),
                first.byte_offset
            ),
        };
        self.pending.push_back(Err(ReadError::Row { row, message }));
    }

    fn malformed_note(&self) -> Option<String> {
        let total = self.shared.malformed_total();
        (total > 0).then(|| {
            format!(
                "{} invalid {} byte sequences in {} records, replaced with U+FFFD",
                total,
                self.encoding.label(),
                self.malformed_records
            )
        })
    }

    fn read_next(&mut self) {
        match self.reader.read_record(&mut self.record) {
            Ok(true) => {
                let index = self.next_index;
                self.next_index += 1;
                let decoded_end = self.skipped_bytes + self.reader.position().byte();
                self.shared.record_start.set(decoded_end);
                self.report_malformed(index, decoded_end);
                let cells = self.record.iter().map(text_cell).collect();
                self.pending.push_back(Ok(Row { index, cells }));
            }
            Ok(false) => {
                self.done = true;
                self.report_malformed(self.next_index, u64::MAX);
            }
            Err(error) => {
                self.done = true;
                let error = if error.is_io_error() {
                    match error.into_kind() {
                        csv::ErrorKind::Io(io) => io_to_read_error(io, &self.limits),
                        _ => ReadError::Row {
                            row: self.next_index,
                            message: "unreadable record".to_string(),
                        },
                    }
                } else {
                    ReadError::Row {
                        row: self.next_index,
                        message: format!("unreadable record: {error}"),
                    }
                };
                self.pending.push_back(Err(error));
            }
        }
    }
}

impl<R: Read> Iterator for TextRows<R> {
    type Item = Result<Row, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        while self.pending.is_empty() && !self.done {
            self.read_next();
        }
        self.pending.pop_front()
    }
}

fn text_cell(field: &str) -> Cell {
    let kind = if field.is_empty() {
        CellKind::Empty
    } else {
        CellKind::Text
    };
    Cell {
        kind,
        text: field.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sep_line_is_recognised() {
        assert_eq!(excel_sep_line(b"sep=;\r\na;b\n"), Some((b';', 7)));
        assert_eq!(excel_sep_line(b"SEP=|\na|b\n"), Some((b'|', 6)));
        assert_eq!(excel_sep_line(b"sep=;"), Some((b';', 5)));
        assert_eq!(excel_sep_line(b"sep,x\n"), None);
        assert_eq!(excel_sep_line(b"sep=ab\n"), None);
    }

    #[test]
    fn delimiter_sniffing_cases() {
        let cases: [(&[u8], Format, Option<u8>); 7] = [
            (b"a,b,c\n1,2,3\n4,5,6\n", Format::Csv, Some(b',')),
            (b"a;b;c\n1,5;2;3\n4;5,25;6\n", Format::Csv, Some(b';')),
            (b"a|b|c\n1|2|3\n", Format::Txt, Some(b'|')),
            (b"a\tb\n\"x,y\"\tz\n", Format::Csv, Some(b'\t')),
            (
                b"name,addr\n\"a;b\",c\n\"d;e\",f\n",
                Format::Csv,
                Some(b','),
            ),
            (b"just one column\nanother line\n", Format::Txt, None),
            (b"a,b,c\n1,2\n3,4,5,6\n7,8,9\n", Format::Csv, Some(b',')),
        ];
        for (head, format, expected) in cases {
            let got = sniff_delimiter(head, true, format);
            assert_eq!(got, expected, "head {:?}", String::from_utf8_lossy(head));
        }
    }

    #[test]
    fn tab_preferred_for_txt_on_tie() {
        // Both tab and comma split every record into two fields.
        let head = b"a\tb,c\nd\te,f\n";
        assert_eq!(sniff_delimiter(head, true, Format::Txt), Some(b'\t'));
    }

    #[test]
    fn most_common_prefers_larger_on_tie() {
        assert_eq!(most_common(&[2, 3, 3, 2]), Some((3, 2)));
        assert_eq!(most_common(&[]), None);
    }
}
