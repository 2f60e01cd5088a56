//! Writing the files of a layout: the row loop that renders people into cells and feeds
//! the ground truth, and one writer per file kind (delimited text, xlsx, plain text).

use std::fs::File;
use std::io::{self, Write};
use std::path::Path;
use std::sync::mpsc::{Receiver, SyncSender};

use chrono::{Datelike, NaiveDate};
use rand::RngExt;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

use super::GenerateError;
use super::layout::{FileKind, FileSpec, RowPlan, TableSpec, TextEncoding};
use super::people::Person;
use super::render::{RowContext, render};
use super::truth::{ColumnTruth, Element, FileTruth, RowBatch, RowOrigin, TableTruth};
use crate::read::Format as FileFormat;

/// Everything a table needs besides its own spec.
pub struct TableRun<'a> {
    pub people: &'a [Person],
    pub as_of: NaiveDate,
    pub batches: &'a mut BatchSender,
    /// Path of the file relative to the output directory, for truth and error messages.
    pub file: &'a str,
}

/// Rows per batch sent to the linking thread.
const BATCH_ROWS: usize = 4096;

/// Collects the linking facts of rendered rows and sends them in batches to the thread
/// that runs the union-find, which returns each batch emptied for reuse.
pub struct BatchSender {
    current: RowBatch,
    full: SyncSender<RowBatch>,
    empty: Receiver<RowBatch>,
}

impl BatchSender {
    pub fn new(full: SyncSender<RowBatch>, empty: Receiver<RowBatch>) -> BatchSender {
        BatchSender {
            current: RowBatch::default(),
            full,
            empty,
        }
    }

    /// Adds a row (see `RowBatch::push_row`) and returns whether it has no usable key.
    fn push_row<'v>(
        &mut self,
        cells: impl Iterator<Item = (Option<Element>, &'v str)>,
        person: usize,
        as_of: NaiveDate,
        origin: &RowOrigin,
    ) -> Result<bool, GenerateError> {
        let unlinked = self.current.push_row(cells, person, as_of, origin)?;
        if self.current.len() >= BATCH_ROWS {
            self.send()?;
        }
        Ok(unlinked)
    }

    /// Sends the rows collected so far.
    pub fn flush(&mut self) -> Result<(), GenerateError> {
        if self.current.is_empty() {
            Ok(())
        } else {
            self.send()
        }
    }

    fn send(&mut self) -> Result<(), GenerateError> {
        let next = self.empty.try_recv().unwrap_or_default();
        let full = std::mem::replace(&mut self.current, next);
        self.full
            .send(full)
            .map_err(|_| GenerateError::Internal("the linking thread stopped early".to_owned()))
    }
}

/// Writes one file of a layout and returns its truth. `rngs` returns the random stream of
/// the table with the given index.
pub fn write_file(
    spec: &FileSpec,
    path: &Path,
    run: &mut TableRun,
    rngs: &mut dyn FnMut(usize) -> ChaCha8Rng,
) -> Result<FileTruth, GenerateError> {
    let io_error = |error: io::Error| GenerateError::Io {
        path: path.to_path_buf(),
        error,
    };
    match &spec.kind {
        FileKind::Text(contents) => {
            std::fs::write(path, contents).map_err(io_error)?;
            Ok(FileTruth {
                path: spec.path.clone(),
                format: FileFormat::Txt,
                encoding: Some(TextEncoding::Utf8.label().to_owned()),
                bom: false,
                delimiter: None,
                line_ending: Some(
                    if contents.contains("\r\n") {
                        "crlf"
                    } else {
                        "lf"
                    }
                    .to_owned(),
                ),
                tables: Vec::new(),
            })
        }
        FileKind::Delimited {
            encoding,
            bom,
            delimiter,
            crlf,
        } => {
            let Some(table) = spec.tables.first() else {
                return Err(GenerateError::Internal(format!(
                    "{}: delimited file without a table",
                    spec.path
                )));
            };
            let options = DelimitedOptions {
                encoding: *encoding,
                bom: *bom,
                delimiter: *delimiter,
                crlf: *crlf,
            };
            let table_truth = write_delimited(path, &options, table, run, &mut rngs(0))?;
            Ok(FileTruth {
                path: spec.path.clone(),
                format: if *delimiter == b'\t' {
                    FileFormat::Tsv
                } else {
                    FileFormat::Csv
                },
                encoding: Some(encoding.label().to_owned()),
                bom: *bom,
                delimiter: Some(char::from(*delimiter)),
                line_ending: Some(if *crlf { "crlf" } else { "lf" }.to_owned()),
                tables: vec![table_truth],
            })
        }
        FileKind::Workbook { constant_memory } => {
            let tables = write_workbook(path, *constant_memory, &spec.tables, run, rngs)?;
            Ok(FileTruth {
                path: spec.path.clone(),
                format: FileFormat::Xlsx,
                encoding: None,
                bom: false,
                delimiter: None,
                line_ending: None,
                tables,
            })
        }
    }
}

