import net from 'node:net';

/**
 * A TCP proxy between an app and its MongoDB-compatible server that can make the server die at an exact
 * point of a conversation: after a chosen command was applied and answered, before the next one.
 * It reads the wire protocol only far enough to name each OP_MSG command and its collection.
 */
export class FaultProxy {
  port = 0;
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  private trap: { match: (command: string, collection: string) => boolean; then: () => Promise<void>; fired: boolean } | null = null;
  /** Set once the trap fired: the server is gone and new connections are refused until `heal()`. */
  private down = false;
  readonly seen: string[] = [];

  constructor(private readonly targetPort: number) {}

  async start(): Promise<string> {
    const server = net.createServer((client) => this.accept(client));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    this.server = server;
    this.port = (server.address() as net.AddressInfo).port;
    return `mongodb://127.0.0.1:${this.port}/`;
  }

  /**
   * When a command matching `match` has been forwarded and its reply delivered, drop every connection,
   * refuse new ones and run `then` (e.g. kill the database) before anything else passes.
   */
  killAfter(match: (command: string, collection: string) => boolean, then: () => Promise<void>): void {
    this.trap = { match, then, fired: false };
  }

  get fired(): boolean {
    return this.trap?.fired ?? false;
  }

  /** The server is back: pass connections again. */
  heal(): void {
    this.down = false;
    this.trap = null;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private accept(client: net.Socket): void {
    if (this.down) {
      client.destroy();
      return;
    }
    const upstream = net.connect(this.targetPort, '127.0.0.1');
    this.sockets.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    let armed = false; // this connection sent the trapped command; its reply is the last thing to pass
    frames(client, (msg) => {
      if (this.down) return drop();
      const cmd = commandOf(msg);
      if (cmd) this.seen.push(`${cmd.command} ${cmd.collection}`);
      if (cmd && this.trap && !this.trap.fired && this.trap.match(cmd.command, cmd.collection)) {
        this.trap.fired = true;
        armed = true;
      }
      upstream.write(msg);
    });
    frames(upstream, (msg) => {
      if (this.down) return drop();
      client.write(msg);
      if (armed) {
        armed = false;
        this.down = true;
        const trap = this.trap!;
        for (const s of this.sockets) s.destroy();
        this.sockets.clear();
        void trap.then();
      }
    });
  }
}

/** Calls `each` with every whole wire-protocol message (they start with their int32 length). */
function frames(socket: net.Socket, each: (msg: Buffer) => void): void {
  let buf = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    while (buf.length >= 4) {
      const len = buf.readInt32LE(0);
      if (buf.length < len) break;
      each(buf.subarray(0, len));
      buf = buf.subarray(len);
    }
  });
}

const OP_MSG = 2013;

/** The command name (first key of the body) and its string value (the collection) of an OP_MSG. */
function commandOf(msg: Buffer): { command: string; collection: string } | null {
  if (msg.length < 27 || msg.readInt32LE(12) !== OP_MSG || msg[20] !== 0) return null;
  const doc = 21;
  const type = msg[doc + 4];
  const keyStart = doc + 5;
  const keyEnd = msg.indexOf(0, keyStart);
  if (keyEnd < 0) return null;
  const command = msg.toString('utf8', keyStart, keyEnd);
  if (type !== 0x02) return { command, collection: '' };
  const strLen = msg.readInt32LE(keyEnd + 1);
  return { command, collection: msg.toString('utf8', keyEnd + 5, keyEnd + 5 + strLen - 1) };
}
