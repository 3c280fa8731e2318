// Hostile input against POST /users and the HTTP server around it: broken
// multipart and JSON, huge and odd values, look-alike identifiers, oversized
// headers and slow clients. Each gets a clear 4xx and the process stays up.
import http from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";
import bcrypt from "bcrypt";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "@svc/telemetry";
import { startApi } from "../src/listen";
import { createTestApi, uniqueSuffix, type TestApi } from "../../../test/support/harness";
import { solid } from "../../../test/support/images";

let api: TestApi;
let heapBefore = 0;
beforeAll(async () => {
  api = await createTestApi();
  heapBefore = process.memoryUsage().heapUsed;
});
afterAll(() => api.close());

const STRONG = "Correct-Horse-9";
const email = () => `hostile.${uniqueSuffix()}@example.com`;
const BOUNDARY = "----hostile-boundary-7MA4YWxkTrZu0gW";

type Part = { name: string; value: string | Buffer; filename?: string; type?: string };

/** A multipart/form-data body built by hand, so it can be as wrong as a test needs. */
function multipart(parts: Part[], boundary = BOUNDARY, close = true): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const disposition = part.filename
      ? `form-data; name="${part.name}"; filename="${part.filename}"`
      : `form-data; name="${part.name}"`;
    const type = part.type ?? (part.filename ? "application/octet-stream" : undefined);
    chunks.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n${type ? `Content-Type: ${type}\r\n` : ""}\r\n`),
      Buffer.isBuffer(part.value) ? part.value : Buffer.from(part.value, "utf8"),
      Buffer.from("\r\n"),
    );
  }
  if (close) chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

const postRaw = (body: Buffer | string, contentType?: string) => {
  const req = request(api.app).post("/users").set("Authorization", api.auth);
  if (contentType !== undefined) req.set("Content-Type", contentType);
  // As is: superagent would otherwise serialise a Buffer sent as JSON into {"type":"Buffer",…}.
  return req.serialize((raw: Buffer | string) => raw as string).send(body);
};
const postMultipart = (parts: Part[], boundary = BOUNDARY) =>
  postRaw(multipart(parts, boundary), `multipart/form-data; boundary=${boundary}`);
const postJson = (body: unknown) => postRaw(JSON.stringify(body), "application/json");
const post = (fields: Record<string, string>) =>
  postMultipart(Object.entries(fields).map(([name, value]) => ({ name, value })));

/** SPEC 7's error body, with the status a client can act on. */
function expectError(res: request.Response, status: number, code?: string) {
  expect(res.status, res.text).toBe(status);
  expect(res.headers["content-type"]).toMatch(/application\/json/);
  expect(res.body).toEqual({ message: expect.any(String), errors: expect.any(Array), request_id: expect.any(String) });
  expect(res.body.message).toBe(res.body.errors[0].message);
  if (code) expect(res.body.errors.map((e: { code: string }) => e.code)).toContain(code);
}
const params = (res: request.Response) => (res.body.errors as { param?: string }[]).map((e) => e.param);

async function stillServing() {
  await request(api.app).get("/users?limit=1").set("Authorization", api.auth).expect(200);
}

describe("multipart that is malformed or cut short", () => {
  const whole = () => multipart([{ name: "email_address", value: email() }, { name: "password", value: STRONG }]);

  it.each([
    ["cut inside a value", (b: Buffer) => b.subarray(0, b.indexOf("@") + 3)],
    ["cut inside the part headers", (b: Buffer) => b.subarray(0, b.indexOf("Disposition") + 5)],
    ["cut right after the first boundary", (b: Buffer) => b.subarray(0, BOUNDARY.length + 4)],
    ["without its closing boundary", (b: Buffer) => b.subarray(0, b.lastIndexOf(`--${BOUNDARY}--`))],
    ["with a part header that is not a header", () => Buffer.from(`--${BOUNDARY}\r\nnot a header at all\r\n\r\nx\r\n--${BOUNDARY}--\r\n`)],
  ])("answers 400 for a body %s", async (_, cut) => {
    expectError(await postRaw(cut(whole()), `multipart/form-data; boundary=${BOUNDARY}`), 400, "malformed_request");
  });

  it("answers 400 when the body never mentions the declared boundary", async () => {
    const res = await postRaw(whole(), "multipart/form-data; boundary=another-boundary");
    expectError(res, 400, "malformed_request");
  });

  it("answers 400 for multipart without a boundary parameter", async () => {
    expectError(await postRaw(whole(), "multipart/form-data"), 400, "malformed_request");
  });

  it("answers 400 for a boundary of 10,000 characters that the body does not close", async () => {
    const boundary = "b".repeat(10_000);
    const body = multipart([{ name: "email_address", value: email() }], boundary, false);
    expectError(await postRaw(body, `multipart/form-data; boundary=${boundary}`), 400, "malformed_request");
  });

  it("refuses thousands of fields with 413 before reading them all", async () => {
    const parts = Array.from({ length: 5000 }, (_, i) => ({ name: `f${i}`, value: "x" }));
    expectError(await postMultipart(parts), 413, "request_too_large");
  });

  it("refuses thousands of JSON members the same way", async () => {
    const body = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`f${i}`, "x"]));
    expectError(await postJson(body), 413, "request_too_large");
  });

  it("refuses a 1 MiB field value naming the field (multipart) and a 1 MiB JSON body (413)", async () => {
    const huge = "a".repeat(1024 * 1024);
    const res = await postMultipart([{ name: "email_address", value: email() }, { name: "first_name", value: huge }]);
    expectError(res, 422, "form_param_length_too_long");
    expect(params(res)).toEqual(["first_name"]);
    expectError(await postJson({ email_address: email(), first_name: huge }), 413, "request_too_large");
  });

  it("refuses a file part in a text field, and file parts in every field", async () => {
    const one = await postMultipart([
      { name: "email_address", value: email(), filename: "email.txt" },
      { name: "password", value: STRONG },
    ]);
    expectError(one, 422);
    expect(params(one)).toContain("email_address");

    const every = ["first_name", "last_name", "email_address", "phone_number", "username", "password", "skip_password_check", "profile_image"];
    const res = await postMultipart(every.map((name) => ({ name, value: "x", filename: `${name}.bin` })));
    expectError(res, 422);
    expect(await api.context.db.user.count({ where: { deploymentId: api.deploymentId, firstName: "x" } })).toBe(0);
  });

  it("refuses two images and an image under an unknown name", async () => {
    const jpeg = await solid(32, 32).jpeg().toBuffer();
    const two = await postMultipart([
      { name: "email_address", value: email() },
      { name: "password", value: STRONG },
      { name: "profile_image", value: jpeg, filename: "a.jpg", type: "image/jpeg" },
      { name: "profile_image", value: jpeg, filename: "b.jpg", type: "image/jpeg" },
    ]);
    expectError(two, 422, "form_param_duplicate");
    const unknown = await postMultipart([
      { name: "email_address", value: email() },
      { name: "password", value: STRONG },
      { name: "avatar", value: jpeg, filename: "a.jpg", type: "image/jpeg" },
    ]);
    expectError(unknown, 422, "form_param_unknown");
  });
});

describe("content types and JSON shapes", () => {
  const json = JSON.stringify({ email_address: "ct@example.com", password: STRONG });

  it.each([
    ["none", undefined],
    ["text/plain", "text/plain"],
    ["a form-urlencoded body", "application/x-www-form-urlencoded"],
    ["XML", "application/xml"],
    ["multipart/mixed", `multipart/mixed; boundary=${BOUNDARY}`],
    ["an image", "image/jpeg"],
  ])("answers 415 for content type %s", async (_, type) => {
    expectError(await postRaw(json, type), 415, "unsupported_media_type");
  });

  it("answers 415 for JSON in a charset it does not read", async () => {
    expectError(await postRaw(json, "application/json; charset=koi8-r"), 415, "unsupported_media_type");
  });

  it("reads JSON in UTF-16 when its charset says so, and answers 400 when it does not", async () => {
    const utf16 = Buffer.from(JSON.stringify({ email_address: email(), password: STRONG }), "utf16le");
    expect((await postRaw(utf16, "application/json; charset=utf-16le")).status).toBe(201);
    expectError(await postRaw(utf16, "application/json"), 400, "malformed_request");
  });

  it("answers 400 when the body does not match its declared type", async () => {
    expectError(await postRaw(multipart([{ name: "email_address", value: email() }]), "application/json"), 400, "malformed_request");
    expectError(await postRaw(json, `multipart/form-data; boundary=${BOUNDARY}`), 400, "malformed_request");
  });

  it.each([
    ["an array", "[1, 2, 3]"],
    ["null", "null"],
    ["a number", "42"],
    ["a string", '"ada@example.com"'],
    ["true", "true"],
  ])("answers 400 for a JSON body that is %s", async (_, body) => {
    expectError(await postRaw(body, "application/json"), 400, "malformed_request");
  });

  it("reads an empty JSON body as no fields: a 422 naming the required ones", async () => {
    const res = await postRaw("", "application/json");
    expectError(res, 422, "form_param_missing");
    expect(params(res)).toEqual(["email_address", "password"]);
  });

  it("answers 4xx for JSON nested 20,000 levels deep, as an object or an array", async () => {
    const depth = 20_000;
    const objects = `${'{"first_name":'.repeat(depth)}"x"${"}".repeat(depth)}`;
    const arrays = `${"[".repeat(depth)}${"]".repeat(depth)}`;
    for (const body of [objects, arrays]) {
      const res = await postRaw(body, "application/json");
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expectError(res, res.status);
    }
    const inField = await postJson({ email_address: email(), password: STRONG, first_name: { a: { b: { c: [1] } } } });
    expectError(inField, 422, "form_param_format_invalid");
    expect(params(inField)).toEqual(["first_name"]);
  });
});

describe("bytes that are not text", () => {
  const fields = ["first_name", "last_name", "email_address", "phone_number", "username", "password"] as const;
  const invalidUtf8 = Buffer.from([0x41, 0xff, 0xfe, 0xc3, 0x28, 0x42]); // A, two stray bytes, a broken pair, B

  it.each(fields)("refuses invalid UTF-8 in %s (multipart) with a 422 naming it", async (field) => {
    const parts: Part[] = [
      { name: "email_address", value: email() },
      { name: "password", value: STRONG },
    ].filter((p) => p.name !== field);
    parts.push({ name: field, value: Buffer.concat([Buffer.from("Valid-1"), invalidUtf8]) });
    const res = await postMultipart(parts);
    expectError(res, 422);
    expect(params(res)).toContain(field);
  });

  it("refuses invalid UTF-8 inside a JSON string with a 4xx", async () => {
    const body = Buffer.concat([
      Buffer.from(`{"email_address":"${email()}","password":"${STRONG}","first_name":"`),
      invalidUtf8,
      Buffer.from('"}'),
    ]);
    const res = await postRaw(body, "application/json");
    expect([400, 422]).toContain(res.status);
    expectError(res, res.status);
  });

  it("refuses lone surrogates in a password rather than hashing a replacement character", async () => {
    const res = await postJson({ email_address: email(), password: `${STRONG}\ud800` });
    expectError(res, 422);
    expect(params(res)).toEqual(["password"]);
  });

  it.each(fields)("refuses a NUL byte in %s with a 422 naming it", async (field) => {
    const values: Record<string, string> = { email_address: email(), password: STRONG };
    values[field] = field === "email_address" ? `a\u0000b@example.com` : `Valid-1\u0000x`;
    for (const res of [await post(values), await postJson(values)]) {
      expectError(res, 422);
      expect(params(res)).toContain(field);
    }
  });

  it("answers 404, not 500, for user ids holding NUL, invalid UTF-8 or 10,000 characters", async () => {
    for (const id of ["user_%00", "%FF%FE", "user_\u0000x", "x".repeat(10_000)]) {
      const res = await request(api.app).get(`/users/${id.replace("\u0000", "%00")}`).set("Authorization", api.auth);
      expect([400, 404]).toContain(res.status);
      expectError(res, res.status);
    }
  });
});

