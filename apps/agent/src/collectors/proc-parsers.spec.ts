import {
  parseMeminfo,
  parseMilliCelsius,
  parseMounts,
  parseNetDev,
  parseProcStat,
  parseUtmp,
  UTMP_USER_PROCESS,
} from './proc-parsers';

describe('the /proc and /sys parsers', () => {
  it('reads memory and swap from /proc/meminfo in bytes', () => {
    const text = [
      'MemTotal:       16318412 kB',
      'MemFree:         1200000 kB',
      'MemAvailable:    8000000 kB',
      'Buffers:          300000 kB',
      'Cached:          5000000 kB',
      'SwapTotal:       2097148 kB',
      'SwapFree:        1048574 kB',
      'HugePages_Total:       0',
    ].join('\n');
    expect(parseMeminfo(text)).toEqual({
      total: 16318412 * 1024,
      available: 8000000 * 1024,
      swapTotal: 2097148 * 1024,
      swapFree: 1048574 * 1024,
    });
  });

  it('estimates available memory on kernels without MemAvailable, and refuses text without a total', () => {
    const old = 'MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 50 kB\nCached: 200 kB';
    expect(parseMeminfo(old)?.available).toBe(350 * 1024);
    expect(parseMeminfo('garbage')).toBeUndefined();
  });

  it('sums received and sent bytes of every interface but loopback from /proc/net/dev', () => {
    const text = [
      'Inter-|   Receive                                                |  Transmit',
      ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed',
      '    lo: 9999999   100    0    0    0     0          0         0  9999999   100    0    0    0     0       0          0',
      '  eth0: 1000      10    0    0    0     0          0         0     2000      20    0    0    0     0       0          0',
      'wlan0:500 5 0 0 0 0 0 0 700 7 0 0 0 0 0 0',
    ].join('\n');
    expect(parseNetDev(text)).toEqual({ rx: 1500, tx: 2700 });
  });

  it('keeps the root and real filesystems of /proc/mounts, not the kernel views', () => {
    const text = [
      'overlay / overlay rw 0 0',
      'proc /proc proc rw 0 0',
      'tmpfs /dev/shm tmpfs rw 0 0',
      '/dev/nvme0n1p2 /home ext4 rw 0 0',
      '/dev/sdb1 /mnt/my\\040disk xfs rw 0 0',
      'sysfs /sys sysfs rw 0 0',
      '/dev/loop3 /snap/core/1 squashfs ro 0 0',
    ].join('\n');
    expect(parseMounts(text).map((m) => m.target)).toEqual(['/', '/home', '/mnt/my disk']);
  });

  it('reads a process whose name holds spaces and parentheses from /proc/<pid>/stat', () => {
    const fields = Array.from({ length: 50 }, (_, i) => String(i + 3));
    fields[0] = 'S';
    fields[11] = '150'; // utime
    fields[12] = '50'; // stime
    fields[21] = '2048'; // rss
    const text = `4242 (tmux: server) (x)) ${fields.join(' ')}`;
    expect(parseProcStat(text)).toEqual({
      pid: 4242,
      name: 'tmux: server) (x)',
      ticks: 200,
      rssPages: 2048,
    });
    expect(parseProcStat('nonsense')).toBeUndefined();
  });

  it('reads sensor millidegrees as °C and ignores sensors that are not wired', () => {
    expect(parseMilliCelsius('54321\n')).toBe(54.3);
    expect(parseMilliCelsius('-273000')).toBeUndefined();
    expect(parseMilliCelsius('0')).toBeUndefined();
    expect(parseMilliCelsius('')).toBeUndefined();
  });

  it('reads the sessions of a utmp file', () => {
    const record = (
      type: number,
      user: string,
      line: string,
      host: string,
      time: number,
    ): Buffer => {
      const data = Buffer.alloc(384);
      data.writeInt16LE(type, 0);
      data.writeInt32LE(1234, 4);
      data.write(line, 8);
      data.write(user, 44);
      data.write(host, 76);
      data.writeInt32LE(time, 340);
      return data;
    };
    const entries = parseUtmp(
      Buffer.concat([
        record(2, 'reboot', '~', '', 1),
        record(UTMP_USER_PROCESS, 'sara', 'pts/0', '10.0.0.5', 1_700_000_000),
      ]),
    );
    expect(entries).toHaveLength(2);
    expect(entries[1]).toEqual({
      type: UTMP_USER_PROCESS,
      pid: 1234,
      line: 'pts/0',
      user: 'sara',
      host: '10.0.0.5',
      time: 1_700_000_000,
    });
  });
});
