#!/usr/bin/env node
// Stops a running Helpr with a request in flight, as `docker stop` would: sends the headers and half
// the body of a form post, then SIGTERM to the process, then the rest of the body. The request must
// still be answered (a whole HTTP response, not a reset connection), and the process must exit
// within 10 s of the SIGTERM. Usage: node .ci/stop-with-request-in-flight.mjs URL PID
import fs from 'node:fs';
import net from 'node:net';

const [url, pidText] = process.argv.slice(2);
const pid = Number(pidText);
const { hostname, port } = new URL(url);
const body = 'username=nobody&password=not-the-password';
const socket = net.connect(Number(port), hostname);
await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
let answer = '';
socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
const ended = new Promise((resolve) => socket.once('close', resolve));
socket.write(`POST /admin/login HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`);
socket.write(body.slice(0, 10));
await new Promise((resolve) => setTimeout(resolve, 300));

const stoppedAt = Date.now();
process.kill(pid, 'SIGTERM');
await new Promise((resolve) => setTimeout(resolve, 500));
socket.write(body.slice(10));
await ended;
const status = /^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1];
if (!status || status.startsWith('5')) {
  console.error(`stop check: the request in flight at SIGTERM got ${status ? `status ${status}` : 'no answer'}:\n${answer.slice(0, 500)}`);
  process.exit(1);
}
console.log(`stop check: the request in flight at SIGTERM was answered (${status})`);

/** Whether the process still runs: an exited one the shell has not reaped yet is a zombie (state Z). */
const alive = () => {
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};
while (alive() && Date.now() - stoppedAt < 10_000) await new Promise((resolve) => setTimeout(resolve, 100));
if (alive()) {
  console.error('stop check: Helpr still runs 10 s after SIGTERM');
  process.kill(pid, 'SIGKILL');
  process.exit(1);
}
console.log(`stop check: Helpr exited ${((Date.now() - stoppedAt) / 1000).toFixed(1)} s after SIGTERM`);
