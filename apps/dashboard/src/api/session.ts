/**
 * The signed-in session. The access token lives in memory only; the refresh token is kept in
 * sessionStorage, so a reload keeps the session while closing the tab ends it, and each tab
 * has its own session (refresh tokens rotate on use, which tabs sharing one could not do).
 * The access token is renewed shortly before it expires.
 */
export interface SessionUser {
  username: string;
  role: 'admin' | 'viewer';
}

interface TokenPair {
  access_token: string;
  refresh_token: string;
  expires_in: number;
}

const STORAGE_KEY = 'raqeem.session';
/** Renew this long before the access token expires. */
const RENEW_MARGIN_MS = 60_000;

type Listener = () => void;

class SessionStore {
  private access: string | undefined;
  private refreshToken: string | undefined;
  private user: SessionUser | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private renewing: Promise<boolean> | undefined;
  private readonly listeners = new Set<Listener>();
  /** False until a stored session was tried (the app waits for it before routing). */
  ready = false;

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  current = (): SessionUser | null => this.user;

  get accessToken(): string | undefined {
    return this.access;
  }

  /** Resumes the session kept in this tab, if any. */
  async resume(): Promise<void> {
    const stored = readStored();
    if (stored) {
      this.refreshToken = stored.refresh_token;
      // Signed in only once a fresh access token is in hand.
      if (await this.renew()) {
        this.user = stored.user;
        this.store();
      } else this.clear();
    }
    this.ready = true;
    this.emit();
  }

  async signIn(username: string, password: string): Promise<void> {
    const response = await fetch('/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    if (!response.ok) {
      const body = (await response.json().catch(() => ({}))) as { message?: string };
      throw new Error(
        response.status === 401
          ? 'Wrong username or password.'
          : (body.message ?? `Sign-in failed (${response.status}).`),
      );
    }
    this.accept((await response.json()) as TokenPair);
    const me = await fetch('/auth/me', {
      headers: { authorization: `Bearer ${this.access}`, accept: 'application/json' },
    });
    if (!me.ok) throw new Error(`Sign-in failed (${me.status}).`);
    this.user = (await me.json()) as SessionUser;
    this.store();
    this.emit();
  }

  async signOut(): Promise<void> {
    const access = this.access;
    const refresh = this.refreshToken;
    this.clear();
    if (access) {
      await fetch('/auth/logout', {
        method: 'POST',
        headers: {
          authorization: `Bearer ${access}`,
          'content-type': 'application/json',
          accept: 'application/json',
        },
        body: JSON.stringify({ refresh_token: refresh }),
      }).catch(() => undefined);
    }
  }

  /** A new access token from the refresh token; one renewal at a time. False: session over. */
  renew(): Promise<boolean> {
    this.renewing ??= this.doRenew().finally(() => {
      this.renewing = undefined;
    });
    return this.renewing;
  }

  /** The session ended (refused refresh, sign-out): forget everything. */
  clear(): void {
    clearTimeout(this.timer);
    this.access = undefined;
    this.refreshToken = undefined;
    const had = this.user !== null;
    this.user = null;
    sessionStorage.removeItem(STORAGE_KEY);
    if (had) this.emit();
  }

  private async doRenew(): Promise<boolean> {
    if (!this.refreshToken) return false;
    let response: Response;
    try {
      response = await fetch('/auth/refresh', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ refresh_token: this.refreshToken }),
      });
    } catch {
      // The Mentor is unreachable: keep the session and try again shortly.
      this.schedule(5_000);
      return this.access !== undefined;
    }
    if (response.status === 401 || response.status === 400) return false;
    if (!response.ok) {
      this.schedule(5_000);
      return this.access !== undefined;
    }
    this.accept((await response.json()) as TokenPair);
    this.store();
    return true;
  }

  private accept(pair: TokenPair): void {
    this.access = pair.access_token;
    this.refreshToken = pair.refresh_token;
    this.schedule(Math.max(5_000, pair.expires_in * 1000 - RENEW_MARGIN_MS));
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      void this.renew().then((ok) => {
        if (!ok) this.clear();
      });
    }, ms);
  }

  private store(): void {
    if (!this.refreshToken || !this.user) return;
    sessionStorage.setItem(
      STORAGE_KEY,
      JSON.stringify({ refresh_token: this.refreshToken, user: this.user }),
    );
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }
}

function readStored(): { refresh_token: string; user: SessionUser } | undefined {
  try {
    const value = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? 'null') as {
      refresh_token?: unknown;
      user?: SessionUser;
    } | null;
    if (value && typeof value.refresh_token === 'string' && value.user) {
      return { refresh_token: value.refresh_token, user: value.user };
    }
  } catch {
    // A damaged entry is no session.
  }
  return undefined;
}

export const session = new SessionStore();
