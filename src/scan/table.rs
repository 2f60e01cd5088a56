//! Scanning one file's tables: header detection, column tagging on a sample, then a full pass
//! that counts values and feeds each record's keys to the people index.

use chrono::{Months, NaiveDate};

use crate::detect::{self, ValueCounts};
use crate::identity::{KeyHasher, PeopleIndex, RecordFacts, RecordKeys};
use crate::inventory::{ColumnReport, TableReport, column_letter};
use crate::mask::mask_value;
use crate::pack::{ElementPack, ValueClass};
use crate::read::{ReadError, Row, SchemaColumn, TableMeta, TableVisitor};

/// Row problems listed per table; further ones are only counted.
const MAX_LISTED_PROBLEMS: usize = 20;

/// Masked examples shown per column.
const MAX_EXAMPLES: usize = 3;

/// What every table of a scan shares.
pub struct ScanContext<'a> {
    pub pack: &'a ElementPack,
    pub hasher: KeyHasher,
    pub as_of: NaiveDate,
    /// Element index of resident_id, whose valid values anchor a person.
    pub resident_id: Option<usize>,
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
        }
    }
}

impl TableVisitor for FileScanner<'_> {
    fn table(&mut self, meta: &TableMeta, rows: &mut dyn Iterator<Item = Result<Row, ReadError>>) {
        if let Some(columns) = &meta.schema_columns {
            let report = schema_table(self.context.pack, meta, columns);
            self.tables.push(report);
            return;
        }
        let mut table = TableScan::new(self.context, meta, self.path);
        table.run(rows, &mut self.people);
        self.possible_other_people += table.possible_other_people;
        self.incomplete |= table.problem_count > 0;
        self.tables.push(table.into_report());
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

/// How the full pass treats one column.
struct ColumnPlan {
    /// Position in `Row::cells`.
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
    personal: bool,
    counts: ValueCounts,
    non_empty: u64,
    examples: Vec<String>,
}

struct TableScan<'a> {
    context: &'a ScanContext<'a>,
    meta: &'a TableMeta,
    path: &'a str,
    header_row: Option<u64>,
    columns: Vec<ColumnPlan>,
    header_cells: Vec<String>,
    data_rows: u64,
    skipped_footers: u64,
    problems: Vec<String>,
    problem_count: u64,
    possible_other_people: u64,
    keys: RecordKeys,
    /// Link key of each linking column in the current row, by column position.
    row_keys: Vec<Option<u64>>,
}

