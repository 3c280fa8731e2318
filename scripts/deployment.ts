// Deployment and key administration from the command line:
//   npm run deployment:create -- --name NAME [--live]   (the last line printed is the key alone)
//   npm run keys -- list --deployment DEP_ID
//   npm run keys -- create --deployment DEP_ID [--live]
//   npm run keys -- revoke --key SK_ID
import { parseArgs } from "node:util";
import { loadConfig } from "@svc/config";
import { createDb, migrate } from "@svc/db";
import { createDeployment, createSecretKey, listSecretKeys, revokeSecretKey } from "@svc/users";

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    name: { type: "string" },
    deployment: { type: "string" },
    key: { type: "string" },
    live: { type: "boolean", default: false },
  },
});

const usage = () => {
  console.error("usage: create --name NAME [--live] | list --deployment ID | create-key --deployment ID | revoke --key ID");
  process.exit(2);
};

const config = loadConfig();
await migrate(config.database.url);
const db = createDb({ url: config.database.url, poolSize: 1 });
const environment = values.live ? "live" : "test";
try {
  switch (positionals[0]) {
    case "create": {
      if (values.deployment) {
        const key = await createSecretKey(db, values.deployment, environment);
        console.log(`key ${key.id} created for deployment ${values.deployment}; it is shown only now:`);
        console.log(key.secretKey);
        break;
      }
      if (!values.name) usage();
      const { deployment, id, secretKey } = await createDeployment(db, values.name as string, environment);
      console.log(`deployment ${deployment.id} (${deployment.name}) created with key ${id}; the key is shown only now:`);
      console.log(secretKey);
      break;
    }
    case "list": {
      if (!values.deployment) usage();
      for (const key of await listSecretKeys(db, values.deployment as string)) {
        const state = key.revokedAt ? `revoked ${key.revokedAt.toISOString()}` : "active";
        console.log(`${key.id}  ${key.hint}  created ${key.createdAt.toISOString()}  ${state}`);
      }
      break;
    }
    case "revoke": {
      if (!values.key) usage();
      const revoked = await revokeSecretKey(db, values.key as string);
      console.log(revoked ? `key ${values.key} revoked` : `no active key ${values.key}`);
      if (!revoked) process.exitCode = 1;
      break;
    }
    default:
      usage();
  }
} finally {
  await db.$disconnect();
}
