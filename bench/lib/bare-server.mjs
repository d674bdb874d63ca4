// The baseline: a bare node:http server answering every request with one fixed response, read from
// a JSON file { headers, body }: either the very bytes of Helpr's GET / (status line, every header,
// body) or the same body with only a content type. Started as its own process, like Helpr.
import fs from 'node:fs';
import http from 'node:http';

const [responseFile, port] = process.argv.slice(2);
const response = JSON.parse(fs.readFileSync(responseFile, 'utf8'));
const body = Buffer.from(response.body);
const headers = { ...response.headers, 'content-length': body.length };
const server = http.createServer((_request, res) => {
  res.writeHead(200, headers);
  res.end(body);
});
// Node writes Date, Connection and Keep-Alive itself; the same keep-alive timeout as Helpr's keeps
// even that header byte for byte the same.
if (response.keepAliveTimeoutMs) server.keepAliveTimeout = response.keepAliveTimeoutMs;
server.listen(Number(port), '127.0.0.1', () => process.stdout.write('ready\n'));
