//! SQL DDL scripts: one table per CREATE TABLE with its columns, types and comments.
//!
//! The script is scanned with a tolerant tokenizer instead of the `sqlparser` crate.
//! sqlparser 0.64 rejects the physical attributes that Oracle tools write after a
//! CREATE TABLE (`tablespace USERS pctfree 10 storage (...)`) in every dialect it has,
//! and stops at the first statement it cannot parse, while the scripts seen in exports
//! mix dialects and tool output. Only CREATE TABLE, COMMENT ON and SQL Server's
//! `sp_addextendedproperty` are interpreted. Other statements are skipped without
//! keeping their text, so a dump with large INSERTs streams in bounded memory.

use std::collections::HashMap;
use std::io::BufReader;
use std::path::Path;
use std::rc::Rc;

use super::decode::{self, DecodeShared, DecodingReader};
use super::sql_lexer::{Lexer, Token};
use super::{FileRead, Limits, ReadError, SchemaColumn, TableMeta, TableVisitor};

/// Words that start a table constraint or index instead of a column definition.
const CONSTRAINT_WORDS: [&str; 13] = [
    "PRIMARY",
    "UNIQUE",
    "KEY",
    "INDEX",
    "CONSTRAINT",
    "FOREIGN",
    "CHECK",
    "FULLTEXT",
    "SPATIAL",
    "EXCLUDE",
    "LIKE",
    "PERIOD",
    "SUPPLEMENTAL",
];

/// Words that end a column's data type and start its options.
const COLUMN_OPTION_WORDS: [&str; 36] = [
    "NOT",
    "NULL",
    "DEFAULT",
    "COMMENT",
    "PRIMARY",
    "UNIQUE",
    "AUTO_INCREMENT",
    "AUTOINCREMENT",
    "IDENTITY",
    "CHARSET",
    "COLLATE",
    "REFERENCES",
    "CHECK",
    "CONSTRAINT",
    "GENERATED",
    "AS",
    "ON",
    "ENCODE",
    "COMPRESS",
    "SPARSE",
    "ROWGUIDCOL",
    "ENABLE",
    "DISABLE",
    "USING",
    "STORAGE",
    "VISIBLE",
    "INVISIBLE",
    "SRID",
    "COLUMN_FORMAT",
    "ENCRYPT",
    "WITH",
    "KEY",
    "CODEC",
    "TTL",
    "MASKED",
    "INVERTED",
];

/// Words allowed between CREATE and TABLE.
const TABLE_MODIFIERS: [&str; 9] = [
    "OR",
    "REPLACE",
    "GLOBAL",
    "LOCAL",
    "TEMPORARY",
    "TEMP",
    "UNLOGGED",
    "EXTERNAL",
    "TRANSIENT",
];

#[derive(Debug, Default)]
struct Table {
    name: String,
    comment: Option<String>,
    columns: Vec<SchemaColumn>,
    /// Parts of the definition that could not be read, passed on as error items.
    problems: Vec<String>,
}

/// Tables found so far, with case-insensitive lookup by full and by unqualified name.
#[derive(Default)]
struct Catalog {
    tables: Vec<Table>,
    by_name: HashMap<String, usize>,
    /// CREATE TABLE statements seen, to name one whose table name cannot be read.
    create_statements: usize,
    /// CREATE TABLE statements that define no readable table, for `FileRead::unread`.
    unread: Vec<String>,
}

impl Catalog {
    fn add(&mut self, table: Table) {
        let index = self.tables.len();
        let full = table.name.to_lowercase();
        let short = full.rsplit('.').next().unwrap_or(&full).to_string();
        self.by_name.insert(full, index);
        self.by_name.entry(short).or_insert(index);
        self.tables.push(table);
    }

    fn find(&mut self, name: &str) -> Option<&mut Table> {
        let key = name.to_lowercase();
        let short = key.rsplit('.').next().unwrap_or(&key).to_string();
        let index = self
            .by_name
            .get(&key)
            .or_else(|| self.by_name.get(&short))?;
        self.tables.get_mut(*index)
    }

