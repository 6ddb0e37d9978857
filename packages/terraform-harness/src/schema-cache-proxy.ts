import http2, { type ClientHttp2Session, type IncomingHttpHeaders, type OutgoingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import { connect } from 'node:net';
import { schemaSubset } from './schema-subset.js';

/** The provider protocol's schema call (tfplugin5 names it GetSchema; GetProviderSchema in the Go SDKs). */
export const SCHEMA_METHOD = '/tfplugin5.Provider/GetSchema';

interface PluginAnswer {
  readonly headers: OutgoingHttpHeaders;
  readonly body: Buffer;
  readonly trailers: OutgoingHttpHeaders;
  /** The call failed at once: its status is in the headers, with no body or trailers. */
  readonly trailersOnly: boolean;
}

/**
 * A gRPC (HTTP/2) relay in front of a provider plugin's socket that answers the schema call
 * from the plugin's first answer. Every terraform command asks for the provider's whole schema
 * once, and the aws plugin builds it anew each time (about 0.3 CPU seconds); the answer of one
 * plugin process to the same request never changes. It answers with only the types of
 * `restrictTo` when given. Every other call, stream (the go-plugin broker, stdio) and
 * cancellation passes through as it is.
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
  private readonly cache = new Map<string, PluginAnswer>();
  private types: ReadonlySet<string> | undefined;
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

  /**
   * The resource, data source and ephemeral resource types the next schema answers carry
   * (`schemaSubset`), or undefined for the whole schema. The plugin's answer is cached whole.
   */
  restrictTo(types: ReadonlySet<string> | undefined): void {
    this.types = types;
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
        this.answer(stream, cached);
        return;
      }
      this.schemaCalls.plugin += 1;
      void this.ask(headers, body).then((answer) => {
        if (!answer.trailersOnly && answer.trailers['grpc-status'] === '0') this.cache.set(key, answer);
        this.answer(stream, answer);
      });
    });
  }

  /** Answers a schema call, with the types of `restrictTo` only when the answer is a success. */
  private answer(stream: ServerHttp2Stream, answer: PluginAnswer): void {
    if (stream.destroyed) return;
    if (answer.trailersOnly) {
      stream.respond(answer.headers, { endStream: true });
      return;
    }
    const succeeded = answer.trailers['grpc-status'] === '0';
    stream.respond(answer.headers, { waitForTrailers: true });
    stream.on('wantTrailers', () => stream.sendTrailers(answer.trailers));
    stream.end(succeeded && this.types ? schemaSubset(answer.body, this.types) : answer.body);
  }

  /** One call to the plugin, its whole answer read. */
  private ask(headers: IncomingHttpHeaders, body: Buffer): Promise<PluginAnswer> {
    return new Promise((resolve) => {
      const upstream = this.session().request(withoutPseudo(headers, [':method', ':path']), { endStream: false });
      let answerHeaders: OutgoingHttpHeaders = {};
      let trailers: OutgoingHttpHeaders = {};
      let trailersOnly = false;
      const chunks: Buffer[] = [];
      upstream.on('response', (responseHeaders) => {
        answerHeaders = withoutPseudo(responseHeaders, [':status']);
        // A call that fails at once has its status in the headers, and no body or trailers.
        trailersOnly = 'grpc-status' in responseHeaders;
      });
      upstream.on('trailers', (received) => {
        trailers = withoutPseudo(received, []);
      });
      upstream.on('data', (chunk: Buffer) => chunks.push(chunk));
      upstream.on('end', () => resolve({ headers: answerHeaders, body: Buffer.concat(chunks), trailers, trailersOnly }));
      // The plugin went away: terraform sees the call fail, as it would without the relay.
      upstream.on('error', (error) =>
        resolve({ headers: { ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '14', 'grpc-message': encodeURIComponent(error.message) }, body: Buffer.alloc(0), trailers: {}, trailersOnly: true }),
      );
      upstream.end(body);
    });
  }

  /** Relays one call as it comes: the request, the answer with its trailers, a cancellation. */
  private forward(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void {
    const upstream = this.session().request(withoutPseudo(headers, [':method', ':path']), { endStream: false });
    upstream.on('error', () => stream.destroy());
    stream.on('close', () => {
      if (!upstream.closed) upstream.close(http2.constants.NGHTTP2_CANCEL);
    });
    stream.pipe(upstream);

    let trailers: OutgoingHttpHeaders = {};
    let trailersOnly = false;
    upstream.on('response', (responseHeaders) => {
      trailersOnly = 'grpc-status' in responseHeaders;
      if (!stream.destroyed) stream.respond(withoutPseudo(responseHeaders, [':status']), trailersOnly ? { endStream: true } : { waitForTrailers: true });
    });
    upstream.on('trailers', (received) => {
      trailers = withoutPseudo(received, []);
    });
    stream.on('wantTrailers', () => stream.sendTrailers(trailers));
    upstream.on('data', (chunk: Buffer) => {
      if (!stream.destroyed && !trailersOnly) stream.write(chunk);
    });
    upstream.on('end', () => {
      if (!stream.destroyed && !trailersOnly && !stream.writableEnded) stream.end();
    });
  }
}

function withoutPseudo(headers: IncomingHttpHeaders, keep: readonly string[]): OutgoingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !name.startsWith(':') || keep.includes(name))) as OutgoingHttpHeaders;
}
