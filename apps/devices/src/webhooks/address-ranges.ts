import { BlockList, isIPv4, isIPv6 } from 'node:net';

/** Why an address is refused as a webhook destination. */
export type RefusedRange =
  | 'cloud metadata'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'unique-local'
  | 'multicast'
  | 'unspecified'
  | 'reserved';

const RANGES: [RefusedRange, 'ipv4' | 'ipv6', string, number][] = [
  // Instance metadata services (AWS, GCP, Azure, OpenStack; AWS over IPv6; ECS task metadata;
  // Alibaba), named on their own although most lie in a range below.
  ['cloud metadata', 'ipv4', '169.254.169.254', 32],
  ['cloud metadata', 'ipv4', '169.254.170.2', 32],
  ['cloud metadata', 'ipv4', '100.100.100.200', 32],
  ['cloud metadata', 'ipv6', 'fd00:ec2::254', 128],
  ['unspecified', 'ipv4', '0.0.0.0', 8],
  ['loopback', 'ipv4', '127.0.0.0', 8],
  ['private', 'ipv4', '10.0.0.0', 8],
  ['private', 'ipv4', '172.16.0.0', 12],
  ['private', 'ipv4', '192.168.0.0', 16],
  // Carrier-grade NAT: private to the provider's network.
  ['private', 'ipv4', '100.64.0.0', 10],
  ['link-local', 'ipv4', '169.254.0.0', 16],
  ['reserved', 'ipv4', '192.0.0.0', 24],
  ['reserved', 'ipv4', '198.18.0.0', 15],
  ['multicast', 'ipv4', '224.0.0.0', 4],
  ['reserved', 'ipv4', '240.0.0.0', 4],
  ['unspecified', 'ipv6', '::', 128],
  ['loopback', 'ipv6', '::1', 128],
  ['unique-local', 'ipv6', 'fc00::', 7],
  ['link-local', 'ipv6', 'fe80::', 10],
  ['reserved', 'ipv6', 'fec0::', 10],
  ['multicast', 'ipv6', 'ff00::', 8],
];

const LISTS = new Map<RefusedRange, BlockList>();
for (const [label, family, network, prefix] of RANGES) {
  let list = LISTS.get(label);
  if (!list) LISTS.set(label, (list = new BlockList()));
  list.addSubnet(network, prefix, family);
}

/**
 * The refused range an IP address lies in, or undefined for a public address. An IPv6 address
 * embedding an IPv4 one (IPv4-mapped `::ffff:a.b.c.d`, NAT64 `64:ff9b::a.b.c.d`) is judged by
 * the IPv4 address it reaches. Anything that is not an IP address is `reserved`.
 */
export function refusedRange(address: string): RefusedRange | undefined {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  let family: 'ipv4' | 'ipv6';
  let ip = bare;
  if (isIPv4(bare)) family = 'ipv4';
  else if (isIPv6(bare)) {
    const embedded = embeddedIPv4(bare);
    family = embedded ? 'ipv4' : 'ipv6';
    ip = embedded ?? bare;
  } else return 'reserved';
  for (const [label, list] of LISTS) if (list.check(ip, family)) return label;
  return undefined;
}

/** The IPv4 address inside an IPv4-mapped or NAT64 IPv6 address. */
function embeddedIPv4(address: string): string | undefined {
  const groups = expandIPv6(address);
  const prefix = groups
    .slice(0, 6)
    .map((g) => g.toString(16))
    .join(':');
  if (prefix !== '0:0:0:0:0:ffff' && prefix !== '64:ff9b:0:0:0:0') return undefined;
  const [high, low] = [groups[6], groups[7]];
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

/** An IPv6 address (already checked) as its eight 16-bit groups. */
function expandIPv6(address: string): number[] {
  let text = address.toLowerCase().split('%')[0];
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1].split('.').map(Number);
    text = `${text.slice(0, -dotted[1].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const parse = (part: string | undefined): number[] =>
    part ? part.split(':').map((g) => parseInt(g, 16)) : [];
  const start = parse(head);
  const end = parse(tail);
  const zeros = tail === undefined ? [] : new Array<number>(8 - start.length - end.length).fill(0);
  return [...start, ...zeros, ...end];
}
