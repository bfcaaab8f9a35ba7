/** What a newcomer needs after `npm start`: where the service is and where its secrets are. */
export function startupBanner(lines: {
  service: string;
  url: string;
  database: string;
  secretsPath?: string;
  extra?: string[];
}): string {
  const out = [
    `${lines.service} listening on ${lines.url}`,
    `  API docs:  ${lines.url}/docs`,
    `  health:    ${lines.url}/health`,
    `  metrics:   ${lines.url}/metrics`,
    `  database:  ${lines.database}`,
  ];
  if (lines.secretsPath) out.push(`  dev credentials generated and kept in ${lines.secretsPath}`);
  out.push(...(lines.extra ?? []).map((line) => `  ${line}`));
  return out.join('\n');
}
