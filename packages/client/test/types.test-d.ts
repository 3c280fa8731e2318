// Type-level proof that the SDK's plain types are the API's zod schemas: each pair
// must be equal both ways, so a field added, removed or retyped on either side
// fails `tsc` (npm run check) and vitest's typecheck.
import { describe, expectTypeOf, it } from "vitest";
import type { z } from "zod";
import type {
  AuthSettings as DomainAuthSettings,
  authSettingsPatchSchema,
  authSettingsSchema,
  CreateUserField,
  createUserMultipartSchema,
  createUserRequestSchema,
  errorBodySchema,
  FieldIssue,
  fieldIssueSchema,
  getAuthSettings,
  listUsers,
  updateAuthSettings,
  UserDetailsResource,
  userDetailsResourceSchema,
  userListSchema,
  UserResource,
  userResourceSchema,
} from "@svc/users";
import type {
  AuthSettings,
  AuthSettingsPatch,
  Client,
  CreateUserFields,
  CreateUserRequest,
  ErrorBody,
  FieldError,
  User,
  UserDetails,
  UserList,
} from "../src/index";

describe("SDK types equal the API's schemas", () => {
  it("responses", () => {
    expectTypeOf<User>().toEqualTypeOf<z.infer<typeof userResourceSchema>>();
    expectTypeOf<UserDetails>().toEqualTypeOf<z.infer<typeof userDetailsResourceSchema>>();
    expectTypeOf<UserList>().toEqualTypeOf<z.infer<typeof userListSchema>>();
    expectTypeOf<AuthSettings>().toEqualTypeOf<z.infer<typeof authSettingsSchema>>();
  });

  it("errors", () => {
    expectTypeOf<ErrorBody>().toEqualTypeOf<z.infer<typeof errorBodySchema>>();
    expectTypeOf<FieldError>().toEqualTypeOf<z.infer<typeof fieldIssueSchema>>();
    // ...and the domain's own issue type, which the error middleware serialises.
    expectTypeOf<FieldError>().toEqualTypeOf<FieldIssue>();
  });

  it("requests", () => {
    expectTypeOf<CreateUserFields>().toEqualTypeOf<z.infer<typeof createUserRequestSchema>>();
    expectTypeOf<AuthSettingsPatch>().toEqualTypeOf<z.infer<typeof authSettingsPatchSchema>>();
    // The SDK sends exactly the fields the API reads (CREATE_USER_FIELDS), and so does the document.
    expectTypeOf<keyof CreateUserRequest>().toEqualTypeOf<CreateUserField>();
    expectTypeOf<keyof z.infer<typeof createUserMultipartSchema>>().toEqualTypeOf<CreateUserField>();
  });
});

describe("the server's use cases return the schemas' types", () => {
  it("users", () => {
    expectTypeOf<UserResource>().toEqualTypeOf<User>();
    expectTypeOf<UserDetailsResource>().toEqualTypeOf<UserDetails>();
    expectTypeOf<Awaited<ReturnType<typeof listUsers>>>().toEqualTypeOf<UserList>();
  });

  it("settings", () => {
    expectTypeOf<DomainAuthSettings>().toEqualTypeOf<AuthSettings>();
    expectTypeOf<Awaited<ReturnType<typeof getAuthSettings>>>().toEqualTypeOf<AuthSettings>();
    expectTypeOf<Awaited<ReturnType<typeof updateAuthSettings>>>().toEqualTypeOf<AuthSettings>();
  });

  it("SDK methods resolve to those types", () => {
    expectTypeOf<Client["users"]["getUser"]>().returns.resolves.toEqualTypeOf<User>();
    expectTypeOf<Client["users"]["getUserDetails"]>().returns.resolves.toEqualTypeOf<UserDetails>();
    expectTypeOf<Client["users"]["listUsers"]>().returns.resolves.toEqualTypeOf<UserList>();
    expectTypeOf<Client["settings"]["updateAuth"]>().parameter(0).toEqualTypeOf<AuthSettingsPatch>();
  });
});