    fn set_comment(&mut self, table: &str, column: Option<&str>, comment: String) {
        let Some(table) = self.find(table) else {
            return;
        };
        match column {
            None => table.comment = Some(comment),
            Some(column) => {
                if let Some(c) = table
                    .columns
                    .iter_mut()
                    .find(|c| c.name.eq_ignore_ascii_case(column))
                {
                    c.comment = Some(comment);
                }
            }
        }
    }
}

/// Counts kept for the notes.
#[derive(Default)]
struct ScanStats {
    inserts: u64,
    oversized_statements: u64,
}

pub(crate) fn read_sql(
    path: &Path,
    limits: &Limits,
    visitor: &mut dyn TableVisitor,
) -> Result<FileRead, ReadError> {
    let mut file = super::open_input(path)?;
    if file.metadata()?.len() == 0 {
        return Err(ReadError::Empty);
    }
    let encoding = decode::detect_file_encoding(&mut file)?;
    let shared = Rc::new(DecodeShared::default());
    let decoder = DecodingReader::new(file, encoding, Rc::clone(&shared), None);
    let mut lexer = Lexer::new(BufReader::new(decoder));

    let mut catalog = Catalog::default();
    let mut stats = ScanStats::default();
    while let Some(statement) = next_statement(&mut lexer, limits, &mut stats)? {
        interpret(&statement, &mut catalog);
    }

    let mut notes: Vec<String> = encoding.note().into_iter().collect();
    if shared.malformed_total() > 0 {
        notes.push(format!(
            "{} invalid {} byte sequences, replaced with U+FFFD",
            shared.malformed_total(),
            encoding.label()
        ));
    }
    if catalog.tables.is_empty() {
        notes.push("no CREATE TABLE statement found".to_string());
    }
    let mut unread = Vec::new();
    if stats.inserts > 0 {
        unread.push(format!(
            "{} INSERT statements hold rows whose values are not read (only table definitions are): export the rows as CSV to count their people",
            stats.inserts
        ));
    }
    if stats.oversized_statements > 0 {
        unread.push(format!(
            "{} CREATE, COMMENT or EXEC statements longer than {} bytes were skipped, so their \
             tables or comments are not listed: raise --max-line-bytes to read them",
            stats.oversized_statements, limits.max_line_bytes
        ));
    }
    unread.append(&mut catalog.unread);
    for table in catalog.tables {
        if let Some(comment) = &table.comment {
            notes.push(format!("table {}: comment '{}'", table.name, comment));
        }
        let meta = TableMeta {
            name: Some(table.name),
            schema_columns: Some(table.columns),
            ..TableMeta::default()
        };
        let mut errors = table
            .problems
            .into_iter()
            .map(|problem| Err(ReadError::Corrupt(problem)));
        visitor.table(&meta, &mut errors);
    }
    Ok(FileRead {
        encoding: Some(encoding.label()),
        delimiter: None,
        notes,
        unread,
    })
}

fn starts_relevant_statement(token: &Token) -> bool {
    ["CREATE", "COMMENT", "EXEC", "EXECUTE"]
        .iter()
        .any(|w| token.is_word(w))
}

/// Reads the tokens of the next statement that may define or comment a table; other
/// statements are skipped. Returns `None` at the end of the script.
///
/// A CREATE or COMMENT at the start of a line inside a skipped statement starts a new
/// statement, because SQL*Plus commands (`prompt ...`) end at the line end without `;`.
fn next_statement<R: std::io::Read>(
    lexer: &mut Lexer<R>,
    limits: &Limits,
    stats: &mut ScanStats,
) -> Result<Option<Vec<Token>>, ReadError> {
    let mut carried: Option<Token> = None;
    loop {
        let first = match carried.take() {
            Some(token) => token,
            None => match lexer.next_token(false)? {
                Some(token) => token,
                None => return Ok(None),
            },
        };
        if first.is_word("INSERT") {
            stats.inserts += 1;
        }
        if !starts_relevant_statement(&first) {
            if first != Token::Separator {
                carried = skip_statement(lexer)?;
            }
            continue;
        }
        let mut size = first.text_len();
        let mut tokens = vec![first];
        loop {
            match lexer.next_token(false)? {
                None | Some(Token::Separator) => return Ok(Some(tokens)),
                Some(token) => {
                    size += token.text_len();
                    tokens.push(token);
                }
            }
            if size > limits.max_line_bytes {
                stats.oversized_statements += 1;
                carried = skip_statement(lexer)?;
                break;
            }
        }
    }
}

