//! Scanning one table: header detection and column tagging on a sample (the `TablePlan`),
//! then a full pass that counts values and feeds each record's keys to the people index
//! (a `TableTally`, which merges, so parts of a large file can be counted in parallel).

use chrono::{Months, NaiveDate};

use crate::detect::{self, ValueCounts};
use crate::identity::{KeyHasher, PeopleIndex, RecordBatch, RecordFacts, RecordKeys};
use crate::inventory::{ColumnReport, TableReport, column_letter};
use crate::mask::mask_value;
use crate::pack::{ElementPack, ValueClass};
use crate::read::chunks::TextRecord;
use crate::read::{Cell, CellKind, ReadError, Row, SchemaColumn, TableMeta, TableVisitor};

/// Row problems listed per table; further ones are only counted.
const MAX_LISTED_PROBLEMS: usize = 20;

/// Rows read while the header and the sample are found. Blank rows do not count toward
/// either, so without this cap a file of blank lines would be read whole before counting.
const MAX_BUFFERED_ROWS: usize = 10 * detect::SAMPLE_ROWS;

/// Cells held while the header and the sample are found, about 320 MB of empty cells at 32
/// bytes each. Rows of 16,384 cells would otherwise take 5 GB at `MAX_BUFFERED_ROWS`, so a
/// table wider than 10,000 columns gets a sample of fewer than `detect::SAMPLE_ROWS` rows.
const MAX_BUFFERED_CELLS: usize = 10_000_000;

/// Masked examples shown per column.
const MAX_EXAMPLES: usize = 3;

/// Shared state of every table in a scan.
pub struct ScanContext<'a> {
    pub pack: &'a ElementPack,
    pub hasher: KeyHasher,
    pub as_of: NaiveDate,
    /// Element index of resident_id, whose valid values anchor a person.
    pub resident_id: Option<usize>,
}

/// The fields of one row, whatever the reader: sheet cells or a CSV record.
pub trait Fields {
    fn count(&self) -> usize;
    /// Returns the text and storage kind of field `index`.
    fn field(&self, index: usize) -> Option<(&str, CellKind)>;
    /// Returns the location of the row in its file.
    fn place(&self) -> Place;
}

/// Location of a row in its file, for problem messages.
#[derive(Debug, Clone, Copy)]
pub enum Place {
    /// 0-based row index in the file or sheet.
    Row(u64),
    /// Byte offset of the record, for parts of a file read in parallel, whose row numbers
    /// are not known.
    Byte(u64),
}

impl Place {
    /// Builds a row problem at this place.
    fn problem(self, message: String) -> ReadError {
        match self {
            Place::Row(row) => ReadError::Row { row, message },
            Place::Byte(offset) => {
                ReadError::Corrupt(format!("record at byte offset {offset}: {message}"))
            }
        }
    }
}

impl Fields for Row {
    fn count(&self) -> usize {
        self.cells.len()
    }

    fn field(&self, index: usize) -> Option<(&str, CellKind)> {
        self.cells.get(index).map(|c| (c.text.as_str(), c.kind))
    }

    fn place(&self) -> Place {
        Place::Row(self.index)
    }
}

impl Fields for TextRecord<'_> {
    fn count(&self) -> usize {
        self.len()
    }

    fn field(&self, index: usize) -> Option<(&str, CellKind)> {
        self.get(index).map(|text| (text, CellKind::Text))
    }

    fn place(&self) -> Place {
        Place::Byte(self.offset())
    }
}

/// A row read in parallel byte ranges, whose index counts from the start of its range.
pub struct RangeRow<'a> {
    pub row: &'a Row,
    pub offset: u64,
}

impl Fields for RangeRow<'_> {
    fn count(&self) -> usize {
        self.row.count()
    }

    fn field(&self, index: usize) -> Option<(&str, CellKind)> {
        self.row.field(index)
    }

    fn place(&self) -> Place {
        Place::Byte(self.offset)
    }
}

