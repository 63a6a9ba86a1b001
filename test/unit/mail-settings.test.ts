/**
 * Mail notifications end to end in the plan and the render: cto.yaml's mail: block becomes
 * `Plan.mail` (TLS mode from the port unless set, login defaulting to the from-address), the
 * controller's config.yaml carries host, port, TLS mode, login and from-address under
 * notifications.mail with the password as a reference to the smtp Secret (never the value), the
 * Deployment gets SMTP_PASSWORD from that Secret, and render's README says where. Also the
 * classification and scrubbing of SMTP failures (stacks/mail-test.ts).
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parse } from "yaml";
import { parseConfigText } from "../../config/load.js";
import { loadCatalog, type Catalog } from "../../profiles/load.js";
import type { MailPlan } from "../../profiles/plan.js";
import { resolvePlan } from "../../profiles/resolve.js";
import { classifyMailError, scrub, transportOptions } from "../../stacks/mail-test.js";
import { renderPlatform } from "../../templates/render.js";
import { renderFiles } from "../../templates/to-directory.js";
import { acmeConfigYaml } from "../helpers/acme-config.js";

const PASSWORD = "pw-unit-Zq8-secret";

const config = (mail: string, features = "features:\n  mail_notifications: true\n") =>
  acmeConfigYaml({ tail: `${features}${mail}` });

describe("mail notifications: plan and render", () => {
  let catalog: Catalog;
  let tmp: string;
  before(async () => {
    catalog = await loadCatalog();
    tmp = await mkdtemp(path.join(os.tmpdir(), "cto-mail-"));
  });
  after(() => rm(tmp, { recursive: true, force: true }));

  const resolve = (text: string) =>
    resolvePlan(
      parseConfigText(text, "cto.yaml", { env: { SMTP_PW: PASSWORD } }),
      { environment: "dev", home: path.join(tmp, "home"), baseDir: tmp, env: { HOME: tmp } },
      catalog,
    );
  const render = async (text: string) => {
    const { plan } = await resolve(text);
    return { plan, rendered: renderPlatform(plan, { env: {}, randomStore: { "installation-id": "abcdefabcdef" } }) };
  };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read deep into rendered YAML
  const object = (objects: any[], kind: string, name: string): any => {
    const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
    assert.ok(found, `${kind}/${name} is rendered`);
    return found;
  };

  it("the plan's mail settings: TLS from the port unless smtp_tls is set, login defaulting to from", async () => {
    const base = "mail:\n  smtp_host: smtp.acme.example\n  from: cto@acme.example\n";
    const cases: [string, Partial<MailPlan>][] = [
      ["", { port: 587, tls: "starttls", username: "cto@acme.example", hasPassword: false }],
      ["  smtp_port: 465\n", { port: 465, tls: "tls" }],
      ["  smtp_port: 25\n  smtp_tls: none\n", { port: 25, tls: "none" }],
      ["  smtp_port: 2465\n  smtp_tls: tls\n  smtp_username: relay\n", { tls: "tls", username: "relay" }],
      ["  smtp_password: ${SMTP_PW}\n", { hasPassword: true }],
    ];
    for (const [extra, want] of cases) {
      const { plan, secrets } = await resolve(config(base + extra));
      assert.ok(plan.mail, extra);
      for (const [key, value] of Object.entries(want)) assert.equal(plan.mail[key as keyof MailPlan], value, extra);
      assert.equal(plan.mail.host, "smtp.acme.example");
      assert.equal(plan.mail.from, "cto@acme.example");
      assert.ok(!JSON.stringify(plan).includes(PASSWORD), "the password is not in the plan");
      if (extra.includes("smtp_password")) assert.equal(secrets["mail.smtp_password"], PASSWORD);
    }
    const off = await resolve(config(base + "  smtp_password: ${SMTP_PW}\n", ""));
    assert.equal(off.plan.mail, undefined, "no mail settings with the feature off");
  });

  it("an unknown smtp_tls is refused with the allowed values", async () => {
    await assert.rejects(
      async () => resolve(config("mail:\n  smtp_host: h.example\n  from: a@b.example\n  smtp_tls: ssl\n")),
      /mail\.smtp_tls[\s\S]*starttls[\s\S]*tls[\s\S]*none/,
    );
  });

  it("config.yaml names host, port, TLS, login, from and the password's Secret; the Deployment reads it", async () => {
    const { rendered } = await render(
      config(
        "mail:\n  smtp_host: smtp.acme.example\n  smtp_port: 465\n  from: cto@acme.example\n  smtp_password: ${SMTP_PW}\n",
      ),
    );
    const configMap = object(rendered.platformObjects, "ConfigMap", "cto-controller-config");
    const text: string = configMap.data["config.yaml"];
    assert.ok(!text.includes(PASSWORD));
    assert.deepEqual(parse(text).notifications, {
      mail: {
        enabled: true,
        from: "cto@acme.example",
        smtp: {
          host: "smtp.acme.example",
          port: 465,
          tls: "tls",
          username: "cto@acme.example",
          passwordSecret: { name: "cto-smtp", key: "password" },
        },
      },
    });
    // The reference names a Secret cto creates, in the controller's namespace, fed by the stack secret.
    assert.deepEqual(rendered.secrets.smtp, {
      name: "cto-smtp",
      namespace: "cto",
      type: "Opaque",
      openKeys: false,
      keys: { password: "mail.smtp_password" },
    });
    const deployment = object(rendered.platformObjects, "Deployment", "cto-controller");
    const env = deployment.spec.template.spec.containers[0].env;
    assert.deepEqual(
      env.find((e: { name: string }) => e.name === "SMTP_PASSWORD"),
      { name: "SMTP_PASSWORD", valueFrom: { secretKeyRef: { name: "cto-smtp", key: "password" } } },
    );
    assert.ok(!JSON.stringify(rendered).includes(PASSWORD), "no rendered value holds the password");
  });

  it("without a password: no Secret, passwordSecret null, no SMTP_PASSWORD; with mail off: no notifications", async () => {
    const { rendered } = await render(config("mail:\n  smtp_host: relay.acme.example\n  from: cto@acme.example\n"));
    const cm = object(rendered.platformObjects, "ConfigMap", "cto-controller-config");
    assert.equal(parse(cm.data["config.yaml"]).notifications.mail.smtp.passwordSecret, null);
    assert.equal(rendered.secrets.smtp, undefined);
    const env = object(rendered.platformObjects, "Deployment", "cto-controller").spec.template.spec.containers[0].env;
    assert.ok(!env.some((e: { name: string }) => e.name === "SMTP_PASSWORD"));

    const off = await render(config("mail:\n  smtp_host: relay.acme.example\n  from: cto@acme.example\n", ""));
    const offCm = object(off.rendered.platformObjects, "ConfigMap", "cto-controller-config");
    assert.equal(parse(offCm.data["config.yaml"]).notifications, undefined);
  });

  it("a changed mail setting changes the controller's config checksum (it restarts to read it)", async () => {
    const checksum = async (host: string) => {
      const { rendered } = await render(config(`mail:\n  smtp_host: ${host}\n  from: cto@acme.example\n`));
      return object(rendered.platformObjects, "Deployment", "cto-controller").spec.template.metadata.annotations[
        "cto.dev/config-checksum"
      ];
    };
    assert.notEqual(await checksum("a.acme.example"), await checksum("b.acme.example"));
  });

  it("cto render's README says where the mail settings and the password's Secret are", async () => {
    const { plan } = await resolve(
      config("mail:\n  smtp_host: smtp.acme.example\n  from: cto@acme.example\n  smtp_password: ${SMTP_PW}\n"),
    );
    const rendered = renderPlatform(plan, { env: {}, randomStore: { "installation-id": "abcdefabcdef" } });
    const files = renderFiles(plan, rendered, { format: "helm-values", secretStore: "cto" });
    const readme = files["README.md"] ?? "";
    const section = readme.slice(readme.indexOf("## Mail notifications"), readme.indexOf("## Applying"));
    assert.match(section, /`smtp\.acme\.example:587` \(TLS: starttls\)/);
    assert.match(section, /`notifications\.mail` in\s+`platform\/configmap-cto-controller-config\.yaml`/);
    assert.match(section, /key `password` of Secret\s+`cto-smtp`/);
    assert.ok(!Object.values(files).some((f) => f.includes(PASSWORD)), "no file holds the password");

    // Without a password in cto.yaml it says so, and that a stored one is cto up's alone.
    const bare = await resolve(config("mail:\n  smtp_host: smtp.acme.example\n  from: cto@acme.example\n"));
    const bareReadme =
      renderFiles(
        bare.plan,
        renderPlatform(bare.plan, { env: {}, randomStore: { "installation-id": "abcdefabcdef" } }),
        {
          format: "helm-values",
          secretStore: "cto",
        },
      )["README.md"] ?? "";
    assert.match(bareReadme, /No password in cto\.yaml \(mail\.smtp_password\)/);
    assert.match(
      bareReadme,
      /stored with `cto secrets set mail\.smtp_password` is used by `cto up`, not by `cto render`/,
    );
  });
});

describe("mail test: failures and scrubbing", () => {
  const mail: MailPlan = {
    host: "smtp.acme.example",
    port: 587,
    tls: "starttls",
    from: "cto@acme.example",
    username: "cto@acme.example",
    hasPassword: true,
  };

  it("scrub removes the password, its base64 and AUTH PLAIN's base64", () => {
    const plain = Buffer.from(`\0cto@acme.example\0${PASSWORD}`).toString("base64");
    const text = `pw ${PASSWORD}; b64 ${Buffer.from(PASSWORD).toString("base64")}; AUTH PLAIN ${plain}; keep ZGVtby10ZXh0`;
    const out = scrub(text, PASSWORD);
    assert.ok(!out.includes(PASSWORD) && !out.includes(plain));
    assert.ok(!out.includes(Buffer.from(PASSWORD).toString("base64")));
    assert.match(out, /keep ZGVtby10ZXh0$/, "other text stays");
  });

  it("classifies connection, TLS, timeout, login and envelope failures with the key to fix", () => {
    const c = (error: object, m: MailPlan = mail) => classifyMailError(error, m, PASSWORD);
    assert.equal(c({ code: "ESOCKET", message: "connect ECONNREFUSED 10.0.0.1:587" }).kind, "connect");
    assert.match(c({ code: "EDNS", message: "getaddrinfo ENOTFOUND smtp.acme.example" }).message, /does not resolve/);
    const tls = c({ code: "ETLS", message: "Server does not support STARTTLS" });
    assert.equal(tls.kind, "tls");
    assert.match(tls.fix, /mail\.smtp_tls: tls/);
    assert.match(c({ code: "ESOCKET", message: "wrong version number" }, { ...mail, tls: "tls" }).fix, /starttls/);
    assert.equal(c({ code: "ETIMEDOUT", message: "Greeting never received" }).kind, "timeout");
    const login = c({ code: "EAUTH", responseCode: 535, message: `Invalid login: 535 bad ${PASSWORD}` });
    assert.equal(login.kind, "login");
    assert.ok(!login.message.includes(PASSWORD));
    assert.match(
      classifyMailError({ code: "EAUTH", responseCode: 530 }, mail, undefined).fix,
      /set mail\.smtp_password/,
    );
    assert.equal(c({ code: "EENVELOPE", command: "RCPT TO", message: "550 no" }).kind, "recipient");
    assert.equal(c({ code: "EENVELOPE", command: "MAIL FROM", message: "553 no" }).kind, "sender");
  });

  it("the TLS mode decides nodemailer's secure / requireTLS / ignoreTLS; no auth without a password", () => {
    const pick = (o: ReturnType<typeof transportOptions>) => [o.secure, o.requireTLS, o.ignoreTLS];
    assert.deepEqual(pick(transportOptions({ ...mail, tls: "tls" }, "p", 1000)), [true, false, false]);
    assert.deepEqual(pick(transportOptions(mail, "p", 1000)), [false, true, false]);
    assert.deepEqual(pick(transportOptions({ ...mail, tls: "none" }, "p", 1000)), [false, false, true]);
    assert.deepEqual(transportOptions(mail, "p", 1000).auth, { user: "cto@acme.example", pass: "p" });
    assert.equal("auth" in transportOptions(mail, undefined, 1000), false);
  });
});
