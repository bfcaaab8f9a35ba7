import { Module } from '@nestjs/common';
import { createSecretKey } from 'node:crypto';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MentorConfig } from '../config/mentor.config';
import { UsersModule } from '../users/users.module';
import { AuthController } from './auth.controller';
import { AuthService, JWT_ISSUER } from './auth.service';
import { RefreshTokenEntity } from './refresh-token.entity';
import { SessionGuard } from './session.guard';

/** Sign-in, sessions, and the global guard that requires them. */
@Module({
  imports: [
    UsersModule,
    TypeOrmModule.forFeature([RefreshTokenEntity]),
    JwtModule.registerAsync({
      inject: [MentorConfig],
      useFactory: (config: MentorConfig) => {
        // main.ts resolves JWT_SECRET (given or generated) before the app is built.
        if (!config.JWT_SECRET) throw new Error('JWT_SECRET is not set');
        const key = createSecretKey(Buffer.from(config.JWT_SECRET));
        return {
          // A key object made once: given a string, jsonwebtoken first tries (and fails) to parse
          // it as a PEM public key on every verify, a measurable share of each request's CPU.
          secretOrKeyProvider: () => key,
          signOptions: {
            algorithm: 'HS256',
            expiresIn: Math.floor(config.ACCESS_TOKEN_TTL / 1000),
            issuer: JWT_ISSUER,
            audience: JWT_ISSUER,
          },
          verifyOptions: { algorithms: ['HS256'], issuer: JWT_ISSUER, audience: JWT_ISSUER },
        };
      },
    }),
  ],
  controllers: [AuthController],
  providers: [AuthService, { provide: APP_GUARD, useClass: SessionGuard }],
  exports: [AuthService],
})
export class AuthModule {}
