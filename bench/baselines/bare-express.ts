// Baseline of scenario 1: Express with one handler that answers 201 and a
// constant body; what the framework and the HTTP stack cost on their own.
import express from "express";

const BODY = {
  id: "user_01bench000000000000000000",
  created_at: "2026-12-04T12:00:00.000Z",
  updated_at: "2026-12-04T12:00:00.000Z",
  first_name: "Bench",
  last_name: "User",
  username: null,
  profile_picture_url: "",
  profile_image_status: "none",
  primary_email_address: "bench@example.com",
  primary_phone_number: "+12122000000",
};

const app = express();
app.disable("x-powered-by");
app.post("/users", (_req, res) => {
  res.status(201).location(`/users/${BODY.id}`).json(BODY);
});
const server = app.listen(0, "127.0.0.1", () => {
  const address = server.address();
  process.send?.({ port: typeof address === "object" && address ? address.port : 0 });
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
