// The baseline: a bare node:http server answering every request with the same page (same bytes and
// content type as Helpr's GET /). Started as its own process, like Helpr.
import fs from 'node:fs';
import http from 'node:http';

const [bodyFile, port] = process.argv.slice(2);
const body = fs.readFileSync(bodyFile);
http
  .createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': body.length });
    response.end(body);
  })
  .listen(Number(port), '127.0.0.1', () => process.stdout.write('ready\n'));
