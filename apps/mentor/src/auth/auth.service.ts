import type { TokenPairDto } from '@app/contracts';
import {
  errorBody,
  FixedWindowLimiter,
  generateToken,
  hashToken,
  SqlPool,
  RateLimitedException,
  withTransaction,
} from '@app/platform';
import { Injectable, UnauthorizedException } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { randomUUID } from 'node:crypto';
import type { PoolClient } from 'pg';
import { MentorConfig } from '../config/mentor.config';
import { UsersService, type UserRow } from '../users/users.service';
import type { SessionUser } from './session-user';

/** Claims of a mentor access token. */
export interface AccessClaims {
  sub: string;
  username: string;
  role: string;
}

export const JWT_ISSUER = 'raqeem-mentor';

/** Tickets for the event stream carry their own audience, so neither token passes as the other. */
export const EVENTS_AUDIENCE = 'raqeem-mentor-events';
export const EVENTS_TICKET_TTL_SECONDS = 60;

interface RefreshRow {
  id: string;
  user_id: string;
  family_id: string;
  expires_at: Date;
  used_at: Date | null;
  revoked_at: Date | null;
}

/**
 * Sign-in and sessions. An access token is a short-lived JWT (ACCESS_TOKEN_TTL); a refresh
 * token is opaque, stored as SHA-256, and rotated on every use. Presenting a refresh token that
 * was already rotated means it leaked (or the client is confused): its whole family is revoked.
 * Sign-in attempts are limited per IP (all attempts) and per username (failures).
 */
@Injectable()
export class AuthService {
  private readonly perIp: FixedWindowLimiter;
  private readonly perUser: FixedWindowLimiter;

  constructor(
    private readonly pool: SqlPool,
    private readonly config: MentorConfig,
    private readonly users: UsersService,
    private readonly jwt: JwtService,
  ) {
    this.perIp = new FixedWindowLimiter(config.LOGIN_MAX_ATTEMPTS_PER_IP, config.LOGIN_RATE_WINDOW);
    this.perUser = new FixedWindowLimiter(
      config.LOGIN_MAX_FAILURES_PER_USER,
      config.LOGIN_RATE_WINDOW,
    );
  }

  async login(username: string, password: string, ip: string): Promise<TokenPairDto> {
    const userKey = username.toLowerCase();
    const wait = Math.max(this.perIp.retryAfterMs(ip), this.perUser.retryAfterMs(userKey));
    if (wait > 0) throw new RateLimitedException(wait / 1000, 'Too many sign-in attempts');
    this.perIp.hit(ip);
    const user = await this.users.findByUsername(userKey);
    const ok = await this.users.hasher.verify(password, user?.password_hash);
    if (!ok || !user) {
      this.perUser.hit(userKey);
      throw new UnauthorizedException(errorBody(401, 'Invalid username or password'));
    }
    this.perUser.reset(userKey);
    return withTransaction(this.pool, (client) => this.issue(client, user, randomUUID()));
  }

  async refresh(refreshToken: string): Promise<TokenPairDto> {
    const outcome = await withTransaction(this.pool, async (client) => {
      const { rows } = await client.query<RefreshRow>(
        'SELECT * FROM refresh_tokens WHERE token_hash = $1 FOR UPDATE',
        [hashToken(refreshToken)],
      );
      const row = rows[0];
      if (!row) return undefined;
      if (row.used_at !== null || row.revoked_at !== null) {
        await client.query(
          'UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL',
          [row.family_id],
        );
        return undefined;
      }
      if (row.expires_at.getTime() <= Date.now()) return undefined;
      const user = await this.users.findById(row.user_id);
      if (!user) return undefined;
      await client.query('UPDATE refresh_tokens SET used_at = now() WHERE id = $1', [row.id]);
      return this.issue(client, user, row.family_id);
    });
    if (!outcome) {
      throw new UnauthorizedException(
        errorBody(401, 'The refresh token is invalid, expired or already used'),
      );
    }
    return outcome;
  }

  /** Revokes one session (the family of `refreshToken`) or, without it, all of the user's. */
  async logout(user: SessionUser, refreshToken?: string): Promise<void> {
    if (refreshToken) {
      await this.pool.query(
        `UPDATE refresh_tokens SET revoked_at = now()
          WHERE revoked_at IS NULL AND user_id = $1
            AND family_id = (SELECT family_id FROM refresh_tokens WHERE token_hash = $2)`,
        [user.id, hashToken(refreshToken)],
      );
      return;
    }
    await this.pool.query(
      'UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL',
      [user.id],
    );
  }

  /** The user behind an access token, or undefined when it is invalid, expired or orphaned. */
  async authenticate(accessToken: string): Promise<SessionUser | undefined> {
    let claims: AccessClaims;
    try {
      claims = await this.jwt.verifyAsync<AccessClaims>(accessToken);
    } catch {
      return undefined;
    }
    // The user is read on every request, so a deleted user or a changed role acts at once.
    const user = await this.users.findById(claims.sub).catch(() => undefined);
    return user ? { id: user.id, username: user.username, role: user.role } : undefined;
  }

  /**
   * A short-lived ticket for `GET /events?ticket=`: a browser's EventSource cannot send an
   * Authorization header, and an access token in a URL would live in proxies' logs for its
   * whole lifetime.
   */
  async issueEventsTicket(user: SessionUser): Promise<string> {
    return this.jwt.signAsync(
      { sub: user.id, username: user.username, role: user.role },
      { audience: EVENTS_AUDIENCE, expiresIn: EVENTS_TICKET_TTL_SECONDS },
    );
  }

  /** The user behind an events ticket, or undefined (expired, forged, or another token kind). */
  async authenticateEventsTicket(ticket: string): Promise<SessionUser | undefined> {
    let claims: AccessClaims;
    try {
      claims = await this.jwt.verifyAsync<AccessClaims>(ticket, { audience: EVENTS_AUDIENCE });
    } catch {
      return undefined;
    }
    const user = await this.users.findById(claims.sub).catch(() => undefined);
    return user ? { id: user.id, username: user.username, role: user.role } : undefined;
  }

  private async issue(client: PoolClient, user: UserRow, familyId: string): Promise<TokenPairDto> {
    const refreshToken = generateToken();
    await client.query(
      `INSERT INTO refresh_tokens (user_id, family_id, token_hash, expires_at)
       VALUES ($1, $2, $3, now() + make_interval(secs => $4))`,
      [user.id, familyId, hashToken(refreshToken), this.config.REFRESH_TOKEN_TTL / 1000],
    );
    const claims: AccessClaims = { sub: user.id, username: user.username, role: user.role };
    return {
      access_token: await this.jwt.signAsync(claims),
      refresh_token: refreshToken,
      token_type: 'Bearer',
      expires_in: Math.floor(this.config.ACCESS_TOKEN_TTL / 1000),
    };
  }
}
