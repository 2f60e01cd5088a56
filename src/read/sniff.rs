//! Format identification from a file's first bytes and its extension.

use std::sync::LazyLock;

use regex::Regex;

use super::decode::{self, TextEncoding};
use super::sheet::ODS_MIMETYPE;
use super::{Format, Sniffed};

const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Binary formats recognised only to name them in a message.
const OTHER_BINARY_MAGIC: [(&[u8], &str); 10] = [
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xFF\xD8\xFF", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1F\x8B", "a gzip archive"),
    (b"7z\xBC\xAF\x27\x1C", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"SQLite format 3\0", "an SQLite database"),
    (b"\x7FELF", "an executable"),
    (b"MZ", "a Windows executable"),
];

/// First words of an SQL script, after comments.
const SQL_START_WORDS: [&str; 24] = [
    "CREATE",
    "DROP",
    "SET",
    "USE",
    "ALTER",
    "COMMENT",
    "BEGIN",
    "PRAGMA",
    "INSERT",
    "GRANT",
    "DECLARE",
    "PROMPT",
    "SPOOL",
    "EXEC",
    "EXECUTE",
    "IF",
    "GO",
    "LOCK",
    "UNLOCK",
    "DELIMITER",
    "START",
    "CONNECT",
    "WHENEVER",
    "SELECT",
];

static CREATE_TABLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\bcreate\s+(?:or\s+replace\s+)?(?:(?:global|local)\s+)?(?:temporary\s+|temp\s+|unlogged\s+)?table\b")
        .expect("static regex is valid")
});

/// Content kind found in the head, before it is matched with the extension.
struct Content {
    format: Format,
    /// Description for a mismatch message, such as "a legacy .xls workbook".
    description: &'static str,
    /// Extensions that agree with this content.
    agreeing_extensions: &'static [&'static str],
}

impl Content {
    fn new(
        format: Format,
        description: &'static str,
        agreeing_extensions: &'static [&'static str],
    ) -> Self {
        Content {
            format,
            description,
            agreeing_extensions,
        }
    }
}

const TEXT_TABLE_EXTENSIONS: &[&str] = &["csv", "tsv", "txt", "tab", "dat", "prn"];

pub(crate) fn sniff(head: &[u8], extension: Option<&str>) -> Sniffed {
    let extension = extension
        .map(|e| e.trim_start_matches('.').to_ascii_lowercase())
        .filter(|e| !e.is_empty());
    let extension = extension.as_deref();
    if head.is_empty() {
        return Sniffed {
            format: format_from_extension(extension),
            description: "an empty file".to_string(),
            mismatch: None,
        };
    }
    let content = if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        zip_content(head, extension)
    } else if head.starts_with(OLE_MAGIC) {
        ole_content(head, extension)
    } else if let Some((_, description)) = OTHER_BINARY_MAGIC
        .iter()
        .find(|(magic, _)| head.starts_with(magic))
    {
        Content::new(Format::Unknown, description, &[])
    } else {
        text_content(head, extension)
    };
    let agrees = match extension {
        None => true,
        Some(ext) => content.agreeing_extensions.contains(&ext),
    };
    let mismatch = match extension {
        Some(ext) if !agrees => Some(format!(
            "content is {}, extension says .{ext}",
            content.description
        )),
        _ => None,
    };
    Sniffed {
        format: content.format,
        description: content.description.to_string(),
        mismatch,
    }
}

