import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/roles.decorator';
import { SyncResult, SyncService } from './sync.service';

/** Reconciliation by pull, on demand and its status (the reference's `/sync` pair). */
@ApiTags('sync')
@Controller('sync')
export class SyncController {
  constructor(private readonly syncService: SyncService) {}

  @Post()
  @Roles('admin')
  @HttpCode(200)
  async sync(): Promise<SyncResult> {
    return this.syncService.sync();
  }

  @Get('status')
  async status(): Promise<Record<string, unknown>> {
    return this.syncService.status();
  }
}
