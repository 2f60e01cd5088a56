//! Conversion of calamine cell values to `Cell`, with numbers and dates rendered as text.

use calamine::{Data, DataRef, ExcelDateTime};

use super::{Cell, CellKind};

/// First serial day past 9999-12-31 in the 1900 date system, the end of Excel's range.
const EXCEL_SERIAL_LIMIT: f64 = 2_958_466.0;
const SECONDS_PER_DAY: f64 = 86_400.0;

pub(crate) fn cell_from_data_ref(value: &DataRef<'_>) -> Cell {
    match value {
        DataRef::String(s) => text_cell(s),
        DataRef::SharedString(s) => text_cell(s),
        DataRef::Int(i) => cell(CellKind::Number, i.to_string()),
        DataRef::Float(f) => cell(CellKind::Number, render_number(*f)),
        DataRef::Bool(b) => bool_cell(*b),
        DataRef::DateTime(dt) => date_time_cell(dt),
        DataRef::DateTimeIso(s) => cell(CellKind::Date, s.clone()),
        DataRef::DurationIso(s) => cell(CellKind::Text, s.clone()),
        DataRef::Error(e) => cell(CellKind::Error, e.to_string()),
        DataRef::Empty => empty_cell(),
    }
}

/// Returns whether `cell_from_data_ref` would make an empty cell of `value`.
pub(crate) fn is_empty_data_ref(value: &DataRef<'_>) -> bool {
    match value {
        DataRef::String(s) => s.is_empty(),
        DataRef::SharedString(s) => s.is_empty(),
        DataRef::Empty => true,
        _ => false,
    }
}

pub(crate) fn cell_from_data(value: &Data) -> Cell {
    match value {
        Data::String(s) => text_cell(s),
        Data::Int(i) => cell(CellKind::Number, i.to_string()),
        Data::Float(f) => cell(CellKind::Number, render_number(*f)),
        Data::Bool(b) => bool_cell(*b),
        Data::DateTime(dt) => date_time_cell(dt),
        Data::DateTimeIso(s) => cell(CellKind::Date, s.clone()),
        Data::DurationIso(s) => cell(CellKind::Text, s.clone()),
        Data::Error(e) => cell(CellKind::Error, e.to_string()),
        Data::Empty => empty_cell(),
    }
}

pub(crate) fn empty_cell() -> Cell {
    cell(CellKind::Empty, String::new())
}

fn cell(kind: CellKind, text: String) -> Cell {
    Cell { kind, text }
}

fn text_cell(s: &str) -> Cell {
    if s.is_empty() {
        empty_cell()
    } else {
        cell(CellKind::Text, s.to_string())
    }
}

fn bool_cell(b: bool) -> Cell {
    cell(CellKind::Bool, if b { "TRUE" } else { "FALSE" }.to_string())
}

/// Renders a stored number in full decimal notation without exponent.
///
/// Rust's `Display` for `f64` prints the shortest digits that read back to the same
/// value and never uses an exponent, so `1.1010519850312E+17` in the file becomes
/// `110105198503120000` and `3.0` becomes `3`.
pub(crate) fn render_number(value: f64) -> String {
    if value == 0.0 {
        // Also turns -0 into 0.
        "0".to_string()
    } else {
        value.to_string()
    }
}

/// Renders a date-formatted cell as ISO 8601 in the workbook's date system.
///
/// calamine 0.38 stores the workbook's 1900/1904 flag in each `ExcelDateTime`, and
/// `to_ymd_hms_milli` applies it and the 1900 leap-year bug. Serial values outside
/// Excel's range stay numbers because calamine would clamp them to a wrong date.
fn date_time_cell(value: &ExcelDateTime) -> Cell {
    let serial = value.as_f64();
    if value.is_duration() {
        return cell(CellKind::Text, render_duration(serial));
    }
    if !(0.0..EXCEL_SERIAL_LIMIT).contains(&serial) {
        return cell(CellKind::Number, render_number(serial));
    }
    let (year, month, day, hour, minute, second, milli) = value.to_ymd_hms_milli();
    let time = if milli == 0 {
        format!("{hour:02}:{minute:02}:{second:02}")
    } else {
        format!("{hour:02}:{minute:02}:{second:02}.{milli:03}")
    };
    let text = if serial < 1.0 {
        time
    } else if (hour, minute, second, milli) == (0, 0, 0, 0) {
        format!("{year:04}-{month:02}-{day:02}")
    } else {
        format!("{year:04}-{month:02}-{day:02}T{time}")
    };
    cell(CellKind::Date, text)
}

/// Renders a duration in days as `[-]H:MM:SS`, hours not wrapped at 24.
fn render_duration(days: f64) -> String {
    if !days.is_finite() {
        return render_number(days);
    }
    let total = (days.abs() * SECONDS_PER_DAY).round() as u64;
    let sign = if days < 0.0 && total > 0 { "-" } else { "" };
    format!(
        "{sign}{}:{:02}:{:02}",
        total / 3600,
        total / 60 % 60,
        total % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::ExcelDateTimeType;

    #[test]
    fn numbers_render_without_exponent() {
        let cases = [
            (1.1010519850312E+17, "110105198503120000"),
            (6.222E+18, "6222000000000000000"),
            (13900000101.0, "13900000101"),
            (3.0, "3"),
            (0.1, "0.1"),
            (-2.5, "-2.5"),
            (1e-7, "0.0000001"),
            (-0.0, "0"),
        ];
        for (value, expected) in cases {
            assert_eq!(render_number(value), expected, "value {value:e}");
        }
    }

    #[test]
    fn dates_follow_date_system() {
        let date = |serial, is_1904| {
            date_time_cell(&ExcelDateTime::new(
                serial,
                ExcelDateTimeType::DateTime,
                is_1904,
            ))
            .text
        };
        assert_eq!(date(45943.0, false), "2025-10-13");
        assert_eq!(date(45943.5, false), "2025-10-13T12:00:00");
        assert_eq!(date(44481.0, true), "2025-10-13");
        assert_eq!(date(0.25, false), "06:00:00");
    }

    #[test]
    fn out_of_range_dates_stay_numbers() {
        let cell = date_time_cell(&ExcelDateTime::new(
            -1.0,
            ExcelDateTimeType::DateTime,
            false,
        ));
        assert_eq!(cell.kind, CellKind::Number);
        assert_eq!(cell.text, "-1");
    }

    #[test]
    fn durations_render_as_hours() {
        let cell = date_time_cell(&ExcelDateTime::new(
            1.5,
            ExcelDateTimeType::TimeDelta,
            false,
        ));
        assert_eq!(cell.kind, CellKind::Text);
        assert_eq!(cell.text, "36:00:00");
    }
}
