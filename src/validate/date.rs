//! Calendar dates as Chinese exports write them, and birth-date plausibility.

use chrono::{NaiveDate, NaiveTime};

use super::resident_id::EARLIEST_BIRTH_DATE;

/// Reads `digits` as an unsigned number of 1 to `max_len` ASCII digits.
fn number(digits: &str, max_len: usize) -> Option<u32> {
    let ok = (1..=max_len).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit());
    if ok { digits.parse().ok() } else { None }
}

/// Parses the date part: `1990-07-25`, `1990/7/25`, `1990.07.25`, `1990年7月25日` or
/// `19900725`.
fn parse_date_part(text: &str) -> Option<NaiveDate> {
    if text.len() == 8 && text.bytes().all(|b| b.is_ascii_digit()) {
        let year = number(&text[..4], 4)? as i32;
        return NaiveDate::from_ymd_opt(year, number(&text[4..6], 2)?, number(&text[6..], 2)?);
    }
    if let Some(rest) = text.strip_suffix('日') {
        let (year, rest) = rest.split_once('年')?;
        let (month, day) = rest.split_once('月')?;
        return ymd(year, month, day);
    }
    let separator = text.bytes().find(|b| matches!(b, b'-' | b'/' | b'.'))?;
    let mut parts = text.split(char::from(separator));
    let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    ymd(year, month, day)
}

fn ymd(year: &str, month: &str, day: &str) -> Option<NaiveDate> {
    if year.len() != 4 {
        return None;
    }
    NaiveDate::from_ymd_opt(number(year, 4)? as i32, number(month, 2)?, number(day, 2)?)
}

/// Checks the time part of an ISO 8601 date-time: `HH:MM`, `HH:MM:SS` or with a fraction,
/// optionally followed by `Z` or an offset such as `+08:00`.
fn time_part_valid(text: &str) -> bool {
    let without_zone = text.strip_suffix('Z').unwrap_or(text);
    let without_offset = match without_zone.rfind(['+', '-']) {
        Some(position) if position >= 5 => {
            let offset = &without_zone[position + 1..];
            let offset_ok = NaiveTime::parse_from_str(offset, "%H:%M").is_ok()
                || (offset.len() == 4 && NaiveTime::parse_from_str(offset, "%H%M").is_ok());
            if !offset_ok {
                return false;
            }
            &without_zone[..position]
        }
        _ => without_zone,
    };
    ["%H:%M:%S%.f", "%H:%M:%S", "%H:%M"]
        .iter()
        .any(|format| NaiveTime::parse_from_str(without_offset, format).is_ok())
}

/// Parses a calendar date written as `1990-07-25`, `1990/7/25`, `19900725`,
/// `1990年7月25日`, `1990.07.25`, or an ISO 8601 date-time (`1990-07-25T08:00:00`,
/// `1990-07-25 08:00:00+08:00`); the time is checked and dropped.
pub fn parse_date(value: &str) -> Option<NaiveDate> {
    let trimmed = value.trim();
    let split = trimmed.find(['T', ' ']);
    let (date_text, time_text) = match split {
        Some(position) => (&trimmed[..position], Some(trimmed[position + 1..].trim())),
        None => (trimmed, None),
    };
    let date = parse_date_part(date_text)?;
    match time_text {
        Some(time) if !time_part_valid(time) => None,
        _ => Some(date),
    }
}

/// Returns whether `date` is a plausible birth date: from 1900-01-01 to `today`.
pub fn birth_date_plausible(date: NaiveDate, today: NaiveDate) -> bool {
    (EARLIEST_BIRTH_DATE..=today).contains(&date)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    #[test]
    fn written_forms_parse() {
        for text in [
            "1990-07-25",
            "1990/7/25",
            "1990/07/25",
            "19900725",
            "1990年7月25日",
            "1990年07月25日",
            "1990.07.25",
            "1990-7-25",
            " 1990-07-25 ",
            "1990-07-25T00:00:00",
            "1990-07-25 08:30:00",
            "1990-07-25T08:30:00.123Z",
            "1990-07-25T08:30:00+08:00",
            "1990-07-25 08:30",
        ] {
            assert_eq!(parse_date(text), date(1990, 7, 25), "{text}");
        }
    }

    #[test]
    fn impossible_dates_rejected() {
        for text in [
            "1990-02-30",
            "1990-13-01",
            "19900230",
            "1990年2月30日",
            "2023-02-29",
            "1990-07-25T25:00:00",
            "1990-07-25 abc",
            "90-07-25",
            "1990-07",
            "1990-07-25-01",
            "1990/07-25",
            "25/07/1990",
            "199007250",
            "",
        ] {
            assert_eq!(parse_date(text), None, "{text}");
        }
    }

    #[test]
    fn leap_days() {
        assert_eq!(parse_date("2000-02-29"), date(2000, 2, 29));
        assert_eq!(parse_date("1900-02-29"), None);
        assert_eq!(parse_date("20240229"), date(2024, 2, 29));
    }

    #[test]
    fn birth_dates_bounded() {
        let today = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        assert!(birth_date_plausible(
            NaiveDate::from_ymd_opt(1900, 1, 1).unwrap(),
            today
        ));
        assert!(birth_date_plausible(today, today));
        assert!(!birth_date_plausible(
            NaiveDate::from_ymd_opt(1899, 12, 31).unwrap(),
            today
        ));
        assert!(!birth_date_plausible(
            NaiveDate::from_ymd_opt(2026, 1, 2).unwrap(),
            today
        ));
    }
}
