import 'reflect-metadata';
import { type CanActivate, Controller, Get, Injectable, UseGuards } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import assert from 'node:assert/strict';
import { Public } from '../security/auth.decorators';
import { routeSecurity, type RouteSecurityRules, type RouteTargets } from './route-security';

@Injectable()
class KeyGuard implements CanActivate {
  canActivate(): boolean {
    return true;
  }
}

@Injectable()
class TicketGuard implements CanActivate {
  canActivate(): boolean {
    return true;
  }
}

@Injectable()
class ThrottleGuard implements CanActivate {
  canActivate(): boolean {
    return true;
  }
}

@UseGuards(KeyGuard)
@Controller('keyed')
class KeyedController {
  @Get()
  list(): void {}

  @UseGuards(TicketGuard)
  @Get('both')
  both(): void {}
}

@Controller('open')
class OpenController {
  @Get()
  @UseGuards(ThrottleGuard)
  plain(): void {}

  @Public()
  @Get('public')
  open(): void {}
}

const reflector = new Reflector();
const targets = (controller: { prototype: object }, method: string): RouteTargets => [
  (controller.prototype as Record<string, () => void>)[method],
  controller as RouteTargets[1],
];

const rules: RouteSecurityRules = {
  guards: [
    [KeyGuard, ['key']],
    [TicketGuard, ['session', 'ticket']],
  ],
};

describe('routeSecurity', () => {
  it("names the scheme of the guard on the route's controller", () => {
    assert.deepEqual(routeSecurity(rules, reflector, targets(KeyedController, 'list')), [
      { key: [] },
    ]);
  });

  it('asks for every guard, each through one of its schemes', () => {
    assert.deepEqual(routeSecurity(rules, reflector, targets(KeyedController, 'both')), [
      { key: [], session: [] },
      { key: [], ticket: [] },
    ]);
  });

  it('names nothing for a route behind no credential guard', () => {
    assert.deepEqual(routeSecurity(rules, reflector, targets(OpenController, 'plain')), []);
  });

  it("follows the global guard's own rule, read from the route's metadata", () => {
    const global: RouteSecurityRules = {
      ...rules,
      global: (r, t) => (r.getAllAndOverride<boolean>('raqeem:public', t) ? [] : ['session']),
    };
    assert.deepEqual(routeSecurity(global, reflector, targets(OpenController, 'plain')), [
      { session: [] },
    ]);
    assert.deepEqual(routeSecurity(global, reflector, targets(OpenController, 'open')), []);
  });
});