fn format_from_extension(extension: Option<&str>) -> Format {
    match extension {
        Some("csv") => Format::Csv,
        Some("tsv" | "tab") => Format::Tsv,
        Some("txt") => Format::Txt,
        Some("xlsx" | "et") => Format::Xlsx,
        Some("xlsm") => Format::Xlsm,
        Some("xlsb") => Format::Xlsb,
        Some("xls") => Format::Xls,
        Some("ods") => Format::Ods,
        Some("sql" | "ddl") => Format::Sql,
        Some("json") => Format::JsonSchema,
        _ => Format::Unknown,
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn utf16le(name: &str) -> Vec<u8> {
    name.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

fn zip_content(head: &[u8], extension: Option<&str>) -> Content {
    // An ODS package stores the uncompressed `mimetype` entry first.
    if head.get(30..38) == Some(b"mimetype".as_slice()) && contains(head, ODS_MIMETYPE) {
        return Content::new(Format::Ods, "an OpenDocument spreadsheet", &["ods"]);
    }
    if contains(head, b"xl/workbook.bin") {
        return Content::new(Format::Xlsb, "an .xlsb workbook", &["xlsb"]);
    }
    if contains(head, b"word/") {
        return Content::new(
            Format::Unknown,
            "a Word document (.docx)",
            &["docx", "docm"],
        );
    }
    if contains(head, b"ppt/") {
        return Content::new(
            Format::Unknown,
            "a PowerPoint presentation (.pptx)",
            &["pptx", "pptm"],
        );
    }
    match extension {
        Some("xlsm") => Content::new(Format::Xlsm, "an .xlsm workbook", &["xlsm"]),
        Some("xlsb") => Content::new(Format::Xlsb, "an .xlsb workbook", &["xlsb"]),
        Some("ods") => Content::new(Format::Ods, "an OpenDocument spreadsheet", &["ods"]),
        _ if contains(head, b"xl/") || matches!(extension, Some("xlsx" | "et")) => Content::new(
            Format::Xlsx,
            "an .xlsx workbook (zip package)",
            &["xlsx", "xlsm", "et"],
        ),
        _ => Content::new(Format::Unknown, "a zip archive", &["zip"]),
    }
}

fn ole_content(head: &[u8], extension: Option<&str>) -> Content {
    const ENCRYPTED: &str = "a password-protected (encrypted) Office workbook";
    const OOXML_EXTENSIONS: &[&str] = &["xlsx", "xlsm", "xlsb"];
    if contains(head, &utf16le("EncryptedPackage")) || contains(head, &utf16le("EncryptionInfo")) {
        let format = match extension {
            Some("xlsm") => Format::Xlsm,
            Some("xlsb") => Format::Xlsb,
            _ => Format::Xlsx,
        };
        return Content::new(format, ENCRYPTED, OOXML_EXTENSIONS);
    }
    if contains(head, &utf16le("Workbook")) || contains(head, &utf16le("Book")) {
        return Content::new(Format::Xls, "a legacy .xls workbook", &["xls", "et"]);
    }
    match extension {
        // The directory naming the streams can lie past the head.
        Some("xlsx" | "xlsm" | "xlsb") => Content::new(
            format_from_extension(extension),
            ENCRYPTED,
            OOXML_EXTENSIONS,
        ),
        Some("doc" | "ppt" | "msg" | "msi" | "wps") => Content::new(
            Format::Unknown,
            "an OLE compound file (Office 97-2003 document)",
            &["doc", "ppt", "msg", "msi", "wps"],
        ),
        _ => Content::new(
            Format::Xls,
            "an OLE compound file (legacy .xls or encrypted workbook)",
            &["xls", "et"],
        ),
    }
}

fn text_content(head: &[u8], extension: Option<&str>) -> Content {
    let encoding = decode::guess_head_encoding(head);
    let is_utf16 = matches!(
        encoding,
        TextEncoding::Utf16Le { .. } | TextEncoding::Utf16Be { .. }
    );
    if !is_utf16 && head.contains(&0) {
        return Content::new(Format::Unknown, "binary data", &[]);
    }
    let (text, _, malformed) = decode::decode_bytes(head);
    let chars = text.chars().count().max(1);
    let control = text
        .chars()
        .filter(|c| c.is_control() && !matches!(c, '\t' | '\r' | '\n' | '\x0C' | '\x1A'))
        .count();
    if (control as u64 + malformed) * 20 > chars as u64 {
        return Content::new(Format::Unknown, "binary data", &[]);
    }
    let trimmed = text.trim_start_matches(['\u{FEFF}', ' ', '\t', '\r', '\n']);
    if let Some(content) = markup_content(trimmed) {
        return content;
    }
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        return if trimmed.starts_with('{')
            && (text.contains("\"$schema\"") || text.contains("\"properties\""))
        {
            Content::new(Format::JsonSchema, "a JSON Schema", &["json"])
        } else {
            Content::new(Format::Unknown, "JSON data (not a JSON Schema)", &["json"])
        };
    }
    if extension == Some("sql") || extension == Some("ddl") || looks_like_sql(trimmed) {
        return Content::new(Format::Sql, "SQL", &["sql", "ddl", "txt"]);
    }
    let format = match extension {
        Some("csv") => Format::Csv,
        Some("tsv" | "tab") => Format::Tsv,
        Some("txt") => Format::Txt,
        _ => {
            let complete = head.len() < 8 * 1024;
            match super::text::sniff_delimiter(text.as_bytes(), complete, Format::Csv) {
                Some(b'\t') => Format::Tsv,
                _ => Format::Csv,
            }
        }
    };
    Content::new(format, "delimited text", TEXT_TABLE_EXTENSIONS)
}

/// Recognises HTML tables and SpreadsheetML 2003, which web systems often save as .xls.
fn markup_content(text: &str) -> Option<Content> {
    let start: String = text
        .chars()
        .take(512)
        .collect::<String>()
        .to_ascii_lowercase();
    if start.starts_with("<?xml") && text.contains("urn:schemas-microsoft-com:office:spreadsheet") {
        return Some(Content::new(
            Format::Unknown,
            "an XML Spreadsheet 2003 file (open it in Excel and save it as .xlsx)",
            &["xml"],
        ));
    }
    let html = ["<html", "<!doctype html", "<table", "<meta", "<head"]
        .iter()
        .any(|tag| start.starts_with(tag));
    if !html && start.starts_with('<') {
        return Some(Content::new(
            Format::Unknown,
            "an XML or markup document",
            &["xml"],
        ));
    }
    html.then(|| {
        Content::new(
            Format::Unknown,
            "an HTML page or table (open it in Excel and save it as .xlsx)",
            &["html", "htm"],
        )
    })
}

/// Returns whether the text starts like an SQL script and creates a table.
fn looks_like_sql(text: &str) -> bool {
    let mut rest = text;
    loop {
        rest = rest.trim_start();
        if let Some(after) = rest.strip_prefix("--").or_else(|| rest.strip_prefix('#')) {
            rest = after.split_once('\n').map_or("", |(_, tail)| tail);
        } else if let Some(after) = rest.strip_prefix("/*") {
            rest = after.split_once("*/").map_or("", |(_, tail)| tail);
        } else {
            break;
        }
    }
    let word: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    SQL_START_WORDS.contains(&word.to_ascii_uppercase().as_str()) && CREATE_TABLE.is_match(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sniffed(head: &[u8], extension: &str) -> Sniffed {
        sniff(head, Some(extension))
    }

    #[test]
    fn text_formats_follow_extension() {
        assert_eq!(sniffed(b"a,b\n1,2\n", "csv").format, Format::Csv);
        assert_eq!(sniffed(b"a\tb\n1\t2\n", "txt").format, Format::Txt);
        assert_eq!(sniffed(b"a\tb\n1\t2\n", "tsv").format, Format::Tsv);
        assert_eq!(sniff(b"a\tb\n1\t2\n", None).format, Format::Tsv);
        assert_eq!(sniffed(b"a,b\n1,2\n", "csv").mismatch, None);
    }

    #[test]
    fn ole_with_csv_extension_is_reported() {
        let mut head = OLE_MAGIC.to_vec();
        head.resize(512, 0);
        let result = sniffed(&head, "csv");
        assert_eq!(result.format, Format::Xls);
        assert_eq!(
            result.mismatch.as_deref(),
            Some(
                "content is an OLE compound file (legacy .xls or encrypted workbook), extension says .csv"
            )
        );
    }

    #[test]
    fn encrypted_package_marker_means_xlsx() {
        let mut head = OLE_MAGIC.to_vec();
        head.resize(1024, 0);
        head.extend(utf16le("EncryptedPackage"));
        let result = sniffed(&head, "xlsx");
        assert_eq!(result.format, Format::Xlsx);
        assert_eq!(result.mismatch, None);
    }

    #[test]
    fn binary_named_csv_is_unknown() {
        let head: Vec<u8> = (0u8..=255).cycle().take(4096).collect();
        let result = sniffed(&head, "csv");
        assert_eq!(result.format, Format::Unknown);
        assert!(result.mismatch.is_some());
    }

    #[test]
    fn csv_named_xlsx_is_text() {
        let result = sniffed("姓名,手机号\n张三,13900000000\n".as_bytes(), "xlsx");
        assert_eq!(result.format, Format::Csv);
        assert_eq!(
            result.mismatch.as_deref(),
            Some("content is delimited text, extension says .xlsx")
        );
    }

    #[test]
    fn sql_and_json_schema_are_recognised() {
        let sql = b"-- dump\n/* x */\nDROP TABLE IF EXISTS t;\nCREATE TABLE t (a int);\n";
        assert_eq!(sniff(sql, None).format, Format::Sql);
        assert_eq!(sniffed(sql, "txt").format, Format::Sql);
        let schema = br#"{"$schema": "http://json-schema.org/draft-07/schema#", "properties": {}}"#;
        assert_eq!(sniffed(schema, "json").format, Format::JsonSchema);
        assert_eq!(sniffed(b"[{\"a\": 1}]", "json").format, Format::Unknown);
    }

    #[test]
    fn html_saved_as_xls_is_named() {
        let result = sniffed(
            b"<html><body><table><tr><td>1</td></tr></table></body></html>",
            "xls",
        );
        assert_eq!(result.format, Format::Unknown);
        assert!(result.mismatch.is_some_and(|m| m.contains("HTML")));
    }

    #[test]
    fn utf16_without_bom_is_text() {
        let head: Vec<u8> = "姓名\t电话\n张三\t13900000000\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert_eq!(sniffed(&head, "txt").format, Format::Txt);
    }

    #[test]
    fn zip_kinds() {
        let mut ods = b"PK\x03\x04".to_vec();
        ods.resize(30, 0);
        ods.extend_from_slice(b"mimetype");
        ods.extend_from_slice(ODS_MIMETYPE);
        assert_eq!(sniffed(&ods, "ods").format, Format::Ods);
        assert_eq!(sniffed(&ods, "xlsx").format, Format::Ods);
        let xlsx = b"PK\x03\x04....[Content_Types].xml....xl/workbook.xml";
        assert_eq!(sniffed(xlsx, "csv").format, Format::Xlsx);
        assert_eq!(sniffed(b"PK\x03\x04....", "xlsx").format, Format::Xlsx);
        assert_eq!(sniffed(b"PK\x03\x04....", "zip").format, Format::Unknown);
    }
}
