/** Kinds of simulated machine: their sizes, habits and the programs they run. */
export interface DeviceProfile {
  type: 'laptop' | 'desktop' | 'server';
  os: readonly string[];
  cores: readonly number[];
  memoryGiB: readonly number[];
  diskGiB: readonly number[];
  /** CPU % at night, and how much the working day adds. */
  idleCpu: [number, number];
  dayCpu: [number, number];
  /** Bytes/s of network at full load. */
  netRate: [number, number];
  /** Always running. */
  base: readonly string[];
  /** Started and stopped over time. */
  apps: readonly string[];
  /** Names for activity records. */
  focusApps: readonly string[];
}

export const PROFILES: readonly DeviceProfile[] = [
  {
    type: 'laptop',
    os: ['Ubuntu 24.04 LTS', 'Fedora 41', 'macOS 15.2', 'Windows 11 23H2'],
    cores: [4, 8, 12],
    memoryGiB: [8, 16, 32],
    diskGiB: [256, 512, 1024],
    idleCpu: [2, 8],
    dayCpu: [15, 45],
    netRate: [200_000, 3_000_000],
    base: ['systemd', 'Xorg', 'pipewire', 'NetworkManager', 'sshd'],
    apps: [
      'firefox',
      'chrome',
      'code',
      'slack',
      'spotify',
      'zoom',
      'thunderbird',
      'libreoffice',
      'gimp',
      'docker',
    ],
    focusApps: ['Firefox', 'Visual Studio Code', 'Slack', 'Terminal', 'Zoom', 'LibreOffice Writer'],
  },
  {
    type: 'desktop',
    os: ['Ubuntu 22.04 LTS', 'Debian 12', 'Windows 11 23H2', 'Linux Mint 22'],
    cores: [6, 8, 16],
    memoryGiB: [16, 32, 64],
    diskGiB: [512, 1024, 2048],
    idleCpu: [1, 5],
    dayCpu: [20, 55],
    netRate: [500_000, 8_000_000],
    base: ['systemd', 'gnome-shell', 'pulseaudio', 'cupsd', 'sshd'],
    apps: [
      'firefox',
      'blender',
      'steam',
      'obs',
      'code',
      'java',
      'python3',
      'node',
      'vlc',
      'discord',
    ],
    focusApps: ['Firefox', 'Blender', 'IntelliJ IDEA', 'Terminal', 'VLC', 'Discord'],
  },
  {
    type: 'server',
    os: ['Ubuntu 24.04 LTS', 'Rocky Linux 9', 'Debian 12'],
    cores: [8, 16, 32, 64],
    memoryGiB: [32, 64, 128, 256],
    diskGiB: [1024, 2048, 4096],
    idleCpu: [10, 25],
    dayCpu: [20, 50],
    netRate: [5_000_000, 60_000_000],
    base: ['systemd', 'sshd', 'postgres', 'nginx', 'node_exporter', 'containerd'],
    apps: [
      'java',
      'python3',
      'node',
      'redis-server',
      'rsync',
      'backup',
      'gzip',
      'pg_dump',
      'make',
      'gcc',
    ],
    focusApps: ['ssh', 'cron', 'backup'],
  },
];

export const LOCATIONS = [
  'Riyadh HQ, floor 2',
  'Riyadh HQ, floor 5',
  'Jeddah office',
  'Dammam warehouse',
  'Remote',
  'Data centre A, rack 12',
  'Data centre B, rack 3',
];

export const USERS = [
  'amal',
  'badr',
  'dana',
  'faisal',
  'huda',
  'khalid',
  'lama',
  'majid',
  'noura',
  'omar',
  'reem',
  'sara',
];
