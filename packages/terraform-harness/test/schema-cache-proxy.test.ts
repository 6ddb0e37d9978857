import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import http2, { type IncomingHttpHeaders } from 'node:http2';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { SCHEMA_METHOD, SchemaCacheProxy } from '../src/schema-cache-proxy.js';

const GRPC = { 'content-type': 'application/grpc' };

/** A gRPC message of a schema answer: one resource schema map entry (field 2) per type, the provider's schema (field 1) first. */
const schemaMessage = (types: string[]) => {
  const field = (number: number, value: Buffer) => Buffer.concat([Buffer.from([number * 8 + 2, value.length]), value]);
  const message = Buffer.concat([field(1, Buffer.from('provider')), ...types.map((type) => field(2, Buffer.concat([field(1, Buffer.from(type)), field(2, Buffer.from(`${type} schema`))])))]);
  return Buffer.concat([Buffer.from([0, 0, 0, 0, message.length]), message]);
};
const SCHEMA_MESSAGE = schemaMessage(['aws_sqs_queue', 'aws_vpc', 'aws_subnet']);

/** A stand-in plugin: numbered schema answers, an echo, a call that fails at once, a schema call that fails. */
function fakePlugin(socket: string) {
  const calls: string[] = [];
  const server = http2.createServer();
  server.on('stream', (stream, headers) => {
    const path = String(headers[':path']);
    const body: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => body.push(chunk));
    stream.on('end', () => {
      const request = Buffer.concat(body).toString();
      calls.push(`${path} ${request}`);
      if (path === '/tfplugin5.Provider/Fails') {
        stream.respond({ ':status': 200, ...GRPC, 'grpc-status': '13', 'grpc-message': 'boom' }, { endStream: true });
        return;
      }
      const failed = request === 'fail';
      stream.respond({ ':status': 200, ...GRPC }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers(failed ? { 'grpc-status': '2', 'grpc-message': 'no schema' } : { 'grpc-status': '0' }));
      const schemaCalls = calls.filter((call) => call.startsWith(SCHEMA_METHOD)).length;
      stream.end(path !== SCHEMA_METHOD ? `echo ${request}` : request === 'protobuf' ? SCHEMA_MESSAGE : `schema-${schemaCalls}`);
    });
  });
  return { server, calls, listening: new Promise<void>((resolve) => server.listen(socket, resolve)) };
}

function call(session: http2.ClientHttp2Session, path: string, body: string) {
  return new Promise<{ headers: IncomingHttpHeaders; body: string; bytes: Buffer; trailers: IncomingHttpHeaders }>((resolve, reject) => {
    const request = session.request({ ':method': 'POST', ':path': path, ...GRPC });
    let headers: IncomingHttpHeaders = {};
    let trailers: IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    request.on('response', (received) => (headers = received));
    request.on('trailers', (received) => (trailers = received));
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve({ headers, body: Buffer.concat(chunks).toString(), bytes: Buffer.concat(chunks), trailers }));
    request.on('error', reject);
    request.end(body);
  });
}

describe('the schema-caching relay in front of a provider plugin', () => {
  const dir = mkdtempSync(join(tmpdir(), 'schema-cache-proxy-'));
  const plugin = fakePlugin(join(dir, 'plugin.sock'));
  let proxy: SchemaCacheProxy;
  let session: http2.ClientHttp2Session;

  beforeAll(async () => {
    await plugin.listening;
    proxy = await SchemaCacheProxy.start(join(dir, 'plugin.sock'), join(dir, 'relay.sock'));
    session = http2.connect('http://relay', { createConnection: () => connect(join(dir, 'relay.sock')) });
  });
  afterAll(async () => {
    session.close();
    await proxy.close();
    await new Promise((resolve) => plugin.server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  test('the schema call reaches the plugin once; the same request later gets its first answer, trailers included', async () => {
    const first = await call(session, SCHEMA_METHOD, '');
    const second = await call(session, SCHEMA_METHOD, '');
    expect([first.body, second.body]).toEqual(['schema-1', 'schema-1']);
    expect([first.trailers['grpc-status'], second.trailers['grpc-status']]).toEqual(['0', '0']);
    expect(second.headers['content-type']).toBe('application/grpc');
    expect(plugin.calls.filter((entry) => entry.startsWith(SCHEMA_METHOD))).toEqual([`${SCHEMA_METHOD} `]);
    expect(proxy.schemaCalls).toEqual({ plugin: 1, cache: 1 });
  });

  test('every other call passes through with its body and trailers, and a call that fails at once keeps its status', async () => {
    const echo = await call(session, '/tfplugin5.Provider/PlanResourceChange', 'plan me');
    expect(echo).toMatchObject({ body: 'echo plan me', trailers: { 'grpc-status': '0' } });
    const failed = await call(session, '/tfplugin5.Provider/Fails', '');
    expect(failed.headers).toMatchObject({ 'grpc-status': '13', 'grpc-message': 'boom' });
    expect(failed.body).toBe('');
  });

  test('a schema answer that failed is never kept: the next call asks the plugin again', async () => {
    const before = plugin.calls.length;
    const answers = [await call(session, SCHEMA_METHOD, 'fail'), await call(session, SCHEMA_METHOD, 'fail')];
    expect(answers.map((answer) => answer.trailers)).toEqual([expect.objectContaining({ 'grpc-status': '2', 'grpc-message': 'no schema' }), expect.objectContaining({ 'grpc-status': '2' })]);
    expect(plugin.calls.length - before).toBe(2);
  });

  test('restricted to some types, a schema answer carries only theirs, from the plugin and from the cache; unrestricted, the whole answer again', async () => {
    proxy.restrictTo(new Set(['aws_vpc', 'terraform_remote_state']));
    const restricted = [await call(session, SCHEMA_METHOD, 'protobuf'), await call(session, SCHEMA_METHOD, 'protobuf')];
    // Not a schema message: passed on whole.
    const other = await call(session, SCHEMA_METHOD, '');
    proxy.restrictTo(undefined);
    const whole = await call(session, SCHEMA_METHOD, 'protobuf');
    expect(restricted.map((answer) => answer.bytes)).toEqual([schemaMessage(['aws_vpc']), schemaMessage(['aws_vpc'])]);
    expect(restricted.map((answer) => answer.trailers['grpc-status'])).toEqual(['0', '0']);
    expect(other.body).toBe('schema-1');
    expect(whole.bytes).toEqual(SCHEMA_MESSAGE);
    expect(plugin.calls.filter((entry) => entry === `${SCHEMA_METHOD} protobuf`)).toHaveLength(1);
  });
});
