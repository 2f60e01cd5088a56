//! JSON Schema files (draft-04 to 2020-12 style): the properties of the described object,
//! nested ones flattened to dotted paths.

use std::io::Read;
use std::path::Path;

use serde_json::{Map, Value};

use super::decode;
use super::{FileRead, Limits, ReadError, SchemaColumn, TableMeta, TableVisitor};

/// Maximum nesting of objects and arrays followed; deeper properties are reported as an
/// error item instead of recursing further.
const MAX_DEPTH: usize = 32;
/// Maximum columns taken from one schema.
const MAX_COLUMNS: usize = 100_000;
/// Maximum subschemas visited for one table, which bounds the fan-out of `$ref` loops.
const MAX_VISITS: usize = 1_000_000;

pub(crate) fn read_json_schema(
    path: &Path,
    limits: &Limits,
    visitor: &mut dyn TableVisitor,
) -> Result<FileRead, ReadError> {
    let file = super::open_input(path)?;
    let size = file.metadata()?.len();
    if size == 0 {
        return Err(ReadError::Empty);
    }
    if size > limits.max_line_bytes as u64 {
        return Err(ReadError::Limit(format!(
            "JSON Schema of {size} bytes is larger than the limit of {} bytes",
            limits.max_line_bytes
        )));
    }
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(limits.max_line_bytes as u64)
        .read_to_end(&mut bytes)?;
    let (text, encoding, malformed) = decode::decode_bytes(&bytes);
    let mut notes: Vec<String> = encoding.note().into_iter().collect();
    if malformed > 0 {
        notes.push(format!(
            "{malformed} invalid {} byte sequences, replaced with U+FFFD",
            encoding.label()
        ));
    }
    // serde_json stops at 128 levels of nesting with an error, so parsing cannot
    // overflow the stack.
    let root: Value = serde_json::from_str(text.trim_start_matches('\u{FEFF}'))
        .map_err(|e| ReadError::Corrupt(format!("invalid JSON: {e}")))?;
    let Some(root_object) = root.as_object() else {
        return Err(ReadError::Unsupported(
            "the JSON file is not an object, so it is not a JSON Schema".to_string(),
        ));
    };
    let stem = path
        .file_name()
        .and_then(|n| n.to_str())
        .map(file_stem)
        .unwrap_or_default();
    let title = root_object
        .get("title")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or(stem);

    let mut tables = Vec::new();
    let mut top = Flattener::new(&root);
    top.walk(root_object, "", 0);
    if !top.columns.is_empty() || !has_definitions(root_object) {
        tables.push((title, top));
    } else {
        // A bundle of definitions without top-level properties: one table each.
        for (name, definition) in definitions(root_object) {
            let mut flattener = Flattener::new(&root);
            if let Some(object) = definition.as_object() {
                flattener.walk(object, "", 0);
            }
            if !flattener.columns.is_empty() {
                tables.push((name.clone(), flattener));
            }
        }
    }
    for (name, flattener) in tables {
        let meta = TableMeta {
            name: Some(name),
            schema_columns: Some(flattener.columns),
            ..TableMeta::default()
        };
        let mut errors = flattener.errors.into_iter().map(Err);
        visitor.table(&meta, &mut errors);
    }
    Ok(FileRead {
        encoding: Some(encoding.label()),
        delimiter: None,
        notes,
        unread: Vec::new(),
    })
}

/// File name without the `.json` and `.schema` suffixes.
fn file_stem(name: &str) -> String {
    let name = name.strip_suffix(".json").unwrap_or(name);
    name.strip_suffix(".schema").unwrap_or(name).to_string()
}

fn has_definitions(object: &Map<String, Value>) -> bool {
    definitions(object).next().is_some()
}

fn definitions(object: &Map<String, Value>) -> impl Iterator<Item = (&String, &Value)> {
    ["definitions", "$defs"]
        .into_iter()
        .filter_map(|key| object.get(key).and_then(Value::as_object))
        .flat_map(|defs| defs.iter())
}

struct Flattener<'r> {
    root: &'r Value,
    columns: Vec<SchemaColumn>,
    errors: Vec<ReadError>,
    visits: usize,
}

impl<'r> Flattener<'r> {
    fn new(root: &'r Value) -> Self {
        Flattener {
            root,
            columns: Vec::new(),
            errors: Vec::new(),
            visits: 0,
        }
    }

