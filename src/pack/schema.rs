//! Element files as written: the serde form of `patterns/elements/*.toml`.

use serde::Deserialize;

use super::Category;

/// Header rules shared by all elements; the tables of several files are merged.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct HeaderRulesFile {
    /// Pinyin initials of a role (djr 登记人) that may precede an element's pinyin code.
    #[serde(default)]
    pub role_prefixes: Vec<String>,
    /// English tokens that, outside the matched pattern, mark a header as a flag, count or
    /// type column rather than the element itself.
    #[serde(default)]
    pub exclude_tokens: Vec<String>,
    /// Chinese words with the same role as `exclude_tokens`.
    #[serde(default)]
    pub exclude_words: Vec<String>,
}

/// One `[[element]]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ElementFile {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub category: Category,
    #[serde(default)]
    pub linking: bool,
    pub validator: Option<String>,
    pub normaliser: Option<String>,
    pub pattern: Option<String>,
    #[serde(default)]
    pub numeric_damage: bool,
    #[serde(default)]
    pub vocabulary: Vec<String>,
    #[serde(default)]
    pub code_vocabulary: Vec<String>,
    #[serde(default)]
    pub headers: HeaderPatterns,
    #[serde(default)]
    pub samples: Samples,
}

/// An element's header patterns as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeaderPatterns {
    /// Simplified Chinese, matched as substrings.
    #[serde(default)]
    pub zh: Vec<String>,
    /// Traditional Chinese, matched as substrings.
    #[serde(default)]
    pub zh_hant: Vec<String>,
    /// English token sequences (`id_card_no`, `idCardNo` and `id card no` are one pattern).
    #[serde(default)]
    pub en: Vec<String>,
    /// Pinyin initials codes (`SFZH`), matched as whole tokens, also after a role prefix.
    #[serde(default)]
    pub pinyin: Vec<String>,
    /// Ambiguous patterns of any kind, scored at half weight: Han text is matched as a
    /// substring, all-uppercase ASCII as a pinyin code, anything else as English tokens.
    #[serde(default)]
    pub weak: Vec<String>,
    /// Element-specific additions to the shared `exclude_tokens`.
    #[serde(default)]
    pub exclude_tokens: Vec<String>,
    /// Element-specific additions to the shared `exclude_words`.
    #[serde(default)]
    pub exclude_words: Vec<String>,
}

/// An element's self-test data: values and headers with the outcome they must have.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Samples {
    /// Values that classify as `Valid`.
    #[serde(default)]
    pub valid: Vec<String>,
    /// Values that classify as `Invalid`.
    #[serde(default)]
    pub invalid: Vec<String>,
    /// Values that classify as `Masked`.
    #[serde(default)]
    pub masked: Vec<String>,
    /// Values that classify as `Damaged`.
    #[serde(default)]
    pub damaged: Vec<String>,
    /// Headers whose best match is this element.
    #[serde(default)]
    pub headers: Vec<String>,
    /// Headers that must not match this element at all.
    #[serde(default)]
    pub not_headers: Vec<String>,
}