describe("values too long, and scripts and SQL in every field", () => {
  it("refuses 10,000 characters in every field, each named in one 422", async () => {
    const long = "a".repeat(10_000);
    const res = await post({
      first_name: long,
      last_name: long,
      email_address: `${long}@example.com`,
      phone_number: `+1${"4".repeat(10_000)}`,
      username: long,
      password: long,
    });
    expectError(res, 422);
    expect(new Set(params(res))).toEqual(
      new Set(["first_name", "last_name", "email_address", "phone_number", "username", "password"]),
    );
  });

  const payloads = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'; DROP TABLE users; --",
    "Robert'); DELETE FROM user_email_addresses WHERE ('1'='1",
    "1 OR 1=1",
    "${7*7}{{7*7}}",
    "../../../../etc/passwd",
  ];

  it.each(payloads)("stores %j in names as plain text and refuses it in identifiers", async (payload) => {
    const before = await api.context.db.userEmailAddress.count();
    const named = await post({ email_address: email(), password: STRONG, first_name: payload, last_name: payload }).expect(201);
    expect(named.body).toMatchObject({ first_name: payload, last_name: payload });
    expect(named.headers["content-type"]).toMatch(/application\/json/);
    const read = await request(api.app).get(`/users/${named.body.id}`).set("Authorization", api.auth).expect(200);
    expect(read.body.first_name).toBe(payload);

    const res = await post({
      email_address: payload,
      phone_number: `+14155552671${payload}`,
      username: payload,
      password: STRONG,
    });
    expectError(res, 422);
    expect(new Set(params(res))).toEqual(new Set(["email_address", "phone_number", "username"]));
    // Nothing ran: the tables are there and only the one user was added.
    expect(await api.context.db.userEmailAddress.count()).toBeGreaterThanOrEqual(before + 1);
  });

  it("uses a SQL payload as a password, hashed like any other", async () => {
    const password = "x'); DROP TABLE users;--A1";
    const res = await post({ email_address: email(), password }).expect(201);
    const row = await api.context.db.user.findUniqueOrThrow({ where: { id: res.body.id } });
    expect(await bcrypt.compare(password, row.passwordHash as string)).toBe(true);
  });
});

