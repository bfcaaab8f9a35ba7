import { CreateUserDto, UpdateUserDto, USERNAME_PATTERN, UserDto } from '@app/contracts';
import { errorBody } from '@app/platform';
import {
  BadRequestException,
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
} from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/roles.decorator';
import type { UserEntity } from './user.entity';
import { UsersService } from './users.service';

function view(row: UserEntity): UserDto {
  return { username: row.username, role: row.role, created_at: row.created_at };
}

/** User management, for admins only. */
@ApiTags('users')
@Roles('admin')
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  async list(): Promise<UserDto[]> {
    return (await this.users.list()).map(view);
  }

  @Post()
  @HttpCode(201)
  async create(@Body() dto: CreateUserDto): Promise<UserDto> {
    return view(await this.users.create(dto.username, dto.password, dto.role));
  }

  /** Changes a user's role; the last admin cannot be made a viewer (409). */
  @Patch(':username')
  async update(@Param('username') username: string, @Body() dto: UpdateUserDto): Promise<UserDto> {
    return view(await this.users.setRole(checkedUsername(username), dto.role));
  }

  @Delete(':username')
  @HttpCode(204)
  async delete(@Param('username') username: string): Promise<void> {
    await this.users.delete(checkedUsername(username));
  }
}

function checkedUsername(username: string): string {
  if (!USERNAME_PATTERN.test(username)) {
    throw new BadRequestException(
      errorBody(400, 'username must be 1-64 characters of A-Z a-z 0-9 . _ -'),
    );
  }
  return username;
}
