// Entry point of a lab relay process: `node --import tsx relay-main.ts LISTEN=TARGET ...`.
// The lab starts one inside its network namespace (Unix sockets in the lab folder to Samba on
// 127.0.0.1) and one outside (127.0.0.1 ports to those sockets). It prints `relay ready` once
// every route listens, and exits on SIGTERM.
import { parseRoute, startRelay, formatEndpoint } from './relay.ts';

const routes = process.argv.slice(2).map(parseRoute);

try {
  const servers = await startRelay(routes);
  const summary = routes.map((r) => `${formatEndpoint(r.listen)}=${formatEndpoint(r.target)}`);
  process.stdout.write(`relay ready pid=${process.pid} ${summary.join(' ')}\n`);
  const stop = () => {
    for (const server of servers) server.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} catch (error) {
  const code = (error as NodeJS.ErrnoException).code ?? 'ERROR';
  process.stdout.write(`relay failed pid=${process.pid} code=${code} ${String(error)}\n`);
  process.exit(code === 'EADDRINUSE' ? 3 : 1);
}