struct DelimitedOptions {
    encoding: TextEncoding,
    bom: bool,
    delimiter: u8,
    crlf: bool,
}

fn write_delimited(
    path: &Path,
    options: &DelimitedOptions,
    table: &TableSpec,
    run: &mut TableRun,
    rng: &mut ChaCha8Rng,
) -> Result<TableTruth, GenerateError> {
    let io_error = |error: io::Error| GenerateError::Io {
        path: path.to_path_buf(),
        error,
    };
    let csv_error = |source: csv::Error| GenerateError::Write {
        path: path.to_path_buf(),
        message: source.to_string(),
    };
    let file = File::create(path).map_err(io_error)?;
    let mut buffered = BackgroundWriter::new(file);
    if options.bom {
        buffered
            .write_all("\u{feff}".as_bytes())
            .map_err(io_error)?;
    }
    let output = match options.encoding {
        TextEncoding::Utf8 => TextOutput::Utf8(buffered),
        TextEncoding::Gb18030 => TextOutput::Gb18030(Gb18030Writer::new(buffered)),
    };
    let terminator = if options.crlf {
        csv::Terminator::CRLF
    } else {
        csv::Terminator::Any(b'\n')
    };
    let mut writer = csv::WriterBuilder::new()
        .delimiter(options.delimiter)
        .terminator(terminator)
        .buffer_capacity(1 << 16)
        .from_writer(output);
    writer
        .write_record(table.columns.iter().map(|column| column.header))
        .map_err(csv_error)?;
    let (data_rows, unlinked_rows) = fill_table(table, run, rng, 1, |_, cells| {
        writer.write_record(cells).map_err(csv_error)
    })?;
    let output = writer.into_inner().map_err(|error| GenerateError::Write {
        path: path.to_path_buf(),
        message: error.to_string(),
    })?;
    output.finish().map_err(io_error)?;
    Ok(table_truth(table, false, data_rows, unlinked_rows))
}

fn write_workbook(
    path: &Path,
    constant_memory: bool,
    tables: &[TableSpec],
    run: &mut TableRun,
    rngs: &mut dyn FnMut(usize) -> ChaCha8Rng,
) -> Result<Vec<TableTruth>, GenerateError> {
    let xlsx_error = |source: XlsxError| GenerateError::Write {
        path: path.to_path_buf(),
        message: source.to_string(),
    };
    let mut workbook = Workbook::new();
    // A fixed creation time keeps the bytes identical between runs.
    let created = ExcelDateTime::from_ymd(
        run.as_of.year() as u16,
        run.as_of.month() as u8,
        run.as_of.day() as u8,
    )
    .map_err(xlsx_error)?;
    workbook.set_properties(&DocProperties::new().set_creation_datetime(&created));
    let mut truths = Vec::with_capacity(tables.len());
    for (index, table) in tables.iter().enumerate() {
        let sheet = if constant_memory {
            workbook
                .add_worksheet_with_constant_memory()
                .map_err(xlsx_error)?
        } else {
            workbook.add_worksheet()
        };
        if let Some(name) = &table.sheet {
            sheet.set_name(name).map_err(xlsx_error)?;
        }
        let first_column = table.first_column;
        for (row, title) in table.title_rows.iter().enumerate() {
            if title.is_empty() {
                continue;
            }
            let last_column = first_column + table.columns.len().saturating_sub(1) as u16;
            if row == 0 && !constant_memory && last_column > first_column {
                sheet
                    .merge_range(
                        0,
                        first_column,
                        0,
                        last_column,
                        title,
                        &Format::new().set_bold(),
                    )
                    .map_err(xlsx_error)?;
            } else {
                sheet
                    .write_string(row as u32, first_column, title)
                    .map_err(xlsx_error)?;
            }
        }
        let header_row = table.title_rows.len() as u32;
        for (offset, column) in table.columns.iter().enumerate() {
            sheet
                .write_string(header_row, first_column + offset as u16, column.header)
                .map_err(xlsx_error)?;
        }
        let mut rng = rngs(index);
        let (data_rows, unlinked_rows) = fill_table(
            table,
            run,
            &mut rng,
            u64::from(header_row) + 1,
            |row, cells| write_sheet_row(sheet, table, row as u32, cells).map_err(xlsx_error),
        )?;
        truths.push(table_truth(table, true, data_rows, unlinked_rows));
    }
    workbook.save(path).map_err(xlsx_error)?;
    Ok(truths)
}

