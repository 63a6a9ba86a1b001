/**
 * A small SMTP server on 127.0.0.1 for tests: enough of RFC 5321 for one client to log in
 * (AUTH PLAIN), send one message and quit. It records what it received, and can be told to refuse
 * logins or recipients, so tests see both outcomes against a real socket.
 */
import { createServer, type Server, type Socket } from "node:net";

export interface ReceivedMail {
  /** The login (AUTH PLAIN's user), or null when the client sent no AUTH. */
  login: string | null;
  password: string | null;
  from: string;
  to: string[];
  /** The message as sent between DATA and the final dot. */
  data: string;
}

export interface SmtpServerOptions {
  /** Accept AUTH PLAIN with this user and password only (default: any login is accepted). */
  credentials?: { user: string; password: string };
  /** Refuse every RCPT TO with 550. */
  refuseRecipients?: boolean;
  /** Advertise STARTTLS (never actually upgraded: only the advertisement matters to the tests). */
  offerStartTls?: boolean;
}

export class TestSmtpServer {
  readonly received: ReceivedMail[] = [];
  /** Every line the clients sent, for assertions about what crossed the wire. */
  readonly transcript: string[] = [];
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly options: SmtpServerOptions) {
    this.server = createServer((socket) => this.session(socket));
  }

  static async start(options: SmtpServerOptions = {}): Promise<TestSmtpServer> {
    const s = new TestSmtpServer(options);
    await new Promise<void>((resolve) => s.server.listen(0, "127.0.0.1", resolve));
    return s;
  }

  get port(): number {
    const address = this.server.address();
    if (address === null || typeof address === "string") throw new Error("not listening");
    return address.port;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private session(socket: Socket): void {
    this.sockets.add(socket);
    socket.on("close", () => this.sockets.delete(socket));
    socket.on("error", () => undefined);
    const send = (line: string) => socket.write(`${line}\r\n`);
    let buffer = "";
    let inData = false;
    let data = "";
    let login: string | null = null;
    let password: string | null = null;
    let from = "";
    let to: string[] = [];
    send("220 127.0.0.1 test SMTP ready");
    socket.on("data", (chunk) => {
      buffer += chunk.toString("utf8");
      for (;;) {
        if (inData) {
          const end = buffer.indexOf("\r\n.\r\n");
          if (end === -1) return;
          data += buffer.slice(0, end);
          buffer = buffer.slice(end + 5);
          inData = false;
          this.received.push({ login, password, from, to, data });
          send("250 2.0.0 queued as test-1");
          continue;
        }
        const eol = buffer.indexOf("\r\n");
        if (eol === -1) return;
        const line = buffer.slice(0, eol);
        buffer = buffer.slice(eol + 2);
        this.transcript.push(line);
        const verb = line.split(" ")[0]?.toUpperCase() ?? "";
        if (verb === "EHLO") {
          const extensions = ["AUTH PLAIN", ...(this.options.offerStartTls ? ["STARTTLS"] : []), "8BITMIME"];
          send("250-127.0.0.1 greets you");
          extensions.forEach((ext, i) => send(`250${i === extensions.length - 1 ? " " : "-"}${ext}`));
        } else if (verb === "HELO") {
          send("250 127.0.0.1");
        } else if (verb === "AUTH") {
          const [, mech, initial] = line.split(" ");
          if (mech?.toUpperCase() !== "PLAIN" || !initial) {
            send("504 5.5.4 only AUTH PLAIN with an initial response");
            continue;
          }
          const [, user, pass] = Buffer.from(initial, "base64").toString("utf8").split("\0");
          const want = this.options.credentials;
          if (want && (user !== want.user || pass !== want.password)) {
            send("535 5.7.8 authentication credentials invalid");
          } else {
            login = user ?? null;
            password = pass ?? null;
            send("235 2.7.0 authentication successful");
          }
        } else if (verb === "MAIL") {
          if (this.options.credentials && login === null) {
            send("530 5.7.0 authentication required");
            continue;
          }
          from = /<([^>]*)>/.exec(line)?.[1] ?? "";
          to = [];
          send("250 2.1.0 ok");
        } else if (verb === "RCPT") {
          if (this.options.refuseRecipients) send("550 5.1.1 no such user here");
          else {
            to.push(/<([^>]*)>/.exec(line)?.[1] ?? "");
            send("250 2.1.5 ok");
          }
        } else if (verb === "DATA") {
          inData = true;
          data = "";
          send("354 end data with <CR><LF>.<CR><LF>");
        } else if (verb === "RSET") {
          send("250 2.0.0 ok");
        } else if (verb === "NOOP") {
          send("250 2.0.0 ok");
        } else if (verb === "QUIT") {
          send("221 2.0.0 bye");
          socket.end();
        } else if (verb === "STARTTLS") {
          send("454 4.7.0 TLS not available in this test server");
        } else {
          send("502 5.5.2 command not recognised");
        }
      }
    });
  }
}
