//! The ZIP container of an Office Open XML package (ECMA-376 part 2 uses plain ZIP):
//! deflated entries with their CRC-32, a central directory, and the end record. Dates are
//! fixed (1980-01-01) so that the same text gives the same bytes.

use std::io::Write;

use flate2::write::DeflateEncoder;
use flate2::Compression;

/// Deflate, as ZIP names it.
const DEFLATED: u16 = 8;
/// 1980-01-01 00:00 in MS-DOS form.
const DOS_DATE: u16 = (1 << 5) | 1;
const DOS_TIME: u16 = 0;
/// Version 2.0: deflate.
const VERSION: u16 = 20;
/// Bit 11: names are UTF-8.
const FLAGS: u16 = 1 << 11;

struct Entry {
    name: String,
    crc: u32,
    compressed: u32,
    size: u32,
    offset: u32,
}

/// Writes a ZIP archive in memory, entry after entry.
#[derive(Default)]
pub struct ZipWriter {
    out: Vec<u8>,
    entries: Vec<Entry>,
}

fn u16le(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn u32le(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

/// Sizes over 4 GiB need ZIP64; a document never comes near.
fn size(n: usize) -> std::io::Result<u32> {
    u32::try_from(n).map_err(|_| std::io::Error::other("a part of the document is over 4 GiB"))
}

impl ZipWriter {
    pub fn add(&mut self, name: &str, data: &[u8]) -> std::io::Result<()> {
        let mut crc = crc32fast::Hasher::new();
        crc.update(data);
        let crc = crc.finalize();
        let mut enc = DeflateEncoder::new(Vec::new(), Compression::default());
        enc.write_all(data)?;
        let compressed = enc.finish()?;
        let entry = Entry {
            name: name.to_owned(),
            crc,
            compressed: size(compressed.len())?,
            size: size(data.len())?,
            offset: size(self.out.len())?,
        };
        let out = &mut self.out;
        u32le(out, 0x0403_4b50);
        u16le(out, VERSION);
        u16le(out, FLAGS);
        u16le(out, DEFLATED);
        u16le(out, DOS_TIME);
        u16le(out, DOS_DATE);
        u32le(out, entry.crc);
        u32le(out, entry.compressed);
        u32le(out, entry.size);
        u16le(out, name.len() as u16);
        u16le(out, 0);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&compressed);
        self.entries.push(entry);
        Ok(())
    }

    pub fn finish(mut self) -> std::io::Result<Vec<u8>> {
        let start = size(self.out.len())?;
        for e in &self.entries {
            let out = &mut self.out;
            u32le(out, 0x0201_4b50);
            u16le(out, VERSION);
            u16le(out, VERSION);
            u16le(out, FLAGS);
            u16le(out, DEFLATED);
            u16le(out, DOS_TIME);
            u16le(out, DOS_DATE);
            u32le(out, e.crc);
            u32le(out, e.compressed);
            u32le(out, e.size);
            u16le(out, e.name.len() as u16);
            u16le(out, 0); // extra
            u16le(out, 0); // comment
            u16le(out, 0); // disk
            u16le(out, 0); // internal attributes
            u32le(out, 0); // external attributes
            u32le(out, e.offset);
            out.extend_from_slice(e.name.as_bytes());
        }
        let directory = size(self.out.len())? - start;
        let count = u16::try_from(self.entries.len())
            .map_err(|_| std::io::Error::other("too many parts"))?;
        let out = &mut self.out;
        u32le(out, 0x0605_4b50);
        u16le(out, 0);
        u16le(out, 0);
        u16le(out, count);
        u16le(out, count);
        u32le(out, directory);
        u32le(out, start);
        u16le(out, 0);
        Ok(self.out)
    }
}

/// Why a file could not be read as a ZIP archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ZipError {
    NotZip,
    Damaged(&'static str),
    /// Over the limits below: a "zip bomb" or a document no one drafts.
    TooLarge,
}

/// At most this much once inflated, all parts together.
const MAX_INFLATED: u64 = 64 * 1024 * 1024;
const MAX_ENTRIES: usize = 10_000;

struct Found {
    name: String,
    method: u16,
    compressed: usize,
    size: usize,
    offset: usize,
}

/// Reads the parts of a ZIP archive held in memory.
pub struct ZipReader<'a> {
    data: &'a [u8],
    entries: Vec<Found>,
}

fn le16(d: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(d.get(at..at + 2)?.try_into().ok()?))
}

fn le32(d: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(d.get(at..at + 4)?.try_into().ok()?))
}