describe("look-alike identifiers and Unicode normalisation", () => {
  it.each([
    ["Cyrillic a", "\u0430da@example.com"],
    ["Greek omicron", "b\u03bfb@example.com"],
    ["full-width letters", "\uff41\uff44\uff41@example.com"],
    ["Kelvin sign (lower-cases to k)", "\u212aelvin@example.com"],
    ["a zero-width space", "ada\u200b@example.com"],
    ["a combining accent", "ade\u0301@example.com"],
    ["an IDN domain not in punycode", "ada@ex\u00e4mple.com"],
    ["a right-to-left override", "ada\u202e@example.com"],
  ])("refuses an email address with %s", async (_, address) => {
    const res = await post({ email_address: address, password: STRONG });
    expectError(res, 422, "form_param_format_invalid");
    expect(params(res)).toEqual(["email_address"]);
  });

  it("accepts an internationalised domain in punycode and clashes on case", async () => {
    const local = `ada.${uniqueSuffix()}`;
    await post({ email_address: `${local}@xn--exmple-cua.com`, password: STRONG }).expect(201);
    const clash = await post({ email_address: `${local.toUpperCase()}@XN--EXMPLE-CUA.COM`, password: STRONG });
    expectError(clash, 409, "form_identifier_exists");
  });

  it.each([
    ["Cyrillic a", "\u0430dmin"],
    ["full-width letters", "\uff41\uff44\uff4d\uff49\uff4e"],
    ["a dotless i", "adm\u0131n"],
    ["a zero-width joiner", "ad\u200dmin"],
    ["a ligature", "\ufb01nance"],
  ])("refuses a username with %s", async (_, username) => {
    const res = await post({ email_address: email(), password: STRONG, username });
    expectError(res, 422, "form_param_format_invalid");
    expect(params(res)).toEqual(["username"]);
  });

  it("treats usernames differing only in case as one", async () => {
    const name = `Admin_${uniqueSuffix()}`;
    await post({ email_address: email(), password: STRONG, username: name }).expect(201);
    expectError(await post({ email_address: email(), password: STRONG, username: name.toUpperCase() }), 409, "form_identifier_exists");
  });

  it("stores names in NFC: a decomposed é comes back composed", async () => {
    const res = await post({ email_address: email(), password: STRONG, first_name: "Jose\u0301", last_name: "Zoe\u0308" }).expect(201);
    expect(res.body.first_name).toBe("Jos\u00e9");
    expect(res.body.last_name).toBe("Zo\u00eb");
  });

  it("refuses bidirectional overrides that make a name display as something else", async () => {
    const res = await post({ email_address: email(), password: STRONG, first_name: "Ada \u202egnp.exe" });
    expectError(res, 422, "form_param_format_invalid");
    expect(params(res)).toEqual(["first_name"]);
  });

  it("hashes the NFKC form of a password, so its compatibility forms are one password", async () => {
    const res = await post({ email_address: email(), password: "Of\ufb01ce-Key-7" }).expect(201);
    const row = await api.context.db.user.findUniqueOrThrow({ where: { id: res.body.id } });
    expect(await bcrypt.compare("Office-Key-7", row.passwordHash as string)).toBe(true);
  });
});