/// Visits the tables of one file and collects their reports and people.
pub struct FileScanner<'a> {
    context: &'a ScanContext<'a>,
    /// The file's display path, for log lines.
    path: &'a str,
    pub tables: Vec<TableReport>,
    pub people: PeopleIndex,
    /// Rows whose second value of a linking element differs from the first, so the row may
    /// hold a second person (an emergency contact's phone).
    pub possible_other_people: u64,
    /// Whether any table of the file was not fully read.
    pub incomplete: bool,
    /// Schema entries that could not be read, each naming its table. They make the file
    /// partial, as `FileRead::unread` does.
    pub unread: Vec<String>,
    /// When set, the scanner stops after planning the first table and keeps its plan, for
    /// a caller that counts the rows itself in parallel parts.
    plan_only: bool,
    pub plan: Option<TablePlan>,
}

impl<'a> FileScanner<'a> {
    pub fn new(context: &'a ScanContext<'a>, path: &'a str) -> FileScanner<'a> {
        FileScanner {
            context,
            path,
            tables: Vec::new(),
            people: PeopleIndex::new(),
            possible_other_people: 0,
            incomplete: false,
            unread: Vec::new(),
            plan_only: false,
            plan: None,
        }
    }

    /// Creates a scanner that only plans the first table from its head rows.
    pub fn planner(context: &'a ScanContext<'a>, path: &'a str) -> FileScanner<'a> {
        FileScanner {
            plan_only: true,
            ..FileScanner::new(context, path)
        }
    }

    /// Lists the error items of a schema table (entries the reader could not read) in
    /// `unread`, the first `MAX_LISTED_PROBLEMS` of them one by one.
    fn record_schema_errors(
        &mut self,
        meta: &TableMeta,
        rows: &mut dyn Iterator<Item = Result<Row, ReadError>>,
    ) {
        let table = meta.name.as_deref().unwrap_or("-");
        let mut unlisted = 0u64;
        let mut listed = 0;
        for error in rows.filter_map(Result::err) {
            if listed < MAX_LISTED_PROBLEMS {
                self.unread.push(format!("table {table}: {error}"));
                listed += 1;
            } else {
                unlisted += 1;
            }
        }
        if unlisted > 0 {
            self.unread
                .push(format!("table {table}: {unlisted} more unreadable entries"));
        }
    }

    /// Adds a counted table to the file's results.
    pub fn add_table(&mut self, plan: &TablePlan, meta: &TableMeta, tally: TableTally) {
        self.possible_other_people += tally.possible_other_people;
        self.incomplete |= tally.problem_count > 0;
        let (report, people) = tally.into_report(self.context, plan, meta);
        self.people.merge(people);
        self.tables.push(report);
    }
}

impl TableVisitor for FileScanner<'_> {
    fn table(&mut self, meta: &TableMeta, rows: &mut dyn Iterator<Item = Result<Row, ReadError>>) {
        if let Some(columns) = &meta.schema_columns {
            let report = schema_table(self.context.pack, meta, columns);
            self.tables.push(report);
            self.record_schema_errors(meta, rows);
            return;
        }
        if self.plan_only {
            if self.plan.is_none() {
                let mut tally = TableTally::new(0);
                let (plan, _) =
                    TablePlan::from_head(self.context, meta, self.path, rows, &mut tally);
                self.plan = Some(plan);
            }
            return;
        }
        let mut tally = TableTally::new(0);
        let (plan, buffered) =
            TablePlan::from_head(self.context, meta, self.path, rows, &mut tally);
        tally.columns = vec![ColumnTally::default(); plan.columns.len()];
        let mut scratch = RowScratch::new(plan.columns.len());
        for row in &buffered {
            tally.add_row(self.context, &plan, &mut scratch, row);
        }
        drop(buffered);
        for item in rows {
            match item {
                Ok(row) => tally.add_row(self.context, &plan, &mut scratch, &row),
                Err(error) => tally.record_problem(error),
            }
        }
        if tally.withdrawn {
            // The reader visits this table again, sorted.
            return;
        }
        self.add_table(&plan, meta, tally);
    }
}

/// Tags the declared columns of a schema file from their names and comments.
fn schema_table(pack: &ElementPack, meta: &TableMeta, columns: &[SchemaColumn]) -> TableReport {
    let columns = columns
        .iter()
        .enumerate()
        .map(|(index, column)| {
            let header = match &column.comment {
                Some(comment) => format!("{} {}", column.name, comment),
                None => column.name.clone(),
            };
            let tag = detect::tag_column(pack, &header, &[]);
            let element = tag.as_ref().map(|t| &pack.elements[t.element]);
            ColumnReport {
                index: index as u32,
                letter: None,
                header: column.name.clone(),
                element: element.map(|e| e.id.clone()),
                category: element.map(|e| e.category),
                masked: false,
                confidence: tag.as_ref().map_or(0.0, |t| t.confidence),
                non_empty: 0,
                valid: 0,
                masked_values: 0,
                damaged_values: 0,
                linking: false,
                examples: Vec::new(),
                note: column.comment.as_ref().map(|c| format!("comment: {c}")),
            }
        })
        .collect();
    TableReport {
        name: meta.name.clone(),
        visibility: meta.visibility,
        header_row: None,
        rows: 0,
        columns,
        problems: Vec::new(),
    }
}

/// Non-blank rows read before the full pass. Blank rows are dropped because they are neither
/// a header nor data nor a footer, so the full pass has nothing to count in them.
#[derive(Default)]
struct HeadRows {
    rows: Vec<Row>,
    /// Rows read, blank ones included.
    read: usize,
    /// Cells in `rows`.
    cells: usize,
}

impl HeadRows {
    fn has_room(&self) -> bool {
        self.read < MAX_BUFFERED_ROWS && self.cells < MAX_BUFFERED_CELLS
    }

