// @ts-check
import js from "@eslint/js";
import prettier from "eslint-config-prettier";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "cdk.out/", ".local/", "dist/", "coverage/", "containers/agent/dist/", "web/dist/"] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-non-null-assertion": "error",
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      // CDK constructs are instantiated for their side effect of joining the tree.
      "no-new": "off",
      "@typescript-eslint/no-extraneous-class": "off",
    },
  },
  // The web page runs in the browser, not in Node.
  { files: ["web/src/**/*.ts"], languageOptions: { globals: { ...globals.browser } } },
  prettier,
);
