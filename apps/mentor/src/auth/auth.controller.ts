import { LoginDto, LogoutDto, RefreshDto, TokenPairDto } from '@app/contracts';
import { Public } from '@app/platform';
import { Body, Controller, Get, HttpCode, Post, Req } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { AuthService } from './auth.service';
import { CurrentUser, type SessionUser } from './session-user';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  /** Username and password for an access token (JWT) and a refresh token. */
  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOkResponse({ type: TokenPairDto })
  async login(@Body() dto: LoginDto, @Req() request: FastifyRequest): Promise<TokenPairDto> {
    return this.auth.login(dto.username, dto.password, request.ip);
  }

  /** A refresh token for a new pair; the presented refresh token stops working. */
  @Public()
  @Post('refresh')
  @HttpCode(200)
  @ApiOkResponse({ type: TokenPairDto })
  async refresh(@Body() dto: RefreshDto): Promise<TokenPairDto> {
    return this.auth.refresh(dto.refresh_token);
  }

  /** Ends this session (with its refresh token) or every session of the user. */
  @Post('logout')
  @HttpCode(204)
  async logout(@Body() dto: LogoutDto, @CurrentUser() user: SessionUser): Promise<void> {
    await this.auth.logout(user, dto.refresh_token);
  }

  @Get('me')
  me(@CurrentUser() user: SessionUser): { username: string; role: string } {
    return { username: user.username, role: user.role };
  }
}