    fn push(&mut self, row: Row) {
        self.read += 1;
        if !detect::is_blank(&row) {
            self.cells += row.cells.len();
            self.rows.push(row);
        }
    }
}

/// Treatment of one column in the full pass.
#[derive(Debug, Clone)]
pub struct ColumnPlan {
    /// Position in the row's fields.
    position: usize,
    header: String,
    element: Option<usize>,
    confidence: f32,
    /// Valid values become linking keys.
    links: bool,
    /// Position of the column whose key this one is compared with, for a second column of
    /// one linking element.
    second_of: Option<usize>,
    /// A linking element whose header names another person, so it never links.
    other_person: bool,
    /// Whether the full pass needs this column's link key (it links or is compared).
    needs_key: bool,
    /// Whether valid values carry a birth date (resident IDs, birth dates).
    birth_dates: bool,
    personal: bool,
}

/// The header and column tags of a table, decided from its first rows.
#[derive(Debug, Clone)]
pub struct TablePlan {
    /// Absolute row index of the header, if the table has one.
    pub header_row: Option<u64>,
    header_cells: Vec<String>,
    /// Positions of the non-empty header cells.
    header_filled: Vec<usize>,
    columns: Vec<ColumnPlan>,
    /// Positions of the tagged columns, the only ones the full pass classifies.
    tagged: Vec<usize>,
    /// Whether the table is delimited text, where a line break inside a field needs quotes.
    delimited: bool,
}

impl TablePlan {
    /// Reads the header window and the sample from `rows`, finds the header and tags every
    /// column. Returns the plan and the buffered rows, which the caller still has to count
    /// (the header and the rows above it are left out).
    pub fn from_head(
        context: &ScanContext,
        meta: &TableMeta,
        path: &str,
        rows: &mut dyn Iterator<Item = Result<Row, ReadError>>,
        tally: &mut TableTally,
    ) -> (TablePlan, Vec<Row>) {
        let mut head = HeadRows::default();
        while head.rows.len() < detect::HEADER_WINDOW && head.has_room() {
            match rows.next() {
                None => break,
                Some(Err(error)) => tally.record_problem(error),
                Some(Ok(row)) => head.push(row),
            }
        }
        let header_position = detect::find_header(context.pack, &head.rows);
        let mut plan = TablePlan {
            header_row: None,
            header_cells: Vec::new(),
            header_filled: Vec::new(),
            columns: Vec::new(),
            tagged: Vec::new(),
            delimited: meta.name.is_none(),
        };
        if let Some(position) = header_position {
            let header = &head.rows[position];
            plan.header_row = Some(header.index);
            plan.header_cells = header.cells.iter().map(|c| c.text.clone()).collect();
            plan.header_filled = (header.cells.iter().enumerate())
                .filter(|(_, cell)| !cell.text.is_empty())
                .map(|(i, _)| i)
                .collect();
        }
        let data_start = header_position.map_or(0, |p| p + 1);
        let mut data = head.rows[data_start..]
            .iter()
            .filter(|r| plan.is_data(*r))
            .count();
        while data < detect::SAMPLE_ROWS && head.has_room() {
            match rows.next() {
                None => break,
                Some(Err(error)) => tally.record_problem(error),
                Some(Ok(row)) => {
                    data += usize::from(plan.is_data(&row));
                    head.push(row);
                }
            }
        }
        let mut buffer = head.rows;
        let skipped_data = buffer[..data_start]
            .iter()
            .filter(|row| detect::has_identifier(context.pack, row))
            .count();
        if let (Some(header_row), true) = (plan.header_row, skipped_data > 0) {
            tally.record_problem(ReadError::Row {
                row: header_row,
                message: format!(
                    "{skipped_data} row(s) above the header row contain identifiers and were \
                     not counted; check that the header row is the table's first row"
                ),
            });
        }
        buffer.drain(..data_start);
        plan.tag_columns(context, meta, path, &buffer);
        (plan, buffer)
    }

