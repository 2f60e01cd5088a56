//! Text encoding detection and a streaming transcoder to UTF-8 that records where the
//! input held invalid bytes.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::rc::Rc;

use encoding_rs::{DecoderResult, Encoding, GB18030, UTF_8, UTF_16BE, UTF_16LE};

/// Bytes of non-ASCII content that decide between UTF-8 and GB18030.
const NON_ASCII_SAMPLE_BYTES: u64 = 64 * 1024;
/// Maximum bytes scanned for the first non-ASCII byte. A longer pure-ASCII prefix is
/// taken as UTF-8, and invalid bytes after it are reported as a mixed encoding.
const MAX_DETECTION_SCAN_BYTES: u64 = 64 * 1024 * 1024;
const CHUNK_BYTES: usize = 64 * 1024;

/// Text encodings that the detection distinguishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TextEncoding {
    Utf8 {
        bom: bool,
    },
    Utf16Le {
        bom: bool,
    },
    Utf16Be {
        bom: bool,
    },
    /// GB18030, a superset of GBK and GB2312; chosen for any non-UTF-8 text.
    /// NOTE: Big5 and Shift_JIS text is also detected as GB18030 and decodes to wrong
    /// characters without an error.
    Gb18030,
}

impl TextEncoding {
    pub(crate) fn label(self) -> &'static str {
        match self {
            TextEncoding::Utf8 { .. } => "utf-8",
            TextEncoding::Utf16Le { .. } => "utf-16le",
            TextEncoding::Utf16Be { .. } => "utf-16be",
            TextEncoding::Gb18030 => "gb18030",
        }
    }

    fn encoding(self) -> &'static Encoding {
        match self {
            TextEncoding::Utf8 { .. } => UTF_8,
            TextEncoding::Utf16Le { .. } => UTF_16LE,
            TextEncoding::Utf16Be { .. } => UTF_16BE,
            TextEncoding::Gb18030 => GB18030,
        }
    }

    /// Returns a note for the report when the encoding is worth mentioning.
    pub(crate) fn note(self) -> Option<String> {
        match self {
            TextEncoding::Utf8 { bom: true } => Some("UTF-8 with byte order mark".to_string()),
            TextEncoding::Utf16Le { bom: false } | TextEncoding::Utf16Be { bom: false } => {
                Some(format!("{} without byte order mark", self.label()))
            }
            _ => None,
        }
    }
}

/// Returns the encoding announced by a byte order mark at the start of `head`.
pub(crate) fn encoding_from_bom(head: &[u8]) -> Option<TextEncoding> {
    if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        Some(TextEncoding::Utf8 { bom: true })
    } else if head.starts_with(&[0xFF, 0xFE]) {
        Some(TextEncoding::Utf16Le { bom: true })
    } else if head.starts_with(&[0xFE, 0xFF]) {
        Some(TextEncoding::Utf16Be { bom: true })
    } else {
        None
    }
}

/// Recognises UTF-16 text without a byte order mark from its zero bytes.
///
/// ASCII characters (digits, separators, line breaks) encode with a zero high byte, so
/// UTF-16LE text has many zeros at odd offsets and few at even ones. The decoded text
/// must also be free of control characters, which rules out binary tables of small
/// integers.
pub(crate) fn utf16_without_bom(head: &[u8]) -> Option<TextEncoding> {
    let pairs = head.len() / 2;
    if pairs < 2 {
        return None;
    }
    let zeros_at = |parity: usize| {
        head.iter()
            .enumerate()
            .take(pairs * 2)
            .filter(|(i, b)| i % 2 == parity && **b == 0)
            .count()
    };
    let (even, odd) = (zeros_at(0), zeros_at(1));
    let candidate = if odd * 5 >= pairs && even * 4 <= odd {
        TextEncoding::Utf16Le { bom: false }
    } else if even * 5 >= pairs && odd * 4 <= even {
        TextEncoding::Utf16Be { bom: false }
    } else {
        return None;
    };
    let (text, _) = candidate
        .encoding()
        .decode_without_bom_handling(&head[..pairs * 2]);
    let total = text.chars().count().max(1);
    let bad = text
        .chars()
        .filter(|c| *c == '\u{FFFD}' || (c.is_control() && !matches!(c, '\t' | '\r' | '\n')))
        .count();
    (bad * 50 <= total).then_some(candidate)
}

/// Returns whether `bytes` is UTF-8, allowing a sequence cut off at the end.
pub(crate) fn is_utf8_prefix(bytes: &[u8]) -> bool {
    match std::str::from_utf8(bytes) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none(),
    }
}

