/** The hosted domain logic: the entry points other parts import. */
export * from './api.ts';
export * from './types.ts';
export { HostedService, type HostedServiceOptions } from './service.ts';
export { argon2idHasher, type PasswordHasher } from './secrets.ts';
export { keyOf } from './keys.ts';
