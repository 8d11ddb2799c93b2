import { Agent, request } from 'node:https';
import type { Clock } from '../../../src/core/clock.ts';
import { agentTimeHeader } from '../../../src/protocol/agent-api.ts';

export interface HttpResult {
  status: number;
  /** Parsed JSON; undefined for an empty body. */
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
}

export interface AgentRequest {
  method?: 'GET' | 'POST';
  path: string;
  body?: unknown;
  /** Raw body text, sent as is instead of `body`. */
  rawBody?: string;
  contentType?: string;
  credential?: string;
  /** Overrides the X-UserPilot-Agent-Time header; null leaves it out. */
  agentTime?: string | null;
}

/**
 * A plain HTTPS JSON client for the agent API that returns every response as a value, so tests
 * can assert on statuses and error bodies. It trusts only the given CA (the test certificate).
 */
export class AgentHttp {
  private readonly agent: Agent;

  constructor(
    readonly baseUrl: string,
    ca: string,
    private readonly clock: Clock,
  ) {
    this.agent = new Agent({ ca, keepAlive: true, maxSockets: 4 });
  }

  send(input: AgentRequest): Promise<HttpResult> {
    const url = new URL(input.path, this.baseUrl);
    const payload =
      input.rawBody ?? (input.body === undefined ? undefined : JSON.stringify(input.body));
    const headers: Record<string, string> = {};
    const agentTime =
      input.agentTime === undefined ? this.clock.now().toISOString() : input.agentTime;
    if (agentTime !== null) headers[agentTimeHeader] = agentTime;
    if (input.credential !== undefined) headers.authorization = `Bearer ${input.credential}`;
    if (payload !== undefined) {
      headers['content-type'] = input.contentType ?? 'application/json';
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    return new Promise((resolve, reject) => {
      const outgoing = request(url, { method: input.method ?? 'POST', headers, agent: this.agent });
      outgoing.on('response', (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: response.statusCode ?? 0,
            body: text === '' ? undefined : (JSON.parse(text) as unknown),
            headers: response.headers,
          });
        });
        response.on('error', reject);
      });
      outgoing.on('error', reject);
      outgoing.end(payload);
    });
  }

  /** Sends and expects 200, returning the body typed as T. */
  async ok<T>(input: AgentRequest): Promise<T> {
    const result = await this.send(input);
    if (result.status !== 200) {
      throw new Error(`${input.path} returned ${result.status}: ${JSON.stringify(result.body)}`);
    }
    return result.body as T;
  }

  close(): void {
    this.agent.destroy();
  }
}

/** The error body's code and details of a failed response. */
export function errorOf(result: HttpResult): {
  code: string;
  message: string;
  details: Record<string, unknown>;
} {
  const body = result.body as {
    error?: { code: string; message: string; details?: Record<string, unknown> };
  };
  if (body.error === undefined) throw new Error(`not an error body: ${JSON.stringify(body)}`);
  return { code: body.error.code, message: body.error.message, details: body.error.details ?? {} };
}
