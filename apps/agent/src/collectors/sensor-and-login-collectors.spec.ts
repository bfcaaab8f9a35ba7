import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LoginCollector } from './login-collector';
import { UTMP_USER_PROCESS } from './proc-parsers';
import { TemperatureCollector } from './temperature-collector';

function utmp(sessions: { user: string; line: string; pid: number; host?: string }[]): Buffer {
  return Buffer.concat(
    sessions.map((s) => {
      const data = Buffer.alloc(384);
      data.writeInt16LE(UTMP_USER_PROCESS, 0);
      data.writeInt32LE(s.pid, 4);
      data.write(s.line, 8);
      data.write(s.user, 44);
      data.write(s.host ?? '', 76);
      data.writeInt32LE(1_700_000_000 + s.pid, 340);
      return data;
    }),
  );
}

describe('the login collector', () => {
  it('reports sessions that appear as logins and sessions that end as logouts', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'raqeem-utmp-')), 'utmp');
    writeFileSync(file, utmp([{ user: 'sara', line: 'tty1', pid: 10 }]));
    const logins = new LoginCollector([file]);
    expect(logins.users()).toEqual(['sara']);
    expect(logins.sample()).toEqual([]);
    writeFileSync(
      file,
      utmp([
        { user: 'sara', line: 'tty1', pid: 10 },
        { user: 'omar', line: 'pts/0', pid: 20, host: '10.1.2.3' },
      ]),
    );
    expect(logins.sample()).toEqual([
      {
        activity_type: 'user_login',
        description: 'omar logged in on pts/0 from 10.1.2.3',
        app: 'login',
      },
    ]);
    writeFileSync(file, utmp([{ user: 'omar', line: 'pts/0', pid: 20, host: '10.1.2.3' }]));
    expect(logins.sample()).toEqual([
      { activity_type: 'user_logout', description: 'sara logged out on tty1', app: 'login' },
    ]);
  });

  it('reports nothing where utmp cannot be read', () => {
    const logins = new LoginCollector([join(tmpdir(), 'no-such-utmp')]);
    expect(logins.sample()).toEqual([]);
    expect(logins.users()).toEqual([]);
  });
});

describe('the temperature collector', () => {
  const sys = (): string => mkdtempSync(join(tmpdir(), 'raqeem-sys-'));
  const put = (root: string, path: string, text: string): void => {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  };

  it('reads the hottest CPU sensor of hwmon, ignoring other drivers', () => {
    const root = sys();
    put(root, 'hwmon/hwmon0/name', 'nvme\n');
    put(root, 'hwmon/hwmon0/temp1_input', '90000\n');
    put(root, 'hwmon/hwmon1/name', 'coretemp\n');
    put(root, 'hwmon/hwmon1/temp1_input', '52000\n');
    put(root, 'hwmon/hwmon1/temp2_input', '61500\n');
    const collector = new TemperatureCollector(root);
    expect(collector.sources).toHaveLength(2);
    expect(collector.sample()).toBe(61.5);
  });

  it('falls back to the CPU thermal zones, and has no figure where there is no sensor', () => {
    const root = sys();
    put(root, 'thermal/thermal_zone0/type', 'x86_pkg_temp\n');
    put(root, 'thermal/thermal_zone0/temp', '47000\n');
    put(root, 'thermal/thermal_zone1/type', 'iwlwifi_1\n');
    put(root, 'thermal/thermal_zone1/temp', '99000\n');
    expect(new TemperatureCollector(root).sample()).toBe(47);
    const empty = sys();
    expect(new TemperatureCollector(empty).sample()).toBeUndefined();
    rmSync(root, { recursive: true });
  });
});
