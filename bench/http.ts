/**
 * A `fetch` for the SDK whose connections come from a chosen loopback address (127.x.y.z all
 * reach the server on Linux). The server rate-limits sign-ins and sign-ups per source address,
 * as it should; spreading simulated users over many addresses keeps the benchmark measuring
 * throughput instead of the limiter, just as real users arrive from many addresses.
 */
import http from 'node:http';
import type { Fetch } from '@latchkey/client/http';

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

export function boundFetch(localAddress: string): Fetch {
  const fetchFrom = (input: string | URL | Request, init?: RequestInit): Promise<Response> =>
    new Promise((resolve, reject) => {
      const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
      const headers = (init?.headers ?? {}) as Record<string, string>;
      const body = typeof init?.body === 'string' ? init.body : undefined;
      const request = http.request(
        { host: url.hostname, port: url.port, path: url.pathname + url.search, method: init?.method ?? 'GET', headers, localAddress, agent },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const status = response.statusCode ?? 500;
            resolve(new Response([204, 205, 304].includes(status) ? null : Buffer.concat(chunks), { status }));
          });
          response.on('error', reject);
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  return fetchFrom as Fetch;
}

/** The n-th address of a /16 block of loopback addresses, e.g. loopbackAddress(2, 300) = 127.2.1.45. */
export function loopbackAddress(block: number, n: number): string {
  return `127.${block}.${Math.floor(n / 250)}.${(n % 250) + 1}`;
}

/** POSTs JSON from `localAddress` and returns the status and parsed body (lean: no Response objects). */
export function postJson(url: string, body: unknown, localAddress: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const payload = JSON.stringify(body);
    const request = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'content-length': Buffer.byteLength(payload) },
        localAddress,
        agent,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            resolve({ status: response.statusCode ?? 0, body: text === '' ? undefined : JSON.parse(text) });
          } catch (error) {
            reject(error);
          }
        });
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}
