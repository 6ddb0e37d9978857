import http2, { type ClientHttp2Session, type IncomingHttpHeaders, type OutgoingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import { connect } from 'node:net';

/** The provider protocol's schema call (tfplugin5 names it GetSchema; GetProviderSchema in the Go SDKs). */
export const SCHEMA_METHOD = '/tfplugin5.Provider/GetSchema';

interface CachedAnswer {
  readonly headers: OutgoingHttpHeaders;
  readonly body: Buffer;
  readonly trailers: OutgoingHttpHeaders;
}

/**
 * A gRPC (HTTP/2) relay in front of a provider plugin's socket that answers the schema call
 * from the plugin's first answer. Every terraform command asks for the provider's whole schema
 * once, and the aws plugin builds it anew each time (about 0.3 CPU seconds); the answer of one
 * plugin process to the same request never changes. Every other call, stream (the go-plugin
 * broker, stdio) and cancellation passes through as it is.
 */
export class SchemaCacheProxy {
  /** Listens on `socketPath` and relays to the plugin listening on `upstreamPath`. */
  static async start(upstreamPath: string, socketPath: string): Promise<SchemaCacheProxy> {
    const proxy = new SchemaCacheProxy(upstreamPath);
    await new Promise<void>((resolve, reject) => {
      proxy.server.once('error', reject);
      proxy.server.listen(socketPath, () => resolve());
    });
    return proxy;
  }

  /** Schema calls answered by the plugin, and from the cache. */
  readonly schemaCalls = { plugin: 0, cache: 0 };
  private readonly server = http2.createServer();
  private readonly cache = new Map<string, CachedAnswer>();
  private upstream: ClientHttp2Session | undefined;

  private constructor(private readonly upstreamPath: string) {
    this.server.on('stream', (stream, headers) => this.relay(stream, headers));
    this.server.on('sessionError', () => undefined);
  }

  async close(): Promise<void> {
    this.upstream?.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private session(): ClientHttp2Session {
    if (!this.upstream || this.upstream.closed || this.upstream.destroyed) {
      this.upstream = http2.connect('http://plugin', { createConnection: () => connect(this.upstreamPath) });
      this.upstream.on('error', () => undefined);
    }
    return this.upstream;
  }

  private relay(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void {
    stream.on('error', () => undefined);
    const path = headers[':path'];
    if (path !== SCHEMA_METHOD) {
      this.forward(stream, headers);
      return;
    }
    const request: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => request.push(chunk));
    stream.on('end', () => {
      const body = Buffer.concat(request);
      const key = body.toString('base64');
      const cached = this.cache.get(key);
      if (cached) {
        this.schemaCalls.cache += 1;
        stream.respond(cached.headers, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers(cached.trailers));
        stream.end(cached.body);
        return;
      }
      this.schemaCalls.plugin += 1;
      this.forward(stream, headers, body, (answer) => this.cache.set(key, answer));
    });
  }

  /** Relays one call: the request as it comes (or `body`, already read), the answer with its trailers. */
  private forward(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, body?: Buffer, keep?: (answer: CachedAnswer) => void): void {
    const upstream = this.session().request(withoutPseudo(headers, [':method', ':path']), { endStream: false });
    upstream.on('error', () => stream.destroy());
    stream.on('close', () => {
      if (!upstream.closed) upstream.close(http2.constants.NGHTTP2_CANCEL);
    });
    if (body) upstream.end(body);
    else stream.pipe(upstream);

    let answerHeaders: OutgoingHttpHeaders | undefined;
    let trailers: OutgoingHttpHeaders = {};
    let trailersOnly = false;
    const answer: Buffer[] = [];
    upstream.on('response', (responseHeaders) => {
      answerHeaders = withoutPseudo(responseHeaders, [':status']);
      // A call that fails at once has its status in the headers, and no body or trailers.
      trailersOnly = 'grpc-status' in responseHeaders;
      if (stream.destroyed) return;
      if (trailersOnly) stream.respond(answerHeaders, { endStream: true });
      else stream.respond(answerHeaders, { waitForTrailers: true });
    });
    upstream.on('trailers', (received) => {
      trailers = withoutPseudo(received, []);
    });
    stream.on('wantTrailers', () => stream.sendTrailers(trailers));
    upstream.on('data', (chunk: Buffer) => {
      if (keep) answer.push(chunk);
      if (!stream.destroyed && !trailersOnly) stream.write(chunk);
    });
    upstream.on('end', () => {
      if (keep && answerHeaders && !trailersOnly && trailers['grpc-status'] === '0') keep({ headers: answerHeaders, body: Buffer.concat(answer), trailers });
      if (!stream.destroyed && !trailersOnly && !stream.writableEnded) stream.end();
    });
  }
}

function withoutPseudo(headers: IncomingHttpHeaders, keep: readonly string[]): OutgoingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !name.startsWith(':') || keep.includes(name))) as OutgoingHttpHeaders;
}
