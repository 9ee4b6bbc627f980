// The throughput floor: a bare Node.js http server answering a fixed JSON body.
import { createServer } from 'node:http';

const body = JSON.stringify({ id: '00000000-0000-0000-0000-000000000000', username: 'floor', email: 'floor@example.com' });
const server = createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(body);
});
server.listen(0, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
