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
