import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';

/** Flips when shutdown begins, so readiness fails first and load balancers stop sending work. */
@Injectable()
export class ShutdownState implements BeforeApplicationShutdown {
  private stopping = false;

  get isShuttingDown(): boolean {
    return this.stopping;
  }

  markShuttingDown(): void {
    this.stopping = true;
  }

  beforeApplicationShutdown(): void {
    this.stopping = true;
  }
}
