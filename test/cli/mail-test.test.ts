/**
 * `cto doctor --mail-test ADDRESS` on the built binary against an SMTP server on 127.0.0.1
 * (test/helpers/smtp-server.ts): the mail arrives with the configured from-address and login; a
 * refused login, a refused recipient, a closed port and a server without STARTTLS each fail with
 * exit 1 and the cto.yaml key to fix; the password never appears in any output.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { findPulumiCli } from "../../stacks/pulumi-cli.js";
import { Sandbox, type CtoResult } from "../helpers/cli.js";
import { acmeConfigYaml } from "../helpers/acme-config.js";
import { TestSmtpServer } from "../helpers/smtp-server.js";

const PASSWORD = "pw-Zq8!mail-test-secret";
const ENV = { ACME_SMTP_PASSWORD: PASSWORD };

function config(mail: string, features = "features:\n  mail_notifications: true\n"): string {
  return acmeConfigYaml({ tail: `${features}${mail}` });
}

function mailBlock(port: number, extra = "  smtp_tls: none\n"): string {
  return `mail:
  smtp_host: 127.0.0.1
  smtp_port: ${port}
  from: cto@acme.example
  smtp_password: \${ACME_SMTP_PASSWORD}
${extra}`;
}

/** No form of the password in either stream: clear, base64, or AUTH PLAIN's base64. */
function assertNoPassword(r: CtoResult): void {
  const all = r.stdout + r.stderr;
  assert.ok(!all.includes(PASSWORD), "the password was printed");
  assert.ok(!all.includes(Buffer.from(PASSWORD).toString("base64")), "the password was printed in base64");
  const plain = Buffer.from(`\0cto@acme.example\0${PASSWORD}`).toString("base64");
  assert.ok(!all.includes(plain), "the AUTH PLAIN response was printed");
}