    /// Resolves a local `$ref` (`#/definitions/x`, `#/$defs/x`); other schemas as they are.
    fn resolve<'s>(&self, schema: &'s Map<String, Value>) -> Option<&'s Map<String, Value>>
    where
        'r: 's,
    {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(reference) => {
                let pointer = reference.strip_prefix('#')?;
                self.root.pointer(pointer).and_then(Value::as_object)
            }
            None => Some(schema),
        }
    }

    /// Adds the properties of an object schema (and of its `allOf`/`anyOf`/`oneOf`
    /// parts, and of an array's `items`) under `prefix`.
    fn walk(&mut self, schema: &'r Map<String, Value>, prefix: &str, depth: usize) {
        self.visits += 1;
        if depth > MAX_DEPTH || self.visits > MAX_VISITS {
            // One error is enough: a `$ref` loop would repeat it on every branch.
            if self.errors.is_empty() {
                self.errors.push(ReadError::Limit(format!(
                    "properties under '{prefix}' nest deeper than {MAX_DEPTH} levels or a $ref loops; the deeper ones are not listed"
                )));
            }
            return;
        }
        let Some(schema) = self.resolve(schema) else {
            let at = if prefix.is_empty() {
                "the top level".to_string()
            } else {
                format!("'{prefix}'")
            };
            self.errors.push(unresolved_reference(schema, &at));
            return;
        };
        if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
            for (name, property) in properties {
                let path = if prefix.is_empty() {
                    name.clone()
                } else {
                    format!("{prefix}.{name}")
                };
                match property {
                    Value::Object(property) => self.property(property, &path, depth),
                    // `true` and `false` are valid schemas (draft 6 and later) without a type.
                    Value::Bool(_) => self.push_column(&path, &Map::new(), &Map::new()),
                    other => {
                        self.push_column(&path, &Map::new(), &Map::new());
                        self.errors.push(ReadError::Corrupt(format!(
                            "property '{path}' is {}, not a schema object, so its type and \
                             description are unknown",
                            json_kind(other)
                        )));
                    }
                }
            }
        }
        for key in ["allOf", "anyOf", "oneOf"] {
            for part in schema
                .get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(part) = part.as_object() {
                    self.walk(part, prefix, depth + 1);
                }
            }
        }
        if prefix.is_empty()
            && let Some(items) = schema.get("items").and_then(Value::as_object)
        {
            // A top-level array of records: the columns are the items' properties.
            self.walk(items, prefix, depth + 1);
        }
    }

    fn property(&mut self, property: &'r Map<String, Value>, path: &str, depth: usize) {
        if self.columns.len() >= MAX_COLUMNS {
            if self.errors.is_empty() {
                self.errors.push(ReadError::Limit(format!(
                    "more than {MAX_COLUMNS} properties; the rest are not listed"
                )));
            }
            return;
        }
        let Some(resolved) = self.resolve(property) else {
            self.errors
                .push(unresolved_reference(property, &format!("'{path}'")));
            return self.push_column(path, property, property);
        };
        let has_properties = |s: &Map<String, Value>| {
            s.contains_key("properties")
                || ["allOf", "anyOf", "oneOf"]
                    .iter()
                    .any(|k| s.contains_key(*k))
        };
        let items = resolved.get("items").and_then(Value::as_object);
        let item_schema = items.and_then(|items| self.resolve(items));
        if has_properties(resolved) {
            self.walk(resolved, path, depth + 1);
        } else if let (Some(items), Some(item_schema)) = (items, item_schema)
            && has_properties(item_schema)
        {
            self.walk(items, &format!("{path}[]"), depth + 1);
        } else {
            self.push_column(path, property, resolved);
        }
    }

    fn push_column(
        &mut self,
        path: &str,
        property: &Map<String, Value>,
        resolved: &Map<String, Value>,
    ) {
        let text = |key: &str| {
            property
                .get(key)
                .or_else(|| resolved.get(key))
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        let comment = text("description").or_else(|| text("title"));
        let data_type = data_type(resolved);
        self.columns.push(SchemaColumn {
            name: path.to_string(),
            comment,
            data_type,
        });
    }
}

