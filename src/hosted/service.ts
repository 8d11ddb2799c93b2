/**
 * The hosted service: the domain rules over one store. Construct one per process (or several
 * over one PostgreSQL database); it keeps no state between calls.
 */
import { systemClock, type Clock } from '../core/clock.ts';
import { componentLogger, createLogger, type Logger } from '../core/log.ts';
import type { Store } from '../store/store.ts';
import type {
  ActivityApi,
  AdminApi,
  AgentApi,
  DirectoryApi,
  DomainApi,
  LeaseApi,
  LinkApi,
  MailboxApi,
  OperatorApi,
  PasswordApi,
  PolicyApi,
  RemovalApi,
  RunApi,
  ScimTokenApi,
  SessionApi,
  TenantApi,
} from './api.ts';
import type { HostedContext } from './context.ts';
import { argon2idHasher, type PasswordHasher } from './secrets.ts';

export interface HostedServiceOptions {
  store: Store;
  clock?: Clock;
  logger?: Logger;
  /** argon2id at the library's defaults unless given. */
  hasher?: PasswordHasher;
}

export class HostedService {
  readonly operators: OperatorApi;
  readonly tenants: TenantApi;
  readonly admins: AdminApi;
  readonly sessions: SessionApi;
  readonly domains: DomainApi;
  readonly mailboxes: MailboxApi;
  readonly directory: DirectoryApi;
  readonly links: LinkApi;
  readonly agents: AgentApi;
  readonly lease: LeaseApi;
  readonly runs: RunApi;
  readonly removals: RemovalApi;
  readonly policies: PolicyApi;
  readonly passwords: PasswordApi;
  readonly activity: ActivityApi;
  readonly scimTokens: ScimTokenApi;

  constructor(options: HostedServiceOptions) {
    const context: HostedContext = {
      store: options.store,
      clock: options.clock ?? systemClock,
      log: componentLogger(options.logger ?? createLogger(), 'hosted'),
      hasher: options.hasher ?? argon2idHasher(),
    };
    this.operators = pending<OperatorApi>('operators', context);
    this.tenants = pending<TenantApi>('tenants', context);
    this.admins = pending<AdminApi>('admins', context);
    this.sessions = pending<SessionApi>('sessions', context);
    this.domains = pending<DomainApi>('domains', context);
    this.mailboxes = pending<MailboxApi>('mailboxes', context);
    this.directory = pending<DirectoryApi>('directory', context);
    this.links = pending<LinkApi>('links', context);
    this.agents = pending<AgentApi>('agents', context);
    this.lease = pending<LeaseApi>('lease', context);
    this.runs = pending<RunApi>('runs', context);
    this.removals = pending<RemovalApi>('removals', context);
    this.policies = pending<PolicyApi>('policies', context);
    this.passwords = pending<PasswordApi>('passwords', context);
    this.activity = pending<ActivityApi>('activity', context);
    this.scimTokens = pending<ScimTokenApi>('scimTokens', context);
  }
}

// TODO: each property is replaced by its implementation as it lands; until then a call throws.
function pending<T extends object>(name: string, context: HostedContext): T {
  void context;
  return new Proxy({} as T, {
    get: (_target, method) => () =>
      Promise.reject(new Error(`${name}.${String(method)} is not implemented yet`)),
  });
}
