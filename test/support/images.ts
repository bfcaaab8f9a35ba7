import { crc32, deflateSync } from 'node:zlib';

// Minimal valid images built in code, for upload tests and the sniffing specs.

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** An RGB PNG of width x height; `seed` varies the pixels so different seeds differ in bytes. */
export function pngImage(width: number, height: number, seed = 0): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type RGB
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) {
      row[1 + x * 3] = (x * 7 + seed) & 0xff;
      row[2 + x * 3] = (y * 13 + seed * 3) & 0xff;
      row[3 + x * 3] = (x ^ y ^ seed) & 0xff;
    }
    rows.push(row);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(Buffer.concat(rows))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

function segment(marker: number, payload: Buffer): Buffer {
  const head = Buffer.from([0xff, marker, 0, 0]);
  head.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([head, payload]);
}

/**
 * A baseline (SOF0) greyscale JPEG of a flat grey picture: one quantisation table, Huffman
 * tables with a single 1-bit code each (DC category 0, AC end-of-block), and per 8x8 block the
 * two bits "no DC change, end of block". Real decoders read it; an APP0 JFIF header comes first.
 */
export function jpegImage(width: number, height: number): Buffer {
  const jfif = Buffer.from([0x4a, 0x46, 0x49, 0x46, 0x00, 1, 1, 0, 0, 1, 0, 1, 0, 0]);
  const dqt = Buffer.concat([Buffer.from([0x00]), Buffer.alloc(64, 1)]);
  const sof = Buffer.from([8, 0, 0, 0, 0, 1, 1, 0x11, 0]);
  sof.writeUInt16BE(height, 1);
  sof.writeUInt16BE(width, 3);
  const oneCode = (tableClass: number, symbol: number): Buffer => {
    const counts = Buffer.alloc(16);
    counts[0] = 1; // one code of length 1
    return Buffer.concat([Buffer.from([tableClass << 4]), counts, Buffer.from([symbol])]);
  };
  const sos = Buffer.from([1, 1, 0x00, 0, 63, 0]);
  const blocks = Math.ceil(width / 8) * Math.ceil(height / 8);
  const bits = blocks * 2;
  const data = Buffer.alloc(Math.ceil(bits / 8), 0);
  // Pad the last byte with 1 bits, as the standard asks.
  const used = bits % 8;
  if (used !== 0) data[data.length - 1] = (1 << (8 - used)) - 1;
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    segment(0xe0, jfif),
    segment(0xdb, dqt),
    segment(0xc0, sof),
    segment(0xc4, oneCode(0, 0x00)),
    segment(0xc4, oneCode(1, 0x00)),
    segment(0xda, sos),
    data,
    Buffer.from([0xff, 0xd9]),
  ]);
}

/** Bits written least significant first, as VP8L reads them. */
class BitWriter {
  private readonly bytes: number[] = [];
  private bit = 0;
  write(value: number, count: number): void {
    for (let i = 0; i < count; i++) {
      if (this.bit % 8 === 0) this.bytes.push(0);
      if ((value >> i) & 1) this.bytes[this.bytes.length - 1] |= 1 << (this.bit % 8);
      this.bit++;
    }
  }
  buffer(): Buffer {
    return Buffer.from(this.bytes);
  }
}

/**
 * A lossless (VP8L) WebP of one colour: no transforms, no colour cache, and five "simple"
 * prefix codes with one symbol each, so every pixel takes zero bits.
 */
export function webpLosslessImage(
  width: number,
  height: number,
  argb: [number, number, number, number] = [255, 200, 100, 50],
): Buffer {
  const w = new BitWriter();
  w.write(0x2f, 8); // signature
  w.write(width - 1, 14);
  w.write(height - 1, 14);
  w.write(argb[0] === 255 ? 0 : 1, 1); // alpha used
  w.write(0, 3); // version
  w.write(0, 1); // no transform
  w.write(0, 1); // no colour cache
  w.write(0, 1); // no meta prefix codes
  const [a, r, g, b] = argb;
  for (const symbol of [g, r, b, a]) {
    w.write(1, 1); // simple code
    w.write(0, 1); // one symbol
    w.write(1, 1); // 8-bit symbol
    w.write(symbol, 8);
  }
  w.write(1, 1); // distance: simple code
  w.write(0, 1); // one symbol
  w.write(0, 1); // 1-bit symbol
  w.write(0, 1); // symbol 0
  const vp8l = w.buffer();
  const pad = vp8l.length % 2 === 1 ? Buffer.alloc(1) : Buffer.alloc(0);
  const chunkHeader = Buffer.alloc(8);
  chunkHeader.write('VP8L', 0, 'latin1');
  chunkHeader.writeUInt32LE(vp8l.length, 4);
  const body = Buffer.concat([Buffer.from('WEBP', 'latin1'), chunkHeader, vp8l, pad]);
  const riff = Buffer.alloc(8);
  riff.write('RIFF', 0, 'latin1');
  riff.writeUInt32LE(body.length, 4);
  return Buffer.concat([riff, body]);
}
