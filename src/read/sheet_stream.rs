//! Streaming of xlsx and xlsb sheets cell by cell, with a size check before any row is
//! built.
//!
//! calamine's `worksheet_range` builds a dense grid over the bounding box of the used
//! cells (`Range::from_sparse` in calamine 0.38). A 3 KB sheet with one cell in A1 and
//! one in XFD1048576 therefore requests 17 billion cells, and the failed allocation
//! aborts the process. Its `<dimension>` element, by contrast, only sizes a reservation
//! when it is under 100,000 cells. This module reads each sheet twice through calamine's
//! cell readers instead: a survey pass counts the cells and finds the first column, then a
//! second pass builds one row at a time.

use std::collections::VecDeque;
use std::panic::{AssertUnwindSafe, catch_unwind};

use calamine::{DataRef, Xlsb, XlsbError, Xlsx, XlsxError};

use super::cells::{cell_from_data_ref, empty_cell, is_empty_data_ref};
use super::sheet::{describe_xlsb_error, describe_xlsx_error, visit_failed_sheet};
use super::{
    Cell, CellKind, Limits, ReadError, Row, TableMeta, TableVisitor, catch_dependency_panic,
};

/// Damaged cells tolerated in one sheet before the rest of it is given up.
const MAX_CELL_ERRORS: u64 = 1000;

/// One step of a cell reader.
pub(crate) enum Step {
    Cell {
        row: u32,
        column: u32,
        cell: Cell,
    },
    /// A cell that could not be read; the reader can go on.
    CellError(String),
    /// The reader cannot go on.
    Fatal(ReadError),
    End,
}

/// Workbooks that can hand out a cell-by-cell reader for a sheet.
pub(crate) trait CellSheets {
    /// Opens a cell reader for `name` and passes its step function to `f`. Without
    /// `values`, cells carry only whether they are empty, which spares converting every
    /// value to text in the survey pass.
    fn with_cells<T>(
        &mut self,
        name: &str,
        values: bool,
        f: impl FnOnce(&mut dyn FnMut() -> Step) -> T,
    ) -> Result<T, ReadError>;
}

fn panic_step() -> Step {
    Step::Fatal(ReadError::Corrupt(
        "reader failed: the spreadsheet library panicked while reading a cell; the sheet is probably damaged"
            .to_string(),
    ))
}

fn value_step(position: (u32, u32), value: &DataRef<'_>, values: bool) -> Step {
    let cell = if values {
        cell_from_data_ref(value)
    } else if is_empty_data_ref(value) {
        empty_cell()
    } else {
        // Text kind without the text: `String::new` does not allocate.
        Cell {
            kind: CellKind::Text,
            text: String::new(),
        }
    };
    Step::Cell {
        row: position.0,
        column: position.1,
        cell,
    }
}

impl<RS: std::io::Read + std::io::Seek> CellSheets for Xlsx<RS> {
    fn with_cells<T>(
        &mut self,
        name: &str,
        values: bool,
        f: impl FnOnce(&mut dyn FnMut() -> Step) -> T,
    ) -> Result<T, ReadError> {
        let workbook = &mut *self;
        let opened = catch_dependency_panic("opening a sheet", move || {
            match workbook.worksheet_cells_reader(name) {
                Ok(reader) => Ok(Some(reader)),
                // A `<sheetData>` that never starts, as in a chart or dialog sheet.
                Err(XlsxError::NotAWorksheet(_)) => Ok(None),
                Err(e) => Err(ReadError::Corrupt(format!(
                    "sheet cannot be read: {}",
                    describe_xlsx_error(&e)
                ))),
            }
        })?;
        let Some(mut reader) = opened else {
            return Ok(f(&mut || Step::End));
        };
        let mut next = || match catch_unwind(AssertUnwindSafe(|| reader.next_cell())) {
            Ok(Ok(Some(cell))) => value_step(cell.get_position(), cell.get_value(), values),
            Ok(Ok(None)) => Step::End,
            Ok(Err(e)) if xlsx_error_is_local(&e) => Step::CellError(describe_xlsx_error(&e)),
            Ok(Err(e)) => Step::Fatal(ReadError::Corrupt(format!(
                "damaged sheet ({}): the rest of the sheet is not read",
                describe_xlsx_error(&e)
            ))),
            Err(_) => panic_step(),
        };
        Ok(f(&mut next))
    }
}

