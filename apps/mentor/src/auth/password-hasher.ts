import bcrypt from 'bcryptjs';

/**
 * Password hashes are bcrypt (bcryptjs: pure JavaScript, no native build; its async form
 * yields to the event loop while it works).
 */
export class PasswordHasher {
  /** Verified against when the username is unknown, so both answers take the same time. */
  private readonly dummy: string;

  constructor(private readonly rounds: number) {
    this.dummy = bcrypt.hashSync('raqeem-dummy-password', rounds);
  }

  hash(password: string): Promise<string> {
    return bcrypt.hash(password, this.rounds);
  }

  /** Compares with `hash`, or with a dummy hash when there is none (unknown user). */
  async verify(password: string, hash: string | undefined): Promise<boolean> {
    const ok = await bcrypt.compare(password, hash ?? this.dummy);
    return ok && hash !== undefined;
  }
}