/// Skips to the end of the current statement; returns a CREATE or COMMENT token found
/// at the start of a line on the way.
fn skip_statement<R: std::io::Read>(lexer: &mut Lexer<R>) -> Result<Option<Token>, ReadError> {
    loop {
        match lexer.next_token(true)? {
            None | Some(Token::Separator) => return Ok(None),
            Some(token)
                if lexer.last_started_line()
                    && (token.is_word("CREATE") || token.is_word("COMMENT")) =>
            {
                return Ok(Some(token));
            }
            Some(_) => {}
        }
    }
}

fn interpret(tokens: &[Token], catalog: &mut Catalog) {
    match tokens.first() {
        Some(t) if t.is_word("CREATE") => {
            let mut rest = tokens;
            while let Some(offset) = find_create_table(rest) {
                let create = &rest[offset..];
                catalog.create_statements += 1;
                let (table, consumed) = parse_create_table(create);
                match table {
                    Ok(table) => catalog.add(table),
                    Err(problem) => catalog
                        .unread
                        .push(problem.describe(catalog.create_statements)),
                }
                rest = create.get(consumed.max(1)..).unwrap_or_default();
            }
        }
        Some(t) if t.is_word("COMMENT") => interpret_comment_on(tokens, catalog),
        Some(_) => interpret_extended_property(tokens, catalog),
        None => {}
    }
}

/// Position of the next CREATE [modifiers] TABLE.
fn find_create_table(tokens: &[Token]) -> Option<usize> {
    (0..tokens.len()).find(|&i| {
        tokens[i].is_word("CREATE") && {
            let rest = tokens[i + 1..]
                .iter()
                .skip_while(|t| TABLE_MODIFIERS.iter().any(|m| t.is_word(m)));
            rest.take(1).any(|t| t.is_word("TABLE"))
        }
    })
}

/// Reads a dotted name (`a.b.c`) starting at `tokens[0]`; returns it and its length.
fn qualified_name(tokens: &[Token]) -> Option<(String, usize)> {
    let mut parts = vec![tokens.first()?.identifier()?.to_string()];
    let mut used = 1;
    while let (Some(Token::Punct('.')), Some(next)) = (tokens.get(used), tokens.get(used + 1)) {
        parts.push(next.identifier()?.to_string());
        used += 2;
    }
    Some((parts.join("."), used))
}

/// A CREATE TABLE statement that defines no table whose columns can be listed.
enum UnreadTable {
    /// No table name could be read after CREATE TABLE.
    NoName,
    /// The named table has no column list: `AS SELECT`, `LIKE`, `PARTITION OF` and similar
    /// forms take their columns from elsewhere.
    NoColumnList(String),
}

impl UnreadTable {
    /// Returns the message for `FileRead::unread`. `ordinal` counts the CREATE TABLE
    /// statements of the file from 1.
    fn describe(&self, ordinal: usize) -> String {
        match self {
            UnreadTable::NoName => format!(
                "CREATE TABLE statement {ordinal} has no readable table name, so its columns \
                 are not listed"
            ),
            UnreadTable::NoColumnList(name) => format!(
                "CREATE TABLE {name} has no column list (AS SELECT, LIKE or a similar form), so \
                 its columns are not listed: check the table it copies"
            ),
        }
    }
}