describe("phone numbers", () => {
  // One number in the formats people write it: the first is created, every other form is the same number.
  const sameNumber = [
    "+1 415 234 5678",
    "+14152345678",
    "+1 (415) 234-5678",
    "+1-415-234-5678",
    "+1.415.234.5678",
    "  +1 415 234 5678  ",
    "+1 415/234-5678",
  ];

  it("stores every common format of one number as one E.164 number", async () => {
    const own = await createTestApi();
    try {
      const send = (phone: string) =>
        request(own.app)
          .post("/users")
          .set("Authorization", own.auth)
          .field("email_address", email())
          .field("password", STRONG)
          .field("phone_number", phone);
      const first = await send(sameNumber[0] as string).expect(201);
      expect(first.body.primary_phone_number).toBe("+14152345678");
      for (const phone of sameNumber.slice(1)) {
        const res = await send(phone);
        expectError(res, 409, "form_identifier_exists");
        expect(params(res)).toEqual(["phone_number"]);
      }
    } finally {
      await own.close();
    }
  });

  it.each([
    ["+44 20 7946 0958", "+442079460958"],
    ["+44 (0)20 7946 0958", "+442079460958"],
    ["+49 30 901820", "+4930901820"],
    ["+33 1 42 68 53 00", "+33142685300"],
    ["+91 98765 43210", "+919876543210"],
    ["+81 3-1234-5678", "+81312345678"],
    ["+61 2 9374 4000", "+61293744000"],
    ["+55 11 91234-5678", "+5511912345678"],
  ])("accepts %s as %s", async (phone, e164) => {
    const own = await createTestApi();
    try {
      const res = await request(own.app)
        .post("/users")
        .set("Authorization", own.auth)
        .send({ email_address: email(), password: STRONG, phone_number: phone })
        .expect(201);
      expect(res.body.primary_phone_number).toBe(e164);
    } finally {
      await own.close();
    }
  });

  it("reads national formats with the deployment's default country", async () => {
    const own = await createTestApi();
    try {
      await request(own.app).patch("/settings/auth").set("Authorization", own.auth).send({ phone_number: { default_country: "US" } }).expect(200);
      const send = (phone: string) =>
        request(own.app).post("/users").set("Authorization", own.auth).send({ email_address: email(), password: STRONG, phone_number: phone });
      for (const [phone, e164] of [
        ["(212) 234-0001", "+12122340001"],
        ["212-234-0002", "+12122340002"],
        ["2122340003", "+12122340003"],
        ["1-212-234-0004", "+12122340004"],
        ["011 44 20 7946 0958", "+442079460958"],
      ] as const) {
        const res = await send(phone);
        expect(res.status, `${phone}: ${res.text}`).toBe(201);
        expect(res.body.primary_phone_number).toBe(e164);
      }
    } finally {
      await own.close();
    }
  });

  it.each([
    ["too short", "+1 415 234 567"],
    ["an unknown country code", "+999 123 4567"],
    ["no country code and no default country", "4152345678"],
    ["two plus signs", "++14152345678"],
    ["letters (vanity number)", "+1 800 FLOWERS"],
    ["an extension, which E.164 cannot keep", "+1 415 234 5678 ext. 123"],
    ["a tel: URI", "tel:+1-415-234-5678"],
    ["words around the number", "call me at +1 415 234 5678 please"],
    ["SQL after the number", "+14152345678'; DROP TABLE users;--"],
    ["a zero-width space", "+1\u200b4152345678"],
    ["full-width digits", "\uff0b\uff11 \uff14\uff11\uff15 \uff12\uff13\uff14 \uff15\uff16\uff17\uff18"],
    ["two numbers", "+1 415 234 5678 / +1 415 234 5679"],
    ["200 digits", `+1${"5".repeat(200)}`],
  ])("refuses a phone number with %s", async (_, phone) => {
    const res = await post({ email_address: email(), password: STRONG, phone_number: phone });
    expectError(res, 422, "form_param_format_invalid");
    expect(params(res)).toEqual(["phone_number"]);
  });
});

