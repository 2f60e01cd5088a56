//! A tolerant SQL tokenizer that streams a script statement by statement.
//!
//! It handles the quoting of MySQL (backticks, backslash escapes), PostgreSQL and Oracle
//! (double quotes, `''`), SQL Server (brackets, `N'...'`, `GO` lines) and Oracle's `/`
//! lines. It never fails: unknown characters become punctuation tokens.

use std::io::{self, Read};

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Token {
    /// An unquoted identifier, keyword or `@variable`.
    Word(String),
    /// A quoted identifier (`"x"`, `` `x` ``, `[x]`), without its quotes.
    Quoted(String),
    /// A string literal, unescaped and without its quotes or `N`/`E` prefix.
    Str(String),
    Number(String),
    Punct(char),
    /// End of a statement: `;`, or a line holding only `GO` or `/`.
    Separator,
}

impl Token {
    /// Returns whether this is the unquoted word `keyword` (ASCII case-insensitive).
    pub(crate) fn is_word(&self, keyword: &str) -> bool {
        matches!(self, Token::Word(w) if w.eq_ignore_ascii_case(keyword))
    }

    /// Identifier text of a word or quoted identifier.
    pub(crate) fn identifier(&self) -> Option<&str> {
        match self {
            Token::Word(w) | Token::Quoted(w) => Some(w),
            _ => None,
        }
    }

    /// Bytes of text this token holds, for size limits.
    pub(crate) fn text_len(&self) -> usize {
        match self {
            Token::Word(s) | Token::Quoted(s) | Token::Str(s) | Token::Number(s) => s.len(),
            Token::Punct(_) | Token::Separator => 1,
        }
    }
}

/// Byte stream with look-ahead over any reader.
struct ByteStream<R> {
    reader: R,
    buf: Vec<u8>,
    pos: usize,
    eof: bool,
}

impl<R: Read> ByteStream<R> {
    fn peek_at(&mut self, ahead: usize) -> io::Result<Option<u8>> {
        while self.buf.len() - self.pos <= ahead && !self.eof {
            self.buf.drain(..self.pos);
            self.pos = 0;
            let start = self.buf.len();
            self.buf.resize(start + 64 * 1024, 0);
            let read = loop {
                match self.reader.read(&mut self.buf[start..]) {
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    other => break other,
                }
            };
            let read = match read {
                Ok(n) => n,
                Err(e) => {
                    self.buf.truncate(start);
                    return Err(e);
                }
            };
            self.buf.truncate(start + read);
            self.eof = read == 0;
        }
        Ok(self.buf.get(self.pos + ahead).copied())
    }

    fn peek(&mut self) -> io::Result<Option<u8>> {
        self.peek_at(0)
    }

    fn bump(&mut self) -> io::Result<Option<u8>> {
        let byte = self.peek()?;
        if byte.is_some() {
            self.pos += 1;
        }
        Ok(byte)
    }
}

pub(crate) struct Lexer<R> {
    bytes: ByteStream<R>,
    /// No token yet on the current line.
    at_line_start: bool,
    /// Whether the token returned last was the first on its line.
    last_started_line: bool,
}

fn is_identifier_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'$' | b'#' | b'@') || byte >= 0x80
}

impl<R: Read> Lexer<R> {
    /// Wraps a UTF-8 byte stream.
    pub(crate) fn new(reader: R) -> Self {
        Lexer {
            bytes: ByteStream {
                reader,
                buf: Vec::new(),
                pos: 0,
                eof: false,
            },
            at_line_start: true,
            last_started_line: false,
        }
    }

    /// Returns whether the token returned last was the first on its line.
    pub(crate) fn last_started_line(&self) -> bool {
        self.last_started_line
    }

    /// Returns the next token, or `None` at the end. With `discard`, the text of strings,
    /// quoted identifiers and numbers is not kept, so skipping a large INSERT costs no
    /// memory. Words are always kept so that a statement start is still recognised.
    pub(crate) fn next_token(&mut self, discard: bool) -> io::Result<Option<Token>> {
        loop {
            let Some(byte) = self.bytes.peek()? else {
                return Ok(None);
            };
            match byte {
                b'\n' => {
                    self.bytes.bump()?;
                    self.at_line_start = true;
                }
                b if b.is_ascii_whitespace() => {
                    self.bytes.bump()?;
                }
                b'-' if self.bytes.peek_at(1)? == Some(b'-') => self.skip_line()?,
                b'#' if self.bytes.peek_at(1)? != Some(b'#') && self.at_line_start => {
                    self.skip_line()?
                }
                b'/' if self.bytes.peek_at(1)? == Some(b'*') => self.skip_block_comment()?,
                b'/' if self.at_line_start && self.rest_of_line_is_blank(1)? => {
                    self.bytes.bump()?;
                    return Ok(Some(Token::Separator));
                }
                _ => {
                    let token = self.lex_token(byte, discard)?;
                    let go_line = self.at_line_start
                        && token.is_word("GO")
                        && self.rest_of_line_is_blank(0)?;
                    self.last_started_line = self.at_line_start;
                    self.at_line_start = false;
                    return Ok(Some(if go_line { Token::Separator } else { token }));
                }
            }
        }
    }

