//! Data element definitions: loading, checking and compiling the TOML files in
//! `patterns/elements/` (embedded as the default pack).
//!
//! Loading reads each file as written (`schema`), compiles every element (`load`) and then
//! runs each element's own samples against the compiled pack, so a pack that loads is one
//! whose sample values and sample headers behave as stated. Header matching lives in
//! `header`, value classification in `value`.

mod header;
mod load;
mod schema;
mod value;

use std::borrow::Cow;
use std::path::Path;

pub use schema::{HeaderPatterns, Samples};

/// The category a data element belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Personal,
    Sensitive,
    Organisation,
}

/// Strength of the evidence that a value check gives for the element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ValueStrength {
    /// No value pattern: the element is found from headers only (names, addresses).
    None,
    /// A shape only (email, IP address, plate): decisive only with many values.
    Pattern,
    /// A check digit or calendar check (resident ID, bank card, VIN, credit code).
    Checksum,
}

/// Class of a single value for one element.
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

/// The class of one value together with the strength of the evidence it gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ValueCheck {
    pub class: ValueClass,
    /// The element's strength for a `Valid` value, or less when this value proves less. A
    /// VIN outside China whose optional check digit does not match is `Pattern`, and a
    /// gender code such as `1` is `None`. Every other class has `None`.
    pub strength: ValueStrength,
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
    /// The element's header patterns as written in its file.
    pub headers: HeaderPatterns,
    /// The element's sample values and headers as written in its file.
    pub samples: Samples,
    /// Name of the file that defines the element.
    pub file: String,
    // Compiled patterns, validator and normaliser are private to the pack module.
    value: value::ValueRules,
    header: header::ElementHeaders,
}

/// A checked, compiled set of data elements.
#[derive(Debug)]
pub struct ElementPack {
    pub elements: Vec<Element>,
    header_rules: header::HeaderRules,
}

#[derive(Debug, thiserror::Error)]
pub enum PackError {
    #[error("{file}: {message}")]
    Invalid { file: String, message: String },
    #[error("{file}: element {element}: {message}")]
    Element {
        file: String,
        element: String,
        message: String,
    },
    /// The OS error is part of the message and not the `source()`, so that printing the
    /// error chain shows it once.
    #[error("{path}: {error}")]
    Io { path: String, error: std::io::Error },
}

impl ElementPack {
    /// Loads the pack embedded from `patterns/elements/`.
    pub fn builtin() -> Result<ElementPack, PackError> {
        load::load_builtin(load::today())
    }

    /// Loads every `*.toml` file in `dir` in place of the embedded pack.
    pub fn load_dir(dir: &Path) -> Result<ElementPack, PackError> {
        load::load_dir(dir, load::today())
    }

    /// Loads a pack from `(file name, TOML text)` pairs, in the given order; the file names
    /// appear in errors.
    pub fn from_sources(sources: &[(&str, &str)]) -> Result<ElementPack, PackError> {
        load::load_sources(sources, load::today())
    }

    /// Returns the index of the element with this id.
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.elements.iter().position(|e| e.id == id)
    }

    /// Matches a column header (or a schema column name with its comment) against every
    /// element's header patterns, best match first.
    pub fn match_header(&self, header: &str) -> Vec<HeaderMatch> {
        header::match_header(self, header)
    }
}

impl Element {
    /// Classifies one raw value.
    pub fn classify(&self, value: &str) -> ValueClass {
        self.check(value).class
    }

    /// Classifies one raw value and rates the evidence it gives for this element.
    pub fn check(&self, value: &str) -> ValueCheck {
        self.value.evaluate(value, self.strength).0
    }

    /// Classifies one raw value and, for a valid value, returns its canonical form: the
    /// linking key of a linking element. One call does the work of `classify` and
    /// `link_key`, for the full pass over every row.
    pub fn inspect<'a>(&self, value: &'a str) -> (ValueClass, Option<Cow<'a, str>>) {
        let (check, canonical) = self.value.evaluate(value, self.strength);
        match check.class {
            ValueClass::Valid => (ValueClass::Valid, canonical),
            class => (class, None),
        }
    }

    /// Returns whether valid values carry a birth date (resident IDs, birth dates).
    pub fn carries_birth_date(&self) -> bool {
        self.value.carries_birth_date()
    }

    /// Returns the birth date in the canonical form of a valid value (see `inspect`).
    pub fn birth_date_of_canonical(&self, canonical: &str) -> Option<chrono::NaiveDate> {
        self.value.birth_date(canonical)
    }

    /// Returns the normalised linking key of a valid value of a linking element.
    pub fn link_key(&self, value: &str) -> Option<String> {
        if !self.linking {
            return None;
        }
        match self.value.evaluate(value, self.strength) {
            (
                ValueCheck {
                    class: ValueClass::Valid,
                    ..
                },
                Some(canonical),
            ) => Some(canonical.into_owned()),
            _ => None,
        }
    }

    /// Returns the birth date that a valid value carries (resident ID, birth date).
    pub fn birth_date(&self, value: &str) -> Option<chrono::NaiveDate> {
        match self.value.evaluate(value, self.strength) {
            (
                ValueCheck {
                    class: ValueClass::Valid,
                    ..
                },
                Some(canonical),
            ) => self.value.birth_date(&canonical),
            _ => None,
        }
    }
}