/// Guesses the encoding of a file head: byte order mark, UTF-16 pattern, UTF-8, GB18030.
pub(crate) fn guess_head_encoding(head: &[u8]) -> TextEncoding {
    if let Some(encoding) = encoding_from_bom(head).or_else(|| utf16_without_bom(head)) {
        return encoding;
    }
    if is_utf8_prefix(head) {
        TextEncoding::Utf8 { bom: false }
    } else {
        TextEncoding::Gb18030
    }
}

/// Detects the encoding of an open file and seeks it back to the start.
///
/// A byte order mark or the UTF-16 zero-byte pattern decides at once. Otherwise the file
/// is UTF-8 if its first `NON_ASCII_SAMPLE_BYTES` after the first non-ASCII byte are
/// valid UTF-8 but for at most one invalid sequence per `UTF8_CHARS_PER_INVALID` valid
/// characters, and GB18030 if not. Invalid bytes are reported while streaming.
pub(crate) fn detect_file_encoding(file: &mut File) -> io::Result<TextEncoding> {
    file.seek(SeekFrom::Start(0))?;
    let mut chunk = vec![0u8; CHUNK_BYTES];
    let head_len = read_full(file, &mut chunk)?;
    let head = &chunk[..head_len];
    let decided = encoding_from_bom(head).or_else(|| utf16_without_bom(head));
    let encoding = match decided {
        Some(encoding) => encoding,
        None => {
            let mut scan = Utf8Scan::default();
            let mut len = head_len;
            loop {
                if let Some(valid) = scan.feed(&chunk[..len], len < chunk.len()) {
                    break if valid {
                        TextEncoding::Utf8 { bom: false }
                    } else {
                        TextEncoding::Gb18030
                    };
                }
                len = read_full(file, &mut chunk)?;
            }
        }
    };
    file.seek(SeekFrom::Start(0))?;
    Ok(encoding)
}

/// Incremental UTF-8 check that stops once enough non-ASCII content has been seen.
#[derive(Default)]
struct Utf8Scan {
    carry: Vec<u8>,
    scanned: u64,
    non_ascii_seen: u64,
    /// Valid UTF-8 characters of two or more bytes.
    multibyte: u64,
    /// Invalid UTF-8 sequences.
    invalid: u64,
}

/// Valid multi-byte characters needed per invalid sequence to read a file as UTF-8 with a
/// few stray bytes. GBK text read as UTF-8 gives about as many invalid sequences as valid
/// characters (an estimate: a GBK pair is valid UTF-8 only by chance), far below this ratio.
const UTF8_CHARS_PER_INVALID: u64 = 8;

impl Utf8Scan {
    /// Feeds the next chunk; returns `Some(is_utf8)` once decided.
    fn feed(&mut self, chunk: &[u8], at_eof: bool) -> Option<bool> {
        self.scanned += chunk.len() as u64;
        let first_non_ascii = chunk.iter().position(|b| !b.is_ascii());
        if self.non_ascii_seen == 0 && self.carry.is_empty() {
            match first_non_ascii {
                None if at_eof || self.scanned >= MAX_DETECTION_SCAN_BYTES => return Some(true),
                None => return None,
                Some(_) => {}
            }
        }
        let mut bytes = std::mem::take(&mut self.carry);
        bytes.extend_from_slice(chunk);
        self.non_ascii_seen += chunk.len() as u64 - first_non_ascii.unwrap_or(0) as u64;
        let mut rest = bytes.as_slice();
        loop {
            match std::str::from_utf8(rest) {
                Ok(text) => {
                    self.count_multibyte(text);
                    break;
                }
                Err(e) => {
                    let (valid, after) = rest.split_at(e.valid_up_to());
                    self.count_multibyte(std::str::from_utf8(valid).unwrap_or_default());
                    match e.error_len() {
                        Some(len) => {
                            self.invalid += 1;
                            rest = after.get(len..).unwrap_or_default();
                        }
                        // A sequence cut off at the end of the chunk; at the end of the
                        // file the streaming decoder reports it.
                        None => {
                            self.carry = after.to_vec();
                            break;
                        }
                    }
                }
            }
        }
        if at_eof || self.non_ascii_seen >= NON_ASCII_SAMPLE_BYTES {
            return Some(self.invalid * UTF8_CHARS_PER_INVALID <= self.multibyte);
        }
        None
    }

    fn count_multibyte(&mut self, text: &str) {
        self.multibyte += text.chars().filter(|c| !c.is_ascii()).count() as u64;
    }
}

fn read_full(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// An invalid byte sequence found while decoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Malformed {
    /// Offset of the U+FFFD that replaced it in the decoded UTF-8 stream.
    pub decoded_offset: u64,
    /// Offset of its first byte in the file.
    pub byte_offset: u64,
}

/// State shared between a `DecodingReader` and the code that parses its output.
#[derive(Debug, Default)]
pub(crate) struct DecodeShared {
    malformed: RefCell<VecDeque<Malformed>>,
    malformed_total: Cell<u64>,
    /// Decoded offset where the record being parsed starts; set by the parser.
    pub record_start: Cell<u64>,
}