fn write_sheet_row(
    sheet: &mut Worksheet,
    table: &TableSpec,
    row: u32,
    cells: &[String],
) -> Result<(), XlsxError> {
    for (offset, (column, value)) in table.columns.iter().zip(cells).enumerate() {
        if value.is_empty() {
            continue;
        }
        let column_index = table.first_column + offset as u16;
        match value.parse::<f64>() {
            Ok(number) if column.number_cell => sheet.write_number(row, column_index, number)?,
            _ => sheet.write_string(row, column_index, value)?,
        };
    }
    Ok(())
}

fn table_truth(table: &TableSpec, sheet: bool, data_rows: u64, unlinked_rows: u64) -> TableTruth {
    let first_column = u32::from(table.first_column);
    let columns = table
        .columns
        .iter()
        .enumerate()
        .map(|(offset, column)| {
            let index = first_column + offset as u32;
            ColumnTruth {
                index,
                letter: sheet.then(|| column_letter(index)),
                header: column.header.to_owned(),
                element: column.kind.element().map(|element| element.id().to_owned()),
                decoy: column.kind.is_decoy(),
            }
        })
        .collect();
    TableTruth {
        sheet: table.sheet.clone(),
        header_row: table.title_rows.len() as u64,
        first_column,
        data_rows,
        unlinked_rows,
        columns,
    }
}

