import { mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { CpuCollector } from './cpu-collector';
import { DiskCollector } from './disk-collector';
import { MemoryCollector } from './memory-collector';
import { NetworkCollector } from './network-collector';
import { ProcessCollector } from './process-collector';

const cpu = (user: number, idle: number): os.CpuInfo => ({
  model: 'test',
  speed: 1000,
  times: { user, nice: 0, sys: 0, idle, irq: 0 },
});

describe('the host collectors', () => {
  it('computes CPU use from the change of the cores times since the previous reading', () => {
    const readings = [
      [cpu(100, 900), cpu(100, 900)],
      [cpu(150, 950), cpu(200, 900)],
      [cpu(150, 950), cpu(200, 900)],
    ];
    const collector = new CpuCollector(() => readings.shift()!);
    // 150 busy of 200 since the first reading.
    expect(collector.sample()).toBe(75);
    // Nothing moved: no figure rather than a made-up one.
    expect(collector.sample()).toBeUndefined();
  });

  it('reads this machine memory total as the OS reports it', () => {
    const memory = new MemoryCollector().sample();
    expect(memory.total).toBe(os.totalmem());
    expect(memory.used).toBeGreaterThan(0);
    expect(memory.used).toBeLessThan(memory.total);
  });

  it('measures the root filesystem', () => {
    const disk = new DiskCollector().sample();
    expect(disk.total).toBeGreaterThan(0);
    expect(disk.used).toBeGreaterThan(0);
    expect(disk.fullest?.percent).toBeGreaterThan(0);
  });

  it('counts network bytes since the previous reading, never negative', () => {
    const file = join(mkdtempSync(join(os.tmpdir(), 'raqeem-net-')), 'dev');
    const write = (rx: number, tx: number): void =>
      writeFileSync(file, `h1\nh2\n  eth0: ${rx} 0 0 0 0 0 0 0 ${tx} 0 0 0 0 0 0 0\n`);
    write(1000, 500);
    const net = new NetworkCollector(file);
    write(1600, 900);
    expect(net.sample()).toEqual({ in: 600, out: 400 });
    // The interface was reset: its counters start again from zero.
    write(100, 50);
    expect(net.sample()).toEqual({ in: 100, out: 50 });
  });

  it('lists this process with its name, memory and command line', async () => {
    const processes = await new ProcessCollector(100_000).sample();
    const self = processes.find((p) => p.pid === process.pid);
    expect(self).toBeDefined();
    expect(self!.memory).toBeGreaterThan(1_000_000);
    expect(self!.command_text).toContain('jest');
    expect(self!.cpu).toBeGreaterThanOrEqual(0);
  });
});