impl DecodeShared {
    /// Removes and returns the invalid sequences that lie before `decoded_offset`.
    pub(crate) fn take_malformed_before(&self, decoded_offset: u64) -> Vec<Malformed> {
        let mut queue = self.malformed.borrow_mut();
        let count = queue
            .iter()
            .take_while(|m| m.decoded_offset < decoded_offset)
            .count();
        queue.drain(..count).collect()
    }

    pub(crate) fn malformed_total(&self) -> u64 {
        self.malformed_total.get()
    }
}

/// Raised through `io::Error` when one record grows past the configured maximum.
#[derive(Debug, thiserror::Error)]
#[error("record longer than {max_bytes} bytes at byte offset {byte_offset}")]
pub(crate) struct RecordTooLong {
    pub max_bytes: usize,
    /// Offset in the file where the limit was reached.
    pub byte_offset: u64,
}

/// Transcodes a byte stream to UTF-8, replacing invalid sequences with U+FFFD and
/// recording each one in `DecodeShared`.
///
/// `encoding_rs_io` would do the transcoding but replaces invalid sequences silently.
/// A reader of exports must report where a file mixes encodings, so this adapter drives
/// `encoding_rs::Decoder` itself.
pub(crate) struct DecodingReader<R> {
    inner: R,
    decoder: encoding_rs::Decoder,
    input: Box<[u8]>,
    input_start: usize,
    input_end: usize,
    input_eof: bool,
    output: Box<[u8]>,
    output_start: usize,
    output_end: usize,
    pending_replacement: bool,
    finished: bool,
    /// File bytes consumed by the decoder so far.
    byte_offset: u64,
    /// Decoded bytes produced into `output` so far, including unread ones.
    decoded_offset: u64,
    shared: Rc<DecodeShared>,
    max_record_bytes: Option<usize>,
}

const REPLACEMENT: &[u8] = "\u{FFFD}".as_bytes();

impl<R: Read> DecodingReader<R> {
    /// Wraps `inner`, which must be positioned at the start of the file so that a byte
    /// order mark is removed. `max_record_bytes` bounds how far the output may run ahead
    /// of `DecodeShared::record_start`.
    pub(crate) fn new(
        inner: R,
        encoding: TextEncoding,
        shared: Rc<DecodeShared>,
        max_record_bytes: Option<usize>,
    ) -> Self {
        DecodingReader {
            inner,
            decoder: encoding.encoding().new_decoder_with_bom_removal(),
            input: vec![0; CHUNK_BYTES].into_boxed_slice(),
            input_start: 0,
            input_end: 0,
            input_eof: false,
            output: vec![0; CHUNK_BYTES].into_boxed_slice(),
            output_start: 0,
            output_end: 0,
            pending_replacement: false,
            finished: false,
            byte_offset: 0,
            decoded_offset: 0,
            shared,
            max_record_bytes,
        }
    }

    fn fill_output(&mut self) -> io::Result<()> {
        self.output_start = 0;
        self.output_end = 0;
        if self.pending_replacement {
            self.push_replacement();
            self.pending_replacement = false;
        }
        while !self.finished {
            if self.input_start == self.input_end && !self.input_eof {
                self.input_start = 0;
                self.input_end = read_full(&mut self.inner, &mut self.input)?;
                self.input_eof = self.input_end < self.input.len();
            }
            let src = &self.input[self.input_start..self.input_end];
            let dst = &mut self.output[self.output_end..];
            let (result, read, written) =
                self.decoder
                    .decode_to_utf8_without_replacement(src, dst, self.input_eof);
            self.input_start += read;
            self.byte_offset += read as u64;
            self.output_end += written;
            self.decoded_offset += written as u64;
            match result {
                DecoderResult::InputEmpty => {
                    if self.input_eof {
                        self.finished = true;
                    } else if self.output_end > 0 {
                        break;
                    }
                }
                DecoderResult::OutputFull => break,
                DecoderResult::Malformed(bad, extra) => {
                    let byte_offset = self.byte_offset - u64::from(extra) - u64::from(bad);
                    self.shared.malformed.borrow_mut().push_back(Malformed {
                        decoded_offset: self.decoded_offset,
                        byte_offset,
                    });
                    self.shared
                        .malformed_total
                        .set(self.shared.malformed_total.get() + 1);
                    if self.output.len() - self.output_end >= REPLACEMENT.len() {
                        self.push_replacement();
                    } else {
                        self.pending_replacement = true;
                        break;
                    }
                }
            }
        }
        Ok(())
    }

