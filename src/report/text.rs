use std::io::{self, Write};

use super::ReportWriter;
use crate::inventory::{ColumnReport, FileReport, FileStatus, Inventory, TableReport};

/// The terminal summary: files, tagged columns with masked examples, people, the decision
/// and problems.
#[derive(Default)]
pub struct TextWriter {
    /// List untagged columns too.
    pub all_columns: bool,
}

impl ReportWriter for TextWriter {
    fn write(&self, inventory: &Inventory, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "exportscan inventory as of {}", inventory.as_of)?;
        write_file_counts(inventory, out)?;
        for file in &inventory.files {
            self.write_file(file, out)?;
        }
        write_individuals(inventory, out)?;
        write_decision(inventory, out)?;
        write_not_examined(inventory, out)
    }
}

fn write_file_counts(inventory: &Inventory, out: &mut dyn Write) -> io::Result<()> {
    let count = |status| {
        inventory
            .files
            .iter()
            .filter(|f| f.status == status)
            .count()
    };
    writeln!(
        out,
        "files: {} scanned, {} partial, {} failed, {} skipped",
        count(FileStatus::Scanned),
        count(FileStatus::Partial),
        count(FileStatus::Failed),
        count(FileStatus::Skipped)
    )
}

impl TextWriter {
    fn write_file(&self, file: &FileReport, out: &mut dyn Write) -> io::Result<()> {
        let format = serde_json::to_value(file.format)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let mut line = format!("\n{}  [{}", file.path, format);
        if let Some(encoding) = &file.encoding {
            line.push_str(&format!(", {encoding}"));
        }
        line.push(']');
        if file.status != FileStatus::Scanned {
            line.push_str(&format!("  {}", status_word(file.status)));
        }
        writeln!(out, "{line}")?;
        if let Some(problem) = &file.problem {
            writeln!(out, "  problem: {problem}")?;
        }
        for note in &file.notes {
            writeln!(out, "  note: {note}")?;
        }
        for table in &file.tables {
            self.write_table(table, out)?;
        }
        Ok(())
    }

    fn write_table(&self, table: &TableReport, out: &mut dyn Write) -> io::Result<()> {
        let mut heading = String::from("  ");
        match &table.name {
            Some(name) => heading.push_str(&format!("sheet {name}")),
            None => heading.push_str("table"),
        }
        if let Some(visibility) = table.visibility {
            if visibility != crate::read::Visibility::Visible {
                heading.push_str(&format!(" ({})", visibility_word(visibility)));
            }
        }
        match table.header_row {
            Some(row) => heading.push_str(&format!(": header on row {}", row + 1)),
            None => heading.push_str(": no header row"),
        }
        heading.push_str(&format!(", {} data rows", group_digits(table.rows)));
        writeln!(out, "{heading}")?;
        for column in &table.columns {
            if column.element.is_some() || self.all_columns {
                write_column(column, out)?;
            }
        }
        if table.columns.iter().all(|c| c.element.is_none()) {
            writeln!(out, "    no personal information found")?;
        }
        for problem in &table.problems {
            writeln!(out, "    problem: {problem}")?;
        }
        Ok(())
    }
}

fn write_column(column: &ColumnReport, out: &mut dyn Write) -> io::Result<()> {
    let position = column
        .letter
        .clone()
        .unwrap_or_else(|| format!("#{}", column.index + 1));
    let header = printable(&column.header);
    let element = column.element.as_deref().unwrap_or("-");
    let category = column
        .category
        .and_then(|c| serde_json::to_value(c).ok())
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    let mut line = format!("    {position:<4} {header:<20} {element}");
    if !category.is_empty() {
        line.push_str(&format!(
            " ({category}, confidence {:.2})",
            column.confidence
        ));
    }
    line.push_str(&format!("  {} values", group_digits(column.non_empty)));
    if column.masked {
        line.push_str(", masked");
    }
    if !column.examples.is_empty() {
        line.push_str(&format!("  e.g. {}", column.examples.join(", ")));
    }
    writeln!(out, "{line}")?;
    if let Some(note) = &column.note {
        writeln!(out, "         {note}")?;
    }
    Ok(())
}

fn write_individuals(inventory: &Inventory, out: &mut dyn Write) -> io::Result<()> {
    let people = &inventory.individuals;
    writeln!(
        out,
        "\ndistinct individuals: {}",
        group_digits(people.total)
    )?;
    writeln!(
        out,
        "  with sensitive personal information: {}",
        group_digits(people.sensitive)
    )?;
    writeln!(
        out,
        "  sensitive only through an ID number: {}",
        group_digits(people.sensitive_id_number_only)
    )?;
    writeln!(
        out,
        "  minors under 14: {}",
        group_digits(people.minors_under_14)
    )?;
    if people.unlinked_records > 0 {
        writeln!(
            out,
            "  records without a usable key, counted one person each: {} (the total is an upper bound)",
            group_digits(people.unlinked_records)
        )?;
    }
    if people.upper_bound > people.total {
        writeln!(
            out,
            "  up to {} if second phone or ID columns (contacts) belong to further people",
            group_digits(people.upper_bound)
        )?;
    }
    if people.conflicts > 0 {
        writeln!(
            out,
            "  conflicts: {} resident IDs shared a key with another resident ID; their records were kept apart",
            group_digits(people.conflicts)
        )?;
    }
    if !people.by_element.is_empty() {
        let parts: Vec<String> = people
            .by_element
            .iter()
            .map(|(element, count)| format!("{element} {}", group_digits(*count)))
            .collect();
        writeln!(out, "  by element: {}", parts.join(", "))?;
    }
    if !inventory.complete {
        writeln!(
            out,
            "  the scan is incomplete: counts cover only what could be read"
        )?;
    }
    Ok(())
}

fn write_decision(inventory: &Inventory, out: &mut dyn Write) -> io::Result<()> {
    let Some(decision) = &inventory.decision else {
        return Ok(());
    };
    writeln!(out, "\n{}", decision.render_text().trim_end())
}

fn write_not_examined(inventory: &Inventory, out: &mut dyn Write) -> io::Result<()> {
    if inventory.not_examined.is_empty() {
        return Ok(());
    }
    writeln!(out, "\nnot fully examined:")?;
    for line in &inventory.not_examined {
        writeln!(out, "  {line}")?;
    }
    Ok(())
}

fn status_word(status: FileStatus) -> &'static str {
    match status {
        FileStatus::Scanned => "scanned",
        FileStatus::Partial => "PARTIAL",
        FileStatus::Failed => "FAILED",
        FileStatus::Skipped => "SKIPPED",
    }
}

fn visibility_word(visibility: crate::read::Visibility) -> &'static str {
    match visibility {
        crate::read::Visibility::Visible => "visible",
        crate::read::Visibility::Hidden => "hidden",
        crate::read::Visibility::VeryHidden => "very hidden",
    }
}

/// Replaces line breaks and other control characters so that a header prints on one line.
fn printable(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Formats a count with thousands separators: 1234567 → 1,234,567.
pub fn group_digits(value: u64) -> String {
    let digits = value.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

#[cfg(test)]
mod tests {
    use super::group_digits;

    #[test]
    fn digits_grouped_by_thousands() {
        assert_eq!(group_digits(0), "0");
        assert_eq!(group_digits(999), "999");
        assert_eq!(group_digits(1000), "1,000");
        assert_eq!(group_digits(4812337), "4,812,337");
    }
}
