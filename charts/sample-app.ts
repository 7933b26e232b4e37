/**
 * The sample app the default chart watches: the official Node.js image running a tiny HTTP
 * server, so `kubectl apply -f dist/` shows heapwatch working before you point it at your own.
 */
export const SAMPLE_APP_COMMAND = [
  'node',
  '-e',
  "require('http').createServer((req, res) => res.end('ok\\n')).listen(Number(process.env.PORT || 3000))",
];