    fn push_replacement(&mut self) {
        let end = self.output_end + REPLACEMENT.len();
        self.output[self.output_end..end].copy_from_slice(REPLACEMENT);
        self.output_end = end;
        self.decoded_offset += REPLACEMENT.len() as u64;
    }

    fn check_record_length(&self) -> io::Result<()> {
        let Some(max_bytes) = self.max_record_bytes else {
            return Ok(());
        };
        // The parser buffers ahead of the record it is parsing, so the output may run
        // one buffer further than the record itself.
        let slack = 4 * CHUNK_BYTES as u64;
        let ahead = self
            .decoded_offset
            .saturating_sub(self.shared.record_start.get());
        if ahead > max_bytes as u64 + slack {
            return Err(io::Error::other(RecordTooLong {
                max_bytes,
                byte_offset: self.byte_offset,
            }));
        }
        Ok(())
    }
}

impl<R: Read> Read for DecodingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.output_start == self.output_end {
            if self.finished && !self.pending_replacement {
                return Ok(0);
            }
            self.fill_output()?;
            self.check_record_length()?;
        }
        let available = &self.output[self.output_start..self.output_end];
        let count = available.len().min(buf.len());
        buf[..count].copy_from_slice(&available[..count]);
        self.output_start += count;
        Ok(count)
    }
}

/// Decodes a whole byte buffer, returning the text and the number of invalid sequences.
pub(crate) fn decode_bytes(bytes: &[u8]) -> (String, TextEncoding, u64) {
    let encoding = guess_head_encoding(bytes);
    let shared = Rc::new(DecodeShared::default());
    let mut reader = DecodingReader::new(bytes, encoding, Rc::clone(&shared), None);
    let mut text = String::new();
    // A byte slice never fails to read, and the adapter only emits valid UTF-8.
    let _ = reader.read_to_string(&mut text);
    (text, encoding, shared.malformed_total())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(bytes: &[u8], encoding: TextEncoding) -> (String, Vec<Malformed>) {
        let shared = Rc::new(DecodeShared::default());
        let mut reader = DecodingReader::new(bytes, encoding, Rc::clone(&shared), None);
        let mut text = String::new();
        reader
            .read_to_string(&mut text)
            .expect("decoded output is UTF-8");
        let malformed = shared.take_malformed_before(u64::MAX);
        (text, malformed)
    }

    #[test]
    fn gb18030_four_byte_characters_decode() {
        let (bytes, _, _) = GB18030.encode("王䶮,吉𠮷\n");
        let (text, malformed) = decode_all(&bytes, TextEncoding::Gb18030);
        assert_eq!(text, "王䶮,吉𠮷\n");
        assert!(malformed.is_empty());
    }

    #[test]
    fn invalid_utf8_offsets_are_recorded() {
        let mut bytes = b"a,b\nc,d\n".to_vec();
        bytes.push(0xB1);
        bytes.extend_from_slice(b",e\n");
        let (text, malformed) = decode_all(&bytes, TextEncoding::Utf8 { bom: false });
        assert_eq!(text, "a,b\nc,d\n\u{FFFD},e\n");
        assert_eq!(
            malformed,
            vec![Malformed {
                decoded_offset: 8,
                byte_offset: 8
            }]
        );
    }

    #[test]
    fn bom_is_removed() {
        let (text, _) = decode_all(b"\xEF\xBB\xBFx", TextEncoding::Utf8 { bom: true });
        assert_eq!(text, "x");
        let (text, _) = decode_all(b"\xFF\xFEx\x00", TextEncoding::Utf16Le { bom: true });
        assert_eq!(text, "x");
    }

    #[test]
    fn utf16_pattern_without_bom() {
        let le: Vec<u8> = "姓名\t电话\n张三\t13900000000\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let be: Vec<u8> = "姓名\t电话\n张三\t13900000000\n"
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect();
        assert_eq!(
            utf16_without_bom(&le),
            Some(TextEncoding::Utf16Le { bom: false })
        );
        assert_eq!(
            utf16_without_bom(&be),
            Some(TextEncoding::Utf16Be { bom: false })
        );
        let binary: Vec<u8> = (0u16..200).flat_map(u16::to_le_bytes).collect();
        assert_eq!(utf16_without_bom(&binary), None);
    }

    #[test]
    fn utf8_scan_finds_gbk_after_ascii() {
        let mut scan = Utf8Scan::default();
        assert_eq!(scan.feed(b"name,phone\n", false), None);
        let (gbk, _, _) = GB18030.encode("张三,1\n");
        assert_eq!(scan.feed(&gbk, true), Some(false));
    }

    #[test]
    fn utf8_scan_carries_split_sequence() {
        let text = "张三".as_bytes();
        let mut scan = Utf8Scan::default();
        assert_eq!(scan.feed(&text[..2], false), None);
        assert_eq!(scan.feed(&text[2..], true), Some(true));
    }
}
