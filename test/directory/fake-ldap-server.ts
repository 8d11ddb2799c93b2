import { createServer, type Server, type Socket } from 'node:net';
import { BerReader, BerWriter } from 'ldapts';

/**
 * A minimal LDAP server for unit tests of result codes the lab DC cannot be made to send (Samba
 * 4.17 ignores a client's size limit). It accepts any simple bind and answers every search
 * with the configured entries and result code, without a paged-results cookie.
 */
export interface FakeSearchAnswer {
  entries: number;
  resultCode: number;
  diagnostic?: string;
}

const bindRequestTag = 0x60;
const unbindRequestTag = 0x42;
const searchRequestTag = 0x63;

function message(id: number, build: (writer: BerWriter) => void): Buffer {
  const writer = new BerWriter();
  writer.startSequence();
  writer.writeInt(id);
  build(writer);
  writer.endSequence();
  return writer.buffer;
}

function result(writer: BerWriter, tag: number, code: number, diagnostic: string): void {
  writer.startSequence(tag);
  writer.writeEnumeration(code);
  writer.writeString('');
  writer.writeString(diagnostic);
  writer.endSequence();
}

function entry(id: number, index: number): Buffer {
  return message(id, (writer) => {
    writer.startSequence(0x64);
    writer.writeString(`CN=Fake ${index},OU=Fake,DC=fake,DC=test`);
    writer.startSequence();
    const guid = Buffer.alloc(16, 0);
    guid.writeUInt32BE(index, 12);
    const attributes: [string, Buffer | string][] = [
      ['objectGUID', guid],
      ['userAccountControl', '512'],
      ['sAMAccountName', `fake${index}`],
    ];
    for (const [type, value] of attributes) {
      writer.startSequence();
      writer.writeString(type);
      writer.startSequence(0x31);
      if (typeof value === 'string') writer.writeString(value);
      else writer.writeBuffer(value, 0x04);
      writer.endSequence();
      writer.endSequence();
    }
    writer.endSequence();
    writer.endSequence();
  });
}

/** Length of the first complete BER element in `buffer`, or undefined if it is incomplete. */
function elementLength(buffer: Buffer): number | undefined {
  if (buffer.length < 2) return undefined;
  const first = buffer[1] ?? 0;
  if (first < 0x80) return buffer.length >= 2 + first ? 2 + first : undefined;
  const bytes = first - 0x80;
  if (buffer.length < 2 + bytes) return undefined;
  const length = buffer.readUIntBE(2, bytes);
  return buffer.length >= 2 + bytes + length ? 2 + bytes + length : undefined;
}

export class FakeLdapServer {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly answer: FakeSearchAnswer) {}

  async start(): Promise<void> {
    const server = createServer((socket) => this.serve(socket));
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    this.port = typeof address === 'object' && address !== null ? address.port : 0;
  }

  private serve(socket: Socket): void {
    this.sockets.add(socket);
    let pending = Buffer.alloc(0);
    socket.on('error', () => socket.destroy());
    socket.on('data', (data: Buffer) => {
      pending = Buffer.concat([pending, data]);
      for (
        let length = elementLength(pending);
        length !== undefined;
        length = elementLength(pending)
      ) {
        this.handle(socket, pending.subarray(0, length));
        pending = pending.subarray(length);
      }
    });
  }

  private handle(socket: Socket, request: Buffer): void {
    const reader = new BerReader(request);
    reader.readSequence();
    const id = reader.readInt() ?? 0;
    const tag = reader.peek();
    if (tag === bindRequestTag) socket.write(message(id, (w) => result(w, 0x61, 0, '')));
    if (tag === unbindRequestTag) socket.end();
    if (tag !== searchRequestTag) return;
    for (let index = 1; index <= this.answer.entries; index += 1) socket.write(entry(id, index));
    socket.write(
      message(id, (w) => result(w, 0x65, this.answer.resultCode, this.answer.diagnostic ?? '')),
    );
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    const server = this.server;
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
