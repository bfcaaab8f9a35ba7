import { DeliveryModule } from '@app/delivery';
import { Module } from '@nestjs/common';
import { ForwardingController } from './forwarding.controller';
import { ForwardingService } from './forwarding.service';
import { InternalForwardingController } from './internal-forwarding.controller';
import { mentorChannel } from './mentor-channel';

@Module({
  imports: [DeliveryModule.forChannel(mentorChannel)],
  controllers: [ForwardingController, InternalForwardingController],
  providers: [ForwardingService],
  exports: [ForwardingService],
})
export class ForwardingModule {}
