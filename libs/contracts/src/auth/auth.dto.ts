import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';

export const USER_ROLES = ['admin', 'viewer'] as const;
export type UserRole = (typeof USER_ROLES)[number];

/** A mentor username: 1-64 characters of letters, digits and `._-`, compared case-insensitively. */
export const USERNAME_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

/** bcrypt reads at most 72 bytes of a password; longer ones are refused at creation. */
export const MAX_PASSWORD_BYTES = 72;
export const MIN_PASSWORD_LENGTH = 12;

export class LoginDto {
  @ApiProperty({ example: 'admin' })
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  username: string;

  @ApiProperty({ format: 'password' })
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  password: string;
}

export class RefreshDto {
  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  refresh_token: string;
}

export class LogoutDto {
  @ApiPropertyOptional({ description: 'sign out this session only; without it, every session' })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  refresh_token?: string;
}

export class TokenPairDto {
  @ApiProperty()
  access_token: string;

  @ApiProperty()
  refresh_token: string;

  @ApiProperty({ example: 'Bearer' })
  token_type: 'Bearer';

  @ApiProperty({ description: 'seconds until the access token expires', example: 900 })
  expires_in: number;
}

export class CreateUserDto {
  @ApiProperty({ example: 'mentor.ada', pattern: USERNAME_PATTERN.source })
  @IsString()
  @Matches(USERNAME_PATTERN, { message: 'username must be 1-64 characters of A-Z a-z 0-9 . _ -' })
  username: string;

  @ApiProperty({ format: 'password', minLength: MIN_PASSWORD_LENGTH })
  @IsString()
  @MinLength(MIN_PASSWORD_LENGTH)
  @MaxLength(MAX_PASSWORD_BYTES)
  password: string;

  @ApiProperty({ enum: USER_ROLES })
  @IsIn(USER_ROLES)
  role: UserRole;
}

/** A change to a user: their role (an admin's action). */
export class UpdateUserDto {
  @ApiProperty({ enum: USER_ROLES })
  @IsIn(USER_ROLES)
  role: UserRole;
}

export class UserDto {
  @ApiProperty()
  username: string;

  @ApiProperty({ enum: USER_ROLES })
  role: UserRole;

  @ApiProperty()
  created_at: Date;
}