    pub fn width(&self) -> usize {
        self.columns.len()
    }

    /// Returns whether a row is a data record: not blank, not a footer, not a repeated header.
    fn is_data(&self, row: &impl Fields) -> bool {
        let mut filled = (0..row.count())
            .filter_map(|i| row.field(i))
            .filter(|(_, kind)| !matches!(kind, CellKind::Empty | CellKind::Error))
            .filter_map(|(text, _)| detect::field_value(text));
        let Some(first) = filled.next() else {
            return false;
        };
        if detect::is_footer_fields(std::iter::once(first).chain(filled)) {
            return false;
        }
        !self.repeats_header(row)
    }

    fn repeats_header(&self, row: &impl Fields) -> bool {
        let same = |i: usize| {
            let header = self.header_cells.get(i);
            row.field(i)
                .is_some_and(|(text, _)| header.is_some_and(|h| text == h))
        };
        // A data row differs from the header in a filled cell at once, so the empty cells of
        // a wide header are compared only for a row that may repeat it.
        !self.header_cells.is_empty()
            && row.count() == self.header_cells.len()
            && self.header_filled.iter().all(|&i| same(i))
            && (0..self.header_cells.len()).all(same)
    }

    /// Tags every column from the header and the sampled data rows, and decides which
    /// columns link records.
    fn tag_columns(&mut self, context: &ScanContext, meta: &TableMeta, path: &str, sample: &[Row]) {
        let pack = context.pack;
        let data: Vec<&Row> = sample.iter().filter(|r| self.is_data(*r)).collect();
        let width = data
            .iter()
            .map(|r| r.cells.len())
            .chain(std::iter::once(self.header_cells.len()))
            .max()
            .unwrap_or(0);
        // The non-empty sampled cells of each column, gathered in one pass over the rows. A
        // column without a header or such a cell cannot be tagged, so it skips header
        // matching and classification. Tagging then costs time in proportion to the non-empty
        // cells instead of rows times columns.
        let mut values: Vec<Vec<&Cell>> = vec![Vec::new(); width];
        for row in &data {
            for (cell, column) in row.cells.iter().zip(values.iter_mut()) {
                if detect::value_text(cell).is_some() {
                    column.push(cell);
                }
            }
        }
        for (position, cells) in values.into_iter().enumerate() {
            let header = self.header_cells.get(position).cloned().unwrap_or_default();
            let tag = if header.trim().is_empty() && cells.is_empty() {
                None
            } else {
                let tag = detect::tag_column(pack, &header, &cells);
                log_tag(
                    context,
                    meta,
                    path,
                    position,
                    &header,
                    tag.as_ref(),
                    cells.len(),
                );
                tag
            };
            let element = tag.as_ref().map(|t| t.element);
            let personal = element.is_some_and(|e| detect::is_personal(&pack.elements[e]));
            self.columns.push(ColumnPlan {
                position,
                header,
                element,
                confidence: tag.map_or(0.0, |t| t.confidence),
                links: false,
                second_of: None,
                other_person: false,
                needs_key: false,
                birth_dates: element.is_some_and(|e| pack.elements[e].carries_birth_date()),
                personal,
            });
        }
        self.choose_linking_columns(pack);
        self.tagged = self
            .columns
            .iter()
            .filter(|c| c.element.is_some())
            .map(|c| c.position)
            .collect();
    }

