// The roles of each API operation (`x-roles` in the OpenAPI document), as a small JSON the apps
// bundle: menus are shown from the same roles the API enforces.
import { readFileSync, writeFileSync } from "node:fs";

const doc = JSON.parse(readFileSync(new URL("../openapi.json", import.meta.url)));
const roles = {};
for (const [path, ops] of Object.entries(doc.paths)) {
  for (const [method, op] of Object.entries(ops)) {
    roles[`${method.toUpperCase()} ${path}`] = op["x-roles"] ?? [];
  }
}
writeFileSync(new URL("../src/generated/roles.json", import.meta.url), JSON.stringify(roles, null, 1) + "\n");
