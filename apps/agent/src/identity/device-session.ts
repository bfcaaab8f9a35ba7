import type { AgentLogger } from '../log/agent-logger';
import type { DeviceInfo, DevicesClient } from '../transport/devices-client';
import { SendError } from '../transport/send-error';
import type { TokenStore } from './token-file';

/**
 * One device's credentials: the token from its store, or a fresh one from enrolling with the
 * secret. A refused token is replaced once however many requests saw it refused.
 */
export class DeviceSession {
  private current?: string;
  private enrolling?: Promise<string>;
  enrolments = 0;

  constructor(
    readonly deviceid: string,
    private readonly info: () => DeviceInfo,
    private readonly client: DevicesClient,
    private readonly secret: string | undefined,
    private readonly store: TokenStore,
    private readonly logger: AgentLogger,
  ) {
    this.current = store.load();
  }

  get hasToken(): boolean {
    return this.current !== undefined;
  }

  /** The token to send with, enrolling first when there is none. */
  async token(): Promise<string> {
    return this.current ?? this.enrol('no device token yet');
  }

  /**
   * The server refused `refused`: enrol again, unless another request already replaced it.
   * Registering again also brings a device the server forgot back (a 404).
   */
  async replace(refused: string | undefined, reason: string): Promise<string> {
    if (this.current !== undefined && this.current !== refused) return this.current;
    return this.enrol(reason);
  }

  private enrol(reason: string): Promise<string> {
    this.enrolling ??= this.doEnrol(reason).finally(() => (this.enrolling = undefined));
    return this.enrolling;
  }

  private async doEnrol(reason: string): Promise<string> {
    if (!this.secret) {
      throw new SendError(
        'retry',
        `cannot enrol ${this.deviceid} (${reason}): no enrollment secret (--enroll or RAQEEM_ENROLLMENT_SECRET)`,
      );
    }
    let token: string;
    try {
      token = await this.client.register(this.info(), this.secret);
    } catch (error) {
      // A refused enrolment is waited out like an outage, never answered by enrolling again.
      const send = error as SendError;
      throw new SendError('retry', `enrolling ${this.deviceid}: ${send.message}`, send.status);
    }
    this.store.save(token);
    this.current = token;
    this.enrolments += 1;
    this.logger.info('enrolled', { deviceid: this.deviceid, reason });
    return token;
  }
}