    /// Marks the first column of each linking element as the one that links records. A
    /// later column of the same element, or one whose header names another person (an
    /// emergency contact), is compared with it instead, because one row is one person.
    fn choose_linking_columns(&mut self, pack: &ElementPack) {
        let mut primary: Vec<Option<usize>> = vec![None; pack.elements.len()];
        let (own, other): (Vec<&ColumnPlan>, Vec<&ColumnPlan>) = self
            .columns
            .iter()
            .partition(|c| !detect::names_other_person(&c.header));
        let ordered: Vec<usize> = own.iter().chain(other.iter()).map(|c| c.position).collect();
        for position in ordered {
            let column = &mut self.columns[position];
            let Some(element) = column.element else {
                continue;
            };
            if !pack.elements[element].linking || !column.personal {
                continue;
            }
            match primary[element] {
                None if !detect::names_other_person(&column.header) => {
                    primary[element] = Some(position);
                    column.links = true;
                }
                None => column.other_person = true,
                Some(first) => column.second_of = Some(first),
            }
        }
        let mut compared = vec![false; self.columns.len()];
        for first in self.columns.iter().filter_map(|c| c.second_of) {
            compared[first] = true;
        }
        for column in &mut self.columns {
            column.needs_key =
                column.links || column.second_of.is_some() || compared[column.position];
        }
    }
}

/// Logs why a column was or was not tagged; never a value. A header that is a value (the
/// first data row of a headerless file) is masked as in the report.
fn log_tag(
    context: &ScanContext,
    meta: &TableMeta,
    path: &str,
    position: usize,
    header: &str,
    tag: Option<&detect::ColumnTag>,
    values: usize,
) {
    let level = if tag.is_some() {
        log::Level::Info
    } else {
        log::Level::Debug
    };
    if !log::log_enabled!(level) {
        return;
    }
    let masked = super::mask_value_header(context.pack, header);
    let header = masked.as_deref().unwrap_or(header);
    let table = meta.name.as_deref().unwrap_or("-");
    let column = meta.first_column as usize + position + 1;
    match tag {
        Some(tag) => log::info!(
            "{path} [{table}] column {column} {header:?}: {} (confidence {:.2}, {}, {values} sampled values)",
            context.pack.elements[tag.element].id,
            tag.confidence,
            if tag.from_header {
                "header and values"
            } else {
                "values alone"
            },
        ),
        None => log::debug!(
            "{path} [{table}] column {column} {header:?}: no element ({values} sampled values)"
        ),
    }
}

/// Value counts of one column.
#[derive(Debug, Clone, Default)]
pub struct ColumnTally {
    counts: ValueCounts,
    non_empty: u64,
    examples: Vec<String>,
}

/// Per-row buffers reused across rows.
pub struct RowScratch {
    keys: RecordKeys,
    /// Link key of each linking column in the current row, by column position.
    row_keys: Vec<Option<u64>>,
}

impl RowScratch {
    pub fn new(width: usize) -> RowScratch {
        RowScratch {
            keys: RecordKeys::default(),
            row_keys: vec![None; width],
        }
    }
}

/// Counts of a table, or of one part of a large table; parts merge in file order.
pub struct TableTally {
    columns: Vec<ColumnTally>,
    data_rows: u64,
    skipped_footers: u64,
    problems: Vec<String>,
    problem_count: u64,
    possible_other_people: u64,
    people: TallyPeople,
    /// Whether the reader withdrew the rows counted so far (`ReadError::OutOfOrder`).
    withdrawn: bool,
}

/// Destination of a tally's records: its own people index, or a batch that another thread
/// links.
enum TallyPeople {
    Linked(PeopleIndex),
    Collected(RecordBatch),
}

impl TallyPeople {
    fn add(&mut self, keys: &RecordKeys, facts: RecordFacts) {
        match self {
            TallyPeople::Linked(index) => index.add_record(keys, facts),
            TallyPeople::Collected(batch) => batch.push(keys, facts),
        }
    }

