// node tools/freePort.mjs [PREFERRED]: prints a TCP port free on 127.0.0.1: PREFERRED when it is
// free, else one the system picks (port 0). Used by tools/start-code-server.sh and
// test/e2e/run-e2e.sh when PORT is not given, so two runs on one machine do not collide.
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/** Binds `port` on `host` and releases it; resolves to the bound port, or undefined when taken. */
function tryPort(port, host) {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (err) => (err.code === 'EADDRINUSE' || err.code === 'EACCES' ? resolve(undefined) : reject(err)));
    server.listen(port, host, () => {
      const bound = server.address().port;
      server.close(() => resolve(bound));
    });
  });
}

/** A port free on `host`: `preferred` when it is free (and given), else any free one. */
export async function freePort(preferred, host = '127.0.0.1') {
  if (preferred !== undefined) {
    const got = await tryPort(preferred, host);
    if (got !== undefined) return got;
  }
  const any = await tryPort(0, host);
  if (any === undefined) throw new Error(`no free TCP port on ${host}`);
  return any;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = process.argv[2];
  const preferred = arg === undefined || arg === '' ? undefined : Number(arg);
  if (preferred !== undefined && !(Number.isInteger(preferred) && preferred > 0 && preferred < 65536)) {
    console.error(`freePort.mjs: "${arg}" is not a TCP port (1-65535)`);
    process.exit(2);
  }
  freePort(preferred).then(
    (port) => console.log(port),
    (err) => {
      console.error(`freePort.mjs: ${err.message}`);
      process.exit(1);
    },
  );
}
