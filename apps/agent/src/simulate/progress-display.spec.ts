import { ProgressDisplay, type ProgressFigures } from './progress-display';

function stream(tty: boolean): NodeJS.WriteStream & { text: string } {
  const out = {
    isTTY: tty,
    text: '',
    write(chunk: string): boolean {
      out.text += chunk;
      return true;
    },
  };
  return out as unknown as NodeJS.WriteStream & { text: string };
}

describe('ProgressDisplay', () => {
  let figures: ProgressFigures;
  beforeEach(() => {
    jest.useFakeTimers();
    figures = { devices: 200, enrolled: 200, sent: 0, queued: 5, errors: 0, dropped: 0 };
  });
  afterEach(() => jest.useRealTimers());

  it('rewrites one line in place on a terminal', () => {
    const out = stream(true);
    const display = new ProgressDisplay(() => figures, out);
    display.start();
    figures.sent = 12_345;
    jest.advanceTimersByTime(1000);
    figures.sent = 14_345;
    jest.advanceTimersByTime(1000);
    display.stop();
    const lines = out.text.split('\r\x1b[2K').filter(Boolean);
    expect(lines[0]).toMatch(
      /^devices 200\/200 {2}sent 12,345 {2}queued 5 {2}errors 0 {2}[\d,]+ records\/s$/,
    );
    expect(lines[1]).toMatch(/sent 14,345 .* 2,000 records\/s\n/);
    expect(out.text).toMatch(/\nsimulate: summary \{"devices":200,"enrolled":200,"sent":14345,/);
  });

  it('writes plain log lines every so often when not on a terminal', () => {
    const out = stream(false);
    const display = new ProgressDisplay(() => figures, out, 10_000);
    display.start();
    jest.advanceTimersByTime(25_000);
    display.stop();
    expect(out.text).not.toContain('\r');
    const progress = out.text.split('\n').filter((line) => line.includes('simulate: devices'));
    expect(progress).toHaveLength(3);
    expect(progress[0]).toMatch(/^\S+Z simulate: devices 200\/200 {2}sent 0 /);
  });
});
