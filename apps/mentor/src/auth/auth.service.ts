import type { TokenPairDto } from '@app/contracts';
import {
  errorBody,
  FixedWindowLimiter,
  generateToken,
  hashToken,
  RateLimitedException,
} from '@app/platform';
import { Injectable, UnauthorizedException } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { IsNull, type EntityManager, type Repository } from 'typeorm';
import { MentorConfig } from '../config/mentor.config';
import type { UserEntity } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { RefreshTokenEntity } from './refresh-token.entity';
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
    @InjectRepository(RefreshTokenEntity)
    private readonly sessions: Repository<RefreshTokenEntity>,
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
    return this.issue(this.sessions.manager, user, randomUUID());
  }

  async refresh(refreshToken: string): Promise<TokenPairDto> {
    const outcome = await this.sessions.manager.transaction(async (manager) => {
      const sessions = manager.getRepository(RefreshTokenEntity);
      const row = await sessions.findOne({
        where: { token_hash: hashToken(refreshToken) },
        lock: { mode: 'pessimistic_write' },
      });
      if (!row) return undefined;
      if (row.used_at !== null || row.revoked_at !== null) {
        await sessions.update(
          { family_id: row.family_id, revoked_at: IsNull() },
          { revoked_at: () => 'now()' },
        );
        return undefined;
      }
      if (row.expires_at.getTime() <= Date.now()) return undefined;
      const user = await this.users.findById(row.user_id);
      if (!user) return undefined;
      await sessions.update({ id: row.id }, { used_at: () => 'now()' });
      return this.issue(manager, user, row.family_id);
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
      const session = await this.sessions.findOne({
        select: { family_id: true },
        where: { token_hash: hashToken(refreshToken), user_id: user.id },
      });
      if (!session) return;
      await this.sessions.update(
        { user_id: user.id, family_id: session.family_id, revoked_at: IsNull() },
        { revoked_at: () => 'now()' },
      );
      return;
    }
    await this.sessions.update(
      { user_id: user.id, revoked_at: IsNull() },
      { revoked_at: () => 'now()' },
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

  private async issue(
    manager: EntityManager,
    user: UserEntity,
    familyId: string,
  ): Promise<TokenPairDto> {
    const refreshToken = generateToken();
    await manager.insert(RefreshTokenEntity, {
      user_id: user.id,
      family_id: familyId,
      token_hash: hashToken(refreshToken),
      expires_at: new Date(Date.now() + this.config.REFRESH_TOKEN_TTL),
    });
    const claims: AccessClaims = { sub: user.id, username: user.username, role: user.role };
    return {
      access_token: await this.jwt.signAsync(claims),
      refresh_token: refreshToken,
      token_type: 'Bearer',
      expires_in: Math.floor(this.config.ACCESS_TOKEN_TTL / 1000),
    };
  }
}
