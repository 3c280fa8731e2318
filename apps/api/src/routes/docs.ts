// The OpenAPI document and the docs page, open to everyone (SPEC 2). The page is
// Swagger UI from swagger-ui-dist, served by the API itself so it works offline.
import { createRequire } from "node:module";
import path from "node:path";
import express, { Router } from "express";
import { notFoundHandler } from "../http/errors";
import { buildOpenApiDocument } from "../openapi/document";
import type { ApiDeps } from "../server";

export const DOCS_PATH = "/docs";
export const OPENAPI_PATH = "/openapi.json";

// Resolved, not imported: swagger-ui-dist's main module loads the 1.5 MB browser
// bundle into Node, and the API only needs the files.
const SWAGGER_UI_DIR = path.dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));

// Asset URLs are absolute so the page works at /docs and /docs/ alike.
const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>Users service API</title>
    <link rel="stylesheet" href="${DOCS_PATH}/swagger-ui.css">
    <link rel="stylesheet" href="${DOCS_PATH}/index.css">
    <link rel="icon" type="image/png" href="${DOCS_PATH}/favicon-32x32.png" sizes="32x32">
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="${DOCS_PATH}/swagger-ui-bundle.js"></script>
    <script src="${DOCS_PATH}/swagger-initializer.js"></script>
  </body>
</html>
`;

// Replaces the dist's initializer, which loads the petstore. validatorUrl: null
// keeps the page from calling validator.swagger.io (no network beyond this API).
const INITIALIZER = `window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: ${JSON.stringify(OPENAPI_PATH)},
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
};
`;

export function docsRouter(_deps: ApiDeps): Router {
  // Generated once per app, at start-up; every request sends the same bytes.
  const document = JSON.stringify(buildOpenApiDocument());
  const router = Router();
  router.get(OPENAPI_PATH, (_req, res) => {
    res.type("application/json").send(document);
  });
  router.get([DOCS_PATH, `${DOCS_PATH}/index.html`], (_req, res) => {
    res.type("html").send(PAGE);
  });
  router.get(`${DOCS_PATH}/swagger-initializer.js`, (_req, res) => {
    res.type("text/javascript").send(INITIALIZER);
  });
  router.use(DOCS_PATH, express.static(SWAGGER_UI_DIR, { index: false, redirect: false }));
  // A missing asset is a 404 here, not the 401 the authenticated routes behind would give.
  router.use(DOCS_PATH, notFoundHandler);
  return router;
}
