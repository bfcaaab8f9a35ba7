/**
 * The Node.js flags each service runs with, wherever it is started: `npm start`, the tests and
 * the benchmarks (which so measure what operators run), and the container image.
 *
 * Devices caps V8's old generation at 160 MB. Its live set is small (requests in a group
 * commit, a relay round's records), but V8 grows the heap lazily with the allocation rate: under
 * a mentor outage and full-speed ingest, uncapped, it went past the 250 MB of RSS this edge
 * service is meant to stay within; capped, it stays well under with the same CPU
 * (bench/README.md). 160 leaves room for screenshot forwarding, which holds requests of up to
 * 8 MB of base64 JSON. The Mentor is left to V8's defaults.
 */
export const SERVICE_NODE_ARGS: Readonly<Record<'devices' | 'mentor', readonly string[]>> = {
  devices: ['--max-old-space-size=160'],
  mentor: [],
};