/// Returns the error for a `$ref` at `at` that names no schema in this file.
fn unresolved_reference(schema: &Map<String, Value>, at: &str) -> ReadError {
    let reference = schema
        .get("$ref")
        .and_then(Value::as_str)
        .unwrap_or_default();
    ReadError::Unsupported(format!(
        "$ref \"{reference}\" at {at} was not resolved (only references inside the file, such \
         as #/definitions/x, are followed), so the properties it describes are not listed"
    ))
}

/// Returns the kind of a JSON value with its article, such as "a string".
fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Renders `type` (a name or a list) with its `format`, such as `string(date)`.
fn data_type(schema: &Map<String, Value>) -> Option<String> {
    let base = match schema.get("type")? {
        Value::String(s) => s.clone(),
        Value::Array(types) => types
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join("|"),
        _ => return None,
    };
    Some(match schema.get("format").and_then(Value::as_str) {
        Some(format) => format!("{base}({format})"),
        None => base,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn columns(schema: &str) -> (Vec<SchemaColumn>, Vec<ReadError>) {
        let root: Value = serde_json::from_str(schema).expect("test schema is valid JSON");
        let mut flattener = Flattener::new(&root);
        let object = root.as_object().expect("object");
        flattener.walk(object, "", 0);
        (flattener.columns, flattener.errors)
    }

    #[test]
    fn nested_and_array_properties() {
        let (columns, errors) = columns(
            r##"{"properties": {
                "idNo": {"type": "string", "description": "证件号码"},
                "contact": {"type": "object", "properties": {"name": {"type": "string"}}},
                "cars": {"type": "array", "items": {"properties": {"plate": {"type": "string", "format": "plate"}}}},
                "tags": {"type": "array", "items": {"type": "string"}},
                "home": {"$ref": "#/definitions/address"}
            },
            "definitions": {"address": {"properties": {"city": {"type": ["string", "null"]}}}}}"##,
        );
        assert!(errors.is_empty());
        // Properties keep their order in the file (serde_json's preserve_order feature).
        let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            ["idNo", "contact.name", "cars[].plate", "tags", "home.city"]
        );
        assert_eq!(columns[0].comment.as_deref(), Some("证件号码"));
        assert_eq!(columns[2].data_type.as_deref(), Some("string(plate)"));
        assert_eq!(columns[3].data_type.as_deref(), Some("array"));
        assert_eq!(columns[4].data_type.as_deref(), Some("string|null"));
    }

    #[test]
    fn ref_loop_stops_at_depth_limit() {
        let (columns, errors) = columns(
            r##"{"properties": {"node": {"$ref": "#/definitions/node"}},
                "definitions": {"node": {"properties": {"child": {"$ref": "#/definitions/node"}}}}}"##,
        );
        assert!(columns.is_empty());
        assert_eq!(errors.len(), 1);
        assert!(matches!(errors[0], ReadError::Limit(_)));
    }

    #[test]
    fn branching_ref_loop_is_bounded() {
        let (_, errors) = columns(
            r##"{"properties": {"node": {"$ref": "#/definitions/node"}},
                "definitions": {"node": {"properties": {
                    "left": {"$ref": "#/definitions/node"}, "right": {"$ref": "#/definitions/node"}}}}}"##,
        );
        assert_eq!(errors.len(), 1);
    }

    #[test]
    fn unreadable_properties_are_errors() {
        let (columns, errors) = columns(
            r##"{"properties": {
                "name": {"type": "string"},
                "mobile": "string",
                "any": true,
                "home": {"$ref": "common.json#/definitions/address"},
                "extra": {"allOf": [{"$ref": "#/definitions/missing"}]}
            }}"##,
        );
        let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["name", "mobile", "any", "home"]);
        let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(messages.len(), 3, "{messages:?}");
        assert!(
            messages[0].starts_with("property 'mobile' is a string, not a schema object"),
            "{}",
            messages[0]
        );
        assert!(
            messages[1].starts_with("$ref \"common.json#/definitions/address\" at 'home'"),
            "{}",
            messages[1]
        );
        assert!(
            messages[2].starts_with("$ref \"#/definitions/missing\" at 'extra'"),
            "{}",
            messages[2]
        );
    }

    #[test]
    fn stem_drops_schema_suffix() {
        assert_eq!(file_stem("customer.schema.json"), "customer");
        assert_eq!(file_stem("order.json"), "order");
    }
}
