import { execFile } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

interface Tool {
  name: string;
  /** Arguments; `{file}` is replaced by the output file. */
  args: string[];
  /** Which display it needs. */
  needs: 'wayland' | 'x11' | 'macos';
}

/** Display tools tried in order, each run without a shell, writing a PNG file. */
const TOOLS: Tool[] = [
  { name: 'grim', args: ['{file}'], needs: 'wayland' },
  { name: 'gnome-screenshot', args: ['-f', '{file}'], needs: 'x11' },
  { name: 'scrot', args: ['-o', '{file}'], needs: 'x11' },
  { name: 'import', args: ['-window', 'root', '{file}'], needs: 'x11' },
  { name: 'screencapture', args: ['-x', '-t', 'png', '{file}'], needs: 'macos' },
];

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Takes a screenshot with whichever display tool this machine has, or says why it cannot. */
export class ScreenshotTaker {
  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  /** The tool that would be used, or undefined when there is no display or no tool. */
  tool(): { tool: Tool; path: string } | undefined {
    const displays = new Set<Tool['needs']>();
    if (this.env.WAYLAND_DISPLAY) displays.add('wayland');
    if (this.env.DISPLAY) displays.add('x11');
    if (process.platform === 'darwin') displays.add('macos');
    for (const tool of TOOLS) {
      if (!displays.has(tool.needs)) continue;
      const path = this.which(tool.name);
      if (path) return { tool, path };
    }
    return undefined;
  }

  /** A PNG of the screen; throws with the reason when none can be taken. */
  async take(timeoutMs: number): Promise<Buffer> {
    const found = this.tool();
    if (!found) {
      throw new Error(
        'no display or no screenshot tool (grim, gnome-screenshot, scrot, import, screencapture)',
      );
    }
    const dir = mkdtempSync(join(tmpdir(), 'raqeem-shot-'));
    const file = join(dir, 'screen.png');
    try {
      await run(
        found.path,
        found.tool.args.map((arg) => (arg === '{file}' ? file : arg)),
        {
          timeout: timeoutMs,
          env: this.env,
        },
      );
      const image = readFileSync(file);
      if (!image.subarray(0, 8).equals(PNG_SIGNATURE)) {
        throw new Error(`${found.tool.name} did not write a PNG`);
      }
      return image;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  private which(name: string): string | undefined {
    for (const dir of (this.env.PATH ?? '').split(delimiter)) {
      if (!dir) continue;
      const path = join(dir, name);
      try {
        accessSync(path, constants.X_OK);
        return path;
      } catch {
        // not here
      }
    }
    return undefined;
  }
}
