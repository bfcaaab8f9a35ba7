import { readFileSync } from 'node:fs';
import { parseUtmp, UTMP_USER_PROCESS, type UtmpEntry } from './proc-parsers';

export interface LoginEvent {
  activity_type: 'user_login' | 'user_logout';
  description: string;
  app: string;
}

/**
 * User logins and logouts, from the sessions in utmp (where it is readable): a session that
 * appears is a login, one that goes a logout. The first reading is the baseline.
 */
export class LoginCollector {
  private sessions?: Map<string, UtmpEntry>;

  constructor(private readonly files = ['/run/utmp', '/var/run/utmp']) {
    this.sessions = this.read();
  }

  /** The users logged in now (the first one is the device's current user). */
  users(): string[] {
    return [...new Set([...(this.sessions?.values() ?? [])].map((s) => s.user))];
  }

  sample(): LoginEvent[] {
    const now = this.read();
    const before = this.sessions;
    if (!now) return [];
    this.sessions = now;
    if (!before) return [];
    const events: LoginEvent[] = [];
    for (const [key, session] of now) {
      if (!before.has(key)) events.push(event('user_login', session));
    }
    for (const [key, session] of before) {
      if (!now.has(key)) events.push(event('user_logout', session));
    }
    return events;
  }

  private read(): Map<string, UtmpEntry> | undefined {
    for (const file of this.files) {
      let data: Buffer;
      try {
        data = readFileSync(file);
      } catch {
        continue;
      }
      const sessions = new Map<string, UtmpEntry>();
      for (const entry of parseUtmp(data)) {
        if (entry.type !== UTMP_USER_PROCESS || !entry.user) continue;
        sessions.set(`${entry.line}\0${entry.pid}\0${entry.time}`, entry);
      }
      return sessions;
    }
    return undefined;
  }
}

function event(type: LoginEvent['activity_type'], session: UtmpEntry): LoginEvent {
  const from = session.host ? ` from ${session.host}` : '';
  const verb = type === 'user_login' ? 'logged in' : 'logged out';
  return {
    activity_type: type,
    description: `${session.user} ${verb} on ${session.line}${from}`.slice(0, 4000),
    app: 'login',
  };
}
