/**
 * The state the panel's routes share: the hosted service, the clock, the logger and the facts
 * the Instructions page shows. It is set once when the plugin is registered.
 */
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/log.ts';
import type { HostedService } from '../../hosted/index.ts';
import type { SignInThrottleStore } from './throttle-store.ts';

export interface PanelOptions {
  service: HostedService;
  clock: Clock;
  logger: Logger;
  /** The public base URL agents and SCIM clients use, without a trailing slash. Taken from the
   * request's Host header when unset. */
  serviceUrl?: string;
  /** SHA-256 fingerprint of the service certificate; read from the TLS socket when unset. */
  certificateFingerprint?: string | undefined;
  /** The store of failed sign-in counts; the in-memory store when unset. */
  throttleStore?: SignInThrottleStore;
  /** Session lifetime in milliseconds; default 8 hours. */
  sessionTtlMs?: number;
}

export interface PanelContext {
  service: HostedService;
  clock: Clock;
  log: Logger;
  serviceUrl: string | undefined;
  certificateFingerprint: string | undefined;
  throttle: SignInThrottleStore;
  sessionTtlMs: number;
}