    fn into_index(self) -> PeopleIndex {
        match self {
            TallyPeople::Linked(index) => index,
            TallyPeople::Collected(batch) => {
                let mut index = PeopleIndex::new();
                index.add_batch(&batch);
                index
            }
        }
    }

    /// Adds the records of a later part, linking them unless both parts only collect.
    fn absorb(&mut self, later: TallyPeople) {
        match (&mut *self, later) {
            (TallyPeople::Linked(index), TallyPeople::Linked(theirs)) => index.merge(theirs),
            (TallyPeople::Linked(index), TallyPeople::Collected(batch)) => index.add_batch(&batch),
            (TallyPeople::Collected(batch), TallyPeople::Collected(theirs)) => batch.append(theirs),
            (TallyPeople::Collected(_), later @ TallyPeople::Linked(_)) => {
                let earlier = std::mem::replace(self, TallyPeople::Collected(RecordBatch::new()));
                let mut index = earlier.into_index();
                index.merge(later.into_index());
                *self = TallyPeople::Linked(index);
            }
        }
    }
}

impl TableTally {
    /// Creates a tally that links its records as it counts them.
    pub fn new(width: usize) -> TableTally {
        TableTally::with_people(width, TallyPeople::Linked(PeopleIndex::new()))
    }

    /// Creates a tally that collects its records' keys for a later `merge` into a linking
    /// tally, so that a part of a file can be counted on one thread and linked on another.
    pub fn collecting(width: usize) -> TableTally {
        TableTally::with_people(width, TallyPeople::Collected(RecordBatch::new()))
    }

    fn with_people(width: usize, people: TallyPeople) -> TableTally {
        TableTally {
            columns: vec![ColumnTally::default(); width],
            data_rows: 0,
            skipped_footers: 0,
            problems: Vec::new(),
            problem_count: 0,
            possible_other_people: 0,
            people,
            withdrawn: false,
        }
    }

    pub fn record_problem(&mut self, error: ReadError) {
        if matches!(error, ReadError::OutOfOrder) {
            self.withdrawn = true;
            return;
        }
        self.problem_count += 1;
        if self.problems.len() < MAX_LISTED_PROBLEMS {
            self.problems.push(error.to_string());
        }
    }

    /// Adds a later part of the same table.
    pub fn merge(&mut self, other: TableTally) {
        for (mine, theirs) in self.columns.iter_mut().zip(other.columns) {
            mine.counts.non_empty += theirs.counts.non_empty;
            mine.counts.valid += theirs.counts.valid;
            mine.counts.masked += theirs.counts.masked;
            mine.counts.damaged += theirs.counts.damaged;
            mine.non_empty += theirs.non_empty;
            for example in theirs.examples {
                if mine.examples.len() < MAX_EXAMPLES && !mine.examples.contains(&example) {
                    mine.examples.push(example);
                }
            }
        }
        self.data_rows += other.data_rows;
        self.skipped_footers += other.skipped_footers;
        self.problem_count += other.problem_count;
        let room = MAX_LISTED_PROBLEMS.saturating_sub(self.problems.len());
        self.problems.extend(other.problems.into_iter().take(room));
        self.possible_other_people += other.possible_other_people;
        self.people.absorb(other.people);
    }

