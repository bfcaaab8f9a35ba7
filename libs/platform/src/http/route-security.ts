import type { CanActivate, INestApplication, Type } from '@nestjs/common';
import { GUARDS_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, ModulesContainer, Reflector } from '@nestjs/core';
import { ApiSecurity } from '@nestjs/swagger';

/** The handler and its controller, in the order Nest's Reflector reads them. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- Reflector's own type
export type RouteTargets = [handler: Function, controller: Type];

/** Security scheme names (as in the document's components) any one of which lets a request in. */
export type SchemeAlternatives = readonly string[];

/**
 * How a service's routes are protected, told to /docs by the rules its guards follow, so the
 * document cannot drift from them: each route's security is computed from the metadata the
 * guards themselves read (`@UseGuards`, `@Public()`, `@ServiceAuth()`...).
 */
export interface RouteSecurityRules {
  /** Route guards (`@UseGuards`) and the schemes each accepts; other guards are not credentials. */
  guards?: ReadonlyArray<readonly [guard: Type<CanActivate>, schemes: SchemeAlternatives]>;
  /** What the app-wide guard asks of this route: its schemes, or none when it lets it through. */
  global?: (reflector: Reflector, targets: RouteTargets) => SchemeAlternatives;
}

/** Every pick of one alternative per guard: all guards must pass, each through one of its schemes. */
function requirements(sources: SchemeAlternatives[]): Record<string, string[]>[] {
  let result: Record<string, string[]>[] = [{}];
  for (const alternatives of sources) {
    result = result.flatMap((requirement) =>
      alternatives.map((scheme) => ({ ...requirement, [scheme]: [] })),
    );
  }
  return sources.length === 0 ? [] : result;
}

/** The security requirements of one route (empty: it needs no credential). */
export function routeSecurity(
  rules: RouteSecurityRules,
  reflector: Reflector,
  targets: RouteTargets,
): Record<string, string[]>[] {
  const sources: SchemeAlternatives[] = [];
  const global = rules.global?.(reflector, targets) ?? [];
  if (global.length > 0) sources.push(global);
  const guards = reflector.getAllAndMerge<unknown[]>(GUARDS_METADATA, targets);
  for (const [guard, schemes] of rules.guards ?? []) {
    if (Array.isArray(guards) && guards.includes(guard)) sources.push(schemes);
  }
  return requirements(sources);
}

// Handlers already given their security (a controller shared by two apps in one process).
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- route handlers
const applied = new WeakSet<Function>();

/**
 * Puts each route's security requirements on its handler where Swagger reads them. Runs once,
 * before the document is built; controllers carry no hand-written security decorators.
 */
export function applyRouteSecurity(app: INestApplication, rules: RouteSecurityRules): void {
  const reflector = app.get(Reflector);
  const scanner = new MetadataScanner();
  const controllers = new DiscoveryService(app.get(ModulesContainer)).getControllers();
  for (const { metatype } of controllers) {
    if (typeof metatype !== 'function') continue;
    const controller = metatype as Type;
    const prototype = controller.prototype as Record<string, unknown>;
    for (const name of scanner.getAllMethodNames(prototype)) {
      // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- a route handler
      const handler = prototype[name] as Function;
      if (Reflect.getMetadata(PATH_METADATA, handler) === undefined || applied.has(handler)) {
        continue;
      }
      const descriptor = Object.getOwnPropertyDescriptor(prototype, name);
      if (!descriptor) continue;
      applied.add(handler);
      for (const requirement of routeSecurity(rules, reflector, [handler, controller])) {
        ApiSecurity(requirement)(prototype, name, descriptor);
      }
    }
  }
}