/// Returns the spreadsheet letter of a 0-based column (0 → A, 27 → AB).
pub fn column_letter(index: u32) -> String {
    let mut letters = Vec::new();
    let mut remaining = index + 1;
    while remaining > 0 {
        let digit = (remaining - 1) % 26;
        letters.push(b'A' + digit as u8);
        remaining = (remaining - 1) / 26;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

/// Renders every row of `table`, adds it to the truth and passes its cells to `sink`
/// with the absolute row index. Returns the number of data rows and of unlinked rows.
fn fill_table(
    table: &TableSpec,
    run: &mut TableRun,
    rng: &mut ChaCha8Rng,
    first_data_row: u64,
    mut sink: impl FnMut(u64, &[String]) -> Result<(), GenerateError>,
) -> Result<(u64, u64), GenerateError> {
    let people = run.people;
    if people.is_empty() {
        return Err(GenerateError::Config(
            "the master list is empty: pass --people 1 or more".to_owned(),
        ));
    }
    let mut chooser = RowPeople::new(table, people, rng);
    let row_count = chooser.row_count();
    let mut cells = vec![String::new(); table.columns.len()];
    let mut unlinked_rows = 0;
    for serial in 0..row_count {
        let (person_index, masked) = chooser.next(serial as usize, rng);
        let person = &people[person_index];
        let context = RowContext {
            person,
            serial: serial + 1,
            masked,
            force_legacy_id: table.legacy_id_people.contains(&person_index),
            force_lowercase_x: table.lowercase_x_people.contains(&person_index),
            as_of: run.as_of,
        };
        for (cell, column) in cells.iter_mut().zip(&table.columns) {
            cell.clear();
            if column.blank > 0.0 && rng.random_bool(column.blank) {
                continue;
            }
            render(column.kind, &context, rng, cell);
        }
        let row = first_data_row + serial;
        let origin = RowOrigin {
            file: run.file,
            sheet: table.sheet.as_deref(),
            row,
        };
        let elements = table.columns.iter().map(|column| column.kind.element());
        let values = cells.iter().map(String::as_str);
        if run
            .batches
            .push_row(elements.zip(values), person_index, run.as_of, &origin)?
        {
            unlinked_rows += 1;
        }
        sink(row, &cells)?;
    }
    Ok((row_count, unlinked_rows))
}

/// Chooses the person of each row. For drawn rows it stays one row ahead and prefetches
/// that person: with a large master list, reading a random person misses the CPU cache,
/// and the miss would otherwise stall every row.
struct RowPeople<'a> {
    people: &'a [Person],
    /// The people of a `RowPlan::Subset`, in row order.
    planned: Option<Vec<usize>>,
    rows: u64,
    range: std::ops::Range<usize>,
    masked_share: f64,
    ahead: Option<(usize, bool)>,
}

impl<'a> RowPeople<'a> {
    fn new(table: &TableSpec, people: &'a [Person], rng: &mut ChaCha8Rng) -> RowPeople<'a> {
        match &table.rows {
            RowPlan::Subset {
                share,
                forced,
                max_repeats,
            } => {
                let list = subset_rows(people.len(), *share, forced, *max_repeats, rng);
                RowPeople {
                    people,
                    rows: list.len() as u64,
                    planned: Some(list),
                    range: 0..people.len(),
                    masked_share: 0.0,
                    ahead: None,
                }
            }
            RowPlan::Draw {
                rows,
                people: range,
                masked_share,
            } => RowPeople {
                people,
                planned: None,
                rows: *rows,
                range: clamp_range(range, people.len()),
                masked_share: *masked_share,
                ahead: None,
            },
        }
    }

    fn row_count(&self) -> u64 {
        self.rows
    }

    /// Returns the person of row `serial` (0-based) and whether the row is masked.
    fn next(&mut self, serial: usize, rng: &mut ChaCha8Rng) -> (usize, bool) {
        if let Some(list) = &self.planned {
            if let Some(&next) = list.get(serial + 1) {
                prefetch(&self.people[next]);
            }
            return (list.get(serial).copied().unwrap_or(0), false);
        }
        let current = match self.ahead.take() {
            Some(drawn) => drawn,
            None => self.draw(rng),
        };
        let next = self.draw(rng);
        prefetch(&self.people[next.0]);
        self.ahead = Some(next);
        current
    }

    fn draw(&self, rng: &mut ChaCha8Rng) -> (usize, bool) {
        let index = rng.random_range(self.range.clone());
        (
            index,
            self.masked_share > 0.0 && rng.random_bool(self.masked_share),
        )
    }
}

/// Asks the CPU to load `person` into the cache; only a hint, with no effect on results.
#[inline]
fn prefetch(person: &Person) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        let start = (person as *const Person).cast::<i8>();
        // SAFETY: a prefetch never faults and changes no memory. Both addresses are inside
        // `person`, the second one cache line further on when `Person` is that large.
        unsafe {
            _mm_prefetch::<_MM_HINT_T0>(start);
            _mm_prefetch::<_MM_HINT_T0>(start.wrapping_add(64.min(size_of::<Person>() - 1)));
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = person;
}

/// Limits `range` to the master list, falling back to the whole list when nothing of it
/// is left. `len` must be at least 1.
fn clamp_range(range: &std::ops::Range<usize>, len: usize) -> std::ops::Range<usize> {
    let end = range.end.min(len);
    if range.start < end {
        range.start..end
    } else {
        0..len
    }
}

fn subset_rows(
    people: usize,
    share: f64,
    forced: &[usize],
    max_repeats: u32,
    rng: &mut ChaCha8Rng,
) -> Vec<usize> {
    let mut rows = Vec::new();
    for person in 0..people {
        let chosen = rng.random_bool(share);
        if !chosen && !forced.contains(&person) {
            continue;
        }
        let repeats = rng.random_range(1..=max_repeats.max(1));
        rows.extend(std::iter::repeat_n(person, repeats as usize));
    }
    rows.shuffle(rng);
    rows
}

/// Output of a delimited file before encoding.
enum TextOutput {
    Utf8(BackgroundWriter),
    Gb18030(Gb18030Writer<BackgroundWriter>),
}

impl Write for TextOutput {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        match self {
            TextOutput::Utf8(inner) => inner.write(bytes),
            TextOutput::Gb18030(inner) => inner.write(bytes),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            TextOutput::Utf8(inner) => inner.flush(),
            TextOutput::Gb18030(inner) => inner.flush(),
        }
    }
}

impl TextOutput {
    fn finish(self) -> io::Result<()> {
        let inner = match self {
            TextOutput::Utf8(inner) => inner,
            TextOutput::Gb18030(inner) => inner.finish()?,
        };
        inner.finish()
    }
}

/// Size of the chunks handed to the writing thread.
const WRITE_CHUNK: usize = 1 << 20;

/// Writes to a file on its own thread, so that the system calls copying a large file
/// overlap with rendering the next rows.
struct BackgroundWriter {
    buffer: Vec<u8>,
    full: Option<SyncSender<Vec<u8>>>,
    empty: Receiver<Vec<u8>>,
    thread: Option<std::thread::JoinHandle<io::Result<()>>>,
}

impl BackgroundWriter {
    fn new(file: File) -> BackgroundWriter {
        let (full_sender, full_receiver) = std::sync::mpsc::sync_channel::<Vec<u8>>(2);
        let (empty_sender, empty_receiver) = std::sync::mpsc::channel::<Vec<u8>>();
        let thread = std::thread::spawn(move || {
            let mut file = file;
            for mut chunk in full_receiver {
                file.write_all(&chunk)?;
                chunk.clear();
                // The sender may be gone after its last chunk; the chunk is then dropped.
                let _ = empty_sender.send(chunk);
            }
            file.flush()
        });
        BackgroundWriter {
            buffer: Vec::with_capacity(WRITE_CHUNK),
            full: Some(full_sender),
            empty: empty_receiver,
            thread: Some(thread),
        }
    }

    fn send_buffer(&mut self) -> io::Result<()> {
        let next = self
            .empty
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(WRITE_CHUNK));
        let chunk = std::mem::replace(&mut self.buffer, next);
        let sent = self.full.as_ref().map(|sender| sender.send(chunk));
        match sent {
            Some(Ok(())) => Ok(()),
            // The thread stopped, which it does only after a write error: report that.
            _ => self
                .join()
                .and(Err(io::Error::other("the writing thread stopped"))),
        }
    }

    fn join(&mut self) -> io::Result<()> {
        self.full = None;
        match self.thread.take().map(std::thread::JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(io::Error::other("the writing thread panicked")),
            None => Ok(()),
        }
    }

    /// Writes what is buffered and waits until the file is written.
    fn finish(mut self) -> io::Result<()> {
        if !self.buffer.is_empty() {
            self.send_buffer()?;
        }
        self.join()
    }
}