impl<'a> TableScan<'a> {
    fn new(context: &'a ScanContext<'a>, meta: &'a TableMeta, path: &'a str) -> TableScan<'a> {
        TableScan {
            context,
            meta,
            path,
            header_row: None,
            columns: Vec::new(),
            header_cells: Vec::new(),
            data_rows: 0,
            skipped_footers: 0,
            problems: Vec::new(),
            problem_count: 0,
            possible_other_people: 0,
            keys: RecordKeys::default(),
            row_keys: Vec::new(),
        }
    }

    fn run(
        &mut self,
        rows: &mut dyn Iterator<Item = Result<Row, ReadError>>,
        people: &mut PeopleIndex,
    ) {
        let mut buffer = self.read_header_window(rows);
        let header_position = detect::find_header(self.context.pack, &buffer);
        let data_start = header_position.map_or(0, |p| p + 1);
        if let Some(position) = header_position {
            let header = &buffer[position];
            self.header_row = Some(header.index);
            self.header_cells = header.cells.iter().map(|c| c.text.clone()).collect();
        }
        self.fill_sample(rows, &mut buffer, data_start);
        self.plan_columns(&buffer[data_start..]);
        for row in buffer.drain(..).skip(data_start) {
            self.process_row(&row, people);
        }
        for item in rows {
            match item {
                Ok(row) => self.process_row(&row, people),
                Err(error) => self.record_problem(error),
            }
        }
        if self.skipped_footers > 0 {
            self.problems.push(format!(
                "{} footer row(s) such as 合计/total were not counted as records",
                self.skipped_footers
            ));
        }
    }

    /// Reads rows until `HEADER_WINDOW` non-blank rows are buffered.
    fn read_header_window(
        &mut self,
        rows: &mut dyn Iterator<Item = Result<Row, ReadError>>,
    ) -> Vec<Row> {
        let mut buffer = Vec::new();
        let mut non_blank = 0;
        while non_blank < detect::HEADER_WINDOW {
            match rows.next() {
                None => break,
                Some(Err(error)) => self.record_problem(error),
                Some(Ok(row)) => {
                    non_blank += usize::from(!detect::is_blank(&row));
                    buffer.push(row);
                }
            }
        }
        buffer
    }

    /// Extends the buffer until it holds `SAMPLE_ROWS` data rows after the header.
    fn fill_sample(
        &mut self,
        rows: &mut dyn Iterator<Item = Result<Row, ReadError>>,
        buffer: &mut Vec<Row>,
        data_start: usize,
    ) {
        let mut data = buffer
            .iter()
            .skip(data_start)
            .filter(|r| self.is_data(r))
            .count();
        while data < detect::SAMPLE_ROWS {
            match rows.next() {
                None => break,
                Some(Err(error)) => self.record_problem(error),
                Some(Ok(row)) => {
                    data += usize::from(self.is_data(&row));
                    buffer.push(row);
                }
            }
        }
    }

    fn is_data(&self, row: &Row) -> bool {
        !detect::is_blank(row) && !detect::is_footer(row) && !self.repeats_header(row)
    }

    fn repeats_header(&self, row: &Row) -> bool {
        !self.header_cells.is_empty()
            && row.cells.len() == self.header_cells.len()
            && row
                .cells
                .iter()
                .zip(&self.header_cells)
                .all(|(c, h)| c.text == *h)
    }

    /// Tags every column from the header and the sampled data rows, and decides which
    /// columns link records.
    fn plan_columns(&mut self, sample_rows: &[Row]) {
        let pack = self.context.pack;
        let data: Vec<&Row> = sample_rows.iter().filter(|r| self.is_data(r)).collect();
        let width = data
            .iter()
            .map(|r| r.cells.len())
            .chain(std::iter::once(self.header_cells.len()))
            .max()
            .unwrap_or(0);
        for position in 0..width {
            let header = self.header_cells.get(position).cloned().unwrap_or_default();
            let sample: Vec<_> = data.iter().filter_map(|r| r.cells.get(position)).collect();
            let tag = detect::tag_column(pack, &header, &sample);
            self.log_tag(position, &header, tag.as_ref(), sample.len());
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
                personal,
                counts: ValueCounts::default(),
                non_empty: 0,
                examples: Vec::new(),
            });
        }
        self.choose_linking_columns();
        self.row_keys = vec![None; width];
    }

    /// Logs why a column was or was not tagged; never a value.
    fn log_tag(
        &self,
        position: usize,
        header: &str,
        tag: Option<&detect::ColumnTag>,
        values: usize,
    ) {
        let table = self.meta.name.as_deref().unwrap_or("-");
        let column = self.meta.first_column as usize + position + 1;
        match tag {
            Some(tag) => log::info!(
                "{} [{table}] column {column} {header:?}: {} (confidence {:.2}, {}, {values} sampled cells)",
                self.path,
                self.context.pack.elements[tag.element].id,
                tag.confidence,
                if tag.from_header {
                    "header and values"
                } else {
                    "values alone"
                },
            ),
            None => log::debug!(
                "{} [{table}] column {column} {header:?}: no element ({values} sampled cells)",
                self.path
            ),
        }
    }

    /// The first column of each linking element links records. A later column of the same
    /// element, or one whose header names another person (an emergency contact), is compared
    /// with it instead, because one row is one person.
    fn choose_linking_columns(&mut self) {
        let pack = self.context.pack;
        let mut primary: Vec<Option<usize>> = vec![None; pack.elements.len()];
        let own_first = |c: &&ColumnPlan| !detect::names_other_person(&c.header);
        let ordered: Vec<usize> = {
            let (own, other): (Vec<&ColumnPlan>, Vec<&ColumnPlan>) =
                self.columns.iter().partition(own_first);
            own.iter().chain(other.iter()).map(|c| c.position).collect()
        };
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
    }

    fn process_row(&mut self, row: &Row, people: &mut PeopleIndex) {
        if !self.is_data(row) {
            if detect::is_footer(row) {
                self.skipped_footers += 1;
            }
            return;
        }
        self.data_rows += 1;
        self.keys.clear();
        self.row_keys.iter_mut().for_each(|k| *k = None);
        let mut facts = RecordFacts::default();
        let mut has_personal_data = false;
        let mut second_differs = false;
        let context = self.context;
        for column in &mut self.columns {
            let Some(cell) = row.cells.get(column.position) else {
                continue;
            };
            if detect::value_text(cell).is_none() {
                continue;
            }
            column.non_empty += 1;
            let Some(index) = column.element else {
                continue;
            };
            let element = &context.pack.elements[index];
            let class = detect::classify_cell(element, cell);
            column.counts.add(class);
            if column.examples.len() < MAX_EXAMPLES {
                let example = mask_value(&cell.text);
                if !column.examples.contains(&example) {
                    column.examples.push(example);
                }
            }
            if !column.personal {
                continue;
            }
            has_personal_data = true;
            facts.elements |= 1u128 << index;
            if class != ValueClass::Valid {
                continue;
            }
            let text = cell.text.trim();
            if let Some(birth) = element.birth_date(text) {
                facts.minor |= is_under_14(birth, context.as_of);
            }
            let Some(key) = element.link_key(text) else {
                continue;
            };
            let hash = context.hasher.hash(index, &key);
            self.row_keys[column.position] = Some(hash);
            if column.links {
                if Some(index) == context.resident_id {
                    self.keys.anchor = Some(hash);
                } else {
                    self.keys.others.push(hash);
                }
            }
        }
        for column in &self.columns {
            if let Some(first) = column.second_of {
                let (own, other) = (self.row_keys[column.position], self.row_keys[first]);
                second_differs |= own.is_some() && own != other;
            }
        }
        if second_differs {
            self.possible_other_people += 1;
        }
        if has_personal_data {
            people.add_record(&self.keys, facts);
        }
    }

    fn record_problem(&mut self, error: ReadError) {
        self.problem_count += 1;
        if self.problems.len() < MAX_LISTED_PROBLEMS {
            self.problems.push(error.to_string());
        }
    }

    fn into_report(mut self) -> TableReport {
        if self.problem_count > self.problems.len() as u64 {
            let more = self.problem_count - self.problems.len() as u64;
            self.problems
                .push(format!("{more} more row problem(s) not listed"));
        }
        let pack = self.context.pack;
        let first_column = self.meta.first_column;
        let is_sheet = self.meta.name.is_some();
        let columns = self
            .columns
            .iter()
            .map(|column| {
                let index = first_column + column.position as u32;
                let element = column.element.map(|e| &pack.elements[e]);
                ColumnReport {
                    index,
                    letter: is_sheet.then(|| column_letter(index)),
                    header: column.header.trim().to_string(),
                    element: element.map(|e| e.id.clone()),
                    category: element.map(|e| e.category),
                    masked: column.counts.masked > 0,
                    confidence: (column.confidence * 100.0).round() / 100.0,
                    non_empty: column.non_empty,
                    valid: column.counts.valid,
                    masked_values: column.counts.masked,
                    damaged_values: column.counts.damaged,
                    linking: column.links,
                    examples: column.examples.clone(),
                    note: column_note(column),
                }
            })
            .collect();
        TableReport {
            name: self.meta.name.clone(),
            visibility: self.meta.visibility,
            header_row: self.header_row,
            rows: self.data_rows,
            columns,
            problems: self.problems,
        }
    }
}

fn column_note(column: &ColumnPlan) -> Option<String> {
    let counts = &column.counts;
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

/// Whether someone born on `birth` is younger than 14 on `as_of`.
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
