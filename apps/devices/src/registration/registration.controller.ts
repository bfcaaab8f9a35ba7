import { RegisterDeviceDto } from '@app/contracts';
import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { DeviceRow } from './device-row';
import { RegistrationService } from './registration.service';

@ApiTags('devices')
@Controller('api/v1/devices')
export class RegistrationController {
  constructor(private readonly registration: RegistrationService) {}

  /** Upserts the device; forwarded to the mentor through the outbox. */
  @Post('register')
  @HttpCode(201)
  async register(
    @Body() dto: RegisterDeviceDto,
    @Req() request: FastifyRequest,
  ): Promise<DeviceRow> {
    return this.registration.register(dto, request.id);
  }
}