/** Talks HTTP/1.1 over a raw socket, to send what no HTTP client would. */
function rawExchange(
  port: number,
  send: (socket: net.Socket) => void,
  timeoutMs: number,
): Promise<{ response: string; closedAfterMs: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = net.connect(port, "127.0.0.1");
    let response = "";
    const guard = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept the connection open for ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on("data", (chunk) => (response += chunk.toString("latin1")));
    socket.on("error", () => undefined); // a reset is one way of being cut off
    socket.on("close", () => {
      clearTimeout(guard);
      resolve({ response, closedAfterMs: Date.now() - started });
    });
    socket.on("connect", () => send(socket));
  });
}

/** Writes `chunks` one by one every `everyMs` until the socket closes. */
function dribble(socket: net.Socket, chunks: () => string, everyMs: number) {
  const timer = setInterval(() => {
    if (socket.destroyed) clearInterval(timer);
    else socket.write(chunks());
  }, everyMs);
  socket.on("close", () => clearInterval(timer));
}

describe("the HTTP server under oversized headers and slow clients", () => {
  // The same Node server options listen.ts uses, with limits short enough for a test.
  const HEADERS_TIMEOUT_MS = 600;
  const REQUEST_TIMEOUT_MS = 1500;
  let server: http.Server;
  let port: number;
  beforeAll(async () => {
    server = http.createServer(
      { headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS, connectionsCheckingInterval: 100 },
      api.app,
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it("answers 431 to 64 KiB of headers and keeps serving", async () => {
    const { response } = await rawExchange(
      port,
      (s) => s.write(`GET /users HTTP/1.1\r\nHost: x\r\nAuthorization: ${api.auth}\r\nX-Big: ${"a".repeat(64 * 1024)}\r\n\r\n`),
      5000,
    );
    expect(response).toMatch(/^HTTP\/1\.1 431 /);
    const res = await fetch(`http://127.0.0.1:${port}/users?limit=1`, { headers: { Authorization: api.auth } });
    expect(res.status).toBe(200);
  });

  it("answers 431 to a 20,000-character URL", async () => {
    const { response } = await rawExchange(port, (s) => s.write(`GET /users/${"u".repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`), 5000);
    expect(response).toMatch(/^HTTP\/1\.1 431 /);
  });

  it("cuts off a client that dribbles its headers (slowloris)", async () => {
    const { response, closedAfterMs } = await rawExchange(
      port,
      (s) => {
        s.write("POST /users HTTP/1.1\r\nHost: x\r\n");
        let n = 0;
        dribble(s, () => `X-Slow-${n++}: a\r\n`, 50);
      },
      10_000,
    );
    expect(closedAfterMs).toBeLessThan(HEADERS_TIMEOUT_MS + 1000);
    expect(response === "" || /^HTTP\/1\.1 408 /.test(response)).toBe(true);
  });

  it("cuts off a connection that never sends a byte", async () => {
    const { closedAfterMs } = await rawExchange(port, () => undefined, 10_000);
    expect(closedAfterMs).toBeLessThan(HEADERS_TIMEOUT_MS + 1000);
  });

  it("cuts off a multipart body whose boundary never comes, dribbled byte by byte", async () => {
    const { response, closedAfterMs } = await rawExchange(
      port,
      (s) => {
        s.write(
          `POST /users HTTP/1.1\r\nHost: x\r\nAuthorization: ${api.auth}\r\n` +
            `Content-Type: multipart/form-data; boundary=${BOUNDARY}\r\nTransfer-Encoding: chunked\r\n\r\n`,
        );
        const head = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="first_name"\r\n\r\n`;
        s.write(`${head.length.toString(16)}\r\n${head}\r\n`);
        dribble(s, () => "1\r\na\r\n", 50);
      },
      10_000,
    );
    expect(closedAfterMs).toBeLessThan(REQUEST_TIMEOUT_MS + 1000);
    expect(response === "" || /^HTTP\/1\.1 408 /.test(response)).toBe(true);
    await request(api.app).get("/healthz").expect(200);
  });

  it("survives a client that sends half a multipart body and disappears", async () => {
    await rawExchange(
      port,
      (s) => {
        const body = multipart([{ name: "email_address", value: email() }], BOUNDARY, false);
        s.write(
          `POST /users HTTP/1.1\r\nHost: x\r\nAuthorization: ${api.auth}\r\n` +
            `Content-Type: multipart/form-data; boundary=${BOUNDARY}\r\nContent-Length: ${body.length * 10}\r\n\r\n`,
        );
        s.write(body);
        setTimeout(() => s.destroy(), 100);
      },
      5000,
    );
    const res = await fetch(`http://127.0.0.1:${port}/users?limit=1`, { headers: { Authorization: api.auth } });
    expect(res.status).toBe(200);
  });
});

describe("the real server's limits (listen.ts)", () => {
  it("sets header and request timeouts and checks them often enough to matter", async () => {
    const config = api.config;
    const running = await startApi(
      { ...config, http: { ...config.http, host: "127.0.0.1", port: 0 } },
      createLogger({ level: "silent", pretty: false, name: "api" }),
      config.storage.endpoint as string,
    );
    try {
      const { server } = running;
      expect(server.headersTimeout).toBeGreaterThan(0);
      expect(server.headersTimeout).toBeLessThanOrEqual(10_000);
      expect(server.requestTimeout).toBeGreaterThan(0);
      expect(server.requestTimeout).toBeLessThanOrEqual(60_000);
      // Node enforces both only when it checks its connections; at the default
      // 30 s a slowloris client holds a socket for up to headersTimeout + 30 s.
      // (A public property that @types/node does not declare.)
      const checkingInterval = (server as typeof server & { connectionsCheckingInterval: number }).connectionsCheckingInterval;
      expect(checkingInterval).toBeLessThanOrEqual(1000);
    } finally {
      await running.stop();
    }
  });
});

describe("after the whole corpus", () => {
  it("still serves, and its heap has not grown without bound", async () => {
    await stillServing();
    await request(api.app).get("/healthz").expect(200);
    const grown = process.memoryUsage().heapUsed - heapBefore;
    expect(grown).toBeLessThan(256 * 1024 * 1024);
  });
});