/// Returns whether the cell reader can go on after `error`. Errors about one cell's
/// value or reference leave the XML stream intact, but errors of the XML or zip layer do
/// not.
fn xlsx_error_is_local(error: &XlsxError) -> bool {
    matches!(
        error,
        XlsxError::Unrecognized { .. }
            | XlsxError::CellTAttribute(_)
            | XlsxError::CellError(_)
            | XlsxError::ParseFloat(_)
            | XlsxError::ParseInt(_)
            | XlsxError::Unexpected(_)
            | XlsxError::Alphanumeric(_)
            | XlsxError::NumericColumn(_)
            | XlsxError::RangeWithoutColumnComponent
            | XlsxError::RangeWithoutRowComponent
            | XlsxError::ColumnNumberOverflow
            | XlsxError::RowNumberOverflow
    )
}

impl<RS: std::io::Read + std::io::Seek> CellSheets for Xlsb<RS> {
    fn with_cells<T>(
        &mut self,
        name: &str,
        values: bool,
        f: impl FnOnce(&mut dyn FnMut() -> Step) -> T,
    ) -> Result<T, ReadError> {
        let workbook = &mut *self;
        let mut reader = catch_dependency_panic("opening a sheet", move || {
            workbook.worksheet_cells_reader(name).map_err(|e| {
                ReadError::Corrupt(format!("sheet cannot be read: {}", describe_xlsb_error(&e)))
            })
        })?;
        let mut next = || match catch_unwind(AssertUnwindSafe(|| reader.next_cell())) {
            Ok(Ok(Some(cell))) => value_step(cell.get_position(), cell.get_value(), values),
            Ok(Ok(None)) => Step::End,
            // The record was consumed before its value failed to parse.
            Ok(Err(
                e @ (XlsbError::CellError(_)
                | XlsbError::Unrecognized { .. }
                | XlsbError::WideStr { .. }),
            )) => Step::CellError(describe_xlsb_error(&e)),
            Ok(Err(e)) => Step::Fatal(ReadError::Corrupt(format!(
                "damaged sheet ({}): the rest of the sheet is not read",
                describe_xlsb_error(&e)
            ))),
            Err(_) => panic_step(),
        };
        Ok(f(&mut next))
    }
}

/// Cell counts and bounds of a sheet, from the survey pass.
#[derive(Debug, Default)]
struct Survey {
    /// Non-empty cells.
    cells: u64,
    first_column: Option<u32>,
    /// Rows with at least one non-empty cell.
    rows: u64,
    /// Sum over those rows of their last non-empty column + 1.
    row_ends: u64,
    current_row: Option<(u32, u32)>,
    last_position: Option<(u32, u32)>,
    /// Whether cells came in row-major order without repeats.
    ordered: bool,
}

impl Survey {
    fn add(&mut self, row: u32, column: u32) {
        if self.last_position.is_some_and(|last| (row, column) <= last) {
            self.ordered = false;
        }
        self.last_position = Some((row, column));
        self.cells += 1;
        self.first_column = Some(self.first_column.map_or(column, |c| c.min(column)));
        match self.current_row {
            Some((current, last_column)) if current == row => {
                self.current_row = Some((row, last_column.max(column)))
            }
            _ => {
                self.close_row();
                self.current_row = Some((row, column));
            }
        }
    }

    fn close_row(&mut self) {
        if let Some((_, last_column)) = self.current_row.take() {
            self.rows += 1;
            self.row_ends += u64::from(last_column) + 1;
        }
    }

    /// Cells that the emitted rows will hold, empty padding included. Before the survey
    /// ends this is a lower bound, since the first column can still move left.
    fn padded_cells(&self) -> u64 {
        let open_row_end = self.current_row.map_or(0, |(_, last)| u64::from(last) + 1);
        let rows = self.rows + u64::from(self.current_row.is_some());
        let first = u64::from(self.first_column.unwrap_or(0));
        (self.row_ends + open_row_end).saturating_sub(rows * first)
    }
}

/// Counts a sheet's cells; returns an error once they exceed the limit.
fn survey_sheet(next: &mut dyn FnMut() -> Step, limits: &Limits) -> Result<Survey, ReadError> {
    let mut survey = Survey {
        ordered: true,
        ..Survey::default()
    };
    let max = limits.max_cells_per_sheet;
    loop {
        match next() {
            Step::Cell { row, column, cell } => {
                if cell.kind == CellKind::Empty {
                    continue;
                }
                survey.add(row, column);
                if survey.cells > max || survey.padded_cells() > max {
                    return Err(ReadError::Limit(format!(
                        "sheet exceeds the limit of {max} cells per sheet (empty cells between used ones count); the sheet is not read: split it or raise the limit"
                    )));
                }
            }
            Step::CellError(_) => {}
            Step::Fatal(_) | Step::End => break,
        }
    }
    survey.close_row();
    Ok(survey)
}

