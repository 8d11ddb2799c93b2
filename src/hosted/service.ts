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
  SignInThrottleApi,
  TenantApi,
} from './api.ts';
import { AdminService, OperatorService, TenantService } from './accounts.ts';
import { ActivityService } from './activity.ts';
import { AgentService } from './agents.ts';
import type { HostedContext } from './context.ts';
import { DirectoryService } from './directory.ts';
import { DomainService } from './domains.ts';
import { LeaseService } from './lease.ts';
import { LinkService } from './links.ts';
import { MailboxService } from './mailboxes.ts';
import { PasswordService } from './passwords.ts';
import { PolicyService } from './policies.ts';
import { RemovalService } from './removals.ts';
import { RunService } from './runs.ts';
import { ScimTokenService } from './scim-tokens.ts';
import { SessionService } from './sessions.ts';
import { SignInThrottleService } from './sign-in-throttle.ts';
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
  readonly signInThrottle: SignInThrottleApi;

  constructor(options: HostedServiceOptions) {
    const context: HostedContext = {
      store: options.store,
      clock: options.clock ?? systemClock,
      log: componentLogger(options.logger ?? createLogger(), 'hosted'),
      hasher: options.hasher ?? argon2idHasher(),
    };
    this.operators = new OperatorService(context);
    this.tenants = new TenantService(context);
    this.admins = new AdminService(context);
    this.sessions = new SessionService(context);
    this.domains = new DomainService(context);
    this.mailboxes = new MailboxService(context);
    this.directory = new DirectoryService(context);
    this.links = new LinkService(context);
    this.agents = new AgentService(context);
    this.lease = new LeaseService(context);
    this.runs = new RunService(context);
    this.removals = new RemovalService(context);
    this.policies = new PolicyService(context);
    this.passwords = new PasswordService(context);
    this.activity = new ActivityService(context);
    this.scimTokens = new ScimTokenService(context);
    this.signInThrottle = new SignInThrottleService(context);
  }
}