impl Write for BackgroundWriter {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.buffer.extend_from_slice(bytes);
        if self.buffer.len() >= WRITE_CHUNK {
            self.send_buffer()?;
        }
        Ok(bytes.len())
    }

    /// Does nothing: `finish` writes the buffered bytes and waits for the thread.
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Encodes the UTF-8 bytes written to it as GB18030. encoding_rs encodes only whole
/// strings, and the csv writer flushes its buffer at arbitrary byte positions, so a
/// character split across two writes is held back until its remaining bytes arrive.
struct Gb18030Writer<W: Write> {
    inner: W,
    encoder: encoding_rs::Encoder,
    pending: Vec<u8>,
    encoded: Vec<u8>,
}

impl<W: Write> Gb18030Writer<W> {
    fn new(inner: W) -> Gb18030Writer<W> {
        Gb18030Writer {
            inner,
            encoder: encoding_rs::GB18030.new_encoder(),
            pending: Vec::new(),
            encoded: vec![0; 1 << 16],
        }
    }

    /// Encodes the first `length` pending bytes, which must be whole UTF-8 characters.
    fn encode_pending(&mut self, length: usize, last: bool) -> io::Result<()> {
        let text = std::str::from_utf8(&self.pending[..length])
            .map_err(|error| io::Error::new(io::ErrorKind::InvalidData, error))?;
        let mut read_total = 0;
        loop {
            let (result, read, written, _) =
                self.encoder
                    .encode_from_utf8(&text[read_total..], &mut self.encoded, last);
            self.inner.write_all(&self.encoded[..written])?;
            read_total += read;
            if result == encoding_rs::CoderResult::InputEmpty {
                break;
            }
        }
        self.pending.drain(..length);
        Ok(())
    }

    fn finish(mut self) -> io::Result<W> {
        let length = self.pending.len();
        self.encode_pending(length, true)?;
        self.inner.flush()?;
        Ok(self.inner)
    }
}

impl<W: Write> Write for Gb18030Writer<W> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(bytes);
        let complete = match std::str::from_utf8(&self.pending) {
            Ok(text) => text.len(),
            Err(error) if error.error_len().is_none() => error.valid_up_to(),
            Err(error) => return Err(io::Error::new(io::ErrorKind::InvalidData, error)),
        };
        self.encode_pending(complete, false)?;
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}
