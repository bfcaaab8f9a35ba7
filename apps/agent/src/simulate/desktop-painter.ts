import { encodePng } from './png-encoder';
import type { SeededRandom } from './seeded-random';

/** A small picture of a desktop (wallpaper, a task bar, a few windows) as a PNG. */
export function paintDesktop(random: SeededRandom, width = 320, height = 200): Buffer {
  const rgb = new Uint8Array(width * height * 3);
  const fill = (x0: number, y0: number, w: number, h: number, color: number[]): void => {
    for (let y = Math.max(0, y0); y < Math.min(height, y0 + h); y++) {
      for (let x = Math.max(0, x0); x < Math.min(width, x0 + w); x++) {
        rgb.set(color, (y * width + x) * 3);
      }
    }
  };
  const top = [random.int(0, 80), random.int(40, 140), random.int(100, 220)];
  for (let y = 0; y < height; y++) {
    const shade = top.map((c) => Math.max(0, c - Math.round((y / height) * 60)));
    fill(0, y, width, 1, shade);
  }
  fill(0, height - 14, width, 14, [32, 32, 40]);
  const windows = random.int(1, 4);
  for (let i = 0; i < windows; i++) {
    const w = random.int(80, 200);
    const h = random.int(50, 130);
    const x = random.int(0, width - w);
    const y = random.int(0, height - 14 - h);
    fill(x, y, w, h, [235, 235, 235]);
    fill(x, y, w, 10, [random.int(40, 200), random.int(40, 200), random.int(40, 200)]);
    for (let line = y + 16; line < y + h - 6; line += 8) {
      fill(x + 6, line, random.int(20, w - 12), 3, [120, 120, 130]);
    }
  }
  return encodePng(width, height, rgb);
}
