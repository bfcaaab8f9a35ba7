import { createHmac } from 'node:crypto';
import { request } from './http-client';

export interface TokenPair {
  access_token: string;
  refresh_token: string;
  token_type: string;
  expires_in: number;
}

/** Signs in at a mentor and returns the token pair; throws unless the answer is 200. */
export async function login(
  mentorUrl: string,
  username: string,
  password: string,
): Promise<TokenPair> {
  const response = await request<TokenPair>('POST', `${mentorUrl}/auth/login`, {
    body: { username, password },
  });
  if (response.status !== 200) {
    throw new Error(
      `login as ${username} answered ${response.status}: ${JSON.stringify(response.body)}`,
    );
  }
  return response.body;
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** An HS256 JWT built by hand, to present tokens the mentor never issued (expired, forged). */
export function forgeJwt(
  claims: Record<string, unknown>,
  secret: string,
  header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' },
): string {
  const encode = (value: unknown): string =>
    Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${encode(header)}.${encode(claims)}`;
  const signature = createHmac('sha256', secret).update(unsigned).digest('base64url');
  return `${unsigned}.${header.alg === 'none' ? '' : signature}`;
}
