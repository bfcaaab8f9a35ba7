/**
 * Jest's globalTeardown: stops the cluster jest-global-setup.mjs started (the postmaster stays
 * up while another process still holds it). Quiet: the totals line stays the run's last.
 */
export default async function globalTeardown() {
  const running = globalThis.__testPostgres;
  if (!running) return;
  globalThis.__testPostgres = undefined;
  process.off('SIGINT', running.interrupted);
  process.off('SIGTERM', running.interrupted);
  running.state.quiet = true;
  if (process.env.TEST_DATABASE_URL === running.url) delete process.env.TEST_DATABASE_URL;
  await running.cluster.stop();
}
