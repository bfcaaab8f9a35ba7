import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { EventBus } from './event-bus.service';
import { EventsController } from './events.controller';

@Module({
  imports: [AuthModule],
  controllers: [EventsController],
  providers: [EventBus],
  exports: [EventBus],
})
export class EventsModule {}