describe("cto doctor --mail-test", function () {
  this.timeout(60_000);
  let box: Sandbox;
  let server: TestSmtpServer | undefined;
  beforeEach(() => {
    box = new Sandbox();
  });
  afterEach(async () => {
    await server?.stop();
    server = undefined;
    box.remove();
  });
  const write = (text: string) => writeFileSync(join(box.cwd, "cto.yaml"), text);

  it("sends the test mail through the configured server with the configured login", async () => {
    server = await TestSmtpServer.start({ credentials: { user: "cto@acme.example", password: PASSWORD } });
    write(config(mailBlock(server.port)));
    const r = await box.run(["doctor", "--mail-test", "ops@acme.example"], { env: ENV });
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      new RegExp(`✓ Test mail to ops@acme\\.example accepted by 127\\.0\\.0\\.1:${server.port} \\(none\\)`),
    );
    assert.equal(server.received.length, 1);
    const [mail] = server.received;
    assert.equal(mail?.login, "cto@acme.example");
    assert.equal(mail?.password, PASSWORD);
    assert.equal(mail?.from, "cto@acme.example");
    assert.deepEqual(mail?.to, ["ops@acme.example"]);
    assert.match(mail?.data ?? "", /^Subject: cto: test mail from acme-platform\/dev$/m);
    assertNoPassword(r);
  });

  it("logs in with the password stored by cto secrets set when cto.yaml has none", async () => {
    const cli = await findPulumiCli({ env: process.env, home: join(box.root, "no-home") });
    const env = { CTO_PULUMI_BIN_DIR: cli.binDir, PULUMI_CONFIG_PASSPHRASE: "test-passphrase-not-a-secret-value" };
    server = await TestSmtpServer.start({ credentials: { user: "cto@acme.example", password: PASSWORD } });
    write(config(mailBlock(server.port).replace(/^  smtp_password: .*\n/m, "")));
    // Nothing stored yet (and no stack): no login, which this server refuses.
    const before = await box.run(["doctor", "--mail-test", "ops@acme.example"], { env });
    assert.equal(before.code, 1, before.stdout + before.stderr);
    assert.equal(server.received.length, 0);
    const set = await box.run(["secrets", "set", "mail.smtp_password"], { env, input: `${PASSWORD}\n` });
    assert.equal(set.code, 0, set.stderr);
    const r = await box.run(["doctor", "--mail-test", "ops@acme.example"], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(server.received.length, 1);
    assert.equal(server.received[0]?.login, "cto@acme.example");
    assert.equal(server.received[0]?.password, PASSWORD);
    for (const out of [before, set, r]) assertNoPassword(out);
  });

  it("--json reports the outcome and the login, not the password", async () => {
    server = await TestSmtpServer.start();
    write(config(mailBlock(server.port, "  smtp_tls: none\n  smtp_username: relay-user\n")));
    const r = await box.run(["doctor", "--mail-test", "ops@acme.example", "--json"], { env: ENV });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { mailTest: Record<string, unknown> };
    assert.equal(out.mailTest.ok, true);
    assert.equal(out.mailTest.login, "relay-user");
    assert.equal(out.mailTest.server, `127.0.0.1:${server.port} (none)`);
    assert.equal(server.received[0]?.login, "relay-user");
    assertNoPassword(r);
  });

  it("a refused login: exit 1, names the keys to check, never prints the password", async () => {
    server = await TestSmtpServer.start({ credentials: { user: "cto@acme.example", password: "another" } });
    write(config(mailBlock(server.port)));
    const r = await box.run(["doctor", "--mail-test", "ops@acme.example"], { env: ENV });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /test mail not sent: 127\.0\.0\.1:\d+ refused the login of cto@acme\.example/);
    assert.match(r.stderr, /535/);
    assert.match(r.stderr, /check mail\.smtp_password and mail\.smtp_username/);
    assert.equal(server.received.length, 0);
    assertNoPassword(r);
  });

  it("a refused recipient: exit 1, says the recipient was refused", async () => {
    server = await TestSmtpServer.start({ refuseRecipients: true });
    write(config(mailBlock(server.port)));
    const r = await box.run(["doctor", "--mail-test", "nobody@acme.example"], { env: ENV });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /refused the recipient/);
    assert.match(r.stderr, /550/);
    assertNoPassword(r);
  });

  it("a port nothing listens on: exit 1, could not connect, check mail.smtp_port", async () => {
    const closed = await TestSmtpServer.start();
    const port = closed.port;
    await closed.stop();
    write(config(mailBlock(port)));
    const r = await box.run(["doctor", "--mail-test", "ops@acme.example"], { env: ENV });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(
      r.stderr,
      new RegExp(`could not connect to 127\\.0\\.0\\.1:${port}: nothing accepts connections there`),
    );
    assert.match(r.stderr, /check mail\.smtp_host and mail\.smtp_port/);
    assertNoPassword(r);
  });

  it("STARTTLS required (the default on 587-style ports) but not offered: exit 1, names mail.smtp_tls", async () => {
    server = await TestSmtpServer.start();
    write(config(mailBlock(server.port, "")));
    const r = await box.run(["doctor", "--mail-test", "ops@acme.example"], { env: ENV });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /TLS with 127\.0\.0\.1:\d+ failed/);
    assert.match(r.stderr, /mail\.smtp_tls/);
    assert.equal(server.received.length, 0, "nothing may be sent in clear when STARTTLS is required");
    assert.ok(!server.transcript.some((l) => l.startsWith("AUTH")), "the login was sent without TLS");
    assertNoPassword(r);
  });

  it("bad input exits 2 and sends nothing: not an address; mail notifications off", async () => {
    server = await TestSmtpServer.start();
    write(config(mailBlock(server.port)));
    const bad = await box.run(["doctor", "--mail-test", "not-an-address"], { env: ENV });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /"not-an-address" is not an email address/);

    write(config(mailBlock(server.port), ""));
    const off = await box.run(["doctor", "--mail-test", "ops@acme.example"], { env: ENV });
    assert.equal(off.code, 2, off.stdout + off.stderr);
    assert.match(off.stderr, /mail notifications are off in environment dev/);
    assert.match(off.stderr, /features\.mail_notifications: true/);
    assert.equal(server.received.length, 0);
    assert.equal(server.transcript.length, 0);
  });
});