/// Reads one xlsx or xlsb sheet and visits it, or visits an error item in its place.
///
/// The sheet is read once, from the column of its first non-empty cell, with the cell
/// limit checked as rows are built. A cell out of row order or left of that column
/// withdraws the rows visited so far (`ReadError::OutOfOrder`). The sheet is then read in
/// two passes: a survey that counts the cells and finds the first column, then the rows,
/// sorted when needed.
pub(crate) fn read_streamed_sheet<W: CellSheets>(
    workbook: &mut W,
    meta: &mut TableMeta,
    limits: &Limits,
    visitor: &mut dyn TableVisitor,
) {
    let name = meta.name.clone().unwrap_or_default();
    let max_cells = limits.max_cells_per_sheet;
    let streamed = workbook.with_cells(&name, true, |next| {
        let (mut head, first_column) = peek_first_column(next);
        meta.first_column = first_column;
        let mut chained = || head.pop_front().unwrap_or_else(&mut *next);
        let mut rows = SheetRows::new(&mut chained, first_column);
        rows.checks = Some(StreamChecks {
            max_cells,
            ..StreamChecks::default()
        });
        visitor.table(&*meta, &mut rows);
        rows.out_of_order
    });
    match streamed {
        Ok(false) => return,
        Ok(true) => log::debug!("sheet {name}: cells out of row order; read again in two passes"),
        Err(error) => return visit_failed_sheet(meta, error, visitor),
    }
    let survey = match workbook.with_cells(&name, false, |next| survey_sheet(next, limits)) {
        Ok(Ok(survey)) => survey,
        Ok(Err(error)) | Err(error) => return visit_failed_sheet(meta, error, visitor),
    };
    meta.first_column = survey.first_column.unwrap_or(0);
    log::debug!(
        "sheet {name}: {} cells in {} rows, first column {}, in file order: {}",
        survey.cells,
        survey.rows,
        meta.first_column,
        survey.ordered
    );
    let result = if survey.ordered {
        workbook.with_cells(&name, true, |next| {
            let mut rows = SheetRows::new(next, meta.first_column);
            visitor.table(&*meta, &mut rows);
        })
    } else {
        workbook.with_cells(&name, true, |next| {
            let mut sorted = sorted_steps(next);
            let mut next_sorted = || sorted.next().unwrap_or(Step::End);
            let mut rows = SheetRows::new(&mut next_sorted, meta.first_column);
            visitor.table(&*meta, &mut rows);
        })
    };
    if let Err(error) = result {
        visit_failed_sheet(meta, error, visitor);
    }
}

/// Reads steps up to the first non-empty cell and returns them with that cell's column
/// (0 when the sheet ends first). Empty cells are left out, as rows skip them anyway.
fn peek_first_column(next: &mut dyn FnMut() -> Step) -> (VecDeque<Step>, u32) {
    let mut head = VecDeque::new();
    loop {
        let step = next();
        match &step {
            Step::Cell { cell, .. } if cell.kind == CellKind::Empty => continue,
            Step::Cell { column, .. } => {
                let column = *column;
                head.push_back(step);
                return (head, column);
            }
            Step::Fatal(_) | Step::End => {
                head.push_back(step);
                return (head, 0);
            }
            Step::CellError(_) if head.len() as u64 > MAX_CELL_ERRORS => {
                head.push_back(step);
                return (head, 0);
            }
            Step::CellError(_) => head.push_back(step),
        }
    }
}