/// Parses a CREATE TABLE at `tokens[0]`. Returns the table, or why it has none, and the
/// number of tokens consumed.
fn parse_create_table(tokens: &[Token]) -> (Result<Table, UnreadTable>, usize) {
    let mut i = 1;
    while tokens.get(i).is_some_and(|t| !t.is_word("TABLE")) {
        i += 1;
    }
    i += 1;
    if tokens.get(i).is_some_and(|t| t.is_word("IF")) {
        i += 3; // IF NOT EXISTS
    }

    let Some((name, used)) = tokens.get(i..).and_then(qualified_name) else {
        return (Err(UnreadTable::NoName), i);
    };
    i += used;
    if tokens.get(i) != Some(&Token::Punct('(')) {
        return (Err(UnreadTable::NoColumnList(name)), i);
    }

    let mut problems = Vec::new();
    let close = match matching_paren(tokens, i) {
        Some(close) => close,
        None => {
            problems.push(
                "the column list is not closed, so the statement is probably cut off and \
                 columns after the break are missing"
                    .to_string(),
            );
            tokens.len()
        }
    };
    let mut columns = Vec::new();
    let definitions = split_top_level(&tokens[i + 1..close.min(tokens.len())]);
    for (number, definition) in definitions.into_iter().enumerate() {
        match parse_column(definition) {
            Ok(Some(column)) => columns.push(column),
            Ok(None) => {}
            Err(()) => problems.push(format!(
                "column definition {} does not start with a column name, so it is not listed",
                number + 1
            )),
        }
    }
    let mut table = Table {
        name,
        comment: None,
        columns,
        problems,
    };

    // Table options up to the next CREATE: MySQL `COMMENT='...'`.
    let mut j = close + 1;
    while let Some(token) = tokens.get(j) {
        if token.is_word("CREATE") {
            break;
        }
        if token.is_word("COMMENT") {
            table.comment = string_after(&tokens[j + 1..]).or(table.comment);
        }
        j += 1;
    }
    (Ok(table), j)
}

