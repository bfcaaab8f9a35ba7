import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { MentorConfig } from '../config/mentor.config';

/** What a command may start with, so a client offers what this Mentor will accept. */
@ApiTags('commands')
@Controller('commands')
export class CommandAllowlistController {
  constructor(private readonly config: MentorConfig) {}

  /** The first words of COMMAND_ALLOWLIST, in their configured order. */
  @Get('allowed')
  allowed(): { commands: string[] } {
    return { commands: [...this.config.COMMAND_ALLOWLIST] };
  }
}