/// Collects a sheet whose cells are out of order and returns its steps sorted, cell
/// errors first. The survey has checked that the cell count is within the limit.
fn sorted_steps(next: &mut dyn FnMut() -> Step) -> impl Iterator<Item = Step> {
    let mut cells = Vec::new();
    let mut problems = Vec::new();
    loop {
        match next() {
            Step::Cell { row, column, cell } if cell.kind != CellKind::Empty => {
                cells.push((row, column, cell))
            }
            Step::Cell { .. } => {}
            step @ Step::CellError(_) => problems.push(step),
            step @ Step::Fatal(_) => {
                problems.push(step);
                break;
            }
            Step::End => break,
        }
    }
    // A stable sort keeps file order among repeats, and the last one written wins.
    cells.sort_by_key(|(row, column, _)| (*row, *column));
    let mut deduplicated: Vec<(u32, u32, Cell)> = Vec::with_capacity(cells.len());
    for (row, column, cell) in cells {
        match deduplicated.last_mut() {
            Some(last) if (last.0, last.1) == (row, column) => last.2 = cell,
            _ => deduplicated.push((row, column, cell)),
        }
    }
    let fatal = problems.iter().position(|s| matches!(s, Step::Fatal(_)));
    let fatal = fatal.map(|i| problems.remove(i));
    problems
        .into_iter()
        .chain(
            deduplicated
                .into_iter()
                .map(|(row, column, cell)| Step::Cell { row, column, cell }),
        )
        .chain(fatal)
}

/// Builds rows from cells arriving in row-major order.
struct SheetRows<'n> {
    next: &'n mut dyn FnMut() -> Step,
    first_column: u32,
    current: Option<Row>,
    pending_error: Option<ReadError>,
    last_row: u32,
    cell_errors: u64,
    done: bool,
    /// Checks of a sheet read without a survey pass.
    checks: Option<StreamChecks>,
    /// Whether a cell broke row order, which withdrew the rows.
    out_of_order: bool,
}

/// Order and size checks made while rows are built, in place of a survey pass.
#[derive(Default)]
struct StreamChecks {
    max_cells: u64,
    /// Non-empty cells so far.
    cells: u64,
    /// Cells of the built rows, empty padding included.
    padded: u64,
    last_position: Option<(u32, u32)>,
}

impl<'n> SheetRows<'n> {
    fn new(next: &'n mut dyn FnMut() -> Step, first_column: u32) -> Self {
        SheetRows {
            next,
            first_column,
            current: None,
            pending_error: None,
            last_row: 0,
            cell_errors: 0,
            done: false,
            checks: None,
            out_of_order: false,
        }
    }

    /// Runs the stream checks on a non-empty cell; returns the error that ends the sheet.
    fn check(&mut self, row: u32, column: u32) -> Option<ReadError> {
        let first_column = self.first_column;
        let open_len = self.current.as_ref().map_or(0, |r| r.cells.len() as u64);
        let open_row = self.current.as_ref().map(|r| r.index);
        let checks = self.checks.as_mut()?;
        let in_order = checks.last_position.is_none_or(|last| (row, column) > last);
        if !in_order || column < first_column {
            self.out_of_order = true;
            return Some(ReadError::OutOfOrder);
        }
        checks.last_position = Some((row, column));
        checks.cells += 1;
        let width = u64::from(column - first_column) + 1;
        if open_row == Some(u64::from(row)) {
            checks.padded += width.saturating_sub(open_len);
        } else {
            checks.padded += width;
        }
        let max = checks.max_cells;
        if checks.cells > max || checks.padded > max {
            return Some(ReadError::Limit(format!(
                "sheet exceeds the limit of {max} cells per sheet (empty cells between used ones count); the rows from row {} on are not read: split the sheet or raise the limit",
                u64::from(row) + 1
            )));
        }
        None
    }

    /// Adds a cell to the open row; returns the finished previous row if the cell starts
    /// a new one.
    fn place(&mut self, row: u32, column: u32, cell: Cell) -> Option<Row> {
        self.last_row = row;
        let offset = column.checked_sub(self.first_column)? as usize;
        let finished = match &self.current {
            Some(open) if open.index == u64::from(row) => None,
            _ => self.current.replace(Row {
                index: u64::from(row),
                cells: Vec::new(),
            }),
        };
        if let Some(open) = self.current.as_mut() {
            if open.cells.len() <= offset {
                open.cells.resize_with(offset, empty_cell);
                open.cells.push(cell);
            } else if let Some(slot) = open.cells.get_mut(offset) {
                *slot = cell;
            }
        }
        finished
    }
}

