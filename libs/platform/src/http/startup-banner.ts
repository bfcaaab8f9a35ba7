/** What a newcomer needs after `npm start`: where the service is and where its secrets are. */
export interface StartupBanner {
  /** The first line: `<service> listening on <url>`. */
  title: string;
  /** The same facts as fields, for a JSON log line. */
  fields: Record<string, string | string[]>;
  /** The lines a person reads in a terminal. */
  lines: string[];
}

export function startupBanner(facts: {
  service: string;
  url: string;
  database: string;
  secretsPath?: string;
  /** Path of a web page the service serves to people (the Mentor's dashboard). */
  dashboardPath?: string;
  extra?: string[];
}): StartupBanner {
  const title = `${facts.service} listening on ${facts.url}`;
  const docs = `${facts.url}/docs`;
  const health = `${facts.url}/health`;
  const metrics = `${facts.url}/metrics`;
  const fields: StartupBanner['fields'] = {
    url: facts.url,
    docs,
    health,
    metrics,
    database: facts.database,
  };
  const lines = [title];
  if (facts.dashboardPath !== undefined) {
    fields.dashboard = `${facts.url}${facts.dashboardPath}`;
    lines.push(`  dashboard: ${fields.dashboard}`);
  }
  lines.push(
    `  API docs:  ${docs}`,
    `  health:    ${health}`,
    `  metrics:   ${metrics}`,
    `  database:  ${facts.database}`,
  );
  if (facts.secretsPath) {
    fields.credentials = facts.secretsPath;
    lines.push(`  dev credentials generated and kept in ${facts.secretsPath}`);
  }
  if (facts.extra?.length) {
    fields.notes = facts.extra;
    lines.push(...facts.extra.map((line) => `  ${line}`));
  }
  return { title, fields, lines };
}
