import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { MentorConfig } from '../config/mentor.config';
import { UsersController } from '../users/users.controller';
import { UsersService } from '../users/users.service';
import { AuthController } from './auth.controller';
import { AuthService, JWT_ISSUER } from './auth.service';
import { SessionGuard } from './session.guard';

/** Mentor users, sign-in, sessions, and the global guard that requires them. */
@Module({
  imports: [
    JwtModule.registerAsync({
      inject: [MentorConfig],
      useFactory: (config: MentorConfig) => ({
        secret: config.JWT_SECRET,
        signOptions: {
          algorithm: 'HS256',
          expiresIn: Math.floor(config.ACCESS_TOKEN_TTL / 1000),
          issuer: JWT_ISSUER,
          audience: JWT_ISSUER,
        },
        verifyOptions: { algorithms: ['HS256'], issuer: JWT_ISSUER, audience: JWT_ISSUER },
      }),
    }),
  ],
  controllers: [AuthController, UsersController],
  providers: [AuthService, UsersService, { provide: APP_GUARD, useClass: SessionGuard }],
  exports: [AuthService],
})
export class AuthModule {}