impl Iterator for SheetRows<'_> {
    type Item = Result<Row, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(error) = self.pending_error.take() {
            return Some(Err(error));
        }
        while !self.done {
            match (self.next)() {
                Step::Cell { cell, .. } if cell.kind == CellKind::Empty => {}
                Step::Cell { row, column, cell } => {
                    if let Some(error) = self.check(row, column) {
                        // The open row is complete when this cell starts a new row;
                        // otherwise it is dropped with the rest of the sheet.
                        self.done = true;
                        let finished = self
                            .current
                            .take()
                            .filter(|open| open.index != u64::from(row));
                        if let Some(open) = finished {
                            self.pending_error = Some(error);
                            return Some(Ok(open));
                        }
                        return Some(Err(error));
                    }
                    if let Some(finished) = self.place(row, column, cell) {
                        return Some(Ok(finished));
                    }
                }
                Step::CellError(message) => {
                    self.cell_errors += 1;
                    if self.cell_errors > MAX_CELL_ERRORS {
                        self.done = true;
                        self.pending_error = Some(ReadError::Corrupt(format!(
                            "more than {MAX_CELL_ERRORS} damaged cells; the rest of the sheet is not read"
                        )));
                        break;
                    }
                    // calamine's error carries no position, so the row is the last one
                    // read and the damaged cell lies at or after it.
                    let row = self
                        .current
                        .as_ref()
                        .map_or(u64::from(self.last_row), |r| r.index);
                    let message = format!(
                        "a cell at or after this row cannot be read ({message}); it is skipped"
                    );
                    return Some(Err(ReadError::Row { row, message }));
                }
                Step::Fatal(error) => {
                    self.done = true;
                    self.pending_error = Some(error);
                }
                Step::End => self.done = true,
            }
        }
        match self.current.take() {
            Some(row) => Some(Ok(row)),
            None => self.pending_error.take().map(Err),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Cell {
        Cell {
            kind: CellKind::Text,
            text: s.to_string(),
        }
    }

    fn steps(cells: Vec<(u32, u32, &str)>) -> impl FnMut() -> Step {
        let mut iter = cells.into_iter();
        move || match iter.next() {
            Some((row, column, s)) => Step::Cell {
                row,
                column,
                cell: text(s),
            },
            None => Step::End,
        }
    }

    #[test]
    fn rows_are_dense_from_first_column() {
        let mut next = steps(vec![(3, 1, "a"), (3, 3, "c"), (5, 2, "x")]);
        let rows: Vec<Row> = SheetRows::new(&mut next, 1)
            .map(|r| r.expect("no error"))
            .collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].index, 3);
        let texts: Vec<&str> = rows[0].cells.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, ["a", "", "c"]);
        assert_eq!(rows[0].cells[1].kind, CellKind::Empty);
        assert_eq!(rows[1].index, 5);
        assert_eq!(rows[1].cells.len(), 2);
    }

    #[test]
    fn survey_counts_padding() {
        let mut next = steps(vec![(0, 1, "a"), (0, 4, "b"), (2, 2, "c")]);
        let survey = survey_sheet(&mut next, &Limits::default()).expect("within limits");
        assert_eq!(survey.cells, 3);
        assert_eq!(survey.first_column, Some(1));
        assert_eq!(survey.padded_cells(), 4 + 2);
        assert!(survey.ordered);
    }

    #[test]
    fn survey_rejects_far_apart_cells() {
        let limits = Limits {
            max_cells_per_sheet: 1000,
            ..Limits::default()
        };
        let mut next = steps(vec![(0, 0, "a"), (0, 16383, "b")]);
        let error = survey_sheet(&mut next, &limits).expect_err("over the limit");
        assert!(matches!(error, ReadError::Limit(_)));
    }

    #[test]
    fn unordered_cells_are_sorted() {
        let mut next = steps(vec![(2, 0, "late"), (0, 1, "b"), (0, 0, "a"), (0, 1, "b2")]);
        let mut sorted = sorted_steps(&mut next);
        let mut next_sorted = || sorted.next().unwrap_or(Step::End);
        let rows: Vec<Row> = SheetRows::new(&mut next_sorted, 0)
            .map(|r| r.expect("no error"))
            .collect();
        let texts: Vec<Vec<&str>> = rows
            .iter()
            .map(|r| r.cells.iter().map(|c| c.text.as_str()).collect())
            .collect();
        assert_eq!(texts, vec![vec!["a", "b2"], vec!["late"]]);
    }

    #[test]
    fn fatal_error_follows_open_row() {
        let mut calls = 0;
        let mut next = || {
            calls += 1;
            match calls {
                1 => Step::Cell {
                    row: 0,
                    column: 0,
                    cell: text("a"),
                },
                _ => Step::Fatal(ReadError::Corrupt("broken".to_string())),
            }
        };
        let items: Vec<Result<Row, ReadError>> = SheetRows::new(&mut next, 0).collect();
        assert_eq!(items.len(), 2);
        assert!(items[0].is_ok());
        assert!(matches!(items[1], Err(ReadError::Corrupt(_))));
    }
}