    fn lex_token(&mut self, byte: u8, discard: bool) -> io::Result<Token> {
        Ok(match byte {
            b';' => {
                self.bytes.bump()?;
                Token::Separator
            }
            b'\'' => {
                self.bytes.bump()?;
                Token::Str(self.lex_quoted(b'\'', true, discard)?)
            }
            b'"' => {
                self.bytes.bump()?;
                Token::Quoted(self.lex_quoted(b'"', false, discard)?)
            }
            b'`' => {
                self.bytes.bump()?;
                Token::Quoted(self.lex_quoted(b'`', false, discard)?)
            }
            b'[' if !matches!(self.bytes.peek_at(1)?, Some(b']' | b'\n') | None) => {
                self.bytes.bump()?;
                Token::Quoted(self.lex_quoted(b']', false, discard)?)
            }
            b if b.is_ascii_digit() => {
                Token::Number(self.lex_while(discard, |b| b.is_ascii_alphanumeric() || b == b'.')?)
            }
            b if is_identifier_byte(b) => {
                let word = self.lex_while(false, is_identifier_byte)?;
                let prefix = word.len() == 1
                    && matches!(word.as_bytes()[0].to_ascii_uppercase(), b'N' | b'E');
                if prefix && self.bytes.peek()? == Some(b'\'') {
                    self.bytes.bump()?;
                    Token::Str(self.lex_quoted(b'\'', true, discard)?)
                } else {
                    Token::Word(word)
                }
            }
            _ => {
                let c = self.lex_char()?;
                Token::Punct(c)
            }
        })
    }

    /// Reads one UTF-8 character (or U+FFFD for a stray byte).
    fn lex_char(&mut self) -> io::Result<char> {
        let Some(first) = self.bytes.bump()? else {
            return Ok('\u{FFFD}');
        };
        let len = match first {
            0x00..=0x7F => return Ok(char::from(first)),
            0xC0..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF7 => 4,
            _ => return Ok('\u{FFFD}'),
        };
        let mut encoded = vec![first];
        for _ in 1..len {
            match self.bytes.peek()? {
                Some(b) if (0x80..0xC0).contains(&b) => {
                    encoded.push(b);
                    self.bytes.bump()?;
                }
                _ => break,
            }
        }
        Ok(std::str::from_utf8(&encoded)
            .ok()
            .and_then(|s| s.chars().next())
            .unwrap_or('\u{FFFD}'))
    }

    fn lex_while(&mut self, discard: bool, keep: impl Fn(u8) -> bool) -> io::Result<String> {
        let mut bytes = Vec::new();
        while let Some(b) = self.bytes.peek()? {
            if !keep(b) {
                break;
            }
            if !discard {
                bytes.push(b);
            }
            self.bytes.bump()?;
        }
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// Reads up to the closing `quote`; a doubled quote stands for itself, and with
    /// `backslash` a backslash escapes the next byte (MySQL strings).
    fn lex_quoted(&mut self, quote: u8, backslash: bool, discard: bool) -> io::Result<String> {
        let mut bytes = Vec::new();
        while let Some(b) = self.bytes.bump()? {
            if b == quote {
                if quote != b']' && self.bytes.peek()? == Some(quote) {
                    self.bytes.bump()?;
                } else {
                    break;
                }
            } else if backslash && b == b'\\' && matches!(self.bytes.peek()?, Some(b'\'' | b'\\')) {
                let Some(escaped) = self.bytes.bump()? else {
                    break;
                };
                if !discard {
                    bytes.push(escaped);
                }
                continue;
            }
            if !discard {
                bytes.push(b);
            }
        }
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    fn skip_line(&mut self) -> io::Result<()> {
        while let Some(b) = self.bytes.peek()? {
            if b == b'\n' {
                break;
            }
            self.bytes.bump()?;
        }
        Ok(())
    }

    fn skip_block_comment(&mut self) -> io::Result<()> {
        self.bytes.bump()?;
        self.bytes.bump()?;
        while let Some(b) = self.bytes.bump()? {
            if b == b'\n' {
                self.at_line_start = true;
            }
            if b == b'*' && self.bytes.peek()? == Some(b'/') {
                self.bytes.bump()?;
                break;
            }
        }
        Ok(())
    }

    /// Returns whether only blanks follow on this line after `skip` bytes of look-ahead.
    fn rest_of_line_is_blank(&mut self, skip: usize) -> io::Result<bool> {
        let mut ahead = skip;
        loop {
            match self.bytes.peek_at(ahead)? {
                None | Some(b'\n') => return Ok(true),
                Some(b) if b.is_ascii_whitespace() => ahead += 1,
                Some(_) => return Ok(false),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(sql: &str) -> Vec<Token> {
        let mut lexer = Lexer::new(sql.as_bytes());
        let mut out = Vec::new();
        while let Some(token) = lexer.next_token(false).expect("reading from memory") {
            out.push(token);
        }
        out
    }

    #[test]
    fn quoting_styles() {
        let got = tokens("`a` \"b\"\"c\" [d e] 'it''s' N'x' 'a\\'b' e'y'");
        let expected = vec![
            Token::Quoted("a".into()),
            Token::Quoted("b\"c".into()),
            Token::Quoted("d e".into()),
            Token::Str("it's".into()),
            Token::Str("x".into()),
            Token::Str("a'b".into()),
            Token::Str("y".into()),
        ];
        assert_eq!(got, expected);
    }

    #[test]
    fn comments_and_separators() {
        let got = tokens("-- c\n# c\n/* c; */ a; b\nGO\nc\n/\nd # e");
        let expected = vec![
            Token::Word("a".into()),
            Token::Separator,
            Token::Word("b".into()),
            Token::Separator,
            Token::Word("c".into()),
            Token::Separator,
            Token::Word("d".into()),
            Token::Word("#".into()),
            Token::Word("e".into()),
        ];
        assert_eq!(got, expected);
    }

    #[test]
    fn chinese_text_survives() {
        assert_eq!(
            tokens("COMMENT '姓名'"),
            vec![Token::Word("COMMENT".into()), Token::Str("姓名".into())]
        );
    }

    #[test]
    fn unterminated_string_ends_at_eof() {
        assert_eq!(tokens("'abc"), vec![Token::Str("abc".into())]);
    }
}
