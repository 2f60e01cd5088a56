//! Data element definitions: loading, checking and compiling the TOML files in
//! `patterns/elements/` (embedded as the default pack).

use std::path::Path;

/// The category a data element belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Personal,
    Sensitive,
    Organisation,
}

/// How strongly a value check proves the element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ValueStrength {
    /// No value pattern: the element is found from headers only (names, addresses).
    None,
    /// A shape only (email, IP address, plate): decisive only with many values.
    Pattern,
    /// A check digit or calendar check (resident ID, bank card, VIN, credit code).
    Checksum,
}

/// What a single value looks like for one element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueClass {
    Empty,
    /// Passes the pattern and validator.
    Valid,
    /// A partial mask such as 139****1601: personal data, never a linking key.
    Masked,
    /// Digits destroyed by spreadsheet numeric storage (1.10105E+17, 15 significant digits).
    Damaged,
    Invalid,
}

/// A header pattern hit for one element.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HeaderMatch {
    /// Index into `ElementPack::elements`.
    pub element: usize,
    /// 0.0–1.0: exact whole-header match scores highest.
    pub score: f32,
}

/// A compiled data element.
#[derive(Debug)]
pub struct Element {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub category: Category,
    /// Whether values identify a person and link records (a linking key).
    pub linking: bool,
    pub strength: ValueStrength,
    // Compiled patterns, validator and normaliser are private to the pack module.
}

/// A checked, compiled set of data elements.
#[derive(Debug)]
pub struct ElementPack {
    pub elements: Vec<Element>,
}

#[derive(Debug, thiserror::Error)]
pub enum PackError {
    #[error("{file}: {message}")]
    Invalid { file: String, message: String },
    #[error("{file}: element {element}: {message}")]
    Element { file: String, element: String, message: String },
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
}

impl ElementPack {
    /// Loads the pack embedded from `patterns/elements/`.
    pub fn builtin() -> Result<ElementPack, PackError> {
        todo!()
    }

    /// Loads every `*.toml` file in `dir` in place of the embedded pack.
    pub fn load_dir(dir: &Path) -> Result<ElementPack, PackError> {
        let _ = dir;
        todo!()
    }

    /// Returns the index of the element with this id.
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.elements.iter().position(|e| e.id == id)
    }

    /// Matches a column header (or a schema column name with its comment) against every
    /// element's header patterns, best match first.
    pub fn match_header(&self, header: &str) -> Vec<HeaderMatch> {
        let _ = header;
        todo!()
    }
}

impl Element {
    /// Classifies one raw value.
    pub fn classify(&self, value: &str) -> ValueClass {
        let _ = value;
        todo!()
    }

    /// Returns the normalised linking key of a valid value of a linking element.
    pub fn link_key(&self, value: &str) -> Option<String> {
        let _ = value;
        todo!()
    }

    /// Returns the birth date that a valid value carries (resident ID, birth date).
    pub fn birth_date(&self, value: &str) -> Option<chrono::NaiveDate> {
        let _ = value;
        todo!()
    }
}
