import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { freePort } from './redis-server.js';
import { serviceAvailable } from './services.js';
import { tempDir } from './temp-dirs.js';

const NGINX = '/usr/sbin/nginx';

export const nginxAvailable = (): boolean => serviceAvailable('nginx', fs.existsSync(NGINX) && spawnSync(NGINX, ['-v'], { stdio: 'ignore' }).status === 0);

/** One `location` of the proxy: where it listens, and the nginx lines that pass to Helpr. */
export interface ProxyVariant {
  name: string;
  /** The `location` block's body, `UPSTREAM` standing for http://127.0.0.1:<helpr's port>. */
  location: string;
}

/**
 * A real nginx on 127.0.0.1 (its own prefix directory, no daemon, no root files touched), one
 * server per variant on a free port, in front of Helpr at `upstream`. Answers each variant's URL.
 */
export async function startNginx(upstream: string, variants: ProxyVariant[]): Promise<{ urls: Record<string, string>; stop(): Promise<void> }> {
  const dir = tempDir('helpr-nginx-');
  const ports = await Promise.all(variants.map(() => freePort()));
  const servers = variants.map((variant, i) => `  server {\n    listen 127.0.0.1:${ports[i]};\n    ${variant.location.replaceAll('UPSTREAM', upstream)}\n  }`).join('\n');
  const conf = `daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
${servers}
}
`;
  fs.writeFileSync(path.join(dir, 'nginx.conf'), conf);
  const child: ChildProcess = spawn(NGINX, ['-p', dir, '-c', path.join(dir, 'nginx.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await Promise.all(ports.map((port) => waitForPort(port, () => (child.exitCode !== null ? `nginx exited: ${stderr}${fs.readFileSync(path.join(dir, 'error.log'), 'utf8')}` : undefined))));
  return {
    urls: Object.fromEntries(variants.map((variant, i) => [variant.name, `http://127.0.0.1:${ports[i]}`])),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

async function waitForPort(port: number, failed: () => string | undefined): Promise<void> {
  for (let tries = 0; tries < 100; tries += 1) {
    const problem = failed();
    if (problem) throw new Error(problem);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nginx did not listen on ${port}`);
}
