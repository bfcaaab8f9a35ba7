import { DeliveryModule } from '@app/delivery';
import { Module } from '@nestjs/common';
import { ForwardingController } from './forwarding.controller';
import { ForwardingService } from './forwarding.service';
import { mentorChannel } from './mentor-channel';

@Module({
  imports: [DeliveryModule.forChannel(mentorChannel)],
  controllers: [ForwardingController],
  providers: [ForwardingService],
  exports: [ForwardingService],
})
export class ForwardingModule {}
