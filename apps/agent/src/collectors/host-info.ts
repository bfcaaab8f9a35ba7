import { readFileSync } from 'node:fs';
import * as os from 'node:os';
import type { DeviceInfo } from '../transport/devices-client';

/** The distribution's name from /etc/os-release, else the kernel's. */
function osName(): string {
  try {
    const text = readFileSync('/etc/os-release', 'utf8');
    const pretty = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(text)?.[1];
    if (pretty) return `${pretty} (${os.type()} ${os.release()} ${os.arch()})`.slice(0, 128);
  } catch {
    // Not Linux, or a minimal image.
  }
  return `${os.type()} ${os.release()} ${os.arch()}`.slice(0, 128);
}

/** The first non-internal interface with an IPv4 address: its address and MAC. */
function primaryInterface(): { ip?: string; mac?: string } {
  for (const addresses of Object.values(os.networkInterfaces())) {
    for (const address of addresses ?? []) {
      if (!address.internal && address.family === 'IPv4') {
        return { ip: address.address, mac: address.mac };
      }
    }
  }
  return {};
}

function currentUser(loggedIn: string[]): string | undefined {
  if (loggedIn[0]) return loggedIn[0];
  try {
    return os.userInfo().username;
  } catch {
    return undefined;
  }
}

/** What registration tells the server about this machine. */
export function hostInfo(
  deviceid: string,
  options: { deviceName?: string; location?: string; loggedIn?: string[] },
): DeviceInfo {
  const net = primaryInterface();
  const user = currentUser(options.loggedIn ?? []);
  return {
    deviceid,
    device_name: (options.deviceName ?? os.hostname()).slice(0, 255),
    device_type: os.platform() === 'darwin' || os.platform() === 'win32' ? 'desktop' : 'linux',
    os: osName(),
    ...(options.location ? { device_location: options.location.slice(0, 255) } : {}),
    ...(net.ip ? { ip_address: net.ip } : {}),
    ...(net.mac ? { mac_address: net.mac } : {}),
    ...(user ? { current_user: user.slice(0, 255) } : {}),
  };
}
