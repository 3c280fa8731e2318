// Wire compatibility with @wacht/backend's users.createUser: the exact FormData it
// builds, sent the way its client sends it (global fetch to a listening server,
// no Content-Type of its own), and the top-level `message` its error parser reads.
import { once } from "node:events";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { userResourceSchema } from "@svc/users";
import { createTestApi, uniqueSuffix, type TestApi } from "../../../test/support/harness";
import { solidAs } from "../../../test/support/images";
import { SPEC_4_USER_KEYS } from "../../../test/support/spec";

/** @wacht/backend's CreateUserRequest. */
interface WachtCreateUserRequest {
  first_name: string;
  last_name: string;
  email_address?: string;
  phone_number?: string;
  username?: string;
  password?: string;
  skip_password_check?: boolean;
  profile_image?: File;
}

/** Built as Wacht's createUser builds it: names always, the rest when present, the flag as text. */
function wachtForm(request: WachtCreateUserRequest): FormData {
  const formData = new FormData();
  formData.append("first_name", request.first_name);
  formData.append("last_name", request.last_name);
  if (request.email_address) formData.append("email_address", request.email_address);
  if (request.phone_number) formData.append("phone_number", request.phone_number);
  if (request.username) formData.append("username", request.username);
  if (request.password) formData.append("password", request.password);
  formData.append("skip_password_check", (request.skip_password_check ?? false).toString());
  if (request.profile_image) formData.append("profile_image", request.profile_image);
  return formData;
}

/** Wacht's parseApiError: the message is the body's top-level `message`. */
const wachtErrorMessage = (data: unknown) => (data as { message?: string }).message || "An error occurred";


let api: TestApi;
let server: Server;
let baseUrl: string;
beforeAll(async () => {
  api = await createTestApi();
  server = api.app.listen(0, "127.0.0.1");
  await once(server, "listening");
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await api?.close();
});

const send = (body: FormData) =>
  fetch(`${baseUrl}/users`, { method: "POST", headers: { Authorization: api.auth }, body });

describe("@wacht/backend users.createUser", () => {
  it('gets a 201 with SPEC 4\'s body for every field, skip_password_check "false" and a profile image', async () => {
    const address = `wacht.${uniqueSuffix()}@example.com`;
    const username = `wacht_${uniqueSuffix()}`;
    const local = String(1000 + Math.floor(Math.random() * 8999));
    const image = new File([await solidAs("png")], "avatar.png", { type: "image/png" });
    const res = await send(
      wachtForm({
        first_name: "Ada",
        last_name: "Lovelace",
        email_address: address,
        phone_number: `+1 415 555 ${local}`,
        username,
        password: "Correct-Horse-9",
        skip_password_check: false,
        profile_image: image,
      }),
    );

    expect(res.status).toBe(201);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const body = (await res.json()) as Record<string, unknown>;
    expect(res.headers.get("location")).toBe(`/users/${body.id}`);
    expect(Object.keys(body).sort()).toEqual(SPEC_4_USER_KEYS);
    expect(userResourceSchema.strict().parse(body)).toMatchObject({
      first_name: "Ada",
      last_name: "Lovelace",
      username,
      primary_email_address: address,
      primary_phone_number: `+1415555${local}`,
      profile_picture_url: "",
      profile_image_status: "pending",
    });
    expect(body.id).toMatch(/^user_[0-9a-z]{26}$/);
    expect(body.created_at).toBe(body.updated_at);
  });

  it('accepts the empty names it always sends, and skip_password_check "true" without a password', async () => {
    const res = await send(
      wachtForm({
        first_name: "",
        last_name: "",
        email_address: `w.${uniqueSuffix()}@example.com`,
        skip_password_check: true,
      }),
    );
    expect(res.status).toBe(201);
    const body = userResourceSchema.strict().parse(await res.json());
    expect(body).toMatchObject({
      first_name: "",
      last_name: "",
      username: null,
      profile_image_status: "none",
    });
    const details = await fetch(`${baseUrl}/users/${body.id}/details`, {
      headers: { Authorization: api.auth },
    });
    expect(((await details.json()) as { has_password: boolean }).has_password).toBe(false);
  });

  it("gives its error parser the server's message at the top level", async () => {
    const address = `dup.${uniqueSuffix()}@example.com`;
    expect(
      (
        await send(
          wachtForm({ first_name: "A", last_name: "B", email_address: address, skip_password_check: true }),
        )
      ).status,
    ).toBe(201);

    const taken = await send(
      wachtForm({ first_name: "A", last_name: "B", email_address: address, skip_password_check: true }),
    );
    expect(taken.status).toBe(409);
    expect(wachtErrorMessage(await taken.json())).toBe("That email address is taken.");

    // skip_password_check "false" really means the password is required.
    const invalid = await send(
      wachtForm({ first_name: "A", last_name: "B", email_address: `n.${uniqueSuffix()}@example.com` }),
    );
    expect(invalid.status).toBe(422);
    const body = (await invalid.json()) as { message: string; errors: { message: string; param?: string }[] };
    expect(wachtErrorMessage(body)).toBe("Password is required.");
    expect(body.errors).toEqual([expect.objectContaining({ param: "password", message: body.message })]);
  });
});