/// Returns the index of the `)` that closes the `(` at `open`.
fn matching_paren(tokens: &[Token], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, token) in tokens.iter().enumerate().skip(open) {
        match token {
            Token::Punct('(') => depth += 1,
            Token::Punct(')') => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// Splits at commas outside parentheses.
fn split_top_level(tokens: &[Token]) -> Vec<&[Token]> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, token) in tokens.iter().enumerate() {
        match token {
            Token::Punct('(') => depth += 1,
            Token::Punct(')') => depth = depth.saturating_sub(1),
            Token::Punct(',') if depth == 0 => {
                parts.push(&tokens[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&tokens[start..]);
    parts
}

/// Returns the string literal after an optional `=` or `IS`.
fn string_after(tokens: &[Token]) -> Option<String> {
    let mut rest = tokens.iter();
    let mut token = rest.next()?;
    if *token == Token::Punct('=') || token.is_word("IS") {
        token = rest.next()?;
    }
    match token {
        Token::Str(s) => Some(s.clone()),
        _ => None,
    }
}

/// Parses one column definition. Returns `Ok(None)` for an empty part (a trailing comma) and
/// for a table constraint or index, and `Err` for a definition without a column name.
fn parse_column(tokens: &[Token]) -> Result<Option<SchemaColumn>, ()> {
    let Some(first) = tokens.first() else {
        return Ok(None);
    };
    if let Token::Word(word) = first
        && CONSTRAINT_WORDS
            .iter()
            .any(|w| word.eq_ignore_ascii_case(w))
    {
        return Ok(None);
    }
    let name = first.identifier().ok_or(())?.to_string();
    let mut type_end = 1;
    let mut depth = 0usize;
    while let Some(token) = tokens.get(type_end) {
        match token {
            Token::Punct('(') => depth += 1,
            Token::Punct(')') => depth = depth.saturating_sub(1),
            Token::Word(w) if depth == 0 && is_column_option(w, tokens.get(type_end + 1)) => break,
            _ => {}
        }
        type_end += 1;
    }
    let data_type = render_type(&tokens[1..type_end]);
    let comment = (type_end..tokens.len())
        .find(|&i| tokens[i].is_word("COMMENT"))
        .and_then(|i| string_after(&tokens[i + 1..]));
    Ok(Some(SchemaColumn {
        name,
        comment,
        data_type,
    }))
}

/// Returns whether `word` starts the column options. `CHARACTER` does so only before
/// `SET`, because `character varying` is a type.
fn is_column_option(word: &str, next: Option<&Token>) -> bool {
    if word.eq_ignore_ascii_case("CHARACTER") {
        return next.is_some_and(|t| t.is_word("SET"));
    }
    COLUMN_OPTION_WORDS
        .iter()
        .any(|w| word.eq_ignore_ascii_case(w))
}

/// Renders type tokens compactly: `varchar(32)`, `NUMBER(10,2)`, `bigint(20) unsigned`.
fn render_type(tokens: &[Token]) -> Option<String> {
    let mut text = String::new();
    let mut previous: Option<&Token> = None;
    for token in tokens {
        let piece = match token {
            Token::Word(s) | Token::Number(s) => s.clone(),
            Token::Quoted(s) => format!("\"{s}\""),
            Token::Str(s) => format!("'{}'", s.replace('\'', "''")),
            Token::Punct(c) => c.to_string(),
            Token::Separator => continue,
        };
        let glued = matches!(token, Token::Punct('(' | ')' | ',' | '[' | ']'))
            || matches!(previous, Some(Token::Punct('(' | ',' | '[')) | None);
        if !glued {
            text.push(' ');
        }
        text.push_str(&piece);
        previous = Some(token);
    }
    (!text.is_empty()).then_some(text)
}

/// `COMMENT ON COLUMN schema.table.column IS '...'` and `COMMENT ON TABLE t IS '...'`.
fn interpret_comment_on(tokens: &[Token], catalog: &mut Catalog) {
    let (Some(on), Some(kind)) = (tokens.get(1), tokens.get(2)) else {
        return;
    };
    if !on.is_word("ON") {
        return;
    }
    let Some((name, used)) = tokens.get(3..).and_then(qualified_name) else {
        return;
    };
    let Some(comment) = string_after(&tokens[3 + used..]) else {
        return;
    };
    if kind.is_word("COLUMN") {
        if let Some((table, column)) = name.rsplit_once('.') {
            catalog.set_comment(table, Some(column), comment);
        }
    } else if kind.is_word("TABLE") {
        catalog.set_comment(&name, None, comment);
    }
}

/// SQL Server's `EXEC sp_addextendedproperty 'MS_Description', '...', ...` in positional
/// or `@name = value` form.
fn interpret_extended_property(tokens: &[Token], catalog: &mut Catalog) {
    let Some((procedure, used)) = tokens.get(1..).and_then(qualified_name) else {
        return;
    };
    let procedure = procedure.rsplit('.').next().unwrap_or(&procedure);
    if !procedure.eq_ignore_ascii_case("sp_addextendedproperty") {
        return;
    }

    let mut positional: Vec<Option<String>> = Vec::new();
    let mut named: HashMap<String, String> = HashMap::new();
    for argument in split_top_level(&tokens[1 + used..]) {
        let (key, value) = match argument {
            [Token::Word(key), Token::Punct('='), value, ..] if key.starts_with('@') => {
                (Some(key.to_lowercase()), value)
            }
            [value, ..] => (None, value),
            [] => continue,
        };
        let value = match value {
            Token::Str(s) | Token::Word(s) | Token::Quoted(s) => Some(s.clone()),
            _ => None,
        };
        match (key, value) {
            (Some(key), Some(value)) => {
                named.insert(key, value);
            }
            (Some(_), None) => {}
            (None, value) => positional.push(value),
        }
    }

    // Parameter names of sp_addextendedproperty, in positional order.
    let keys = [
        "@name",
        "@value",
        "@level0type",
        "@level0name",
        "@level1type",
        "@level1name",
        "@level2type",
        "@level2name",
    ];
    let argument = |index: usize| -> Option<String> {
        let by_name = keys.get(index).and_then(|key| named.get(*key)).cloned();
        by_name.or_else(|| positional.get(index).cloned().flatten())
    };

    if !argument(0).is_some_and(|n| n.eq_ignore_ascii_case("MS_Description")) {
        return;
    }
    let (Some(comment), Some(level1type), Some(table)) = (argument(1), argument(4), argument(5))
    else {
        return;
    };
    if !level1type.eq_ignore_ascii_case("TABLE") {
        return;
    }
    let column = match (argument(6), argument(7)) {
        (Some(kind), Some(column)) if kind.eq_ignore_ascii_case("COLUMN") => Some(column),
        _ => None,
    };
    catalog.set_comment(&table, column.as_deref(), comment);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog(sql: &str) -> Catalog {
        let mut lexer = Lexer::new(sql.as_bytes());
        let mut catalog = Catalog::default();
        let mut stats = ScanStats::default();
        while let Some(statement) =
            next_statement(&mut lexer, &Limits::default(), &mut stats).expect("in memory")
        {
            interpret(&statement, &mut catalog);
        }
        catalog
    }

    fn tables(sql: &str) -> Vec<Table> {
        catalog(sql).tables
    }

    #[test]
    fn unreadable_definitions_are_reported() {
        let sql = "CREATE TABLE t_copy AS SELECT * FROM a;\nCREATE TABLE (x int);\n\
            CREATE TABLE t_bad (x int, 1 int, y int,);\nCREATE TABLE t_cut (x int, y";
        let catalog = catalog(sql);
        assert_eq!(catalog.unread.len(), 2, "{:?}", catalog.unread);
        assert!(
            catalog.unread[0].starts_with("CREATE TABLE t_copy has no column list"),
            "{}",
            catalog.unread[0]
        );
        assert!(
            catalog.unread[1].starts_with("CREATE TABLE statement 2 has no readable table name"),
            "{}",
            catalog.unread[1]
        );

        let names: Vec<&str> = catalog.tables.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["t_bad", "t_cut"]);
        let bad = &catalog.tables[0];
        assert_eq!(bad.columns.len(), 2);
        assert_eq!(bad.problems.len(), 1, "{:?}", bad.problems);
        assert!(
            bad.problems[0].starts_with("column definition 2 does not start"),
            "{}",
            bad.problems[0]
        );
        let cut = &catalog.tables[1];
        assert_eq!(cut.columns.len(), 2);
        assert_eq!(cut.problems.len(), 1, "{:?}", cut.problems);
        assert!(
            cut.problems[0].starts_with("the column list is not closed"),
            "{}",
            cut.problems[0]
        );
    }

    #[test]
    fn readable_tables_have_no_problems() {
        let sql = "CREATE TABLE a (x int, PRIMARY KEY (x));\nCREATE TEMPORARY TABLE IF NOT EXISTS b (y int)";
        let catalog = catalog(sql);
        assert!(catalog.unread.is_empty(), "{:?}", catalog.unread);
        for table in &catalog.tables {
            assert!(
                table.problems.is_empty(),
                "{}: {:?}",
                table.name,
                table.problems
            );
        }
    }

    fn column<'t>(table: &'t Table, name: &str) -> &'t SchemaColumn {
        table
            .columns
            .iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("column {name} missing"))
    }

    #[test]
    fn mysql_dump_table() {
        let sql = "/*!40101 SET NAMES utf8 */;\nDROP TABLE IF EXISTS `t_user`;\n\
            CREATE TABLE IF NOT EXISTS `db`.`t_user` (\n\
              `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT COMMENT '主键',\n\
              `name` varchar(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci DEFAULT NULL COMMENT '姓名',\n\
              `status` enum('a','b') DEFAULT 'a',\n\
              PRIMARY KEY (`id`) USING BTREE,\n  KEY `idx_name` (`name`)\n\
            ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='用户表';\n\
            INSERT INTO `t_user` VALUES (1,'x;y','z');\n";
        let tables = tables(sql);
        assert_eq!(tables.len(), 1);
        let table = &tables[0];
        assert_eq!(table.name, "db.t_user");
        assert_eq!(table.comment.as_deref(), Some("用户表"));
        assert_eq!(table.columns.len(), 3);
        assert_eq!(
            column(table, "id").data_type.as_deref(),
            Some("bigint(20) unsigned")
        );
        assert_eq!(column(table, "id").comment.as_deref(), Some("主键"));
        assert_eq!(
            column(table, "name").data_type.as_deref(),
            Some("varchar(64)")
        );
        assert_eq!(
            column(table, "status").data_type.as_deref(),
            Some("enum('a','b')")
        );
        assert_eq!(column(table, "status").comment, None);
    }

    #[test]
    fn oracle_table_with_storage_and_comments() {
        let sql = "create table SCOTT.T_PERSON\n(\n  id NUMBER(10) not null,\n  xm VARCHAR2(50 CHAR),\n  csrq DATE default sysdate\n)\n\
            tablespace USERS\n  pctfree 10\n  storage\n  (\n    initial 64K\n  );\n\
            comment on table SCOTT.T_PERSON\n  is '人员';\ncomment on column SCOTT.T_PERSON.xm\n  is '姓名';\n\
            comment on column t_person.CSRQ is '出生日期';\n";
        let tables = tables(sql);
        assert_eq!(tables.len(), 1);
        let table = &tables[0];
        assert_eq!(table.name, "SCOTT.T_PERSON");
        assert_eq!(table.comment.as_deref(), Some("人员"));
        assert_eq!(
            column(table, "xm").data_type.as_deref(),
            Some("VARCHAR2(50 CHAR)")
        );
        assert_eq!(column(table, "xm").comment.as_deref(), Some("姓名"));
        assert_eq!(column(table, "csrq").comment.as_deref(), Some("出生日期"));
        assert_eq!(column(table, "id").comment, None);
    }

    #[test]
    fn postgres_types_keep_words() {
        let sql = "CREATE TABLE public.customer (\n id integer NOT NULL,\n name character varying(100),\n \
            created_at timestamp without time zone DEFAULT now()\n);\n\
            ALTER TABLE public.customer OWNER TO postgres;\nCOMMENT ON COLUMN public.customer.name IS '姓名';";
        let tables = tables(sql);
        let table = &tables[0];
        assert_eq!(
            column(table, "name").data_type.as_deref(),
            Some("character varying(100)")
        );
        assert_eq!(column(table, "name").comment.as_deref(), Some("姓名"));
        assert_eq!(
            column(table, "created_at").data_type.as_deref(),
            Some("timestamp without time zone")
        );
    }

    #[test]
    fn sql_server_extended_properties() {
        let sql = "create table [dbo].[T_KH] (\n [XM] nvarchar(50) null,\n [SJH] varchar(20)\n)\ngo\n\
            execute sp_addextendedproperty 'MS_Description', '姓名', 'user', @CurrentUser, 'table', 'T_KH', 'column', 'XM'\ngo\n\
            EXEC sys.sp_addextendedproperty @name=N'MS_Description', @value=N'手机号', @level0type=N'SCHEMA', \
            @level0name=N'dbo', @level1type=N'TABLE', @level1name=N'T_KH', @level2type=N'COLUMN', @level2name=N'SJH'\nGO\n";
        let tables = tables(sql);
        let table = &tables[0];
        assert_eq!(table.name, "dbo.T_KH");
        assert_eq!(column(table, "XM").comment.as_deref(), Some("姓名"));
        assert_eq!(column(table, "SJH").comment.as_deref(), Some("手机号"));
    }

    #[test]
    fn tables_without_separator_are_split() {
        let sql = "CREATE TABLE a (x int)\nCREATE TABLE b (y int)";
        let tables = tables(sql);
        let names: Vec<&str> = tables.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
    }

    #[test]
    fn oversized_statement_is_skipped() {
        let limits = Limits {
            max_line_bytes: 20,
            ..Limits::default()
        };
        let mut lexer = Lexer::new(
            "CREATE TABLE a (aaaaaaaaaa int, bbbbbbbbbbbb int); CREATE TABLE b (y int);".as_bytes(),
        );
        let mut stats = ScanStats::default();
        let first = next_statement(&mut lexer, &limits, &mut stats).expect("in memory");
        assert_eq!(stats.oversized_statements, 1);
        let first = first.expect("second statement is returned");
        assert!(first.iter().any(|t| t.identifier() == Some("b")));
    }
}
