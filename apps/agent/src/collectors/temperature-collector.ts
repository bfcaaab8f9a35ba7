import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseMilliCelsius } from './proc-parsers';

/** hwmon drivers that measure the CPU package or cores. */
const CPU_HWMON = new Set(['coretemp', 'k10temp', 'zenpower', 'cpu_thermal', 'soc_thermal']);
/** Thermal zone types that are the CPU (or, on many laptops, the only sensor). */
const CPU_ZONE = /x86_pkg_temp|cpu|soc|acpitz|k10temp/i;

/**
 * CPU temperature where the OS exposes it: the hottest CPU sensor of hwmon, else of the
 * thermal zones; undefined on a machine without one (most VMs and containers).
 */
export class TemperatureCollector {
  readonly sources: string[];

  constructor(private readonly sys = '/sys/class') {
    this.sources = this.find();
  }

  sample(): number | undefined {
    let hottest: number | undefined;
    for (const file of this.sources) {
      let value: number | undefined;
      try {
        value = parseMilliCelsius(readFileSync(file, 'utf8'));
      } catch {
        continue;
      }
      if (value !== undefined && (hottest === undefined || value > hottest)) hottest = value;
    }
    return hottest;
  }

  private find(): string[] {
    const hwmon = this.list(join(this.sys, 'hwmon')).flatMap((dir) => {
      const base = join(this.sys, 'hwmon', dir);
      if (!CPU_HWMON.has(this.read(join(base, 'name')))) return [];
      return this.list(base)
        .filter((name) => /^temp\d+_input$/.test(name))
        .map((name) => join(base, name));
    });
    if (hwmon.length > 0) return hwmon;
    return this.list(join(this.sys, 'thermal'))
      .filter((dir) => dir.startsWith('thermal_zone'))
      .map((dir) => join(this.sys, 'thermal', dir))
      .filter((base) => CPU_ZONE.test(this.read(join(base, 'type'))))
      .map((base) => join(base, 'temp'));
  }

  private list(dir: string): string[] {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  }

  private read(file: string): string {
    try {
      return readFileSync(file, 'utf8').trim();
    } catch {
      return '';
    }
  }
}
