import { RegisterDeviceDto } from '@app/contracts';
import { Body, Controller, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { EnrollmentSecretGuard, type EnrollmentState } from '../auth/enrollment-secret.guard';
import type { DeviceEntity } from './device.entity';
import { RegistrationService } from './registration.service';

@ApiTags('devices')
@Controller('api/v1/devices')
export class RegistrationController {
  constructor(private readonly registration: RegistrationService) {}

  /**
   * Upserts the device (forwarded to the mentor through the outbox). With the enrollment
   * secret the answer carries a fresh `device_token`; the device's previous token stops working.
   */
  @Post('register')
  @HttpCode(201)
  @UseGuards(EnrollmentSecretGuard)
  async register(
    @Body() dto: RegisterDeviceDto,
    @Req() request: FastifyRequest & EnrollmentState,
  ): Promise<DeviceEntity & { device_token?: string }> {
    return this.registration.register(dto, request.id, request.enrolled === true);
  }
}