    /// Counts one row: its values per tagged column, and its keys and facts as one record.
    pub fn add_row(
        &mut self,
        context: &ScanContext,
        plan: &TablePlan,
        scratch: &mut RowScratch,
        row: &impl Fields,
    ) {
        if !plan.is_data(row) {
            let is_footer = (0..row.count()).any(|i| {
                row.field(i)
                    .is_some_and(|(t, _)| detect::field_value(t).is_some())
            });
            self.skipped_footers += u64::from(is_footer && !plan.repeats_header(row));
            return;
        }
        self.data_rows += 1;
        scratch.keys.clear();
        let mut facts = RecordFacts::default();
        let mut has_personal_data = false;
        let width = self.columns.len();
        if row.count() > width {
            let beyond = (width..row.count()).find(|&i| {
                row.field(i)
                    .is_some_and(|(text, _)| detect::field_value(text).is_some())
            });
            if let Some(position) = beyond {
                self.record_problem(row.place().problem(format!(
                    "a value in column {} lies past the {width} columns found in the sampled \
                     rows, so it was not examined; check the row for stray delimiters",
                    position + 1
                )));
            }
        }
        for position in 0..row.count() {
            if let Some((text, _)) = row.field(position) {
                let swallowed = spans_many_lines(text).or_else(|| {
                    plan.delimited
                        .then(|| holds_a_record(text, width))
                        .flatten()
                });
                if let Some(lines) = swallowed {
                    self.record_problem(row.place().problem(format!(
                        "a field in column {} spans {lines} lines: an unclosed quote probably \
                         joined the records after it into one field, so they were not counted; \
                         close the quote and export again",
                        position + 1
                    )));
                }
            }
        }
        for (position, tally) in self.columns.iter_mut().enumerate() {
            // Tagged columns count their non-empty values through classification below.
            if plan.columns[position].element.is_none() {
                let filled = row.field(position).is_some_and(|(text, kind)| {
                    !matches!(kind, CellKind::Empty | CellKind::Error)
                        && detect::field_value(text).is_some()
                });
                tally.non_empty += u64::from(filled);
            }
        }
        for &position in &plan.tagged {
            scratch.row_keys[position] = None;
            let Some((text, kind)) = row.field(position) else {
                continue;
            };
            let column = &plan.columns[position];
            let Some(index) = column.element else {
                continue;
            };
            let element = &context.pack.elements[index];
            let (class, canonical) = detect::inspect_field(element, text, kind);
            if class == ValueClass::Empty {
                continue;
            }
            let tally = &mut self.columns[position];
            tally.non_empty += 1;
            tally.counts.add(class);
            if tally.examples.len() < MAX_EXAMPLES {
                let example = mask_value(text);
                if !tally.examples.contains(&example) {
                    tally.examples.push(example);
                }
            }
            if !column.personal {
                continue;
            }
            has_personal_data = true;
            facts.elements |= 1u128 << index;
            let Some(canonical) = canonical else { continue };
            if column.birth_dates {
                if let Some(birth) = element.birth_date_of_canonical(&canonical) {
                    facts.minor |= is_under_14(birth, context.as_of);
                }
            }
            if !column.needs_key {
                continue;
            }
            let hash = context.hasher.hash(index, &canonical);
            scratch.row_keys[position] = Some(hash);
            if column.links {
                if Some(index) == context.resident_id {
                    scratch.keys.anchor = Some(hash);
                } else {
                    scratch.keys.others.push(hash);
                }
            }
        }
        let second_differs = plan.tagged.iter().any(|&position| {
            plan.columns[position].second_of.is_some_and(|first| {
                let own = scratch.row_keys[position];
                own.is_some() && own != scratch.row_keys[first]
            })
        });
        self.possible_other_people += u64::from(second_differs);
        if has_personal_data {
            self.people.add(&scratch.keys, facts);
        }
    }