impl<'a> ZipReader<'a> {
    pub fn open(data: &'a [u8]) -> Result<ZipReader<'a>, ZipError> {
        if !data.starts_with(b"PK\x03\x04") {
            return Err(ZipError::NotZip);
        }
        // The end record is in the last 64 KiB + 22 bytes (its comment is at most 64 KiB).
        let from = data.len().saturating_sub(22 + 65_535);
        let end = (from..data.len().saturating_sub(21))
            .rev()
            .find(|&i| data[i..].starts_with(b"PK\x05\x06"))
            .ok_or(ZipError::Damaged("no central directory"))?;
        let damaged = ZipError::Damaged("a broken central directory");
        let count = usize::from(le16(data, end + 10).ok_or(damaged.clone())?);
        let mut at = le32(data, end + 16).ok_or(damaged.clone())? as usize;
        if count > MAX_ENTRIES {
            return Err(ZipError::TooLarge);
        }
        let mut entries = Vec::with_capacity(count);
        let mut total: u64 = 0;
        for _ in 0..count {
            if le32(data, at) != Some(0x0201_4b50) {
                return Err(damaged);
            }
            let field = |off: usize| le32(data, at + off).map(|v| v as usize);
            let method = le16(data, at + 10).ok_or(damaged.clone())?;
            let compressed = field(20).ok_or(damaged.clone())?;
            let size = field(24).ok_or(damaged.clone())?;
            let name_len = usize::from(le16(data, at + 28).ok_or(damaged.clone())?);
            let extra = usize::from(le16(data, at + 30).ok_or(damaged.clone())?);
            let comment = usize::from(le16(data, at + 32).ok_or(damaged.clone())?);
            let offset = field(42).ok_or(damaged.clone())?;
            let name = data
                .get(at + 46..at + 46 + name_len)
                .ok_or(damaged.clone())?;
            total += size as u64;
            if total > MAX_INFLATED {
                return Err(ZipError::TooLarge);
            }
            entries.push(Found {
                name: String::from_utf8_lossy(name).into_owned(),
                method,
                compressed,
                size,
                offset,
            });
            at += 46 + name_len + extra + comment;
        }
        Ok(ZipReader { data, entries })
    }

    /// The part named `name`, inflated; None when the archive has no such part.
    pub fn read(&self, name: &str) -> Result<Option<Vec<u8>>, ZipError> {
        use std::io::Read;
        let Some(e) = self.entries.iter().find(|e| e.name == name) else {
            return Ok(None);
        };
        let damaged = ZipError::Damaged("a broken part");
        if le32(self.data, e.offset) != Some(0x0403_4b50) {
            return Err(damaged);
        }
        let name_len = usize::from(le16(self.data, e.offset + 26).ok_or(damaged.clone())?);
        let extra = usize::from(le16(self.data, e.offset + 28).ok_or(damaged.clone())?);
        let start = e.offset + 30 + name_len + extra;
        let raw = self
            .data
            .get(start..start + e.compressed)
            .ok_or(damaged.clone())?;
        match e.method {
            0 => Ok(Some(raw.to_vec())),
            DEFLATED => {
                let mut out = Vec::with_capacity(e.size.min(MAX_INFLATED as usize));
                // Never more than the directory said (plus one byte, to notice a lie).
                flate2::read::DeflateDecoder::new(raw)
                    .take(e.size as u64 + 1)
                    .read_to_end(&mut out)
                    .map_err(|_| damaged.clone())?;
                if out.len() != e.size {
                    return Err(damaged);
                }
                Ok(Some(out))
            }
            _ => Err(ZipError::Damaged(
                "a part compressed in a way Word does not use",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_written_reads_back() {
        let mut w = ZipWriter::default();
        w.add("a.xml", "<a>نص 文本</a>".as_bytes()).unwrap();
        w.add("b/c.xml", &vec![b'x'; 100_000]).unwrap();
        let bytes = w.finish().unwrap();
        let r = ZipReader::open(&bytes).unwrap();
        assert_eq!(
            r.read("a.xml").unwrap().unwrap(),
            "<a>نص 文本</a>".as_bytes()
        );
        assert_eq!(r.read("b/c.xml").unwrap().unwrap().len(), 100_000);
        assert_eq!(r.read("missing").unwrap(), None);
    }

    #[test]
    fn other_files_are_told_apart() {
        assert_eq!(ZipReader::open(b"%PDF-1.7").err(), Some(ZipError::NotZip));
        let mut w = ZipWriter::default();
        w.add("a.xml", b"<a/>").unwrap();
        let bytes = w.finish().unwrap();
        let cut = &bytes[..bytes.len() - 30];
        assert!(matches!(ZipReader::open(cut), Err(ZipError::Damaged(_))));
    }
}
