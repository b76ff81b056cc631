import { inflateRawSync } from "node:zlib";
import { DataFormatError } from "@llminit/core";

/** One file in a zip archive's central directory. */
export interface ZipEntry {
  name: string;
  /** 0 = stored, 8 = deflate. */
  method: number;
  compressedSize: number;
  size: number;
  crc32: number;
  localHeaderOffset: number;
}

/**
 * Lists a zip archive's files from its central directory (no zip64, no encryption:
 * enough for the MovieLens distributions). `file` only names the archive in errors.
 */
export function listZip(zip: Buffer, file = "<zip>"): ZipEntry[] {
  const minEnd = 22;
  let end = -1;
  for (let i = zip.length - minEnd; i >= Math.max(0, zip.length - minEnd - 65535); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new DataFormatError({ file }, "not a zip archive (no end-of-central-directory record)");
  const count = zip.readUInt16LE(end + 10);
  let offset = zip.readUInt32LE(end + 16);
  if (offset === 0xffffffff || count === 0xffff)
    throw new DataFormatError({ file }, "zip64 archives are not supported");
  const entries: ZipEntry[] = [];
  for (let n = 0; n < count; n++) {
    if (offset + 46 > zip.length || zip.readUInt32LE(offset) !== 0x02014b50) {
      throw new DataFormatError({ file }, `corrupt central directory at byte ${offset}`);
    }
    const flags = zip.readUInt16LE(offset + 8);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    const name = zip.toString(flags & 0x800 ? "utf8" : "latin1", offset + 46, offset + 46 + nameLength);
    if (flags & 1) throw new DataFormatError({ file, field: name }, "encrypted zip entries are not supported");
    entries.push({
      name,
      method: zip.readUInt16LE(offset + 10),
      crc32: zip.readUInt32LE(offset + 16),
      compressedSize: zip.readUInt32LE(offset + 20),
      size: zip.readUInt32LE(offset + 24),
      localHeaderOffset: zip.readUInt32LE(offset + 42),
    });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** The uncompressed bytes of one entry, checked against its size and CRC-32. */
export function readZipEntry(zip: Buffer, entry: ZipEntry, file = "<zip>"): Buffer {
  const at = entry.localHeaderOffset;
  if (at + 30 > zip.length || zip.readUInt32LE(at) !== 0x04034b50) {
    throw new DataFormatError({ file, field: entry.name }, "corrupt local file header");
  }
  const start = at + 30 + zip.readUInt16LE(at + 26) + zip.readUInt16LE(at + 28);
  const raw = zip.subarray(start, start + entry.compressedSize);
  let data: Buffer;
  if (entry.method === 0) data = Buffer.from(raw);
  else if (entry.method === 8) {
    try {
      data = inflateRawSync(raw);
    } catch (error) {
      throw new DataFormatError({ file, field: entry.name }, `corrupt deflate data (${(error as Error).message})`, {
        cause: error,
      });
    }
  } else throw new DataFormatError({ file, field: entry.name }, `unsupported compression method ${entry.method}`);
  if (data.length !== entry.size)
    throw new DataFormatError(
      { file, field: entry.name },
      `size ${data.length} differs from the recorded ${entry.size}`,
    );
  if (crc32(data) !== entry.crc32) throw new DataFormatError({ file, field: entry.name }, "CRC-32 mismatch");
  return data;
}

/** CRC-32 (IEEE) of `data`, as zip records it. */
export function crc32(data: Uint8Array): number {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  let crc = -1;
  for (let i = 0; i < data.length; i++) crc = table[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}