    /// Builds the table's report and hands over its people.
    pub fn into_report(
        mut self,
        context: &ScanContext,
        plan: &TablePlan,
        meta: &TableMeta,
    ) -> (TableReport, PeopleIndex) {
        if self.skipped_footers > 0 {
            self.problems.push(format!(
                "{} footer row(s) such as 合计/total were not counted as records",
                self.skipped_footers
            ));
        }
        let listed = self.problems.len() as u64;
        let unlisted = self
            .problem_count
            .saturating_sub(listed.min(self.problem_count));
        if unlisted > 0 && self.problem_count > MAX_LISTED_PROBLEMS as u64 {
            self.problems.push(format!(
                "{} more row problem(s) not listed",
                self.problem_count - MAX_LISTED_PROBLEMS as u64
            ));
        }
        let pack = context.pack;
        let is_sheet = meta.name.is_some();
        // A column with neither a header nor a value is left out, such as the thousands of
        // empty columns before one stray cell at XFD.
        let columns = plan
            .columns
            .iter()
            .zip(&self.columns)
            .filter(|(column, tally)| !column.header.trim().is_empty() || tally.non_empty > 0)
            .map(|(column, tally)| {
                let index = meta.first_column + column.position as u32;
                let element = column.element.map(|e| &pack.elements[e]);
                ColumnReport {
                    index,
                    letter: is_sheet.then(|| column_letter(index)),
                    header: column.header.trim().to_string(),
                    element: element.map(|e| e.id.clone()),
                    category: element.map(|e| e.category),
                    masked: tally.counts.masked > 0,
                    confidence: (column.confidence * 100.0).round() / 100.0,
                    non_empty: tally.non_empty,
                    valid: tally.counts.valid,
                    masked_values: tally.counts.masked,
                    damaged_values: tally.counts.damaged,
                    linking: column.links,
                    examples: tally.examples.clone(),
                    note: column_note(column, &tally.counts),
                }
            })
            .collect();
        let report = TableReport {
            name: meta.name.clone(),
            visibility: meta.visibility,
            header_row: plan.header_row,
            rows: self.data_rows,
            columns,
            problems: self.problems,
        };
        (report, self.people.into_index())
    }
}

fn column_note(column: &ColumnPlan, counts: &ValueCounts) -> Option<String> {
    let mut notes = Vec::new();
    if counts.damaged > 0 {
        notes.push(format!(
            "values damaged by numeric storage: {} of {} lost their digits beyond the 15th \
             (number cells or scientific notation) and are not used to count people; store \
             the column as text and export again",
            counts.damaged, counts.non_empty
        ));
    }
    if counts.masked > 0 {
        notes.push(format!(
            "{} masked value(s): personal data that cannot link records",
            counts.masked
        ));
    }
    if column.second_of.is_some() {
        notes.push("a further column of this element: compared with the first, not linked".into());
    } else if column.other_person {
        notes.push("names another person (a contact): not used to link records".into());
    }
    (!notes.is_empty()).then(|| notes.join("; "))
}

/// Returns the number of line breaks in a field of more than 8 KiB with at least 100 of
/// them: no real cell contains that many, so such a field is records swallowed by an unclosed
/// quote.
fn spans_many_lines(text: &str) -> Option<usize> {
    if text.len() <= 8 * 1024 {
        return None;
    }
    let lines = memchr::memchr_iter(b'\n', text.as_bytes()).count();
    (lines >= 100).then_some(lines)
}

/// Returns the number of line breaks in a field when a line after its first has as many
/// delimiters as a record of a table `width` columns wide (at least three). Such a line is a
/// record that a quote left open joined into the field. Any of `,` `\t` `;` `|` counts.
fn holds_a_record(text: &str, width: usize) -> Option<usize> {
    if width < 3 || memchr::memchr(b'\n', text.as_bytes()).is_none() {
        return None;
    }
    let looks_like_record = text.split('\n').skip(1).any(|line| {
        [b',', b'\t', b';', b'|']
            .iter()
            .any(|&d| memchr::memchr_iter(d, line.as_bytes()).count() >= width - 1)
    });
    looks_like_record.then(|| memchr::memchr_iter(b'\n', text.as_bytes()).count())
}

/// Returns whether someone born on `birth` is younger than 14 on `as_of`.
pub fn is_under_14(birth: NaiveDate, as_of: NaiveDate) -> bool {
    if birth > as_of {
        return false;
    }
    birth
        .checked_add_months(Months::new(14 * 12))
        .is_some_and(|fourteenth| as_of < fourteenth)
}

#[cfg(test)]
mod tests {
    use super::is_under_14;
    use chrono::NaiveDate;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn under_14_until_the_fourteenth_birthday() {
        assert!(is_under_14(date(2012, 6, 30), date(2026, 6, 29)));
        assert!(!is_under_14(date(2012, 6, 30), date(2026, 6, 30)));
        assert!(!is_under_14(date(1990, 1, 1), date(2026, 6, 30)));
    }

    #[test]
    fn future_birth_dates_are_not_minors() {
        assert!(!is_under_14(date(2030, 1, 1), date(2026, 6, 30)));
    }
}
