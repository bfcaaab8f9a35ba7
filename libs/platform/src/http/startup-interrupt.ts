/** SIGTERM or SIGINT arrived while the service was still starting. */
export class StartupInterrupted extends Error {
  constructor(readonly signal: NodeJS.Signals) {
    super(`${signal} received during start-up; stopped`);
  }
}

/**
 * Holds SIGTERM/SIGINT while a service starts (until its graceful shutdown handler takes over),
 * so a stop asked for during start-up ends in an orderly way: Node's default would end the
 * process at once and leave an embedded database it had already started running.
 */
export class StartupInterrupt {
  private signal?: NodeJS.Signals;
  private readonly onSignal = (signal: NodeJS.Signals): void => {
    this.signal ??= signal;
  };

  constructor() {
    process.on('SIGTERM', this.onSignal);
    process.on('SIGINT', this.onSignal);
  }

  /** Throws StartupInterrupted if a stop was asked for since start-up began. */
  check(): void {
    if (this.signal) throw new StartupInterrupted(this.signal);
  }

  /** The service's own shutdown handler is in place: signals are its from now on. */
  release(): void {
    this.check();
    process.off('SIGTERM', this.onSignal);
    process.off('SIGINT', this.onSignal);
  }
}
