import { loadConfig } from "./config";

/** What the page uses of Swagger UI's browser bundle (swagger-ui-dist, loaded before this module). */
declare const SwaggerUIBundle: (options: {
  url: string;
  dom_id: string;
  deepLinking?: boolean;
  tryItOutEnabled?: boolean;
}) => unknown;

/**
 * The API reference at /docs: Swagger UI showing the document the API serves about itself
 * (`GET /api/openapi.json`), from the API this deployment's config names.
 */
async function main(): Promise<void> {
  const root = document.getElementById("reference");
  if (!root) throw new Error("the page has no #reference element");
  try {
    const config = await loadConfig();
    root.replaceChildren();
    SwaggerUIBundle({ url: `${config.httpApiUrl}/api/openapi.json`, dom_id: "#reference", deepLinking: true });
  } catch (error) {
    root.textContent = `The API reference could not load: ${error instanceof Error ? error.message : String(error)}`;
  }
}

void main();
