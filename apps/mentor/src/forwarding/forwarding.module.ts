import { OutboundHttpModule } from '@app/delivery';
import { Module } from '@nestjs/common';
import { MentorConfig } from '../config/mentor.config';
import { DevicesForwardingClient } from './devices-forwarding.client';
import { ForwardingController } from './forwarding.controller';

@Module({
  imports: [
    OutboundHttpModule.registerAsync({
      inject: [MentorConfig],
      timeoutMs: (config: MentorConfig) => config.DEVICES_REQUEST_TIMEOUT,
    }),
  ],
  controllers: [ForwardingController],
  providers: [DevicesForwardingClient],
})
export class ForwardingModule {}
