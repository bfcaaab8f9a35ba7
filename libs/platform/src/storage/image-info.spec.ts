import assert from 'node:assert/strict';
import { jpegImage, pngImage, webpLosslessImage } from '../../../../test/support/images';
import { jpegInfo, pngInfo, sniffImage, webpInfo } from './image-info';

describe('sniffImage', () => {
  it('reads the type and resolution of a PNG from its IHDR chunk', () => {
    assert.deepEqual(sniffImage(pngImage(37, 21)), {
      contentType: 'image/png',
      width: 37,
      height: 21,
    });
  });

  it('reads a baseline JPEG frame header after other segments', () => {
    assert.deepEqual(sniffImage(jpegImage(640, 480)), {
      contentType: 'image/jpeg',
      width: 640,
      height: 480,
    });
  });

  it('reads a lossless WebP (VP8L) header, with 14-bit sizes up to 16384', () => {
    assert.deepEqual(sniffImage(webpLosslessImage(3, 5)), {
      contentType: 'image/webp',
      width: 3,
      height: 5,
    });
    assert.deepEqual(sniffImage(webpLosslessImage(16384, 1)), {
      contentType: 'image/webp',
      width: 16384,
      height: 1,
    });
  });

  it('reads lossy (VP8) and extended (VP8X) WebP headers', () => {
    const riff = (chunk: string, data: Buffer): Buffer => {
      const head = Buffer.alloc(20);
      head.write('RIFF', 0, 'latin1');
      head.writeUInt32LE(12 + data.length, 4);
      head.write('WEBP', 8, 'latin1');
      head.write(chunk, 12, 'latin1');
      head.writeUInt32LE(data.length, 16);
      return Buffer.concat([head, data]);
    };
    const vp8 = Buffer.alloc(20);
    vp8.set([0x9d, 0x01, 0x2a], 3);
    vp8.writeUInt16LE(1920, 6);
    vp8.writeUInt16LE(1080 | (1 << 14), 8); // the top two bits are scaling, not size
    assert.deepEqual(webpInfo(riff('VP8 ', vp8)), {
      contentType: 'image/webp',
      width: 1920,
      height: 1080,
    });
    const vp8x = Buffer.alloc(20);
    vp8x.writeUIntLE(2559, 4, 3);
    vp8x.writeUIntLE(1439, 7, 3);
    assert.deepEqual(webpInfo(riff('VP8X', vp8x)), {
      contentType: 'image/webp',
      width: 2560,
      height: 1440,
    });
  });

  it('refuses text named like an image, empty input and other formats', () => {
    assert.equal(
      sniffImage(Buffer.from('this is not a png, just text with a .png name')),
      undefined,
    );
    assert.equal(sniffImage(Buffer.alloc(0)), undefined);
    assert.equal(sniffImage(Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1')), undefined);
    assert.equal(sniffImage(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>')), undefined);
  });

  it('refuses truncated headers and zero sizes instead of guessing', () => {
    const png = pngImage(4, 4);
    assert.equal(pngInfo(png.subarray(0, 20)), undefined);
    const zero = Buffer.from(png);
    zero.writeUInt32BE(0, 16);
    assert.equal(sniffImage(zero), undefined);
    // A JPEG that ends before any frame header.
    assert.equal(jpegInfo(jpegImage(8, 8).subarray(0, 30)), undefined);
    assert.equal(sniffImage(webpLosslessImage(2, 2).subarray(0, 24)), undefined);
  });

  it('skips fill bytes between JPEG segments', () => {
    const jpeg = jpegImage(16, 8);
    const filled = Buffer.concat([
      jpeg.subarray(0, 2),
      Buffer.from([0xff, 0xff]),
      jpeg.subarray(2),
    ]);
    assert.deepEqual(jpegInfo(filled), { contentType: 'image/jpeg', width: 16, height: 8 });
  });
});
